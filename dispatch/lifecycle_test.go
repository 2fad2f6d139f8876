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

const (
	inc1 = "metro-2026-000001" // the fixture's incident
	inc2 = "metro-2026-000002" // made by MustLifecycleFixture
	sinc = "sheriff-2026-000001"
)

// MustLifecycleFixture returns the fixture state with more units (metro.1a12,
// sheriff.s1), a second metro incident and a sheriff incident, after which
// each of cmds is decided by the system and applied, a minute apart.
func MustLifecycleFixture(tb testing.TB, cmds ...dispatch.Command) *dispatch.State {
	tb.Helper()
	s := MustFixture(tb)
	base := []dispatch.Command{
		dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"},
		dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "2 Main St"}},
		dispatch.CreateIncident{Agency: "sheriff", Type: "THEFT", Location: dispatch.Location{Text: "Farm"}},
	}
	MustRun(tb, s, t0, append(base, cmds...)...)
	return s
}

// MustRun decides each command as the system at at, at+1m…, and applies it.
func MustRun(tb testing.TB, s *dispatch.State, at time.Time, cmds ...dispatch.Command) {
	tb.Helper()
	for i, c := range cmds {
		evs, err := c.Decide(s, system, at.Add(time.Duration(i)*time.Minute))
		if err != nil {
			tb.Fatalf("%#v.Decide = %v, want events", c, err)
		}
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				tb.Fatalf("Apply(%s) = %v", e.Type, err)
			}
		}
	}
}

func status(unit, st string) dispatch.Command { return dispatch.SetUnitStatus{Unit: unit, Status: st} }

// pathTo is how metro.2b7 reaches each status: on incident 1 for the
// statuses of a response; EMERGENCY from EN_ROUTE.
var pathTo = map[string][]dispatch.Command{
	dispatch.StatusAvailable:    nil,
	dispatch.StatusDispatched:   {dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}},
	dispatch.StatusEnRoute:      {dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}, status("metro.2b7", "EN_ROUTE")},
	dispatch.StatusOnScene:      {dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}, status("metro.2b7", "EN_ROUTE"), status("metro.2b7", "ON_SCENE")},
	dispatch.StatusTransporting: {dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}, status("metro.2b7", "EN_ROUTE"), status("metro.2b7", "ON_SCENE"), status("metro.2b7", "TRANSPORTING")},
	dispatch.StatusBusy:         {status("metro.2b7", "BUSY")},
	dispatch.StatusOutOfService: {status("metro.2b7", "OUT_OF_SERVICE")},
	dispatch.StatusEmergency:    {dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}, status("metro.2b7", "EN_ROUTE"), status("metro.2b7", "EMERGENCY")},
}

// legal lists the legal transitions, written out apart from
// dispatch.Transitions so that a change to either is caught. EMERGENCY here
// was entered from EN_ROUTE, so it may go back there.
var legal = map[[2]string]bool{
	{"AVAILABLE", "DISPATCHED"}: true, {"AVAILABLE", "BUSY"}: true, {"AVAILABLE", "OUT_OF_SERVICE"}: true, {"AVAILABLE", "EMERGENCY"}: true,
	{"DISPATCHED", "EN_ROUTE"}: true, {"DISPATCHED", "EMERGENCY"}: true,
	{"EN_ROUTE", "ON_SCENE"}: true, {"EN_ROUTE", "EMERGENCY"}: true,
	{"ON_SCENE", "TRANSPORTING"}: true, {"ON_SCENE", "AVAILABLE"}: true, {"ON_SCENE", "EMERGENCY"}: true,
	{"TRANSPORTING", "AVAILABLE"}: true, {"TRANSPORTING", "EMERGENCY"}: true,
	{"BUSY", "AVAILABLE"}: true, {"BUSY", "EMERGENCY"}: true,
	{"OUT_OF_SERVICE", "AVAILABLE"}: true, {"OUT_OF_SERVICE", "EMERGENCY"}: true,
	{"EMERGENCY", "AVAILABLE"}: true, {"EMERGENCY", "EN_ROUTE"}: true,
}

