package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// A Policy holds the rules of signing in. DefaultPolicy follows the CJIS
// Security Policy's technical controls (docs/security.md).
type Policy struct {
	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after sign-in, whatever its use
	MaxFailures     int           // this many failed sign-ins within FailureWindow lock the account
	FailureWindow   time.Duration
	LockDuration    time.Duration // how long a lock lasts unless an administrator lifts it
	TOTPRoles       []string      // holders of these roles must give a one-time code
	TokenUseEvery   time.Duration // a token's use is recorded in the log at most this often
	// TokenCache is how long a node trusts a token it has checked against
	// the store before it checks again: the bound on how long a token
	// revoked, or a user disabled, on another node still works here. This
	// node forgets its cache at once when it makes such a change itself.
	// Zero checks the store on every request.
	TokenCache time.Duration
	// MaxHashing caps the password checks (argon2id, 64 MiB and two cores
	// each) that run at once across the service: a sign-in over the cap is
	// refused at once with EBusy rather than queued, so that a flood of
	// sign-ins from many addresses bounds the node's memory and leaves it
	// CPU for dispatch. Zero means DefaultMaxHashing.
	MaxHashing int
	// TokenLife is how long a token lives when its maker names no
	// lifetime, and the longest one it may be given. A token stored with
	// no expiry (made before tokens expired) is taken to expire TokenLife
	// after it was made. Zero lets tokens live until revoked.
	TokenLife time.Duration
}

// DefaultMaxHashing returns the default cap on concurrent password checks:
// one per CPU the Go runtime uses (GOMAXPROCS), at least one.
func DefaultMaxHashing() int { return max(1, runtime.GOMAXPROCS(0)) }

// DefaultPolicy returns the default rules: 30-minute idle and 12-hour
// absolute session timeouts, a 30-minute lock after 5 failures within 15
// minutes, a second factor for supervisors and administrators, and API
// tokens that expire after 90 days.
func DefaultPolicy() Policy {
	return Policy{
		IdleTimeout:     30 * time.Minute,
		AbsoluteTimeout: 12 * time.Hour,
		MaxFailures:     5,
		FailureWindow:   15 * time.Minute,
		LockDuration:    30 * time.Minute,
		TOTPRoles:       []string{dispatch.RoleSupervisor, dispatch.RoleAdmin},
		TokenUseEvery:   time.Hour,
		TokenCache:      2 * time.Second,
		MaxHashing:      DefaultMaxHashing(),
		TokenLife:       DefaultTokenLife,
	}
}

// DefaultTokenLife is how long an API token lives unless the policy says
// otherwise: long enough for a tablet's token to outlast a quarter's
// rotation of crews, short enough that a forgotten one dies.
const DefaultTokenLife = 90 * 24 * time.Hour

// Service signs users in and out and says who a request comes from. Every
// sign-in, failure, lock, token and sign-out is recorded in the log through
// Record; no secret ever is.
type Service struct {
	// Accounts keeps the credentials, sessions and tokens.
	Accounts Accounts
	Policy   Policy
	// Clock is the service's time: the engine's (engine.Engine.Now) in a
	// node, so that one clock decides everything. Nil means time.Now.
	Clock func() time.Time
	// Record appends an audit event (dispatch.RecordAudit) to the log.
	Record Executor
	Logger *slog.Logger

	tokens tokenCache

	hashingOnce sync.Once
	hashing     chan struct{} // a semaphore of Policy.MaxHashing slots
}

// checkPassword is CheckPassword under the cap on concurrent checks
// (Policy.MaxHashing). It takes a slot without waiting: when none is free it
// returns errBusy and hashes nothing. encoded is called in the slot, since
// the dummy hash is itself made on first use.
func (s *Service) checkPassword(encoded func() string, password string) (bool, error) {
	s.hashingOnce.Do(func() {
		n := s.Policy.MaxHashing
		if n <= 0 {
			n = DefaultMaxHashing()
		}
		s.hashing = make(chan struct{}, n)
	})
	select {
	case s.hashing <- struct{}{}:
	default:
		return false, errBusy
	}
	defer func() { <-s.hashing }()
	return CheckPassword(encoded(), password)
}

