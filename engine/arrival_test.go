package engine_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/recommend"
)

// TestAcceptMeasuresArrival: an acceptance gets its units' drive times from
// the engine, whatever the caller sends, measured from their last known
// positions as a recommendation measures them; the arrival deadline is the
// soonest and the plan's margin. A unit with no position counts
// dispatch.UnknownETA.
func TestAcceptMeasuresArrival(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: MustKey(t), TimerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sys := dispatch.Actor{System: "test"}
	for _, c := range []dispatch.Command{
		dispatch.CreateAgency{ID: "federal", Name: "Federal", Kind: "federal"},
		dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"},
		dispatch.CreateUnit{CallSign: "1A1", Agency: "metro", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "1A2", Agency: "metro", Kind: "patrol"},
	} {
		MustExecute(t, e, sys, c)
	}
	lat, lon := 41.8254, -87.7052
	ask := func() string {
		res := MustExecute(t, e, sys, dispatch.RequestAssist{From: "federal", To: "metro", Location: dispatch.Location{Lat: &lat, Lon: &lon},
			Nature: "boxed in", Urgency: dispatch.UrgencyUrgent})
		return res.Events[0].Subject["request"]
	}
	at := e.Now()
	if err := e.UpdatePositions(sys, []dispatch.Position{{Unit: "metro.1a1", Lat: 41.84, Lon: -87.69, Time: at}}); err != nil {
		t.Fatal(err)
	}
	want := recommend.Grid{}.Travel(geo.Point{Lat: lat, Lon: lon}, []recommend.From{{Kind: "patrol", At: geo.Point{Lat: 41.84, Lon: -87.69}}}, 1)[0]
	if !want.OK || want.Seconds < 60 {
		t.Fatalf("grid travel = %+v, want a drive of minutes", want)
	}
	for _, tc := range []struct {
		name  string
		units []string
		eta   time.Duration
	}{
		{"Positioned", []string{"metro.1a1"}, time.Duration(want.Seconds * float64(time.Second))},
		{"NoPosition", []string{"metro.1a2"}, dispatch.UnknownETA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := ask()
			// A caller's own ETAs are not taken: only the map says.
			res := MustExecute(t, e, sys, dispatch.AcceptAssist{Request: id, Agency: "metro", Units: tc.units,
				ETAs: map[string]time.Duration{tc.units[0]: time.Second}})
			d := res.Events[0].Data.(*dispatch.AssistAccepted)
			wantBy := res.Events[0].Time.Add(tc.eta + 5*time.Minute) // URGENT: five minutes' margin
			if d.ETASeconds != int(tc.eta.Round(time.Second)/time.Second) || d.Deadline == nil || d.Deadline.Sub(wantBy).Abs() > time.Second {
				t.Errorf("assist.accepted = ETA %d s, deadline %v; want ETA %v, deadline %v", d.ETASeconds, d.Deadline, tc.eta, wantBy)
			}
		})
	}
}
