package sim_test

import (
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/geo/gridcity"
	"github.com/tenfour-cad/tenfour/sim"
)

// The demo city has about 300 units with distinct call signs: Metro PD's
// two patrol cars to each beat of its 25 districts and a sergeant to each
// district, and the units the reference scenario and the tests name.
func TestPlan(t *testing.T) {
	plan := sim.Plan()
	if len(plan) < 280 || len(plan) > 320 {
		t.Errorf("Plan() has %d units, want about 300", len(plan))
	}
	d := gridcity.ChicagoDistricts()
	beats := map[string]string{}
	for _, b := range d.Beats {
		beats[b.ID] = b.District
	}
	seen := map[string]bool{}
	perBeat := map[string]int{}
	sergeants := map[string]int{}
	kinds := map[string]int{}
	for _, u := range plan {
		if seen[u.ID()] {
			t.Errorf("unit %s is planned twice", u.ID())
		}
		seen[u.ID()] = true
		kinds[u.Agency+" "+u.Kind]++
		switch {
		case u.Agency == "metro" && u.Kind == "patrol":
			if _, ok := beats[u.Area]; !ok {
				t.Errorf("patrol car %s patrols %q, want a beat", u.CallSign, u.Area)
			}
			// The call sign says the district: 1A + district + car.
			if dist := beats[u.Area]; !strings.HasPrefix(u.CallSign, "1A"+strings.TrimLeft(dist, "0")) {
				t.Errorf("patrol car %s patrols beat %s of district %s; its call sign should start 1A%s", u.CallSign, u.Area, dist, strings.TrimLeft(dist, "0"))
			}
			perBeat[u.Area]++
		case u.Agency == "metro" && u.Kind == "sergeant":
			sergeants[u.Area]++
		}
		if got := sim.Area(u.ID()); got != u.Area {
			t.Errorf("Area(%s) = %q, want %q", u.ID(), got, u.Area)
		}
	}
	if len(perBeat) != 100 {
		t.Errorf("patrol cars cover %d beats, want all 100", len(perBeat))
	}
	for b, n := range perBeat {
		if n != 2 {
			t.Errorf("beat %s has %d patrol cars, want 2", b, n)
		}
	}
	if len(sergeants) != 25 {
		t.Errorf("sergeants cover %d districts, want 25", len(sergeants))
	}
	for _, id := range []string{"metro.1a11", "metro.1a258", "metro.2s11", "metro.3t11", "metro.4k11", "metro.5x11",
		"sheriff.s11", "state.sp11", "state.sp12", "federal.fp11"} {
		if !seen[id] {
			t.Errorf("Plan() lacks %s", id)
		}
	}
	if kinds["metro traffic"] < 10 || kinds["state patrol"] < 2 || kinds["federal patrol"] < 1 {
		t.Errorf("Plan() kinds = %v; want metro traffic units and state and federal patrols (the reference scenario sends them)", kinds)
	}
	if sim.Area("METRO.1A11") != "011" || sim.Area("nowhere.x") != "" {
		t.Errorf("Area(METRO.1A11) = %q, Area(nowhere.x) = %q; want 011 and nothing", sim.Area("METRO.1A11"), sim.Area("nowhere.x"))
	}
}