// Now returns the time by which the service decides locks, sessions and
// token expiries: its Clock, in UTC.
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock().UTC()
}

func (s *Service) audit(ctx context.Context, a dispatch.RecordAudit) error {
	if s.Record == nil {
		return nil
	}
	if err := s.Record(ctx, dispatch.Actor{System: "auth"}, a); err != nil {
		return fmt.Errorf("record %s: %w", a.Type, err)
	}
	return nil
}

// Sign-in refusals. They are deliberately vague about which part was wrong,
// so that they do not tell an attacker which usernames exist.
var (
	errBadCredentials = dispatch.Errorf(dispatch.EUNAUTHORIZED, "wrong username, password or one-time code")
	errOTPRequired    = dispatch.Errorf(EOTPRequired, "a one-time code from your authenticator is required")
	errBusy           = dispatch.Errorf(EBusy, "too many sign-ins are being checked at this moment; nothing was checked, try again in a second")
)

// Credential kinds, for the actor's audit trail.
const (
	KindSession = "session"
	KindToken   = "token"
)

// Login checks a username, password and (when the user has or needs a second
// factor) a one-time code, and starts a session. It returns the session's
// cookie value, shown once and stored only as a hash. A locked account is
// refused even with the right password until the lock ends or is lifted.
func (s *Service) Login(ctx context.Context, username, password, code string) (string, store.User, error) {
	now := s.now()
	u, err := s.Accounts.User(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		// Spend the time a real check takes, so that timing does not tell
		// which usernames exist.
		if _, err := s.checkPassword(dummyHash, password); errors.Is(err, errBusy) {
			return "", u, err
		}
		return "", u, errors.Join(errBadCredentials, s.audit(ctx, dispatch.RecordAudit{
			Type: dispatch.TypeLoginFailed, Data: dispatch.Audited{"reason": "unknown user"},
			Private: map[string]string{"username": username},
		}))
	}
	if err != nil {
		return "", u, fmt.Errorf("login: %w", err)
	}
	who := dispatch.Actor{User: u.Username, Agency: u.Agency, Role: primary(u.Roles)}
	subject := map[string]string{"user": u.Username}
	if u.LockedUntil.After(now) {
		return "", u, errors.Join(dispatch.Errorf(dispatch.EUNAUTHORIZED, "the account is locked until %s; an administrator can lift the lock", u.LockedUntil.Format("15:04 MST")),
			s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeLoginFailed, Agency: u.Agency, Subject: subject, As: who, Data: dispatch.Audited{"reason": "locked"}}))
	}
	if u.Disabled {
		if _, err := s.checkPassword(dummyHash, password); errors.Is(err, errBusy) {
			return "", u, err
		}
		return "", u, errors.Join(errBadCredentials,
			s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeLoginFailed, Agency: u.Agency, Subject: subject, As: who, Data: dispatch.Audited{"reason": "disabled"}}))
	}
	ok, err := s.checkPassword(func() string { return u.PasswordHash }, password)
	if errors.Is(err, errBusy) {
		return "", u, err
	}
	if err != nil {
		return "", u, fmt.Errorf("login %s: %w", u.Username, err)
	}
	reason := ""
	switch {
	case !ok:
		reason = "wrong password"
	case s.needsOTP(u) && u.TOTPSecret == "":
		return "", u, dispatch.Errorf(dispatch.EUNAUTHORIZED, "your role requires a second factor and none is enrolled; ask an administrator to enroll one")
	case u.TOTPSecret != "" && code == "":
		// The answer tells that the password was right, so it counts as a
		// failure toward the lock: otherwise it would let anyone try
		// passwords without end on an account with a second factor.
		return "", u, errors.Join(errOTPRequired, s.failed(ctx, u, who, "no one-time code", now))
	case u.TOTPSecret != "" && !s.validCode(u.TOTPSecret, code, now):
		reason = "wrong one-time code"
	}
	if reason != "" {
		return "", u, errors.Join(errBadCredentials, s.failed(ctx, u, who, reason, now))
	}
	if err := s.Accounts.ClearLoginFailures(ctx, u.Username); err != nil {
		return "", u, fmt.Errorf("login: %w", err)
	}
	cookie, hash := newSecret("s4_")
	sess := store.Session{Hash: hash, Username: u.Username, Created: now, LastSeen: now, Expires: now.Add(s.Policy.AbsoluteTimeout)}
	if err := s.Accounts.CreateSession(ctx, sess); err != nil {
		return "", u, fmt.Errorf("login: %w", err)
	}
	if err := s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeLogin, Agency: u.Agency, Subject: subject, As: who,
		Data: dispatch.Audited{"second_factor": fmt.Sprint(u.TOTPSecret != "")}}); err != nil {
		s.Accounts.DeleteSession(ctx, hash)
		return "", u, err
	}
	return cookie, u, nil
}

