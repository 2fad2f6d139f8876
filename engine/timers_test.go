package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// The sequencer checks the timers by itself: an urgent incident left pending
// past its agency's limit raises one alert, in the log.
func TestTimerLoop(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: MustKey(t), Clock: clock, TimerInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sys := dispatch.Actor{System: "test"}
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	in := MustExecute(t, e, sys, dispatch.CreateIncident{Agency: "metro", Type: "SHOOTING", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	alerted := func() (n int) {
		for _, q := range MustSeqs(t, e, "incident", in) {
			es, _ := e.Log().Entries(context.Background(), q, q+1)
			if len(es) == 1 && containsType(es[0], dispatch.TypeIncidentPending) {
				n++
			}
		}
		return n
	}
	time.Sleep(50 * time.Millisecond)
	if n := alerted(); n != 0 {
		t.Fatalf("%d alerts before the limit, want none", n)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for alerted() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no alert.incident_pending 5 s after the limit passed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := alerted(); n != 1 {
		t.Errorf("%d alerts for one incident, want exactly one", n)
	}
}

func containsType(entry []byte, typ string) bool {
	return strings.Contains(string(entry), `"type":"`+typ+`"`)
}
