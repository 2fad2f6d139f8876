package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/tlog"
)

// Snapshots is where a log's snapshots are kept (store.Snapshot): the
// state of its reader after a number of events, bound to the root of the
// tree of that size. store/sqlite and store/postgres implement it, and
// store/storetest checks that they do.
type Snapshots interface {
	// SaveSnapshot durably stores a snapshot, replacing one of the same
	// size, and keeps only the newest few.
	SaveSnapshot(ctx context.Context, s store.Snapshot) error
	// LatestSnapshot returns the snapshot with the largest size not above
	// atMost, or store.ErrNotFound when there is none.
	LatestSnapshot(ctx context.Context, atMost int64) (store.Snapshot, error)
}

// restoreSnapshot hands the latest snapshot that binds to the log to
// Config.Restore and sets the frontier to the tree of its size. A snapshot
// that does not bind, or that Restore refuses, is passed over with a
// warning for the next older one. It returns the snapshot's size: the
// events to replay start there; 0 when none was restored.
func (l *Log) restoreSnapshot(ctx context.Context, cp *signedCheckpoint) (int64, error) {
	switch failed, err := l.st.Meta(ctx, metaCheckFailed); {
	case err == nil && failed != "":
		l.logger.Warn("a background verification of the log failed before: replaying the whole log", "err", failed)
		return 0, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return 0, fmt.Errorf("open ledger: %w", err)
	}
	atMost, err := l.st.LogSize(ctx)
	if err != nil {
		return 0, fmt.Errorf("open ledger: %w", err)
	}
	for atMost > 0 {
		s, err := l.snaps.LatestSnapshot(ctx, atMost)
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("open ledger: %w", err)
		}
		front, err := l.bindSnapshot(ctx, s, cp)
		if err == nil {
			if err = l.restore(s); err != nil {
				err = fmt.Errorf("restore: %w", err)
			}
		}
		if err == nil {
			l.front = front
			l.logger.Info("starting from a snapshot", "size", s.Size, "format", s.Format, "bytes", len(s.Data), "created", s.Created)
			return s.Size, nil
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("open ledger: %w", ctx.Err())
		}
		l.logger.Warn("snapshot refused; trying an older one, else replaying the whole log", "size", s.Size, "err", err)
		atMost = s.Size - 1
	}
	return 0, nil
}

// bindSnapshot checks that snapshot s belongs to this log and returns the
// frontier of the tree of its size, read from the stored hashes.
//
// Why this binds it: the signed checkpoint cp is the one thing in the store
// that whoever can write to the store cannot make up. The snapshot's root
// must be the root of the tree of its size as the stored hashes give it
// (so the frontier the tail is appended to is the one the store holds),
// and that tree must be provably consistent with cp (RFC 6962 section
// 2.1.2): a prefix of the signed tree, or, for a snapshot made after the
// last checkpoint, an extension of it. Then the snapshot's size and root
// name exactly the first events of the signed log, and the frontier's
// hashes, whose root it is, are theirs. The tail is verified from its
// bytes as a whole load does, and reaching cp's size checks cp's root
// again. What this cannot show is that the snapshot's data is the state
// those events make: the node wrote it, as it wrote every projection in
// the store; the events before it are re-hashed in the background
// (startCheck), and `tenfour verify` checks the whole log.
func (l *Log) bindSnapshot(ctx context.Context, s store.Snapshot, cp *signedCheckpoint) (frontier, error) {
	var front frontier
	switch {
	case s.Format != l.snapFormat:
		return front, fmt.Errorf("snapshot %d is in format %q, this node reads %q", s.Size, s.Format, l.snapFormat)
	case len(s.Root) != tlog.HashSize:
		return front, fmt.Errorf("snapshot %d: a root of %d bytes", s.Size, len(s.Root))
	case cp == nil:
		return front, fmt.Errorf("snapshot %d: no signed checkpoint to bind it to", s.Size)
	}
	front, err := frontierAt(ctx, l.st, s.Size)
	if err != nil {
		return front, fmt.Errorf("snapshot %d: %w", s.Size, err)
	}
	root, err := tlog.TreeHash(s.Size, &front)
	if err != nil {
		return front, fmt.Errorf("snapshot %d: %w", s.Size, err)
	}
	if !bytes.Equal(root[:], s.Root) {
		return front, fmt.Errorf("snapshot %d: its root is not the root of the first %d events of the log", s.Size, s.Size)
	}
	if err := consistent(ctx, l.st, s.Size, root, cp.Checkpoint); err != nil {
		return front, fmt.Errorf("snapshot %d: %w", s.Size, err)
	}
	return front, nil
}

