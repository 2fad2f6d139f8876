package auth_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// brokenAccounts fails every CreateUser, as a database that went away
// between the event and the credentials would.
type brokenAccounts struct{ auth.Accounts }

var errDiskGone = errors.New("disk gone")

func (brokenAccounts) CreateUser(context.Context, store.User) error { return errDiskGone }

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	admin := dispatch.Actor{User: "root", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}}
	const pw = "a long enough password"
	for _, tc := range []struct {
		name     string
		nu       auth.NewUser
		existing bool  // the accounts already hold the user
		execErr  error // what recording the event answers
		broken   bool  // storing the credentials fails
		wantCode string
		wantExec bool // the event was recorded
		wantTOTP bool
	}{
		{name: "OK", nu: auth.NewUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Password: pw}, wantExec: true},
		{name: "OKSecondFactorByRole", nu: auth.NewUser{Username: "sam", Agency: "metro", Roles: []string{dispatch.RoleSupervisor}, Password: pw}, wantExec: true, wantTOTP: true},
		{name: "OKSecondFactorAsked", nu: auth.NewUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Password: pw, SecondFactor: true}, wantExec: true, wantTOTP: true},
		{name: "ErrInvalidPassword", nu: auth.NewUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Password: "short"}, wantCode: dispatch.EINVALID},
		{name: "ErrConflict", nu: auth.NewUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Password: pw}, existing: true, wantCode: dispatch.ECONFLICT},
		{name: "ErrRefusedByLog", nu: auth.NewUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Password: pw},
			execErr: dispatch.Errorf(dispatch.EFORBIDDEN, "only an administrator may create users"), wantCode: dispatch.EFORBIDDEN, wantExec: true},
		{name: "ErrCredentialsLost", nu: auth.NewUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Password: pw}, broken: true, wantCode: dispatch.EINTERNAL, wantExec: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, rec, st := newService(t)
			if tc.existing {
				MustCreateUser(t, st, store.User{Username: tc.nu.Username, Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Created: now}, store.Token{Created: now})
			}
			if tc.broken {
				s.Accounts = brokenAccounts{st}
			}
			var executed []dispatch.Command
			exec := func(_ context.Context, a dispatch.Actor, c dispatch.Command) error {
				if !reflect.DeepEqual(a, admin) {
					t.Errorf("exec actor = %+v, want %+v", a, admin)
				}
				executed = append(executed, c)
				return tc.execErr
			}
			u, uri, err := s.CreateUser(ctx, exec, admin, tc.nu)
			if got := len(executed) == 1; got != tc.wantExec {
				t.Errorf("CreateUser(%s) recorded %v, want an event %v", tc.nu.Username, executed, tc.wantExec)
			} else if got {
				want := dispatch.CreateUser{Username: tc.nu.Username, Agency: tc.nu.Agency, Roles: tc.nu.Roles}
				if !reflect.DeepEqual(executed[0], want) {
					t.Errorf("CreateUser(%s) recorded %+v, want %+v", tc.nu.Username, executed[0], want)
				}
			}
			if tc.wantCode != "" {
				if dispatch.ErrorCode(err) != tc.wantCode {
					t.Fatalf("CreateUser(%s) = %v, want a %s error", tc.nu.Username, err, tc.wantCode)
				}
				if tc.broken && (!errors.Is(err, errDiskGone) || !strings.Contains(err.Error(), "ann is in the log but has no credentials")) {
					t.Errorf("CreateUser(%s) with the credentials lost = %v, want an error that says so", tc.nu.Username, err)
				}
				if !tc.existing {
					if _, err := st.User(ctx, tc.nu.Username); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("User(%s) after a refused CreateUser = %v, want ErrNotFound", tc.nu.Username, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateUser(%s) = %v", tc.nu.Username, err)
			}
			stored, err := st.User(ctx, tc.nu.Username)
			if err != nil {
				t.Fatalf("User(%s) after CreateUser = %v", tc.nu.Username, err)
			}
			if !reflect.DeepEqual(u, stored) || u.Agency != tc.nu.Agency || !u.Created.Equal(now) {
				t.Errorf("CreateUser(%s) = %+v, stored %+v, want the same user, created now", tc.nu.Username, u, stored)
			}
			if ok, err := auth.CheckPassword(stored.PasswordHash, pw); !ok || err != nil {
				t.Errorf("CheckPassword(stored hash, password) = %v, %v, want true", ok, err)
			}
			if got := uri != ""; got != tc.wantTOTP || got && !strings.Contains(uri, "secret="+stored.TOTPSecret) {
				t.Errorf("CreateUser(%s) URI = %q (stored secret %q), want a second factor %v", tc.nu.Username, uri, stored.TOTPSecret, tc.wantTOTP)
			}
			if tc.wantTOTP {
				if typ, who, by := rec.last(t); typ != dispatch.TypeTOTPEnrolled || who != tc.nu.Username || by != "root" {
					t.Errorf("last audit = %s of %s by %s, want auth.totp_enrolled of %s by root", typ, who, by, tc.nu.Username)
				}
			} else if len(rec.audits) != 0 {
				t.Errorf("audits = %+v, want none without a second factor", rec.audits)
			}
		})
	}
}
