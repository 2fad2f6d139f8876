package witness_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tenfour-cad/tenfour/witness"
)

// mustCosign checks a 200 answer: one cosignature line of the witness that
// verifies over the checkpoint.
func mustCosign(t *testing.T, f *fixture, msg []byte, code int, body string) {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("add-checkpoint = %d %q, want 200", code, body)
	}
	if !strings.HasPrefix(body, "— witness.example/w1 ") || strings.Count(body, "\n") != 1 {
		t.Fatalf("add-checkpoint body = %q, want one cosignature line", body)
	}
	text, _, _ := bytes.Cut(msg, []byte("\n\n"))
	n, err := note.Open(append(append(text, "\n\n"...), body...), note.VerifierList(f.signer.Verifier()))
	if err != nil {
		t.Fatalf("the cosignature does not verify: %v", err)
	}
	if got, err := witness.Timestamp(n.Sigs[0]); err != nil || !got.Equal(clock()) {
		t.Errorf("Timestamp = %v, %v, want %v", got, err, clock())
	}
}

func TestAddCheckpoint(t *testing.T) {
	lg := newMemLog(t, "metro.example/log")
	f := newFixture(t, lg)
	f.tiles = lg
	ctx := t.Context()

	lg.append(t, 5, "a")
	_, msg5 := lg.checkpoint(t)
	t.Run("OKFromZero", func(t *testing.T) {
		rec := f.post(lg.request(t, 0))
		mustCosign(t, f, msg5, rec.Code, rec.Body.String())
		held, err := f.st.WitnessedLog(ctx, lg.origin)
		if err != nil || held.Size != 5 || !bytes.Equal(held.Checkpoint, msg5) {
			t.Errorf("WitnessedLog = %d %v, want 5 and the checkpoint", held.Size, err)
		}
	})
	t.Run("ErrStaleOld", func(t *testing.T) {
		rec := f.post(lg.request(t, 0))
		if rec.Code != http.StatusConflict || rec.Header().Get("Content-Type") != witness.SizeType || rec.Body.String() != "5\n" {
			t.Errorf("add-checkpoint(old 0, holding 5) = %d %q %q, want 409 %s \"5\\n\"", rec.Code, rec.Header().Get("Content-Type"), rec.Body, witness.SizeType)
		}
	})
	t.Run("OKSameAgain", func(t *testing.T) {
		rec := f.post(lg.request(t, 5))
		mustCosign(t, f, msg5, rec.Code, rec.Body.String())
	})
	lg.append(t, 7, "a")
	_, msg12 := lg.checkpoint(t)
	t.Run("OKConsistent", func(t *testing.T) {
		rec := f.post(lg.request(t, 5))
		mustCosign(t, f, msg12, rec.Code, rec.Body.String())
	})
	t.Run("ErrUnknownLog", func(t *testing.T) {
		other := newMemLog(t, "other.example/log")
		other.append(t, 3, "o")
		if rec := f.post(other.request(t, 0)); rec.Code != http.StatusNotFound {
			t.Errorf("add-checkpoint(unknown origin) = %d %q, want 404", rec.Code, rec.Body)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		impostor := newMemLog(t, lg.origin) // same origin, another key
		impostor.hashes, impostor.size = lg.hashes, lg.size
		impostor.append(t, 1, "x")
		if rec := f.post(impostor.request(t, 12)); rec.Code != http.StatusForbidden {
			t.Errorf("add-checkpoint(signed by an unknown key) = %d %q, want 403", rec.Code, rec.Body)
		}
	})
	t.Run("ErrBadSignature", func(t *testing.T) {
		// The log's signature line over another checkpoint: a known key
		// whose signature does not verify.
		body := lg.request(t, 12)
		other := lg.fork(lg.size)
		other.append(t, 1, "x")
		_, msg := other.checkpoint(t)
		sig := msg[bytes.LastIndex(msg, []byte("\n— ")):]
		body = append(body[:bytes.LastIndex(body, []byte("\n— "))], sig...)
		if rec := f.post(body); rec.Code != http.StatusForbidden {
			t.Errorf("add-checkpoint(bad signature) = %d %q, want 403", rec.Code, rec.Body)
		}
	})
	t.Run("ErrOldBeyondSize", func(t *testing.T) {
		_, msg := lg.checkpoint(t)
		body := witness.Request{Old: 13, Note: msg}.Format()
		if rec := f.post(body); rec.Code != http.StatusBadRequest {
			t.Errorf("add-checkpoint(old 13 > 12) = %d %q, want 400", rec.Code, rec.Body)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		_, msg := lg.checkpoint(t)
		h := tlog.Hash{1}.String()
		for _, body := range []string{
			"", "old 12", "old 012\n\n" + string(msg), "old -1\n\n" + string(msg), "olds 12\n\n" + string(msg),
			"old 12\nnot base64\n\n" + string(msg), "old 12\n\n", "old 12\n\nmetro.example/log\n12\n",
			"old 12\n" + strings.Repeat(h+"\n", 64) + "\n" + string(msg),
		} {
			if rec := f.post([]byte(body)); rec.Code != http.StatusBadRequest {
				t.Errorf("add-checkpoint(%.40q) = %d %q, want 400", body, rec.Code, rec.Body)
			}
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		body := append([]byte("old 12\n\n"), bytes.Repeat([]byte("x"), witness.MaxRequest)...)
		if rec := f.post(body); rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("add-checkpoint(%d bytes) = %d, want 413", len(body), rec.Code)
		}
	})
	t.Run("ErrBadProof", func(t *testing.T) {
		lg.append(t, 3, "a")
		p := lg.proof(t, 12)
		p[0][0] ^= 1
		_, msg := lg.checkpoint(t)
		if rec := f.post(witness.Request{Old: 12, Proof: p, Note: msg}.Format()); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("add-checkpoint(bad proof) = %d %q, want 422", rec.Code, rec.Body)
		}
		if held, _ := f.st.WitnessedLog(ctx, lg.origin); held.Size != 12 {
			t.Errorf("after a bad proof the witness holds %d, want 12", held.Size)
		}
		// The log's tiles show the checkpoint extends the one held: a bad
		// proof, no fork.
		if es, _ := f.st.ForkEvidence(ctx, lg.origin); len(es) != 0 || len(f.forksSeen()) != 0 {
			t.Errorf("a bad proof of a consistent checkpoint was kept as a fork: %d evidence, %d raised", len(es), len(f.forksSeen()))
		}
	})
	t.Run("ErrProofFromZero", func(t *testing.T) {
		other := newMemLog(t, "zero.example/log")
		f.logs[other.origin] = []note.Verifier{other.verifier(t)}
		other.append(t, 4, "z")
		_, msg := other.checkpoint(t)
		if rec := f.post(witness.Request{Old: 0, Proof: tlog.TreeProof{{1}}, Note: msg}.Format()); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("add-checkpoint(old 0 with a proof) = %d %q, want 422", rec.Code, rec.Body)
		}
	})
}

