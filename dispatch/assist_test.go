package dispatch_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// mutualAidT0 is when the mutual-aid world is made; requests are raised after it.
var mutualAidT0 = time.Date(2026, 4, 1, 15, 0, 0, 0, time.UTC)

// kedzie is 39th Place and South Kedzie Avenue, where the reference
// scenario's federal team is boxed in (DESIGN.md).
var kedzie = dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: ptr(41.8236), Lon: ptr(-87.7052)}

// elsewhere is ten kilometres north of it.
var elsewhere = dispatch.Location{Text: "N Kedzie Ave", Lat: ptr(41.9136), Lon: ptr(-87.7052)}

// Actors of the mutual-aid world.
var (
	fedOfficer   = dispatch.Actor{User: "fo", Agency: "federal", Role: dispatch.RoleOfficer}
	fedDisp      = dispatch.Actor{User: "fd", Agency: "federal", Role: dispatch.RoleDispatcher}
	fedAuditor   = dispatch.Actor{User: "fa", Agency: "federal", Role: dispatch.RoleAuditor}
	metroDispA   = dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}
	metroCmdr    = dispatch.Actor{User: "cmdr", Agency: "metro", Role: dispatch.RoleSupervisor}
	metroSup     = dispatch.Actor{User: "sue", Agency: "metro", Role: dispatch.RoleSupervisor}
	metroOfficer = dispatch.Actor{User: "oz", Agency: "metro", Role: dispatch.RoleOfficer}
	sherSup      = dispatch.Actor{User: "ss", Agency: "sheriff", Role: dispatch.RoleSupervisor}
	sherDispA    = dispatch.Actor{User: "sid", Agency: "sheriff", Role: dispatch.RoleDispatcher}
	stateLiaison = dispatch.Actor{User: "li", Agency: "state", Role: dispatch.RoleLiaison}
)

// fedPlan is the federal agency's plan of the reference scenario: Metro PD,
// then the county sheriff, then the state police.
var fedPlan = dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{
	{Agencies: []string{"metro"}}, {Agencies: []string{"sheriff"}}, {Agencies: []string{"state"}},
}}

