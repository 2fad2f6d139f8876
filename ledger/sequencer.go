package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/tlog"
)

// Several nodes may share one store; exactly one of them, the sequencer,
// appends. The store's lease decides which (store.Lease): it is granted and
// timed by the database, and every append the sequencer makes is fenced by
// its epoch, so that a sequencer that was paused past its lease has its
// appends refused and can never fork the log; it takes the lease back if
// nobody took it, or follows (fault.go). Every other node follows: it
// reads each new event from the store, verifies it against the tree as it
// recomputes it, folds it into its state through the replay function, and
// verifies and serves the sequencer's checkpoints. A follower that obtains
// the lease catches up to the head first, then sequences.

// A NotSequencerError refuses an append on a node that does not hold the
// lease. Lease is the lease as last seen (nil if none was ever granted), so
// that the caller can forward the command to its holder.
type NotSequencerError struct {
	Lease *store.Lease
}

func (e *NotSequencerError) Error() string {
	if e.Lease == nil || e.Lease.Node == "" {
		return "this node is not the sequencer, and no sequencer is known"
	}
	return fmt.Sprintf("this node is not the sequencer; node %s (%s) is", e.Lease.Node, e.Lease.URL)
}

// IsSequencer reports whether this node holds the lease and appends.
func (l *Log) IsSequencer() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sequencing
}

// Decides reports whether this node may decide commands now: it sequences,
// and its lease, counted from when it last asked for it and was granted it,
// has not run out by this node's own clock. A sequencer whose renewals go
// unanswered (the database restarts or stalls) may have lost the lease to
// another node without knowing it; its state then lacks that node's events,
// and even a refusal it answered ("no such incident") could contradict the
// log. Its appends are fenced whatever this says; this keeps its answers
// from being made on a state that may be stale. It holds again once a
// renewal succeeds, within a third of the lease.
func (l *Log) Decides() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sequencing && time.Since(l.grantedAt) < l.ttl
}

