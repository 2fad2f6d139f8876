package ledger_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite" // also registers the "sqlite" driver, to tamper with the file
	"golang.org/x/mod/sumdb/tlog"
)

// TestGroupCommit has 64 goroutines append at once. Every event gets its own
// sequence number, with no gaps, every append is acknowledged only once it is
// durable, and the log reopens and verifies.
func TestGroupCommit(t *testing.T) {
	const writers, each = 64, 8
	ctx := context.Background()
	path := dbPath(t)
	k := mustKey(t, "example.test/group")
	st := mustOpenStore(t, path)
	var (
		mu       sync.Mutex
		commits  [][]store.Leaf
		appended = make(map[int64][]byte) // seq → entry, as each Append returned it
	)
	l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour, OnCommit: func(ps []*ledger.Pending) {
		var ls []store.Leaf
		for _, p := range ps {
			for i, e := range p.Entries {
				ls = append(ls, store.Leaf{Seq: p.First + int64(i), Entry: e})
			}
		}
		mu.Lock()
		commits = append(commits, ls)
		mu.Unlock()
	}}, nil)
	if err != nil {
		t.Fatalf("ledger.Open = %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				p, err := l.Append([]ledger.Record{record(w*each + i)})
				if err != nil {
					errs <- fmt.Errorf("writer %d: Append = %v", w, err)
					return
				}
				// Durable means readable from the store now.
				es, err := st.ReadEntries(ctx, p.First, p.First+1)
				if err != nil || !bytes.Equal(es[0], p.Entries[0]) {
					errs <- fmt.Errorf("writer %d: event %d acknowledged but ReadEntries = %q, %v", w, p.First, es, err)
					return
				}
				mu.Lock()
				if _, dup := appended[p.First]; dup {
					errs <- fmt.Errorf("writer %d: event %d handed out twice", w, p.First)
				}
				appended[p.First] = p.Entries[0]
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	const n = writers * each
	if l.Size() != n {
		t.Errorf("Size() = %d, want %d", l.Size(), n)
	}
	if size, err := st.LogSize(ctx); err != nil || size != n {
		t.Errorf("store LogSize() = %d, %v, want %d", size, err, n)
	}
	stored := mustEntries(t, l, n)
	for seq := range int64(n) {
		if e, ok := appended[seq]; !ok || !bytes.Equal(e, stored[seq]) {
			t.Fatalf("event %d: appended %q, stored %q", seq, e, stored[seq])
		}
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	// OnCommit saw every leaf once, in log order.
	var next int64
	for _, c := range commits {
		for _, leaf := range c {
			if leaf.Seq != next || !bytes.Equal(leaf.Entry, stored[leaf.Seq]) {
				t.Fatalf("OnCommit leaf %d, want %d with its stored entry", leaf.Seq, next)
			}
			next++
		}
	}
	if next != n {
		t.Errorf("OnCommit saw %d leaves, want %d", next, n)
	}
	t.Logf("%d events in %d commits", n, len(commits))

	var replayed []int64
	l, err = ledger.Open(ctx, ledger.Config{Store: st, Key: k}, func(r ledger.Replayed) error {
		replayed = append(replayed, r.Entry.Seq)
		return nil
	})
	if err != nil {
		t.Fatalf("ledger.Open after %d concurrent appends = %v", n, err)
	}
	defer l.Close()
	if l.Size() != n || len(replayed) != n || !slices.IsSorted(replayed) {
		t.Errorf("reopened: Size() = %d, %d events replayed, want %d in order", l.Size(), len(replayed), n)
	}
}

// TestClose checks that Close commits everything enqueued before it and signs
// a checkpoint covering all of it, which a reopened log starts from.
func TestClose(t *testing.T) {
	const n = 100
	ctx := context.Background()
	path := dbPath(t)
	k := mustKey(t, "example.test/close")
	st := mustOpenStore(t, path)
	l := mustOpenLog(t, st, k)
	var ps []*ledger.Pending
	for i := range n {
		p, err := l.Enqueue([]ledger.Record{record(i)})
		if err != nil {
			t.Fatalf("Enqueue(%d) = %v", i, err)
		}
		ps = append(ps, p)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	for i, p := range ps {
		if err := p.Wait(); err != nil {
			t.Fatalf("Wait() of event %d enqueued before Close = %v", i, err)
		}
	}
	if _, err := l.Append([]ledger.Record{record(n)}); !errors.Is(err, ledger.ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close() again = %v, want nil", err)
	}
	sc, err := st.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatalf("store LatestCheckpoint() = %v", err)
	}
	c, err := ledger.OpenCheckpoint(sc.Note, k.Verifier)
	if err != nil {
		t.Fatalf("OpenCheckpoint(stored checkpoint) = %v", err)
	}
	if sc.Size != n || c.Size != n {
		t.Fatalf("checkpoint at Close covers %d (%d) events, want %d", sc.Size, c.Size, n)
	}

	// Reopened on a fresh connection to the file.
	st.Close()
	l = mustOpenLog(t, mustOpenStore(t, path), k)
	entries := mustEntries(t, l, n)
	got, _ := l.LatestCheckpoint()
	if l.Size() != n || got != c {
		t.Fatalf("reopened: Size() = %d, LatestCheckpoint() = %+v, want %d, %+v", l.Size(), got, n, c)
	}
	if want := rfc6962Root(entries); c.Root != want {
		t.Fatalf("checkpoint at Close has root %v, want %v (RFC 6962 of the %d events)", c.Root, want, n)
	}
	if p := mustAppend(t, l, record(n)); p.First != n {
		t.Errorf("first Append after reopening = event %d, want %d", p.First, n)
	}
}

func TestAppendEdgeCases(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	k := mustKey(t, "example.test/edges")
	st := mustOpenStore(t, path)
	l := mustOpenLog(t, st, k)
	mustAppend(t, l, records(0, 3)...)

	for _, recs := range [][]ledger.Record{nil, {}} {
		p, err := l.Append(recs)
		if err != nil || len(p.Entries) != 0 {
			t.Fatalf("Append(%d records) = %+v, %v, want no events and nil", len(recs), p, err)
		}
	}
	noType := record(3)
	noType.Type = ""
	noActor := record(3)
	noActor.Actor = ledger.Actor{}
	for _, tt := range []struct {
		name string
		recs []ledger.Record
	}{
		{"NoType", []ledger.Record{record(3), noType}},
		{"NoActor", []ledger.Record{noActor, record(4)}},
	} {
		if p, err := l.Append(tt.recs); err == nil {
			t.Errorf("%s: Append = %+v, nil, want an error", tt.name, p)
		}
	}
	// A refused Append takes no sequence numbers and leaves the tree as it was.
	if p := mustAppend(t, l, record(3)); p.First != 3 {
		t.Fatalf("Append after refused ones = event %d, want 3", p.First)
	}
	if l.Size() != 4 {
		t.Fatalf("Size() = %d, want 4", l.Size())
	}
	c, _ := mustCheckpoint(t, l)
	if want := rfc6962Root(mustEntries(t, l, 4)); c.Root != want {
		t.Fatalf("checkpoint root = %v, want %v", c.Root, want)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if _, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k}, nil); err != nil {
		t.Fatalf("ledger.Open after refused appends = %v", err)
	}
}

// TestReplay checks what Open hands the replay function: every event in
// order, its exact bytes, and the openings of its private fields, without
// those that were erased.
func TestReplay(t *testing.T) {
	const n = 30
	ctx := context.Background()
	k := mustKey(t, "example.test/replay")
	st := mustOpenStore(t, dbPath(t))
	l := mustOpenLog(t, st, k)
	mustAppend(t, l, records(0, n)...)
	if err := st.EraseOpening(ctx, 3, "caller_phone"); err != nil {
		t.Fatalf("EraseOpening(3, caller_phone) = %v", err)
	}
	entries := mustEntries(t, l, n)
	l.Close()

	var got []ledger.Replayed
	l2, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k}, func(r ledger.Replayed) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatalf("ledger.Open = %v", err)
	}
	defer l2.Close()
	if len(got) != n {
		t.Fatalf("replayed %d events, want %d", len(got), n)
	}
	for i, r := range got {
		if r.Entry.Seq != int64(i) || !bytes.Equal(r.Raw, entries[i]) {
			t.Fatalf("replayed event %d = seq %d %q, want %q", i, r.Entry.Seq, r.Raw, entries[i])
		}
		want := record(i).Private
		if i == 3 {
			delete(want, "caller_phone")
		}
		if len(r.Openings) != len(want) {
			t.Fatalf("replayed event %d has openings %v, want %v", i, r.Openings, want)
		}
		for f, v := range want {
			if r.Openings[f] != v {
				t.Fatalf("replayed event %d opening %s = %q, want %q", i, f, r.Openings[f], v)
			}
		}
	}

	// A replay error stops Open.
	stop := errors.New("stop")
	if _, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k}, func(r ledger.Replayed) error {
		if r.Entry.Seq == 7 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) {
		t.Errorf("ledger.Open with replay failing at 7 = %v, want the replay's error", err)
	}
}