// MustMutualAidWorld returns a state with agencies federal, metro, sheriff and
// state, a unit or two each, their users, and federal's plan fedPlan; then
// each of cmds is decided by the system and applied, a second apart.
func MustMutualAidWorld(tb testing.TB, cmds ...dispatch.Command) *dispatch.State {
	tb.Helper()
	s := dispatch.NewState()
	base := []dispatch.Command{
		dispatch.CreateAgency{ID: "federal", Name: "Federal Patrol", Kind: "federal"},
		dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
		dispatch.CreateAgency{ID: "state", Name: "State Police", Kind: "state_police"},
		dispatch.CreateUnit{CallSign: "F1", Agency: "federal", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "T7", Agency: "metro", Kind: "traffic", Capabilities: []string{"traffic-control"}},
		dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "P1", Agency: "state", Kind: "patrol"},
		dispatch.CreateUser{Username: "cmdr", Agency: "metro", Roles: []string{dispatch.RoleSupervisor}},
		dispatch.CreateUser{Username: "sue", Agency: "metro", Roles: []string{dispatch.RoleSupervisor}},
		dispatch.CreateUser{Username: "max", Agency: "metro", Roles: []string{dispatch.RoleAdmin}},
		dispatch.CreateUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUser{Username: "fd", Agency: "federal", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUser{Username: "ss", Agency: "sheriff", Roles: []string{dispatch.RoleSupervisor}},
		dispatch.SetMutualAidPlan{Agency: "federal", Plan: fedPlan},
		// The federal officer crews F1, whose EMERGENCY button they press
		// (dispatch.MayOperate).
		dispatch.CreateUser{Username: "fo", Agency: "federal", Roles: []string{dispatch.RoleOfficer}},
		dispatch.SignOn{Unit: "federal.f1", Crew: []string{"fo"}, Start: mutualAidT0, End: mutualAidT0.Add(12 * time.Hour)},
		dispatch.CreateUser{Username: "oz", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
		dispatch.SignOn{Unit: "metro.1a12", Crew: []string{"oz"}, Start: mutualAidT0, End: mutualAidT0.Add(12 * time.Hour)},
	}
	for i, c := range append(base, cmds...) {
		MustDecide(tb, s, system, mutualAidT0.Add(time.Duration(i)*time.Second), c)
	}
	return s
}

// MustDecide decides cmd for actor at at, applies its events, and returns
// them.
func MustDecide(tb testing.TB, s *dispatch.State, actor dispatch.Actor, at time.Time, cmd dispatch.Command) []dispatch.Event {
	tb.Helper()
	evs, err := cmd.Decide(s, actor, at)
	if err != nil {
		tb.Fatalf("%#v.Decide by %s = %v, want events", cmd, actor.User+actor.System, err)
	}
	for _, e := range evs {
		if err := s.Apply(e); err != nil {
			tb.Fatalf("Apply(%s) = %v", e.Type, err)
		}
	}
	return evs
}

// kinds returns the events as "type to_agency" (or the subject, for
// events not about a request), to compare decisions at a glance.
func kinds(evs []dispatch.Event) []string {
	var out []string
	for _, e := range evs {
		k := e.Type
		switch d := e.Data.(type) {
		case *dispatch.AssistRequested:
			k += " " + d.ToAgency
		case *dispatch.AssistAcknowledged:
			k += " " + d.ToAgency
		case *dispatch.AssistAccepted:
			k += " " + d.ToAgency
		case *dispatch.AssistDeclined:
			k += " " + d.ToAgency
		case *dispatch.AssistConflict:
			k += " " + d.ToAgency + " " + d.Directive
		case *dispatch.AssistEscalated:
			if d.Exhausted {
				k += " exhausted"
			} else {
				k += " " + strings.Join(d.Asked, ",")
			}
		case *dispatch.AssistOnScene:
			k += " " + d.Unit
		case *dispatch.AssistUnitLeft:
			k += " " + d.Unit + " " + d.How
		case *dispatch.UnitStatusChanged:
			k += " " + d.Unit + " " + d.Status
		case *dispatch.DirectiveOverride:
			k += " " + d.Directive
		}
		out = append(out, k)
	}
	return out
}

const req1 = "federal-A-2026-000001"

// askMetro is federal's EMERGENCY request to metro at Kedzie.
var askMetro = dispatch.RequestAssist{From: "federal", To: "metro", Unit: "federal.f1", Location: kedzie,
	Nature: "team boxed in by vehicles", Urgency: dispatch.UrgencyEmergency}

func TestRequestAssist(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	for _, tc := range []struct {
		name  string
		cmd   dispatch.RequestAssist
		actor dispatch.Actor
		code  string
		msg   string
	}{
		{"ErrNotFoundFrom", dispatch.RequestAssist{From: "navy", To: "metro", Location: kedzie, Nature: "x y", Urgency: "URGENT"}, system, dispatch.ENOTFOUND, `agency "navy" does not exist`},
		{"ErrForbiddenOtherAgency", askMetro, metroDispA, dispatch.EFORBIDDEN, "may not act for agency federal"},
		{"ErrForbiddenAuditor", askMetro, fedAuditor, dispatch.EFORBIDDEN, "an auditor reads the record"},
		{"ErrInvalidUrgency", dispatch.RequestAssist{From: "federal", To: "metro", Location: kedzie, Nature: "x", Urgency: "emergency"}, fedDisp, dispatch.EINVALID, `urgency "emergency" is not one of EMERGENCY, URGENT, ROUTINE`},
		{"ErrNotFoundUnit", dispatch.RequestAssist{From: "federal", To: "metro", Unit: "metro.1a12", Location: kedzie, Nature: "x", Urgency: "URGENT"}, fedDisp, dispatch.ENOTFOUND, "agency federal has no unit metro.1a12"},
		{"ErrForbiddenNotCrew", dispatch.RequestAssist{From: "metro", To: "federal", Unit: "metro.t7", Location: kedzie, Nature: "x", Urgency: "EMERGENCY"}, metroOfficer, dispatch.EFORBIDDEN, "oz is not on the crew of unit T7, and an officer asks for assistance only for a unit they crew"},
		{"ErrInvalidLocation", dispatch.RequestAssist{From: "federal", To: "metro", Nature: "x", Urgency: "URGENT"}, fedDisp, dispatch.EINVALID, "location needs an address or lat and lon"},
		{"ErrInvalidNature", dispatch.RequestAssist{From: "federal", To: "metro", Location: kedzie, Nature: "  ", Urgency: "URGENT"}, fedDisp, dispatch.EINVALID, "nature is required"},
		{"ErrInvalidLongNature", dispatch.RequestAssist{From: "federal", To: "metro", Location: kedzie, Nature: strings.Repeat("n", dispatch.MaxNature+1), Urgency: "URGENT"}, fedDisp, dispatch.EINVALID, "nature is longer than 200"},
		{"ErrInvalidSelf", dispatch.RequestAssist{From: "federal", To: "federal", Location: kedzie, Nature: "x", Urgency: "URGENT"}, fedDisp, dispatch.EINVALID, "cannot ask itself"},
		{"ErrNotFoundTo", dispatch.RequestAssist{From: "federal", To: "navy", Location: kedzie, Nature: "x", Urgency: "URGENT"}, fedDisp, dispatch.ENOTFOUND, `agency "navy" does not exist`},
		{"ErrInvalidNoPlan", dispatch.RequestAssist{From: "metro", Location: kedzie, Nature: "x", Urgency: "URGENT"}, metroDispA, dispatch.EINVALID, "agency metro has no mutual-aid plan; name the agency you ask"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t)
			_, err := tc.cmd.Decide(s, tc.actor, at)
			checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
		})
	}

	t.Run("OK", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		evs := MustDecide(t, s, fedOfficer, at, askMetro)
		want := []dispatch.Event{{Time: at, Type: dispatch.TypeAssistRequested, Agency: "federal", Actor: fedOfficer,
			Subject: map[string]string{"request": req1, "unit": "federal.f1", "agencies": "federal,metro"},
			Data: &dispatch.AssistRequested{
				AssistRef: dispatch.AssistRef{Request: req1, FromAgency: "federal", ToAgency: "metro", Urgency: "EMERGENCY"},
				Unit:      "federal.f1", Location: kedzie, Nature: "team boxed in by vehicles", Level: 0, Asked: []string{"metro"},
				Deadline: at.Add(30 * time.Second), Told: []dispatch.Audience{{Agency: "federal"}, {Agency: "metro"}},
			}}}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("RequestAssist.Decide =\n%s\nwant\n%s", dump(evs), dump(want))
		}
		r := s.Requests[req1]
		wantR := &dispatch.AssistRequest{ID: req1, From: "federal", To: "metro", Unit: "federal.f1", User: "fo",
			Location: kedzie, Nature: "team boxed in by vehicles", Urgency: "EMERGENCY", Status: dispatch.RequestRequested,
			Asked: []dispatch.AskedAgency{{Agency: "metro", Answer: dispatch.AnswerAsked, Asked: at}},
			Units: []string{}, Helping: []dispatch.HelpingUnit{}, Deadline: ptr(at.Add(30 * time.Second)), WaitingFor: dispatch.WaitAnswer, Created: at,
			History: []dispatch.AssistStep{{Time: at, Type: dispatch.TypeAssistRequested, Agency: "metro",
				Who: dispatch.Who{User: "fo", Agency: "federal", Role: dispatch.RoleOfficer}, Asked: []string{"metro"}}},
		}
		if !reflect.DeepEqual(r, wantR) {
			t.Errorf("request = %+v, want %+v", r, wantR)
		}
		// The next request of the year takes the next serial.
		MustDecide(t, s, fedDisp, at, askMetro)
		if s.Requests["federal-A-2026-000002"] == nil {
			t.Errorf("second request: no federal-A-2026-000002 in %v", s.RequestList(""))
		}
	})

	t.Run("OKPlan", func(t *testing.T) {
		// Naming no agency asks level 1 of the plan.
		s := MustMutualAidWorld(t, dispatch.SetMutualAidPlan{Agency: "federal", Plan: dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{
			{Agencies: []string{"metro", "sheriff"}}, {Agencies: []string{"state"}},
		}}})
		evs := MustDecide(t, s, fedDisp, at, dispatch.RequestAssist{From: "federal", Location: kedzie, Nature: "traffic for a convoy", Urgency: dispatch.UrgencyRoutine})
		d := evs[0].Data.(*dispatch.AssistRequested)
		if d.Level != 1 || !slices.Equal(d.Asked, []string{"metro", "sheriff"}) || d.ToAgency != "metro" || !d.Deadline.Equal(at.Add(10*time.Minute)) {
			t.Errorf("request of the plan = level %d asking %v (to %s) until %v, want level 1 asking metro and sheriff until +10 min", d.Level, d.Asked, d.ToAgency, d.Deadline)
		}
		if got := evs[0].Subject["agencies"]; got != "federal,metro,sheriff" {
			t.Errorf("subject agencies = %q, want federal,metro,sheriff", got)
		}
	})
}

