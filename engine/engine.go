// Package engine runs tenfour's domain over its ledger: it decides each
// command on the live state, appends the events durably, folds them into the
// state, and answers only once they are on disk. On start it rebuilds the
// state from the log, which the ledger verifies in the same pass.
//
// It keeps the state twice. The live state includes events still on their way
// to disk, so that the next command is decided after the previous one; only
// commands read it. The view holds durable events only, and is what every
// reader sees: nobody is shown an event that a crash could still take back.
// When the ledger gives up events it could not commit (another node took
// over the log), the live state is rebuilt from the view (reset).
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/recommend"
)

// Config says how to open an Engine.
type Config struct {
	Store ledger.Store
	Key   *ledger.Key
	// Guard keeps a restored store from forking the log (ledger.Guard).
	Guard ledger.Guard
	// Clock returns the time of a command. Nil means time.Now.
	Clock              func() time.Time
	CheckpointInterval time.Duration
	Logger             *slog.Logger
	// Node, URL and LeaseTTL are this node's part in sequencing a shared
	// store (ledger.Config).
	Node     string
	URL      string
	LeaseTTL time.Duration
	// TimerInterval is how often the sequencer checks the dispatch timers
	// (dispatch.CheckTimers). Zero means every second; negative, never.
	TimerInterval time.Duration
	// SampleInterval is how often the sequencer records the units' moved
	// positions in the log (dispatch.SamplePositions). Zero means every
	// minute; negative, never.
	SampleInterval time.Duration
	// OnCommit is handed every durable group of events, in log order, after
	// the view shows them.
	OnCommit func([]*ledger.Pending)
	// Map is the centre's map: every place a command carries is resolved
	// on it before the command is decided (places.go). Nil is an
	// installation without a map: no text is verified and no point has a
	// district.
	Map Map
	// History is where the engine reads what is not in memory: the
	// events of a subject, the archived records (history.go). Nil means
	// Store, which must then implement it.
	History History
	// Retention is how long a closed record stays in memory before the
	// sequencer archives it (dispatch.ArchiveClosed), checked every
	// ArchiveInterval (zero: every minute) with the timers: a negative
	// TimerInterval turns it off too. Zero means dispatch.DefaultRetention.
	Retention       time.Duration
	ArchiveInterval time.Duration
	// SnapshotEvery is how many events apart the sequencer saves a
	// snapshot of the durable state, from which the next start replays
	// only the events after it (snapshot.go); it saves one at Close too.
	// Zero means DefaultSnapshotEvery. Negative means no snapshots: none
	// saved, and every start replays the whole log; so it is with a store
	// that keeps none (not a ledger.Snapshots).
	SnapshotEvery int64
	// Observer, if set, is told of every command executed and every group
	// committed, for metrics (observe.go).
	Observer Observer
}

// Engine is the live dispatch state and the log it comes from.
type Engine struct {
	log    *ledger.Log
	clock  func() time.Time
	geo    Map              // nil without a map
	places dispatch.Places  // the domain's questions about places, answered from geo
	metric recommend.Metric // drive time over the map's streets; the grid without a map

	mu   sync.Mutex // serialises deciding; guards live and last
	live *dispatch.State
	last time.Time // time of the newest event: log time never runs backwards

	viewMu   sync.RWMutex // guards view, viewSize and viewLast
	view     *dispatch.State
	viewSize int64     // the events the view holds
	viewLast time.Time // the time of the newest of them
	snap     snapshots
	onCommit func([]*ledger.Pending)
	observer Observer

	history   History // the subject index and the archive, in the store
	retention time.Duration
	fill      *subjectFill // while Open fills the subject index; guarded by mu
	meta      metaStore    // the store's meta table: whether the subject index is whole

	hub hub

	posMu sync.RWMutex // guards pos.last; pos.index has its own lock
	pos   positions

	stopTimers chan struct{}
	timersDone chan struct{}
}

// A Result is what an executed command recorded.
type Result struct {
	First  int64 // sequence number of the first event
	Events []dispatch.Event
}