// consistent proves, from the stored hashes, that the tree of size n and
// root is consistent with the signed checkpoint cp, whichever is larger.
func consistent(ctx context.Context, st Store, n int64, root tlog.Hash, cp Checkpoint) error {
	r := storeHashReader{ctx: ctx, st: st}
	switch {
	case cp.Size == n:
		if root != cp.Root {
			return fmt.Errorf("its root is not the root of signed checkpoint %d", cp.Size)
		}
	case cp.Size == 0:
		// The empty tree is a prefix of every tree.
	case n < cp.Size:
		proof, err := tlog.ProveTree(cp.Size, n, r)
		if err != nil {
			return fmt.Errorf("consistency proof to checkpoint %d: %w", cp.Size, err)
		}
		if err := tlog.CheckTree(proof, cp.Size, cp.Root, n, root); err != nil {
			return fmt.Errorf("not a prefix of signed checkpoint %d: %w", cp.Size, err)
		}
	default:
		proof, err := tlog.ProveTree(n, cp.Size, r)
		if err != nil {
			return fmt.Errorf("consistency proof from checkpoint %d: %w", cp.Size, err)
		}
		if err := tlog.CheckTree(proof, n, root, cp.Size, cp.Root); err != nil {
			return fmt.Errorf("not an extension of signed checkpoint %d: %w", cp.Size, err)
		}
	}
	return nil
}

// frontierAt reads from the store the frontier of the tree of size n: at
// each level, the newest complete subtree, which is all that the hashes of
// later leaves and the tree's root need (hashes.go). It takes one read of
// at most 64 hashes, whatever n.
func frontierAt(ctx context.Context, st Store, n int64) (frontier, error) {
	var f frontier
	var seqs []int64
	var pos, levels []int
	for level := 0; level < len(f.idx) && n>>level > 0; level++ {
		seq, p := hashHome(level, n>>level-1)
		seqs, pos, levels = append(seqs, seq), append(pos, p), append(levels, level)
	}
	if len(seqs) == 0 {
		return f, nil
	}
	hs, err := readStoredHashes(ctx, st, seqs, pos)
	if err != nil {
		return f, fmt.Errorf("frontier of tree %d: %w", n, err)
	}
	for i, level := range levels {
		f.idx[level] = tlog.StoredHashIndex(level, n>>level-1)
		f.hash[level] = hs[i]
		f.have[level] = true
	}
	return f, nil
}

// SaveSnapshot stores data, the replay function's state after the first
// size events, as a snapshot in Config.SnapshotFormat bound to the root of
// the tree of that size. The events must be durable. A log that has failed
// saves none: its state is not to be trusted.
func (l *Log) SaveSnapshot(ctx context.Context, size int64, data []byte) error {
	if l.snaps == nil {
		return errors.New("save snapshot: the log has no snapshot store")
	}
	select {
	case <-l.fatal:
		return fmt.Errorf("save snapshot %d: %w", size, l.Err())
	default:
	}
	if size <= 0 || size > l.durable.Load() {
		return fmt.Errorf("save snapshot %d: the log has %d durable events", size, l.durable.Load())
	}
	root, err := tlog.TreeHash(size, storeHashReader{ctx: ctx, st: l.st})
	if err != nil {
		return fmt.Errorf("save snapshot %d: root: %w", size, err)
	}
	s := store.Snapshot{Size: size, Root: root[:], Format: l.snapFormat, Data: data, Created: time.Now().UTC()}
	if err := l.snaps.SaveSnapshot(ctx, s); err != nil {
		return fmt.Errorf("save snapshot %d: %w", size, err)
	}
	return nil
}

// A Verification says how far the re-verification of the events a start
// did not replay has come: after a start from a snapshot, every event
// before it is re-hashed from its bytes in the background, as a start
// without one does before serving.
type Verification struct {
	// Snapshot is the size of the snapshot the log started from; 0 when
	// it replayed, and so verified, every event.
	Snapshot int64
	// Size is the number of events to check: the snapshot's, or the log's
	// at start when it had none; Checked is how many have been.
	Size, Checked int64
	// Done is set once every event was checked, or the check failed.
	Done bool
	// Err is why the check failed: an *IntegrityError, and then the log has
	// failed too.
	Err error
}

// verification is a Verification under its lock, and the signed
// checkpoint the start found, whose root the check compares.
type verification struct {
	mu sync.Mutex
	v  Verification
	cp *signedCheckpoint // set before the check starts
}

