package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
	"github.com/tenfour-cad/tenfour/store/storetest"
)

func TestProbe(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		dsn := pgtest.MustNewDatabase(t)
		db := mustOpen(t, dsn)
		if err := db.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 7)}); err != nil {
			t.Fatal(err)
		}
		if n, err := postgres.Probe(ctx, dsn); err != nil || n != 7 {
			t.Fatalf("Probe() = %d, %v, want 7, nil", n, err)
		}
	})
	t.Run("ErrNotSetUp", func(t *testing.T) {
		// A database tenfour never opened: Probe does not migrate it.
		dsn := pgtest.MustNewDatabase(t)
		if _, err := postgres.Probe(ctx, dsn); err == nil {
			t.Fatal("Probe(an empty database) = nil error")
		}
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var tables int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil || tables != 0 {
			t.Fatalf("after Probe the empty database has %d tables (%v), want 0: it must change nothing", tables, err)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := postgres.Probe(ctx, "postgres://tenfour@127.0.0.1:1/tenfour?connect_timeout=2"); err == nil {
			t.Fatal("Probe(nothing listening) = nil error")
		}
	})
}