// Open opens the ledger on the store, rebuilding the state from every event.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	e := &Engine{
		clock:     cfg.Clock,
		live:      dispatch.NewState(),
		view:      dispatch.NewState(),
		onCommit:  cfg.OnCommit,
		observer:  cfg.Observer,
		history:   cfg.History,
		retention: cfg.Retention,
		pos:       positions{index: geo.NewIndex(), last: make(map[string]dispatch.Position), sampled: make(map[string]time.Time)},
		places:    dispatch.NoPlaces{},
		metric:    recommend.Grid{},
	}
	if cfg.Map != nil {
		e.geo, e.places = cfg.Map, newMapPlaces(cfg.Map)
		e.pos.index = geo.NewIndexOn(cfg.Map.Projection())
		e.metric = recommend.Streets{Graph: geo.NewGraph(cfg.Map.Streets(), cfg.Map.Projection())}
	}
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.retention == 0 {
		e.retention = dispatch.DefaultRetention
	}
	if e.retention < 0 {
		return nil, fmt.Errorf("open engine: the retention %s is negative", e.retention)
	}
	if e.history == nil {
		h, ok := cfg.Store.(History)
		if !ok {
			return nil, fmt.Errorf("open engine: the store (%T) keeps no history (engine.History), and Config.History is not set", cfg.Store)
		}
		e.history = h
	}
	e.meta = cfg.Store
	if err := e.startFill(ctx); err != nil {
		return nil, err
	}
	replay := func(r ledger.Replayed) error { return e.replay(ctx, r) }
	snaps := snapshotStore(cfg.Store)
	snapEvery := cfg.SnapshotEvery
	if snapEvery == 0 {
		snapEvery = DefaultSnapshotEvery
	}
	if snaps == nil || snapEvery < 0 {
		snaps, snapEvery = nil, 0
	}
	l, err := ledger.Open(ctx, ledger.Config{
		Store:              cfg.Store,
		Key:                cfg.Key,
		CheckpointInterval: cfg.CheckpointInterval,
		Logger:             cfg.Logger,
		Node:               cfg.Node,
		URL:                cfg.URL,
		LeaseTTL:           cfg.LeaseTTL,
		OnCommit:           e.committed,
		Snapshots:          snaps,
		SnapshotFormat:     SnapshotFormat,
		Restore:            e.restore,
		OnReset:            e.reset,
		Guard:              cfg.Guard,
	}, replay)
	if err != nil {
		return nil, err
	}
	e.log = l
	if err := e.endFill(ctx); err != nil {
		_ = l.Close()
		return nil, err
	}
	e.startSnapshots(snapEvery, cfg.Logger)
	e.stopTimers, e.timersDone = make(chan struct{}), make(chan struct{})
	every := cfg.TimerInterval
	if every == 0 {
		every = time.Second
	}
	sample := cfg.SampleInterval
	if sample == 0 {
		sample = time.Minute
	}
	archive := cfg.ArchiveInterval
	if archive == 0 {
		archive = time.Minute
	}
	if every < 0 {
		archive = -1 // archiving runs with the timers
	}
	if every > 0 || sample > 0 {
		go e.timerLoop(every, sample, archive, cfg.Logger)
	} else {
		close(e.timersDone)
	}
	return e, nil
}

