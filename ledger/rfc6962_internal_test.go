package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// rfc6962Root is the Merkle Tree Hash of RFC 6962 section 2.1, written from
// the RFC and not from tlog, so that it can judge the log's trees:
//
//	MTH({})       = SHA-256()
//	MTH({d(0)})   = SHA-256(0x00 || d(0))
//	MTH(D[n])     = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
//
// where k is the largest power of two smaller than n.
func rfc6962Root(leaves [][]byte) tlog.Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0x00}, leaves[0]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:])
	return sha256.Sum256(append(append([]byte{0x01}, l[:]...), r[:]...))
}

// RFC6962Root lends rfc6962Root to the ledger_test package.
var RFC6962Root = rfc6962Root

// TestRFC6962Root checks the oracle itself against the reference tree heads
// of the Certificate Transparency implementations (certificate-transparency
// merkle_tree_test), which every RFC 6962 log agrees on.
func TestRFC6962Root(t *testing.T) {
	leaves := []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	roots := []string{
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	var data [][]byte
	for _, l := range leaves {
		b, err := hex.DecodeString(l)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b)
	}
	for n, want := range roots {
		if got := rfc6962Root(data[:n]); hex.EncodeToString(got[:]) != want {
			t.Errorf("rfc6962Root(first %d reference leaves) = %x, want %s", n, got, want)
		}
	}
}

// TestTreeAccumulator checks VerifyLog's streaming tree hash against the
// oracle for every size up to a bound that spans two full 256-leaf subtrees,
// and every completed subtree it reports against the oracle's subtree.
func TestTreeAccumulator(t *testing.T) {
	const maxSize = 600
	var leaves [][]byte
	completed := make(map[int][]tlog.Hash) // level → subtree hashes in order
	acc := treeAccumulator{onComplete: func(level int, h tlog.Hash) {
		completed[level] = append(completed[level], h)
	}}
	if got, want := acc.root(), rfc6962Root(nil); got != want {
		t.Fatalf("treeAccumulator{}.root() = %v, want %v", got, want)
	}
	for n := 1; n <= maxSize; n++ {
		leaf := fmt.Appendf(nil, "leaf %d", n-1)
		leaves = append(leaves, leaf)
		acc.push(sha256.Sum256(append([]byte{0x00}, leaf...)))
		if acc.size != int64(n) {
			t.Fatalf("after %d pushes, size = %d", n, acc.size)
		}
		if got, want := acc.root(), rfc6962Root(leaves); got != want {
			t.Fatalf("root() after %d pushes = %v, want %v", n, got, want)
		}
		// One subtree per level completes exactly when n is a multiple of 2^level.
		for level := 1; 1<<level <= n; level++ {
			hs := completed[level]
			if len(hs) != n>>level {
				t.Fatalf("after %d pushes, %d subtrees of level %d completed, want %d", n, len(hs), level, n>>level)
			}
			if n%(1<<level) == 0 {
				k := len(hs) - 1
				if want := rfc6962Root(leaves[k<<level : (k+1)<<level]); hs[k] != want {
					t.Fatalf("subtree %d of level %d = %v, want %v", k, level, hs[k], want)
				}
			}
		}
	}
}
