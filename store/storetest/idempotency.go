package storetest

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// idemKey returns a key record of the suite: key and fingerprint derived
// from name, for count events from first, created at.
func idemKey(name string, first, count int64, at time.Time) store.Idempotency {
	return store.Idempotency{Key: hash("key " + name), Fingerprint: hash("request " + name), First: first, Count: count, Created: at}
}

func mustIdempotency(tb testing.TB, st Store, k []byte) store.Idempotency {
	tb.Helper()
	got, err := st.Idempotency(tb.Context(), k)
	if err != nil {
		tb.Fatalf("Idempotency(%x) = %v", k[:4], err)
	}
	return got
}

// testIdempotency records idempotency keys with the events of a batch, in
// its transaction, adds answers to them and deletes the expired.
func testIdempotency(t *testing.T, open func(t *testing.T) Store) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		a, b := idemKey("a", 0, 2, at), idemKey("b", 2, 1, at.Add(time.Second))
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 3), Keys: []store.Idempotency{a, b}})
		for _, want := range []store.Idempotency{a, b} {
			got := mustIdempotency(t, st, want.Key)
			if !bytes.Equal(got.Key, want.Key) || !bytes.Equal(got.Fingerprint, want.Fingerprint) || got.First != want.First ||
				got.Count != want.Count || !got.Created.Equal(want.Created) {
				t.Errorf("Idempotency(%x) = %x %x %d %d %v, want %x %x %d %d %v", want.Key[:4], got.Key, got.Fingerprint, got.First, got.Count, got.Created,
					want.Key, want.Fingerprint, want.First, want.Count, want.Created)
			}
			if got.Status != 0 || got.Header != nil || len(got.Body) != 0 {
				t.Errorf("Idempotency(%x) before an answer = %d %v %q, want no answer", want.Key[:4], got.Status, got.Header, got.Body)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		if _, err := st.Idempotency(t.Context(), hash("missing")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Idempotency(missing) = %v, want ErrNotFound", err)
		}
	})
	t.Run("SameTransaction", func(t *testing.T) {
		// A batch that is refused writes no key: "the key is known" never
		// runs ahead of "the events are durable".
		st := open(t)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1)})
		k := idemKey("refused", 0, 1, at)
		if err := st.Append(t.Context(), store.Batch{Leaves: Leaves(0, 1), Keys: []store.Idempotency{k}}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("Append(leaf 0 again) = %v, want ErrConflict", err)
		}
		l := mustAcquire(t, st, "a", time.Minute)
		if err := st.Append(t.Context(), store.Batch{Leaves: Leaves(1, 2), Keys: []store.Idempotency{k}, Epoch: l.Epoch + 1}); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("Append at a stale epoch = %v, want ErrFenced", err)
		}
		if _, err := st.Idempotency(t.Context(), k.Key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Idempotency of a refused batch's key = %v, want ErrNotFound", err)
		}
	})
	t.Run("Again", func(t *testing.T) {
		// A request that ran two commands: its key comes in two commits.
		st := open(t)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 2), Keys: []store.Idempotency{idemKey("a", 0, 2, at)}})
		mustAppend(t, st, store.Batch{Leaves: Leaves(2, 5), Keys: []store.Idempotency{idemKey("a", 2, 3, at.Add(time.Second))}})
		if got := mustIdempotency(t, st, hash("key a")); got.First != 0 || got.Count != 5 || !got.Created.Equal(at) {
			t.Errorf("Idempotency(a) after two commits = first %d, count %d, created %v; want 0, 5, %v", got.First, got.Count, got.Created, at)
		}
	})
	t.Run("Answer", func(t *testing.T) {
		st := open(t)
		a, b := idemKey("a", 0, 1, at), idemKey("b", 1, 1, at)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 2), Keys: []store.Idempotency{a, b}})
		header := map[string][]string{"Location": {"/api/v1/agencies/x"}, "Tenfour-Seq": {"0"}, "Vary": {"A", "B"}}
		body := []byte("{\"id\":\"x\"}\n\x00\xff")
		answer := func(k store.Idempotency, status int) store.Idempotency {
			k.Status, k.Header, k.Body = status, header, body
			return k
		}
		// The second answer of a replaces the first; a key with no record
		// is skipped; b is not answered.
		missing := idemKey("missing", 5, 1, at)
		for _, as := range [][]store.Idempotency{{answer(a, 500)}, {answer(missing, 200), answer(a, 201)}, nil} {
			if err := st.SaveIdempotencyAnswers(t.Context(), as); err != nil {
				t.Fatalf("SaveIdempotencyAnswers(%d answers) = %v", len(as), err)
			}
		}
		got := mustIdempotency(t, st, a.Key)
		if got.Status != 201 || !maps.EqualFunc(got.Header, header, slices.Equal) || !bytes.Equal(got.Body, body) {
			t.Errorf("Idempotency(a) after SaveIdempotencyAnswers = %d %v %q, want 201 %v %q", got.Status, got.Header, got.Body, header, body)
		}
		if got.First != 0 || got.Count != 1 || !bytes.Equal(got.Fingerprint, a.Fingerprint) {
			t.Errorf("Idempotency(a) after SaveIdempotencyAnswers: first %d, count %d, fingerprint %x; want 0, 1, %x", got.First, got.Count, got.Fingerprint, a.Fingerprint)
		}
		if got := mustIdempotency(t, st, b.Key); got.Status != 0 || len(got.Body) != 0 {
			t.Errorf("Idempotency(b), never answered = %d %q, want no answer", got.Status, got.Body)
		}
		if _, err := st.Idempotency(t.Context(), missing.Key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Idempotency(missing) after an answer to it = %v, want ErrNotFound", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		st := open(t)
		old, edge, young := idemKey("old", 0, 1, at), idemKey("edge", 1, 1, at.Add(time.Hour)), idemKey("young", 2, 1, at.Add(2*time.Hour))
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 3), Keys: []store.Idempotency{old, edge, young}})
		n, err := st.DeleteIdempotency(t.Context(), at.Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("DeleteIdempotency(created + 1h) = %d, %v; want 1, nil", n, err)
		}
		if _, err := st.Idempotency(t.Context(), old.Key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Idempotency(old) after DeleteIdempotency = %v, want ErrNotFound", err)
		}
		mustIdempotency(t, st, edge.Key) // created at the bound: kept
		mustIdempotency(t, st, young.Key)
		checkEntries(t, st, 3) // the log is untouched
	})
}
