package http

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// Route roles besides the dispatch roles.
const (
	// AnyUser allows any signed-in user, in the first role it holds.
	AnyUser = "*"
	// InstallationAdmin allows an administrator of no agency: the
	// installation's own, who acts for every agency. An agency's
	// administrators do not match it.
	InstallationAdmin = "admin@installation"
)

// SessionCookie is the name of the cookie that carries a browser's session.
const SessionCookie = "tenfour_session"

type actorKey struct{}

func actorOf(r *http.Request) dispatch.Actor {
	a, _ := r.Context().Value(actorKey{}).(dispatch.Actor)
	return a
}

// authorize enforces the route table: an anonymous caller gets 401, a
// signed-in one who holds none of the route's roles 403 (recorded in the log
// as access.denied), and anyone else goes on acting in the first of its roles
// that the route allows.
func (s *Server) authorize(rt Route, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		role, ok := allowedRole(rt.Roles, a)
		if !ok {
			held := heldRoles(a)
			s.record(r, dispatch.RecordAudit{Type: dispatch.TypeAccessDenied, Agency: a.Agency,
				Subject: map[string]string{"user": a.User}, As: a,
				Data: dispatch.Audited{"route": rt.Pattern, "roles": fmt.Sprint(held)}})
			writeProblem(w, r, http.StatusForbidden, dispatch.EFORBIDDEN, fmt.Sprintf("%s is not open to your roles (%s); it needs %s",
				rt.Pattern, strings.Join(held, ", "), describeRoles(rt.Roles)))
			return
		}
		a.Role = role
		noteActor(r, a.User, a.Agency, role)
		next(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, a)))
	}
}

// authenticate returns the caller: the user of a bearer token or, without
// an Authorization header, of a session cookie. A request with a header is
// never taken for its cookie. On failure it answers the request itself.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (dispatch.Actor, bool) {
	var a dispatch.Actor
	var err error
	if token, ok := bearer(r); ok {
		a, err = s.auth.Token(r.Context(), token)
	} else if r.Header.Get("Authorization") != "" {
		writeProblem(w, r, http.StatusUnauthorized, dispatch.EUNAUTHORIZED, "the Authorization header must be Bearer <token>")
		return a, false
	} else if c, cerr := r.Cookie(SessionCookie); cerr == nil && c.Value != "" {
		if a, err = s.auth.Session(r.Context(), c.Value); err != nil {
			clearSession(w, r)
		}
	} else if user, ok := s.partnerCertificate(r); ok {
		a, err = s.auth.Certificate(r.Context(), user) // mutual TLS (eidoconveyance.go)
	} else {
		writeProblem(w, r, http.StatusUnauthorized, dispatch.EUNAUTHORIZED, "sign in first: POST /api/v1/auth/login, or send Authorization: Bearer <token>")
		return a, false
	}
	if err != nil {
		// Every made-up token has a bucket of its own in the API limit, so
		// refused credentials are counted against their address too.
		if dispatch.ErrorCode(err) == dispatch.EUNAUTHORIZED && !s.take(w, r, s.failures, clientAddr(r), s.FailureLimit) {
			return a, false
		}
		s.writeError(w, r, err)
		return a, false
	}
	return a, true
}

// bearer returns the token of an Authorization: Bearer header (RFC 6750
// section 2.1; the scheme is case-insensitive, RFC 9110 section 11.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// allowedRole returns the first role the actor holds that roles allows.
func allowedRole(roles []string, a dispatch.Actor) (string, bool) {
	held := heldRoles(a)
	for _, r := range held {
		if slices.Contains(roles, r) || slices.Contains(roles, AnyUser) ||
			r == dispatch.RoleAdmin && a.Agency == "" && slices.Contains(roles, InstallationAdmin) {
			return r, true
		}
	}
	return "", false
}

// heldRoles returns every role the actor holds (or its token carries).
func heldRoles(a dispatch.Actor) []string {
	if len(a.Roles) == 0 && a.Role != "" {
		return []string{a.Role}
	}
	return a.Roles
}

// describeRoles says who a route's roles allow, for a refusal.
func describeRoles(roles []string) string {
	var out []string
	for _, r := range roles {
		switch r {
		case AnyUser:
			out = append(out, "any signed-in user")
		case InstallationAdmin:
			out = append(out, "the installation administrator")
		default:
			out = append(out, r)
		}
	}
	return strings.Join(out, " or ")
}

// record appends an audit event to the log, even if the caller has gone
// away meanwhile. Only the sequencer appends: on another node the event is
// lost, so it is written to the node's log (without any secret) and the
// request goes on.
func (s *Server) record(r *http.Request, a dispatch.RecordAudit) {
	// An audit record is not the command's event: it carries no
	// idempotency key, so the key's events are the command's alone.
	ctx := engine.WithoutIdempotency(context.WithoutCancel(r.Context()))
	if err := s.auth.Audit(ctx, a); err != nil {
		s.logger.Warn("audit event not recorded in the log", "type", a.Type, "user", a.As.User, "route", r.Pattern, "err", err)
	}
}

// setSession gives the browser its session cookie: sent only to this site
// (SameSite=Strict), never to scripts (HttpOnly), and only over TLS when the
// request came over TLS.
func setSession(w http.ResponseWriter, r *http.Request, value string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// clearSession tells the browser to forget its session cookie.
func clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}
