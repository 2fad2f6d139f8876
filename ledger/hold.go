package ledger

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// A log restored from a backup may be shorter than a checkpoint it had
// already published: the events after the backup were signed, served and
// perhaps cosigned, and are not in the store. Sequencing on from the
// shorter log would sign a second tree of the same sizes under the same
// key: a fork. So a node that knows of such a checkpoint is held: it
// verifies and serves what it has, and never takes the sequencer lease,
// until an operator accepts the rollback (Config.AcceptRollback) or the
// missing events are recovered. (docs/operations.md, "Backups that cannot
// fork".)

// ReasonReadOnly is the problem type of a command refused by a held log.
const ReasonReadOnly = "read_only"

// A Guard is what a node knows of its log from outside its store.
type Guard struct {
	// Published are signed checkpoints of this log known to have been
	// published: kept outside the store (a file beside it), fetched from
	// the original node, or, with federation, from partners and witnesses.
	// A store shorter than one of them holds the node read-only.
	Published [][]byte
	// Hold, if not "", holds the node in any case, for that reason (a
	// store restored from a backup, with nothing yet to compare it to).
	Hold string
	// AcceptRollback lets the node sequence anyway: an operator accepted
	// that the events beyond the store are lost.
	AcceptRollback bool
	// OnCheckpoint, if set, is called with each checkpoint this node
	// signs, once it is stored, so that it can be kept outside the store.
	OnCheckpoint func(note []byte)
}

// A HoldError says why this node takes no commands: it must not sequence a
// log shorter than a checkpoint already published.
type HoldError struct {
	Reason string
}

func (e *HoldError) Error() string { return "this node is read-only: " + e.Reason }

// A Rollback is a published checkpoint beyond the end of the stored log.
type Rollback struct {
	Published Checkpoint // the newest published checkpoint known
	Size      int64      // the events in the store
}

// Held returns why this node takes no commands, or nil.
func (l *Log) Held() *HoldError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// Rollback returns the published checkpoint the stored log falls short of,
// or nil. With Config.AcceptRollback the node sequences anyway; the caller
// records that it did, with who and why.
func (l *Log) Rollback() *Rollback { return l.rollback }

// checkPublished checks each published checkpoint (a signed note of this
// log) against the stored log of size n: one within the log must name its
// tree exactly, or the store holds another history than the one published
// (an IntegrityError); the largest beyond it holds the node unless the
// rollback is accepted, as does g.Hold.
func (l *Log) checkPublished(ctx context.Context, n int64, g Guard) error {
	hold, accept := g.Hold, g.AcceptRollback
	var beyond *Checkpoint
	for _, msg := range g.Published {
		cp, err := OpenCheckpoint(msg, l.verifier)
		if err != nil {
			return fmt.Errorf("published checkpoint: %w", err)
		}
		if cp.Size > n {
			if beyond == nil || cp.Size > beyond.Size {
				beyond = &cp
			}
			continue
		}
		root, err := tlog.TreeHash(cp.Size, storeHashReader{ctx: ctx, st: l.st})
		if err != nil {
			return fmt.Errorf("published checkpoint %d: root: %w", cp.Size, err)
		}
		if root != cp.Root {
			return &IntegrityError{Seq: -1, Reason: fmt.Sprintf("a published checkpoint of size %d signs a root the stored log does not have: the store holds another history", cp.Size)}
		}
	}
	if beyond != nil {
		l.rollback = &Rollback{Published: *beyond, Size: n}
		if !accept {
			why := fmt.Sprintf("the log has %d events but a checkpoint of %d was published: restored from an older copy? Recover the newer events, or accept the rollback (tenfour serve --accept-rollback --reason ...)", n, beyond.Size)
			if hold != "" {
				why += "; and " + hold
			}
			hold = why
		} else {
			l.logger.Warn("the log is shorter than a checkpoint already published; sequencing on, as the operator accepted", "size", n, "published", beyond.Size)
		}
	}
	if hold != "" && !accept {
		l.held = &HoldError{Reason: hold}
		l.logger.Warn("read-only: this node will not sequence; reads go on, commands get 503", "reason", hold)
	}
	return nil
}