// failed records a failed sign-in and locks the account when it is one too
// many.
func (s *Service) failed(ctx context.Context, u store.User, who dispatch.Actor, reason string, now time.Time) error {
	subject := map[string]string{"user": u.Username}
	if err := s.Accounts.AddLoginFailure(ctx, u.Username, now); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if err := s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeLoginFailed, Agency: u.Agency, Subject: subject, As: who, Data: dispatch.Audited{"reason": reason}}); err != nil {
		return err
	}
	n, err := s.Accounts.CountLoginFailures(ctx, u.Username, now.Add(-s.Policy.FailureWindow))
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if n < s.Policy.MaxFailures {
		return nil
	}
	until := now.Add(s.Policy.LockDuration)
	_, err = s.Accounts.UpdateUser(ctx, u.Username, store.UserUpdate{LockedUntil: &until})
	// The account's tokens stop with the lock, on this node at once.
	s.tokens.forget()
	if err != nil {
		return fmt.Errorf("lock %s: %w", u.Username, err)
	}
	return s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeLocked, Agency: u.Agency, Subject: subject, As: who,
		Data: dispatch.Audited{"failures": fmt.Sprint(n), "until": until.Format(time.RFC3339)}})
}

func (s *Service) needsOTP(u store.User) bool {
	for _, r := range u.Roles {
		if slices.Contains(s.Policy.TOTPRoles, r) {
			return true
		}
	}
	return false
}

// validCode checks an RFC 6238 code (30-second steps, 6 digits, SHA-1, one
// step of clock skew either way).
func (s *Service) validCode(secret, code string, now time.Time) bool {
	ok, err := totp.ValidateCustom(code, secret, now, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return err == nil && ok
}

// Logout ends the session whose cookie is given.
func (s *Service) Logout(ctx context.Context, cookie string) error {
	h := TokenHash(cookie)
	sess, err := s.Accounts.SessionByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if err := s.Accounts.DeleteSession(ctx, h); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	u, err := s.Accounts.User(ctx, sess.Username)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeLogout, Agency: u.Agency, Subject: map[string]string{"user": u.Username},
		As: dispatch.Actor{User: u.Username, Agency: u.Agency, Role: primary(u.Roles)}})
}

// sessionTouchEvery bounds how often a session's activity is written: the
// idle timeout is measured to within this.
const sessionTouchEvery = 30 * time.Second

