package bench

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/sim"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// The files of a county's directory.
const (
	historyDB   = "history.db"
	historyKey  = "history.key"
	historyMeta = "history.json"
)

// HistoryOptions configure BuildHistory.
type HistoryOptions struct {
	Dir       string // the county's directory: its database, key and history.json
	Incidents int
	Days      int           // simulated span of the incidents; default 365
	Tick      time.Duration // simulated time between timer ticks; default a minute
	Workers   int           // concurrent API clients; default 32
	Probes    int           // incidents left open at busy addresses for the priors query; default 32
	Seed      uint64        // default 1
	Out       io.Writer     // progress lines; may be nil
}

// HistoryBuild is what BuildHistory built, kept in the directory's
// history.json so that a later run measures it again without building.
type HistoryBuild struct {
	Incidents   int       `json:"incidents"` // created through the engine, probes included
	Probes      []string  `json:"probes"`    // open incidents at busy addresses
	SetupEvents int64     `json:"setup_events"`
	Events      int64     `json:"events"` // the log's size after the build
	Start       time.Time `json:"start"`  // simulated
	End         time.Time `json:"end"`    // simulated: the clock of the measure
	Days        int       `json:"days"`
	Tick        string    `json:"tick"`
	Seed        uint64    `json:"seed"`
	Workers     int       `json:"workers"`
	// Elapsed is the build's wall time; Ticks and TickTime the timer ticks
	// run during it and the wall time they took in all.
	Elapsed  time.Duration `json:"elapsed_ns"`
	Ticks    int           `json:"ticks"`
	TickTime time.Duration `json:"tick_time_ns"`
	// Unserved are incidents cleared without a unit, none being free.
	Unserved int `json:"unserved"`
	// ByType counts the events appended by the build, by type.
	ByType   map[string]int64 `json:"by_type"`
	Agencies []string         `json:"agencies"`
}

// HistoryEvents returns the events of the incidents' year: the log's size
// less the county's setup.
func (b HistoryBuild) HistoryEvents() int64 { return b.Events - b.SetupEvents }

// EventsPerIncident returns the mean number of events an incident brought.
func (b HistoryBuild) EventsPerIncident() float64 {
	return float64(b.HistoryEvents()) / float64(max(1, b.Incidents))
}

// Rate returns the build's throughput in events a second.
func (b HistoryBuild) Rate() float64 { return float64(b.HistoryEvents()) / b.Elapsed.Seconds() }

// ErrHistoryBuilt says that a directory already holds a county of another
// size: a county grows only by building it again in an empty directory.
var ErrHistoryBuilt = errors.New("the directory already holds a county")

// LoadHistory reads the build recorded in dir, or an error wrapping
// os.ErrNotExist if there is none.
func LoadHistory(dir string) (HistoryBuild, error) {
	var b HistoryBuild
	data, err := os.ReadFile(filepath.Join(dir, historyMeta))
	if err != nil {
		return b, err
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("read %s: %w", filepath.Join(dir, historyMeta), err)
	}
	return b, nil
}

// BuildHistory builds a county's year in opt.Dir through the real engine:
// engine.Open on a SQLite store, then the commands its call-takers,
// dispatchers and supervisors would send through the API, from several
// clients at once, with the engine's clock driven in simulated time and
// the timer tick (historyTick) run every opt.Tick of it. If the directory
// already holds a county of opt.Incidents, it returns that build untouched;
// of another size, ErrHistoryBuilt.
func BuildHistory(ctx context.Context, opt HistoryOptions) (HistoryBuild, error) {
	opt = historyDefaults(opt)
	if b, err := LoadHistory(opt.Dir); err == nil {
		if b.Incidents != opt.Incidents+opt.Probes {
			return b, fmt.Errorf("%s holds %d incidents, not %d: %w; use an empty directory", opt.Dir, b.Incidents, opt.Incidents+opt.Probes, ErrHistoryBuilt)
		}
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return b, err
	}
	if _, err := os.Stat(filepath.Join(opt.Dir, historyDB)); err == nil {
		return HistoryBuild{}, fmt.Errorf("%s holds a database but no %s: an earlier build stopped half-way; remove the directory", opt.Dir, historyMeta)
	}
	if err := os.MkdirAll(opt.Dir, 0o700); err != nil {
		return HistoryBuild{}, err
	}
	skey, err := ledger.GenerateKey("bench.tenfour/history")
	if err != nil {
		return HistoryBuild{}, err
	}
	if err := os.WriteFile(filepath.Join(opt.Dir, historyKey), []byte(skey), 0o600); err != nil {
		return HistoryBuild{}, err
	}
	b, err := buildCounty(ctx, opt, skey)
	if err != nil {
		return b, err
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return b, err
	}
	return b, os.WriteFile(filepath.Join(opt.Dir, historyMeta), data, 0o600)
}

