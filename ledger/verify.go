package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Fetcher reads the resources of a C2SP tlog-tiles log by path relative to
// the log's prefix ("checkpoint", "tile/0/000"…).
type Fetcher interface {
	Fetch(ctx context.Context, path string) ([]byte, error)
}

// HTTPFetcher fetches a log's resources over HTTP from Prefix (".../log/").
type HTTPFetcher struct {
	Prefix string
	Client *http.Client
	// MaxSize bounds one response; zero means 16 MiB.
	MaxSize int64
}

// Fetch GETs Prefix+path and fails on any status but 200.
func (f *HTTPFetcher) Fetch(ctx context.Context, path string) ([]byte, error) {
	c := f.Client
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(f.Prefix, "/")+"/"+path, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, fmt.Errorf("fetch %s: %s", path, resp.Status)
	}
	max := f.MaxSize
	if max <= 0 {
		max = 16 << 20
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("fetch %s: response exceeds %d bytes", path, max)
	}
	return b, nil
}

// VerifyOptions configure VerifyLog.
type VerifyOptions struct {
	// Since, if set, is an older signed checkpoint of the same log; the
	// current tree must be an extension of it.
	Since []byte
	// Parallel is the number of tiles fetched at once; zero means 8.
	Parallel int
	// Progress, if set, is called as entries are checked.
	Progress func(done, total int64)
}

// A LogReport says what VerifyLog checked.
type LogReport struct {
	Checkpoint Checkpoint
	Since      *Checkpoint
	Entries    int64
	Tiles      int // hash tiles checked
}

// VerifyLog checks a whole log as an outside auditor would: the checkpoint's
// signature by v; every entry, fetched in entry bundles, well-formed and
// carrying its own sequence number; every level-0 tile hash equal to its
// entry's RFC 6962 leaf hash; every higher tile equal to the subtree hashes
// recomputed from the entries; the root recomputed from all entries equal to
// the checkpoint's; and, with Since, the older checkpoint's root equal to the
// root of the same prefix of the entries, which proves the new tree extends it.
// The first failure is returned and names the event or tile.
func VerifyLog(ctx context.Context, f Fetcher, v note.Verifier, opt VerifyOptions) (*LogReport, error) {
	msg, err := f.Fetch(ctx, "checkpoint")
	if err != nil {
		return nil, err
	}
	cp, err := OpenCheckpoint(msg, v)
	if err != nil {
		return nil, err
	}
	rep := &LogReport{Checkpoint: cp}
	var since *Checkpoint
	if opt.Since != nil {
		old, err := OpenCheckpoint(opt.Since, v)
		if err != nil {
			return nil, fmt.Errorf("older checkpoint: %w", err)
		}
		if old.Size > cp.Size {
			return nil, fmt.Errorf("the log shrank: older checkpoint has %d events, current %d", old.Size, cp.Size)
		}
		since = &old
		rep.Since = since
	}
	par := opt.Parallel
	if par <= 0 {
		par = 8
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nTiles := (cp.Size + TileWidth - 1) / TileWidth
	type result struct {
		hashes []tlog.Hash // leaf hashes of the bundle's entries, checked against the tile
		err    error
	}
	results := make([]chan result, nTiles)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	sem := make(chan struct{}, par)
	go func() {
		for k := int64(0); k < nTiles; k++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func(k int64) {
				var r result
				r.hashes, r.err = checkBundle(ctx, f, k, int(min(TileWidth, cp.Size-k*TileWidth)))
				results[k] <- r
			}(k)
		}
	}()

	var acc treeAccumulator
	// upper[L] collects the level-8L subtree hashes, to be compared with the
	// log's level-L tiles.
	upper := make(map[int][]tlog.Hash)
	acc.onComplete = func(level int, h tlog.Hash) {
		if level > 0 && level%TileHeight == 0 {
			upper[level/TileHeight] = append(upper[level/TileHeight], h)
		}
	}
	for k := int64(0); k < nTiles; k++ {
		var r result
		select {
		case r = <-results[k]:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		<-sem
		if r.err != nil {
			return nil, r.err
		}
		w := len(r.hashes)
		for _, h := range r.hashes {
			acc.push(h)
			if since != nil && acc.size == since.Size && acc.root() != since.Root {
				return nil, fmt.Errorf("the log is not an extension of the older checkpoint: its first %d events hash to another root", since.Size)
			}
		}
		rep.Tiles++
		rep.Entries += int64(w)
		if opt.Progress != nil {
			opt.Progress(rep.Entries, cp.Size)
		}
	}
	if since != nil && since.Size == 0 && since.Root != emptyRoot() {
		return nil, errors.New("the older checkpoint of size 0 has a wrong root")
	}
	if got := acc.root(); got != cp.Root {
		return nil, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("the root recomputed from %d entries is %s, the checkpoint says %s", cp.Size, got, cp.Root)}
	}
	// The higher tiles, as other clients use them for proofs.
	for L := 1; cp.Size>>(TileHeight*L) > 0; L++ {
		hs := upper[L]
		for k := int64(0); k*TileWidth < int64(len(hs)); k++ {
			w := int(min(TileWidth, int64(len(hs))-k*TileWidth))
			p := TilePath{L: L, N: k, W: w}
			b, err := f.Fetch(ctx, p.String())
			if err != nil {
				return nil, err
			}
			if want := joinHashes(hs[k*TileWidth : k*TileWidth+int64(w)]); string(b) != string(want) {
				return nil, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("tile %s does not hold the subtree hashes of the entries", p)}
			}
			rep.Tiles++
		}
	}
	return rep, nil
}

