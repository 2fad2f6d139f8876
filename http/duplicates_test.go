package http_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// createdWithDuplicates is the answer of POST /api/v1/incidents.
type createdWithDuplicates struct {
	dispatch.Incident
	PossibleDuplicates []dispatch.PossibleDuplicate `json:"possible_duplicates"`
}

// metresNorth is the latitude step of m metres.
func metresNorth(m float64) float64 { return m / 111_195 }

// TestPossibleDuplicates creates calls near an open incident: a second call
// 50 m from it, of the same or a compatible type, within ten minutes, names
// it in possible_duplicates; a far, old, incompatible or other agency's
// incident is never named, and no call is refused.
func TestPossibleDuplicates(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleCallTaker)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleCallTaker)
	const lat, lon = 41.8225, -87.7050
	post := func(token, typ string, lat, lon float64, extra map[string]any) createdWithDuplicates {
		t.Helper()
		body := map[string]any{"type": typ, "location": map[string]any{"text": "near Kedzie", "lat": lat, "lon": lon}}
		for k, v := range extra {
			body[k] = v
		}
		var out createdWithDuplicates
		MustJSON(t, "POST /api/v1/incidents "+typ, ts.Do(t, "POST", "/api/v1/incidents", token, body), 201, &out)
		if out.PossibleDuplicates == nil {
			t.Fatalf("POST /api/v1/incidents answered no possible_duplicates member, want [] at least")
		}
		return out
	}
	names := func(ds []dispatch.PossibleDuplicate) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Incident)
		}
		return out
	}

	first := post(ann, "FIRE_STRUCTURE", lat, lon, nil)
	if len(first.PossibleDuplicates) != 0 {
		t.Errorf("first call: possible_duplicates = %+v, want none", first.PossibleDuplicates)
	}
	// Another agency's incident at the very same point is none of metro's business.
	post(deputy, "FIRE_STRUCTURE", lat, lon, nil)
	// An old call (received 20 minutes ago) 1 km away, to be approached later.
	last := ts.Events(t, ts.Engine.Log().Size()-1)[0]
	now, err := time.Parse(time.RFC3339Nano, last.Time)
	if err != nil {
		t.Fatal(err)
	}
	old := post(ann, "FIRE_STRUCTURE", lat+metresNorth(1000), lon, map[string]any{"received": now.Add(-20 * time.Minute)})

	// Asked before the call becomes an incident, the server answers by the
	// same rule.
	var early struct {
		PossibleDuplicates []dispatch.PossibleDuplicate `json:"possible_duplicates"`
	}
	path := fmt.Sprintf("/api/v1/incidents/possible-duplicates?type=FIRE_VEHICLE&lat=%v&lon=%v", lat+metresNorth(50), lon)
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, ann, nil), 200, &early)
	if got := names(early.PossibleDuplicates); !slices.Equal(got, []string{first.ID}) {
		t.Errorf("GET %s = %v, want %s alone (a compatible type; the sheriff's is not metro's)", path, got, first.ID)
	}
	CheckProblem(t, "GET possible-duplicates without a point", ts.Do(t, "GET", "/api/v1/incidents/possible-duplicates?type=FIRE_VEHICLE", ann, nil), 422, dispatch.EINVALID, "lat and lon")
	CheckProblem(t, "GET possible-duplicates of an unknown type", ts.Do(t, "GET", "/api/v1/incidents/possible-duplicates?type=UFO&lat=41.8&lon=-87.7", ann, nil), 422, dispatch.EINVALID, "not in the catalogue")
	CheckProblem(t, "GET possible-duplicates of another agency", ts.Do(t, "GET", "/api/v1/incidents/possible-duplicates?type=FIRE_VEHICLE&lat=41.8&lon=-87.7&agency=metro", deputy, nil), 403, dispatch.EFORBIDDEN, "metro")

	second := post(ann, "FIRE_STRUCTURE", lat+metresNorth(50), lon, nil)
	if len(second.PossibleDuplicates) != 1 {
		t.Fatalf("second call 50 m away: possible_duplicates = %+v, want %s alone", second.PossibleDuplicates, first.ID)
	}
	d := second.PossibleDuplicates[0]
	if d.Incident != first.ID || d.Type != "FIRE_STRUCTURE" || d.DistanceM < 48 || d.DistanceM > 52 || d.AgeSeconds <= 0 || d.AgeSeconds > 600 {
		t.Errorf("second call: possible duplicate = %+v, want %s about 50 m and under ten minutes old", d, first.ID)
	}
	if second.Status != dispatch.IncidentPending {
		t.Errorf("second call status = %s, want a new PENDING incident: a duplicate is never refused", second.Status)
	}

	// A compatible type (a burning car seen from the street) names both fires, nearest first.
	car := post(ann, "FIRE_VEHICLE", lat+metresNorth(20), lon, nil)
	if got, want := names(car.PossibleDuplicates), []string{first.ID, second.ID}; !slices.Equal(got, want) {
		t.Errorf("vehicle fire 20 m away: possible duplicates %v, want %v", got, want)
	}
	// An incompatible type names none.
	if theft := post(ann, "THEFT", lat, lon, nil); len(theft.PossibleDuplicates) != 0 {
		t.Errorf("theft at the same point: possible duplicates %+v, want none", theft.PossibleDuplicates)
	}
	// 300 m is beyond the default 150 m.
	if far := post(ann, "FIRE_STRUCTURE", lat-metresNorth(300), lon, nil); len(far.PossibleDuplicates) != 0 {
		t.Errorf("call 300 m away: possible duplicates %+v, want none", far.PossibleDuplicates)
	}
	// Received 20 minutes ago is beyond the default ten minutes.
	if near := post(ann, "FIRE_STRUCTURE", lat+metresNorth(1010), lon, nil); slices.Contains(names(near.PossibleDuplicates), old.ID) {
		t.Errorf("call 10 m from a 20-minute-old incident: possible duplicates %+v, want it not named", near.PossibleDuplicates)
	}

	// The agency widens its radius: the 300 m call now names the first.
	sup := ts.MustCreateUser(t, "sue", "metro", dispatch.RoleSupervisor)
	var ag dispatch.Agency
	MustJSON(t, "PUT timers", ts.Do(t, "PUT", "/api/v1/agencies/metro/timers", sup, map[string]any{
		"pending_alert_seconds": 60, "safety_check_seconds": 1200, "duplicate_radius_m": 400}), 200, &ag)
	if ag.Timers == nil || ag.Timers.DuplicateRadiusM != 400 {
		t.Errorf("PUT timers answered timers %+v, want a 400 m duplicate radius", ag.Timers)
	}
	if wide := post(ann, "FIRE_STRUCTURE", lat-metresNorth(300), lon, nil); !slices.Contains(names(wide.PossibleDuplicates), first.ID) {
		t.Errorf("call 300 m away with a 400 m radius: possible duplicates %+v, want %s", wide.PossibleDuplicates, first.ID)
	}
	CheckProblem(t, "PUT timers with a 2 m radius", ts.Do(t, "PUT", "/api/v1/agencies/metro/timers", sup, map[string]any{
		"pending_alert_seconds": 60, "safety_check_seconds": 1200, "duplicate_radius_m": 2}), 422, dispatch.EINVALID, "duplicate radius")
}

