package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tenfour-cad/tenfour/store"
)

// timeFormat keeps the nanoseconds of the credentials' times, which are text
// in UTC: TIMESTAMPTZ keeps only microseconds. Such text does not sort as
// time (RFC 3339 trims the fraction's trailing zeros), so times are compared
// and ordered after parsing, never in SQL.
const timeFormat = time.RFC3339Nano

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// optTime returns t as stored in a column where NULL is the zero time.
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := fmtTime(t)
	return &s
}

// parseTime parses a stored time; NULL (nil) is the zero time.
func parseTime(field string, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeFormat, *s)
	if err != nil {
		return t, fmt.Errorf("%s: %w", field, err)
	}
	return t, nil
}

// roles returns r as stored: nil would be sent as NULL.
func roles(r []string) []string {
	if r == nil {
		return []string{}
	}
	return r
}

// CreateUser stores a new user.
func (db *DB) CreateUser(ctx context.Context, u store.User) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO users (username, agency, roles, password_hash, created, disabled, totp_secret, locked_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.Username, u.Agency, roles(u.Roles), u.PasswordHash, fmtTime(u.Created), u.Disabled, u.TOTPSecret, optTime(u.LockedUntil))
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, conflict(err))
	}
	return nil
}

const userColumns = `username, agency, roles, password_hash, created, disabled, totp_secret, locked_until`

func scanUser(row pgx.Row) (store.User, error) {
	var u store.User
	var created string
	var locked *string
	if err := row.Scan(&u.Username, &u.Agency, &u.Roles, &u.PasswordHash, &created, &u.Disabled, &u.TOTPSecret, &locked); err != nil {
		return u, err
	}
	if len(u.Roles) == 0 {
		u.Roles = nil // as SQLite's store answers a user without roles
	}
	var errs [2]error
	u.Created, errs[0] = parseTime("created", &created)
	u.LockedUntil, errs[1] = parseTime("locked_until", locked)
	return u, errors.Join(errs[:]...)
}

// User returns one user.
func (db *DB) User(ctx context.Context, username string) (store.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("user %q: %w", username, store.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("user %q: %w", username, err)
	}
	return u, nil
}

