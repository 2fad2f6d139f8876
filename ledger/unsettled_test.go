package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// A key whose events wait for the store is unsettled, whether its batch is
// being committed or queued behind it; once the batch lands the key is in
// the store, and no longer unsettled.
func TestUnsettled(t *testing.T) {
	k := mustKey(t, "tenfour.test/unsettled")
	db := mustOpenStore(t, dbPath(t))
	f := &faultStore{Store: db}
	l := openNode(t, f, k, "a", time.Minute, make(chan int64, 4))
	key := func(s string) *store.Idempotency {
		return &store.Idempotency{Key: []byte(s), Fingerprint: []byte("fp-" + s), Count: 1, Created: time.Now()}
	}

	f.pause()
	first, err := l.EnqueueKeyed(records(0, 1), nil, key("first"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the commit to stall", func() bool { return f.waiting.Load() > 0 })
	queued, err := l.EnqueueKeyed(records(1, 2), nil, key("queued"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key  string
		want bool
	}{{"first", true}, {"queued", true}, {"other", false}} {
		if got := l.Unsettled([]byte(tt.key)); got != tt.want {
			t.Errorf("Unsettled(%s) with the store paused = %v, want %v", tt.key, got, tt.want)
		}
	}
	f.resume()
	for _, p := range []interface{ Wait() error }{first, queued} {
		if err := p.Wait(); err != nil {
			t.Fatalf("Wait() after the store resumed = %v", err)
		}
	}
	for _, s := range []string{"first", "queued"} {
		if l.Unsettled([]byte(s)) {
			t.Errorf("Unsettled(%s) after its events landed = true, want false", s)
		}
		if _, err := db.Idempotency(context.Background(), []byte(s)); err != nil {
			t.Errorf("the store's key %s after its events landed: %v", s, err)
		}
	}
	if _, err := db.Idempotency(context.Background(), []byte("other")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the store's key other = %v, want ErrNotFound", err)
	}
}
