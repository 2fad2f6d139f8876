package sim_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/sim"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

type city struct{ e *engine.Engine }

func (c city) Available(agency string) []string {
	var out []string
	c.e.Read(func(s *dispatch.State) {
		for _, u := range s.UnitList(agency) {
			if u.Status == dispatch.StatusAvailable {
				out = append(out, u.ID)
			}
		}
	})
	return out
}

// The demo city sets itself up once, and its calls go through the whole
// lifecycle: dispatched, en route, on scene, cleared.
func TestRun(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	skey, _ := ledger.GenerateKey("sim.test/log")
	key, _ := ledger.ParseKey(skey)
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := e.Execute(ctx, a, c)
		return err
	}
	has := func(id string) (ok bool) {
		e.Read(func(s *dispatch.State) { _, ok = s.Agencies[id] })
		return ok
	}
	n, err := sim.Setup(ctx, exec, has)
	if err != nil || n < 90 {
		t.Fatalf("Setup = %d units, %v; want about 100", n, err)
	}
	if again, err := sim.Setup(ctx, exec, has); again != 0 || err != nil {
		t.Fatalf("second Setup = %d units, %v; want nothing made", again, err)
	}
	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := e.Execute(ctx, a, c)
		return res.Events, err
	}
	// At 20,000× a call comes every millisecond and is cleared within a
	// tenth of a second.
	rctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	if err := sim.Run(rctx, record, city{e}, 20*time.Second, 20000, 1); err != nil {
		t.Fatalf("Run = %v", err)
	}
	time.Sleep(200 * time.Millisecond) // let the last steps land
	var incidents, cleared int
	e.Read(func(s *dispatch.State) {
		for _, in := range s.Incidents {
			incidents++
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