// AwaitDecides reports whether this node decides commands (Decides),
// waiting, while it sequences on a lease that ran out by its own clock,
// for the renewal that settles it (within a third of the lease, once the
// store answers): the lease granted again, or another node's. It gives up
// when ctx ends.
func (l *Log) AwaitDecides(ctx context.Context) bool {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for !l.Decides() {
		if !l.IsSequencer() {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

// granted notes that the lease asked for at asked was granted to this node.
func (l *Log) granted(asked time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if asked.After(l.grantedAt) {
		l.grantedAt = asked
	}
}

// Lease returns the sequencer lease as this node last saw it, or nil.
func (l *Log) Lease() *store.Lease { return l.lease.Load() }

// NodeMAC authenticates a message between nodes of this log (Key.NodeMAC).
func (l *Log) NodeMAC(msg []byte) []byte { return l.key.NodeMAC(msg) }

// Node returns this node's id.
func (l *Log) Node() string { return l.node }

// tryLead takes the lease if it is free. Holding it, the node catches up to
// the head of the log, takes the newest checkpoint, and starts sequencing.
func (l *Log) tryLead(ctx context.Context) error {
	asked := time.Now()
	lease, err := l.st.AcquireLease(ctx, l.node, l.url, l.ttl)
	if errors.Is(err, store.ErrConflict) {
		l.lease.Store(&lease)
		return nil
	}
	if err != nil {
		return fmt.Errorf("sequencer lease: %w", err)
	}
	l.applyMu.Lock()
	defer l.applyMu.Unlock()
	if err := l.catchUp(ctx); err != nil {
		return err
	}
	if err := l.refreshCheckpoint(ctx); err != nil {
		return err
	}
	l.mu.Lock()
	l.sequencing, l.epoch, l.next = true, lease.Epoch, l.durable.Load()
	l.front = l.dfront
	l.mu.Unlock()
	l.granted(asked)
	l.lease.Store(&lease)
	l.logger.Info("sequencing the log", "node", l.node, "epoch", lease.Epoch, "size", l.durable.Load())
	return nil
}

// renew extends the lease. Finding it held by another node, the node gives
// up what it queued and follows (lose). Finding it granted again at another
// epoch — it lapsed while this node stalled, and nobody took it — the node
// sequences on at the new epoch if nobody appended meanwhile (adopt).
func (l *Log) renew(ctx context.Context) {
	l.mu.Lock()
	epoch := l.epoch
	l.mu.Unlock()
	asked := time.Now()
	lease, err := l.st.AcquireLease(ctx, l.node, l.url, l.ttl)
	if err == nil {
		l.granted(asked)
	}
	l.renewal(err)
	switch {
	case errors.Is(err, store.ErrConflict):
		l.lease.Store(&lease)
		l.whenIdle(func() {
			l.lose(fmt.Errorf("node %s took the sequencer lease at epoch %d: %w", lease.Node, lease.Epoch, store.ErrFenced), nil)
		})
	case err != nil:
		// The fence still protects the log; try again at the next tick.
		l.logger.Warn("renew the sequencer lease", "err", err)
	case lease.Epoch != epoch:
		l.lease.Store(&lease)
		l.whenIdle(func() { l.adopt(ctx, epoch, lease.Epoch) })
	default:
		l.lease.Store(&lease)
	}
}

// renewal keeps why the last renewal of the lease failed, if the store
// refused it for want of space or did not answer: while the lease runs out
// for that reason, a command is refused with that reason, not a vaguer one.
func (l *Log) renewal(err error) {
	var u *UnavailableError
	if err != nil && !errors.Is(err, store.ErrConflict) && (errors.Is(err, store.ErrFull) || store.Unreachable(err)) {
		u = unavailable(err, l.ttl/3)
	}
	l.mu.Lock()
	l.renewFault = u
	l.mu.Unlock()
}

// Refusal returns why this node, the sequencer, cannot take a command now,
// or nil: the log is degraded (Degraded), or the store refused or missed the
// last renewal of the lease.
func (l *Log) Refusal() *UnavailableError {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.degraded
	if u == nil {
		u = l.renewFault
	}
	if u == nil {
		return nil
	}
	c := *u
	c.Unknown = false // nothing of the command was sequenced
	return &c
}

// whenIdle runs fn under applyMu if no commit is under way and this node
// still sequences. A commit under way finds out the same from its own
// append, fenced, and settles it (fault.go).
func (l *Log) whenIdle(fn func()) {
	if !l.applyMu.TryLock() {
		return
	}
	defer l.applyMu.Unlock()
	if l.IsSequencer() {
		fn()
	}
}

// adopt moves this node's appends to the epoch at which the lease was
// granted to it again, if the log still ends where this node's durable
// events do: its queued events are then still the log's next ones.
// Otherwise another node appended in between, and this node follows.
func (l *Log) adopt(ctx context.Context, old, epoch int64) {
	size, err := l.st.LogSize(ctx)
	if err != nil {
		l.logger.Warn("the sequencer lease lapsed and was granted again; the log size is unknown", "err", err)
		return
	}
	if durable := l.durable.Load(); size != durable {
		l.lose(fmt.Errorf("the sequencer lease lapsed (epoch %d, now %d) and the log grew to %d events beyond this node's %d: %w", old, epoch, size, durable, store.ErrFenced), nil)
		return
	}
	l.mu.Lock()
	l.epoch = epoch
	l.mu.Unlock()
	l.logger.Info("the sequencer lease lapsed and nobody took it: sequencing on at the new epoch", "epoch", epoch, "was", old, "size", size)
}

// roleLoop follows the log and seeks the lease while this node is not the
// sequencer, and renews the lease while it is.
func (l *Log) roleLoop() {
	defer l.role.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-l.stop:
		case <-l.fatal:
		}
		cancel()
	}()
	changes := l.st.Changes(ctx)
	poll := time.NewTicker(l.poll)
	defer poll.Stop()
	lease := time.NewTicker(l.ttl / 3)
	defer lease.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-lease.C:
			if l.IsSequencer() {
				l.renew(ctx)
				continue
			}
			if l.held != nil {
				continue // a held node follows, never leads (hold.go)
			}
			if err := l.tryLead(ctx); err != nil && ctx.Err() == nil {
				l.followFailed(err)
			}
			continue
		case <-changes:
		case <-poll.C:
		}
		if l.IsSequencer() {
			continue
		}
		l.applyMu.Lock()
		err := l.catchUp(ctx)
		l.applyMu.Unlock()
		if err == nil {
			err = l.refreshCheckpoint(ctx)
		}
		if err != nil && ctx.Err() == nil {
			l.followFailed(err)
		}
	}
}

