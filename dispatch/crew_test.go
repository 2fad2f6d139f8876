package dispatch_test

import (
	"fmt"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestMayOperate: an officer changes the status of, presses EMERGENCY for
// and reports the position of only a unit they crew; dispatchers,
// supervisors and the system operate every unit of their agency.
func TestMayOperate(t *testing.T) {
	s := MustRosterFixture(t)
	mustDecide(t, s, system, t0,
		dispatch.CreateUser{Username: "jo", Agency: "cfd", Roles: []string{dispatch.RoleOfficer, dispatch.RoleDispatcher}},
		signOn("cfd.e1", "fay"))
	gus := dispatch.Actor{User: "gus", Agency: "cfd", Role: dispatch.RoleOfficer, Roles: []string{dispatch.RoleOfficer}}
	jo := dispatch.Actor{User: "jo", Agency: "cfd", Role: dispatch.RoleOfficer, Roles: []string{dispatch.RoleOfficer, dispatch.RoleDispatcher}}
	for _, tc := range []struct {
		name   string
		actor  dispatch.Actor
		unit   string
		status string
		code   string
		msg    string
	}{
		{"OKCrew", cfdFay, "cfd.e1", dispatch.StatusBusy, "", ""},
		{"OKCrewEmergency", cfdFay, "cfd.e1", dispatch.StatusEmergency, "", ""},
		{"OKCrewPosition", cfdFay, "cfd.e1", "", "", ""},
		{"ErrNotCrew", gus, "cfd.e1", dispatch.StatusOutOfService, dispatch.EFORBIDDEN, "gus is not on the crew of unit E1, and an officer changes the status only of a unit they crew; sign on to it first"},
		{"ErrNotCrewEmergency", gus, "cfd.e1", dispatch.StatusEmergency, dispatch.EFORBIDDEN, "gus is not on the crew of unit E1, and an officer presses EMERGENCY only for a unit they crew; sign on to it first"},
		{"ErrNotCrewPosition", gus, "cfd.e1", "", dispatch.EFORBIDDEN, "gus is not on the crew of unit E1, and an officer reports the position only of a unit they crew"},
		{"ErrNeverRostered", cfdFay, "cfd.e2", dispatch.StatusBusy, dispatch.EFORBIDDEN, "fay is not on the crew of unit E2"},
		{"ErrOtherAgency", metroOfficer, "cfd.e1", dispatch.StatusBusy, dispatch.EFORBIDDEN, "may not act for agency cfd"},
		{"OKDispatcher", cfdDisp, "cfd.e2", dispatch.StatusOutOfService, "", ""},
		{"OKSupervisor", cfdSup, "cfd.e2", dispatch.StatusEmergency, "", ""},
		{"OKOfficerAndDispatcher", jo, "cfd.e2", dispatch.StatusBusy, "", ""},
		{"OKSystem", system, "cfd.e2", dispatch.StatusBusy, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := s.Units[tc.unit]
			checkErr(t, fmt.Sprintf("MayOperate(%s, %s, %q)", tc.actor.User, tc.unit, tc.status), dispatch.MayOperate(tc.actor, u, tc.status), tc.code, tc.msg)
			if tc.status != "" {
				_, err := dispatch.SetUnitStatus{Unit: tc.unit, Status: tc.status}.Decide(s, tc.actor, t0)
				checkErr(t, fmt.Sprintf("SetUnitStatus{%s, %s}.Decide by %s", tc.unit, tc.status, tc.actor.User), err, tc.code, tc.msg)
			} else {
				err := s.MayReportPositions(tc.actor, []dispatch.Position{{Unit: tc.unit, Lat: 41.8, Lon: -87.7, Time: t0}})
				want := tc.msg
				if want != "" {
					want = "position 0: " + want
				}
				checkErr(t, fmt.Sprintf("MayReportPositions(%s, %s)", tc.actor.User, tc.unit), err, tc.code, want)
			}
		})
	}
}

// TestSignOnOfficerBinds: an officer binds themselves to a unit no one
// crews, or changes the crew they are on, but never takes a unit from its
// crew.
func TestSignOnOfficerBinds(t *testing.T) {
	s := MustRosterFixture(t)
	mustDecide(t, s, cfdSup, t0, signOn("cfd.e1", "gus"))
	gus := dispatch.Actor{User: "gus", Agency: "cfd", Role: dispatch.RoleOfficer}
	for _, tc := range []struct {
		name  string
		actor dispatch.Actor
		cmd   dispatch.SignOn
		code  string
		msg   string
	}{
		{"ErrTakeCrewedUnit", cfdFay, signOn("cfd.e1", "fay"), dispatch.EFORBIDDEN, "unit E1 has a crew signed on and fay is not on it"},
		{"OKNoCrew", cfdFay, signOn("cfd.e2", "fay"), "", ""},
		{"OKChangeOwnCrew", gus, signOn("cfd.e1", "gus", "fay"), "", ""},
		{"OKSupervisor", cfdSup, signOn("cfd.e1", "fay"), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, tc.actor, t0)
			checkErr(t, fmt.Sprintf("%#v.Decide by %s", tc.cmd, tc.actor.User), err, tc.code, tc.msg)
		})
	}
}

// checkErr is checkDomainError, or, for code "", that err is nil.
func checkErr(tb testing.TB, call string, err error, code, msgPart string) {
	tb.Helper()
	if code == "" {
		if err != nil {
			tb.Fatalf("%s = %v, want nil", call, err)
		}
		return
	}
	checkDomainError(tb, call, err, code, msgPart)
}
