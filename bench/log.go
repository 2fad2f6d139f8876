// Package bench measures tenfour as a whole, always beside a floor measured
// in the same run on the same machine: the figure alone says little, the
// ratio to the floor says what tenfour's own work costs.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// A Result is one measured configuration.
type Result struct {
	Store   string // sqlite or postgres
	Name    string
	Writers int
	Events  int64
	Elapsed time.Duration
	P50     time.Duration
	P99     time.Duration
}

// PerSecond returns the throughput.
func (r Result) PerSecond() float64 { return float64(r.Events) / r.Elapsed.Seconds() }

// sampleRecord is a realistic event: a unit's status change, the commonest
// event of a dispatch centre, about 300 bytes as a leaf.
func sampleRecord(i int) ledger.Record {
	data, _ := json.Marshal(map[string]any{
		"status": "EN_ROUTE", "previous": "DISPATCHED", "incident": fmt.Sprintf("metro-2026-%06d", i%100000),
		"position": map[string]float64{"lat": 41.8236, "lon": -87.7052},
	})
	return ledger.Record{
		Time: time.Date(2026, 11, 25, 12, 0, 0, i, time.UTC), Type: "unit.status_changed", Agency: "metro",
		Actor:   ledger.Actor{User: "dispatcher7", Agency: "metro", Role: "dispatcher"},
		Subject: map[string]string{"unit": fmt.Sprintf("metro-1a%02d", i%90+10), "incident": fmt.Sprintf("metro-2026-%06d", i%100000)},
		Data:    data,
	}
}

// floorDistinct is how many distinct events a run cycles through.
const floorDistinct = 1 << 12

// LogOptions configure AppendLog.
type LogOptions struct {
	Dir      string        // where the SQLite databases go; "" is a temporary directory
	Writers  []int         // concurrent writers to measure; default 1, 16, 64
	Duration time.Duration // per configuration; default 3 s
	Out      io.Writer     // progress lines; may be nil
	// Postgres, if set, makes a fresh, empty PostgreSQL database and returns
	// its URL; every configuration is then measured on PostgreSQL as well.
	Postgres func(ctx context.Context) (string, error)
}

