package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// Login signs in and returns the answer and the session cookie it set ("" if
// none).
func (ts *TestServer) Login(tb testing.TB, username, password, code string) (Response, string) {
	tb.Helper()
	r := ts.Do(tb, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password, "otp": code})
	return r, sessionCookie(r)
}

// sessionCookie returns the value of the session cookie an answer sets.
func sessionCookie(r Response) string {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == tenfourhttp.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// withCookie sends the session cookie, as a browser of the site would.
func withCookie(cookie string) func(*http.Request) {
	return func(req *http.Request) {
		req.AddCookie(&http.Cookie{Name: tenfourhttp.SessionCookie, Value: cookie})
	}
}

// eventTypes returns the types of the log's events from seq on.
func eventTypes(t *testing.T, ts *TestServer, from int64) []string {
	t.Helper()
	var out []string
	for _, e := range ts.Events(t, from) {
		out = append(out, e.Type)
	}
	return out
}

// totpSecret returns the secret of an otpauth:// URI.
func totpSecret(t *testing.T, uri string) string {
	t.Helper()
	k, err := otp.NewKeyFromURL(uri)
	if err != nil || k.Secret() == "" {
		t.Fatalf("otp.NewKeyFromURL(%q) = %v, want a TOTP key", uri, err)
	}
	return k.Secret()
}

func mustCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestLogin(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher, dispatch.RoleCallTaker)
	const pw = "ann's long password"
	ts.MustSetPassword(t, "ann", pw)
	start := ts.Engine.Log().Size()

	r, cookie := ts.Login(t, "ann", pw, "")
	var who struct {
		Username string   `json:"username"`
		Agency   string   `json:"agency"`
		Roles    []string `json:"roles"`
	}
	MustJSON(t, "POST /api/v1/auth/login", r, 200, &who)
	if who.Username != "ann" || who.Agency != "metro" || !slices.Equal(who.Roles, []string{dispatch.RoleDispatcher, dispatch.RoleCallTaker}) {
		t.Errorf("POST /api/v1/auth/login = %+v, want ann of metro, dispatcher and call-taker", who)
	}
	if got := keys(t, r.Body); !slices.Equal(got, []string{"agency", "may", "roles", "username"}) {
		t.Errorf("POST /api/v1/auth/login: members %v, want agency, may, roles, username", got)
	}
	if !strings.HasPrefix(cookie, "s4_") {
		t.Fatalf("POST /api/v1/auth/login: session cookie %q, want a s4_ secret", cookie)
	}
	sc := r.Header.Get("Set-Cookie")
	for _, want := range []string{"Path=/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie = %q, want %s", sc, want)
		}
	}
	if strings.Contains(sc, "Secure") || r.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("over plain HTTP: Set-Cookie = %q, HSTS %q; want neither Secure nor HSTS", sc, r.Header.Get("Strict-Transport-Security"))
	}

	MustJSON(t, "GET /api/v1/auth/me with the cookie", ts.DoWith(t, "GET", "/api/v1/auth/me", nil, withCookie(cookie)), 200, &who)
	if who.Username != "ann" {
		t.Errorf("GET /api/v1/auth/me = %+v, want ann", who)
	}
	r = ts.DoWith(t, "POST", "/api/v1/incidents", map[string]any{"type": "THEFT", "location": map[string]string{"text": "1 Main St"}}, withCookie(cookie))
	checkCreated(t, ts, "POST /api/v1/incidents with the cookie", r, "/api/v1/incidents/metro-2026-000001")

	// A bearer header wins over a cookie, even a bad one.
	r = ts.DoWith(t, "GET", "/api/v1/auth/me", nil, func(req *http.Request) {
		withCookie(cookie)(req)
		req.Header.Set("Authorization", "Bearer t4_forged")
	})
	CheckProblem(t, "GET /api/v1/auth/me with a bad token and a good cookie", r, 401, dispatch.EUNAUTHORIZED, "not valid")

	r = ts.DoWith(t, "POST", "/api/v1/auth/logout", nil, withCookie(cookie))
	if r.Status != http.StatusNoContent || !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("POST /api/v1/auth/logout = %d, Set-Cookie %q, want 204 clearing the cookie", r.Status, r.Header.Get("Set-Cookie"))
	}
	CheckProblem(t, "GET /api/v1/auth/me after logout", ts.DoWith(t, "GET", "/api/v1/auth/me", nil, withCookie(cookie)), 401, dispatch.EUNAUTHORIZED, "session has ended")

	r, cookie = ts.Login(t, "ann", "not ann's password", "")
	CheckProblem(t, "POST /api/v1/auth/login with a wrong password", r, 401, dispatch.EUNAUTHORIZED, "wrong username, password")
	if cookie != "" {
		t.Errorf("a refused sign-in set a session cookie")
	}
	r, _ = ts.Login(t, "nobody", "whatever it is", "")
	CheckProblem(t, "POST /api/v1/auth/login as nobody", r, 401, dispatch.EUNAUTHORIZED, "wrong username, password")

	// The incident has no caller or narrative, so no private field was read.
	want := []string{dispatch.TypeLogin, dispatch.TypeIncidentCreated, dispatch.TypeLogout, dispatch.TypeLoginFailed, dispatch.TypeLoginFailed}
	if got := eventTypes(t, ts, start); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	for _, e := range ts.Events(t, start) {
		if e.Type == dispatch.TypeIncidentCreated && (e.Actor.User != "ann" || e.Actor.Role != dispatch.RoleDispatcher) {
			t.Errorf("incident.created actor = %+v, want ann as dispatcher", e.Actor)
		}
	}

	t.Run("TLS", func(t *testing.T) {
		srv := httptest.NewTLSServer(validateResponses(t, ts.Handler))
		defer srv.Close()
		resp, err := srv.Client().Post(srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"ann","password":"ann's long password"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		sc := resp.Header.Get("Set-Cookie")
		if resp.StatusCode != 200 || !strings.Contains(sc, "Secure") {
			t.Errorf("POST /api/v1/auth/login over TLS = %d, Set-Cookie %q, want 200 and a Secure cookie", resp.StatusCode, sc)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
			t.Errorf("over TLS: Strict-Transport-Security = %q, want max-age=63072000; includeSubDomains", got)
		}
	})
}

