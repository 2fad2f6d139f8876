package dispatch_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// MustRosterFixture returns a state with a fire agency cfd: users ann
// (officer) and bob (officer), engine E1 and ambulance A1 of one station,
// engine E2, and a STRUCTURE_FIRE-free MEDICAL incident for dispatches.
func MustRosterFixture(tb testing.TB) *dispatch.State {
	tb.Helper()
	s := MustFixture(tb)
	mustDecide(tb, s, system, t0,
		dispatch.CreateAgency{ID: "cfd", Name: "City Fire", Kind: "fire_ems"},
		dispatch.CreateUser{Username: "fay", Agency: "cfd", Roles: []string{dispatch.RoleOfficer}},
		dispatch.CreateUser{Username: "gus", Agency: "cfd", Roles: []string{dispatch.RoleOfficer}},
		dispatch.CreateUser{Username: "hal", Agency: "cfd", Roles: []string{dispatch.RoleSupervisor}},
		dispatch.CreateUnit{CallSign: "E1", Agency: "cfd", Kind: "engine"},
		dispatch.CreateUnit{CallSign: "A1", Agency: "cfd", Kind: "ambulance"},
		dispatch.CreateUnit{CallSign: "E2", Agency: "cfd", Kind: "engine"},
		dispatch.CreateIncident{Agency: "cfd", Type: "MEDICAL", Location: dispatch.Location{Text: "1 Fire Rd"}},
	)
	return s
}

// mustDecide decides each command as actor at at through dispatch.Decide
// (with cross-staffing) and applies its events; it returns them all.
func mustDecide(tb testing.TB, s *dispatch.State, actor dispatch.Actor, at time.Time, cmds ...dispatch.Command) []dispatch.Event {
	tb.Helper()
	var all []dispatch.Event
	for _, c := range cmds {
		evs, err := dispatch.Decide(s, c, actor, at)
		if err != nil {
			tb.Fatalf("%#v.Decide = %v, want events", c, err)
		}
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				tb.Fatalf("Apply(%s) = %v", e.Type, err)
			}
		}
		all = append(all, evs...)
	}
	return all
}

var (
	cfdSup     = dispatch.Actor{User: "hal", Agency: "cfd", Role: dispatch.RoleSupervisor}
	cfdFay     = dispatch.Actor{User: "fay", Agency: "cfd", Role: dispatch.RoleOfficer}
	cfdDisp    = dispatch.Actor{User: "ida", Agency: "cfd", Role: dispatch.RoleDispatcher}
	shiftStart = t0
	shiftEnd   = t0.Add(12 * time.Hour)
)

func signOn(unit string, crew ...string) dispatch.SignOn {
	return dispatch.SignOn{Unit: unit, Crew: crew, Start: shiftStart, End: shiftEnd}
}

