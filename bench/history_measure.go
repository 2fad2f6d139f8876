package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
)

// MeasureOptions configure MeasureHistory.
type MeasureOptions struct {
	Dir string
	// Full also times the timer tick and the history queries; otherwise
	// only the restart and the memory after it are measured.
	Full    bool
	Ticks   int    // timer ticks to time; default 200
	Queries int    // queries of each kind to time; default 500
	Seed    uint64 // default 1
}

// HistoryMeasurement is what one restart of a built county measures.
type HistoryMeasurement struct {
	Restart time.Duration `json:"restart_ns"` // sqlite.Open and engine.Open until they return
	// RestartCPU is the CPU time (user and system, every thread) the
	// restart took: on a machine shared with other work, the wall time
	// above waits for the CPU; this does not.
	RestartCPU time.Duration `json:"restart_cpu_ns"`
	// Load is the machine's load average over a minute when the measure
	// began (/proc/loadavg): how much other work shared the cores.
	Load float64 `json:"load"`
	// RSS is the process's resident memory (VmRSS) after the restart and a
	// collection; Heap the Go heap's live objects then. Measured in a
	// process that did nothing before, RSS is the restarted node's alone.
	RSS  int64 `json:"rss_bytes"`
	Heap int64 `json:"heap_bytes"`
	// Peak is the process's peak resident memory (VmHWM) by then: what the
	// restart itself needed.
	Peak int64 `json:"peak_bytes"`
	// What the restarted node holds in memory.
	Events    int64 `json:"events"`
	Incidents int   `json:"incidents"`
	Open      int   `json:"open"`
	Units     int   `json:"units"`
	Busy      int   `json:"busy_units"`
	// The timer tick (historyTick) at the end state, one a simulated second,
	// and the mean CPU time of one. Tick is the whole tick, until its
	// events are durable; TickDecided its first part, deciding and queueing
	// (what holds the decision lock); TickWaited its second, the wait for
	// the commit, over the TickCommits ticks that emitted events.
	Tick        Latency       `json:"tick"`
	TickDecided Latency       `json:"tick_decided"`
	TickWaited  Latency       `json:"tick_commit_wait"`
	TickCommits int           `json:"tick_commits"`
	TickCPU     time.Duration `json:"tick_cpu_ns"`
	// Rechecked is how long after the restart began the background
	// verification of the events before the snapshot was done; the tick and
	// the queries are timed after it.
	Rechecked time.Duration `json:"rechecked_ns"`
	// Priors: engine.Priors of an open incident at a busy address over 90
	// days; Day: one day's incidents of one agency (engine.IncidentsReceived).
	Priors    Latency       `json:"priors"`
	PriorsCPU time.Duration `json:"priors_cpu_ns"`
	PriorsN   int           `json:"priors_median_count"`
	Day       Latency       `json:"day"`
	DayCPU    time.Duration `json:"day_cpu_ns"`
	DayN      int           `json:"day_median_count"`
	// Page: the first page of one day's incidents of one agency, as the
	// incident list asks it (engine.IncidentPage, GET /api/v1/incidents
	// with from, to and agency).
	Page      Latency       `json:"page"`
	PageCPU   time.Duration `json:"page_cpu_ns"`
	PageN     int           `json:"page_median_count"`
	DiskBytes int64         `json:"disk_bytes"`
}

// priorDays is the span of the priors query: a call-taker's look back at an
// address over the last three months.
const priorDays = 90

