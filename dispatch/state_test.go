package dispatch_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestApply(t *testing.T) {
	s := MustFixture(t)
	want := &dispatch.State{
		Agencies: map[string]*dispatch.Agency{
			"metro":   {ID: "metro", Name: "Metro PD", Kind: "municipal_police", Created: t0},
			"sheriff": {ID: "sheriff", Name: "County Sheriff", Kind: "sheriff", Created: t0},
		},
		Units: map[string]*dispatch.Unit{
			"metro.2b7": {ID: "metro.2b7", CallSign: "2B7", Agency: "metro", Kind: "patrol", Capabilities: []string{"k9"},
				Status: dispatch.StatusAvailable, StatusSince: t0, Created: t0},
		},
		Incidents: map[string]*dispatch.Incident{
			"metro-2026-000001": {ID: "metro-2026-000001", Agency: "metro", Type: "THEFT", Priority: 3,
				Location: dispatch.Location{Text: "1 Main St"}, Caller: dispatch.Caller{Name: "Old Caller"},
				Status: dispatch.IncidentPending, Units: []string{}, Notes: []dispatch.Note{}, Received: t0, Entered: t0},
		},
		Users: map[string]*dispatch.User{
			"root": {Username: "root", Agency: "", Roles: []string{dispatch.RoleAdmin}},
		},
	}
	// The unexported serial counters are compared through their effect.
	if !reflect.DeepEqual(s.Agencies, want.Agencies) {
		t.Errorf("Agencies = %+v, want %+v", s.Agencies, want.Agencies)
	}
	if !reflect.DeepEqual(s.Units, want.Units) {
		t.Errorf("Units = %+v, want %+v", s.Units["metro.2b7"], want.Units["metro.2b7"])
	}
	if !reflect.DeepEqual(s.Incidents, want.Incidents) {
		t.Errorf("Incidents = %+v, want %+v", s.Incidents["metro-2026-000001"], want.Incidents["metro-2026-000001"])
	}
	if !reflect.DeepEqual(s.Users, want.Users) {
		t.Errorf("Users = %+v, want %+v", s.Users["root"], want.Users["root"])
	}
}

func TestApplyPrivateFields(t *testing.T) {
	s := MustFixture(t)
	e := dispatch.Event{Time: now, Type: dispatch.TypeIncidentCreated, Agency: "sheriff", Actor: sherDisp,
		Subject: map[string]string{"incident": "sheriff-2026-000001"},
		Data:    &dispatch.IncidentCreated{ID: "sheriff-2026-000001", Type: "DOMESTIC", Priority: 1, Location: dispatch.Location{Text: "farm"}},
		Private: map[string]string{
			dispatch.PrivateCallerName: "Pat", dispatch.PrivateCallerPhone: "555", dispatch.PrivateNarrative: "shouting",
		}}
	if err := s.Apply(e); err != nil {
		t.Fatalf("Apply = %v", err)
	}
	in := s.Incidents["sheriff-2026-000001"]
	if in == nil {
		t.Fatal("Apply(incident.created): incident missing from state")
	}
	if got, want := in.Caller, (dispatch.Caller{Name: "Pat", Phone: "555"}); got != want {
		t.Errorf("Caller = %+v, want %+v", got, want)
	}
	if in.Narrative != "shouting" {
		t.Errorf("Narrative = %q, want %q", in.Narrative, "shouting")
	}
	if in.Units == nil || len(in.Units) != 0 {
		t.Errorf("Units = %#v, want an empty, non-nil list", in.Units)
	}
}

// TestApplyCopies checks that the state keeps no slice of the event: changing
// the event afterwards does not change the state.
func TestApplyCopies(t *testing.T) {
	s := dispatch.NewState()
	caps := []string{"k9", "swat"}
	roles := []string{dispatch.RoleOfficer}
	for _, e := range []dispatch.Event{
		{Time: now, Type: dispatch.TypeUnitCreated, Agency: "metro", Data: &dispatch.UnitCreated{ID: "metro-1", CallSign: "1", Kind: "patrol", Capabilities: caps}},
		{Time: now, Type: dispatch.TypeUserCreated, Agency: "metro", Data: &dispatch.UserCreated{Username: "ann", Roles: roles}},
	} {
		if err := s.Apply(e); err != nil {
			t.Fatalf("Apply(%s) = %v", e.Type, err)
		}
	}
	caps[0], roles[0] = "changed", "changed"
	if got := s.Units["metro-1"].Capabilities; !slices.Equal(got, []string{"k9", "swat"}) {
		t.Errorf("unit capabilities = %v after the event changed, want [k9 swat]", got)
	}
	if got := s.Users["ann"].Roles; !slices.Equal(got, []string{dispatch.RoleOfficer}) {
		t.Errorf("user roles = %v after the event changed, want [officer]", got)
	}
}

