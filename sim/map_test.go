package sim_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/sim"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

var demoMap = sync.OnceValues(gridcity.DemoMap)

// mustDemoMap returns the demo city's map, built once for the package's
// tests: it never changes.
func mustDemoMap(tb testing.TB) *geo.Map {
	tb.Helper()
	m, err := demoMap()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// runUntil runs the city (run) until done says enough has happened, or
// fails the test after a minute: a loaded machine makes fewer calls in a
// given time, and the test waits for what it needs rather than a fixed
// time.
func runUntil(tb testing.TB, run func(ctx context.Context) error, done func() bool) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- run(ctx) }()
	deadline := time.Now().Add(time.Minute)
	for !done() {
		select {
		case err := <-errc:
			tb.Fatalf("Run stopped early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			<-errc
			tb.Fatal("the city did not get there within a minute")
		}
	}
	cancel()
	if err := <-errc; err != nil {
		tb.Fatalf("Run = %v", err)
	}
}

// mustOpenEngine opens an engine as cfg says on a fresh store and signing
// key, closed when the test ends, and returns it with the simulator's way
// to run a command through it and to ask whether an agency exists.
func mustOpenEngine(tb testing.TB, cfg engine.Config) (*engine.Engine, sim.Executor, func(string) bool) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	skey, err := ledger.GenerateKey("sim.test/log")
	if err != nil {
		tb.Fatal(err)
	}
	if cfg.Key, err = ledger.ParseKey(skey); err != nil {
		tb.Fatal(err)
	}
	cfg.Store = db
	e, err := engine.Open(ctx, cfg)
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		e.Close()
		db.Close()
	})
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := e.Execute(ctx, a, c)
		return err
	}
	has := func(id string) (ok bool) {
		e.Read(func(s *dispatch.State) { _, ok = s.Agencies[id] })
		return ok
	}
	return e, exec, has
}
