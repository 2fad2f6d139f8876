package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/sim"
)

// TestSetupBOLOs checks that the demo city's BOLOs are issued once, by
// metro's dispatcher, in force.
func TestSetupBOLOs(t *testing.T) {
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
	has := func(agency string) bool { return len(s.BOLOList(agency)) > 0 }
	n, err := sim.SetupBOLOs(context.Background(), exec, has, now, 7)
	if err != nil || n != len(sim.BOLOs()) {
		t.Fatalf("SetupBOLOs = %d, %v; want %d BOLOs", n, err, len(sim.BOLOs()))
	}
	for _, b := range s.BOLOList("metro") {
		if b.IssuedBy.User != "metro-dispatcher" || !b.Active(now.Add(6*24*time.Hour)) || b.Active(now.Add(7*24*time.Hour)) {
			t.Errorf("demo BOLO = %+v, want it issued by metro-dispatcher, in force for 7 days", b)
		}
	}
	if n, err := sim.SetupBOLOs(context.Background(), exec, has, now, 7); n != 0 || err != nil {
		t.Errorf("SetupBOLOs again = %d, %v; want nothing done", n, err)
	}
}
