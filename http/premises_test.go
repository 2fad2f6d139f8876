package http_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestPremiseHazards follows a premise record from entry to the units it
// protects: an incident at the address carries its flags at call entry, in
// the incident, in the recommendation and in the assigned officer's view;
// another agency sees neither the record nor its text; the log holds the
// text only as a commitment; expired and removed flags vanish.
func TestPremiseHazards(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A1", Agency: "metro", Kind: "patrol"})
	taker := ts.MustCreateUser(t, "cal", "metro", dispatch.RoleCallTaker)
	disp := ts.MustCreateUser(t, "dana", "metro", dispatch.RoleDispatcher)
	officer := ts.MustCreateUser(t, "otto", "metro", dispatch.RoleOfficer)
	sheriff := ts.MustCreateUser(t, "sam", "sheriff", dispatch.RoleDispatcher)

	// Entered by a call-taker: a rifle for a day, a dog for 20 seconds of
	// the test clock (which moves a second at each reading).
	from := ts.Engine.Log().Size()
	now := ts.Engine.Now()
	r := ts.Do(t, "POST", "/api/v1/premises", taker, map[string]any{
		"location": map[string]string{"text": "3900 s kedzie ave"},
		"flags": []map[string]any{
			{"kind": "weapons", "text": "rifle in the hall closet", "source": "prior call", "expires": now.Add(24 * time.Hour)},
			{"kind": "dog", "text": "pit bull in the yard, bites", "expires": now.Add(20 * time.Second)},
		},
	})
	var p dispatch.Premise
	MustJSON(t, "POST /api/v1/premises", r, 201, &p)
	checkCreated(t, ts, "POST /api/v1/premises", r, "/api/v1/premises/"+p.ID)
	if p.Location.Text != "3900 S Kedzie Ave" || p.Location.Lat == nil || p.RadiusM != dispatch.DefaultPremiseRadiusM ||
		len(p.Flags) != 2 || p.Flags[0].Text != "rifle in the hall closet" || p.EnteredBy.User != "cal" || p.Status != dispatch.PremiseInForce {
		t.Fatalf("POST /api/v1/premises = %+v, want the record at 3900 S Kedzie Ave, 50 m, two flags, entered by cal", p)
	}
	// The log holds the text as a commitment only.
	var recorded bool
	for _, en := range ts.Events(t, from) {
		if en.Type != dispatch.TypePremiseRecorded {
			continue
		}
		recorded = true
		if strings.Contains(string(en.Data), "rifle") || en.Private[dispatch.PremiseFlagField(0)] == "" || en.Private[dispatch.PremiseFlagField(1)] == "" {
			t.Errorf("premise.recorded = data %s, private %v; want the texts as commitments only", en.Data, en.Private)
		}
	}
	if !recorded {
		t.Fatal("no premise.recorded in the log")
	}
	// A place the map does not know has no point: refused.
	mustProblem(t, "POST /api/v1/premises (unknown place)", ts.Do(t, "POST", "/api/v1/premises", taker, map[string]any{
		"location": map[string]string{"text": "behind the old mill"},
		"flags":    []map[string]any{{"kind": "dog", "text": "dog", "expires": now.Add(time.Hour)}},
	}), 422, "map does not know")
	mustProblem(t, "POST /api/v1/premises (bad kind)", ts.Do(t, "POST", "/api/v1/premises", taker, map[string]any{
		"location": map[string]any{"lat": 41.82, "lon": -87.70},
		"flags":    []map[string]any{{"kind": "bees", "text": "hive", "expires": now.Add(time.Hour)}},
	}), 422, "is not one of")

	// Officers of metro read it; the sheriff does not even learn it exists.
	MustJSON(t, "GET /api/v1/premises/{id} (officer)", ts.Do(t, "GET", "/api/v1/premises/"+p.ID, officer, nil), 200, &p)
	if p.Flags[1].Text != "pit bull in the yard, bites" {
		t.Errorf("officer's premise = %+v, want the texts", p)
	}
	mustProblem(t, "GET /api/v1/premises/{id} (sheriff)", ts.Do(t, "GET", "/api/v1/premises/"+p.ID, sheriff, nil), 404, "does not exist")
	var list struct{ Premises []dispatch.Premise }
	MustJSON(t, "GET /api/v1/premises (sheriff)", ts.Do(t, "GET", "/api/v1/premises", sheriff, nil), 200, &list)
	if len(list.Premises) != 0 {
		t.Errorf("sheriff's premise list = %+v, want none", list.Premises)
	}

	// Call entry: the creation answer carries the hazards, nearest first.
	r = ts.Do(t, "POST", "/api/v1/incidents", taker, map[string]any{"type": "DOMESTIC", "location": map[string]string{"text": "3900 S Kedzie Ave"}})
	var in dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents", r, 201, &in)
	kinds := func(hz []dispatch.Hazard) string {
		var k []string
		for _, h := range hz {
			k = append(k, h.Kind+":"+h.Text)
		}
		return strings.Join(k, ",")
	}
	const both = "dog:pit bull in the yard, bites,weapons:rifle in the hall closet"
	if got := kinds(in.Hazards); got != both {
		t.Errorf("POST /api/v1/incidents hazards = %q, want %q", got, both)
	}
	if len(in.Hazards) > 0 && (in.Hazards[0].Premise != p.ID || in.Hazards[1].Source != "prior call") {
		t.Errorf("hazards = %+v, want them of %s with their source", in.Hazards, p.ID)
	}
	// The recommendation carries them.
	var rec struct{ Hazards []dispatch.Hazard }
	path := "/api/v1/incidents/" + in.ID + "/recommendations"
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, disp, nil), 200, &rec)
	if got := kinds(rec.Hazards); got != both {
		t.Errorf("GET %s hazards = %q, want %q", path, got, both)
	}
	// The assigned unit's view: the officer reads the unit's incident.
	r = ts.Do(t, "POST", "/api/v1/incidents/"+in.ID+"/dispatch", disp, map[string]any{"units": []string{"metro.1a1"}})
	if r.Status != 200 {
		t.Fatalf("POST dispatch = %d %s", r.Status, r.Body)
	}
	var units struct{ Units []dispatch.Unit }
	MustJSON(t, "GET /api/v1/units (officer)", ts.Do(t, "GET", "/api/v1/units", officer, nil), 200, &units)
	if len(units.Units) != 1 || units.Units[0].Incident != in.ID {
		t.Fatalf("officer's units = %+v, want metro.1a1 on %s", units.Units, in.ID)
	}
	var view dispatch.Incident
	before := ts.Engine.Log().Size()
	MustJSON(t, "GET /api/v1/incidents/{id} (officer)", ts.Do(t, "GET", "/api/v1/incidents/"+in.ID, officer, nil), 200, &view)
	if got := kinds(view.Hazards); got != both {
		t.Errorf("officer's incident hazards = %q, want %q", got, both)
	}
	// Reading the texts is accounted for, as any private field's.
	accounted := false
	for _, en := range ts.Events(t, before) {
		if en.Type == dispatch.TypePrivateRead && en.Subject["user"] == "otto" && strings.Contains(string(en.Data), dispatch.PrivateFlagText) {
			accounted = true
		}
	}
	if !accounted {
		t.Errorf("no private.read of %s by otto after he read the incident's hazards", dispatch.PrivateFlagText)
	}
	// Another agency sees neither the incident nor its hazards.
	r = ts.Do(t, "GET", "/api/v1/incidents/"+in.ID, sheriff, nil)
	if r.Status != 404 || strings.Contains(string(r.Body), "rifle") {
		t.Errorf("GET incident (sheriff) = %d %s, want 404 without the hazards", r.Status, r.Body)
	}

	// The dog's flag expires: it vanishes; the rifle stays.
	for ts.Engine.Now().Before(now.Add(21 * time.Second)) {
	}
	MustJSON(t, "GET /api/v1/incidents/{id} (after expiry)", ts.Do(t, "GET", "/api/v1/incidents/"+in.ID, officer, nil), 200, &view)
	if got := kinds(view.Hazards); got != "weapons:rifle in the hall closet" {
		t.Errorf("hazards after the dog's expiry = %q, want the rifle alone", got)
	}

	// Priors: another call at the address and one 1.6 km away.
	r = ts.Do(t, "POST", "/api/v1/incidents", taker, map[string]any{"type": "NOISE", "location": map[string]string{"text": "3900 S Kedzie Ave"}})
	var second dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents (second)", r, 201, &second)
	r = ts.Do(t, "POST", "/api/v1/incidents", taker, map[string]any{"type": "NOISE", "location": map[string]string{"text": "4700 S Kedzie Ave"}})
	if r.Status != 201 {
		t.Fatalf("POST /api/v1/incidents (far) = %d %s", r.Status, r.Body)
	}
	var pr struct {
		RadiusM float64          `json:"radius_m"`
		Days    int              `json:"days"`
		Priors  []dispatch.Prior `json:"priors"`
	}
	path = "/api/v1/incidents/" + second.ID + "/priors"
	MustJSON(t, "GET "+path, ts.Do(t, "GET", path, officer, nil), 200, &pr)
	if pr.RadiusM != 100 || pr.Days != 365 || len(pr.Priors) != 1 || pr.Priors[0].Incident != in.ID || pr.Priors[0].DistanceM > 1 {
		t.Errorf("GET %s = %+v, want %s alone, within 100 m and 365 days", path, pr, in.ID)
	}
	MustJSON(t, "GET "+path+"?radius_m=2000", ts.Do(t, "GET", path+"?radius_m=2000", officer, nil), 200, &pr)
	if len(pr.Priors) != 2 {
		t.Errorf("GET %s?radius_m=2000 = %+v, want both other incidents", path, pr.Priors)
	}
	mustProblem(t, "GET priors?radius_m=5000", ts.Do(t, "GET", path+"?radius_m=5000", officer, nil), 422, "radius_m")
	mustProblem(t, "GET priors?days=0", ts.Do(t, "GET", path+"?days=0", officer, nil), 422, "days")
	mustProblem(t, "GET priors (sheriff)", ts.Do(t, "GET", path, sheriff, nil), 404, "does not exist")

	// Removal, with a reason: the record stays, its flags vanish.
	mustProblem(t, "POST remove (no reason)", ts.Do(t, "POST", "/api/v1/premises/"+p.ID+"/remove", disp, map[string]string{}), 422, "reason")
	r = ts.Do(t, "POST", "/api/v1/premises/"+p.ID+"/remove", disp, map[string]string{"reason": "rifles surrendered"})
	MustJSON(t, "POST /api/v1/premises/{id}/remove", r, 200, &p)
	if p.Status != dispatch.PremiseRemoved || p.RemovedBy == nil || p.RemovedBy.User != "dana" || p.RemoveReason != "rifles surrendered" {
		t.Errorf("removed premise = %+v", p)
	}
	view = dispatch.Incident{} // an incident with no hazards leaves the field out
	MustJSON(t, "GET /api/v1/incidents/{id} (after removal)", ts.Do(t, "GET", "/api/v1/incidents/"+in.ID, officer, nil), 200, &view)
	if len(view.Hazards) != 0 {
		t.Errorf("hazards after removal = %+v, want none", view.Hazards)
	}
}