// TestSetUnitStatusTransitions tries every pair of statuses.
func TestSetUnitStatusTransitions(t *testing.T) {
	if len(pathTo) != len(dispatch.UnitStatuses) || len(dispatch.Transitions) != len(dispatch.UnitStatuses) {
		t.Fatalf("the test knows %d statuses and the table %d, want all %d", len(pathTo), len(dispatch.Transitions), len(dispatch.UnitStatuses))
	}
	for _, from := range dispatch.UnitStatuses {
		for _, to := range dispatch.UnitStatuses {
			t.Run(from+"_"+to, func(t *testing.T) {
				s := MustLifecycleFixture(t, pathTo[from]...)
				before := *s.Units["metro.2b7"]
				if before.Status != from {
					t.Fatalf("fixture unit is %s, want %s", before.Status, from)
				}
				cmd, actor := status("metro.2b7", to), metroDisp
				if from == dispatch.StatusEmergency {
					// Ending an EMERGENCY: a supervisor, with a reason
					// (TestEndEmergency tests who may).
					cmd, actor = dispatch.SetUnitStatus{Unit: "metro.2b7", Status: to, Reason: "officer safe"}, metroSup
				}
				evs, err := cmd.Decide(s, actor, now)
				switch {
				case from == "AVAILABLE" && to == "DISPATCHED":
					checkDomainError(t, "SetUnitStatus(AVAILABLE→DISPATCHED)", err, dispatch.EINVALID, "only by being dispatched to an incident")
					return
				case from == to:
					checkDomainError(t, fmt.Sprintf("SetUnitStatus(%s→%s)", from, to), err, dispatch.EINVALID, "unit 2B7 is already "+to)
					return
				case !legal[[2]string{from, to}]:
					checkDomainError(t, fmt.Sprintf("SetUnitStatus(%s→%s)", from, to), err, dispatch.EINVALID,
						"unit 2B7 is "+from+" and cannot go "+to+"; it can go ")
					return
				}
				if err != nil {
					t.Fatalf("SetUnitStatus(%s→%s) = %v, want it legal", from, to, err)
				}
				subject := map[string]string{"unit": "metro.2b7"}
				if before.Incident != "" {
					subject["incident"] = before.Incident
				}
				if from == dispatch.StatusEmergency {
					// The end of an EMERGENCY is a step of the request
					// its press raised.
					subject["request"] = "metro-A-2026-000001"
				}
				want := []dispatch.Event{{Time: now, Type: dispatch.TypeUnitStatusChanged, Agency: "metro", Actor: actor, Subject: subject,
					Data: &dispatch.UnitStatusChanged{Unit: "metro.2b7", Status: to, Previous: from, Incident: before.Incident, Reason: cmd.(dispatch.SetUnitStatus).Reason}}}
				// The emergency button also raises an assistance request
				// (assist_test.go tests it); nothing else follows a change.
				// The press names the request it raised.
				if to == dispatch.StatusEmergency && len(evs) == 2 && evs[1].Type == dispatch.TypeAssistRequested {
					subject["request"] = evs[1].Subject["request"]
					evs = evs[:1]
				}
				if !reflect.DeepEqual(evs, want) {
					t.Fatalf("SetUnitStatus(%s→%s).Decide =\n%s\nwant\n%s", from, to, dump(evs), dump(want))
				}
				if err := s.Apply(evs[0]); err != nil {
					t.Fatal(err)
				}
				u := s.Units["metro.2b7"]
				wantIncident := before.Incident
				if to == "AVAILABLE" {
					wantIncident = ""
				}
				if u.Status != to || !u.StatusSince.Equal(now) || u.Incident != wantIncident {
					t.Errorf("after %s→%s: unit = %+v, want %s since %v on incident %q", from, to, u, to, now, wantIncident)
				}
			})
		}
	}
}

