package sim_test

import (
	"sync"
	"testing"

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
