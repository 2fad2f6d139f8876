package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/tlog"
)

func TestTilePath(t *testing.T) {
	tests := []struct {
		path string
		p    ledger.TilePath
	}{
		{"tile/0/000", ledger.TilePath{L: 0, N: 0, W: 256}},
		{"tile/0/001", ledger.TilePath{L: 0, N: 1, W: 256}},
		{"tile/0/999", ledger.TilePath{L: 0, N: 999, W: 256}},
		{"tile/0/x001/000", ledger.TilePath{L: 0, N: 1000, W: 256}},
		// The example of C2SP tlog-tiles.
		{"tile/0/x001/x234/067", ledger.TilePath{L: 0, N: 1234067, W: 256}},
		{"tile/0/x001/x234/067.p/8", ledger.TilePath{L: 0, N: 1234067, W: 8}},
		{"tile/1/000.p/1", ledger.TilePath{L: 1, N: 0, W: 1}},
		{"tile/5/x123/456.p/255", ledger.TilePath{L: 5, N: 123456, W: 255}},
		{"tile/63/000.p/1", ledger.TilePath{L: 63, N: 0, W: 1}},
		{"tile/0/x036/x028/x797/x018/x963/968", ledger.TilePath{L: 0, N: 1 << 55, W: 256}},
		{"tile/entries/000", ledger.TilePath{Entries: true, N: 0, W: 256}},
		{"tile/entries/000.p/1", ledger.TilePath{Entries: true, N: 0, W: 1}},
		{"tile/entries/x001/x234/067.p/100", ledger.TilePath{Entries: true, N: 1234067, W: 100}},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.path {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.path)
		}
		got, err := ledger.ParseTilePath(tt.path)
		if err != nil || got != tt.p {
			t.Errorf("ParseTilePath(%q) = %+v, %v, want %+v", tt.path, got, err, tt.p)
		}
		// A hash tile's path is Go's sumdb tile path without the height
		// (C2SP tlog-tiles fixes it at 8).
		if !tt.p.Entries {
			want := "tile/8/" + strings.TrimPrefix(tt.path, "tile/")
			if got := tt.p.Tile().Path(); got != want {
				t.Errorf("%+v.Tile().Path() = %q, want %q", tt.p, got, want)
			}
		}
	}
}

func TestParseTilePathErrors(t *testing.T) {
	tests := []string{
		"",
		"tile/",
		"tile/0",
		"tile/0/",
		"tiles/0/000",
		"/tile/0/000",
		"tile/0/000/",
		"tile/0/00",
		"tile/0/0000",
		"tile/0/abc",
		"tile/0/+01",
		"tile/0/ 00",
		"tile/0/x000/001",                     // leading zero group
		"tile/0/x000/x001/000",                // leading zero group
		"tile/0/x001",                         // "x" on the last element
		"tile/0/x001/x002",                    // "x" on the last element
		"tile/0/001/002",                      // no "x" on an element but the last
		"tile/0/X001/002",                     // "X" is not "x"
		"tile/0/000.p/0",                      // width 0
		"tile/0/000.p/256",                    // width 256 is a full tile, without .p
		"tile/0/000.p/300",                    // width beyond a tile
		"tile/0/000.p/05",                     // non-canonical width
		"tile/0/000.p/",                       // no width
		"tile/0/000.p",                        // no width
		"tile/0/000.p/1/2",                    // trailing element
		"tile/0/.p/1",                         // no index
		"tile/64/000",                         // level 64
		"tile/00/000",                         // non-canonical level
		"tile/-1/000",                         // negative level
		"tile/+1/000",                         // signed level
		"tile/entries.p/5",                    // no index
		"tile/entries/0",                      // index not three digits
		"tile/8/0/000",                        // Go's sumdb path with a height
		"tile/0/x036/x028/x797/x018/x963/969", // index 2^55+1, out of range
		"tile/0/x999/x999/x999/x999/x999/999", // out of range
		// 18446744073709551621 = 2^64+5 wraps around to 5 in an int64.
		"tile/0/x018/x446/x744/x073/x709/x551/621",
		"tile/0/x001/x000/x000/x000/x000/x000/x000/000",
	}
	for _, path := range tests {
		if p, err := ledger.ParseTilePath(path); err == nil {
			t.Errorf("ParseTilePath(%q) = %+v, nil, want an error", path, p)
		}
	}
}

