package sim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/sim"
)

// The demo city has about 300 units with distinct call signs: Metro PD's
// two patrol cars to each beat of its 25 districts and a sergeant to each
// district, and the units the reference scenario and the tests name.
func TestPlan(t *testing.T) {
	plan := sim.Plan()
	if !slices.EqualFunc(plan, sim.PlanOn(mustDemoMap(t)), func(a, b sim.PlannedUnit) bool {
		return a.ID() == b.ID() && a.District == b.District && a.Beat == b.Beat
	}) {
		t.Error("Plan() differs from PlanOn(the demo map)")
	}
	if len(plan) < 280 || len(plan) > 320 {
		t.Errorf("Plan() has %d units, want about 300", len(plan))
	}
	beats := map[string]string{}
	for _, z := range mustDemoMap(t).Zones() {
		beats[z.Beat] = z.District
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
			if d, ok := beats[u.Beat]; !ok || d != u.District {
				t.Errorf("patrol car %s patrols district %q beat %q, want a beat of the map in its district", u.CallSign, u.District, u.Beat)
			}
			// The call sign says the district: 1A + district + car.
			if !strings.HasPrefix(u.CallSign, "1A"+strings.TrimLeft(u.District, "0")) {
				t.Errorf("patrol car %s patrols beat %s of district %s; its call sign should start 1A%s", u.CallSign, u.Beat, u.District, strings.TrimLeft(u.District, "0"))
			}
			perBeat[u.Beat]++
		case u.Agency == "metro" && u.Kind == "sergeant":
			if u.Beat != "" {
				t.Errorf("sergeant %s patrols beat %q, want the whole district", u.CallSign, u.Beat)
			}
			sergeants[u.District]++
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
	if u := plan[0]; u.ID() != "metro.1a11" || u.District != "01" || u.Beat != "011" {
		t.Errorf("Plan()[0] = %+v, want metro.1a11 in beat 011 of district 01", u)
	}
}
