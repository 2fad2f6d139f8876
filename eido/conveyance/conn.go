package conveyance

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// writeTimeout bounds one message's write: a subscriber that does not
// read is dropped rather than held on to.
const writeTimeout = 10 * time.Second

// A conn is one subscriber's WebSocket on the notifier: its reader answers
// requests, its writer sends what is due.
type conn struct {
	n     *Notifier
	ws    *websocket.Conn
	actor dispatch.Actor
	akey  string
	wake  chan struct{} // one pending poke is enough

	mu   sync.Mutex
	subs map[string]*subscription
}

// poke asks the writer to look at its subscriptions again.
func (c *conn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// changed notes the incidents an event changed, and a new one created, on
// the subscriptions they concern; n.mu is held.
func (c *conn) changed(ids []string, created, agency string, also []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hit := false
	sees := created != "" && (c.actor.Sees(agency) || slices.ContainsFunc(also, c.actor.Sees))
	for _, s := range c.subs {
		switch {
		case s.subType == SubTypeSingle && slices.Contains(ids, s.incident):
			s.change(s.incident)
			hit = true
		case s.subType == SubTypeNew && sees:
			s.change(created)
			hit = true
		}
	}
	if hit {
		c.poke()
	}
}

// write sends one message.
func (c *conn) write(ctx context.Context, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// readLoop answers the subscriber's messages until the socket closes.
func (c *conn) readLoop(ctx context.Context) {
	for {
		typ, b, err := c.ws.Read(ctx)
		if err != nil {
			return
		}
		var reply Message
		var added *subscription
		if typ != websocket.MessageText {
			reply.Response = &Response{StatusCode: StatusNotImplemented, StatusText: "Not implemented"}
		} else {
			reply, added = c.handle(ctx, b)
		}
		if reply == (Message{}) {
			continue
		}
		if err := c.write(ctx, reply); err != nil {
			return
		}
		if added != nil {
			// Only now: a notification never comes before the
			// subscribeResponse it belongs to.
			c.mu.Lock()
			added.ready = true
			c.mu.Unlock()
			c.poke()
		}
	}
}

// handle answers one message (the zero Message is no answer) and returns
// the subscription it added, to be made ready once the answer is written.
func (c *conn) handle(ctx context.Context, b []byte) (Message, *subscription) {
	m, kind, reqID, err := ParseMessage(b)
	if err == nil && m.Subscribe != nil {
		resp, s := c.subscribe(ctx, m.Subscribe)
		return Message{SubscribeResponse: resp}, s
	}
	return c.answer(m, kind, reqID, err), nil
}

// answer answers a message other than a valid subscribe request.
func (c *conn) answer(m Message, kind, reqID string, err error) Message {
	switch {
	case errors.Is(err, errUnknownMessage):
		return Message{Response: &Response{RequestID: reqID, StatusCode: StatusNotImplemented, StatusText: "Not implemented"}}
	case err != nil && kind == "unsubscribe":
		return Message{UnsubscribeResponse: &UnsubscribeResponse{RequestID: reqID, StatusCode: StatusBadRequest, StatusText: "Bad Request: " + err.Error()}}
	case err != nil && (kind == "eventResponse" || kind == "terminateResponse"):
		return Message{} // an answer is not answered
	case err != nil:
		return Message{SubscribeResponse: &SubscribeResponse{RequestID: reqID, StatusCode: StatusBadRequest, StatusText: "Bad Request: " + err.Error()}}
	case m.Unsubscribe != nil:
		return Message{UnsubscribeResponse: c.unsubscribe(m.Unsubscribe)}
	case m.EventResponse != nil:
		if m.EventResponse.StatusCode != StatusOK {
			c.n.logger.Warn("eido notifier: a subscriber refused a notification", "user", c.actor.User,
				"transaction", m.EventResponse.TransactionID, "status", m.EventResponse.StatusCode, "text", m.EventResponse.StatusText)
		}
		return Message{}
	case m.TerminateResponse != nil:
		return Message{}
	}
	// A notifier's message sent to the notifier.
	return Message{Response: &Response{RequestID: reqID, StatusCode: StatusNotImplemented, StatusText: "Not implemented"}}
}

// subscribe answers a subscribe request: a new subscription, or the
// renewal of one (which changes its life only). It returns the
// subscription it added, not yet ready.
func (c *conn) subscribe(ctx context.Context, m *Subscribe) (*SubscribeResponse, *subscription) {
	now := c.n.clock()
	resp := &SubscribeResponse{RequestID: m.RequestID}
	fail := func(r *refusal) (*SubscribeResponse, *subscription) {
		resp.StatusCode, resp.StatusText = r.code, r.text
		return resp, nil
	}
	if m.SubscriptionID != "" {
		if m.RequestID == "" {
			return fail(refuse(StatusBadRequest, "requestId is required"))
		}
		exp, r := checkExpires(m.Expires)
		if r != nil {
			return fail(r)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, ok := c.subs[m.SubscriptionID]
		if !ok {
			resp.SubscriptionID = m.SubscriptionID
			return fail(refuse(StatusNoSuchSubscription, "no subscription %s on this connection", m.SubscriptionID))
		}
		s.expires = now.Add(exp)
		return granted(resp, s, exp), nil
	}
	g, r := checkSubscribe(m)
	if r != nil {
		return fail(r)
	}
	s := &subscription{id: newID(), subType: g.subType, minRate: g.minRate, maxRate: g.maxRate, expires: now.Add(g.expires)}
	if g.subType == SubTypeSingle {
		s.incident = LocalIncidentID(g.incident)
		if r, ok := c.n.source.(Resolver); ok {
			if s.incident, ok = r.IncidentID(g.incident); !ok {
				return fail(refuse(StatusNotFound, "incident %s is not one of this installation's", g.incident))
			}
		}
		// The incident must be one the actor may see: its EIDO is made
		// now, and kept for the notification that follows.
		if _, err := c.n.eido(ctx, c, s.incident); err != nil {
			switch dispatch.ErrorCode(err) {
			case dispatch.ENOTFOUND:
				return fail(refuse(StatusNotFound, "incident %s does not exist", g.incident))
			case dispatch.EFORBIDDEN, dispatch.EUNAUTHORIZED:
				return fail(refuse(StatusForbidden, "incident %s is not yours to subscribe to", g.incident))
			}
			c.n.logger.Error("eido notifier: make the EIDO of a subscribed incident", "incident", s.incident, "err", err)
			return fail(refuse(StatusInternal, "internal error"))
		}
		s.change(s.incident) // STA-024: its current state at once
	}
	c.mu.Lock()
	if len(c.subs) >= MaxSubscriptions {
		c.mu.Unlock()
		return fail(refuse(StatusUnavailable, "at most %d subscriptions on one WebSocket", MaxSubscriptions))
	}
	// In subs before the active incidents are listed, so that one
	// created meanwhile is noted too; not ready until answered.
	c.subs[s.id] = s
	c.mu.Unlock()
	if g.subType == SubTypeNew {
		// STA-024: a subscription to new incidents gets every active one
		// at once, and an empty notification if there is none. A
		// subscriber back from a dropped connection catches up with what
		// was created meanwhile this way.
		active := c.n.engine.Incidents(c.actor)
		closed, err := c.since(ctx, g.since, now)
		if err != nil {
			c.mu.Lock()
			delete(c.subs, s.id)
			c.mu.Unlock()
			c.n.logger.Error("eido notifier: read the incidents since", "since", g.since, "err", err)
			return fail(refuse(StatusInternal, "internal error"))
		}
		c.mu.Lock()
		s.greet = true
		for _, in := range active {
			if in.Cleared == nil && in.MergedInto == "" && !c.n.imported(in) {
				s.change(in.ID)
			}
		}
		for _, in := range closed {
			if !c.n.imported(in) {
				s.change(in.ID)
			}
		}
		c.mu.Unlock()
	}
	return granted(resp, s, g.expires), s
}

// granted fills a successful answer with what was granted.
func granted(resp *SubscribeResponse, s *subscription, exp time.Duration) *SubscribeResponse {
	resp.SubscriptionID = s.id
	resp.StatusCode, resp.StatusText = StatusOK, "OK"
	resp.Expires = intp(int(exp / time.Second))
	if s.minRate > 0 {
		resp.MinRate = intp(int(s.minRate / time.Second))
	}
	if s.maxRate > 0 {
		resp.MaxRate = intp(int(s.maxRate / time.Second))
	}
	return resp
}

// unsubscribe answers an unsubscribe request.
func (c *conn) unsubscribe(m *Unsubscribe) *UnsubscribeResponse {
	resp := &UnsubscribeResponse{RequestID: m.RequestID, SubscriptionID: m.SubscriptionID}
	if m.RequestID == "" || m.SubscriptionID == "" {
		resp.StatusCode, resp.StatusText = StatusBadRequest, "Bad Request: requestId and subscriptionId are required"
		return resp
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.subs[m.SubscriptionID]; !ok {
		resp.StatusCode, resp.StatusText = StatusNoSuchSubscription, "Subscription does not exist"
		return resp
	}
	delete(c.subs, m.SubscriptionID)
	resp.StatusCode, resp.StatusText = StatusOK, "OK"
	return resp
}

// writeLoop sends what is due, then waits for a change, a poke or the
// next deadline, until ctx is done or the last subscription expired.
func (c *conn) writeLoop(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next, last, err := c.work(ctx)
		if err != nil {
			return
		}
		if last {
			// STA-024: when the last subscription still in effect expires,
			// the notifier closes the WebSocket.
			c.ws.Close(websocket.StatusNormalClosure, "the last subscription expired")
			return
		}
		var tick <-chan time.Time
		if !next.IsZero() {
			timer.Reset(max(next.Sub(c.n.clock()), 0))
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-tick:
		}
		timer.Stop()
	}
}

// A job is one notification due: its subscription and incidents.
type job struct {
	sub       string
	incidents []string
}

// work sends the terminations and notifications due now. It returns when
// to look again, and whether the last subscription just expired.
func (c *conn) work(ctx context.Context) (next time.Time, last bool, err error) {
	now := c.n.clock()
	var jobs []job
	var ended []string
	c.mu.Lock()
	for id, s := range c.subs {
		if !s.ready {
			continue
		}
		if s.expired(now) {
			ended = append(ended, id)
			delete(c.subs, id)
			continue
		}
		send, incidents, nx := s.due(now)
		if send {
			jobs = append(jobs, job{sub: id, incidents: incidents})
			s.sent(now)
			_, _, nx = s.due(now)
		}
		next = earliest(next, nx)
	}
	last = len(ended) > 0 && len(c.subs) == 0
	c.mu.Unlock()
	for _, id := range ended {
		if err := c.write(ctx, Message{Terminate: &Terminate{RequestID: newID(), SubscriptionID: id}}); err != nil {
			return next, last, err
		}
	}
	for _, j := range jobs {
		if err := c.notify(ctx, j); err != nil {
			return next, last, err
		}
	}
	return next, last, nil
}

// notify sends one notification: the current EIDO of each incident the
// actor still sees, or none for a keepalive of new incidents.
func (c *conn) notify(ctx context.Context, j job) error {
	ev := &Event{SubscriptionID: j.sub, TransactionID: newID(), Notification: []json.RawMessage{}}
	var sent []cachedOf
	for _, id := range j.incidents {
		e, err := c.n.eido(ctx, c, id)
		if err != nil {
			if dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
				c.n.logger.Error("eido notifier: make an EIDO", "incident", id, "err", err)
			}
			continue // gone from the actor's sight: nothing to say of it
		}
		ev.Notification = append(ev.Notification, e.body)
		sent = append(sent, cachedOf{id, e})
	}
	if len(j.incidents) > 0 && len(sent) == 0 {
		return nil
	}
	// Recorded as sent when handed to the WebSocket: by the time the
	// subscriber has it, the log's record of it is on its way.
	to := dispatch.EIDORecipient{Subscription: j.sub, Agency: c.actor.Agency, User: c.actor.User}
	for _, s := range sent {
		c.n.rec.sent(c.actor.Agency, s.incident, s.hash, len(s.body), to)
	}
	return c.write(ctx, Message{Event: ev})
}

type cachedOf struct {
	incident string
	cached
}

// since returns the incidents the actor sees entered since a subscription's
// since (zero: none), closed ones included, from memory and the archive. A
// call may be received up to dispatch.MaxCallAge before its entry, so the
// read reaches that much further back: an incident twice is harmless (an
// import is idempotent), one missed is not.
func (c *conn) since(ctx context.Context, since, now time.Time) ([]dispatch.Incident, error) {
	if since.IsZero() || since.After(now) {
		return nil, nil
	}
	if oldest := now.Add(-MaxSince); since.Before(oldest) {
		since = oldest
	}
	from := since.Add(-dispatch.MaxCallAge)
	return c.n.engine.IncidentsReceived(ctx, c.actor, c.actor.ListAgency(), from, now.Add(time.Minute))
}
