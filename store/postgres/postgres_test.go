package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
	"github.com/tenfour-cad/tenfour/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// The store answers the engine for what is not in memory.
var _ engine.History = (*postgres.DB)(nil)

// mustOpen opens the store on dsn and closes it when the test ends.
func mustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("postgres.Open() = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return mustOpen(t, pgtest.MustNewDatabase(t))
	})
}

// TestReopen checks that a second Open of a database (migrations run again)
// finds what the first wrote.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.MustNewDatabase(t)
	db := mustOpen(t, dsn)
	if err := db.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 10)}); err != nil {
		t.Fatalf("Append(0…9) = %v", err)
	}
	db.Close()
	db = mustOpen(t, dsn)
	if n, err := db.LogSize(ctx); err != nil || n != 10 {
		t.Fatalf("LogSize() after reopening = %d, %v, want 10", n, err)
	}
	if err := db.Append(ctx, store.Batch{Leaves: storetest.Leaves(10, 11)}); err != nil {
		t.Errorf("Append(10) after reopening = %v", err)
	}
}

// checkLog fails unless db's log is exactly the suite's leaves [0, n).
func checkLog(tb testing.TB, db storetest.Store, n int64) {
	tb.Helper()
	ctx := context.Background()
	if got, err := db.LogSize(ctx); err != nil || got != n {
		tb.Fatalf("LogSize() = %d, %v, want %d", got, err, n)
	}
	es, err := db.ReadEntries(ctx, 0, n)
	if err != nil {
		tb.Fatalf("ReadEntries(0, %d) = %v", n, err)
	}
	for i, e := range es {
		if !bytes.Equal(e, storetest.Entry(int64(i))) {
			tb.Fatalf("ReadEntries(0, %d)[%d] = %q, want %q", n, i, e, storetest.Entry(int64(i)))
		}
	}
}

// TestTwoNodesFenced has two nodes (two pools) on one database: when B takes
// the lease over from A, A's appends at its epoch are fenced and write
// nothing, and B's go on from the log A left.
func TestTwoNodesFenced(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.MustNewDatabase(t)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)

	la, err := a.AcquireLease(ctx, "a", "http://a", time.Second)
	if err != nil {
		t.Fatalf("a.AcquireLease(a) = %v", err)
	}
	if err := a.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 2), Epoch: la.Epoch}); err != nil {
		t.Fatalf("a.Append(0, 1) at a's epoch %d = %v", la.Epoch, err)
	}
	if got, err := b.AcquireLease(ctx, "b", "http://b", time.Minute); !errors.Is(err, store.ErrConflict) || got.Node != "a" {
		t.Fatalf("b.AcquireLease(b) while a holds it = %+v, %v, want a's lease and ErrConflict", got, err)
	}

	// B waits for A's lease to expire, by the database's clock.
	var lb store.Lease
	for deadline := time.Now().Add(10 * time.Second); ; {
		lb, err = b.AcquireLease(ctx, "b", "http://b", time.Minute)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrConflict) || time.Now().After(deadline) {
			t.Fatalf("b.AcquireLease(b) after a's lease expired = %v, want it granted", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if lb.Node != "b" || lb.Epoch <= la.Epoch {
		t.Fatalf("b.AcquireLease(b) = %+v, want b at an epoch above a's %d", lb, la.Epoch)
	}

	if err := a.Append(ctx, store.Batch{Leaves: storetest.Leaves(2, 4), Epoch: la.Epoch}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("a.Append(2, 3) at a's old epoch %d = %v, want ErrFenced", la.Epoch, err)
	}
	checkLog(t, b, 2)
	if err := b.Append(ctx, store.Batch{Leaves: storetest.Leaves(2, 4), Epoch: lb.Epoch}); err != nil {
		t.Fatalf("b.Append(2, 3) at b's epoch %d = %v", lb.Epoch, err)
	}
	checkLog(t, a, 4)
}

// TestTakeoverWaitsForAppend checks the FOR SHARE of the fence: a takeover
// that comes while a fenced append is between its fence check and its commit
// waits for the commit, so no append at the old epoch lands after it.
func TestTakeoverWaitsForAppend(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.MustNewDatabase(t)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	la, err := a.AcquireLease(ctx, "a", "http://a", time.Second)
	if err != nil {
		t.Fatalf("a.AcquireLease(a) = %v", err)
	}

	// Hold A's append after its fence check: it reads the log size next,
	// and this transaction keeps the leaves table locked.
	raw, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgx.Connect = %v", err)
	}
	defer raw.Close(ctx)
	blocker, err := raw.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin = %v", err)
	}
	defer blocker.Rollback(ctx)
	if _, err := blocker.Exec(ctx, `LOCK TABLE leaves IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatalf("LOCK TABLE leaves = %v", err)
	}
	appended := make(chan error, 1)
	go func() { appended <- a.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 1), Epoch: la.Epoch}) }()
	for waiting := 0; waiting == 0; {
		// pg_locks is live; pg_stat_activity would be read once per transaction.
		err := blocker.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE relation = 'leaves'::regclass AND NOT granted`).Scan(&waiting)
		if err != nil {
			t.Fatalf("looking for the waiting append = %v", err)
		}
		if time.Now().After(la.Expires) {
			t.Fatal("a's append did not reach the locked leaves table before its lease expired")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Let A's lease expire while its append waits, then try to take over.
	time.Sleep(time.Until(la.Expires) + 100*time.Millisecond)
	type grant struct {
		l   store.Lease
		err error
	}
	granted := make(chan grant, 1)
	go func() {
		l, err := b.AcquireLease(ctx, "b", "http://b", time.Minute)
		granted <- grant{l, err}
	}()
	select {
	case g := <-granted:
		t.Fatalf("b.AcquireLease(b) during a's fenced append = %+v, %v, want it to wait for the append", g.l, g.err)
	case err := <-appended:
		t.Fatalf("a.Append while leaves is locked = %v, want it to wait", err)
	case <-time.After(300 * time.Millisecond):
	}

	if err := blocker.Rollback(ctx); err != nil {
		t.Fatalf("Rollback = %v", err)
	}
	if err := <-appended; err != nil {
		t.Fatalf("a.Append(0) that passed its fence before the takeover = %v, want it committed", err)
	}
	g := <-granted
	if g.err != nil || g.l.Node != "b" || g.l.Epoch <= la.Epoch {
		t.Fatalf("b.AcquireLease(b) after a's append = %+v, %v, want b at an epoch above %d", g.l, g.err, la.Epoch)
	}
	if err := a.Append(ctx, store.Batch{Leaves: storetest.Leaves(1, 2), Epoch: la.Epoch}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("a.Append(1) after the takeover = %v, want ErrFenced", err)
	}
	if err := b.Append(ctx, store.Batch{Leaves: storetest.Leaves(1, 2), Epoch: g.l.Epoch}); err != nil {
		t.Fatalf("b.Append(1) = %v", err)
	}
	checkLog(t, a, 2)
}