// TestAssistLifecycle follows one request through every status, as the
// requester sees it.
func TestAssistLifecycle(t *testing.T) {
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	step := func(d time.Duration, actor dispatch.Actor, c dispatch.Command, wantStatus string, want ...string) {
		t.Helper()
		evs := MustDecide(t, s, actor, at.Add(d), c)
		if got := kinds(evs); !slices.Equal(got, want) {
			t.Fatalf("%#v.Decide = %q, want %q", c, got, want)
		}
		if got := s.Requests[req1].Status; got != wantStatus {
			t.Fatalf("after %T: request is %s, want %s", c, got, wantStatus)
		}
	}
	step(0, fedOfficer, askMetro, dispatch.RequestRequested, "assist.requested metro")
	step(10*time.Second, metroDispA, dispatch.AcknowledgeAssist{Request: req1}, dispatch.RequestAcknowledged, "assist.acknowledged metro")
	r := s.Requests[req1]
	if !r.Deadline.Equal(at.Add(70 * time.Second)) {
		t.Errorf("deadline after acknowledgement at +10 s = %v, want +70 s (a minute to decide)", r.Deadline)
	}
	step(20*time.Second, metroDispA, dispatch.AcceptAssist{Request: req1, Units: []string{"metro.1a12"}}, dispatch.RequestAccepted,
		"assist.accepted metro", "unit.status_changed metro.1a12 DISPATCHED")
	if u := s.Units["metro.1a12"]; u.Request != req1 || u.Incident != "" {
		t.Errorf("unit sent = on request %q, incident %q; want on %s", u.Request, u.Incident, req1)
	}
	// Accepted, it waits for the unit: its drive time (unknown here, so
	// dispatch.UnknownETA) and the EMERGENCY margin of two minutes.
	if r := s.Requests[req1]; r.Deadline == nil || !r.Deadline.Equal(at.Add(20*time.Second+dispatch.UnknownETA+2*time.Minute)) || r.WaitingFor != dispatch.WaitArrival {
		t.Errorf("accepted request has deadline %v waiting for %q, want an arrival deadline at +12m20s", r.Deadline, r.WaitingFor)
	}
	step(30*time.Second, metroOfficer, status("metro.1a12", "EN_ROUTE"), dispatch.RequestAccepted, "unit.status_changed metro.1a12 EN_ROUTE")
	evs := MustDecide(t, s, metroOfficer, at.Add(40*time.Second), status("metro.1a12", "ON_SCENE"))
	if got, want := kinds(evs), []string{"unit.status_changed metro.1a12 ON_SCENE", "assist.on_scene metro.1a12"}; !slices.Equal(got, want) {
		t.Fatalf("arrival = %q, want %q", got, want)
	}
	if evs[0].Subject["request"] != req1 {
		t.Errorf("status change subject = %v, want it to name %s", evs[0].Subject, req1)
	}
	if evs[1].Agency != "federal" {
		t.Errorf("assist.on_scene agency = %q, want federal (the requester's record)", evs[1].Agency)
	}
	if r := s.Requests[req1]; r.Deadline != nil || r.Status != dispatch.RequestOnScene || r.Helper("metro.1a12") == nil || !r.Helper("metro.1a12").OnScene {
		t.Errorf("help arrived: request %s with deadline %v, helping %+v; want ON_SCENE, no deadline", r.Status, r.Deadline, r.Helping)
	}
	step(41*time.Second, metroOfficer, status("metro.1a12", "TRANSPORTING"), dispatch.RequestOnScene, "unit.status_changed metro.1a12 TRANSPORTING")
	step(50*time.Minute, fedOfficer, dispatch.CloseAssist{Request: req1, Disposition: "team extracted"}, dispatch.RequestClosed,
		"assist.closed", "unit.status_changed metro.1a12 AVAILABLE")
	if u := s.Units["metro.1a12"]; u.Request != "" || u.Status != dispatch.StatusAvailable {
		t.Errorf("after close: unit = %s on %q, want AVAILABLE on none", u.Status, u.Request)
	}
	r = s.Requests[req1]
	var hist []string
	for _, h := range r.History {
		hist = append(hist, h.Type+" "+h.Agency+" "+h.Who.User)
	}
	wantHist := []string{"assist.requested metro fo", "assist.acknowledged metro ann", "assist.accepted metro ann", "assist.on_scene metro oz", "assist.closed metro fo"}
	if !slices.Equal(hist, wantHist) {
		t.Errorf("history = %q, want %q", hist, wantHist)
	}
	if ans := r.Answer("metro"); ans.Answer != dispatch.AnswerAccepted || ans.By.User != "ann" || !slices.Equal(ans.Units, []string{"metro.1a12"}) {
		t.Errorf("metro's answer = %+v, want accepted by ann with metro.1a12", ans)
	}
	if r.Closed == nil || !r.Closed.Equal(at.Add(50*time.Minute)) || r.Disposition != "team extracted" {
		t.Errorf("closed = %v %q, want at +50 min, team extracted", r.Closed, r.Disposition)
	}
	// Nothing escalates a closed request.
	if evs := MustDecide(t, s, system, at.Add(24*time.Hour), dispatch.CheckTimers{}); len(evs) != 0 {
		t.Errorf("CheckTimers after close = %q, want nothing", kinds(evs))
	}
}

