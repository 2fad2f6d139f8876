package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A StoreReport is what VerifyStore found in a store: the size of its log,
// the RFC 6962 root of that tree, and the newest signed checkpoint in it.
type StoreReport struct {
	Size       int64
	Root       tlog.Hash
	Checkpoint Checkpoint
	Note       []byte // the checkpoint's signed note
}

// VerifyStore checks a store's log as Open does, without writing to it and
// without replaying it: the store is bound to the verifier key vkey (the
// "log.key" setting), every leaf's stored hashes are recomputed from its
// bytes, and the newest stored checkpoint is signed by vkey and names the
// root of the tree of its size. A log with events and no checkpoint is
// refused: nothing signed vouches for it. It serves backups (a copy checked
// as it is written and before it is restored).
func VerifyStore(ctx context.Context, st Store, vkey string) (StoreReport, error) {
	var rep StoreReport
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return rep, fmt.Errorf("verify store: key %q: %w", vkey, err)
	}
	got, err := st.Meta(ctx, "log.key")
	if err != nil {
		return rep, fmt.Errorf("verify store: the key that signs its log: %w", err)
	}
	if got != vkey {
		return rep, fmt.Errorf("verify store: its log is signed by key %q, not %q", got, vkey)
	}
	c, err := st.LatestCheckpoint(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c = store.Checkpoint{}
	case err != nil:
		return rep, fmt.Errorf("verify store: %w", err)
	}
	var cp *Checkpoint
	if c.Note != nil {
		parsed, err := OpenCheckpoint(c.Note, v)
		if err != nil {
			return rep, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("its newest checkpoint: %v", err)}
		}
		if parsed.Size != c.Size {
			return rep, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("checkpoint stored as size %d says %d", c.Size, parsed.Size)}
		}
		cp, rep.Checkpoint, rep.Note = &parsed, parsed, c.Note
	}
	var f frontier
	n := int64(0)
	for {
		leaves, err := readLeaves(ctx, st, n, loadPage)
		if err != nil {
			return rep, fmt.Errorf("verify store: %w", err)
		}
		for _, leaf := range leaves {
			_, hashes, err := verifyLeafOn(&f, n, leaf)
			if err != nil {
				return rep, err
			}
			f.add(n, hashes)
			n++
			if cp != nil && n == cp.Size {
				if err := checkRoot(n, &f, cp.Root); err != nil {
					return rep, err
				}
			}
		}
		if len(leaves) < loadPage {
			break
		}
	}
	switch {
	case cp == nil && n > 0:
		return rep, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("the log holds %d events and no signed checkpoint", n)}
	case cp != nil && n < cp.Size:
		return rep, &IntegrityError{Seq: n, Reason: fmt.Sprintf("the log ends at %d events but its checkpoint covers %d: events are missing", n, cp.Size)}
	}
	rep.Size = n
	if rep.Root, err = tlog.TreeHash(n, &f); err != nil {
		return rep, fmt.Errorf("verify store: root of %d: %w", n, err)
	}
	return rep, nil
}

// checkRoot checks that the tree of size n on f has root want.
func checkRoot(n int64, f *frontier, want tlog.Hash) error {
	root, err := tlog.TreeHash(n, f)
	if err != nil {
		return fmt.Errorf("verify store: root of %d: %w", n, err)
	}
	if root != want {
		return &IntegrityError{Seq: -1, Reason: fmt.Sprintf("the first %d events do not hash to the root of the signed checkpoint", n)}
	}
	return nil
}