// checkBundle fetches entry bundle k and level-0 tile k, both of width w, and
// checks every entry: well-formed, carrying its own sequence number, and
// hashing to its leaf hash in the tile. It returns the leaf hashes. Fetch
// workers run it in parallel; only the tree's accumulation is sequential.
func checkBundle(ctx context.Context, f Fetcher, k int64, w int) ([]tlog.Hash, error) {
	b, err := f.Fetch(ctx, TilePath{Entries: true, N: k, W: w}.String())
	if err != nil {
		return nil, err
	}
	entries, err := ParseBundle(b)
	if err != nil {
		return nil, fmt.Errorf("entry bundle %d: %w", k, err)
	}
	if len(entries) != w {
		return nil, fmt.Errorf("entry bundle %d holds %d entries, want %d", k, len(entries), w)
	}
	tile, err := f.Fetch(ctx, TilePath{N: k, W: w}.String())
	if err != nil {
		return nil, err
	}
	if len(tile) != w*tlog.HashSize {
		return nil, fmt.Errorf("tile 0/%d is %d bytes, want %d", k, len(tile), w*tlog.HashSize)
	}
	hashes := make([]tlog.Hash, w)
	for i, e := range entries {
		seq := k*TileWidth + int64(i)
		if err := checkEntryForm(e, seq); err != nil {
			return nil, err
		}
		hashes[i] = tlog.RecordHash(e)
		if !bytes.Equal(hashes[i][:], tile[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
			return nil, &IntegrityError{Seq: seq, Reason: fmt.Sprintf("its bytes do not match its leaf hash in tile 0/%d", k)}
		}
	}
	return hashes, nil
}

// checkEntryForm checks what a whole-log verification needs of every entry,
// faster than ParseEntry: that it is well-formed JSON and opens with its own
// sequence number, as every entry does ({"seq":N,…}; Entry's first member).
func checkEntryForm(e []byte, seq int64) error {
	want := strconv.AppendInt(append(make([]byte, 0, 32), `{"seq":`...), seq, 10)
	want = append(want, ',')
	if !bytes.HasPrefix(e, want) {
		if got, err := ParseEntry(e); err == nil {
			return &IntegrityError{Seq: seq, Reason: fmt.Sprintf("the entry says it is event %d", got.Seq)}
		}
		return &IntegrityError{Seq: seq, Reason: "the entry does not open with its sequence number"}
	}
	if !json.Valid(e) {
		return &IntegrityError{Seq: seq, Reason: "the entry is not valid JSON"}
	}
	return nil
}

// A treeAccumulator computes RFC 6962 tree hashes of a stream of leaf hashes
// with O(log n) memory: a stack of the complete subtrees of the tree so far,
// largest first, as the tree's size in binary.
type treeAccumulator struct {
	stack      []tlog.Hash
	levels     []int
	size       int64
	onComplete func(level int, h tlog.Hash)
}

func (a *treeAccumulator) push(h tlog.Hash) {
	a.stack = append(a.stack, h)
	a.levels = append(a.levels, 0)
	a.size++
	for n := len(a.stack); n >= 2 && a.levels[n-1] == a.levels[n-2]; n = len(a.stack) {
		h := tlog.NodeHash(a.stack[n-2], a.stack[n-1])
		l := a.levels[n-1] + 1
		a.stack, a.levels = append(a.stack[:n-2], h), append(a.levels[:n-2], l)
		if a.onComplete != nil {
			a.onComplete(l, h)
		}
	}
}

// root returns the tree hash: the subtrees folded from the right (RFC 6962
// section 2.1: MTH splits at the largest power of two below n).
func (a *treeAccumulator) root() tlog.Hash {
	if len(a.stack) == 0 {
		return emptyRoot()
	}
	h := a.stack[len(a.stack)-1]
	for i := len(a.stack) - 2; i >= 0; i-- {
		h = tlog.NodeHash(a.stack[i], h)
	}
	return h
}

// emptyRoot returns the root of the empty tree, SHA-256 of nothing
// (RFC 6962 section 2.1).
func emptyRoot() tlog.Hash {
	return tlog.Hash(sha256.Sum256(nil))
}
