package federation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// Two installations that do not share an operator, each with its own
// engine, log, key and inbox behind a real HTTP server, each a peer of the
// other: fed (Federal Patrol, agency "federal"), which metro knows as
// "fed", and metro (Metro PD, agency "metro"), which fed knows as "metro".
const (
	fedOrigin = "fed.example/log"
	fedAgency = "federal"
	metroPeer = "metro" // metro, as fed knows it
	fedPeer   = "fed"   // fed, as metro knows it
	metroAg   = "metro"
)

// A site is one installation, one side of the exchange.
type site struct {
	origin string
	key    *ledger.Key
	db     *sqlite.DB
	eng    *engine.Engine
	inbox  *federation.Inbox
	srv    *httptest.Server
	// client is how a partner reaches srv (it trusts srv's certificate).
	client *http.Client

	down  atomic.Bool  // the inbox answers 503 while set
	posts atomic.Int64 // messages posted to the inbox, answered or not

	mu   sync.Mutex
	took []time.Duration // how long each Receive took, for the benchmark
}

// openSite opens an installation of the log origin over SQLite in a
// temporary directory, its inbox served over HTTPS if tls. Its timers do
// not run: nothing escalates behind a test's back.
func openSite(tb testing.TB, origin string, tls bool) *site {
	tb.Helper()
	ctx := context.Background()
	in := &site{origin: origin, key: mustKey(tb, origin)}
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "tenfour.db"))
	if err != nil {
		tb.Fatalf("sqlite.Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	in.db = db
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: in.key, TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		tb.Fatalf("engine.Open(%s) = %v", origin, err)
	}
	tb.Cleanup(func() { e.Close() })
	in.eng = e
	in.inbox = &federation.Inbox{Engine: e, Store: db, Signer: in.key.Signer}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+federation.MessagesPath, in.handleMessage)
	in.srv = httptest.NewUnstartedServer(mux)
	if tls {
		in.srv.StartTLS()
	} else {
		in.srv.Start()
	}
	tb.Cleanup(in.srv.Close)
	in.client = in.srv.Client()
	return in
}

