package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/tlog"
)

// A node never stops itself over a fault it can wait out. A commit that
// fails is kept and retried; what happened to it is settled from the store
// itself before each retry, so that the answer is never a guess:
//
//   - The store refused the commit for want of space, or did not answer
//     (storage full, connection lost, server restarting): the outcome may be
//     unknown, since a lost COMMIT reply may have committed. The log is
//     degraded (Degraded): it takes no new events, and retries the batch
//     with a growing pause. Before each retry it reads the log's size; if the
//     batch's leaves are there and are its own bytes, the batch landed.
//   - The commit was fenced (the lease lapsed while this node stalled): if
//     the store grants the lease to this node again and nobody appended, the
//     queued events are still the log's next ones and commit at the new
//     epoch. A single node therefore never fences itself.
//   - Another node holds the lease or appended: this node's queued events can
//     never be committed. Their appenders hear store.ErrFenced, the caller's
//     state drops them (Config.OnReset), and the node follows the log.
//   - The store's log shrank, or holds leaves that contradict the ones this
//     node committed: that is corruption, and the log fails (Failed).
//
// The no-fork guarantee is untouched: every append is still fenced by the
// lease epoch in the store's transaction, and a batch is only ever appended
// at the size this node verified.

// Reasons of an UnavailableError: the problem types the API answers with.
const (
	ReasonStorageFull      = "storage_full"
	ReasonStoreUnavailable = "store_unavailable"
)

// Bounds of the pause between two tries of a commit the store refused.
const (
	minRetry = 100 * time.Millisecond
	maxRetry = 5 * time.Second
)

// DefaultSlowCommit is how long a commit may go unanswered before the log
// counts the store as unavailable (Config.SlowCommit).
const DefaultSlowCommit = 5 * time.Second

// An UnavailableError says that the log cannot record events for now: the
// store is full or does not answer. It passes; nothing is lost.
type UnavailableError struct {
	Reason     string        // ReasonStorageFull or ReasonStoreUnavailable
	RetryAfter time.Duration // when to try again
	// Unknown is set when the events in question were sequenced before the
	// fault: they may yet be recorded, so a retry must carry the same
	// Idempotency-Key.
	Unknown bool
	Err     error
}

func (e *UnavailableError) Error() string {
	what := "the store does not answer"
	if e.Reason == ReasonStorageFull {
		what = "the store is full"
	}
	if e.Unknown {
		what += "; the events were sequenced and may still be recorded"
	}
	if e.Err == nil {
		return what
	}
	return what + ": " + e.Err.Error()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Degraded returns why the log takes no events for now, or nil.
func (l *Log) Degraded() *UnavailableError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.degraded
}

// unavailable classifies a store error that is neither a fence nor a
// conflict.
func unavailable(err error, retry time.Duration) *UnavailableError {
	reason := ReasonStoreUnavailable
	if errors.Is(err, store.ErrFull) {
		reason = ReasonStorageFull
	}
	return &UnavailableError{Reason: reason, RetryAfter: max(retry, time.Second), Err: err}
}

// degrade marks the log degraded, logging the change of reason once. A
// watch other than zero marks it only if that append still waits
// (appendWatched).
func (l *Log) degrade(u *UnavailableError, watch int64) {
	l.mu.Lock()
	if watch != 0 && watch != l.watch {
		l.mu.Unlock()
		return
	}
	was := l.degraded
	l.degraded = u
	if was == nil {
		l.degradedAt = time.Now()
	}
	l.mu.Unlock()
	if was == nil || was.Reason != u.Reason {
		l.logger.Warn("the store cannot record events: commands get 503 until it recovers; reads go on", "reason", u.Reason, "err", u.Err)
	}
}

// recovered clears the degraded mark after a commit landed.
func (l *Log) recovered() {
	l.mu.Lock()
	was, since := l.degraded, l.degradedAt
	l.degraded = nil
	l.mu.Unlock()
	if was != nil {
		l.logger.Info("the store records events again", "reason", was.Reason, "after", time.Since(since).Round(time.Millisecond))
	}
}

// An outcome is what settle found out about a batch whose commit failed.
type outcome int

const (
	retry     outcome = iota // nothing of it is stored: append it again
	landed                   // it is stored, exactly
	lost                     // another node holds the lease or appended
	corrupt                  // the store contradicts what this node committed
	waitRetry                // the store cannot say: wait, then settle again
)