func TestApplyRejects(t *testing.T) {
	evs := fixtureEvents()
	for _, tc := range []struct {
		name string
		e    dispatch.Event
		want string
	}{
		{"ErrDuplicateAgency", evs[0], `agency "metro" created twice`},
		{"ErrDuplicateUnit", evs[2], `unit "metro.2b7" created twice`},
		{"ErrDuplicateIncident", evs[3], `incident "metro-2026-000001" created twice`},
		{"ErrDuplicateUser", evs[4], `user "root" created twice`},
		{"ErrPayloadByValue", dispatch.Event{Type: dispatch.TypeAgencyCreated, Data: dispatch.AgencyCreated{ID: "x"}}, "unknown payload"},
		{"ErrPayloadNil", dispatch.Event{Type: "unit.exploded"}, "unknown payload"},
		{"ErrPayloadForeign", dispatch.Event{Type: "x", Data: &dispatch.Agency{ID: "x"}}, "unknown payload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, before := MustFixture(t), MustFixture(t)
			err := s.Apply(tc.e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Apply(%s) = %v, want an error containing %q", tc.e.Type, err, tc.want)
			}
			if !reflect.DeepEqual(s, before) {
				t.Errorf("Apply(%s) changed the state though it failed", tc.e.Type)
			}
		})
	}
}

// TestApplyDuplicateKeepsSerial checks that a refused duplicate incident does
// not advance the agency's incident counter: the next id is still the next.
func TestApplyDuplicateKeepsSerial(t *testing.T) {
	s := MustFixture(t)
	if err := s.Apply(fixtureEvents()[3]); err == nil {
		t.Fatal("Apply(duplicate incident) = nil, want an error")
	}
	evs, err := dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "x"}}.Decide(s, system, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := evs[0].Subject["incident"], "metro-2026-000002"; got != want {
		t.Errorf("next incident after a refused duplicate = %s, want %s", got, want)
	}
}

func TestLists(t *testing.T) {
	s := dispatch.NewState()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	for _, e := range []dispatch.Event{
		{Time: at(0), Agency: "zulu", Data: &dispatch.AgencyCreated{ID: "zulu", Name: "Z", Kind: "federal"}},
		{Time: at(0), Agency: "alpha", Data: &dispatch.AgencyCreated{ID: "alpha", Name: "A", Kind: "federal"}},
		{Time: at(0), Agency: "mike", Data: &dispatch.AgencyCreated{ID: "mike", Name: "M", Kind: "federal"}},
		{Time: at(1), Agency: "zulu", Data: &dispatch.UnitCreated{ID: "zulu-9"}},
		{Time: at(1), Agency: "alpha", Data: &dispatch.UnitCreated{ID: "alpha-2"}},
		{Time: at(1), Agency: "alpha", Data: &dispatch.UnitCreated{ID: "alpha-1"}},
		{Time: at(5), Agency: "alpha", Data: &dispatch.IncidentCreated{ID: "alpha-2026-000001"}},
		{Time: at(7), Agency: "zulu", Data: &dispatch.IncidentCreated{ID: "zulu-2026-000001"}},
		{Time: at(7), Agency: "alpha", Data: &dispatch.IncidentCreated{ID: "alpha-2026-000002"}},
		{Time: at(6), Agency: "alpha", Data: &dispatch.IncidentCreated{ID: "alpha-2026-000003"}},
	} {
		if err := s.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	al := s.AgencyList()
	ul, ua := s.UnitList(""), s.UnitList("alpha")
	il, ia, in := s.IncidentList(""), s.IncidentList("alpha"), s.IncidentList("nowhere")
	for _, tc := range []struct {
		call      string
		got, want []string
	}{
		{"AgencyList()", ids(len(al), func(i int) string { return al[i].ID }), []string{"alpha", "mike", "zulu"}},
		{"UnitList(\"\")", ids(len(ul), func(i int) string { return ul[i].ID }), []string{"alpha-1", "alpha-2", "zulu-9"}},
		{"UnitList(alpha)", ids(len(ua), func(i int) string { return ua[i].ID }), []string{"alpha-1", "alpha-2"}},
		// Newest first; at equal times, the larger id first.
		{"IncidentList(\"\")", ids(len(il), func(i int) string { return il[i].ID }),
			[]string{"zulu-2026-000001", "alpha-2026-000002", "alpha-2026-000003", "alpha-2026-000001"}},
		{"IncidentList(alpha)", ids(len(ia), func(i int) string { return ia[i].ID }),
			[]string{"alpha-2026-000002", "alpha-2026-000003", "alpha-2026-000001"}},
		{"IncidentList(nowhere)", ids(len(in), func(i int) string { return in[i].ID }), []string{}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.call, tc.got, tc.want)
		}
	}
}

