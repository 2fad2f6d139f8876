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

// Bootstrap creates the installation administrator, with a password and an API
// token, the first time a store is used. It returns nil credentials when that
// was done before. The user's creation is an event in the log; the secrets are
// only in the store, hashed.
func Bootstrap(ctx context.Context, st store.Store, exec Executor, now time.Time) (*Credentials, error) {
	if _, err := st.Meta(ctx, "bootstrap.admin"); err == nil {
		return nil, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	c := &Credentials{Username: BootstrapUser, Password: NewPassword()}
	err := exec(ctx, dispatch.Actor{System: "bootstrap"}, dispatch.CreateUser{Username: c.Username, Roles: []string{dispatch.RoleAdmin}})
	if err != nil {
		return nil, fmt.Errorf("bootstrap administrator: %w", err)
	}
	// Administrators sign in with a second factor (DefaultPolicy), so the
	// first one is enrolled from the start.
	key, err := NewTOTP(c.Username)
	if err != nil {
		return nil, fmt.Errorf("bootstrap administrator: %w", err)
	}
	c.TOTP = key.URL()
	err = st.CreateUser(ctx, store.User{Username: c.Username, Roles: []string{dispatch.RoleAdmin}, PasswordHash: HashPassword(c.Password), Created: now, TOTPSecret: key.Secret()})
	if err != nil {
		return nil, fmt.Errorf("bootstrap administrator: %w", err)
	}
	token, hash := NewToken()
	if err := st.CreateToken(ctx, store.Token{ID: TokenID(hash), Name: "bootstrap", Hash: hash, Username: c.Username, Created: now}); err != nil {
		return nil, fmt.Errorf("bootstrap administrator token: %w", err)
	}
	c.Token = token
	if err := st.SetMeta(ctx, "bootstrap.admin", now.UTC().Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return c, nil
}
