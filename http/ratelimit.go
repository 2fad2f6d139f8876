package http

import (
	"encoding/hex"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
)

// A Limit is a token bucket: Rate requests a second on average, Burst at
// once. The zero Limit allows everything.
type Limit struct {
	Rate  float64
	Burst int
}

// Default limits. Sign-in is slow on purpose (an argon2id hash costs 64 MiB
// and about 0.1 s), so a guesser gets 10 tries at once and then one every 6
// seconds from an address (the burst is above auth.DefaultPolicy's 5
// failures, so that a person who mistypes is told the account is locked
// rather than to slow down); credentials that are refused (forged, expired,
// revoked) are limited per address the same way, a little more loosely, since
// a device with a stale token keeps polling. The API limit is per token or
// session, so that the units behind one carrier NAT do not share it. It is
// set far above what a console or a unit's device sends, and above what bulk
// clients of one token (imports, the simulator, the end-to-end tests, several
// thousand commands a second) send: it bounds a runaway or stolen credential
// to about one node's capacity, and an installation lowers it to its own
// traffic.
var (
	DefaultLoginLimit   = Limit{Rate: 10.0 / 60, Burst: 10}
	DefaultFailureLimit = Limit{Rate: 1, Burst: 30}
	DefaultAPILimit     = Limit{Rate: 5000, Burst: 10000}
)

// limited applies the rate limits: sign-in per client address, the rest of
// the API per credential, and the public timelines (which build bundles)
// per client address as well, their callers having no credential. Limits are taken on the node the client reached,
// before a command is forwarded.
func (s *Server) limited(rt Route, next http.HandlerFunc) http.HandlerFunc {
	switch {
	case rt.Pattern == "POST /api/v1/auth/login":
		return func(w http.ResponseWriter, r *http.Request) {
			if s.take(w, r, s.logins, clientAddr(r), s.LoginLimit) {
				next(w, r)
			}
		}
	case strings.Contains(rt.Pattern, " /api/"), strings.Contains(rt.Pattern, " /public/"):
		return func(w http.ResponseWriter, r *http.Request) {
			if s.take(w, r, s.calls, credentialKey(r), s.APILimit) {
				next(w, r)
			}
		}
	}
	return next
}

// take takes one request from key's bucket, or answers 429 with
// Retry-After (RFC 6585 section 4) and reports false.
func (s *Server) take(w http.ResponseWriter, r *http.Request, l *limiter, key string, lim Limit) bool {
	wait := l.take(key, lim, s.clock())
	if wait == 0 {
		return true
	}
	s.metrics.RateLimited(s.limitName(l))
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeProblem(w, r, http.StatusTooManyRequests, "rate_limited", "too many requests; try again in "+strconv.Itoa(int(math.Ceil(wait.Seconds())))+" s")
	return false
}

// credentialKey names the bucket of a request: its token's or session's
// hash, or else its address. The hash is never a secret's text.
func credentialKey(r *http.Request) string {
	if token, ok := bearer(r); ok {
		return "t:" + hex.EncodeToString(auth.TokenHash(token)[:12])
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return "s:" + hex.EncodeToString(auth.TokenHash(c.Value)[:12])
	}
	return "a:" + clientAddr(r)
}

// clientAddr names the client of a request for rate limits: its IP address,
// or its /64 for IPv6, where one subscriber holds a whole prefix. A request
// forwarded by another node (its MAC checked, forwardedFrom) is named by that
// node and the client address it forwarded for; X-Forwarded-For and a
// forwarding claim without a valid MAC are ignored, since any client can send
// them.
func clientAddr(r *http.Request) string {
	a := addrKey(r.RemoteAddr)
	if f, ok := forwardedFrom(r); ok {
		a += ">" + f.client
	}
	return a
}

func addrKey(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// A limiter holds token buckets by key.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter() *limiter { return &limiter{buckets: make(map[string]*bucket)} }

// sweepEvery bounds how often full buckets are forgotten.
const sweepEvery = time.Minute

// take takes a token from key's bucket and returns 0, or returns how long
// until one is there.
func (l *limiter) take(key string, lim Limit, now time.Time) time.Duration {
	if lim.Rate <= 0 {
		return 0
	}
	burst := float64(max(lim.Burst, 1))
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= sweepEvery {
		// A bucket that has refilled is the same as none.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.last).Seconds()*lim.Rate >= burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	if now.After(b.last) {
		b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*lim.Rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return max(time.Duration((1-b.tokens)/lim.Rate*float64(time.Second)), time.Nanosecond)
}
