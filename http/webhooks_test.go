package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	// The receiver checks signatures with the Standard Webhooks
	// specification's reference library, not with package webhook's code.
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/webhook"
)

// webhookAnswer is a subscription as the API shows it, with the secret of
// a new one.
type webhookAnswer struct {
	ID     string   `json:"id"`
	Agency string   `json:"agency"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	State  string   `json:"state"`
	Next   int64    `json:"next"`
	Secret string   `json:"secret"`
}

// mustSubscribe subscribes url to agency's events as the holder of token.
func mustSubscribe(t *testing.T, ts *TestServer, token, agency, url string, events ...string) webhookAnswer {
	t.Helper()
	var w webhookAnswer
	r := ts.Do(t, "POST", "/api/v1/webhooks", token, map[string]any{"agency": agency, "url": url, "events": events})
	MustJSON(t, "POST /api/v1/webhooks", r, http.StatusCreated, &w)
	if loc := r.Header.Get("Location"); loc != "/api/v1/webhooks/"+w.ID {
		t.Errorf("POST /api/v1/webhooks: Location = %q, want /api/v1/webhooks/%s", loc, w.ID)
	}
	return w
}

func TestWebhooksAPI(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	metroAdmin := ts.MustCreateUser(t, "metro-admin", "metro", dispatch.RoleAdmin)
	sheriffAdmin := ts.MustCreateUser(t, "sheriff-admin", "sheriff", dispatch.RoleAdmin)
	dispatcher := ts.MustCreateUser(t, "metro-disp", "metro", dispatch.RoleDispatcher)

	before := ts.Engine.Log().Size()
	const hookURL = "https://records.example.org/tenfour?key=private-routing"
	made := mustSubscribe(t, ts, metroAdmin, "", hookURL, "incident.*", "unit.status_changed")
	if !strings.HasPrefix(made.Secret, "whsec_") || made.Agency != "metro" || made.URL != hookURL || made.State != "active" ||
		!slices.Equal(made.Events, []string{"incident.*", "unit.status_changed"}) || !strings.HasPrefix(made.ID, "wh_") {
		t.Fatalf("POST /api/v1/webhooks = %+v, want metro's subscription with a whsec_ secret", made)
	}

	t.Run("LogRecordsNoSecret", func(t *testing.T) {
		raw, err := ts.Store.ReadEntries(context.Background(), before, ts.Engine.Log().Size())
		if err != nil {
			t.Fatal(err)
		}
		key := strings.TrimPrefix(made.Secret, "whsec_")
		found := false
		for _, b := range raw {
			if bytes.Contains(b, []byte(key)) || bytes.Contains(b, []byte("private-routing")) {
				t.Errorf("a leaf holds the secret or the URL in the clear: %s", b)
			}
			if bytes.Contains(b, []byte(`"type":"webhook.subscribed"`)) {
				found = true
				for _, want := range []string{`"agency":"metro"`, `"webhook":"` + made.ID + `"`, `"events":["incident.*","unit.status_changed"]`, `"/data/url"`} {
					if !bytes.Contains(b, []byte(want)) {
						t.Errorf("webhook.subscribed leaf %s lacks %s", b, want)
					}
				}
			}
		}
		if !found {
			t.Fatal("no webhook.subscribed in the log")
		}
		// The auditor's reading opens the URL, and the actor is the
		// administrator who subscribed.
		for _, e := range ts.Events(t, before) {
			if e.Type == dispatch.TypeWebhookSubscribed && (e.Actor.User != "metro-admin" || !bytes.Contains(e.Data, []byte(hookURL))) {
				t.Errorf("webhook.subscribed opened = actor %+v, data %s; want metro-admin and the URL", e.Actor, e.Data)
			}
		}
	})

	t.Run("SecretShownOnce", func(t *testing.T) {
		key := strings.TrimPrefix(made.Secret, "whsec_")
		for _, path := range []string{"/api/v1/webhooks", "/api/v1/webhooks/" + made.ID, "/api/v1/webhooks/" + made.ID + "/deliveries"} {
			r := ts.Do(t, "GET", path, metroAdmin, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s = %d %s, want 200", path, r.Status, r.Body)
			}
			if bytes.Contains(r.Body, []byte(key)) || bytes.Contains(r.Body, []byte(`"secret"`)) {
				t.Errorf("GET %s shows the secret: %s", path, r.Body)
			}
		}
		var got webhookAnswer
		MustJSON(t, "GET /api/v1/webhooks/{id}", ts.Do(t, "GET", "/api/v1/webhooks/"+made.ID, ts.Admin, nil), http.StatusOK, &got)
		if got.ID != made.ID || got.URL != hookURL || got.Secret != "" {
			t.Errorf("GET /api/v1/webhooks/%s as the installation administrator = %+v", made.ID, got)
		}
	})

	t.Run("BadRequests", func(t *testing.T) {
		tests := []struct {
			name   string
			token  string
			body   any
			status int
			code   string
			detail string
		}{
			{"URLScheme", metroAdmin, map[string]any{"url": "ftp://x.example/", "events": []string{"*"}}, 422, dispatch.EINVALID, "http://"},
			{"URLRelative", metroAdmin, map[string]any{"url": "/hook", "events": []string{"*"}}, 422, dispatch.EINVALID, "absolute"},
			{"URLPassword", metroAdmin, map[string]any{"url": "https://u:p@x.example/", "events": []string{"*"}}, 422, dispatch.EINVALID, "password"},
			{"NoEvents", metroAdmin, map[string]any{"url": "https://x.example/", "events": []string{}}, 422, dispatch.EINVALID, "needs events"},
			{"UnknownEvent", metroAdmin, map[string]any{"url": "https://x.example/", "events": []string{"nothing.*"}}, 422, dispatch.EINVALID, "matches no event type"},
			{"UnknownField", metroAdmin, map[string]any{"url": "https://x.example/", "events": []string{"*"}, "secret": "mine"}, 400, "bad_request", "unknown field"},
			{"NotJSON", metroAdmin, "{", 400, "bad_request", "not a valid JSON"},
			{"InstallationAdminNoAgency", ts.Admin, map[string]any{"url": "https://x.example/", "events": []string{"*"}}, 422, dispatch.EINVALID, "agency is required"},
			{"NoSuchAgency", ts.Admin, map[string]any{"agency": "nowhere", "url": "https://x.example/", "events": []string{"*"}}, 404, dispatch.ENOTFOUND, "nowhere"},
			{"OtherAgency", sheriffAdmin, map[string]any{"agency": "metro", "url": "https://x.example/", "events": []string{"*"}}, 403, dispatch.EFORBIDDEN, "administrator of agency metro"},
			{"NotAdmin", dispatcher, map[string]any{"agency": "metro", "url": "https://x.example/", "events": []string{"*"}}, 403, dispatch.EFORBIDDEN, "not open to your roles"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				size := ts.Engine.Log().Size()
				r := ts.Do(t, "POST", "/api/v1/webhooks", tt.token, tt.body)
				CheckProblem(t, "POST /api/v1/webhooks", r, tt.status, tt.code, tt.detail)
				for _, e := range ts.Events(t, size) {
					if e.Type == dispatch.TypeWebhookSubscribed {
						t.Errorf("a refused subscription was recorded: %+v", e)
					}
				}
			})
		}
		ws, err := ts.Store.Webhooks(context.Background(), "")
		if err != nil || len(ws) != 1 {
			t.Errorf("Webhooks() after refused requests = %d, %v, want only the one made", len(ws), err)
		}
	})

	t.Run("OtherAgencyNotFound", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/webhooks/" + made.ID},
			{"GET", "/api/v1/webhooks/" + made.ID + "/deliveries"},
			{"DELETE", "/api/v1/webhooks/" + made.ID},
			{"GET", "/api/v1/webhooks/wh_none"},
			{"DELETE", "/api/v1/webhooks/wh_none"},
		} {
			token := sheriffAdmin
			if strings.HasSuffix(c.path, "wh_none") {
				token = metroAdmin
			}
			CheckProblem(t, c.method+" "+c.path, ts.Do(t, c.method, c.path, token, nil), http.StatusNotFound, dispatch.ENOTFOUND, "does not exist")
		}
		r := ts.Do(t, "GET", "/api/v1/webhooks?agency=metro", sheriffAdmin, nil)
		CheckProblem(t, "GET /api/v1/webhooks?agency=metro as sheriff", r, http.StatusForbidden, dispatch.EFORBIDDEN, "metro")
		var list struct{ Webhooks []webhookAnswer }
		MustJSON(t, "GET /api/v1/webhooks as sheriff", ts.Do(t, "GET", "/api/v1/webhooks", sheriffAdmin, nil), http.StatusOK, &list)
		if len(list.Webhooks) != 0 {
			t.Errorf("GET /api/v1/webhooks as sheriff = %+v, want none of metro's", list.Webhooks)
		}
		r = ts.Do(t, "GET", "/api/v1/webhooks?limit=0", metroAdmin, nil)
		CheckProblem(t, "GET /api/v1/webhooks?limit=0", r, http.StatusBadRequest, "bad_request", "limit")
		r = ts.Do(t, "GET", "/api/v1/webhooks?colour=red", metroAdmin, nil)
		CheckProblem(t, "GET /api/v1/webhooks?colour=red", r, http.StatusBadRequest, "bad_request", "colour")
	})

	t.Run("Paging", func(t *testing.T) {
		want := []string{made.ID}
		for i := range 4 {
			w := mustSubscribe(t, ts, ts.Admin, "metro", "https://x.example/"+string(rune('a'+i)), "*")
			want = append([]string{w.ID}, want...) // newest first
		}
		var got []string
		path := "/api/v1/webhooks?limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("more pages than subscriptions")
			}
			var page struct{ Webhooks []webhookAnswer }
			r := ts.Do(t, "GET", path, metroAdmin, nil)
			MustJSON(t, "GET "+path, r, http.StatusOK, &page)
			for _, w := range page.Webhooks {
				got = append(got, w.ID)
			}
			path = ""
			if link := r.Header.Get("Link"); link != "" {
				path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("GET /api/v1/webhooks by pages of 2 = %v, want %v (newest first)", got, want)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		size := ts.Engine.Log().Size()
		if r := ts.Do(t, "DELETE", "/api/v1/webhooks/"+made.ID, metroAdmin, nil); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE /api/v1/webhooks/%s = %d %s, want 204", made.ID, r.Status, r.Body)
		}
		CheckProblem(t, "GET after DELETE", ts.Do(t, "GET", "/api/v1/webhooks/"+made.ID, metroAdmin, nil), http.StatusNotFound, dispatch.ENOTFOUND, "does not exist")
		var n int
		for _, e := range ts.Events(t, size) {
			if e.Type == dispatch.TypeWebhookUnsubscribed && e.Subject["webhook"] == made.ID && e.Agency == "metro" && e.Actor.User == "metro-admin" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d webhook.unsubscribed events by metro-admin, want 1", n)
		}
	})
}

// A receiver is a partner's webhook endpoint on loopback. It checks every
// delivery's signature with the reference library, and counts deliveries
// by webhook-id. While down it answers 503.
type receiver struct {
	t   *testing.T
	ref *standardwebhooks.Webhook

	mu       sync.Mutex
	down     bool
	refused  int              // attempts answered 503
	byID     map[string]int   // deliveries accepted, by webhook-id
	seqs     []int64          // the events accepted, in arrival order, first time each
	bodies   map[int64][]byte // each event's body
	bad      []string         // what failed verification
	changed  chan struct{}
	received map[string]string // webhook-id → type
	byNode   map[string]int    // attempts by the node that sent them (tagged)
}

func newReceiver(t *testing.T, secret string) (*receiver, *httptest.Server) {
	ref, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatalf("standardwebhooks.NewWebhook = %v", err)
	}
	rc := &receiver{t: t, ref: ref, byID: map[string]int{}, bodies: map[int64][]byte{}, received: map[string]string{}, byNode: map[string]int{}, changed: make(chan struct{}, 1)}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer func() {
		rc.mu.Unlock()
		select {
		case rc.changed <- struct{}{}:
		default:
		}
	}()
	rc.byNode[r.Header.Get(testNodeHeader)]++
	if rc.down {
		rc.refused++
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		rc.bad = append(rc.bad, r.Method+" "+r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if err := rc.ref.Verify(body, r.Header); err != nil {
		rc.bad = append(rc.bad, "signature: "+err.Error())
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev struct {
		Seq    int64  `json:"seq"`
		Type   string `json:"type"`
		Agency string `json:"agency"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.bad = append(rc.bad, "body: "+err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	id := r.Header.Get("webhook-id")
	if rc.byID[id]++; rc.byID[id] == 1 {
		rc.seqs = append(rc.seqs, ev.Seq)
		rc.bodies[ev.Seq] = body
		rc.received[id] = ev.Type
	}
	w.WriteHeader(http.StatusNoContent)
}

// await waits until cond holds of the receiver, or fails the test after a
// generous deadline.
func (rc *receiver) await(what string, cond func(rc *receiver) bool) {
	rc.t.Helper()
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	for {
		rc.mu.Lock()
		ok := cond(rc)
		rc.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-rc.changed:
		case <-deadline.C:
			rc.mu.Lock()
			defer rc.mu.Unlock()
			rc.t.Fatalf("waiting for %s: got %d events (%v), %d refused, bad %v", what, len(rc.seqs), rc.seqs, rc.refused, rc.bad)
		}
	}
}

