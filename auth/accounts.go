package auth

import (
	"context"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// Accounts is where auth keeps what must never enter the log: users'
// password hashes and second factors, failed sign-ins, API tokens and
// sessions, each secret stored only as a hash. store/sqlite and
// store/postgres implement it, and store/storetest checks that they do.
// Every method is safe for concurrent use.
type Accounts interface {
	// CreateUser stores a new user, or returns store.ErrConflict if the name
	// is taken.
	CreateUser(ctx context.Context, u store.User) error
	// User returns the named user, or store.ErrNotFound.
	User(ctx context.Context, username string) (store.User, error)
	// UpdateUser changes the fields u sets and returns the user as it now
	// is, or store.ErrNotFound.
	UpdateUser(ctx context.Context, username string, u store.UserUpdate) (store.User, error)
	// ListUsers returns every user, ordered by name.
	ListUsers(ctx context.Context) ([]store.User, error)

	// AddLoginFailure records a failed sign-in of username at a time.
	AddLoginFailure(ctx context.Context, username string, at time.Time) error
	// CountLoginFailures counts username's failures at or after since.
	CountLoginFailures(ctx context.Context, username string, since time.Time) (int, error)
	// ClearLoginFailures forgets username's failures.
	ClearLoginFailures(ctx context.Context, username string) error

	// CreateToken stores a token (by its hash). Its ID must be unique.
	CreateToken(ctx context.Context, t store.Token) error
	// TokenByHash returns the token whose secret hashes to h, or
	// store.ErrNotFound.
	TokenByHash(ctx context.Context, h []byte) (store.Token, error)
	// ListTokens returns username's tokens (everyone's for ""), newest first.
	ListTokens(ctx context.Context, username string) ([]store.Token, error)
	// RevokeToken revokes the token with the id, or returns store.ErrNotFound.
	RevokeToken(ctx context.Context, id string) error
	// TouchToken records that the token was used at a time.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s store.Session) error
	// SessionByHash returns the session whose cookie hashes to h, or
	// store.ErrNotFound.
	SessionByHash(ctx context.Context, h []byte) (store.Session, error)
	// TouchSession records activity of a session at a time.
	TouchSession(ctx context.Context, h []byte, at time.Time) error
	// DeleteSession ends a session; ending one that does not exist is no error.
	DeleteSession(ctx context.Context, h []byte) error
	// DeleteUserSessions ends every session of username.
	DeleteUserSessions(ctx context.Context, username string) error
}

// Settings keeps the few values bootstrap must remember: whether the
// installation's administrator was made. The ledger's store holds them too.
type Settings interface {
	// Meta returns a stored setting, or store.ErrNotFound.
	Meta(ctx context.Context, key string) (string, error)
	// SetMeta stores a setting, replacing any earlier value.
	SetMeta(ctx context.Context, key, value string) error
}
