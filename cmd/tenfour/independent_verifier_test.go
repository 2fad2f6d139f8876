package main_test

// An independent verifier of a tenfour log, as an outside auditor would write
// it: it knows only the published formats (C2SP tlog-checkpoint, signed-note,
// tlog-tiles; RFC 6962 hashing) and uses golang.org/x/mod/sumdb/tlog and note,
// net/http and the standard library. It imports no package of this module, so
// that a bug shared by the server and tenfour's own verifier cannot hide here.

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ivTileHeight is the tile height C2SP tlog-tiles fixes: 256 hashes a tile.
const ivTileHeight = 8

// ivTileWidth is the number of hashes in a full tile, and of entries in a
// full entry bundle.
const ivTileWidth = 1 << ivTileHeight

// ivLog fetches the resources of a log served under prefix (".../log/").
// Within one verification the tree is fixed, so every resource is fetched
// once and kept.
type ivLog struct {
	prefix string
	client *http.Client

	mu    sync.Mutex
	cache map[string][]byte
}

func newIVLog(baseURL string) *ivLog {
	return &ivLog{
		prefix: strings.TrimSuffix(baseURL, "/") + "/log/",
		client: &http.Client{Timeout: 30 * time.Second},
		cache:  make(map[string][]byte),
	}
}

// fetch GETs prefix+path and fails on any status but 200.
func (l *ivLog) fetch(path string) ([]byte, error) {
	l.mu.Lock()
	b, ok := l.cache[path]
	l.mu.Unlock()
	if ok {
		return b, nil
	}
	resp, err := l.client.Get(l.prefix + path)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err = io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
	if path != "checkpoint" && path != "key" {
		l.mu.Lock()
		l.cache[path] = b
		l.mu.Unlock()
	}
	return b, nil
}