func historyDefaults(opt HistoryOptions) HistoryOptions {
	if opt.Days <= 0 {
		opt.Days = 365
	}
	if opt.Tick <= 0 {
		opt.Tick = time.Minute
	}
	if opt.Workers <= 0 {
		opt.Workers = 32
	}
	if opt.Probes <= 0 {
		opt.Probes = 32
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	return opt
}

// historyStart is when the simulated year begins, in the county's time zone.
var historyStart = time.Date(2025, 1, 1, 0, 0, 0, 0, historyZone)

// historyZone is the county's local time, which shapes its calls by hour
// (sim.Rate).
var historyZone = time.FixedZone("county", -6*3600)

// simClock is the engine's clock in simulated time. The driver moves it
// forward; commands read it.
type simClock struct{ ns atomic.Int64 }

func (c *simClock) now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// advance moves the clock to t unless it is already past it.
func (c *simClock) advance(t time.Time) {
	for {
		cur := c.ns.Load()
		if t.UnixNano() <= cur || c.ns.CompareAndSwap(cur, t.UnixNano()) {
			return
		}
	}
}

// openHistory opens the engine on a county's database with clock, and the
// timer loops off: the caller ticks them in simulated time.
func openHistory(ctx context.Context, dir, skey string, clock func() time.Time) (*engine.Engine, *sqlite.DB, error) {
	key, err := ledger.ParseKey(skey)
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, historyDB))
	if err != nil {
		return nil, nil, err
	}
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: key, Clock: clock, TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return e, db, nil
}

// timersActor is who ticks the timers, as the engine's own loop does.
var timersActor = dispatch.Actor{System: "timers"}

// A tickTime is how long one timer tick took, in two parts: Decided,
// deciding and queueing its commands (engine.Submit: the decision lock, the
// part that other commands can wait behind), and Waited, then waiting until
// its events were durable (the group commit: SQLite's transaction and its
// fsync; zero for a tick that emitted nothing). Events counts them.
type tickTime struct {
	Decided, Waited time.Duration
	Events          int
}

// historyTick is what the engine's timer loop does at a tick
// (engine.Engine.tick), here in simulated time: the dispatch timers, then
// the archive of the records closed more than a retention window ago,
// each decided and queued on its own (Decided: what the timer loop spends;
// it does not wait for the timers' events to be durable), then waited for
// together (Waited: the engine waits so for its archiving, a backlog batch
// after full batch, one in flight). The engine archives once a minute; the
// builder and the measure at every tick.
func historyTick(ctx context.Context, e *engine.Engine) (tickTime, error) {
	var tt tickTime
	t0 := time.Now()
	s, err := e.Submit(ctx, timersActor, dispatch.CheckTimers{})
	if err != nil {
		return tt, fmt.Errorf("check timers: %w", err)
	}
	queued := []*engine.Submitted{s}
	for {
		a, err := e.Submit(ctx, timersActor, dispatch.ArchiveClosed{Retention: dispatch.DefaultRetention})
		if err != nil {
			return tt, fmt.Errorf("archive: %w", err)
		}
		queued = append(queued, a)
		tt.Decided += time.Since(t0)
		t1 := time.Now()
		for _, q := range queued {
			if err := q.Wait(ctx); err != nil {
				return tt, err
			}
			tt.Events += len(q.Events)
		}
		tt.Waited += time.Since(t1)
		if d, ok := archivedBy(a); !ok || d.Len() < dispatch.DefaultArchiveMax {
			return tt, nil
		}
		t0, queued = time.Now(), nil
	}
}

// archivedBy returns what an archiving command archived, if anything.
func archivedBy(s *engine.Submitted) (*dispatch.RecordsArchived, bool) {
	if len(s.Events) == 0 {
		return nil, false
	}
	d, ok := s.Events[0].Data.(*dispatch.RecordsArchived)
	return d, ok
}

// maxLead bounds how far the clock runs ahead of the oldest step still in
// a worker's hands: a command is stamped at most this much later than its
// step's time, well within what the domain accepts of a call's times
// (dispatch.MaxCallAge).
const maxLead = 2 * time.Minute

// inFlight counts the steps released to the workers and not yet done, by
// simulated minute, so that the driver can wait for the old ones.
type inFlight struct {
	mu     sync.Mutex
	cond   sync.Cond
	counts map[int64]int
	lo, hi int64 // the minutes that may still count steps
}

func newInFlight() *inFlight {
	f := &inFlight{counts: map[int64]int{}}
	f.cond.L = &f.mu
	return f
}

func minuteOf(t time.Time) int64 { return t.Unix() / 60 }

// add counts a step of minute m, released.
func (f *inFlight) add(m int64) {
	f.mu.Lock()
	if len(f.counts) == 0 {
		f.lo = m
	}
	f.counts[m]++
	f.hi = max(f.hi, m)
	f.mu.Unlock()
}

