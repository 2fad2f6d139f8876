package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"github.com/tenfour-cad/tenfour/store/storetest"
)

// The store answers the engine for what is not in memory.
var _ engine.History = (*sqlite.DB)(nil)

// mustOpen opens the SQLite store at path and closes it when the test ends.
func mustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("sqlite.Open(%s) = %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "tenfour.db"))
	})
}

// TestReopen checks that everything written is on disk: a store closed and
// opened again (migrations run again) holds all of it.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tenfour.db")
	created := time.Date(2025, 6, 7, 8, 9, 10, 11, time.UTC)
	op := store.Opening{Seq: 7, Field: "phone", Salt: []byte("0123456789abcdef0123456789abcdef"), Value: "+46 70 123 45 67"}
	cp := store.Checkpoint{Size: 10, Note: []byte("origin\n10\nroot\n\n— sig\n")}
	user := store.User{Username: "ann", Agency: "north", Roles: []string{"dispatcher"}, PasswordHash: "h", Created: created}
	token := store.Token{Hash: []byte("0123456789abcdef0123456789abcdef"), Username: "ann", Created: created, Expires: created.Add(time.Hour)}

	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("sqlite.Open(%s) = %v", path, err)
	}
	steps := []struct {
		name string
		err  error
	}{
		{"Append", db.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 10), Openings: []store.Opening{op}})},
		{"SaveCheckpoint", db.SaveCheckpoint(ctx, cp)},
		{"SetMeta", db.SetMeta(ctx, "log.key", "k")},
		{"CreateUser", db.CreateUser(ctx, user)},
		{"CreateToken", db.CreateToken(ctx, token)},
	}
	for _, s := range steps {
		if s.err != nil {
			t.Fatalf("%s = %v", s.name, s.err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	db = mustOpen(t, path)
	if n, err := db.LogSize(ctx); err != nil || n != 10 {
		t.Fatalf("LogSize() after reopening = %d, %v, want 10", n, err)
	}
	es, err := db.ReadEntries(ctx, 0, 10)
	if err != nil {
		t.Fatalf("ReadEntries(0, 10) after reopening = %v", err)
	}
	for i, e := range es {
		if !bytes.Equal(e, storetest.Entry(int64(i))) {
			t.Errorf("ReadEntries(0, 10)[%d] after reopening = %q, want %q", i, e, storetest.Entry(int64(i)))
		}
	}
	if os, err := db.ReadOpenings(ctx, []int64{7}); err != nil || len(os) != 1 || os[0].Value != op.Value || !bytes.Equal(os[0].Salt, op.Salt) {
		t.Errorf("ReadOpenings(7) after reopening = %+v, %v, want [%+v]", os, err, op)
	}
	if c, err := db.LatestCheckpoint(ctx); err != nil || c.Size != cp.Size || !bytes.Equal(c.Note, cp.Note) {
		t.Errorf("LatestCheckpoint() after reopening = %+v, %v, want %+v", c, err, cp)
	}
	if v, err := db.Meta(ctx, "log.key"); err != nil || v != "k" {
		t.Errorf("Meta(log.key) after reopening = %q, %v, want k", v, err)
	}
	if u, err := db.User(ctx, "ann"); err != nil || !u.Created.Equal(created) || !slices.Equal(u.Roles, user.Roles) {
		t.Errorf("User(ann) after reopening = %+v, %v, want %+v", u, err, user)
	}
	if tk, err := db.TokenByHash(ctx, token.Hash); err != nil || !tk.Expires.Equal(token.Expires) {
		t.Errorf("TokenByHash after reopening = %+v, %v, want %+v", tk, err, token)
	}
	// The log goes on where it ended.
	if err := db.Append(ctx, store.Batch{Leaves: storetest.Leaves(10, 11)}); err != nil {
		t.Errorf("Append(10) after reopening = %v", err)
	}
}

// TestScanLeavesGap checks ScanLeaves on a table with a hole no Append can
// make (a row deleted behind the store's back): every leaf that is there is
// handed over once, in order, across the page boundary.
func TestScanLeavesGap(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tenfour.db")
	const n = 9000
	db := mustOpen(t, path)
	if err := db.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, n)}); err != nil {
		t.Fatalf("Append(0…%d) = %v", n-1, err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("sql.Open(%s) = %v", path, err)
	}
	defer raw.Close()
	deleted := []int64{5, 4100, 4101, 8000}
	for _, s := range deleted {
		if _, err := raw.ExecContext(ctx, `DELETE FROM leaves WHERE seq = ?`, s); err != nil {
			t.Fatalf("DELETE leaf %d = %v", s, err)
		}
	}
	var got []int64
	if err := db.ScanLeaves(ctx, 0, func(l store.Leaf) error { got = append(got, l.Seq); return nil }); err != nil {
		t.Fatalf("ScanLeaves(0) = %v", err)
	}
	var want []int64
	for s := int64(0); s < n; s++ {
		if !slices.Contains(deleted, s) {
			want = append(want, s)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ScanLeaves(0) with leaves %v deleted = %d leaves, want each of the %d others once", deleted, len(got), len(want))
	}
	if _, err := db.ReadEntries(ctx, 0, 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReadEntries(0, 10) with leaf 5 deleted = %v, want ErrNotFound", err)
	}
}
