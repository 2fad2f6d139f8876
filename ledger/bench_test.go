package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/bench"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// benchRecord is the event the benchmarks append: a status change of about
// 300 bytes as a leaf, with no private fields so that BenchmarkFloor can
// store the very same bytes.
func benchRecord(i int) ledger.Record {
	r := record(i)
	r.Private = nil
	return r
}

// benchEntry returns the leaf bytes the log makes of benchRecord(i) at seq i,
// built without a log (TestBenchEntry checks they are the same).
func benchEntry(i int) []byte {
	r := benchRecord(i)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(ledger.Entry{Seq: int64(i), Time: r.Time.UTC().Format(ledger.TimeFormat), Type: r.Type, Agency: r.Agency, Actor: r.Actor, Subject: r.Subject, Data: r.Data})
	if err != nil {
		panic(err) // a constant record of this file
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// TestBenchEntry checks that BenchmarkFloor stores what BenchmarkAppend
// appends, so that the two measure the same bytes.
func TestBenchEntry(t *testing.T) {
	l := mustOpenLog(t, mustOpenStore(t, dbPath(t)), mustKey(t, "example.test/bench"))
	for i := range 3 {
		p := mustAppend(t, l, benchRecord(i))
		if want := benchEntry(i); !bytes.Equal(p.Entries[0], want) {
			t.Fatalf("Append(benchRecord(%d)) = %s, want benchEntry(%d) = %s", i, p.Entries[0], i, want)
		}
		if n := len(p.Entries[0]); n < 250 || n > 400 {
			t.Fatalf("benchmark entry is %d bytes, want about 300", n)
		}
	}
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

// driveWriters runs b.N ops, numbered 0 to b.N-1, from writers concurrent
// goroutines, each op waiting for its own acknowledgement, and reports the
// throughput and acknowledgement latencies. The timer runs only around them.
func driveWriters(b *testing.B, writers int, op func(i int) error) {
	b.Helper()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if err := op(int(i)); err != nil {
					b.Errorf("Append = %v", err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatency(b, b.N, elapsed, lat)
}

// BenchmarkAppend measures durable appends of single events from concurrent
// writers, each waiting for its event to be on disk (group commit lets one
// fsync acknowledge many). One op is one event.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			l := mustOpenLog(b, mustOpenStore(b, dbPath(b)), mustKey(b, "example.test/bench"))
			recs := make([]ledger.Record, b.N)
			for i := range recs {
				recs[i] = benchRecord(i)
			}
			driveWriters(b, writers, func(i int) error {
				_, err := l.Append(recs[i : i+1])
				return err
			})
			if l.Size() != int64(b.N) {
				b.Fatalf("Size() = %d after %d appends", l.Size(), b.N)
			}
		})
	}
}

// BenchmarkFloor is BenchmarkAppend's baseline, writer for writer: the same
// leaf bytes group-committed by the same number of concurrent writers into the
// same SQLite schema with the same fsync per commit (bench.Floor), with no
// encoding, no Merkle tree, no commitments and no checkpoints. One op is one
// event.
func BenchmarkFloor(b *testing.B) {
	for _, writers := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			f := bench.NewFloor(mustOpenStore(b, dbPath(b)))
			defer f.Close()
			entries := make([][]byte, b.N)
			for i := range entries {
				entries[i] = benchEntry(i)
			}
			driveWriters(b, writers, func(i int) error { return f.Append(entries[i]) })
		})
	}
}

// BenchmarkFloorBatch is the ideal the floor approaches: the same bytes in
// transactions of exactly batch events from one goroutine, with no waiting
// writers to wake. One op is one event; its latency is that of its commit.
func BenchmarkFloorBatch(b *testing.B) {
	ctx := context.Background()
	for _, batch := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			st := mustOpenStore(b, dbPath(b))
			leaves := make([]store.Leaf, b.N)
			for i := range leaves {
				// No tree: a zero-length hashes value (the column is NOT NULL).
				leaves[i] = store.Leaf{Seq: int64(i), Entry: benchEntry(i), Hashes: []byte{}}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for lo := 0; lo < b.N; lo += batch {
				hi := min(lo+batch, b.N)
				t0 := time.Now()
				if err := st.Append(ctx, store.Batch{Leaves: leaves[lo:hi]}); err != nil {
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
