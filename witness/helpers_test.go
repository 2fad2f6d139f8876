package witness_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"github.com/tenfour-cad/tenfour/witness"
)

// memLog is a log in memory: its stored hashes and a key.
type memLog struct {
	origin string
	signer note.Signer
	vkey   string
	hashes []tlog.Hash
	size   int64
}

func newMemLog(tb testing.TB, origin string) *memLog {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return &memLog{origin: origin, signer: s, vkey: vkey}
}

func (l *memLog) verifier(tb testing.TB) note.Verifier {
	tb.Helper()
	v, err := note.NewVerifier(l.vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// ReadHashes implements tlog.HashReader.
func (l *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

func (l *memLog) append(tb testing.TB, n int, prefix string) {
	tb.Helper()
	for range n {
		hs, err := tlog.StoredHashes(l.size, fmt.Appendf(nil, "%s %d", prefix, l.size), l)
		if err != nil {
			tb.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
		l.size++
	}
}

// fork returns a copy of the log at size n (a restored older database).
func (l *memLog) fork(n int64) *memLog {
	c := *l
	c.hashes = append([]tlog.Hash(nil), l.hashes[:tlog.StoredHashCount(n)]...)
	c.size = n
	return &c
}

func (l *memLog) checkpoint(tb testing.TB) (ledger.Checkpoint, []byte) {
	tb.Helper()
	root, err := tlog.TreeHash(l.size, l)
	if err != nil {
		tb.Fatal(err)
	}
	c := ledger.Checkpoint{Origin: l.origin, Size: l.size, Root: root}
	msg, err := ledger.SignCheckpoint(c, l.signer)
	if err != nil {
		tb.Fatal(err)
	}
	return c, msg
}

func (l *memLog) proof(tb testing.TB, old int64) tlog.TreeProof {
	tb.Helper()
	if old == 0 || old == l.size {
		return nil
	}
	p, err := tlog.ProveTree(l.size, old, l)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// request is the add-checkpoint body submitting the log's checkpoint from
// size old.
func (l *memLog) request(tb testing.TB, old int64) []byte {
	tb.Helper()
	_, msg := l.checkpoint(tb)
	return witness.Request{Old: old, Proof: l.proof(tb, old), Note: msg}.Format()
}

// fixture is a witness over a SQLite store with a fixed clock.
type fixture struct {
	w      *witness.Witness
	st     *sqlite.DB
	signer *witness.Signer
	logs   map[string][]note.Verifier
	mu     sync.Mutex
	forks  []witness.Fork
	// tiles, if set, serves the tiles of the log the witness checks a
	// refused checkpoint against (Config.Confirm).
	tiles *memLog
}

// Fetch implements ledger.Fetcher over the log's stored hashes.
func (l *memLog) Fetch(_ context.Context, path string) ([]byte, error) {
	p, err := ledger.ParseTilePath(path)
	if err != nil || p.Entries {
		return nil, fmt.Errorf("no %s", path)
	}
	return tlog.ReadTileData(p.Tile(), l)
}

var clock = func() time.Time { return time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) }

func newFixture(tb testing.TB, logs ...*memLog) *fixture {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "w.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := witness.NewSigner("witness.example/w1", priv, clock)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{st: st, signer: signer, logs: map[string][]note.Verifier{}}
	for _, l := range logs {
		f.logs[l.origin] = append(f.logs[l.origin], l.verifier(tb))
	}
	f.w, err = witness.New(witness.Config{
		Store: st, Signer: signer, Clock: clock,
		Logs: func(origin string) ([]note.Verifier, bool) {
			f.mu.Lock()
			defer f.mu.Unlock()
			v, ok := f.logs[origin]
			return v, ok
		},
		Confirm: func(ctx context.Context, held, submitted ledger.Checkpoint) (bool, error) {
			f.mu.Lock()
			tiles := f.tiles
			f.mu.Unlock()
			if tiles == nil {
				return false, errors.New("no tiles to check against")
			}
			ext, err := witness.Extends(ctx, tiles, held, submitted)
			return !ext, err
		},
		OnFork: func(_ context.Context, fk witness.Fork) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.forks = append(f.forks, fk)
			return nil
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// post submits body to add-checkpoint and returns the answer.
func (f *fixture) post(body []byte) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.w.HandleAddCheckpoint(rec, httptest.NewRequest(http.MethodPost, "/witness/add-checkpoint", strings.NewReader(string(body))))
	return rec
}

func (f *fixture) forksSeen() []witness.Fork {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]witness.Fork(nil), f.forks...)
}
