package conveyance

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// A Source gives the EIDO of an incident as an actor may see it: the
// export of the EIDO Retrieval Service (GET /eido/v1/EIDO/{IncidentId}).
// An incident the actor may not see is a dispatch ENOTFOUND error.
type Source interface {
	EIDO(ctx context.Context, a dispatch.Actor, incidentID string) ([]byte, error)
}

// A Resolver names the incident a subscription's incidentId names:
// tenfour's id or its incident tracking identifier, of this installation
// alone. A Source that is a Resolver is asked; another is read with
// LocalIncidentID.
type Resolver interface {
	IncidentID(ref string) (string, bool)
}

// Engine is what the notifier needs of the engine: its stream of durable
// events, the incidents an actor sees, and the way into the log.
// *engine.Engine implements it.
type Engine interface {
	Subscribe() (*engine.Subscription, int64)
	Published(ctx context.Context, from, end int64) ([]engine.Published, error)
	Incidents(a dispatch.Actor) []dispatch.Incident
	IncidentsReceived(ctx context.Context, a dispatch.Actor, agency string, from, to time.Time) ([]dispatch.Incident, error)
	Execute(ctx context.Context, a dispatch.Actor, cmd dispatch.Command) (engine.Result, error)
}

// maxCache bounds the EIDOs the notifier keeps ready (per actor and
// incident); past it the cache starts again empty.
const maxCache = 10000

// A Notifier is the notifier of STA-024.1a: it serves subscribers over
// WebSocket (ServeConveyance, behind the HTTP server's authentication)
// and sends each the EIDOs of what it subscribed to as they change. Run
// must run while it serves: it follows the engine's events.
type Notifier struct {
	engine Engine
	source Source
	logger *slog.Logger
	clock  func() time.Time
	rec    *recorder

	// RecordEvery is how long EIDOs sent are gathered into one event of
	// the log (DefaultRecordEvery if zero). Set it before Run.
	RecordEvery time.Duration

	// Imported reports whether an incident came from a partner (an EIDO
	// import) rather than being made here: such an incident is never
	// announced to a subscription to new incidents, lest two CADs that
	// subscribe to each other echo it back and forth. Nil: none is. Set
	// it before serving.
	Imported func(dispatch.Incident) bool

	ready chan struct{} // closed once Run follows the engine

	mu       sync.Mutex
	conns    map[*conn]struct{}
	versions map[string]int64 // incident → sequence number of its latest change
	cache    map[cacheKey]cached
}

type cacheKey struct{ actor, incident string }

// cached is an EIDO as sent: the incident's version it shows at least.
type cached struct {
	version int64
	body    []byte
	hash    string
}

// NewNotifier returns a notifier of the engine's incidents, whose EIDOs
// source makes.
func NewNotifier(e Engine, source Source, logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	exec := func(ctx context.Context, a dispatch.Actor, cmd dispatch.Command) error {
		_, err := e.Execute(ctx, a, cmd)
		return err
	}
	return &Notifier{engine: e, source: source, logger: logger, clock: time.Now,
		rec: newRecorder(exec, logger), ready: make(chan struct{}),
		conns: make(map[*conn]struct{}), versions: make(map[string]int64), cache: make(map[cacheKey]cached)}
}

// SetClock sets the clock of rates and expiry (time.Now by default). A
// test with a fake clock calls Wake after moving it.
func (n *Notifier) SetClock(now func() time.Time) {
	if now != nil {
		n.clock = now
	}
}

// Wake has every connection look at the clock again now, rather than when
// its next deadline comes by the real clock.
func (n *Notifier) Wake() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for c := range n.conns {
		c.poke()
	}
}

// Ready is closed once Run follows the engine's events: a change made
// after it reaches the subscriptions it concerns.
func (n *Notifier) Ready() <-chan struct{} { return n.ready }

// Flush records in the log the EIDOs sent so far, without waiting for
// RecordEvery.
func (n *Notifier) Flush(ctx context.Context) { n.rec.flush(ctx) }

// Recorded returns how many conveyance events the notifier recorded.
func (n *Notifier) Recorded() int64 { return n.rec.count() }

// Run follows the engine's durable events until ctx is done, telling each
// subscription the incidents they change; it records what is sent
// meanwhile, and closes every connection when it ends.
func (n *Notifier) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		n.rec.run(ctx, n.RecordEvery)
	}()
	defer wg.Wait()
	defer n.closeAll()
	sub, next := n.engine.Subscribe()
	defer func() { sub.Close() }()
	close(n.ready)
	for {
		select {
		case <-ctx.Done():
			return nil
		case p, ok := <-sub.C:
			if ok {
				next = p.Seq + 1
				n.observe(p)
				continue
			}
			// Fell behind the hub: resume from the log, so that no
			// change goes unnoticed.
			var resume int64
			sub, resume = n.engine.Subscribe()
			for next < resume {
				end := min(next+1024, resume)
				ps, err := n.engine.Published(ctx, next, end)
				if err != nil {
					return fmt.Errorf("eido notifier: read the log from %d: %w", next, err)
				}
				for _, p := range ps {
					n.observe(p)
				}
				next = end
			}
		}
	}
}

