package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// BootstrapUser is the installation administrator created on first start.
const BootstrapUser = "admin"

// Credentials are a user's freshly made secrets, shown once.
type Credentials struct {
	Username string
	Password string
	Token    string
	TOTP     string // the otpauth:// URI of the second factor, for an authenticator app
}

// An Executor runs a domain command and records its events.
type Executor func(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) error

// Bootstrap creates the installation administrator, with a password, a
// second factor and an API token, the first time a store is used; settings
// remember that it was done. It returns nil credentials when that was done
// before. The user is made as every user is (CreateUser): its creation is an
// event in the log, recorded through exec; the secrets are only in the
// accounts, hashed.
func (s *Service) Bootstrap(ctx context.Context, settings Settings, exec Executor) (*Credentials, error) {
	if _, err := settings.Meta(ctx, "bootstrap.admin"); err == nil {
		return nil, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	c := &Credentials{Username: BootstrapUser, Password: NewPassword()}
	// Administrators sign in with a second factor (DefaultPolicy), so the
	// first one is enrolled from the start, whatever the policy.
	u, uri, err := s.CreateUser(ctx, exec, dispatch.Actor{System: "bootstrap"}, NewUser{
		Username: c.Username, Roles: []string{dispatch.RoleAdmin}, Password: c.Password, SecondFactor: true,
	})
	if err != nil {
		return nil, fmt.Errorf("bootstrap administrator: %w", err)
	}
	c.TOTP = uri
	token, hash := NewToken()
	t := store.Token{ID: TokenID(hash), Name: "bootstrap", Hash: hash, Username: c.Username, Created: u.Created}
	if s.Policy.TokenLife > 0 {
		t.Expires = u.Created.Add(s.Policy.TokenLife)
	}
	if err := s.Accounts.CreateToken(ctx, t); err != nil {
		return nil, fmt.Errorf("bootstrap administrator token: %w", err)
	}
	c.Token = token
	if err := settings.SetMeta(ctx, "bootstrap.admin", u.Created.UTC().Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return c, nil
}