// TestEmergencyResume checks that a unit goes back from EMERGENCY to the
// status it was in before, on the same incident, or to AVAILABLE.
func TestEmergencyResume(t *testing.T) {
	for _, from := range dispatch.UnitStatuses {
		if from == dispatch.StatusEmergency {
			continue
		}
		t.Run(from, func(t *testing.T) {
			s := MustLifecycleFixture(t, append(slices.Clone(pathTo[from]), status("metro.2b7", "EMERGENCY"))...)
			u := *s.Units["metro.2b7"]
			if u.Status != "EMERGENCY" || u.Resume != from {
				t.Fatalf("unit = %+v, want EMERGENCY resuming %s", u, from)
			}
			MustRun(t, s, now, dispatch.SetUnitStatus{Unit: "metro.2b7", Status: from, Reason: "officer safe"})
			if got := s.Units["metro.2b7"]; got.Status != from || got.Incident != u.Incident || got.Resume != "" {
				t.Errorf("back from EMERGENCY: unit = %+v, want %s on %q", got, from, u.Incident)
			}
			// Another status is refused, naming the ones it may go to.
			s = MustLifecycleFixture(t, append(slices.Clone(pathTo[from]), status("metro.2b7", "EMERGENCY"))...)
			other := "TRANSPORTING"
			if from == other {
				other = "BUSY"
			}
			_, err := status("metro.2b7", other).Decide(s, metroDisp, now)
			wantNext := "AVAILABLE"
			if from != "AVAILABLE" {
				wantNext += " or " + from
			}
			checkDomainError(t, "SetUnitStatus(EMERGENCY→"+other+")", err, dispatch.EINVALID, "it can go "+wantNext)
		})
	}
}

func TestSetUnitStatusErrors(t *testing.T) {
	s := MustLifecycleFixture(t)
	for _, tc := range []struct {
		name     string
		cmd      dispatch.SetUnitStatus
		actor    dispatch.Actor
		code     string
		msg      string
		accepted bool
	}{
		{"ErrNotFound", dispatch.SetUnitStatus{Unit: "metro.9z9", Status: "BUSY"}, metroDisp, dispatch.ENOTFOUND, "unit metro.9z9 does not exist", false},
		{"ErrForbidden", dispatch.SetUnitStatus{Unit: "metro.2b7", Status: "BUSY"}, sherDisp, dispatch.EFORBIDDEN, "may not act for agency metro", false},
		{"ErrInvalidStatus", dispatch.SetUnitStatus{Unit: "metro.2b7", Status: "busy"}, metroDisp, dispatch.EINVALID, `status "busy" is not one of`, false},
		{"OKAdmin", dispatch.SetUnitStatus{Unit: "metro.2b7", Status: "BUSY"}, root, "", "", true},
		{"ErrOfficerNotCrew", dispatch.SetUnitStatus{Unit: "metro.2b7", Status: "BUSY"}, dispatch.Actor{User: "oz", Agency: "metro", Role: dispatch.RoleOfficer}, dispatch.EFORBIDDEN, "oz is not on the crew of unit 2B7", false},
		{"OKPosition", dispatch.SetUnitStatus{Unit: "metro.2b7", Status: "BUSY", Lat: ptr(41.8), Lon: ptr(-87.7)}, metroDisp, "", "", true},
		{"ErrHalfPosition", dispatch.SetUnitStatus{Unit: "metro.2b7", Status: "BUSY", Lat: ptr(41.8)}, metroDisp, dispatch.EINVALID, "both latitude and longitude", false},
		{"ErrBadPosition", dispatch.SetUnitStatus{Unit: "metro.2b7", Status: "BUSY", Lat: ptr(91.0), Lon: ptr(0.0)}, metroDisp, dispatch.EINVALID, "is not a latitude and longitude", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := tc.cmd.Decide(s, tc.actor, now)
			if tc.accepted {
				if err != nil || len(evs) != 1 {
					t.Fatalf("%#v.Decide = %v, %v, want one event", tc.cmd, evs, err)
				}
				d := evs[0].Data.(*dispatch.UnitStatusChanged)
				if !reflect.DeepEqual(d.Lat, tc.cmd.Lat) || !reflect.DeepEqual(d.Lon, tc.cmd.Lon) {
					t.Errorf("%#v.Decide position = %v,%v, want the command's", tc.cmd, d.Lat, d.Lon)
				}
				return
			}
			checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
		})
	}
}

