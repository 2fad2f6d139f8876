package http_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// TestMay checks the routes GET /api/v1/auth/me and the sign-in answer say
// a caller may call: for each role, every non-public route of the table
// whose roles allow it and no other, and a few of them named outright.
func TestMay(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	type subject struct {
		name, token string
		role        string
		installer   bool
		may, mayNot []string
	}
	subjects := []subject{{name: "installation-admin", token: ts.Admin, role: dispatch.RoleAdmin, installer: true,
		may: []string{"POST /api/v1/agencies", "GET /api/v1/requests/{id}/blocked"}, mayNot: []string{"POST /api/v1/directives"}}}
	named := map[string][2][]string{ // role: may, may not
		dispatch.RoleOfficer:    {{"POST /api/v1/units/{id}/status", "GET /api/v1/auth/me"}, {"POST /api/v1/incidents/{id}/dispatch", "POST /api/v1/directives"}},
		dispatch.RoleDispatcher: {{"POST /api/v1/incidents/{id}/dispatch", "GET /api/v1/requests/{id}/blocked"}, {"POST /api/v1/directives", "POST /api/v1/requests/{id}/decline"}},
		dispatch.RoleSupervisor: {{"POST /api/v1/directives", "POST /api/v1/requests/{id}/decline"}, {"POST /api/v1/agencies"}},
		dispatch.RoleAdmin:      {{"POST /api/v1/users"}, {"POST /api/v1/agencies", "POST /api/v1/incidents"}},
		dispatch.RoleAuditor:    {{"GET /api/v1/incidents/{id}/bundle"}, {"POST /api/v1/incidents", "GET /api/v1/requests/{id}/blocked"}},
	}
	for _, role := range dispatch.Roles {
		subjects = append(subjects, subject{name: role, token: ts.MustCreateUser(t, "u-"+role, "metro", role), role: role,
			may: named[role][0], mayNot: named[role][1]})
	}
	for _, sub := range subjects {
		t.Run(sub.name, func(t *testing.T) {
			r := ts.Do(t, "GET", "/api/v1/auth/me", sub.token, nil)
			var me struct {
				May []string `json:"may"`
			}
			if r.Status != http.StatusOK || json.Unmarshal(r.Body, &me) != nil {
				t.Fatalf("GET /api/v1/auth/me = %d %s, want 200 and JSON", r.Status, r.Body)
			}
			var want []string
			for _, rt := range ts.Handler.Routes() {
				if !rt.Public() && (slices.Contains(rt.Roles, sub.role) || slices.Contains(rt.Roles, tenfourhttp.AnyUser) ||
					sub.installer && slices.Contains(rt.Roles, tenfourhttp.InstallationAdmin)) {
					want = append(want, rt.Pattern)
				}
			}
			if !slices.Equal(me.May, want) {
				t.Errorf("%s: may = %q,\nwant %q", sub.name, me.May, want)
			}
			for _, p := range sub.may {
				if !slices.Contains(me.May, p) {
					t.Errorf("%s: may lacks %s", sub.name, p)
				}
			}
			for _, p := range sub.mayNot {
				if slices.Contains(me.May, p) {
					t.Errorf("%s: may has %s, which the route table does not allow it", sub.name, p)
				}
			}
		})
	}

	t.Run("Login", func(t *testing.T) {
		ts.MustCreateUser(t, "sup", "metro", dispatch.RoleDispatcher)
		ts.MustSetPassword(t, "sup", "a long enough password")
		r, _ := ts.Login(t, "sup", "a long enough password", "")
		var me struct {
			May []string `json:"may"`
		}
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &me) != nil || !slices.Contains(me.May, "POST /api/v1/incidents/{id}/dispatch") {
			t.Errorf("sign-in = %d %s, want 200 and may with POST /api/v1/incidents/{id}/dispatch", r.Status, r.Body)
		}
	})
}

