package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// A stalledStore is a real store whose appends and lease requests wait while
// it is paused: a node stopped (SIGSTOP) in the middle of a commit.
type stalledStore struct {
	historyStore
	mu      sync.Mutex
	paused  chan struct{}
	waiting atomic.Int32
}

func (s *stalledStore) wait(count bool) {
	s.mu.Lock()
	p := s.paused
	s.mu.Unlock()
	if p == nil {
		return
	}
	if count {
		s.waiting.Add(1)
	}
	<-p
}

func (s *stalledStore) Append(ctx context.Context, b store.Batch) error {
	s.wait(true)
	return s.historyStore.Append(ctx, b)
}

func (s *stalledStore) AcquireLease(ctx context.Context, node, url string, ttl time.Duration) (store.Lease, error) {
	s.wait(false)
	return s.historyStore.AcquireLease(ctx, node, url, ttl)
}

func (s *stalledStore) pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = make(chan struct{})
}

func (s *stalledStore) resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.paused)
	s.paused = nil
}

// openNode opens an engine for node on st, with a short lease and no timers
// (their events would make the states race the test).
func openNode(tb testing.TB, st ledger.Store, key *ledger.Key, node string, clock *Clock) *engine.Engine {
	tb.Helper()
	e, err := engine.Open(context.Background(), engine.Config{
		Store: st, Key: key, Clock: clock.Now, Node: node, URL: "http://" + node,
		LeaseTTL: 300 * time.Millisecond, TimerInterval: -1, SampleInterval: -1, CheckpointInterval: time.Hour,
	})
	if err != nil {
		tb.Fatalf("engine.Open(%s) = %v", node, err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// poll waits until cond holds; only a hang takes a minute.
func poll(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// A node that decided a command, then stalled while another node took the
// log over, voids the command's event: its live state is reset to the
// durable view and then follows the other node's events, so that it equals a
// state rebuilt from the store — without the void event.
func TestResetAfterLosingTheLog(t *testing.T) {
	ctx := context.Background()
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	key := MustKey(t)
	st := &stalledStore{historyStore: db}
	clock := NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), time.Second)
	sys := dispatch.Actor{System: "test"}
	a := openNode(t, st, key, "a", clock)
	MustExecute(t, a, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	MustExecute(t, a, sys, dispatch.CreateUnit{CallSign: "1A10", Agency: "metro", Kind: "patrol"})

	st.pause()
	voided := make(chan error, 1)
	go func() {
		_, err := a.Execute(ctx, sys, dispatch.CreateUnit{CallSign: "VOID", Agency: "metro", Kind: "patrol"})
		voided <- err
	}()
	poll(t, "a's commit to stall", func() bool { return st.waiting.Load() > 0 })
	var inLive bool
	a.Live(func(s *dispatch.State) { _, inLive = s.Units["metro.void"] })
	if !inLive {
		t.Fatal("the stalled command's unit is not in a's live state; the test would prove nothing")
	}
	poll(t, "a's lease to lapse", func() bool {
		l, err := db.CurrentLease(ctx)
		return err == nil && time.Now().After(l.Expires.Add(50*time.Millisecond))
	})
	b := openNode(t, db, key, "b", clock)
	if !b.Log().IsSequencer() {
		t.Fatal("b did not take the lapsed lease")
	}
	MustExecute(t, b, sys, dispatch.CreateUnit{CallSign: "2B20", Agency: "metro", Kind: "patrol"})
	st.resume()

	if err := <-voided; !errors.Is(err, store.ErrFenced) {
		t.Fatalf("a.Execute(CreateUnit VOID) across the takeover = %v, want ErrFenced", err)
	}
	head, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	poll(t, "a to read b's events", func() bool { return a.Log().Size() == head })
	if a.Log().IsSequencer() || a.Log().Err() != nil {
		t.Fatalf("a: IsSequencer() = %v, Err() = %v, want a follower", a.Log().IsSequencer(), a.Log().Err())
	}

	rebuilt := rebuild(t, db, key)
	var live *dispatch.State
	a.Live(func(s *dispatch.State) { live = s.Clone() })
	normalise(live)
	if !reflect.DeepEqual(live, rebuilt) {
		t.Errorf("a's live state after the reset differs from the state rebuilt from the store:\n%s", diffState(live, rebuilt))
	}
	if _, ok := live.Units["metro.void"]; ok {
		t.Error("a's live state still holds the void unit")
	}
	var view *dispatch.State
	a.Read(func(s *dispatch.State) { view = s.Clone() })
	normalise(view)
	if !reflect.DeepEqual(view, rebuilt) {
		t.Errorf("a's view differs from the state rebuilt from the store:\n%s", diffState(view, rebuilt))
	}
}

// rebuild returns the state rebuilt from every event in db, as a node
// opening it would.
func rebuild(tb testing.TB, db *sqlite.DB, key *ledger.Key) *dispatch.State {
	tb.Helper()
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: key, Node: "rebuild", TimerInterval: -1, SampleInterval: -1, CheckpointInterval: time.Hour, LeaseTTL: time.Minute})
	if err != nil {
		tb.Fatalf("engine.Open to rebuild = %v", err)
	}
	defer e.Close()
	var s *dispatch.State
	e.Read(func(st *dispatch.State) { s = st.Clone() })
	normalise(s)
	return s
}

// A command whose commit the store does not answer waits no longer than its
// context's durable wait: it is answered that it may still be recorded, and
// its event lands, once, when the store answers.
func TestDurableWaitBounded(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	g := &gatedStore{historyStore: db, arrived: make(chan struct{}), release: make(chan error)}
	sys := dispatch.Actor{System: "test"}
	e := MustOpenEngineAsync(t, g, sys)
	done := make(chan error, 1)
	go func() {
		ctx := engine.WithDurableWait(context.Background(), 50*time.Millisecond)
		_, err := e.Execute(ctx, sys, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
		done <- err
	}()
	<-g.arrived // the commit has started, and the store holds it
	var u *ledger.UnavailableError
	if err := <-done; !errors.As(err, &u) || !u.Unknown {
		t.Fatalf("Execute with its commit held past its durable wait = %v, want an UnavailableError that may still be recorded", err)
	}
	g.release <- nil
	poll(t, "the held commit to land", func() bool { return hasUnit(e, "metro.1a12") })
	size, err := db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(MustSeqs(t, e, "unit", "metro.1a12")); got != 1 || e.Log().Size() != size {
		t.Errorf("unit metro.1a12 has %d events (log size %d, stored %d), want 1 and the same size", got, e.Log().Size(), size)
	}
}
