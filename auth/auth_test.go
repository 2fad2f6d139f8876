package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// now is the time of the tests' authentications; no test reads the clock.
var now = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

// MustOpenStore opens a SQLite store in a temporary directory.
func MustOpenStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), tb.TempDir()+"/t.db")
	if err != nil {
		tb.Fatalf("sqlite.Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustCreateUser stores a user (with a placeholder password hash: no test
// here logs in with a password) and a token for it, and returns the token.
func MustCreateUser(tb testing.TB, st auth.Accounts, u store.User, tok store.Token) string {
	tb.Helper()
	ctx := context.Background()
	if u.PasswordHash == "" {
		u.PasswordHash = "$argon2id$placeholder"
	}
	if err := st.CreateUser(ctx, u); err != nil && !errors.Is(err, store.ErrConflict) {
		tb.Fatalf("CreateUser(%s) = %v", u.Username, err)
	}
	token, hash := auth.NewToken()
	tok.ID, tok.Hash, tok.Username = auth.TokenID(hash), hash, u.Username
	if err := st.CreateToken(ctx, tok); err != nil {
		tb.Fatalf("CreateToken(%s) = %v", u.Username, err)
	}
	return token
}

func TestPassword(t *testing.T) {
	// Each hash or check costs about 100 ms and 64 MiB: two of each here.
	const pw = "correct horse battery staple"
	h1, h2 := auth.HashPassword(pw), auth.HashPassword(pw)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=65536,t=3,p=2$") || strings.Count(h1, "$") != 5 {
		t.Errorf("HashPassword = %q, want a PHC argon2id string with m=65536,t=3,p=2", h1)
	}
	if h1 == h2 {
		t.Errorf("HashPassword twice = %q both times, want different salts", h1)
	}
	for _, tc := range []struct {
		name, hash, pw string
		want           bool
	}{
		{"OK", h1, pw, true},
		{"Wrong", h1, pw + " ", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := auth.CheckPassword(tc.hash, tc.pw)
			if got != tc.want || err != nil {
				t.Errorf("CheckPassword(hash, %q) = %v, %v, want %v, nil", tc.pw, got, err, tc.want)
			}
		})
	}
}

// TestCheckPasswordMalformed covers hashes that fail before any key is
// derived, so none of them costs an argon2 run.
func TestCheckPasswordMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	for _, tc := range []struct{ name, hash, want string }{
		{"Empty", "", "not argon2id"},
		{"Bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "not argon2id"},
		{"Argon2i", "$argon2i$v=19$m=65536,t=3,p=2$" + salt + "$" + key, "not argon2id"},
		{"TooFewParts", "$argon2id$v=19$m=65536,t=3,p=2$" + salt, "not argon2id"},
		{"TooManyParts", "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$" + key + "$x", "not argon2id"},
		{"Version", "$argon2id$v=16$m=65536,t=3,p=2$" + salt + "$" + key, "version"},
		{"VersionGarbage", "$argon2id$version$m=65536,t=3,p=2$" + salt + "$" + key, "version"},
		{"Params", "$argon2id$v=19$m=lots$" + salt + "$" + key, "parameters"},
		{"ParamsOverflow", "$argon2id$v=19$m=65536,t=3,p=256$" + salt + "$" + key, "parameters"},
		{"Salt", "$argon2id$v=19$m=65536,t=3,p=2$not base64!$" + key, "salt"},
		{"Key", "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$" + key + "==", "password hash: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := auth.CheckPassword(tc.hash, "pw")
			if ok || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CheckPassword(%q) = %v, %v, want false and an error about %q", tc.hash, ok, err, tc.want)
			}
		})
	}
}

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		token, hash := auth.NewToken()
		if !strings.HasPrefix(token, "t4_") || len(token) != len("t4_")+43 {
			t.Fatalf("NewToken = %q, want t4_ and 43 base64url characters", token)
		}
		if strings.ContainsAny(strings.TrimPrefix(token, "t4_"), "+/=") {
			t.Fatalf("NewToken = %q, want URL-safe characters only", token)
		}
		if seen[token] {
			t.Fatalf("NewToken = %q twice", token)
		}
		seen[token] = true
		if want := auth.TokenHash(token); !bytes.Equal(hash, want) {
			t.Fatalf("NewToken hash = %x, want TokenHash(token) = %x", hash, want)
		}
	}
}

