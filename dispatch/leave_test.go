package dispatch_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// fedSup is a supervisor of the federal agency.
var fedSup = dispatch.Actor{User: "fs", Agency: "federal", Role: dispatch.RoleSupervisor}

// ticker returns a function that runs the timers of s at +d from at and
// requires the kinds of events they raise.
func ticker(t *testing.T, s *dispatch.State, at time.Time) func(d time.Duration, want ...string) []dispatch.Event {
	return func(d time.Duration, want ...string) []dispatch.Event {
		t.Helper()
		evs := MustDecide(t, s, system, at.Add(d), dispatch.CheckTimers{})
		if got := kinds(evs); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("CheckTimers at +%v = %q, want %q", d, got, want)
		}
		return evs
	}
}

// TestArrivalDeadline: metro accepts federal's EMERGENCY request and sends
// 1A12, three minutes away; it sits DISPATCHED. At its drive time and the
// two-minute margin, the request escalates to the sheriff (no_arrival),
// telling federal and the supervisors of the sheriff and of metro, which
// stays on the request. Metro's commander then holds the area and a
// supervisor calls 1A12 back: the request records the unit leaving, by
// whom, under which directive, tells federal and metro's supervisors at
// once, and waits for help again with a deadline; at it, it escalates to
// the state police (unit_left).
func TestArrivalDeadline(t *testing.T) {
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	tick := ticker(t, s, at)
	ask := askMetro
	ask.To = "" // level 1 of federal's plan: metro
	MustDecide(t, s, fedOfficer, at, ask)
	evs := MustDecide(t, s, metroDispA, at.Add(10*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.1a12"},
		ETAs: map[string]time.Duration{"metro.1a12": 3 * time.Minute}})
	arriveBy := at.Add(10*time.Second + 3*time.Minute + 2*time.Minute)
	if d := evs[0].Data.(*dispatch.AssistAccepted); d.ETASeconds != 180 || d.Deadline == nil || !d.Deadline.Equal(arriveBy) {
		t.Fatalf("assist.accepted = %+v, want ETA 180 s and an arrival deadline at %v", d, arriveBy)
	}
	if r := s.Requests[req1]; r.Status != dispatch.RequestAccepted || r.WaitingFor != dispatch.WaitArrival || !r.Deadline.Equal(arriveBy) {
		t.Fatalf("accepted request = %s waiting for %q until %v, want ACCEPTED waiting for arrival until %v", r.Status, r.WaitingFor, r.Deadline, arriveBy)
	}

	// The unit never moves: no alert before the deadline, one at it.
	tick(5*time.Minute + 9*time.Second)
	evs = tick(5*time.Minute+10*time.Second, "assist.escalated sheriff")
	d := evs[0].Data.(*dispatch.AssistEscalated)
	wantTold := []dispatch.Audience{{Agency: "federal"}, {Agency: "sheriff", Role: dispatch.RoleSupervisor}, {Agency: "metro", Role: dispatch.RoleSupervisor}}
	if d.Reason != dispatch.EscalateNoArrival || d.Level != 2 || !reflect.DeepEqual(d.Told, wantTold) {
		t.Errorf("escalation = %+v, want level 2 for no_arrival, told %v", d, wantTold)
	}
	r := s.Requests[req1]
	if r.Status != dispatch.RequestAccepted || r.Answer("metro").Answer != dispatch.AnswerAccepted || r.Helper("metro.1a12") == nil || r.Deadline == nil {
		t.Errorf("after no_arrival: request %s, metro %s, helping %+v, deadline %v; want metro still on it, a deadline running", r.Status, r.Answer("metro").Answer, r.Helping, r.Deadline)
	}

	// Metro's commander holds the area; only a supervisor calls a unit
	// helping on a request back, and with a reason.
	MustDecide(t, s, metroCmdr, at.Add(5*time.Minute+15*time.Second), holdKedzie(at))
	cancel := dispatch.CancelUnit{Unit: "metro.1a12", Reason: "hold order over the area"}
	_, err := cancel.Decide(s, metroDispA, at.Add(5*time.Minute+20*time.Second))
	checkDomainError(t, "CancelUnit by a dispatcher", err, dispatch.EFORBIDDEN, "only a supervisor of metro may cancel unit 1A12, which is helping on request "+req1)
	_, err = dispatch.CancelUnit{Unit: "metro.1a12"}.Decide(s, metroSup, at.Add(5*time.Minute+20*time.Second))
	checkDomainError(t, "CancelUnit with no reason", err, dispatch.EINVALID, "cancelling unit 1A12 needs a reason")
	left := at.Add(5*time.Minute + 20*time.Second)
	evs = MustDecide(t, s, metroSup, left, cancel)
	if got, want := kinds(evs), []string{"assist.unit_left metro.1a12 cancelled", "unit.status_changed metro.1a12 AVAILABLE"}; !slices.Equal(got, want) {
		t.Fatalf("CancelUnit = %q, want %q", got, want)
	}
	ul := evs[0].Data.(*dispatch.AssistUnitLeft)
	wantLeft := &dispatch.AssistUnitLeft{
		AssistRef: dispatch.AssistRef{Request: req1, FromAgency: "federal", ToAgency: "metro", Urgency: dispatch.UrgencyEmergency},
		Unit:      "metro.1a12", How: dispatch.LeftCancelled, Reason: "hold order over the area", Directives: []string{dir1},
		Deadline: ptr(left.Add(30 * time.Second)), Told: []dispatch.Audience{{Agency: "federal"}, {Agency: "metro", Role: dispatch.RoleSupervisor}},
	}
	if !reflect.DeepEqual(ul, wantLeft) || !reflect.DeepEqual(evs[0].Actor, metroSup) || evs[0].Agency != "federal" {
		t.Errorf("assist.unit_left = %+v by %+v (agency %s), want %+v by sue, on federal's record", ul, evs[0].Actor, evs[0].Agency, wantLeft)
	}
	if d := evs[1].Data.(*dispatch.UnitStatusChanged); d.Reason != "hold order over the area" || evs[1].Subject["request"] != req1 {
		t.Errorf("status change = %+v (subject %v), want the reason and the request named", d, evs[1].Subject)
	}
	r = s.Requests[req1]
	if r.Status != dispatch.RequestRequested || len(r.Helping) != 0 || r.WaitingFor != dispatch.WaitHelp || !r.Deadline.Equal(left.Add(30*time.Second)) {
		t.Errorf("after the unit left: request %s, helping %+v, waiting for %q until %v; want REQUESTED, waiting for help for 30 s", r.Status, r.Helping, r.WaitingFor, r.Deadline)
	}
	if u := s.Units["metro.1a12"]; u.Status != dispatch.StatusAvailable || u.Request != "" {
		t.Errorf("unit called back = %s on %q, want AVAILABLE on none", u.Status, u.Request)
	}
	if h := r.History[len(r.History)-1]; h.Type != dispatch.TypeAssistUnitLeft || h.Who.User != "sue" || h.How != dispatch.LeftCancelled || !slices.Equal(h.Directives, []string{dir1}) {
		t.Errorf("history step = %+v, want the unit's leaving by sue under %s", h, dir1)
	}

	// Nobody comes instead: at the deadline, the next level.
	tick(5*time.Minute + 49*time.Second)
	evs = tick(5*time.Minute+50*time.Second, "assist.escalated state")
	if d := evs[0].Data.(*dispatch.AssistEscalated); d.Reason != dispatch.EscalateUnitLeft {
		t.Errorf("escalation after the unit left = %s, want %s", d.Reason, dispatch.EscalateUnitLeft)
	}
	// The state police come and arrive: the watch rests.
	MustDecide(t, s, stateLiaison, at.Add(6*time.Minute), dispatch.AcceptAssist{Request: req1, Units: []string{"state.p1"}, ETAs: map[string]time.Duration{"state.p1": time.Minute}})
	MustDecide(t, s, system, at.Add(7*time.Minute), status("state.p1", "EN_ROUTE"))
	evs = MustDecide(t, s, system, at.Add(8*time.Minute), status("state.p1", "ON_SCENE"))
	if got := kinds(evs); !slices.Equal(got, []string{"unit.status_changed state.p1 ON_SCENE", "assist.on_scene state.p1"}) {
		t.Errorf("arrival = %q", got)
	}
	if r := s.Requests[req1]; r.Status != dispatch.RequestOnScene || r.Deadline != nil {
		t.Errorf("help on scene: request %s with deadline %v, want ON_SCENE and no deadline", r.Status, r.Deadline)
	}
	tick(25 * time.Minute)
}

