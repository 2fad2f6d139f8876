package http

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
)

// A userView is a user as the API shows it: never a credential.
type userView struct {
	Username     string     `json:"username"`
	Agency       string     `json:"agency"`
	Roles        []string   `json:"roles"`
	Created      time.Time  `json:"created"`
	Disabled     bool       `json:"disabled"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
	SecondFactor bool       `json:"second_factor"`
}

func (s *Server) userView(u store.User) userView {
	v := userView{Username: u.Username, Agency: u.Agency, Roles: u.Roles, Created: u.Created,
		Disabled: u.Disabled, SecondFactor: u.TOTPSecret != ""}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	if now := s.auth.Now(); u.LockedUntil.After(now) {
		t := u.LockedUntil
		v.LockedUntil = &t
	}
	return v
}

// A tokenView is an API token as the API shows it: its public id, never its
// secret or hash.
type tokenView struct {
	ID       string     `json:"id"`
	Username string     `json:"username"`
	Name     string     `json:"name"`
	Roles    []string   `json:"roles"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires,omitempty"`
	Revoked  bool       `json:"revoked"`
	LastUsed *time.Time `json:"last_used,omitempty"`
}

func (s *Server) tokenView(t store.Token) tokenView {
	v := tokenView{ID: t.ID, Username: t.Username, Name: t.Name, Roles: t.Roles, Created: t.Created, Revoked: t.Revoked}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	// A token stored with no expiry ends all the same (auth.Policy.TokenLife).
	if e := s.auth.TokenExpires(t); !e.IsZero() {
		v.Expires = &e
	}
	if !t.LastUsed.IsZero() {
		l := t.LastUsed
		v.LastUsed = &l
	}
	return v
}

// scopedUser returns the named user if the caller may administer it: an
// installation administrator any user, an agency's administrator its
// agency's. Another agency's user answers 404, as a foreign incident does.
func (s *Server) scopedUser(r *http.Request, username string) (store.User, error) {
	u, err := s.auth.User(r.Context(), username)
	if err == nil && !scopeOf(actorOf(r)).sees(u.Agency) {
		return store.User{}, dispatch.Errorf(dispatch.ENOTFOUND, "user %s does not exist", username)
	}
	return u, err
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) {
	before, limit, err := listParams(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	us, err := s.auth.Users(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sc := scopeOf(actorOf(r))
	out := []userView{}
	for _, u := range us {
		if sc.sees(u.Agency) {
			out = append(out, s.userView(u))
		}
	}
	// Disabled users stay: the list grows with the years of a centre's staff.
	page, next := engine.PageOf(out, func(u userView) (time.Time, string) { return u.Created, u.Username }, before, limit)
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"users": orEmpty(page)})
}

// orEmpty answers an empty list as [], never null.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.scopedUser(r, r.PathValue("username"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.userView(u))
}