// done counts a step of minute m, finished.
func (f *inFlight) done(m int64) {
	f.mu.Lock()
	if f.counts[m]--; f.counts[m] == 0 {
		delete(f.counts, m)
		f.cond.Broadcast()
	}
	f.mu.Unlock()
}

// wait returns once no step older than minute m is in flight, or failed
// reports an error.
func (f *inFlight) wait(m int64, failed func() error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		for f.lo < f.hi && f.counts[f.lo] == 0 {
			f.lo++
		}
		if len(f.counts) == 0 || f.lo >= m || failed() != nil {
			return
		}
		f.cond.Wait()
	}
}

// A builder drives one county's year through an engine.
type builder struct {
	opt   HistoryOptions
	e     *engine.Engine
	c     *county
	clock *simClock

	flight   *inFlight
	mu       sync.Mutex
	err      error
	unserved atomic.Int64
}

func buildCounty(ctx context.Context, opt HistoryOptions, skey string) (HistoryBuild, error) {
	clock := &simClock{}
	clock.advance(historyStart.Add(-time.Hour))
	e, db, err := openHistory(ctx, opt.Dir, skey, clock.now)
	if err != nil {
		return HistoryBuild{}, err
	}
	b := &builder{opt: opt, e: e, c: newCounty(opt.Seed), clock: clock, flight: newInFlight()}
	out := HistoryBuild{Start: historyStart.UTC(), Days: opt.Days, Tick: opt.Tick.String(), Seed: opt.Seed, Workers: opt.Workers}
	for _, a := range b.c.agencies {
		out.Agencies = append(out.Agencies, a.id)
	}
	closeAll := func() error { return errors.Join(e.Close(), db.Close()) }
	if err := b.setup(ctx); err != nil {
		closeAll()
		return out, fmt.Errorf("set the county up: %w", err)
	}
	out.SetupEvents = e.Log().Size()
	started := time.Now()
	if err := b.run(ctx, &out); err != nil {
		closeAll()
		return out, err
	}
	out.Elapsed = time.Since(started)
	out.Events = e.Log().Size()
	out.Unserved = int(b.unserved.Load())
	out.End = clock.now()
	if out.ByType, err = countTypes(ctx, e.Log(), out.SetupEvents, out.Events); err != nil {
		closeAll()
		return out, err
	}
	return out, closeAll()
}

// setup creates the agencies and their units.
func (b *builder) setup(ctx context.Context) error {
	sys := dispatch.Actor{System: "bench"}
	for _, a := range b.c.agencies {
		if _, err := b.e.Execute(ctx, sys, dispatch.CreateAgency{ID: a.id, Name: a.name, Kind: a.kind}); err != nil {
			return err
		}
		for i, u := range a.units {
			cs := u[len(a.id)+1:]
			if _, err := b.e.Execute(ctx, sys, dispatch.CreateUnit{CallSign: cs, Agency: a.id, Kind: a.unitKinds[i%len(a.unitKinds)]}); err != nil {
				return err
			}
		}
	}
	return nil
}

// fail records the first error of a worker.
func (b *builder) fail(err error) {
	b.mu.Lock()
	if b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
	b.flight.mu.Lock()
	b.flight.cond.Broadcast() // the driver may be waiting for this step
	b.flight.mu.Unlock()
}