// timerLoop raises the dispatch timers' alerts as their time comes. Only the
// sequencer decides them; on another node the check is refused and skipped.
// It also samples the units' positions into the log, and archives the
// records closed for the retention window (at start, then every archive
// interval). A negative interval turns any of them off.
func (e *Engine) timerLoop(every, sample, archive time.Duration, logger *slog.Logger) {
	defer close(e.timersDone)
	ticker := func(d time.Duration) (<-chan time.Time, func()) {
		if d < 0 {
			return nil, func() {}
		}
		t := time.NewTicker(d)
		return t.C, t.Stop
	}
	timers, stopT := ticker(every)
	defer stopT()
	samples, stopS := ticker(sample)
	defer stopS()
	archives, stopA := ticker(archive)
	defer stopA()
	// The first check of the timers archives too: a node that starts
	// after a long stop has a backlog, which need not wait a minute.
	archiveFirst := archive > 0
	// The timers' events on their way to disk: a check does not wait for
	// the one before to be durable, so that a slow disk (a commit can take
	// seconds, ledger.SlowCommit) does not make the next deadline late.
	// Each check is decided on the live state, which holds them already.
	var inFlight []*Submitted
	for {
		var err error
		select {
		case <-e.stopTimers:
			return
		case <-archives:
			_, err = e.tick(false, true, nil)
		case <-timers:
			var queued []*Submitted
			inFlight, err = reap(inFlight)
			queued, err = e.tick(true, archiveFirst, err)
			inFlight = append(inFlight, queued...)
			archiveFirst = false
		case <-samples:
			if e.log.IsSequencer() {
				err = e.samplePositions()
			}
		}
		var u *ledger.UnavailableError
		if err != nil && logger != nil && !errors.As(err, &u) { // the ledger logs an unavailable store
			logger.Warn("timers, archiving and position samples", "err", err)
		}
	}
}

// reap returns the submitted commands not yet durable, and why those that
// failed did.
func reap(ss []*Submitted) ([]*Submitted, error) {
	var errs []error
	out := ss[:0]
	for _, s := range ss {
		select {
		case <-s.p.Done():
			if err := s.p.Wait(); err != nil {
				errs = append(errs, fmt.Errorf("record %T: %w", s.cmd, err))
			}
		default:
			out = append(out, s)
		}
	}
	return out, errors.Join(errs...)
}

// timersActor is who runs the timers and the archiving.
var timersActor = dispatch.Actor{System: "timers"}

// tick checks the dispatch timers (dispatch.CheckTimers) if timers is set
// and archives the records due (dispatch.ArchiveClosed) if archive is, on
// the sequencer. Each command is decided on its own under the decision
// lock and queued (Submit), and the decision lock is never held while they
// go to disk. The timers' check is returned queued, not waited for (the
// timer loop reaps it later: timerLoop); with archiving, the tick waits for
// them together, so that one group commit makes a tick's alerts and
// archiving durable. before is an error to report with the tick's. A backlog (a store
// from before archiving) goes in several commands of at most
// dispatch.DefaultArchiveMax records, one batch queued at a time, so that
// other commands are decided between them and memory holds one batch's
// documents.
func (e *Engine) tick(timers, archive bool, before error) ([]*Submitted, error) {
	if !e.log.IsSequencer() {
		return nil, before
	}
	ctx := context.Background()
	var queued []*Submitted
	if timers {
		s, err := e.Submit(ctx, timersActor, dispatch.CheckTimers{})
		if err != nil {
			return nil, errors.Join(before, fmt.Errorf("check timers: %w", err))
		}
		queued = append(queued, s)
	}
	// The archiving waits for each batch before the next: a backlog (a
	// node started after a long stop) goes to disk a batch at a time, not
	// all at once into the ledger's queue.
	for archive {
		s, err := e.Submit(ctx, timersActor, dispatch.ArchiveClosed{Retention: e.retention})
		if err != nil {
			return nil, errors.Join(before, waitAll(ctx, queued), fmt.Errorf("archive closed records: %w", err))
		}
		queued = append(queued, s)
		if err := waitAll(ctx, queued); err != nil {
			return nil, errors.Join(before, err)
		}
		queued = nil
		archive = len(s.Events) > 0 && s.Events[0].Data.(*dispatch.RecordsArchived).Len() >= dispatch.DefaultArchiveMax
		select {
		case <-e.stopTimers:
			archive = false
		default:
		}
	}
	return queued, before
}

