package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// heldStore is a store whose appends wait until the test lets them go,
// so that groups enqueued meanwhile are committed in one batch.
type heldStore struct {
	ledger.Store
	entered chan store.Batch
	release chan struct{}
}

func (s *heldStore) Append(ctx context.Context, b store.Batch) error {
	s.entered <- b
	<-s.release
	return s.Store.Append(ctx, b)
}

// TestEnqueueKeyed checks that a group's idempotency key is committed with
// its records, numbered as they are, once per batch even if two groups of
// one request share it, and not at all for a group without records.
func TestEnqueueKeyed(t *testing.T) {
	st := mustOpenStore(t, dbPath(t))
	held := &heldStore{Store: st, entered: make(chan store.Batch), release: make(chan struct{})}
	l := mustOpenLog(t, held, mustKey(t, "example.test/keys"))
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	key := func(name string) *store.Idempotency {
		return &store.Idempotency{Key: []byte("key " + name), Fingerprint: []byte("request " + name), Created: at}
	}
	enqueue := func(recs []ledger.Record, k *store.Idempotency) *ledger.Pending {
		t.Helper()
		p, err := l.EnqueueKeyed(recs, nil, k)
		if err != nil {
			t.Fatalf("EnqueueKeyed = %v", err)
		}
		return p
	}

	ps := []*ledger.Pending{enqueue(records(0, 1), key("a"))}
	first := <-held.entered // held: what follows waits for the next batch
	ps = append(ps,
		enqueue(records(1, 3), key("b")),
		enqueue(nil, key("c")),
		enqueue(records(3, 4), nil),
		enqueue(records(4, 5), key("b")), // the same request's second command
	)
	close(held.release)
	second := <-held.entered
	for _, p := range ps {
		if err := p.Wait(); err != nil {
			t.Fatalf("Wait = %v", err)
		}
	}

	type stored struct {
		name         string
		first, count int64
	}
	for _, tt := range []struct {
		batch store.Batch
		want  []stored
	}{
		{first, []stored{{"a", 0, 1}}},
		{second, []stored{{"b", 1, 3}}},
	} {
		if len(tt.batch.Keys) != len(tt.want) {
			t.Fatalf("batch from %d: %d keys, want %d", tt.batch.Leaves[0].Seq, len(tt.batch.Keys), len(tt.want))
		}
		for i, w := range tt.want {
			k := tt.batch.Keys[i]
			if string(k.Key) != "key "+w.name || string(k.Fingerprint) != "request "+w.name || k.First != w.first || k.Count != w.count || !k.Created.Equal(at) {
				t.Errorf("batch from %d: key %d = %q %q %d %d %v, want key %s from %d, %d events",
					tt.batch.Leaves[0].Seq, i, k.Key, k.Fingerprint, k.First, k.Count, k.Created, w.name, w.first, w.count)
			}
			got, err := st.Idempotency(t.Context(), k.Key)
			if err != nil || got.First != w.first || got.Count != w.count || !bytes.Equal(got.Fingerprint, k.Fingerprint) {
				t.Errorf("stored key %s = %d, %d, %v; want %d, %d", w.name, got.First, got.Count, err, w.first, w.count)
			}
		}
	}
	if _, err := st.Idempotency(t.Context(), []byte("key c")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("stored key of a group without records = %v, want ErrNotFound", err)
	}
}

// TestDeriveSeed: a derived secret is the same for the same key and label
// (every node of a deployment derives the witness's key alike), and differs
// with the label and with the key.
func TestDeriveSeed(t *testing.T) {
	skey, err := ledger.GenerateKey("example.com/log")
	if err != nil {
		t.Fatal(err)
	}
	k1, _ := ledger.ParseKey(skey)
	k2, _ := ledger.ParseKey(skey)
	other := mustKey(t, "example.com/log")
	a := k1.DeriveSeed("witness")
	if len(a) != 32 || !bytes.Equal(a, k2.DeriveSeed("witness")) {
		t.Fatalf("DeriveSeed of one key = %x and %x, want the same 32 bytes", a, k2.DeriveSeed("witness"))
	}
	if bytes.Equal(a, k1.DeriveSeed("other")) || bytes.Equal(a, other.DeriveSeed("witness")) {
		t.Errorf("DeriveSeed does not depend on the label and the key")
	}
}
