package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func mustConnect(tb testing.TB, dsn string) *pgx.Conn {
	tb.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("pgx.Connect(%s) = %v", dsn, err)
	}
	tb.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestNewDatabase checks that each database is empty and apart from the
// others, and that the server is durable (fsync on, synchronous commits).
func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.MustNewDatabase(t), pgtest.MustNewDatabase(t)
	if a == b {
		t.Fatalf("MustNewDatabase() twice = %s both times", a)
	}
	ca, cb := mustConnect(t, a), mustConnect(t, b)
	if _, err := ca.Exec(ctx, `CREATE TABLE t (x INT); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatalf("CREATE TABLE t in %s = %v", a, err)
	}
	if _, err := cb.Exec(ctx, `CREATE TABLE t (x INT)`); err != nil {
		t.Fatalf("CREATE TABLE t in %s, after one in %s = %v", b, a, err)
	}
	var n int
	if err := cb.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows of t in %s = %d, %v, want 0 (the row went to %s)", b, n, err, a)
	}
	for setting, want := range map[string]string{"fsync": "on", "synchronous_commit": "on"} {
		var got string
		if err := ca.QueryRow(ctx, `SELECT current_setting($1)`, setting).Scan(&got); err != nil || got != want {
			t.Errorf("current_setting(%s) = %q, %v, want %q", setting, got, err, want)
		}
	}
}

// TestEnv checks that Main gives subprocesses a database.
func TestEnv(t *testing.T) {
	dsn := os.Getenv(pgtest.EnvDSN)
	if dsn == "" {
		t.Fatalf("%s is not set", pgtest.EnvDSN)
	}
	var one int
	if err := mustConnect(t, dsn).QueryRow(context.Background(), `SELECT 1`).Scan(&one); err != nil {
		t.Fatalf("SELECT 1 on %s = %v", dsn, err)
	}
}

// TestStartStop checks that a second server runs beside the first and that
// Stop stops it and removes its files.
func TestStartStop(t *testing.T) {
	ctx := context.Background()
	s, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatalf("Start() = %v", err)
	}
	dsn, err := s.NewDatabase(ctx)
	if err != nil {
		s.Stop()
		t.Fatalf("NewDatabase() = %v", err)
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		s.Stop()
		t.Fatalf("pgx.Connect(%s) = %v", dsn, err)
	}
	var dir string
	err = c.QueryRow(ctx, `SELECT current_setting('data_directory')`).Scan(&dir)
	c.Close(ctx)
	s.Stop()
	if err != nil {
		t.Fatalf("data_directory = %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after Stop, os.Stat(%s) = %v, want it removed", dir, err)
	}
	if c, err := pgx.Connect(ctx, dsn); err == nil {
		c.Close(ctx)
		t.Errorf("pgx.Connect(%s) after Stop = nil error, want the server gone", dsn)
	}
	s.Stop() // a second Stop does nothing
}