// TestOpenIntegrity builds a log, closes it, alters the SQLite file behind
// the store's back, and checks that Open refuses it and names the event.
func TestOpenIntegrity(t *testing.T) {
	const n = 300
	ctx := context.Background()
	k := mustKey(t, "example.test/integrity")

	// build returns the path of a closed log of n events.
	build := func(t *testing.T) string {
		t.Helper()
		path := dbPath(t)
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("sqlite.Open = %v", err)
		}
		l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour}, nil)
		if err != nil {
			t.Fatalf("ledger.Open = %v", err)
		}
		for lo := 0; lo < n; lo += 100 {
			mustAppend(t, l, records(lo, lo+100)...)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if err := st.Close(); err != nil {
			t.Fatalf("store Close() = %v", err)
		}
		return path
	}
	// exec runs SQL on the file directly.
	exec := func(t *testing.T, path, query string, args ...any) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatalf("sql.Open(%s) = %v", path, err)
		}
		defer db.Close()
		res, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("%s = %v", query, err)
		}
		if rows, _ := res.RowsAffected(); rows == 0 {
			t.Fatalf("%s changed no row", query)
		}
	}
	// column reads one blob of a leaf.
	column := func(t *testing.T, path, col string, seq int64) []byte {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatalf("sql.Open(%s) = %v", path, err)
		}
		defer db.Close()
		var b []byte
		if err := db.QueryRowContext(ctx, `SELECT `+col+` FROM leaves WHERE seq = ?`, seq).Scan(&b); err != nil {
			t.Fatalf("SELECT %s of leaf %d = %v", col, seq, err)
		}
		return b
	}
	flipByte := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x01
		return b
	}

	tests := []struct {
		name   string
		tamper func(t *testing.T, path string)
		seq    int64  // the event the error must name; -1 for the log as a whole
		reason string // part of the error's reason
	}{
		{"EntryByte", func(t *testing.T, path string) {
			e := column(t, path, "entry", 123)
			i := bytes.Index(e, []byte(`"note":"event 123"`)) + len(`"note":"event `)
			exec(t, path, `UPDATE leaves SET entry = ? WHERE seq = 123`, flipByte(e, i)) // still valid JSON
		}, 123, "altered"},
		{"EntryFirstByte", func(t *testing.T, path string) {
			exec(t, path, `UPDATE leaves SET entry = ? WHERE seq = 0`, flipByte(column(t, path, "entry", 0), 0))
		}, 0, "altered"},
		{"LastEntry", func(t *testing.T, path string) {
			e := column(t, path, "entry", n-1)
			exec(t, path, `UPDATE leaves SET entry = ? WHERE seq = ?`, flipByte(e, len(e)-2), n-1)
		}, n - 1, "altered"},
		{"LeafHash", func(t *testing.T, path string) {
			exec(t, path, `UPDATE leaves SET hashes = ? WHERE seq = 123`, flipByte(column(t, path, "hashes", 123), 5))
		}, 123, "altered"},
		{"TreeHash", func(t *testing.T, path string) {
			// Leaf 127 completes subtrees of levels 1 to 7: alter the last.
			h := column(t, path, "hashes", 127)
			if len(h) != 8*tlog.HashSize {
				t.Fatalf("leaf 127 stores %d bytes of hashes, want 8 hashes", len(h))
			}
			exec(t, path, `UPDATE leaves SET hashes = ? WHERE seq = 127`, flipByte(h, len(h)-1))
		}, 127, "tree hashes"},
		{"HashesTruncated", func(t *testing.T, path string) {
			exec(t, path, `UPDATE leaves SET hashes = ? WHERE seq = 123`, column(t, path, "hashes", 123)[:tlog.HashSize])
		}, 123, "tree hashes"},
		{"HashesEmpty", func(t *testing.T, path string) {
			exec(t, path, `UPDATE leaves SET hashes = x'' WHERE seq = 123`)
		}, 123, "altered"},
		{"EventDeleted", func(t *testing.T, path string) {
			exec(t, path, `DELETE FROM leaves WHERE seq = 123`)
		}, 123, "missing"},
		{"TailDeleted", func(t *testing.T, path string) {
			exec(t, path, `DELETE FROM leaves WHERE seq >= ?`, n-10)
		}, n - 10, "events were lost"},
		{"EventsSwapped", func(t *testing.T, path string) {
			a, b := column(t, path, "entry", 10), column(t, path, "entry", 11)
			exec(t, path, `UPDATE leaves SET entry = ? WHERE seq = 10`, b)
			exec(t, path, `UPDATE leaves SET entry = ? WHERE seq = 11`, a)
		}, 10, "altered"},
		{"Rewritten", func(t *testing.T, path string) {
			// The whole tree recomputed around an altered event: only the
			// signed checkpoint can tell.
			rewrite(t, path, 123, func(e []byte) []byte {
				return bytes.Replace(e, []byte(`"to":"on_scene"`), []byte(`"to":"at_station"`), 1)
			})
		}, -1, "checkpoint"},
		{"RewrittenSeq", func(t *testing.T, path string) {
			rewrite(t, path, 123, func(e []byte) []byte {
				return bytes.Replace(e, []byte(`{"seq":123,`), []byte(`{"seq":124,`), 1)
			})
		}, 123, "event 124"},
		{"CheckpointForged", func(t *testing.T, path string) {
			exec(t, path, `UPDATE checkpoints SET note = ? WHERE size = ?`, []byte("example.test/integrity\n300\n"+emptyRootB64+"\n\n— example.test/integrity AAAA\n"), n)
		}, -1, "checkpoint"},
		{"KeyForgotten", func(t *testing.T, path string) {
			exec(t, path, `DELETE FROM meta WHERE key = 'log.key'`)
		}, -1, "key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := build(t)
			tt.tamper(t, path)
			st := mustOpenStore(t, path)
			l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k}, nil)
			if err == nil {
				l.Close()
				t.Fatalf("ledger.Open of a tampered log = nil error, want an *IntegrityError")
			}
			var ie *ledger.IntegrityError
			if !errors.As(err, &ie) {
				t.Fatalf("ledger.Open of a tampered log = %v, want an *IntegrityError", err)
			}
			if ie.Seq != tt.seq || !strings.Contains(ie.Reason, tt.reason) {
				t.Fatalf("ledger.Open of a tampered log = %v (event %d), want event %d and a reason with %q", err, ie.Seq, tt.seq, tt.reason)
			}
		})
	}

	t.Run("Untouched", func(t *testing.T) {
		path := build(t)
		l, err := ledger.Open(ctx, ledger.Config{Store: mustOpenStore(t, path), Key: k}, nil)
		if err != nil {
			t.Fatalf("ledger.Open of an untouched log = %v", err)
		}
		l.Close()
	})
	t.Run("OtherKey", func(t *testing.T) {
		path := build(t)
		for _, other := range []*ledger.Key{mustKey(t, "example.test/integrity"), mustKey(t, "example.test/other")} {
			l, err := ledger.Open(ctx, ledger.Config{Store: mustOpenStore(t, path), Key: other}, nil)
			if err == nil {
				l.Close()
				t.Fatalf("ledger.Open with key %q of a log signed by %q = nil error, want an error", other.Text, k.Text)
			}
			if !strings.Contains(err.Error(), k.Text) {
				t.Errorf("ledger.Open with another key = %v, want an error naming the log's key", err)
			}
		}
	})
}

