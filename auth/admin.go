package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// EOTPRequired is the error code of a sign-in that lacks the one-time code
// the user's second factor needs: the client asks for it and tries again.
const EOTPRequired = "otp_required"

// EBusy is the error code of a sign-in refused because as many passwords as
// Policy.MaxHashing allows are being checked at that moment: nothing was
// checked or counted, and the client tries again shortly.
const EBusy = "busy"

// Password lengths. The CJIS Security Policy (IA-5) accepts a policy based
// on length alone; 256 bounds the work of hashing one.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// CheckPasswordPolicy says why password may not be set, or returns nil.
func CheckPasswordPolicy(password string) error {
	if !utf8.ValidString(password) {
		return dispatch.Errorf(dispatch.EINVALID, "a password must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLen || n > MaxPasswordLen {
		return dispatch.Errorf(dispatch.EINVALID, "a password must be %d to %d characters long", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// Audit records an access event in the log, as the system, about a.As.
func (s *Service) Audit(ctx context.Context, a dispatch.RecordAudit) error {
	return s.audit(ctx, a)
}

// NeedsSecondFactor reports whether a holder of roles must sign in with a
// one-time code.
func (s *Service) NeedsSecondFactor(roles []string) bool {
	return s.needsOTP(store.User{Roles: roles})
}

// user returns the named user, or a not-found domain error.
func (s *Service) user(ctx context.Context, username string) (store.User, error) {
	u, err := s.Accounts.User(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return u, dispatch.Errorf(dispatch.ENOTFOUND, "user %s does not exist", username)
	}
	if err != nil {
		return u, fmt.Errorf("user %s: %w", username, err)
	}
	return u, nil
}

// DisableUser disables a user and ends its sessions; its tokens stop
// working with it. It is recorded as user.disabled.
func (s *Service) DisableUser(ctx context.Context, by dispatch.Actor, username string) (store.User, error) {
	if by.User == username {
		return store.User{}, dispatch.Errorf(dispatch.ECONFLICT, "you cannot disable your own account")
	}
	disabled := true
	u, err := s.Accounts.UpdateUser(ctx, username, store.UserUpdate{Disabled: &disabled})
	s.tokens.forget()
	if errors.Is(err, store.ErrNotFound) {
		return u, dispatch.Errorf(dispatch.ENOTFOUND, "user %s does not exist", username)
	}
	if err != nil {
		return u, fmt.Errorf("disable %s: %w", username, err)
	}
	if err := s.Accounts.DeleteUserSessions(ctx, username); err != nil {
		return u, fmt.Errorf("disable %s: %w", username, err)
	}
	return u, s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeUserDisabled, Agency: u.Agency,
		Subject: map[string]string{"user": username}, As: by})
}

// Unlock lifts a user's lock and forgets its failed sign-ins. It is
// recorded as auth.unlocked.
func (s *Service) Unlock(ctx context.Context, by dispatch.Actor, username string) (store.User, error) {
	var zero time.Time
	u, err := s.Accounts.UpdateUser(ctx, username, store.UserUpdate{LockedUntil: &zero})
	if errors.Is(err, store.ErrNotFound) {
		return u, dispatch.Errorf(dispatch.ENOTFOUND, "user %s does not exist", username)
	}
	if err != nil {
		return u, fmt.Errorf("unlock %s: %w", username, err)
	}
	// The account's tokens work again here at once, not when the cache
	// forgets the locked user.
	s.tokens.forget()
	if err := s.Accounts.ClearLoginFailures(ctx, username); err != nil {
		return u, fmt.Errorf("unlock %s: %w", username, err)
	}
	return u, s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeUnlocked, Agency: u.Agency,
		Subject: map[string]string{"user": username}, As: by})
}

// ResetPassword sets a user's password and ends its sessions. It is
// recorded as auth.password_reset; the password is not.
func (s *Service) ResetPassword(ctx context.Context, by dispatch.Actor, username, password string) error {
	if err := CheckPasswordPolicy(password); err != nil {
		return err
	}
	if _, err := s.user(ctx, username); err != nil {
		return err
	}
	h := HashPassword(password)
	u, err := s.Accounts.UpdateUser(ctx, username, store.UserUpdate{PasswordHash: &h})
	if err != nil {
		return fmt.Errorf("reset the password of %s: %w", username, err)
	}
	if err := s.Accounts.DeleteUserSessions(ctx, username); err != nil {
		return fmt.Errorf("reset the password of %s: %w", username, err)
	}
	return s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypePasswordReset, Agency: u.Agency,
		Subject: map[string]string{"user": username}, As: by})
}

// EnrollTOTP gives a user a new second factor, replacing any earlier one,
// and ends its sessions. It returns the otpauth:// URI, shown once. It is
// recorded as auth.totp_enrolled; the secret is not.
func (s *Service) EnrollTOTP(ctx context.Context, by dispatch.Actor, username string) (string, error) {
	if _, err := s.user(ctx, username); err != nil {
		return "", err
	}
	key, err := NewTOTP(username)
	if err != nil {
		return "", err
	}
	secret := key.Secret()
	u, err := s.Accounts.UpdateUser(ctx, username, store.UserUpdate{TOTPSecret: &secret})
	if err != nil {
		return "", fmt.Errorf("enroll a second factor for %s: %w", username, err)
	}
	if err := s.Accounts.DeleteUserSessions(ctx, username); err != nil {
		return "", fmt.Errorf("enroll a second factor for %s: %w", username, err)
	}
	if err := s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeTOTPEnrolled, Agency: u.Agency,
		Subject: map[string]string{"user": username}, As: by}); err != nil {
		return "", err
	}
	return key.URL(), nil
}

// TokenByID returns the token with a public id, or a not-found domain error.
func (s *Service) TokenByID(ctx context.Context, id string) (store.Token, error) {
	ts, err := s.Accounts.ListTokens(ctx, "")
	if err != nil {
		return store.Token{}, fmt.Errorf("token %s: %w", id, err)
	}
	i := slices.IndexFunc(ts, func(t store.Token) bool { return t.ID == id })
	if i < 0 {
		return store.Token{}, dispatch.Errorf(dispatch.ENOTFOUND, "token %s does not exist", id)
	}
	return ts[i], nil
}

// RevokeToken revokes the token with a public id. It is recorded as
// token.revoked.
func (s *Service) RevokeToken(ctx context.Context, by dispatch.Actor, id string) error {
	t, err := s.TokenByID(ctx, id)
	if err != nil {
		return err
	}
	u, err := s.user(ctx, t.Username)
	if err != nil {
		return err
	}
	err = s.Accounts.RevokeToken(ctx, id)
	s.tokens.forget()
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	return s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeTokenRevoked, Agency: u.Agency,
		Subject: map[string]string{"user": t.Username, "token": id}, As: by})
}
