package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/note"
)

// MessagesPath is where an installation receives its peers' messages.
const MessagesPath = "/federation/v1/messages"

// ContentType is the media type of a sealed message and of a receipt.
const ContentType = "text/x.tenfour-federation; charset=utf-8"

// Delays of the outbox: how often it looks for work with nothing to wake
// it, and the longest wait between two tries of a message that fails.
const (
	DefaultPoll     = 2 * time.Second
	DefaultMaxRetry = 10 * time.Second
	DefaultTimeout  = 10 * time.Second
)

// An Outbox delivers this installation's messages: every event of its log
// that dispatch.Outgoing names a peer for is sent to that peer, in log
// order, until the peer answers with a receipt that checks out, which is
// recorded (federation.delivered). The log is the outbox: each peer has a
// cursor in it (store.FederationOutbox), moved past an event only once
// its delivery is recorded, so a restart or a takeover sends again what
// was not acknowledged, with the same message id, which the receiver
// applies once. The first failure of a message is recorded
// (federation.undelivered); it is tried again, with a growing pause, for
// as long as it takes. It runs on the sequencer only.
type Outbox struct {
	Engine *engine.Engine
	Store  Store
	// Signer signs messages: the log's key.
	Signer note.Signer
	// Client sends; nil is a client with DefaultTimeout.
	Client   *http.Client
	Poll     time.Duration
	MaxRetry time.Duration
	Logger   *slog.Logger
}