// TestAssistIllegal tries the commands a request's state or the actor
// does not allow.
func TestAssistIllegal(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	ack := dispatch.AcknowledgeAssist{Request: req1}
	accept := dispatch.AcceptAssist{Request: req1, Units: []string{"metro.1a12"}}
	decline := dispatch.DeclineAssist{Request: req1, Reason: "no units free"}
	closeIt := dispatch.CloseAssist{Request: req1, Disposition: "no longer needed"}
	type did struct {
		actor dispatch.Actor
		cmd   dispatch.Command
	}
	for _, tc := range []struct {
		name  string
		setup []did
		actor dispatch.Actor
		cmd   dispatch.Command
		code  string
		msg   string
	}{
		{"ErrNotFound", nil, metroDispA, dispatch.AcknowledgeAssist{Request: "federal-A-2026-000099"}, dispatch.ENOTFOUND, "request federal-A-2026-000099 does not exist"},
		{"ErrNotFoundUnasked", nil, sherDispA, ack, dispatch.ENOTFOUND, "request " + req1 + " does not exist"},
		{"ErrConflictRequesterAcknowledges", nil, fedDisp, ack, dispatch.ECONFLICT, "agency federal has not been asked"},
		{"ErrForbiddenOfficerAcknowledges", nil, metroOfficer, ack, dispatch.EFORBIDDEN, "only a dispatcher, a supervisor or a liaison"},
		{"ErrForbiddenForOther", nil, metroDispA, dispatch.AcknowledgeAssist{Request: req1, Agency: "sheriff"}, dispatch.EFORBIDDEN, "may not act for agency sheriff"},
		{"ErrInvalidAdminNoAgency", nil, root, ack, dispatch.EINVALID, "name the agency that answers"},
		{"ErrConflictAcknowledgeTwice", []did{{metroDispA, ack}}, metroDispA, ack, dispatch.ECONFLICT, "agency metro has already acknowledged request " + req1},
		{"ErrConflictAcknowledgeAfterAccept", []did{{metroDispA, accept}}, metroDispA, ack, dispatch.ECONFLICT, "has already accepted"},
		{"ErrInvalidAcceptNoUnits", nil, metroDispA, dispatch.AcceptAssist{Request: req1}, dispatch.EINVALID, "name at least one unit"},
		{"ErrNotFoundAcceptOtherUnit", nil, metroDispA, dispatch.AcceptAssist{Request: req1, Units: []string{"sheriff.s1"}}, dispatch.ENOTFOUND, "agency metro has no unit sheriff.s1"},
		{"ErrInvalidAcceptTwiceNamed", nil, metroDispA, dispatch.AcceptAssist{Request: req1, Units: []string{"metro.t7", "metro.t7"}}, dispatch.EINVALID, "unit metro.t7 is named twice"},
		{"ErrInvalidAcceptBusyUnit", []did{{metroDispA, status("metro.1a12", "BUSY")}}, metroDispA, accept, dispatch.EINVALID, "unit 1A12 is BUSY and cannot go DISPATCHED"},
		{"ErrConflictAcceptUnitOnRequest", []did{{metroDispA, accept}}, metroDispA, accept, dispatch.ECONFLICT, "unit 1A12 is busy on request " + req1},
		{"ErrConflictDeclineAfterAccept", []did{{metroDispA, accept}}, metroCmdr, decline, dispatch.ECONFLICT, "has accepted request " + req1 + " and sent units"},
		{"ErrConflictDeclineTwice", []did{{metroCmdr, decline}}, metroSup, decline, dispatch.ECONFLICT, "agency metro has already declined"},
		{"ErrConflictAfterClose", []did{{fedOfficer, closeIt}}, metroDispA, ack, dispatch.ECONFLICT, "request " + req1 + " is closed"},
		{"ErrConflictAcceptAfterClose", []did{{fedOfficer, closeIt}}, metroDispA, accept, dispatch.ECONFLICT, "is closed"},
		{"ErrConflictCloseTwice", []did{{fedOfficer, closeIt}}, fedOfficer, closeIt, dispatch.ECONFLICT, "is already closed"},
		{"ErrForbiddenCloseByAsked", nil, metroDispA, closeIt, dispatch.EFORBIDDEN, "only agency federal, which asked, closes request"},
		{"ErrForbiddenCloseByAuditor", nil, fedAuditor, closeIt, dispatch.EFORBIDDEN, "an auditor reads the record"},
		{"ErrInvalidCloseNoDisposition", nil, fedDisp, dispatch.CloseAssist{Request: req1}, dispatch.EINVALID, "disposition is required"},
		{"ErrForbiddenCloseEmergencyByDispatcher", nil, fedDisp, closeIt, dispatch.EFORBIDDEN, "only fo, who raised it, or a supervisor of federal may close EMERGENCY request " + req1},
		{"ErrConflictCloseInEmergency", []did{{fedOfficer, status("federal.f1", "EMERGENCY")}}, fedOfficer, closeIt, dispatch.ECONFLICT, "unit F1 is in EMERGENCY; resolve the emergency before closing request " + req1},
		{"ErrConflictCloseUnitSentInEmergency", []did{{metroDispA, accept}, {metroOfficer, status("metro.1a12", "EMERGENCY")}}, fedOfficer, closeIt, dispatch.ECONFLICT, "unit 1A12 is in EMERGENCY on request " + req1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t)
			MustDecide(t, s, fedOfficer, at, askMetro)
			for i, d := range tc.setup {
				MustDecide(t, s, d.actor, at.Add(time.Duration(i+1)*time.Second), d.cmd)
			}
			before := s.Requests[req1].Status
			evs, err := tc.cmd.Decide(s, tc.actor, at.Add(10*time.Second))
			checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
			if evs != nil || s.Requests[req1].Status != before {
				t.Errorf("refused %T yielded %q or changed the request", tc.cmd, kinds(evs))
			}
		})
	}

	t.Run("OKAcceptAfterDecline", func(t *testing.T) {
		// Things change: an agency that declined may still send units.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, fedOfficer, at, askMetro)
		MustDecide(t, s, metroCmdr, at.Add(time.Second), decline)
		MustDecide(t, s, metroDispA, at.Add(2*time.Second), accept)
		if r := s.Requests[req1]; r.Status != dispatch.RequestAccepted || r.Answer("metro").Reason != "" || r.Answer("sheriff") == nil {
			t.Errorf("request after decline then accept = %s, metro %+v; want ACCEPTED, sheriff still asked", r.Status, r.Answer("metro"))
		}
	})
	t.Run("OKAcceptMore", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		MustDecide(t, s, fedOfficer, at, askMetro)
		MustDecide(t, s, metroDispA, at.Add(time.Second), accept)
		MustDecide(t, s, metroDispA, at.Add(2*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.t7"}})
		if got := s.Requests[req1].Units; !slices.Equal(got, []string{"metro.1a12", "metro.t7"}) {
			t.Errorf("units = %v, want both, in order", got)
		}
	})
}

