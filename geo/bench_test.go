package geo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchSide is the number of streets each way of the synthetic city:
// 200 × 200 streets 100 m apart, each split at every crossing (79,600
// features), with 500,000 address points along them.
const (
	benchSide    = 200
	benchSpacing = 100.0
	benchPoints  = 500_000
)

var benchNS = func() []string {
	pre := []string{"Ash", "Birch", "Cedar", "Dale", "Elm", "Fern", "Glen", "Hazel", "Iris", "Juniper",
		"Kent", "Linden", "Maple", "Nut", "Oak", "Pine", "Quince", "Rose", "Spruce", "Teak"}
	suf := []string{"wood", "field", "ridge", "brook", "view", "hill", "mont", "ford", "dale", "crest"}
	var out []string
	for _, p := range pre {
		for _, s := range suf {
			out = append(out, p+s+" Ave")
		}
	}
	return out
}()

func benchEW(i int) string { return strconv.Itoa(i+1) + ordinalSuffixLower(i+1) + " St" }

func ordinalSuffixLower(n int) string {
	return map[string]string{"ST": "st", "ND": "nd", "RD": "rd", "TH": "th"}[ordinalSuffix(n)]
}

// benchCity is the synthetic city of the benchmarks, made once.
var benchCity = sync.OnceValues(func() (*Map, error) {
	proj := NewProjection(Point{Lat: 48.2, Lon: 16.37}) // somewhere else again
	half := benchSide * benchSpacing / 2
	pt := func(x, y float64) Point {
		lat, lon := proj.LatLon(x-half, y-half)
		return Point{Lat: lat, Lon: lon}
	}
	var d MapData
	addPoint := func(street string, n int, x, y float64) {
		p := pt(x, y)
		d.Addresses = append(d.Addresses, Address{Lon: p.Lon, Lat: p.Lat, Number: strconv.Itoa(n), Street: street})
	}
	for i := range benchSide {
		c := float64(i) * benchSpacing
		for j := range benchSide - 1 {
			a, b := float64(j)*benchSpacing, float64(j+1)*benchSpacing
			r := Range{From: 100*j + 1, To: 100*j + 99}
			l := Range{From: 100 * j, To: 100*j + 98}
			// East-west: x along, numbered west to east; north-south:
			// numbered south to north.
			d.Streets = append(d.Streets,
				Street{Name: benchEW(i), Lines: [][]Point{{pt(a, c), pt(b, c)}}, Left: r, Right: l},
				Street{Name: benchNS[i], Lines: [][]Point{{pt(c, a), pt(c, b)}}, Left: r, Right: l})
		}
	}
	// Address points: even numbers on the right side of every block, up to
	// benchPoints; the odd ones are left to interpolation.
	for k := 0; len(d.Addresses) < benchPoints; k++ {
		for i := range benchSide {
			for j := range benchSide - 1 {
				if len(d.Addresses) >= benchPoints {
					break
				}
				n := 100*j + 2 + 12*k
				x := float64(j)*benchSpacing + float64(n-100*j)
				c := float64(i) * benchSpacing
				addPoint(benchEW(i), n, x, c-10)
				addPoint(benchNS[i], n, c+10, x)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		d.Places = append(d.Places, Place{Name: fmt.Sprintf("Place %d", i), Aliases: []string{fmt.Sprintf("Landmark %d", i)},
			At: pt(r.Float64()*benchSide*benchSpacing, r.Float64()*benchSide*benchSpacing)})
	}
	const zs = 20
	side := benchSide * benchSpacing / zs
	for i := range zs {
		for j := range zs {
			x0, y0 := float64(i)*side-50, float64(j)*side-50
			ring := []Point{pt(x0, y0), pt(x0+side, y0), pt(x0+side, y0+side), pt(x0, y0+side), pt(x0, y0)}
			d.Zones = append(d.Zones, Zone{District: strconv.Itoa(i / 5), Beat: fmt.Sprintf("%d-%d", i, j), Area: [][][]Point{{ring}}})
		}
	}
	return NewMap(d)
})

// benchQueries returns a mix of queries: 40% address points, 30%
// interpolated numbers, 20% intersections, 10% places.
func benchQueries() []string {
	r := rand.New(rand.NewPCG(5, 6))
	var qs []string
	for range 4000 {
		i, j := r.IntN(benchSide), r.IntN(benchSide-1)
		street := benchEW(i)
		if r.IntN(2) == 0 {
			street = benchNS[i]
		}
		switch p := r.IntN(10); {
		case p < 4:
			qs = append(qs, fmt.Sprintf("%d %s", 100*j+2+12*r.IntN(3), street))
		case p < 7:
			qs = append(qs, fmt.Sprintf("%d %s", 100*j+1+2*r.IntN(49), street))
		case p < 9:
			qs = append(qs, benchEW(r.IntN(benchSide))+" & "+benchNS[r.IntN(benchSide)])
		default:
			qs = append(qs, fmt.Sprintf("landmark %d", r.IntN(2000)))
		}
	}
	return qs
}

// reportP99 reports the median and the 99th percentile of ds in
// microseconds.
func reportP99(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	if len(ds) > 0 {
		b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-µs")
	}
}

func mustBenchCity(b *testing.B) *Map {
	b.Helper()
	m, err := benchCity()
	if err != nil {
		b.Fatal(err)
	}
	if m.Addresses() != benchPoints {
		b.Fatalf("the bench city has %d address points, want %d", m.Addresses(), benchPoints)
	}
	return m
}

func BenchmarkGeocode(b *testing.B) {
	m := mustBenchCity(b)
	qs := benchQueries()
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
