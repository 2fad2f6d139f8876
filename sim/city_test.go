package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/sim"
)

// The demo city sets itself up once, and its calls go through the whole
// lifecycle: dispatched, en route, on scene, cleared.
func TestRun(t *testing.T) {
	ctx := context.Background()
	e, exec, has := mustOpenEngine(t, engine.Config{Map: mustDemoMap(t)})
	began := time.Now()
	n, err := sim.Setup(ctx, mustDemoMap(t), exec, has)
	t.Logf("Setup made %d units in %v", n, time.Since(began).Round(time.Millisecond))
	if err != nil || n != len(sim.Plan()) || n < 280 || n > 320 {
		t.Fatalf("Setup = %d units, %v; want the plan's %d, about 300", n, err, len(sim.Plan()))
	}
	if again, err := sim.Setup(ctx, mustDemoMap(t), exec, has); again != 0 || err != nil {
		t.Fatalf("second Setup = %d units, %v; want nothing made", again, err)
	}
	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := e.Execute(ctx, a, c)
		return res.Events, err
	}
	// At 20,000× a call comes every millisecond and is cleared within a
	// tenth of a second.
	// Until there are many calls and some of them are cleared.
	runUntil(t, func(ctx context.Context) error {
		return sim.Run(ctx, mustDemoMap(t), record, sim.Live{Engine: e}, 20*time.Second, 20000, 1)
	}, func() bool {
		n, closed := 0, 0
		e.Read(func(s *dispatch.State) {
			for _, in := range s.Incidents {
				n++
				if in.Status == dispatch.IncidentClosed {
					closed++
				}
			}
		})
		return n >= 50 && closed >= 10
	})
	var incidents, cleared int
	e.Read(func(s *dispatch.State) {
		for _, in := range s.Incidents {
			incidents++
			if l := in.Location; !l.Verified || l.Lat == nil || l.District == "" || l.Beat == "" || in.Answered == nil || !in.Received.Before(*in.Answered) || in.Answered.After(in.Entered) {
				t.Errorf("incident %s: location %+v, received %v, answered %v, entered %v; want a verified place with district and beat, received before answered before entry",
					in.ID, l, in.Received, in.Answered, in.Entered)
			}
			if in.Status == dispatch.IncidentClosed {
				cleared++
				if in.Dispatched == nil || in.EnRoute == nil || in.OnScene == nil || in.Cleared == nil {
					t.Errorf("closed incident %s lacks a time: %+v", in.ID, in)
				}
			}
		}
	})
	if incidents < 50 || cleared < 10 {
		t.Errorf("after the run: %d incidents, %d cleared; want many of both", incidents, cleared)
	}
}