// TestConcurrentLargeAppend races writers appending the same large batches,
// which go by COPY: exactly one wins each, the others get ErrConflict.
func TestConcurrentLargeAppend(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, pgtest.MustNewDatabase(t))
	const writers, n = 4, 300
	for _, start := range []int64{0, n} {
		errs := make(chan error, writers)
		for range writers {
			go func() { errs <- db.Append(ctx, store.Batch{Leaves: storetest.Leaves(start, start+n)}) }()
		}
		wins := 0
		for range writers {
			switch err := <-errs; {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("Append(%d…%d) = %v, want nil or ErrConflict", start, start+n-1, err)
			}
		}
		if wins != 1 {
			t.Fatalf("Append(%d…%d) by %d writers at once: %d succeeded, want 1", start, start+n-1, writers, wins)
		}
	}
	checkLog(t, db, 2*n)
}

// receive fails unless a value comes on ch within a few seconds.
func receive(tb testing.TB, ch <-chan struct{}, what string) {
	tb.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			tb.Fatalf("Changes channel closed, want a signal %s", what)
		}
	case <-time.After(5 * time.Second):
		tb.Fatalf("no signal on Changes %s", what)
	}
}

// quiet fails if a value comes on ch within a moment.
func quiet(tb testing.TB, ch <-chan struct{}, what string) {
	tb.Helper()
	select {
	case _, ok := <-ch:
		tb.Fatalf("Changes channel: a value (open %v) %s, want none", ok, what)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestChanges checks that a node learns of another's appends, also after its
// listening connection was cut, and that the channel closes with its context.
func TestChanges(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.MustNewDatabase(t)
	follower, leader := mustOpen(t, dsn), mustOpen(t, dsn)
	sub, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := follower.Changes(sub)
	if ch == nil {
		t.Fatal("Changes() = nil, want a channel")
	}
	quiet(t, ch, "before any append")

	if err := leader.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 3)}); err != nil {
		t.Fatalf("Append(0…2) = %v", err)
	}
	receive(t, ch, "after another node's Append")
	quiet(t, ch, "after one Append was signalled")

	// A refused append commits nothing and so says nothing.
	if err := leader.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 1)}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Append(0) again = %v, want ErrConflict", err)
	}
	quiet(t, ch, "after a refused Append")

	// Many appends, one waiting value.
	for s := int64(3); s < 8; s++ {
		if err := leader.Append(ctx, store.Batch{Leaves: storetest.Leaves(s, s+1)}); err != nil {
			t.Fatalf("Append(%d) = %v", s, err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	receive(t, ch, "after five Appends")
	quiet(t, ch, "after five Appends were signalled (coalesced)")

	// Cut the follower's listening connection: it listens again and
	// signals, since it may have missed an append.
	raw, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgx.Connect = %v", err)
	}
	defer raw.Close(ctx)
	var cut int
	err = raw.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN tenfour_log'`).Scan(&cut)
	if err != nil || cut != 1 {
		t.Fatalf("terminating the listening backend = %d, %v, want 1", cut, err)
	}
	receive(t, ch, "after the listening connection was cut")
	if err := leader.Append(ctx, store.Batch{Leaves: storetest.Leaves(8, 9)}); err != nil {
		t.Fatalf("Append(8) = %v", err)
	}
	receive(t, ch, "after an Append on the new connection")

	cancel()
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Changes channel still open after its context was cancelled")
	}

	// Closing the store closes its subscribers' channels too.
	ch = follower.Changes(ctx)
	follower.Close()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("Changes channel gave a value after Close, want it closed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Changes channel still open after Close")
	}
}