// handleMessage is the inbox's route, as package http serves it
// (http/federation_messages.go): the kinds of refusal map to their
// statuses, anything else is this installation's trouble (503).
func (in *site) handleMessage(w http.ResponseWriter, r *http.Request) {
	in.posts.Add(1)
	if in.down.Load() {
		http.Error(w, "down for the test", http.StatusServiceUnavailable)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, federation.MaxMessageSize))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	start := time.Now()
	receipt, err := in.inbox.Receive(r.Context(), data)
	in.mu.Lock()
	in.took = append(in.took, time.Since(start))
	in.mu.Unlock()
	if err != nil {
		status := http.StatusServiceUnavailable
		switch {
		case errors.Is(err, federation.ErrTooLarge):
			status = http.StatusRequestEntityTooLarge
		case errors.Is(err, federation.ErrMalformed):
			status = http.StatusBadRequest
		case errors.Is(err, federation.ErrSignature), errors.Is(err, federation.ErrUnknownPeer):
			status = http.StatusForbidden
		case errors.Is(err, federation.ErrEvidence):
			status = http.StatusUnprocessableEntity
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", federation.ContentType)
	w.Write(receipt)
}

// exec executes cmd on the installation as actor, or fails the test.
func (in *site) exec(tb testing.TB, actor dispatch.Actor, cmd dispatch.Command) engine.Result {
	tb.Helper()
	res, err := in.eng.Execute(context.Background(), actor, cmd)
	if err != nil {
		tb.Fatalf("%s: Execute(%T) = %v", in.origin, cmd, err)
	}
	return res
}

// admin is the actor that sets an installation up.
var admin = dispatch.Actor{System: "test"}

// newExchange opens fed and metro, peered with each other, each with its
// agency; their outboxes are not running (startOutbox).
func newExchange(tb testing.TB, tls bool) (fed, metro *site) {
	tb.Helper()
	fed = openSite(tb, fedOrigin, tls)
	metro = openSite(tb, metroOrigin, tls)
	fed.exec(tb, admin, dispatch.AddPeer{Name: metroPeer, URL: metro.srv.URL, Origin: metro.origin, Key: metro.key.Text})
	metro.exec(tb, admin, dispatch.AddPeer{Name: fedPeer, URL: fed.srv.URL, Origin: fed.origin, Key: fed.key.Text})
	fed.exec(tb, admin, dispatch.CreateAgency{ID: fedAgency, Name: "Federal Patrol", Kind: "federal"})
	metro.exec(tb, admin, dispatch.CreateAgency{ID: metroAg, Name: "Metro PD", Kind: "municipal_police"})
	return fed, metro
}

// outbox returns an outbox of in that sends to partner over partner's
// client, quick to try again.
func (in *site) outbox(partner *site) *federation.Outbox {
	return &federation.Outbox{Engine: in.eng, Store: in.db, Signer: in.key.Signer, Client: partner.client,
		Poll: 20 * time.Millisecond, MaxRetry: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// startOutbox runs an outbox of in delivering to partner until the
// returned function is called (or the test ends); that function returns
// once it has stopped.
func (in *site) startOutbox(tb testing.TB, partner *site) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	o := in.outbox(partner)
	go func() {
		defer close(done)
		o.Run(ctx)
	}()
	stop = sync.OnceFunc(func() {
		cancel()
		<-done
	})
	tb.Cleanup(stop)
	return stop
}

// Actors of the two agencies.
var (
	fedDispatcher   = dispatch.Actor{User: "f.agent", Agency: fedAgency, Role: dispatch.RoleDispatcher}
	metroDispatcher = dispatch.Actor{User: "d.okafor", Agency: metroAg, Role: dispatch.RoleDispatcher}
)

// request raises a request of fed's agency asking metro's, and returns
// its id and the seq of its assist.requested event.
func (in *site) request(tb testing.TB) (id string, seq int64) {
	tb.Helper()
	res := in.exec(tb, fedDispatcher, dispatch.RequestAssist{From: fedAgency, To: dispatch.Remote(metroAg, metroPeer),
		Location: dispatch.Location{Text: "39th Pl & S Kedzie Ave"}, Nature: "agents boxed in", Urgency: dispatch.UrgencyUrgent})
	for i, ev := range res.Events {
		if d, ok := ev.Data.(*dispatch.AssistRequested); ok {
			return d.Request, res.First + int64(i)
		}
	}
	tb.Fatalf("RequestAssist recorded %d events, none assist.requested", len(res.Events))
	return "", 0
}

// logged is an event of an installation's log, with its openings.
type logged struct {
	Seq int64
	dispatch.Event
}

// events reads the installation's whole log back, with every opening.
func (in *site) events(tb testing.TB) []logged {
	tb.Helper()
	ctx := context.Background()
	l := in.eng.Log()
	raw, err := l.Entries(ctx, 0, l.Size())
	if err != nil {
		tb.Fatalf("%s: Entries = %v", in.origin, err)
	}
	seqs := make([]int64, len(raw))
	for i := range raw {
		seqs[i] = int64(i)
	}
	opens, err := l.Openings(ctx, seqs)
	if err != nil {
		tb.Fatalf("%s: Openings = %v", in.origin, err)
	}
	out := make([]logged, len(raw))
	for i, b := range raw {
		en, err := ledger.ParseEntry(b)
		if err != nil {
			tb.Fatalf("%s: event %d: %v", in.origin, i, err)
		}
		open := map[string]string{}
		for _, o := range opens[int64(i)] {
			open[o.Field] = o.Value
		}
		ev, err := engine.FromEntry(en, open)
		if err != nil {
			tb.Fatalf("%s: event %d: %v", in.origin, i, err)
		}
		out[i] = logged{Seq: int64(i), Event: ev}
	}
	return out
}

// event reads event seq of the installation's log back, with its
// openings, as its outbox reads it.
func (in *site) event(tb testing.TB, seq int64) dispatch.Event {
	tb.Helper()
	ctx := context.Background()
	raw, err := in.eng.Log().Entries(ctx, seq, seq+1)
	if err != nil || len(raw) != 1 {
		tb.Fatalf("%s: Entries(%d) = %d entries, %v", in.origin, seq, len(raw), err)
	}
	opens, err := in.eng.Log().Openings(ctx, []int64{seq})
	if err != nil {
		tb.Fatalf("%s: Openings(%d) = %v", in.origin, seq, err)
	}
	open := map[string]string{}
	for _, o := range opens[seq] {
		open[o.Field] = o.Value
	}
	en, err := ledger.ParseEntry(raw[0])
	if err != nil {
		tb.Fatalf("%s: event %d: %v", in.origin, seq, err)
	}
	ev, err := engine.FromEntry(en, open)
	if err != nil {
		tb.Fatalf("%s: event %d: %v", in.origin, seq, err)
	}
	return ev
}

// ofType returns the data of the events of type T about message id ("":
// every one).
func ofType[T any](evs []logged, id string) (out []*T, seqs []int64) {
	for _, ev := range evs {
		if d, ok := ev.Data.(*T); ok && (id == "" || ev.Subject[dispatch.SubjectFederation] == id) {
			out, seqs = append(out, d), append(seqs, ev.Seq)
		}
	}
	return out, seqs
}

// waitFor waits until cond holds, for a minute at most: on a busy machine
// a delivery may take a while, and the test must not fail for it.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited a minute for %s", what)
		}
		<-tick.C
	}
}

