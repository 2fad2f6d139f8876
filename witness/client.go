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
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// A Target is a witness the client submits checkpoints to.
type Target struct {
	Name string // for logs and errors
	// URL is the witness's submission prefix: the client posts to
	// URL+"/add-checkpoint".
	URL string
	// Verifier checks its cosignatures; lines of other keys are dropped.
	Verifier note.Verifier
}

// ParseTarget reads a witness as `serve --witness` takes it:
// NAME=URL+VKEY, the verifier key a cosignature/v1 key
// ("<name>+<hash>+<base64>"). The URL ends at the first '+'.
func ParseTarget(s string) (Target, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return Target{}, fmt.Errorf("witness %q: want NAME=URL+VKEY", s)
	}
	u, vkey, ok := strings.Cut(rest, "+")
	if !ok || !(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
		return Target{}, fmt.Errorf("witness %q: want NAME=URL+VKEY with an http or https URL", s)
	}
	v, err := ParseVerifier(vkey)
	if err != nil {
		return Target{}, fmt.Errorf("witness %s: %w", name, err)
	}
	return Target{Name: name, URL: strings.TrimRight(u, "/"), Verifier: v}, nil
}

// A Source is the log whose checkpoints the client submits: ledger.Log.
type Source interface {
	LatestCheckpoint() (ledger.Checkpoint, []byte)
	ProveConsistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error)
}

