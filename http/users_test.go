package http_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
)

// A User is a user as the API shows it.
type User struct {
	Username     string     `json:"username"`
	Agency       string     `json:"agency"`
	Roles        []string   `json:"roles"`
	Created      time.Time  `json:"created"`
	Disabled     bool       `json:"disabled"`
	LockedUntil  *time.Time `json:"locked_until"`
	SecondFactor bool       `json:"second_factor"`
	TOTP         string     `json:"totp_uri"`
}

// A Token is an API token as the API shows it.
type Token struct {
	ID       string     `json:"id"`
	Username string     `json:"username"`
	Name     string     `json:"name"`
	Roles    []string   `json:"roles"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires"`
	Revoked  bool       `json:"revoked"`
	LastUsed *time.Time `json:"last_used"`
	Token    string     `json:"token"`
}

func TestUsers(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	metroAdmin := ts.MustCreateUser(t, "mia", "metro", dispatch.RoleAdmin)
	const pw = "a long enough password"

	var u User
	r := ts.Do(t, "POST", "/api/v1/users", metroAdmin, map[string]any{"username": "ann", "roles": []string{"dispatcher", "call-taker"}, "password": pw})
	checkCreated(t, ts, "POST /api/v1/users as mia", r, "/api/v1/users/ann")
	MustJSON(t, "POST /api/v1/users as mia", r, 201, &u)
	if u.Username != "ann" || u.Agency != "metro" || !slices.Equal(u.Roles, []string{"dispatcher", "call-taker"}) || u.Disabled || u.SecondFactor || u.TOTP != "" {
		t.Errorf("POST /api/v1/users as mia = %+v, want ann of metro (mia's agency), enabled, with no second factor", u)
	}
	if got, want := keys(t, r.Body), []string{"agency", "created", "disabled", "roles", "second_factor", "username"}; !slices.Equal(got, want) {
		t.Errorf("POST /api/v1/users: members %v, want %v", got, want)
	}
	if strings.Contains(string(r.Body), pw) || strings.Contains(string(r.Body), "argon2") {
		t.Errorf("POST /api/v1/users answers a credential: %s", r.Body)
	}
	if r, cookie := ts.Login(t, "ann", pw, ""); r.Status != 200 || cookie == "" {
		t.Fatalf("ann's sign-in = %d %s, want 200", r.Status, r.Body)
	}
	ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)

	for _, tc := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
		code   string
		detail string
	}{
		{"ErrPasswordShort", metroAdmin, map[string]any{"username": "bo", "roles": []string{"officer"}, "password": "short"}, 422, dispatch.EINVALID, "12 to 256"},
		{"ErrPasswordLong", metroAdmin, map[string]any{"username": "bo", "roles": []string{"officer"}, "password": strings.Repeat("x", 257)}, 422, dispatch.EINVALID, "12 to 256"},
		{"ErrExists", metroAdmin, map[string]any{"username": "ann", "roles": []string{"officer"}, "password": pw}, 409, dispatch.ECONFLICT, "ann already exists"},
		{"ErrExistsInStoreOnly", ts.Admin, map[string]any{"username": "admin", "roles": []string{"officer"}, "password": pw}, 409, dispatch.ECONFLICT, "admin already exists"},
		{"ErrNoRole", metroAdmin, map[string]any{"username": "bo", "password": pw}, 422, dispatch.EINVALID, "at least one role"},
		{"ErrBadRole", metroAdmin, map[string]any{"username": "bo", "roles": []string{"sheriff"}, "password": pw}, 422, dispatch.EINVALID, `role "sheriff"`},
		{"ErrOtherAgency", metroAdmin, map[string]any{"username": "bo", "agency": "sheriff", "roles": []string{"officer"}, "password": pw}, 403, dispatch.EFORBIDDEN, "administrator"},
		{"OKNoAgencyIsOwn", metroAdmin, map[string]any{"username": "bo", "agency": "", "roles": []string{"officer"}, "password": pw}, 201, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.Do(t, "POST", "/api/v1/users", tc.token, tc.body)
			if tc.status == 201 {
				// An agency's administrator asking for no agency gets its own.
				var u User
				MustJSON(t, "POST /api/v1/users "+tc.name, r, 201, &u)
				if u.Agency != "metro" {
					t.Errorf("POST /api/v1/users as mia with no agency = agency %q, want metro", u.Agency)
				}
				return
			}
			CheckProblem(t, "POST /api/v1/users "+tc.name, r, tc.status, tc.code, tc.detail)
		})
	}

	t.Run("ListScoped", func(t *testing.T) {
		names := func(token string) []string {
			var list struct{ Users []User }
			MustJSON(t, "GET /api/v1/users", ts.Do(t, "GET", "/api/v1/users", token, nil), 200, &list)
			var out []string
			for _, u := range list.Users {
				out = append(out, u.Username)
			}
			return out
		}
		// Newest first, as every list that grows with history.
		if got, want := names(metroAdmin), []string{"mia", "bo", "ann"}; !slices.Equal(got, want) {
			t.Errorf("GET /api/v1/users as mia = %v, want metro's %v", got, want)
		}
		if got, want := names(ts.Admin), []string{"mia", "deputy", "bo", "ann", "admin"}; !slices.Equal(got, want) {
			t.Errorf("GET /api/v1/users as the installation administrator = %v, want %v", got, want)
		}
		// Paged: two, then the rest by the Link header's cursor.
		var pages []string
		path := "/api/v1/users?limit=2"
		for i := 0; path != ""; i++ {
			if i > 5 {
				t.Fatal("more pages than users")
			}
			r := ts.Do(t, "GET", path, ts.Admin, nil)
			var list struct{ Users []User }
			MustJSON(t, "GET "+path, r, 200, &list)
			if len(list.Users) > 2 {
				t.Errorf("GET %s = %d users, want at most 2", path, len(list.Users))
			}
			for _, u := range list.Users {
				pages = append(pages, u.Username)
			}
			path = ""
			if l := r.Header.Get("Link"); l != "" {
				path = l[strings.Index(l, "<")+1 : strings.Index(l, ">")]
				path = path[strings.Index(path, "/api/"):]
			}
		}
		if want := []string{"mia", "deputy", "bo", "ann", "admin"}; !slices.Equal(pages, want) {
			t.Errorf("the users page by page = %v, want %v", pages, want)
		}
		CheckProblem(t, "GET /api/v1/users/deputy as mia", ts.Do(t, "GET", "/api/v1/users/deputy", metroAdmin, nil), 404, dispatch.ENOTFOUND, "deputy does not exist")
		CheckProblem(t, "POST /api/v1/users/admin/disable as mia", ts.Do(t, "POST", "/api/v1/users/admin/disable", metroAdmin, nil), 404, dispatch.ENOTFOUND, "admin does not exist")
	})

	t.Run("ResetPassword", func(t *testing.T) {
		_, cookie := ts.Login(t, "ann", pw, "")
		const pw2 = "ann's second password"
		CheckProblem(t, "POST /api/v1/users/ann/password too short", ts.Do(t, "POST", "/api/v1/users/ann/password", metroAdmin, map[string]string{"password": "short"}), 422, dispatch.EINVALID, "12 to 256")
		if r := ts.Do(t, "POST", "/api/v1/users/ann/password", metroAdmin, map[string]string{"password": pw2}); r.Status != 204 {
			t.Fatalf("POST /api/v1/users/ann/password = %d %s, want 204", r.Status, r.Body)
		}
		CheckProblem(t, "ann's session after the reset", ts.DoWith(t, "GET", "/api/v1/auth/me", nil, withCookie(cookie)), 401, dispatch.EUNAUTHORIZED, "")
		if r, _ := ts.Login(t, "ann", pw, ""); r.Status != 401 {
			t.Errorf("sign-in with the old password = %d, want 401", r.Status)
		}
		if r, _ := ts.Login(t, "ann", pw2, ""); r.Status != 200 {
			t.Errorf("sign-in with the new password = %d %s, want 200", r.Status, r.Body)
		}
	})

	t.Run("EnrollTOTP", func(t *testing.T) {
		var e struct {
			TOTP string `json:"totp_uri"`
		}
		MustJSON(t, "POST /api/v1/users/bo/totp", ts.Do(t, "POST", "/api/v1/users/bo/totp", metroAdmin, nil), 200, &e)
		secret := totpSecret(t, e.TOTP)
		var u User
		MustJSON(t, "GET /api/v1/users/bo", ts.Do(t, "GET", "/api/v1/users/bo", metroAdmin, nil), 200, &u)
		if !u.SecondFactor {
			t.Errorf("GET /api/v1/users/bo after enrolling = %+v, want second_factor", u)
		}
		// bo is an officer, who needs no second factor, but has one now.
		if r, _ := ts.Login(t, "bo", pw, ""); r.Status != 401 {
			t.Errorf("bo's sign-in without a code = %d, want 401", r.Status)
		}
		if r, _ := ts.Login(t, "bo", pw, mustCode(t, secret, ts.Clock.Now())); r.Status != 200 {
			t.Errorf("bo's sign-in with a code = %d %s, want 200", r.Status, r.Body)
		}
	})

	t.Run("Disable", func(t *testing.T) {
		token := ts.MustCreateToken(t, "ann")
		_, cookie := ts.Login(t, "ann", "ann's second password", "")
		CheckProblem(t, "POST /api/v1/users/mia/disable as mia", ts.Do(t, "POST", "/api/v1/users/mia/disable", metroAdmin, nil), 409, dispatch.ECONFLICT, "your own account")
		var u User
		MustJSON(t, "POST /api/v1/users/ann/disable", ts.Do(t, "POST", "/api/v1/users/ann/disable", metroAdmin, nil), 200, &u)
		if !u.Disabled {
			t.Errorf("POST /api/v1/users/ann/disable = %+v, want disabled", u)
		}
		CheckProblem(t, "ann's session after disabling", ts.DoWith(t, "GET", "/api/v1/auth/me", nil, withCookie(cookie)), 401, dispatch.EUNAUTHORIZED, "")
		CheckProblem(t, "ann's token after disabling", ts.Do(t, "GET", "/api/v1/auth/me", token, nil), 401, dispatch.EUNAUTHORIZED, "disabled")
		if r, _ := ts.Login(t, "ann", "ann's second password", ""); r.Status != 401 {
			t.Errorf("ann's sign-in after disabling = %d, want 401", r.Status)
		}
	})

	// Every change is in the log, by whom and about whom, with no secret.
	var got []string
	for _, e := range ts.Events(t, 0) {
		if e.Actor.User == "mia" && e.Type != dispatch.TypeTokenUsed {
			got = append(got, e.Type+" "+e.Subject["user"])
		}
	}
	want := []string{"user.created ann", "user.created bo", "auth.password_reset ann", "auth.totp_enrolled bo", "user.disabled ann"}
	if !slices.Equal(got, want) {
		t.Errorf("mia's events = %q, want %q", got, want)
	}
	if strings.Contains(string(ledgerBytes(t, ts)), pw) {
		t.Error("the log holds a password")
	}
}