// UpdateUser changes the fields upd sets and returns the user, in one
// statement.
func (db *DB) UpdateUser(ctx context.Context, username string, upd store.UserUpdate) (store.User, error) {
	var sets []string
	var args []any
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if upd.PasswordHash != nil {
		set("password_hash", *upd.PasswordHash)
	}
	if upd.Disabled != nil {
		set("disabled", *upd.Disabled)
	}
	if upd.TOTPSecret != nil {
		set("totp_secret", *upd.TOTPSecret)
	}
	if upd.LockedUntil != nil {
		set("locked_until", optTime(*upd.LockedUntil))
	}
	args = append(args, username)
	q := fmt.Sprintf(`SELECT %s FROM users WHERE username = $%d`, userColumns, len(args))
	if len(sets) > 0 {
		q = fmt.Sprintf(`UPDATE users SET %s WHERE username = $%d RETURNING %s`, strings.Join(sets, ", "), len(args), userColumns)
	}
	u, err := scanUser(db.pool.QueryRow(ctx, q, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("update user %q: %w", username, store.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("update user %q: %w", username, err)
	}
	return u, nil
}

// ListUsers returns every user, by name as bytes compare (COLLATE "C"), as
// SQLite orders them, whatever the database's locale.
func (db *DB) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// AddLoginFailure records a failed sign-in.
func (db *DB) AddLoginFailure(ctx context.Context, username string, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `INSERT INTO login_failures (username, at) VALUES ($1, $2)`, username, fmtTime(at)); err != nil {
		return fmt.Errorf("record login failure of %q: %w", username, err)
	}
	return nil
}

// CountLoginFailures counts a user's failures at or after since, comparing
// the times after parsing (see timeFormat). A user has few: a lockout or a
// sign-in clears them.
func (db *DB) CountLoginFailures(ctx context.Context, username string, since time.Time) (int, error) {
	rows, err := db.pool.Query(ctx, `SELECT at FROM login_failures WHERE username = $1`, username)
	if err != nil {
		return 0, fmt.Errorf("count login failures of %q: %w", username, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return 0, fmt.Errorf("count login failures of %q: %w", username, err)
		}
		at, err := parseTime("at", &s)
		if err != nil {
			return 0, fmt.Errorf("count login failures of %q: %w", username, err)
		}
		if !at.Before(since) {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count login failures of %q: %w", username, err)
	}
	return n, nil
}

// ClearLoginFailures forgets a user's failures.
func (db *DB) ClearLoginFailures(ctx context.Context, username string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM login_failures WHERE username = $1`, username); err != nil {
		return fmt.Errorf("clear login failures of %q: %w", username, err)
	}
	return nil
}

// CreateToken stores a token hash.
func (db *DB) CreateToken(ctx context.Context, t store.Token) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO tokens (hash, username, created, expires, revoked, id, name, roles, last_used)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		t.Hash, t.Username, fmtTime(t.Created), optTime(t.Expires), t.Revoked, t.ID, t.Name, roles(t.Roles), optTime(t.LastUsed))
	if err != nil {
		return fmt.Errorf("create token for %q: %w", t.Username, conflict(err))
	}
	return nil
}

const tokenColumns = `hash, username, created, expires, revoked, id, name, roles, last_used`

func scanToken(row pgx.Row) (store.Token, error) {
	var t store.Token
	var created string
	var exp, used *string
	if err := row.Scan(&t.Hash, &t.Username, &created, &exp, &t.Revoked, &t.ID, &t.Name, &t.Roles, &used); err != nil {
		return t, err
	}
	if len(t.Roles) == 0 {
		t.Roles = nil
	}
	var errs [3]error
	t.Created, errs[0] = parseTime("created", &created)
	t.Expires, errs[1] = parseTime("expires", exp)
	t.LastUsed, errs[2] = parseTime("last_used", used)
	return t, errors.Join(errs[:]...)
}

// TokenByHash returns a token.
func (db *DB) TokenByHash(ctx context.Context, h []byte) (store.Token, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, h))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("token: %w", store.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("token: %w", err)
	}
	return t, nil
}

// ListTokens returns a user's tokens, or everyone's, newest first; tokens
// made at the same instant by id. The order is made after parsing the times
// (see timeFormat).
func (db *DB) ListTokens(ctx context.Context, username string) ([]store.Token, error) {
	q, args := `SELECT `+tokenColumns+` FROM tokens`, []any(nil)
	if username != "" {
		q, args = q+` WHERE username = $1`, []any{username}
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	slices.SortFunc(out, func(a, b store.Token) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// RevokeToken revokes a token by id.
func (db *DB) RevokeToken(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tokens SET revoked = TRUE WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoke token %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// TouchToken records a token's use.
func (db *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `UPDATE tokens SET last_used = $1 WHERE id = $2`, optTime(at), id); err != nil {
		return fmt.Errorf("touch token %s: %w", id, err)
	}
	return nil
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s store.Session) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (hash, username, created, last_seen, expires) VALUES ($1, $2, $3, $4, $5)`,
		s.Hash, s.Username, fmtTime(s.Created), fmtTime(s.LastSeen), fmtTime(s.Expires))
	if err != nil {
		return fmt.Errorf("create session for %q: %w", s.Username, conflict(err))
	}
	return nil
}

// SessionByHash returns a session.
func (db *DB) SessionByHash(ctx context.Context, h []byte) (store.Session, error) {
	var s store.Session
	var created, seen, exp string
	err := db.pool.QueryRow(ctx, `SELECT hash, username, created, last_seen, expires FROM sessions WHERE hash = $1`, h).
		Scan(&s.Hash, &s.Username, &created, &seen, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	var errs [3]error
	s.Created, errs[0] = parseTime("created", &created)
	s.LastSeen, errs[1] = parseTime("last_seen", &seen)
	s.Expires, errs[2] = parseTime("expires", &exp)
	if err := errors.Join(errs[:]...); err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// TouchSession records a session's activity.
func (db *DB) TouchSession(ctx context.Context, h []byte, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `UPDATE sessions SET last_seen = $1 WHERE hash = $2`, fmtTime(at), h); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session, if there is one.
func (db *DB) DeleteSession(ctx context.Context, h []byte) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, h); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends all of a user's sessions.
func (db *DB) DeleteUserSessions(ctx context.Context, username string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE username = $1`, username); err != nil {
		return fmt.Errorf("delete sessions of %q: %w", username, err)
	}
	return nil
}