// A Client submits a log's checkpoints to witnesses (C2SP tlog-witness) and
// keeps the checkpoints with the cosignatures they return (Store.SaveCosigned).
type Client struct {
	Source Source
	Store  Store
	// Targets returns the witnesses to submit to, asked before every
	// round: configured witnesses and the peers of the moment.
	Targets func(ctx context.Context) ([]Target, error)
	HTTP    *http.Client // nil: a client with a 10 s timeout
	Clock   func() time.Time
	Logger  *slog.Logger

	mu   sync.Mutex
	held map[string]int64 // by URL: the size each witness holds, as last learned
	done map[string]int64 // by URL: the largest size it cosigned for us
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// Submit submits the latest checkpoint to every target that has not yet
// cosigned it, stores the checkpoint with every cosignature collected for
// it, and returns that note. A target that fails is named in the error and
// tried again at the next Submit.
func (c *Client) Submit(ctx context.Context) ([]byte, error) {
	cp, msg := c.Source.LatestCheckpoint()
	if msg == nil {
		return nil, errors.New("witness client: no signed checkpoint yet")
	}
	targets, err := c.Targets(ctx)
	if err != nil {
		return nil, fmt.Errorf("witness client: targets: %w", err)
	}
	// Start from what was collected for this size already.
	lines := map[string]string{}
	if prev, err := c.Store.LatestCosigned(ctx); err == nil && prev.Size == cp.Size {
		if _, sigs, ok := bytes.Cut(prev.Note, []byte("\n\n")); ok {
			for _, l := range strings.SplitAfter(string(sigs), "\n") {
				if l != "" && !bytes.Contains(msg, []byte(l)) {
					lines[l] = l
				}
			}
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("witness client: %w", err)
	}
	var errs []error
	got := 0
	for _, t := range targets {
		c.mu.Lock()
		done := c.done[t.URL]
		c.mu.Unlock()
		if done >= cp.Size && hasLineOf(lines, t.Verifier) {
			continue // it cosigned this checkpoint already
		}
		l, err := c.submit(ctx, t, cp, msg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.logger().Debug("witness client: cosigned", "witness", t.Name, "size", cp.Size)
		for old := range lines {
			if lineOf(old, t.Verifier) {
				delete(lines, old) // its newer cosignature replaces it
			}
		}
		lines[l] = l
		got++
	}
	out := bytes.Clone(msg)
	for _, l := range sortedValues(lines) {
		out = append(out, l...)
	}
	if got > 0 {
		if err := c.Store.SaveCosigned(ctx, store.Cosigned{Size: cp.Size, Note: out, Updated: c.now()}); err != nil {
			errs = append(errs, fmt.Errorf("witness client: %w", err))
		}
	}
	return out, errors.Join(errs...)
}

func (c *Client) now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock()
}

// submit submits the checkpoint to one witness and returns its verified
// cosignature line. A 409 states the size the witness holds: the client
// sends again with the proof from that size, once.
func (c *Client) submit(ctx context.Context, t Target, cp ledger.Checkpoint, msg []byte) (string, error) {
	c.mu.Lock()
	old := c.held[t.URL]
	c.mu.Unlock()
	for try := 0; ; try++ {
		if old > cp.Size {
			return "", fmt.Errorf("witness %s holds size %d, beyond this log's %d", t.Name, old, cp.Size)
		}
		var proof tlog.TreeProof
		if old > 0 && old < cp.Size {
			p, err := c.Source.ProveConsistency(ctx, old, cp.Size)
			if err != nil {
				return "", fmt.Errorf("witness %s: %w", t.Name, err)
			}
			proof = p
		}
		status, ctype, body, err := c.post(ctx, t, Request{Old: old, Proof: proof, Note: msg}.Format())
		if err != nil {
			return "", fmt.Errorf("witness %s: %w", t.Name, err)
		}
		switch {
		case status == http.StatusOK:
			line, err := verifyLine(t, msg, body)
			if err != nil {
				return "", fmt.Errorf("witness %s: %w", t.Name, err)
			}
			c.mu.Lock()
			if c.held == nil {
				c.held, c.done = map[string]int64{}, map[string]int64{}
			}
			c.held[t.URL], c.done[t.URL] = cp.Size, cp.Size
			c.mu.Unlock()
			return line, nil
		case status == http.StatusConflict && strings.HasPrefix(ctype, SizeType) && try == 0:
			n, err := strconv.ParseInt(strings.TrimSuffix(string(body), "\n"), 10, 64)
			if err != nil || n < 0 {
				return "", fmt.Errorf("witness %s: 409 with size %q", t.Name, body)
			}
			old = n
			c.mu.Lock()
			if c.held == nil {
				c.held, c.done = map[string]int64{}, map[string]int64{}
			}
			c.held[t.URL] = n
			c.mu.Unlock()
		default:
			return "", fmt.Errorf("witness %s: add-checkpoint from %d answered %d: %s", t.Name, old, status, bytes.TrimSpace(body))
		}
	}
}

func (c *Client) post(ctx context.Context, t Target, body []byte) (int, string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL+"/add-checkpoint", bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, "", nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b, nil
}

// verifyLine finds the target's cosignature among the answer's signature
// lines and checks it over the checkpoint; other keys' lines are ignored
// (C2SP tlog-witness).
func verifyLine(t Target, msg, body []byte) (string, error) {
	text, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return "", errors.New("checkpoint note has no signatures")
	}
	for _, l := range strings.SplitAfter(string(body), "\n") {
		if !strings.HasPrefix(l, "— ") || !strings.HasSuffix(l, "\n") {
			continue
		}
		n, err := note.Open(append(append(bytes.Clone(text), "\n\n"...), l...), note.VerifierList(t.Verifier))
		if err == nil && len(n.Sigs) == 1 {
			return l, nil
		}
	}
	return "", fmt.Errorf("no valid cosignature of %s in the answer %q", t.Verifier.Name(), body)
}

func sortedValues(m map[string]string) []string {
	return slices.Sorted(maps.Values(m))
}

func hasLineOf(lines map[string]string, v note.Verifier) bool {
	for l := range lines {
		if lineOf(l, v) {
			return true
		}
	}
	return false
}

// lineOf reports whether the signature line l is by v's key: its name and
// key ID (two witnesses may share a name, never a name and a key ID).
func lineOf(l string, v note.Verifier) bool {
	rest, ok := strings.CutPrefix(l, "— "+v.Name()+" ")
	if !ok {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(rest, "\n"))
	return err == nil && len(b) >= 4 && binary.BigEndian.Uint32(b) == v.KeyHash()
}

// Run submits the latest checkpoint every interval while ctx lasts, when it
// is new or a witness has yet to cosign it, if active (nil: always) says so:
// one node of a deployment submits, the sequencer, which signs them.
func (c *Client) Run(ctx context.Context, every time.Duration, active func() bool) {
	t := time.NewTicker(every)
	defer t.Stop()
	var last int64 = -1
	var failed bool
	var said string // the last error logged: a witness that stays away is said once
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if active != nil && !active() {
			continue
		}
		cp, msg := c.Source.LatestCheckpoint()
		if msg == nil || (cp.Size == last && !failed) {
			continue
		}
		_, err := c.Submit(ctx)
		failed = err != nil
		switch {
		case err != nil && ctx.Err() == nil && err.Error() != said:
			c.logger().Warn("witness client: submitting the checkpoint", "size", cp.Size, "err", err)
			said = err.Error()
		case err == nil:
			said = ""
		}
		last = cp.Size
	}
}

// FetchKey reads a witness's cosignature verifier key from url+"/key", as
// tenfour's witness serves it (GET /witness/key).
func FetchKey(ctx context.Context, hc *http.Client, url string) (*Verifier, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(url, "/")+"/key", nil)
	if err != nil {
		return nil, fmt.Errorf("witness key of %s: %w", url, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness key of %s: %w", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("witness key of %s: %d %v", url, resp.StatusCode, err)
	}
	return ParseVerifier(string(b))
}
