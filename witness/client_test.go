package witness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"github.com/tenfour-cad/tenfour/witness"
)

// ledgerLog is a tenfour log on a SQLite store of its own.
type ledgerLog struct {
	log *ledger.Log
	st  *sqlite.DB
}

func openLedger(tb testing.TB, k *ledger.Key) *ledgerLog {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "log.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	l, err := ledger.Open(context.Background(), ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return &ledgerLog{log: l, st: st}
}

// append appends n events named by label, from the first index from, and
// signs a checkpoint. The same labels and indexes make the same leaves.
func (l *ledgerLog) append(tb testing.TB, label string, from, n int) {
	tb.Helper()
	var recs []ledger.Record
	for i := from; i < from+n; i++ {
		recs = append(recs, ledger.Record{
			Time: time.Date(2026, 12, 7, 12, 0, i, 0, time.UTC), Type: "test.event", Agency: "metro",
			Actor: ledger.Actor{System: "test"}, Data: json.RawMessage(fmt.Sprintf(`{"label":%q,"i":%d}`, label, i)),
		})
	}
	p, err := l.log.Append(recs)
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		tb.Fatal(err)
	}
	if err := l.log.Checkpoint(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func serveWitness(tb testing.TB, f *fixture) witness.Target {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /witness/add-checkpoint", f.w.HandleAddCheckpoint)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return witness.Target{Name: "w1", URL: srv.URL + "/witness", Verifier: f.signer.Verifier()}
}

// TestClientFork: two tenfour logs with one origin and key that share ten
// events and then append differently (a database restored from a copy).
// The witness cosigns the first; a client of the first that forgot what
// the witness holds learns it from the 409 and is cosigned; the second is
// refused with 422, and the witness keeps both checkpoints and raises the
// fork.
func TestClientFork(t *testing.T) {
	skey, err := ledger.GenerateKey("metro.example/log")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.logs["metro.example/log"] = []note.Verifier{k.Verifier}
	target := serveWitness(t, f)
	targets := func(context.Context) ([]witness.Target, error) { return []witness.Target{target}, nil }

	a, b := openLedger(t, k), openLedger(t, k)
	a.append(t, "common", 0, 10)
	b.append(t, "common", 0, 10)
	if ca, _ := a.log.LatestCheckpoint(); ca != func() ledger.Checkpoint { c, _ := b.log.LatestCheckpoint(); return c }() {
		t.Fatalf("the two logs differ after the same ten events")
	}
	ctx := t.Context()
	clientA := &witness.Client{Source: a.log, Store: a.st, Targets: targets, Clock: clock}
	if _, err := clientA.Submit(ctx); err != nil {
		t.Fatalf("Submit(a at 10) = %v", err)
	}
	a.append(t, "a", 10, 6)
	cosigned, err := clientA.Submit(ctx)
	if err != nil {
		t.Fatalf("Submit(a at 16) = %v", err)
	}
	// The stored note verifies with the log's key and the witness's.
	st, err := a.st.LatestCosigned(ctx)
	if err != nil || st.Size != 16 || !bytes.Equal(st.Note, cosigned) {
		t.Fatalf("LatestCosigned = %d %v, want 16 and the note Submit returned", st.Size, err)
	}
	n, err := note.Open(cosigned, note.VerifierList(k.Verifier, f.signer.Verifier()))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("note.Open(cosigned) = %v, %v, want the log's and the witness's signatures", n, err)
	}
	// A client that does not know what the witness holds (a restart).
	a.append(t, "a", 16, 2)
	again := &witness.Client{Source: a.log, Store: a.st, Targets: targets, Clock: clock}
	if _, err := again.Submit(ctx); err != nil {
		t.Fatalf("Submit(a at 18, from a fresh client) = %v", err)
	}

	b.append(t, "b", 10, 9) // 19 events, the last nine unlike a's
	clientB := &witness.Client{Source: b.log, Store: b.st, Targets: targets, Clock: clock}
	if _, err := clientB.Submit(ctx); err == nil || !strings.Contains(err.Error(), "422") {
		t.Fatalf("Submit(the fork) = %v, want a 422", err)
	}
	es, err := f.st.ForkEvidence(ctx, "metro.example/log")
	if err != nil || len(es) != 1 {
		t.Fatalf("ForkEvidence = %d, %v, want 1", len(es), err)
	}
	_, msgA := a.log.LatestCheckpoint()
	_, msgB := b.log.LatestCheckpoint()
	if !bytes.Equal(es[0].Held, msgA) || !bytes.Equal(es[0].Submitted, msgB) {
		t.Errorf("evidence = held %q, submitted %q; want a's %q and b's %q", es[0].Held, es[0].Submitted, msgA, msgB)
	}
	if forks := f.forksSeen(); len(forks) != 1 || forks[0].Held.Size != 18 || forks[0].Submitted.Size != 19 {
		t.Errorf("forks raised = %+v, want one, 18 held and 19 submitted", forks)
	}
	if held, _ := f.st.WitnessedLog(ctx, "metro.example/log"); held.Size != 18 {
		t.Errorf("the witness holds %d after the fork, want a's 18", held.Size)
	}
}

