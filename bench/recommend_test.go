package bench

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkRecommend is a recommendation — the k = 5 nearest eligible units
// among 50,000 by straight line from the AVL index, ranked — while 20,000
// position updates a second stream in, today's way (the grid, over 20
// candidates), the grid over recommend.PoolSize(5) candidates, and by
// drive time over a 15 km city's streets over as many, taking turns query
// by query in one run (RecommendCity.Ways). Goal: drive time p99 under 1 ms. It also reports how drive metres
// compare with grid metres over random pairs.
func BenchmarkRecommend(b *testing.B) {
	c := NewRecommendCity(RecommendOptions{})
	mean, p90, sameMean, sameP90 := c.Ratios(1000)
	ways := c.Ways(5)
	lats := make([][]time.Duration, len(ways))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int64)
	go func() { done <- c.StreamUpdates(ctx, 20000) }()
	r := rand.New(rand.NewPCG(7, 8))
	start := time.Now()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := c.Point(r)
		for j := range ways {
			w := (i + j) % len(ways) // take turns to go first
			t0 := time.Now()
			got, err := c.Recommend(p, 5, ways[w].Pool, ways[w].Metric)
			lats[w] = append(lats[w], time.Since(t0))
			if err != nil || len(got) != 5 {
				b.Fatalf("Recommend(%s) = %d units, %v; want 5", ways[w].Name, len(got), err)
			}
		}
	}
	b.StopTimer()
	elapsed := time.Since(start)
	stop()
	updates := <-done
	for i, w := range ways {
		p50, p99 := Percentiles(lats[i])
		b.ReportMetric(float64(p50.Nanoseconds())/1000, w.Name+"-p50-µs")
		b.ReportMetric(float64(p99.Nanoseconds())/1000, w.Name+"-p99-µs")
	}
	b.ReportMetric(float64(updates)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(mean, "drive/grid-mean")
	b.ReportMetric(p90, "drive/grid-p90")
	b.ReportMetric(sameMean, "drive/grid-samebank-mean")
	b.ReportMetric(sameP90, "drive/grid-samebank-p90")
	b.ReportMetric(float64(c.Graph.Edges()), "edges")
}
