package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

// logFetcher serves a log's tiles and a given checkpoint as a C2SP
// tlog-tiles server would, through an optional tamper function.
type logFetcher struct {
	l          *ledger.Log
	checkpoint []byte
	tamper     func(path string, b []byte) ([]byte, error)

	mu    sync.Mutex
	paths []string
}

func (f *logFetcher) Fetch(ctx context.Context, path string) ([]byte, error) {
	f.mu.Lock()
	f.paths = append(f.paths, path)
	f.mu.Unlock()
	var b []byte
	if path == "checkpoint" {
		b = bytes.Clone(f.checkpoint)
	} else {
		p, err := ledger.ParseTilePath(path)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", path, err)
		}
		if b, err = f.l.ReadTile(ctx, p); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", path, err)
		}
	}
	if f.tamper != nil {
		return f.tamper(path, b)
	}
	return b, nil
}

// alterEntry returns entry with its "note" changed, still well-formed.
func alterEntry(e []byte) []byte {
	return bytes.Replace(e, []byte(`"note":"event `), []byte(`"note":"Event `), 1)
}

// tamperEntry returns a tamper function that alters event seq in its entry
// bundle and nothing else.
func tamperEntry(seq int64) func(string, []byte) ([]byte, error) {
	k := seq / ledger.TileWidth
	i := int(seq % ledger.TileWidth)
	return func(path string, b []byte) ([]byte, error) {
		p, err := ledger.ParseTilePath(path)
		if err != nil || !p.Entries || p.N != k {
			return b, nil
		}
		es, err := ledger.ParseBundle(b)
		if err != nil {
			return nil, err
		}
		es[i] = alterEntry(es[i])
		return ledger.AppendBundle(nil, es...)
	}
}

