package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// buildLog writes a closed log of records [0, n) signed by k at path and
// returns its last checkpoint's note.
func buildLog(t *testing.T, path string, k *ledger.Key, lo, n int) []byte {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	defer st.Close()
	l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		t.Fatalf("ledger.Open = %v", err)
	}
	if n > 0 {
		if err := mustAppend(t, l, records(lo, lo+n)...).Wait(); err != nil {
			t.Fatalf("Wait() = %v", err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	_, note := l.LatestCheckpoint()
	return note
}

// backupOf copies the SQLite log at path, as "tenfour backup" does.
func backupOf(t *testing.T, path string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := sqlite.Backup(context.Background(), path, out); err != nil {
		t.Fatalf("sqlite.Backup = %v", err)
	}
	return out
}

func TestVerifyStore(t *testing.T) {
	ctx := context.Background()
	k := mustKey(t, "example.test/backup")
	path := dbPath(t)
	buildLog(t, path, k, 0, 300)

	// exec runs SQL on a copy directly, as damage would.
	exec := func(t *testing.T, path, query string, args ...any) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatalf("sql.Open = %v", err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s = %v", query, err)
		}
	}
	verify := func(t *testing.T, path, vkey string) (ledger.StoreReport, error) {
		t.Helper()
		return ledger.VerifyStore(ctx, mustOpenStore(t, path), vkey)
	}

	t.Run("OK", func(t *testing.T) {
		rep, err := verify(t, backupOf(t, path), k.Text)
		if err != nil {
			t.Fatalf("VerifyStore(backup) = %v", err)
		}
		l := mustOpenLog(t, mustOpenStore(t, path), k)
		want := rfc6962Root(mustEntries(t, l, 300))
		if rep.Size != 300 || rep.Root != want || rep.Checkpoint.Size != 300 || rep.Checkpoint.Root != want {
			t.Fatalf("VerifyStore = size %d root %v checkpoint %d %v, want 300 %v 300 %v", rep.Size, rep.Root, rep.Checkpoint.Size, rep.Checkpoint.Root, want, want)
		}
	})
	t.Run("ErrAltered", func(t *testing.T) {
		cp := backupOf(t, path)
		exec(t, cp, `UPDATE leaves SET entry = replace(entry, '"note":"event 123"', '"note":"event 124"') WHERE seq = 123`)
		_, err := verify(t, cp, k.Text)
		var ie *ledger.IntegrityError
		if !errors.As(err, &ie) || ie.Seq != 123 || !strings.Contains(err.Error(), "altered") {
			t.Fatalf("VerifyStore(altered event 123) = %v, want an IntegrityError naming event 123 as altered", err)
		}
	})
	t.Run("ErrMissingEvents", func(t *testing.T) {
		cp := backupOf(t, path)
		exec(t, cp, `DELETE FROM leaves WHERE seq >= 250`)
		_, err := verify(t, cp, k.Text)
		if err == nil || !strings.Contains(err.Error(), "events are missing") {
			t.Fatalf("VerifyStore(log cut at 250) = %v, want missing events", err)
		}
	})
	t.Run("ErrCheckpointSignature", func(t *testing.T) {
		cp := backupOf(t, path)
		exec(t, cp, `UPDATE checkpoints SET note = replace(note, '300', '301')`)
		_, err := verify(t, cp, k.Text)
		if err == nil || !strings.Contains(err.Error(), "checkpoint") {
			t.Fatalf("VerifyStore(forged checkpoint) = %v, want a checkpoint error", err)
		}
	})
	t.Run("ErrNoCheckpoint", func(t *testing.T) {
		cp := backupOf(t, path)
		exec(t, cp, `DELETE FROM checkpoints`)
		_, err := verify(t, cp, k.Text)
		if err == nil || !strings.Contains(err.Error(), "no signed checkpoint") {
			t.Fatalf("VerifyStore(no checkpoint) = %v, want no signed checkpoint", err)
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		other := mustKey(t, "example.test/other")
		_, err := verify(t, backupOf(t, path), other.Text)
		if err == nil || !strings.Contains(err.Error(), "signed by key") {
			t.Fatalf("VerifyStore(other key) = %v, want a key mismatch", err)
		}
	})
}

func TestGuard(t *testing.T) {
	ctx := context.Background()
	k := mustKey(t, "example.test/guard")
	path := dbPath(t)
	note50 := buildLog(t, path, k, 0, 50)
	old := backupOf(t, path)
	note100 := buildLog(t, path, k, 50, 50)
	fork := buildLog(t, dbPath(t), k, 1000, 30) // the same key, other events

	open := func(t *testing.T, g ledger.Guard) (*ledger.Log, error) {
		t.Helper()
		st := mustOpenStore(t, backupOf(t, old))
		l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour, Node: "restored", Guard: g}, nil)
		if err == nil {
			t.Cleanup(func() { l.Close() })
		}
		return l, err
	}

	t.Run("HeldShorterThanPublished", func(t *testing.T) {
		l, err := open(t, ledger.Guard{Published: [][]byte{note50, note100}})
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		h := l.Held()
		if h == nil || l.IsSequencer() || !strings.Contains(h.Reason, "50 events") || !strings.Contains(h.Reason, "checkpoint of 100") {
			t.Fatalf("Held() = %v, IsSequencer() = %v; want held for 50 events against 100", h, l.IsSequencer())
		}
		if rb := l.Rollback(); rb == nil || rb.Size != 50 || rb.Published.Size != 100 {
			t.Fatalf("Rollback() = %+v, want 50 against 100", rb)
		}
		var ns *ledger.NotSequencerError
		if _, err := l.Append(records(50, 51)); !errors.As(err, &ns) {
			t.Fatalf("Append on a held log = %v, want NotSequencerError", err)
		}
	})
	t.Run("HeldForAReason", func(t *testing.T) {
		l, err := open(t, ledger.Guard{Hold: "restored"})
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		if h := l.Held(); h == nil || h.Reason != "restored" || l.IsSequencer() {
			t.Fatalf("Held() = %v, IsSequencer() = %v; want held, not sequencing", h, l.IsSequencer())
		}
	})
	t.Run("AcceptRollback", func(t *testing.T) {
		l, err := open(t, ledger.Guard{Published: [][]byte{note100}, Hold: "restored", AcceptRollback: true})
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		if h := l.Held(); h != nil || !l.IsSequencer() {
			t.Fatalf("Held() = %v, IsSequencer() = %v; want sequencing", h, l.IsSequencer())
		}
		if rb := l.Rollback(); rb == nil || rb.Published.Size != 100 {
			t.Fatalf("Rollback() = %+v, want the checkpoint of 100", rb)
		}
	})
	t.Run("NotShorter", func(t *testing.T) {
		var kept [][]byte
		l, err := open(t, ledger.Guard{Published: [][]byte{note50}, OnCheckpoint: func(n []byte) { kept = append(kept, n) }})
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		if l.Held() != nil || l.Rollback() != nil || !l.IsSequencer() {
			t.Fatalf("Held() = %v, Rollback() = %v; want a sequencer", l.Held(), l.Rollback())
		}
		if err := mustAppend(t, l, records(50, 60)...).Wait(); err != nil {
			t.Fatal(err)
		}
		c, note := mustCheckpoint(t, l)
		if c.Size != 60 || len(kept) == 0 || string(kept[len(kept)-1]) != string(note) {
			t.Fatalf("OnCheckpoint got %d notes, last %q; want the checkpoint of 60 %q", len(kept), kept, note)
		}
	})
	t.Run("ErrFork", func(t *testing.T) {
		_, err := open(t, ledger.Guard{Published: [][]byte{fork}})
		var ie *ledger.IntegrityError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "another history") {
			t.Fatalf("Open with a checkpoint of another history = %v, want an IntegrityError", err)
		}
	})
	t.Run("ErrOtherLog", func(t *testing.T) {
		other := mustKey(t, "example.test/other")
		_, err := open(t, ledger.Guard{Published: [][]byte{buildLog(t, dbPath(t), other, 0, 5)}})
		if err == nil || !strings.Contains(err.Error(), "published checkpoint") {
			t.Fatalf("Open with another log's checkpoint = %v, want refused", err)
		}
	})
}

// BenchmarkVerifyStore measures the check a backup gets as it is written
// and before it is restored, per event of a 20,000-event log.
func BenchmarkVerifyStore(b *testing.B) {
	const n = 20000
	ctx := context.Background()
	k := mustKey(b, "example.test/bench")
	path := filepath.Join(b.TempDir(), "tenfour.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < n; lo += 1000 {
		if err := mustAppend(b, l, records(lo, lo+1000)...).Wait(); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := ledger.VerifyStore(ctx, st, k.Text)
		if err != nil || rep.Size != n {
			b.Fatalf("VerifyStore = %d events, %v", rep.Size, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/event")
}
