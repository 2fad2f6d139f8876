package sim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/sim"
)

// Users names one user per agency and role; the credentials file reads
// back what was written, second factors included.
func TestCredentialsRoundTrip(t *testing.T) {
	users := sim.Users()
	if len(users) != len(sim.Agencies)*len(dispatch.Roles) {
		t.Fatalf("Users() = %d users, want one per agency and role (%d)", len(users), len(sim.Agencies)*len(dispatch.Roles))
	}
	var cs []sim.Credential
	for i, u := range users {
		if u.Username != u.Agency+"-"+u.Role {
			t.Errorf("user %d = %+v, want the username <agency>-<role>", i, u)
		}
		c := sim.Credential{DemoUser: u, Password: "PASSWORD" + u.Username}
		if u.Role == dispatch.RoleSupervisor || u.Role == dispatch.RoleAdmin {
			c.TOTP = "JBSWY3DPEHPK3PXP"
		}
		cs = append(cs, c)
	}
	b := sim.FormatCredentials(cs)
	if !strings.HasPrefix(string(b), "# ") || !strings.Contains(string(b), "\nmetro dispatcher metro-dispatcher PASSWORDmetro-dispatcher\n") ||
		!strings.Contains(string(b), "\nmetro supervisor metro-supervisor PASSWORDmetro-supervisor JBSWY3DPEHPK3PXP\n") {
		t.Errorf("FormatCredentials = %s, want a comment header and lines agency role username password [totp]", b)
	}
	got, err := sim.ParseCredentials(b)
	if err != nil {
		t.Fatalf("ParseCredentials(FormatCredentials) = %v", err)
	}
	if !slices.Equal(got, cs) {
		t.Errorf("ParseCredentials(FormatCredentials(cs)) = %v, want %v", got, cs)
	}
	if _, err := sim.ParseCredentials([]byte("metro dispatcher metro-dispatcher\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("ParseCredentials(a line of three fields) = %v, want an error naming line 1", err)
	}
}