func (o *Outbox) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// Run delivers until ctx ends: one worker a peer, while this node
// sequences.
func (o *Outbox) Run(ctx context.Context) {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	type worker struct {
		cancel context.CancelFunc
		wake   chan struct{}
		done   chan struct{}
	}
	workers := map[string]*worker{}
	defer func() {
		for _, w := range workers {
			w.cancel()
			<-w.done
		}
	}()
	sub, _ := o.Engine.Subscribe()
	defer func() { sub.Close() }()
	tick := time.NewTicker(orDefault(o.Poll, DefaultPoll))
	defer tick.Stop()
	for {
		want := map[string]bool{}
		if o.Engine.Log().IsSequencer() {
			if ps, err := o.Engine.Peers(Actor); err == nil {
				for _, p := range ps {
					want[p.Name] = true
				}
			}
		}
		for name, w := range workers {
			if !want[name] {
				w.cancel()
				<-w.done
				delete(workers, name)
			}
		}
		for name := range want {
			if workers[name] == nil {
				wctx, cancel := context.WithCancel(ctx)
				w := &worker{cancel: cancel, wake: make(chan struct{}, 1), done: make(chan struct{})}
				workers[name] = w
				go func() {
					defer close(w.done)
					o.work(wctx, name, w.wake)
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case _, ok := <-sub.C:
			if !ok {
				sub, _ = o.Engine.Subscribe()
			}
		case <-tick.C:
		}
		for _, w := range workers {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// page is how many events a worker reads at once.
const page = 256

// work delivers peer's messages until ctx ends.
func (o *Outbox) work(ctx context.Context, peer string, wake <-chan struct{}) {
	for ctx.Err() == nil {
		idle, err := o.step(ctx, peer)
		if err != nil && ctx.Err() == nil {
			o.logger().Warn("federation: deliver", "peer", peer, "err", err)
		}
		if !idle {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
	}
}

// step delivers the next page of the log to peer, and reports whether
// it caught up.
func (o *Outbox) step(ctx context.Context, peer string) (idle bool, err error) {
	ob, err := o.Store.FederationOutbox(ctx, peer)
	if err != nil {
		return true, err
	}
	if ob.Next < 0 {
		// A new peer: its messages are the events from the one that
		// added it (what came before could not name it).
		if ob.Next, err = o.added(ctx, peer); err != nil {
			return true, err
		}
	}
	end := o.Engine.Log().Size()
	if ob.Next >= end {
		return true, nil
	}
	hi := min(ob.Next+page, end)
	raw, err := o.Engine.Log().Entries(ctx, ob.Next, hi)
	if err != nil {
		return true, fmt.Errorf("read events %d–%d: %w", ob.Next, hi, err)
	}
	// ob.Next moves as messages are delivered; the page's events are
	// numbered from where it started.
	first := ob.Next
	for i, b := range raw {
		seq := first + int64(i)
		en, err := ledger.ParseEntry(b)
		if err != nil {
			return true, fmt.Errorf("event %d: %w", seq, err)
		}
		if !mayConcern(en) {
			continue
		}
		ev, err := o.Engine.Event(ctx, en)
		if err != nil {
			return true, err
		}
		if !slices.Contains(dispatch.Outgoing(ev), peer) {
			continue
		}
		done, err := o.delivered(ctx, peer, seq)
		if err != nil {
			return true, err
		}
		if !done {
			ob.Next = seq
			if err := o.Store.SaveFederationOutbox(ctx, ob); err != nil {
				return true, err
			}
			if err := o.deliver(ctx, peer, seq, ev, &ob); err != nil {
				return true, err
			}
		}
		ob.Next, ob.Attempts, ob.FailingSince, ob.LastError = seq+1, 0, time.Time{}, ""
		if err := o.Store.SaveFederationOutbox(ctx, ob); err != nil {
			return true, err
		}
	}
	ob.Next = hi
	if err := o.Store.SaveFederationOutbox(ctx, ob); err != nil {
		return true, err
	}
	return hi >= end, nil
}

// added returns the seq of the event that last added peer: other events
// name it too (its messages, its forks), and may come before the outbox
// first looks.
func (o *Outbox) added(ctx context.Context, peer string) (int64, error) {
	seqs, err := o.Engine.Seqs(ctx, "peer", peer)
	if err != nil {
		return 0, fmt.Errorf("find when peer %s was added: %w", peer, err)
	}
	for i := len(seqs) - 1; i >= 0; i-- {
		en, err := o.Engine.Entry(ctx, seqs[i])
		if err != nil {
			return 0, fmt.Errorf("find when peer %s was added: %w", peer, err)
		}
		if en.Type == dispatch.TypePeerAdded {
			return seqs[i], nil
		}
	}
	return 0, fmt.Errorf("peer %s was never added", peer)
}

// delivered reports whether the log records event seq delivered to peer
// already. The delivery is recorded before the cursor moves past it, and
// an outbox stopped or crashed between the two would otherwise send the
// message again and record a second delivery of it.
func (o *Outbox) delivered(ctx context.Context, peer string, seq int64) (bool, error) {
	id := MessageID(o.Engine.Log().Origin(), seq)
	seqs, err := o.Engine.Seqs(ctx, dispatch.SubjectFederation, id)
	if err != nil {
		return false, fmt.Errorf("look up message %s: %w", id, err)
	}
	for _, s := range seqs {
		en, err := o.Engine.Entry(ctx, s)
		if err != nil {
			return false, err
		}
		// One event may be a message to several peers, under one id.
		if en.Type == dispatch.TypeFederationDelivered && en.Subject["peer"] == peer {
			return true, nil
		}
	}
	return false, nil
}

// mayConcern reports whether an entry could be a message: an assist.*
// event, or a fork the witness saw. The rest of the log is passed over
// without reading its openings.
func mayConcern(en ledger.Entry) bool {
	return strings.HasPrefix(en.Type, "assist.") || en.Type == dispatch.TypeWitnessFork
}

// deliver sends event seq to peer until a receipt checks out and its
// delivery is recorded, or ctx ends. The first failure is recorded in the
// log; each is kept in the peer's outbox, for its operators to see.
func (o *Outbox) deliver(ctx context.Context, peer string, seq int64, ev dispatch.Event, ob *store.FederationOutbox) error {
	// MaxRetry is the longest wait between two tries, the first included.
	maxRetry := orDefault(o.MaxRetry, DefaultMaxRetry)
	pause := min(time.Second, maxRetry)
	for {
		p, ok := o.peer(peer)
		if !ok {
			return nil // removed meanwhile: nobody to send it to
		}
		m, r, err := o.send(ctx, p, seq, ev)
		if err == nil {
			d := &dispatch.FederationDelivered{Peer: p.Name, PeerOrigin: p.Origin, Message: m.ID, Seq: seq, Type: ev.Type,
				Request: ev.Subject["request"], ReceiptSeq: r.Seq(), ReceiptSize: receiptSize(r), Received: r.Received.UTC(),
				Outcome: r.Outcome, Reason: r.Reason, Attempts: ob.Attempts}
			if _, err := o.Engine.Execute(ctx, Actor, dispatch.RecordDelivery{Delivered: d}); err != nil {
				return fmt.Errorf("record the delivery of %s: %w", m.ID, err)
			}
			if ob.Attempts > 0 {
				o.logger().Info("federation: delivered after failing", "peer", peer, "message", m.ID, "attempts", ob.Attempts)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ob.Attempts++
		if ob.FailingSince.IsZero() {
			ob.FailingSince = o.Engine.Now()
		}
		ob.LastError = truncate(err.Error(), 500)
		if ob.Attempts == 1 {
			o.logger().Warn("federation: a message is not delivered; trying again until it is", "peer", peer, "seq", seq, "err", err)
			u := &dispatch.FederationUndelivered{Peer: p.Name, PeerOrigin: p.Origin, Message: MessageID(o.Engine.Log().Origin(), seq),
				Seq: seq, Type: ev.Type, Request: ev.Subject["request"], Error: errorClass(err)}
			if _, err := o.Engine.Execute(ctx, Actor, dispatch.RecordDelivery{Undelivered: u}); err != nil {
				return fmt.Errorf("record a failed delivery: %w", err)
			}
		}
		if err := o.Store.SaveFederationOutbox(ctx, *ob); err != nil {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, maxRetry)
	}
}

// peer returns the peer named name, if it is still one.
func (o *Outbox) peer(name string) (dispatch.Peer, bool) {
	ps, _ := o.Engine.Peers(Actor)
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return dispatch.Peer{}, false
}

// sendError is a failure to deliver: Class is what the log records of it.
type sendError struct {
	Class string
	Err   error
}

func (e *sendError) Error() string { return e.Class + ": " + e.Err.Error() }
func (e *sendError) Unwrap() error { return e.Err }

// errorClass is what the log says of a failed delivery: the kind of
// failure, never more (the details are the operator's, in its logs).
func errorClass(err error) string {
	var se *sendError
	if errors.As(err, &se) {
		return se.Class
	}
	return "error"
}

// send makes the message of event seq, posts it to p and checks its
// receipt.
func (o *Outbox) send(ctx context.Context, p dispatch.Peer, seq int64, ev dispatch.Event) (*Message, *Receipt, error) {
	l := o.Engine.Log()
	b, err := l.Bundle(ctx, "", []int64{seq}, true)
	if err != nil {
		return nil, nil, &sendError{"not proved", err}
	}
	m := &Message{ID: MessageID(l.Origin(), seq), From: l.Origin(), To: p.Origin, As: p.Name, Sent: o.Engine.Now(), Evidence: *b,
		EIDO: o.requestEIDO(ev)}
	data, err := Seal(m, o.Signer)
	if err != nil {
		return nil, nil, &sendError{"not sealed", err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+MessagesPath, bytes.NewReader(data))
	if err != nil {
		return nil, nil, &sendError{"bad peer URL", err}
	}
	req.Header.Set("Content-Type", ContentType)
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, nil, &sendError{"unreachable", err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxMessageSize+1))
	if err != nil {
		return nil, nil, &sendError{"unreachable", err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, &sendError{fmt.Sprintf("answered %d", resp.StatusCode), fmt.Errorf("%s", truncate(string(body), 300))}
	}
	v, err := note.NewVerifier(p.Key)
	if err != nil {
		return nil, nil, &sendError{"bad peer key", err}
	}
	r, err := OpenReceipt(body, v, m.ID)
	if err != nil {
		return nil, nil, &sendError{"bad receipt", err}
	}
	if err := receiptNames(r, m.ID); err != nil {
		return nil, nil, &sendError{"bad receipt", err}
	}
	return m, r, nil
}

// requestEIDO returns the EIDO of the request an ask is about (a request
// raised here asking the peer's agencies, or escalated to them): the
// incident travels as an EIDO (NENA-STA-021) beside the event that proves
// it was sent. Nil for any other message, or a request no longer in memory.
func (o *Outbox) requestEIDO(ev dispatch.Event) json.RawMessage {
	var id string
	switch d := ev.Data.(type) {
	case *dispatch.AssistRequested:
		id = d.Request
	case *dispatch.AssistEscalated:
		id = d.Request
	default:
		return nil
	}
	var doc *eido.Document
	o.Engine.Read(func(s *dispatch.State) {
		r, ag := s.Requests[id], s.Agencies[ev.Agency]
		if r != nil && ag != nil && r.Origin == "" {
			d := eido.Request(*r, *ag, o.Engine.Log().Origin())
			doc = &d
		}
	})
	if doc == nil {
		return nil
	}
	b, err := json.Marshal(doc)
	if err != nil {
		o.logger().Warn("federation: the request's EIDO", "request", id, "err", err)
		return nil
	}
	return b
}

// receiptNames checks that a receipt's event is the receiver's record of
// message id: a federation.received event about it.
func receiptNames(r *Receipt, id string) error {
	en, err := ledger.ParseEntry([]byte(r.Evidence.Events[0].Entry))
	if err != nil {
		return err
	}
	if en.Type != dispatch.TypeFederationReceived || en.Subject[dispatch.SubjectFederation] != id {
		return fmt.Errorf("its event %d is %s about %q, not the record of message %s", en.Seq, en.Type, en.Subject[dispatch.SubjectFederation], id)
	}
	var d dispatch.FederationReceived
	if err := json.Unmarshal(en.Data, &d); err != nil || d.Outcome != r.Outcome {
		return fmt.Errorf("its event says the outcome was %q, the receipt %q", d.Outcome, r.Outcome)
	}
	return nil
}

// receiptSize is the size of the receiver's tree its receipt was proved in.
func receiptSize(r *Receipt) int64 {
	cp, err := ledger.ParseCheckpoint([]byte(r.Evidence.Checkpoint))
	if err != nil {
		return 0
	}
	return cp.Size
}

// truncate cuts s to at most n bytes, dropping a rune cut in two.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
