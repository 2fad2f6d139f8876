package conveyance

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// A Sink takes in an EIDO received from a partner: the import, through
// the engine (POST /api/v1/eido's), as the receiving agency. It returns
// the incident the EIDO created or updated.
type Sink interface {
	Import(ctx context.Context, body []byte) (incidentID string, err error)
}

// MaxNotificationSize bounds one message a subscriber reads: a
// notification may carry several EIDOs, each up to the import's limit.
const MaxNotificationSize = 16 << 20

// Backoff between reconnections of a Subscriber.
const (
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 30 * time.Second
)

// A Subscriber subscribes tenfour to a partner's notifier: to new
// incidents, and to each incident it has received, and hands every EIDO
// it receives to its Sink. It reconnects after a dropped connection, with
// backoff and jitter, and subscribes again: the notifier then sends the
// current EIDO of each incident subscribed to and every active incident
// (STA-024), so that nothing that happened meanwhile is missed.
type Subscriber struct {
	// URL is the partner's notifier, ws:// or wss://…/eido/v1/ent.
	URL string
	// Token is the bearer token of the partner's account for this
	// installation; "" when a client certificate (TLS) stands for it.
	Token string
	// Name names the partner in the log (eido.received's partner).
	Name string
	// Agency is the agency that receives the EIDOs, for the log.
	Agency string
	// TLS is the client's TLS configuration (a client certificate for
	// mutual TLS, the partner's CA); nil for the system's.
	TLS *tls.Config
	// Expires is the life asked for each subscription, renewed before it
	// ends; zero is DefaultExpires.
	Expires time.Duration
	// MinBackoff and MaxBackoff bound the wait before a reconnection
	// (zero: DefaultMinBackoff, DefaultMaxBackoff).
	MinBackoff, MaxBackoff time.Duration
	// RecordEvery is how long EIDOs received are gathered into one event
	// of the log (DefaultRecordEvery if zero).
	RecordEvery time.Duration

	sink   Sink
	rec    *recorder
	logger *slog.Logger

	mu        sync.Mutex
	incidents map[string]bool // partner incident ids subscribed to, and whether now
	sessions  int             // connections made, for tests
	// heard is when the last notification came (this node's clock): the
	// next connection asks for the incidents since then (Subscribe.Since).
	heard time.Time
}

// SinceMargin is how far before the last notification heard a subscriber
// back from a drop asks for new incidents from: the clocks of two CADs
// may differ, and an incident received twice is harmless.
const SinceMargin = 5 * time.Minute

// NewSubscriber returns a subscriber that hands EIDOs to sink and records
// them in the log with exec (the engine's Execute, as the system).
func NewSubscriber(url, token string, sink Sink, exec Executor, logger *slog.Logger) *Subscriber {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Subscriber{URL: url, Token: token, Name: url, sink: sink, rec: newRecorder(exec, logger), logger: logger,
		incidents: make(map[string]bool)}
}

// Sessions returns how many connections the subscriber has made.
func (s *Subscriber) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Flush records in the log the EIDOs received so far.
func (s *Subscriber) Flush(ctx context.Context) { s.rec.flush(ctx) }

// Run subscribes until ctx is done, reconnecting after every drop.
func (s *Subscriber) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.rec.run(ctx, s.RecordEvery)
	}()
	defer wg.Wait()
	lo, hi := s.MinBackoff, s.MaxBackoff
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi < lo {
		hi = max(DefaultMaxBackoff, lo)
	}
	wait := lo
	for {
		subscribed, err := s.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if subscribed {
			wait = lo // it worked for a while: start again from the shortest
		}
		s.logger.Warn("eido subscriber: connection to the partner ended; reconnecting", "partner", s.Name, "err", err, "in", wait)
		// Full jitter over the upper half: partners that dropped together
		// do not come back together.
		d := wait/2 + rand.N(wait/2+1)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
		wait = min(wait*2, hi)
	}
}

