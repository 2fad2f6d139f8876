package conveyance_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/eido/conveyance/conveyancetest"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// client is a raw WebSocket to a notifier, speaking JSON.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, n *conveyancetest.Node, token string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, n.WebSocketURL(), &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}, Subprotocols: []string{conveyance.Subprotocol}})
	if err != nil {
		t.Fatalf("Dial = %v (%v)", err, resp)
	}
	ws.SetReadLimit(conveyance.MaxNotificationSize)
	t.Cleanup(func() { ws.CloseNow() })
	if ws.Subprotocol() != conveyance.Subprotocol {
		t.Fatalf("subprotocol = %q, want %q", ws.Subprotocol(), conveyance.Subprotocol)
	}
	return &client{t: t, ws: ws}
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("Write = %v", err)
	}
}

func (c *client) send(m conveyance.Message) {
	c.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

func (c *client) recv() conveyance.Message {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatalf("Read = %v", err)
	}
	m, kind, _, err := conveyance.ParseMessage(b)
	if err != nil {
		c.t.Fatalf("ParseMessage(%s) = %s, %v", b, kind, err)
	}
	return m
}

// subscribe sends a subscribe request and returns the answer.
func (c *client) subscribe(s conveyance.Subscribe) *conveyance.SubscribeResponse {
	c.t.Helper()
	c.send(conveyance.Message{Subscribe: &s})
	m := c.recv()
	if m.SubscribeResponse == nil {
		c.t.Fatalf("answer to subscribe = %+v, want a subscribeResponse", m)
	}
	return m.SubscribeResponse
}

// event reads the next message, which must be a notification, and
// returns its EIDOs.
func (c *client) event(sub string) []conveyancetest.Doc {
	c.t.Helper()
	m := c.recv()
	if m.Event == nil || m.Event.SubscriptionID != sub || m.Event.TransactionID == "" {
		c.t.Fatalf("message = %+v, want an event of subscription %s with a transactionId", m, sub)
	}
	docs := make([]conveyancetest.Doc, len(m.Event.Notification))
	for i, raw := range m.Event.Notification {
		if err := json.Unmarshal(raw, &docs[i]); err != nil {
			c.t.Fatalf("notification %d: %v", i, err)
		}
	}
	c.send(conveyance.Message{EventResponse: &conveyance.EventResponse{TransactionID: m.Event.TransactionID, StatusCode: 200, StatusText: "OK"}})
	return docs
}

func ip(n int) *int { return &n }

// Before any upgrade, the caller is authenticated and authorised by the
// API's rules, and the request must be a WebSocket of the subprotocol.
func TestUpgrade(t *testing.T) {
	n := conveyancetest.MustOpenNode(t, "metro.example", "metro")
	liaison := n.MustCreatePartner(t, "liaison", "metro", dispatch.RoleLiaison)
	admin := n.MustCreatePartner(t, "metro-admin", "metro", dispatch.RoleAdmin)
	for _, tc := range []struct {
		name, token  string
		subprotocols []string
		status       int
	}{
		{"NoToken", "", []string{conveyance.Subprotocol}, http.StatusUnauthorized},
		{"BadToken", "not-a-token", []string{conveyance.Subprotocol}, http.StatusUnauthorized},
		{"RoleNotAllowed", admin, []string{conveyance.Subprotocol}, http.StatusForbidden},
		{"NoSubprotocol", liaison, nil, http.StatusBadRequest},
		{"OtherSubprotocol", liaison, []string{"chat"}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.token != "" {
				h.Set("Authorization", "Bearer "+tc.token)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ws, resp, err := websocket.Dial(ctx, n.WebSocketURL(), &websocket.DialOptions{HTTPHeader: h, Subprotocols: tc.subprotocols})
			if err == nil {
				ws.CloseNow()
				t.Fatalf("Dial = upgraded, want %d", tc.status)
			}
			if resp == nil || resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("Dial = %v, %v; want %d problem+json", resp, err, tc.status)
			}
		})
	}
	t.Run("PlainGET", func(t *testing.T) {
		req, _ := http.NewRequest("GET", n.URL+"/eido/v1/ent", nil)
		req.Header.Set("Authorization", "Bearer "+liaison)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET without upgrade = %d, want 400", resp.StatusCode)
		}
	})
}

