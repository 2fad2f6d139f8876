package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// snapshot returns the snapshot the suite stores at size: its data holds a
// zero byte and bytes that are not UTF-8, so a store that is not
// byte-exact fails.
func snapshot(size int64, format string) store.Snapshot {
	return store.Snapshot{
		Size:    size,
		Root:    Hashes(size)[:32],
		Format:  format,
		Data:    append([]byte(fmt.Sprintf("state after %d\x00", size)), 0xff, 0xfe, byte(size)),
		Created: time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC).Add(time.Duration(size) * time.Second),
	}
}

func equalSnapshot(a, b store.Snapshot) bool {
	return a.Size == b.Size && bytes.Equal(a.Root, b.Root) && a.Format == b.Format && bytes.Equal(a.Data, b.Data) && a.Created.Equal(b.Created)
}

// testSnapshots stores snapshots byte-exact, finds the largest at or below
// a size, replaces one saved again at its size, and keeps only the newest
// three.
func testSnapshots(t *testing.T, open func(t *testing.T) Store) {
	ctx := t.Context()
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		if s, err := st.LatestSnapshot(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LatestSnapshot on an empty store = %d, %v, want ErrNotFound", s.Size, err)
		}
		if err := st.SaveSnapshot(ctx, snapshot(100, "v1")); err != nil {
			t.Fatalf("SaveSnapshot(100) = %v", err)
		}
		if s, err := st.LatestSnapshot(ctx, 99); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LatestSnapshot(99) with only 100 saved = %d, %v, want ErrNotFound", s.Size, err)
		}
	})
	t.Run("AtMost", func(t *testing.T) {
		st := open(t)
		for _, n := range []int64{100, 300, 200} { // out of order on purpose
			if err := st.SaveSnapshot(ctx, snapshot(n, "v1")); err != nil {
				t.Fatalf("SaveSnapshot(%d) = %v", n, err)
			}
		}
		for _, c := range []struct{ atMost, want int64 }{{100, 100}, {199, 100}, {200, 200}, {299, 200}, {300, 300}, {1 << 40, 300}} {
			s, err := st.LatestSnapshot(ctx, c.atMost)
			if err != nil {
				t.Fatalf("LatestSnapshot(%d) = %v", c.atMost, err)
			}
			if want := snapshot(c.want, "v1"); !equalSnapshot(s, want) {
				t.Errorf("LatestSnapshot(%d) = %+v, want %+v", c.atMost, s, want)
			}
		}
	})
	t.Run("Large", func(t *testing.T) {
		// Megabytes, as a county's state is: stored byte-exact, replaced
		// whole by a smaller one of the same size.
		st := open(t)
		big := snapshot(1000, "v1")
		big.Data = make([]byte, 5<<20+12345)
		for i := range big.Data {
			big.Data[i] = byte(i*7 + i>>13)
		}
		if err := st.SaveSnapshot(ctx, big); err != nil {
			t.Fatalf("SaveSnapshot(%d bytes) = %v", len(big.Data), err)
		}
		s, err := st.LatestSnapshot(ctx, 1000)
		if err != nil || !equalSnapshot(s, big) {
			t.Fatalf("LatestSnapshot(1000) = %d bytes, %v; want the %d bytes saved", len(s.Data), err, len(big.Data))
		}
		small := snapshot(1000, "v1")
		if err := st.SaveSnapshot(ctx, small); err != nil {
			t.Fatalf("SaveSnapshot(small) = %v", err)
		}
		if s, err := st.LatestSnapshot(ctx, 1000); err != nil || !equalSnapshot(s, small) {
			t.Errorf("LatestSnapshot(1000) after replacing it = %d bytes, %v; want %d", len(s.Data), err, len(small.Data))
		}
		empty := snapshot(1001, "v1")
		empty.Data = []byte{}
		if err := st.SaveSnapshot(ctx, empty); err != nil {
			t.Fatalf("SaveSnapshot(no data) = %v", err)
		}
		if s, err := st.LatestSnapshot(ctx, 1001); err != nil || s.Size != 1001 || len(s.Data) != 0 {
			t.Errorf("LatestSnapshot(1001) = %d, %d bytes, %v; want 1001 with no data", s.Size, len(s.Data), err)
		}
	})
	t.Run("Replace", func(t *testing.T) {
		st := open(t)
		if err := st.SaveSnapshot(ctx, snapshot(100, "v1")); err != nil {
			t.Fatalf("SaveSnapshot(100, v1) = %v", err)
		}
		again := snapshot(100, "v2")
		again.Data = []byte("newer")
		if err := st.SaveSnapshot(ctx, again); err != nil {
			t.Fatalf("SaveSnapshot(100, v2) = %v, want nil", err)
		}
		s, err := st.LatestSnapshot(ctx, 100)
		if err != nil {
			t.Fatalf("LatestSnapshot(100) = %v", err)
		}
		if !equalSnapshot(s, again) {
			t.Errorf("LatestSnapshot(100) after saving it again = %+v, want %+v", s, again)
		}
	})
	t.Run("EraseOpening", func(t *testing.T) {
		// A snapshot after an erased opening's event holds its plaintext:
		// erasing the opening deletes it; those before the event stay.
		st := open(t)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 40), Openings: []store.Opening{opening(25, "caller_name")}})
		for _, n := range []int64{20, 25, 26} {
			if err := st.SaveSnapshot(ctx, snapshot(n, "v1")); err != nil {
				t.Fatalf("SaveSnapshot(%d) = %v", n, err)
			}
		}
		if err := st.EraseOpening(ctx, 25, "caller_name"); err != nil {
			t.Fatalf("EraseOpening(25) = %v", err)
		}
		s, err := st.LatestSnapshot(ctx, 1<<40)
		if err != nil || s.Size != 25 {
			t.Errorf("LatestSnapshot after erasing an opening of event 25 = %d, %v, want 25 (the snapshots of 25 events do not hold event 25)", s.Size, err)
		}
		if err := st.EraseOpening(ctx, 7, "caller_name"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("EraseOpening(7, none) = %v, want ErrNotFound", err)
		}
		if s, err := st.LatestSnapshot(ctx, 1<<40); err != nil || s.Size != 25 {
			t.Errorf("LatestSnapshot after erasing no opening = %d, %v, want 25 kept", s.Size, err)
		}
	})
	t.Run("Keep", func(t *testing.T) {
		st := open(t)
		for n := int64(1); n <= 5; n++ {
			if err := st.SaveSnapshot(ctx, snapshot(n*10, "v1")); err != nil {
				t.Fatalf("SaveSnapshot(%d) = %v", n*10, err)
			}
		}
		// The newest three remain, each one found at its own size.
		for _, n := range []int64{30, 40, 50} {
			s, err := st.LatestSnapshot(ctx, n)
			if err != nil || s.Size != n {
				t.Errorf("LatestSnapshot(%d) = %d, %v, want %d", n, s.Size, err, n)
			}
		}
		if s, err := st.LatestSnapshot(ctx, 29); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LatestSnapshot(29) after five saves = %d, %v, want ErrNotFound (only the newest three kept)", s.Size, err)
		}
	})
}