// observe tells the subscriptions which incidents an event changed: those
// of its subject (an incident, the one merged into, the one linked), and,
// for incident.created, that there is a new one.
func (n *Notifier) observe(p engine.Published) {
	if dispatch.IsConveyance(p.Type) {
		return // its own records change no incident
	}
	var en struct {
		Subject map[string]string `json:"subject"`
	}
	if err := json.Unmarshal(p.Entry, &en); err != nil {
		n.logger.Error("eido notifier: unreadable event", "seq", p.Seq, "err", err)
		return
	}
	var ids []string
	for _, k := range []string{"incident", "into", "linked"} {
		if id := en.Subject[k]; id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	// Only an incident created here is new: one an import created came
	// from a partner, and announcing it would echo it back to a partner
	// that subscribes to this installation's new incidents in turn.
	created := ""
	if p.Type == dispatch.TypeIncidentCreated {
		created = en.Subject["incident"]
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.versions) >= 10*maxCache {
		clear(n.versions)
		clear(n.cache)
	}
	for _, id := range ids {
		n.versions[id] = p.Seq
	}
	for c := range n.conns {
		c.changed(ids, created, p.Agency, p.Also)
	}
}

// eido returns the EIDO of incident as c's actor sees it now, made once
// per change and actor however many subscriptions it goes to.
func (n *Notifier) eido(ctx context.Context, c *conn, incident string) (cached, error) {
	k := cacheKey{c.akey, incident}
	n.mu.Lock()
	v := n.versions[incident]
	e, ok := n.cache[k]
	n.mu.Unlock()
	if ok && e.version == v {
		return e, nil
	}
	body, err := n.source.EIDO(ctx, c.actor, incident)
	if err != nil {
		return cached{}, err
	}
	e = cached{version: v, body: body, hash: hashOf(body)}
	n.mu.Lock()
	if len(n.cache) >= maxCache {
		clear(n.cache)
	}
	n.cache[k] = e
	n.mu.Unlock()
	return e, nil
}

func (n *Notifier) closeAll() {
	n.mu.Lock()
	conns := make([]*conn, 0, len(n.conns))
	for c := range n.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	for _, c := range conns {
		c.ws.Close(websocket.StatusGoingAway, "the notifier is stopping")
	}
}

// ServeConveyance serves one subscriber's WebSocket as actor, whom the
// HTTP server authenticated: what it may subscribe to and the EIDOs it
// receives are what actor may see. It returns an error, before upgrading,
// for a request that is no WebSocket of this protocol; once upgraded it
// serves until the socket closes and returns nil.
func (n *Notifier) ServeConveyance(w http.ResponseWriter, r *http.Request, a dispatch.Actor) error {
	if !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") {
		return dispatch.Errorf(dispatch.EINVALID, "the EIDO conveyance is a WebSocket (STA-024.1a): upgrade the request, with the subprotocol %s", Subprotocol)
	}
	if !headerHas(r.Header, "Sec-WebSocket-Protocol", Subprotocol) {
		return dispatch.Errorf(dispatch.EINVALID, "offer the WebSocket subprotocol %s (Sec-WebSocket-Protocol), STA-024.1a section 2.1.3.1.2", Subprotocol)
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{Subprotocol}})
	if err != nil {
		n.logger.Warn("eido notifier: WebSocket not accepted", "user", a.User, "err", err)
		return nil // Accept answered the request
	}
	ws.SetReadLimit(MaxRequestSize)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	c := &conn{n: n, ws: ws, actor: a, akey: actorKey(a), wake: make(chan struct{}, 1), subs: make(map[string]*subscription)}
	n.mu.Lock()
	n.conns[c] = struct{}{}
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.conns, c)
		n.mu.Unlock()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		c.writeLoop(ctx)
	}()
	c.readLoop(ctx)
	cancel()
	<-done
	ws.CloseNow()
	return nil
}

// headerHas reports whether a comma-separated header holds token.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// actorKey names what an actor may see, for the cache of EIDOs.
func actorKey(a dispatch.Actor) string {
	return strings.Join([]string{a.System, a.User, a.Agency, a.Role, strings.Join(a.Roles, ",")}, "|")
}

// newID returns a random UUID (RFC 9562 version 4): subscriptions,
// transactions and requests are named by one.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// imported reports whether an incident came from a partner (Imported).
func (n *Notifier) imported(in dispatch.Incident) bool {
	return n.Imported != nil && n.Imported(in)
}