// AppendLog measures durable append throughput and acknowledgement latency of
// the ledger at each number of writers, and of the floor: the same leaf bytes
// group-committed by the same number of writers into the same SQLite schema
// with the same durability, with no Merkle tree, no encoding and no checkpoints.
func AppendLog(ctx context.Context, opt LogOptions) ([]Result, error) {
	if len(opt.Writers) == 0 {
		opt.Writers = []int{1, 16, 64}
	}
	if opt.Duration <= 0 {
		opt.Duration = 3 * time.Second
	}
	if opt.Dir == "" {
		d, err := os.MkdirTemp("", "tenfour-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		opt.Dir = d
	}
	skey, err := ledger.GenerateKey("bench.tenfour/log")
	if err != nil {
		return nil, err
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		return nil, err
	}
	stores := []string{"sqlite"}
	if opt.Postgres != nil {
		stores = append(stores, "postgres")
	}
	var out []Result
	n := 0
	for _, kind := range stores {
		for _, w := range opt.Writers {
			for _, floor := range []bool{true, false} {
				name := "ledger"
				if floor {
					name = "floor"
				}
				n++
				db, err := openBenchStore(ctx, kind, filepath.Join(opt.Dir, fmt.Sprintf("%d.db", n)), opt.Postgres)
				if err != nil {
					return nil, err
				}
				var r Result
				if floor {
					r, err = runFloor(db, w, opt.Duration)
				} else {
					r, err = runLedger(ctx, withSubjects{db}, key, w, opt.Duration)
				}
				db.Close()
				if err != nil {
					return nil, fmt.Errorf("%s %s with %d writers: %w", kind, name, w, err)
				}
				r.Store = kind
				if opt.Out != nil {
					fmt.Fprintf(opt.Out, "%-8s %-6s %3d writers: %9.0f events/s  p50 %-9v p99 %v\n", kind, r.Name, r.Writers, r.PerSecond(), r.P50, r.P99)
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// logStore is what the log benchmarks write to: the ledger's store, which
// they close when done.
type logStore interface {
	ledger.Store
	Close() error
}

// withSubjects is a store whose batches index each event by three
// subjects (a unit, an incident, the agency), as a dispatch event is, when
// the ledger gave none: the index is written in the transaction of the
// events, and a figure without it would flatter.
type withSubjects struct{ logStore }

func (s withSubjects) Append(ctx context.Context, b store.Batch) error {
	if len(b.Subjects) == 0 {
		b.Subjects = make([]store.Subject, 0, 3*len(b.Leaves))
		for _, l := range b.Leaves {
			b.Subjects = append(b.Subjects,
				store.Subject{Kind: "unit", ID: fmt.Sprintf("metro-1a%02d", l.Seq%90+10), Seq: l.Seq},
				store.Subject{Kind: "incident", ID: fmt.Sprintf("metro-2026-%06d", l.Seq%100000), Seq: l.Seq},
				store.Subject{Kind: "agency", ID: "metro", Seq: l.Seq})
		}
	}
	return s.logStore.Append(ctx, b)
}

func openBenchStore(ctx context.Context, kind, path string, pg func(context.Context) (string, error)) (logStore, error) {
	if kind == "sqlite" {
		return sqlite.Open(ctx, path)
	}
	dsn, err := pg(ctx)
	if err != nil {
		return nil, err
	}
	return postgres.Open(ctx, dsn)
}

// drive runs writers goroutines calling op until d has passed and returns the
// count and latency percentiles.
func drive(name string, writers int, d time.Duration, op func(i int) error) (Result, error) {
	var (
		wg    sync.WaitGroup
		n     atomic.Int64
		mu    sync.Mutex
		lat   []time.Duration
		first error
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := w; time.Now().Before(deadline); i += writers {
				t := time.Now()
				if err := op(i); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
				n.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return Result{}, first
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	return Result{Name: name, Writers: writers, Events: n.Load(), Elapsed: elapsed, P50: pct(0.50), P99: pct(0.99)}, nil
}

func runLedger(ctx context.Context, db ledger.Store, key *ledger.Key, writers int, d time.Duration) (Result, error) {
	l, err := ledger.Open(ctx, ledger.Config{Store: db, Key: key}, nil)
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	// Records are made before timing starts, as the floor's bytes are.
	recs := make([]ledger.Record, floorDistinct)
	for i := range recs {
		recs[i] = sampleRecord(i)
	}
	return drive("ledger", writers, d, func(i int) error {
		_, err := l.Append(recs[i%floorDistinct : i%floorDistinct+1])
		return err
	})
}

// A Floor is the least a durable log can do: writers queue leaf bytes, one
// committer writes everything queued in one transaction (one fsync) into the
// store, and each writer is answered once its commit is done. It is the
// ledger's group commit without the ledger: no encoding, no Merkle tree, no
// commitments, no checkpoints.
type Floor struct {
	db    ledger.Store
	mu    sync.Mutex
	next  int64
	queue []floorReq
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

type floorReq struct {
	leaf store.Leaf
	done chan error
}

// NewFloor starts a floor committer on an empty store.
func NewFloor(db ledger.Store) *Floor {
	f := &Floor{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go f.commitLoop()
	return f
}

// Append stores entry durably as the next leaf and returns once it is on disk.
func (f *Floor) Append(entry []byte) error {
	done := make(chan error, 1)
	f.mu.Lock()
	f.queue = append(f.queue, floorReq{leaf: store.Leaf{Seq: f.next, Entry: entry, Hashes: []byte{}}, done: done})
	f.next++
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
	return <-done
}

// Close stops the committer; call it once no Append runs.
func (f *Floor) Close() {
	close(f.stop)
	<-f.done
}

func runFloor(db ledger.Store, writers int, d time.Duration) (Result, error) {
	f := NewFloor(db)
	defer f.Close()
	// The same bytes the ledger stores, made before timing starts.
	entries := make([][]byte, floorDistinct)
	for i := range entries {
		r := sampleRecord(i)
		b, _ := json.Marshal(ledger.Entry{Seq: int64(i), Time: r.Time.Format(ledger.TimeFormat), Type: r.Type, Agency: r.Agency, Actor: r.Actor, Subject: r.Subject, Data: r.Data})
		entries[i] = b
	}
	return drive("floor", writers, d, func(i int) error {
		return f.Append(entries[i%floorDistinct])
	})
}

func (f *Floor) commitLoop() {
	defer close(f.done)
	for {
		select {
		case <-f.stop:
			return
		case <-f.kick:
		}
		for {
			f.mu.Lock()
			q := f.queue
			f.queue = nil
			f.mu.Unlock()
			if len(q) == 0 {
				break
			}
			b := store.Batch{Leaves: make([]store.Leaf, len(q))}
			for i, r := range q {
				b.Leaves[i] = r.leaf
			}
			err := f.db.Append(context.Background(), b)
			for _, r := range q {
				r.done <- err
			}
		}
	}
}