// MeasureHistory restarts the engine on a county that BuildHistory built
// and measures it: the restart, the memory after it, and with opt.Full the
// timer tick and the history queries, with the clock at the build's end.
func MeasureHistory(ctx context.Context, opt MeasureOptions) (HistoryMeasurement, error) {
	var m HistoryMeasurement
	if opt.Ticks <= 0 {
		opt.Ticks = 200
	}
	if opt.Queries <= 0 {
		opt.Queries = 500
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	b, err := LoadHistory(opt.Dir)
	if err != nil {
		return m, fmt.Errorf("no county built in %s: %w", opt.Dir, err)
	}
	skey, err := os.ReadFile(filepath.Join(opt.Dir, historyKey))
	if err != nil {
		return m, err
	}
	if m.DiskBytes, err = dirBytes(opt.Dir); err != nil {
		return m, err
	}
	m.Load = loadAverage()
	clock := &simClock{}
	clock.advance(b.End)
	t0, c0 := time.Now(), cpuTime()
	e, db, err := openHistory(ctx, opt.Dir, string(skey), clock.now)
	if err != nil {
		return m, fmt.Errorf("restart: %w", err)
	}
	m.Restart, m.RestartCPU = time.Since(t0), cpuTime()-c0
	defer db.Close()
	defer e.Close()
	// A county measured before holds the events of that measure's ticks,
	// after the build's end: the clock starts at the newest event, so that
	// these ticks, too, each see a second pass (the log's time never runs
	// backwards, and a clock behind it would tick at one instant).
	last, err := lastEventTime(ctx, e)
	if err != nil {
		return m, err
	}
	clock.advance(last)
	runtime.GC()
	debug.FreeOSMemory()
	if m.RSS, err = procStatus("VmRSS"); err != nil {
		return m, err
	}
	if m.Peak, err = procStatus("VmHWM"); err != nil {
		return m, err
	}
	m.Heap = heapBytes()
	m.Events = e.Log().Size()
	e.Read(func(s *dispatch.State) {
		m.Incidents, m.Units = len(s.Incidents), len(s.Units)
		for _, in := range s.Incidents {
			if in.Status != dispatch.IncidentClosed {
				m.Open++
			}
		}
		for _, u := range s.Units {
			if u.Incident != "" {
				m.Busy++
			}
		}
	})
	if !opt.Full {
		return m, nil
	}
	// The tick and the queries are timed as a node runs once its start is
	// behind it: the background re-verification of the events before the
	// snapshot (ledger.Verification) would share the CPU with them.
	for v := e.Log().Verification(); !v.Done; v = e.Log().Verification() {
		select {
		case <-ctx.Done():
			return m, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := e.Log().Verification().Err; err != nil {
		return m, fmt.Errorf("the background verification: %w", err)
	}
	m.Rechecked = time.Since(t0)
	r := rand.New(rand.NewPCG(opt.Seed, 0x3ea5))
	c0 = cpuTime()
	if err = timeTicks(ctx, e, clock, opt.Ticks, &m); err != nil {
		return m, err
	}
	c1 := cpuTime()
	if m.Priors, m.PriorsN, err = timePriors(ctx, e, b, r, opt.Queries); err != nil {
		return m, err
	}
	c2 := cpuTime()
	if m.Day, m.DayN, err = timeDays(ctx, e, b, r, opt.Queries); err != nil {
		return m, err
	}
	c3 := cpuTime()
	if m.Page, m.PageN, err = timePages(ctx, e, b, r, opt.Queries); err != nil {
		return m, err
	}
	c4 := cpuTime()
	m.TickCPU, m.PriorsCPU, m.DayCPU = (c1-c0)/time.Duration(opt.Ticks), (c2-c1)/time.Duration(opt.Queries), (c3-c2)/time.Duration(opt.Queries)
	m.PageCPU = (c4 - c3) / time.Duration(opt.Queries)
	return m, nil
}

// lastEventTime returns the time of the newest event of e's log.
func lastEventTime(ctx context.Context, e *engine.Engine) (time.Time, error) {
	n := e.Log().Size()
	if n == 0 {
		return time.Time{}, nil
	}
	es, err := e.Log().Entries(ctx, n-1, n)
	if err != nil || len(es) != 1 {
		return time.Time{}, fmt.Errorf("read the newest event: %w", err)
	}
	en, err := ledger.ParseEntry(es[0])
	if err != nil {
		return time.Time{}, fmt.Errorf("read the newest event: %w", err)
	}
	return en.ParsedTime()
}

// timeTicks times n timer ticks, one a simulated second, as the engine's
// loop runs them, into m: the whole tick, and its two parts.
func timeTicks(ctx context.Context, e *engine.Engine, clock *simClock, n int, m *HistoryMeasurement) error {
	whole, decided, waited := make([]time.Duration, 0, n), make([]time.Duration, 0, n), []time.Duration{}
	for range n {
		clock.advance(clock.now().Add(time.Second))
		t0 := time.Now()
		tt, err := historyTick(ctx, e)
		if err != nil {
			return err
		}
		whole = append(whole, time.Since(t0))
		decided = append(decided, tt.Decided)
		if tt.Events > 0 {
			waited = append(waited, tt.Waited)
		}
	}
	m.Tick, m.TickDecided, m.TickWaited, m.TickCommits = LatencyOf(whole), LatencyOf(decided), LatencyOf(waited), len(waited)
	return nil
}

// timePriors times n priors queries, each of a probe — an open incident
// at one of the county's busiest addresses — as its agency's dispatcher
// asks them (GET /api/v1/incidents/{id}/priors?days=90).
func timePriors(ctx context.Context, e *engine.Engine, b HistoryBuild, r *rand.Rand, n int) (Latency, int, error) {
	if len(b.Probes) == 0 {
		return Latency{}, 0, errors.New("the county has no probe incidents to ask priors of")
	}
	ds, counts := make([]time.Duration, 0, n), make([]int, 0, n)
	for range n {
		id := b.Probes[r.IntN(len(b.Probes))]
		agency := id[:strings.LastIndexByte(id[:strings.LastIndexByte(id, '-')], '-')]
		t0 := time.Now()
		ps, err := e.Priors(ctx, dispatcherOf(agency), id, dispatch.DefaultPriorRadiusM, priorDays)
		ds = append(ds, time.Since(t0))
		if err != nil {
			return Latency{}, 0, fmt.Errorf("priors of %s: %w", id, err)
		}
		counts = append(counts, len(ps))
	}
	return LatencyOf(ds), median(counts), nil
}

// timeDays times n reads of one day's incidents of one agency — a random
// agency, a random day of the year — as a report asks them.
func timeDays(ctx context.Context, e *engine.Engine, b HistoryBuild, r *rand.Rand, n int) (Latency, int, error) {
	return timeDayReads(b, r, n, func(agency string, from, to time.Time) (int, error) {
		ins, err := e.IncidentsReceived(ctx, supervisorOf(agency), agency, from, to)
		if err != nil {
			return 0, fmt.Errorf("a day of %s: %w", agency, err)
		}
		return len(ins), nil
	})
}

// timePages times n first pages of one day's incidents of one agency — a
// random agency, a random day of the year — as the incident list asks them.
func timePages(ctx context.Context, e *engine.Engine, b HistoryBuild, r *rand.Rand, n int) (Latency, int, error) {
	return timeDayReads(b, r, n, func(agency string, from, to time.Time) (int, error) {
		p, err := e.IncidentPage(ctx, dispatcherOf(agency), engine.IncidentQuery{Agency: agency, From: from, To: to, Limit: engine.DefaultPageLimit})
		if err != nil {
			return 0, fmt.Errorf("a page of a day of %s: %w", agency, err)
		}
		return len(p.Incidents), nil
	})
}

// timeDayReads times n reads of one day of a random agency, a random day
// of the year; read returns how many incidents it found.
func timeDayReads(b HistoryBuild, r *rand.Rand, n int, read func(agency string, from, to time.Time) (int, error)) (Latency, int, error) {
	days := int(b.End.Sub(b.Start) / (24 * time.Hour))
	if days < 1 || len(b.Agencies) == 0 {
		return Latency{}, 0, errors.New("the county has no whole day to read")
	}
	ds, counts := make([]time.Duration, 0, n), make([]int, 0, n)
	for range n {
		agency := b.Agencies[r.IntN(len(b.Agencies))]
		from := b.Start.In(historyZone).AddDate(0, 0, r.IntN(days))
		t0 := time.Now()
		found, err := read(agency, from, from.AddDate(0, 0, 1))
		ds = append(ds, time.Since(t0))
		if err != nil {
			return Latency{}, 0, err
		}
		counts = append(counts, found)
	}
	return LatencyOf(ds), median(counts), nil
}

// procStatus returns a memory figure of the process from
// /proc/self/status: VmRSS (resident now) or VmHWM (its peak), in bytes.
func procStatus(field string) (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("resident memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %q: %w", field, rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("resident memory: no %s in /proc/self/status", field)
}

// loadAverage returns the machine's load average over the last minute, or
// 0 where /proc/loadavg cannot be read.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(data) + " 0")[0], 64)
	return f
}

// heapBytes returns the bytes of the Go heap's objects, live ones only
// right after a collection.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// dirBytes returns the size of the county's database files.
func dirBytes(dir string) (int64, error) {
	var n int64
	for _, name := range []string{historyDB, historyDB + "-wal", historyDB + "-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		n += fi.Size()
	}
	return n, nil
}

// HistorySummary is a county's figures: the build, and its restarts
// measured each in a fresh process (the first one Full).
type HistorySummary struct {
	Build HistoryBuild `json:"build"`
	// The medians over the restarts.
	Restart    time.Duration `json:"restart_ns"`
	RestartCPU time.Duration `json:"restart_cpu_ns"`
	RSS        int64         `json:"rss_bytes"`
	Heap       int64         `json:"heap_bytes"`
	Peak       int64         `json:"peak_bytes"`
	// The Full measure's.
	Full         HistoryMeasurement   `json:"full"`
	Measurements []HistoryMeasurement `json:"measurements"`
}

// SummariseHistory reduces a build and its measurements; ms[0] is the
// Full one.
func SummariseHistory(b HistoryBuild, ms []HistoryMeasurement) HistorySummary {
	s := HistorySummary{Build: b, Measurements: ms}
	if len(ms) == 0 {
		return s
	}
	var restarts, cpus []time.Duration
	var rss, heap, peak []int64
	for _, m := range ms {
		restarts, cpus = append(restarts, m.Restart), append(cpus, m.RestartCPU)
		rss, heap, peak = append(rss, m.RSS), append(heap, m.Heap), append(peak, m.Peak)
	}
	s.Restart, s.RestartCPU, s.Full = median(restarts), median(cpus), ms[0]
	s.RSS, s.Heap, s.Peak = median(rss), median(heap), median(peak)
	return s
}

// The goals of issue 15 at a million incidents on two cores.
const (
	GoalRestart = 10 * time.Second
	GoalRSS     = 1 << 30
	GoalTick    = time.Millisecond
	GoalQuery   = 50 * time.Millisecond
)
