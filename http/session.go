package http

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
)

// A whoami says who a credential signs in: the answer of sign-in and of
// GET /api/v1/auth/me. May lists the routes of the table it may call
// (mayCall), so that a console offers what the route table allows.
type whoami struct {
	Username string   `json:"username"`
	Agency   string   `json:"agency"`
	Roles    []string `json:"roles"`
	May      []string `json:"may"`
}

// handleLogin signs a user in with a password and, when the user has or
// needs a second factor, a one-time code, and starts a browser session.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
		OTP      string `json:"otp"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case req.Username == "" || req.Password == "":
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "username and password are required"))
		return
	case len(req.Username) > 64 || utf8.RuneCountInString(req.Password) > auth.MaxPasswordLen || len(req.OTP) > 10:
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "a username is at most 64 characters, a password at most %d, a one-time code at most 10", auth.MaxPasswordLen))
		return
	}
	cookie, u, err := s.auth.Login(r.Context(), req.Username, req.Password, req.OTP)
	if err != nil {
		s.metrics.SignInFailed(dispatch.ErrorCode(err))
		// A refusal whose audit event could not be recorded is still a
		// refusal; the fault is for the operator.
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			for _, e := range joined.Unwrap() {
				if dispatch.ErrorCode(e) == dispatch.EINTERNAL {
					s.logger.Error("sign-in refused but not recorded in the log", "err", e)
				}
			}
		}
		s.writeError(w, r, err)
		return
	}
	setSession(w, r, cookie)
	writeJSON(w, http.StatusOK, whoami{Username: u.Username, Agency: u.Agency, Roles: u.Roles,
		May: s.mayCall(dispatch.Actor{User: u.Username, Agency: u.Agency, Roles: u.Roles})})
}

// handleLogout ends the session of the request's cookie, if any, and tells
// the browser to forget the cookie. It answers 204 either way, so that a
// browser whose session has already timed out can sign out too.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	clearSession(w, r)
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.auth.Logout(r.Context(), c.Value); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// handleMe says who the caller is: its user, agency and the roles its
// credential carries, and the routes those roles may call.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	writeJSON(w, http.StatusOK, whoami{Username: a.User, Agency: a.Agency, Roles: heldRoles(a), May: s.mayCall(a)})
}
