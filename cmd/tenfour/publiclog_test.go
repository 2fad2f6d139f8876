package main_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/sim"
	"golang.org/x/mod/sumdb/tlog"
)

// ok sends a request and requires a 2xx answer.
func (a *api) ok(t *testing.T, method, path string, body any) []byte {
	t.Helper()
	got, b, err := a.do(method, path, body)
	if err != nil || got/100 != 2 {
		t.Fatalf("%s %s = %d %s (%v), want 2xx", method, path, got, b, err)
	}
	return b
}

// idOf returns the "id" member of a JSON answer.
func idOf(t *testing.T, b []byte) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
		t.Fatalf("answer %s has no id (%v)", b, err)
	}
	return v.ID
}

// The public log gives nothing away (issue 13; docs/events.md, "What is
// public"): markers planted in every field a user can write, and unit
// positions at distinctive points, never appear in any entry bundle of
// /log/ read without signing in; nor does any coordinate, any address the
// city's records hold, or any username. The same log verifies whole with
// tenfour verify, and a published timeline opens and verifies.
func TestPublicLogGivesNothingAway(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "50", "--seed", "13")
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	admin := adminAPI(t, n)

	// The marker: every planted text holds it, in one case or another.
	// Its hyphen is no base64 character, so that no commitment, salt or
	// hash can spell it by chance.
	const mark = "zqx-"
	m := func(field string) string { return "ZQX-" + field + " ZQX-" }
	// Distinctive points: no demo street is at them, and their digits
	// are searched for exactly.
	const lat, lon = 41.8123457, -87.6987653
	const lat2, lon2 = 41.7876541, -87.7234567
	// A late entry claims a time after its incident's and before its own.
	late := func() map[string]any { return map[string]any{"claimed": time.Now().UTC(), "reason": m("late reason")} }

	// Users and tokens: their names are markers.
	supervisor := asUser(t, admin, "zqx-supervisor", "metro", dispatch.RoleSupervisor)
	asUser(t, admin, "zqx-officer", "metro", dispatch.RoleOfficer)
	fedSup := asUser(t, admin, "zqx-fed-supervisor", "federal", dispatch.RoleSupervisor)
	auditor := asUser(t, admin, "zqx-auditor", "metro", dispatch.RoleAuditor)
	admin.ok(t, "POST", "/api/v1/users/zqx-officer/tokens", map[string]any{"name": m("token name")})

	// An incident, with every text of it marked, its
	// location at a distinctive point; a note and a dispatch entered late,
	// callers, links, a merge, a clear.
	inc := idOf(t, admin.ok(t, "POST", "/api/v1/incidents", map[string]any{"agency": "metro", "type": "DOMESTIC",
		"location":  map[string]any{"text": m("incident address"), "lat": lat, "lon": lon},
		"caller":    map[string]string{"name": m("caller name"), "phone": "+1 312 555 0199"},
		"narrative": m("narrative")}))
	supervisor.ok(t, "POST", "/api/v1/incidents/"+inc+"/notes", map[string]any{"text": m("note"), "late": late()})
	admin.ok(t, "POST", "/api/v1/incidents/"+inc+"/callers", map[string]any{"caller": map[string]string{"name": m("second caller")}, "narrative": m("second narrative")})
	other := idOf(t, admin.ok(t, "POST", "/api/v1/incidents", map[string]any{"agency": "metro", "type": "THEFT",
		"location": map[string]any{"text": m("typed address")}}))
	admin.ok(t, "POST", "/api/v1/incidents/"+other+"/links", map[string]string{"incident": inc, "relation": "related", "reason": m("link reason")})
	admin.ok(t, "DELETE", "/api/v1/incidents/"+other+"/links/"+inc+"?reason="+strings.ReplaceAll(m("unlink reason"), " ", "+"), nil)
	admin.ok(t, "POST", "/api/v1/locations/unverified/"+other+"/fix", map[string]any{"lat": lat2, "lon": lon2})
	admin.ok(t, "POST", "/api/v1/incidents/"+other+"/merge", map[string]string{"into": inc, "reason": m("merge reason")})

	// A unit's position at a distinctive point, then a status change that
	// carries it.
	var units struct {
		Units []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"units"`
	}
	if err := json.Unmarshal(admin.ok(t, "GET", "/api/v1/units?agency=metro", nil), &units); err != nil || len(units.Units) == 0 {
		t.Fatalf("metro's units: %v", err)
	}
	unit := ""
	for _, u := range units.Units {
		if u.Status == dispatch.StatusAvailable {
			unit = u.ID
			break
		}
	}
	if unit == "" {
		t.Fatal("no metro unit available")
	}
	admin.ok(t, "POST", "/api/v1/units/positions", []map[string]any{{"unit": unit, "lat": lat, "lon": lon, "time": time.Now().UTC()}})
	supervisor.ok(t, "POST", "/api/v1/incidents/"+inc+"/dispatch", map[string]any{"units": []string{unit}, "late": late()})
	admin.ok(t, "POST", "/api/v1/units/"+unit+"/status", map[string]string{"status": dispatch.StatusEnRoute})
	admin.ok(t, "POST", "/api/v1/units/positions", []map[string]any{{"unit": unit, "lat": lat2, "lon": lon2, "time": time.Now().UTC()}})

	// A premise with a hazard, a message, a BOLO, a directive.
	prem := idOf(t, supervisor.ok(t, "POST", "/api/v1/premises", map[string]any{"agency": "metro",
		"location": map[string]any{"text": m("premise address"), "lat": lat2, "lon": lon2}, "radius_m": 30,
		"flags": []map[string]any{{"kind": "mental-health", "text": m("flag text"), "source": m("flag source"), "expires": time.Now().UTC().Add(24 * time.Hour)}}}))
	supervisor.ok(t, "POST", "/api/v1/premises/"+prem+"/remove", map[string]string{"reason": m("premise removal")})
	supervisor.ok(t, "POST", "/api/v1/messages", map[string]any{"to": []string{"unit:" + unit}, "text": m("message")})
	bolo := idOf(t, supervisor.ok(t, "POST", "/api/v1/bolos", map[string]any{"agency": "metro", "kind": "vehicle", "description": m("bolo description"),
		"plate": "ZQX-1313", "area": map[string]any{"kind": "circle", "circle": map[string]any{"lat": lat, "lon": lon, "radius_m": 400}},
		"expires": time.Now().UTC().Add(time.Hour)}))
	supervisor.ok(t, "POST", "/api/v1/bolos/"+bolo+"/cancel", map[string]string{"reason": m("bolo cancel")})
	dirID := idOf(t, supervisor.ok(t, "POST", "/api/v1/directives", map[string]any{"agency": "metro",
		"scope":  map[string]any{"kind": "circle", "circle": map[string]any{"lat": lat2, "lon": lon2, "radius_m": 300}},
		"effect": "hold", "reason": m("directive reason"), "expires": time.Now().UTC().Add(time.Hour)}))

	// An assistance request from the federal agency, held by the
	// directive's area; declined with a reason; closed.
	req := idOf(t, fedSup.ok(t, "POST", "/api/v1/requests", map[string]any{"from_agency": "federal", "to_agency": "metro",
		"location": map[string]any{"text": m("request address"), "lat": lat2, "lon": lon2},
		"nature":   m("request nature"), "urgency": "URGENT"}))
	supervisor.ok(t, "POST", "/api/v1/requests/"+req+"/decline", map[string]string{"reason": m("decline reason")})
	fedSup.ok(t, "POST", "/api/v1/requests/"+req+"/close", map[string]string{"disposition": m("request disposition")})
	supervisor.ok(t, "POST", "/api/v1/directives/"+dirID+"/revoke", map[string]string{"reason": m("revoke reason")})
	admin.ok(t, "POST", "/api/v1/incidents/"+inc+"/clear", map[string]any{"disposition": m("disposition")})

	// Reading the incident's private fields is an audited event; then
	// it is published, and the public reads it.
	auditor.ok(t, "GET", "/api/v1/incidents/"+inc+"/bundle?openings=true", nil)
	auditor.ok(t, "POST", "/api/v1/incidents/"+inc+"/publish", map[string]string{"reason": m("publish reason")})
	// A failed sign-in with a username that is a marker.
	if got, _, _ := (&api{url: n.url, client: admin.client}).do("POST", "/api/v1/auth/login", map[string]string{"username": "zqx-nobody", "password": "not the password"}); got != http.StatusUnauthorized {
		t.Errorf("sign-in of an unknown user = %d, want 401", got)
	}

	// Let the city run on until the sampler has logged positions after
	// the planted ones, and everything above is under a checkpoint.
	lines := strings.Split(string(fetchLog(t, n, "checkpoint")), "\n")
	if len(lines) < 2 {
		t.Fatalf("checkpoint %q", lines)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		t.Fatalf("checkpoint size %q: %v", lines[1], err)
	}
	var raw [][]byte
	deadline := time.Now().Add(time.Minute)
	for {
		waitCheckpoint(t, n, key, size+1)
		_, es, err := independentRead(t, n.url, key)
		if err != nil {
			t.Fatalf("reading the log through its tiles, signed in as nobody: %v", err)
		}
		raw = es
		sampled := false
		for _, e := range parseEntries(t, raw[size:]) {
			sampled = sampled || e.Type == dispatch.TypePositionsSampled
		}
		if sampled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no unit.positions_sampled in the log a minute after the positions were reported\n%s", n.out)
		}
		size = int64(len(raw))
		time.Sleep(time.Second)
	}

	// What must not appear: the markers, the planted coordinates, every
	// address the records hold, every username.
	var forbidden []string
	for _, f := range []float64{lat, lon, lat2, lon2} {
		forbidden = append(forbidden, strconv.FormatFloat(f, 'f', -1, 64))
	}
	var incidents struct {
		Incidents []struct {
			Location dispatch.Location `json:"location"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal(admin.ok(t, "GET", "/api/v1/incidents?status=all&limit=1000", nil), &incidents); err != nil {
		t.Fatal(err)
	}
	for _, in := range incidents.Incidents {
		if in.Location.Text != "" {
			forbidden = append(forbidden, in.Location.Text)
		}
	}
	var positions []struct {
		Lat, Lon float64
	}
	if err := json.Unmarshal(admin.ok(t, "GET", "/api/v1/units/positions", nil), &positions); err == nil {
		for _, p := range positions {
			forbidden = append(forbidden, strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64))
		}
	}
	roles := []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer,
		dispatch.RoleLiaison, dispatch.RoleAuditor, dispatch.RoleAdmin}
	var users struct {
		Users []struct {
			Username string `json:"username"`
		} `json:"users"`
	}
	if err := json.Unmarshal(admin.ok(t, "GET", "/api/v1/users?limit=500", nil), &users); err != nil || len(users.Users) < len(sim.Users()) {
		t.Fatalf("users: %v (%d of them)", err, len(users.Users))
	}
	for _, u := range users.Users {
		// A username that is a role's or an agency's name would be
		// found in every actor; none of the city's is.
		if slices.Contains(roles, u.Username) || slices.ContainsFunc(sim.Agencies, func(a dispatch.CreateAgency) bool { return a.ID == u.Username }) {
			continue
		}
		forbidden = append(forbidden, `"`+u.Username+`"`)
	}
	// Any coordinate-like number: one with four decimals or more, once
	// times are taken out.
	times := regexp.MustCompile(`"\d{4}-\d\d-\d\dT[0-9:.]+Z"`)
	coordinate := regexp.MustCompile(`-?\b\d{1,3}\.\d{4,}`)
	// Members that are private in every payload (docs/events.md).
	privateMember := regexp.MustCompile(`"(lat|lon|text|narrative|username|nature|description|source|crew|recipients|recipient|circle|polygon|positions|flags|except|beat)"\s*:`)

	// Read every entry bundle of /log/, byte for byte, as it is served.
	var served []byte
	for lo := int64(0); lo < int64(len(raw)); lo += ivTileWidth {
		w := min(ivTileWidth, int64(len(raw))-lo)
		p, err := ivC2SPPath(tlog.Tile{H: ivTileHeight, L: -1, N: lo / ivTileWidth, W: int(w)})
		if err != nil {
			t.Fatal(err)
		}
		served = append(served, fetchLog(t, n, p)...)
	}
	whole := string(served)
	if strings.Contains(strings.ToLower(whole), mark) {
		i := strings.Index(strings.ToLower(whole), mark)
		t.Errorf("a planted marker is in the public log: …%s…", whole[max(0, i-200):min(len(whole), i+200)])
	}
	// A time's seconds could spell a latitude's digits: times are taken
	// out first.
	untimed := times.ReplaceAllString(whole, `""`)
	for _, f := range forbidden {
		if i := strings.Index(untimed, f); i >= 0 {
			t.Errorf("%s is in the public log: …%s…", f, untimed[max(0, i-200):min(len(untimed), i+200)])
		}
	}
	types := map[string]bool{}
	for _, b := range raw {
		en, err := ledger.ParseEntry(b)
		if err != nil {
			t.Fatalf("entry %s: %v", b, err)
		}
		types[en.Type] = true
		body := times.ReplaceAllString(string(en.Data), `""`)
		if c := coordinate.FindString(body); c != "" {
			t.Errorf("event %d (%s) has a coordinate-like number %s: %s", en.Seq, en.Type, c, b)
		}
		if k := privateMember.FindString(string(en.Data)); k != "" {
			t.Errorf("event %d (%s) shows a private member %s: %s", en.Seq, en.Type, k, b)
		}
		if en.Actor.User != "" {
			t.Errorf("event %d (%s) names its actor's user %q", en.Seq, en.Type, en.Actor.User)
		}
	}
	// The run made every kind of event the markers went into.
	for _, typ := range []string{dispatch.TypeIncidentCreated, dispatch.TypeIncidentNoteAdded, dispatch.TypeIncidentCallerAdded,
		dispatch.TypePositionsSampled, dispatch.TypeUnitStatusChanged, dispatch.TypePremiseRecorded, dispatch.TypeMessageSent,
		dispatch.TypeBOLOIssued, dispatch.TypeDirectiveIssued, dispatch.TypeAssistRequested, dispatch.TypeAssistDeclined,
		dispatch.TypeUserCreated, dispatch.TypeTokenCreated, dispatch.TypeLoginFailed, dispatch.TypePrivateRead,
		dispatch.TypeTimelinePublished, dispatch.TypeIncidentLocationFixed, dispatch.TypeIncidentMerged} {
		if !types[typ] {
			t.Errorf("the log has no %s: the test planted nothing there", typ)
		}
	}

	// The whole log verifies with tenfour verify.
	stdout, stderr, code := runTenfour(t, "verify", "--key", key, n.url+"/log/")
	if code != 0 {
		t.Fatalf("tenfour verify %s/log/ exited %d\n%s%s", n.url, code, stdout, stderr)
	}
	// The published timeline opens, with no sign-in, and its bundle
	// verifies with tenfour verify.
	resp, err := http.Get(n.url + "/public/v1/timelines/incident/" + inc + "/bundle")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var bundle json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&bundle); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the published bundle = %d, %v", resp.StatusCode, err)
	}
	if strings.Contains(strings.ToLower(string(bundle)), mark) {
		t.Errorf("the published bundle shows a marker")
	}
	file := filepath.Join(t.TempDir(), "published.bundle.json")
	if err := os.WriteFile(file, bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runTenfour(t, "verify", "--key", key, file)
	if code != 0 || !strings.Contains(stdout, "verified") {
		t.Fatalf("tenfour verify (the published bundle) exited %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("%d entries read in %d bytes of entry bundles; %d forbidden strings searched", len(raw), len(served), len(forbidden))
}
