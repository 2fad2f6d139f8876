package geo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// randomPoint returns a point within about 15 km of the origin.
func randomPoint(r *rand.Rand) (lat, lon float64) {
	return Chicago.Origin.Lat + (r.Float64()-0.5)*0.27, Chicago.Origin.Lon + (r.Float64()-0.5)*0.36
}

// TestIndexNearest checks Nearest against Scan on random points, with
// moves, removals, duplicates (ties broken by id) and filters.
func TestIndexNearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ix := NewIndex()
	var ids []string
	for i := range 3000 {
		id := fmt.Sprintf("u%04d", i)
		ids = append(ids, id)
		lat, lon := randomPoint(r)
		if i%10 == 0 { // many at one position: ties broken by id
			lat, lon = Chicago.Origin.Lat, Chicago.Origin.Lon
		}
		ix.Update(id, lat, lon)
	}
	for i := range 500 {
		lat, lon := randomPoint(r)
		ix.Update(ids[r.IntN(len(ids))], lat, lon)
		if i%5 == 0 {
			ix.Remove(ids[r.IntN(len(ids))])
		}
	}
	filters := map[string]func(string) bool{
		"all":  nil,
		"even": func(id string) bool { return id[len(id)-1]%2 == 0 },
		"rare": func(id string) bool { return id[len(id)-2:] == "07" },
		"none": func(string) bool { return false },
	}
	for name, f := range filters {
		for q := range 400 {
			lat, lon := randomPoint(r)
			if q%7 == 0 {
				lat, lon = Chicago.Origin.Lat, Chicago.Origin.Lon // on the ties
			}
			if q%11 == 0 {
				lat, lon = Chicago.Origin.Lat+1, Chicago.Origin.Lon-1 // far outside
			}
			k := 1 + q%12
			got, want := ix.Nearest(lat, lon, k, f), ix.Scan(lat, lon, k, f)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: Nearest(%v, %v, %d) = %v, want %v (Scan)", name, lat, lon, k, got, want)
			}
			if name == "all" && len(got) != min(k, ix.Len()) {
				t.Fatalf("Nearest(%v, %v, %d) = %d points, want %d", lat, lon, k, len(got), min(k, ix.Len()))
			}
		}
	}
}

func TestIndexEmptyAndRemove(t *testing.T) {
	ix := NewIndex()
	if got := ix.Nearest(Chicago.Origin.Lat, Chicago.Origin.Lon, 3, nil); got != nil {
		t.Errorf("Nearest on an empty index = %v, want nil", got)
	}
	ix.Update("a", Chicago.Origin.Lat, Chicago.Origin.Lon)
	ix.Update("b", Chicago.Origin.Lat+0.01, Chicago.Origin.Lon)
	ix.Update("a", Chicago.Origin.Lat+0.02, Chicago.Origin.Lon) // moves to another cell
	ix.Remove("b")
	ix.Remove("zz")
	got := ix.Nearest(Chicago.Origin.Lat, Chicago.Origin.Lon, 3, nil)
	if len(got) != 1 || got[0].ID != "a" || got[0].Distance < 2200 || got[0].Distance > 2250 {
		t.Errorf("Nearest = %v, want only a, about 2224 m away", got)
	}
}

// benchIndex returns an index of 50,000 random points.
func benchIndex(b *testing.B) (*Index, []string) {
	b.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	ix := NewIndex()
	ids := make([]string, 50000)
	for i := range ids {
		ids[i] = fmt.Sprintf("unit-%05d", i)
		lat, lon := randomPoint(r)
		ix.Update(ids[i], lat, lon)
	}
	return ix, ids
}

// streamUpdates applies about 20,000 position updates a second to ix until
// stop is closed: the AVL load of issue 5's benchmark goal.
func streamUpdates(ix *Index, ids []string, stop <-chan struct{}, done chan<- int64) {
	r := rand.New(rand.NewPCG(5, 6))
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	var n int64
	for {
		select {
		case <-stop:
			done <- n
			return
		case <-tick.C:
		}
		// Catch up to the rate, whatever the ticks missed.
		for due := int64(time.Since(start).Seconds() * 20000); n < due; n++ {
			lat, lon := randomPoint(r)
			ix.Update(ids[r.IntN(len(ids))], lat, lon)
		}
	}
}

// benchNearest measures query under the update stream and reports its
// 50th and 99th percentile latencies and the update rate achieved.
func benchNearest(b *testing.B, query func(ix *Index, lat, lon float64, k int, f func(string) bool) []Neighbour) {
	ix, ids := benchIndex(b)
	stop, done := make(chan struct{}), make(chan int64)
	go streamUpdates(ix, ids, stop, done)
	r := rand.New(rand.NewPCG(7, 8))
	available := func(id string) bool { return id[len(id)-1] != '9' } // 90% available
	lat := make([]float64, 1024)
	lon := make([]float64, 1024)
	for i := range lat {
		lat[i], lon[i] = randomPoint(r)
	}
	lats := make([]time.Duration, 0, b.N)
	var sink atomic.Int64
	start := time.Now()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		got := query(ix, lat[i%1024], lon[i%1024], 5, available)
		lats = append(lats, time.Since(t0))
		sink.Add(int64(len(got)))
	}
	b.StopTimer()
	elapsed := time.Since(start)
	close(stop)
	updates := <-done
	slices.Sort(lats)
	pct := func(p float64) float64 { return float64(lats[int(p*float64(len(lats)-1))].Nanoseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(updates)/elapsed.Seconds(), "updates/s")
}

// BenchmarkNearest is the 5 nearest available units among 50,000 while
// 20,000 position updates a second stream in (issue 5; goal p99 < 20 µs).
func BenchmarkNearest(b *testing.B) {
	benchNearest(b, (*Index).Nearest)
}

// BenchmarkScan is the same query by brute force over the same data: the
// baseline for BenchmarkNearest.
func BenchmarkScan(b *testing.B) {
	benchNearest(b, (*Index).Scan)
}
