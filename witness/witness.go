package witness

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// SizeType is the media type of a 409 answer to add-checkpoint: the size
// the witness holds, in decimal, and a newline (C2SP tlog-witness).
const SizeType = "text/x.tlog.size"

// A Fork is a checkpoint the witness refused because it contradicts the one
// it holds for the same log: the same size with another root hash, or a
// larger tree whose consistency proof from the held one does not verify.
// Both signed checkpoints are kept as evidence (store.ForkEvidence).
type Fork struct {
	Evidence  int64 // the id of the stored evidence
	Origin    string
	Held      ledger.Checkpoint
	Submitted ledger.Checkpoint
	Reason    string
	Seen      time.Time
}

// Config says what a Witness needs.
type Config struct {
	Store  Store
	Signer *Signer
	// Logs returns the keys of the log with the origin, and false for a log
	// the witness does not know. It is asked on every request, so the logs
	// known may change while the witness runs (peers added or removed).
	Logs func(origin string) ([]note.Verifier, bool)
	// Clock gives the time of stored records; nil means time.Now.
	Clock func() time.Time
	// Confirm, if set, is asked before a larger checkpoint whose consistency
	// proof does not verify is kept as a fork: it returns false when the
	// log's own tiles show that the submitted tree extends the held one
	// (Extends), so that the proof, not the log, was bad. An error (the log
	// unreachable) keeps the evidence: a fork not disproved.
	Confirm func(ctx context.Context, held, submitted ledger.Checkpoint) (bool, error)
	// OnFork, if set, is called once for each new fork evidence, after it is
	// stored; its error is logged.
	OnFork func(context.Context, Fork) error
	Logger *slog.Logger
}

// A Witness serves C2SP tlog-witness: POST add-checkpoint, and its verifier
// key.
type Witness struct {
	cfg Config
}

// New returns a witness.
func New(cfg Config) (*Witness, error) {
	if cfg.Store == nil || cfg.Signer == nil || cfg.Logs == nil {
		return nil, errors.New("witness: a store, a signer and the known logs are needed")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Witness{cfg: cfg}, nil
}

// VerifierKey returns the witness's cosignature/v1 verifier key.
func (w *Witness) VerifierKey() string { return w.cfg.Signer.Verifier().String() }

// HandleKey answers GET <prefix>/key with the verifier key and a newline.
func (w *Witness) HandleKey(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(rw, w.VerifierKey()+"\n")
}

// HeldPath is where a tenfour witness serves the checkpoint it holds of a
// log (not a C2SP route: tenfour's own), ?origin=ORIGIN.
const HeldPath = "/checkpoint"

// HandleHeld answers GET <prefix>/checkpoint?origin=O with the checkpoint
// of the log O this witness cosigned last, as it was submitted: signed by
// the log's key, so that it proves itself. A node restored from an older
// copy asks its witnesses for it at start, and holds itself read-only if
// its log is shorter than what they hold (cmd/tenfour/guard.go). 404 for a
// log it holds nothing of.
func (w *Witness) HandleHeld(rw http.ResponseWriter, r *http.Request) {
	origin := r.URL.Query().Get("origin")
	if origin == "" || len(origin) > 200 {
		http.Error(rw, "name the log: ?origin=ORIGIN", http.StatusBadRequest)
		return
	}
	held, err := w.cfg.Store.WitnessedLog(r.Context(), origin)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(rw, "this witness holds no checkpoint of that log", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(rw, "the witness's store does not answer", http.StatusServiceUnavailable)
		return
	}
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-cache")
	rw.Write(held.Checkpoint)
}

// An answer is what add-checkpoint answers: a status and a body; size is
// the size held for a 409 that states it, -1 otherwise.
type answer struct {
	status int
	body   string
	size   int64
}

func fail(status int, format string, args ...any) *answer {
	return &answer{status: status, body: fmt.Sprintf(format, args...) + "\n", size: -1}
}

// HandleAddCheckpoint answers POST <prefix>/add-checkpoint as C2SP
// tlog-witness says.
func (w *Witness) HandleAddCheckpoint(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxRequest))
	var a *answer
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		a = fail(http.StatusRequestEntityTooLarge, "add-checkpoint: request over %d bytes", MaxRequest)
	case err != nil:
		a = fail(http.StatusBadRequest, "add-checkpoint: reading the request: %v", err)
	default:
		a = w.addCheckpoint(r.Context(), body)
	}
	switch {
	case a.status == http.StatusConflict && a.size >= 0:
		rw.Header().Set("Content-Type", SizeType)
	default:
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(a.status)
	io.WriteString(rw, a.body)
}