func TestSignOn(t *testing.T) {
	s := MustRosterFixture(t)
	if u := s.Units["cfd.e1"]; u.StaffingOf() != dispatch.StaffingNotRostered || !u.Staffed() {
		t.Fatalf("new unit staffing = %s (staffed %v), want NOT_ROSTERED and staffed", u.Staffing, u.Staffed())
	}
	for _, tc := range []struct {
		name  string
		cmd   dispatch.Command
		actor dispatch.Actor
		code  string
	}{
		{"ErrDispatcher", signOn("cfd.e1", "fay"), cfdDisp, dispatch.EFORBIDDEN},
		{"ErrOfficerOthers", signOn("cfd.e1", "gus"), cfdFay, dispatch.EFORBIDDEN},
		{"ErrOtherAgency", signOn("cfd.e1", "fay"), metroAdmin, dispatch.EFORBIDDEN},
		{"ErrNotFound", signOn("cfd.e9", "fay"), cfdSup, dispatch.ENOTFOUND},
		{"ErrNoCrew", signOn("cfd.e1"), cfdSup, dispatch.EINVALID},
		{"ErrUnknownUser", signOn("cfd.e1", "root"), cfdSup, dispatch.EINVALID},
		{"ErrTwice", signOn("cfd.e1", "fay", "fay"), cfdSup, dispatch.EINVALID},
		{"ErrShiftBackwards", dispatch.SignOn{Unit: "cfd.e1", Crew: []string{"fay"}, Start: shiftEnd, End: shiftStart}, cfdSup, dispatch.EINVALID},
		{"ErrShiftTooLong", dispatch.SignOn{Unit: "cfd.e1", Crew: []string{"fay"}, Start: t0, End: t0.Add(25 * time.Hour)}, cfdSup, dispatch.EINVALID},
		{"ErrCapability", dispatch.SignOn{Unit: "cfd.e1", Crew: []string{"fay"}, Start: t0, End: shiftEnd, Capabilities: []string{"ALS"}}, cfdSup, dispatch.EINVALID},
		{"ErrSignOffUnrostered", dispatch.SignOff{Unit: "cfd.e1"}, cfdSup, dispatch.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, tc.actor, t0.Add(time.Minute))
			checkDomainError(t, "Decide", err, tc.code, "")
		})
	}

	t.Run("OK", func(t *testing.T) {
		s := MustRosterFixture(t)
		evs := mustDecide(t, s, cfdFay, t0.Add(time.Minute), dispatch.SignOn{Unit: "cfd.e1", Crew: []string{"fay", "gus"},
			Start: shiftStart, End: shiftEnd, Capabilities: []string{"als"}})
		if len(evs) != 1 || evs[0].Type != dispatch.TypeUnitSignedOn {
			t.Fatalf("events = %s, want one unit.signed_on", dump(evs))
		}
		u := s.Units["cfd.e1"]
		if u.Staffing != dispatch.StaffingStaffed || !slices.Equal(u.Crew, []string{"fay", "gus"}) || !u.HasCapability("als") || u.HasCapability("k9") {
			t.Fatalf("unit after sign-on = %+v", u.Roster)
		}
		// gus is on E1's crew: he cannot crew E2 too.
		_, err := signOn("cfd.e2", "gus").Decide(s, cfdSup, t0.Add(2*time.Minute))
		checkDomainError(t, "SignOn(E2, gus)", err, dispatch.ECONFLICT, "gus is signed on unit E1")
		mustDecide(t, s, cfdSup, t0.Add(3*time.Minute), dispatch.SignOff{Unit: "cfd.e1"})
		if u.Staffing != dispatch.StaffingUnstaffed || u.Staffed() || len(u.Crew) != 0 || u.Shift != nil {
			t.Fatalf("unit after sign-off = %+v", u.Roster)
		}
		// An unstaffed unit is not sent.
		_, err = dispatch.DispatchUnits{Incident: "cfd-2026-000001", Units: []string{"cfd.e1"}}.Decide(s, cfdDisp, t0.Add(4*time.Minute))
		checkDomainError(t, "DispatchUnits(unstaffed)", err, dispatch.ECONFLICT, "no crew signed on")
	})
}

