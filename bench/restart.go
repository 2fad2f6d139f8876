package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// RestartOptions configure Restart.
type RestartOptions struct {
	Dir    string // where the SQLite database goes; "" is a temporary directory
	Events int64  // events in the log; default 100,000
	// Tail is how many events the older snapshot is behind the end of the
	// log; default a tenth of Events.
	Tail    int64
	Writers int // concurrent command writers while building; default 32
	Out     io.Writer
}

// A RestartResult is what Restart measured. Every start is engine.Open,
// the restart of a node, on the same log.
type RestartResult struct {
	Events int64
	Build  time.Duration // building the log through the engine
	// Full is a start that replays, and so verifies, every event: the
	// floor, with snapshots off.
	Full time.Duration
	// Snapshot is a start from a snapshot of the whole log; SnapshotBytes
	// its size.
	Snapshot      time.Duration
	SnapshotBytes int
	// Tail is a start from a snapshot TailEvents behind the end, which
	// replays those.
	Tail       time.Duration
	TailEvents int64
	// Check is how long the background verification of the events before
	// the snapshot took, after the start from the latest.
	Check time.Duration
	// FullCPU, SnapshotCPU and TailCPU are the processor time (user and
	// system) of each start: on a machine busy with other work, the time
	// a start needs, where the elapsed times say what it waited.
	FullCPU, SnapshotCPU, TailCPU time.Duration
}

// cpuTime returns the processor time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// capped shows a store's snapshots as they were when the latest was of at
// most max events: the older snapshot, with events after it.
type capped struct {
	*sqlite.DB
	max int64
}

func (c capped) LatestSnapshot(ctx context.Context, atMost int64) (store.Snapshot, error) {
	return c.DB.LatestSnapshot(ctx, min(atMost, c.max))
}

// Restart builds a log of incidents through the real engine on SQLite —
// each call created with a caller's name and phone, dispatched, its unit en
// route, on scene and available again, the incident cleared — with a
// snapshot Tail events before the end and one at the end, and times a
// node's start three ways: replaying every event (snapshots off), from
// the latest snapshot, and from the older one.
func Restart(ctx context.Context, opt RestartOptions) (RestartResult, error) {
	if opt.Events <= 0 {
		opt.Events = 100_000
	}
	if opt.Tail <= 0 || opt.Tail >= opt.Events {
		opt.Tail = opt.Events / 10
	}
	if opt.Writers <= 0 {
		opt.Writers = 32
	}
	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	res := RestartResult{}
	dir := opt.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "tenfour-bench-restart-")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "restart.db"))
	if err != nil {
		return res, err
	}
	defer db.Close()
	skey, err := ledger.GenerateKey("bench.tenfour.test/restart")
	if err != nil {
		return res, err
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		return res, err
	}
	// One node, nobody to hand the lease to: a long lease, so that a
	// machine busy with other work does not fence the build. Closed
	// records are archived a second after they close, as a day's would be
	// after the retention window: what stays in memory, and so in a
	// snapshot, is open work.
	cfg := engine.Config{Store: db, Key: key, TimerInterval: time.Second, SampleInterval: -1, Retention: time.Second, ArchiveInterval: time.Second,
		SnapshotEvery: opt.Events - opt.Tail, LeaseTTL: 10 * time.Minute}

	start := time.Now()
	e, err := engine.Open(ctx, cfg)
	if err != nil {
		return res, err
	}
	if err := buildIncidents(ctx, e, opt.Events, opt.Writers); err != nil {
		e.Close()
		return res, err
	}
	if err := e.Close(); err != nil { // saves the snapshot of the whole log
		return res, err
	}
	res.Build = time.Since(start)
	if res.Events, err = db.LogSize(ctx); err != nil {
		return res, err
	}
	latest, err := db.LatestSnapshot(ctx, res.Events)
	if err != nil {
		return res, fmt.Errorf("the snapshot at Close: %w", err)
	}
	older, err := db.LatestSnapshot(ctx, latest.Size-1)
	if err != nil {
		return res, fmt.Errorf("the periodic snapshot: %w", err)
	}
	res.SnapshotBytes, res.TailEvents = len(latest.Data), res.Events-older.Size
	fmt.Fprintf(out, "built a log of %d events in %v; snapshots at %d and %d (%d bytes)\n", res.Events, res.Build.Round(time.Millisecond), older.Size, latest.Size, len(latest.Data))

	// open times engine.Open and closes the engine; a start from a
	// snapshot also waits for its background verification.
	open := func(cfg engine.Config) (took, check, cpu time.Duration, err error) {
		start, cpu0 := time.Now(), cpuTime()
		e, err := engine.Open(ctx, cfg)
		if err != nil {
			return 0, 0, 0, err
		}
		defer e.Close()
		took, cpu = time.Since(start), cpuTime()-cpu0
		for !e.Log().Verification().Done {
			select {
			case <-ctx.Done():
				return took, 0, cpu, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		if v := e.Log().Verification(); v.Err != nil {
			return took, 0, cpu, v.Err
		}
		return took, time.Since(start), cpu, nil
	}
	cfg.TimerInterval = -1 // a start adds no event of its own
	cfg.SnapshotEvery = -1
	if res.Full, _, res.FullCPU, err = open(cfg); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "start replaying every event: %v (processor %v)\n", res.Full.Round(time.Millisecond), res.FullCPU.Round(time.Millisecond))
	// No snapshot is saved in between: what a start measures is not moved.
	cfg.SnapshotEvery = 1 << 62
	if res.Snapshot, res.Check, res.SnapshotCPU, err = open(cfg); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "start from the snapshot at %d: %v (processor %v); background verification done after %v\n", latest.Size, res.Snapshot.Round(time.Millisecond), res.SnapshotCPU.Round(time.Millisecond), res.Check.Round(time.Millisecond))
	cfg.Store = capped{db, older.Size}
	if res.Tail, _, res.TailCPU, err = open(cfg); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "start from the snapshot at %d, replaying %d events: %v (processor %v)\n", older.Size, res.TailEvents, res.Tail.Round(time.Millisecond), res.TailCPU.Round(time.Millisecond))
	return res, nil
}

