package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// The federation's status (issue 17, docs/federation.md): this log's origin,
// its witness's key, its newest cosigned checkpoint and, for each peer, what
// this installation's witness holds of the peer's log and the forks it
// recorded. Who may read it is the domain's rule (dispatch.MayReadFederation).

// WitnessState reads what the witness holds: the cosigned checkpoints of
// this log and, of each peer's log, the checkpoint held and the fork
// evidence kept. store/sqlite and store/postgres implement it.
type WitnessState interface {
	Cosigned
	WitnessedLog(ctx context.Context, origin string) (store.WitnessedLog, error)
	ForkEvidence(ctx context.Context, origin string) ([]store.ForkEvidence, error)
}

type federationJSON struct {
	Origin     string               `json:"origin"`
	WitnessKey string               `json:"witness_key,omitempty"`
	Cosigned   *cosignedJSON        `json:"cosigned"`
	Peers      []federationPeerJSON `json:"peers"`
}

type cosignedJSON struct {
	Size      int64     `json:"size"`
	Time      time.Time `json:"time"`
	Cosigners []string  `json:"cosigners"`
}

type witnessedJSON struct {
	Size int64     `json:"size"`
	Time time.Time `json:"time"`
}

type federationPeerJSON struct {
	Name       string         `json:"name"`
	URL        string         `json:"url"`
	Origin     string         `json:"origin"`
	WitnessKey string         `json:"witness_key,omitempty"`
	Witnessed  *witnessedJSON `json:"witnessed"`
	Forks      int            `json:"forks"`
	Outbox     *outboxJSON    `json:"outbox"`
}

// outboxJSON is where the messages to a peer stand (store.FederationOutbox):
// the first event of this log not yet delivered to it or passed over, and,
// while one fails, since when, how many attempts, and the last error.
type outboxJSON struct {
	Next         int64      `json:"next"`
	Attempts     int        `json:"attempts,omitempty"`
	FailingSince *time.Time `json:"failing_since,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
}

func (s *Server) handleFederation(w http.ResponseWriter, r *http.Request) {
	peers, err := s.engine.FederationPeers(actorOf(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.federation(r.Context(), peers)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// federation reads the witness's state for the peers the caller may see.
func (s *Server) federation(ctx context.Context, peers []dispatch.Peer) (federationJSON, error) {
	log := s.engine.Log()
	out := federationJSON{Origin: log.Origin(), Peers: make([]federationPeerJSON, 0, len(peers))}
	if s.witness != nil {
		out.WitnessKey = s.witness.VerifierKey()
	}
	if s.cosigned != nil {
		c, err := s.cosigned.LatestCosigned(ctx)
		switch {
		case err == nil:
			out.Cosigned = &cosignedJSON{Size: c.Size, Time: c.Updated.UTC(),
				Cosigners: cosigners(c.Note, log.Origin(), log.Verifier().KeyHash())}
		case !errors.Is(err, store.ErrNotFound):
			return out, fmt.Errorf("read the cosigned checkpoint: %w", err)
		}
	}
	for _, p := range peers {
		fp := federationPeerJSON{Name: p.Name, URL: p.URL, Origin: p.Origin, WitnessKey: p.WitnessKey}
		if s.cosigned != nil {
			held, err := s.cosigned.WitnessedLog(ctx, p.Origin)
			switch {
			case err == nil:
				fp.Witnessed = &witnessedJSON{Size: held.Size, Time: held.Updated.UTC()}
			case !errors.Is(err, store.ErrNotFound):
				return out, fmt.Errorf("read the witnessed log of peer %s: %w", p.Name, err)
			}
			forks, err := s.cosigned.ForkEvidence(ctx, p.Origin)
			if err != nil {
				return out, fmt.Errorf("read the forks of peer %s: %w", p.Name, err)
			}
			fp.Forks = len(forks)
		}
		if s.inbox != nil {
			ob, err := s.inbox.Store.FederationOutbox(ctx, p.Name)
			if err != nil {
				return out, fmt.Errorf("read the outbox of peer %s: %w", p.Name, err)
			}
			if ob.Next >= 0 {
				fp.Outbox = &outboxJSON{Next: ob.Next, Attempts: ob.Attempts, LastError: ob.LastError}
				if !ob.FailingSince.IsZero() {
					since := ob.FailingSince.UTC()
					fp.Outbox.FailingSince = &since
				}
			}
		}
		out.Peers = append(out.Peers, fp)
	}
	return out, nil
}

// cosigners returns the names of the keys that signed the note besides the
// log's own (its origin and key hash), in the order of their lines: the
// witnesses that cosigned it (C2SP signed-note: a line is "— <name>
// <base64(key hash ‖ signature)>"). The client checked each cosignature
// before keeping it (witness.Client).
func cosigners(msg []byte, origin string, keyHash uint32) []string {
	out := []string{}
	_, sigs, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return out
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(string(sigs), "\n") {
		rest, ok := strings.CutPrefix(l, "— ")
		name, b64, ok2 := strings.Cut(rest, " ")
		if !ok || !ok2 {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(b) < 4 {
			continue
		}
		if (name == origin && binary.BigEndian.Uint32(b) == keyHash) || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}
