package storetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

func witnessed(origin string, size int64) store.WitnessedLog {
	root := sha256.Sum256(fmt.Appendf(nil, "%s %d", origin, size))
	return store.WitnessedLog{
		Origin:     origin,
		Size:       size,
		Root:       root[:],
		Checkpoint: append(fmt.Appendf(nil, "%s\n%d\n\x00\xff", origin, size), 0xfe),
		Updated:    time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC).Add(time.Duration(size) * time.Second),
	}
}

func equalWitnessed(a, b store.WitnessedLog) bool {
	return a.Origin == b.Origin && a.Size == b.Size && bytes.Equal(a.Root, b.Root) && bytes.Equal(a.Checkpoint, b.Checkpoint) && a.Updated.Equal(b.Updated)
}

// testWitnessedLogs checks the compare-and-swap on the size held: a first
// checkpoint only from size 0, a next one only from the size held, each log
// apart, and a missing log not found.
func testWitnessedLogs(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	if _, err := st.WitnessedLog(ctx, "a.example/log"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("WitnessedLog(never) = %v, want ErrNotFound", err)
	}
	if err := st.SwapWitnessedLog(ctx, 3, witnessed("a.example/log", 5)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("SwapWitnessedLog(3, 5) on none = %v, want ErrConflict", err)
	}
	if err := st.SwapWitnessedLog(ctx, 0, witnessed("a.example/log", 5)); err != nil {
		t.Fatalf("SwapWitnessedLog(0, 5) = %v", err)
	}
	if err := st.SwapWitnessedLog(ctx, 0, witnessed("a.example/log", 6)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("SwapWitnessedLog(0, 6) holding 5 = %v, want ErrConflict", err)
	}
	if err := st.SwapWitnessedLog(ctx, 4, witnessed("a.example/log", 6)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("SwapWitnessedLog(4, 6) holding 5 = %v, want ErrConflict", err)
	}
	if err := st.SwapWitnessedLog(ctx, 5, witnessed("a.example/log", 9)); err != nil {
		t.Fatalf("SwapWitnessedLog(5, 9) = %v", err)
	}
	if err := st.SwapWitnessedLog(ctx, 0, witnessed("b.example/log", 2)); err != nil {
		t.Fatalf("SwapWitnessedLog(0, 2) of another log = %v", err)
	}
	for _, want := range []store.WitnessedLog{witnessed("a.example/log", 9), witnessed("b.example/log", 2)} {
		got, err := st.WitnessedLog(ctx, want.Origin)
		if err != nil || !equalWitnessed(got, want) {
			t.Errorf("WitnessedLog(%s) = %+v, %v, want %+v", want.Origin, got, err, want)
		}
	}
}

// testWitnessSwapRace swaps from one size concurrently: exactly one wins, so
// a witness never cosigns two checkpoints from the same state.
func testWitnessSwapRace(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	for _, old := range []int64{0, 10} {
		origin := fmt.Sprintf("race%d.example/log", old)
		if old > 0 {
			if err := st.SwapWitnessedLog(ctx, 0, witnessed(origin, old)); err != nil {
				t.Fatalf("SwapWitnessedLog(0, %d) = %v", old, err)
			}
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = st.SwapWitnessedLog(ctx, old, witnessed(origin, old+1+int64(i)))
			})
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Fatalf("swaps from %d: both %d and %d won", old, won, i)
			case err == nil:
				won = i
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("swap %d from %d = %v, want nil or ErrConflict", i, old, err)
			}
		}
		if won < 0 {
			t.Fatalf("swaps from %d: none won", old)
		}
		got, err := st.WitnessedLog(ctx, origin)
		if want := witnessed(origin, old+1+int64(won)); err != nil || !equalWitnessed(got, want) {
			t.Fatalf("WitnessedLog after the race from %d = %+v, %v, want the winner's %+v", old, got, err, want)
		}
	}
}

// testForkEvidence keeps evidence byte-exact, per log, oldest first, with
// ids that grow.
func testForkEvidence(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	if es, err := st.ForkEvidence(ctx, "a.example/log"); err != nil || len(es) != 0 {
		t.Fatalf("ForkEvidence(none) = %v, %v, want none", es, err)
	}
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	var want []store.ForkEvidence
	for i := range 3 {
		e := store.ForkEvidence{
			Origin:    "a.example/log",
			Held:      append(fmt.Appendf(nil, "held %d\n", i), 0, 0xff),
			Submitted: append(fmt.Appendf(nil, "submitted %d\n", i), 0, 0xfe),
			Reason:    fmt.Sprintf("reason %d", i),
			Seen:      at.Add(time.Duration(i) * time.Minute),
		}
		id, err := st.AddForkEvidence(ctx, e)
		if err != nil {
			t.Fatalf("AddForkEvidence(%d) = %v", i, err)
		}
		if len(want) > 0 && id <= want[len(want)-1].ID {
			t.Errorf("AddForkEvidence(%d) id = %d, not after %d", i, id, want[len(want)-1].ID)
		}
		e.ID = id
		want = append(want, e)
	}
	if _, err := st.AddForkEvidence(ctx, store.ForkEvidence{Origin: "b.example/log", Held: []byte("h"), Submitted: []byte("s"), Reason: "r", Seen: at}); err != nil {
		t.Fatalf("AddForkEvidence(b) = %v", err)
	}
	got, err := st.ForkEvidence(ctx, "a.example/log")
	if err != nil || len(got) != len(want) {
		t.Fatalf("ForkEvidence(a) = %d, %v, want %d", len(got), err, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Origin != w.Origin || !bytes.Equal(g.Held, w.Held) || !bytes.Equal(g.Submitted, w.Submitted) || g.Reason != w.Reason || !g.Seen.Equal(w.Seen) {
			t.Errorf("ForkEvidence(a)[%d] = %+v, want %+v", i, g, w)
		}
	}
}

// testCosigned keeps the newest cosigned checkpoint, replacing one of the
// same size (more cosignatures came).
func testCosigned(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	if _, err := st.LatestCosigned(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LatestCosigned(none) = %v, want ErrNotFound", err)
	}
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	for _, c := range []store.Cosigned{
		{Size: 7, Note: []byte("seven\n\n— w1 a\n"), Updated: at},
		{Size: 12, Note: []byte("twelve\n\n— w1 b\n"), Updated: at.Add(time.Second)},
		{Size: 9, Note: []byte("nine\n\n— w1 c\n"), Updated: at.Add(2 * time.Second)},
		{Size: 12, Note: []byte("twelve\n\n— w1 b\n— w2 \x00\xff\n"), Updated: at.Add(3 * time.Second)},
	} {
		if err := st.SaveCosigned(ctx, c); err != nil {
			t.Fatalf("SaveCosigned(%d) = %v", c.Size, err)
		}
	}
	got, err := st.LatestCosigned(ctx)
	want := store.Cosigned{Size: 12, Note: []byte("twelve\n\n— w1 b\n— w2 \x00\xff\n"), Updated: at.Add(3 * time.Second)}
	if err != nil || got.Size != want.Size || !bytes.Equal(got.Note, want.Note) || !got.Updated.Equal(want.Updated) {
		t.Errorf("LatestCosigned = %+v, %v, want %+v", got, err, want)
	}
}
