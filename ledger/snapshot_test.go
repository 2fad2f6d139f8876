package ledger_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"golang.org/x/mod/sumdb/tlog"
)

// toyFormat is the format of the toy state's snapshots.
const toyFormat = "toy/1"

// A toy is the state these tests fold events into: one line per event,
// its sequence number, type and opened private fields.
type toy struct {
	lines    []string
	replayed int // events replayed since Open, not restored
}

func (t *toy) replay(r ledger.Replayed) error {
	fields := make([]string, 0, len(r.Openings))
	for f, v := range r.Openings {
		fields = append(fields, f+"="+v)
	}
	slices.Sort(fields)
	t.lines = append(t.lines, fmt.Sprintf("%d %s %s", r.Entry.Seq, r.Entry.Type, strings.Join(fields, ",")))
	t.replayed++
	return nil
}

func (t *toy) restore(s store.Snapshot) error {
	var lines []string
	if err := json.Unmarshal(s.Data, &lines); err != nil {
		return err
	}
	if int64(len(lines)) != s.Size {
		return fmt.Errorf("a toy of %d lines for %d events", len(lines), s.Size)
	}
	t.lines = lines
	return nil
}

// openToy opens a log on st whose state is a toy, with snapshots.
func openToy(tb testing.TB, st interface {
	ledger.Store
	ledger.Snapshots
}, k *ledger.Key, logger *slog.Logger) (*ledger.Log, *toy, error) {
	tb.Helper()
	t := &toy{}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l, err := ledger.Open(context.Background(), ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour, Logger: logger,
		Snapshots: st, SnapshotFormat: toyFormat, Restore: t.restore}, t.replay)
	return l, t, err
}

// copyFile copies a closed SQLite database, with its write-ahead log if it
// has one, and returns the copy's path.
func copyFile(tb testing.TB, from string) string {
	tb.Helper()
	to := filepath.Join(tb.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return to
}

// execSQL runs a statement on a closed SQLite database, behind the log's
// back, and fails the test if it changed nothing.
func execSQL(tb testing.TB, path, query string, args ...any) {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(query, args...)
	if err != nil {
		tb.Fatalf("%s = %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		tb.Fatalf("%s changed nothing", query)
	}
}

// cappedStore shows a store's snapshots as they were when the latest was
// of at most max events.
type cappedStore struct {
	*sqlite.DB
	max int64
}

func (c cappedStore) LatestSnapshot(ctx context.Context, atMost int64) (store.Snapshot, error) {
	return c.DB.LatestSnapshot(ctx, min(atMost, c.max))
}

// TestSnapshotBinds builds a log of 300 events whose last signed
// checkpoint is at 100, with snapshots before, at and after it: a start
// from each replays only the events after it, and ends with the state of a
// whole replay. A snapshot whose root the store's hashes were altered to
// give is not consistent with the signed checkpoint: it is refused, and
// the whole replay finds the altered hash.
func TestSnapshotBinds(t *testing.T) {
	ctx := context.Background()
	k := mustKey(t, "example.test/snapshots")
	path := dbPath(t)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := openToy(t, st, k, nil)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	mustAppend(t, l, records(0, 100)...)
	mustCheckpoint(t, l)
	mustAppend(t, l, records(100, 300)...)
	if err := l.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	// Replayed, the toy holds every event: save snapshots of it.
	l, state, err := openToy(t, st, k, nil)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	all := slices.Clone(state.lines)
	if len(all) != 300 {
		t.Fatalf("the toy replayed %d events, want 300", len(all))
	}
	for _, n := range []int64{64, 100, 150} {
		data, err := json.Marshal(state.lines[:n])
		if err != nil {
			t.Fatal(err)
		}
		if err := l.SaveSnapshot(ctx, n, data); err != nil {
			t.Fatalf("SaveSnapshot(%d) = %v", n, err)
		}
	}
	if err := l.SaveSnapshot(ctx, 301, []byte("[]")); err == nil {
		t.Error("SaveSnapshot(301) of a log of 300 events = nil, want an error")
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	st.Close()
	// As if the node had stopped without the checkpoint Close signs: the
	// last signed checkpoint is at 100.
	execSQL(t, path, `DELETE FROM checkpoints WHERE size > 100`)

	for _, n := range []int64{64, 100, 150} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			st := mustOpenStore(t, copyFile(t, path))
			l, state, err := openToy(t, cappedStore{st, n}, k, nil)
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			defer l.Close()
			if v := l.Verification(); v.Snapshot != n || state.replayed != 300-int(n) {
				t.Errorf("Verification() = %+v and %d events replayed, want a start from %d and %d replayed", v, state.replayed, n, 300-n)
			}
			if !slices.Equal(state.lines, all) {
				t.Errorf("state after a start from %d = %d lines, want those of a whole replay (%d)", n, len(state.lines), len(all))
			}
		})
	}
}

// TestSnapshotAlteredHash: whoever can write to the store alters the
// stored hash of the first 64 events and saves a snapshot whose root is
// the altered hash. The root matches the store, but is not consistent
// with the signed checkpoint: the snapshot is refused, and the whole
// replay that follows names the altered event.
func TestSnapshotAlteredHash(t *testing.T) {
	ctx := context.Background()
	k := mustKey(t, "example.test/snapshots")
	path := dbPath(t)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := openToy(t, st, k, nil)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	mustAppend(t, l, records(0, 100)...)
	if err := l.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	l, state, err := openToy(t, st, k, nil)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	data, err := json.Marshal(state.lines[:64])
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	// Leaf 63 completes the subtree of the first 64 leaves: its stored
	// hash at level 6 is the root of the tree of size 64.
	hs, err := st.ReadHashes(ctx, []int64{63})
	if err != nil || len(hs[0]) != 7*tlog.HashSize {
		t.Fatalf("ReadHashes(63) = %d bytes, %v; want 7 hashes", len(hs[0]), err)
	}
	altered := slices.Clone(hs[0])
	altered[len(altered)-1] ^= 0x01
	if err := st.SaveSnapshot(ctx, store.Snapshot{Size: 64, Root: altered[6*tlog.HashSize:], Format: toyFormat, Data: data, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	execSQL(t, path, `UPDATE leaves SET hashes = ? WHERE seq = 63`, altered)

	var logs bytes.Buffer
	_, _, err = openToy(t, mustOpenStore(t, path), k, slog.New(slog.NewTextHandler(&logs, nil)))
	var ie *ledger.IntegrityError
	if !errors.As(err, &ie) || ie.Seq != 63 {
		t.Fatalf("Open = %v, want an integrity error at event 63", err)
	}
	if !strings.Contains(logs.String(), "snapshot refused") || !strings.Contains(logs.String(), "not a prefix of signed checkpoint 100") {
		t.Errorf("the log does not say the snapshot was refused as inconsistent with checkpoint 100:\n%s", logs.String())
	}
}
