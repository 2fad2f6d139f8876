package http

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
)

// Only the sequencer appends to the log, but access is audited where it
// happens: a read on a follower, a refused request, a token's use. A follower
// relays such audit events to the sequencer, which records them. The relay is
// authenticated by an HMAC under a secret derived from the log's signing key,
// which every node of a deployment holds (ledger.Key.NodeMAC); a relayed event
// carries a time and a nonce, and is refused when stale or seen before.

// relayPath is where a sequencer takes relayed audit events.
const relayPath = "/internal/v1/audit"

// relayMACHeader carries the hex HMAC of the relayed body.
const relayMACHeader = "Tenfour-Node-MAC"

// relayWindow is how old (or how far ahead) a relayed event may be.
const relayWindow = 2 * time.Minute

// A relayedAudit is one audit event on its way to the sequencer.
type relayedAudit struct {
	Time  time.Time            `json:"time"`
	Nonce string               `json:"nonce"`
	From  string               `json:"from"` // the relaying node
	Audit dispatch.RecordAudit `json:"audit"`
}

// relayer remembers recent nonces so that a relayed event counts once.
type relayer struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (r *relayer) fresh(nonce string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = make(map[string]time.Time)
	}
	for n, t := range r.seen {
		if now.Sub(t) > 2*relayWindow {
			delete(r.seen, n)
		}
	}
	if _, ok := r.seen[nonce]; ok {
		return false
	}
	r.seen[nonce] = now
	return true
}

// relaying wraps the executor that records audit events: an audit event this
// node cannot append, because it does not sequence, goes to the sequencer.
func (s *Server) relaying(next auth.Executor) auth.Executor {
	return func(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) error {
		err := next(ctx, actor, cmd)
		a, isAudit := cmd.(dispatch.RecordAudit)
		var ns *ledger.NotSequencerError
		if err == nil || !isAudit || !errors.As(err, &ns) || ns.Lease == nil || ns.Lease.URL == "" || ns.Lease.Node == s.engine.Log().Node() {
			return err
		}
		return s.relay(ctx, ns.Lease.URL, a)
	}
}

var relayClient = &http.Client{Timeout: 5 * time.Second}

func (s *Server) relay(ctx context.Context, sequencer string, a dispatch.RecordAudit) error {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	body, err := json.Marshal(relayedAudit{Time: s.clock().UTC(), Nonce: hex.EncodeToString(nonce), From: s.engine.Log().Node(), Audit: a})
	if err != nil {
		return fmt.Errorf("relay %s: %w", a.Type, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(sequencer, "/")+relayPath, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("relay %s: %w", a.Type, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(relayMACHeader, hex.EncodeToString(s.engine.Log().NodeMAC(body)))
	resp, err := relayClient.Do(req)
	if err != nil {
		return fmt.Errorf("relay %s to the sequencer: %w", a.Type, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("relay %s to the sequencer: %s %s", a.Type, resp.Status, bytes.TrimSpace(b))
	}
	return nil
}

// handleRelayedAudit records an audit event relayed by another node of the
// deployment. Anyone may call it; only a body carrying a valid node MAC, a
// recent time and a new nonce is recorded.
func (s *Server) handleRelayedAudit(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		s.writeError(w, r, badRequest("the relayed event is too large or unreadable"))
		return
	}
	mac, err := hex.DecodeString(r.Header.Get(relayMACHeader))
	if err != nil || !hmac.Equal(mac, s.engine.Log().NodeMAC(body)) {
		s.writeError(w, r, badRequest("not an audit event relayed by a node of this deployment"))
		return
	}
	var ra relayedAudit
	if err := json.Unmarshal(body, &ra); err != nil {
		s.writeError(w, r, badRequest("the relayed event is not valid JSON"))
		return
	}
	now := s.clock()
	if d := now.Sub(ra.Time); d > relayWindow || d < -relayWindow || ra.Nonce == "" || !s.relays.fresh(ra.Nonce, now) {
		s.writeError(w, r, badRequest("the relayed event is stale or was relayed before"))
		return
	}
	if ra.Audit.Data == nil {
		ra.Audit.Data = dispatch.Audited{}
	}
	ra.Audit.Data["node"] = ra.From
	if _, err := s.engine.Execute(context.WithoutCancel(r.Context()), dispatch.Actor{System: "auth"}, ra.Audit); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