// waitAll waits until every submitted command is durable, in order.
func waitAll(ctx context.Context, ss []*Submitted) error {
	var errs []error
	for _, s := range ss {
		if err := s.Wait(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// replay folds a stored event into both states: at start, every event of the
// log; on a follower, every event the sequencer appends.
func (e *Engine) replay(ctx context.Context, r ledger.Replayed) error {
	ev, err := FromEntry(r.Entry, r.Openings)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.fillEvent(ctx, r.Entry.Seq, ev); err != nil {
		return err
	}
	if err := e.live.Apply(ev); err != nil {
		return err
	}
	e.viewMu.Lock()
	err = e.view.Apply(ev)
	if err == nil {
		e.viewSize, e.viewLast = r.Entry.Seq+1, ev.Time
	}
	e.viewMu.Unlock()
	if err != nil {
		return err
	}
	e.last = ev.Time
	e.hub.publish(NewPublished(r.Entry.Seq, r.Entry.Type, r.Entry.Agency, r.Entry.Subject["agencies"], Shown(r.Raw, r.Openings)))
	return nil
}

// tagged is what the engine attaches to a group of records it appends: the
// domain events and their records, whose private fields the stream opens.
type tagged struct {
	evs  []dispatch.Event
	recs []ledger.Record
}

// committed folds durable events into the view. The ledger calls it in log
// order before the appenders' Wait returns, so a command's caller reads its
// own change.
func (e *Engine) committed(ps []*ledger.Pending) {
	e.viewMu.Lock()
	for _, p := range ps {
		t, _ := p.Tag.(tagged)
		evs := t.evs
		if len(evs) != len(p.Entries) {
			panic(fmt.Sprintf("engine: committed group at %d carries %d events for %d entries", p.First, len(evs), len(p.Entries)))
		}
		for i, ev := range evs {
			if err := e.view.Apply(ev); err != nil {
				// The live state took this event; the view must too.
				panic(fmt.Sprintf("engine: view refuses %s at %d: %v", ev.Type, p.First+int64(i), err))
			}
			e.viewSize, e.viewLast = p.First+int64(i)+1, ev.Time
		}
	}
	e.snapshotDue()
	e.viewMu.Unlock()
	for _, p := range ps {
		t, _ := p.Tag.(tagged)
		for i, ev := range t.evs {
			// The stream shows what the disclosure table took out of the
			// leaf: the record's plaintexts open it.
			e.hub.publish(NewPublished(p.First+int64(i), ev.Type, ev.Agency, ev.Subject["agencies"], Shown(p.Entries[i], t.recs[i].Private)))
		}
	}
	e.observed(ps)
	if e.onCommit != nil {
		e.onCommit(ps)
	}
}

// reset voids the events the live state holds beyond the durable ones: the
// ledger could not commit them, because another node took over the log
// (ledger.Config.OnReset). The live state becomes a copy of the view, which
// holds exactly the durable events, so that the next command is decided on
// what the log holds and nothing this node shows was never stored. The
// ledger calls it before it reads another node's events, so the view is
// still the log up to durable.
func (e *Engine) reset(durable int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.viewMu.RLock()
	defer e.viewMu.RUnlock()
	e.live = e.view.Clone()
	// Time of the log never runs backwards; the void events' times were
	// never in the log.
	e.last = e.viewLast
}

// FromEntry turns a log entry (and the plaintext of whichever private fields
// are still open) back into a domain event. An entry of the form before
// the disclosure table (dispatch/disclosure.go) carries its whole payload
// and its actor's user in the clear, and has no "/…" openings: both forms
// read alike.
func FromEntry(en ledger.Entry, openings map[string]string) (dispatch.Event, error) {
	t, err := en.ParsedTime()
	if err != nil {
		return dispatch.Event{}, err
	}
	en, err = Disclose(en, openings)
	if err != nil {
		return dispatch.Event{}, err
	}
	data, err := dispatch.DecodeData(en.Type, en.Data)
	if err != nil {
		return dispatch.Event{}, err
	}
	var private map[string]string
	for f, v := range openings {
		if strings.HasPrefix(f, "/") {
			continue // a field of the entry, put back by Disclose
		}
		if private == nil {
			private = make(map[string]string, len(openings))
		}
		private[f] = v
	}
	return dispatch.Event{
		Time:    t,
		Type:    en.Type,
		Agency:  en.Agency,
		Actor:   dispatch.Actor{User: en.Actor.User, Agency: en.Actor.Agency, Role: en.Actor.Role, System: en.Actor.System, Token: en.Actor.Token},
		Subject: en.Subject,
		Data:    data,
		Private: private,
	}, nil
}

// Disclose returns the entry with the opened fields of the entry itself
// put back in place: the payload's private fields ("/data/…"), the actor's
// user (ledger.PrivateActorUser) and the subject's persons ("/subject/…").
// Openings of the domain's own private fields (a caller's name) are not
// fields of the entry and are left to the caller. What an erased or
// withheld opening covered stays absent.
func Disclose(en ledger.Entry, openings map[string]string) (ledger.Entry, error) {
	data, err := dispatch.JoinPayload(en.Data, openings)
	if err != nil {
		return en, fmt.Errorf("event %d: %w", en.Seq, err)
	}
	en.Data = data
	if u, ok := openings[ledger.PrivateActorUser]; ok {
		en.Actor.User = u
	}
	for f, v := range openings {
		k, ok := strings.CutPrefix(f, subjectPointer)
		if !ok {
			continue
		}
		s := make(map[string]string, len(en.Subject)+1)
		maps.Copy(s, en.Subject)
		s[k] = v
		en.Subject = s
	}
	return en, nil
}

// Shown returns the leaf as the API shows it to those who may see the
// event (the stream, a timeline): with the fields the public log holds as
// commitments (the payload's private fields, the actor's user, the
// subject's persons) opened in place, their commitments kept beside. The
// domain's own private fields (a caller's name) stay commitments: they are
// read through the records, where reading them is audited. A leaf with
// nothing to open is returned as it is.
func Shown(leaf []byte, openings map[string]string) []byte {
	if !slices.ContainsFunc(slices.Collect(maps.Keys(openings)), func(f string) bool { return strings.HasPrefix(f, "/") }) {
		return leaf
	}
	en, err := ledger.ParseEntry(leaf)
	if err != nil {
		return leaf
	}
	if en, err = Disclose(en, openings); err != nil {
		return leaf
	}
	b, err := json.Marshal(en)
	if err != nil {
		return leaf
	}
	return b
}

// Published returns the events from seq from to end as the stream sends
// them (Shown), with their envelopes.
func (e *Engine) Published(ctx context.Context, from, end int64) ([]Published, error) {
	entries, err := e.log.Entries(ctx, from, end)
	if err != nil {
		return nil, err
	}
	seqs := make([]int64, len(entries))
	for i := range entries {
		seqs[i] = from + int64(i)
	}
	opens, err := e.log.Openings(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]Published, len(entries))
	for i, b := range entries {
		en, err := ledger.ParseEntry(b)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", seqs[i], err)
		}
		open := make(map[string]string, len(opens[seqs[i]]))
		for _, o := range opens[seqs[i]] {
			open[o.Field] = o.Value
		}
		out[i] = NewPublished(seqs[i], en.Type, en.Agency, en.Subject["agencies"], Shown(b, open))
	}
	return out, nil
}

// Entry returns event seq of the log as its entry: what anyone reads of it.
func (e *Engine) Entry(ctx context.Context, seq int64) (ledger.Entry, error) {
	raw, err := e.log.Entries(ctx, seq, seq+1)
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("event %d: %w", seq, err)
	}
	if len(raw) != 1 {
		return ledger.Entry{}, fmt.Errorf("event %d: the log holds %d entries for it", seq, len(raw))
	}
	en, err := ledger.ParseEntry(raw[0])
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("event %d: %w", seq, err)
	}
	return en, nil
}