func TestLoginInvalid(t *testing.T) {
	ts := MustOpenServer(t)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"ErrNoPassword", `{"username":"ann"}`, 422, dispatch.EINVALID},
		{"ErrPasswordTooLong", `{"username":"ann","password":"` + strings.Repeat("p", auth.MaxPasswordLen+1) + `"}`, 422, dispatch.EINVALID},
		{"ErrUnknownField", `{"username":"ann","password":"x","remember":true}`, 400, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			CheckProblem(t, "POST /api/v1/auth/login "+tc.name, ts.Do(t, "POST", "/api/v1/auth/login", "", tc.body), tc.status, tc.code, "")
		})
	}
}

// TestLockout checks CJIS AC-7: five wrong passwords within 15 minutes lock
// the account, the sixth attempt is refused even with the right password,
// and an administrator can lift the lock.
func TestLockout(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	annToken := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	const pw = "ann's long password"
	ts.MustSetPassword(t, "ann", pw)
	if r := ts.Do(t, "GET", "/api/v1/auth/me", annToken, nil); r.Status != 200 {
		t.Fatalf("GET /api/v1/auth/me with ann's token = %d %s, want 200", r.Status, r.Body)
	}
	start := ts.Engine.Log().Size()

	for i := range 5 {
		r, _ := ts.Login(t, "ann", "guess number "+strconv.Itoa(i), "")
		CheckProblem(t, "wrong password "+strconv.Itoa(i+1), r, 401, dispatch.EUNAUTHORIZED, "wrong username, password")
		ts.Clock.Advance(time.Minute)
	}
	r, cookie := ts.Login(t, "ann", pw, "")
	CheckProblem(t, "the right password after 5 wrong ones", r, 401, dispatch.EUNAUTHORIZED, "locked")
	if cookie != "" {
		t.Error("a locked account got a session")
	}
	// The lock stops the account's tokens at once, though this node had
	// the token in its cache.
	CheckProblem(t, "ann's token once she is locked", ts.Do(t, "GET", "/api/v1/auth/me", annToken, nil), 401, dispatch.EUNAUTHORIZED, "locked")
	want := []string{dispatch.TypeLoginFailed, dispatch.TypeLoginFailed, dispatch.TypeLoginFailed, dispatch.TypeLoginFailed,
		dispatch.TypeLoginFailed, dispatch.TypeLocked, dispatch.TypeLoginFailed}
	if got := eventTypes(t, ts, start); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	var u struct {
		LockedUntil *time.Time `json:"locked_until"`
	}
	MustJSON(t, "GET /api/v1/users/ann", ts.Do(t, "GET", "/api/v1/users/ann", ts.Admin, nil), 200, &u)
	if u.LockedUntil == nil || !u.LockedUntil.After(ts.Clock.Now()) {
		t.Errorf("GET /api/v1/users/ann: locked_until = %v, want a time after now", u.LockedUntil)
	}

	r = ts.Do(t, "POST", "/api/v1/users/ann/unlock", ts.Admin, nil)
	u.LockedUntil = nil
	MustJSON(t, "POST /api/v1/users/ann/unlock", r, 200, &u)
	if u.LockedUntil != nil {
		t.Errorf("POST /api/v1/users/ann/unlock: locked_until = %v, want none", u.LockedUntil)
	}
	if r, cookie := ts.Login(t, "ann", pw, ""); r.Status != 200 || cookie == "" {
		t.Errorf("sign-in after the unlock = %d %s, want 200 with a session", r.Status, r.Body)
	}
	if r := ts.Do(t, "GET", "/api/v1/auth/me", annToken, nil); r.Status != 200 {
		t.Errorf("GET /api/v1/auth/me with ann's token after the unlock = %d %s, want 200", r.Status, r.Body)
	}
	events := ts.Events(t, start)
	if unlocked := events[len(events)-2]; unlocked.Type != dispatch.TypeUnlocked || unlocked.Actor.User != "admin" || unlocked.Subject["user"] != "ann" {
		t.Errorf("event before the sign-in = %s by %+v about %v, want auth.unlocked by admin about ann", unlocked.Type, unlocked.Actor, unlocked.Subject)
	}

	t.Run("LockEnds", func(t *testing.T) {
		for i := range 5 {
			ts.Login(t, "ann", "guess again "+strconv.Itoa(i), "")
		}
		if r, _ := ts.Login(t, "ann", pw, ""); r.Status != 401 {
			t.Fatalf("the right password on a locked account = %d, want 401", r.Status)
		}
		ts.Clock.Advance(auth.DefaultPolicy().LockDuration)
		if r, _ := ts.Login(t, "ann", pw, ""); r.Status != 200 {
			t.Errorf("the right password once the lock has ended = %d %s, want 200", r.Status, r.Body)
		}
	})
}

