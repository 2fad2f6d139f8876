// Package conveyancetest runs tenfour nodes for the tests of the EIDO
// conveyance: a real engine on SQLite, the real HTTP server with its
// authentication, served over real HTTP, with a notifier and, where a test
// asks, a subscriber. The EIDOs are made by a small Source of its own (the
// incident's id, type, status and notes), so that the conveyance is tested
// apart from the export and the import, whose tests are theirs.
package conveyancetest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/engine"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// A Node is one tenfour node served over HTTP, with an EIDO notifier.
type Node struct {
	*httptest.Server
	Engine   *engine.Engine
	Store    *sqlite.DB
	HTTP     *tenfourhttp.Server
	Notifier *conveyance.Notifier
	// Domain names the node in the incident URNs of its EIDOs.
	Domain string
	cancel context.CancelFunc
	done   chan struct{}
}

// RecordEvery is the RecordEvery of the nodes' notifiers: short, so that
// tests see the log soon; a test of batching makes it long and flushes.
var RecordEvery = 20 * time.Millisecond

// System is the actor tests change things as.
var System = dispatch.Actor{System: "test"}

// MustOpenNode starts a node with the agencies given (ids; each a
// municipal police), its notifier running, and stops it at cleanup.
func MustOpenNode(tb testing.TB, domain string, agencies ...string) *Node {
	tb.Helper()
	return MustOpenNodeWith(tb, domain, Options{}, agencies...)
}

// Options are a node's options beyond MustOpenNode's.
type Options struct {
	// TLS, if set, has the node serve HTTPS with it (and httptest's
	// certificate).
	TLS *tls.Config
	// Source, if set, makes the notifier's EIDOs instead of the package's
	// small Source.
	Source func(*engine.Engine) conveyance.Source
}

// MustOpenNodeWith starts a node as MustOpenNode does, with opts.
func MustOpenNodeWith(tb testing.TB, domain string, opts Options, agencies ...string) *Node {
	tb.Helper()
	tlsConfig := opts.TLS
	ctx := context.Background()
	db, err := sqlite.Open(ctx, tb.TempDir()+"/t.db")
	if err != nil {
		tb.Fatalf("sqlite.Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateKey(domain)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	srv := httptest.NewUnstartedServer(nil)
	tb.Cleanup(srv.Close)
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: key, Logger: logger, URL: "http://" + srv.Listener.Addr().String(),
		TimerInterval: -1, SampleInterval: -1, SnapshotEvery: -1})
	if err != nil {
		tb.Fatalf("engine.Open = %v", err)
	}
	tb.Cleanup(func() { e.Close() })
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := e.Execute(ctx, a, c)
		return err
	}
	svc := &auth.Service{Accounts: db, Policy: auth.DefaultPolicy(), Record: exec, Logger: logger}
	h := tenfourhttp.NewServer(e, db, svc, logger)
	h.LoginLimit, h.FailureLimit, h.APILimit = tenfourhttp.Limit{}, tenfourhttp.Limit{}, tenfourhttp.Limit{}
	n := &Node{Server: srv, Engine: e, Store: db, HTTP: h, Domain: domain, done: make(chan struct{})}
	var src conveyance.Source = Source{Engine: e, Domain: domain}
	if opts.Source != nil {
		src = opts.Source(e)
	}
	n.Notifier = conveyance.NewNotifier(e, src, logger)
	n.Notifier.RecordEvery = RecordEvery
	h.SetConveyance(n.Notifier)
	srv.Config.Handler = h
	if tlsConfig != nil {
		srv.TLS = tlsConfig
		srv.StartTLS()
	} else {
		srv.Start()
	}
	rctx, cancel := context.WithCancel(ctx)
	n.cancel = cancel
	go func() {
		defer close(n.done)
		n.Notifier.Run(rctx)
	}()
	tb.Cleanup(n.Stop)
	<-n.Notifier.Ready()
	for _, a := range agencies {
		n.MustExecute(tb, dispatch.CreateAgency{ID: a, Name: strings.ToUpper(a), Kind: "municipal_police"})
	}
	return n
}

// Stop stops the notifier (closing its connections) and waits for it.
func (n *Node) Stop() {
	n.cancel()
	<-n.done
}

// URL returns the node's WebSocket URL of the conveyance.
func (n *Node) WebSocketURL() string {
	return "ws" + strings.TrimPrefix(n.Server.URL, "http") + tenfourhttp.EIDOConveyancePath
}

// MustExecute runs a command as the system.
func (n *Node) MustExecute(tb testing.TB, cmd dispatch.Command) engine.Result {
	tb.Helper()
	res, err := n.Engine.Execute(context.Background(), System, cmd)
	if err != nil {
		tb.Fatalf("Execute(%#v) = %v", cmd, err)
	}
	return res
}

// MustCreateIncident opens an incident of agency and returns its id.
func (n *Node) MustCreateIncident(tb testing.TB, agency, typ string) string {
	tb.Helper()
	n.MustExecute(tb, dispatch.CreateIncident{Agency: agency, Type: typ, Location: dispatch.Location{Text: "100 Main St"}})
	var id string
	for _, in := range n.Engine.Incidents(System) {
		if in.Agency == agency && in.ID > id {
			id = in.ID
		}
	}
	return id
}

