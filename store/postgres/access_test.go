package postgres_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

// TestMigrateAccess checks migration 00003 on a database that holds users and
// tokens made before it: each token gets the id of the convention, hex of its
// hash's first 8 bytes, no name, roles or use, and each user no second factor
// and no lock.
func TestMigrateAccess(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.MustNewDatabase(t)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("sql.Open(pgx) = %v", err)
	}
	defer raw.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, raw, os.DirFS("migrations"))
	if err != nil {
		t.Fatalf("goose.NewProvider = %v", err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatalf("migrating up to 00002 = %v", err)
	}
	created := time.Date(2025, 2, 3, 4, 5, 6, 7, time.UTC)
	if _, err := raw.ExecContext(ctx, `INSERT INTO users (username, agency, roles, password_hash, created) VALUES ('ann', 'north', '{dispatcher}', 'h', $1)`,
		created.Format(time.RFC3339Nano)); err != nil {
		t.Fatalf("INSERT user = %v", err)
	}
	var hashes [][]byte
	for _, s := range []string{"forever", "expiring"} {
		h := sha256.Sum256([]byte(s))
		hashes = append(hashes, h[:])
	}
	expires := created.Add(time.Hour)
	if _, err := raw.ExecContext(ctx, `INSERT INTO tokens (hash, username, created, expires) VALUES ($1, 'ann', $3, NULL), ($2, 'ann', $3, $4)`,
		hashes[0], hashes[1], created.Format(time.RFC3339Nano), expires.Format(time.RFC3339Nano)); err != nil {
		t.Fatalf("INSERT tokens = %v", err)
	}

	db := mustOpen(t, dsn)
	u, err := db.User(ctx, "ann")
	if err != nil || u.TOTPSecret != "" || !u.LockedUntil.IsZero() || !u.Created.Equal(created) {
		t.Errorf("User(ann) made before 00003 = %+v, %v, want no secret, no lock", u, err)
	}
	for i, h := range hashes {
		tk, err := db.TokenByHash(ctx, h)
		if err != nil {
			t.Fatalf("TokenByHash(%x…) made before 00003 = %v", h[:4], err)
		}
		want := store.Token{ID: hex.EncodeToString(h[:8]), Hash: h, Username: "ann", Created: created}
		if i == 1 {
			want.Expires = expires
		}
		if tk.ID != want.ID || !bytes.Equal(tk.Hash, want.Hash) || tk.Username != want.Username || tk.Name != "" || tk.Roles != nil ||
			!tk.Created.Equal(want.Created) || !tk.Expires.Equal(want.Expires) || tk.Revoked || !tk.LastUsed.IsZero() {
			t.Errorf("TokenByHash(%x…) made before 00003 = %+v, want %+v", h[:4], tk, want)
		}
		if err := db.RevokeToken(ctx, want.ID); err != nil {
			t.Errorf("RevokeToken(%s) of a token made before 00003 = %v", want.ID, err)
		}
	}
	// The ids are unique from now on.
	other := sha256.Sum256([]byte("other"))
	dup := store.Token{ID: hex.EncodeToString(hashes[0][:8]), Hash: other[:], Username: "ann", Created: created}
	if err := db.CreateToken(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateToken under the id of a token made before 00003 = %v, want ErrConflict", err)
	}
}