func TestVerifyLog(t *testing.T) {
	const n = 700
	ctx := context.Background()
	k := mustKey(t, "example.test/verify")
	st := mustOpenStore(t, dbPath(t))
	l := mustOpenLog(t, st, k)
	_, c0 := l.LatestCheckpoint()
	mustAppend(t, l, records(0, 300)...)
	_, c300 := mustCheckpoint(t, l)
	mustAppend(t, l, records(300, n)...)
	cp, c700 := mustCheckpoint(t, l)
	entries := mustEntries(t, l, n)

	t.Run("OK", func(t *testing.T) {
		f := &logFetcher{l: l, checkpoint: c700}
		rep, err := ledger.VerifyLog(ctx, f, k.Verifier, ledger.VerifyOptions{})
		if err != nil {
			t.Fatalf("VerifyLog = %v", err)
		}
		// Three level-0 tiles (256, 256, 188) and one of level 1 (2 hashes).
		if rep.Checkpoint != cp || rep.Entries != n || rep.Tiles != 4 || rep.Since != nil {
			t.Fatalf("VerifyLog = %+v, want checkpoint %+v, %d entries, 4 tiles", rep, cp, n)
		}
		for _, want := range []string{"checkpoint", "tile/entries/002.p/188", "tile/0/002.p/188", "tile/1/000.p/2"} {
			if !strings.Contains(strings.Join(f.paths, " "), want) {
				t.Errorf("VerifyLog fetched %v, want %s among them", f.paths, want)
			}
		}
	})
	t.Run("Since", func(t *testing.T) {
		for _, since := range [][]byte{c0, c300, c700} {
			c, _ := ledger.OpenCheckpoint(since, k.Verifier)
			rep, err := ledger.VerifyLog(ctx, &logFetcher{l: l, checkpoint: c700}, k.Verifier, ledger.VerifyOptions{Since: since, Parallel: 2})
			if err != nil {
				t.Fatalf("VerifyLog(since %d) = %v", c.Size, err)
			}
			if rep.Since == nil || *rep.Since != c {
				t.Fatalf("VerifyLog(since %d).Since = %+v, want %+v", c.Size, rep.Since, c)
			}
		}
	})
	t.Run("Progress", func(t *testing.T) {
		var done []int64
		_, err := ledger.VerifyLog(ctx, &logFetcher{l: l, checkpoint: c700}, k.Verifier, ledger.VerifyOptions{
			Progress: func(d, total int64) {
				if total != n {
					t.Errorf("Progress total = %d, want %d", total, n)
				}
				done = append(done, d)
			},
		})
		if err != nil || len(done) == 0 || done[len(done)-1] != n {
			t.Fatalf("VerifyLog progress = %v, %v, want to end at %d", done, err, n)
		}
	})

	// Another log under the same key, whose first 300 events differ.
	forkStore := mustOpenStore(t, dbPath(t))
	fork := mustOpenLog(t, forkStore, k)
	mustAppend(t, fork, records(1000, 1300)...)
	_, forked300 := mustCheckpoint(t, fork)
	otherKey := mustKey(t, "example.test/verify")
	otherMsg, err := ledger.SignCheckpoint(cp, otherKey.Signer)
	if err != nil {
		t.Fatalf("SignCheckpoint = %v", err)
	}

	tiles := func(b []byte) []tlog.Hash {
		hs := make([]tlog.Hash, len(b)/tlog.HashSize)
		for i := range hs {
			copy(hs[i][:], b[i*tlog.HashSize:])
		}
		return hs
	}
	setHash := func(b []byte, i int, h tlog.Hash) []byte {
		b = bytes.Clone(b)
		copy(b[i*tlog.HashSize:], h[:])
		return b
	}
	broken := errors.New("connection reset")

	tests := []struct {
		name       string
		checkpoint []byte
		since      []byte
		tamper     func(path string, b []byte) ([]byte, error)
		seq        int64 // for an *IntegrityError: the event it must name; else -2
		text       string
	}{
		{name: "EntryAltered", checkpoint: c700, tamper: tamperEntry(450), seq: 450},
		{name: "EntryAlteredPartialTile", checkpoint: c700, tamper: tamperEntry(650), seq: 650},
		{name: "EntryAlteredFirst", checkpoint: c700, tamper: tamperEntry(0), seq: 0},
		{name: "LeafHashAltered", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			if path == "tile/0/000" {
				return setHash(b, 100, flip(tiles(b)[100], 7)), nil
			}
			return b, nil
		}, seq: 100},
		{name: "EntryAndLeafHashAltered", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			switch path {
			case "tile/entries/001":
				es, _ := ledger.ParseBundle(b)
				es[450-256] = alterEntry(es[450-256])
				return ledger.AppendBundle(nil, es...)
			case "tile/0/001":
				return setHash(b, 450-256, tlog.RecordHash(alterEntry(entries[450]))), nil
			}
			return b, nil
		}, seq: -1, text: "root"},
		{name: "EntryMoved", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			// Event 6's bytes and leaf hash in event 5's place.
			switch path {
			case "tile/entries/000":
				es, _ := ledger.ParseBundle(b)
				es[5] = es[6]
				return ledger.AppendBundle(nil, es...)
			case "tile/0/000":
				return setHash(b, 5, tiles(b)[6]), nil
			}
			return b, nil
		}, seq: 5, text: "event 6"},
		{name: "UpperTileAltered", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			if path == "tile/1/000.p/2" {
				return setHash(b, 1, flip(tiles(b)[1], 0)), nil
			}
			return b, nil
		}, seq: -1, text: "tile/1/000.p/2"},
		{name: "BundleShort", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			if path == "tile/entries/001" {
				es, _ := ledger.ParseBundle(b)
				return ledger.AppendBundle(nil, es[:255]...)
			}
			return b, nil
		}, seq: -2},
		{name: "BundleTruncated", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			if path == "tile/entries/001" {
				return b[:len(b)-1], nil
			}
			return b, nil
		}, seq: -2},
		{name: "TileShort", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			if path == "tile/0/002.p/188" {
				return b[:len(b)-tlog.HashSize], nil
			}
			return b, nil
		}, seq: -2},
		{name: "FetchFails", checkpoint: c700, tamper: func(path string, b []byte) ([]byte, error) {
			if path == "tile/0/001" {
				return nil, broken
			}
			return b, nil
		}, seq: -2},
		{name: "OtherKey", checkpoint: otherMsg, seq: -2},
		{name: "CheckpointOfOtherLog", checkpoint: forked300, seq: -1, text: "root"},
		{name: "SinceForked", checkpoint: c700, since: forked300, seq: -2, text: "not an extension"},
		{name: "SinceNewer", checkpoint: c300, since: c700, seq: -2, text: "shrank"},
		{name: "SinceOtherKey", checkpoint: c700, since: otherMsg, seq: -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &logFetcher{l: l, checkpoint: tt.checkpoint, tamper: tt.tamper}
			rep, err := ledger.VerifyLog(ctx, f, k.Verifier, ledger.VerifyOptions{Since: tt.since})
			if err == nil {
				t.Fatalf("VerifyLog = %+v, nil, want an error", rep)
			}
			var ie *ledger.IntegrityError
			if tt.seq >= -1 && (!errors.As(err, &ie) || ie.Seq != tt.seq) {
				t.Fatalf("VerifyLog = %v, want an *IntegrityError naming event %d", err, tt.seq)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("VerifyLog = %v, want an error saying %q", err, tt.text)
			}
			if tt.name == "FetchFails" && !errors.Is(err, broken) {
				t.Fatalf("VerifyLog = %v, want the fetch error", err)
			}
		})
	}
}
