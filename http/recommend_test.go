package http_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// at returns a position of unit at a grid address: south and west numbers.
func at(unit string, south, west float64) map[string]any {
	lat, lon := gridcity.GridPoint{N: -south, E: -west}.LatLon()
	return map[string]any{"unit": unit, "lat": lat, "lon": lon, "time": "2026-03-01T08:00:00Z"}
}

// mustProblem checks that r is a problem with status whose detail holds msg.
func mustProblem(tb testing.TB, call string, r Response, status int, msg string) {
	tb.Helper()
	var p struct {
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(r.Body, &p); r.Status != status || err != nil || !strings.Contains(p.Detail, msg) {
		tb.Errorf("%s = %d %s, want %d with %q", call, r.Status, r.Body, status, msg)
	}
}

func TestRecommendations(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	for _, cs := range []string{"1A1", "1A2", "1A3", "1A4", "1A5"} {
		ts.MustExecute(t, dispatch.CreateUnit{CallSign: cs, Agency: "metro", Kind: "patrol"})
	}
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"})
	disp := ts.MustCreateUser(t, "dana", "metro", dispatch.RoleDispatcher)
	sheriff := ts.MustCreateUser(t, "sam", "sheriff", dispatch.RoleDispatcher)
	officer := ts.MustCreateUser(t, "otto", "metro", dispatch.RoleOfficer)
	ts.MustCrew(t, "metro.1a4", "otto")

	// 39th Pl & Kedzie is 3950 S, 3200 W. 1A5 reports no position.
	r := ts.Do(t, "POST", "/api/v1/units/positions", disp, []map[string]any{
		at("metro.1a1", 3950, 3800), // 600 numbers west: 1207 m
		at("metro.1a2", 3950, 3400), // 200 west: 402 m
		at("metro.1a3", 3100, 3200), // 850 north: 1710 m
		at("metro.1a4", 3950, 3200), // on the spot, but busy
	})
	if r.Status != 204 {
		t.Fatalf("POST /api/v1/units/positions = %d %s, want 204", r.Status, r.Body)
	}
	r = ts.Do(t, "POST", "/api/v1/units/positions", ts.Admin, []map[string]any{at("sheriff.s1", 3950, 3200)})
	if r.Status != 204 {
		t.Fatalf("POST /api/v1/units/positions (installation admin, sheriff) = %d %s, want 204", r.Status, r.Body)
	}

	// A status change carries the unit's last position into the log.
	from := ts.Engine.Log().Size()
	r = ts.Do(t, "POST", "/api/v1/units/metro.1a4/status", officer, map[string]string{"status": "BUSY"})
	if r.Status != 200 {
		t.Fatalf("POST /api/v1/units/metro.1a4/status = %d %s", r.Status, r.Body)
	}
	var changed *dispatch.UnitStatusChanged
	for _, en := range ts.Events(t, from) {
		if en.Type == dispatch.TypeUnitStatusChanged {
			data, err := dispatch.DecodeData(en.Type, en.Data)
			if err != nil {
				t.Fatal(err)
			}
			changed = data.(*dispatch.UnitStatusChanged)
		}
	}
	wantLat, wantLon := gridcity.GridPoint{N: -3950, E: -3200}.LatLon()
	if changed == nil || changed.Lat == nil || *changed.Lat != wantLat || *changed.Lon != wantLon {
		t.Errorf("unit.status_changed = %+v, want it at the unit's last position %v,%v", changed, wantLat, wantLon)
	}

	r = ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"type": "ROBBERY", "location": map[string]string{"text": "39th Pl & S Kedzie Ave"}})
	var in dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents", r, 201, &in)
	if in.Location.Lat == nil {
		t.Fatalf("incident location = %+v, want a point", in.Location)
	}

	var got struct {
		Units []struct {
			Unit       string `json:"unit"`
			CallSign   string `json:"call_sign"`
			ETASeconds int    `json:"eta_seconds"`
			DistanceM  int    `json:"distance_m"`
			Reason     string `json:"reason"`
		} `json:"units"`
	}
	path := "/api/v1/incidents/" + in.ID + "/recommendations?k=5"
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &got)
	var ids []string
	for i, u := range got.Units {
		ids = append(ids, u.Unit)
		if i > 0 && (u.ETASeconds < got.Units[i-1].ETASeconds || u.DistanceM < got.Units[i-1].DistanceM) {
			t.Errorf("recommendation %d = %+v after %+v, want ETA and distance increasing", i, u, got.Units[i-1])
		}
	}
	if want := "metro.1a2 metro.1a1 metro.1a3"; strings.Join(ids, " ") != want {
		t.Fatalf("GET %s = %q, want %q (nearest first; busy, positionless and sheriff units left out)", path, ids, want)
	}
	if u := got.Units[0]; u.CallSign != "1A2" || u.DistanceM < 380 || u.DistanceM > 420 || u.ETASeconds < 30 || u.ETASeconds > 40 ||
		!strings.HasPrefix(u.Reason, "nearest available patrol, 0.4 km by road") {
		t.Errorf("first recommendation = %+v, want 1A2, about 402 m and 36 s, nearest available patrol", u)
	}

	path = "/api/v1/incidents/" + in.ID + "/recommendations?k=1"
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, ts.Admin, nil), 200, &got)
	if len(got.Units) != 1 || got.Units[0].Unit != "metro.1a2" {
		t.Errorf("GET %s = %+v, want only metro.1a2", path, got.Units)
	}
	mustProblem(t, "GET recommendations?k=0", ts.Do(t, "GET", "/api/v1/incidents/"+in.ID+"/recommendations?k=0", disp, nil), 422, "k must be")
	mustProblem(t, "GET recommendations as sheriff", ts.Do(t, "GET", "/api/v1/incidents/"+in.ID+"/recommendations", sheriff, nil), 404, "does not exist")
	if r := ts.Do(t, "GET", "/api/v1/incidents/"+in.ID+"/recommendations", officer, nil); r.Status != 403 {
		t.Errorf("GET recommendations as an officer = %d, want 403", r.Status)
	}

	// Filters.
	mustProblem(t, "GET recommendations?kind=boat", ts.Do(t, "GET", "/api/v1/incidents/"+in.ID+"/recommendations?kind=boat", disp, nil), 422, `kind "boat" is not a unit kind`)
	mustProblem(t, "GET recommendations?preempt=maybe", ts.Do(t, "GET", "/api/v1/incidents/"+in.ID+"/recommendations?preempt=maybe", disp, nil), 422, "preempt must be true or false")
	for _, q := range []string{"kind=k9", "capability=k9", "kind=patrol,k9&capability=traffic-control"} {
		path := "/api/v1/incidents/" + in.ID + "/recommendations?" + q
		MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &got)
		if len(got.Units) != 0 {
			t.Errorf("GET %s = %+v, want no unit (none has that kind or capability)", path, got.Units)
		}
	}

	// A unit on its way to a noise complaint (priority 4) is offered for
	// the robbery, marked, and can be taken off it only on purpose.
	var noise dispatch.Incident
	MustJSON(t, "POST noise", ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"type": "NOISE", "location": map[string]string{"text": "3600 S Kedzie Ave"}}), 201, &noise)
	MustJSON(t, "dispatch 1A2 to noise", ts.Do(t, "POST", "/api/v1/incidents/"+noise.ID+"/dispatch", disp, map[string]any{"units": []string{"metro.1a2"}}), 200, &noise)
	var pre struct {
		Units []struct {
			Unit     string `json:"unit"`
			Preempts string `json:"preempts"`
			Reason   string `json:"reason"`
		} `json:"units"`
	}
	path = "/api/v1/incidents/" + in.ID + "/recommendations?k=2"
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &pre)
	if len(pre.Units) != 2 || pre.Units[0].Unit != "metro.1a2" || pre.Units[0].Preempts != noise.ID ||
		!strings.Contains(pre.Units[0].Reason, "pre-emptible from priority 4 NOISE "+noise.ID) || pre.Units[1].Preempts != "" {
		t.Errorf("GET %s = %+v, want metro.1a2 first, pre-emptible from %s, then an available unit", path, pre.Units, noise.ID)
	}
	path += "&preempt=false"
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &pre)
	if len(pre.Units) == 0 || pre.Units[0].Unit != "metro.1a1" {
		t.Errorf("GET %s = %+v, want metro.1a1 first", path, pre.Units)
	}
	mustProblem(t, "dispatch without preempt", ts.Do(t, "POST", "/api/v1/incidents/"+in.ID+"/dispatch", disp, map[string]any{"units": []string{"metro.1a2"}}), 409, "dispatch it with pre-emption")
	MustJSON(t, "dispatch with preempt", ts.Do(t, "POST", "/api/v1/incidents/"+in.ID+"/dispatch", disp, map[string]any{"units": []string{"metro.1a2"}, "preempt": true}), 200, &in)
	MustJSON(t, "GET noise", ts.Do(t, "GET", "/api/v1/incidents/"+noise.ID, disp, nil), 200, &noise)
	if in.Status != dispatch.IncidentActive || noise.Status != dispatch.IncidentPending {
		t.Errorf("after pre-emption the robbery is %s and the noise complaint %s, want ACTIVE and PENDING", in.Status, noise.Status)
	}
}