func TestDecodeData(t *testing.T) {
	for _, tc := range []struct {
		typ  string
		data string
		want any
	}{
		{dispatch.TypeAgencyCreated, `{"id":"metro","name":"Metro PD","kind":"municipal_police"}`,
			&dispatch.AgencyCreated{ID: "metro", Name: "Metro PD", Kind: "municipal_police"}},
		{dispatch.TypeUnitCreated, `{"id":"metro.1a12","call_sign":"1A12","kind":"patrol","capabilities":["k9"]}`,
			&dispatch.UnitCreated{ID: "metro.1a12", CallSign: "1A12", Kind: "patrol", Capabilities: []string{"k9"}}},
		{dispatch.TypeIncidentCreated, `{"id":"metro-2026-000001","type":"THEFT","priority":3,"location":{"text":"x","lat":1.5,"lon":-2}}`,
			&dispatch.IncidentCreated{ID: "metro-2026-000001", Type: "THEFT", Priority: 3, Location: dispatch.Location{Text: "x", Lat: ptr(1.5), Lon: ptr(-2.0)}}},
		{dispatch.TypeUserCreated, `{"username":"ann","roles":["dispatcher"]}`,
			&dispatch.UserCreated{Username: "ann", Roles: []string{"dispatcher"}}},
		{dispatch.TypeUnitStatusChanged, `{"unit":"metro.1a12","status":"ON_SCENE","previous":"EN_ROUTE","incident":"metro-2026-000001"}`,
			&dispatch.UnitStatusChanged{Unit: "metro.1a12", Status: "ON_SCENE", Previous: "EN_ROUTE", Incident: "metro-2026-000001"}},
		{dispatch.TypeUnitStatusChanged, `{"unit":"metro.1a12","status":"BUSY","previous":"AVAILABLE"}`,
			&dispatch.UnitStatusChanged{Unit: "metro.1a12", Status: "BUSY", Previous: "AVAILABLE"}},
		{dispatch.TypeIncidentDispatched, `{"incident":"metro-2026-000001","units":["metro.1a12","metro.2b7"]}`,
			&dispatch.IncidentDispatched{Incident: "metro-2026-000001", Units: []string{"metro.1a12", "metro.2b7"}}},
		{dispatch.TypeIncidentCleared, `{"incident":"metro-2026-000001","disposition":"report taken"}`,
			&dispatch.IncidentCleared{Incident: "metro-2026-000001", Disposition: "report taken"}},
	} {
		got, err := dispatch.DecodeData(tc.typ, json.RawMessage(tc.data))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DecodeData(%s, %s) = %+v, %v, want %+v", tc.typ, tc.data, got, err, tc.want)
		}
		// Encoding the payload and decoding it again gives it back.
		b, err := json.Marshal(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := dispatch.DecodeData(tc.typ, b); err != nil || !reflect.DeepEqual(again, tc.want) {
			t.Errorf("DecodeData(%s, %s) = %+v, %v, want %+v", tc.typ, b, again, err, tc.want)
		}
	}
	for _, tc := range []struct{ typ, data, want string }{
		{"unit.exploded", `{}`, `unknown event type "unit.exploded"`},
		{dispatch.TypeAgencyCreated, `{"id":`, "agency.created payload"},
		{dispatch.TypeUnitCreated, `{"capabilities":"k9"}`, "unit.created payload"},
		{dispatch.TypeIncidentCreated, `[]`, "incident.created payload"},
	} {
		if got, err := dispatch.DecodeData(tc.typ, json.RawMessage(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeData(%s, %s) = %+v, %v, want an error containing %q", tc.typ, tc.data, got, err, tc.want)
		}
	}
}

func TestActorIsSystem(t *testing.T) {
	for _, tc := range []struct {
		a    dispatch.Actor
		want bool
	}{
		{dispatch.Actor{System: "timer"}, true},
		{root, false},
		{metroDisp, false},
		{dispatch.Actor{}, false},
	} {
		if got := tc.a.IsSystem(); got != tc.want {
			t.Errorf("%+v.IsSystem() = %v, want %v", tc.a, got, tc.want)
		}
	}
}