// TestSessionTimeouts checks CJIS AC-11/AC-12: a session ends after 30
// minutes unused and 12 hours after sign-in, whatever its use.
func TestSessionTimeouts(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	const pw = "ann's long password"
	ts.MustSetPassword(t, "ann", pw)
	p := auth.DefaultPolicy()
	me := func(cookie string) Response { return ts.DoWith(t, "GET", "/api/v1/auth/me", nil, withCookie(cookie)) }

	t.Run("Idle", func(t *testing.T) {
		_, cookie := ts.Login(t, "ann", pw, "")
		for i := range 3 {
			ts.Clock.Advance(p.IdleTimeout - time.Minute)
			if r := me(cookie); r.Status != 200 {
				t.Fatalf("GET /api/v1/auth/me after %d × %v of idleness = %d, want 200: each use restarts the idle time", i+1, p.IdleTimeout-time.Minute, r.Status)
			}
		}
		ts.Clock.Advance(p.IdleTimeout)
		r := me(cookie)
		CheckProblem(t, "GET /api/v1/auth/me after the idle timeout", r, 401, dispatch.EUNAUTHORIZED, "timed out")
		if !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("401 of a timed-out session: Set-Cookie = %q, want the cookie cleared", r.Header.Get("Set-Cookie"))
		}
		CheckProblem(t, "GET /api/v1/auth/me once more", me(cookie), 401, dispatch.EUNAUTHORIZED, "ended")
	})
	t.Run("Absolute", func(t *testing.T) {
		_, cookie := ts.Login(t, "ann", pw, "")
		step := p.IdleTimeout / 2
		for used := step; used < p.AbsoluteTimeout; used += step {
			ts.Clock.Advance(step)
			if r := me(cookie); r.Status != 200 {
				t.Fatalf("GET /api/v1/auth/me %v after sign-in, used every %v = %d, want 200", used, step, r.Status)
			}
		}
		ts.Clock.Advance(step)
		CheckProblem(t, "GET /api/v1/auth/me at the absolute timeout", me(cookie), 401, dispatch.EUNAUTHORIZED, "timed out")
	})
}

