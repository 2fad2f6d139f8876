package spectest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The subprotocol STA-024.1a section 2.1.3.1.2 names.
const subprotocol = "emergency-ent1.0"

// A subscriber from the standard: JSON objects with one member each,
// checked against the schema's required fields and types.
type subscriber struct {
	t  *testing.T
	ws *websocket.Conn
}

func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *subscriber) send(kind string, body map[string]any) {
	s.t.Helper()
	b, err := json.Marshal(map[string]any{kind: body})
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.ws.Write(ctx, websocket.MessageText, b); err != nil {
		s.t.Fatalf("send %s: %v", kind, err)
	}
}

// recv reads one message of the notifier and returns its kind and body,
// checking that it is one of notifierMessage's kinds.
func (s *subscriber) recv() (string, map[string]any) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	typ, b, err := s.ws.Read(ctx)
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		s.t.Fatalf("a %v message; the conveyance's messages are JSON text", typ)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		s.t.Fatalf("message %s: not an object of objects: %v", b, err)
	}
	if len(m) != 1 {
		s.t.Fatalf("message %s has %d members, want one", b, len(m))
	}
	for kind, body := range m {
		switch kind {
		case "subscribeResponse", "unsubscribeResponse", "response", "event", "terminate":
			return kind, body
		}
		s.t.Fatalf("message %s: %q is not a notifier's message", b, kind)
	}
	panic("unreachable")
}

// expect reads the next message, which must be of kind, and checks the
// fields the schema requires of it.
func (s *subscriber) expect(kind string) map[string]any {
	s.t.Helper()
	got, body := s.recv()
	if got != kind {
		s.t.Fatalf("message %s %v, want a %s", got, body, kind)
	}
	required := map[string][]string{
		"subscribeResponse":   {"requestId", "statusCode", "statusText"},
		"unsubscribeResponse": {"requestId", "subscriptionId", "statusCode", "statusText"},
		"event":               {"subscriptionId", "transactionId"},
		"terminate":           {"requestId", "subscriptionId"},
	}[kind]
	for _, f := range required {
		if _, ok := body[f]; !ok {
			s.t.Errorf("%s %v lacks %s, which the schema requires", kind, body, f)
		}
	}
	for f, v := range body {
		switch f {
		case "statusCode", "minRate", "maxRate", "expires":
			if n, ok := v.(float64); !ok || n != float64(int(n)) {
				s.t.Errorf("%s.%s = %v, want an integer", kind, f, v)
			}
		case "requestId", "subscriptionId", "transactionId", "statusText":
			if _, ok := v.(string); !ok {
				s.t.Errorf("%s.%s = %v, want a string", kind, f, v)
			}
		case "notification":
			items, ok := v.([]any)
			if !ok {
				s.t.Errorf("event.notification = %v, want an array", v)
			}
			for i, it := range items {
				if _, ok := it.(map[string]any); !ok {
					s.t.Errorf("event.notification[%d] = %v, want an EIDO object", i, it)
				}
			}
		}
	}
	return body
}

// eidos acknowledges an event (eventResponse 200) and returns its EIDOs.
func (s *subscriber) eidos(ev map[string]any) []map[string]any {
	s.t.Helper()
	s.send("eventResponse", map[string]any{"transactionId": ev["transactionId"], "statusCode": 200, "statusText": "OK"})
	var out []map[string]any
	items, _ := ev["notification"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		if v, ok := m["eidoVersion"].(string); !ok || v != "1.0" {
			s.t.Errorf("an EIDO's eidoVersion = %v, want \"1.0\"", m["eidoVersion"])
		}
		if id, ok := m["$id"].(string); !ok || !strings.HasPrefix(id, "urn:emergency:uid:incidentid:") {
			s.t.Errorf("an EIDO's $id = %v, want an incident URN", m["$id"])
		}
		out = append(out, m)
	}
	return out
}

func notes(eido map[string]any) int {
	n, _ := eido["notesComponent"].([]any)
	return len(n)
}

// The subscriber of the standard subscribes to new incidents, receives the
// active one at once, subscribes to it alone, receives its changes, and
// unsubscribes; the notifier answers as the schema says.
func TestSubscriberFromTheStandard(t *testing.T) {
	url, token, create, change := notifier(t)
	first := create()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}, Subprotocols: []string{subprotocol}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.CloseNow()
	if resp.StatusCode != http.StatusSwitchingProtocols || ws.Subprotocol() != subprotocol {
		t.Fatalf("handshake = %d, subprotocol %q; want 101, %q", resp.StatusCode, ws.Subprotocol(), subprotocol)
	}
	ws.SetReadLimit(16 << 20)
	s := &subscriber{t: t, ws: ws}

	// New incidents: answered, then every active incident at once.
	req := uuid()
	s.send("subscribe", map[string]any{"requestId": req, "requestType": "EIDO", "requestSubType": "new", "expires": 3600})
	r := s.expect("subscribeResponse")
	if r["requestId"] != req || r["statusCode"] != 200.0 || r["subscriptionId"] == "" {
		t.Fatalf("subscribeResponse = %v, want 200 for %s with a subscriptionId", r, req)
	}
	newSub := r["subscriptionId"].(string)
	ev := s.expect("event")
	got := s.eidos(ev)
	if ev["subscriptionId"] != newSub || len(got) != 1 {
		t.Fatalf("first event = %v, want the one active incident on %s", ev, newSub)
	}
	incident := got[0]["$id"].(string)
	if !strings.Contains(incident, first) {
		t.Errorf("the active incident's $id = %s, want %s's URN", incident, first)
	}

	// One incident: answered, then its current EIDO, then its changes.
	req = uuid()
	s.send("subscribe", map[string]any{"requestId": req, "requestType": "EIDO", "requestSubType": "single", "incidentId": incident, "expires": 600})
	r = s.expect("subscribeResponse")
	if r["requestId"] != req || r["statusCode"] != 200.0 || r["subscriptionId"] == newSub {
		t.Fatalf("subscribeResponse = %v, want 200 with a subscription of its own", r)
	}
	single := r["subscriptionId"].(string)
	ev = s.expect("event")
	if got := s.eidos(ev); ev["subscriptionId"] != single || len(got) != 1 || got[0]["$id"] != incident || notes(got[0]) != 0 {
		t.Fatalf("event = %v, want %s's current EIDO on %s", ev, incident, single)
	}
	change(first, "a change")
	ev = s.expect("event")
	if got := s.eidos(ev); ev["subscriptionId"] != single || len(got) != 1 || notes(got[0]) != 1 {
		t.Fatalf("event = %v, want %s's EIDO with its note on %s", ev, incident, single)
	}

	// Unsubscribing ends both.
	for _, sub := range []string{single, newSub} {
		req = uuid()
		s.send("unsubscribe", map[string]any{"requestId": req, "subscriptionId": sub})
		r = s.expect("unsubscribeResponse")
		if r["requestId"] != req || r["subscriptionId"] != sub || r["statusCode"] != 200.0 {
			t.Fatalf("unsubscribeResponse = %v, want 200 for %s", r, sub)
		}
	}
	// Nothing more comes of a change: the next message is the answer to
	// a request sent after it.
	change(first, "after unsubscribing")
	create()
	req = uuid()
	s.send("unsubscribe", map[string]any{"requestId": req, "subscriptionId": single})
	r = s.expect("unsubscribeResponse")
	if r["statusCode"] != 481.0 {
		t.Errorf("unsubscribe of an ended subscription = %v, want 481", r)
	}
}