// testNodeHeader tags each attempt with the node whose deliverer sent it,
// for the receiver to count.
const testNodeHeader = "Test-Node"

// tagging is a transport that tags each request with its node.
type tagging string

func (n tagging) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(testNodeHeader, string(n))
	return http.DefaultTransport.RoundTrip(r)
}

// runDeliverer runs a deliverer for ts until the returned stop is called
// (or the test ends), with retries fast enough for a test; its attempts
// are tagged with node.
func runDeliverer(t *testing.T, ts *TestServer, node string) (stop func()) {
	t.Helper()
	d := webhook.NewDeliverer(ts.Engine, ts.Store)
	d.Backoff, d.MaxBackoff, d.Poll = 5*time.Millisecond, 50*time.Millisecond, 20*time.Millisecond
	d.Client = &http.Client{Transport: tagging(node), Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Deliverer.Run = %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// TestWebhookDelivery: a partner of metro receives, signed, every event
// metro may see from its subscription on, exactly once by webhook-id and in
// log order, across an outage of the receiver and a restart of the
// deliverer; and none of the sheriff's.
func TestWebhookDelivery(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "1 Main St"}, Caller: dispatch.Caller{Name: "Before Subscription"}})

	// The secret is known only once the subscription is made; the
	// receiver's URL must be known before. A handler that waits for it
	// bridges the two.
	var rc *receiver
	ready := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-ready
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	sub := mustSubscribe(t, ts, ts.Admin, "metro", srv.URL+"/tenfour", "*")
	rc, _ = newReceiver(t, sub.Secret)
	close(ready)
	// Sheriff's own subscription, to another receiver: it must not get
	// metro's events either.
	sheriffRC, sheriffSrv := newReceiver(t, "whsec_c2hlcmlmZnMgb3duIHNlY3JldCBrZXkgb2YgMzIgYnl0ZXM=")
	sheriffSub := mustSubscribe(t, ts, ts.Admin, "sheriff", sheriffSrv.URL, "incident.*")
	sheriffRC.ref, _ = standardwebhooks.NewWebhook(sheriffSub.Secret)

	// While the receiver is down, events happen for both agencies.
	rc.mu.Lock()
	rc.down = true
	rc.mu.Unlock()
	stop := runDeliverer(t, ts, "first")
	turn := 0 // each unit goes BUSY, then AVAILABLE, in turn
	incidents := func(n int, tag string) {
		for range n {
			i := turn
			turn++
			ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "1 Main St"},
				Caller: dispatch.Caller{Name: tag}, Narrative: tag + " narrative"})
			ts.MustExecute(t, dispatch.CreateIncident{Agency: "sheriff", Type: "THEFT", Location: dispatch.Location{Text: "9 County Rd"}, Narrative: "sheriff only"})
			ts.MustExecute(t, dispatch.SetUnitStatus{Unit: pick(i, "metro.1a12", "sheriff.s1"), Status: pick(i/2, dispatch.StatusBusy, dispatch.StatusAvailable)})
		}
	}
	incidents(6, "During Outage")
	rc.await("retried attempts during the outage", func(rc *receiver) bool { return rc.refused >= 5 })
	// Metro's administrators see the subscription retrying, and why.
	var during webhookAnswer
	MustJSON(t, "GET webhook during the outage", ts.Do(t, "GET", "/api/v1/webhooks/"+sub.ID, ts.Admin, nil), http.StatusOK, &during)
	if during.State != "retrying" {
		t.Errorf("subscription during the outage: state %q, want retrying", during.State)
	}
	var stuck struct{ Deliveries []webhook.Delivery }
	MustJSON(t, "GET deliveries during the outage", ts.Do(t, "GET", "/api/v1/webhooks/"+sub.ID+"/deliveries", ts.Admin, nil), http.StatusOK, &stuck)
	if len(stuck.Deliveries) != 1 || stuck.Deliveries[0].Delivered || stuck.Deliveries[0].Status != http.StatusServiceUnavailable ||
		!strings.Contains(stuck.Deliveries[0].Error, "503") || stuck.Deliveries[0].NextAttempt == nil || stuck.Deliveries[0].Attempts < 1 {
		t.Errorf("deliveries during the outage = %+v, want the first event pending after 503s", stuck.Deliveries)
	}
	rc.mu.Lock()
	rc.down = false
	rc.mu.Unlock()
	incidents(4, "After Outage")
	want := metroEvents(t, ts, sub.Next)
	rc.await("every event of metro's after the outage", func(rc *receiver) bool { return len(rc.seqs) >= len(want) })

	// The deliverer stops (a restart) once it has recorded the last
	// delivery (stopped in the middle of one, it would send that event
	// again, with the same webhook-id: the scheme allows it, and this test
	// counts exactly); events happen meanwhile; a new one resumes where
	// the store says the first stopped.
	awaitCondition(t, "the last delivery recorded", func() bool {
		var w webhookAnswer
		MustJSON(t, "GET webhook", ts.Do(t, "GET", "/api/v1/webhooks/"+sub.ID, ts.Admin, nil), http.StatusOK, &w)
		return w.Next > want[len(want)-1]
	})
	stop()
	incidents(5, "While Stopped")
	runDeliverer(t, ts, "restarted")
	want = metroEvents(t, ts, sub.Next)
	rc.await("every event of metro's after the restart", func(rc *receiver) bool { return len(rc.seqs) >= len(want) })

	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bad) > 0 {
		t.Errorf("deliveries that failed the reference verification or the format: %v", rc.bad)
	}
	if !slices.Equal(rc.seqs, want) {
		t.Fatalf("received events %v, want metro's events in log order %v", rc.seqs, want)
	}
	for id, n := range rc.byID {
		if n != 1 {
			// A retry after an answer that was lost is allowed by the
			// scheme; none is lost on loopback.
			t.Errorf("webhook-id %s delivered %d times, want once (seqs %v)", id, n, rc.seqs)
		}
	}
	// Each body is the event as metro's stream shows it: metro's, with
	// metro's private fields opened.
	for _, seq := range want {
		var ev struct {
			Agency string `json:"agency"`
			Seq    int64  `json:"seq"`
		}
		if err := json.Unmarshal(rc.bodies[seq], &ev); err != nil || ev.Seq != seq || ev.Agency != "metro" {
			t.Errorf("body of event %d = %s, want metro's event %d", seq, rc.bodies[seq], seq)
		}
		if bytes.Contains(rc.bodies[seq], []byte("sheriff only")) {
			t.Errorf("body of event %d holds the sheriff's narrative", seq)
		}
	}
	// The bodies are the events as metro's stream sends them: the same
	// bytes as the data of its Server-Sent Events.
	ps, err := ts.Engine.Published(context.Background(), want[0], want[len(want)-1]+1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if b, ok := rc.bodies[p.Seq]; ok && !bytes.Equal(b, p.Entry) {
			t.Errorf("body of event %d = %s, want the stream's %s", p.Seq, b, p.Entry)
		}
	}

	// Metro's administrators see each delivery's outcome: the events of
	// the outage were attempted more than once, and all are delivered.
	// The outcome of the last event is stored just after the receiver
	// answered: wait for it.
	rc.mu.Unlock()
	var page struct{ Deliveries []webhook.Delivery }
	awaitCondition(t, "every delivery recorded", func() bool {
		MustJSON(t, "GET deliveries", ts.Do(t, "GET", "/api/v1/webhooks/"+sub.ID+"/deliveries?limit=500", ts.Admin, nil), http.StatusOK, &page)
		return len(page.Deliveries) == len(want) && page.Deliveries[0].Delivered
	})
	rc.mu.Lock()
	retried := 0
	for _, d := range page.Deliveries {
		if !d.Delivered || d.Error != "" || d.Status != http.StatusNoContent || d.NextAttempt != nil || d.ID != webhook.MessageID(sub.ID, d.Seq) {
			t.Errorf("delivery %+v, want delivered with 204 and nothing pending", d)
		}
		if d.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Errorf("GET deliveries: no delivery was attempted more than once; the outage's were")
	}
	var got webhookAnswer
	MustJSON(t, "GET webhook", ts.Do(t, "GET", "/api/v1/webhooks/"+sub.ID, ts.Admin, nil), http.StatusOK, &got)
	if got.State != "active" || got.Next < want[len(want)-1]+1 {
		t.Errorf("subscription after delivery = %+v, want active, past event %d", got, want[len(want)-1])
	}

	// The sheriff's receiver got the sheriff's incidents and nothing of
	// metro's.
	sheriffWant := 0
	for _, e := range ts.Events(t, sheriffSub.Next) {
		if e.Agency == "sheriff" && strings.HasPrefix(e.Type, "incident.") {
			sheriffWant++
		}
	}
	sheriffRC.await("the sheriff's incidents", func(rc *receiver) bool { return len(rc.seqs) >= sheriffWant })
	sheriffRC.mu.Lock()
	defer sheriffRC.mu.Unlock()
	for seq, b := range sheriffRC.bodies {
		if !bytes.Contains(b, []byte(`"agency":"sheriff"`)) || bytes.Contains(b, []byte("Outage")) {
			t.Errorf("sheriff's receiver got event %d: %s", seq, b)
		}
	}
	if len(sheriffRC.seqs) != sheriffWant || len(sheriffRC.bad) > 0 {
		t.Errorf("sheriff's receiver got %d events (bad %v), want %d", len(sheriffRC.seqs), sheriffRC.bad, sheriffWant)
	}
}