// settle finds out, from the store, where a batch whose commit failed with
// appendErr stands. A fenced commit first tries to take the lease again.
// The error says why, for lost, corrupt and waitRetry.
func (l *Log) settle(b store.Batch, appendErr error) (outcome, error) {
	first, n := b.Leaves[0].Seq, int64(len(b.Leaves))
	regained := int64(0)
	if errors.Is(appendErr, store.ErrFenced) {
		asked := time.Now()
		lease, err := l.st.AcquireLease(context.Background(), l.node, l.url, l.ttl)
		if errors.Is(err, store.ErrConflict) {
			l.lease.Store(&lease)
			return lost, fmt.Errorf("node %s holds the sequencer lease at epoch %d; events %d-%d were not recorded: %w", lease.Node, lease.Epoch, first, first+n-1, store.ErrFenced)
		}
		if err != nil {
			return waitRetry, fmt.Errorf("take the sequencer lease again: %w", err)
		}
		l.lease.Store(&lease)
		l.granted(asked)
		regained = lease.Epoch
	}
	size, err := l.st.LogSize(context.Background())
	if err != nil {
		return waitRetry, err
	}
	switch {
	case size < first:
		return corrupt, &IntegrityError{Seq: size, Reason: fmt.Sprintf("the store's log has %d events, fewer than the %d this node committed", size, first)}
	case size == first:
		if regained != 0 {
			l.mu.Lock()
			old := l.epoch
			l.epoch = regained
			l.mu.Unlock()
			if old != regained {
				l.logger.Info("the sequencer lease lapsed and nobody took it: sequencing on at the new epoch", "epoch", regained, "was", old, "size", size)
			}
		}
		return retry, nil
	}
	got, err := l.st.ReadEntries(context.Background(), first, min(size, first+n))
	if err != nil {
		return waitRetry, err
	}
	for i, e := range got {
		if !bytes.Equal(e, b.Leaves[i].Entry) {
			return lost, fmt.Errorf("another node appended event %d; events %d-%d were not recorded: %w", first+int64(i), first, first+n-1, store.ErrFenced)
		}
	}
	if size < first+n {
		return corrupt, &IntegrityError{Seq: size, Reason: fmt.Sprintf("the store holds only part (%d of %d) of a batch committed in one transaction", size-first, n)}
	}
	l.logger.Info("a commit whose answer was lost had landed", "first", first, "last", first+n-1)
	return landed, nil
}

// commitBatch commits the batch of take, waiting out the store's faults and
// settling each failure (settle). It reports false once the log has failed
// or closed while the batch's outcome was still unknown. The caller holds
// applyMu.
func (l *Log) commitBatch(take []*Pending, b store.Batch) bool {
	wait := minRetry
	regained := false // the lease was granted again after a fence
	err := l.appendWatched(b)
	for {
		if err == nil {
			l.land(take, b)
			return true
		}
		var out outcome
		var why error
		conflict := false
		if u := (*UnavailableError)(nil); errors.As(err, &u) {
			// Wait before asking again: the store has just refused.
			regained = false // the lease may lapse meanwhile: take it again
			u.RetryAfter = max(wait, time.Second)
			l.degrade(u, 0)
			select {
			case <-time.After(wait):
			case <-l.stop:
				l.abandon(take, u.Err)
				return false
			}
			wait = min(2*wait, maxRetry)
			out, why = l.settle(b, nil)
		} else {
			conflict = errors.Is(err, store.ErrConflict)
			fenced := errors.Is(err, store.ErrFenced)
			if fenced && regained {
				// Fenced at the epoch the store has just granted: this node
				// cannot append now (its lease lapsed again before the
				// append, or the store disagrees). Rather than loop, it
				// gives up its queue and follows; roleLoop leads again when
				// it can.
				l.lose(fmt.Errorf("events %d-%d were refused at the epoch just granted to this node: %w", b.Leaves[0].Seq, b.Leaves[len(b.Leaves)-1].Seq, err), take)
				return true
			}
			out, why = l.settle(b, err)
			regained = fenced && out == retry
		}
		switch out {
		case landed:
			l.land(take, b)
			return true
		case lost:
			l.lose(why, take)
			return true
		case corrupt:
			l.fail(why, take)
			return false
		case waitRetry:
			err = unavailable(fmt.Errorf("commit events %d-%d: %w", b.Leaves[0].Seq, b.Leaves[len(b.Leaves)-1].Seq, why), wait)
		case retry:
			if conflict {
				// Refused as a conflict though the log ends where the batch
				// starts: nothing explains it, so it is not tried again at
				// once, but after a pause, like any refusal.
				err = unavailable(err, wait)
				continue
			}
			err = l.appendWatched(b)
		}
	}
}