// followFailed stops the log on an integrity failure (a follower must not
// serve a log it cannot verify) and logs anything else, to try again.
func (l *Log) followFailed(err error) {
	var ie *IntegrityError
	if errors.As(err, &ie) {
		l.fail(err, nil)
		return
	}
	l.logger.Warn("follow the log", "err", err)
}

// errPage stops a page of catchUp's scan.
var errPage = errors.New("page full")

// catchUp reads, verifies and replays the events appended to the store since
// this node last looked, a page at a time. The caller holds applyMu.
func (l *Log) catchUp(ctx context.Context) error {
	const page = 4096
	for {
		from := l.durable.Load()
		var leaves []store.Leaf
		err := l.st.ScanLeaves(ctx, from, func(leaf store.Leaf) error {
			leaves = append(leaves, leaf)
			if len(leaves) == page {
				return errPage
			}
			return nil
		})
		if err != nil && !errors.Is(err, errPage) {
			return fmt.Errorf("follow the log from %d: %w", from, err)
		}
		if len(leaves) == 0 {
			return nil
		}
		openings := make(map[int64]map[string]string)
		if l.replay != nil {
			seqs := make([]int64, len(leaves))
			for i, leaf := range leaves {
				seqs[i] = leaf.Seq
			}
			os, err := l.st.ReadOpenings(ctx, seqs)
			if err != nil {
				return fmt.Errorf("follow the log: %w", err)
			}
			for _, o := range os {
				if openings[o.Seq] == nil {
					openings[o.Seq] = make(map[string]string)
				}
				openings[o.Seq][o.Field] = o.Value
			}
		}
		for i, leaf := range leaves {
			n := from + int64(i)
			e, hashes, err := l.verifyLeaf(n, leaf)
			if err != nil {
				return err
			}
			l.front.add(n, hashes)
			l.dfront.add(n, hashes)
			if l.replay != nil {
				if err := l.replay(Replayed{Entry: e, Raw: leaf.Entry, Openings: openings[n]}); err != nil {
					return &IntegrityError{Seq: n, Reason: fmt.Sprintf("replay %s: %v", e.Type, err)}
				}
			}
			l.durable.Store(n + 1)
		}
		if len(leaves) < page {
			return nil
		}
	}
}

// refreshCheckpoint takes the newest checkpoint from the store once this node
// has read the events it covers, after checking its signature and that its
// root is the root of the tree this node verified.
func (l *Log) refreshCheckpoint(ctx context.Context) error {
	c, err := l.st.LatestCheckpoint(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("follow checkpoints: %w", err)
	}
	if cur := l.cp.Load(); (cur != nil && c.Size <= cur.Size) || c.Size > l.durable.Load() {
		return nil
	}
	cp, err := OpenCheckpoint(c.Note, l.verifier)
	if err != nil || cp.Size != c.Size {
		return &IntegrityError{Seq: -1, Reason: fmt.Sprintf("stored checkpoint %d does not verify: %v", c.Size, err)}
	}
	root, err := tlog.TreeHash(cp.Size, storeHashReader{ctx: ctx, st: l.st})
	if err != nil {
		return fmt.Errorf("follow checkpoints: %w", err)
	}
	if root != cp.Root {
		return &IntegrityError{Seq: -1, Reason: fmt.Sprintf("checkpoint %d signs a root that is not the root of the verified events", cp.Size)}
	}
	l.cp.Store(&signedCheckpoint{Checkpoint: cp, note: c.Note, at: time.Now()})
	return nil
}