// TestAddCaller attaches a second call to an open incident: the incident
// lists the caller for its agency only, the log holds commitments of the
// caller's name, phone and words, and a closed incident takes no more calls.
func TestAddCaller(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: dispatch.Location{Text: "1 Main St"}})
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleCallTaker)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleCallTaker)
	const id = "metro-2026-000001"
	const path = "/api/v1/incidents/" + id + "/callers"

	before := ts.Engine.Log().Size()
	var in dispatch.Incident
	MustJSON(t, "POST "+path, ts.Do(t, "POST", path, ann, map[string]any{
		"caller": map[string]string{"name": "Dana Quill", "phone": "312-555-0148"}, "narrative": "flames at the back door"}), 200, &in)
	if len(in.Callers) != 1 {
		t.Fatalf("POST %s answered callers %+v, want one", path, in.Callers)
	}
	c := in.Callers[0]
	if c.N != 1 || c.Taker != "ann" || c.Caller.Name != "Dana Quill" || c.Caller.Phone != "312-555-0148" || c.Narrative != "flames at the back door" || c.Received.IsZero() || c.Time.IsZero() {
		t.Errorf("caller = %+v, want Dana Quill taken by ann", c)
	}
	var added int
	for _, e := range ts.Events(t, before) {
		if e.Type == dispatch.TypeIncidentCallerAdded {
			added++
			for _, f := range []string{dispatch.PrivateCallerName, dispatch.PrivateCallerPhone, dispatch.PrivateNarrative} {
				if e.Private[f] == "" {
					t.Errorf("incident.caller_added has no commitment of %s: %+v", f, e)
				}
			}
			if e.Subject["incident"] != id {
				t.Errorf("incident.caller_added subject = %v, want incident %s", e.Subject, id)
			}
		}
	}
	if added != 1 {
		t.Errorf("the log has %d incident.caller_added events, want 1", added)
	}
	raw, err := ts.Store.ReadEntries(t.Context(), before, ts.Engine.Log().Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, leaf := range raw {
		if bytes.Contains(leaf, []byte("Quill")) || bytes.Contains(leaf, []byte("0148")) || bytes.Contains(leaf, []byte("flames")) {
			t.Errorf("a log leaf holds the caller in clear: %s", leaf)
		}
	}

	CheckProblem(t, "POST caller of another agency", ts.Do(t, "POST", path, deputy, map[string]any{"caller": map[string]string{"name": "x"}}), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "POST caller with unknown member", ts.Do(t, "POST", path, ann, `{"caller":{},"who":"x"}`), 400, "bad_request", "unknown field")
	ts.MustExecute(t, dispatch.ClearIncident{Incident: id, Disposition: "unfounded"})
	CheckProblem(t, "POST caller to a closed incident", ts.Do(t, "POST", path, ann, map[string]any{"caller": map[string]string{"name": "Late"}}), 409, dispatch.ECONFLICT, "closed")
}