// TestConsoleAsksMay checks that every route the console's modules ask
// about (may('METHOD /path')) is a route of the table, so that a renamed
// route cannot leave a button that is never shown.
func TestConsoleAsksMay(t *testing.T) {
	ts := MustOpenServer(t)
	routes := map[string]bool{}
	for _, rt := range ts.Handler.Routes() {
		routes[rt.Pattern] = true
	}
	asks := regexp.MustCompile(`\bmay\(\s*'([A-Z]+ /[^']*)'`)
	n := 0
	console := os.DirFS("web/console") // the files the binary embeds
	err := fs.WalkDir(console, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := fs.ReadFile(console, p)
		if err != nil {
			return err
		}
		for _, m := range asks.FindAllStringSubmatch(string(b), -1) {
			n++
			if !routes[m[1]] {
				t.Errorf("%s asks may(%q), which is not a route of the table", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("the console asks may() %d times, want it to ask for every action it offers", n)
	}
}

// TestUnitNextStatuses checks that a unit's answers carry the statuses a
// status report may move it to now: the list, and the answer of a change.
func TestUnitNextStatuses(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	inc := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	disp := ts.MustCreateUser(t, "disp", "metro", dispatch.RoleDispatcher)
	type unit struct {
		ID     string   `json:"id"`
		Status string   `json:"status"`
		Next   []string `json:"next_statuses"`
	}
	list := func() unit {
		t.Helper()
		var out struct{ Units []unit }
		if r := ts.Do(t, "GET", "/api/v1/units", disp, nil); r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil || len(out.Units) != 1 {
			t.Fatalf("GET /api/v1/units = %d %s, want the one unit", r.Status, r.Body)
		}
		return out.Units[0]
	}
	if u := list(); !slices.Equal(u.Next, []string{"BUSY", "OUT_OF_SERVICE", "EMERGENCY"}) {
		t.Errorf("AVAILABLE unit: next_statuses = %q, want BUSY, OUT_OF_SERVICE, EMERGENCY (DISPATCHED comes only with a dispatch)", u.Next)
	}
	if r := ts.Do(t, "POST", "/api/v1/incidents/"+inc+"/dispatch", disp, map[string]any{"units": []string{"metro.1a12"}}); r.Status != http.StatusOK {
		t.Fatalf("dispatch = %d %s", r.Status, r.Body)
	}
	tests := []struct {
		status string
		want   []string
	}{
		{"EN_ROUTE", []string{"ON_SCENE", "EMERGENCY"}},
		{"EMERGENCY", []string{"AVAILABLE", "EN_ROUTE"}}, // back to where it was
		{"EN_ROUTE", []string{"ON_SCENE", "EMERGENCY"}},
		{"ON_SCENE", []string{"TRANSPORTING", "AVAILABLE", "EMERGENCY"}},
		{"AVAILABLE", []string{"BUSY", "OUT_OF_SERVICE", "EMERGENCY"}},
		{"BUSY", []string{"AVAILABLE", "EMERGENCY"}},
	}
	prev := ""
	for _, tt := range tests {
		body := map[string]string{"status": tt.status}
		if prev == dispatch.StatusEmergency {
			body["reason"] = "officer safe" // disp pressed it, and ends it
		}
		prev = tt.status
		r := ts.Do(t, "POST", "/api/v1/units/metro.1a12/status", disp, body)
		var u unit
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &u) != nil {
			t.Fatalf("POST status %s = %d %s, want 200", tt.status, r.Status, r.Body)
		}
		if u.Status != tt.status || !slices.Equal(u.Next, tt.want) {
			t.Errorf("POST status %s: status %s, next_statuses = %q, want %q", tt.status, u.Status, u.Next, tt.want)
		}
		if l := list(); !slices.Equal(l.Next, tt.want) {
			t.Errorf("after %s: GET /api/v1/units next_statuses = %q, want %q", tt.status, l.Next, tt.want)
		}
	}
}

// TestRequestBlocked checks GET /api/v1/requests/{id}/blocked: the units of
// the caller's agency that the directives in force over the request's place
// keep out, with the directives' ids, as accepting the request checks them.
func TestRequestBlocked(t *testing.T) {
	ts := MustOpenServer(t)
	for _, a := range []string{"metro", "state", "sheriff"} {
		ts.MustExecute(t, dispatch.CreateAgency{ID: a, Name: a, Kind: "sheriff"})
	}
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "T1", Agency: "metro", Kind: "patrol", Capabilities: []string{"traffic-control"}})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "state", Kind: "patrol"})
	lat, lon := 41.8236, -87.7047
	here := dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: &lat, Lon: &lon}
	farLat := 41.95
	far := dispatch.Location{Text: "far away", Lat: &farLat, Lon: &lon}
	boss := dispatch.Actor{User: "boss", Agency: "metro", Role: dispatch.RoleSupervisor, Roles: []string{dispatch.RoleSupervisor}}
	issue := func(effect, restrict string) string {
		t.Helper()
		return ts.MustExecuteAs(t, boss, dispatch.IssueDirective{Agency: "metro", Effect: effect, Restrict: restrict, Reason: "test",
			Scope:   dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: lat, Lon: lon, RadiusM: 300}},
			Expires: ts.Engine.Now().Add(time.Hour)}).Events[0].Subject["directive"]
	}
	restrict := issue(dispatch.EffectRestrict, "traffic-control")
	ask := func(loc dispatch.Location) string {
		t.Helper()
		return ts.MustExecute(t, dispatch.RequestAssist{From: "state", To: "metro", Location: loc, Nature: "convoy", Urgency: dispatch.UrgencyRoutine}).Events[0].Subject["request"]
	}
	inside, outside := ask(here), ask(far)
	disp := ts.MustCreateUser(t, "disp", "metro", dispatch.RoleDispatcher)
	other := ts.MustCreateUser(t, "other", "sheriff", dispatch.RoleDispatcher)

	boss2 := ts.MustCreateUser(t, "boss2", "metro", dispatch.RoleSupervisor)
	var mayOverride bool
	blocked := func(token, request, query string) (int, map[string][]string) {
		t.Helper()
		r := ts.Do(t, "GET", "/api/v1/requests/"+request+"/blocked"+query, token, nil)
		var out struct {
			BlockedBy   map[string][]string `json:"blocked_by"`
			MayOverride bool                `json:"may_override"`
		}
		defer func() { mayOverride = out.MayOverride }()
		if r.Status == http.StatusOK {
			if err := json.Unmarshal(r.Body, &out); err != nil || out.BlockedBy == nil {
				t.Fatalf("GET blocked = %s, want {blocked_by: {…}}", r.Body)
			}
		}
		return r.Status, out.BlockedBy
	}
	t.Run("OK", func(t *testing.T) {
		_, got := blocked(disp, inside, "")
		want := map[string][]string{"metro.1a12": {restrict}} // T1 has the capability let through
		if !mapsEqual(got, want) {
			t.Errorf("restrict: blocked_by = %v, want %v", got, want)
		}
		hold := issue(dispatch.EffectHold, "")
		_, got = blocked(disp, inside, "")
		want = map[string][]string{"metro.1a12": {restrict, hold}, "metro.t1": {hold}}
		if !mapsEqual(got, want) {
			t.Errorf("restrict and hold: blocked_by = %v, want %v", got, want)
		}
		if mayOverride {
			t.Errorf("dispatcher: may_override = true, want false (a supervisor's alone)")
		}
		if _, got = blocked(boss2, inside, ""); !mapsEqual(got, want) || !mayOverride {
			t.Errorf("supervisor: blocked_by = %v, may_override %v; want %v, true", got, mayOverride, want)
		}
		if _, got = blocked(disp, outside, ""); len(got) != 0 {
			t.Errorf("request outside the directives: blocked_by = %v, want none", got)
		}
		if _, got = blocked(ts.Admin, inside, "?agency=metro"); !mapsEqual(got, want) {
			t.Errorf("installation administrator for metro: blocked_by = %v, want %v", got, want)
		}
		if _, got = blocked(ts.Admin, inside, "?agency=state"); len(got) != 0 {
			t.Errorf("installation administrator for state: blocked_by = %v, want none (metro's directives)", got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if status, _ := blocked(other, inside, ""); status != http.StatusNotFound {
			t.Errorf("another agency's request: status %d, want 404", status)
		}
		if status, _ := blocked(disp, "nope", ""); status != http.StatusNotFound {
			t.Errorf("no such request: status %d, want 404", status)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if status, _ := blocked(ts.Admin, inside, ""); status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
			t.Errorf("installation administrator without ?agency=: status %d, want 400 or 422", status)
		}
	})
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w := slices.Clone(b[k])
		v = slices.Clone(v)
		slices.Sort(v)
		slices.Sort(w)
		if !slices.Equal(v, w) {
			return false
		}
	}
	return true
}
