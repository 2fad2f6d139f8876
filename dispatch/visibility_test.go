package dispatch_test

import (
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// The actors of the visibility tables: a user of metro (the records'
// agency), one of county (another agency), an installation administrator,
// an agency administrator of county, a user of no agency, and tenfour
// itself.
var (
	metroUser   = dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}
	countyUser  = dispatch.Actor{User: "cal", Agency: "county", Role: dispatch.RoleDispatcher}
	installAdm  = dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}
	countyAdmin = dispatch.Actor{User: "cat", Agency: "county", Role: dispatch.RoleAdmin}
	noAgency    = dispatch.Actor{User: "nobody", Role: dispatch.RoleAuditor}
	sysActor    = dispatch.Actor{System: "test"}
)

func TestActorSees(t *testing.T) {
	for _, tc := range []struct {
		name   string
		actor  dispatch.Actor
		agency string
		want   bool
	}{
		{"OwnAgency", metroUser, "metro", true},
		{"OtherAgency", countyUser, "metro", false},
		{"InstallationAdmin", installAdm, "metro", true},
		{"AgencyAdminOfOther", countyAdmin, "metro", false},
		{"AgencyAdminOwn", countyAdmin, "county", true},
		{"NoAgency", noAgency, "metro", false},
		{"NoAgencyEmpty", noAgency, "", false},
		{"System", sysActor, "metro", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.actor.Sees(tc.agency); got != tc.want {
				t.Errorf("%+v.Sees(%q) = %v, want %v", tc.actor, tc.agency, got, tc.want)
			}
			// The list an actor's reads start from covers what it sees.
			if l := tc.actor.ListAgency(); tc.want && l != "" && l != tc.agency {
				t.Errorf("%+v.ListAgency() = %q, which leaves out %s that it sees", tc.actor, l, tc.agency)
			}
		})
	}
}

func TestVisibleIncident(t *testing.T) {
	s := dispatch.NewState()
	lat, lon := 41.8, -87.7
	in := &dispatch.Incident{
		ID: "metro-1", Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "1 Main St", Lat: &lat, Lon: &lon},
		Caller: dispatch.Caller{Name: "Jo Caller", Phone: "555"}, Narrative: "secret",
		Notes:   []dispatch.Note{{Text: "note text"}},
		Callers: []dispatch.CallRecord{{Caller: dispatch.Caller{Name: "Second"}, Narrative: "more"}},
		Links:   []dispatch.Link{{Incident: "metro-2", Agency: "metro"}, {Incident: "county-9", Agency: "county"}},
	}
	for _, tc := range []struct {
		name      string
		actor     dispatch.Actor
		visible   bool
		wantLinks int
	}{
		{"OwnAgency", metroUser, true, 1},
		{"OtherAgency", countyUser, false, 0},
		{"InstallationAdmin", installAdm, true, 2},
		{"NoAgency", noAgency, false, 0},
		{"System", sysActor, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := dispatch.VisibleIncident(s, in, tc.actor, now)
			if ok != tc.visible {
				t.Fatalf("VisibleIncident(%s) visible = %v, want %v", tc.actor.User, ok, tc.visible)
			}
			if !ok {
				if got.ID != "" || got.Caller.Name != "" {
					t.Errorf("VisibleIncident(%s) = %+v for an invisible incident, want nothing", tc.actor.User, got)
				}
				return
			}
			if got.Caller.Name != "Jo Caller" || got.Narrative != "secret" || got.Notes[0].Text != "note text" {
				t.Errorf("VisibleIncident(%s) hides private fields from its reader: %+v", tc.actor.User, got)
			}
			if len(got.Links) != tc.wantLinks {
				t.Errorf("VisibleIncident(%s).Links = %v, want %d", tc.actor.User, got.Links, tc.wantLinks)
			}
			got.Notes[0].Text = "changed"
			if in.Notes[0].Text != "note text" {
				t.Error("VisibleIncident shares its notes with the state")
			}
		})
	}
	// Redaction, for whoever reads an incident of an agency it does not
	// see (a bundle's or a federation's reader): no caller, no narrative,
	// no note text.
	red := dispatch.RedactIncident(in, countyUser)
	if red.Caller != (dispatch.Caller{}) || red.Narrative != "" || red.Notes[0].Text != "" || red.Callers[0].Caller.Name != "" || red.Callers[0].Narrative != "" {
		t.Errorf("RedactIncident(county) = %+v, want the private fields empty", red)
	}
	if len(red.Links) != 1 || red.Links[0].Agency != "county" {
		t.Errorf("RedactIncident(county).Links = %v, want only county's", red.Links)
	}
	if in.Caller.Name != "Jo Caller" {
		t.Error("RedactIncident changed the state's incident")
	}
}