// MustCreatePartner creates a user of agency with roles and returns a
// bearer token of theirs: the account a partner's CAD uses.
func (n *Node) MustCreatePartner(tb testing.TB, username, agency string, roles ...string) string {
	tb.Helper()
	n.MustExecute(tb, dispatch.CreateUser{Username: username, Agency: agency, Roles: roles})
	ctx := context.Background()
	now := time.Now()
	// A real hash of a password nobody is told: the partner signs in with
	// its token only.
	pwHash := auth.HashPassword(auth.NewPassword())
	if err := n.Store.CreateUser(ctx, store.User{Username: username, Agency: agency, Roles: roles, PasswordHash: pwHash, Created: now}); err != nil {
		tb.Fatalf("store.CreateUser(%s) = %v", username, err)
	}
	token, hash := auth.NewToken()
	if err := n.Store.CreateToken(ctx, store.Token{ID: auth.TokenID(hash), Hash: hash, Username: username, Created: now}); err != nil {
		tb.Fatalf("store.CreateToken(%s) = %v", username, err)
	}
	return token
}

// Entries returns the node's log entries of type typ, decoded whole
// (private fields opened).
func (n *Node) Entries(tb testing.TB, typ string) []engine.Published {
	tb.Helper()
	size := n.Engine.Log().Size()
	ps, err := n.Engine.Published(context.Background(), 0, size)
	if err != nil {
		tb.Fatalf("Published = %v", err)
	}
	var out []engine.Published
	for _, p := range ps {
		if p.Type == typ {
			out = append(out, p)
		}
	}
	return out
}

// Source makes a small EIDO of an incident, as the actor sees it: the
// STA-021 shape tenfour's export has (its own $id the incident's URN),
// with the few fields the tests look at.
type Source struct {
	Engine *engine.Engine
	Domain string
}

// EIDO implements conveyance.Source.
func (s Source) EIDO(ctx context.Context, a dispatch.Actor, id string) ([]byte, error) {
	in, err := s.Engine.Incident(a, id)
	if err != nil {
		return nil, err
	}
	notes := make([]map[string]string, len(in.Notes))
	for i, nt := range in.Notes {
		notes[i] = map[string]string{"$id": fmt.Sprintf("%s-note-%d", in.ID, i+1), "noteText": nt.Text}
	}
	urn := conveyance.IncidentURNPrefix + in.ID + ":" + s.Domain
	return json.Marshal(map[string]any{
		"$id": urn, "eidoVersion": "1.0", "issuingElementIdentification": s.Domain,
		"incidentComponent": map[string]any{"$id": urn, "internalIncidentId": in.ID,
			"incidentTypeCommonRegistryText": in.Type, "incidentStatusInternalText": []string{in.Status}},
		"notesComponent": notes,
	})
}

// Doc is the part of a test EIDO the tests read.
type Doc struct {
	ID       string `json:"$id"`
	Incident struct {
		Internal string   `json:"internalIncidentId"`
		Type     string   `json:"incidentTypeCommonRegistryText"`
		Status   []string `json:"incidentStatusInternalText"`
	} `json:"incidentComponent"`
	Notes []struct {
		Text string `json:"noteText"`
	} `json:"notesComponent"`
}

// Sink imports test EIDOs into a node: the first of an incident creates
// one in agency, the others are kept as its latest state. It signals every
// EIDO it takes.
type Sink struct {
	Node   *Node
	Agency string

	mu     sync.Mutex
	local  map[string]string // remote id → local incident
	latest map[string]Doc    // remote id → latest EIDO
	count  int
	seen   chan struct{}
}

// NewSink returns a sink into node's agency.
func NewSink(n *Node, agency string) *Sink {
	return &Sink{Node: n, Agency: agency, local: map[string]string{}, latest: map[string]Doc{}, seen: make(chan struct{}, 1)}
}

// Import implements conveyance.Sink.
func (s *Sink) Import(ctx context.Context, body []byte) (string, error) {
	var d Doc
	if err := json.Unmarshal(body, &d); err != nil {
		return "", fmt.Errorf("not an EIDO: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.local[d.ID]
	if !ok {
		if _, err := s.Node.Engine.Execute(ctx, System, dispatch.CreateIncident{Agency: s.Agency, Type: d.Incident.Type,
			Location: dispatch.Location{Text: "from " + d.ID}}); err != nil {
			return "", err
		}
		for _, in := range s.Node.Engine.Incidents(System) {
			if in.Agency == s.Agency && in.ID > id {
				id = in.ID
			}
		}
		s.local[d.ID] = id
	}
	s.latest[d.ID] = d
	s.count++
	select {
	case s.seen <- struct{}{}:
	default:
	}
	return id, nil
}

// Await waits until ok holds of what the sink took in, or fails after a
// generous deadline.
func (s *Sink) Await(tb testing.TB, what string, ok func(latest map[string]Doc, local map[string]string) bool) {
	tb.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		done := ok(s.latest, s.local)
		s.mu.Unlock()
		if done {
			return
		}
		select {
		case <-s.seen:
		case <-deadline:
			tb.Fatalf("the subscriber never received %s", what)
		}
	}
}

// Count returns how many EIDOs the sink took in.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// A Proxy passes TCP connections to a node, and can drop them all and
// refuse new ones, as a network that fails does.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

// MustProxy starts a proxy to target (host:port) and closes it at cleanup.
func MustProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target}
	tb.Cleanup(func() { ln.Close(); p.Cut(true) })
	go p.serve()
	return p
}

// Addr returns the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		t, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, t)
		p.mu.Unlock()
		go pipe(c, t)
		go pipe(t, c)
	}
}

func pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

// Cut drops every connection; with down, new ones are refused until Up.
func (p *Proxy) Cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Up accepts connections again.
func (p *Proxy) Up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}