// session is one connection: subscribe, then take in notifications until
// it drops. It reports whether any subscription was granted.
func (s *Subscriber) session(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h := http.Header{}
	if s.Token != "" { // without one, a client certificate (TLS) signs in
		h.Set("Authorization", "Bearer "+s.Token)
	}
	opts := &websocket.DialOptions{HTTPHeader: h, Subprotocols: []string{Subprotocol}}
	if s.TLS != nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: s.TLS}}
	}
	ws, resp, err := websocket.Dial(ctx, s.URL, opts)
	if err != nil {
		if resp != nil {
			return false, fmt.Errorf("dial %s: %s: %w", s.URL, resp.Status, err)
		}
		return false, fmt.Errorf("dial %s: %w", s.URL, err)
	}
	defer ws.CloseNow()
	if ws.Subprotocol() != Subprotocol {
		ws.Close(websocket.StatusProtocolError, "no "+Subprotocol)
		return false, fmt.Errorf("%s did not select the subprotocol %s", s.URL, Subprotocol)
	}
	ws.SetReadLimit(MaxNotificationSize)
	s.mu.Lock()
	s.sessions++
	known := make([]string, 0, len(s.incidents))
	for id := range s.incidents {
		s.incidents[id] = false
		known = append(known, id)
	}
	s.mu.Unlock()

	ss := &session{s: s, ws: ws, requests: make(map[string]request), subs: make(map[string]request)}
	s.mu.Lock()
	heard := s.heard
	s.mu.Unlock()
	if !heard.IsZero() {
		ss.since = heard.Add(-SinceMargin).UTC().Format(time.RFC3339)
	}
	if err := ss.subscribe(ctx, request{subType: SubTypeNew}); err != nil {
		return false, err
	}
	for _, id := range known {
		if err := ss.subscribe(ctx, request{subType: SubTypeSingle, incident: id}); err != nil {
			return false, err
		}
	}
	renew := time.NewTicker(s.expires() * 3 / 4)
	defer renew.Stop()
	msgs := make(chan []byte)
	errc := make(chan error, 1)
	go func() {
		for {
			_, b, err := ws.Read(ctx)
			if err != nil {
				errc <- err
				return
			}
			select {
			case msgs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			ws.Close(websocket.StatusGoingAway, "the subscriber is stopping")
			return ss.granted, ctx.Err()
		case err := <-errc:
			return ss.granted, err
		case <-renew.C:
			if err := ss.renew(ctx); err != nil {
				return ss.granted, err
			}
		case b := <-msgs:
			if err := ss.handle(ctx, b); err != nil {
				return ss.granted, err
			}
		}
	}
}

func (s *Subscriber) expires() time.Duration {
	if s.Expires <= 0 {
		return DefaultExpires
	}
	return max(s.Expires, MinExpires)
}

// A request is what a subscription is for: new incidents, or one.
type request struct {
	subType  string
	incident string
}

// A session is the state of one connection.
type session struct {
	s        *Subscriber
	ws       *websocket.Conn
	requests map[string]request // requestId → what it asked
	subs     map[string]request // subscriptionId → what it is
	granted  bool
	since    string // of the first subscription to new incidents
}

func (ss *session) send(ctx context.Context, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return ss.ws.Write(ctx, websocket.MessageText, b)
}

func (ss *session) subscribe(ctx context.Context, r request) error {
	id := newID()
	ss.requests[id] = r
	m := &Subscribe{RequestID: id, RequestType: RequestTypeEIDO, RequestSubType: r.subType,
		RequestAccepts: MediaTypeEIDO, IncidentID: r.incident, Expires: intp(int(ss.s.expires() / time.Second))}
	if r.subType == SubTypeNew {
		m.Since, ss.since = ss.since, "" // once: a later one is a renewal's loss
	}
	return ss.send(ctx, Message{Subscribe: m})
}

// renew renews every subscription before it expires.
func (ss *session) renew(ctx context.Context) error {
	for sub, r := range ss.subs {
		id := newID()
		ss.requests[id] = r
		m := &Subscribe{RequestID: id, SubscriptionID: sub, Expires: intp(int(ss.s.expires() / time.Second))}
		if err := ss.send(ctx, Message{Subscribe: m}); err != nil {
			return err
		}
	}
	return nil
}

