package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// EvidencePath is where an installation serves the proofs of events of its
// log under its newest cosigned checkpoint (GET ?seq=N&seq=M): what a
// partner needs to put this log's part in a cross-installation bundle.
// The log is public, and so is this.
const EvidencePath = "/federation/v1/evidence"

// MaxEvidenceSeqs bounds the events of one evidence request.
const MaxEvidenceSeqs = 1024

// Cosigned reads this log's newest checkpoint with the cosignatures its
// witnesses returned (witness.Store).
type Cosigned interface {
	LatestCosigned(ctx context.Context) (store.Cosigned, error)
}

// A Builder makes cross-installation bundles: this log's events, and
// those of the partners they name, each under a checkpoint its witnesses
// cosigned.
type Builder struct {
	Engine   *engine.Engine
	Cosigned Cosigned
	Client   *http.Client // nil: a client with DefaultTimeout
}

// Evidence returns the bundle of this log's events seqs, without openings,
// under its newest cosigned checkpoint if that covers them, else under its
// newest checkpoint (which a witness quorum will then refuse: its
// witnesses have not yet cosigned a tree that holds them).
func (b *Builder) Evidence(ctx context.Context, subject string, seqs []int64) (*ledger.Bundle, error) {
	l := b.Engine.Log()
	hi := int64(-1)
	for _, s := range seqs {
		hi = max(hi, s)
	}
	if b.Cosigned != nil {
		c, err := b.Cosigned.LatestCosigned(ctx)
		switch {
		case err == nil && c.Size > hi:
			return l.BundleAt(ctx, c.Note, subject, seqs, false)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("read the cosigned checkpoint: %w", err)
		}
	}
	return l.Bundle(ctx, subject, seqs, false)
}

// Build returns the cross-installation bundle of subject (kind/id): this
// log's events seqs, and each event of a partner's log that one of them
// names (the receipt of a message delivered, the message received),
// fetched from the partner (EvidencePath) and checked with its key.
func (b *Builder) Build(ctx context.Context, subject string, seqs []int64) (*Bundle, error) {
	own, err := b.Evidence(ctx, subject, seqs)
	if err != nil {
		return nil, err
	}
	want := map[string][]int64{}
	for _, ev := range own.Events {
		en, err := ledger.ParseEntry([]byte(ev.Entry))
		if err != nil {
			return nil, err
		}
		origin, seq, ok, err := link(en)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", en.Seq, err)
		}
		if ok && !slices.Contains(want[origin], seq) {
			want[origin] = append(want[origin], seq)
		}
	}
	out := &Bundle{Format: BundleFormat, Subject: subject, Logs: []ledger.Bundle{*own}}
	for _, origin := range slices.Sorted(maps.Keys(want)) {
		p, ok := b.Engine.PeerOf(origin)
		if !ok {
			return nil, fmt.Errorf("events name the log %s, which is no longer a peer's", origin)
		}
		part, err := b.fetch(ctx, p.URL, p.Key, want[origin])
		if err != nil {
			return nil, fmt.Errorf("peer %s: %w", p.Name, err)
		}
		out.Logs = append(out.Logs, *part)
	}
	return out, nil
}

// fetch reads the evidence of seqs from a partner at base and checks it
// with its key.
func (b *Builder) fetch(ctx context.Context, base, key string, seqs []int64) (*ledger.Bundle, error) {
	q := url.Values{}
	for _, s := range slices.Sorted(slices.Values(seqs)) {
		q.Add("seq", strconv.FormatInt(s, 10))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+EvidencePath+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	hc := b.Client
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch evidence: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, ledger.MaxBundleSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch evidence: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch evidence: %s: %s", resp.Status, truncate(string(bytes.TrimSpace(data)), 300))
	}
	if _, err := ledger.VerifyBundle(data, key); err != nil {
		return nil, fmt.Errorf("its evidence does not verify with its key: %w", err)
	}
	return ledger.ParseEvidence(data)
}
