package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// TestIssueToken walks the rule of who may make which token: never more
// than its user could do in a session of their own.
func TestIssueToken(t *testing.T) {
	ctx := context.Background()
	s, rec, st := newService(t)
	key, err := auth.NewTOTP("sue")
	if err != nil {
		t.Fatal(err)
	}
	secret := key.Secret()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	MustCreateUser(t, st, store.User{Username: "sue", Agency: "metro", Roles: []string{dispatch.RoleSupervisor, dispatch.RoleDispatcher}, TOTPSecret: secret, Created: now}, store.Token{Created: now})
	MustCreateUser(t, st, store.User{Username: "nick", Agency: "metro", Roles: []string{dispatch.RoleSupervisor}, Created: now}, store.Token{Created: now})
	MustCreateUser(t, st, store.User{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Created: now}, store.Token{Created: now})

	metroAdmin := dispatch.Actor{User: "madmin", Agency: "metro", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}}
	metroAdminToken := metroAdmin
	metroAdminToken.Token = "00000000000000aa"
	sueSession := dispatch.Actor{User: "sue", Agency: "metro", Role: dispatch.RoleSupervisor, Roles: []string{dispatch.RoleSupervisor, dispatch.RoleDispatcher}}
	sueToken := sueSession
	sueToken.Token = "00000000000000bb"
	annSession := dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher}}
	annToken := annSession
	annToken.Token = "00000000000000cc"
	nickSession := dispatch.Actor{User: "nick", Agency: "metro", Role: dispatch.RoleSupervisor, Roles: []string{dispatch.RoleSupervisor}}
	cli := dispatch.Actor{System: "cli:operator"}
	supervisor := []string{dispatch.RoleSupervisor}
	dispatcher := []string{dispatch.RoleDispatcher}

	for _, tc := range []struct {
		name   string
		by     dispatch.Actor
		req    auth.TokenRequest
		code   string // the wanted error's code; "" for success
		detail string // part of the wanted error's message
		madeBy string // the wanted made_by of token.created
	}{
		{name: "ErrAdminForSupervisor", by: metroAdmin, req: auth.TokenRequest{Username: "sue", Roles: supervisor}, code: dispatch.EFORBIDDEN, detail: "second factor of sue"},
		{name: "ErrAdminForSupervisorAllRoles", by: metroAdmin, req: auth.TokenRequest{Username: "sue"}, code: dispatch.EFORBIDDEN, detail: "second factor of sue"},
		{name: "ErrAdminForSupervisorWithCode", by: metroAdmin, req: auth.TokenRequest{Username: "sue", Roles: supervisor, Code: code}, code: dispatch.EFORBIDDEN, detail: "only sue can make it"},
		{name: "ErrAdminTokenForSupervisor", by: metroAdminToken, req: auth.TokenRequest{Username: "sue", Roles: supervisor}, code: dispatch.EFORBIDDEN, detail: "second factor of sue"},
		{name: "OKAdminForSupervisorDispatcherOnly", by: metroAdmin, req: auth.TokenRequest{Username: "sue", Roles: dispatcher}, madeBy: "madmin"},
		{name: "OKAdminForDispatcher", by: metroAdmin, req: auth.TokenRequest{Username: "ann"}, madeBy: "madmin"},
		{name: "ErrNotAdminForOther", by: sueSession, req: auth.TokenRequest{Username: "ann"}, code: dispatch.EFORBIDDEN, detail: "only an administrator"},
		{name: "ErrOtherAgencysAdmin", by: dispatch.Actor{User: "sadmin", Agency: "sheriff", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}}, req: auth.TokenRequest{Username: "ann"}, code: dispatch.EFORBIDDEN, detail: "only an administrator of ann's agency"},
		{name: "OKInstallationAdminForDispatcher", by: dispatch.Actor{User: "root", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}}, req: auth.TokenRequest{Username: "ann"}, madeBy: "root"},
		{name: "OKSupervisorInSession", by: sueSession, req: auth.TokenRequest{Username: "sue", Roles: supervisor}},
		{name: "ErrSupervisorTokenNoCode", by: sueToken, req: auth.TokenRequest{Username: "sue", Roles: supervisor}, code: dispatch.EFORBIDDEN, detail: "one-time code of sue"},
		{name: "ErrSupervisorTokenWrongCode", by: sueToken, req: auth.TokenRequest{Username: "sue", Roles: supervisor, Code: wrong}, code: dispatch.EFORBIDDEN, detail: "is wrong"},
		{name: "OKSupervisorTokenWithCode", by: sueToken, req: auth.TokenRequest{Username: "sue", Roles: supervisor, Code: code}},
		{name: "ErrTokenMakesToken", by: annToken, req: auth.TokenRequest{Username: "ann"}, code: dispatch.EFORBIDDEN, detail: "sign in"},
		{name: "OKDispatcherInSession", by: annSession, req: auth.TokenRequest{Username: "ann"}},
		{name: "ErrNoSecondFactorEnrolled", by: nickSession, req: auth.TokenRequest{Username: "nick"}, code: dispatch.EFORBIDDEN, detail: "none enrolled"},
		{name: "ErrCommandLineForSupervisor", by: cli, req: auth.TokenRequest{Username: "sue", Roles: supervisor}, code: dispatch.EFORBIDDEN, detail: "one-time code of sue"},
		{name: "ErrCommandLineWrongCode", by: cli, req: auth.TokenRequest{Username: "sue", Code: wrong}, code: dispatch.EFORBIDDEN, detail: "is wrong"},
		{name: "OKCommandLineWithCode", by: cli, req: auth.TokenRequest{Username: "sue", Code: code}, madeBy: "cli:operator"},
		{name: "OKCommandLineForDispatcher", by: cli, req: auth.TokenRequest{Username: "ann"}, madeBy: "cli:operator"},
		{name: "ErrTooLong", by: annSession, req: auth.TokenRequest{Username: "ann", TTL: auth.DefaultTokenLife + time.Second}, code: dispatch.EINVALID, detail: "at most 90 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Name = tc.name
			before := len(rec.audits)
			secret, tok, err := s.IssueToken(ctx, tc.by, tc.req)
			if tc.code != "" {
				if dispatch.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.detail) {
					t.Fatalf("IssueToken(%s) = %v, want %s saying %q", tc.name, err, tc.code, tc.detail)
				}
				for _, a := range rec.audits[before:] {
					if a.Type == dispatch.TypeTokenCreated {
						t.Errorf("IssueToken(%s) refused, but recorded %+v", tc.name, a)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("IssueToken(%s) = %v, want a token", tc.name, err)
			}
			if want := now.Add(auth.DefaultTokenLife); !tok.Expires.Equal(want) {
				t.Errorf("IssueToken(%s) expires %v, want %v: 90 days by default", tc.name, tok.Expires, want)
			}
			a := rec.audits[len(rec.audits)-1]
			if a.Type != dispatch.TypeTokenCreated || a.Subject["token"] != tok.ID || a.Data["made_by"] != tc.madeBy {
				t.Errorf("IssueToken(%s) recorded %+v, want token.created of %s, made_by %q", tc.name, a, tok.ID, tc.madeBy)
			}
			got, err := s.Token(ctx, secret)
			if err != nil || got.User != tc.req.Username || got.Token != tok.ID {
				t.Errorf("Token(the new token) = %+v, %v, want %s acting with token %s", got, err, tc.req.Username, tok.ID)
			}
		})
	}
	// Wrong codes count toward the lock, as at sign-in.
	if n, err := st.CountLoginFailures(ctx, "sue", now.Add(-time.Hour)); n != 2 || err != nil {
		t.Errorf("sue's failures after two wrong codes = %d, %v, want 2", n, err)
	}
}