// handle takes one message of the notifier.
func (ss *session) handle(ctx context.Context, b []byte) error {
	m, kind, _, err := ParseMessage(b)
	if err != nil {
		return fmt.Errorf("a message of the notifier (%s): %w", kind, err)
	}
	switch {
	case m.SubscribeResponse != nil:
		r := m.SubscribeResponse
		req, ok := ss.requests[r.RequestID]
		delete(ss.requests, r.RequestID)
		if !ok {
			return nil
		}
		if r.StatusCode != StatusOK {
			ss.s.logger.Warn("eido subscriber: subscription refused", "partner", ss.s.Name, "type", req.subType,
				"incident", req.incident, "status", r.StatusCode, "text", r.StatusText)
			if req.subType == SubTypeSingle && (r.StatusCode == StatusNotFound || r.StatusCode == StatusForbidden) {
				ss.s.mu.Lock()
				delete(ss.s.incidents, req.incident) // gone for good
				ss.s.mu.Unlock()
			}
			if r.StatusCode == StatusNoSuchSubscription {
				// A renewal of a subscription the notifier no longer has:
				// subscribe again, for what it was for.
				delete(ss.subs, r.SubscriptionID)
				return ss.subscribe(ctx, req)
			}
			if req.subType == SubTypeNew {
				return fmt.Errorf("subscription to new incidents refused: %d %s", r.StatusCode, r.StatusText)
			}
			return nil
		}
		ss.subs[r.SubscriptionID] = req
		ss.granted = true
		if req.subType == SubTypeSingle {
			ss.s.mu.Lock()
			ss.s.incidents[req.incident] = true
			ss.s.mu.Unlock()
		}
	case m.Event != nil:
		return ss.notified(ctx, m.Event)
	case m.Terminate != nil:
		t := m.Terminate
		if err := ss.send(ctx, Message{TerminateResponse: &TerminateResponse{RequestID: t.RequestID,
			SubscriptionID: t.SubscriptionID, StatusCode: StatusOK, StatusText: "OK"}}); err != nil {
			return err
		}
		// The notifier ended it (it expired before its renewal came):
		// what it was for is still wanted.
		if r, ok := ss.subs[t.SubscriptionID]; ok {
			delete(ss.subs, t.SubscriptionID)
			return ss.subscribe(ctx, r)
		}
	case m.UnsubscribeResponse != nil, m.Response != nil:
		// Nothing to do: the subscriber only unsubscribes by closing.
	default:
		return fmt.Errorf("the notifier sent a %s, which only a subscriber sends", kind)
	}
	return nil
}

// notified takes in the EIDOs of one notification, answers it, and
// subscribes to the incidents it had not heard of.
func (ss *session) notified(ctx context.Context, ev *Event) error {
	s := ss.s
	s.mu.Lock()
	s.heard = time.Now()
	s.mu.Unlock()
	var refused []string
	for _, raw := range ev.Notification {
		body := []byte(raw)
		remote := IncidentOf(body)
		in, err := s.sink.Import(ctx, body)
		c := dispatch.ConveyedEIDO{Incident: in, Remote: remote, Subscription: ev.SubscriptionID,
			SHA256: hashOf(body), Size: len(body), Outcome: dispatch.EIDOImported}
		if err != nil {
			c.Incident, c.Outcome, c.Reason = "", dispatch.EIDORefused, err.Error()
			refused = append(refused, err.Error())
			s.logger.Warn("eido subscriber: an EIDO was refused", "partner", s.Name, "remote", remote, "err", err)
		}
		s.rec.received(s.Agency, s.Name, c)
		if remote == "" {
			continue
		}
		s.mu.Lock()
		_, known := s.incidents[remote]
		if !known {
			s.incidents[remote] = false
		}
		s.mu.Unlock()
		if !known && !ss.subscribedTo(remote) {
			if err := ss.subscribe(ctx, request{subType: SubTypeSingle, incident: remote}); err != nil {
				return err
			}
		}
	}
	resp := &EventResponse{TransactionID: ev.TransactionID, StatusCode: StatusOK, StatusText: "OK"}
	if len(refused) > 0 {
		resp.StatusCode, resp.StatusText = StatusBadRequest, "Bad Request: "+refused[0]
	}
	return ss.send(ctx, Message{EventResponse: resp})
}

// subscribedTo reports whether the session subscribed, or asked to, to
// incident.
func (ss *session) subscribedTo(incident string) bool {
	for _, m := range []map[string]request{ss.subs, ss.requests} {
		for _, r := range m {
			if r.subType == SubTypeSingle && r.incident == incident {
				return true
			}
		}
	}
	return false
}

// IncidentOf returns the incident tracking identifier of an EIDO: its
// own $id, which STA-021 has be the incident's URN, else its incident
// component's $id or internalIncidentId; "" if it has none.
func IncidentOf(body []byte) string {
	var d struct {
		ID       string `json:"$id"`
		Incident *struct {
			ID       string `json:"$id"`
			Internal string `json:"internalIncidentId"`
		} `json:"incidentComponent"`
	}
	if json.Unmarshal(body, &d) != nil {
		return ""
	}
	switch {
	case strings.HasPrefix(d.ID, IncidentURNPrefix):
		return d.ID
	case d.Incident != nil && d.Incident.ID != "":
		return d.Incident.ID
	case d.Incident != nil:
		return d.Incident.Internal
	}
	return d.ID
}