// TestDeclineAssist checks invariant 3's second half: only a supervisor of
// the asked agency declines, with a reason, and the request escalates at
// once.
func TestDeclineAssist(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		actor  dispatch.Actor
		reason string
		code   string
		msg    string
	}{
		{"ErrForbiddenDispatcher", metroDispA, "no units", dispatch.EFORBIDDEN, "only a supervisor of metro may decline"},
		{"ErrForbiddenOfficer", metroOfficer, "no units", dispatch.EFORBIDDEN, "only a supervisor of metro may decline"},
		{"ErrForbiddenAdmin", metroAdmin, "no units", dispatch.EFORBIDDEN, "only a supervisor of metro may decline"},
		{"ErrForbiddenSystem", dispatch.Actor{System: "partner", Agency: "metro", Role: dispatch.RoleSupervisor}, "no units", dispatch.EFORBIDDEN, "only a supervisor of metro may decline"},
		{"ErrForbiddenNoUser", dispatch.Actor{Agency: "metro", Role: dispatch.RoleSupervisor}, "no units", dispatch.EFORBIDDEN, "only a supervisor of metro may decline"},
		{"ErrInvalidNoReason", metroCmdr, "", dispatch.EINVALID, "a decline needs a reason: say why metro cannot help"},
		{"ErrInvalidBlankReason", metroCmdr, " \n\t ", dispatch.EINVALID, "a decline needs a reason"},
		{"ErrInvalidControlReason", metroCmdr, "no\x00units", dispatch.EINVALID, "reason contains control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t)
			MustDecide(t, s, fedOfficer, at, askMetro)
			evs, err := dispatch.DeclineAssist{Request: req1, Agency: "metro", Reason: tc.reason}.Decide(s, tc.actor, at.Add(time.Second))
			checkDomainError(t, "DeclineAssist.Decide", err, tc.code, tc.msg)
			if evs != nil {
				t.Errorf("refused decline yielded %q", kinds(evs))
			}
		})
	}
	t.Run("ErrForbiddenSupervisorOfAnother", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		MustDecide(t, s, fedOfficer, at, askMetro)
		MustDecide(t, s, metroCmdr, at.Add(time.Second), dispatch.DeclineAssist{Request: req1, Reason: "hold in force"})
		// The sheriff is now asked too, but may not answer for metro.
		_, err := dispatch.DeclineAssist{Request: req1, Agency: "metro", Reason: "x"}.Decide(s, sherSup, at.Add(2*time.Second))
		checkDomainError(t, "DeclineAssist for metro by sheriff's supervisor", err, dispatch.EFORBIDDEN, "may not act for agency metro")
	})
	t.Run("OK", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		MustDecide(t, s, fedOfficer, at, askMetro)
		MustDecide(t, s, metroDispA, at.Add(5*time.Second), dispatch.AcknowledgeAssist{Request: req1})
		when := at.Add(20 * time.Second)
		evs := MustDecide(t, s, metroCmdr, when, dispatch.DeclineAssist{Request: req1, Reason: "  hold order in force  "})
		if got, want := kinds(evs), []string{"assist.declined metro", "assist.escalated sheriff"}; !slices.Equal(got, want) {
			t.Fatalf("decline = %q, want %q", got, want)
		}
		dec := evs[0].Data.(*dispatch.AssistDeclined)
		if dec.Reason != "hold order in force" || !reflect.DeepEqual(evs[0].Actor, metroCmdr) || evs[0].Agency != "federal" {
			t.Errorf("assist.declined = %+v by %+v in %s, want the trimmed reason by cmdr in federal's record", dec, evs[0].Actor, evs[0].Agency)
		}
		esc := evs[1].Data.(*dispatch.AssistEscalated)
		want := &dispatch.AssistEscalated{
			AssistRef: dispatch.AssistRef{Request: req1, FromAgency: "federal", ToAgency: "sheriff", Urgency: "EMERGENCY"},
			Reason:    dispatch.EscalateDeclined, Level: 2, Asked: []string{"sheriff"}, Deadline: when.Add(30 * time.Second),
			Told: []dispatch.Audience{{Agency: "federal"}, {Agency: "sheriff", Role: dispatch.RoleSupervisor}},
		}
		if !reflect.DeepEqual(esc, want) {
			t.Errorf("assist.escalated = %+v, want %+v", esc, want)
		}
		if got := evs[1].Subject["agencies"]; got != "federal,metro,sheriff" {
			t.Errorf("escalation subject agencies = %q, want federal,metro,sheriff", got)
		}
		r := s.Requests[req1]
		ans := r.Answer("metro")
		if r.Status != dispatch.RequestRequested || ans.Answer != dispatch.AnswerDeclined || ans.Reason != "hold order in force" || ans.By.User != "cmdr" || ans.By.Role != dispatch.RoleSupervisor {
			t.Errorf("after decline: request %s, metro %+v; want REQUESTED again, declined by cmdr (supervisor) with the reason", r.Status, ans)
		}
	})
	t.Run("OKNoEscalationOnceAccepted", func(t *testing.T) {
		s := MustMutualAidWorld(t, dispatch.SetMutualAidPlan{Agency: "federal", Plan: dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{
			{Agencies: []string{"metro", "sheriff"}}, {Agencies: []string{"state"}},
		}}})
		MustDecide(t, s, fedDisp, at, dispatch.RequestAssist{From: "federal", Location: kedzie, Nature: "x", Urgency: dispatch.UrgencyEmergency})
		MustDecide(t, s, sherDispA, at.Add(time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"sheriff.s1"}})
		evs := MustDecide(t, s, metroCmdr, at.Add(2*time.Second), dispatch.DeclineAssist{Request: req1, Reason: "sheriff has it"})
		if got := kinds(evs); !slices.Equal(got, []string{"assist.declined metro"}) {
			t.Errorf("decline of an accepted request = %q, want the decline alone", got)
		}
	})
}

