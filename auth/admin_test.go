package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

func TestCheckPasswordPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, pw string
		ok       bool
	}{
		{"ErrEmpty", "", false},
		{"ErrEleven", strings.Repeat("a", 11), false},
		{"OKTwelve", strings.Repeat("a", 12), true},
		{"OKTwelveRunes", strings.Repeat("é", 12), true}, // 24 bytes, 12 characters
		{"ErrElevenRunes", strings.Repeat("é", 11), false},
		{"OKMax", strings.Repeat("a", auth.MaxPasswordLen), true},
		{"ErrTooLong", strings.Repeat("a", auth.MaxPasswordLen+1), false},
		{"ErrNotUTF8", strings.Repeat("\xff", 20), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.CheckPasswordPolicy(tc.pw)
			if (err == nil) != tc.ok {
				t.Errorf("CheckPasswordPolicy(%d bytes) = %v, want ok %v", len(tc.pw), err, tc.ok)
			}
			if err != nil && dispatch.ErrorCode(err) != dispatch.EINVALID {
				t.Errorf("CheckPasswordPolicy(%d bytes) = %v, want an %s error", len(tc.pw), err, dispatch.EINVALID)
			}
		})
	}
}

// A recorder is a Service's Record: it keeps the audit events asked for.
type recorder struct{ audits []dispatch.RecordAudit }

func (rec *recorder) record(_ context.Context, a dispatch.Actor, c dispatch.Command) error {
	if !a.IsSystem() {
		return errors.New("audit events are recorded by the system")
	}
	rec.audits = append(rec.audits, c.(dispatch.RecordAudit))
	return nil
}

// last returns the type, subject user and actor of the last audit event.
func (rec *recorder) last(t *testing.T) (string, string, string) {
	t.Helper()
	if len(rec.audits) == 0 {
		t.Fatal("no audit event recorded")
	}
	a := rec.audits[len(rec.audits)-1]
	return a.Type, a.Subject["user"], a.As.User
}

func newService(t *testing.T) (*auth.Service, *recorder, *sqlite.DB) {
	t.Helper()
	st := MustOpenStore(t)
	rec := &recorder{}
	return &auth.Service{Accounts: st, Policy: auth.DefaultPolicy(), Clock: func() time.Time { return now }, Record: rec.record}, rec, st
}

func TestNeedsSecondFactor(t *testing.T) {
	s, _, _ := newService(t)
	for _, tc := range []struct {
		roles []string
		want  bool
	}{
		{nil, false},
		{[]string{dispatch.RoleDispatcher, dispatch.RoleOfficer}, false},
		{[]string{dispatch.RoleOfficer, dispatch.RoleSupervisor}, true},
		{[]string{dispatch.RoleAdmin}, true},
	} {
		if got := s.NeedsSecondFactor(tc.roles); got != tc.want {
			t.Errorf("NeedsSecondFactor(%v) = %v, want %v", tc.roles, got, tc.want)
		}
	}
}

