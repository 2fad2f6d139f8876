package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/eido/conveyance/conveyancetest"
	"github.com/tenfour-cad/tenfour/eido/eidotest"
)

// tenfour serve is an EIDO notifier: a partner's account subscribes over
// WebSocket to one of its agency's incidents, by the incident's tracking
// identifier, and receives the Retrieval Service's EIDO of it, valid by
// NENA's schema, at once and after a change; the sending is in the log.
func TestServeConveysEIDOs(t *testing.T) {
	n := startNode(t, "serve", t.TempDir())
	admin := adminAPI(t, n)
	mustCreateAgency(t, admin, "metro")
	admin.mustCreate(t, "/api/v1/users", map[string]any{"username": "county-cad", "agency": "metro", "roles": []string{"liaison"}, "password": "correct horse battery"})
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/county-cad/tokens", map[string]any{"name": "county CAD"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token = %v, %v", tok, err)
	}
	var in struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/incidents", map[string]any{"agency": "metro", "type": "ASSAULT",
		"location": map[string]any{"text": "3900 S Kedzie Ave"}}), &in); err != nil || in.ID == "" {
		t.Fatalf("incident = %v, %v", in, err)
	}
	var doc struct {
		ID string `json:"$id"`
	}
	if err := json.Unmarshal(admin.mustGet(t, "/eido/v1/EIDO/"+in.ID), &doc); err != nil || doc.ID == "" {
		t.Fatalf("GET /eido/v1/EIDO/%s = %v, %v", in.ID, doc, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(n.url, "http")+"/eido/v1/ent", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + tok.Token}}, Subprotocols: []string{conveyance.Subprotocol}})
	if err != nil {
		t.Fatalf("Dial = %v", err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(conveyance.MaxNotificationSize)
	send := func(m conveyance.Message) {
		b, _ := json.Marshal(m)
		if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatalf("Write = %v", err)
		}
	}
	recv := func() conveyance.Message {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("Read = %v", err)
		}
		m, _, _, err := conveyance.ParseMessage(b)
		if err != nil {
			t.Fatalf("ParseMessage(%s) = %v", b, err)
		}
		return m
	}
	send(conveyance.Message{Subscribe: &conveyance.Subscribe{RequestID: "r1", RequestType: "EIDO", RequestSubType: "single", IncidentID: doc.ID}})
	r := recv()
	if r.SubscribeResponse == nil || r.SubscribeResponse.StatusCode != 200 {
		t.Fatalf("answer = %+v, want a subscribeResponse 200", r)
	}
	eidoOf := func() []byte {
		m := recv()
		if m.Event == nil || len(m.Event.Notification) != 1 {
			t.Fatalf("message = %+v, want an event with one EIDO", m)
		}
		eidotest.Validate(t, m.Event.Notification[0])
		return m.Event.Notification[0]
	}
	if b := eidoOf(); !strings.Contains(string(b), doc.ID) {
		t.Errorf("the EIDO sent is not %s's: %s", doc.ID, b)
	}
	if status, b, err := admin.do("POST", "/api/v1/incidents/"+in.ID+"/notes", map[string]any{"text": "suspect left northbound"}); err != nil || status != http.StatusOK {
		t.Fatalf("POST notes = %d %s %v, want 200", status, b, err)
	}
	if b := eidoOf(); !strings.Contains(string(b), "suspect left northbound") {
		t.Errorf("the EIDO after a note lacks it: %s", b)
	}
	// The conveyance is in the incident's timeline.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(string(admin.mustGet(t, "/api/v1/incidents/"+in.ID+"/timeline")), `"eido.sent"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no eido.sent in %s's timeline", in.ID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serve refuses EIDO conveyance flags that do not go together, naming
// what is missing, before it opens anything.
func TestServeEIDOFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--eido-subscribe", "wss://partner.example/eido/v1/ent"}, "--eido-token-file"},
		{[]string{"--eido-subscribe", "https://partner.example/eido/v1/ent", "--eido-token-file", "x", "--eido-agency", "county"}, "ws:// or wss://"},
		{[]string{"--eido-subscribe", "wss://partner.example/eido/v1/ent", "--eido-token-file", "/nonexistent/token", "--eido-agency", "county"}, "--eido-token-file"},
		{[]string{"--eido-subscribe", "wss://p.example/eido/v1/ent", "--eido-token-file", "x"}, "--eido-agency"},
		{[]string{"--partner-certs", "pins.txt"}, "--tls-client-ca"},
		{[]string{"--eido-client-cert", "c.pem"}, "--eido-client-key"},
	} {
		_, stderr, code := runTenfour(t, append([]string{"serve", "--data", t.TempDir()}, tc.args...)...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %q = exit %d, %q; want an error naming %s", tc.args, code, stderr, tc.want)
		}
	}
}

