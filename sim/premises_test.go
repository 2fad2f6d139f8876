package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/sim"
)

// TestSetupPremises checks that the demo city's premise records are
// entered once, by metro's call-taker, at their addresses, with their
// flags in force.
func TestSetupPremises(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	// The engine places each premise on the map, as it would any command's.
	e, exec, _ := mustOpenEngine(t, engine.Config{Map: mustDemoMap(t), Clock: func() time.Time { return now }, TimerInterval: -1, SampleInterval: -1})
	for _, a := range sim.Agencies {
		if err := exec(context.Background(), sim.Actor, a); err != nil {
			t.Fatal(err)
		}
	}
	has := func(agency string) (ok bool) {
		e.Read(func(s *dispatch.State) { ok = len(s.PremiseList(agency)) > 0 })
		return ok
	}
	n, err := sim.SetupPremises(context.Background(), mustDemoMap(t), exec, has, now)
	if err != nil || n != len(sim.Premises()) {
		t.Fatalf("SetupPremises = %d, %v; want %d records", n, err, len(sim.Premises()))
	}
	e.Read(func(s *dispatch.State) {
		for _, p := range s.PremiseList("metro") {
			if p.EnteredBy.User != "metro-call-taker" || p.Location.Lat == nil || p.Location.District == "" || !p.InForce(now) {
				t.Errorf("demo premise = %+v, want it placed, in a district, in force, entered by metro-call-taker", p)
			}
		}
		if hz := s.HazardsAt("metro", s.PremiseList("metro")[0].Location, now); len(hz) == 0 {
			t.Error("no hazards at a demo premise")
		}
	})
	if n, err := sim.SetupPremises(context.Background(), mustDemoMap(t), exec, has, now); n != 0 || err != nil {
		t.Errorf("SetupPremises again = %d, %v; want nothing done", n, err)
	}
}
