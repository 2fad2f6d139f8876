package main_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/tenfour-cad/tenfour/ledger"
)

// asUser returns an API client with a new token of a new user. A user whose
// role needs a second factor makes its token itself, signed in with its
// one-time code: an administrator cannot make it one (docs/security.md).
func asUser(t *testing.T, admin *api, username, agency, role string) *api {
	t.Helper()
	password := "a long enough password for " + username
	var made struct {
		TOTP string `json:"totp_uri"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users", map[string]any{"username": username, "agency": agency, "roles": []string{role}, "password": password}), &made); err != nil {
		t.Fatal(err)
	}
	if made.TOTP != "" {
		key, err := otp.NewKeyFromURL(made.TOTP)
		if err != nil {
			t.Fatalf("otp.NewKeyFromURL(%q) = %v", made.TOTP, err)
		}
		return ownToken(t, admin, username, password, key.Secret())
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/"+username+"/tokens", map[string]any{"name": "kedzie"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token of %s: %v", username, err)
	}
	return &api{url: admin.url, token: tok.Token, client: admin.client}
}

// signOn signs the officer a is, username, on unit for eight hours: an
// officer acts only for a unit they crew (dispatch.MayOperate).
func signOn(t *testing.T, a *api, unit, username string) {
	t.Helper()
	now := time.Now().UTC()
	a.must(t, "POST", "/api/v1/units/"+unit+"/sign-on", map[string]any{"crew": []string{username},
		"shift": map[string]any{"start": now, "end": now.Add(8 * time.Hour)}}, http.StatusOK)
}

// ownToken signs a user in with its password and one-time code and makes
// it a token of its own in that session (POST /api/v1/auth/tokens).
func ownToken(t *testing.T, admin *api, username, password, totpSecret string) *api {
	t.Helper()
	code, err := totp.GenerateCode(totpSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	post := func(path string, body any, cookie *http.Cookie) *http.Response {
		b, _ := json.Marshal(body)
		req, err := http.NewRequest("POST", admin.url+path, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := admin.client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		return resp
	}
	resp := post("/api/v1/auth/login", map[string]string{"username": username, "password": password, "otp": code}, nil)
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "tenfour_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusOK || session == nil {
		t.Fatalf("sign-in of %s = %s, want 200 with a session", username, resp.Status)
	}
	resp = post("/api/v1/auth/tokens", map[string]any{"name": "test"}, session)
	defer resp.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusCreated || tok.Token == "" {
		t.Fatalf("POST /api/v1/auth/tokens as %s = %s, %v; want 201 with a token", username, resp.Status, err)
	}
	return &api{url: admin.url, token: tok.Token, client: admin.client}
}

// must sends a request and requires the status.
func (a *api) must(t *testing.T, method, path string, body any, status int) []byte {
	t.Helper()
	got, b, err := a.do(method, path, body)
	if err != nil || got != status {
		t.Fatalf("%s %s = %d %s (%v), want %d", method, path, got, b, err, status)
	}
	return b
}

type kedzieRequest struct {
	ID      string `json:"id"`
	From    string `json:"from_agency"`
	To      string `json:"to_agency"`
	Urgency string `json:"urgency"`
	Status  string `json:"status"`
	Asked   []struct {
		Agency    string   `json:"agency"`
		Answer    string   `json:"answer"`
		Conflicts []string `json:"conflicts"`
	} `json:"asked"`
	Helping []struct {
		Unit    string `json:"unit"`
		OnScene bool   `json:"on_scene"`
	} `json:"helping"`
	WaitingFor string     `json:"waiting_for"`
	Deadline   *time.Time `json:"deadline"`
	History    []struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"history"`
}

// escalated reports whether r escalated for reason.
func (r kedzieRequest) escalated(reason string) bool {
	for _, h := range r.History {
		if h.Type == "assist.escalated" && h.Reason == reason {
			return true
		}
	}
	return false
}

func (r kedzieRequest) asked() []string {
	var out []string
	for _, a := range r.Asked {
		out = append(out, a.Agency)
	}
	return out
}

// TestKedzieScenario plays the reference scenario of DESIGN.md through the
// HTTP API of a real server, with its real timers: a federal patrol presses
// EMERGENCY near 39th Pl & Kedzie and asks Metro PD, whose commander holds
// dispatch to that area. The conflict shows; the request climbs the
// federal plan to the sheriff and to the state police at their deadlines;
// the state police accept, far out on the expressway; Metro PD sends a
// traffic unit under an override. To its end (issue 14): the traffic unit
// arrives, and the commander orders it away while federal's request is
// open; nobody else is on scene, and the state police are late: the
// request escalates again, and the sheriff, who had not answered, comes
// instead; the officer who pressed EMERGENCY ends it and releases the
// request. The timeline holds every step with who, in which role, when
// and the directive in force, and the request's evidence bundle verifies
// with tenfour verify and fails once any byte of it changes.
func TestKedzieScenario(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := startNode(t, "serve", dir, "--checkpoint-interval", "100ms", "--log-level", "warn")
	admin := adminAPI(t, n)
	for _, a := range []struct{ id, name, kind string }{
		{"metro", "Metro Police Department", "municipal_police"}, {"sheriff", "County Sheriff", "sheriff"},
		{"state", "State Police", "state_police"}, {"federal", "Federal Patrol", "federal"},
	} {
		admin.mustCreate(t, "/api/v1/agencies", map[string]string{"id": a.id, "name": a.name, "kind": a.kind})
	}
	for _, u := range []struct {
		agency, callSign, kind string
		caps                   []string
	}{
		{"federal", "FP11", "patrol", nil}, {"metro", "1A11", "patrol", nil}, {"metro", "3T11", "traffic", []string{"traffic-control"}},
		{"sheriff", "S11", "patrol", nil}, {"state", "SP11", "patrol", nil}, {"state", "SP12", "patrol", nil},
	} {
		admin.mustCreate(t, "/api/v1/units", map[string]any{"agency": u.agency, "call_sign": u.callSign, "kind": u.kind, "capabilities": u.caps})
	}
	fedOfficer := asUser(t, admin, "fed-officer", "federal", "officer")
	fedSupervisor := asUser(t, admin, "fed-supervisor", "federal", "supervisor")
	commander := asUser(t, admin, "metro-commander", "metro", "supervisor")
	metroDispatcher := asUser(t, admin, "metro-dispatcher", "metro", "dispatcher")
	metroOfficer := asUser(t, admin, "metro-officer", "metro", "officer")
	sheriffDispatcher := asUser(t, admin, "sheriff-dispatcher", "sheriff", "dispatcher")
	sheriffOfficer := asUser(t, admin, "sheriff-officer", "sheriff", "officer")
	fedDispatcher := asUser(t, admin, "fed-dispatcher", "federal", "dispatcher")
	stateDispatcher := asUser(t, admin, "state-dispatcher", "state", "dispatcher")
	stateOfficer := asUser(t, admin, "state-officer", "state", "officer")
	stateOfficer2 := asUser(t, admin, "state-officer2", "state", "officer")
	// Each officer crews the unit they drive.
	signOn(t, fedOfficer, "federal.fp11", "fed-officer")
	signOn(t, metroOfficer, "metro.3t11", "metro-officer")
	signOn(t, stateOfficer, "state.sp11", "state-officer")
	signOn(t, stateOfficer2, "state.sp12", "state-officer2")
	signOn(t, sheriffOfficer, "sheriff.s11", "sheriff-officer")

	// The federal plan: metro, then the sheriff, then the state police;
	// 10 s to acknowledge an emergency, 10 s more to decide, and units
	// sent have their drive time and 30 s more to arrive (the least a plan
	// may give).
	const deadline, margin = 10 * time.Second, 30 * time.Second
	fedSupervisor.must(t, "PUT", "/api/v1/agencies/federal/mutual-aid", map[string]any{
		"levels":    []map[string]any{{"agencies": []string{"metro"}}, {"agencies": []string{"sheriff"}}, {"agencies": []string{"state"}}},
		"emergency": map[string]int{"acknowledge_seconds": 10, "decide_seconds": 10, "arrive_seconds": int(margin / time.Second)},
	}, http.StatusOK)

	// The Metro PD commander's directive.
	const lat, lon = 41.8222, -87.7052 // 39th Pl & Kedzie on the grid
	var directive struct {
		ID     string `json:"id"`
		Issuer struct {
			User string `json:"user"`
		} `json:"issuer"`
	}
	b := commander.must(t, "POST", "/api/v1/directives", map[string]any{
		"scope":  map[string]any{"kind": "circle", "circle": map[string]any{"lat": lat, "lon": lon, "radius_m": 600}},
		"effect": "hold", "reason": "hold dispatch to the Kedzie/39th area", "expires": time.Now().Add(time.Hour),
	}, http.StatusCreated)
	if err := json.Unmarshal(b, &directive); err != nil || directive.ID == "" || directive.Issuer.User != "metro-commander" {
		t.Fatalf("POST /api/v1/directives = %s, want a directive issued by metro-commander", b)
	}

	// The federal patrol is boxed in and presses EMERGENCY.
	fedOfficer.must(t, "POST", "/api/v1/units/positions", []map[string]any{{"unit": "federal.fp11", "lat": lat, "lon": lon, "time": time.Now().UTC()}}, http.StatusNoContent)
	fedOfficer.must(t, "POST", "/api/v1/units/federal.fp11/status", map[string]string{"status": "EMERGENCY"}, http.StatusOK)
	pressed := time.Now()
	var list struct {
		Requests []kedzieRequest `json:"requests"`
	}
	if err := json.Unmarshal(fedOfficer.must(t, "GET", "/api/v1/requests", nil, http.StatusOK), &list); err != nil || len(list.Requests) != 1 {
		t.Fatalf("GET /api/v1/requests as the federal officer = %+v (%v), want the one request the emergency raised", list, err)
	}
	rq := list.Requests[0]
	if rq.From != "federal" || rq.To != "metro" || rq.Urgency != "EMERGENCY" || len(rq.Asked) != 1 ||
		!slices.Contains(rq.Asked[0].Conflicts, directive.ID) {
		t.Fatalf("request = %+v, want EMERGENCY from federal to metro with the conflict of %s", rq, directive.ID)
	}
	path := "/api/v1/requests/" + rq.ID
	// Metro PD sees the request, acknowledges it, and may not send a unit
	// into the held area without an override.
	metroDispatcher.must(t, "POST", path+"/acknowledge", map[string]string{}, http.StatusOK)
	metroDispatcher.must(t, "POST", path+"/accept", map[string]any{"units": []string{"metro.1a11"}}, http.StatusConflict)

	get := func(a *api) kedzieRequest {
		var r kedzieRequest
		if err := json.Unmarshal(a.must(t, "GET", path, nil, http.StatusOK), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	await := func(agency string, by time.Duration) time.Duration {
		t.Helper()
		for time.Since(pressed) < by {
			if slices.Contains(get(fedOfficer).asked(), agency) {
				return time.Since(pressed)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("the request did not reach %s within %s of the emergency; asked %v", agency, by, get(fedOfficer).asked())
		return 0
	}
	// At metro's deadline, to the sheriff: the acknowledgement did not stop
	// the clock, for the directive still holds the place.
	if at := await("sheriff", deadline+3*time.Second); at < deadline-time.Second {
		t.Errorf("the request reached the sheriff %s after the emergency, before metro's deadline of %s", at, deadline)
	}
	sheriffDispatcher.must(t, "POST", path+"/acknowledge", map[string]string{}, http.StatusOK)
	ackedSheriff := time.Now()
	// Acknowledged but not decided: to the state police at the decision deadline.
	await("state", 3*deadline+3*time.Second)
	if since := time.Since(ackedSheriff); since < deadline-time.Second {
		t.Errorf("the request reached the state police %s after the sheriff acknowledged, before its decision deadline", since)
	}
	// Where the units are: the state police far out on the expressway
	// (some 25 km south), metro's traffic unit and the sheriff's patrol
	// a few blocks away. Acceptances measure their drive times from here.
	at := func(a *api, unit string, lat, lon float64) {
		a.must(t, "POST", "/api/v1/units/positions", []map[string]any{{"unit": unit, "lat": lat, "lon": lon, "time": time.Now().UTC()}}, http.StatusNoContent)
	}
	at(stateOfficer, "state.sp11", 41.60, -87.70)
	at(stateOfficer2, "state.sp12", 41.60, -87.71)
	at(metroOfficer, "metro.3t11", 41.835, -87.70)
	at(sheriffOfficer, "sheriff.s11", 41.83, -87.72)
	stateDispatcher.must(t, "POST", path+"/acknowledge", map[string]string{}, http.StatusOK)
	stateDispatcher.must(t, "POST", path+"/accept", map[string]any{"units": []string{"state.sp11", "state.sp12"}}, http.StatusOK)
	// Metro PD sends a traffic unit: the commander overrides the hold.
	commander.must(t, "POST", path+"/accept", map[string]any{"units": []string{"metro.3t11"},
		"override": "traffic control at 39th Pl & Kedzie for the state police"}, http.StatusOK)
	stateOfficer.must(t, "POST", "/api/v1/units/state.sp11/status", map[string]string{"status": "EN_ROUTE"}, http.StatusOK)
	stateOfficer2.must(t, "POST", "/api/v1/units/state.sp12/status", map[string]string{"status": "EN_ROUTE"}, http.StatusOK)
	metroOfficer.must(t, "POST", "/api/v1/units/metro.3t11/status", map[string]string{"status": "EN_ROUTE"}, http.StatusOK)
	// A unit helping on another agency's request is called back only by a
	// supervisor of its agency, not by its dispatcher.
	metroDispatcher.must(t, "POST", "/api/v1/units/metro.3t11/cancel", map[string]string{"reason": "needed elsewhere"}, http.StatusForbidden)
	metroOfficer.must(t, "POST", "/api/v1/units/metro.3t11/status", map[string]string{"status": "ON_SCENE"}, http.StatusOK)
	if r := get(fedOfficer); r.Status != "ON_SCENE" || r.WaitingFor != "" || r.Deadline != nil {
		t.Errorf("request with the traffic unit on scene = %s, waiting for %q until %v; want ON_SCENE and no deadline", r.Status, r.WaitingFor, r.Deadline)
	}

	// The commander orders the traffic unit away while federal's request
	// is open: it leaves on the record, under the hold, and with the state
	// police still on their way the request waits for their arrival.
	commander.must(t, "POST", "/api/v1/units/metro.3t11/status", map[string]string{"status": "AVAILABLE",
		"reason": "commander's order: back to the hold line at Pershing; the crowd is growing"}, http.StatusOK)
	if r := get(fedOfficer); r.Status != "ACCEPTED" || r.WaitingFor != "arrival" || r.Deadline == nil || len(r.Helping) != 2 {
		t.Fatalf("request after the traffic unit left = %s, waiting for %q until %v, helping %+v; want ACCEPTED, waiting for the state police's arrival", r.Status, r.WaitingFor, r.Deadline, r.Helping)
	}
	// Nobody is on scene by the deadline: the plan, every level of it
	// asked, alerts again.
	left := time.Now()
	for r := get(fedOfficer); !r.escalated("no_arrival"); r = get(fedOfficer) {
		if time.Since(left) > margin+15*time.Second {
			t.Fatalf("the request did not escalate within %s of the traffic unit leaving: %+v", margin+15*time.Second, r.History)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The sheriff, which had acknowledged and never decided, comes
	// instead; then the state police arrive.
	sheriffDispatcher.must(t, "POST", path+"/accept", map[string]any{"units": []string{"sheriff.s11"}}, http.StatusOK)
	for _, st := range []string{"EN_ROUTE", "ON_SCENE"} {
		sheriffOfficer.must(t, "POST", "/api/v1/units/sheriff.s11/status", map[string]string{"status": st}, http.StatusOK)
	}
	stateOfficer.must(t, "POST", "/api/v1/units/state.sp11/status", map[string]string{"status": "ON_SCENE"}, http.StatusOK)
	stateOfficer2.must(t, "POST", "/api/v1/units/state.sp12/status", map[string]string{"status": "ON_SCENE"}, http.StatusOK)
	if r := get(fedOfficer); r.Status != "ON_SCENE" || r.Deadline != nil || len(r.Helping) != 3 {
		t.Errorf("request with the sheriff and the state police on scene = %s, deadline %v, helping %+v; want ON_SCENE, no deadline, three units", r.Status, r.Deadline, r.Helping)
	}

	// The release: federal's dispatcher may neither end the officer's
	// EMERGENCY nor close its request; the officer who pressed it does both.
	fedDispatcher.must(t, "POST", "/api/v1/units/federal.fp11/status", map[string]string{"status": "AVAILABLE", "reason": "looks calm"}, http.StatusForbidden)
	fedOfficer.must(t, "POST", "/api/v1/units/federal.fp11/status", map[string]string{"status": "AVAILABLE",
		"reason": "out of the box: the sheriff and the state police hold the crossing"}, http.StatusOK)
	fedDispatcher.must(t, "POST", path+"/close", map[string]string{"disposition": "done"}, http.StatusForbidden)
	fedOfficer.must(t, "POST", path+"/close", map[string]string{"disposition": "crew safe; released the sheriff and the state police"}, http.StatusOK)
	if r := get(fedOfficer); r.Status != "CLOSED" || len(r.Helping) != 0 {
		t.Errorf("request after its release = %s, helping %+v; want CLOSED, nobody on it", r.Status, r.Helping)
	}

	// The timeline, as the requester reads it.
	var tl struct {
		Entries []struct {
			Seq     int64             `json:"seq"`
			Time    string            `json:"time"`
			Type    string            `json:"type"`
			Agency  string            `json:"agency"`
			Actor   ledger.Actor      `json:"actor"`
			Subject map[string]string `json:"subject"`
			Data    json.RawMessage   `json:"data"`
			Dirs    []string          `json:"directives"`
		} `json:"entries"`
		Directives []struct {
			ID string `json:"id"`
		} `json:"directives"`
	}
	if err := json.Unmarshal(fedOfficer.must(t, "GET", path+"/timeline", nil, http.StatusOK), &tl); err != nil {
		t.Fatal(err)
	}
	var steps []string
	var unitLeftDeadline time.Time
	etas := map[string]int{} // drive times measured at acceptance, by agency
	for i, e := range tl.Entries {
		if i > 0 && e.Seq <= tl.Entries[i-1].Seq {
			t.Errorf("timeline entry %d (seq %d) after seq %d: want log order", i, e.Seq, tl.Entries[i-1].Seq)
		}
		var d struct {
			To         string     `json:"to_agency"`
			Reason     string     `json:"reason"`
			Units      []string   `json:"units"`
			Unit       string     `json:"unit"`
			Status     string     `json:"status"`
			Previous   string     `json:"previous"`
			How        string     `json:"how"`
			Exhausted  bool       `json:"exhausted"`
			Directives []string   `json:"directives"`
			Deadline   *time.Time `json:"deadline"`
			Told       []struct {
				Agency string `json:"agency"`
				Role   string `json:"role"`
			} `json:"told"`
			ETA int `json:"eta_seconds"`
		}
		json.Unmarshal(e.Data, &d)
		// Who did it, in which role: a person, or tenfour's timers.
		by := " by " + e.Actor.User + " (" + e.Actor.Role + ")"
		if e.Actor.System != "" {
			by = " by tenfour"
		}
		var told []string
		for _, a := range d.Told {
			told = append(told, strings.TrimSuffix(a.Agency+"/"+a.Role, "/"))
		}
		step := e.Type
		switch e.Type {
		case "directive.issued", "directive.overridden":
			step += by
		case "assist.requested", "assist.acknowledged", "assist.conflict":
			step += " " + d.To + by
		case "assist.escalated":
			step += " " + d.To + " (" + d.Reason + ")"
			if d.Exhausted {
				step += " exhausted"
			}
			step += by + " told " + strings.Join(told, ",")
		case "assist.accepted":
			step += " " + d.To + " " + strings.Join(d.Units, ",") + by
			etas[d.To] = d.ETA
		case "assist.on_scene":
			step += " " + d.Unit + by
		case "assist.unit_left":
			step += " " + d.Unit + " " + d.How + by + " under " + strings.Join(d.Directives, ",") + " told " + strings.Join(told, ",") + ": " + d.Reason
			if d.Deadline == nil {
				t.Errorf("assist.unit_left of %s has no deadline: with nobody on scene, the request waits for someone, until when", d.Unit)
			} else {
				unitLeftDeadline = *d.Deadline
			}
		case "assist.closed":
			step += by
		case "unit.status_changed":
			step += " " + e.Subject["unit"] + " " + d.Status
			if d.Previous == "EMERGENCY" {
				step += by + ": " + d.Reason
			}
		}
		if e.Type == "assist.escalated" && d.Reason == "no_arrival" {
			if at, err := time.Parse(time.RFC3339Nano, e.Time); err != nil || at.Before(unitLeftDeadline) {
				t.Errorf("the request escalated for want of an arrival at %s, before the deadline %s the traffic unit's departure set (%v)", e.Time, unitLeftDeadline, err)
			}
		}
		if e.Type != "directive.issued" && !slices.Contains(e.Dirs, directive.ID) {
			t.Errorf("timeline entry %s at %s does not show directive %s in force", e.Type, e.Time, directive.ID)
		}
		steps = append(steps, step)
	}
	want := []string{
		"directive.issued by metro-commander (supervisor)",
		"unit.status_changed federal.fp11 EMERGENCY",
		"assist.requested metro by fed-officer (officer)",
		"assist.conflict metro by fed-officer (officer)",
		"assist.acknowledged metro by metro-dispatcher (dispatcher)",
		"assist.escalated sheriff (conflict) by tenfour",
		"assist.acknowledged sheriff by sheriff-dispatcher (dispatcher)",
		"assist.escalated state (no_decision) by tenfour",
		"assist.acknowledged state by state-dispatcher (dispatcher)",
		"assist.accepted state state.sp11,state.sp12 by state-dispatcher (dispatcher)",
		"unit.status_changed state.sp11 DISPATCHED",
		"unit.status_changed state.sp12 DISPATCHED",
		"directive.overridden by metro-commander (supervisor)",
		"assist.accepted metro metro.3t11 by metro-commander (supervisor)",
		"unit.status_changed metro.3t11 DISPATCHED",
		"assist.on_scene metro.3t11 by metro-officer (officer)",
		// The departure: who ordered it, under which directive, and the
		// alert to the requester and metro's supervisors, before the
		// unit's own change.
		"assist.unit_left metro.3t11 cleared by metro-commander (supervisor) under " + directive.ID +
			" told federal,metro/supervisor: commander's order: back to the hold line at Pershing; the crowd is growing",
		"unit.status_changed metro.3t11 AVAILABLE",
		// The re-escalation: every level asked, the plan alerts again, to
		// metro's supervisors too, whose unit left.
		"assist.escalated metro (no_arrival) exhausted by tenfour told federal,metro/supervisor,sheriff/supervisor,state/supervisor",
		// Who came instead.
		"assist.accepted sheriff sheriff.s11 by sheriff-dispatcher (dispatcher)",
		"unit.status_changed sheriff.s11 DISPATCHED",
		"assist.on_scene sheriff.s11 by sheriff-officer (officer)",
		"assist.on_scene state.sp11 by state-officer (officer)",
		// The release, by the officer who pressed EMERGENCY: the end of
		// the EMERGENCY, with the officer's reason, then the request
		// closed, which sends the units home.
		"unit.status_changed federal.fp11 AVAILABLE by fed-officer (officer): out of the box: the sheriff and the state police hold the crossing",
		"assist.closed by fed-officer (officer)",
		"unit.status_changed state.sp11 AVAILABLE",
	}
	got := strings.Join(steps, "\n")
	for _, w := range want {
		i := strings.Index(got, w)
		if i < 0 {
			t.Fatalf("the timeline lacks %q, or has it out of order; it is:\n%s", w, strings.Join(steps, "\n"))
		}
		got = got[i+len(w):]
	}
	if etas["state"] <= etas["metro"] || etas["metro"] <= 0 {
		t.Errorf("drive times measured at acceptance = %v, want the state police's, from the expressway, above metro's, from a few blocks", etas)
	}
	if len(tl.Directives) != 1 || tl.Directives[0].ID != directive.ID {
		t.Errorf("timeline directives = %+v, want %s", tl.Directives, directive.ID)
	}

	// The evidence bundle, exported and verified by the command line.
	file := filepath.Join(t.TempDir(), "kedzie.bundle.json")
	args := []string{"export", "--url", n.url, "--token-file", filepath.Join(dir, "bootstrap-admin.txt"), "--request", rq.ID, "--out", file}
	if stdout, stderr, code := runTenfour(t, args...); code != 0 {
		t.Fatalf("tenfour %s exited %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	stdout, stderr, code := runTenfour(t, "verify", file)
	if code != 0 || !strings.Contains(stdout, "verified") {
		t.Fatalf("tenfour verify %s exited %d: %s%s", file, code, stdout, stderr)
	}
	bundle, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if k := bytes.Count(bundle, []byte(`\"type\":\"assist.`)); k < 16 ||
		!bytes.Contains(bundle, []byte(`\"type\":\"assist.unit_left\"`)) || !bytes.Contains(bundle, []byte(`\"type\":\"assist.closed\"`)) {
		t.Errorf("the bundle holds %d assist.* events, want the request's whole history, the departure and the release with it", k)
	}
	// Any byte changed: the command line refuses a few, in each part of
	// the bundle; the library every one.
	for _, at := range []string{`"checkpoint":"`, `"entry":"`, `"proof":["`, `"subject":"`, `assist.unit_left\"`} {
		i := bytes.Index(bundle, []byte(at)) + len(at) + 5
		bad := bytes.Clone(bundle)
		bad[i] ^= 0x01
		f := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(f, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if stdout, stderr, code := runTenfour(t, "verify", f); code == 0 || !strings.Contains(stderr, "NOT VERIFIED") {
			t.Errorf("tenfour verify with a byte of %s changed exited %d: %s%s, want NOT VERIFIED", at, code, stdout, stderr)
		}
	}
	// The whole story makes a bundle of some 30 kB, each byte of which
	// is a verification of all of it: the cores share them out.
	tampered := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Bool
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			bad := bytes.Clone(bundle)
			for i := w; i < len(bundle) && !failed.Load(); i += workers {
				bad[i] ^= 0x01
				if _, err := ledger.VerifyBundle(bad, ""); err == nil && !failed.Swap(true) {
					t.Errorf("VerifyBundle with byte %d (%q in %q) changed = nil, want an error", i, bundle[i], bundle[max(0, i-30):min(len(bundle), i+30)])
				}
				bad[i] ^= 0x01
			}
		})
	}
	wg.Wait()
	t.Logf("scenario played; %d timeline entries; bundle of %d bytes, each byte of it tampered with in %s", len(tl.Entries), len(bundle), time.Since(tampered).Round(time.Millisecond))
}

// TestDemoScenarioKedzie runs `tenfour demo --scenario kedzie` at the
// default speed and reads the log as anyone can, through its tiles: within
// three minutes (it plays in about one and a half) it holds the scenario — the directive, the emergency and its
// request to metro, the conflict, the escalations to the sheriff and the
// state police, the acceptances and the override; then the traffic unit on
// scene and leaving, the escalation for want of an arrival, the sheriff
// accepting instead, the release and the published timeline.
func TestDemoScenarioKedzie(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--scenario", "kedzie", "--seed", "7")
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	want := []string{"directive.issued", "assist.requested", "assist.conflict", "assist.acknowledged",
		"assist.escalated>sheriff", "assist.escalated>state", "assist.accepted>state", "directive.overridden", "assist.accepted>metro",
		"assist.on_scene>metro", "assist.unit_left>metro", "assist.escalated(no_arrival)", "assist.accepted>sheriff", "assist.on_scene>sheriff",
		"assist.closed", "timeline.published"}
	const limit = 3 * time.Minute
	start := time.Now()
	var seen map[string]bool
	for time.Since(start) < limit {
		time.Sleep(2 * time.Second)
		_, raw, err := independentRead(t, n.url, key)
		if err != nil {
			t.Fatalf("reading the demo log through its tiles: %v", err)
		}
		seen = map[string]bool{}
		for _, e := range parseEntries(t, raw) {
			var d struct {
				To     string `json:"to_agency"`
				Reason string `json:"reason"`
			}
			json.Unmarshal(e.Data, &d)
			seen[e.Type] = true
			if d.To != "" {
				seen[e.Type+">"+d.To] = true
			}
			if d.Reason != "" {
				seen[e.Type+"("+d.Reason+")"] = true
			}
		}
		missing := slices.DeleteFunc(slices.Clone(want), func(w string) bool { return seen[w] })
		if len(missing) == 0 {
			t.Logf("the scenario is in the log after %s", time.Since(start).Round(time.Second))
			return
		}
	}
	t.Fatalf("after %s the demo log lacks %v\n%s", limit, slices.DeleteFunc(slices.Clone(want), func(w string) bool { return seen[w] }), n.out)
}
