package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

func mustAcquire(tb testing.TB, st Store, node string, ttl time.Duration) store.Lease {
	tb.Helper()
	l, err := st.AcquireLease(context.Background(), node, "http://"+node, ttl)
	if err != nil {
		tb.Fatalf("AcquireLease(%s) = %v", node, err)
	}
	return l
}

func testLease(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		if _, err := st.CurrentLease(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CurrentLease() on a new store = %v, want ErrNotFound", err)
		}
	})
	t.Run("GrantRenewRefuse", func(t *testing.T) {
		st := open(t)
		a := mustAcquire(t, st, "a", time.Minute)
		if a.Node != "a" || a.URL != "http://a" || a.Epoch < 1 || time.Until(a.Expires) < 30*time.Second {
			t.Fatalf("AcquireLease(a) = %+v, want node a, url http://a, an epoch, expiring in about a minute", a)
		}
		r := mustAcquire(t, st, "a", time.Minute)
		if r.Epoch != a.Epoch {
			t.Errorf("renewal epoch = %d, want the same %d", r.Epoch, a.Epoch)
		}
		got, err := st.AcquireLease(ctx, "b", "http://b", time.Minute)
		if !errors.Is(err, store.ErrConflict) || got.Node != "a" || got.Epoch != a.Epoch {
			t.Errorf("AcquireLease(b) while a holds it = %+v, %v, want a's lease and ErrConflict", got, err)
		}
		cur, err := st.CurrentLease(ctx)
		if err != nil || cur.Node != "a" || cur.Epoch != a.Epoch {
			t.Errorf("CurrentLease() = %+v, %v, want a at epoch %d", cur, err, a.Epoch)
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		st := open(t)
		a := mustAcquire(t, st, "a", 50*time.Millisecond)
		time.Sleep(150 * time.Millisecond)
		b := mustAcquire(t, st, "b", time.Minute)
		if b.Node != "b" || b.Epoch <= a.Epoch {
			t.Errorf("AcquireLease(b) after a expired = %+v, want b with an epoch above %d", b, a.Epoch)
		}
	})
	t.Run("ReacquireAfterOwnExpiry", func(t *testing.T) {
		st := open(t)
		a := mustAcquire(t, st, "a", 50*time.Millisecond)
		time.Sleep(150 * time.Millisecond)
		again := mustAcquire(t, st, "a", time.Minute)
		if again.Epoch <= a.Epoch {
			t.Errorf("AcquireLease(a) after its own lease expired: epoch %d, want above %d (appends at the old epoch must be fenced)", again.Epoch, a.Epoch)
		}
	})
	t.Run("Release", func(t *testing.T) {
		st := open(t)
		a := mustAcquire(t, st, "a", time.Hour)
		if err := st.ReleaseLease(ctx, "b", a.Epoch); err != nil {
			t.Fatalf("ReleaseLease(b) = %v", err)
		}
		if _, err := st.AcquireLease(ctx, "b", "http://b", time.Minute); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("ReleaseLease by a non-holder released the lease: AcquireLease(b) = %v", err)
		}
		if err := st.ReleaseLease(ctx, "a", a.Epoch); err != nil {
			t.Fatalf("ReleaseLease(a) = %v", err)
		}
		b := mustAcquire(t, st, "b", time.Minute)
		if b.Epoch <= a.Epoch {
			t.Errorf("AcquireLease(b) after release: epoch %d, want above %d", b.Epoch, a.Epoch)
		}
	})
}

func testFence(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		a := mustAcquire(t, st, "a", time.Minute)
		if err := st.Append(ctx, store.Batch{Leaves: Leaves(0, 3), Epoch: a.Epoch}); err != nil {
			t.Fatalf("Append at the holder's epoch = %v", err)
		}
		checkEntries(t, st, 3)
	})
	t.Run("ErrFencedNoLease", func(t *testing.T) {
		st := open(t)
		if err := st.Append(ctx, store.Batch{Leaves: Leaves(0, 1), Epoch: 1}); !errors.Is(err, store.ErrFenced) {
			t.Errorf("fenced Append with no lease = %v, want ErrFenced", err)
		}
		checkEntries(t, st, 0)
	})
	t.Run("ErrFencedTakenOver", func(t *testing.T) {
		st := open(t)
		a := mustAcquire(t, st, "a", 50*time.Millisecond)
		time.Sleep(150 * time.Millisecond)
		b := mustAcquire(t, st, "b", time.Minute)
		if err := st.Append(ctx, store.Batch{Leaves: Leaves(0, 2), Epoch: a.Epoch}); !errors.Is(err, store.ErrFenced) {
			t.Errorf("Append at a's stale epoch = %v, want ErrFenced", err)
		}
		checkEntries(t, st, 0)
		if err := st.Append(ctx, store.Batch{Leaves: Leaves(0, 2), Epoch: b.Epoch}); err != nil {
			t.Fatalf("Append at b's epoch = %v", err)
		}
		checkEntries(t, st, 2)
	})
	t.Run("ErrFencedExpired", func(t *testing.T) {
		st := open(t)
		a := mustAcquire(t, st, "a", 50*time.Millisecond)
		time.Sleep(150 * time.Millisecond)
		if err := st.Append(ctx, store.Batch{Leaves: Leaves(0, 1), Epoch: a.Epoch}); !errors.Is(err, store.ErrFenced) {
			t.Errorf("Append after the lease expired = %v, want ErrFenced", err)
		}
		checkEntries(t, st, 0)
	})
	t.Run("Unfenced", func(t *testing.T) {
		st := open(t)
		mustAcquire(t, st, "a", time.Minute)
		if err := st.Append(ctx, store.Batch{Leaves: Leaves(0, 1)}); err != nil {
			t.Errorf("unfenced Append (epoch 0) = %v, want it written", err)
		}
	})
}