// buildIncidents runs incidents through e from writers goroutines, each
// with a unit of its own, until the log holds n events.
func buildIncidents(ctx context.Context, e *engine.Engine, n int64, writers int) error {
	admin := dispatch.Actor{User: "bench", Role: dispatch.RoleAdmin}
	if _, err := e.Execute(ctx, admin, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"}); err != nil {
		return err
	}
	var units []string
	for i := range writers {
		r, err := e.Execute(ctx, admin, dispatch.CreateUnit{CallSign: fmt.Sprintf("%dA%02d", 1+i/100, i%100), Agency: "metro", Kind: "patrol"})
		if err != nil {
			return err
		}
		units = append(units, r.Events[0].Subject["unit"])
	}
	lat, lon := 41.8236, -87.7052
	var calls atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e.Log().Size() < n {
				i := calls.Add(1)
				if err := runCall(ctx, e, admin, units[w], i, lat+float64(i%1000)/1e4, lon-float64(i%997)/1e4); err != nil {
					errc <- fmt.Errorf("call %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	return errors.Join(<-errc)
}

// runCall runs one call's incident through its lifecycle.
func runCall(ctx context.Context, e *engine.Engine, actor dispatch.Actor, unit string, i int64, lat, lon float64) error {
	r, err := e.Execute(ctx, actor, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY",
		Location:  dispatch.Location{Text: fmt.Sprintf("%d S Kedzie Ave", 100+i%4000), Lat: &lat, Lon: &lon},
		Caller:    dispatch.Caller{Name: fmt.Sprintf("Caller %d", i), Phone: fmt.Sprintf("+1 312 555 %04d", i%10000)},
		Narrative: "back door open, nobody answering"})
	if err != nil {
		return err
	}
	id := r.Events[0].Subject["incident"]
	cmds := []dispatch.Command{
		dispatch.DispatchUnits{Incident: id, Units: []string{unit}},
		dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusEnRoute},
		dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusOnScene},
		dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusAvailable},
		dispatch.ClearIncident{Incident: id, Disposition: "report taken"},
	}
	for _, c := range cmds {
		if _, err := e.Execute(ctx, actor, c); err != nil {
			return fmt.Errorf("%T: %w", c, err)
		}
	}
	return nil
}