func TestDispatchUnits(t *testing.T) {
	both := []string{"metro.2b7", "metro.1a12"}
	many := make([]string, dispatch.MaxDispatch+1)
	for i := range many {
		many[i] = fmt.Sprintf("metro.u%d", i)
	}
	for _, tc := range []struct {
		name  string
		setup []dispatch.Command
		cmd   dispatch.DispatchUnits
		actor dispatch.Actor
		code  string
		msg   string
	}{
		{"OK", nil, dispatch.DispatchUnits{Incident: inc1, Units: both}, metroDisp, "", ""},
		{"OKMore", []dispatch.Command{dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.1a12"}}}, dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}, root, "", ""},
		{"ErrNotFoundIncident", nil, dispatch.DispatchUnits{Incident: "metro-2026-000099", Units: both}, metroDisp, dispatch.ENOTFOUND, "incident metro-2026-000099 does not exist"},
		{"ErrForbidden", nil, dispatch.DispatchUnits{Incident: inc1, Units: both}, sherDisp, dispatch.EFORBIDDEN, "may not act for agency metro"},
		{"ErrNotFoundUnit", nil, dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.9z9"}}, metroDisp, dispatch.ENOTFOUND, "agency metro has no unit metro.9z9"},
		{"ErrNotFoundOtherAgencyUnit", nil, dispatch.DispatchUnits{Incident: inc1, Units: []string{"sheriff.s1"}}, root, dispatch.ENOTFOUND, "agency metro has no unit sheriff.s1"},
		{"ErrInvalidNoUnits", nil, dispatch.DispatchUnits{Incident: inc1}, metroDisp, dispatch.EINVALID, "at least one unit"},
		{"ErrInvalidTwice", nil, dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7", "metro.2b7"}}, metroDisp, dispatch.EINVALID, "unit metro.2b7 is named twice"},
		{"ErrInvalidTooMany", nil, dispatch.DispatchUnits{Incident: inc1, Units: many}, metroDisp, dispatch.EINVALID, "at most 32 units"},
		{"ErrInvalidBusy", []dispatch.Command{status("metro.2b7", "BUSY")}, dispatch.DispatchUnits{Incident: inc1, Units: both}, metroDisp, dispatch.EINVALID, "unit 2B7 is BUSY and cannot go DISPATCHED"},
		{"ErrConflictOtherIncident", []dispatch.Command{dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}}, dispatch.DispatchUnits{Incident: inc2, Units: both}, metroDisp, dispatch.ECONFLICT, "unit 2B7 is busy on incident " + inc1},
		{"ErrConflictPreemptibleWithoutPreempt", []dispatch.Command{dispatch.DispatchUnits{Incident: inc2, Units: []string{"metro.2b7"}}}, dispatch.DispatchUnits{Incident: inc1, Units: both}, metroDisp, dispatch.ECONFLICT, "unit 2B7 is DISPATCHED on incident " + inc2 + ", of lower priority; dispatch it with pre-emption"},
		{"ErrConflictPreemptOnScene", []dispatch.Command{dispatch.DispatchUnits{Incident: inc2, Units: []string{"metro.2b7"}}, status("metro.2b7", "EN_ROUTE"), status("metro.2b7", "ON_SCENE")}, dispatch.DispatchUnits{Incident: inc1, Units: both, Preempt: true}, metroDisp, dispatch.ECONFLICT, "unit 2B7 is busy on incident " + inc2},
		{"ErrConflictAlready", []dispatch.Command{dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}}}, dispatch.DispatchUnits{Incident: inc1, Units: both}, metroDisp, dispatch.ECONFLICT, "unit 2B7 is already on incident " + inc1},
		{"ErrConflictClosed", []dispatch.Command{dispatch.ClearIncident{Incident: inc1, Disposition: "unfounded"}}, dispatch.DispatchUnits{Incident: inc1, Units: both}, metroDisp, dispatch.ECONFLICT, "incident " + inc1 + " is closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustLifecycleFixture(t, tc.setup...)
			evs, err := tc.cmd.Decide(s, tc.actor, now)
			if tc.code != "" {
				checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatalf("%#v.Decide = %v", tc.cmd, err)
			}
			want := []dispatch.Event{{Time: now, Type: dispatch.TypeIncidentDispatched, Agency: "metro", Actor: tc.actor,
				Subject: map[string]string{"incident": inc1}, Data: &dispatch.IncidentDispatched{Incident: inc1, Units: tc.cmd.Units}}}
			for _, u := range tc.cmd.Units {
				want = append(want, dispatch.Event{Time: now, Type: dispatch.TypeUnitStatusChanged, Agency: "metro", Actor: tc.actor,
					Subject: map[string]string{"unit": u, "incident": inc1},
					Data:    &dispatch.UnitStatusChanged{Unit: u, Status: "DISPATCHED", Previous: "AVAILABLE", Incident: inc1}})
			}
			if !reflect.DeepEqual(evs, want) {
				t.Fatalf("%#v.Decide =\n%s\nwant\n%s", tc.cmd, dump(evs), dump(want))
			}
			first := s.Incidents[inc1].Dispatched
			for _, e := range evs {
				if err := s.Apply(e); err != nil {
					t.Fatal(err)
				}
			}
			in := s.Incidents[inc1]
			if in.Status != dispatch.IncidentActive || in.Dispatched == nil || (first != nil && !in.Dispatched.Equal(*first)) || (first == nil && !in.Dispatched.Equal(now)) {
				t.Errorf("incident after dispatch = %+v, want ACTIVE, dispatched at the first dispatch", in)
			}
			if !slices.Equal(in.Units, []string{"metro.1a12", "metro.2b7"}) && !slices.Equal(in.Units, both) {
				t.Errorf("incident units = %v, want both units, in dispatch order", in.Units)
			}
			for _, u := range tc.cmd.Units {
				if got := s.Units[u]; got.Status != "DISPATCHED" || got.Incident != inc1 {
					t.Errorf("unit %s = %+v, want DISPATCHED on %s", u, got, inc1)
				}
			}
		})
	}
}