// metroEvents returns the sequence numbers of the events from seq on that
// metro may see, read from the log by the test's own reading of the rule:
// metro's events and those whose subject names metro among its agencies.
func metroEvents(t *testing.T, ts *TestServer, from int64) []int64 {
	t.Helper()
	var out []int64
	for _, e := range ts.Events(t, from) {
		if e.Agency == "metro" || slices.Contains(strings.Split(e.Subject["agencies"], ","), "metro") {
			out = append(out, e.Seq)
		}
	}
	return out
}

// awaitCondition polls cond until it holds, or fails the test after a
// generous deadline: for what the server records after it answers.
func awaitCondition(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(60 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("waiting for %s: timed out", what)
		}
	}
}

// TestWebhookTakeover: on two nodes, each running a deliverer, only the
// sequencer delivers; when it stops, the node that takes the lease resumes
// from the place the store keeps, and the receiver gets every event of
// metro's once, in log order.
func TestWebhookTakeover(t *testing.T) {
	ts := MustOpenServer(t)
	f := ts.MustOpenFollower(t, false)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	var rc *receiver
	ready := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-ready
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	sub := mustSubscribe(t, ts, ts.Admin, "metro", srv.URL, "incident.*")
	rc, _ = newReceiver(t, sub.Secret)
	close(ready)
	stopSequencer := runDeliverer(t, ts, "sequencer")
	runDeliverer(t, f, "follower")

	create := func(node *TestServer, n int) {
		for range n {
			node.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "1 Main St"}})
		}
	}
	incidents := func(node *TestServer) []int64 {
		var out []int64
		for _, e := range node.Events(t, sub.Next) {
			if e.Agency == "metro" && strings.HasPrefix(e.Type, "incident.") {
				out = append(out, e.Seq)
			}
		}
		return out
	}
	// While the receiver is down, the sequencer retries; the follower,
	// which has read the same events, sends nothing.
	rc.mu.Lock()
	rc.down = true
	rc.mu.Unlock()
	create(ts, 5)
	awaitCondition(t, "the follower to read the events", func() bool { return f.Engine.Log().Size() == ts.Engine.Log().Size() })
	rc.await("the sequencer's retries", func(rc *receiver) bool { return rc.byNode["sequencer"] >= 30 })
	rc.mu.Lock()
	if n := rc.byNode["follower"]; n != 0 {
		t.Errorf("the follower sent %d attempts, want none: only the sequencer delivers", n)
	}
	rc.down = false
	rc.mu.Unlock()
	want := incidents(ts)
	rc.await("the incidents made on the first sequencer", func(rc *receiver) bool { return len(rc.seqs) >= len(want) })
	awaitCondition(t, "the last delivery recorded", func() bool {
		w, err := ts.Store.Webhook(context.Background(), sub.ID)
		return err == nil && w.Next > want[len(want)-1]
	})

	// The sequencer stops; the follower takes the lease and delivers what
	// is made on it.
	stopSequencer()
	if err := ts.Engine.Close(); err != nil {
		t.Fatalf("close the sequencer's engine: %v", err)
	}
	awaitCondition(t, "the follower to take the lease", f.Engine.Log().IsSequencer)
	create(f, 5)
	want = incidents(f)
	rc.await("the incidents made on the new sequencer", func(rc *receiver) bool { return len(rc.seqs) >= len(want) })

	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !slices.Equal(rc.seqs, want) || len(rc.bad) > 0 {
		t.Fatalf("received %v (bad %v), want %v", rc.seqs, rc.bad, want)
	}
	for id, n := range rc.byID {
		if n != 1 {
			t.Errorf("webhook-id %s delivered %d times, want once: only the sequencer delivers", id, n)
		}
	}
}