// requestOf returns a copy of request id on in, if it has it: a deep one,
// made under the engine's lock, for the engine goes on changing its own.
func (in *site) requestOf(id string) (r dispatch.AssistRequest, ok bool) {
	var data []byte
	in.eng.Read(func(s *dispatch.State) {
		if p := s.Requests[id]; p != nil {
			data, _ = json.Marshal(p)
		}
	})
	return r, data != nil && json.Unmarshal(data, &r) == nil
}

// seal makes the message of event seq of from's log to to, as from's
// outbox does, but without an EIDO.
func seal(tb testing.TB, from, to *site, as string, seq int64) ([]byte, string) {
	tb.Helper()
	return sealWith(tb, from, to, as, seq, nil)
}

// sealWith makes the message of event seq of from's log to to, with the
// EIDO document doc.
func sealWith(tb testing.TB, from, to *site, as string, seq int64, doc json.RawMessage) ([]byte, string) {
	tb.Helper()
	l := from.eng.Log()
	b, err := l.Bundle(context.Background(), "", []int64{seq}, true)
	if err != nil {
		tb.Fatalf("Bundle(%d) = %v", seq, err)
	}
	m := &federation.Message{ID: federation.MessageID(from.origin, seq), From: from.origin, To: to.origin, As: as,
		Sent: time.Now(), Evidence: *b, EIDO: doc}
	data, err := federation.Seal(m, from.key.Signer)
	if err != nil {
		tb.Fatalf("Seal = %v", err)
	}
	return data, m.ID
}

// post sends a sealed message to to's inbox and returns the status and
// the body of the answer.
func post(tb testing.TB, to *site, data []byte) (int, []byte) {
	tb.Helper()
	resp, err := to.client.Post(to.srv.URL+federation.MessagesPath, federation.ContentType, bytes.NewReader(data))
	if err != nil {
		tb.Errorf("POST %s: %v", federation.MessagesPath, err)
		return 0, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Errorf("read the answer: %v", err)
	}
	return resp.StatusCode, body
}

