package sim

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// A DemoUser is one user of the demo city: one per agency and role, named
// "<agency>-<role>" (metro-dispatcher, sheriff-officer…).
type DemoUser struct {
	Agency, Role, Username string
}

// Users returns the demo city's users: every role of dispatch.Roles for
// each of Agencies, in that order.
func Users() []DemoUser { return UsersOf(nil) }

// UsersOf returns the demo users of the agencies holds keeps (nil keeps
// them all), as Users orders them.
func UsersOf(holds func(agency string) bool) []DemoUser {
	var out []DemoUser
	for _, a := range Agencies {
		if holds != nil && !holds(a.ID) {
			continue
		}
		for _, r := range dispatch.Roles {
			out = append(out, DemoUser{Agency: a.ID, Role: r, Username: a.ID + "-" + r})
		}
	}
	return out
}

// A Credential is a demo user's sign-in: the password and, for the roles
// that sign in with a second factor (supervisor, admin), the TOTP secret
// (RFC 6238, base32; 30-second steps, 6 digits, SHA-1).
type Credential struct {
	DemoUser
	Password string
	TOTP     string // "" when the role needs no second factor
}

// credentialsHeader heads demo-credentials.txt.
const credentialsHeader = `# tenfour demo city: one user per agency and role.
# agency role username password [totp-secret]
# The fifth column, for supervisors and administrators, is the base32 secret
# of their second factor (RFC 6238: 30 s, 6 digits, SHA-1): add it to an
# authenticator app, or print the current code with: oathtool --totp -b SECRET
`

// FormatCredentials writes the credentials file: a comment header, then
// one line per user, "agency role username password" and the TOTP secret
// when there is one, separated by single spaces.
func FormatCredentials(cs []Credential) []byte {
	var b bytes.Buffer
	b.WriteString(credentialsHeader)
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s %s %s", c.Agency, c.Role, c.Username, c.Password)
		if c.TOTP != "" {
			fmt.Fprintf(&b, " %s", c.TOTP)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseCredentials reads what FormatCredentials wrote. Blank lines and
// lines starting with # are skipped; any other line must have four or five
// fields.
func ParseCredentials(data []byte) ([]Credential, error) {
	var out []Credential
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 && len(f) != 5 {
			return nil, fmt.Errorf("demo credentials line %d: want agency, role, username, password and an optional TOTP secret; got %d fields", n, len(f))
		}
		c := Credential{DemoUser: DemoUser{Agency: f[0], Role: f[1], Username: f[2]}, Password: f[3]}
		if len(f) == 5 {
			c.TOTP = f[4]
		}
		out = append(out, c)
	}
	return out, sc.Err()
}