// Two tenfour nodes: metro's notifies, the county's subscribes with
// --eido-subscribe through a network that drops. Each incident metro
// creates, and each change of it, becomes or updates an incident of the
// county through the import; after the drop the county comes back and
// misses nothing — a note added, an incident created, and one created and
// closed meanwhile arrive.
// Both logs record the conveyance in the incidents' timelines.
func TestServeTwoNodesConvey(t *testing.T) {
	a := startNode(t, "serve", t.TempDir())
	adminA := adminAPI(t, a)
	mustCreateAgency(t, adminA, "metro")
	adminA.mustCreate(t, "/api/v1/users", map[string]any{"username": "county-cad", "agency": "metro", "roles": []string{"liaison"}, "password": "correct horse battery"})
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(adminA.mustCreate(t, "/api/v1/users/county-cad/tokens", map[string]any{"name": "county CAD"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token = %v, %v", tok, err)
	}
	tokenFile := filepath.Join(t.TempDir(), "metro.token")
	if err := os.WriteFile(tokenFile, []byte(tok.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proxy := conveyancetest.MustProxy(t, strings.TrimPrefix(a.url, "http://"))
	b := startNode(t, "serve", t.TempDir(), "--eido-subscribe", "ws://"+proxy.Addr()+"/eido/v1/ent",
		"--eido-token-file", tokenFile, "--eido-agency", "county")
	adminB := adminAPI(t, b)
	adminB.mustCreate(t, "/api/v1/agencies", map[string]string{"id": "county", "name": "County Sheriff", "kind": "sheriff"})

	create := func(text string) (id, urn string) {
		var in struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(adminA.mustCreate(t, "/api/v1/incidents", map[string]any{"agency": "metro", "type": "ASSAULT",
			"location": map[string]any{"text": text}}), &in); err != nil || in.ID == "" {
			t.Fatalf("incident = %v, %v", in, err)
		}
		var doc struct {
			ID string `json:"$id"`
		}
		if err := json.Unmarshal(adminA.mustGet(t, "/eido/v1/EIDO/"+in.ID), &doc); err != nil {
			t.Fatal(err)
		}
		return in.ID, doc.ID
	}
	note := func(id, text string) {
		if status, body, err := adminA.do("POST", "/api/v1/incidents/"+id+"/notes", map[string]any{"text": text}); err != nil || status != http.StatusOK {
			t.Fatalf("POST notes = %d %s %v", status, body, err)
		}
	}
	// awaitB waits until the county's incident imported from urn holds want.
	awaitB := func(urn, want string) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			var list struct {
				Incidents []struct {
					ID     string `json:"id"`
					Import *struct {
						Ref string `json:"ref"`
					} `json:"import"`
				} `json:"incidents"`
			}
			if err := json.Unmarshal(adminB.mustGet(t, "/api/v1/incidents"), &list); err != nil {
				t.Fatal(err)
			}
			for _, in := range list.Incidents {
				if in.Import != nil && in.Import.Ref == urn {
					if strings.Contains(string(adminB.mustGet(t, "/api/v1/incidents/"+in.ID)), want) {
						return in.ID
					}
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("the county never had %s with %q\n%s", urn, want, b.out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	x, xURN := create("3900 S Kedzie Ave")
	local := awaitB(xURN, "3900 S Kedzie Ave")
	note(x, "suspect left northbound")
	awaitB(xURN, "suspect left northbound")

	proxy.Cut(true)
	note(x, "noted while the county was away")
	_, yURN := create("4000 S Kedzie Ave")
	v, vURN := create("4100 S Kedzie Ave") // created and closed meanwhile
	if status, body, err := adminA.do("POST", "/api/v1/incidents/"+v+"/clear", map[string]any{"disposition": "gone on arrival"}); err != nil || status != http.StatusOK {
		t.Fatalf("POST clear = %d %s %v", status, body, err)
	}
	proxy.Up()
	awaitB(xURN, "noted while the county was away")
	awaitB(yURN, "4000 S Kedzie Ave")
	awaitB(vURN, "4100 S Kedzie Ave")

	if !strings.Contains(string(adminA.mustGet(t, "/api/v1/incidents/"+x+"/timeline")), `"eido.sent"`) {
		t.Errorf("metro's timeline of %s has no eido.sent", x)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(string(adminB.mustGet(t, "/api/v1/incidents/"+local+"/timeline")), `"eido.received"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the county's timeline of %s has no eido.received", local)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