func TestVisibleRequest(t *testing.T) {
	rq := &dispatch.AssistRequest{ID: "federal-A-2026-000001", From: "federal", To: "metro", Nature: "boxed in",
		Asked: []dispatch.AskedAgency{{Agency: "metro"}, {Agency: "county"}}}
	state := dispatch.Actor{User: "sam", Agency: "state", Role: dispatch.RoleDispatcher}
	for _, tc := range []struct {
		name  string
		actor dispatch.Actor
		want  bool
	}{
		{"Requester", dispatch.Actor{User: "fed", Agency: "federal", Role: dispatch.RoleOfficer}, true},
		{"AskedAgency", metroUser, true},
		{"EscalatedTo", countyUser, true},
		{"NotConcerned", state, false},
		{"InstallationAdmin", installAdm, true},
		{"NoAgency", noAgency, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := dispatch.VisibleRequest(rq, tc.actor)
			if ok != tc.want {
				t.Fatalf("VisibleRequest(%s) = %v, want %v", tc.actor.User, ok, tc.want)
			}
			if ok && (got.Nature != "boxed in" || len(got.Asked) != 2) {
				t.Errorf("VisibleRequest(%s) = %+v, want the whole request", tc.actor.User, got)
			}
		})
	}
}

func TestVisibleMessage(t *testing.T) {
	m := &dispatch.Message{ID: "m1", Agency: "metro", From: dispatch.Who{User: "ann"}, FromUnit: "metro.1a",
		Recipients: []string{"unit:metro.2b", "user:bob", "dispatch:metro"}, Text: "hello"}
	for _, tc := range []struct {
		name  string
		actor dispatch.Actor
		unit  string
		want  bool
	}{
		{"Sender", metroUser, "", true},
		{"SentAsUnit", dispatch.Actor{User: "olly", Agency: "metro", Role: dispatch.RoleOfficer}, "metro.1a", true},
		{"AddresseeUser", dispatch.Actor{User: "bob", Agency: "metro", Role: dispatch.RoleOfficer}, "", true},
		{"AddresseeUnit", dispatch.Actor{User: "olly", Agency: "metro", Role: dispatch.RoleOfficer}, "metro.2b", true},
		{"DispatchDesk", dispatch.Actor{User: "dee", Agency: "metro", Role: dispatch.RoleSupervisor}, "", true},
		{"OtherOfficer", dispatch.Actor{User: "olly", Agency: "metro", Role: dispatch.RoleOfficer}, "", false},
		{"OtherAgency", countyUser, "", false},
		{"OtherAgencyNamedBob", dispatch.Actor{User: "bob", Agency: "county", Role: dispatch.RoleOfficer}, "", false},
		{"InstallationAdmin", installAdm, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := dispatch.VisibleMessage(m, tc.actor, tc.unit)
			if ok != tc.want {
				t.Fatalf("VisibleMessage(%s as %q) = %v, want %v", tc.actor.User, tc.unit, ok, tc.want)
			}
			if ok && got.Text != "hello" {
				t.Errorf("VisibleMessage(%s).Text = %q, want hello", tc.actor.User, got.Text)
			}
		})
	}
}