// TestSecondFactor checks the RFC 6238 second factor, required by default
// of supervisors and administrators.
func TestSecondFactor(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	secret := totpSecret(t, ts.Creds.TOTP)

	before := ts.Engine.Log().Size()
	r, cookie := ts.Login(t, "admin", ts.Creds.Password, "")
	CheckProblem(t, "admin sign-in without a code", r, 401, auth.EOTPRequired, "one-time code")
	if cookie != "" {
		t.Error("sign-in without a code set a session")
	}
	// The answer tells that the password was right, so it counts toward
	// the lock as a failure.
	if got := eventTypes(t, ts, before); !slices.Equal(got, []string{dispatch.TypeLoginFailed}) {
		t.Errorf("events of a right password without its code = %v, want [%s]", got, dispatch.TypeLoginFailed)
	}
	if n, err := ts.Store.CountLoginFailures(context.Background(), "admin", ts.Clock.Now().Add(-time.Minute)); n != 1 || err != nil {
		t.Errorf("admin's failures after a right password without its code = %d, %v, want 1", n, err)
	}
	right := mustCode(t, secret, ts.Clock.Now())
	wrong := strconv.Itoa((mustAtoi(t, right) + 1) % 1000000)
	wrong = strings.Repeat("0", 6-len(wrong)) + wrong
	r, _ = ts.Login(t, "admin", ts.Creds.Password, wrong)
	CheckProblem(t, "admin sign-in with a wrong code", r, 401, dispatch.EUNAUTHORIZED, "one-time code")
	r, _ = ts.Login(t, "admin", "not the password", right)
	CheckProblem(t, "admin sign-in with the right code and a wrong password", r, 401, dispatch.EUNAUTHORIZED, "wrong username")
	r, cookie = ts.Login(t, "admin", ts.Creds.Password, right)
	if r.Status != 200 || cookie == "" {
		t.Fatalf("admin sign-in with the right code = %d %s, want 200 with a session", r.Status, r.Body)
	}
	// A code from a step before or after is accepted (clock skew); older is not.
	ts.Clock.Advance(30 * time.Second)
	if r, _ := ts.Login(t, "admin", ts.Creds.Password, right); r.Status != 200 {
		t.Errorf("admin sign-in with the previous step's code = %d, want 200", r.Status)
	}
	ts.Clock.Advance(60 * time.Second)
	if r, _ := ts.Login(t, "admin", ts.Creds.Password, right); r.Status != 401 {
		t.Errorf("admin sign-in with a code three steps old = %d, want 401", r.Status)
	}

	// A supervisor made through the API is enrolled at once; without a
	// second factor one could not sign in.
	const pw = "sam's long password"
	var made struct {
		TOTP         string `json:"totp_uri"`
		SecondFactor bool   `json:"second_factor"`
	}
	MustJSON(t, "POST /api/v1/users (supervisor)", ts.Do(t, "POST", "/api/v1/users", ts.Admin,
		map[string]any{"username": "sam", "agency": "metro", "roles": []string{"supervisor"}, "password": pw}), 201, &made)
	if !strings.HasPrefix(made.TOTP, "otpauth://totp/") || !made.SecondFactor {
		t.Fatalf("POST /api/v1/users (supervisor) = %+v, want an otpauth URI", made)
	}
	r, _ = ts.Login(t, "sam", pw, "")
	CheckProblem(t, "supervisor sign-in without a code", r, 401, auth.EOTPRequired, "")
	if r, _ := ts.Login(t, "sam", pw, mustCode(t, totpSecret(t, made.TOTP), ts.Clock.Now())); r.Status != 200 {
		t.Errorf("supervisor sign-in with a code = %d %s, want 200", r.Status, r.Body)
	}

	// A supervisor whose second factor was never enrolled cannot sign in.
	ts.MustCreateUser(t, "sid", "metro", dispatch.RoleSupervisor)
	ts.MustSetPassword(t, "sid", pw)
	r, _ = ts.Login(t, "sid", pw, "")
	CheckProblem(t, "supervisor with no second factor", r, 401, dispatch.EUNAUTHORIZED, "requires a second factor")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCrossOrigin checks that a write with the session cookie from another
// site is refused (CSRF), and that the same write with a bearer token, which
// no browser sends by itself, is not.
func TestCrossOrigin(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	token := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	const pw = "ann's long password"
	ts.MustSetPassword(t, "ann", pw)
	_, cookie := ts.Login(t, "ann", pw, "")
	incident := map[string]any{"type": "THEFT", "location": map[string]string{"text": "1 Main St"}}
	crossSite := func(req *http.Request) { req.Header.Set("Sec-Fetch-Site", "cross-site") }
	otherOrigin := func(req *http.Request) { req.Header.Set("Origin", "https://evil.example") }

	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   any
		edits  []func(*http.Request)
		status int
	}{
		{"ErrCookieCrossSite", "POST", "/api/v1/incidents", incident, []func(*http.Request){withCookie(cookie), crossSite}, 403},
		{"ErrCookieSameSite", "POST", "/api/v1/incidents", incident, []func(*http.Request){withCookie(cookie), func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") }}, 403},
		{"ErrCookieOtherOrigin", "POST", "/api/v1/incidents", incident, []func(*http.Request){withCookie(cookie), otherOrigin}, 403},
		{"ErrLogoutCrossSite", "POST", "/api/v1/auth/logout", nil, []func(*http.Request){withCookie(cookie), crossSite}, 403},
		{"ErrLoginCrossSite", "POST", "/api/v1/auth/login", map[string]string{"username": "ann", "password": pw}, []func(*http.Request){crossSite}, 403},
		// A client cannot claim that a node forwarded it: the node's MAC is missing.
		{"ErrCookieCrossSiteForgedForwarding", "POST", "/api/v1/incidents", incident, []func(*http.Request){withCookie(cookie), crossSite, forgedForwarding("203.0.113.9")}, 403},
		{"ErrLoginCrossSiteForgedForwarding", "POST", "/api/v1/auth/login", map[string]string{"username": "ann", "password": pw}, []func(*http.Request){crossSite, forgedForwarding("203.0.113.9")}, 403},
		{"OKCookieSameOrigin", "POST", "/api/v1/incidents", incident, []func(*http.Request){withCookie(cookie), func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") }}, 201},
		{"OKCookieNoBrowserHeaders", "POST", "/api/v1/incidents", incident, []func(*http.Request){withCookie(cookie)}, 201},
		{"OKCookieCrossSiteRead", "GET", "/api/v1/auth/me", nil, []func(*http.Request){withCookie(cookie), crossSite}, 200},
		{"OKBearerCrossSite", "POST", "/api/v1/incidents", incident, []func(*http.Request){func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, crossSite}, 201},
		{"OKBearerOtherOrigin", "POST", "/api/v1/incidents", incident, []func(*http.Request){func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, otherOrigin}, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ts.Engine.Log().Size()
			r := ts.DoWith(t, tc.method, tc.path, tc.body, func(req *http.Request) {
				for _, e := range tc.edits {
					e(req)
				}
			})
			call := tc.method + " " + tc.path + " " + tc.name
			if tc.status == 403 {
				CheckProblem(t, call, r, 403, "cross_origin", "another site")
				if got := eventTypes(t, ts, before); len(got) > 0 {
					t.Errorf("%s: refused, yet the log recorded %v", call, got)
				}
				return
			}
			if r.Status != tc.status {
				t.Errorf("%s = %d %s, want %d", call, r.Status, r.Body, tc.status)
			}
		})
	}
}

// forgedForwarding sends the headers a node puts on a request it forwards,
// for client, as a client would make them up: without the nodes' MAC.
func forgedForwarding(client string) func(*http.Request) {
	return func(req *http.Request) {
		req.Header.Set("Tenfour-Forwarded-By", "node-b")
		req.Header.Set("Tenfour-Forwarded-For", client)
		req.Header.Set("Tenfour-Forwarded-At", time.Now().UTC().Format(time.RFC3339Nano))
		req.Header.Set("Tenfour-Node-MAC", strings.Repeat("ab", 32))
		req.Header.Set("X-Forwarded-For", client)
	}
}

// TestForgedForwarding makes up, on every sign-in, the headers by which a
// node forwards a client's request, each time for another client address:
// the limit still counts them all against the one address they come from.
func TestForgedForwarding(t *testing.T) {
	ts := MustOpenServerWith(t, func(h *tenfourhttp.Server) { h.LoginLimit = tenfourhttp.DefaultLoginLimit })
	burst := tenfourhttp.DefaultLoginLimit.Burst
	login := func(i int) Response {
		return ts.DoWith(t, "POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "guess " + strconv.Itoa(i)},
			forgedForwarding("198.51.100."+strconv.Itoa(i+1)))
	}
	for i := range burst {
		if r := login(i); r.Status != 401 {
			t.Fatalf("sign-in %d with forged forwarding = %d %s, want 401", i+1, r.Status, r.Body)
		}
	}
	CheckProblem(t, "sign-in "+strconv.Itoa(burst+1)+" with forged forwarding", login(burst), 429, "rate_limited", "try again")
}

// TestRateLimits checks the 429 answers of a sign-in flood and of a client
// over its API limit.
func TestRateLimits(t *testing.T) {
	ts := MustOpenServerWith(t, func(h *tenfourhttp.Server) {
		h.LoginLimit = tenfourhttp.DefaultLoginLimit
		h.FailureLimit = tenfourhttp.Limit{Rate: 0.01, Burst: 3}
		h.APILimit = tenfourhttp.Limit{Rate: 0.01, Burst: 3}
	})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	a := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	b := ts.MustCreateUser(t, "bob", "metro", dispatch.RoleDispatcher)

	t.Run("LoginFlood", func(t *testing.T) {
		burst := tenfourhttp.DefaultLoginLimit.Burst
		for i := range burst {
			if r, _ := ts.Login(t, "nobody", "password guess "+strconv.Itoa(i), ""); r.Status != 401 {
				t.Fatalf("sign-in attempt %d = %d %s, want 401", i+1, r.Status, r.Body)
			}
		}
		r, _ := ts.Login(t, "nobody", "one guess too many", "")
		CheckProblem(t, "sign-in attempt "+strconv.Itoa(burst+1), r, 429, "rate_limited", "try again")
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 6 {
			t.Errorf("429: Retry-After = %q, want 1 to 6 seconds", r.Header.Get("Retry-After"))
		}
		// Sign-in and the API are limited apart.
		if r := ts.Do(t, "GET", "/api/v1/auth/me", a, nil); r.Status != 200 {
			t.Errorf("GET /api/v1/auth/me during a sign-in flood = %d, want 200", r.Status)
		}
	})
	t.Run("APIPerToken", func(t *testing.T) {
		for i := range 2 { // one of the burst of 3 was taken above
			if r := ts.Do(t, "GET", "/api/v1/agencies", a, nil); r.Status != 200 {
				t.Fatalf("GET /api/v1/agencies %d as ann = %d, want 200", i+1, r.Status)
			}
		}
		r := ts.Do(t, "GET", "/api/v1/agencies", a, nil)
		CheckProblem(t, "GET /api/v1/agencies over ann's limit", r, 429, "rate_limited", "")
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		if r := ts.Do(t, "GET", "/api/v1/agencies", b, nil); r.Status != 200 {
			t.Errorf("GET /api/v1/agencies as bob while ann is limited = %d, want 200: the limit is per token", r.Status)
		}
	})
	t.Run("BadTokensPerAddress", func(t *testing.T) {
		// Made-up tokens each have a bucket of their own in the API limit,
		// so refusals are counted against the address too.
		for i := range 3 {
			forged, _ := auth.NewToken()
			CheckProblem(t, "GET /api/v1/agencies with forged token "+strconv.Itoa(i+1), ts.Do(t, "GET", "/api/v1/agencies", forged, nil), 401, dispatch.EUNAUTHORIZED, "not valid")
		}
		forged, _ := auth.NewToken()
		CheckProblem(t, "GET /api/v1/agencies with a 4th forged token", ts.Do(t, "GET", "/api/v1/agencies", forged, nil), 429, "rate_limited", "")
		if r := ts.Do(t, "GET", "/api/v1/agencies", b, nil); r.Status != 200 {
			t.Errorf("GET /api/v1/agencies with a good token from that address = %d, want 200: only refusals count", r.Status)
		}
	})
}

// TestNoSecretsLogged signs in and out, makes, uses and revokes tokens and
// second factors, and fails to sign in, then looks for every secret used in
// the node's log output (debug level) and in the event log.
func TestNoSecretsLogged(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	secrets := map[string]string{"bootstrap password": ts.Creds.Password, "bootstrap token": ts.Admin, "bootstrap TOTP secret": totpSecret(t, ts.Creds.TOTP)}
	var codes []string // one-time codes: six digits, looked for as whole words

	code := mustCode(t, secrets["bootstrap TOTP secret"], ts.Clock.Now())
	codes = append(codes, code)
	_, adminCookie := ts.Login(t, "admin", ts.Creds.Password, code)
	secrets["admin's cookie"] = adminCookie

	const samPW = "sam's very own password"
	secrets["sam's password"] = samPW
	var made struct {
		TOTP string `json:"totp_uri"`
	}
	MustJSON(t, "POST /api/v1/users", ts.DoWith(t, "POST", "/api/v1/users",
		map[string]any{"username": "sam", "agency": "metro", "roles": []string{"supervisor", "dispatcher"}, "password": samPW}, withCookie(adminCookie)), 201, &made)
	secrets["sam's TOTP secret"] = totpSecret(t, made.TOTP)

	ts.Login(t, "sam", samPW, "")                  // no code
	ts.Login(t, "sam", "sam's wrong password", "") // wrong password
	ts.Login(t, "sam", samPW, "000000")            // wrong code (or, once in a million, right)
	code = mustCode(t, secrets["sam's TOTP secret"], ts.Clock.Now())
	codes = append(codes, code)
	r, samCookie := ts.Login(t, "sam", samPW, code)
	if r.Status != 200 {
		t.Fatalf("sam's sign-in = %d %s", r.Status, r.Body)
	}
	secrets["sam's cookie"] = samCookie
	ts.DoWith(t, "POST", "/api/v1/incidents", map[string]any{"type": "THEFT", "location": map[string]string{"text": "1 Main St"},
		"caller": map[string]string{"name": "Jo"}}, withCookie(samCookie))
	ts.DoWith(t, "GET", "/api/v1/incidents", nil, withCookie(samCookie))

	var tok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	MustJSON(t, "POST /api/v1/users/sam/tokens", ts.Do(t, "POST", "/api/v1/users/sam/tokens", ts.Admin,
		map[string]any{"name": "sam's tablet", "roles": []string{"dispatcher"}}), 201, &tok)
	secrets["sam's token"] = tok.Token
	ts.Do(t, "GET", "/api/v1/incidents", tok.Token, nil)
	ts.Do(t, "POST", "/api/v1/units", tok.Token, map[string]string{"call_sign": "1A1", "agency": "metro", "kind": "patrol"}) // denied
	ts.Do(t, "DELETE", "/api/v1/tokens/"+tok.ID, ts.Admin, nil)
	ts.Do(t, "GET", "/api/v1/incidents", tok.Token, nil) // revoked

	const newPW = "sam's second password"
	secrets["sam's new password"] = newPW
	ts.Do(t, "POST", "/api/v1/users/sam/password", ts.Admin, map[string]string{"password": newPW})
	var enrolled struct {
		TOTP string `json:"totp_uri"`
	}
	MustJSON(t, "POST /api/v1/users/sam/totp", ts.Do(t, "POST", "/api/v1/users/sam/totp", ts.Admin, nil), 200, &enrolled)
	secrets["sam's new TOTP secret"] = totpSecret(t, enrolled.TOTP)
	ts.DoWith(t, "GET", "/api/v1/auth/me", nil, withCookie(samCookie)) // ended by the reset
	ts.DoWith(t, "POST", "/api/v1/auth/logout", nil, withCookie(adminCookie))
	ts.Login(t, "nobody", "a password for nobody", "")
	secrets["nobody's password"] = "a password for nobody"

	logs := ts.Logs.String()
	if !strings.Contains(logs, "request") {
		t.Fatalf("the node logged nothing at debug level; the test would prove nothing:\n%s", logs)
	}
	events := string(ledgerBytes(t, ts))
	for what, secret := range secrets {
		if secret == "" {
			t.Errorf("%s is empty; the test would prove nothing", what)
			continue
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the node's log contains %s", what)
		}
		if strings.Contains(events, secret) {
			t.Errorf("the event log contains %s", what)
		}
	}
	for _, c := range codes {
		word := regexp.MustCompile(`(^|[^0-9A-Za-z])` + c + `([^0-9A-Za-z]|$)`)
		if word.MatchString(logs) {
			t.Errorf("the node's log contains the one-time code %s", c)
		}
		if word.MatchString(events) {
			t.Errorf("the event log contains the one-time code %s", c)
		}
	}
	// The events of the flow are there, without their secrets.
	var types []string
	for _, e := range ts.Events(t, 0) {
		types = append(types, e.Type)
	}
	for _, want := range []string{dispatch.TypeLogin, dispatch.TypeLoginFailed, dispatch.TypeTOTPEnrolled, dispatch.TypeTokenCreated,
		dispatch.TypeTokenUsed, dispatch.TypeAccessDenied, dispatch.TypeTokenRevoked, dispatch.TypePasswordReset, dispatch.TypePrivateRead, dispatch.TypeLogout} {
		if !slices.Contains(types, want) {
			t.Errorf("the event log has no %s event", want)
		}
	}
}