func TestClearIncident(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// 2B7 on scene; 1A12 dispatched, then sent on to incident 2 after
		// leaving; S1 of the sheriff untouched.
		s := MustLifecycleFixture(t,
			dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7", "metro.1a12"}},
			status("metro.2b7", "EN_ROUTE"), status("metro.2b7", "ON_SCENE"),
			status("metro.1a12", "EN_ROUTE"), status("metro.1a12", "ON_SCENE"), status("metro.1a12", "AVAILABLE"),
			dispatch.DispatchUnits{Incident: inc2, Units: []string{"metro.1a12"}})
		cmd := dispatch.ClearIncident{Incident: inc1, Disposition: "  report taken "}
		evs, err := cmd.Decide(s, metroDisp, now)
		if err != nil {
			t.Fatal(err)
		}
		want := []dispatch.Event{
			{Time: now, Type: dispatch.TypeIncidentCleared, Agency: "metro", Actor: metroDisp, Subject: map[string]string{"incident": inc1},
				Data: &dispatch.IncidentCleared{Incident: inc1, Disposition: "report taken"}},
			{Time: now, Type: dispatch.TypeUnitStatusChanged, Agency: "metro", Actor: metroDisp, Subject: map[string]string{"unit": "metro.2b7", "incident": inc1},
				Data: &dispatch.UnitStatusChanged{Unit: "metro.2b7", Status: "AVAILABLE", Previous: "ON_SCENE", Incident: inc1}},
		}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("%#v.Decide =\n%s\nwant\n%s", cmd, dump(evs), dump(want))
		}
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				t.Fatal(err)
			}
		}
		in := s.Incidents[inc1]
		if in.Status != dispatch.IncidentClosed || in.Disposition != "report taken" || in.Cleared == nil || !in.Cleared.Equal(now) {
			t.Errorf("incident after clear = %+v, want CLOSED, report taken, cleared now", in)
		}
		if u := s.Units["metro.2b7"]; u.Status != "AVAILABLE" || u.Incident != "" {
			t.Errorf("2B7 after clear = %+v, want AVAILABLE on no incident", u)
		}
		if u := s.Units["metro.1a12"]; u.Status != "DISPATCHED" || u.Incident != inc2 {
			t.Errorf("1A12 after clearing incident 1 = %+v, want still DISPATCHED on %s", u, inc2)
		}
	})
	for _, tc := range []struct {
		name  string
		setup []dispatch.Command
		cmd   dispatch.ClearIncident
		actor dispatch.Actor
		code  string
		msg   string
	}{
		{"ErrNotFound", nil, dispatch.ClearIncident{Incident: "x", Disposition: "gone"}, metroDisp, dispatch.ENOTFOUND, "incident x does not exist"},
		{"ErrForbidden", nil, dispatch.ClearIncident{Incident: inc1, Disposition: "gone"}, sherDisp, dispatch.EFORBIDDEN, "may not act for agency metro"},
		{"ErrInvalidDisposition", nil, dispatch.ClearIncident{Incident: inc1, Disposition: " "}, metroDisp, dispatch.EINVALID, "disposition is required"},
		{"ErrInvalidLongDisposition", nil, dispatch.ClearIncident{Incident: inc1, Disposition: strings.Repeat("d", 201)}, metroDisp, dispatch.EINVALID, "disposition is longer than 200"},
		{"ErrConflictClosed", []dispatch.Command{dispatch.ClearIncident{Incident: inc1, Disposition: "gone"}}, dispatch.ClearIncident{Incident: inc1, Disposition: "gone"}, metroDisp, dispatch.ECONFLICT, "already closed"},
		{"ErrConflictEmergency", pathTo[dispatch.StatusEmergency], dispatch.ClearIncident{Incident: inc1, Disposition: "gone"}, metroDisp, dispatch.ECONFLICT, "unit 2B7 is in EMERGENCY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustLifecycleFixture(t, tc.setup...)
			_, err := tc.cmd.Decide(s, tc.actor, now)
			checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
		})
	}
}