// The records seen by agency scope alone: units, premises, directives,
// BOLOs, users, plans and run cards.
func TestVisibleByAgency(t *testing.T) {
	plan := &dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{{Agencies: []string{"county"}}}}
	ag := &dispatch.Agency{ID: "metro", Name: "Metro PD", Plan: plan, RunCards: &dispatch.RunCards{TimeZone: "UTC"}}
	checks := map[string]func(dispatch.Actor) bool{
		"Unit": func(a dispatch.Actor) bool {
			_, ok := dispatch.VisibleUnit(&dispatch.Unit{ID: "metro.1a", Agency: "metro"}, a)
			return ok
		},
		"Premise": func(a dispatch.Actor) bool {
			_, ok := dispatch.VisiblePremise(&dispatch.Premise{ID: "p1", Agency: "metro", Flags: []dispatch.PremiseFlag{{Text: "dog"}}}, a)
			return ok
		},
		"Directive": func(a dispatch.Actor) bool {
			_, ok := dispatch.VisibleDirective(&dispatch.Directive{ID: "d1", Agency: "metro", Reason: "hold"}, a)
			return ok
		},
		"BOLO": func(a dispatch.Actor) bool {
			_, ok := dispatch.VisibleBOLO(&dispatch.BOLO{ID: "b1", Agency: "metro", Plate: "ABC"}, a)
			return ok
		},
		"User": func(a dispatch.Actor) bool {
			_, ok := dispatch.VisibleUser(&dispatch.User{Username: "ann", Agency: "metro"}, a)
			return ok
		},
		"Plan": func(a dispatch.Actor) bool {
			_, ok := dispatch.VisiblePlan(ag, a)
			return ok
		},
		"RunCards": func(a dispatch.Actor) bool {
			_, ok := dispatch.VisibleRunCards(ag, a)
			return ok
		},
	}
	for kind, sees := range checks {
		for _, tc := range []struct {
			name  string
			actor dispatch.Actor
			want  bool
		}{
			{"OwnAgency", metroUser, true},
			{"OtherAgency", countyUser, false},
			{"OtherAgencyAdmin", countyAdmin, false},
			{"InstallationAdmin", installAdm, true},
			{"NoAgency", noAgency, false},
			{"System", sysActor, true},
		} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				if got := sees(tc.actor); got != tc.want {
					t.Errorf("Visible%s(%s) = %v, want %v", kind, tc.actor.User, got, tc.want)
				}
			})
		}
	}
	// Every actor sees every agency, without its run cards, and a copy.
	for _, a := range []dispatch.Actor{metroUser, countyUser, noAgency} {
		got, ok := dispatch.VisibleAgency(ag, a)
		if !ok || got.Name != "Metro PD" || got.RunCards != nil {
			t.Errorf("VisibleAgency(%s) = %+v, %v, want Metro PD without run cards", a.User, got, ok)
		}
		got.Plan.Levels[0].Agencies[0] = "changed"
		if plan.Levels[0].Agencies[0] != "county" {
			t.Fatal("VisibleAgency shares its plan with the state")
		}
	}
}

func TestStreamVisible(t *testing.T) {
	s := dispatch.NewState()
	s.Messages = map[string]*dispatch.Message{"m1": {ID: "m1", Agency: "metro", From: dispatch.Who{User: "ann"}, Recipients: []string{"user:bob"}}}
	bob := dispatch.Actor{User: "bob", Agency: "metro", Role: dispatch.RoleOfficer}
	olly := dispatch.Actor{User: "olly", Agency: "metro", Role: dispatch.RoleOfficer}
	incident := dispatch.Envelope{Type: dispatch.TypeIncidentCreated, Agency: "metro"}
	assist := dispatch.Envelope{Type: "assist.requested", Agency: "federal", Also: []string{"metro"}}
	message := dispatch.Envelope{Type: dispatch.TypeMessageSent, Agency: "metro", Message: "m1"}
	for _, tc := range []struct {
		name  string
		ev    dispatch.Envelope
		actor dispatch.Actor
		want  bool
	}{
		{"OwnAgency", incident, metroUser, true},
		{"OtherAgency", incident, countyUser, false},
		{"InstallationAdmin", incident, installAdm, true},
		{"NoAgency", incident, noAgency, false},
		{"ConcernedAgency", assist, metroUser, true},
		{"UnconcernedAgency", assist, countyUser, false},
		{"MessageSender", message, metroUser, true},
		{"MessageAddressee", message, bob, true},
		{"MessageBystander", message, olly, false},
		{"MessageOtherAgency", message, countyUser, false},
		{"MessageAdmin", message, installAdm, false},
		{"MessageUnknown", dispatch.Envelope{Type: dispatch.TypeMessageSent, Agency: "metro", Message: "m9"}, metroUser, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dispatch.StreamVisible(s, tc.ev, tc.actor, ""); got != tc.want {
				t.Errorf("StreamVisible(%+v, %s) = %v, want %v", tc.ev, tc.actor.User, got, tc.want)
			}
		})
	}
}