// TestExchangeRequest: a request of fed asking metro's agency reaches
// metro as a mirror; metro's acknowledgement comes back; each log links
// the other's by sequence number.
func TestExchangeRequest(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	fed.startOutbox(t, metro)
	metro.startOutbox(t, fed)

	id, seq := fed.request(t)
	mirror := dispatch.MirrorID(id, fedPeer)
	waitFor(t, "metro's mirror of "+id, func() bool { _, ok := metro.requestOf(mirror); return ok })
	m, _ := metro.requestOf(mirror)
	if m.From != dispatch.Remote(fedAgency, fedPeer) || m.Origin != fedPeer || m.Answer(metroAg) == nil {
		t.Fatalf("metro's mirror: from %q, origin %q, asks %v; want from %s@%s, origin %s, asking %s", m.From, m.Origin, m.Asked, fedAgency, fedPeer, fedPeer, metroAg)
	}

	ack := metro.exec(t, metroDispatcher, dispatch.AcknowledgeAssist{Request: mirror, Agency: metroAg})
	waitFor(t, "metro's acknowledgement at fed", func() bool {
		r, _ := fed.requestOf(id)
		a := r.Answer(dispatch.Remote(metroAg, metroPeer))
		return a != nil && a.Answer == dispatch.AnswerAcknowledged
	})

	// Each delivery names the receiver's record of it, and that record
	// names the sender's event: the two logs prove each other.
	link := func(sender, receiver *site, msgSeq int64, typ string) {
		t.Helper()
		msg := federation.MessageID(sender.origin, msgSeq)
		var ds []*dispatch.FederationDelivered
		waitFor(t, sender.origin+"'s record of delivering "+msg, func() bool {
			ds, _ = ofType[dispatch.FederationDelivered](sender.events(t), msg)
			return len(ds) > 0
		})
		rs, rseqs := ofType[dispatch.FederationReceived](receiver.events(t), msg)
		if len(ds) != 1 || len(rs) != 1 {
			t.Fatalf("message %s: %d federation.delivered, %d federation.received, want 1 and 1", msg, len(ds), len(rs))
		}
		d, r := ds[0], rs[0]
		if d.ReceiptSeq != rseqs[0] || d.Seq != msgSeq || d.Type != typ || d.Outcome != federation.OutcomeApplied || d.PeerOrigin != receiver.origin {
			t.Errorf("%s's delivery of %s = %+v, want receipt_seq %d, seq %d, type %s, applied, peer_origin %s", sender.origin, msg, d, rseqs[0], msgSeq, typ, receiver.origin)
		}
		if r.MessageSeq != msgSeq || r.MessageType != typ || r.Outcome != federation.OutcomeApplied || r.PeerOrigin != sender.origin || r.Late {
			t.Errorf("%s's receipt of %s = %+v, want message_seq %d, type %s, applied, peer_origin %s, not late", receiver.origin, msg, r, msgSeq, typ, sender.origin)
		}
		// A request travels with its incident as an EIDO, which the
		// receiver checks against NENA's schema; an answer carries none.
		if want := map[bool]string{true: dispatch.EIDOValid}[typ == dispatch.TypeAssistRequested]; r.EIDO != want {
			t.Errorf("%s's receipt of %s says its EIDO is %q, want %q", receiver.origin, msg, r.EIDO, want)
		}
	}
	link(fed, metro, seq, dispatch.TypeAssistRequested)
	link(metro, fed, ack.First, dispatch.TypeAssistAcknowledged)
}