func TestTokenHash(t *testing.T) {
	sum := sha256.Sum256([]byte("t4_abc"))
	if got := auth.TokenHash("t4_abc"); !bytes.Equal(got, sum[:]) {
		t.Errorf("TokenHash(t4_abc) = %x, want its SHA-256 %x", got, sum)
	}
	if bytes.Equal(auth.TokenHash("t4_abc"), auth.TokenHash("t4_abd")) {
		t.Error("TokenHash gives two tokens the same hash")
	}
}

func TestNewPassword(t *testing.T) {
	a, b := auth.NewPassword(), auth.NewPassword()
	if len(a) != 26 || a == b {
		t.Errorf("NewPassword = %q, %q, want two different 26-character passwords", a, b)
	}
}

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	type call struct {
		actor dispatch.Actor
		cmd   dispatch.Command
	}
	var calls []call
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		calls = append(calls, call{a, c})
		return nil
	}

	svc := &auth.Service{Accounts: st, Policy: auth.DefaultPolicy(), Clock: func() time.Time { return now }}
	c, err := svc.Bootstrap(ctx, st, exec)
	if err != nil || c == nil {
		t.Fatalf("Bootstrap = %v, %v, want credentials", c, err)
	}
	if c.Username != auth.BootstrapUser || c.Password == "" || !strings.HasPrefix(c.Token, "t4_") {
		t.Errorf("Bootstrap = %+v, want user admin with a password and a token", c)
	}
	want := []call{{dispatch.Actor{System: "bootstrap"}, dispatch.CreateUser{Username: "admin", Roles: []string{dispatch.RoleAdmin}}}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("Bootstrap executed %+v, want %+v", calls, want)
	}

	u, err := st.User(ctx, "admin")
	if err != nil {
		t.Fatalf("User(admin) after Bootstrap = %v", err)
	}
	if u.Agency != "" || !reflect.DeepEqual(u.Roles, []string{dispatch.RoleAdmin}) || u.Disabled {
		t.Errorf("stored admin = %+v, want an enabled installation administrator", u)
	}
	if strings.Contains(u.PasswordHash, c.Password) {
		t.Error("the stored password hash contains the password")
	}
	if ok, err := auth.CheckPassword(u.PasswordHash, c.Password); !ok || err != nil {
		t.Errorf("CheckPassword(stored hash, bootstrap password) = %v, %v, want true, nil", ok, err)
	}

	a, err := svc.Token(ctx, c.Token)
	if err != nil {
		t.Fatalf("Token(bootstrap token) = %v", err)
	}
	if want := (dispatch.Actor{User: "admin", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}, Token: auth.TokenID(auth.TokenHash(c.Token))}); !reflect.DeepEqual(a, want) {
		t.Errorf("Token(bootstrap token) = %+v, want %+v", a, want)
	}

	again, err := svc.Bootstrap(ctx, st, exec)
	if again != nil || err != nil {
		t.Errorf("second Bootstrap = %+v, %v, want nil, nil", again, err)
	}
	if len(calls) != 1 {
		t.Errorf("second Bootstrap executed %d more commands, want none", len(calls)-1)
	}
}

func TestBootstrapExecFails(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	boom := errors.New("ledger closed")
	svc := &auth.Service{Accounts: st, Policy: auth.DefaultPolicy(), Clock: func() time.Time { return now }}
	c, err := svc.Bootstrap(ctx, st, func(context.Context, dispatch.Actor, dispatch.Command) error { return boom })
	if c != nil || !errors.Is(err, boom) {
		t.Fatalf("Bootstrap with a failing executor = %+v, %v, want nil and the executor's error", c, err)
	}
	if _, err := st.User(ctx, "admin"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("User(admin) after a failed Bootstrap = %v, want ErrNotFound", err)
	}
	if _, err := st.Meta(ctx, "bootstrap.admin"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Meta(bootstrap.admin) after a failed Bootstrap = %v, want ErrNotFound: the next start must try again", err)
	}
}