func TestTimelineMembers(t *testing.T) {
	s := dispatch.NewState()
	lat, lon := 41.8, -87.7
	loc := dispatch.Location{Lat: &lat, Lon: &lon}
	s.Incidents["metro-1"] = &dispatch.Incident{ID: "metro-1", Agency: "metro", Location: loc, Merged: []string{"metro-2"}}
	s.Incidents["metro-2"] = &dispatch.Incident{ID: "metro-2", Agency: "metro", Location: loc, Merged: []string{"metro-3"}}
	s.Directives["d-on"] = &dispatch.Directive{ID: "d-on", Agency: "metro", Scope: dispatch.Scope{Kind: dispatch.ScopeIncident, Incident: "metro-1"}, Expires: now.Add(time.Hour)}
	s.Directives["d-other"] = &dispatch.Directive{ID: "d-other", Agency: "county", Scope: dispatch.Scope{Kind: dispatch.ScopeIncident, Incident: "metro-1"}, Expires: now.Add(time.Hour)}
	s.Requests["federal-A-1"] = &dispatch.AssistRequest{ID: "federal-A-1", From: "federal", To: "metro", Location: loc,
		Asked: []dispatch.AskedAgency{{Agency: "metro", Conflicts: []string{"d-hold"}}}}

	members, ds, ok := dispatch.TimelineMembers(s, dispatch.TimelineIncident, "metro-1")
	want := []string{"incident/metro-1", "directive/d-on", "incident/metro-2", "incident/metro-3"}
	if !ok || !equalStrings(members, want) || len(ds) != 1 || ds[0].ID != "d-on" {
		t.Errorf("TimelineMembers(incident metro-1) = %v, %v, %v; want %v, [d-on]", members, ds, ok, want)
	}
	members, _, ok = dispatch.TimelineMembers(s, dispatch.TimelineRequest, "federal-A-1")
	want = []string{"request/federal-A-1", "directive/d-hold"}
	if !ok || !equalStrings(members, want) {
		t.Errorf("TimelineMembers(request) = %v, %v; want %v", members, ok, want)
	}
	if _, _, ok := dispatch.TimelineMembers(s, dispatch.TimelineIncident, "metro-9"); ok {
		t.Error("TimelineMembers(incident metro-9) found a timeline of no incident")
	}

	for _, tc := range []struct {
		name, kind, id string
		actor          dispatch.Actor
		want           bool
	}{
		{"IncidentOwn", dispatch.TimelineIncident, "metro-1", metroUser, true},
		{"IncidentOther", dispatch.TimelineIncident, "metro-1", countyUser, false},
		{"IncidentAdmin", dispatch.TimelineIncident, "metro-1", installAdm, true},
		{"RequestAsked", dispatch.TimelineRequest, "federal-A-1", metroUser, true},
		{"RequestNotConcerned", dispatch.TimelineRequest, "federal-A-1", countyUser, false},
		{"Missing", dispatch.TimelineIncident, "metro-9", installAdm, false},
		{"UnknownKind", "unit", "metro.1a", installAdm, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dispatch.TimelineVisible(s, tc.kind, tc.id, tc.actor); got != tc.want {
				t.Errorf("TimelineVisible(%s/%s, %s) = %v, want %v", tc.kind, tc.id, tc.actor.User, got, tc.want)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