// TestExchangeIdempotent: the same message posted again, and by eight
// senders at once, gets the same receipt, byte for byte, and is recorded
// once; so is it when it is sealed again later (a retry after a restart).
func TestExchangeIdempotent(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	id, seq := fed.request(t)
	data, msg := seal(t, fed, metro, metroPeer, seq)

	const n = 8
	receipts := make([][]byte, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses[i], receipts[i] = post(t, metro, data) })
	}
	wg.Wait()
	again, _ := seal(t, fed, metro, metroPeer, seq) // another attempt: another time sent
	if bytes.Equal(again, data) {
		t.Fatal("sealing the message again made the same bytes; the test needs another attempt")
	}
	st, later := post(t, metro, again)
	statuses, receipts = append(statuses, st), append(receipts, later)
	for i := range receipts {
		if statuses[i] != http.StatusOK {
			t.Fatalf("post %d: %d %s", i, statuses[i], receipts[i])
		}
		if !bytes.Equal(receipts[i], receipts[0]) {
			t.Errorf("post %d's receipt differs from the first:\n%s\nwant\n%s", i, receipts[i], receipts[0])
		}
	}
	r, err := federation.OpenReceipt(receipts[0], fed.key.Verifier, msg)
	if r != nil || err == nil {
		t.Fatalf("OpenReceipt with fed's own key = %v, want an error: only metro's key signs its receipts", err)
	}
	if r, err = federation.OpenReceipt(receipts[0], metro.key.Verifier, msg); err != nil || r.Outcome != federation.OutcomeApplied {
		t.Fatalf("OpenReceipt = %+v, %v, want applied", r, err)
	}

	evs := metro.events(t)
	rs, rseqs := ofType[dispatch.FederationReceived](evs, msg)
	if len(rs) != 1 || rseqs[0] != r.Seq() {
		t.Fatalf("metro recorded message %s %d times (at %v), want once, at the receipt's event %d", msg, len(rs), rseqs, r.Seq())
	}
	mirror := dispatch.MirrorID(id, fedPeer)
	var raised int
	for _, ev := range evs {
		if ev.Type == dispatch.TypeAssistRequested && ev.Subject["request"] == mirror {
			raised++
		}
	}
	if raised != 1 {
		t.Errorf("metro raised the mirror %s %d times, want once", mirror, raised)
	}

	// fed's outbox, started now, sends the same message, and records the
	// receipt metro gave before.
	fed.startOutbox(t, metro)
	var ds []*dispatch.FederationDelivered
	waitFor(t, "fed's record of delivering "+msg, func() bool {
		ds, _ = ofType[dispatch.FederationDelivered](fed.events(t), msg)
		return len(ds) > 0
	})
	if ds[0].ReceiptSeq != r.Seq() {
		t.Errorf("fed's delivery names metro's event %d, want %d: the receipt given before", ds[0].ReceiptSeq, r.Seq())
	}
	if rs, _ := ofType[dispatch.FederationReceived](metro.events(t), msg); len(rs) != 1 {
		t.Errorf("after the outbox's delivery metro has %d records of %s, want 1", len(rs), msg)
	}
}

// TestExchangePeerDown: while metro's inbox answers 503, fed records the
// failed delivery once and keeps trying; once metro is back the message
// is delivered, and metro applies it once.
func TestExchangePeerDown(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	metro.down.Store(true)
	fed.startOutbox(t, metro)
	id, seq := fed.request(t)
	msg := federation.MessageID(fed.origin, seq)

	before := metro.posts.Load()
	waitFor(t, "three tries at metro while it is down", func() bool { return metro.posts.Load()-before >= 3 })
	us, _ := ofType[dispatch.FederationUndelivered](fed.events(t), msg)
	if len(us) != 1 {
		t.Fatalf("fed recorded %d failed deliveries of %s after three tries, want 1 (the first)", len(us), msg)
	}
	if u := us[0]; u.Peer != metroPeer || u.Seq != seq || u.Request != id || u.Error != "answered 503" {
		t.Errorf("fed's record of the failure = %+v, want peer %s, seq %d, request %s, error %q", u, metroPeer, seq, id, "answered 503")
	}
	if ds, _ := ofType[dispatch.FederationDelivered](fed.events(t), msg); len(ds) != 0 {
		t.Fatalf("fed recorded %s delivered while metro was down", msg)
	}

	metro.down.Store(false)
	var ds []*dispatch.FederationDelivered
	waitFor(t, "fed's record of delivering "+msg, func() bool {
		ds, _ = ofType[dispatch.FederationDelivered](fed.events(t), msg)
		return len(ds) > 0
	})
	if len(ds) != 1 || ds[0].Attempts < 3 || ds[0].Outcome != federation.OutcomeApplied {
		t.Errorf("fed's deliveries of %s = %+v, want one, applied, after at least 3 failed attempts", msg, ds)
	}
	if us, _ := ofType[dispatch.FederationUndelivered](fed.events(t), msg); len(us) != 1 {
		t.Errorf("fed recorded %d failed deliveries of %s in all, want 1", len(us), msg)
	}
	if rs, _ := ofType[dispatch.FederationReceived](metro.events(t), msg); len(rs) != 1 {
		t.Errorf("metro recorded %s %d times, want once", msg, len(rs))
	}
	if _, ok := metro.requestOf(dispatch.MirrorID(id, fedPeer)); !ok {
		t.Errorf("metro has no mirror of %s", id)
	}
}