func TestCrossStaffing(t *testing.T) {
	s := MustRosterFixture(t)
	at := t0.Add(time.Minute)
	for _, tc := range []struct {
		name  string
		cmd   dispatch.CrossStaff
		actor dispatch.Actor
		code  string
	}{
		{"ErrOfficer", dispatch.CrossStaff{Unit: "cfd.e1", Partner: "cfd.a1"}, cfdFay, dispatch.EFORBIDDEN},
		{"ErrSelf", dispatch.CrossStaff{Unit: "cfd.e1", Partner: "cfd.e1"}, cfdSup, dispatch.EINVALID},
		{"ErrOtherAgency", dispatch.CrossStaff{Unit: "cfd.e1", Partner: "metro.2b7"}, cfdSup, dispatch.ENOTFOUND},
		{"ErrUnlinkUnlinked", dispatch.CrossStaff{Unit: "cfd.e1"}, cfdSup, dispatch.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, tc.actor, at)
			checkDomainError(t, "Decide", err, tc.code, "")
		})
	}

	mustDecide(t, s, cfdSup, at, signOn("cfd.e1", "fay", "gus"), dispatch.CrossStaff{Unit: "cfd.e1", Partner: "cfd.a1"})
	e1, a1 := s.Units["cfd.e1"], s.Units["cfd.a1"]
	if e1.CrossStaffed != "cfd.a1" || a1.CrossStaffed != "cfd.e1" || !slices.Equal(a1.Crew, e1.Crew) || a1.Staffing != dispatch.StaffingStaffed {
		t.Fatalf("after linking: E1 %+v, A1 %+v; want linked, one crew", e1.Roster, a1.Roster)
	}
	_, err := dispatch.CrossStaff{Unit: "cfd.e2", Partner: "cfd.a1"}.Decide(s, cfdSup, at)
	checkDomainError(t, "CrossStaff(E2, A1)", err, dispatch.ECONFLICT, "already cross-staffed")

	// The engine goes out: the ambulance goes OUT_OF_SERVICE with it.
	evs := mustDecide(t, s, cfdDisp, at.Add(time.Minute), dispatch.DispatchUnits{Incident: "cfd-2026-000001", Units: []string{"cfd.e1"}})
	last := evs[len(evs)-1]
	d, ok := last.Data.(*dispatch.UnitStatusChanged)
	if !ok || d.Unit != "cfd.a1" || d.Status != dispatch.StatusOutOfService || d.HeldBy != "cfd.e1" || !strings.Contains(d.Reason, "cross-staffed with E1") {
		t.Fatalf("last event of the dispatch = %s %+v, want A1 OUT_OF_SERVICE held by E1 with a reason", last.Type, last.Data)
	}
	if a1.Status != dispatch.StatusOutOfService || a1.HeldBy != "cfd.e1" {
		t.Fatalf("A1 = %s held by %q, want OUT_OF_SERVICE held by cfd.e1", a1.Status, a1.HeldBy)
	}
	// On its way and on scene, the ambulance stays out; the crew cannot
	// sign off while the engine works.
	mustDecide(t, s, cfdFay, at.Add(2*time.Minute), status("cfd.e1", "EN_ROUTE"), status("cfd.e1", "ON_SCENE"))
	if a1.Status != dispatch.StatusOutOfService {
		t.Fatalf("A1 = %s while E1 is on scene, want OUT_OF_SERVICE", a1.Status)
	}
	_, err = dispatch.SignOff{Unit: "cfd.a1"}.Decide(s, cfdSup, at)
	checkDomainError(t, "SignOff(A1)", err, dispatch.ECONFLICT, "signs off once it is AVAILABLE")
	// The incident clears: both come back.
	evs = mustDecide(t, s, cfdDisp, at.Add(3*time.Minute), dispatch.ClearIncident{Incident: "cfd-2026-000001", Disposition: "treated"})
	if e1.Status != dispatch.StatusAvailable || a1.Status != dispatch.StatusAvailable || a1.HeldBy != "" {
		t.Fatalf("after clearing: E1 %s, A1 %s held by %q; want both AVAILABLE", e1.Status, a1.Status, a1.HeldBy)
	}
	if n := len(evs); n != 3 {
		t.Fatalf("clearing made %d events, want 3 (cleared, E1 and A1 AVAILABLE):\n%s", n, dump(evs))
	}
	// An ambulance that goes OUT_OF_SERVICE itself takes the engine
	// with it, and brings it back.
	mustDecide(t, s, cfdFay, at.Add(4*time.Minute), status("cfd.a1", "OUT_OF_SERVICE"))
	if e1.Status != dispatch.StatusOutOfService || e1.HeldBy != "cfd.a1" {
		t.Fatalf("E1 = %s held by %q, want OUT_OF_SERVICE held by A1", e1.Status, e1.HeldBy)
	}
	mustDecide(t, s, cfdFay, at.Add(5*time.Minute), status("cfd.a1", "AVAILABLE"))
	if e1.Status != dispatch.StatusAvailable {
		t.Fatalf("E1 = %s, want AVAILABLE with A1", e1.Status)
	}
	// Signing off one signs off both; unlinking unlinks both.
	mustDecide(t, s, cfdSup, at.Add(6*time.Minute), dispatch.SignOff{Unit: "cfd.a1"}, dispatch.CrossStaff{Unit: "cfd.a1"})
	if e1.Staffed() || a1.Staffed() || e1.CrossStaffed != "" || a1.CrossStaffed != "" {
		t.Fatalf("after sign-off and unlink: E1 %+v, A1 %+v", e1.Roster, a1.Roster)
	}
}

// TestCrossStaffingBothDispatched: a pair sent together takes no extra
// status change.
func TestCrossStaffingBothDispatched(t *testing.T) {
	s := MustRosterFixture(t)
	mustDecide(t, s, cfdSup, t0, signOn("cfd.e1", "fay"), dispatch.CrossStaff{Unit: "cfd.e1", Partner: "cfd.a1"})
	evs := mustDecide(t, s, cfdDisp, t0.Add(time.Minute), dispatch.DispatchUnits{Incident: "cfd-2026-000001", Units: []string{"cfd.e1", "cfd.a1"}})
	for _, e := range evs {
		if d, ok := e.Data.(*dispatch.UnitStatusChanged); ok && d.Status != dispatch.StatusDispatched {
			t.Errorf("event %s %+v, want only DISPATCHED changes", e.Type, d)
		}
	}
}