// handleCreateUser records a new user in the log (user.created) and stores
// its credentials. A user whose roles need a second factor is enrolled at
// once, and the answer carries its otpauth:// URI: the only time it is shown.
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string   `json:"username"`
		Agency   string   `json:"agency"`
		Roles    []string `json:"roles"`
		Password string   `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if req.Agency == "" {
		req.Agency = a.Agency // an agency's administrator makes users of its agency
	}
	// The event goes through the engine here, not auth's Record, so that the
	// answer carries its sequence number as every creation's does.
	var res engine.Result
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) (err error) {
		res, err = s.engine.Execute(ctx, a, c)
		return err
	}
	_, uri, err := s.auth.CreateUser(r.Context(), exec, a, auth.NewUser{Username: req.Username, Agency: req.Agency, Roles: req.Roles, Password: req.Password})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.auth.User(r.Context(), req.Username)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	created(w, res, "/api/v1/users/"+url.PathEscape(u.Username), struct {
		userView
		TOTP string `json:"totp_uri,omitempty"`
	}{s.userView(u), uri})
}

// handleDisableUser disables a user and ends its sessions.
func (s *Server) handleDisableUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.scopedUser(r, r.PathValue("username"))
	if err == nil {
		u, err = s.auth.DisableUser(r.Context(), actorOf(r), u.Username)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.userView(u))
}

// handleUnlockUser lifts a lock before it ends.
func (s *Server) handleUnlockUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.scopedUser(r, r.PathValue("username"))
	if err == nil {
		u, err = s.auth.Unlock(r.Context(), actorOf(r), u.Username)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.userView(u))
}

// handleResetPassword sets a user's password and ends its sessions.
func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.scopedUser(r, r.PathValue("username"))
	if err == nil {
		err = s.auth.ResetPassword(r.Context(), actorOf(r), u.Username, req.Password)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// handleEnrollTOTP gives a user a new second factor; the answer carries its
// otpauth:// URI, the only time it is shown.
func (s *Server) handleEnrollTOTP(w http.ResponseWriter, r *http.Request) {
	u, err := s.scopedUser(r, r.PathValue("username"))
	var uri string
	if err == nil {
		uri, err = s.auth.EnrollTOTP(r.Context(), actorOf(r), u.Username)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"username": u.Username, "totp_uri": uri})
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) {
	u, err := s.scopedUser(r, r.PathValue("username"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	before, limit, err := listParams(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ts, err := s.auth.Tokens(r.Context(), u.Username)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []tokenView{}
	for _, t := range ts {
		out = append(out, s.tokenView(t))
	}
	// Revoked and expired tokens stay, as the record of what was allowed.
	page, next := engine.PageOf(out, func(t tokenView) (time.Time, string) { return t.Created, t.ID }, before, limit)
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"tokens": orEmpty(page)})
}

// maxTokenLife bounds expires_in_seconds before the policy's own bound
// (auth.Policy.TokenLife) is applied, so that no lifetime overflows.
const maxTokenLife = 10 * 366 * 24 * time.Hour

// A tokenRequest is the body of a request for a token.
type tokenRequest struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	// ExpiresIn is the token's lifetime; 0 is the installation's token
	// life (auth.Policy.TokenLife, 90 days by default), also its longest.
	ExpiresIn int64 `json:"expires_in_seconds"`
	// Code is the token's user's one-time code, when the token carries a
	// role with a second factor and is asked for with a token.
	Code string `json:"code"`
}

// handleCreateToken makes an API token for a user; the answer carries its
// secret, the only time it is shown. An administrator makes tokens for
// others only of roles without a second factor (auth.Service.IssueToken).
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.scopedUser(r, r.PathValue("username"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.issueToken(w, r, u.Username, req)
}

// handleCreateOwnToken makes an API token for the caller: the way a user
// whose roles need a second factor gets a token that carries them.
func (s *Server) handleCreateOwnToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.issueToken(w, r, actorOf(r).User, req)
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, username string, req tokenRequest) {
	if req.Name == "" {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "a token needs a name that says what it is for"))
		return
	}
	if req.ExpiresIn < 0 || req.ExpiresIn > int64(maxTokenLife/time.Second) {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "expires_in_seconds must be between 0 (the installation's token life) and %d", int64(maxTokenLife/time.Second)))
		return
	}
	secret, t, err := s.auth.IssueToken(r.Context(), actorOf(r), auth.TokenRequest{
		Username: username, Name: req.Name, Roles: req.Roles, TTL: time.Duration(req.ExpiresIn) * time.Second, Code: req.Code,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/tokens/"+t.ID)
	writeJSON(w, http.StatusCreated, struct {
		tokenView
		Token string `json:"token"`
	}{s.tokenView(t), secret})
}

// handleRevokeToken revokes a token for good.
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := s.auth.TokenByID(r.Context(), id)
	if err == nil {
		_, err = s.scopedUser(r, t.Username)
	}
	if err != nil {
		// Another agency's token is as missing as its user.
		s.writeError(w, r, notFoundAs(err, "token %s does not exist", id))
		return
	}
	if err := s.auth.RevokeToken(r.Context(), actorOf(r), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// notFoundAs replaces a not-found error with one that names what the caller
// asked for.
func notFoundAs(err error, format string, args ...any) error {
	if dispatch.ErrorCode(err) == dispatch.ENOTFOUND {
		return dispatch.Errorf(dispatch.ENOTFOUND, format, args...)
	}
	return err
}