// TestUnverifiedLocations checks the queue of locations kept as typed and
// their fix, recorded as an event, and the place names of the gazetteer.
func TestUnverifiedLocations(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	taker := ts.MustCreateUser(t, "cal", "metro", dispatch.RoleCallTaker)
	sup := ts.MustCreateUser(t, "sue", "metro", dispatch.RoleSupervisor)
	sheriffSup := ts.MustCreateUser(t, "sam", "sheriff", dispatch.RoleSupervisor)

	// A place name resolves: verified, at Midway.
	var placed dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents (Midway)", ts.Do(t, "POST", "/api/v1/incidents", taker,
		map[string]any{"type": "THEFT", "location": map[string]string{"text": "midway"}}), 201, &placed)
	if !placed.Location.Verified || placed.Location.Text != "Midway Airport" {
		t.Errorf("incident at %q = %+v, want Midway Airport, verified", "midway", placed.Location)
	}
	// Kept as typed: unverified, queued.
	var kept, other dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents (as typed)", ts.Do(t, "POST", "/api/v1/incidents", taker,
		map[string]any{"type": "THEFT", "location": map[string]string{"text": "behind the old mill"}}), 201, &kept)
	MustJSON(t, "POST /api/v1/incidents (as typed, 2)", ts.Do(t, "POST", "/api/v1/incidents", taker,
		map[string]any{"type": "NOISE", "location": map[string]string{"text": "the blue house by the tracks"}}), 201, &other)
	var q struct{ Incidents []dispatch.Incident }
	MustJSON(t, "GET /api/v1/locations/unverified", ts.Do(t, "GET", "/api/v1/locations/unverified", sup, nil), 200, &q)
	if len(q.Incidents) != 2 || q.Incidents[0].ID != kept.ID || q.Incidents[1].ID != other.ID {
		t.Fatalf("queue = %+v, want %s then %s", q.Incidents, kept.ID, other.ID)
	}
	MustJSON(t, "GET /api/v1/locations/unverified (sheriff)", ts.Do(t, "GET", "/api/v1/locations/unverified", sheriffSup, nil), 200, &q)
	if len(q.Incidents) != 0 {
		t.Errorf("sheriff's queue = %+v, want none", q.Incidents)
	}

	path := "/api/v1/locations/unverified/" + kept.ID + "/fix"
	mustProblem(t, "POST fix (sheriff)", ts.Do(t, "POST", path, sheriffSup, map[string]string{"text": "Midway"}), 404, "does not exist")
	mustProblem(t, "POST fix (unknown)", ts.Do(t, "POST", path, sup, map[string]string{"text": "still not a place"}), 422, "map does not know")
	mustProblem(t, "POST fix (half a point)", ts.Do(t, "POST", path, sup, map[string]any{"lat": 41.8}), 422, "both lat and lon")
	from := ts.Engine.Log().Size()
	var fixed dispatch.Incident
	MustJSON(t, "POST "+path, ts.Do(t, "POST", path, sup, map[string]string{"text": "Cook County Jail"}), 200, &fixed)
	if !fixed.Location.Verified || fixed.Location.Text != "Cook County Jail" || fixed.Location.Lat == nil || fixed.Location.District == "" {
		t.Errorf("fixed location = %+v, want Cook County Jail, verified, with a district", fixed.Location)
	}
	var ev *dispatch.IncidentLocationFixed
	for _, en := range ts.Events(t, from) {
		if en.Type == dispatch.TypeIncidentLocationFixed {
			d, err := dispatch.DecodeData(en.Type, en.Data)
			if err != nil {
				t.Fatal(err)
			}
			ev = d.(*dispatch.IncidentLocationFixed)
			if en.Actor.User != "sue" {
				t.Errorf("incident.location_fixed actor = %+v, want sue", en.Actor)
			}
		}
	}
	if ev == nil || ev.Previous.Text != "behind the old mill" || ev.Location.Text != "Cook County Jail" {
		t.Errorf("incident.location_fixed = %+v, want the typed text kept beside the fix", ev)
	}
	mustProblem(t, "POST fix (again)", ts.Do(t, "POST", path, sup, map[string]string{"text": "Midway"}), 409, "already has a place")
	// A point from the map keeps the typed text.
	path = "/api/v1/locations/unverified/" + other.ID + "/fix"
	MustJSON(t, "POST "+path, ts.Do(t, "POST", path, sup, map[string]any{"lat": 41.8236, "lon": -87.7052}), 200, &fixed)
	if !fixed.Location.Verified || fixed.Location.Text != "the blue house by the tracks" || fixed.Location.Lat == nil {
		t.Errorf("fixed location = %+v, want the typed text at the point, verified", fixed.Location)
	}
	MustJSON(t, "GET /api/v1/locations/unverified (after)", ts.Do(t, "GET", "/api/v1/locations/unverified", sup, nil), 200, &q)
	if len(q.Incidents) != 0 {
		t.Errorf("queue after the fixes = %+v, want none", q.Incidents)
	}
}
