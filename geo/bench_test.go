package geo_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/bench/synthcity"
	"github.com/tenfour-cad/tenfour/geo"
)

// benchCity is the synthetic city of the benchmarks (synthcity.Map, 500,000
// address points), made once.
var benchCity = sync.OnceValues(func() (*geo.Map, error) {
	return geo.NewMap(synthcity.Map(synthcity.Points))
})

// reportP99 reports the median and the 99th percentile of ds in
// microseconds.
func reportP99(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	if len(ds) > 0 {
		b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-µs")
	}
}

func mustBenchCity(b *testing.B) *geo.Map {
	b.Helper()
	m, err := benchCity()
	if err != nil {
		b.Fatal(err)
	}
	if m.Addresses() != synthcity.Points {
		b.Fatalf("the bench city has %d address points, want %d", m.Addresses(), synthcity.Points)
	}
	return m
}

func BenchmarkGeocode(b *testing.B) {
	m := mustBenchCity(b)
	qs := synthcity.Queries(4000, 5)
	for _, q := range qs { // every query must resolve: failures are not what is measured
		if _, err := m.Geocode(q); err != nil {
			b.Fatalf("Geocode(%q) = %v", q, err)
		}
	}
	ds := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		_, _ = m.Geocode(qs[i%len(qs)])
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	reportP99(b, ds)
}

func BenchmarkReverse(b *testing.B) {
	m := mustBenchCity(b)
	lo, hi := m.Bounds()
	r := rand.New(rand.NewPCG(7, 8))
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		lat, lon := lo.Lat+r.Float64()*(hi.Lat-lo.Lat), lo.Lon+r.Float64()*(hi.Lon-lo.Lon)
		t0 := time.Now()
		m.Reverse(lat, lon)
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	reportP99(b, ds)
}

func BenchmarkZoneAt(b *testing.B) {
	m := mustBenchCity(b)
	lo, hi := m.Bounds()
	r := rand.New(rand.NewPCG(9, 10))
	b.ResetTimer()
	for b.Loop() {
		m.ZoneAt(lo.Lat+r.Float64()*(hi.Lat-lo.Lat), lo.Lon+r.Float64()*(hi.Lon-lo.Lon))
	}
}
