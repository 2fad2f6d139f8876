// Package http is tenfour's HTTP interface: the JSON API under /api/v1 with
// RFC 9457 problem+json errors, the log as C2SP tlog-tiles under /log/, and
// the pages of the console.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
)

// Server serves one tenfour node.
type Server struct {
	engine *engine.Engine
	store  store.Store
	logger *slog.Logger
	clock  func() time.Time
	mux    *http.ServeMux
	srv    *http.Server
}

// Access says who may call a route.
type Access int

const (
	// Public routes answer anyone: the log, the status page.
	Public Access = iota
	// Authenticated routes need a valid bearer token.
	Authenticated
)

// A Route is one entry of the route table: the pattern (net/http ServeMux
// syntax), who may call it, and its handler. The same table registers the
// routes and, later, feeds the authorisation matrix and the OpenAPI test.
type Route struct {
	Pattern string
	Access  Access
	Handler func(w http.ResponseWriter, r *http.Request)
}

// NewServer returns a server for the engine and store.
func NewServer(e *engine.Engine, st store.Store, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{engine: e, store: st, logger: logger, clock: time.Now, mux: http.NewServeMux()}
	for _, rt := range s.Routes() {
		h := http.HandlerFunc(rt.Handler)
		if method, _, _ := strings.Cut(rt.Pattern, " "); method != http.MethodGet {
			h = s.sequenced(h)
		}
		if rt.Access == Authenticated {
			h = s.authenticated(h)
		}
		s.mux.Handle(rt.Pattern, h)
	}
	return s
}

// Routes is the route table.
func (s *Server) Routes() []Route {
	logs := &logServer{log: s.engine.Log(), logger: s.logger}
	return append(logs.routes(), []Route{
		{"GET /{$}", Public, s.handleIndex},
		{"GET /static/", Public, s.handleStatic},
		{"GET /healthz", Public, s.handleHealthz},
		{"GET /readyz", Public, s.handleReadyz},

		{"GET /api/v1/agencies", Authenticated, s.handleListAgencies},
		{"POST /api/v1/agencies", Authenticated, s.handleCreateAgency},
		{"GET /api/v1/units", Authenticated, s.handleListUnits},
		{"POST /api/v1/units", Authenticated, s.handleCreateUnit},
		{"GET /api/v1/incident-types", Authenticated, s.handleIncidentTypes},
		{"GET /api/v1/incidents", Authenticated, s.handleListIncidents},
		{"POST /api/v1/incidents", Authenticated, s.handleCreateIncident},
		{"GET /api/v1/incidents/{id}", Authenticated, s.handleGetIncident},
		{"GET /api/v1/incidents/{id}/bundle", Authenticated, s.handleIncidentBundle},
		{"GET /api/v1/stream", Authenticated, s.handleStream},
	}...)
}

// ServeHTTP serves a request: common headers, panic recovery, then the mux;
// anything unmatched under /api/ gets a problem+json 404 or 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.clock()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h := sw.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			if !sw.wrote {
				writeProblem(sw, r, http.StatusInternalServerError, dispatch.EINTERNAL, "internal error")
			}
		}
		s.logger.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", s.clock().Sub(start))
	}()
	if strings.HasPrefix(r.URL.Path, "/api/") {
		if _, pattern := s.mux.Handler(r); pattern == "" {
			if allow := s.allowed(r); len(allow) > 0 {
				sw.Header().Set("Allow", strings.Join(allow, ", "))
				writeProblem(sw, r, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path+"; use "+strings.Join(allow, " or "))
				return
			}
			writeProblem(sw, r, http.StatusNotFound, dispatch.ENOTFOUND, "no such API resource: "+r.Method+" "+r.URL.Path)
			return
		}
	}
	s.mux.ServeHTTP(sw, r)
}

// allowed returns the methods the path answers to.
func (s *Server) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := *r
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	return allow
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type actorKey struct{}

// authenticated requires a bearer token and puts its actor in the context.
func (s *Server) authenticated(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeProblem(w, r, http.StatusUnauthorized, dispatch.EUNAUTHORIZED, "sign in first: send Authorization: Bearer <token>")
			return
		}
		actor, err := auth.Authenticate(r.Context(), s.store, strings.TrimSpace(token), s.clock())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, actor)))
	}
}

func actorOf(r *http.Request) dispatch.Actor {
	a, _ := r.Context().Value(actorKey{}).(dispatch.Actor)
	return a
}

// Serve serves on l until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
