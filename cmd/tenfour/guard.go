package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
)

// A restored node must not sequence a log shorter than a checkpoint already
// published (ledger/hold.go). What it knows of published checkpoints comes
// from outside its database:
//
//   - DATA/published-checkpoint: the newest checkpoint this data directory's
//     node signed, written before it is served. It survives the loss of the
//     database, not of the disk.
//   - --checkpoint-from URL|FILE: the original node's current checkpoint, or
//     one saved from it (what the drill in docs/operations.md does).
//   - DATA/restored.json, written by "tenfour restore": with nothing else to
//     compare to, a restored node is held until it is shown a checkpoint or
//     the operator accepts.
//
//   - the witnesses: each holds the newest checkpoint of this log it
//     cosigned. The node keeps the list of its witnesses beside the
//     database (DATA/witnesses, written as the client's targets change) and
//     at start asks each tenfour witness on it for what it holds (GET
//     <witness>/checkpoint?origin=…). A checkpoint signed by this log's key
//     proves itself; one that is not, or a witness that does not answer,
//     is passed over with a warning. So a copy restored by hand — a data
//     directory copied back, no "tenfour restore" — is held too, as soon
//     as one witness saw further.

// publishedFile keeps the newest checkpoint this node signed.
const publishedFile = "published-checkpoint"

// witnessesFile lists the witnesses this node submits its checkpoints to,
// one URL prefix a line.
const witnessesFile = "witnesses"

// witnessAsk bounds the wait for one witness at start: a witness that is
// away must not keep a dispatch centre's node from starting.
const witnessAsk = 5 * time.Second

// witnessCheckpoints asks the witnesses listed in DATA/witnesses for the
// checkpoint of this log each holds, and returns those signed by key.
func (m *Main) witnessCheckpoints(ctx context.Context, key *ledger.Key) [][]byte {
	b, err := os.ReadFile(filepath.Join(m.DataDir, witnessesFile))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			m.Logger.Warn("read the list of witnesses", "err", err)
		}
		return nil
	}
	// Asked together: the start waits for the slowest, witnessAsk at most.
	prefixes := strings.Fields(string(b))
	answers := make([][]byte, len(prefixes))
	errs := make([]error, len(prefixes))
	var wg sync.WaitGroup
	for i, prefix := range prefixes {
		wg.Go(func() { answers[i], errs[i] = askWitness(ctx, prefix, key.Verifier.Name()) })
	}
	wg.Wait()
	var out [][]byte
	for i, prefix := range prefixes {
		cp, err := answers[i], errs[i]
		if err != nil {
			m.Logger.Warn("ask a witness what it holds of this log", "witness", prefix, "err", err)
			continue
		}
		if cp == nil {
			continue // it holds nothing of this log, or is no tenfour witness
		}
		c, err := ledger.OpenCheckpoint(cp, key.Verifier)
		if err != nil {
			m.Logger.Warn("a witness answered a checkpoint this log did not sign; passed over", "witness", prefix, "err", err)
			continue
		}
		m.Logger.Info("a witness holds a checkpoint of this log", "witness", prefix, "size", c.Size)
		out = append(out, cp)
	}
	return out
}

// askWitness GETs the checkpoint of origin a witness at prefix holds: nil
// when it holds none (404).
func askWitness(ctx context.Context, prefix, origin string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, witnessAsk)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, prefix+"/checkpoint?origin="+url.QueryEscape(origin), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return nil, nil
	}
	return nil, fmt.Errorf("GET %s/checkpoint: %s", prefix, resp.Status)
}

// keepWitnesses writes the list of witnesses (their URL prefixes) to
// DATA/witnesses, atomically, unless it is *kept, the list last written
// (the client asks for its targets every interval; the file changes with
// the peers). A failure is logged: it weakens the guard of a later
// restore, never the log.
func (m *Main) keepWitnesses(prefixes []string, kept *string) {
	slices.Sort(prefixes)
	text := strings.Join(slices.Compact(prefixes), "\n") + "\n"
	if text == *kept {
		return
	}
	path := filepath.Join(m.DataDir, witnessesFile)
	if err := writeAtomic(path, []byte(text)); err != nil {
		m.Logger.Warn("keep the list of witnesses beside the database", "file", path, "err", err)
		return
	}
	*kept = text
}

// guard gathers what the node knows of its published checkpoints, and
// whether it was restored, for the ledger (ledger.Guard).
func (m *Main) guard(ctx context.Context, key *ledger.Key) (ledger.Guard, error) {
	g := ledger.Guard{AcceptRollback: m.AcceptRollback, OnCheckpoint: m.keepCheckpoint}
	if b, err := os.ReadFile(filepath.Join(m.DataDir, publishedFile)); err == nil {
		g.Published = append(g.Published, b)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return g, fmt.Errorf("published checkpoint: %w", err)
	}
	if m.CheckpointFrom != "" {
		b, err := fetchCheckpoint(ctx, m.CheckpointFrom)
		if err != nil {
			return g, fmt.Errorf("--checkpoint-from: %w", err)
		}
		if _, err := ledger.OpenCheckpoint(b, key.Verifier); err != nil {
			return g, fmt.Errorf("--checkpoint-from %s: not a checkpoint of this log: %w", m.CheckpointFrom, err)
		}
		g.Published = append(g.Published, b)
		if live, err := sequencing(ctx, m.CheckpointFrom); err == nil && live {
			// Not shorter is not enough: two sequencers of one log, each
			// appending its own events, fork it.
			g.Hold = fmt.Sprintf("the node at %s still sequences this log: two sequencers would fork it. Stop it first (or accept the rollback with --accept-rollback --reason ...)", m.CheckpointFrom)
		}
	}
	g.Published = append(g.Published, m.witnessCheckpoints(ctx, key)...)
	meta, err := m.restored()
	if err != nil {
		return g, err
	}
	if meta != nil && m.CheckpointFrom == "" && g.Hold == "" {
		g.Hold = fmt.Sprintf("this data directory was restored from a backup of %d events made %s; the original may have published more. Start with --checkpoint-from the original's URL (or a checkpoint saved from it) to compare, or accept the rollback (--accept-rollback --reason ...)",
			meta.Size, meta.Made.Format(time.RFC3339))
	}
	return g, nil
}

