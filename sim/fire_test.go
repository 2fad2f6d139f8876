package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/sim"
)

// The demo fire department has engines, trucks, ambulances and chiefs,
// all crewed, two engine–ambulance pairs cross-staffed, run cards for its
// calls, and calls that its dispatcher answers by them.
func TestFireDepartment(t *testing.T) {
	ctx := context.Background()
	e, exec, has := mustOpenEngine(t, engine.Config{Map: mustDemoMap(t)})
	if _, err := sim.Setup(ctx, mustDemoMap(t), exec, has); err != nil {
		t.Fatalf("Setup = %v", err)
	}
	e.Read(func(s *dispatch.State) {
		kinds := map[string]int{}
		pairs := 0
		for _, u := range s.UnitList(sim.FireAgency) {
			kinds[u.Kind]++
			if u.Staffing != dispatch.StaffingStaffed || len(u.Crew) == 0 {
				t.Errorf("unit %s staffing %s crew %v, want a crew signed on", u.ID, u.Staffing, u.Crew)
			}
			if u.CrossStaffed != "" {
				pairs++
			}
		}
		if kinds["engine"] < 3 || kinds["truck"] < 1 || kinds["ambulance"] < 2 || kinds["chief"] < 1 || pairs != 4 {
			t.Errorf("fire units by kind %v, %d cross-staffed; want engines, trucks, ambulances, chiefs and two pairs", kinds, pairs)
		}
		a := s.Agencies[sim.FireAgency]
		if a == nil || a.Kind != "fire_ems" || a.RunCards == nil || len(a.RunCards.Cards) < 3 {
			t.Fatalf("agency cfd = %+v, want a fire_ems agency with run cards", a)
		}
		lat, lon := 41.8236, -87.7052
		in := &dispatch.Incident{Agency: sim.FireAgency, Type: "FIRE_STRUCTURE", Priority: 1, Location: dispatch.Location{Lat: &lat, Lon: &lon, District: "009"}}
		noon := time.Date(2026, 6, 1, 17, 0, 0, 0, time.UTC)
		if c, ok := s.RunCardFor(in, noon); !ok || c.Name != "Structure fire" {
			t.Errorf("RunCardFor(structure fire at noon) = %q, %v; want Structure fire", c.Name, ok)
		}
	})
	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := e.Execute(ctx, a, c)
		return res.Events, err
	}
	rctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	if err := sim.Run(rctx, mustDemoMap(t), record, sim.Live{Engine: e}, 20*time.Second, 20000, 3); err != nil {
		t.Fatalf("Run = %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	var fires, sent int
	e.Read(func(s *dispatch.State) {
		for _, in := range s.IncidentList(sim.FireAgency) {
			fires++
			if in.Dispatched != nil {
				sent++
			}
		}
	})
	if fires == 0 || sent == 0 {
		t.Errorf("after the run: %d fire department calls, %d dispatched; want some of both", fires, sent)
	}
}
