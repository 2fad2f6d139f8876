package http_test

import (
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// waitLog waits until ts has read its log up to size.
func waitLog(t *testing.T, ts *TestServer, size int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for ts.Engine.Log().Size() < size {
		if time.Now().After(deadline) {
			t.Fatalf("the follower has read %d events after 5 s, want %d", ts.Engine.Log().Size(), size)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFollower checks access on a node that does not sequence: sign-in,
// sign-out and commands go to the sequencer and are recorded there, with
// the cookie and HSTS the client's TLS calls for; reads are served and
// their audit events, which only the sequencer can append, are relayed to it.
func TestFollower(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	incident := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"},
		Caller: dispatch.Caller{Name: "Jo Smith"}}).Events[0].Subject["incident"]
	token := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	const pw = "ann's long password"
	ts.MustSetPassword(t, "ann", pw)
	f := ts.MustOpenFollower(t, true)
	waitLog(t, f, ts.Engine.Log().Size())

	t.Run("ReadAuditRelayed", func(t *testing.T) {
		before := ts.Engine.Log().Size()
		r := f.Do(t, "GET", "/api/v1/incidents/"+incident, token, nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "Jo Smith") {
			t.Fatalf("GET /api/v1/incidents/%s on the follower = %d %s, want 200 with the caller", incident, r.Status, r.Body)
		}
		r = f.Do(t, "GET", "/api/v1/incidents/"+incident+"/bundle", token, nil)
		CheckProblem(t, "GET bundle as a dispatcher on the follower", r, 403, dispatch.EFORBIDDEN, "not open to your roles")
		got := eventTypes(t, ts, before)
		for _, want := range []string{dispatch.TypePrivateRead, dispatch.TypeAccessDenied} {
			if !slices.Contains(got, want) {
				t.Errorf("events the sequencer recorded = %v, want %s relayed from the follower", got, want)
			}
		}
		if logs := f.Logs.String(); strings.Contains(logs, "audit event not recorded") {
			t.Errorf("the follower lost an audit event:\n%s", logs)
		}
	})

	t.Run("PositionsOnTheSequencer", func(t *testing.T) {
		// A unit reports its position through the follower; recommendations
		// asked of the follower see it, because both go to the sequencer,
		// which alone holds the positions.
		ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A9", Agency: "metro", Kind: "patrol"})
		lat, lon := 41.8236, -87.7047
		inc := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT",
			Location: dispatch.Location{Text: "39th Pl & Kedzie", Lat: &lat, Lon: &lon}}).Events[0].Subject["incident"]
		waitLog(t, f, ts.Engine.Log().Size())
		r := f.Do(t, "POST", "/api/v1/units/positions", token, []map[string]any{{"unit": "metro.1a9", "lat": 41.83, "lon": -87.70, "time": "2026-03-01T08:00:00Z"}})
		if r.Status != http.StatusNoContent {
			t.Fatalf("POST positions on the follower = %d %s", r.Status, r.Body)
		}
		r = f.Do(t, "GET", "/api/v1/incidents/"+inc+"/recommendations", token, nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), `"unit":"metro.1a9"`) {
			t.Errorf("GET recommendations on the follower = %d %s, want metro.1a9 from the sequencer's positions", r.Status, r.Body)
		}
	})

	t.Run("SignInForwarded", func(t *testing.T) {
		before := ts.Engine.Log().Size()
		r, cookie := f.Login(t, "ann", pw, "")
		if r.Status != 200 || cookie == "" {
			t.Fatalf("sign-in on the follower = %d %s, want 200 with a session", r.Status, r.Body)
		}
		if sc := r.Header.Get("Set-Cookie"); !strings.Contains(sc, "Secure") || !strings.Contains(sc, "HttpOnly") {
			t.Errorf("sign-in on the follower over TLS: Set-Cookie = %q, want Secure and HttpOnly", sc)
		}
		if r.Header.Get("Strict-Transport-Security") == "" {
			t.Error("sign-in on the follower over TLS: no Strict-Transport-Security")
		}
		if r := f.DoWith(t, "GET", "/api/v1/auth/me", nil, withCookie(cookie)); r.Status != 200 {
			t.Errorf("GET /api/v1/auth/me on the follower with the cookie = %d %s, want 200", r.Status, r.Body)
		}
		r = f.DoWith(t, "POST", "/api/v1/units", map[string]string{"call_sign": "1A1", "agency": "metro", "kind": "patrol"}, withCookie(cookie))
		CheckProblem(t, "POST /api/v1/units as a dispatcher on the follower", r, 403, dispatch.EFORBIDDEN, "not open to your roles")
		r = f.DoWith(t, "POST", "/api/v1/auth/logout", nil, withCookie(cookie))
		if r.Status != http.StatusNoContent || !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("sign-out on the follower = %d, Set-Cookie %q, want 204 clearing the cookie", r.Status, r.Header.Get("Set-Cookie"))
		}
		want := []string{dispatch.TypeLogin, dispatch.TypeAccessDenied, dispatch.TypeLogout}
		if got := eventTypes(t, ts, before); !slices.Equal(got, want) {
			t.Errorf("events recorded by the sequencer = %v, want %v", got, want)
		}
	})
}

// TestFollowerSequencerSilent: a sequencer that is stopped, not dead, takes
// the forwarded command's connection and answers nothing. The follower
// answers within its ForwardTimeout, 503 with Retry-After, saying the
// command may have been recorded, instead of holding the client until the
// lease passes.
func TestFollowerSequencerSilent(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	token := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	const timeout = 300 * time.Millisecond
	f := ts.MustOpenFollowerWith(t, false, func(s *tenfourhttp.Server) { s.ForwardTimeout = timeout })
	waitLog(t, f, ts.Engine.Log().Size())

	// The sequencer's address now takes connections and never answers.
	addr := ts.Listener.Addr().String()
	ts.Listener.Close()
	silent, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on the sequencer's address %s: %v", addr, err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	req, err := http.NewRequest("POST", f.URL+"/api/v1/incidents", strings.NewReader(`{"agency":"metro","type":"THEFT","location":{"text":"1 Main St"}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "silent-1")
	resp, err := (&http.Client{Timeout: 20 * timeout}).Do(req)
	if err != nil {
		t.Fatalf("POST /api/v1/incidents on the follower of a silent sequencer: %v; want an answer within %v", err, timeout)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	CheckProblem(t, "POST /api/v1/incidents on the follower of a silent sequencer", r, http.StatusServiceUnavailable, "no_sequencer", "may have been recorded")
	if ra := resp.Header.Get("Retry-After"); ra == "" {
		t.Error("the follower's 503 has no Retry-After")
	}
}