func TestUpdatePositionsErrors(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A1", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"})
	disp := ts.MustCreateUser(t, "dana", "metro", dispatch.RoleDispatcher)
	good := at("metro.1a1", 3950, 3200)
	with := func(k string, v any) map[string]any {
		p := map[string]any{}
		for k, v := range good {
			p[k] = v
		}
		p[k] = v
		return p
	}
	many := make([]map[string]any, 1001)
	for i := range many {
		many[i] = good
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		msg    string
	}{
		{"ErrEmpty", []map[string]any{}, 422, "send between 1 and 1000 positions, not 0"},
		{"ErrTooMany", many, 422, "not 1001"},
		{"ErrNoTime", []map[string]any{good, {"unit": "metro.1a1", "lat": 41.8, "lon": -87.7}}, 422, "position 1: give unit, lat, lon and time"},
		{"ErrLatitude", []map[string]any{good, with("lat", 91)}, 422, "position 1: 91,"},
		{"ErrFuture", []map[string]any{with("time", "2027-01-01T00:00:00Z")}, 422, "position 0: its time 2027-01-01T00:00:00Z is more than 1m0s ahead"},
		{"ErrNotFound", []map[string]any{good, with("unit", "metro.9z9")}, 404, "position 1: unit metro.9z9 does not exist"},
		{"ErrOtherAgency", []map[string]any{with("unit", "sheriff.s1")}, 404, "position 0: unit sheriff.s1 does not exist"},
		{"ErrUnknownField", []map[string]any{with("speed", 12)}, 400, "speed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustProblem(t, "POST /api/v1/units/positions", ts.Do(t, "POST", "/api/v1/units/positions", disp, tc.body), tc.status, tc.msg)
		})
	}
	if _, ok := ts.Engine.Position("metro.1a1"); ok {
		t.Errorf("a refused batch left a position")
	}
	if r := ts.Do(t, "POST", "/api/v1/units/positions", disp, []map[string]any{with("time", "2026-03-01T08:00:10Z")}); r.Status != 204 {
		t.Fatalf("POST /api/v1/units/positions = %d %s, want 204", r.Status, r.Body)
	}
	mustProblem(t, "POST an older position", ts.Do(t, "POST", "/api/v1/units/positions", disp, []map[string]any{good}), 422,
		fmt.Sprintf("position 0: unit metro.1a1 has a newer position already (%s)", "2026-03-01T08:00:10Z"))
}