// TestFork submits two logs with one origin and key that share a prefix and
// then append differently: the witness cosigns the first, refuses the
// other (422 for a larger tree, 409 for the same size), keeps both
// checkpoints as evidence, raises the fork once, and still holds the first.
func TestFork(t *testing.T) {
	a := newMemLog(t, "metro.example/log")
	a.append(t, 10, "common")
	b := a.fork(10) // a restored copy of the database at size 10
	a.append(t, 6, "a")
	b.append(t, 9, "b")
	f := newFixture(t, a)
	f.tiles = b // the forked log's own tiles: they cannot show a's tree
	ctx := t.Context()

	rec := f.post(a.request(t, 0))
	_, msgA := a.checkpoint(t)
	mustCosign(t, f, msgA, rec.Code, rec.Body.String())

	_, msgB := b.checkpoint(t)
	// The forked log's proof from 16 cannot exist: its proof from 10 is
	// the best it has.
	bodyB := witness.Request{Old: 16, Proof: b.proof(t, 10), Note: msgB}.Format()
	if rec := f.post(bodyB); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("add-checkpoint(fork, larger) = %d %q, want 422", rec.Code, rec.Body)
	}
	if rec := f.post(bodyB); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("add-checkpoint(fork again) = %d %q, want 422", rec.Code, rec.Body)
	}
	// The same size, another root.
	c := b.fork(19)
	c.hashes, c.size = c.hashes[:tlog.StoredHashCount(10)], 10
	c.append(t, 6, "c")
	_, msgC := c.checkpoint(t)
	if rec := f.post(witness.Request{Old: 16, Note: msgC}.Format()); rec.Code != http.StatusConflict || rec.Header().Get("Content-Type") == witness.SizeType {
		t.Fatalf("add-checkpoint(fork, same size) = %d %q %q, want 409 not a size", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}

	es, err := f.st.ForkEvidence(ctx, a.origin)
	if err != nil || len(es) != 2 {
		t.Fatalf("ForkEvidence = %d, %v, want 2 (a refused checkpoint submitted twice is one)", len(es), err)
	}
	if !bytes.Equal(es[0].Held, msgA) || !bytes.Equal(es[0].Submitted, msgB) || !es[0].Seen.Equal(clock()) {
		t.Errorf("evidence 1 = held %q submitted %q, want %q and %q", es[0].Held, es[0].Submitted, msgA, msgB)
	}
	if !bytes.Equal(es[1].Held, msgA) || !bytes.Equal(es[1].Submitted, msgC) {
		t.Errorf("evidence 2 = held %q submitted %q, want %q and %q", es[1].Held, es[1].Submitted, msgA, msgC)
	}
	forks := f.forksSeen()
	if len(forks) != 2 || forks[0].Evidence != es[0].ID || forks[0].Held.Size != 16 || forks[0].Submitted.Size != 19 || forks[1].Submitted.Size != 16 {
		t.Errorf("forks raised = %+v, want 2 (16 vs 19, 16 vs 16)", forks)
	}
	if held, _ := f.st.WitnessedLog(ctx, a.origin); held.Size != 16 || !bytes.Equal(held.Checkpoint, msgA) {
		t.Errorf("after the fork the witness holds %d, want the first log's 16", held.Size)
	}
	// The first log goes on.
	a.append(t, 1, "a")
	_, msgA2 := a.checkpoint(t)
	rec = f.post(a.request(t, 16))
	mustCosign(t, f, msgA2, rec.Code, rec.Body.String())
}

