package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// A faultStore is a real store with faults injected into its appends and
// lease: what a full disk, a lost COMMIT reply or a stalled process look like
// from the ledger.
type faultStore struct {
	ledger.Store
	mu      sync.Mutex
	refuse  error         // while set, Append writes nothing and returns it
	lose    int           // the next lose Appends commit, then return lossErr
	lossErr error         //
	paused  chan struct{} // while set, Append and AcquireLease wait for it to close
	waiting atomic.Int32  // Appends waiting in a pause
	refused atomic.Int32  // Appends refused
}

func (f *faultStore) Append(ctx context.Context, b store.Batch) error {
	f.mu.Lock()
	paused, refuse := f.paused, f.refuse
	lose := f.lose > 0
	if lose {
		f.lose--
	}
	f.mu.Unlock()
	if paused != nil {
		f.waiting.Add(1)
		<-paused
		f.waiting.Add(-1)
	}
	if refuse != nil {
		f.refused.Add(1)
		return refuse
	}
	if err := f.Store.Append(ctx, b); err != nil {
		return err
	}
	if lose {
		return f.lossErr
	}
	return nil
}

func (f *faultStore) AcquireLease(ctx context.Context, node, url string, ttl time.Duration) (store.Lease, error) {
	f.mu.Lock()
	paused := f.paused
	f.mu.Unlock()
	if paused != nil {
		<-paused
	}
	return f.Store.AcquireLease(ctx, node, url, ttl)
}

func (f *faultStore) setRefuse(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse = err
}

func (f *faultStore) pause() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = make(chan struct{})
}

func (f *faultStore) resume() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.paused)
	f.paused = nil
}

// errDiskFull is what store/sqlite returns when the disk is full.
var errDiskFull = fmt.Errorf("append: commit: %w: database or disk is full (13)", store.ErrFull)

// waitFor polls cond until it holds, failing the test after a minute: only a
// hang takes that long.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// done reports whether p has been answered.
func done(p *ledger.Pending) bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var u *ledger.UnavailableError
	err := p.WaitContext(ctx)
	return !errors.As(err, &u) || !u.Unknown
}

// checkStored checks that the store holds exactly the acknowledged groups'
// entries, each once, at their sequence numbers, and nothing else, and that
// a log opened on it verifies every event against its last checkpoint.
func checkStored(tb testing.TB, db *sqlite.DB, k *ledger.Key, acked []*ledger.Pending) {
	tb.Helper()
	ctx := context.Background()
	var want [][]byte
	for _, p := range acked {
		if p.First != int64(len(want)) {
			tb.Fatalf("acknowledged group at %d follows %d events", p.First, len(want))
		}
		want = append(want, p.Entries...)
	}
	size, err := db.LogSize(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if size != int64(len(want)) {
		tb.Fatalf("the store holds %d events, want the %d acknowledged", size, len(want))
	}
	got, err := db.ReadEntries(ctx, 0, size)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			tb.Fatalf("stored event %d = %s, want the acknowledged %s", i, got[i], want[i])
		}
	}
	l, err := ledger.Open(ctx, ledger.Config{Store: db, Key: k, Node: "verifier", CheckpointInterval: time.Hour}, nil)
	if err != nil {
		tb.Fatalf("ledger.Open on the store after the fault = %v", err)
	}
	l.Close()
}