// addCheckpoint decides an add-checkpoint request body, persisting what it
// cosigns, and returns the status and body of the answer.
func (w *Witness) addCheckpoint(ctx context.Context, body []byte) *answer {
	req, err := ParseRequest(body)
	if err != nil {
		return fail(http.StatusBadRequest, "%v", err)
	}
	// The origin is the note's first line; the keys to check the note with
	// are the known log's.
	origin, _, _ := bytes.Cut(req.Note, []byte("\n"))
	keys, ok := w.cfg.Logs(string(origin))
	if !ok {
		return fail(http.StatusNotFound, "add-checkpoint: unknown log %q", origin)
	}
	n, err := note.Open(req.Note, note.VerifierList(keys...))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified), errors.As(err, &invalid):
		return fail(http.StatusForbidden, "add-checkpoint: no valid signature of a known key of %q", origin)
	case err != nil:
		return fail(http.StatusBadRequest, "add-checkpoint: checkpoint note: %v", err)
	}
	cp, err := ledger.ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return fail(http.StatusBadRequest, "add-checkpoint: %v", err)
	}
	if req.Old > cp.Size {
		return fail(http.StatusBadRequest, "add-checkpoint: old size %d is larger than the checkpoint's %d", req.Old, cp.Size)
	}
	held, err := w.cfg.Store.WitnessedLog(ctx, cp.Origin)
	switch {
	case errors.Is(err, store.ErrNotFound):
		held = store.WitnessedLog{Origin: cp.Origin}
	case err != nil:
		w.cfg.Logger.Error("witness: read the log held", "origin", cp.Origin, "err", err)
		return fail(http.StatusInternalServerError, "internal error")
	}
	if req.Old != held.Size {
		return &answer{status: http.StatusConflict, body: strconv.FormatInt(held.Size, 10) + "\n", size: held.Size}
	}
	var heldRoot tlog.Hash
	copy(heldRoot[:], held.Root)
	switch {
	case req.Old == 0 && len(req.Proof) > 0:
		return fail(http.StatusUnprocessableEntity, "add-checkpoint: a proof from size 0 must be empty")
	case req.Old == 0:
	case req.Old == cp.Size:
		if cp.Root != heldRoot {
			w.fork(ctx, held, req.Note, cp, fmt.Sprintf("a checkpoint of size %d with root %s, but the one held has root %s", cp.Size, cp.Root, heldRoot))
			return &answer{status: http.StatusConflict, body: fmt.Sprintf("add-checkpoint: the tree of size %d held has another root hash\n", cp.Size), size: -1}
		}
		if len(req.Proof) > 0 {
			return fail(http.StatusUnprocessableEntity, "add-checkpoint: a proof between equal sizes must be empty")
		}
	default:
		if err := tlog.CheckTree(req.Proof, cp.Size, cp.Root, held.Size, heldRoot); err != nil {
			if w.disproved(ctx, held, heldRoot, cp) {
				return fail(http.StatusUnprocessableEntity, "add-checkpoint: the consistency proof from size %d does not verify", held.Size)
			}
			w.fork(ctx, held, req.Note, cp, fmt.Sprintf("no consistency from the tree of size %d held to the tree of size %d: %v", held.Size, cp.Size, err))
			return fail(http.StatusUnprocessableEntity, "add-checkpoint: the consistency proof from size %d does not verify", held.Size)
		}
	}
	next := store.WitnessedLog{Origin: cp.Origin, Size: cp.Size, Root: cp.Root[:], Checkpoint: req.Note, Updated: w.cfg.Clock()}
	if err := w.cfg.Store.SwapWitnessedLog(ctx, held.Size, next); errors.Is(err, store.ErrConflict) {
		// Another submission moved the log since it was read: answer as
		// if this one had come after it.
		now, err := w.cfg.Store.WitnessedLog(ctx, cp.Origin)
		if err != nil {
			w.cfg.Logger.Error("witness: read the log held", "origin", cp.Origin, "err", err)
			return fail(http.StatusInternalServerError, "internal error")
		}
		return &answer{status: http.StatusConflict, body: strconv.FormatInt(now.Size, 10) + "\n", size: now.Size}
	} else if err != nil {
		w.cfg.Logger.Error("witness: persist the checkpoint", "origin", cp.Origin, "size", cp.Size, "err", err)
		return fail(http.StatusInternalServerError, "internal error")
	}
	line, err := w.cosign([]byte(n.Text))
	if err != nil {
		w.cfg.Logger.Error("witness: cosign", "origin", cp.Origin, "size", cp.Size, "err", err)
		return fail(http.StatusInternalServerError, "internal error")
	}
	return &answer{status: http.StatusOK, body: line}
}

