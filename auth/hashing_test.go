package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// TestLoginBusy fills the cap on concurrent password checks: every sign-in
// that would hash is then refused at once with EBusy, hashing nothing,
// counting no failure and recording nothing; once a slot is free, sign-in
// works again.
func TestLoginBusy(t *testing.T) {
	svc, rec, st := newService(t)
	svc.Policy.MaxHashing = 2
	ctx := context.Background()
	const pw = "ann's long password"
	MustCreateUser(t, st, store.User{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, PasswordHash: auth.HashPassword(pw)}, store.Token{})
	MustCreateUser(t, st, store.User{Username: "dan", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, PasswordHash: auth.HashPassword(pw), Disabled: true}, store.Token{})

	release := svc.HoldHashing()
	for _, tc := range []struct{ name, username, password string }{
		{"WrongPassword", "ann", "not ann's password"},
		{"RightPassword", "ann", pw},
		{"UnknownUser", "nobody", pw},
		{"DisabledUser", "dan", pw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			audits := len(rec.audits)
			_, _, err := svc.Login(ctx, tc.username, tc.password, "")
			if got := dispatch.ErrorCode(err); got != auth.EBusy {
				t.Fatalf("Login(%s) with every check slot taken = %v (code %q), want code %q", tc.username, err, got, auth.EBusy)
			}
			if n, err := st.CountLoginFailures(ctx, tc.username, now.Add(-time.Hour)); err != nil || n != 0 {
				t.Errorf("CountLoginFailures(%s) after a busy refusal = %d, %v; want 0: nothing was checked", tc.username, n, err)
			}
			if len(rec.audits) != audits {
				t.Errorf("a busy refusal recorded %v, want nothing", rec.audits[audits:])
			}
		})
	}
	release()
	if _, _, err := svc.Login(ctx, "ann", pw, ""); err != nil {
		t.Errorf("Login(ann) with the slots free = %v, want a session", err)
	}
}

func TestDefaultMaxHashing(t *testing.T) {
	if n := auth.DefaultPolicy().MaxHashing; n < 1 || n != auth.DefaultMaxHashing() {
		t.Errorf("DefaultPolicy().MaxHashing = %d, want DefaultMaxHashing() = %d, at least 1", n, auth.DefaultMaxHashing())
	}
}
