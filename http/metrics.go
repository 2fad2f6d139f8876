package http

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Metrics is what the server tells an operator's metrics (package metrics)
// of what only the transport sees. Its methods must be quick and must not
// block: they run on the request's path.
type Metrics interface {
	// RateLimited is told of a request refused with 429 by a limit:
	// "login" (sign-in per address), "credentials" (refused tokens and
	// sessions per address), "api" (per credential) or "streams" (the
	// caps on open event streams).
	RateLimited(limit string)
	// SignInFailed is told of a refused sign-in (POST /api/v1/auth/login),
	// by the refusal's code: "unauthorized" (wrong password, one-time
	// code or username), "forbidden" (locked or disabled), "invalid"...
	SignInFailed(code string)
}

// noMetrics is the Metrics of a server that has none.
type noMetrics struct{}

func (noMetrics) RateLimited(string)  {}
func (noMetrics) SignInFailed(string) {}

// SetMetrics hands the server the metrics it tells of rate-limit refusals
// and failed sign-ins. Set it before serving; nil is none.
func (s *Server) SetMetrics(m Metrics) {
	if m == nil {
		m = noMetrics{}
	}
	s.metrics = m
}

// Streams returns the number of event streams (GET /api/v1/stream) open on
// this node.
func (s *Server) Streams() int {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	return s.streams.total
}

// limitName names a limiter for metrics.
func (s *Server) limitName(l *limiter) string {
	switch l {
	case s.logins:
		return "login"
	case s.failures:
		return "credentials"
	}
	return "api"
}

// A requestLog gathers, while a request is served, what its log line says
// that only the inner handlers learn: who the caller is. ServeHTTP puts one
// in the request's context; authorize fills it in.
type requestLog struct {
	user, agency, role string
}

type requestLogKey struct{}

// noteActor records the request's caller for its log line.
func noteActor(r *http.Request, user, agency, role string) {
	if rl, ok := r.Context().Value(requestLogKey{}).(*requestLog); ok {
		rl.user, rl.agency, rl.role = user, agency, role
	}
}

// quietRoute reports whether a route's requests are logged at debug level
// rather than info: the console's static files and pages, which a browser
// loads by the dozen, and the health probes, which a load balancer or
// orchestrator calls every few seconds. Everything else (the API, the
// public timelines, the log's tiles) is logged at info.
func quietRoute(pattern string) bool {
	switch pattern {
	case "GET /static/", "GET /console/", "GET /{$}", "GET /healthz", "GET /readyz":
		return true
	}
	return false
}

// logRequest writes the request's log line: method, route pattern (never
// the path, which can carry a username or an address), status, duration,
// bytes written and the caller's username, agency and role. It never logs
// a header, a query, a body, a token or a cookie. 5xx answers are logged
// at warn level.
func (s *Server) logRequest(r *http.Request, rl *requestLog, sw *statusWriter, took time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	level := slog.LevelInfo
	switch {
	case sw.status >= 500:
		level = slog.LevelWarn
	case quietRoute(route):
		level = slog.LevelDebug
	}
	ctx := context.Background()
	if !s.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.Int("status", sw.status),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		slog.Int64("bytes", sw.bytes),
	}
	if rl.user != "" {
		attrs = append(attrs, slog.String("user", rl.user))
	}
	if rl.agency != "" {
		attrs = append(attrs, slog.String("agency", rl.agency))
	}
	if rl.role != "" {
		attrs = append(attrs, slog.String("role", rl.role))
	}
	if f, ok := forwardedFrom(r); ok {
		attrs = append(attrs, slog.String("forwarded_by", f.node))
	}
	s.logger.LogAttrs(ctx, level, "request", attrs...)
}
