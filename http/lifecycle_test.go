package http_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// checkChanged checks a 200 answer to a command: Tenfour-Seq names its first
// event, of type first, and Tenfour-Log-Size is the log holding all n.
func checkChanged(tb testing.TB, ts *TestServer, call string, r Response, first string, n int) {
	tb.Helper()
	if r.Status != http.StatusOK {
		tb.Fatalf("%s = %d %s, want 200", call, r.Status, r.Body)
	}
	seq, err := strconv.ParseInt(r.Header.Get("Tenfour-Seq"), 10, 64)
	if err != nil {
		tb.Fatalf("%s: Tenfour-Seq = %q, want a number", call, r.Header.Get("Tenfour-Seq"))
	}
	size, err := strconv.ParseInt(r.Header.Get("Tenfour-Log-Size"), 10, 64)
	if err != nil || size != seq+int64(n) {
		tb.Errorf("%s: Tenfour-Log-Size = %q, want %d", call, r.Header.Get("Tenfour-Log-Size"), seq+int64(n))
	}
	evs := ts.Events(tb, seq)
	if len(evs) < n || evs[0].Type != first {
		tb.Fatalf("%s: events from %d = %d, first %v, want %d from %s", call, seq, len(evs), evs, n, first)
	}
}

// TestIncidentLifecycle follows an incident through HTTP: dispatch, en route,
// on scene, clear, with the incident's times and the units' statuses.
func TestIncidentLifecycle(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "2B7", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"})
	id := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	sid := ts.MustExecute(t, dispatch.CreateIncident{Agency: "sheriff", Type: "THEFT", Location: dispatch.Location{Text: "Farm"}}).Events[0].Subject["incident"]
	dan := ts.MustCreateUser(t, "dan", "metro", dispatch.RoleDispatcher)
	oz := ts.MustCreateUser(t, "oz", "metro", dispatch.RoleOfficer)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher, dispatch.RoleOfficer)
	incPath, unitPath := "/api/v1/incidents/"+id, "/api/v1/units/metro.1a12/status"
	ts.MustCrew(t, "metro.1a12", "oz")

	var in dispatch.Incident
	r := ts.Do(t, "POST", incPath+"/dispatch", dan, map[string]any{"units": []string{"metro.1a12", "metro.2b7"}})
	checkChanged(t, ts, "POST dispatch", r, dispatch.TypeIncidentDispatched, 3)
	MustJSON(t, "POST dispatch", r, 200, &in)
	if in.Status != dispatch.IncidentActive || in.Dispatched == nil || in.EnRoute != nil || !slices.Equal(in.Units, []string{"metro.1a12", "metro.2b7"}) {
		t.Fatalf("POST dispatch = %+v, want ACTIVE, dispatched, with both units", in)
	}
	dispatched := *in.Dispatched

	var u dispatch.Unit
	for _, st := range []string{"EN_ROUTE", "ON_SCENE"} {
		r := ts.Do(t, "POST", unitPath, oz, map[string]string{"status": st})
		checkChanged(t, ts, "POST status "+st, r, dispatch.TypeUnitStatusChanged, 1)
		MustJSON(t, "POST status "+st, r, 200, &u)
		if u.ID != "metro.1a12" || u.Status != st || u.Incident != id || u.Capabilities == nil {
			t.Errorf("POST status %s = %+v, want 1A12 %s on %s", st, u, st, id)
		}
	}
	MustJSON(t, "GET incident", ts.Do(t, "GET", incPath, dan, nil), 200, &in)
	if in.EnRoute == nil || in.OnScene == nil || !in.Dispatched.Equal(dispatched) || !in.Dispatched.Before(*in.EnRoute) || !in.EnRoute.Before(*in.OnScene) {
		t.Errorf("GET incident = %+v, want dispatched < en route < on scene", in)
	}

	t.Run("ErrInvalidTransition", func(t *testing.T) {
		CheckProblem(t, "POST status DISPATCHED", ts.Do(t, "POST", "/api/v1/units/metro.2b7/status", dan, map[string]string{"status": "ON_SCENE"}),
			422, dispatch.EINVALID, "unit 2B7 is DISPATCHED and cannot go ON_SCENE")
		CheckProblem(t, "POST status parked", ts.Do(t, "POST", unitPath, oz, map[string]string{"status": "PARKED"}),
			422, dispatch.EINVALID, `status "PARKED" is not one of`)
		CheckProblem(t, "POST status with an unknown field", ts.Do(t, "POST", unitPath, oz, map[string]string{"state": "BUSY"}),
			400, "bad_request", `unknown field "state"`)
	})
	t.Run("ErrNotFoundOtherAgency", func(t *testing.T) {
		CheckProblem(t, "POST metro status as deputy", ts.Do(t, "POST", unitPath, deputy, map[string]string{"status": "AVAILABLE"}),
			404, dispatch.ENOTFOUND, "unit metro.1a12 does not exist")
		CheckProblem(t, "POST metro dispatch as deputy", ts.Do(t, "POST", incPath+"/dispatch", deputy, map[string]any{"units": []string{"sheriff.s1"}}),
			404, dispatch.ENOTFOUND, id+" does not exist")
		CheckProblem(t, "POST metro clear as deputy", ts.Do(t, "POST", incPath+"/clear", deputy, map[string]string{"disposition": "x"}),
			404, dispatch.ENOTFOUND, id+" does not exist")
		CheckProblem(t, "POST sheriff dispatch of a metro unit", ts.Do(t, "POST", "/api/v1/incidents/"+sid+"/dispatch", deputy, map[string]any{"units": []string{"metro.2b7"}}),
			404, dispatch.ENOTFOUND, "agency sheriff has no unit metro.2b7")
		CheckProblem(t, "POST status of no unit", ts.Do(t, "POST", "/api/v1/units/metro.9z9/status", dan, map[string]string{"status": "BUSY"}),
			404, dispatch.ENOTFOUND, "unit metro.9z9 does not exist")
	})
	// An officer operates only the unit they crew (issue 13): oz crews
	// 1A12, not 2B7, and neither sets its status, presses its EMERGENCY
	// button nor reports its position; nothing enters the log.
	t.Run("ErrForbiddenOfficerNotCrew", func(t *testing.T) {
		before := ts.Engine.Log().Size()
		CheckProblem(t, "POST 2B7 EMERGENCY as oz", ts.Do(t, "POST", "/api/v1/units/metro.2b7/status", oz, map[string]string{"status": "EMERGENCY"}),
			403, dispatch.EFORBIDDEN, "oz is not on the crew of unit 2B7, and an officer presses EMERGENCY only for a unit they crew; sign on to it first")
		CheckProblem(t, "POST 2B7 OUT_OF_SERVICE as oz", ts.Do(t, "POST", "/api/v1/units/metro.2b7/status", oz, map[string]string{"status": "OUT_OF_SERVICE"}),
			403, dispatch.EFORBIDDEN, "an officer changes the status only of a unit they crew")
		CheckProblem(t, "POST 2B7's position as oz", ts.Do(t, "POST", "/api/v1/units/positions", oz, []map[string]any{
			{"unit": "metro.1a12", "lat": 41.82, "lon": -87.70, "time": ts.Engine.Now()},
			{"unit": "metro.2b7", "lat": 41.82, "lon": -87.70, "time": ts.Engine.Now()}}),
			403, dispatch.EFORBIDDEN, "position 1: oz is not on the crew of unit 2B7")
		if _, ok := ts.Engine.Position("metro.1a12"); ok {
			t.Error("a refused batch of positions kept 1A12's")
		}
		if after := ts.Engine.Log().Size(); after != before {
			t.Errorf("log grew from %d to %d on refused commands", before, after)
		}
	})
	t.Run("ErrForbiddenOfficerDispatch", func(t *testing.T) {
		CheckProblem(t, "POST dispatch as officer", ts.Do(t, "POST", incPath+"/dispatch", oz, map[string]any{"units": []string{"metro.2b7"}}),
			403, dispatch.EFORBIDDEN, "not open to your roles")
	})
	t.Run("ErrConflictBusy", func(t *testing.T) {
		CheckProblem(t, "POST dispatch of a busy unit", ts.Do(t, "POST", "/api/v1/incidents/"+id+"/dispatch", dan, map[string]any{"units": []string{"metro.1a12"}}),
			409, dispatch.ECONFLICT, "unit 1A12 is already on incident "+id)
	})

	r = ts.Do(t, "POST", incPath+"/clear", dan, map[string]string{"disposition": "report taken"})
	checkChanged(t, ts, "POST clear", r, dispatch.TypeIncidentCleared, 3)
	MustJSON(t, "POST clear", r, 200, &in)
	if in.Status != dispatch.IncidentClosed || in.Disposition != "report taken" || in.Cleared == nil || in.Cleared.Before(*in.OnScene) {
		t.Errorf("POST clear = %+v, want CLOSED, report taken, cleared after on scene", in)
	}
	for _, k := range []string{"dispatched", "en_route", "on_scene", "cleared", "disposition"} {
		if !slices.Contains(keys(t, r.Body), k) {
			t.Errorf("POST clear: members %v, want %s", keys(t, r.Body), k)
		}
	}
	var list struct{ Units []dispatch.Unit }
	MustJSON(t, "GET units", ts.Do(t, "GET", "/api/v1/units?agency=metro", dan, nil), 200, &list)
	for _, u := range list.Units {
		if u.Status != dispatch.StatusAvailable || u.Incident != "" || !u.StatusSince.Equal(*in.Cleared) {
			t.Errorf("unit after clear = %+v, want AVAILABLE on no incident since %v", u, in.Cleared.Format(time.RFC3339Nano))
		}
	}
	CheckProblem(t, "POST dispatch to a closed incident", ts.Do(t, "POST", incPath+"/dispatch", dan, map[string]any{"units": []string{"metro.1a12"}}),
		409, dispatch.ECONFLICT, "is closed")
}