// TestHelpingUnitClears: a unit helping that clears before the requester
// released the request is on the record; while another unit helping is on
// scene, the request stays ON_SCENE with no deadline; when the last one
// clears, it waits for help again.
func TestHelpingUnitClears(t *testing.T) {
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	MustDecide(t, s, fedOfficer, at, askMetro)
	MustDecide(t, s, metroDispA, at.Add(10*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.1a12", "metro.t7"}})
	for _, u := range []string{"metro.1a12", "metro.t7"} {
		MustDecide(t, s, system, at.Add(time.Minute), status(u, "EN_ROUTE"))
		MustDecide(t, s, system, at.Add(2*time.Minute), status(u, "ON_SCENE"))
	}
	evs := MustDecide(t, s, metroOfficer, at.Add(3*time.Minute), status("metro.1a12", "AVAILABLE"))
	if got, want := kinds(evs), []string{"assist.unit_left metro.1a12 cleared", "unit.status_changed metro.1a12 AVAILABLE"}; !slices.Equal(got, want) {
		t.Fatalf("clearing = %q, want %q", got, want)
	}
	if d := evs[0].Data.(*dispatch.AssistUnitLeft); d.Deadline != nil || !reflect.DeepEqual(evs[0].Actor, metroOfficer) {
		t.Errorf("assist.unit_left = %+v by %+v, want no deadline (T7 stays on scene), by oz", d, evs[0].Actor)
	}
	if r := s.Requests[req1]; r.Status != dispatch.RequestOnScene || r.Deadline != nil || len(r.Helping) != 1 {
		t.Errorf("with T7 on scene: request %s, deadline %v, helping %+v", r.Status, r.Deadline, r.Helping)
	}
	evs = MustDecide(t, s, metroDispA, at.Add(4*time.Minute), status("metro.t7", "AVAILABLE"))
	if got := kinds(evs); got[0] != "assist.unit_left metro.t7 cleared" {
		t.Fatalf("last unit clearing = %q", got)
	}
	if r := s.Requests[req1]; r.Status != dispatch.RequestRequested || r.WaitingFor != dispatch.WaitHelp || r.Deadline == nil || !r.Deadline.Equal(at.Add(4*time.Minute+30*time.Second)) {
		t.Errorf("with nobody left: request %s waiting for %q until %v, want REQUESTED waiting for help 30 s", r.Status, r.WaitingFor, r.Deadline)
	}
	// Released by its requester, the units' going AVAILABLE is no leaving.
	MustDecide(t, s, metroDispA, at.Add(5*time.Minute), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.1a12"}})
	evs = MustDecide(t, s, fedOfficer, at.Add(6*time.Minute), dispatch.CloseAssist{Request: req1, Disposition: "team out"})
	if got, want := kinds(evs), []string{"assist.closed", "unit.status_changed metro.1a12 AVAILABLE"}; !slices.Equal(got, want) {
		t.Errorf("release = %q, want %q", got, want)
	}
}

// TestEndEmergency: an officer's EMERGENCY is ended (the status reset, or
// its request closed) only by the person who pressed it or a supervisor of
// the agency, with a reason; a dispatcher's or a call-taker's attempt is
// refused.
func TestEndEmergency(t *testing.T) {
	fedCallTaker := dispatch.Actor{User: "fct", Agency: "federal", Role: dispatch.RoleCallTaker}
	for _, tc := range []struct {
		name   string
		actor  dispatch.Actor
		cmd    dispatch.Command
		code   string
		msg    string
		reason string
	}{
		{"ErrForbiddenDispatcher", fedDisp, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "all quiet"}, dispatch.EFORBIDDEN, "only fo, who raised it, or a supervisor of federal may end the EMERGENCY of unit F1", ""},
		{"ErrForbiddenCallTaker", fedCallTaker, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "all quiet"}, dispatch.EFORBIDDEN, "", ""},
		{"ErrForbiddenOtherSupervisor", metroSup, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "all quiet"}, dispatch.EFORBIDDEN, "", ""},
		{"ErrInvalidNoReason", fedOfficer, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE"}, dispatch.EINVALID, "ending the EMERGENCY of unit F1 needs a reason", ""},
		{"ErrForbiddenCloseDispatcher", fedDisp, dispatch.CloseAssist{Request: req1, Disposition: "all quiet"}, dispatch.EFORBIDDEN, "only fo, who raised it, or a supervisor of federal may close EMERGENCY request " + req1, ""},
		{"ErrForbiddenCloseCallTaker", fedCallTaker, dispatch.CloseAssist{Request: req1, Disposition: "all quiet"}, dispatch.EFORBIDDEN, "may close EMERGENCY request", ""},
		{"OfficerOwn", fedOfficer, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "false alarm, pressed by mistake"}, "", "", "false alarm, pressed by mistake"},
		{"Supervisor", fedSup, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "officer answered on the radio"}, "", "", "officer answered on the radio"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t)
			at := mutualAidT0.Add(time.Hour)
			MustDecide(t, s, fedOfficer, at.Add(time.Second), status("federal.f1", "EMERGENCY"))
			if u := s.Units["federal.f1"]; u.EmergencyBy != "fo" {
				t.Fatalf("unit in EMERGENCY pressed by %q, want fo", u.EmergencyBy)
			}
			evs, err := tc.cmd.Decide(s, tc.actor, at.Add(time.Minute))
			if tc.code != "" {
				checkDomainError(t, fmt.Sprintf("%#v by %s", tc.cmd, tc.actor.User), err, tc.code, tc.msg)
				if u := s.Units["federal.f1"]; u.Status != dispatch.StatusEmergency || s.Requests[req1].Status == dispatch.RequestClosed {
					t.Errorf("refused: unit %s, request %s", u.Status, s.Requests[req1].Status)
				}
				return
			}
			if err != nil {
				t.Fatalf("%#v by %s = %v, want it done", tc.cmd, tc.actor.User, err)
			}
			if d := evs[0].Data.(*dispatch.UnitStatusChanged); d.Reason != tc.reason || !reflect.DeepEqual(evs[0].Actor, tc.actor) || evs[0].Subject["request"] != req1 {
				t.Errorf("status change = %+v by %+v (subject %v), want the reason %q by %s, on request %s's record", d, evs[0].Actor, evs[0].Subject, tc.reason, tc.actor.User, req1)
			}
		})
	}
	// A supervisor closes the EMERGENCY request, once the status is reset.
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	MustDecide(t, s, fedOfficer, at, status("federal.f1", "EMERGENCY"))
	MustDecide(t, s, fedSup, at.Add(time.Minute), dispatch.SetUnitStatus{Unit: "federal.f1", Status: "AVAILABLE", Reason: "officer safe"})
	evs := MustDecide(t, s, fedSup, at.Add(2*time.Minute), dispatch.CloseAssist{Request: req1, Disposition: "officer safe, spoke on the radio"})
	if evs[0].Actor.User != "fs" || s.Requests[req1].Status != dispatch.RequestClosed {
		t.Errorf("close by the supervisor = %q by %+v", kinds(evs), evs[0].Actor)
	}
}

