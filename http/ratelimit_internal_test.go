package http

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	lim := Limit{Rate: 0.5, Burst: 3} // a request every 2 s, 3 at once
	l := newLimiter()
	for i := range 3 {
		if wait := l.take("a", lim, t0); wait != 0 {
			t.Fatalf("take %d of a burst of 3 = wait %v, want 0", i+1, wait)
		}
	}
	if wait := l.take("a", lim, t0); wait != 2*time.Second {
		t.Errorf("take 4 = wait %v, want 2s", wait)
	}
	if wait := l.take("b", lim, t0); wait != 0 {
		t.Errorf("take of another key = wait %v, want 0: buckets are per key", wait)
	}
	if wait := l.take("a", lim, t0.Add(1500*time.Millisecond)); wait != 500*time.Millisecond {
		t.Errorf("take after 1.5 s = wait %v, want 500ms", wait)
	}
	if wait := l.take("a", lim, t0.Add(2*time.Second)); wait != 0 {
		t.Errorf("take after 2 s = wait %v, want 0", wait)
	}
	// A full bucket is forgotten at the next sweep; a used one is kept.
	l.take("c", lim, t0.Add(time.Hour))
	if _, ok := l.buckets["b"]; ok {
		t.Error("a refilled bucket survived the sweep")
	}
	if _, ok := l.buckets["c"]; !ok {
		t.Error("the bucket in use was swept")
	}
	if wait := newLimiter().take("a", Limit{}, t0); wait != 0 {
		t.Errorf("take with the zero Limit = wait %v, want 0 (no limit)", wait)
	}
}

func TestClientAddr(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	mac := func(key string) func([]byte) []byte {
		return func(msg []byte) []byte {
			m := hmac.New(sha256.New, []byte(key))
			m.Write(msg)
			return m.Sum(nil)
		}
	}
	nodeKey := mac("the nodes' key")
	signed := func(node, client string, at time.Time, key func([]byte) []byte) func(*http.Request) {
		return func(r *http.Request) { signForwarded(r, node, client, at, key) }
	}
	header := func(k, v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Add(k, v) }
	}
	for _, tc := range []struct {
		name, remote string
		edits        []func(*http.Request)
		want         string
	}{
		{"IPv4", "192.0.2.7:51000", nil, "192.0.2.7"},
		{"IPv4XFFIgnored", "192.0.2.7:51000", []func(*http.Request){header("X-Forwarded-For", "203.0.113.9")}, "192.0.2.7"},
		{"IPv6Prefix", "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64"},
		{"IPv4Mapped", "[::ffff:192.0.2.7]:443", nil, "192.0.2.7"},
		{"Forwarded", "10.0.0.2:4000", []func(*http.Request){signed("node-b", "203.0.113.9", now, nodeKey)}, "10.0.0.2>203.0.113.9"},
		{"ForwardedXFFIgnored", "10.0.0.2:4000", []func(*http.Request){signed("node-b", "203.0.113.9", now, nodeKey), header("X-Forwarded-For", "198.51.100.1")}, "10.0.0.2>203.0.113.9"},
		{"ForwardedRecently", "10.0.0.2:4000", []func(*http.Request){signed("node-b", "203.0.113.9", now.Add(-time.Minute), nodeKey)}, "10.0.0.2>203.0.113.9"},
		// A client that claims to be forwarded is the client it is.
		{"ErrForgedHeaders", "192.0.2.7:51000", []func(*http.Request){header(forwardedHeader, "node-b"), header("X-Forwarded-For", "203.0.113.9"), header(forwardedForHeader, "203.0.113.9"), header(forwardedAtHeader, now.Format(time.RFC3339Nano))}, "192.0.2.7"},
		{"ErrOtherKey", "192.0.2.7:51000", []func(*http.Request){signed("node-b", "203.0.113.9", now, mac("a guess"))}, "192.0.2.7"},
		{"ErrStale", "192.0.2.7:51000", []func(*http.Request){signed("node-b", "203.0.113.9", now.Add(-forwardWindow-time.Second), nodeKey)}, "192.0.2.7"},
		{"ErrAhead", "192.0.2.7:51000", []func(*http.Request){signed("node-b", "203.0.113.9", now.Add(forwardWindow+time.Second), nodeKey)}, "192.0.2.7"},
		{"ErrClientChanged", "192.0.2.7:51000", []func(*http.Request){signed("node-b", "203.0.113.9", now, nodeKey), func(r *http.Request) { r.Header.Set(forwardedForHeader, "203.0.113.10") }}, "192.0.2.7"},
		{"ErrOtherPath", "192.0.2.7:51000", []func(*http.Request){signed("node-b", "203.0.113.9", now, nodeKey), func(r *http.Request) { r.URL.Path = "/api/v1/incidents" }}, "192.0.2.7"},
		{"ErrOtherMethod", "192.0.2.7:51000", []func(*http.Request){signed("node-b", "203.0.113.9", now, nodeKey), func(r *http.Request) { r.Method = "DELETE" }}, "192.0.2.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/auth/login", nil)
			r.RemoteAddr = tc.remote
			for _, e := range tc.edits {
				e(r)
			}
			if f, ok := verifyForwarded(r, now, nodeKey); ok {
				r = r.WithContext(context.WithValue(r.Context(), forwardingKey{}, f))
			}
			if got := clientAddr(r); got != tc.want {
				t.Errorf("clientAddr(%s, %v) = %q, want %q", tc.remote, r.Header, got, tc.want)
			}
		})
	}
}

func TestSecureCookies(t *testing.T) {
	h := http.Header{}
	h.Add("Set-Cookie", "tenfour_session=s4_x; Path=/; HttpOnly; SameSite=Strict")
	h.Add("Set-Cookie", "other=1; Path=/")
	secureCookies(h)
	got := h.Values("Set-Cookie")
	if len(got) != 2 {
		t.Fatalf("secureCookies: %q, want two cookies", got)
	}
	for _, c := range got {
		if !strings.Contains(c, "; Secure") {
			t.Errorf("secureCookies: %q, want Secure", c)
		}
	}
	if !strings.Contains(got[0], "HttpOnly") || !strings.Contains(got[0], "SameSite=Strict") || !strings.HasPrefix(got[0], "tenfour_session=s4_x") {
		t.Errorf("secureCookies: %q, want the rest of the cookie kept", got[0])
	}
}

// TestBusyAnswer checks the answer to a sign-in refused because every
// password check slot is taken: 503 at once, with Retry-After, as
// problem+json that says what to do.
func TestBusyAnswer(t *testing.T) {
	s := &Server{logger: slog.New(slog.DiscardHandler)}
	w := httptest.NewRecorder()
	s.writeError(w, httptest.NewRequest("POST", "/api/v1/auth/login", nil), dispatch.Errorf(auth.EBusy, "too many sign-ins are being checked at this moment; try again in a second"))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("writeError(EBusy) = %d, Retry-After %q, Content-Type %q; want 503, 1, application/problem+json", w.Code, w.Header().Get("Retry-After"), w.Header().Get("Content-Type"))
	}
	if !strings.Contains(w.Body.String(), `"code":"busy"`) || !strings.Contains(w.Body.String(), "try again") {
		t.Errorf("writeError(EBusy) body = %s, want code busy and a sentence saying to try again", w.Body)
	}
}