// TestExchangeRefused: a message whose command the receiver's domain
// refuses still gets a receipt, refused with the reason, and both logs
// record it: metro acknowledges fed's request while fed's inbox is down,
// fed closes the request meanwhile, and then the acknowledgement arrives.
func TestExchangeRefused(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	fed.startOutbox(t, metro)
	metro.startOutbox(t, fed)
	id, _ := fed.request(t)
	mirror := dispatch.MirrorID(id, fedPeer)
	waitFor(t, "metro's mirror of "+id, func() bool { _, ok := metro.requestOf(mirror); return ok })

	fed.down.Store(true)
	before := fed.posts.Load()
	ack := metro.exec(t, metroDispatcher, dispatch.AcknowledgeAssist{Request: mirror, Agency: metroAg})
	msg := federation.MessageID(metro.origin, ack.First)
	waitFor(t, "metro's try at fed while it is down", func() bool { return fed.posts.Load() > before })
	fed.exec(t, fedDispatcher, dispatch.CloseAssist{Request: id, Disposition: "cleared before metro answered"})
	waitFor(t, "metro's mirror closed", func() bool {
		r, _ := metro.requestOf(mirror)
		return r.Status == dispatch.RequestClosed
	})
	fed.down.Store(false)

	var ds []*dispatch.FederationDelivered
	waitFor(t, "metro's record of delivering "+msg, func() bool {
		ds, _ = ofType[dispatch.FederationDelivered](metro.events(t), msg)
		return len(ds) > 0
	})
	rs, rseqs := ofType[dispatch.FederationReceived](fed.events(t), msg)
	if len(ds) != 1 || len(rs) != 1 {
		t.Fatalf("%d deliveries of %s, %d receipts, want 1 and 1", len(ds), msg, len(rs))
	}
	d, r := ds[0], rs[0]
	if r.Outcome != federation.OutcomeRefused || !strings.Contains(r.Reason, "closed") || r.MessageType != dispatch.TypeAssistAcknowledged {
		t.Errorf("fed's record of %s = %+v, want refused for the closed request", msg, r)
	}
	if d.Outcome != federation.OutcomeRefused || d.Reason != r.Reason || d.ReceiptSeq != rseqs[0] {
		t.Errorf("metro's record of delivering %s = %+v, want refused with fed's reason %q, receipt_seq %d", msg, d, r.Reason, rseqs[0])
	}
	// The refusal changed nothing of fed's request.
	fr, _ := fed.requestOf(id)
	if a := fr.Answer(dispatch.Remote(metroAg, metroPeer)); fr.Status != dispatch.RequestClosed || a == nil || a.Answer != dispatch.AnswerAsked {
		t.Errorf("fed's request after the refusal: status %s, metro's answer %+v, want closed, still asked", fr.Status, a)
	}
}

