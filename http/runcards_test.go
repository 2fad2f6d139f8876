package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// runCardAnswer is the recommendation's answer with a run card.
type runCardAnswer struct {
	Units []struct {
		Unit      string `json:"unit"`
		Kind      string `json:"kind"`
		Slot      string `json:"slot"`
		DistanceM int    `json:"distance_m"`
		Reason    string `json:"reason"`
	} `json:"units"`
	RunCard   *dispatch.RunCard `json:"run_card"`
	Shortfall []struct {
		Kind    string `json:"kind"`
		Missing int    `json:"missing"`
	} `json:"shortfall"`
}

func (a runCardAnswer) slots() string {
	var out []string
	for _, u := range a.Units {
		out = append(out, u.Unit+"="+u.Slot)
	}
	return strings.Join(out, " ")
}

func (a runCardAnswer) short() string {
	var out []string
	for _, s := range a.Shortfall {
		out = append(out, fmt.Sprintf("%s:%d", s.Kind, s.Missing))
	}
	return strings.Join(out, " ")
}

// TestRunCardRecommendation: a structure fire in a zone with a run card
// gets each slot filled with the nearest staffed unit of its kind, the
// shortfall named; an engine's cross-staffed ambulance goes out of service
// with it; an incident without a card keeps the plain answer.
func TestRunCardRecommendation(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "cfd", Name: "City Fire", Kind: "fire_ems"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	for _, u := range []struct{ cs, kind string }{{"E1", "engine"}, {"E2", "engine"}, {"E3", "engine"}, {"E4", "engine"},
		{"T1", "truck"}, {"C1", "chief"}, {"A1", "ambulance"}} {
		ts.MustExecute(t, dispatch.CreateUnit{CallSign: u.cs, Agency: "cfd", Kind: u.kind})
	}
	sup := ts.MustCreateUser(t, "hal", "cfd", dispatch.RoleSupervisor)
	disp := ts.MustCreateUser(t, "ida", "cfd", dispatch.RoleDispatcher)
	fay := ts.MustCreateUser(t, "fay", "cfd", dispatch.RoleOfficer)
	ts.MustCreateUser(t, "gus", "cfd", dispatch.RoleOfficer)
	police := ts.MustCreateUser(t, "pat", "metro", dispatch.RoleSupervisor)

	// 39th Pl & Kedzie is 3950 S, 3200 W. C1 reports no position.
	r := ts.Do(t, "POST", "/api/v1/units/positions", disp, []map[string]any{
		at("cfd.e1", 3950, 3400), // 402 m
		at("cfd.a1", 3950, 3400), // E1's station
		at("cfd.e2", 3950, 3800), // 1207 m
		at("cfd.e3", 3100, 3200), // 1710 m
		at("cfd.e4", 3950, 3200), // on the spot, but unstaffed
		at("cfd.t1", 3500, 3200), // 905 m
	})
	if r.Status != 204 {
		t.Fatalf("POST /api/v1/units/positions = %d %s, want 204", r.Status, r.Body)
	}

	// The roster: fay signs herself on E1; E1 and A1 share her crew.
	now := ts.Engine.Now()
	shift := map[string]any{"start": now.Add(-time.Hour), "end": now.Add(11 * time.Hour)}
	var unit dispatch.Unit
	MustJSON(t, "sign-on E1", ts.Do(t, "POST", "/api/v1/units/cfd.e1/sign-on", fay, map[string]any{"crew": []string{"fay"}, "shift": shift}), 200, &unit)
	if unit.Staffing != dispatch.StaffingStaffed || strings.Join(unit.Crew, ",") != "fay" || unit.Shift == nil {
		t.Fatalf("E1 after sign-on = %+v, want STAFFED by fay for the shift", unit.Roster)
	}
	mustProblem(t, "sign-on E2 by fay for gus", ts.Do(t, "POST", "/api/v1/units/cfd.e2/sign-on", fay, map[string]any{"crew": []string{"gus"}, "shift": shift}), 403, "only a crew they are on")
	mustProblem(t, "cross-staff as an officer", ts.Do(t, "PUT", "/api/v1/units/cfd.e1/cross-staff", fay, map[string]string{"partner": "cfd.a1"}), 403, "")
	unit = dispatch.Unit{}
	MustJSON(t, "cross-staff E1 A1", ts.Do(t, "PUT", "/api/v1/units/cfd.e1/cross-staff", sup, map[string]string{"partner": "cfd.a1"}), 200, &unit)
	if unit.CrossStaffed != "cfd.a1" {
		t.Fatalf("E1 after cross-staffing = %+v, want linked with cfd.a1", unit.Roster)
	}
	// E4 signs on and off: on the roster, without a crew.
	MustJSON(t, "sign-on E4", ts.Do(t, "POST", "/api/v1/units/cfd.e4/sign-on", sup, map[string]any{"crew": []string{"gus"}, "shift": shift}), 200, &unit)
	unit = dispatch.Unit{}
	MustJSON(t, "sign-off E4", ts.Do(t, "POST", "/api/v1/units/cfd.e4/sign-off", sup, nil), 200, &unit)
	if unit.Staffing != dispatch.StaffingUnstaffed || len(unit.Crew) != 0 {
		t.Fatalf("E4 after sign-off = %+v, want UNSTAFFED", unit.Roster)
	}

	// The incident's zone, as the gazetteer places it.
	r = ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"agency": "cfd", "type": "FIRE_STRUCTURE", "location": map[string]string{"text": "39th Pl & S Kedzie Ave"}})
	var fire dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents", r, 201, &fire)
	if fire.Location.Lat == nil || fire.Location.District == "" {
		t.Fatalf("incident location = %+v, want a point in a district", fire.Location)
	}
	cards := map[string]any{"time_zone": "America/Chicago", "cards": []map[string]any{
		{"name": "Structure fire, district " + fire.Location.District, "zone": fire.Location.District, "type": "FIRE_STRUCTURE",
			"slots": []map[string]any{{"kind": "engine", "count": 3}, {"kind": "truck", "count": 1}, {"kind": "chief", "count": 1}}},
		{"name": "Structure fire elsewhere", "zone": "*", "type": "FIRE_STRUCTURE", "slots": []map[string]any{{"kind": "engine", "count": 1}}},
	}}
	mustProblem(t, "PUT run-cards as a dispatcher", ts.Do(t, "PUT", "/api/v1/agencies/cfd/run-cards", disp, cards), 403, "")
	mustProblem(t, "PUT run-cards of another agency", ts.Do(t, "PUT", "/api/v1/agencies/cfd/run-cards", police, cards), 404, "does not exist")
	mustProblem(t, "PUT a bad run card", ts.Do(t, "PUT", "/api/v1/agencies/cfd/run-cards", sup, map[string]any{"cards": []map[string]any{
		{"name": "x", "zone": "*", "type": "FIRE_STRUCTURE", "slots": []map[string]any{{"kind": "boat", "count": 1}}}}}), 422, `run card 1: unit kind "boat"`)
	var set dispatch.RunCards
	MustJSON(t, "PUT run-cards", ts.Do(t, "PUT", "/api/v1/agencies/cfd/run-cards", sup, cards), 200, &set)
	MustJSON(t, "GET run-cards", ts.Do(t, "GET", "/api/v1/agencies/cfd/run-cards", disp, nil), 200, &set)
	if len(set.Cards) != 2 || set.TimeZone != "America/Chicago" || set.Cards[0].Slots[0].Count != 3 {
		t.Fatalf("GET run-cards = %+v, want the two cards", set)
	}
	mustProblem(t, "GET run-cards of another agency", ts.Do(t, "GET", "/api/v1/agencies/cfd/run-cards", police, nil), 404, "does not exist")

	path := "/api/v1/incidents/" + fire.ID + "/recommendations"
	var got runCardAnswer
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &got)
	if got.RunCard == nil || got.RunCard.Zone != fire.Location.District {
		t.Fatalf("GET %s: run card = %+v, want the district's", path, got.RunCard)
	}
	if want := "cfd.e1=engine 1 of 3 cfd.e2=engine 2 of 3 cfd.e3=engine 3 of 3 cfd.t1=truck 1 of 1"; got.slots() != want {
		t.Errorf("GET %s: slots %q, want %q (nearest staffed first; unstaffed E4 left out)", path, got.slots(), want)
	}
	if got.short() != "chief:1" {
		t.Errorf("GET %s: shortfall %q, want chief:1 (C1 has no position)", path, got.short())
	}
	if len(got.Units) > 0 && !strings.HasPrefix(got.Units[0].Reason, `engine 1 of 3 on run card "Structure fire, district`) {
		t.Errorf("reason = %q, want it to name the slot and the card", got.Units[0].Reason)
	}

	// E1 goes: its ambulance goes out of service with it.
	from := ts.Engine.Log().Size()
	r = ts.Do(t, "POST", "/api/v1/incidents/"+fire.ID+"/dispatch", disp, map[string]any{"units": []string{"cfd.e1"}})
	if r.Status != 200 {
		t.Fatalf("dispatch E1 = %d %s", r.Status, r.Body)
	}
	var held *dispatch.UnitStatusChanged
	for _, en := range ts.Events(t, from) {
		if en.Type == dispatch.TypeUnitStatusChanged {
			data, err := dispatch.DecodeData(en.Type, en.Data)
			if err != nil {
				t.Fatal(err)
			}
			if d := data.(*dispatch.UnitStatusChanged); d.Unit == "cfd.a1" {
				held = d
			}
		}
	}
	if held == nil || held.Status != dispatch.StatusOutOfService || held.HeldBy != "cfd.e1" || !strings.Contains(held.Reason, "cross-staffed with E1") {
		t.Fatalf("A1's status change = %+v, want OUT_OF_SERVICE held by E1 with a reason", held)
	}

	// A second fire: E1 is out, so the engines run short.
	r = ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"agency": "cfd", "type": "FIRE_STRUCTURE", "location": map[string]string{"text": "39th Pl & S Kedzie Ave"}})
	var second dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents", r, 201, &second)
	path = "/api/v1/incidents/" + second.ID + "/recommendations"
	got = runCardAnswer{}
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &got)
	if want := "cfd.e2=engine 1 of 3 cfd.e3=engine 2 of 3 cfd.t1=truck 1 of 1"; got.slots() != want || got.short() != "engine:1 chief:1" {
		t.Errorf("GET %s = slots %q, shortfall %q; want %q, engine:1 chief:1", path, got.slots(), got.short(), want)
	}

	// E1 clears: A1 comes back with it.
	r = ts.Do(t, "POST", "/api/v1/incidents/"+fire.ID+"/clear", disp, map[string]any{"disposition": "fire out"})
	if r.Status != 200 {
		t.Fatalf("clear = %d %s", r.Status, r.Body)
	}
	var units struct {
		Units []dispatch.Unit `json:"units"`
	}
	MustJSON(t, "GET units", ts.Do(t, "GET", "/api/v1/units?agency=cfd", disp, nil), 200, &units)
	if len(units.Units) != 7 {
		t.Fatalf("GET units = %d units, want 7", len(units.Units))
	}
	for _, u := range units.Units {
		if u.ID == "cfd.a1" && (u.Status != dispatch.StatusAvailable || u.HeldBy != "" || u.Staffing != dispatch.StaffingStaffed) {
			t.Errorf("A1 after E1 cleared = %s %+v, want AVAILABLE and staffed", u.Status, u.Roster)
		}
		if u.ID == "cfd.c1" && u.Staffing != dispatch.StaffingNotRostered {
			t.Errorf("C1 staffing = %q, want NOT_ROSTERED", u.Staffing)
		}
	}

	// An incident with no card keeps the plain answer.
	r = ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"agency": "cfd", "type": "MEDICAL", "location": map[string]string{"text": "39th Pl & S Kedzie Ave"}})
	var med dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents", r, 201, &med)
	path = "/api/v1/incidents/" + med.ID + "/recommendations?k=3"
	got = runCardAnswer{}
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &got)
	if got.RunCard != nil || len(got.Units) != 3 || got.Units[0].Slot != "" || got.Units[0].Unit == "cfd.e4" {
		t.Errorf("GET %s = %+v, want three units with no card nor slot, unstaffed E4 left out", path, got)
	}
}