// TestEscalationDeadlines drives the clock to each deadline: the request
// climbs federal's plan exactly at its deadlines, then alerts at every
// deadline once the plan is exhausted, and stops once accepted.
func TestEscalationDeadlines(t *testing.T) {
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	MustDecide(t, s, fedOfficer, at, askMetro)
	tick := func(d time.Duration, want ...string) []dispatch.Event {
		t.Helper()
		evs := MustDecide(t, s, system, at.Add(d), dispatch.CheckTimers{})
		if got := kinds(evs); !slices.Equal(got, want) {
			t.Fatalf("CheckTimers at +%v = %q, want %q", d, got, want)
		}
		return evs
	}
	tick(30*time.Second - time.Nanosecond)
	evs := tick(30*time.Second, "assist.escalated sheriff")
	if d := evs[0].Data.(*dispatch.AssistEscalated); d.Reason != dispatch.EscalateNoAcknowledgement || d.Level != 2 || !d.Deadline.Equal(at.Add(60*time.Second)) {
		t.Errorf("first escalation = %+v, want level 2 for no acknowledgement, until +60 s", d)
	}
	tick(59 * time.Second)
	tick(60*time.Second, "assist.escalated state")
	tick(90*time.Second, "assist.escalated exhausted")
	evs = tick(120*time.Second, "assist.escalated exhausted")
	d := evs[0].Data.(*dispatch.AssistEscalated)
	wantTold := []dispatch.Audience{{Agency: "federal"}, {Agency: "metro", Role: "supervisor"}, {Agency: "sheriff", Role: "supervisor"}, {Agency: "state", Role: "supervisor"}}
	if !d.Exhausted || d.ToAgency != "metro" || d.Level != 3 || !reflect.DeepEqual(d.Told, wantTold) || d.Asked != nil {
		t.Errorf("exhausted alert = %+v, want level 3, to metro (first asked), told %v", d, wantTold)
	}
	r := s.Requests[req1]
	if !r.Exhausted || r.Status != dispatch.RequestRequested || r.Level != 3 {
		t.Errorf("request = %s level %d exhausted %v, want still REQUESTED at level 3, exhausted", r.Status, r.Level, r.Exhausted)
	}
	// The repeated alert is one step of the history, counted.
	last := r.History[len(r.History)-1]
	if len(r.History) != 4 || last.Repeats != 1 || !last.Last.Equal(at.Add(120*time.Second)) {
		t.Errorf("history = %+v, want requested, two escalations and one exhausted step repeated once", r.History)
	}

	// The state police acknowledge: a minute to decide.
	MustDecide(t, s, stateLiaison, at.Add(130*time.Second), dispatch.AcknowledgeAssist{Request: req1})
	tick(150 * time.Second) // the old deadline no longer holds
	tick(190*time.Second - time.Nanosecond)
	evs = tick(190*time.Second, "assist.escalated exhausted")
	if d := evs[0].Data.(*dispatch.AssistEscalated); d.Reason != dispatch.EscalateNoDecision {
		t.Errorf("escalation after an acknowledgement = %s, want %s", d.Reason, dispatch.EscalateNoDecision)
	}
	MustDecide(t, s, stateLiaison, at.Add(200*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"state.p1"}, ETAs: map[string]time.Duration{"state.p1": time.Minute}})
	MustDecide(t, s, system, at.Add(230*time.Second), status("state.p1", "EN_ROUTE"))
	MustDecide(t, s, system, at.Add(290*time.Second), status("state.p1", "ON_SCENE"))
	tick(20 * time.Minute) // help on scene: nothing escalates
	if got := s.Requests[req1].Answer("state").By.User; got != "li" {
		t.Errorf("state's answer by %q, want li", got)
	}
}