// key returns the verifier key: the one given, or else the one the log serves.
func (l *ivLog) key(key string) (string, error) {
	if key != "" {
		return key, nil
	}
	b, err := l.fetch("key")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// ivOpenCheckpoint checks a signed checkpoint's signature by key (C2SP
// signed-note) and parses its body (C2SP tlog-checkpoint): the origin, which
// must be the key's name, the tree size in decimal, the root hash in base64,
// each line ending in a newline, then optional extension lines.
func ivOpenCheckpoint(msg []byte, key string) (origin string, tree tlog.Tree, err error) {
	v, err := note.NewVerifier(key)
	if err != nil {
		return "", tree, fmt.Errorf("verifier key %q: %w", key, err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return "", tree, fmt.Errorf("checkpoint signature: %w", err)
	}
	text, ok := strings.CutSuffix(n.Text, "\n")
	if !ok {
		return "", tree, fmt.Errorf("checkpoint body %q does not end in a newline", n.Text)
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 3 {
		return "", tree, fmt.Errorf("checkpoint body %q has %d lines, want at least 3", n.Text, len(lines))
	}
	origin = lines[0]
	if origin != v.Name() {
		return "", tree, fmt.Errorf("checkpoint origin %q is not the key name %q", origin, v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", tree, fmt.Errorf("checkpoint size %q is not a decimal number", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return "", tree, fmt.Errorf("checkpoint root %q: %w", lines[2], err)
	}
	return origin, tlog.Tree{N: size, Hash: root}, nil
}

// checkpoint fetches and opens the log's current checkpoint.
func (l *ivLog) checkpoint(key string) (tlog.Tree, error) {
	msg, err := l.fetch("checkpoint")
	if err != nil {
		return tlog.Tree{}, err
	}
	_, tree, err := ivOpenCheckpoint(msg, key)
	return tree, err
}

// ivC2SPPath turns x/mod's tile path ("tile/8/L/NNN[.p/W]", "tile/8/data/…")
// into the C2SP tlog-tiles one, which has no height element
// ("tile/L/NNN[.p/W]") and calls the data tiles entry bundles
// ("tile/entries/NNN[.p/W]").
func ivC2SPPath(t tlog.Tile) (string, error) {
	if t.H != ivTileHeight {
		return "", fmt.Errorf("tile %v: height %d, want %d", t, t.H, ivTileHeight)
	}
	rest, ok := strings.CutPrefix(t.Path(), "tile/8/")
	if !ok {
		return "", fmt.Errorf("tile path %q has no height element 8", t.Path())
	}
	if t.L == -1 {
		return "tile/entries/" + strings.TrimPrefix(rest, "data/"), nil
	}
	return "tile/" + rest, nil
}

// ivTileReader is a tlog.TileReader over the log's C2SP hash tiles.
type ivTileReader struct{ l *ivLog }

func (r ivTileReader) Height() int { return ivTileHeight }

func (r ivTileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		p, err := ivC2SPPath(t)
		if err != nil {
			return nil, err
		}
		if data[i], err = r.l.fetch(p); err != nil {
			return nil, err
		}
	}
	return data, nil
}

func (r ivTileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// ivSplitBundle splits a C2SP entry bundle: each entry is prefixed by its
// length as a 2-byte big-endian integer.
func ivSplitBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, fmt.Errorf("entry bundle: %d trailing bytes", len(b))
		}
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if len(b) < n {
			return nil, fmt.Errorf("entry bundle: entry %d truncated: %d of %d bytes", len(out), len(b), n)
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out, nil
}

// independentRead verifies the log at baseURL as independentVerify does and
// also returns its entries, in order.
func independentRead(t testing.TB, baseURL, key string) (tlog.Tree, [][]byte, error) {
	t.Helper()
	l := newIVLog(baseURL)
	key, err := l.key(key)
	if err != nil {
		return tlog.Tree{}, nil, err
	}
	tree, err := l.checkpoint(key)
	if err != nil {
		return tree, nil, err
	}
	// The hash reader authenticates every tile it reads against the
	// checkpoint's root before handing out a hash.
	hr := tlog.TileHashReader(tree, ivTileReader{l})
	entries := make([][]byte, 0, tree.N)
	for lo := int64(0); lo < tree.N; lo += ivTileWidth {
		hi := min(lo+ivTileWidth, tree.N)
		idx := make([]int64, 0, hi-lo)
		for i := lo; i < hi; i++ {
			idx = append(idx, tlog.StoredHashIndex(0, i))
		}
		leaves, err := hr.ReadHashes(idx)
		if err != nil {
			return tree, nil, fmt.Errorf("leaf hashes %d-%d: %w", lo, hi-1, err)
		}
		if len(leaves) != len(idx) {
			return tree, nil, fmt.Errorf("leaf hashes %d-%d: got %d hashes, want %d", lo, hi-1, len(leaves), len(idx))
		}
		p, err := ivC2SPPath(tlog.Tile{H: ivTileHeight, L: -1, N: lo / ivTileWidth, W: int(hi - lo)})
		if err != nil {
			return tree, nil, err
		}
		b, err := l.fetch(p)
		if err != nil {
			return tree, nil, err
		}
		es, err := ivSplitBundle(b)
		if err != nil {
			return tree, nil, fmt.Errorf("%s: %w", p, err)
		}
		if int64(len(es)) != hi-lo {
			return tree, nil, fmt.Errorf("%s holds %d entries, want %d", p, len(es), hi-lo)
		}
		for j, e := range es {
			seq := lo + int64(j)
			if tlog.RecordHash(e) != leaves[j] {
				return tree, nil, fmt.Errorf("entry %d: its bytes do not hash to its leaf hash in the tiles", seq)
			}
			var v struct {
				Seq *int64 `json:"seq"`
			}
			if err := json.Unmarshal(e, &v); err != nil {
				return tree, nil, fmt.Errorf("entry %d is not a JSON object: %w", seq, err)
			}
			if v.Seq == nil || *v.Seq != seq {
				return tree, nil, fmt.Errorf("entry %d: its seq field is %v", seq, v.Seq)
			}
			entries = append(entries, e)
		}
	}
	root, err := tlog.TreeHash(tree.N, hr)
	if err != nil {
		return tree, nil, fmt.Errorf("root of %d: %w", tree.N, err)
	}
	if root != tree.Hash {
		return tree, nil, fmt.Errorf("root of %d is %v, checkpoint says %v", tree.N, root, tree.Hash)
	}
	return tree, entries, nil
}

// independentVerify checks the log served at baseURL with only x/mod's tlog
// and note: the checkpoint's signature by key (the key the log serves if key
// is empty), every tile it reads against the checkpoint's root, every entry's
// RFC 6962 leaf hash against the tiles, every entry's seq against its index,
// and the root recomputed from the tiles.
func independentVerify(t testing.TB, baseURL, key string) (tlog.Tree, error) {
	t.Helper()
	tree, _, err := independentRead(t, baseURL, key)
	return tree, err
}

// independentConsistent proves that the log at baseURL extends an older
// signed checkpoint: the root of the old size, computed from the current
// tree's authenticated tiles, must be the old checkpoint's root; and the
// RFC 6962 consistency proof built from those tiles must check.
func independentConsistent(t testing.TB, baseURL, key string, oldCheckpoint []byte) error {
	t.Helper()
	l := newIVLog(baseURL)
	key, err := l.key(key)
	if err != nil {
		return err
	}
	_, old, err := ivOpenCheckpoint(oldCheckpoint, key)
	if err != nil {
		return fmt.Errorf("older checkpoint: %w", err)
	}
	tree, err := l.checkpoint(key)
	if err != nil {
		return err
	}
	if old.N > tree.N {
		return fmt.Errorf("the log shrank: older checkpoint has %d entries, current %d", old.N, tree.N)
	}
	hr := tlog.TileHashReader(tree, ivTileReader{l})
	root, err := tlog.TreeHash(old.N, hr)
	if err != nil {
		return fmt.Errorf("root of the first %d entries: %w", old.N, err)
	}
	if root != old.Hash {
		return fmt.Errorf("the first %d entries of the tree of %d hash to %v, the older checkpoint says %v", old.N, tree.N, root, old.Hash)
	}
	if old.N == 0 || old.N == tree.N {
		return nil
	}
	proof, err := tlog.ProveTree(tree.N, old.N, hr)
	if err != nil {
		return fmt.Errorf("consistency proof %d → %d: %w", old.N, tree.N, err)
	}
	if err := tlog.CheckTree(proof, tree.N, tree.Hash, old.N, old.Hash); err != nil {
		return fmt.Errorf("consistency proof %d → %d: %w", old.N, tree.N, err)
	}
	return nil
}

// forgingProxy serves the log at upstream through forge, which may change
// any successful response; it returns the proxy's URL.
func forgingProxy(t testing.TB, upstream string, forge func(path string, b []byte) []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(upstream + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if resp.StatusCode == http.StatusOK {
			b = forge(r.URL.Path, bytes.Clone(b))
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestIndependentVerifier shows that the independent verifier can fail: a
// log served through a proxy that changes one byte of a tile, an entry or
// the checkpoint, or a validly signed checkpoint the log does not extend,
// must each be refused.
func TestIndependentVerifier(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, "serve", dir, "--checkpoint-interval", "100ms", "--log-level", "warn")
	a := adminAPI(t, n)
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	mustCreateAgency(t, a, "metro")
	early := waitCheckpoint(t, n, key, 2)
	// More than 256 entries, so that a level-1 tile exists.
	const units = 260
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < units; i += 8 {
				if status, b, err := a.do(http.MethodPost, "/api/v1/units", map[string]string{"call_sign": fmt.Sprintf("F%d", i), "agency": "metro", "kind": "patrol"}); err != nil || status != http.StatusCreated {
					t.Errorf("POST /api/v1/units F%d = %d %s, %v; want 201", i, status, b, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	waitCheckpoint(t, n, key, units+2)
	// Stop the node, so that the log no longer grows under the proxies.
	if err := n.stop(t); err != nil {
		t.Fatalf("tenfour serve stopped with %v", err)
	}
	n = startNode(t, "serve", dir, "--log-level", "warn")
	msg := fetchLog(t, n, "checkpoint")
	origin, tree, err := ivOpenCheckpoint(msg, key)
	if err != nil {
		t.Fatal(err)
	}

	flip := func(prefix string, at int) func(string, []byte) []byte {
		return func(path string, b []byte) []byte {
			if strings.HasPrefix(path, prefix) && len(b) > at {
				b[at] ^= 1
			}
			return b
		}
	}
	verifyTests := []struct {
		name  string
		forge func(path string, b []byte) []byte
		want  string // in the error; "" for none
	}{
		{"OK", func(_ string, b []byte) []byte { return b }, ""},
		{"ErrLevel0Tile", flip("/log/tile/0/", 32*5+3), "tile"},
		{"ErrLevel1Tile", flip("/log/tile/1/", 7), "tile"},
		{"ErrEntry", flip("/log/tile/entries/001", 40), "entry 256"},
		{"ErrCheckpoint", flip("/log/checkpoint", len(origin)+2), "signature"},
	}
	for _, tt := range verifyTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := independentVerify(t, forgingProxy(t, n.url, tt.forge), key)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("independentVerify = %v, want nil", err)
			case tt.want == "" && got != tree:
				t.Errorf("independentVerify = %v, want %v", got, tree)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("independentVerify = %v, want an error naming %q", err, tt.want)
			}
		})
	}
	t.Run("ErrOtherKey", func(t *testing.T) {
		_, vkey, err := note.GenerateKey(rand.Reader, origin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := independentVerify(t, n.url, vkey); err == nil {
			t.Errorf("independentVerify(key %s) = nil, want a signature error", vkey)
		}
	})

	// A signer with the log's own key, to make checkpoints the log never
	// signed: only a consistency check can refuse them.
	skey, err := os.ReadFile(filepath.Join(dir, "log.key"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		t.Fatal(err)
	}
	sign := func(size int64, root tlog.Hash) []byte {
		b, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, size, root)}, signer)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	forked := tree.Hash
	forked[0] ^= 1
	consistentTests := []struct {
		name string
		old  []byte
		want string
	}{
		{"OK", early, ""},
		{"OKSame", msg, ""},
		{"OKResigned", sign(tree.N, tree.Hash), ""},
		{"ErrFork", sign(tree.N-1, forked), "hash to"},
		{"ErrForkSameSize", sign(tree.N, forked), "hash to"},
		{"ErrLonger", sign(tree.N+1, tree.Hash), "shrank"},
		{"ErrBadSignature", bytes.Replace(early, []byte("\n"), []byte("0\n"), 2), "signature"},
	}
	for _, tt := range consistentTests {
		t.Run("Consistent"+tt.name, func(t *testing.T) {
			err := independentConsistent(t, n.url, key, tt.old)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("independentConsistent(%q) = %v, want nil", tt.old, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("independentConsistent(%q) = %v, want an error naming %q", tt.old, err, tt.want)
			}
		})
	}
}