func TestAdminActions(t *testing.T) {
	ctx := context.Background()
	s, rec, st := newService(t)
	admin := dispatch.Actor{User: "root", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}}
	token := MustCreateUser(t, st, store.User{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Created: now}, store.Token{Created: now})
	session := func() []byte {
		h := auth.TokenHash("s4_" + t.Name() + time.Now().String())
		if err := st.CreateSession(ctx, store.Session{Hash: h, Username: "ann", Created: now, LastSeen: now, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	ended := func(h []byte) bool {
		_, err := st.SessionByHash(ctx, h)
		return errors.Is(err, store.ErrNotFound)
	}

	t.Run("SetCredentials", func(t *testing.T) {
		uri, err := s.SetCredentials(ctx, admin, "sam", "metro", []string{dispatch.RoleSupervisor}, "sam's long password")
		if err != nil || !strings.HasPrefix(uri, "otpauth://totp/tenfour:sam?") {
			t.Fatalf("SetCredentials(supervisor) = %q, %v, want an otpauth URI", uri, err)
		}
		u, err := st.User(ctx, "sam")
		if err != nil || u.TOTPSecret == "" || !strings.Contains(uri, "secret="+u.TOTPSecret) {
			t.Errorf("stored sam = %+v, %v, want the URI's TOTP secret", u, err)
		}
		if typ, who, by := rec.last(t); typ != dispatch.TypeTOTPEnrolled || who != "sam" || by != "root" {
			t.Errorf("last audit = %s of %s by %s, want auth.totp_enrolled of sam by root", typ, who, by)
		}
		if _, err := s.SetCredentials(ctx, admin, "sam", "metro", []string{dispatch.RoleSupervisor}, "sam's long password"); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
			t.Errorf("SetCredentials(sam) twice = %v, want a conflict", err)
		}
		if _, err := s.SetCredentials(ctx, admin, "tim", "metro", []string{dispatch.RoleOfficer}, "short"); dispatch.ErrorCode(err) != dispatch.EINVALID {
			t.Errorf("SetCredentials with a short password = %v, want invalid", err)
		}
	})
	t.Run("Disable", func(t *testing.T) {
		h := session()
		if _, err := s.DisableUser(ctx, dispatch.Actor{User: "ann"}, "ann"); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
			t.Errorf("DisableUser(ann) by ann = %v, want a conflict", err)
		}
		u, err := s.DisableUser(ctx, admin, "ann")
		if err != nil || !u.Disabled || !ended(h) {
			t.Fatalf("DisableUser(ann) = %+v, %v (session ended %v), want ann disabled and her session ended", u, err, ended(h))
		}
		if typ, who, by := rec.last(t); typ != dispatch.TypeUserDisabled || who != "ann" || by != "root" {
			t.Errorf("last audit = %s of %s by %s, want user.disabled of ann by root", typ, who, by)
		}
		if _, err := s.Token(ctx, token); dispatch.ErrorCode(err) != dispatch.EUNAUTHORIZED {
			t.Errorf("Token(ann's) after disabling = %v, want unauthorized", err)
		}
		if _, err := s.DisableUser(ctx, admin, "nobody"); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Errorf("DisableUser(nobody) = %v, want not found", err)
		}
	})
	t.Run("Unlock", func(t *testing.T) {
		until := now.Add(time.Hour)
		st.UpdateUser(ctx, "ann", store.UserUpdate{LockedUntil: &until})
		st.AddLoginFailure(ctx, "ann", now)
		u, err := s.Unlock(ctx, admin, "ann")
		if err != nil || !u.LockedUntil.IsZero() {
			t.Fatalf("Unlock(ann) = %+v, %v, want no lock", u, err)
		}
		if n, _ := st.CountLoginFailures(ctx, "ann", now.Add(-time.Hour)); n != 0 {
			t.Errorf("failures after Unlock = %d, want 0", n)
		}
		if typ, who, _ := rec.last(t); typ != dispatch.TypeUnlocked || who != "ann" {
			t.Errorf("last audit = %s of %s, want auth.unlocked of ann", typ, who)
		}
	})
	t.Run("ResetPassword", func(t *testing.T) {
		h := session()
		if err := s.ResetPassword(ctx, admin, "ann", "ann's new password"); err != nil {
			t.Fatal(err)
		}
		u, _ := st.User(ctx, "ann")
		if ok, err := auth.CheckPassword(u.PasswordHash, "ann's new password"); !ok || err != nil || !ended(h) {
			t.Errorf("after ResetPassword: CheckPassword = %v, %v, session ended %v; want the new password and no session", ok, err, ended(h))
		}
		if typ, who, _ := rec.last(t); typ != dispatch.TypePasswordReset || who != "ann" {
			t.Errorf("last audit = %s of %s, want auth.password_reset of ann", typ, who)
		}
		if err := s.ResetPassword(ctx, admin, "nobody", "a long enough password"); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Errorf("ResetPassword(nobody) = %v, want not found", err)
		}
	})
	t.Run("EnrollTOTP", func(t *testing.T) {
		h := session()
		uri, err := s.EnrollTOTP(ctx, admin, "ann")
		u, _ := st.User(ctx, "ann")
		if err != nil || u.TOTPSecret == "" || !strings.Contains(uri, u.TOTPSecret) || !ended(h) {
			t.Errorf("EnrollTOTP(ann) = %q, %v; stored secret %q, session ended %v", uri, err, u.TOTPSecret, ended(h))
		}
		for _, a := range rec.audits {
			if strings.Contains(a.Data["secret"]+a.Private["secret"], u.TOTPSecret) && u.TOTPSecret != "" {
				t.Error("an audit event holds the TOTP secret")
			}
		}
	})
	t.Run("RevokeToken", func(t *testing.T) {
		id := auth.TokenID(auth.TokenHash(token))
		if err := s.RevokeToken(ctx, admin, id); err != nil {
			t.Fatal(err)
		}
		if a := rec.audits[len(rec.audits)-1]; a.Type != dispatch.TypeTokenRevoked || a.Subject["token"] != id || a.Agency != "metro" {
			t.Errorf("last audit = %+v, want token.revoked of %s in metro", a, id)
		}
		if err := s.RevokeToken(ctx, admin, "0000000000000000"); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Errorf("RevokeToken(unknown) = %v, want not found", err)
		}
	})
}
