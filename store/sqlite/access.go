package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// Times of credentials are RFC 3339 text with nanoseconds; "" is the zero time.
const timeFormat = time.RFC3339Nano

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return t, fmt.Errorf("%s: %w", field, err)
	}
	return t, nil
}

func joinRoles(r []string) string { return strings.Join(r, ",") }

func splitRoles(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// CreateUser stores a new user.
func (db *DB) CreateUser(ctx context.Context, u store.User) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO users (username, agency, roles, password_hash, created, disabled, totp_secret, locked_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.Agency, joinRoles(u.Roles), u.PasswordHash, fmtTime(u.Created), u.Disabled, u.TOTPSecret, fmtTime(u.LockedUntil))
	if err != nil {
		if isConstraint(err) {
			return fmt.Errorf("create user %q: %w", u.Username, store.ErrConflict)
		}
		return fmt.Errorf("create user %q: %w", u.Username, err)
	}
	return nil
}

const userColumns = `username, agency, roles, password_hash, created, disabled, totp_secret, locked_until`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (store.User, error) {
	var u store.User
	var roles, created, locked string
	if err := row.Scan(&u.Username, &u.Agency, &roles, &u.PasswordHash, &created, &u.Disabled, &u.TOTPSecret, &locked); err != nil {
		return u, err
	}
	u.Roles = splitRoles(roles)
	var err error
	if u.Created, err = parseTime("created", created); err != nil {
		return u, err
	}
	u.LockedUntil, err = parseTime("locked_until", locked)
	return u, err
}

// User returns one user.
func (db *DB) User(ctx context.Context, username string) (store.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user %q: %w", username, store.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("user %q: %w", username, err)
	}
	return u, nil
}

// UpdateUser changes the fields upd sets, in one transaction.
func (db *DB) UpdateUser(ctx context.Context, username string, upd store.UserUpdate) (store.User, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return store.User{}, fmt.Errorf("update user %q: %w", username, err)
	}
	defer tx.Rollback()
	set := func(col string, v any) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET `+col+` = ? WHERE username = ?`, v, username)
		return err
	}
	var errs []error
	if upd.PasswordHash != nil {
		errs = append(errs, set("password_hash", *upd.PasswordHash))
	}
	if upd.Disabled != nil {
		errs = append(errs, set("disabled", *upd.Disabled))
	}
	if upd.TOTPSecret != nil {
		errs = append(errs, set("totp_secret", *upd.TOTPSecret))
	}
	if upd.LockedUntil != nil {
		errs = append(errs, set("locked_until", fmtTime(*upd.LockedUntil)))
	}
	if err := errors.Join(errs...); err != nil {
		return store.User{}, fmt.Errorf("update user %q: %w", username, err)
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("update user %q: %w", username, store.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("update user %q: %w", username, err)
	}
	if err := tx.Commit(); err != nil {
		return u, fmt.Errorf("update user %q: %w", username, err)
	}
	return u, nil
}

// ListUsers returns every user by name.
func (db *DB) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
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
	if _, err := db.w.ExecContext(ctx, `INSERT INTO login_failures (username, at) VALUES (?, ?)`, username, fmtTime(at)); err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

// CountLoginFailures counts failures since a time. RFC 3339 text in UTC with
// a fixed number of digits would compare as time; with nanoseconds trimmed it
// does not, so the times are compared after parsing.
func (db *DB) CountLoginFailures(ctx context.Context, username string, since time.Time) (int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT at FROM login_failures WHERE username = ?`, username)
	if err != nil {
		return 0, fmt.Errorf("count login failures: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return 0, fmt.Errorf("count login failures: %w", err)
		}
		at, err := parseTime("at", s)
		if err != nil {
			return 0, fmt.Errorf("count login failures: %w", err)
		}
		if !at.Before(since) {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count login failures: %w", err)
	}
	return n, nil
}

// ClearLoginFailures forgets a user's failures.
func (db *DB) ClearLoginFailures(ctx context.Context, username string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM login_failures WHERE username = ?`, username); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// CreateToken stores a token hash.
func (db *DB) CreateToken(ctx context.Context, t store.Token) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO tokens (hash, username, created, expires, revoked, id, name, roles, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Hash, t.Username, fmtTime(t.Created), fmtTime(t.Expires), t.Revoked, t.ID, t.Name, joinRoles(t.Roles), fmtTime(t.LastUsed))
	if err != nil {
		if isConstraint(err) {
			return fmt.Errorf("create token for %q: %w", t.Username, store.ErrConflict)
		}
		return fmt.Errorf("create token for %q: %w", t.Username, err)
	}
	return nil
}

const tokenColumns = `hash, username, created, expires, revoked, id, name, roles, last_used`

func scanToken(row scanner) (store.Token, error) {
	var t store.Token
	var created, exp, roles, used string
	if err := row.Scan(&t.Hash, &t.Username, &created, &exp, &t.Revoked, &t.ID, &t.Name, &roles, &used); err != nil {
		return t, err
	}
	t.Roles = splitRoles(roles)
	var errs [3]error
	t.Created, errs[0] = parseTime("created", created)
	t.Expires, errs[1] = parseTime("expires", exp)
	t.LastUsed, errs[2] = parseTime("last_used", used)
	return t, errors.Join(errs[:]...)
}

// TokenByHash returns a token.
func (db *DB) TokenByHash(ctx context.Context, h []byte) (store.Token, error) {
	t, err := scanToken(db.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, h))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("token: %w", store.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("token: %w", err)
	}
	return t, nil
}

// ListTokens returns a user's tokens, or everyone's, newest first.
func (db *DB) ListTokens(ctx context.Context, username string) ([]store.Token, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE ? = '' OR username = ?`, username, username)
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
	// RFC 3339 text trims trailing zeros of the fraction and so does not sort
	// as time: sort the parsed times, newest first, then by id.
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
	res, err := db.w.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke token %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// TouchToken records a token's use.
func (db *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE tokens SET last_used = ? WHERE id = ?`, fmtTime(at), id); err != nil {
		return fmt.Errorf("touch token %s: %w", id, err)
	}
	return nil
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s store.Session) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO sessions (hash, username, created, last_seen, expires) VALUES (?, ?, ?, ?, ?)`,
		s.Hash, s.Username, fmtTime(s.Created), fmtTime(s.LastSeen), fmtTime(s.Expires))
	if err != nil {
		if isConstraint(err) {
			return fmt.Errorf("create session for %q: %w", s.Username, store.ErrConflict)
		}
		return fmt.Errorf("create session for %q: %w", s.Username, err)
	}
	return nil
}

// SessionByHash returns a session.
func (db *DB) SessionByHash(ctx context.Context, h []byte) (store.Session, error) {
	var s store.Session
	var created, seen, exp string
	err := db.r.QueryRowContext(ctx, `SELECT hash, username, created, last_seen, expires FROM sessions WHERE hash = ?`, h).
		Scan(&s.Hash, &s.Username, &created, &seen, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	var errs [3]error
	s.Created, errs[0] = parseTime("created", created)
	s.LastSeen, errs[1] = parseTime("last_seen", seen)
	s.Expires, errs[2] = parseTime("expires", exp)
	if err := errors.Join(errs[:]...); err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// TouchSession records a session's activity.
func (db *DB) TouchSession(ctx context.Context, h []byte, at time.Time) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE hash = ?`, fmtTime(at), h); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, h []byte) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, h); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends all of a user's sessions.
func (db *DB) DeleteUserSessions(ctx context.Context, username string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE username = ?`, username); err != nil {
		return fmt.Errorf("delete sessions of %q: %w", username, err)
	}
	return nil
}