// Session returns the actor of a session cookie, ending the session if it
// has been idle too long or has reached its absolute end.
func (s *Service) Session(ctx context.Context, cookie string) (dispatch.Actor, error) {
	now := s.now()
	h := TokenHash(cookie)
	sess, err := s.Accounts.SessionByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "your session has ended; sign in again")
	}
	if err != nil {
		return dispatch.Actor{}, fmt.Errorf("session: %w", err)
	}
	if !now.Before(sess.Expires) || now.Sub(sess.LastSeen) >= s.Policy.IdleTimeout {
		if err := s.Accounts.DeleteSession(ctx, h); err != nil {
			return dispatch.Actor{}, fmt.Errorf("session: %w", err)
		}
		return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "your session has timed out; sign in again")
	}
	u, err := s.activeUser(ctx, sess.Username)
	if err != nil {
		return dispatch.Actor{}, err
	}
	if now.Sub(sess.LastSeen) >= sessionTouchEvery {
		if err := s.Accounts.TouchSession(ctx, h, now); err != nil {
			return dispatch.Actor{}, fmt.Errorf("session: %w", err)
		}
	}
	return dispatch.Actor{User: u.Username, Agency: u.Agency, Role: primary(u.Roles), Roles: u.Roles}, nil
}

func (s *Service) activeUser(ctx context.Context, username string) (store.User, error) {
	u, err := s.Accounts.User(ctx, username)
	if err != nil {
		return u, fmt.Errorf("authenticate: %w", err)
	}
	if u.Disabled {
		return u, dispatch.Errorf(dispatch.EUNAUTHORIZED, "the account is disabled")
	}
	return u, nil
}

// Token returns the actor of an API bearer token: its user, with the roles
// the token carries. Its use is recorded in the log at most once per
// Policy.TokenUseEvery.
func (s *Service) Token(ctx context.Context, token string) (dispatch.Actor, error) {
	now := s.now()
	hash := TokenHash(token)
	key := string(hash)
	t, u, ok := s.tokens.get(key, now)
	if !ok {
		var err error
		t, err = s.Accounts.TokenByHash(ctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "the token is not valid")
		}
		if err != nil {
			return dispatch.Actor{}, fmt.Errorf("authenticate: %w", err)
		}
		if !t.Revoked {
			if u, err = s.activeUser(ctx, t.Username); err != nil {
				return dispatch.Actor{}, err
			}
			s.tokens.put(key, t, u, now.Add(s.Policy.TokenCache))
		}
	}
	if exp := s.TokenExpires(t); t.Revoked || (!exp.IsZero() && !now.Before(exp)) {
		return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "the token has expired or was revoked")
	}
	if u.LockedUntil.After(now) {
		// Whoever locked the account by guessing its password may be
		// close to it: what the account's tokens can do stops too, until
		// the lock ends or an administrator lifts it.
		return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "the token's account is locked until %s; an administrator can lift the lock", u.LockedUntil.Format("15:04 MST"))
	}
	roles := u.Roles
	if len(t.Roles) > 0 {
		roles = slices.DeleteFunc(slices.Clone(t.Roles), func(r string) bool { return !slices.Contains(u.Roles, r) })
	}
	if len(roles) == 0 {
		return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "the token carries none of its user's roles")
	}
	a := dispatch.Actor{User: u.Username, Agency: u.Agency, Role: primary(roles), Roles: roles, Token: t.ID}
	if t.LastUsed.IsZero() || now.Sub(t.LastUsed) >= s.Policy.TokenUseEvery {
		if err := s.Accounts.TouchToken(ctx, t.ID, now); err != nil {
			return dispatch.Actor{}, fmt.Errorf("authenticate: %w", err)
		}
		s.tokens.touched(key, now)
		if err := s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeTokenUsed, Agency: u.Agency,
			Subject: map[string]string{"user": u.Username, "token": t.ID}, As: a}); err != nil && s.Logger != nil {
			// A follower cannot append to the log; the use is in the token's
			// row all the same, and the request goes on.
			s.Logger.Warn("token use not recorded in the log", "token", t.ID, "err", err)
		}
	}
	return a, nil
}