// TestLockStopsTokens: a right password without its one-time code counts
// as a failure, and the lock it brings stops the account's tokens at once
// on the node that locks, whatever it had cached.
func TestLockStopsTokens(t *testing.T) {
	ctx := context.Background()
	s, _, st := newService(t)
	s.Policy.MaxFailures = 2
	s.Policy.TokenCache = time.Hour
	key, err := auth.NewTOTP("sue")
	if err != nil {
		t.Fatal(err)
	}
	const pw = "sue's long password"
	token := MustCreateUser(t, st, store.User{Username: "sue", Agency: "metro", Roles: []string{dispatch.RoleSupervisor},
		PasswordHash: auth.HashPassword(pw), TOTPSecret: key.Secret(), Created: now}, store.Token{Created: now})
	if _, err := s.Token(ctx, token); err != nil {
		t.Fatalf("Token(sue's) = %v", err)
	}
	for i := range 2 {
		if _, _, err := s.Login(ctx, "sue", pw, ""); dispatch.ErrorCode(err) != auth.EOTPRequired {
			t.Fatalf("Login(sue, right password, no code) #%d = %v, want %s", i+1, err, auth.EOTPRequired)
		}
	}
	u, err := st.User(ctx, "sue")
	if err != nil || !u.LockedUntil.After(now) {
		t.Fatalf("sue after two right passwords without a code = %+v, %v, want locked", u, err)
	}
	if _, err := s.Token(ctx, token); dispatch.ErrorCode(err) != dispatch.EUNAUTHORIZED || !strings.Contains(err.Error(), "locked") {
		t.Errorf("Token(sue's) once locked = %v, want unauthorized: locked", err)
	}
	if _, err := s.Unlock(ctx, dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}, "sue"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, token); err != nil {
		t.Errorf("Token(sue's) once unlocked = %v, want it to work again", err)
	}
}
