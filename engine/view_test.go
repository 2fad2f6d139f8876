package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// historyStore is a store that keeps the engine's history too.
type historyStore interface {
	ledger.Store
	engine.History
}

// gatedStore holds every Append until the test lets it through, or fails it.
type gatedStore struct {
	historyStore
	arrived chan struct{}
	release chan error
}

func (g *gatedStore) Append(ctx context.Context, b store.Batch) error {
	g.arrived <- struct{}{}
	if err := <-g.release; err != nil {
		return err
	}
	return g.historyStore.Append(ctx, b)
}

func hasUnit(e *engine.Engine, id string) (ok bool) {
	e.Read(func(s *dispatch.State) { _, ok = s.Units[id] })
	return ok
}

// Readers see only durable events: a unit whose event is still on its way to
// disk is not shown, nor is one whose commit failed until a retry lands it,
// and a command is answered only after its event is visible.
func TestViewShowsOnlyDurableEvents(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	g := &gatedStore{historyStore: db, arrived: make(chan struct{}), release: make(chan error)}
	sys := dispatch.Actor{System: "test"}
	e := MustOpenEngineAsync(t, g, sys)
	done := make(chan error, 1)
	go func() {
		_, err := e.Execute(context.Background(), sys, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
		done <- err
	}()
	<-g.arrived // the unit's event is sequenced, and its commit has started
	if hasUnit(e, "metro.1a12") {
		t.Fatal("Read shows unit metro.1a12 before its event is on disk")
	}
	g.release <- nil
	if err := <-done; err != nil {
		t.Fatalf("Execute(CreateUnit) = %v", err)
	}
	if !hasUnit(e, "metro.1a12") {
		t.Fatal("Read does not show unit metro.1a12 after Execute returned")
	}

	go func() {
		_, err := e.Execute(context.Background(), sys, dispatch.CreateUnit{CallSign: "1A13", Agency: "metro", Kind: "patrol"})
		done <- err
	}()
	<-g.arrived
	g.release <- errors.New("disk on fire")
	<-g.arrived // the failed commit is kept and tried again
	if hasUnit(e, "metro.1a13") {
		t.Error("Read shows unit metro.1a13 whose commit failed")
	}
	var u *ledger.UnavailableError
	if _, err := e.Execute(context.Background(), sys, dispatch.CreateUnit{CallSign: "1A14", Agency: "metro", Kind: "patrol"}); !errors.As(err, &u) {
		t.Errorf("Execute while a commit is being retried = %v, want an UnavailableError", err)
	}
	g.release <- nil
	if err := <-done; err != nil {
		t.Fatalf("Execute(CreateUnit) once its commit landed on a retry = %v", err)
	}
	if !hasUnit(e, "metro.1a13") {
		t.Error("Read does not show unit metro.1a13 after its retried commit landed")
	}
}

// MustOpenEngineAsync opens an engine on a gated store, letting through the
// appends of opening it and of creating agency metro.
func MustOpenEngineAsync(t *testing.T, g *gatedStore, sys dispatch.Actor) *engine.Engine {
	t.Helper()
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
	e := MustOpenEngine(t, g, MustKey(t), NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), time.Second).Now)
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	close(stop)
	return e
}