// A TokenRequest asks for an API token.
type TokenRequest struct {
	Username string   // whose token it is
	Name     string   // what it is for, such as "unit 12's tablet"
	Roles    []string // a subset of the user's roles; none for all of them
	// TTL is how long it lives: zero for the policy's TokenLife, and never
	// longer than that.
	TTL time.Duration
	// Code is the user's current one-time code, when the token carries a
	// role that needs a second factor and its maker is not the user in a
	// session of their own (IssueToken).
	Code string
}

// IssueToken makes an API token for r.Username. It returns the secret,
// shown once. A token is never more than its user could do in a session
// of their own: one carrying a role that needs a second factor
// (Policy.TOTPRoles) is made only by its user — in a session, which passed
// the second factor, or with the user's one-time code — or by the
// installation's operator on the command line with that code. An
// administrator makes tokens for others only of roles without a second
// factor, and the token.created event then says who made it (made_by).
func (s *Service) IssueToken(ctx context.Context, by dispatch.Actor, r TokenRequest) (string, store.Token, error) {
	now := s.now()
	u, err := s.Accounts.User(ctx, r.Username)
	if errors.Is(err, store.ErrNotFound) {
		return "", store.Token{}, dispatch.Errorf(dispatch.ENOTFOUND, "user %s does not exist", r.Username)
	}
	if err != nil {
		return "", store.Token{}, fmt.Errorf("issue token: %w", err)
	}
	for _, role := range r.Roles {
		if !slices.Contains(u.Roles, role) {
			return "", store.Token{}, dispatch.Errorf(dispatch.EINVALID, "user %s does not hold role %q, so a token cannot carry it", r.Username, role)
		}
	}
	if len(r.Name) > 100 {
		return "", store.Token{}, dispatch.Errorf(dispatch.EINVALID, "a token's name is at most 100 characters")
	}
	// A token's name is shown in lists and in the log: no hidden
	// characters, as in any text (dispatch.CheckText).
	if err := dispatch.CheckText("token name", &r.Name, 100, false); err != nil {
		return "", store.Token{}, err
	}
	life := s.Policy.TokenLife
	switch {
	case r.TTL < 0:
		return "", store.Token{}, dispatch.Errorf(dispatch.EINVALID, "a token's lifetime cannot be negative")
	case life > 0 && r.TTL > life:
		return "", store.Token{}, dispatch.Errorf(dispatch.EINVALID, "a token lives at most %s (the installation's policy)", days(life))
	case r.TTL > 0:
		life = r.TTL
	}
	if err := s.mayIssue(ctx, by, u, r, now); err != nil {
		return "", store.Token{}, err
	}
	secret, hash := NewToken()
	t := store.Token{ID: TokenID(hash), Hash: hash, Username: r.Username, Name: r.Name, Roles: r.Roles, Created: now}
	if life > 0 {
		t.Expires = now.Add(life)
	}
	if err := s.Accounts.CreateToken(ctx, t); err != nil {
		return "", t, fmt.Errorf("issue token: %w", err)
	}
	data := dispatch.Audited{"name": r.Name, "roles": fmt.Sprint(r.Roles)}
	if !t.Expires.IsZero() {
		data["expires"] = t.Expires.Format(time.RFC3339)
	}
	switch {
	case by.IsSystem():
		data["made_by"] = by.System
	case by.User != r.Username:
		data["made_by"] = by.User
	}
	if err := s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeTokenCreated, Agency: u.Agency,
		Subject: map[string]string{"user": r.Username, "token": t.ID}, As: by, Data: data}); err != nil {
		s.Accounts.RevokeToken(ctx, t.ID)
		return "", t, err
	}
	return secret, t, nil
}