func TestRunCardFor(t *testing.T) {
	s := MustRosterFixture(t)
	one := []dispatch.Slot{{Kind: "engine", Count: 1}}
	cards := dispatch.RunCards{TimeZone: "America/Chicago", Cards: []dispatch.RunCard{
		{Name: "anywhere", Zone: "*", Type: "MEDICAL", Slots: one},
		{Name: "district 9", Zone: "9", Type: "MEDICAL", Slots: one},
		{Name: "beat 91", Zone: "91", Type: "MEDICAL", Slots: one},
		{Name: "night", Zone: "*", Type: "MEDICAL", Hours: &dispatch.Hours{From: "22:00", To: "06:00"}, Slots: one},
		{Name: "tower", Zone: "*", Type: "MEDICAL", Near: &dispatch.Near{Text: "Tower", Lat: 41.8, Lon: -87.7, RadiusM: 100}, Slots: one},
	}}
	for _, tc := range []struct {
		name string
		cmd  dispatch.SetRunCards
		code string
	}{
		{"ErrZone", dispatch.SetRunCards{Agency: "cfd", RunCards: dispatch.RunCards{TimeZone: "Mars/Base"}}, dispatch.EINVALID},
		{"ErrType", dispatch.SetRunCards{Agency: "cfd", RunCards: dispatch.RunCards{Cards: []dispatch.RunCard{{Name: "x", Zone: "*", Type: "UFO", Slots: one}}}}, dispatch.EINVALID},
		{"ErrKind", dispatch.SetRunCards{Agency: "cfd", RunCards: dispatch.RunCards{Cards: []dispatch.RunCard{{Name: "x", Zone: "*", Type: "MEDICAL", Slots: []dispatch.Slot{{Kind: "boat", Count: 1}}}}}}, dispatch.EINVALID},
		{"ErrCount", dispatch.SetRunCards{Agency: "cfd", RunCards: dispatch.RunCards{Cards: []dispatch.RunCard{{Name: "x", Zone: "*", Type: "MEDICAL", Slots: []dispatch.Slot{{Kind: "engine", Count: 0}}}}}}, dispatch.EINVALID},
		{"ErrHours", dispatch.SetRunCards{Agency: "cfd", RunCards: dispatch.RunCards{Cards: []dispatch.RunCard{{Name: "x", Zone: "*", Type: "MEDICAL", Hours: &dispatch.Hours{From: "25:00", To: "06:00"}, Slots: one}}}}, dispatch.EINVALID},
		{"ErrNotFound", dispatch.SetRunCards{Agency: "nowhere", RunCards: cards}, dispatch.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, cfdSup, t0)
			checkDomainError(t, "SetRunCards", err, tc.code, "")
		})
	}
	_, err := dispatch.SetRunCards{Agency: "cfd", RunCards: cards}.Decide(s, cfdDisp, t0)
	checkDomainError(t, "SetRunCards(dispatcher)", err, dispatch.EFORBIDDEN, "")
	mustDecide(t, s, cfdSup, t0, dispatch.SetRunCards{Agency: "cfd", RunCards: cards})

	noon := time.Date(2026, 6, 1, 17, 0, 0, 0, time.UTC)    // 12:00 in Chicago
	night := time.Date(2026, 6, 2, 4, 30, 0, 0, time.UTC)   // 23:30 in Chicago
	morning := time.Date(2026, 6, 1, 11, 0, 0, 0, time.UTC) // 06:00 in Chicago: day again
	in := func(district, beat string, lat, lon float64) *dispatch.Incident {
		return &dispatch.Incident{Agency: "cfd", Type: "MEDICAL", Priority: 2,
			Location: dispatch.Location{District: district, Beat: beat, Lat: &lat, Lon: &lon}}
	}
	for _, tc := range []struct {
		name string
		in   *dispatch.Incident
		now  time.Time
		want string
	}{
		{"Anywhere", in("4", "41", 41.7, -87.6), noon, "anywhere"},
		{"District", in("9", "92", 41.7, -87.6), noon, "district 9"},
		{"Beat", in("9", "91", 41.7, -87.6), noon, "beat 91"},
		{"Night", in("9", "91", 41.7, -87.6), night, "night"},
		{"Morning", in("9", "91", 41.7, -87.6), morning, "beat 91"},
		{"AddressException", in("9", "91", 41.8003, -87.7), night, "tower"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := s.RunCardFor(tc.in, tc.now)
			if !ok || c.Name != tc.want {
				t.Errorf("RunCardFor = %q, %v, want %q", c.Name, ok, tc.want)
			}
		})
	}
	other := in("9", "91", 41.7, -87.6)
	other.Type = "THEFT"
	if c, ok := s.RunCardFor(other, noon); ok {
		t.Errorf("RunCardFor(THEFT) = %q, want no card", c.Name)
	}
	// An empty list removes the cards.
	mustDecide(t, s, cfdSup, t0, dispatch.SetRunCards{Agency: "cfd"})
	if _, ok := s.RunCardFor(in("9", "91", 41.7, -87.6), noon); ok || s.Agencies["cfd"].RunCards != nil {
		t.Errorf("after clearing the cards: a card still applies")
	}
}
