package pgtest_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

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

// TestRestart checks that a server restarted as after a crash answers on
// the same DSN with every committed row, twice over.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	s, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatalf("Start() = %v", err)
	}
	defer s.Stop()
	dsn, err := s.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := mustConnect(t, dsn)
	if _, err := c.Exec(ctx, `CREATE TABLE t (x INT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := c.Exec(ctx, `INSERT INTO t VALUES ($1)`, i); err != nil {
			t.Fatalf("INSERT before restart %d = %v", i+1, err)
		}
		if err := s.Restart(ctx); err != nil {
			t.Fatalf("Restart() %d = %v", i+1, err)
		}
		if _, err := c.Exec(ctx, `SELECT 1`); err == nil {
			t.Errorf("a connection from before restart %d still works, want it cut", i+1)
		}
		c = mustConnect(t, dsn)
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != i+1 {
			t.Errorf("after restart %d, rows of t = %d, %v; want %d", i+1, n, err, i+1)
		}
	}
}

// TestPause checks that Pause stops the server and every process of it,
// and that Resume lets a query that waited meanwhile finish.
func TestPause(t *testing.T) {
	ctx := context.Background()
	s, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatalf("Start() = %v", err)
	}
	defer s.Stop()
	dsn, err := s.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := mustConnect(t, dsn)
	var backend int
	if err := c.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		t.Fatal(err)
	}
	if err := s.Pause(); err != nil {
		t.Fatalf("Pause() = %v", err)
	}
	if err := s.Pause(); err == nil {
		t.Errorf("Pause() twice = nil, want an error")
	}
	pids := pgtest.Processes(t, s)
	if len(pids) < 3 {
		t.Fatalf("the server runs %d processes, want the postmaster and its children", len(pids))
	}
	if !slices.Contains(pids, backend) {
		t.Errorf("the server's processes %v lack the connection's backend %d", pids, backend)
	}
	for _, pid := range pids {
		if st := pgtest.State(t, pid); st != "T" {
			t.Errorf("process %d of the paused server is in state %q, want T (stopped)", pid, st)
		}
	}
	answered := make(chan error, 1)
	go func() {
		var one int
		answered <- c.QueryRow(ctx, `SELECT 1`).Scan(&one)
	}()
	s.Resume()
	select {
	case err := <-answered:
		if err != nil {
			t.Errorf("SELECT 1 sent during the pause = %v, want it answered after Resume", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("SELECT 1 sent during the pause: no answer 30s after Resume")
	}
	for _, pid := range pids {
		if st := pgtest.State(t, pid); st == "T" {
			t.Errorf("process %d is still stopped after Resume", pid)
		}
	}
}
