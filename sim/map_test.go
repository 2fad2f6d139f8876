package sim_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
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
