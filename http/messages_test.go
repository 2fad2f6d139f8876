package http_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

type messageList struct {
	Messages []dispatch.Message `json:"messages"`
}

// TestMessages sends a message from a dispatcher to a unit through the API:
// it reaches the unit's stream and inbox and no one else's, its text is a
// commitment in the log, the unit's receipts reach the sender, and the
// unit's answer to the dispatch desk reaches the agency's dispatchers.
func TestMessages(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A13", Agency: "metro", Kind: "patrol"})
	disp := ts.MustCreateUser(t, "disp", "metro", dispatch.RoleDispatcher)
	off1 := ts.MustCreateUser(t, "off1", "metro", dispatch.RoleOfficer)
	off2 := ts.MustCreateUser(t, "off2", "metro", dispatch.RoleOfficer)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)

	unitStream, cancel1 := openStreamAt(t, ts, "/api/v1/stream?unit=metro.1a12", off1, "")
	defer cancel1()
	otherStream, cancel2 := openStreamAt(t, ts, "/api/v1/stream?unit=metro.1a13", off2, "")
	defer cancel2()
	dispStream, cancel3 := openStream(t, ts, disp, "")
	defer cancel3()

	before := ts.Engine.Log().Size()
	var m dispatch.Message
	MustJSON(t, "POST /api/v1/messages", ts.Do(t, "POST", "/api/v1/messages", disp,
		map[string]any{"to": []string{"unit:metro.1a12"}, "text": "meet the caller at the rear gate"}), 201, &m)
	if m.ID == "" || m.From.User != "disp" || len(m.Recipients) != 1 || m.Recipients[0] != "unit:metro.1a12" || m.Text != "meet the caller at the rear gate" {
		t.Fatalf("POST /api/v1/messages = %+v, want the message to unit:metro.1a12", m)
	}
	if ev := nextMessage(t, unitStream); ev.Event != dispatch.TypeMessageSent || strings.Contains(ev.Data, "rear gate") {
		t.Fatalf("the unit's stream got %s %s, want message.sent without the text", ev.Event, ev.Data)
	}
	if ev := nextMessage(t, dispStream); ev.Event != dispatch.TypeMessageSent {
		t.Fatalf("the sender's stream got %s, want message.sent", ev.Event)
	}
	raw, err := ts.Store.ReadEntries(t.Context(), before, ts.Engine.Log().Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, leaf := range raw {
		if bytes.Contains(leaf, []byte("rear gate")) {
			t.Errorf("a log leaf holds the message's text in clear: %s", leaf)
		}
	}

	// Only addressees (and the sender) see it.
	var list messageList
	MustJSON(t, "GET messages as the unit", ts.Do(t, "GET", "/api/v1/messages?unit=metro.1a12", off1, nil), 200, &list)
	if len(list.Messages) != 1 || list.Messages[0].Text != "meet the caller at the rear gate" {
		t.Errorf("GET /api/v1/messages?unit=metro.1a12 = %+v, want the message", list.Messages)
	}
	for _, who := range []struct{ name, token, path string }{
		{"another unit", off2, "/api/v1/messages?unit=metro.1a13"},
		{"an officer with no unit", off2, "/api/v1/messages"},
	} {
		MustJSON(t, "GET messages as "+who.name, ts.Do(t, "GET", who.path, who.token, nil), 200, &list)
		if len(list.Messages) != 0 {
			t.Errorf("GET %s as %s = %+v, want none", who.path, who.name, list.Messages)
		}
	}
	CheckProblem(t, "GET messages of another agency's unit", ts.Do(t, "GET", "/api/v1/messages?unit=metro.1a12", deputy, nil), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "POST read by another agency", ts.Do(t, "POST", "/api/v1/messages/"+m.ID+"/read", deputy, map[string]string{"unit": "metro.1a12"}), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "POST read by a non-recipient", ts.Do(t, "POST", "/api/v1/messages/"+m.ID+"/read", off2, map[string]string{"unit": "metro.1a13"}), 404, dispatch.ENOTFOUND, "does not exist")

	// Receipts: delivered, then read; both reach the sender.
	MustJSON(t, "POST delivered", ts.Do(t, "POST", "/api/v1/messages/"+m.ID+"/delivered", off1, map[string]string{"unit": "metro.1a12"}), 200, &m)
	if _, ok := m.Delivered["unit:metro.1a12"]; !ok || len(m.Read) != 0 {
		t.Errorf("after delivered: delivered %v read %v, want delivered only", m.Delivered, m.Read)
	}
	MustJSON(t, "POST read", ts.Do(t, "POST", "/api/v1/messages/"+m.ID+"/read", off1, map[string]string{"unit": "metro.1a12"}), 200, &m)
	if _, ok := m.Read["unit:metro.1a12"]; !ok {
		t.Errorf("after read: read %v, want the unit's receipt", m.Read)
	}
	size := ts.Engine.Log().Size()
	MustJSON(t, "POST read again", ts.Do(t, "POST", "/api/v1/messages/"+m.ID+"/read", off1, map[string]string{"unit": "metro.1a12"}), 200, &m)
	if ts.Engine.Log().Size() != size {
		t.Errorf("a second read receipt appended %d events, want none", ts.Engine.Log().Size()-size)
	}
	for _, want := range []string{dispatch.TypeMessageDelivered, dispatch.TypeMessageRead} {
		if ev := nextMessage(t, dispStream); ev.Event != want || !strings.Contains(ev.Data, `"recipient":"unit:metro.1a12"`) {
			t.Errorf("the sender's stream got %s %s, want %s from unit:metro.1a12", ev.Event, ev.Data, want)
		}
	}
	MustJSON(t, "GET messages as the sender", ts.Do(t, "GET", "/api/v1/messages", disp, nil), 200, &list)
	if len(list.Messages) != 1 || len(list.Messages[0].Read) != 1 {
		t.Errorf("the sender's messages = %+v, want the message, read", list.Messages)
	}

	// The unit answers the dispatch desk: the agency's dispatchers see it.
	var reply dispatch.Message
	MustJSON(t, "POST reply", ts.Do(t, "POST", "/api/v1/messages", off1,
		map[string]any{"from_unit": "metro.1a12", "to": []string{"dispatch"}, "text": "copy, on my way"}), 201, &reply)
	if len(reply.Recipients) != 1 || reply.Recipients[0] != "dispatch:metro" || reply.FromUnit != "metro.1a12" {
		t.Errorf("reply = %+v, want it to dispatch:metro from metro.1a12", reply)
	}
	MustJSON(t, "GET messages as the dispatcher", ts.Do(t, "GET", "/api/v1/messages", disp, nil), 200, &list)
	if len(list.Messages) != 2 || list.Messages[0].Text != "copy, on my way" {
		t.Errorf("the dispatcher's messages = %+v, want both, the reply first (newest first)", list.Messages)
	}

	// The other unit's stream got none of these: its first event is the
	// message to it.
	var second dispatch.Message
	MustJSON(t, "POST to the other unit", ts.Do(t, "POST", "/api/v1/messages", disp,
		map[string]any{"to": []string{"unit:metro.1a13"}, "text": "stand by"}), 201, &second)
	if ev := nextMessage(t, otherStream); ev.Event != dispatch.TypeMessageSent || !strings.Contains(ev.Data, `"message":"`+second.ID+`"`) {
		t.Errorf("the other unit's first event = %s %s, want message.sent of %s only", ev.Event, ev.Data, second.ID)
	}

	CheckProblem(t, "POST message to another agency's unit", ts.Do(t, "POST", "/api/v1/messages", deputy,
		map[string]any{"to": []string{"unit:metro.1a12"}, "text": "x"}), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "POST empty message", ts.Do(t, "POST", "/api/v1/messages", disp,
		map[string]any{"to": []string{"unit:metro.1a12"}, "text": " "}), 422, dispatch.EINVALID, "message is required")
	CheckProblem(t, "POST message to a bad addressee", ts.Do(t, "POST", "/api/v1/messages", disp,
		map[string]any{"to": []string{"squad:7"}, "text": "x"}), 422, dispatch.EINVALID, "addressee")
}

// nextMessage returns the next message event of a stream, skipping the
// others (token.used and the like).
func nextMessage(t *testing.T, c <-chan sseEvent) sseEvent {
	t.Helper()
	for {
		if ev := next(t, c); strings.HasPrefix(ev.Event, "message.") {
			return ev
		}
	}
}