// TestExchangeForged: a message changed by one byte, or signed by a key
// that is not its sender's, or from a log that is no peer's, is refused
// with an error, and metro records nothing.
func TestExchangeForged(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	_, seq := fed.request(t)
	data, _ := seal(t, fed, metro, metroPeer, seq)

	// A log of fed's origin under another key: what someone who took
	// fed's name, but not its key, could send.
	rogueKey := mustKey(t, fed.origin)
	rogue := mustLog(t, rogueKey)
	rseq := mustAppend(t, rogue, request(time.Now()))
	forged, err := federation.Seal(&federation.Message{ID: federation.MessageID(fed.origin, rseq), From: fed.origin, To: metro.origin,
		As: metroPeer, Sent: time.Now(), Evidence: mustBundle(t, rogue, true, rseq)}, rogueKey.Signer)
	if err != nil {
		t.Fatalf("Seal(forged) = %v", err)
	}
	// A log that is nobody's peer.
	strangerKey := mustKey(t, "stranger.example/log")
	stranger := mustLog(t, strangerKey)
	sseq := mustAppend(t, stranger, request(time.Now()))
	unknown, err := federation.Seal(&federation.Message{ID: federation.MessageID("stranger.example/log", sseq), From: "stranger.example/log",
		To: metro.origin, As: metroPeer, Sent: time.Now(), Evidence: mustBundle(t, stranger, true, sseq)}, strangerKey.Signer)
	if err != nil {
		t.Fatalf("Seal(unknown) = %v", err)
	}

	size := metro.eng.Log().Size()
	type refusal struct {
		name string
		data []byte
		want int // the status, or 0 for any 4xx
	}
	cases := []refusal{
		{"ForgedKey", forged, http.StatusForbidden},
		{"UnknownPeer", unknown, http.StatusForbidden},
	}
	// One byte changed: in the format line, the JSON, the signature line
	// (a few places: each is a round trip).
	text := bytes.LastIndex(data, []byte("\n\n"))
	for _, i := range []int{0, 5, len(federation.MessageFormat) + 8, text / 3, text / 2, text - 20, text - 2, len(data) - 10} {
		d := slices.Clone(data)
		d[i] ^= 0x01
		cases = append(cases, refusal{fmt.Sprintf("Tampered[%d]", i), d, 0})
	}
	for _, c := range cases {
		status, body := post(t, metro, c.data)
		if status/100 != 4 || (c.want != 0 && status != c.want) {
			t.Errorf("%s: POST = %d %s, want a refusal (4xx; %d if not 0)", c.name, status, body, c.want)
		}
	}
	if got := metro.eng.Log().Size(); got != size {
		t.Errorf("metro's log grew from %d to %d events on refused messages, want nothing recorded", size, got)
	}
	// The genuine message still goes through.
	if status, body := post(t, metro, data); status != http.StatusOK {
		t.Fatalf("the genuine message: %d %s", status, body)
	}
}

// TestExchangeOutboxRestart: an outbox started again does not send again
// what the one before it delivered.
func TestExchangeOutboxRestart(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	stop := fed.startOutbox(t, metro)
	_, seq := fed.request(t)
	first := federation.MessageID(fed.origin, seq)
	waitFor(t, "fed's record of delivering "+first, func() bool {
		ds, _ := ofType[dispatch.FederationDelivered](fed.events(t), first)
		return len(ds) > 0
	})
	stop()
	posted := metro.posts.Load()

	fed.startOutbox(t, metro)
	_, seq2 := fed.request(t)
	second := federation.MessageID(fed.origin, seq2)
	waitFor(t, "fed's record of delivering "+second, func() bool {
		ds, _ := ofType[dispatch.FederationDelivered](fed.events(t), second)
		return len(ds) > 0
	})
	if n := metro.posts.Load() - posted; n != 1 {
		t.Errorf("the restarted outbox posted %d messages, want 1: the new one alone", n)
	}
	if ds, _ := ofType[dispatch.FederationDelivered](fed.events(t), first); len(ds) != 1 {
		t.Errorf("fed recorded %s delivered %d times, want once", first, len(ds))
	}
	if rs, _ := ofType[dispatch.FederationReceived](metro.events(t), first); len(rs) != 1 {
		t.Errorf("metro recorded %s %d times, want once", first, len(rs))
	}
}

