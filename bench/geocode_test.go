package bench

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// BenchmarkGeocode is geocoding and reverse geocoding by today's grid
// gazetteer and by the map's geocoder on the demo city's map, on one query
// mix, and by the map's geocoder on a synthetic map of 500,000 address
// points, taking turns query by query in one run (GeocodeCities.Ways), as
// tenfour bench geocode does. Goal: the synthetic map's geocoding p99 under
// 200 µs.
func BenchmarkGeocode(b *testing.B) {
	c, err := NewGeocodeCities(GeocodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	lats := make([][]time.Duration, len(c.Ways))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := c.Round(i, lats); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for i, w := range c.Ways {
		l := LatencyOf(lats[i])
		name := strings.ReplaceAll(w.Name, " ", "-")
		b.ReportMetric(float64(l.P50.Nanoseconds())/1e3, name+"-p50-µs")
		b.ReportMetric(float64(l.P99.Nanoseconds())/1e3, name+"-p99-µs")
		b.ReportMetric(float64(l.P999.Nanoseconds())/1e3, name+"-p99.9-µs")
	}
	b.ReportMetric(float64(c.Agree)/float64(c.Compared), "demo-agrees-with-today")
}

// TestGeocodeCities checks that every query of both mixes resolves on its
// sides, that the demo map answers today's questions where today's
// gazetteer does, and that every way answers.
func TestGeocodeCities(t *testing.T) {
	c, err := NewGeocodeCities(GeocodeOptions{Points: 20000, Queries: 500, Seed: 3})
	if err != nil {
		t.Fatalf("NewGeocodeCities: %v", err)
	}
	if c.Compared != 500 || c.Agree != c.Compared {
		t.Errorf("the demo map agrees with today's gazetteer on %d of %d queries, want 500 of 500", c.Agree, c.Compared)
	}
	if got := c.Sides[2].Addresses; got != 20000 {
		t.Errorf("the synthetic map has %d address points, want 20000", got)
	}
	for _, w := range c.Ways {
		for i := range 50 {
			if err := w.Query(i); err != nil {
				t.Errorf("%s, query %d: %v", w.Name, i, err)
			}
		}
	}
}

// TestGazetteerQueriesMix checks the mix's proportions and that a seed
// gives the same mix every time.
func TestGazetteerQueriesMix(t *testing.T) {
	g := gridcity.Chicago()
	qs := GazetteerQueries(g, 2000, 7)
	if again := GazetteerQueries(g, 2000, 7); !slices.Equal(qs, again) {
		t.Errorf("GazetteerQueries(seed 7) differs between two calls")
	}
	if other := GazetteerQueries(g, 2000, 8); slices.Equal(qs, other) {
		t.Errorf("GazetteerQueries(seed 8) = GazetteerQueries(seed 7)")
	}
	var addresses, crossings, places int
	for _, q := range qs {
		switch {
		case strings.Contains(q, " & "):
			crossings++
		case q[0] >= '0' && q[0] <= '9':
			addresses++
		default:
			places++
		}
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{{"addresses", addresses, 1400}, {"intersections", crossings, 400}, {"places", places, 200}} {
		if c.got < c.want*8/10 || c.got > c.want*12/10 {
			t.Errorf("GazetteerQueries(2000) has %d %s, want about %d", c.got, c.what, c.want)
		}
	}
}

func TestLatencyOf(t *testing.T) {
	ds := make([]time.Duration, 1000)
	for i := range ds {
		ds[len(ds)-1-i] = time.Duration(i+1) * time.Microsecond // 1000 µs … 1 µs
	}
	got := LatencyOf(ds)
	want := Latency{Count: 1000, P50: 500 * time.Microsecond, P99: 990 * time.Microsecond, P999: 999 * time.Microsecond, Mean: 500500 * time.Nanosecond}
	if got != want {
		t.Errorf("LatencyOf(1…1000 µs) = %+v, want %+v", got, want)
	}
	if got := LatencyOf(nil); got != (Latency{}) {
		t.Errorf("LatencyOf(nil) = %+v, want the zero Latency", got)
	}
}