func TestParseTarget(t *testing.T) {
	_, vkey, err := witness.GenerateKey(nil, "w.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := witness.ParseTarget("w1=https://w.example/witness/+" + vkey)
	if err != nil || tg.Name != "w1" || tg.URL != "https://w.example/witness" || tg.Verifier.Name() != "w.example/w1" {
		t.Fatalf("ParseTarget = %+v, %v", tg, err)
	}
	for _, bad := range []string{"", "w1", "=https://x+" + vkey, "w1=ftp://x+" + vkey, "w1=https://x", "w1=https://x+nokey"} {
		if _, err := witness.ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) = nil error", bad)
		}
	}
}

// TestClientTwoWitnesses: a witness that is down does not hold up the
// other's cosignature; once it is back, the next Submit adds its line to the
// same checkpoint and does not resubmit to the first.
func TestClientTwoWitnesses(t *testing.T) {
	skey, _ := ledger.GenerateKey("metro.example/log")
	k, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	f1, f2 := newFixture(t), newFixture(t)
	f1.logs["metro.example/log"] = []note.Verifier{k.Verifier}
	f2.logs["metro.example/log"] = []note.Verifier{k.Verifier}
	t1 := serveWitness(t, f1)
	var up atomic.Bool
	var calls1 atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /w2/add-checkpoint", func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		f2.w.HandleAddCheckpoint(w, r)
	})
	srv2 := httptest.NewServer(mux)
	t.Cleanup(srv2.Close)
	t2 := witness.Target{Name: "w2", URL: srv2.URL + "/w2", Verifier: f2.signer.Verifier()}
	counting := t1
	l := openLedger(t, k)
	l.append(t, "x", 0, 4)
	c := &witness.Client{Source: l.log, Store: l.st, Targets: func(context.Context) ([]witness.Target, error) {
		calls1.Add(1)
		return []witness.Target{counting, t2}, nil
	}}
	ctx := t.Context()
	if _, err := c.Submit(ctx); err == nil || !strings.Contains(err.Error(), "witness w2") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Submit with w2 down = %v, want w2's 503 named", err)
	}
	st, err := l.st.LatestCosigned(ctx)
	if err != nil || strings.Count(string(st.Note), "— ") != 2 {
		t.Fatalf("LatestCosigned with w2 down = %q, %v, want the log's and w1's signatures", st.Note, err)
	}
	held1, _ := f1.st.WitnessedLog(ctx, "metro.example/log")
	up.Store(true)
	msg, err := c.Submit(ctx)
	if err != nil {
		t.Fatalf("Submit with w2 up = %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(k.Verifier, f1.signer.Verifier(), f2.signer.Verifier()))
	if err != nil || len(n.Sigs) != 3 {
		t.Fatalf("the note after w2 came back = %q, %v, want three signatures", msg, err)
	}
	if held, _ := f1.st.WitnessedLog(ctx, "metro.example/log"); !held.Updated.Equal(held1.Updated) || !bytes.Equal(held.Checkpoint, held1.Checkpoint) {
		t.Errorf("w1 was submitted the same checkpoint again")
	}
}