func TestToken(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	svc := &auth.Service{Accounts: st, Policy: auth.DefaultPolicy(), Clock: func() time.Time { return now }}
	annRoles := []string{dispatch.RoleDispatcher, dispatch.RoleCallTaker}
	ann := store.User{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher, dispatch.RoleCallTaker}, Created: now}
	tokens := map[string]string{
		"valid":        MustCreateUser(t, st, ann, store.Token{Created: now}),
		"future":       MustCreateUser(t, st, ann, store.Token{Created: now, Expires: now.Add(time.Nanosecond)}),
		"revoked":      MustCreateUser(t, st, ann, store.Token{Created: now, Revoked: true}),
		"expired":      MustCreateUser(t, st, ann, store.Token{Created: now.Add(-48 * time.Hour), Expires: now.Add(-time.Second)}),
		"expiring-now": MustCreateUser(t, st, ann, store.Token{Created: now.Add(-time.Hour), Expires: now}),
		"disabled": MustCreateUser(t, st, store.User{Username: "dan", Agency: "metro", Roles: []string{dispatch.RoleOfficer},
			Created: now, Disabled: true}, store.Token{Created: now}),
		"admin": MustCreateUser(t, st, store.User{Username: "root", Roles: []string{dispatch.RoleAdmin}, Created: now}, store.Token{Created: now}),
		// Tokens made before tokens expired have no expiry: they end
		// Policy.TokenLife after they were made.
		"old":         MustCreateUser(t, st, ann, store.Token{Created: now.Add(-auth.DefaultTokenLife + time.Second)}),
		"old-expired": MustCreateUser(t, st, ann, store.Token{Created: now.Add(-auth.DefaultTokenLife)}),
		"locked": MustCreateUser(t, st, store.User{Username: "lou", Agency: "metro", Roles: []string{dispatch.RoleOfficer},
			Created: now, LockedUntil: now.Add(time.Minute)}, store.Token{Created: now}),
		"lock-ended": MustCreateUser(t, st, store.User{Username: "leo", Agency: "metro", Roles: []string{dispatch.RoleOfficer},
			Created: now, LockedUntil: now}, store.Token{Created: now}),
	}
	unknown, _ := auth.NewToken()
	for _, tc := range []struct {
		name  string
		token string
		want  dispatch.Actor
		msg   string // for an unauthorized token, part of the message
	}{
		{name: "OK", token: tokens["valid"], want: dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: annRoles}},
		{name: "OKNotYetExpired", token: tokens["future"], want: dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: annRoles}},
		{name: "OKAdmin", token: tokens["admin"], want: dispatch.Actor{User: "root", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}}},
		{name: "OKOldWithinLife", token: tokens["old"], want: dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: annRoles}},
		{name: "OKLockEnded", token: tokens["lock-ended"], want: dispatch.Actor{User: "leo", Agency: "metro", Role: dispatch.RoleOfficer, Roles: []string{dispatch.RoleOfficer}}},
		{name: "ErrOldPastLife", token: tokens["old-expired"], msg: "expired or was revoked"},
		{name: "ErrLocked", token: tokens["locked"], msg: "locked"},
		{name: "ErrUnknown", token: unknown, msg: "not valid"},
		{name: "ErrEmpty", token: "", msg: "not valid"},
		{name: "ErrHashGivenAsToken", token: string(auth.TokenHash(tokens["valid"])), msg: "not valid"},
		{name: "ErrRevoked", token: tokens["revoked"], msg: "expired or was revoked"},
		{name: "ErrExpired", token: tokens["expired"], msg: "expired or was revoked"},
		{name: "ErrExpiresNow", token: tokens["expiring-now"], msg: "expired or was revoked"},
		{name: "ErrDisabled", token: tokens["disabled"], msg: "disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := svc.Token(ctx, tc.token)
			if tc.msg == "" {
				// The actor names the token it acts with, by its public id.
				tc.want.Token = auth.TokenID(auth.TokenHash(tc.token))
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Errorf("Token(%s) = %+v, %v, want %+v", tc.name, got, err, tc.want)
				}
				return
			}
			var de *dispatch.Error
			if !errors.As(err, &de) || de.Code != dispatch.EUNAUTHORIZED || !strings.Contains(de.Message, tc.msg) {
				t.Errorf("Token(%s) = %v, want an %s error saying %q", tc.name, err, dispatch.EUNAUTHORIZED, tc.msg)
			}
			if !reflect.DeepEqual(got, dispatch.Actor{}) {
				t.Errorf("Token(%s) = actor %+v with an error, want none", tc.name, got)
			}
		})
	}
}
