package ledger_test

import (
	"context"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

// TestTreeProofs appends events one at a time, as x/mod's sumdb/tlog
// TestTree does, for every tree size up to a bound past one full 256-leaf
// tile. At each size it checks that the signed checkpoint's root is the
// RFC 6962 root computed independently, every inclusion proof of every event
// and every consistency proof from every older size, and that each proof
// fails with any one of its hashes altered (at the largest size, with any one
// byte of any hash altered).
func TestTreeProofs(t *testing.T) {
	const maxSize = 300
	if maxSize <= ledger.TileWidth {
		t.Fatalf("maxSize %d does not span a full tile of %d", maxSize, ledger.TileWidth)
	}
	ctx := context.Background()
	l := mustOpenLog(t, mustOpenStore(t, dbPath(t)), mustKey(t, "example.test/tree"))

	// Open signs the empty tree.
	c, _ := l.LatestCheckpoint()
	if want := rfc6962Root(nil); c.Size != 0 || c.Root != want {
		t.Fatalf("checkpoint of a new log = %d %v, want 0 %v", c.Size, c.Root, want)
	}

	// flipped returns which bytes of a proof hash to alter: one, a different
	// one from proof to proof, at every size; every byte at the largest.
	flipped := func(n int64, i int) []int {
		if n < maxSize {
			return []int{(int(n) + i) % tlog.HashSize}
		}
		all := make([]int, tlog.HashSize)
		for b := range all {
			all[b] = b
		}
		return all
	}

	var leaves [][]byte
	roots := []tlog.Hash{rfc6962Root(nil)} // roots[n] is the root of size n
	for n := int64(1); n <= maxSize; n++ {
		p := mustAppend(t, l, record(int(n-1)))
		if p.First != n-1 || len(p.Entries) != 1 {
			t.Fatalf("Append(event %d) = first %d, %d entries, want first %d, 1 entry", n-1, p.First, len(p.Entries), n-1)
		}
		leaves = append(leaves, p.Entries[0])
		roots = append(roots, rfc6962Root(leaves))

		c, _ := mustCheckpoint(t, l)
		if c.Size != n || c.Root != roots[n] {
			t.Fatalf("checkpoint after %d events = %d %v, want %d %v (RFC 6962)", n, c.Size, c.Root, n, roots[n])
		}

		for j := int64(0); j < n; j++ {
			proof, err := l.ProveInclusion(ctx, n, j)
			if err != nil {
				t.Fatalf("ProveInclusion(%d, %d) = %v", n, j, err)
			}
			leaf := tlog.RecordHash(leaves[j])
			if err := tlog.CheckRecord(proof, n, roots[n], j, leaf); err != nil {
				t.Fatalf("CheckRecord(ProveInclusion(%d, %d)) = %v", n, j, err)
			}
			for i := range proof {
				for _, b := range flipped(n, i) {
					bad := append(tlog.RecordProof(nil), proof...)
					bad[i] = flip(bad[i], b)
					if err := tlog.CheckRecord(bad, n, roots[n], j, leaf); err == nil {
						t.Fatalf("CheckRecord(ProveInclusion(%d, %d) with byte %d of hash %d altered) = nil, want an error", n, j, b, i)
					}
				}
			}
			if n > 1 {
				other := tlog.RecordHash(leaves[(j+1)%n])
				if err := tlog.CheckRecord(proof, n, roots[n], j, other); err == nil {
					t.Fatalf("CheckRecord(ProveInclusion(%d, %d)) of event %d's leaf = nil, want an error", n, j, (j+1)%n)
				}
			}
		}

		for m := int64(1); m <= n; m++ {
			proof, err := l.ProveConsistency(ctx, m, n)
			if err != nil {
				t.Fatalf("ProveConsistency(%d, %d) = %v", m, n, err)
			}
			if err := tlog.CheckTree(proof, n, roots[n], m, roots[m]); err != nil {
				t.Fatalf("CheckTree(ProveConsistency(%d, %d)) = %v", m, n, err)
			}
			for i := range proof {
				for _, b := range flipped(n, int(m)+i) {
					bad := append(tlog.TreeProof(nil), proof...)
					bad[i] = flip(bad[i], b)
					if err := tlog.CheckTree(bad, n, roots[n], m, roots[m]); err == nil {
						t.Fatalf("CheckTree(ProveConsistency(%d, %d) with byte %d of hash %d altered) = nil, want an error", m, n, b, i)
					}
				}
			}
			if m < n {
				if err := tlog.CheckTree(proof, n, roots[n], m, roots[m+1]); err == nil {
					t.Fatalf("CheckTree(ProveConsistency(%d, %d)) against the root of %d = nil, want an error", m, n, m+1)
				}
			}
		}
	}

	// What was stored is what was appended.
	for i, e := range mustEntries(t, l, maxSize) {
		if string(e) != string(leaves[i]) {
			t.Fatalf("Entries(%d) = %q, want the appended %q", i, e, leaves[i])
		}
	}
	// Proofs for sizes the log does not have yet are refused.
	if _, err := l.ProveInclusion(ctx, maxSize+1, 0); err == nil {
		t.Errorf("ProveInclusion(%d, 0) of a log of %d = nil error, want an error", maxSize+1, maxSize)
	}
	if _, err := l.ProveConsistency(ctx, 1, maxSize+1); err == nil {
		t.Errorf("ProveConsistency(1, %d) of a log of %d = nil error, want an error", maxSize+1, maxSize)
	}
	for _, tt := range []struct{ size, seq int64 }{{10, 10}, {10, -1}, {0, 0}} {
		if _, err := l.ProveInclusion(ctx, tt.size, tt.seq); err == nil {
			t.Errorf("ProveInclusion(%d, %d) = nil error, want an error", tt.size, tt.seq)
		}
	}
}