func TestTokens(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher, dispatch.RoleOfficer)
	sheriffAdmin := ts.MustCreateUser(t, "sal", "sheriff", dispatch.RoleAdmin)
	incident := map[string]any{"type": "THEFT", "location": map[string]string{"text": "1 Main St"}}
	issue := func(t *testing.T, body map[string]any) Token {
		t.Helper()
		r := ts.Do(t, "POST", "/api/v1/users/ann/tokens", ts.Admin, body)
		var tok Token
		MustJSON(t, "POST /api/v1/users/ann/tokens", r, 201, &tok)
		if !strings.HasPrefix(tok.Token, "t4_") || tok.ID == "" || r.Header.Get("Location") != "/api/v1/tokens/"+tok.ID {
			t.Fatalf("POST /api/v1/users/ann/tokens = %s (Location %q), want a t4_ secret, an id and its Location", r.Body, r.Header.Get("Location"))
		}
		return tok
	}

	t.Run("Expiry", func(t *testing.T) {
		tok := issue(t, map[string]any{"name": "ann's tablet", "expires_in_seconds": 60})
		if tok.Expires == nil || !tok.Expires.Equal(ts.Clock.Now().Add(time.Minute)) {
			t.Errorf("token expires = %v, want a minute from now", tok.Expires)
		}
		if r := ts.Do(t, "GET", "/api/v1/auth/me", tok.Token, nil); r.Status != 200 {
			t.Fatalf("GET /api/v1/auth/me with a fresh token = %d, want 200", r.Status)
		}
		ts.Clock.Advance(59 * time.Second)
		if r := ts.Do(t, "GET", "/api/v1/auth/me", tok.Token, nil); r.Status != 200 {
			t.Fatalf("GET /api/v1/auth/me with the token a second before it expires = %d, want 200", r.Status)
		}
		ts.Clock.Advance(time.Second)
		CheckProblem(t, "GET /api/v1/auth/me with an expired token", ts.Do(t, "GET", "/api/v1/auth/me", tok.Token, nil), 401, dispatch.EUNAUTHORIZED, "expired")
	})

	t.Run("Revoke", func(t *testing.T) {
		tok := issue(t, map[string]any{"name": "ann's laptop"})
		if tok.Expires == nil || !tok.Expires.Equal(ts.Clock.Now().Add(auth.DefaultTokenLife)) {
			t.Errorf("token with no expires_in_seconds expires %v, want in 90 days (auth.DefaultTokenLife)", tok.Expires)
		}
		if r := ts.Do(t, "POST", "/api/v1/incidents", tok.Token, incident); r.Status != 201 {
			t.Fatalf("POST /api/v1/incidents with the token = %d %s, want 201", r.Status, r.Body)
		}
		CheckProblem(t, "DELETE the token as another agency's administrator", ts.Do(t, "DELETE", "/api/v1/tokens/"+tok.ID, sheriffAdmin, nil), 404, dispatch.ENOTFOUND, tok.ID)
		before := ts.Engine.Log().Size()
		if r := ts.Do(t, "DELETE", "/api/v1/tokens/"+tok.ID, ts.Admin, nil); r.Status != 204 {
			t.Fatalf("DELETE /api/v1/tokens/%s = %d %s, want 204", tok.ID, r.Status, r.Body)
		}
		if got := ts.Events(t, before); len(got) != 1 || got[0].Type != dispatch.TypeTokenRevoked || got[0].Subject["token"] != tok.ID || got[0].Actor.User != "admin" {
			t.Errorf("events of the revocation = %+v, want one token.revoked of %s by admin", got, tok.ID)
		}
		CheckProblem(t, "GET /api/v1/auth/me with a revoked token", ts.Do(t, "GET", "/api/v1/auth/me", tok.Token, nil), 401, dispatch.EUNAUTHORIZED, "revoked")
		CheckProblem(t, "DELETE /api/v1/tokens/nothing", ts.Do(t, "DELETE", "/api/v1/tokens/0123456789abcdef", ts.Admin, nil), 404, dispatch.ENOTFOUND, "does not exist")

		var list struct{ Tokens []Token }
		r := ts.Do(t, "GET", "/api/v1/users/ann/tokens", ts.Admin, nil)
		MustJSON(t, "GET /api/v1/users/ann/tokens", r, 200, &list)
		i := slices.IndexFunc(list.Tokens, func(x Token) bool { return x.ID == tok.ID })
		if i < 0 || !list.Tokens[i].Revoked || list.Tokens[i].Name != "ann's laptop" || list.Tokens[i].LastUsed == nil {
			t.Errorf("GET /api/v1/users/ann/tokens = %+v, want %s revoked, named and used", list.Tokens, tok.ID)
		}
		if strings.Contains(string(r.Body), tok.Token) || strings.Contains(string(r.Body), `"token"`) || strings.Contains(string(r.Body), "hash") {
			t.Errorf("GET /api/v1/users/ann/tokens shows a secret: %s", r.Body)
		}
	})

	t.Run("ScopedRoles", func(t *testing.T) {
		tok := issue(t, map[string]any{"name": "ann's car", "roles": []string{"officer"}})
		if !slices.Equal(tok.Roles, []string{"officer"}) {
			t.Errorf("token roles = %v, want [officer]", tok.Roles)
		}
		CheckProblem(t, "POST /api/v1/incidents with an officer-only token", ts.Do(t, "POST", "/api/v1/incidents", tok.Token, incident), 403, dispatch.EFORBIDDEN, "(officer)")
		if r := ts.Do(t, "GET", "/api/v1/incidents", tok.Token, nil); r.Status != 200 {
			t.Errorf("GET /api/v1/incidents with an officer-only token = %d, want 200", r.Status)
		}
		r := ts.Do(t, "POST", "/api/v1/users/ann/tokens", ts.Admin, map[string]any{"name": "too much", "roles": []string{"supervisor"}})
		CheckProblem(t, "a token with a role its user lacks", r, 422, dispatch.EINVALID, `does not hold role "supervisor"`)
	})

	for _, tc := range []struct {
		name   string
		body   map[string]any
		detail string
	}{
		{"ErrNoName", map[string]any{"expires_in_seconds": 60}, "name"},
		{"ErrNegativeExpiry", map[string]any{"name": "x", "expires_in_seconds": -1}, "expires_in_seconds"},
		{"ErrHugeExpiry", map[string]any{"name": "x", "expires_in_seconds": int64(1) << 40}, "expires_in_seconds"},
		{"ErrPastTokenLife", map[string]any{"name": "x", "expires_in_seconds": int64(auth.DefaultTokenLife/time.Second) + 1}, "at most 90 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			CheckProblem(t, "POST /api/v1/users/ann/tokens "+tc.name, ts.Do(t, "POST", "/api/v1/users/ann/tokens", ts.Admin, tc.body), 422, dispatch.EINVALID, tc.detail)
		})
	}
	CheckProblem(t, "POST /api/v1/users/nobody/tokens", ts.Do(t, "POST", "/api/v1/users/nobody/tokens", ts.Admin, map[string]any{"name": "x"}), 404, dispatch.ENOTFOUND, "nobody")

	// Last, as it moves the clock by 90 days: a token stored with no expiry
	// (made before tokens expired) ends 90 days after it was made, and the
	// API says so.
	t.Run("OldTokenWithoutExpiry", func(t *testing.T) {
		made := ts.Clock.Now()
		old := ts.MustCreateToken(t, "ann")
		id := auth.TokenID(auth.TokenHash(old))
		var list struct{ Tokens []Token }
		MustJSON(t, "GET /api/v1/users/ann/tokens", ts.Do(t, "GET", "/api/v1/users/ann/tokens", ts.Admin, nil), 200, &list)
		i := slices.IndexFunc(list.Tokens, func(x Token) bool { return x.ID == id })
		if i < 0 || list.Tokens[i].Expires == nil || !list.Tokens[i].Expires.Equal(made.Add(auth.DefaultTokenLife)) {
			t.Errorf("GET /api/v1/users/ann/tokens = %+v, want %s expiring 90 days after it was made", list.Tokens, id)
		}
		ts.Clock.Advance(auth.DefaultTokenLife - time.Second)
		if r := ts.Do(t, "GET", "/api/v1/auth/me", old, nil); r.Status != 200 {
			t.Fatalf("GET /api/v1/auth/me with an old token a second before its 90 days = %d %s, want 200", r.Status, r.Body)
		}
		ts.Clock.Advance(time.Second)
		CheckProblem(t, "GET /api/v1/auth/me with an old token after 90 days", ts.Do(t, "GET", "/api/v1/auth/me", old, nil), 401, dispatch.EUNAUTHORIZED, "expired")
	})
}

