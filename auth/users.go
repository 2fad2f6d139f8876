package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// A NewUser is a user to create: who it is, as dispatch.CreateUser says,
// and its first password.
type NewUser struct {
	Username string
	Agency   string // "" for an installation administrator
	Roles    []string
	Password string // checked against CheckPasswordPolicy
	// SecondFactor enrols a second factor even when the roles do not need
	// one (the installation's first administrator always has one).
	SecondFactor bool
}

// CreateUser creates a user, the one way every entrance does it (the users
// API, `tenfour user add`, bootstrap): it records the user in the log as
// dispatch.CreateUser through exec, acting as by, then stores its
// credentials (SetCredentials). It returns the user as stored and the
// otpauth:// URI of its second factor when one was enrolled, shown once.
//
// The event comes first, so that no credential exists for a user the log
// does not know. If storing the credentials then fails, the user stays in
// the log without credentials, so nobody can sign in as it; the error says
// so, and names the user for an administrator to deal with.
func (s *Service) CreateUser(ctx context.Context, exec Executor, by dispatch.Actor, nu NewUser) (store.User, string, error) {
	if err := CheckPasswordPolicy(nu.Password); err != nil {
		return store.User{}, "", err
	}
	if _, err := s.Accounts.User(ctx, nu.Username); err == nil {
		return store.User{}, "", dispatch.Errorf(dispatch.ECONFLICT, "user %s already exists", nu.Username)
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.User{}, "", fmt.Errorf("create user %s: %w", nu.Username, err)
	}
	if err := exec(ctx, by, dispatch.CreateUser{Username: nu.Username, Agency: nu.Agency, Roles: nu.Roles}); err != nil {
		return store.User{}, "", err
	}
	u, uri, err := s.setCredentials(ctx, by, nu)
	if err != nil {
		return u, "", fmt.Errorf("user %s is in the log but has no credentials: %w", nu.Username, err)
	}
	return u, uri, nil
}

// SetCredentials stores the credentials of a user the log already knows
// (dispatch.CreateUser) but the accounts do not: the password's argon2id
// hash and, when the roles need one, a new second factor, whose otpauth://
// URI it returns, once. CreateUser is the way to make a user; this is for
// one whose credentials were never stored (tenfour demo, run again on its
// data).
func (s *Service) SetCredentials(ctx context.Context, by dispatch.Actor, username, agency string, roles []string, password string) (string, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		return "", err
	}
	_, uri, err := s.setCredentials(ctx, by, NewUser{Username: username, Agency: agency, Roles: roles, Password: password})
	return uri, err
}

// setCredentials stores nu's credentials, enrolling a second factor when
// its roles need one or it asks for one, and records the enrolment.
func (s *Service) setCredentials(ctx context.Context, by dispatch.Actor, nu NewUser) (store.User, string, error) {
	u := store.User{Username: nu.Username, Agency: nu.Agency, Roles: nu.Roles, PasswordHash: HashPassword(nu.Password), Created: s.now()}
	var uri string
	if nu.SecondFactor || s.NeedsSecondFactor(nu.Roles) {
		key, err := NewTOTP(nu.Username)
		if err != nil {
			return u, "", err
		}
		u.TOTPSecret, uri = key.Secret(), key.URL()
	}
	if err := s.Accounts.CreateUser(ctx, u); errors.Is(err, store.ErrConflict) {
		return u, "", dispatch.Errorf(dispatch.ECONFLICT, "user %s already has credentials", nu.Username)
	} else if err != nil {
		return u, "", fmt.Errorf("set credentials of %s: %w", nu.Username, err)
	}
	if uri == "" {
		return u, "", nil
	}
	if err := s.audit(ctx, dispatch.RecordAudit{Type: dispatch.TypeTOTPEnrolled, Agency: nu.Agency,
		Subject: map[string]string{"user": nu.Username}, As: by}); err != nil {
		return u, "", err
	}
	return u, uri, nil
}

// User returns the named user, or a not-found domain error.
func (s *Service) User(ctx context.Context, username string) (store.User, error) {
	return s.user(ctx, username)
}

// Users returns every user, ordered by name.
func (s *Service) Users(ctx context.Context) ([]store.User, error) {
	us, err := s.Accounts.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// Tokens returns username's API tokens, newest first: never their secrets.
func (s *Service) Tokens(ctx context.Context, username string) ([]store.Token, error) {
	ts, err := s.Accounts.ListTokens(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", username, err)
	}
	return ts, nil
}