// TestIncidentTimes follows an incident through its response: each time is
// set by the first unit to reach it and kept after.
func TestIncidentTimes(t *testing.T) {
	s := MustLifecycleFixture(t)
	at := func(m int) time.Time { return now.Add(time.Duration(m) * time.Minute) }
	in := s.Incidents[inc1]
	if in.Dispatched != nil || in.EnRoute != nil || in.OnScene != nil || in.Cleared != nil {
		t.Fatalf("new incident = %+v, want no times but received", in)
	}
	MustRun(t, s, at(0), dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}})  // 0
	MustRun(t, s, at(1), status("metro.2b7", "EN_ROUTE"))                                       // 1
	MustRun(t, s, at(2), dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.1a12"}}) // 2
	MustRun(t, s, at(3), status("metro.1a12", "EN_ROUTE"), status("metro.1a12", "ON_SCENE"))    // 3, 4
	MustRun(t, s, at(5), status("metro.2b7", "ON_SCENE"))                                       // 5
	MustRun(t, s, at(6), dispatch.ClearIncident{Incident: inc1, Disposition: "arrest"})         // 6
	in = s.Incidents[inc1]
	for _, tc := range []struct {
		name string
		got  *time.Time
		want time.Time
	}{
		{"Dispatched", in.Dispatched, at(0)}, {"EnRoute", in.EnRoute, at(1)}, {"OnScene", in.OnScene, at(4)}, {"Cleared", in.Cleared, at(6)},
	} {
		if tc.got == nil || !tc.got.Equal(tc.want) {
			t.Errorf("incident %s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if !slices.Equal(in.Units, []string{"metro.2b7", "metro.1a12"}) || in.Status != dispatch.IncidentClosed {
		t.Errorf("incident = %+v, want CLOSED with units [metro.2b7 metro.1a12]", in)
	}
	for _, id := range in.Units {
		if u := s.Units[id]; u.Status != "AVAILABLE" || u.Incident != "" || !u.StatusSince.Equal(at(6)) {
			t.Errorf("unit %s after clear = %+v, want AVAILABLE since the clear", id, u)
		}
	}
}

func TestApplyRejectsLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    dispatch.Event
		want string
	}{
		{"ErrUnknownUnit", dispatch.Event{Type: dispatch.TypeUnitStatusChanged, Data: &dispatch.UnitStatusChanged{Unit: "metro.9", Status: "BUSY", Previous: "AVAILABLE"}}, `unit "metro.9" changed status but does not exist`},
		{"ErrPrevious", dispatch.Event{Type: dispatch.TypeUnitStatusChanged, Data: &dispatch.UnitStatusChanged{Unit: "metro.2b7", Status: "ON_SCENE", Previous: "EN_ROUTE"}}, "but is AVAILABLE"},
		{"ErrUnknownIncident", dispatch.Event{Type: dispatch.TypeUnitStatusChanged, Data: &dispatch.UnitStatusChanged{Unit: "metro.2b7", Status: "DISPATCHED", Previous: "AVAILABLE", Incident: "x"}}, `incident "x", which does not exist`},
		{"ErrDispatchedUnknown", dispatch.Event{Type: dispatch.TypeIncidentDispatched, Data: &dispatch.IncidentDispatched{Incident: "x", Units: []string{"metro.2b7"}}}, `incident "x" dispatched but does not exist`},
		{"ErrClearedUnknown", dispatch.Event{Type: dispatch.TypeIncidentCleared, Data: &dispatch.IncidentCleared{Incident: "x"}}, `incident "x" cleared but does not exist`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, before := MustFixture(t), MustFixture(t)
			if err := s.Apply(tc.e); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Apply(%s) = %v, want an error containing %q", tc.e.Type, err, tc.want)
			}
			if !reflect.DeepEqual(s, before) {
				t.Errorf("Apply(%s) changed the state though it failed", tc.e.Type)
			}
		})
	}
	s := MustLifecycleFixture(t, dispatch.ClearIncident{Incident: inc1, Disposition: "gone"})
	for _, e := range []dispatch.Event{
		{Type: dispatch.TypeIncidentCleared, Data: &dispatch.IncidentCleared{Incident: inc1, Disposition: "again"}},
		{Type: dispatch.TypeIncidentDispatched, Data: &dispatch.IncidentDispatched{Incident: inc1, Units: []string{"metro.2b7"}}},
	} {
		if err := s.Apply(e); err == nil || !strings.Contains(err.Error(), inc1) {
			t.Errorf("Apply(%s on a closed incident) = %v, want an error naming it", e.Type, err)
		}
	}
}