// TestReadTile checks the tiles of a log of 600 events against hashes
// computed from the events themselves.
func TestReadTile(t *testing.T) {
	const n = 600
	ctx := context.Background()
	l := mustOpenLog(t, mustOpenStore(t, dbPath(t)), mustKey(t, "example.test/tiles"))
	mustAppend(t, l, records(0, n)...)
	entries := mustEntries(t, l, n)
	leaves := leafHashes(entries)
	join := func(hs []tlog.Hash) []byte {
		var b []byte
		for _, h := range hs {
			b = append(b, h[:]...)
		}
		return b
	}
	read := func(path string) ([]byte, error) {
		t.Helper()
		p, err := ledger.ParseTilePath(path)
		if err != nil {
			t.Fatalf("ParseTilePath(%q) = %v", path, err)
		}
		return l.ReadTile(ctx, p)
	}

	t.Run("Level0", func(t *testing.T) {
		for _, tt := range []struct {
			path      string
			first, to int
		}{
			{"tile/0/000", 0, 256},
			{"tile/0/001", 256, 512},
			{"tile/0/002.p/88", 512, 600},
			{"tile/0/000.p/1", 0, 1},
			{"tile/0/001.p/5", 256, 261},
			{"tile/0/002.p/1", 512, 513},
		} {
			got, err := read(tt.path)
			if err != nil {
				t.Fatalf("ReadTile(%s) = %v", tt.path, err)
			}
			if want := join(leaves[tt.first:tt.to]); !bytes.Equal(got, want) {
				t.Errorf("ReadTile(%s) = %d bytes, not the leaf hashes of events %d-%d", tt.path, len(got), tt.first, tt.to-1)
			}
		}
	})
	t.Run("Level1", func(t *testing.T) {
		subtrees := []tlog.Hash{rfc6962Root(entries[0:256]), rfc6962Root(entries[256:512])}
		for _, tt := range []struct {
			path string
			w    int
		}{
			{"tile/1/000.p/1", 1},
			{"tile/1/000.p/2", 2},
		} {
			got, err := read(tt.path)
			if err != nil {
				t.Fatalf("ReadTile(%s) = %v", tt.path, err)
			}
			if want := join(subtrees[:tt.w]); !bytes.Equal(got, want) {
				t.Errorf("ReadTile(%s) = %x, want the roots of the first %d 256-event subtrees %x", tt.path, got, tt.w, want)
			}
		}
	})
	t.Run("Entries", func(t *testing.T) {
		for _, tt := range []struct {
			path      string
			first, to int
		}{
			{"tile/entries/000", 0, 256},
			{"tile/entries/001", 256, 512},
			{"tile/entries/002.p/88", 512, 600},
			{"tile/entries/000.p/3", 0, 3},
		} {
			got, err := read(tt.path)
			if err != nil {
				t.Fatalf("ReadTile(%s) = %v", tt.path, err)
			}
			es, err := ledger.ParseBundle(got)
			if err != nil {
				t.Fatalf("ParseBundle(ReadTile(%s)) = %v", tt.path, err)
			}
			if len(es) != tt.to-tt.first {
				t.Fatalf("ParseBundle(ReadTile(%s)) = %d entries, want %d", tt.path, len(es), tt.to-tt.first)
			}
			for i, e := range es {
				if !bytes.Equal(e, entries[tt.first+i]) {
					t.Fatalf("ParseBundle(ReadTile(%s))[%d] = %q, want event %d, %q", tt.path, i, e, tt.first+i, entries[tt.first+i])
				}
			}
			if again, err := ledger.AppendBundle(nil, es...); err != nil || !bytes.Equal(again, got) {
				t.Errorf("AppendBundle(ParseBundle(ReadTile(%s))) = %d bytes, %v, want the %d bytes read", tt.path, len(again), err, len(got))
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, path := range []string{
			"tile/0/002",      // full, but only 88 of it exist
			"tile/0/002.p/89", // one more than exists
			"tile/0/003.p/1",
			"tile/0/x001/000",
			"tile/1/000",     // needs 65536 events
			"tile/1/000.p/3", // needs 768
			"tile/1/001.p/1",
			"tile/2/000.p/1",
			"tile/6/255",
			"tile/7/000.p/1",
			"tile/8/000.p/1", // level 64: a shift by 64 is 0
			"tile/63/000.p/1",
			"tile/1/x281/x474/x976/x710/656.p/1", // index 2^48: its first leaf, shifted, wraps around to 256
			"tile/0/x036/x028/x797/x018/x963/968",
			"tile/entries/002",
			"tile/entries/002.p/89",
			"tile/entries/003.p/1",
			"tile/entries/x036/x028/x797/x018/x963/968.p/1",
		} {
			if b, err := read(path); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ReadTile(%s) of a log of %d = %x, %v, want ErrNotFound", path, n, b, err)
			}
		}
	})
	t.Run("Immutable", func(t *testing.T) {
		// A partial tile read before the log grows is a prefix of the same
		// tile afterwards: tiles never change, they only get wider.
		before, err := read("tile/0/002.p/88")
		if err != nil {
			t.Fatalf("ReadTile(tile/0/002.p/88) = %v", err)
		}
		mustAppend(t, l, records(n, n+10)...)
		for _, path := range []string{"tile/0/002.p/88", "tile/0/002.p/98"} {
			after, err := read(path)
			if err != nil {
				t.Fatalf("ReadTile(%s) after 10 more events = %v", path, err)
			}
			if !bytes.HasPrefix(after, before) {
				t.Errorf("ReadTile(%s) after 10 more events does not extend tile/0/002.p/88 read before", path)
			}
		}
	})
}

func TestBundle(t *testing.T) {
	big := bytes.Repeat([]byte("x"), ledger.MaxEntrySize)
	tests := []struct {
		name    string
		entries [][]byte
		bundle  []byte
	}{
		{"None", nil, nil},
		{"One", [][]byte{[]byte("ab")}, []byte("\x00\x02ab")},
		{"Empty", [][]byte{{}}, []byte("\x00\x00")},
		{"Two", [][]byte{[]byte("a"), []byte("bc")}, []byte("\x00\x01a\x00\x02bc")},
		{"Largest", [][]byte{big}, append([]byte{0xff, 0xff}, big...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ledger.AppendBundle(nil, tt.entries...)
			if err != nil || !bytes.Equal(b, tt.bundle) {
				t.Fatalf("AppendBundle(%d entries) = %q, %v, want %q", len(tt.entries), b, err, tt.bundle)
			}
			es, err := ledger.ParseBundle(tt.bundle)
			if err != nil || len(es) != len(tt.entries) {
				t.Fatalf("ParseBundle(%q) = %d entries, %v, want %d", tt.bundle, len(es), err, len(tt.entries))
			}
			for i := range es {
				if !bytes.Equal(es[i], tt.entries[i]) {
					t.Errorf("ParseBundle(%q)[%d] = %q, want %q", tt.bundle, i, es[i], tt.entries[i])
				}
			}
		})
	}
	if b, err := ledger.AppendBundle(nil, append(big, 'x')); err == nil {
		t.Errorf("AppendBundle(entry of %d bytes) = %d bytes, nil, want an error", len(big)+1, len(b))
	}
	for _, bad := range []string{"\x00", "\x00\x02a", "\x00\x01a\x00", "\x00\x01a\x00\x05abc", "\xff\xff"} {
		if es, err := ledger.ParseBundle([]byte(bad)); err == nil {
			t.Errorf("ParseBundle(%q) = %q, nil, want an error", bad, es)
		}
	}
}
