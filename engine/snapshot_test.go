package engine_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pgSrv != nil {
		pgSrv.Stop()
	}
	os.Exit(code)
}

var (
	pgOnce sync.Once
	pgSrv  *pgtest.Server
	pgErr  error
)

// mustOpenPostgres opens the PostgreSQL store on a fresh database of the
// test binary's server, started on first use, and closes it at cleanup.
func mustOpenPostgres(tb testing.TB) *postgres.DB {
	tb.Helper()
	pgOnce.Do(func() {
		pgSrv, pgErr = pgtest.Start(context.Background())
		if pgErr != nil {
			return
		}
		// pg_ctl starts the server in a session of its own: an interrupt
		// does not reach it, so stop it here or it outlives the tests.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-sig
			pgSrv.Stop()
			os.Exit(1)
		}()
	})
	if pgErr != nil {
		tb.Fatalf("start PostgreSQL: %v", pgErr)
	}
	dsn, err := pgSrv.NewDatabase(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("postgres.Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// snapStore is what the snapshot tests open engines on: a real store that
// keeps snapshots.
type snapStore interface {
	ledger.Store
	ledger.Snapshots
	engine.SubjectIndexer
	engine.History
	EraseOpening(ctx context.Context, seq int64, field string) error
}

// capped shows a store's snapshots as they were when the latest was of at
// most max events: a node that stopped right after it, with events after
// it in the log.
type capped struct {
	snapStore
	max int64
}

func (c capped) LatestSnapshot(ctx context.Context, atMost int64) (store.Snapshot, error) {
	return c.snapStore.LatestSnapshot(ctx, min(atMost, c.max))
}

// logBuffer collects an engine's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// mustOpenEngineWith opens an engine with cfg, its timers off (they would
// add events of their own), and closes it at cleanup.
func mustOpenEngineWith(tb testing.TB, cfg engine.Config) *engine.Engine {
	tb.Helper()
	cfg.TimerInterval, cfg.SampleInterval = -1, -1
	e, err := engine.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("engine.Open = %v", err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// encoded returns the engine's durable state as the snapshot codec writes
// it: two states are equal field for field when their encodings are.
func encoded(tb testing.TB, e *engine.Engine) []byte {
	tb.Helper()
	var b []byte
	var err error
	e.Read(func(s *dispatch.State) { b, err = dispatch.EncodeState(s) })
	if err != nil {
		tb.Fatalf("EncodeState = %v", err)
	}
	return b
}

// sameState fails the test if two engines' durable states differ.
func sameState(tb testing.TB, what string, got, want *engine.Engine) {
	tb.Helper()
	if !bytes.Equal(encoded(tb, got), encoded(tb, want)) {
		g, w := state(got), state(want)
		normalise(g)
		normalise(w)
		tb.Fatalf("%s: the state differs from a whole replay's:\n%s", what, diffState(g, w))
	}
}

// buildLog runs random commands (the property tests' generator) through
// an engine on st until its log holds at least n events, saving a snapshot
// every `every`, and closes it. It returns the clock to go on with.
func buildLog(tb testing.TB, st snapStore, key *ledger.Key, n, every int64) *Clock {
	tb.Helper()
	clock := NewClock(time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), 7*time.Second)
	e := mustOpenEngineWith(tb, engine.Config{Store: st, Key: key, Clock: clock.Now, SnapshotEvery: every})
	for _, cmd := range seedCommands() {
		MustExecute(tb, e, root, cmd)
	}
	g := gen{rand.New(rand.NewPCG(15, 2026))}
	for at := clock.Now(); e.Log().Size() < n; at = at.Add(7 * time.Second) {
		cmd, actor := g.step(state(e), at)
		e.Execute(context.Background(), actor, cmd) // refusals are part of the mix
	}
	if err := e.Close(); err != nil {
		tb.Fatalf("Close = %v", err)
	}
	return clock
}

// snapshotSizes returns the sizes of the snapshots st keeps, newest first.
func snapshotSizes(tb testing.TB, st ledger.Snapshots) []int64 {
	tb.Helper()
	var sizes []int64
	for at := int64(1 << 62); ; {
		s, err := st.LatestSnapshot(context.Background(), at)
		if errors.Is(err, store.ErrNotFound) {
			return sizes
		}
		if err != nil {
			tb.Fatalf("LatestSnapshot(%d) = %v", at, err)
		}
		sizes = append(sizes, s.Size)
		at = s.Size - 1
	}
}

// callerNames returns the caller's name of every incident whose caller
// gave one, by incident.
func callerNames(e *engine.Engine) map[string]string {
	m := map[string]string{}
	e.Read(func(s *dispatch.State) {
		for id, in := range s.Incidents {
			if in.Caller.Name != "" {
				m[id] = in.Caller.Name
			}
		}
	})
	return m
}

// TestSnapshotRestart: a node that starts from a snapshot and replays the
// events after it has the state of a node that replays the whole log, the
// private fields of the events after the snapshot opened; and it goes on
// where the log stopped. On both stores.
func TestSnapshotRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) snapStore
	}{
		{"SQLite", func(t *testing.T) snapStore { return MustOpenStore(t, filepath.Join(t.TempDir(), "t.db")) }},
		{"PostgreSQL", func(t *testing.T) snapStore { return mustOpenPostgres(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const events, every = 1500, 400
			st := tc.open(t)
			key := MustKey(t)
			clock := buildLog(t, st, key, events, every)
			size, err := st.LogSize(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sizes := snapshotSizes(t, st)
			// The periodic ones (each at least `every` after the last) and
			// the one at Close, of the whole log.
			if len(sizes) < 3 || sizes[0] != size || sizes[1] >= size || sizes[2] > sizes[1]-every {
				t.Fatalf("snapshots kept = %v for a log of %d events, every %d; want the newest three, the first at %d", sizes, size, every, size)
			}
			full := mustOpenEngineWith(t, engine.Config{Store: st, Key: key, Clock: clock.Now, SnapshotEvery: -1})
			if v := full.Log().Verification(); v.Snapshot != 0 || !v.Done || v.Checked != size {
				t.Fatalf("Verification() with snapshots off = %+v, want the whole log of %d checked at start", v, size)
			}
			names := callerNames(full)
			for _, snap := range []int64{sizes[0], sizes[1], sizes[2]} {
				t.Run(fmt.Sprint(snap), func(t *testing.T) {
					var logs logBuffer
					// No snapshot in between: at Close it saves the whole
					// log's again, which the store replaces.
					e := mustOpenEngineWith(t, engine.Config{Store: capped{st, snap}, Key: key, Clock: clock.Now, SnapshotEvery: 1 << 40,
						Logger: slog.New(slog.NewTextHandler(&logs, nil))})
					if v := e.Log().Verification(); v.Snapshot != snap {
						t.Fatalf("Verification().Snapshot = %d, want a start from the snapshot of %d events; log:\n%s", v.Snapshot, snap, logs.String())
					}
					if !strings.Contains(logs.String(), fmt.Sprintf("replayed=%d", size-snap)) {
						t.Errorf("the log does not say %d events were replayed after the snapshot:\n%s", size-snap, logs.String())
					}
					if got := e.Log().Size(); got != size {
						t.Fatalf("Size() = %d, want %d", got, size)
					}
					sameState(t, fmt.Sprintf("started from the snapshot of %d events", snap), e, full)
					// The callers' names are private fields: those of the
					// events after the snapshot come from their openings.
					if got := callerNames(e); !reflect.DeepEqual(got, names) || len(names) == 0 {
						t.Errorf("callers' names after the start = %v, want %v", got, names)
					}
					waitVerified(t, e)
				})
			}
		})
	}
}

// waitVerified waits for the background verification of the events before
// the snapshot to end, and fails the test if it did not verify them all.
func waitVerified(tb testing.TB, e *engine.Engine) {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v := e.Log().Verification()
		if v.Done {
			if v.Err != nil || v.Checked != v.Size || v.Size != v.Snapshot {
				tb.Fatalf("Verification() = %+v, want every event before the snapshot checked", v)
			}
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("Verification() = %+v after 60 s, want it done", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSnapshotRefused: a snapshot that does not bind to the log (a wrong
// root), that does not decode, or of a format this node does not read is
// refused with a warning that names it, and the node starts from the next
// older one, or replays the whole log when none is left; its state is a
// whole replay's either way.
func TestSnapshotRefused(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	key := MustKey(t)
	const every = 300
	clock := buildLog(t, st, key, 1000, every)
	sizes := snapshotSizes(t, st)
	if len(sizes) != 3 {
		t.Fatalf("snapshots kept = %v, want three", sizes)
	}
	kept := make(map[int64]store.Snapshot)
	for _, n := range sizes {
		s, err := st.LatestSnapshot(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		kept[n] = s
	}
	full := mustOpenEngineWith(t, engine.Config{Store: st, Key: key, Clock: clock.Now, SnapshotEvery: -1})

	spoil := map[string]func(s store.Snapshot) store.Snapshot{
		"WrongRoot": func(s store.Snapshot) store.Snapshot {
			s.Root = bytes.Clone(s.Root)
			s.Root[7] ^= 0x40
			return s
		},
		"CorruptData": func(s store.Snapshot) store.Snapshot {
			s.Data = s.Data[:len(s.Data)/2]
			return s
		},
		"UnknownFormat": func(s store.Snapshot) store.Snapshot {
			s.Format = "tenfour-state/0/" + s.Format
			return s
		},
	}
	why := map[string]string{"WrongRoot": "its root is not the root", "CorruptData": "restore: decode state", "UnknownFormat": "in format"}
	for _, tc := range []struct {
		name   string
		spoilt int   // how many of the newest snapshots are spoilt
		start  int64 // the snapshot the node must start from; 0: none
	}{
		{"WrongRoot", 1, sizes[1]},
		{"CorruptData", 1, sizes[1]},
		{"UnknownFormat", 1, sizes[1]},
		{"WrongRoot", 2, sizes[2]},
		{"CorruptData", 3, 0},
		{"UnknownFormat", 3, 0},
	} {
		t.Run(fmt.Sprintf("%s/%d", tc.name, tc.spoilt), func(t *testing.T) {
			for i, n := range sizes {
				s := kept[n]
				if i < tc.spoilt {
					s = spoil[tc.name](s)
				}
				if err := st.SaveSnapshot(ctx, s); err != nil {
					t.Fatalf("SaveSnapshot(%d) = %v", n, err)
				}
			}
			var logs logBuffer
			e := mustOpenEngineWith(t, engine.Config{Store: st, Key: key, Clock: clock.Now, SnapshotEvery: 1 << 40,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if v := e.Log().Verification(); v.Snapshot != tc.start {
				t.Fatalf("Verification().Snapshot = %d, want %d; log:\n%s", v.Snapshot, tc.start, logs.String())
			}
			for _, n := range sizes[:tc.spoilt] {
				line := fmt.Sprintf("level=WARN msg=\"snapshot refused; trying an older one, else replaying the whole log\" size=%d", n)
				if !strings.Contains(logs.String(), line) || !strings.Contains(logs.String(), why[tc.name]) {
					t.Errorf("the log does not say the snapshot of %d events was refused (%q):\n%s", n, why[tc.name], logs.String())
				}
			}
			sameState(t, "after refusing "+tc.name, e, full)
			if err := e.Close(); err != nil {
				t.Fatalf("Close = %v", err)
			}
		})
	}
}

// TestSnapshotBackgroundCheck: an event altered before the snapshot a
// node starts from is not replayed, but the whole log is still verified:
// in the background, which fails the log (fail-stop) and says so. A start
// without snapshots refuses the same store at once.
func TestSnapshotBackgroundCheck(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	st := MustOpenStore(t, path)
	key := MustKey(t)
	clock := buildLog(t, st, key, 600, 1<<40)
	sizes := snapshotSizes(t, st)
	if len(sizes) != 1 || sizes[0] < 600 {
		t.Fatalf("snapshots kept = %v, want one at Close", sizes)
	}
	// Alter event 5 behind the log's back: a byte of its entry.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `UPDATE leaves SET entry = CAST(replace(CAST(entry AS TEXT), '"seq":5,', '"seq":5 ,') AS BLOB) WHERE seq = 5`); err != nil {
		t.Fatalf("alter event 5: %v", err)
	}

	var logs logBuffer
	e := mustOpenEngineWith(t, engine.Config{Store: st, Key: key, Clock: clock.Now, SnapshotEvery: 1 << 40,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if v := e.Log().Verification(); v.Snapshot != sizes[0] {
		t.Fatalf("Verification().Snapshot = %d, want a start from the snapshot of %d events", v.Snapshot, sizes[0])
	}
	select {
	case <-e.Log().Failed():
	case <-time.After(60 * time.Second):
		t.Fatalf("the log has not failed 60 s after a start on an altered event; Verification() = %+v", e.Log().Verification())
	}
	var ie *ledger.IntegrityError
	if err := e.Log().Err(); !errors.As(err, &ie) || ie.Seq != 5 {
		t.Fatalf("Err() = %v, want an integrity error at event 5", err)
	}
	if v := e.Log().Verification(); !v.Done || !errors.As(v.Err, &ie) || v.Checked >= v.Size {
		t.Errorf("Verification() = %+v, want done with the integrity error, short of the end", v)
	}
	if !strings.Contains(logs.String(), `level=ERROR msg="the background verification of the log failed"`) || !strings.Contains(logs.String(), "event 5") {
		t.Errorf("the log does not say the background verification failed at event 5:\n%s", logs.String())
	}
	if _, err := e.Execute(ctx, root, dispatch.CreateAgency{ID: "late", Name: "Late", Kind: "sheriff"}); err == nil {
		t.Error("Execute after the background verification failed = nil, want the log to refuse it")
	}
	e.Close()

	// The next start does not serve from the snapshot again: it replays
	// the whole log, and refuses it, as a start without snapshots does.
	logs = logBuffer{}
	for _, every := range []int64{1 << 40, -1} {
		_, err = engine.Open(ctx, engine.Config{Store: st, Key: key, SnapshotEvery: every, TimerInterval: -1, SampleInterval: -1,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if !errors.As(err, &ie) || ie.Seq != 5 {
			t.Fatalf("engine.Open (SnapshotEvery %d) after the failed verification = %v, want an integrity error at event 5", every, err)
		}
	}
	if !strings.Contains(logs.String(), "a background verification of the log failed before: replaying the whole log") {
		t.Errorf("the log does not say why the start replays the whole log:\n%s", logs.String())
	}
}

// TestSnapshotGoesOn: a node started from a snapshot of the whole log goes
// on where the log stopped: the next incident takes the next number, and a
// clock behind the log's newest event does not take log time backwards.
func TestSnapshotGoesOn(t *testing.T) {
	st := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	key := MustKey(t)
	buildLog(t, st, key, 500, 1<<40)
	size, err := st.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	serial := 0
	full := mustOpenEngineWith(t, engine.Config{Store: st, Key: key, SnapshotEvery: -1})
	full.Read(func(s *dispatch.State) {
		for id, in := range s.Incidents {
			last = maxTime(last, in.Received)
			var n int
			if _, err := fmt.Sscanf(id, "metro-2026-%06d", &n); err == nil {
				serial = max(serial, n)
			}
		}
	})
	if serial == 0 {
		t.Fatal("the log holds no incident of metro in 2026")
	}
	full.Close()

	// A clock an hour behind the newest incident.
	clock := NewClock(last.Add(-time.Hour), time.Second)
	e := mustOpenEngineWith(t, engine.Config{Store: st, Key: key, Clock: clock.Now, SnapshotEvery: 1 << 40})
	if v := e.Log().Verification(); v.Snapshot != size {
		t.Fatalf("Verification().Snapshot = %d, want a start from the snapshot of the whole log (%d)", v.Snapshot, size)
	}
	res := MustExecute(t, e, root, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "x"}})
	if got, want := res.Events[0].Subject["incident"], fmt.Sprintf("metro-2026-%06d", serial+1); got != want {
		t.Errorf("first incident after the start = %s, want %s", got, want)
	}
	if res.First != size {
		t.Errorf("first event after the start has seq %d, want %d", res.First, size)
	}
	if at := res.Events[0].Time; at.Before(last) {
		t.Errorf("first event after the start at %v, before the log's newest incident at %v: log time went backwards", at, last)
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