// cosign returns the note signature line of a cosignature of the
// checkpoint body text: "— <name> base64(key ID || timestamp || signature)".
func (w *Witness) cosign(text []byte) (string, error) {
	s := w.cfg.Signer
	sig, err := s.Sign(text)
	if err != nil {
		return "", err
	}
	b := binary.BigEndian.AppendUint32(nil, s.KeyHash())
	return "— " + s.Name() + " " + base64.StdEncoding.EncodeToString(append(b, sig...)) + "\n", nil
}

// disproved reports whether Confirm shows that the submitted checkpoint
// extends the one held, in spite of its proof.
func (w *Witness) disproved(ctx context.Context, held store.WitnessedLog, heldRoot tlog.Hash, cp ledger.Checkpoint) bool {
	if w.cfg.Confirm == nil {
		return false
	}
	fork, err := w.cfg.Confirm(ctx, ledger.Checkpoint{Origin: held.Origin, Size: held.Size, Root: heldRoot}, cp)
	if err != nil {
		w.cfg.Logger.Warn("witness: could not check a refused checkpoint against the log's tiles; keeping it as a fork", "origin", cp.Origin, "size", cp.Size, "err", err)
		return false
	}
	if !fork {
		w.cfg.Logger.Info("witness: a bad consistency proof for a checkpoint the log's tiles show consistent", "origin", cp.Origin, "held", held.Size, "size", cp.Size)
	}
	return !fork
}

// fork keeps a checkpoint that contradicts the one held, with it, and
// raises it (OnFork) unless the same checkpoint was already kept: a
// refused checkpoint submitted again is the same evidence.
func (w *Witness) fork(ctx context.Context, held store.WitnessedLog, submitted []byte, cp ledger.Checkpoint, reason string) {
	log := w.cfg.Logger.With("origin", cp.Origin, "held", held.Size, "submitted", cp.Size)
	log.Warn("witness: refused a checkpoint that contradicts the one held", "reason", reason)
	kept, err := w.cfg.Store.ForkEvidence(ctx, cp.Origin)
	if err != nil {
		log.Error("witness: read fork evidence", "err", err)
		return
	}
	for _, e := range kept {
		if bytes.Equal(e.Submitted, submitted) && bytes.Equal(e.Held, held.Checkpoint) {
			return
		}
	}
	f := Fork{Origin: cp.Origin, Submitted: cp, Reason: reason, Seen: w.cfg.Clock()}
	f.Held = ledger.Checkpoint{Origin: held.Origin, Size: held.Size}
	copy(f.Held.Root[:], held.Root)
	f.Evidence, err = w.cfg.Store.AddForkEvidence(ctx, store.ForkEvidence{
		Origin: cp.Origin, Held: held.Checkpoint, Submitted: submitted, Reason: reason, Seen: f.Seen,
	})
	if err != nil {
		log.Error("witness: keep fork evidence", "err", err)
		return
	}
	if w.cfg.OnFork != nil {
		if err := w.cfg.OnFork(ctx, f); err != nil {
			log.Error("witness: raise the fork", "evidence", f.Evidence, "err", err)
		}
	}
}
