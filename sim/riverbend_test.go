package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/sim"
)

// riverbend loads geo's test city: a small town on the Willamette that
// shares nothing with the demo city's grid, two districts of two and three
// beats, curved and diagonal streets, address points spelt several ways.
func riverbend(tb testing.TB) *geo.Map {
	tb.Helper()
	m, err := geo.LoadDir("../geo/testdata/riverbend")
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// The simulator runs on the map it is given: on Riverbend, Setup makes
// units in its districts and beats, the patrol puts them there, and every
// call of Run is placed by the engine on that map, verified, in a district
// and a beat, in both districts.
func TestRiverbend(t *testing.T) {
	ctx := context.Background()
	m := riverbend(t)
	e, exec, has := mustOpenEngine(t, engine.Config{Map: m})

	// The plan: two cars to each of the five beats, a sergeant to each
	// district.
	beats := map[[2]string]bool{}
	for _, z := range m.Zones() {
		beats[[2]string{z.District, z.Beat}] = true
	}
	plan := sim.PlanOn(m)
	perBeat := map[[2]string]int{}
	sergeants := map[string]int{}
	for _, u := range plan {
		switch {
		case u.Agency == "metro" && u.Kind == "patrol":
			if !beats[[2]string{u.District, u.Beat}] {
				t.Errorf("patrol car %s patrols district %q beat %q, not a beat of Riverbend", u.CallSign, u.District, u.Beat)
			}
			perBeat[[2]string{u.District, u.Beat}]++
		case u.Agency == "metro" && u.Kind == "sergeant":
			sergeants[u.District]++
		case u.District != "" && u.District != "1" && u.District != "2":
			t.Errorf("unit %s works district %q, not one of Riverbend's", u.ID(), u.District)
		}
	}
	if len(perBeat) != 5 || len(sergeants) != 2 {
		t.Errorf("patrol cars in %d beats, sergeants in %d districts; want all 5 beats and both districts", len(perBeat), len(sergeants))
	}
	for b, n := range perBeat {
		if n != 2 {
			t.Errorf("beat %v has %d patrol cars, want 2", b, n)
		}
	}
	n, err := sim.Setup(ctx, m, exec, has)
	if err != nil || n != len(plan) {
		t.Fatalf("Setup(Riverbend) = %d units, %v; want the plan's %d", n, err, len(plan))
	}
	e.Read(func(s *dispatch.State) {
		for _, u := range plan {
			if _, ok := s.Units[u.ID()]; !ok {
				t.Errorf("Setup made no unit %s", u.ID())
			}
		}
	})

	// The demo's premise records, whose addresses Riverbend does not
	// have, go to addresses of its own.
	hasPremises := func(agency string) (ok bool) {
		e.Read(func(s *dispatch.State) { ok = len(s.PremiseList(agency)) > 0 })
		return ok
	}
	if n, err := sim.SetupPremises(ctx, m, exec, hasPremises, time.Now()); err != nil || n != len(sim.Premises()) {
		t.Fatalf("SetupPremises(Riverbend) = %d, %v; want %d records", n, err, len(sim.Premises()))
	}
	e.Read(func(s *dispatch.State) {
		for _, pr := range s.PremiseList(sim.PremiseClerk.Agency) {
			if l := pr.Location; l.Lat == nil || !l.Verified || l.District == "" {
				t.Errorf("premise at %+v, want it placed on Riverbend, in a district", l)
			}
		}
	})

	// The patrol puts each planned unit in its area.
	p := sim.NewPatrol(m, 5)
	var units []sim.PatrolUnit
	for _, u := range plan {
		units = append(units, sim.PatrolUnit{ID: u.ID(), Status: dispatch.StatusAvailable})
	}
	placed := p.Step(units, 0, time.Now())
	if len(placed) != len(plan) {
		t.Errorf("the patrol placed %d units, want %d", len(placed), len(plan))
	}
	for i, pos := range placed {
		u := plan[i]
		z, ok := m.ZoneAt(pos.Lat, pos.Lon)
		beat := u.Beat
		if beat == "2C" {
			beat = "" // the rail yard: no street enters it, its cars patrol their district's
		}
		if u.District != "" && (!ok || z.District != u.District || (beat != "" && z.Beat != beat)) {
			t.Errorf("unit %s placed in district %q beat %q, want district %q beat %q", u.ID(), z.District, z.Beat, u.District, u.Beat)
		}
	}

	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := e.Execute(ctx, a, c)
		return res.Events, err
	}
	// Until there are many calls, in both districts and for the state
	// police too.
	runUntil(t, func(ctx context.Context) error {
		return sim.Run(ctx, m, record, sim.Live{Engine: e}, 20*time.Second, 20000, 9)
	}, func() bool {
		n, state := 0, 0
		ds := map[string]bool{}
		e.Read(func(s *dispatch.State) {
			for _, in := range s.Incidents {
				n++
				ds[in.Location.District] = true
				if in.Agency == "state" {
					state++
				}
			}
		})
		return n >= 50 && len(ds) >= 2 && state > 0
	})
	incidents := 0
	districts := map[string]int{}
	byAgency := map[string]int{}
	e.Read(func(s *dispatch.State) {
		for _, in := range s.Incidents {
			incidents++
			l := in.Location
			if !l.Verified || l.Lat == nil || l.Lon == nil || l.District == "" || l.Beat == "" {
				t.Errorf("incident %s at %+v; want it placed on Riverbend, verified, in a district and a beat", in.ID, l)
				continue
			}
			districts[l.District]++
			byAgency[in.Agency]++
		}
	})
	if incidents < 50 || len(districts) != 2 {
		t.Errorf("after the run: %d incidents in districts %v; want many, in both districts", incidents, districts)
	}
	if byAgency["state"] == 0 {
		t.Errorf("calls by agency %v, want some for the state police", byAgency)
	}
}