// TestDispatchPreempt takes a unit off lower-priority work: the events say
// so, the unit moves, and the incident it left waits again.
func TestDispatchPreempt(t *testing.T) {
	// metro.2b7 is EN_ROUTE to the NOISE call (priority 4); the THEFT call
	// (priority 3) needs it more.
	s := MustLifecycleFixture(t, dispatch.DispatchUnits{Incident: inc2, Units: []string{"metro.2b7"}}, status("metro.2b7", "EN_ROUTE"))
	if !s.Preemptible(s.Units["metro.2b7"], s.Incidents[inc1]) || s.Preemptible(s.Units["metro.2b7"], s.Incidents[inc2]) {
		t.Fatal("Preemptible: want metro.2b7 pre-emptible for the THEFT call only")
	}
	evs, err := dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7", "metro.1a12"}, Preempt: true}.Decide(s, metroDisp, now)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
		if err := s.Apply(e); err != nil {
			t.Fatalf("Apply(%s) = %v", e.Type, err)
		}
	}
	if want := []string{dispatch.TypeUnitPreempted, dispatch.TypeIncidentDispatched, dispatch.TypeUnitStatusChanged, dispatch.TypeUnitStatusChanged}; !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	if d := evs[0].Data.(*dispatch.UnitPreempted); *d != (dispatch.UnitPreempted{Incident: inc2, Unit: "metro.2b7", By: inc1}) {
		t.Errorf("incident.unit_preempted = %+v", d)
	}
	if d := evs[2].Data.(*dispatch.UnitStatusChanged); d.Previous != dispatch.StatusEnRoute || d.Status != dispatch.StatusDispatched || d.Incident != inc1 {
		t.Errorf("status change = %+v, want EN_ROUTE → DISPATCHED on %s", d, inc1)
	}
	if u := s.Units["metro.2b7"]; u.Incident != inc1 || u.Status != dispatch.StatusDispatched {
		t.Errorf("metro.2b7 is %s on %q, want DISPATCHED on %s", u.Status, u.Incident, inc1)
	}
	if in := s.Incidents[inc2]; in.Status != dispatch.IncidentPending || !slices.Contains(in.Units, "metro.2b7") {
		t.Errorf("the NOISE call is %s with units %v, want PENDING again, its history kept", in.Status, in.Units)
	}
	if in := s.Incidents[inc1]; in.Status != dispatch.IncidentActive {
		t.Errorf("the THEFT call is %s, want ACTIVE", in.Status)
	}
}