// Bad messages get the status codes of the schema, and the socket stays
// open for the next.
func TestBadMessages(t *testing.T) {
	n := conveyancetest.MustOpenNode(t, "metro.example", "metro", "sheriff")
	theirs := n.MustCreateIncident(t, "sheriff", "ASSAULT")
	c := dial(t, n, n.MustCreatePartner(t, "liaison", "metro", dispatch.RoleLiaison))
	for _, tc := range []struct {
		name, msg string
		status    int
		kind      string // of the answer
	}{
		{"NotJSON", `{"subscribe":`, 400, "subscribeResponse"},
		{"TwoMembers", `{"subscribe":{"requestId":"r"},"unsubscribe":{"requestId":"r"}}`, 400, "subscribeResponse"},
		{"UnknownKind", `{"hello":{"requestId":"r1"}}`, 501, "response"},
		{"WrongFieldType", `{"subscribe":{"requestId":"r","expires":"soon"}}`, 400, "subscribeResponse"},
		{"NoRequestID", `{"subscribe":{"requestType":"EIDO","requestSubType":"new"}}`, 400, "subscribeResponse"},
		{"NoRequestType", `{"subscribe":{"requestId":"r","requestSubType":"new"}}`, 400, "subscribeResponse"},
		{"OtherRequestType", `{"subscribe":{"requestId":"r","requestType":"CAD","requestSubType":"new"}}`, 400, "subscribeResponse"},
		{"NotAcceptable", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","requestAccepts":"application/xml"}}`, 406, "subscribeResponse"},
		{"NoSubType", `{"subscribe":{"requestId":"r","requestType":"EIDO"}}`, 400, "subscribeResponse"},
		{"SingleWithoutIncident", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"single"}}`, 400, "subscribeResponse"},
		{"NewWithIncident", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","incidentId":"x"}}`, 400, "subscribeResponse"},
		{"FilterWithIncident", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"single","incidentId":"x","qualFilter":"a"}}`, 400, "subscribeResponse"},
		{"Resource", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"resource"}}`, 400, "subscribeResponse"},
		{"NegativeRate", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","minRate":-1}}`, 400, "subscribeResponse"},
		{"MaxRateAboveMinRate", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","minRate":10,"maxRate":30}}`, 400, "subscribeResponse"},
		{"SinceWithSingle", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"single","incidentId":"x","since":"2026-12-07T12:00:00Z"}}`, 400, "subscribeResponse"},
		{"SinceNotATime", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","since":"yesterday"}}`, 400, "subscribeResponse"},
		{"NegativeExpires", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","expires":-5}}`, 400, "subscribeResponse"},
		{"NoSuchIncident", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"single","incidentId":"metro-2026-999999"}}`, 404, "subscribeResponse"},
		{"AnotherAgencysIncident", `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"single","incidentId":"` + theirs + `"}}`, 404, "subscribeResponse"},
		{"RenewUnknown", `{"subscribe":{"requestId":"r","subscriptionId":"nope","expires":60}}`, 481, "subscribeResponse"},
		{"UnsubscribeUnknown", `{"unsubscribe":{"requestId":"r","subscriptionId":"nope"}}`, 481, "unsubscribeResponse"},
		{"UnsubscribeWithoutID", `{"unsubscribe":{"requestId":"r"}}`, 400, "unsubscribeResponse"},
		{"NotifierMessage", `{"terminate":{"requestId":"r","subscriptionId":"s"}}`, 501, "response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.sendRaw(tc.msg)
			m := c.recv()
			var status int
			var kind string
			switch {
			case m.SubscribeResponse != nil:
				kind, status = "subscribeResponse", m.SubscribeResponse.StatusCode
			case m.UnsubscribeResponse != nil:
				kind, status = "unsubscribeResponse", m.UnsubscribeResponse.StatusCode
			case m.Response != nil:
				kind, status = "response", m.Response.StatusCode
				if tc.status == 501 && m.Response.StatusText != "Not implemented" {
					t.Errorf("statusText = %q, want %q", m.Response.StatusText, "Not implemented")
				}
			}
			if kind != tc.kind || status != tc.status {
				t.Errorf("answer to %s = %s %d (%+v), want %s %d", tc.msg, kind, status, m, tc.kind, tc.status)
			}
		})
	}
}

// A single subscription gets the incident's EIDO at once and after each
// change; maxRate coalesces changes into one notification of the latest
// state; minRate sends the current state again after a quiet spell; a
// subscription expires with a terminate and, the last one gone, the
// socket closes. The notifier's clock is a fake one.
func TestSubscriptionLife(t *testing.T) {
	n := conveyancetest.MustOpenNode(t, "metro.example", "metro")
	clock := &fakeClock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	n.Notifier.SetClock(clock.Now)
	x := n.MustCreateIncident(t, "metro", "ASSAULT")
	c := dial(t, n, n.MustCreatePartner(t, "liaison", "metro", dispatch.RoleLiaison))

	r := c.subscribe(conveyance.Subscribe{RequestID: "r1", RequestType: "EIDO", RequestSubType: "single",
		IncidentID: urn(n, x), MaxRate: ip(10), MinRate: ip(60), Expires: ip(5)})
	if r.StatusCode != 200 || r.RequestID != "r1" || r.SubscriptionID == "" {
		t.Fatalf("subscribeResponse = %+v, want 200 for r1 with a subscriptionId", r)
	}
	if r.Expires == nil || *r.Expires != int(conveyance.MinExpires/time.Second) {
		t.Errorf("expires granted = %v, want the least, %v", r.Expires, conveyance.MinExpires)
	}
	if r.MaxRate == nil || *r.MaxRate != 10 || r.MinRate == nil || *r.MinRate != 60 {
		t.Errorf("rates granted = %v, %v; want 10, 60", r.MaxRate, r.MinRate)
	}
	sub := r.SubscriptionID
	if docs := c.event(sub); len(docs) != 1 || docs[0].Incident.Internal != x || len(docs[0].Notes) != 0 {
		t.Fatalf("first notification = %+v, want x's EIDO with no note", docs)
	}

	// Two changes within maxRate: one notification, of the latest state.
	n.MustExecute(t, dispatch.AddNote{Incident: x, Text: "one"})
	n.MustExecute(t, dispatch.AddNote{Incident: x, Text: "two"})
	clock.Advance(10 * time.Second)
	n.Notifier.Wake()
	if docs := c.event(sub); len(docs) != 1 || len(docs[0].Notes) != 2 {
		t.Fatalf("notification after maxRate = %+v, want x with both notes at once", docs)
	}

	// Renewal: the life starts again.
	r = c.subscribe(conveyance.Subscribe{RequestID: "r2", SubscriptionID: sub, Expires: ip(120)})
	if r.StatusCode != 200 || r.SubscriptionID != sub || r.Expires == nil || *r.Expires != 120 {
		t.Fatalf("renewal = %+v, want 200 with expires 120", r)
	}

	// Nothing changes for minRate: the current state again.
	clock.Advance(60 * time.Second)
	n.Notifier.Wake()
	if docs := c.event(sub); len(docs) != 1 || len(docs[0].Notes) != 2 {
		t.Fatalf("minRate notification = %+v, want x as it is", docs)
	}

	// Expiry: a terminate, then the socket closes.
	clock.Advance(61 * time.Second)
	n.Notifier.Wake()
	m := c.recv()
	if m.Terminate == nil || m.Terminate.SubscriptionID != sub || m.Terminate.RequestID == "" {
		t.Fatalf("after expiry: %+v, want a terminate of %s", m, sub)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, _, err := c.ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("after the last subscription expired: Read = %v, want a normal closure", err)
	}
}

// A subscription to new incidents gets an empty notification at once when
// none is active, then each new incident the partner may see, and not
// another agency's; an unsubscribe ends it.
func TestNewIncidents(t *testing.T) {
	n := conveyancetest.MustOpenNode(t, "metro.example", "metro", "sheriff")
	c := dial(t, n, n.MustCreatePartner(t, "liaison", "metro", dispatch.RoleLiaison))
	r := c.subscribe(conveyance.Subscribe{RequestID: "r1", RequestType: "eido", RequestSubType: "new",
		RequestAccepts: "application/emergency.eido+json; version=1"})
	if r.StatusCode != 200 {
		t.Fatalf("subscribeResponse = %+v, want 200", r)
	}
	if docs := c.event(r.SubscriptionID); len(docs) != 0 {
		t.Fatalf("first notification = %+v, want an empty one: no active incident", docs)
	}
	n.MustCreateIncident(t, "sheriff", "THEFT")
	x := n.MustCreateIncident(t, "metro", "ASSAULT")
	if docs := c.event(r.SubscriptionID); len(docs) != 1 || docs[0].Incident.Internal != x {
		t.Fatalf("notification = %+v, want metro's new incident %s alone", docs, x)
	}
	c.send(conveyance.Message{Unsubscribe: &conveyance.Unsubscribe{RequestID: "r2", SubscriptionID: r.SubscriptionID}})
	m := c.recv()
	if m.UnsubscribeResponse == nil || m.UnsubscribeResponse.StatusCode != 200 || m.UnsubscribeResponse.SubscriptionID != r.SubscriptionID {
		t.Fatalf("answer to unsubscribe = %+v, want 200", m)
	}
	c.send(conveyance.Message{Unsubscribe: &conveyance.Unsubscribe{RequestID: "r3", SubscriptionID: r.SubscriptionID}})
	if m := c.recv(); m.UnsubscribeResponse == nil || m.UnsubscribeResponse.StatusCode != 481 {
		t.Fatalf("second unsubscribe = %+v, want 481", m)
	}
}

// One change sent to many subscriptions is one event of the log, listing
// every subscription it went to, not one event per EIDO sent.
func TestOneEventPerBatch(t *testing.T) {
	defer func(d time.Duration) { conveyancetest.RecordEvery = d }(conveyancetest.RecordEvery)
	conveyancetest.RecordEvery = time.Hour // the test flushes
	n := conveyancetest.MustOpenNode(t, "metro.example", "metro")
	x := n.MustCreateIncident(t, "metro", "ASSAULT")
	token := n.MustCreatePartner(t, "liaison", "metro", dispatch.RoleLiaison)
	subs := map[string]bool{}
	var clients []*client
	for range 5 {
		c := dial(t, n, token)
		r := c.subscribe(conveyance.Subscribe{RequestID: "r", RequestType: "EIDO", RequestSubType: "single", IncidentID: x})
		c.event(r.SubscriptionID)
		subs[r.SubscriptionID] = true
		clients = append(clients, c)
	}
	n.Notifier.Flush(context.Background())
	before := n.Notifier.Recorded()
	n.MustExecute(t, dispatch.AddNote{Incident: x, Text: "one change"})
	var hash string
	for _, c := range clients {
		m := c.recv()
		if m.Event == nil || len(m.Event.Notification) != 1 {
			t.Fatalf("message = %+v, want the change", m)
		}
		if h := sha(m.Event.Notification[0]); hash == "" {
			hash = h
		} else if h != hash {
			t.Fatalf("the same change was sent as two documents to one account")
		}
	}
	n.Notifier.Flush(context.Background())
	if got := n.Notifier.Recorded() - before; got != 1 {
		t.Fatalf("events recorded for one change to 5 subscriptions = %d, want 1", got)
	}
	sent := n.Entries(t, dispatch.TypeEIDOSent)
	var en struct {
		Data dispatch.EIDOConveyed `json:"data"`
	}
	if err := json.Unmarshal(sent[len(sent)-1].Entry, &en); err != nil {
		t.Fatal(err)
	}
	if len(en.Data.EIDOs) != 1 || en.Data.EIDOs[0].SHA256 != hash || len(en.Data.EIDOs[0].Recipients) != 5 {
		t.Fatalf("eido.sent = %+v, want one EIDO of hash %s to 5 subscriptions", en.Data, hash)
	}
	for _, r := range en.Data.EIDOs[0].Recipients {
		if !subs[r.Subscription] {
			t.Errorf("recipient %+v is none of the subscriptions", r)
		}
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// A request up to 65,536 bytes is read (STA-024.1a section 2.1.1); a larger
// one closes the socket as too big (1009).
func TestRequestSize(t *testing.T) {
	n := conveyancetest.MustOpenNode(t, "metro.example", "metro")
	c := dial(t, n, n.MustCreatePartner(t, "liaison", "metro", dispatch.RoleLiaison))
	pad := func(size int) string {
		head := `{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","qualFilter":"`
		tail := `"}}`
		return head + strings.Repeat("a", size-len(head)-len(tail)) + tail
	}
	c.sendRaw(pad(conveyance.MaxRequestSize))
	if m := c.recv(); m.SubscribeResponse == nil || m.SubscribeResponse.StatusCode != 400 {
		t.Fatalf("answer to a request of %d bytes = %+v, want a 400 (qualFilter is not supported)", conveyance.MaxRequestSize, m)
	}
	c.sendRaw(pad(conveyance.MaxRequestSize + 1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, _, err := c.ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("after a request of %d bytes: Read = %v, want close 1009", conveyance.MaxRequestSize+1, err)
	}
}