func (c *verification) update(fn func(v *Verification)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn(&c.v)
}

// Verification returns how far the background re-verification has come.
func (l *Log) Verification() Verification {
	l.check.mu.Lock()
	defer l.check.mu.Unlock()
	return l.check.v
}

// loaded records what load verified: everything, unless it started from a
// snapshot, whose events startCheck then checks.
func (l *Log) loaded(ctx context.Context, snapshot, size int64, cp *signedCheckpoint) error {
	if snapshot == 0 && l.restore != nil && l.snaps != nil {
		// The whole log verified: snapshots may be trusted again.
		failed, err := l.st.Meta(ctx, metaCheckFailed)
		if err == nil && failed != "" {
			err = l.st.SetMeta(ctx, metaCheckFailed, "")
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("open ledger: %w", err)
		}
	}
	l.check.cp = cp
	l.check.update(func(v *Verification) {
		*v = Verification{Snapshot: snapshot, Size: size, Checked: size, Done: true}
		if snapshot > 0 {
			v.Size, v.Checked, v.Done = snapshot, 0, false
		}
	})
	return nil
}

// startCheck re-verifies in the background, after a start from a
// snapshot, every event before the snapshot that the start did not:
// each stored hash recomputed from the events' bytes, and the root of the
// latest signed checkpoint. An integrity failure fails the log
// (fail-stop, as at a start without a snapshot) and says so.
func (l *Log) startCheck() {
	v := l.Verification()
	if v.Done {
		return
	}
	l.checker.Add(1)
	go func() {
		defer l.checker.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-l.stop:
			case <-l.fatal:
			}
			cancel()
		}()
		began := time.Now()
		err := l.checkAll(ctx, v.Size, l.check.cp)
		var ie *IntegrityError
		switch {
		case err == nil:
			l.logger.Info("the events before the snapshot verify", "snapshot", v.Snapshot, "took", time.Since(began).Round(time.Millisecond))
		case errors.As(err, &ie):
			l.logger.Error("the background verification of the log failed", "snapshot", v.Snapshot, "err", err)
			// The next start replays the whole log, which refuses it too,
			// rather than serve again from a snapshot until this check
			// fails once more.
			if err := l.st.SetMeta(context.Background(), metaCheckFailed, err.Error()); err != nil {
				l.logger.Error("record the failed verification", "err", err)
			}
			// Done before failed: whoever sees the log fail finds why.
			l.check.update(func(v *Verification) { v.Done, v.Err = true, err })
			l.fail(err, nil)
			return
		case ctx.Err() != nil:
			return // closing
		default:
			l.logger.Error("the background verification of the log stopped before its end; run tenfour verify", "err", err)
		}
		l.check.update(func(v *Verification) { v.Done, v.Err = true, err })
	}()
}

// metaCheckFailed is the setting that records a failed background
// verification: while it is set, starts replay the whole log. A whole load
// that succeeds clears it.
const metaCheckFailed = "log.verify.failed"

// checkRetry is how long checkAll waits before it reads a page again after
// the store failed to answer.
const checkRetry = time.Second

// checkAll recomputes the stored hashes of events [0, n) from their bytes
// and checks the root of cp, if its size is among them. A store that does
// not answer is asked again until ctx ends.
func (l *Log) checkAll(ctx context.Context, n int64, cp *signedCheckpoint) error {
	var f frontier
	var seq int64
	for seq < n {
		leaves, err := readLeaves(ctx, l.st, seq, int(min(loadPage, n-seq)))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.logger.Warn("background verification: the store did not answer; retrying", "at", seq, "err", err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(checkRetry):
			}
			continue
		}
		if len(leaves) == 0 {
			return &IntegrityError{Seq: seq, Reason: "missing from the store"}
		}
		for _, leaf := range leaves {
			_, hashes, err := verifyLeafOn(&f, seq, leaf)
			if err != nil {
				return err
			}
			f.add(seq, hashes)
			seq++
			if cp != nil && seq == cp.Size {
				root, err := tlog.TreeHash(seq, &f)
				if err != nil {
					return fmt.Errorf("background verification: %w", err)
				}
				if root != cp.Root {
					return &IntegrityError{Seq: -1, Reason: fmt.Sprintf("the first %d events do not hash to the root of signed checkpoint %d", seq, cp.Size)}
				}
			}
		}
		checked := seq
		l.check.update(func(v *Verification) { v.Checked = checked })
	}
	return nil
}
