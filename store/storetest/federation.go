package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// receipt returns the receipt bytes the suite stores: not UTF-8 and with a
// zero byte, so a store that is not byte-exact fails.
func receipt(from, id string, n int) []byte {
	return append(fmt.Appendf(nil, "receipt %s %s %d\x00", from, id, n), 0xff, 0xfe)
}

// testFederationReceipts checks that a receipt is kept byte for byte under
// its sender and message id, only once, and that another sender or id is
// another receipt.
func testFederationReceipts(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	if _, err := st.FederationReceipt(ctx, "a.example/log", "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FederationReceipt(never) = %v, want ErrNotFound", err)
	}
	if err := st.SaveFederationReceipt(ctx, "a.example/log", "m1", receipt("a", "m1", 1), at); err != nil {
		t.Fatalf("SaveFederationReceipt(a, m1) = %v", err)
	}
	if err := st.SaveFederationReceipt(ctx, "a.example/log", "m1", receipt("a", "m1", 2), at.Add(time.Second)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("SaveFederationReceipt(a, m1) again = %v, want ErrConflict", err)
	}
	if err := st.SaveFederationReceipt(ctx, "b.example/log", "m1", receipt("b", "m1", 1), at); err != nil {
		t.Fatalf("SaveFederationReceipt(b, m1) = %v", err)
	}
	if err := st.SaveFederationReceipt(ctx, "a.example/log", "m2", receipt("a", "m2", 1), at); err != nil {
		t.Fatalf("SaveFederationReceipt(a, m2) = %v", err)
	}
	if err := st.SaveFederationReceipt(ctx, "a.example/log", "m3", nil, at); err == nil {
		t.Errorf("SaveFederationReceipt(a, m3, empty) = nil, want an error")
	}
	for _, c := range []struct {
		from, id string
		want     []byte
	}{
		{"a.example/log", "m1", receipt("a", "m1", 1)}, // the first, not the second
		{"b.example/log", "m1", receipt("b", "m1", 1)},
		{"a.example/log", "m2", receipt("a", "m2", 1)},
	} {
		got, err := st.FederationReceipt(ctx, c.from, c.id)
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("FederationReceipt(%s, %s) = %q, %v, want %q", c.from, c.id, got, err, c.want)
		}
	}
	for _, c := range [][2]string{{"a.example/log", "m3"}, {"b.example/log", "m2"}, {"c.example/log", "m1"}} {
		if _, err := st.FederationReceipt(ctx, c[0], c[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FederationReceipt(%s, %s) = %v, want ErrNotFound", c[0], c[1], err)
		}
	}
}

// testFederationReceiptRace saves receipts for one message concurrently
// (two nodes answering the same message sent twice): exactly one is
// stored, and it is the one every later read returns.
func testFederationReceiptRace(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.SaveFederationReceipt(ctx, "a.example/log", "m", receipt("a", "m", i), time.Unix(int64(i), 0))
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("SaveFederationReceipt: both %d and %d won", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("SaveFederationReceipt(%d) = %v, want nil or ErrConflict", i, err)
		}
	}
	if won < 0 {
		t.Fatal("SaveFederationReceipt: none of the concurrent saves won")
	}
	if got, err := st.FederationReceipt(ctx, "a.example/log", "m"); err != nil || !bytes.Equal(got, receipt("a", "m", won)) {
		t.Errorf("FederationReceipt(a, m) = %q, %v, want the winner's %q", got, err, receipt("a", "m", won))
	}
}

// testFederationOutbox checks a peer's outbox: unset (Next -1) before it is
// saved, then every field as saved, replaced by the next save (also back to
// not failing), each peer apart.
func testFederationOutbox(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	got, err := st.FederationOutbox(ctx, "metro")
	if want := (store.FederationOutbox{Peer: "metro", Next: -1}); err != nil || got != want {
		t.Fatalf("FederationOutbox(never) = %+v, %v, want %+v", got, err, want)
	}
	since := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("CST", -6*3600))
	saves := []store.FederationOutbox{
		{Peer: "metro", Next: 0},
		{Peer: "metro", Next: 17, Attempts: 3, FailingSince: since, LastError: "dial tcp: connection refused \x01 é"},
		{Peer: "county", Next: 5},
		{Peer: "metro", Next: 21},
	}
	want := map[string]store.FederationOutbox{}
	for _, o := range saves {
		if err := st.SaveFederationOutbox(ctx, o); err != nil {
			t.Fatalf("SaveFederationOutbox(%+v) = %v", o, err)
		}
		want[o.Peer] = o
		for peer, w := range want {
			got, err := st.FederationOutbox(ctx, peer)
			if err != nil || got.Peer != w.Peer || got.Next != w.Next || got.Attempts != w.Attempts ||
				!got.FailingSince.Equal(w.FailingSince) || got.LastError != w.LastError {
				t.Fatalf("after SaveFederationOutbox(%+v): FederationOutbox(%s) = %+v, %v, want %+v", o, peer, got, err, w)
			}
		}
	}
	if got, err := st.FederationOutbox(ctx, "state"); err != nil || got.Next != -1 {
		t.Errorf("FederationOutbox(state, never saved) = %+v, %v, want Next -1", got, err)
	}
}