// restored returns what DATA/restored.json records, or nil.
func (m *Main) restored() (*backupMeta, error) {
	b, err := os.ReadFile(filepath.Join(m.DataDir, restoredFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("restored marker: %w", err)
	}
	var meta backupMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("restored marker %s: %w", restoredFile, err)
	}
	return &meta, nil
}

// keepCheckpoint writes a checkpoint this node signed to
// DATA/published-checkpoint, atomically and durably. A failure is logged:
// it weakens the guard of a later restore, never the log.
func (m *Main) keepCheckpoint(note []byte) {
	path := filepath.Join(m.DataDir, publishedFile)
	if err := writeAtomic(path, note); err != nil {
		m.Logger.Warn("keep the published checkpoint beside the database", "file", path, "err", err)
	}
}

// writeAtomic replaces the file at path with data, durably: a crash leaves
// the old file or the new, never half of one.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// settleRestore runs once the log is open: it records an accepted
// rollback in the log, and clears the restored mark once the node
// sequences.
func (m *Main) settleRestore(ctx context.Context) error {
	l := m.Engine.Log()
	if l.Held() != nil || !l.IsSequencer() {
		return nil
	}
	meta, err := m.restored()
	if err != nil {
		return err
	}
	rb := l.Rollback()
	if m.AcceptRollback && (rb != nil || meta != nil) {
		who := "unknown"
		if u, err := user.Current(); err == nil {
			who = u.Username
		}
		size := l.Size()
		// The reason is free text: the disclosure table makes it a
		// commitment in the leaf (dispatch/disclosure.go).
		data := dispatch.Audited{"node": m.Node, "log_size": strconv.FormatInt(size, 10), "reason": m.RollbackReason}
		if rb != nil {
			data["published_size"] = strconv.FormatInt(rb.Published.Size, 10)
			data["published_root"] = rb.Published.Root.String()
		}
		if meta != nil {
			data["restored"] = meta.Restored.Format(time.RFC3339)
		}
		err := m.exec(ctx, dispatch.Actor{System: "operator"}, dispatch.RecordAudit{
			Type: dispatch.TypeRollbackAccepted, Data: data,
			As: dispatch.Actor{System: "operator", User: who},
		})
		if err != nil {
			return fmt.Errorf("record the accepted rollback: %w", err)
		}
		m.Logger.Warn("rollback accepted by the operator and recorded in the log", "operator", who, "reason", m.RollbackReason,
			"log_size", size, "published_size", data["published_size"])
	}
	if meta != nil {
		if err := os.Remove(filepath.Join(m.DataDir, restoredFile)); err != nil {
			return fmt.Errorf("clear the restored marker: %w", err)
		}
	}
	return nil
}

// fetchCheckpoint reads a signed checkpoint from a node's URL (its log's
// "checkpoint") or from a file.
func fetchCheckpoint(ctx context.Context, src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return os.ReadFile(src)
	}
	prefix, err := logPrefix(src)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, prefix+"checkpoint", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %scheckpoint: %s", prefix, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<10))
}

// sequencing reports whether the node at src, a URL, answers that it
// sequences its log (GET /readyz).
func sequencing(ctx context.Context, src string) (bool, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return false, nil
	}
	u, err := url.Parse(src)
	if err != nil {
		return false, err
	}
	u.Path, u.RawQuery = "/readyz", ""
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var h struct {
		Role string `json:"role"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&h); err != nil {
		return false, err
	}
	return h.Role == "sequencer", nil
}

// checkRestore says, for serve --check-config, what the guard will find at
// start: a restored directory (read-only until shown a checkpoint or
// accepted), or the checkpoint kept beside the database.
func checkRestore(m *Main) (string, error) {
	if m.AcceptRollback && strings.TrimSpace(m.RollbackReason) == "" {
		return "", errors.New("--accept-rollback needs --reason")
	}
	meta, err := m.restored()
	if err != nil {
		return "", err
	}
	if meta != nil {
		what := fmt.Sprintf("restored from a backup of %d events made %s", meta.Size, meta.Made.Format(time.RFC3339))
		switch {
		case m.AcceptRollback:
			return what + ": the rollback will be accepted and recorded", nil
		case m.CheckpointFrom != "":
			return what + ": it starts read-only if its log is shorter than the checkpoint from " + m.CheckpointFrom, nil
		}
		return what + ": it starts read-only (docs/operations.md, \"Backups that cannot fork\")", nil
	}
	b, err := os.ReadFile(filepath.Join(m.DataDir, publishedFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "no checkpoint kept beside the database yet", nil
	}
	if err != nil {
		return "", fmt.Errorf("published checkpoint: %w", err)
	}
	text, _, _ := strings.Cut(string(b), "\n\n")
	lines := strings.Split(text, "\n")
	if len(lines) < 2 {
		return "", fmt.Errorf("%s: not a checkpoint", publishedFile)
	}
	return fmt.Sprintf("the newest checkpoint this node signed (%s events) is kept beside the database", lines[1]), nil
}