// TestExchangeOutboxCrash: an outbox that stopped after recording a
// delivery but before moving its cursor past it (a crash between the two
// writes) does not send that message again when it starts.
func TestExchangeOutboxCrash(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	stop := fed.startOutbox(t, metro)
	_, seq := fed.request(t)
	msg := federation.MessageID(fed.origin, seq)
	waitFor(t, "fed's record of delivering "+msg, func() bool {
		ds, _ := ofType[dispatch.FederationDelivered](fed.events(t), msg)
		return len(ds) > 0
	})
	stop()
	// The cursor as the crash leaves it: at the message, which the outbox
	// saves before sending it.
	ctx := context.Background()
	ob, err := fed.db.FederationOutbox(ctx, metroPeer)
	if err != nil {
		t.Fatalf("FederationOutbox = %v", err)
	}
	ob.Next = seq
	if err := fed.db.SaveFederationOutbox(ctx, ob); err != nil {
		t.Fatalf("SaveFederationOutbox = %v", err)
	}
	posted := metro.posts.Load()

	fed.startOutbox(t, metro)
	_, seq2 := fed.request(t)
	second := federation.MessageID(fed.origin, seq2)
	waitFor(t, "fed's record of delivering "+second, func() bool {
		ds, _ := ofType[dispatch.FederationDelivered](fed.events(t), second)
		return len(ds) > 0
	})
	if n := metro.posts.Load() - posted; n != 1 {
		t.Errorf("the restarted outbox posted %d messages, want 1: the new one alone", n)
	}
	if ds, _ := ofType[dispatch.FederationDelivered](fed.events(t), msg); len(ds) != 1 {
		t.Errorf("fed recorded %s delivered %d times, want once", msg, len(ds))
	}
}

// TestExchangeBacklog: messages that wait for the outbox, with other
// events between them, are delivered each once, in log order, each as
// the event it is.
func TestExchangeBacklog(t *testing.T) {
	t.Parallel()
	fed, metro := newExchange(t, false)
	var ids []string
	var seqs []int64
	for i := range 3 {
		id, seq := fed.request(t)
		ids, seqs = append(ids, id), append(seqs, seq)
		fed.exec(t, admin, dispatch.CreateAgency{ID: "other-" + string(rune('a'+i)), Name: "Other", Kind: "federal"})
	}
	fed.startOutbox(t, metro)
	var ds []*dispatch.FederationDelivered
	waitFor(t, "fed's record of delivering its three requests", func() bool {
		ds, _ = ofType[dispatch.FederationDelivered](fed.events(t), "")
		return len(ds) >= 3
	})
	if len(ds) != 3 {
		t.Fatalf("fed recorded %d deliveries, want 3", len(ds))
	}
	for i, d := range ds {
		if d.Seq != seqs[i] || d.Type != dispatch.TypeAssistRequested || d.Request != ids[i] || d.Outcome != federation.OutcomeApplied {
			t.Errorf("delivery %d = %+v, want event %d, assist.requested of %s, applied", i, d, seqs[i], ids[i])
		}
	}
	for _, id := range ids {
		if _, ok := metro.requestOf(dispatch.MirrorID(id, fedPeer)); !ok {
			t.Errorf("metro has no mirror of %s", id)
		}
	}
	if rs, _ := ofType[dispatch.FederationReceived](metro.events(t), ""); len(rs) != 3 {
		t.Errorf("metro recorded %d messages, want 3", len(rs))
	}
}
