package main

import (
	"context"
	"fmt"
	"log/slog"
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
	m.WitnessKey = w.VerifierKey()
	m.Logger.Info("witness", "key", m.WitnessKey)

	var configured []witness.Target
	for _, s := range m.Witnesses {
		t, err := witness.ParseTarget(s)
		if err != nil {
			return err
		}
		configured = append(configured, t)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	keys := &peerKeys{hc: hc, logger: m.Logger, keys: map[string]note.Verifier{}, said: map[string]string{}}
	var kept string // DATA/witnesses as last written; Targets runs on the client's goroutine alone
	m.witnessClient = &witness.Client{
		Source: m.Engine.Log(), Store: m.Store, HTTP: hc, Clock: m.Engine.Now, Logger: m.Logger,
		Targets: func(ctx context.Context) ([]witness.Target, error) {
			out := append([]witness.Target(nil), configured...)
			peers, err := m.Engine.Peers(dispatch.Actor{System: "witness"})
			if err != nil {
				return nil, err
			}
			for _, p := range peers {
				v, ok := keys.of(ctx, p)
				if !ok {
					continue
				}
				out = append(out, witness.Target{Name: p.Name, URL: p.URL + "/witness", Verifier: v})
			}
			// Kept beside the database: a copy of it restored by hand asks
			// them at start what they hold of this log (guard.go).
			prefixes := make([]string, 0, len(out)+len(peers))
			for _, t := range configured {
				prefixes = append(prefixes, t.URL)
			}
			for _, p := range peers {
				prefixes = append(prefixes, p.URL+"/witness")
			}
			m.keepWitnesses(prefixes, &kept)
			return out, nil
		},
	}
	return nil
}

// peerKeys are the peers' witness keys. A peer that names its witness's key
// (dispatch.Peer.WitnessKey) is held to it: the key its witness serves
// (GET /witness/key) must be that one, or its cosignatures are refused and
// the mismatch is logged as an error. A peer that names none has its
// witness's key fetched the first time it is needed and kept while the node
// runs: trust on first use, logged as such.
type peerKeys struct {
	hc     *http.Client
	logger *slog.Logger
	mu     sync.Mutex
	keys   map[string]note.Verifier // by witness URL and named key: checked or trusted
	said   map[string]string        // by peer: the last message logged, said once
}

// of returns the key the peer's witness's cosignatures are checked with,
// or false when none is to be asked for one this round (said in the log).
func (k *peerKeys) of(ctx context.Context, p dispatch.Peer) (note.Verifier, bool) {
	u := p.URL + "/witness"
	id := u + " " + p.WitnessKey
	k.mu.Lock()
	v, ok := k.keys[id]
	k.mu.Unlock()
	if ok {
		return v, true
	}
	fetched, ferr := witness.FetchKey(ctx, k.hc, u)
	if p.WitnessKey == "" {
		if ferr != nil {
			k.say(p.Name, slog.LevelWarn, "witness: the peer's witness key", "peer", p.Name, "err", ferr)
			return nil, false
		}
		k.say(p.Name, slog.LevelInfo, "witness: the peer names no witness key: trusting the key its witness serves, on first use", "peer", p.Name, "key", fetched.String())
		k.keep(id, fetched)
		return fetched, true
	}
	named, err := witness.ParseVerifier(p.WitnessKey)
	if err != nil { // AddPeer checked it: the log holds only keys that parse
		k.say(p.Name, slog.LevelError, "witness: the peer's named witness key", "peer", p.Name, "err", err)
		return nil, false
	}
	switch {
	case ferr != nil:
		// Its witness cannot be asked now; what it answers is checked
		// with the named key all the same.
		return named, true
	case fetched.String() != named.String():
		k.say(p.Name, slog.LevelError, "witness: the peer's witness serves another key than the one named: its cosignatures are refused",
			"peer", p.Name, "named", named.String(), "served", fetched.String())
		return nil, false
	}
	k.keep(id, named)
	return named, true
}

func (k *peerKeys) keep(id string, v note.Verifier) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[id] = v
}

// say logs msg about the peer once, until something else is said of it:
// the client asks for the witnesses every round.
func (k *peerKeys) say(peer string, level slog.Level, msg string, args ...any) {
	k.mu.Lock()
	line := fmt.Sprint(level, msg, args)
	same := k.said[peer] == line
	k.said[peer] = line
	k.mu.Unlock()
	if !same {
		k.logger.Log(context.Background(), level, msg, args...)
	}
}

// witnessInterval is how often the client looks for a new checkpoint to
// submit.
func (m *Main) witnessInterval() time.Duration {
	if m.CheckpointInterval > time.Second {
		return m.CheckpointInterval
	}
	return time.Second
}
