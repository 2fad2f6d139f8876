package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
	"github.com/tenfour-cad/tenfour/store/storetest"
)

// benchEntry returns about 300 bytes of leaf i, the size of a status change.
func benchEntry(i int) []byte {
	e := fmt.Appendf(nil, `{"seq":%d,"type":"unit.status","agency":"north","actor":"dispatcher-7","subject":"unit/M12","data":{"status":"on_scene","incident":"2025-000123","note":"`, i)
	return append(append(e, strings.Repeat("x", 300-len(e)-3)...), `"}}`...)
}

// reportLatency reports the throughput and the median and 99th percentile of
// the acknowledgement latencies of n events appended in elapsed.
func reportLatency(b *testing.B, n int, elapsed time.Duration, lat []time.Duration) {
	b.Helper()
	slices.Sort(lat)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-ack-us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-ack-us")
}

// BenchmarkAppendBatch is the PostgreSQL store's floor: ~300-byte leaves
// appended in transactions of exactly batch leaves from one goroutine, each
// acknowledged when its commit is flushed. One op is one event. Its baseline,
// commit=SetMeta, is the cheapest durable transaction, one row upserted: what
// a commit costs before the log's work.
func BenchmarkAppendBatch(b *testing.B) {
	ctx := context.Background()
	b.Run("commit=SetMeta", func(b *testing.B) {
		db := mustOpen(b, pgtest.MustNewDatabase(b))
		lat := make([]time.Duration, 0, b.N)
		start := time.Now()
		for i := range b.N {
			t0 := time.Now()
			if err := db.SetMeta(ctx, "bench", fmt.Sprint(i)); err != nil {
				b.Fatalf("SetMeta = %v", err)
			}
			lat = append(lat, time.Since(t0))
		}
		reportLatency(b, b.N, time.Since(start), lat)
	})
	for _, batch := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := mustOpen(b, pgtest.MustNewDatabase(b))
			leaves := make([]store.Leaf, b.N)
			for i := range leaves {
				leaves[i] = store.Leaf{Seq: int64(i), Entry: benchEntry(i), Hashes: storetest.Hashes(int64(i))}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for lo := 0; lo < b.N; lo += batch {
				hi := min(lo+batch, b.N)
				t0 := time.Now()
				if err := db.Append(ctx, store.Batch{Leaves: leaves[lo:hi]}); err != nil {
					b.Fatalf("Append(%d-%d) = %v", lo, hi-1, err)
				}
				d := time.Since(t0)
				for range hi - lo {
					lat = append(lat, d)
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			reportLatency(b, b.N, elapsed, lat)
		})
	}
}
