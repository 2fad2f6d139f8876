package witness_test

import (
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/witness"
)

// TestExtends reads trees from a log's tiles: a prefix of the log extends,
// a tree of another log of the same size does not, and tiles that do not
// match the root they are asked under are an error, never an answer.
func TestExtends(t *testing.T) {
	a := newMemLog(t, "metro.example/log")
	a.append(t, 300, "a") // beyond one full tile
	b := a.fork(260)
	b.append(t, 40, "b")
	ca, _ := a.checkpoint(t)
	cb, _ := b.checkpoint(t)
	for _, size := range []int64{1, 255, 256, 260} {
		root, err := tlog.TreeHash(size, a)
		if err != nil {
			t.Fatal(err)
		}
		held := ledger.Checkpoint{Origin: a.origin, Size: size, Root: root}
		if ok, err := witness.Extends(t.Context(), a, held, ca); !ok || err != nil {
			t.Errorf("Extends(a at %d, a at 300) = %v, %v, want true", size, ok, err)
		}
		if ok, err := witness.Extends(t.Context(), b, held, cb); !ok || err != nil {
			t.Errorf("Extends(a at %d, b at 300; they share 260) = %v, %v, want true", size, ok, err)
		}
	}
	heldA := ledger.Checkpoint{Origin: a.origin, Size: 280}
	heldA.Root, _ = tlog.TreeHash(280, a)
	if ok, err := witness.Extends(t.Context(), b, heldA, cb); ok || err != nil {
		t.Errorf("Extends(a at 280, b at 300) = %v, %v, want false: a fork", ok, err)
	}
	// b's tiles asked under a's root: they do not authenticate.
	if ok, err := witness.Extends(t.Context(), b, heldA, ca); ok || err == nil {
		t.Errorf("Extends with tiles of another tree = %v, %v, want an error", ok, err)
	}
}