// Event returns entry en (event en.Seq) as the domain reads it, its
// private fields opened from the store.
func (e *Engine) Event(ctx context.Context, en ledger.Entry) (dispatch.Event, error) {
	opens, err := e.log.Openings(ctx, []int64{en.Seq})
	if err != nil {
		return dispatch.Event{}, fmt.Errorf("event %d: %w", en.Seq, err)
	}
	open := make(map[string]string, len(opens[en.Seq]))
	for _, o := range opens[en.Seq] {
		open[o.Field] = o.Value
	}
	ev, err := FromEntry(en, open)
	if err != nil {
		return dispatch.Event{}, fmt.Errorf("event %d: %w", en.Seq, err)
	}
	return ev, nil
}

// subjectPointer is the JSON Pointer prefix of a subject's private ids.
const subjectPointer = "/subject/"

// ToRecord turns a domain event into a ledger record. What the log may
// show of it is decided by the domain's table (dispatch.PayloadDisclosure):
// the payload keeps its public fields only, and the private ones, the
// actor's user and the subject's persons join the event's private fields,
// which the ledger keeps as commitments.
func ToRecord(ev dispatch.Event) (ledger.Record, error) {
	raw, err := json.Marshal(ev.Data)
	if err != nil {
		return ledger.Record{}, fmt.Errorf("encode %s: %w", ev.Type, err)
	}
	data, split, err := dispatch.SplitPayload(ev.Type, raw)
	if err != nil {
		return ledger.Record{}, fmt.Errorf("encode %s: %w", ev.Type, err)
	}
	private := make(map[string]string, len(ev.Private)+len(split)+2)
	maps.Copy(private, ev.Private)
	maps.Copy(private, split)
	// The token's id is public: it opens nothing, and it tells what a
	// token did from what its user did in person.
	actor := ledger.Actor{Agency: ev.Actor.Agency, Role: ev.Actor.Role, System: ev.Actor.System, Token: ev.Actor.Token}
	if ev.Actor.User != "" {
		private[ledger.PrivateActorUser] = ev.Actor.User
	}
	subject, cloned := ev.Subject, false
	for _, k := range dispatch.PrivateSubjects {
		v, ok := ev.Subject[k]
		if !ok {
			continue
		}
		if !cloned {
			subject, cloned = maps.Clone(ev.Subject), true // the event's map is not ours
		}
		delete(subject, k)
		private[subjectPointer+k] = v
	}
	if len(subject) == 0 {
		subject = nil
	}
	if len(private) == 0 {
		private = nil
	}
	return ledger.Record{
		Time:    ev.Time,
		Type:    ev.Type,
		Agency:  ev.Agency,
		Actor:   actor,
		Subject: subject,
		Data:    data,
		Private: private,
	}, nil
}