// mayIssue says why by may not make the token r for u, or returns nil.
func (s *Service) mayIssue(ctx context.Context, by dispatch.Actor, u store.User, r TokenRequest, now time.Time) error {
	roles := r.Roles
	if len(roles) == 0 {
		roles = u.Roles
	}
	var strong []string
	for _, role := range roles {
		if slices.Contains(s.Policy.TOTPRoles, role) {
			strong = append(strong, role)
		}
	}
	need := strings.Join(strong, ", ")
	switch {
	case by.IsSystem():
		// The installation's operator on the command line: as an
		// administrator, but with the user's code it may make the token a
		// user would make.
		if len(strong) == 0 {
			return nil
		}
	case by.User != u.Username:
		if !by.HasRole(dispatch.RoleAdmin) || by.Agency != "" && by.Agency != u.Agency {
			return dispatch.Errorf(dispatch.EFORBIDDEN, "only an administrator of %s's agency makes tokens for %s", u.Username, u.Username)
		}
		if len(strong) > 0 {
			return dispatch.Errorf(dispatch.EFORBIDDEN, "a token carrying %s needs the second factor of %s: only %s can make it, signed in; an administrator may make one without those roles", need, u.Username, u.Username)
		}
		return nil
	case by.Token == "":
		// The user in a session: a session of a user with a second factor
		// began with its code (Login), and enrolling a new one ends the
		// user's sessions.
		if len(strong) > 0 && u.TOTPSecret == "" {
			return dispatch.Errorf(dispatch.EFORBIDDEN, "a token carrying %s needs a second factor, and %s has none enrolled", need, u.Username)
		}
		return nil
	}
	// The user through a token, or the operator for a role with a second
	// factor: the user's one-time code stands for the user's presence. A
	// token without it makes no token, lest a stolen one outlive its
	// revocation through another.
	switch {
	case u.TOTPSecret == "":
		return dispatch.Errorf(dispatch.EFORBIDDEN, "this token needs the one-time code of %s, who has no second factor enrolled; sign in and make it there", u.Username)
	case r.Code == "":
		return dispatch.Errorf(dispatch.EFORBIDDEN, "this token needs the current one-time code of %s (code)", u.Username)
	case !s.validCode(u.TOTPSecret, r.Code, now):
		who := dispatch.Actor{User: u.Username, Agency: u.Agency, Role: primary(u.Roles)}
		// A wrong code counts toward the lock, as at sign-in: whoever
		// holds a token, or the command line, cannot try codes without end.
		return errors.Join(dispatch.Errorf(dispatch.EFORBIDDEN, "the one-time code of %s is wrong", u.Username),
			s.failed(ctx, u, who, "wrong one-time code for a token", now))
	}
	return nil
}

// TokenExpires returns when a token ends: its expiry, or for a token stored
// with none (made before tokens expired), TokenLife after it was made. The
// zero time is never.
func (s *Service) TokenExpires(t store.Token) time.Time {
	if t.Expires.IsZero() && s.Policy.TokenLife > 0 {
		return t.Created.Add(s.Policy.TokenLife)
	}
	return t.Expires
}

// days writes a lifetime in days when it is whole days.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// TokenID returns a token's public id: hex of its hash's first 8 bytes.
func TokenID(hash []byte) string { return hex.EncodeToString(hash[:8]) }

// newSecret returns a random secret with a prefix and its SHA-256.
func newSecret(prefix string) (string, []byte) {
	t, _ := NewToken()
	secret := prefix + t[len(tokenPrefix):]
	h := sha256.Sum256([]byte(secret))
	return secret, h[:]
}

// primary is the role an actor acts in unless a route picks another.
func primary(roles []string) string {
	if len(roles) == 0 {
		return ""
	}
	return roles[0]
}

// dummyHash is checked against when there is no real hash to check, so that
// refusing an unknown user takes as long as refusing a wrong password.
var dummyHash = sync.OnceValue(func() string {
	return HashPassword(base64.StdEncoding.EncodeToString([]byte("no such user")))
})

// NewTOTP makes a new RFC 6238 second factor for username: 30-second steps,
// six digits, SHA-1, which every authenticator app reads from the key's
// otpauth:// URI.
func NewTOTP(username string) (*otp.Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: "tenfour", AccountName: username, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("make a second factor: %w", err)
	}
	return k, nil
}