// appendWatched appends b at the current epoch, marking the log degraded
// while the store takes longer than slow to answer: new commands are then
// refused at once, rather than queued behind a commit that may never come
// back. A failure other than a fence or a conflict is an
// *UnavailableError.
func (l *Log) appendWatched(b store.Batch) error {
	l.mu.Lock()
	b.Epoch = l.epoch
	l.watch++
	id := l.watch
	l.mu.Unlock()
	t := time.AfterFunc(l.slow, func() {
		l.degrade(&UnavailableError{Reason: ReasonStoreUnavailable, RetryAfter: time.Second,
			Err: fmt.Errorf("commit events %d-%d: the store has not answered for %v", b.Leaves[0].Seq, b.Leaves[len(b.Leaves)-1].Seq, l.slow)}, id)
	})
	err := l.st.Append(context.Background(), b)
	t.Stop()
	l.mu.Lock()
	l.watch++ // a late timer must not mark the log degraded after the answer
	l.mu.Unlock()
	if err != nil {
		if errors.Is(err, store.ErrFenced) || errors.Is(err, store.ErrConflict) {
			return err
		}
		return unavailable(fmt.Errorf("commit events %d-%d: %w", b.Leaves[0].Seq, b.Leaves[len(b.Leaves)-1].Seq, err), minRetry)
	}
	return nil
}

// land makes a stored batch durable in memory and answers its appenders.
func (l *Log) land(take []*Pending, b store.Batch) {
	for _, lf := range b.Leaves {
		l.dfront.add(lf.Seq, splitHashes(lf.Hashes))
	}
	l.durable.Store(b.Leaves[len(b.Leaves)-1].Seq + 1)
	l.settled() // before anyone is answered (Unsettled)
	l.recovered()
	if l.onCommit != nil {
		l.onCommit(take)
	}
	for _, p := range take {
		close(p.done)
	}
}

// lose gives up the events queued on this node, which another sequencer's
// log has passed by: their appenders hear err, the caller's state drops them
// (OnReset), and the node follows the log. The caller holds applyMu.
func (l *Log) lose(err error, taken []*Pending) {
	l.mu.Lock()
	dropped := append(taken, l.queue...)
	l.queue = nil
	l.sequencing = false
	l.degraded = nil
	l.front = l.dfront
	durable := l.durable.Load()
	l.next = durable
	l.mu.Unlock()
	n := 0
	for _, p := range dropped {
		n += len(p.Entries)
	}
	l.logger.Warn("no longer the sequencer: following the log", "err", err, "durable", durable, "dropped", n)
	if n > 0 && l.onReset != nil {
		l.onReset(durable)
	}
	for _, p := range dropped {
		p.err = err
		close(p.done)
	}
}

// abandon answers the appenders of everything not committed when the log
// closes while the store is unavailable: their events may or may not be
// stored, which the next start reads from the store.
func (l *Log) abandon(taken []*Pending, why error) {
	l.mu.Lock()
	rest := l.queue
	l.queue = nil
	l.mu.Unlock()
	err := &UnavailableError{Reason: ReasonStoreUnavailable, RetryAfter: time.Second, Unknown: true,
		Err: fmt.Errorf("the log closed before the store answered: %w", why)}
	l.logger.Warn("closing with events whose commit the store has not answered", "err", why)
	for _, p := range append(taken, rest...) {
		p.err = err
		close(p.done)
	}
}

// splitHashes splits a leaf's stored hashes (joinHashes) into tlog hashes.
func splitHashes(b []byte) []tlog.Hash {
	hs := make([]tlog.Hash, len(b)/tlog.HashSize)
	for i := range hs {
		copy(hs[i][:], b[i*tlog.HashSize:])
	}
	return hs
}

// WaitContext is Wait, ending early when ctx is done: the events may still
// be recorded then, which the error says (an *UnavailableError with
// Unknown set).
func (p *Pending) WaitContext(ctx context.Context) error {
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
	}
	select {
	case <-p.done:
		return p.err
	default:
	}
	reason := ReasonStoreUnavailable
	if d := p.log.Degraded(); d != nil {
		reason = d.Reason
	}
	return &UnavailableError{Reason: reason, RetryAfter: time.Second, Unknown: true, Err: context.Cause(ctx)}
}