// A full disk refuses commits: the batch is kept and retried, new events are
// refused at once as storage_full, and once space returns the batch lands,
// once, and the log takes events again.
func TestCommitStorageFull(t *testing.T) {
	k := mustKey(t, "tenfour.test/full")
	db := mustOpenStore(t, dbPath(t))
	f := &faultStore{Store: db}
	l := mustOpenLog(t, f, k)
	acked := []*ledger.Pending{mustAppend(t, l, records(0, 3)...)}

	f.setRefuse(errDiskFull)
	kept, err := l.Enqueue(records(3, 5))
	if err != nil {
		t.Fatalf("Enqueue before the first refusal = %v", err)
	}
	waitFor(t, "the log to count the store as full", func() bool { return l.Degraded() != nil })
	if d := l.Degraded(); d.Reason != ledger.ReasonStorageFull || d.RetryAfter < time.Second {
		t.Errorf("Degraded() = %+v, want reason %s and a Retry-After of a second or more", d, ledger.ReasonStorageFull)
	}
	_, err = l.Enqueue(records(5, 6))
	var u *ledger.UnavailableError
	if !errors.As(err, &u) || u.Reason != ledger.ReasonStorageFull || u.Unknown {
		t.Errorf("Enqueue while the disk is full = %v, want an UnavailableError storage_full, not sequenced", err)
	}
	waitFor(t, "a second refused commit (a retry)", func() bool { return f.refused.Load() >= 2 })
	if done(kept) {
		t.Fatalf("the kept batch was answered (%v) while the disk is full, want it to wait", kept.Wait())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := kept.WaitContext(ctx); !errors.As(err, &u) || !u.Unknown || u.Reason != ledger.ReasonStorageFull {
		t.Errorf("WaitContext(done ctx) on the kept batch = %v, want an UnavailableError storage_full that may still be recorded", err)
	}

	f.setRefuse(nil)
	if err := kept.Wait(); err != nil {
		t.Fatalf("the kept batch after space returned: Wait() = %v", err)
	}
	if d := l.Degraded(); d != nil {
		t.Errorf("Degraded() after the batch landed = %v, want nil", d)
	}
	acked = append(acked, kept, mustAppend(t, l, records(6, 8)...))
	if l.Err() != nil {
		t.Fatalf("Err() = %v, want the log running", l.Err())
	}
	l.Close()
	checkStored(t, db, k, acked)
}

// A commit whose answer is lost after it committed (the connection dropped
// with the COMMIT reply) is found in the store, compared byte for byte, and
// counted once: its appenders hear success, and the next events follow it.
func TestCommitUnknownOutcome(t *testing.T) {
	k := mustKey(t, "tenfour.test/lost-reply")
	db := mustOpenStore(t, dbPath(t))
	f := &faultStore{Store: db, lose: 0, lossErr: errors.New("append: commit: read tcp: connection reset by peer")}
	l := mustOpenLog(t, f, k)
	acked := []*ledger.Pending{mustAppend(t, l, records(0, 2)...)}
	f.mu.Lock()
	f.lose = 1
	f.mu.Unlock()
	p, err := l.Append(records(2, 6))
	if err != nil {
		t.Fatalf("Append whose commit reply was lost = %v, want nil: it landed", err)
	}
	acked = append(acked, p, mustAppend(t, l, records(6, 7)...))
	if l.Degraded() != nil || l.Err() != nil {
		t.Errorf("after the lost reply: Degraded() = %v, Err() = %v, want nil, nil", l.Degraded(), l.Err())
	}
	l.Close()
	checkStored(t, db, k, acked)
}

// openNode opens a log for node on st with a short lease, reporting its
// resets on the channel.
func openNode(tb testing.TB, st ledger.Store, k *ledger.Key, node string, ttl time.Duration, resets chan<- int64) *ledger.Log {
	tb.Helper()
	l, err := ledger.Open(context.Background(), ledger.Config{
		Store: st, Key: k, Node: node, URL: "http://" + node, LeaseTTL: ttl,
		CheckpointInterval: time.Hour, PollInterval: 5 * time.Millisecond,
		OnReset: func(durable int64) { resets <- durable },
	}, nil)
	if err != nil {
		tb.Fatalf("ledger.Open(%s) = %v", node, err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// waitLeaseLapsed waits until the stored lease has expired by the clock the
// store judges it by (SQLite's: this machine's).
func waitLeaseLapsed(tb testing.TB, db *sqlite.DB) store.Lease {
	tb.Helper()
	var lease store.Lease
	waitFor(tb, "the lease to lapse", func() bool {
		var err error
		lease, err = db.CurrentLease(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		return time.Now().After(lease.Expires.Add(50 * time.Millisecond))
	})
	return lease
}

// A sequencer that stalls past its lease, with nobody to take it, takes it
// back at a new epoch and commits what it queued: a single node never
// fences itself.
func TestLeaseLapsedNobodyTookIt(t *testing.T) {
	k := mustKey(t, "tenfour.test/lapse")
	db := mustOpenStore(t, dbPath(t))
	f := &faultStore{Store: db}
	resets := make(chan int64, 4)
	l := openNode(t, f, k, "a", 300*time.Millisecond, resets)
	acked := []*ledger.Pending{mustAppend(t, l, records(0, 2)...)}
	before := l.Lease().Epoch

	f.pause()
	queued, err := l.Enqueue(records(2, 5))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the commit to stall", func() bool { return f.waiting.Load() > 0 })
	waitLeaseLapsed(t, db)
	f.resume()
	if err := queued.Wait(); err != nil {
		t.Fatalf("the stalled batch after the lease lapsed: Wait() = %v, want nil", err)
	}
	if got := l.Lease().Epoch; got <= before {
		t.Errorf("lease epoch after the lapse = %d, want above %d", got, before)
	}
	// And a lapse with nothing queued: the renewal itself takes the lease back.
	f.pause()
	lease := waitLeaseLapsed(t, db)
	f.resume()
	waitFor(t, "the node to renew at a new epoch", func() bool { return l.Lease().Epoch > lease.Epoch })
	acked = append(acked, queued, mustAppend(t, l, records(5, 7)...))
	if !l.IsSequencer() || l.Err() != nil {
		t.Errorf("after two lapses: IsSequencer() = %v, Err() = %v, want true, nil", l.IsSequencer(), l.Err())
	}
	select {
	case d := <-resets:
		t.Errorf("OnReset(%d) called, want no reset: nobody else appended", d)
	default:
	}
	l.Close()
	checkStored(t, db, k, acked)
}

// A sequencer that stalls while another node takes the log over and appends
// cannot commit what it queued: its appenders hear ErrFenced, its caller is
// told to drop the void events (OnReset at its durable size), and it follows
// the log. Here the other node released the lease, so the stalled node is
// granted it again — and finds another node's events where its own would go.
// It follows them, then sequences again. One log, no fork.
func TestFencedAfterAnotherNodeAppended(t *testing.T) {
	k := mustKey(t, "tenfour.test/fork")
	db := mustOpenStore(t, dbPath(t))
	fa := &faultStore{Store: db}
	ttl := 300 * time.Millisecond
	resetsA := make(chan int64, 4)
	a := openNode(t, fa, k, "a", ttl, resetsA)
	acked := []*ledger.Pending{mustAppend(t, a, records(0, 3)...)}
	durable := a.Size()

	fa.pause()
	void, err := a.Enqueue(records(100, 104))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a's commit to stall", func() bool { return fa.waiting.Load() > 0 })
	waitLeaseLapsed(t, db)
	b := openNode(t, db, k, "b", ttl, make(chan int64, 4))
	if !b.IsSequencer() {
		t.Fatal("b did not take the lapsed lease when it opened")
	}
	acked = append(acked, mustAppend(t, b, records(3, 5)...))
	if err := b.Close(); err != nil {
		t.Fatalf("b.Close() = %v", err)
	}
	fa.resume()

	if err := void.Wait(); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("a's stalled batch after b appended: Wait() = %v, want ErrFenced", err)
	}
	select {
	case d := <-resetsA:
		if d != durable {
			t.Errorf("OnReset(%d), want a's durable size %d", d, durable)
		}
	default:
		t.Error("a's void events were not reset (OnReset not called before Wait returned)")
	}
	waitFor(t, "a to read b's events and sequence again", func() bool { return a.IsSequencer() && a.Size() == 5 })
	acked = append(acked, mustAppend(t, a, records(5, 7)...))
	if a.Err() != nil {
		t.Fatalf("a.Err() = %v, want a running", a.Err())
	}
	a.Close()
	checkStored(t, db, k, acked)
}

// A stalled sequencer whose lease another node holds, when it wakes, drops
// what it queued and follows that node; the events it had queued are refused
// with ErrFenced, and what the other node appends reaches it.
func TestLeaseHeldByAnotherNode(t *testing.T) {
	k := mustKey(t, "tenfour.test/follow")
	db := mustOpenStore(t, dbPath(t))
	fa := &faultStore{Store: db}
	ttl := 300 * time.Millisecond
	resetsA := make(chan int64, 4)
	a := openNode(t, fa, k, "a", ttl, resetsA)
	acked := []*ledger.Pending{mustAppend(t, a, records(0, 2)...)}

	fa.pause()
	void, err := a.Enqueue(records(100, 101))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a's commit to stall", func() bool { return fa.waiting.Load() > 0 })
	waitLeaseLapsed(t, db)
	b := openNode(t, db, k, "b", time.Minute, make(chan int64, 4)) // b holds on
	if !b.IsSequencer() {
		t.Fatal("b did not take the lapsed lease when it opened")
	}
	acked = append(acked, mustAppend(t, b, records(2, 4)...))
	fa.resume()
	if err := void.Wait(); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("a's stalled batch with b holding the lease: Wait() = %v, want ErrFenced", err)
	}
	if d := <-resetsA; d != 2 {
		t.Errorf("OnReset(%d), want 2", d)
	}
	waitFor(t, "a to follow b", func() bool { return !a.IsSequencer() && a.Size() == 4 })
	if _, err := a.Enqueue(records(200, 201)); !errors.As(err, new(*ledger.NotSequencerError)) {
		t.Errorf("a.Enqueue while b sequences = %v, want a NotSequencerError", err)
	}
	if lease := a.Lease(); lease == nil || lease.Node != "b" {
		t.Errorf("a.Lease() = %+v, want b's", lease)
	}
	acked = append(acked, mustAppend(t, b, records(4, 5)...))
	waitFor(t, "a to read b's last event", func() bool { return a.Size() == 5 })
	if a.Err() != nil {
		t.Fatalf("a.Err() = %v, want a following", a.Err())
	}
	a.Close()
	b.Close()
	checkStored(t, db, k, acked)
}

// A commit refused as a conflict while the log still ends where the batch
// starts (nothing explains it) is kept and tried again after a pause, like
// any refusal, and lands once the store takes it.
func TestCommitInexplicableConflict(t *testing.T) {
	k := mustKey(t, "tenfour.test/conflict")
	db := mustOpenStore(t, dbPath(t))
	f := &faultStore{Store: db}
	l := mustOpenLog(t, f, k)
	acked := []*ledger.Pending{mustAppend(t, l, records(0, 1)...)}
	f.setRefuse(fmt.Errorf("append: a key: %w", store.ErrConflict))
	kept, err := l.Enqueue(records(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the conflict to be tried again", func() bool { return f.refused.Load() >= 2 })
	var u *ledger.UnavailableError
	if _, err := l.Enqueue(records(3, 4)); !errors.As(err, &u) || u.Reason != ledger.ReasonStoreUnavailable {
		t.Errorf("Enqueue while a conflict is retried = %v, want an UnavailableError store_unavailable", err)
	}
	f.setRefuse(nil)
	if err := kept.Wait(); err != nil {
		t.Fatalf("the kept batch once the store takes it: Wait() = %v", err)
	}
	acked = append(acked, kept)
	l.Close()
	checkStored(t, db, k, acked)
}

// A store that fences every append, even at the epoch it has just granted,
// does not make the sequencer loop: it gives up the batch (ErrFenced), stays
// up, and sequences again once the store takes its appends.
func TestFencedAtGrantedEpoch(t *testing.T) {
	k := mustKey(t, "tenfour.test/refenced")
	db := mustOpenStore(t, dbPath(t))
	f := &faultStore{Store: db}
	resets := make(chan int64, 4)
	l := openNode(t, f, k, "a", 300*time.Millisecond, resets)
	acked := []*ledger.Pending{mustAppend(t, l, records(0, 2)...)}
	f.setRefuse(fmt.Errorf("append at epoch 1: %w", store.ErrFenced))
	if _, err := l.Append(records(2, 3)); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("Append on a store that fences every append = %v, want ErrFenced", err)
	}
	if d := <-resets; d != 2 {
		t.Errorf("OnReset(%d), want 2", d)
	}
	f.setRefuse(nil)
	waitFor(t, "the node to sequence again", l.IsSequencer)
	acked = append(acked, mustAppend(t, l, records(3, 5)...))
	if l.Err() != nil {
		t.Fatalf("Err() = %v, want the log running", l.Err())
	}
	l.Close()
	checkStored(t, db, k, acked)
}