// TestEscalationPlanDeadlines uses a plan's own deadlines, and skips a
// level whose agencies were all asked already.
func TestEscalationPlanDeadlines(t *testing.T) {
	plan := dispatch.MutualAidPlan{
		Levels: []dispatch.AlarmLevel{{Agencies: []string{"metro"}}, {Agencies: []string{"sheriff"}}, {Agencies: []string{"state"}}},
		Urgent: dispatch.AnswerDeadlines{AcknowledgeSeconds: 45, DecideSeconds: 90},
	}
	s := MustMutualAidWorld(t, dispatch.SetMutualAidPlan{Agency: "federal", Plan: plan})
	at := mutualAidT0.Add(time.Hour)
	// Asking the sheriff directly: level 0; level 1 is metro; level 2, the
	// sheriff, is skipped; then the state.
	MustDecide(t, s, fedDisp, at, dispatch.RequestAssist{From: "federal", To: "sheriff", Location: kedzie, Nature: "crowd", Urgency: dispatch.UrgencyUrgent})
	for _, tc := range []struct {
		d    time.Duration
		want []string
	}{
		{44 * time.Second, nil},
		{45 * time.Second, []string{"assist.escalated metro"}},
		{89 * time.Second, nil},
		{90 * time.Second, []string{"assist.escalated state"}},
		{135 * time.Second, []string{"assist.escalated exhausted"}},
	} {
		evs := MustDecide(t, s, system, at.Add(tc.d), dispatch.CheckTimers{})
		if got := kinds(evs); !slices.Equal(got, tc.want) {
			t.Fatalf("CheckTimers at +%v = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := s.Requests[req1].Answer("state").Level; got != 3 {
		t.Errorf("state asked at level %d, want 3", got)
	}
}

// TestEmergencyRaisesRequest: the emergency button raises an EMERGENCY
// request in the same decision, once per emergency.
func TestEmergencyRaisesRequest(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	t.Run("Position", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		evs := MustDecide(t, s, fedOfficer, at, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "EMERGENCY", Lat: kedzie.Lat, Lon: kedzie.Lon})
		if got, want := kinds(evs), []string{"unit.status_changed federal.f1 EMERGENCY", "assist.requested metro"}; !slices.Equal(got, want) {
			t.Fatalf("EMERGENCY = %q, want %q", got, want)
		}
		d := evs[1].Data.(*dispatch.AssistRequested)
		if d.Urgency != dispatch.UrgencyEmergency || d.Unit != "federal.f1" || d.Level != 1 || *d.Location.Lat != *kedzie.Lat || *d.Location.Lon != *kedzie.Lon ||
			!d.Deadline.Equal(at.Add(30*time.Second)) || !reflect.DeepEqual(evs[1].Actor, fedOfficer) {
			t.Errorf("assist.requested = %+v by %+v, want EMERGENCY from federal.f1 at its position, level 1, 30 s, by the officer", d, evs[1].Actor)
		}
		if evs[1].Subject["unit"] != "federal.f1" {
			t.Errorf("subject = %v, want the unit named", evs[1].Subject)
		}
		// Pressed again after resuming: the same emergency, no new request.
		MustDecide(t, s, fedOfficer, at.Add(time.Second), dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "false alarm"})
		evs = MustDecide(t, s, fedOfficer, at.Add(2*time.Second), status("federal.f1", "EMERGENCY"))
		if got := kinds(evs); len(got) != 1 {
			t.Errorf("second press with the request open = %q, want the status change alone", got)
		}
		MustDecide(t, s, fedOfficer, at.Add(3*time.Second), dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "false alarm"})
		MustDecide(t, s, fedOfficer, at.Add(4*time.Second), dispatch.CloseAssist{Request: req1, Disposition: "false alarm"})
		evs = MustDecide(t, s, fedOfficer, at.Add(5*time.Second), status("federal.f1", "EMERGENCY"))
		if got := kinds(evs); len(got) != 2 || s.Requests["federal-A-2026-000002"] == nil {
			t.Errorf("press after the request closed = %q, want a new request federal-A-2026-000002", got)
		}
	})
	t.Run("IncidentLocationNoPlan", func(t *testing.T) {
		// Metro has no plan: its own supervisors get a tracked request.
		s := MustMutualAidWorld(t,
			dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: kedzie},
			dispatch.DispatchUnits{Incident: "metro-2026-000001", Units: []string{"metro.1a12"}})
		evs := MustDecide(t, s, metroOfficer, at, status("metro.1a12", "EMERGENCY"))
		d := evs[1].Data.(*dispatch.AssistRequested)
		if d.ToAgency != "metro" || d.Level != 0 || !reflect.DeepEqual(d.Location, kedzie) {
			t.Errorf("request = to %s level %d at %+v, want metro itself, level 0, the incident's location", d.ToAgency, d.Level, d.Location)
		}
		wantTold := []dispatch.Audience{{Agency: "metro"}, {Agency: "metro", Role: "supervisor"}}
		if !reflect.DeepEqual(d.Told, wantTold) {
			t.Errorf("told = %v, want %v", d.Told, wantTold)
		}
		// It is tracked: it escalates (exhausted) at its deadline.
		evs = MustDecide(t, s, system, at.Add(30*time.Second), dispatch.CheckTimers{})
		if got := kinds(evs); !slices.Equal(got, []string{"assist.escalated exhausted"}) {
			t.Errorf("CheckTimers at the deadline = %q, want an exhausted alert", got)
		}
	})
	t.Run("PositionInAHeldDistrict", func(t *testing.T) {
		// The place of the position, as the API's map reads it, goes with
		// the request: a hold over the district meets it.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, metroCmdr, at.Add(-time.Minute), dispatch.IssueDirective{Agency: "metro",
			Scope: dispatch.Scope{Kind: dispatch.ScopeDistrict, District: "014"}, Effect: dispatch.EffectHold,
			Reason: "crowd at the rail yards", Expires: at.Add(time.Hour)})
		evs := MustDecide(t, s, fedOfficer, at, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "EMERGENCY",
			Lat: kedzie.Lat, Lon: kedzie.Lon, Near: "3950 S Kedzie Ave", District: "014", Beat: "1412"})
		d := evs[1].Data.(*dispatch.AssistRequested)
		if d.Location.District != "014" || d.Location.Beat != "1412" || d.Location.Text != "last known position of unit F1, near 3950 S Kedzie Ave" {
			t.Errorf("location = %+v, want the position's place with its district and beat", d.Location)
		}
		if got := kinds(evs); !slices.Contains(got, "assist.conflict metro metro-D-2026-000001") {
			t.Errorf("EMERGENCY in a held district = %q, want the conflict shown", got)
		}
		if _, err := (dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", District: "014"}).Decide(s, fedOfficer, at); dispatch.ErrorCode(err) != dispatch.EINVALID {
			t.Errorf("a district without a position = %v, want it refused", err)
		}
	})
	t.Run("NoPosition", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		evs := MustDecide(t, s, fedOfficer, at, status("federal.f1", "EMERGENCY"))
		if d := evs[1].Data.(*dispatch.AssistRequested); d.Location.Text != "position unknown: unit F1" || d.Location.Lat != nil {
			t.Errorf("location = %+v, want it said that the position is unknown", d.Location)
		}
	})
}

