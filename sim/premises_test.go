package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/sim"
)

// TestSetupPremises checks that the demo city's premise records are
// entered once, by metro's call-taker, at their addresses, with their
// flags in force.
func TestSetupPremises(t *testing.T) {
	s := dispatch.NewState()
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	exec := func(_ context.Context, a dispatch.Actor, c dispatch.Command) error {
		evs, err := c.Decide(s, a, now)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	}
	for _, a := range sim.Agencies {
		if err := exec(context.Background(), sim.Actor, a); err != nil {
			t.Fatal(err)
		}
	}
	has := func(agency string) bool { return len(s.PremiseList(agency)) > 0 }
	n, err := sim.SetupPremises(context.Background(), exec, has, now)
	if err != nil || n != len(sim.Premises()) {
		t.Fatalf("SetupPremises = %d, %v; want %d records", n, err, len(sim.Premises()))
	}
	for _, p := range s.PremiseList("metro") {
		if p.EnteredBy.User != "metro-call-taker" || p.Location.Lat == nil || p.Location.District == "" || !p.InForce(now) {
			t.Errorf("demo premise = %+v, want it placed, in a district, in force, entered by metro-call-taker", p)
		}
	}
	if hz := s.HazardsAt("metro", s.PremiseList("metro")[0].Location, now); len(hz) == 0 {
		t.Error("no hazards at a demo premise")
	}
	if n, err := sim.SetupPremises(context.Background(), exec, has, now); n != 0 || err != nil {
		t.Errorf("SetupPremises again = %d, %v; want nothing done", n, err)
	}
}