// TestRecommendationsHonourDirectives: a supervisor's directive over the
// incident's place keeps the units it blocks out of the recommendation,
// which names the directive; dispatching one anyway needs a supervisor's
// override with a reason.
func TestRecommendationsHonourDirectives(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A1", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "3T1", Agency: "metro", Kind: "traffic", Capabilities: []string{"traffic-control"}})
	disp := ts.MustCreateUser(t, "dana", "metro", dispatch.RoleDispatcher)
	boss := ts.MustCreateUser(t, "boss", "metro", dispatch.RoleSupervisor)
	if r := ts.Do(t, "POST", "/api/v1/units/positions", disp, []map[string]any{at("metro.1a1", 3950, 3300), at("metro.3t1", 3950, 3700)}); r.Status != 204 {
		t.Fatalf("POST positions = %d %s", r.Status, r.Body)
	}
	var in dispatch.Incident
	MustJSON(t, "POST incident", ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"type": "ROBBERY", "location": map[string]string{"text": "39th Pl & S Kedzie Ave"}}), 201, &in)
	var d dispatch.Directive
	MustJSON(t, "POST directive", ts.Do(t, "POST", "/api/v1/directives", boss, map[string]any{
		"scope":  map[string]any{"kind": "circle", "circle": map[string]any{"lat": *in.Location.Lat, "lon": *in.Location.Lon, "radius_m": 500}},
		"effect": "restrict", "restrict": "traffic-control", "reason": "traffic units only near the rail yards", "expires": ts.Engine.Now().Add(time.Hour),
	}), 201, &d)

	var got struct {
		Units      []struct{ Unit string }
		Directives []struct{ ID string }
	}
	path := "/api/v1/incidents/" + in.ID + "/recommendations"
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &got)
	if len(got.Units) != 1 || got.Units[0].Unit != "metro.3t1" || len(got.Directives) != 1 || got.Directives[0].ID != d.ID {
		t.Errorf("GET %s = %+v, want only metro.3t1 (the nearer patrol is kept out) and directive %s", path, got, d.ID)
	}
	dispatchPath := "/api/v1/incidents/" + in.ID + "/dispatch"
	mustProblem(t, "dispatch a blocked unit", ts.Do(t, "POST", dispatchPath, disp, map[string]any{"units": []string{"metro.1a1"}}), 409, d.ID)
	if r := ts.Do(t, "POST", dispatchPath, disp, map[string]any{"units": []string{"metro.1a1"}, "override": "officer down nearby"}); r.Status < 400 {
		t.Errorf("a dispatcher's override = %d %s, want it refused: only a supervisor overrides", r.Status, r.Body)
	}
	MustJSON(t, "supervisor's override", ts.Do(t, "POST", dispatchPath, boss, map[string]any{"units": []string{"metro.1a1"}, "override": "officer down nearby"}), 200, &in)
	if in.Status != dispatch.IncidentActive || len(in.Units) != 1 {
		t.Errorf("after the override the incident is %s with %v, want ACTIVE with metro.1a1", in.Status, in.Units)
	}
}
