package witness

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tenfour-cad/tenfour/ledger"
)

// Extends reports whether the tree of the submitted checkpoint, read from
// the log's own tiles (C2SP tlog-tiles, through f) and authenticated against
// the submitted root, has the held checkpoint's tree as its prefix.
//
// It tells a fork from a bad proof. Anyone may resubmit a log's genuine
// checkpoint with a consistency proof that does not verify; the checkpoint
// is then no evidence of anything, and the log's tiles show that the tree
// it names extends the one held. A forked log's tiles cannot: no tree of
// the submitted root has the held root at the held size.
func Extends(ctx context.Context, f ledger.Fetcher, held, submitted ledger.Checkpoint) (bool, error) {
	if held.Size > submitted.Size {
		return false, fmt.Errorf("extends: held size %d beyond submitted %d", held.Size, submitted.Size)
	}
	hr := tlog.TileHashReader(tlog.Tree{N: submitted.Size, Hash: submitted.Root}, tileReader{ctx: ctx, f: f})
	root, err := tlog.TreeHash(held.Size, hr)
	if err != nil {
		return false, fmt.Errorf("extends: the tree of size %d from the log's tiles: %w", held.Size, err)
	}
	return root == held.Root, nil
}

// tileReader reads hash tiles through a Fetcher, for tlog.TileHashReader,
// which authenticates each against the tree's root before using it.
type tileReader struct {
	ctx context.Context
	f   ledger.Fetcher
}

func (r tileReader) Height() int { return ledger.TileHeight }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := r.f.Fetch(r.ctx, ledger.TilePath{L: t.L, N: t.N, W: t.W}.String())
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}