// privateReads returns the private.read events from seq on, as their data.
func privateReads(t *testing.T, ts *TestServer, from int64) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, e := range ts.Events(t, from) {
		if e.Type != dispatch.TypePrivateRead {
			continue
		}
		var d map[string]string
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		d["user"], d["agency"] = e.Actor.User+" as "+e.Actor.Role, e.Agency
		out = append(out, d)
	}
	return out
}

// TestPrivateReads checks that every answer that shows a private field is
// recorded as private.read, naming incidents and fields but no value.
func TestPrivateReads(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	with := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"},
		Caller: dispatch.Caller{Name: "Jo Smith", Phone: "555-0100"}, Narrative: "back door open"}).Events[0].Subject["incident"]
	without := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "2 Main St"}}).Events[0].Subject["incident"]
	narrativeOnly := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "3 Main St"},
		Narrative: "bicycle"}).Events[0].Subject["incident"]
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher, dispatch.RoleAuditor)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)
	values := []string{"Jo Smith", "555-0100", "back door open", "bicycle", "Sam Doe", "555-0199", "dog barking"}

	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		want                      []map[string]string
	}{
		{"GetIncident", "GET", "/api/v1/incidents/" + with, ann, nil, []map[string]string{
			{"route": "GET /api/v1/incidents/{id}", "incidents": "[" + with + "]", "fields": "[caller_name caller_phone narrative]", "user": "ann as dispatcher", "agency": "metro"}}},
		{"GetIncidentNoPrivateFields", "GET", "/api/v1/incidents/" + without, ann, nil, nil},
		{"ListIncidents", "GET", "/api/v1/incidents", ann, nil, []map[string]string{
			{"route": "GET /api/v1/incidents", "incidents": "[" + narrativeOnly + "]", "fields": "[narrative]", "user": "ann as dispatcher", "agency": "metro"},
			{"route": "GET /api/v1/incidents", "incidents": "[" + with + "]", "fields": "[caller_name caller_phone narrative]", "user": "ann as dispatcher", "agency": "metro"}}},
		{"ListIncidentsOtherAgency", "GET", "/api/v1/incidents", deputy, nil, nil},
		{"CreateIncident", "POST", "/api/v1/incidents", ann, map[string]any{"type": "NOISE", "location": map[string]string{"text": "4 Main St"},
			"caller": map[string]string{"name": "Sam Doe", "phone": "555-0199"}, "narrative": "dog barking"}, []map[string]string{
			{"route": "POST /api/v1/incidents", "incidents": "[metro-2026-000004]", "fields": "[caller_name caller_phone narrative]", "user": "ann as dispatcher", "agency": "metro"}}},
		{"BundleWithOpenings", "GET", "/api/v1/incidents/" + with + "/bundle?openings=true", ann, nil, []map[string]string{
			{"route": "GET /api/v1/incidents/{id}/bundle", "incidents": "[" + with + "]", "fields": "[/data/location/text caller_name caller_phone narrative]", "user": "ann as auditor", "agency": "metro"}}},
		{"BundleWithoutOpenings", "GET", "/api/v1/incidents/" + with + "/bundle", ann, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ts.Engine.Log().Size()
			r := ts.Do(t, tc.method, tc.path, tc.token, tc.body)
			if r.Status >= 300 {
				t.Fatalf("%s %s = %d %s", tc.method, tc.path, r.Status, r.Body)
			}
			got := privateReads(t, ts, before)
			if len(got) != len(tc.want) {
				t.Fatalf("%s %s: private.read events %v, want %v", tc.method, tc.path, got, tc.want)
			}
			for i := range got {
				for k, v := range tc.want[i] {
					if got[i][k] != v {
						t.Errorf("%s %s: private.read %d: %s = %q, want %q", tc.method, tc.path, i, k, got[i][k], v)
					}
				}
			}
			for _, e := range ts.Events(t, before) {
				if e.Type != dispatch.TypePrivateRead {
					continue
				}
				for _, v := range values {
					if strings.Contains(string(e.Data), v) || strings.Contains(string(e.Data)+fmtPrivate(e.Private), v) {
						t.Errorf("private.read holds the value %q: %s", v, e.Data)
					}
				}
			}
		})
	}
}

func fmtPrivate(m map[string]string) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k + "=" + v + " ")
	}
	return b.String()
}
