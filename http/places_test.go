package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestEmergencyEntrances enters the same EMERGENCY through two entrances —
// the HTTP status route, and a command handed straight to the engine as an
// EIDO import or a partner's message would be — and finds both placed
// alike: the same nearest address, district and beat, and the same
// conflict with the directive over that district.
func TestEmergencyEntrances(t *testing.T) {
	ts := MustOpenServer(t)
	for _, a := range []dispatch.CreateAgency{{ID: "metro", Name: "Metro PD", Kind: "municipal_police"}, {ID: "federal", Name: "Federal Patrol", Kind: "federal"}} {
		ts.MustExecute(t, a)
	}
	ts.MustExecute(t, dispatch.SetMutualAidPlan{Agency: "federal", Plan: dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{{Agencies: []string{"metro"}}}}})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "FP1", Agency: "federal", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "FP2", Agency: "federal", Kind: "patrol"})
	officer := ts.MustCreateUser(t, "fran", "federal", dispatch.RoleOfficer)
	// Each officer crews the unit whose EMERGENCY button they press.
	ts.MustExecute(t, dispatch.CreateUser{Username: "fern", Agency: "federal", Roles: []string{dispatch.RoleOfficer}})
	ts.MustExecute(t, dispatch.CreateUser{Username: "finn", Agency: "federal", Roles: []string{dispatch.RoleOfficer}})
	ts.MustCrew(t, "federal.fp1", "fran")
	ts.MustCrew(t, "federal.fp2", "fern")

	// 39th Pl & Kedzie: where the map says it is, and what it says of it.
	kedzie := at("", 3950, 3200)
	lat, lon := kedzie["lat"].(float64), kedzie["lon"].(float64)
	zone, ok := TestMap().ZoneAt(lat, lon)
	if !ok || zone.District == "" || zone.Beat == "" {
		t.Fatalf("TestMap().ZoneAt(%v, %v) = %+v, %v; want a district and a beat", lat, lon, zone, ok)
	}
	supervisor := dispatch.Actor{User: "mo", Agency: "metro", Role: dispatch.RoleSupervisor}
	res := ts.MustExecuteAs(t, supervisor, dispatch.IssueDirective{Agency: "metro",
		Scope:  dispatch.Scope{Kind: dispatch.ScopeDistrict, District: zone.District},
		Effect: dispatch.EffectHold, Reason: "operation in progress", Expires: ts.Engine.Now().Add(time.Hour)})
	directive := res.Events[0].Subject["directive"]

	now := ts.Engine.Now()
	if err := ts.Engine.UpdatePositions(dispatch.Actor{System: "test"}, []dispatch.Position{{Unit: "federal.fp1", Lat: lat, Lon: lon, Time: now}, {Unit: "federal.fp2", Lat: lat, Lon: lon, Time: now}}); err != nil {
		t.Fatal(err)
	}
	placed := func(from int64) (*dispatch.AssistRequested, *dispatch.AssistConflict) {
		t.Helper()
		var req *dispatch.AssistRequested
		var conflict *dispatch.AssistConflict
		for _, en := range ts.Events(t, from) {
			data, err := dispatch.DecodeData(en.Type, en.Data)
			if err != nil {
				t.Fatal(err)
			}
			switch d := data.(type) {
			case *dispatch.AssistRequested:
				req = d
			case *dispatch.AssistConflict:
				conflict = d
			}
		}
		if req == nil || conflict == nil {
			t.Fatalf("events from %d: request %v, conflict %v; want both", from, req, conflict)
		}
		return req, conflict
	}

	from := ts.Engine.Log().Size()
	if r := ts.Do(t, "POST", "/api/v1/units/federal.fp1/status", officer, map[string]string{"status": "EMERGENCY"}); r.Status != 200 {
		t.Fatalf("POST /api/v1/units/federal.fp1/status = %d %s", r.Status, r.Body)
	}
	viaHTTP, conflictHTTP := placed(from)

	from = ts.Engine.Log().Size()
	if _, err := ts.Engine.Execute(context.Background(), dispatch.Actor{User: "fern", Agency: "federal", Role: dispatch.RoleOfficer},
		dispatch.SetUnitStatus{Unit: "federal.fp2", Status: dispatch.StatusEmergency}); err != nil {
		t.Fatalf("Execute(EMERGENCY) = %v", err)
	}
	viaEngine, conflictEngine := placed(from)

	for name, req := range map[string]*dispatch.AssistRequested{"HTTP": viaHTTP, "engine": viaEngine} {
		l := req.Location
		if l.District != zone.District || l.Beat != zone.Beat || l.Text == "" || l.Lat == nil || *l.Lat != lat {
			t.Errorf("EMERGENCY via %s placed at %+v, want near an address in district %s beat %s at %v", name, l, zone.District, zone.Beat, lat)
		}
	}
	near := func(l dispatch.Location) string { _, n, _ := strings.Cut(l.Text, ", near "); return n }
	if near(viaHTTP.Location) == "" || near(viaHTTP.Location) != near(viaEngine.Location) {
		t.Errorf("nearest address via HTTP %q, via the engine %q; want the same", viaHTTP.Location.Text, viaEngine.Location.Text)
	}
	if conflictHTTP.Directive != directive || conflictEngine.Directive != directive {
		t.Errorf("conflicts with %s (HTTP) and %s (engine), want both with %s", conflictHTTP.Directive, conflictEngine.Directive, directive)
	}

	// Nobody can say where an emergency is but the map: a district given
	// with the command is replaced by the map's.
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "FP3", Agency: "federal", Kind: "patrol"})
	ts.MustCrew(t, "federal.fp3", "finn")
	from = ts.Engine.Log().Size()
	if _, err := ts.Engine.Execute(context.Background(), dispatch.Actor{User: "finn", Agency: "federal", Role: dispatch.RoleOfficer},
		dispatch.SetUnitStatus{Unit: "federal.fp3", Status: dispatch.StatusEmergency, Lat: &lat, Lon: &lon, District: "elsewhere", Beat: "none"}); err != nil {
		t.Fatalf("Execute(EMERGENCY with a district) = %v", err)
	}
	if req, _ := placed(from); req.Location.District != zone.District || req.Location.Beat != zone.Beat {
		t.Errorf("EMERGENCY claiming district elsewhere placed in %s/%s, want the map's %s/%s", req.Location.District, req.Location.Beat, zone.District, zone.Beat)
	}
}
