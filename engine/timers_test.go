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

// The timer loop archives by itself too: an incident closed longer than
// the retention leaves memory and is read from the archive, while an
// urgent one left pending raises its alert in the same loop; each change
// is read only once it is durable (Submit, then Wait).
func TestTimerLoopArchives(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: MustKey(t), Clock: clock,
		TimerInterval: 5 * time.Millisecond, ArchiveInterval: 5 * time.Millisecond, Retention: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sys := dispatch.Actor{System: "test"}
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	old := MustExecute(t, e, sys, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	MustExecute(t, e, sys, dispatch.ClearIncident{Incident: old, Disposition: "report taken"})
	urgent := MustExecute(t, e, sys, dispatch.CreateIncident{Agency: "metro", Type: "SHOOTING", Location: dispatch.Location{Text: "2 Main St"}}).Events[0].Subject["incident"]
	if _, err := e.Incident(sys, old); err != nil {
		t.Fatalf("Incident(%s) before the retention passed: %v, want it in memory", old, err)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, inMemory := e.Incident(sys, old)
		seqs := MustSeqs(t, e, "incident", urgent)
		es, _ := e.Log().Entries(context.Background(), seqs[len(seqs)-1], seqs[len(seqs)-1]+1)
		if dispatch.ErrorCode(inMemory) == dispatch.ENOTFOUND && len(es) == 1 && containsType(es[0], dispatch.TypeIncidentPending) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the retention passed: Incident(%s) = %v, want not found; last event of %s %q, want its alert", old, inMemory, urgent, es)
		}
		time.Sleep(5 * time.Millisecond)
	}
	in, err := e.LookupIncident(context.Background(), sys, old)
	if err != nil || in.ID != old || in.Disposition != "report taken" {
		t.Errorf("LookupIncident(%s) = %+v, %v; want it from the archive, report taken", old, in, err)
	}
}

// Submit queues a command's events and returns before they are durable;
// Wait returns once the log holds them, and the view shows them then.
func TestSubmit(t *testing.T) {
	e := MustOpenEngine(t, MustOpenStore(t, filepath.Join(t.TempDir(), "t.db")), MustKey(t), nil)
	sys := dispatch.Actor{System: "test"}
	s, err := e.Submit(context.Background(), sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Events) != 1 || s.Events[0].Type != dispatch.TypeAgencyCreated {
		t.Fatalf("Submit(CreateAgency) = %+v, want agency.created", s.Events)
	}
	if err := s.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if size := e.Log().Size(); size < s.First+1 {
		t.Errorf("after Wait the log holds %d events, want at least %d", size, s.First+1)
	}
	if _, err := e.Agency(sys, "metro"); err != nil {
		t.Errorf("Agency(metro) after Wait: %v", err)
	}
	if _, err := e.Submit(context.Background(), sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"}); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Errorf("Submit(CreateAgency) again = %v, want a conflict", err)
	}
}

// The timer loop does not wait for the disk: while one check's alert is on
// its way to a store that does not answer, the next check is decided on
// time, on the live state that holds the first; each alert is raised once.
func TestTimerLoopDoesNotWaitForTheDisk(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	g := &gatedStore{historyStore: db, arrived: make(chan struct{}), release: make(chan error)}
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setClock := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	pass := make(chan struct{})
	passed := make(chan struct{})
	go func() { // the appends of the setup go through
		defer close(passed)
		for {
			select {
			case <-g.arrived:
				g.release <- nil
			case <-pass:
				return
			}
		}
	}()
	// No archiving: a tick that archives waits for its batch (tick).
	e, err := engine.Open(context.Background(), engine.Config{Store: g, Key: MustKey(t), Clock: clock, TimerInterval: 5 * time.Millisecond, ArchiveInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	sys := dispatch.Actor{System: "test"}
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	first := MustExecute(t, e, sys, dispatch.CreateIncident{Agency: "metro", Type: "SHOOTING", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	setClock(30 * time.Second)
	second := MustExecute(t, e, sys, dispatch.CreateIncident{Agency: "metro", Type: "SHOOTING", Location: dispatch.Location{Text: "2 Main St"}}).Events[0].Subject["incident"]
	close(pass)
	<-passed

	// The first incident's alert is decided and held on its way to disk.
	setClock(31 * time.Second)
	select {
	case <-g.arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the first alert was not sent to the store within 30 s of its limit")
	}
	// The second's limit passes while the first is held: it is decided
	// all the same.
	setClock(30 * time.Second)
	alerted := func(id string) (ok bool) {
		e.Live(func(s *dispatch.State) { ok = s.Incidents[id].PendingAlerted })
		return ok
	}
	deadline := time.Now().Add(30 * time.Second)
	for !alerted(second) {
		if time.Now().After(deadline) {
			t.Fatal("the second incident's alert was not decided while the first's commit was held: the timer loop waits for the disk")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !alerted(first) {
		t.Error("the first incident's alert is not in the live state")
	}
	// Let everything through: each alert is in the log once.
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-g.arrived:
				g.release <- nil
			case <-stop:
				return
			}
		}
	}()
	g.release <- nil
	defer func() { e.Close(); close(stop) }()
	for _, id := range []string{first, second} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			n := 0
			for _, q := range MustSeqs(t, e, "incident", id) {
				es, _ := e.Log().Entries(context.Background(), q, q+1)
				if len(es) == 1 && containsType(es[0], dispatch.TypeIncidentPending) {
					n++
				}
			}
			if n == 1 {
				break
			}
			if n > 1 || time.Now().After(deadline) {
				t.Fatalf("%d alert.incident_pending in the log for %s, want 1", n, id)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