// rewrite alters event seq of the log at path with change and recomputes
// every stored hash from it on, as someone with write access to the database
// could.
func rewrite(t *testing.T, path string, seq int64, change func([]byte) []byte) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("sql.Open(%s) = %v", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT entry FROM leaves ORDER BY seq`)
	if err != nil {
		t.Fatalf("SELECT entries = %v", err)
	}
	var entries [][]byte
	for rows.Next() {
		var e []byte
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	altered := change(entries[seq])
	if bytes.Equal(altered, entries[seq]) {
		t.Fatalf("rewrite: event %d unchanged", seq)
	}
	entries[seq] = altered
	var storage hashStorage
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i, e := range entries {
		hs, err := tlog.StoredHashes(int64(i), e, storage)
		if err != nil {
			t.Fatalf("tlog.StoredHashes(%d) = %v", i, err)
		}
		storage = append(storage, hs...)
		if int64(i) < seq {
			continue
		}
		var b []byte
		for _, h := range hs {
			b = append(b, h[:]...)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE leaves SET entry = ?, hashes = ? WHERE seq = ?`, e, b, i); err != nil {
			t.Fatalf("UPDATE leaf %d = %v", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// hashStorage is every stored hash of a tree in tlog's index order.
type hashStorage []tlog.Hash

func (s hashStorage) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = s[x]
	}
	return out, nil
}
