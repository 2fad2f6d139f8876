package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// A sequencer whose renewals go unanswered stops deciding once its lease
// has run out by its own clock, though it still sequences as far as it
// knows: another node may take the lease meanwhile, and this node's state
// lacks that node's events. It decides again once a renewal succeeds; or,
// finding the lease taken, it follows.
func TestDecidesOnlyWithinTheLease(t *testing.T) {
	k := mustKey(t, "tenfour.test/decides")
	db := mustOpenStore(t, dbPath(t))
	f := &faultStore{Store: db}
	ttl := 300 * time.Millisecond
	a := openNode(t, f, k, "a", ttl, make(chan int64, 4))
	if !a.IsSequencer() || !a.Decides() {
		t.Fatalf("a fresh sequencer: IsSequencer() = %v, Decides() = %v, want true, true", a.IsSequencer(), a.Decides())
	}
	acked := []*ledger.Pending{mustAppend(t, a, records(0, 2)...)}

	// The store stops answering: the renewals wait.
	f.pause()
	waitFor(t, "a to stop deciding", func() bool { return !a.Decides() })
	if !a.IsSequencer() {
		t.Fatal("a stopped sequencing while the store did not answer, want it to go on (its appends are fenced)")
	}
	// Nobody took the lease: the next renewal takes it back, and a
	// command that waited for it goes on.
	awaited := make(chan bool, 1)
	go func() { awaited <- a.AwaitDecides(context.Background()) }()
	f.resume()
	if !<-awaited {
		t.Error("AwaitDecides() across the lapse = false, want true: nobody took the lease")
	}
	waitFor(t, "a to decide again", a.Decides)
	acked = append(acked, mustAppend(t, a, records(2, 3)...))

	// Again, and this time another node takes the lapsed lease.
	f.pause()
	waitFor(t, "a to stop deciding", func() bool { return !a.Decides() })
	waitLeaseLapsed(t, db)
	b := openNode(t, db, k, "b", time.Minute, make(chan int64, 4))
	if !b.IsSequencer() || !b.Decides() {
		t.Fatalf("b after the lapse: IsSequencer() = %v, Decides() = %v, want true, true", b.IsSequencer(), b.Decides())
	}
	acked = append(acked, mustAppend(t, b, records(3, 5)...))
	if a.Decides() {
		t.Error("a decides while b holds the lease")
	}
	go func() { awaited <- a.AwaitDecides(context.Background()) }()
	f.resume()
	if <-awaited {
		t.Error("AwaitDecides() with b holding the lease = true, want false")
	}
	waitFor(t, "a to follow b", func() bool { return !a.IsSequencer() && a.Size() == 5 })
	if a.Decides() {
		t.Error("a, following b, decides")
	}
	if _, err := a.Enqueue(records(100, 101)); !errors.As(err, new(*ledger.NotSequencerError)) && !errors.Is(err, store.ErrFenced) {
		t.Errorf("a.Enqueue while b sequences = %v, want a NotSequencerError", err)
	}
	a.Close()
	b.Close()
	checkStored(t, db, k, acked)
}