// Execute decides cmd for actor and records its events. It returns once they
// are durable, or with an error: store.ErrFenced when another node took
// over the log before they were committed (nothing was recorded), a
// *ledger.UnavailableError when the store is full or does not answer. When
// ctx ends first, the error is a *ledger.UnavailableError with Unknown set:
// the events may still be recorded, and a retry must carry the same
// Idempotency-Key. A store that refuses is refused before deciding, so the
// live state never holds a command that was not sequenced.
func (e *Engine) Execute(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) (Result, error) {
	if e.observer == nil {
		return e.execute(ctx, actor, cmd)
	}
	// Metrics time the transport's wait, not the domain: the wall clock,
	// not the engine's.
	start := time.Now()
	res, err := e.execute(ctx, actor, cmd)
	e.observer.Executed(CommandName(cmd), Outcome(err), time.Since(start))
	return res, err
}

func (e *Engine) execute(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) (Result, error) {
	s, err := e.Submit(ctx, actor, cmd)
	if err != nil {
		return Result{}, err
	}
	wait := ctx
	if d, ok := ctx.Value(durableWaitKey{}).(time.Duration); ok {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	if err := s.Wait(wait); err != nil {
		return Result{}, err
	}
	return s.Result, nil
}

// Submitted is a command decided and queued for the log (Submit): its
// events are in the live state, so the next command is decided after them,
// but they are not durable until Wait returns nil.
type Submitted struct {
	Result
	cmd dispatch.Command
	p   *ledger.Pending
}

// Wait waits until the command's events are durable, with the errors of
// Execute.
func (s *Submitted) Wait(ctx context.Context) error {
	if err := s.p.WaitContext(ctx); err != nil {
		return fmt.Errorf("record %T: %w", s.cmd, err)
	}
	return nil
}

// Submit is the first half of Execute: it decides cmd under the decision
// lock, queues its events for the group commit and folds them into the live
// state, and returns without waiting for the disk. Nothing is acknowledged
// yet: the caller waits (Submitted.Wait) before it tells anyone the
// command is done. The timer loop submits a tick's commands together and
// waits for them once, so that one commit makes them all durable.
func (e *Engine) Submit(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) (*Submitted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Places are resolved before the decision lock: the map is immutable,
	// and geocoding need not hold up other commands.
	cmd, err := e.place(actor, cmd)
	if err != nil {
		return nil, err
	}
	if cmd, err = e.alertOf(ctx, cmd); err != nil {
		return nil, err
	}
	if cmd, err = e.archivedFor(ctx, cmd); err != nil {
		return nil, err
	}
	e.mu.Lock()
	now := e.clock().UTC()
	if now.Before(e.last) {
		now = e.last
	}
	evs, err := dispatch.Decide(e.live, cmd, actor, now) // with cross-staffing's follow-ups
	if err != nil {
		e.mu.Unlock()
		return nil, e.refusal(ctx, actor, cmd, err)
	}
	recs := make([]ledger.Record, len(evs))
	with := ledger.Beside{Key: idempotencyOf(ctx)}
	for i, ev := range evs {
		if recs[i], err = ToRecord(ev); err != nil {
			e.mu.Unlock()
			return nil, err
		}
		with.Subjects = append(with.Subjects, subjectsOf(int64(i), ev)...)
		if with.Archive, err = e.archiveRows(with.Archive, int64(i), ev); err != nil {
			e.mu.Unlock()
			return nil, err
		}
	}
	p, err := e.log.EnqueueWith(recs, tagged{evs, recs}, with)
	if err != nil {
		e.mu.Unlock()
		return nil, fmt.Errorf("record %T: %w", cmd, err)
	}
	for _, ev := range evs {
		if err := e.live.Apply(ev); err != nil {
			// Decide accepted what Apply refuses: the code is broken, and the
			// event is already sequenced. Nothing sound can follow.
			panic(fmt.Sprintf("engine: apply %s after deciding it: %v", ev.Type, err))
		}
	}
	e.last = now
	e.mu.Unlock()
	return &Submitted{Result: Result{First: p.First, Events: evs}, cmd: cmd, p: p}, nil
}

type durableWaitKey struct{}

// WithDurableWait returns a context whose commands wait at most d for their
// events to reach the disk (Execute): a transport answers its client in
// bounded time while the store does not answer, and the client sends the
// command again with its Idempotency-Key.
func WithDurableWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, durableWaitKey{}, d)
}

