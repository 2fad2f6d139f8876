package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/note"
)

// Store is what the inbox and the outbox keep: the receipts given and each
// peer's outbox (store.FederationStore, in SQLite and PostgreSQL).
type Store = store.FederationStore

// Actor is the actor of what the federation records: the receipts of
// messages, and their deliveries.
var Actor = dispatch.Actor{System: "federation"}

// ErrUnknownPeer is a message signed by a log that is not a peer's, or not
// addressed to this installation.
var ErrUnknownPeer = errors.New("not from a peer of this installation")

// An Inbox receives the messages of peers (POST /federation/v1/messages):
// it checks each one's signature and proofs (Open), records it and decides
// what it asks through the engine, as any entrance does (dispatch.Inbound,
// dispatch.Receive), and answers with a signed receipt that proves the
// record. A message is applied once: the receipt is kept by the sender's
// origin and the message's id, and a message sent again gets it again.
type Inbox struct {
	Engine *engine.Engine
	Store  Store
	// Signer signs receipts: the log's key (ledger.Key.Signer).
	Signer note.Signer

	// mu makes one message's check-record-answer one step: a sender that
	// sends again before its first attempt is answered (a timeout) must
	// find the first receipt, not make a second.
	mu sync.Mutex
}

// Receive handles one sealed message and returns the sealed receipt. Its
// errors wrap ErrTooLarge, ErrMalformed, ErrSignature, ErrEvidence or
// ErrUnknownPeer for a message that is refused as such (nothing is
// recorded); any other error is this installation's (the store), and the
// sender tries again.
func (in *Inbox) Receive(ctx context.Context, data []byte) ([]byte, error) {
	if len(data) > MaxMessageSize {
		return nil, fmt.Errorf("%w: a message of %d bytes, over %d", ErrTooLarge, len(data), MaxMessageSize)
	}
	origin, err := SignedBy(data)
	if err != nil {
		return nil, err
	}
	peer, ok := in.Engine.PeerOf(origin)
	if !ok {
		return nil, fmt.Errorf("%w: the log %q", ErrUnknownPeer, origin)
	}
	v, err := note.NewVerifier(peer.Key)
	if err != nil {
		return nil, fmt.Errorf("peer %s's key: %w", peer.Name, err)
	}
	m, err := Open(data, v)
	if err != nil {
		return nil, err
	}
	own := in.Engine.Log().Origin()
	if m.To != own {
		return nil, fmt.Errorf("%w: the message is addressed to %q, this installation is %q", ErrUnknownPeer, m.To, own)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if r, err := in.Store.FederationReceipt(ctx, m.From, m.ID); err == nil {
		return r, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("read the receipt of %s: %w", m.ID, err)
	}
	// A receipt recorded in the log but not yet kept (a crash between the
	// two) is answered from the log: the message is not applied twice.
	seqs, err := in.Engine.Seqs(ctx, dispatch.SubjectFederation, m.ID)
	if err != nil {
		return nil, fmt.Errorf("look up message %s: %w", m.ID, err)
	}
	var seq int64
	var rec *dispatch.FederationReceived
	if len(seqs) > 0 {
		seq = seqs[0]
		if rec, err = in.received(ctx, seq); err != nil {
			return nil, err
		}
	} else {
		en := m.Entry()
		ev, err := engine.FromEntry(en, m.Openings())
		if err != nil {
			return nil, fmt.Errorf("%w: its event: %v", ErrEvidence, err)
		}
		var rc dispatch.Receive
		in.Engine.Read(func(s *dispatch.State) { rc = dispatch.Inbound(s, peer.Name, m.As, m.ID, en.Seq, ev) })
		if len(m.EIDO) > 0 {
			// The incident as an EIDO, beside the event: checked against
			// NENA's schema and its verdict recorded. The event, proved
			// by the sender's log, is what is acted on either way: an
			// officer's call for help is never refused for its format.
			rc.Received.EIDO = dispatch.EIDOValid
			if eido.Validate(m.EIDO) != nil {
				rc.Received.EIDO = dispatch.EIDOInvalid
			}
		}
		if c, ok := rc.Cmd.(dispatch.ReceiveAssist); ok && c.Placeless && rc.Received.EIDO == dispatch.EIDOValid {
			rc.Cmd = placed(c, m.EIDO)
		}
		res, err := in.Engine.Execute(ctx, Actor, rc)
		if err != nil {
			return nil, fmt.Errorf("record message %s: %w", m.ID, err)
		}
		seq, rec = res.First, res.Events[0].Data.(*dispatch.FederationReceived)
	}
	receipt, err := in.receipt(ctx, m, seq, rec)
	if err != nil {
		return nil, err
	}
	if err := in.Store.SaveFederationReceipt(ctx, m.From, m.ID, receipt, in.Engine.Now()); errors.Is(err, store.ErrConflict) {
		return in.Store.FederationReceipt(ctx, m.From, m.ID)
	} else if err != nil {
		return nil, fmt.Errorf("keep the receipt of %s: %w", m.ID, err)
	}
	return receipt, nil
}

// received reads back the federation.received event at seq.
func (in *Inbox) received(ctx context.Context, seq int64) (*dispatch.FederationReceived, error) {
	en, err := in.Engine.Entry(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("read the receipt: %w", err)
	}
	if en.Type != dispatch.TypeFederationReceived {
		return nil, fmt.Errorf("event %d is not a receipt but %s", seq, en.Type)
	}
	ev, err := in.Engine.Event(ctx, en) // the refusal's reason is private: opened
	if err != nil {
		return nil, fmt.Errorf("read the receipt: %w", err)
	}
	d, ok := ev.Data.(*dispatch.FederationReceived)
	if !ok {
		return nil, fmt.Errorf("event %d: %T is not a receipt", seq, ev.Data)
	}
	return d, nil
}

// receipt seals the receipt of m, recorded at seq: the receipt event under
// a checkpoint of this log that covers it. A refusal's reason is the
// partner's to read: it is about its own message.
func (in *Inbox) receipt(ctx context.Context, m *Message, seq int64, rec *dispatch.FederationReceived) ([]byte, error) {
	b, err := in.Engine.Log().Bundle(ctx, "", []int64{seq}, false)
	if err != nil {
		return nil, fmt.Errorf("prove receipt event %d: %w", seq, err)
	}
	r := &Receipt{Message: m.ID, From: in.Engine.Log().Origin(), To: m.From, Received: in.Engine.Now(),
		Outcome: rec.Outcome, Evidence: *b}
	if rec.Outcome == OutcomeRefused {
		r.Reason = rec.Reason
		if r.Reason == "" {
			r.Reason = "refused" // its opening erased: the log keeps only its commitment
		}
		if len(r.Reason) > MaxReasonSize {
			r.Reason = r.Reason[:MaxReasonSize]
		}
	}
	out, err := SealReceipt(r, in.Signer)
	if err != nil {
		return nil, fmt.Errorf("seal the receipt of %s: %w", m.ID, err)
	}
	return out, nil
}

// placed gives a request that reached this installation by an escalation
// (its event names no place) the place and nature of the EIDO that came
// with it, signed by the same key as the event: the partner is asked to
// come somewhere. The engine then places it on this centre's map.
func placed(c dispatch.ReceiveAssist, doc []byte) dispatch.ReceiveAssist {
	imp, err := eido.DecodeImport(doc)
	if err != nil || (imp.Location.Lat == nil && strings.TrimSpace(imp.Location.Text) == "") {
		return c
	}
	c.Location = imp.Location
	for _, n := range imp.Notes {
		if t := strings.TrimSpace(n.Text); t != "" && len(t) <= dispatch.MaxNature && !strings.ContainsAny(t, "\n\r") {
			c.Nature = t
			break
		}
	}
	c.Placeless = false
	return c
}
