package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the height of C2SP tlog-tiles: every tile holds up to 256
// hashes of one tree level, and every entry bundle up to 256 entries.
const TileHeight = 8

// TileWidth is the number of hashes in a full tile (and entries in a full
// entry bundle).
const TileWidth = 1 << TileHeight

// A TilePath is a parsed C2SP tlog-tiles resource path, relative to the log's
// prefix: "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]".
type TilePath struct {
	Entries bool  // an entry bundle rather than a hash tile
	L       int   // tile level, 0 to 63 (0 for entry bundles)
	N       int64 // tile index within the level
	W       int   // width, 1 to 256; 256 is a full tile
}

// Tile returns the tlog tile of a hash tile path.
func (p TilePath) Tile() tlog.Tile {
	return tlog.Tile{H: TileHeight, L: p.L, N: p.N, W: p.W}
}

// String formats the path as C2SP tlog-tiles does: the index in groups of three
// decimal digits, all but the last prefixed by "x" (1234067 → x001/x234/067),
// and ".p/<W>" for a partial tile.
func (p TilePath) String() string {
	var b strings.Builder
	b.WriteString("tile/")
	if p.Entries {
		b.WriteString("entries/")
	} else {
		b.WriteString(strconv.Itoa(p.L))
		b.WriteByte('/')
	}
	n := p.N
	var groups []string
	for {
		groups = append(groups, fmt.Sprintf("%03d", n%1000))
		n /= 1000
		if n == 0 {
			break
		}
	}
	for i := len(groups) - 1; i >= 0; i-- {
		if i > 0 {
			b.WriteByte('x')
		}
		b.WriteString(groups[i])
		if i > 0 {
			b.WriteByte('/')
		}
	}
	if p.W < TileWidth {
		fmt.Fprintf(&b, ".p/%d", p.W)
	}
	return b.String()
}

// ParseTilePath parses a C2SP tlog-tiles path. It accepts exactly the form
// String produces and rejects any other spelling of the same tile, so that
// every tile has one address (and one cache entry).
func ParseTilePath(path string) (TilePath, error) {
	bad := func(why string) (TilePath, error) {
		return TilePath{}, fmt.Errorf("bad tile path %q: %s", path, why)
	}
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return bad("does not start with tile/")
	}
	var p TilePath
	elems := strings.Split(rest, "/")
	if elems[0] == "entries" {
		p.Entries = true
	} else {
		l, err := strconv.Atoi(elems[0])
		if err != nil || l < 0 || l > 63 || strconv.Itoa(l) != elems[0] {
			return bad("level must be 0 to 63")
		}
		p.L = l
	}
	elems = elems[1:]
	p.W = TileWidth
	if k := len(elems); k >= 2 && strings.HasSuffix(elems[k-2], ".p") {
		w, err := strconv.Atoi(elems[k-1])
		if err != nil || w < 1 || w >= TileWidth || strconv.Itoa(w) != elems[k-1] {
			return bad("partial width must be 1 to 255")
		}
		p.W = w
		elems[k-2] = strings.TrimSuffix(elems[k-2], ".p")
		elems = elems[:k-1]
	}
	// Six groups (18 digits) already exceed the largest index and cannot
	// overflow an int64; a seventh could wrap around into range.
	if len(elems) == 0 || len(elems) > 6 {
		return bad("index has no or too many elements")
	}
	for i, e := range elems {
		if i < len(elems)-1 {
			var ok bool
			if e, ok = strings.CutPrefix(e, "x"); !ok {
				return bad("index elements but the last must start with x")
			}
		}
		if len(e) != 3 || strings.Trim(e, "0123456789") != "" {
			return bad("index elements must be three digits")
		}
		d, _ := strconv.Atoi(e)
		p.N = p.N*1000 + int64(d)
	}
	if p.N < 0 || p.N > 1<<55 {
		return bad("index out of range")
	}
	if len(elems) > 1 && strings.TrimPrefix(elems[0], "x") == "000" {
		return bad("index has a leading zero group")
	}
	return p, nil
}

// AppendBundle appends entries to an entry bundle: each entry prefixed by its
// length as a 2-byte big-endian integer (C2SP tlog-tiles, "Log Entries").
func AppendBundle(b []byte, entries ...[]byte) ([]byte, error) {
	for _, e := range entries {
		if len(e) > MaxEntrySize {
			return nil, fmt.Errorf("entry of %d bytes does not fit a bundle", len(e))
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b, nil
}

// ParseBundle splits an entry bundle into its entries. It fails on a truncated
// entry or trailing bytes.
func ParseBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("entry bundle: truncated length prefix")
		}
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if len(b) < n {
			return nil, fmt.Errorf("entry bundle: entry %d is truncated: %d of %d bytes", len(out), len(b), n)
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out, nil
}
