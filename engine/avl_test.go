package engine_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
)

// samples returns the unit.positions_sampled events of the log.
func samples(t *testing.T, e *engine.Engine) []dispatch.PositionsSampled {
	t.Helper()
	es, err := e.Log().Entries(context.Background(), 0, e.Log().Size())
	if err != nil {
		t.Fatal(err)
	}
	var out []dispatch.PositionsSampled
	for _, b := range es {
		en, err := ledger.ParseEntry(b)
		if err != nil {
			t.Fatal(err)
		}
		if en.Type == dispatch.TypePositionsSampled {
			// The leaf holds the positions as a commitment only; the
			// openings put them back.
			if strings.Contains(string(b), `"lat"`) || strings.Contains(string(b), `"unit"`) {
				t.Fatalf("positions in the clear in the log: %s", b)
			}
			os, err := e.Log().Openings(context.Background(), []int64{en.Seq})
			if err != nil {
				t.Fatal(err)
			}
			open := map[string]string{}
			for _, o := range os[en.Seq] {
				open[o.Field] = o.Value
			}
			en, err = engine.Disclose(en, open)
			if err != nil {
				t.Fatal(err)
			}
			var p dispatch.PositionsSampled
			if err := json.Unmarshal(en.Data, &p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
	}
	return out
}

// Positions are soft, but the sequencer samples the moved ones into the log.
func TestPositionsSampled(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: MustKey(t), TimerInterval: -1, SampleInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sys := dispatch.Actor{System: "test"}
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	MustExecute(t, e, sys, dispatch.CreateUnit{CallSign: "1A1", Agency: "metro", Kind: "patrol"})
	at := time.Now().UTC().Truncate(time.Second)
	wait := func(n int) []dispatch.PositionsSampled {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			if s := samples(t, e); len(s) >= n {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d position samples after 5 s", n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if err := e.UpdatePositions(dispatch.Actor{System: "test"}, []dispatch.Position{{Unit: "metro.1a1", Lat: 41.82, Lon: -87.70, Time: at}}); err != nil {
		t.Fatal(err)
	}
	s := wait(1)
	if len(s[0].Positions) != 1 || s[0].Positions[0].Unit != "metro.1a1" || s[0].Positions[0].Lat != 41.82 {
		t.Fatalf("first sample = %+v, want metro.1a1 at 41.82", s[0])
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(samples(t, e)); n != 1 {
		t.Fatalf("%d samples of a unit that did not move, want 1", n)
	}
	if err := e.UpdatePositions(dispatch.Actor{System: "test"}, []dispatch.Position{{Unit: "metro.1a1", Lat: 41.83, Lon: -87.70, Time: at.Add(time.Second)}}); err != nil {
		t.Fatal(err)
	}
	if s := wait(2); s[1].Positions[0].Lat != 41.83 {
		t.Errorf("second sample = %+v, want the new position", s[1])
	}
}