func (b *builder) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// run is the driver: it releases every incident's steps in simulated time
// order to the workers (each incident to one worker, so its steps stay in
// order), moving the clock to each step's time and ticking the timers as
// the clock passes each opt.Tick. It stops once the last incident is
// entered, leaving the incidents then in progress open, as at any moment
// of a working day, and adds the probes.
func (b *builder) run(ctx context.Context, out *HistoryBuild) error {
	r := rand.New(rand.NewPCG(b.opt.Seed, 0x1d5))
	jobs := make([]chan job, b.opt.Workers)
	var wg sync.WaitGroup
	for i := range jobs {
		jobs[i] = make(chan job, 16)
		wg.Go(func() { b.work(ctx, jobs[i]) })
	}
	stop := func() {
		for _, ch := range jobs {
			close(ch)
		}
		wg.Wait()
	}
	span := time.Duration(b.opt.Days) * 24 * time.Hour
	arrivals := newArrivals(r, b.opt.Incidents, span)
	var q incidentQueue
	nextTick := historyStart.Add(b.opt.Tick)
	end := time.Time{} // set once the last incident has arrived
	created, started, lastReport := 0, time.Now(), time.Now()
	for {
		if err := b.failed(); err != nil {
			stop()
			return err
		}
		if err := ctx.Err(); err != nil {
			stop()
			return err
		}
		// The next thing to happen: a call arriving, or an incident's step.
		if created < b.opt.Incidents && (q.Len() == 0 || !arrivals.next.After(q.top())) {
			in := b.plan(r, created, arrivals.next)
			created++
			heap.Push(&q, in)
			if created == b.opt.Incidents {
				end = arrivals.next.Add(2 * time.Minute)
			}
			arrivals.advance()
			continue
		}
		if q.Len() == 0 || (!end.IsZero() && q.top().After(end)) {
			break
		}
		in := heap.Pop(&q).(*histIncident)
		st := in.steps[in.next]
		in.next++
		if !st.at.Before(nextTick) {
			// The tick sees every step released before it done, as the
			// engine's loop would: no alert for a dispatch still queued.
			b.flight.wait(minuteOf(st.at)+1, b.failed)
			b.clock.advance(st.at)
			t0 := time.Now()
			if _, err := historyTick(ctx, b.e); err != nil {
				stop()
				return err
			}
			out.Ticks++
			out.TickTime += time.Since(t0)
			nextTick = st.at.Truncate(b.opt.Tick).Add(b.opt.Tick)
		}
		b.flight.wait(minuteOf(st.at.Add(-maxLead)), b.failed)
		b.clock.advance(st.at)
		b.flight.add(minuteOf(st.at))
		jobs[in.n%len(jobs)] <- job{in, st}
		if in.next < len(in.steps) {
			heap.Push(&q, in)
		}
		if time.Since(lastReport) > 30*time.Second {
			lastReport = time.Now()
			events := b.e.Log().Size() - out.SetupEvents
			fmt.Fprintf(b.opt.Out, "history: %s simulated, %d of %d incidents, %d events, %.0f events/s, %d ticks of %.2f ms on average\n",
				st.at.In(historyZone).Format("2006-01-02 15:04"), created, b.opt.Incidents, events, float64(events)/time.Since(started).Seconds(),
				out.Ticks, float64(out.TickTime.Microseconds())/1000/float64(max(1, out.Ticks)))
		}
	}
	stop()
	if err := b.failed(); err != nil {
		return err
	}
	probes, err := b.probes(ctx, r)
	if err != nil {
		return err
	}
	out.Probes = probes
	out.Incidents = created + len(probes)
	return nil
}

// probes enters opt.Probes calls at busy addresses — drawn from the 500
// busiest — and leaves them open: the incidents the measure asks priors of.
func (b *builder) probes(ctx context.Context, r *rand.Rand) ([]string, error) {
	var ids []string
	busiest := min(500, len(b.c.addrs))
	for range b.opt.Probes {
		i := r.IntN(busiest)
		a, typ := b.c.drawCall(r, i)
		prio := 3
		res, err := b.e.Execute(ctx, callTaker(a.id), dispatch.CreateIncident{Agency: a.id, Type: typ, Priority: &prio,
			Location: b.location(i), Caller: dispatch.Caller{Name: personName(r), Phone: phone(r)}, Narrative: sentence(r, 6, 20)})
		if err != nil {
			return nil, fmt.Errorf("probe at a busy address: %w", err)
		}
		ids = append(ids, res.Events[0].Subject["incident"])
	}
	return ids, nil
}

func (b *builder) location(i int) dispatch.Location {
	ad := b.c.addrs[i]
	lat, lon := ad.lat, ad.lon
	return dispatch.Location{Text: ad.text, Lat: &lat, Lon: &lon}
}

// arrivals are the calls' times: a Poisson process of n calls over span on
// average, shaped by the hour of the day as sim.Rate shapes the demo city's.
type arrivals struct {
	r    *rand.Rand
	mean time.Duration // between calls, at the peak rate
	next time.Time
}

// peakRate bounds sim.Rate, for thinning.
const peakRate = 1.4

func newArrivals(r *rand.Rand, n int, span time.Duration) *arrivals {
	a := &arrivals{r: r, mean: time.Duration(float64(span) / float64(max(1, n)) / peakRate), next: historyStart}
	a.advance()
	return a
}

func (a *arrivals) advance() {
	for {
		a.next = a.next.Add(time.Duration(a.r.ExpFloat64() * float64(a.mean)))
		if a.r.Float64()*peakRate < sim.Rate(a.next.In(historyZone)) {
			return
		}
	}
}

// countTypes counts the log's events from start to end by type.
func countTypes(ctx context.Context, l *ledger.Log, start, end int64) (map[string]int64, error) {
	out := map[string]int64{}
	const page = 10_000
	for from := start; from < end; from += page {
		leaves, err := l.Entries(ctx, from, min(end, from+page))
		if err != nil {
			return nil, fmt.Errorf("read the log at %d: %w", from, err)
		}
		for _, leaf := range leaves {
			var head struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(leaf, &head); err != nil {
				return nil, fmt.Errorf("read an entry after %d: %w", from, err)
			}
			out[head.Type]++
		}
	}
	return out, nil
}