// TestCancelUnit calls back a unit on its way to an incident: the record
// says who and why, and the incident waits again when nobody is left.
func TestCancelUnit(t *testing.T) {
	metroCallTaker := dispatch.Actor{User: "cal", Agency: "metro", Role: dispatch.RoleCallTaker}
	for _, tc := range []struct {
		name  string
		path  string
		actor dispatch.Actor
		cmd   dispatch.CancelUnit
		code  string
		msg   string
	}{
		{"ErrNotFound", dispatch.StatusEnRoute, metroDisp, dispatch.CancelUnit{Unit: "metro.9z9", Reason: "x"}, dispatch.ENOTFOUND, "unit metro.9z9 does not exist"},
		{"ErrNotFoundOtherAgency", dispatch.StatusEnRoute, sherDisp, dispatch.CancelUnit{Unit: "metro.2b7", Reason: "x"}, dispatch.ENOTFOUND, "unit metro.2b7 does not exist"},
		{"ErrForbiddenCallTaker", dispatch.StatusEnRoute, metroCallTaker, dispatch.CancelUnit{Unit: "metro.2b7", Reason: "x"}, dispatch.EFORBIDDEN, "only a dispatcher or a supervisor cancels a unit"},
		{"ErrInvalidNoReason", dispatch.StatusEnRoute, metroDisp, dispatch.CancelUnit{Unit: "metro.2b7", Reason: "  "}, dispatch.EINVALID, "cancelling unit 2B7 needs a reason"},
		{"ErrInvalidOnScene", dispatch.StatusOnScene, metroDisp, dispatch.CancelUnit{Unit: "metro.2b7", Reason: "x"}, dispatch.EINVALID, "unit 2B7 is ON_SCENE; only a unit on its way"},
		{"ErrInvalidAvailable", dispatch.StatusAvailable, metroDisp, dispatch.CancelUnit{Unit: "metro.2b7", Reason: "x"}, dispatch.EINVALID, "unit 2B7 is AVAILABLE"},
		{"Dispatched", dispatch.StatusDispatched, metroDisp, dispatch.CancelUnit{Unit: "metro.2b7", Reason: "caller says the noise stopped"}, "", ""},
		{"EnRoute", dispatch.StatusEnRoute, metroDisp, dispatch.CancelUnit{Unit: "metro.2b7", Reason: "caller says the noise stopped"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustLifecycleFixture(t, pathTo[tc.path]...)
			evs, err := tc.cmd.Decide(s, tc.actor, now)
			if tc.code != "" {
				checkDomainError(t, fmt.Sprintf("%#v", tc.cmd), err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := kinds(evs), []string{"incident.unit_cancelled", "unit.status_changed metro.2b7 AVAILABLE"}; !slices.Equal(got, want) {
				t.Fatalf("CancelUnit = %q, want %q", got, want)
			}
			if d := evs[0].Data.(*dispatch.UnitCancelled); d.Incident != inc1 || d.Reason != tc.cmd.Reason || !reflect.DeepEqual(evs[0].Actor, metroDisp) {
				t.Errorf("incident.unit_cancelled = %+v by %+v", d, evs[0].Actor)
			}
			for _, e := range evs {
				if err := s.Apply(e); err != nil {
					t.Fatal(err)
				}
			}
			if u := s.Units["metro.2b7"]; u.Status != dispatch.StatusAvailable || u.Incident != "" {
				t.Errorf("unit = %s on %q, want AVAILABLE", u.Status, u.Incident)
			}
			if in := s.Incidents[inc1]; in.Status != dispatch.IncidentPending {
				t.Errorf("incident = %s, want PENDING again with nobody on it", in.Status)
			}
		})
	}
}