// Read calls fn with the durable view of the state under a read lock. fn
// must copy out what it keeps: the state changes once the lock is released.
// It is for tests and tools that inspect the whole state (invariant 1: the
// state rebuilt from the log equals the live one); every entrance reads
// through the typed reads (read.go), which apply the visibility rule.
func (e *Engine) Read(fn func(s *dispatch.State)) {
	e.viewMu.RLock()
	defer e.viewMu.RUnlock()
	fn(e.view)
}

// Seqs returns the sequence numbers of the events about kind/id ("incident",
// "metro-2026-000001"), in log order, as far as they are durable: the
// store's subject index, which holds those of archived records too.
func (e *Engine) Seqs(ctx context.Context, kind, id string) ([]int64, error) {
	seqs, err := e.history.SubjectSeqs(ctx, kind, id)
	if err != nil {
		return nil, fmt.Errorf("events of %s %s: %w", kind, id, err)
	}
	return seqs, nil
}

// Now returns the domain's time: what a command decided now would be
// stamped with (Config.Clock).
func (e *Engine) Now() time.Time { return e.clock().UTC() }

// Log returns the engine's ledger.
func (e *Engine) Log() *ledger.Log { return e.log }

// Close stops the timers, commits what is queued, signs a last checkpoint
// and stops.
func (e *Engine) Close() error {
	select {
	case <-e.stopTimers:
	default:
		close(e.stopTimers)
	}
	<-e.timersDone
	err := e.stopSnapshots()
	return errors.Join(err, e.log.Close())
}