// TestPlanExhaustionKeepsAlerting: a request nobody answers is never
// dropped: it alerts at every deadline, for as long as it stays open.
func TestPlanExhaustionKeepsAlerting(t *testing.T) {
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	MustDecide(t, s, fedOfficer, at, askMetro)
	var alerts int
	for i := 1; i <= 40; i++ {
		evs := MustDecide(t, s, system, at.Add(time.Duration(i)*30*time.Second), dispatch.CheckTimers{})
		if len(evs) != 1 || evs[0].Type != dispatch.TypeAssistEscalated {
			t.Fatalf("deadline %d: CheckTimers = %q, want one assist.escalated", i, kinds(evs))
		}
		if evs[0].Data.(*dispatch.AssistEscalated).Exhausted {
			alerts++
		}
	}
	r := s.Requests[req1]
	if alerts != 38 || r.Status != dispatch.RequestRequested || !r.Exhausted || r.Deadline == nil {
		t.Errorf("%d exhausted alerts, request %s, deadline %v; want 38, REQUESTED, a deadline", alerts, r.Status, r.Deadline)
	}
	if n := len(r.History); n != 4 || r.History[3].Repeats != 37 {
		t.Errorf("history of %d steps, last repeated %d times; want 4 steps, the alert repeated 37 times", n, r.History[n-1].Repeats)
	}
}

// TestRequestVisibility: a request concerns its requester and each agency
// asked, from the moment it is asked; the subject says so on every event.
func TestRequestVisibility(t *testing.T) {
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	MustDecide(t, s, fedOfficer, at, askMetro)
	for _, tc := range []struct {
		agency string
		want   int
	}{{"federal", 1}, {"metro", 1}, {"sheriff", 0}, {"", 1}} {
		if got := len(s.RequestList(tc.agency)); got != tc.want {
			t.Errorf("RequestList(%q) has %d requests, want %d", tc.agency, got, tc.want)
		}
	}
	evs := MustDecide(t, s, system, at.Add(30*time.Second), dispatch.CheckTimers{})
	if got := evs[0].Subject["agencies"]; got != "federal,metro,sheriff" || evs[0].Agency != "federal" {
		t.Errorf("escalation: agency %q, subject agencies %q; want federal, federal,metro,sheriff", evs[0].Agency, got)
	}
	if !s.Requests[req1].Concerns("sheriff") || s.Requests[req1].Concerns("state") {
		t.Error("after escalation to the sheriff: Concerns(sheriff) false or Concerns(state) true")
	}
	if got, want := s.Recipients(evs[0].Data.(*dispatch.AssistEscalated).Told), []string{"fd", "fo", "ss"}; !slices.Equal(got, want) {
		t.Errorf("Recipients(told) = %v, want %v", got, want)
	}
}

// TestDispatchUnitOnRequest: a unit sent on a request is busy there, and a
// dispatch to an incident says so, pre-emption or not.
func TestDispatchUnitOnRequest(t *testing.T) {
	const inc = "metro-2026-000001"
	at := mutualAidT0.Add(time.Hour)
	s := MustMutualAidWorld(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Priority: ptr(0), Location: elsewhere})
	MustDecide(t, s, fedOfficer, at, askMetro)
	MustDecide(t, s, metroDispA, at.Add(time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.1a12"}})
	for _, st := range []string{"", "EN_ROUTE", "ON_SCENE"} {
		if st != "" {
			MustDecide(t, s, metroOfficer, at.Add(2*time.Second), status("metro.1a12", st))
		}
		for _, preempt := range []bool{false, true} {
			c := dispatch.DispatchUnits{Incident: inc, Units: []string{"metro.t7", "metro.1a12"}, Preempt: preempt}
			_, err := c.Decide(s, metroDispA, at.Add(3*time.Second))
			checkDomainError(t, fmt.Sprintf("DispatchUnits of a unit %s on a request, pre-empting %v", s.Units["metro.1a12"].Status, preempt),
				err, dispatch.ECONFLICT, "unit 1A12 is busy on request "+req1)
		}
	}
}
