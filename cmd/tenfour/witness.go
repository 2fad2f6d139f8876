package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/witness"
)

// witnessKeyLabel derives the witness's cosigning key from the log key
// (ledger.Key.DeriveSeed): every node of a deployment answers as the same
// witness, and there is no second secret to keep.
const witnessKeyLabel = "tenfour witness cosignature/v1 key"

// witnessFlag collects --witness NAME=URL+VKEY, repeatable.
type witnessFlag []string

func (f *witnessFlag) String() string { return strings.Join(*f, ",") }

func (f *witnessFlag) Set(s string) error {
	if _, err := witness.ParseTarget(s); err != nil {
		return err
	}
	*f = append(*f, s)
	return nil
}

// openWitness makes the node a witness of its peers' logs (POST
// /witness/add-checkpoint) and a client of its witnesses: those of
// --witness and each peer's.
func (m *Main) openWitness(key *ledger.Key) error {
	name := key.Verifier.Name() + "/witness"
	skey, _, err := witness.KeyFromSeed(name, key.DeriveSeed(witnessKeyLabel))
	if err != nil {
		return fmt.Errorf("witness key: %w", err)
	}
	signer, err := witness.ParseSigner(skey, m.Engine.Now)
	if err != nil {
		return fmt.Errorf("witness key: %w", err)
	}
	w, err := witness.New(witness.Config{
		Store: m.Store, Signer: signer, Clock: m.Engine.Now, Logger: m.Logger,
		Logs: func(origin string) ([]note.Verifier, bool) {
			p, ok := m.Engine.PeerOf(origin)
			if !ok {
				return nil, false
			}
			v, err := note.NewVerifier(p.Key)
			if err != nil {
				return nil, false // AddPeer checked it; the log holds only keys that parse
			}
			return []note.Verifier{v}, true
		},
		// A refused checkpoint is a fork only if the peer's own tiles
		// cannot show its tree extending the one held.
		Confirm: func(ctx context.Context, held, submitted ledger.Checkpoint) (bool, error) {
			p, ok := m.Engine.PeerOf(submitted.Origin)
			if !ok {
				return true, fmt.Errorf("%s is no peer's log", submitted.Origin)
			}
			ext, err := witness.Extends(ctx, &ledger.HTTPFetcher{Prefix: p.URL + "/log/", Client: &http.Client{Timeout: 10 * time.Second}}, held, submitted)
			return !ext, err
		},
		OnFork: func(ctx context.Context, f witness.Fork) error {
			return m.exec(ctx, dispatch.Actor{System: "witness"}, dispatch.RecordFork{Fork: dispatch.WitnessFork{
				Evidence: f.Evidence, Origin: f.Origin,
				HeldSize: f.Held.Size, HeldRoot: f.Held.Root.String(),
				SubmittedSize: f.Submitted.Size, SubmittedRoot: f.Submitted.Root.String(),
			}})
		},
	})
	if err != nil {
		return err
	}
	m.Server.SetWitness(w, m.Store)
	m.Logger.Info("witness", "key", w.VerifierKey())

	var configured []witness.Target
	for _, s := range m.Witnesses {
		t, err := witness.ParseTarget(s)
		if err != nil {
			return err
		}
		configured = append(configured, t)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	keys := &peerKeys{hc: hc, keys: map[string]note.Verifier{}}
	m.witnessClient = &witness.Client{
		Source: m.Engine.Log(), Store: m.Store, HTTP: hc, Clock: m.Engine.Now, Logger: m.Logger,
		Targets: func(ctx context.Context) ([]witness.Target, error) {
			out := append([]witness.Target(nil), configured...)
			peers, err := m.Engine.Peers(dispatch.Actor{System: "witness"})
			if err != nil {
				return nil, err
			}
			for _, p := range peers {
				u := p.URL + "/witness"
				v, err := keys.of(ctx, u)
				if err != nil {
					m.Logger.Warn("witness: the peer's witness key", "peer", p.Name, "err", err)
					continue
				}
				out = append(out, witness.Target{Name: p.Name, URL: u, Verifier: v})
			}
			return out, nil
		},
	}
	return nil
}

// peerKeys are the peers' witness keys, fetched from GET /witness/key the
// first time each is needed and kept while the node runs: trust on first
// use, for a peer names its log's key but not its witness's.
type peerKeys struct {
	hc   *http.Client
	mu   sync.Mutex
	keys map[string]note.Verifier
}

func (k *peerKeys) of(ctx context.Context, url string) (note.Verifier, error) {
	k.mu.Lock()
	v, ok := k.keys[url]
	k.mu.Unlock()
	if ok {
		return v, nil
	}
	fetched, err := witness.FetchKey(ctx, k.hc, url)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[url] = fetched
	return fetched, nil
}

// witnessInterval is how often the client looks for a new checkpoint to
// submit.
func (m *Main) witnessInterval() time.Duration {
	if m.CheckpointInterval > time.Second {
		return m.CheckpointInterval
	}
	return time.Second
}