// TestConcurrentSubmissions: submissions from the same size at once, of
// different sizes: exactly one is cosigned, the others told the size held.
func TestConcurrentSubmissions(t *testing.T) {
	lg := newMemLog(t, "metro.example/log")
	lg.append(t, 4, "a")
	f := newFixture(t, lg)
	if rec := f.post(lg.request(t, 0)); rec.Code != http.StatusOK {
		t.Fatalf("first = %d %q", rec.Code, rec.Body)
	}
	var bodies [][]byte
	for range 6 {
		lg.append(t, 1, "a")
		bodies = append(bodies, lg.request(t, 4))
	}
	codes := make([]int, len(bodies))
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Go(func() { codes[i] = f.post(b).Code })
	}
	wg.Wait()
	ok := 0
	for i, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
		default:
			t.Errorf("submission %d = %d, want 200 or 409", i, c)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent submissions from size 4 were cosigned, want 1 (codes %v)", ok, len(codes), codes)
	}
}

func TestHandleKey(t *testing.T) {
	f := newFixture(t)
	rec := httptest.NewRecorder()
	f.w.HandleKey(rec, httptest.NewRequest(http.MethodGet, "/witness/key", nil))
	v, err := witness.ParseVerifier(rec.Body.String())
	if rec.Code != http.StatusOK || err != nil || v.String() != f.signer.Verifier().String() {
		t.Fatalf("GET /witness/key = %d %q (%v), want %s", rec.Code, rec.Body, err, f.signer.Verifier())
	}
}

// TestHeld: the witness serves the checkpoint it holds of a log, as
// submitted and signed by the log's key, for a node restored from an
// older copy to compare its log with (cmd/tenfour/guard.go).
func TestHeld(t *testing.T) {
	lg := newMemLog(t, "metro.example/log")
	f := newFixture(t, lg)
	get := func(q string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		f.w.HandleHeld(rec, httptest.NewRequest(http.MethodGet, "/witness/checkpoint"+q, nil))
		return rec
	}
	if rec := get("?origin=metro.example/log"); rec.Code != http.StatusNotFound {
		t.Errorf("held before any checkpoint = %d %q, want 404", rec.Code, rec.Body)
	}
	lg.append(t, 5, "a")
	_, msg5 := lg.checkpoint(t)
	if rec := f.post(lg.request(t, 0)); rec.Code != http.StatusOK {
		t.Fatalf("add-checkpoint = %d %q", rec.Code, rec.Body)
	}
	rec := get("?origin=metro.example/log")
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), msg5) {
		t.Fatalf("held = %d %q, want 200 and the checkpoint as submitted %q", rec.Code, rec.Body, msg5)
	}
	if _, err := note.Open(rec.Body.Bytes(), note.VerifierList(lg.verifier(t))); err != nil {
		t.Errorf("the held checkpoint is not signed by the log's key: %v", err)
	}
	if rec := get(""); rec.Code != http.StatusBadRequest {
		t.Errorf("held with no origin = %d, want 400", rec.Code)
	}
	if rec := get("?origin=other.example/log"); rec.Code != http.StatusNotFound {
		t.Errorf("held of another log = %d, want 404", rec.Code)
	}
}