// BenchmarkWebhookDelivery measures catching up: b.N events of metro's,
// made before the deliverer starts, delivered to a loopback receiver that
// checks each signature, one at a time in log order (Deliver) — beside
// the same bodies POSTed straight to the same receiver, unsigned and with
// no outbox (Baseline).
func BenchmarkWebhookDelivery(b *testing.B) {
	ts := MustOpenServer(b)
	ts.MustExecute(b, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	var count sync.WaitGroup
	var ref atomic.Pointer[standardwebhooks.Webhook]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if wh := ref.Load(); wh != nil && wh.Verify(body, r.Header) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		count.Done()
	}))
	b.Cleanup(srv.Close)
	makeIncidents := func(n int) (from int64) {
		from = ts.Engine.Log().Size()
		for range n {
			ts.MustExecute(b, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "1 Main St"}, Narrative: "bench"})
		}
		return from
	}
	b.Run("Baseline", func(b *testing.B) {
		from := makeIncidents(b.N)
		ps, err := ts.Engine.Published(context.Background(), from, from+int64(b.N))
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		count.Add(b.N)
		for _, p := range ps {
			resp, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(p.Entry))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		count.Wait()
	})
	b.Run("Deliver", func(b *testing.B) {
		var sub webhookAnswer
		MustJSON(b, "POST /api/v1/webhooks", ts.Do(b, "POST", "/api/v1/webhooks", ts.Admin,
			map[string]any{"agency": "metro", "url": srv.URL, "events": []string{"incident.*"}}), http.StatusCreated, &sub)
		wh, _ := standardwebhooks.NewWebhook(sub.Secret)
		ref.Store(wh)
		makeIncidents(b.N)
		b.ResetTimer()
		count.Add(b.N)
		d := webhook.NewDeliverer(ts.Engine, ts.Store)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		count.Wait()
		b.StopTimer()
		cancel()
		<-done
		if r := ts.Do(b, "DELETE", "/api/v1/webhooks/"+sub.ID, ts.Admin, nil); r.Status != http.StatusNoContent {
			b.Fatalf("DELETE = %d %s", r.Status, r.Body)
		}
		ref.Store(nil)
	})
}
