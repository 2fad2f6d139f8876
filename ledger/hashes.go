package ledger

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// A hash at tree level L and index n is completed, and so stored, by the leaf
// that ends its subtree: leaf (n+1)·2^L − 1, whose stored hashes hold it at
// position L (tlog.StoredHashes lists the leaf hash, then one hash per level).
func hashHome(level int, n int64) (seq int64, pos int) {
	return (n+1)<<level - 1, level
}

// storeHashReader reads tree hashes from the store for tlog's proofs.
type storeHashReader struct {
	ctx context.Context
	st  Store
}

func (r storeHashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	seqs := make([]int64, len(indexes))
	pos := make([]int, len(indexes))
	for i, x := range indexes {
		level, n := tlog.SplitStoredHashIndex(x)
		seqs[i], pos[i] = hashHome(level, n)
	}
	return readStoredHashes(r.ctx, r.st, seqs, pos)
}

// readStoredHashes returns hash pos of each leaf seqs[i].
func readStoredHashes(ctx context.Context, st Store, seqs []int64, pos []int) ([]tlog.Hash, error) {
	blobs, err := st.ReadHashes(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(seqs))
	for i, b := range blobs {
		if len(b) < (pos[i]+1)*tlog.HashSize {
			return nil, &IntegrityError{Seq: seqs[i], Reason: fmt.Sprintf("stored hashes are %d bytes, want at least %d", len(b), (pos[i]+1)*tlog.HashSize)}
		}
		copy(out[i][:], b[pos[i]*tlog.HashSize:])
	}
	return out, nil
}

// A frontier holds the newest completed subtree hash of each level: exactly
// what tlog needs to compute the stored hashes of the next leaf and the root
// of the current tree, without reading the store.
type frontier struct {
	idx  [64]int64
	hash [64]tlog.Hash
	have [64]bool
}

// add records the stored hashes of leaf n.
func (f *frontier) add(n int64, hashes []tlog.Hash) {
	for l, h := range hashes {
		f.idx[l] = tlog.StoredHashIndex(l, n>>l)
		f.hash[l] = h
		f.have[l] = true
	}
}

// ReadHashes implements tlog.HashReader for hashes on the frontier.
func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		found := false
		for l := range f.idx {
			if f.have[l] && f.idx[l] == x {
				out[i], found = f.hash[l], true
				break
			}
		}
		if !found {
			// Only reachable through a broken invariant of this package.
			return nil, fmt.Errorf("ledger: stored hash %d is not on the frontier", x)
		}
	}
	return out, nil
}

// joinHashes concatenates hashes as a Leaf stores them.
func joinHashes(hs []tlog.Hash) []byte {
	b := make([]byte, 0, len(hs)*tlog.HashSize)
	for _, h := range hs {
		b = append(b, h[:]...)
	}
	return b
}

// An IntegrityError says that the stored log is not what was signed or
// appended, and names the first event where it differs.
type IntegrityError struct {
	Seq    int64 // the event, or -1 when the log as a whole is at fault
	Reason string
}

func (e *IntegrityError) Error() string {
	if e.Seq < 0 {
		return "log integrity: " + e.Reason
	}
	return fmt.Sprintf("log integrity: event %d: %s", e.Seq, e.Reason)
}
