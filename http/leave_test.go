package http_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestEndEmergencyThroughAPI: an officer's EMERGENCY is not reset by a
// dispatcher or a call-taker; the officer who pressed it ends it with a
// reason, and a supervisor may; the reason is on the record. Closing the
// EMERGENCY request is for its raiser or a supervisor too.
func TestEndEmergencyThroughAPI(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	oz := ts.MustCreateUser(t, "oz", "metro", dispatch.RoleOfficer)
	dan := ts.MustCreateUser(t, "dan", "metro", dispatch.RoleDispatcher)
	cal := ts.MustCreateUser(t, "cal", "metro", dispatch.RoleCallTaker)
	sue := ts.MustCreateUser(t, "sue", "metro", dispatch.RoleSupervisor)
	ts.MustCrew(t, "metro.1a12", "oz")
	const unit = "/api/v1/units/metro.1a12/status"

	r := ts.Do(t, "POST", unit, oz, map[string]string{"status": "EMERGENCY"})
	checkChanged(t, ts, "POST EMERGENCY", r, dispatch.TypeUnitStatusChanged, 2)
	var u dispatch.Unit
	MustJSON(t, "POST EMERGENCY", r, 200, &u)
	if u.EmergencyBy != "oz" {
		t.Fatalf("unit in EMERGENCY pressed by %q, want oz", u.EmergencyBy)
	}
	request := ts.Events(t, seqOf(t, r))[1].Subject["request"]
	before := ts.Engine.Log().Size()
	CheckProblem(t, "dispatcher resets it", ts.Do(t, "POST", unit, dan, map[string]string{"status": "AVAILABLE", "reason": "sounds fine"}),
		403, dispatch.EFORBIDDEN, "only oz, who raised it, or a supervisor of metro may end the EMERGENCY of unit 1A12")
	CheckProblem(t, "call-taker resets it", ts.Do(t, "POST", unit, cal, map[string]string{"status": "AVAILABLE", "reason": "sounds fine"}),
		403, dispatch.EFORBIDDEN, "")
	CheckProblem(t, "dispatcher closes the request", ts.Do(t, "POST", "/api/v1/requests/"+request+"/close", dan, map[string]string{"disposition": "sounds fine"}),
		403, dispatch.EFORBIDDEN, "only oz, who raised it, or a supervisor of metro may close EMERGENCY request "+request)
	CheckProblem(t, "call-taker closes the request", ts.Do(t, "POST", "/api/v1/requests/"+request+"/close", cal, map[string]string{"disposition": "sounds fine"}),
		403, dispatch.EFORBIDDEN, "may close EMERGENCY request")
	CheckProblem(t, "officer without a reason", ts.Do(t, "POST", unit, oz, map[string]string{"status": "AVAILABLE"}),
		422, dispatch.EINVALID, "ending the EMERGENCY of unit 1A12 needs a reason")
	// The refusals are accounted for (audit events), and change nothing.
	for _, e := range ts.Events(t, before) {
		if e.Type == dispatch.TypeUnitStatusChanged || e.Type == dispatch.TypeAssistClosed {
			t.Fatalf("a refused attempt logged %s", e.Type)
		}
	}

	r = ts.Do(t, "POST", unit, oz, map[string]string{"status": "AVAILABLE", "reason": "pressed by mistake"})
	checkChanged(t, ts, "officer ends it", r, dispatch.TypeUnitStatusChanged, 1)
	ev := ts.Events(t, seqOf(t, r))[0]
	var d dispatch.UnitStatusChanged
	if err := json.Unmarshal(ev.Data, &d); err != nil || d.Reason != "pressed by mistake" || ev.Actor.User != "oz" {
		t.Errorf("status change = %s by %+v, want the reason, by oz", ev.Data, ev.Actor)
	}
	r = ts.Do(t, "POST", "/api/v1/requests/"+request+"/close", sue, map[string]string{"disposition": "officer safe, pressed by mistake"})
	if r.Status != 200 {
		t.Fatalf("supervisor closes the EMERGENCY request = %d %s, want 200", r.Status, r.Body)
	}
}

// TestCancelUnitThroughAPI: a dispatcher calls back a unit on its way with
// a reason; the incident waits again.
func TestCancelUnitThroughAPI(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	id := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	dan := ts.MustCreateUser(t, "dan", "metro", dispatch.RoleDispatcher)
	cal := ts.MustCreateUser(t, "cal", "metro", dispatch.RoleCallTaker)
	if r := ts.Do(t, "POST", "/api/v1/incidents/"+id+"/dispatch", dan, map[string]any{"units": []string{"metro.1a12"}}); r.Status != 200 {
		t.Fatalf("dispatch = %d %s", r.Status, r.Body)
	}
	const cancel = "/api/v1/units/metro.1a12/cancel"
	CheckProblem(t, "cancel as a call-taker", ts.Do(t, "POST", cancel, cal, map[string]string{"reason": "x"}), 403, dispatch.EFORBIDDEN, "not open to your roles")
	CheckProblem(t, "cancel with no reason", ts.Do(t, "POST", cancel, dan, map[string]string{}), 422, dispatch.EINVALID, "cancelling unit 1A12 needs a reason")
	CheckProblem(t, "cancel with an unknown field", ts.Do(t, "POST", cancel, dan, map[string]string{"why": "x"}), 400, "bad_request", `unknown field "why"`)
	r := ts.Do(t, "POST", cancel, dan, map[string]string{"reason": "caller says it stopped"})
	checkChanged(t, ts, "cancel", r, dispatch.TypeUnitCancelled, 2)
	var u dispatch.Unit
	MustJSON(t, "cancel", r, 200, &u)
	if u.Status != dispatch.StatusAvailable || u.Incident != "" {
		t.Errorf("cancelled unit = %s on %q, want AVAILABLE", u.Status, u.Incident)
	}
	var in dispatch.Incident
	MustJSON(t, "GET incident", ts.Do(t, "GET", "/api/v1/incidents/"+id, dan, nil), 200, &in)
	if in.Status != dispatch.IncidentPending {
		t.Errorf("incident = %s, want PENDING again", in.Status)
	}
	CheckProblem(t, "cancel an AVAILABLE unit", ts.Do(t, "POST", cancel, dan, map[string]string{"reason": "x"}), 422, dispatch.EINVALID, "unit 1A12 is AVAILABLE")
}

// seqOf returns the Tenfour-Seq of a command's answer: its first event.
func seqOf(tb testing.TB, r Response) int64 {
	tb.Helper()
	seq, err := strconv.ParseInt(r.Header.Get("Tenfour-Seq"), 10, 64)
	if err != nil {
		tb.Fatalf("Tenfour-Seq = %q, want a number", r.Header.Get("Tenfour-Seq"))
	}
	return seq
}