// TestDispatchPreemptKeepsIncidentActive: an incident that keeps another
// unit stays ACTIVE when one of its units is pre-empted.
func TestDispatchPreemptKeepsIncidentActive(t *testing.T) {
	s := MustLifecycleFixture(t, dispatch.DispatchUnits{Incident: inc2, Units: []string{"metro.2b7", "metro.1a12"}})
	MustRun(t, s, now, dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}, Preempt: true})
	if in := s.Incidents[inc2]; in.Status != dispatch.IncidentActive {
		t.Errorf("the NOISE call is %s, want ACTIVE with metro.1a12 still on it", in.Status)
	}
}

// TestSettableStatuses checks that a unit's SettableStatuses are exactly the
// statuses SetUnitStatus accepts for it, from every status.
func TestSettableStatuses(t *testing.T) {
	for _, from := range dispatch.UnitStatuses {
		t.Run(from, func(t *testing.T) {
			s := MustLifecycleFixture(t, pathTo[from]...)
			got := s.Units["metro.2b7"].SettableStatuses()
			var want []string
			for _, to := range dispatch.UnitStatuses {
				cmd, actor := dispatch.SetUnitStatus{Unit: "metro.2b7", Status: to}, metroDisp
				if from == dispatch.StatusEmergency {
					cmd.Reason, actor = "officer safe", metroSup // who may end it
				}
				if _, err := cmd.Decide(s, actor, now); err == nil {
					want = append(want, to)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("unit %s: SettableStatuses() = %v, want %v (what SetUnitStatus accepts)", from, got, want)
			}
		})
	}
}
