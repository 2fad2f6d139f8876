package dispatch_test

import (
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// house is a metro address with a premise record in the tests below.
var house = dispatch.Location{Text: "3900 S Kedzie Ave", Lat: ptr(41.8236), Lon: ptr(-87.7052)}

// mustRecordPremise records flags over house as metroDisp at at and
// returns the record's id.
func mustRecordPremise(tb testing.TB, s *dispatch.State, at time.Time, radius float64, flags ...dispatch.PremiseFlag) string {
	tb.Helper()
	evs, err := dispatch.RecordPremise{Agency: "metro", Location: house, RadiusM: radius, Flags: flags}.Decide(s, metroDisp, at)
	if err != nil {
		tb.Fatalf("RecordPremise = %v", err)
	}
	for _, e := range evs {
		if err := s.Apply(e); err != nil {
			tb.Fatal(err)
		}
	}
	return evs[0].Subject["premise"]
}

func TestRecordPremise(t *testing.T) {
	s := MustLifecycleFixture(t)
	evs, err := dispatch.RecordPremise{Agency: "metro", Location: house, Flags: []dispatch.PremiseFlag{
		{Kind: dispatch.HazardWeapons, Text: " rifles in the hall closet ", Source: " prior call ", Expires: now.Add(24 * time.Hour)},
		{Kind: dispatch.HazardDog, Text: "pit bull, bites", Expires: now.Add(time.Hour)},
	}}.Decide(s, metroDisp, now)
	if err != nil {
		t.Fatalf("RecordPremise = %v", err)
	}
	if len(evs) != 1 || evs[0].Type != dispatch.TypePremiseRecorded || evs[0].Subject["premise"] != "metro-P-2026-000001" {
		t.Fatalf("events = %+v, want one premise.recorded of metro-P-2026-000001", evs)
	}
	d := evs[0].Data.(*dispatch.PremiseRecorded)
	if d.RadiusM != dispatch.DefaultPremiseRadiusM || d.Flags[0].Text != "" || d.Flags[0].Source != "prior call" {
		t.Errorf("payload = %+v, want the default radius, the source trimmed and no text", d)
	}
	if got := evs[0].Private[dispatch.PremiseFlagField(0)]; got != "rifles in the hall closet" {
		t.Errorf("private %s = %q, want the text trimmed", dispatch.PremiseFlagField(0), got)
	}
	if err := s.Apply(evs[0]); err != nil {
		t.Fatal(err)
	}
	p := s.Premises["metro-P-2026-000001"]
	if p.EnteredBy.User != "ann" || p.Status != dispatch.PremiseInForce || p.Flags[1].Text != "pit bull, bites" {
		t.Errorf("premise = %+v", p)
	}

	flag := func(f func(*dispatch.PremiseFlag)) []dispatch.PremiseFlag {
		fl := dispatch.PremiseFlag{Kind: dispatch.HazardDog, Text: "dog", Expires: now.Add(time.Hour)}
		f(&fl)
		return []dispatch.PremiseFlag{fl}
	}
	same := func(*dispatch.PremiseFlag) {}
	for _, tc := range []struct {
		name  string
		cmd   dispatch.RecordPremise
		actor dispatch.Actor
		code  string
	}{
		{"ErrKind", dispatch.RecordPremise{Agency: "metro", Location: house, Flags: flag(func(f *dispatch.PremiseFlag) { f.Kind = "bees" })}, metroDisp, dispatch.EINVALID},
		{"ErrNoText", dispatch.RecordPremise{Agency: "metro", Location: house, Flags: flag(func(f *dispatch.PremiseFlag) { f.Text = " " })}, metroDisp, dispatch.EINVALID},
		{"ErrExpired", dispatch.RecordPremise{Agency: "metro", Location: house, Flags: flag(func(f *dispatch.PremiseFlag) { f.Expires = now })}, metroDisp, dispatch.EINVALID},
		{"ErrTooLong", dispatch.RecordPremise{Agency: "metro", Location: house, Flags: flag(func(f *dispatch.PremiseFlag) { f.Expires = now.Add(dispatch.MaxFlagDuration + time.Hour) })}, metroDisp, dispatch.EINVALID},
		{"ErrNoFlags", dispatch.RecordPremise{Agency: "metro", Location: house}, metroDisp, dispatch.EINVALID},
		{"ErrNoPoint", dispatch.RecordPremise{Agency: "metro", Location: dispatch.Location{Text: "behind the mill"}, Flags: flag(same)}, metroDisp, dispatch.EINVALID},
		{"ErrRadius", dispatch.RecordPremise{Agency: "metro", Location: house, RadiusM: dispatch.MaxPremiseRadiusM + 1, Flags: flag(same)}, metroDisp, dispatch.EINVALID},
		{"ErrOtherAgency", dispatch.RecordPremise{Agency: "metro", Location: house, Flags: flag(same)}, sherDisp, dispatch.EFORBIDDEN},
		{"ErrOfficer", dispatch.RecordPremise{Agency: "metro", Location: house, Flags: flag(same)}, dispatch.Actor{User: "o", Agency: "metro", Role: dispatch.RoleOfficer}, dispatch.EFORBIDDEN},
		{"ErrSystem", dispatch.RecordPremise{Agency: "metro", Location: house, Flags: flag(same)}, system, dispatch.EFORBIDDEN},
		{"ErrNoAgency", dispatch.RecordPremise{Agency: "nowhere", Location: house, Flags: flag(same)}, metroDisp, dispatch.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, tc.actor, now)
			if dispatch.ErrorCode(err) != tc.code {
				t.Errorf("Decide = %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestHazardsAt(t *testing.T) {
	s := MustLifecycleFixture(t)
	id := mustRecordPremise(t, s, now, 0,
		dispatch.PremiseFlag{Kind: dispatch.HazardWeapons, Text: "rifles", Expires: now.Add(2 * time.Hour)},
		dispatch.PremiseFlag{Kind: dispatch.HazardDog, Text: "dog", Expires: now.Add(time.Hour)})
	near := dispatch.Location{Lat: ptr(41.8236 + 0.0003), Lon: ptr(-87.7052)} // about 33 m north
	far := dispatch.Location{Lat: ptr(41.8236 + 0.0009), Lon: ptr(-87.7052)}  // about 100 m north

	if hz := s.HazardsAt("metro", near, now); len(hz) != 2 || hz[0].Kind != dispatch.HazardDog || hz[0].Text != "dog" || hz[0].Premise != id ||
		hz[0].DistanceM < 30 || hz[0].DistanceM > 36 {
		t.Errorf("HazardsAt(metro, 33 m away) = %+v, want dog and weapons of %s", hz, id)
	}
	if hz := s.HazardsAt("metro", far, now); len(hz) != 0 {
		t.Errorf("HazardsAt(metro, 100 m away) = %+v, want none: outside the 50 m radius", hz)
	}
	if hz := s.HazardsAt("sheriff", house, now); len(hz) != 0 {
		t.Errorf("HazardsAt(sheriff, house) = %+v, want none: metro's record", hz)
	}
	if hz := s.HazardsAt("metro", dispatch.Location{Text: "3900 S Kedzie Ave"}, now); len(hz) != 0 {
		t.Errorf("HazardsAt(metro, no point) = %+v, want none", hz)
	}
	if hz := s.HazardsAt("metro", house, now.Add(time.Hour)); len(hz) != 1 || hz[0].Kind != dispatch.HazardWeapons {
		t.Errorf("HazardsAt(metro, house, after the dog's expiry) = %+v, want weapons alone", hz)
	}
	if hz := s.HazardsAt("metro", house, now.Add(2*time.Hour)); len(hz) != 0 {
		t.Errorf("HazardsAt(metro, house, after every expiry) = %+v, want none", hz)
	}

	// Removal: by a call-taker of metro, with a reason; once.
	for _, tc := range []struct {
		name  string
		cmd   dispatch.RemovePremise
		actor dispatch.Actor
		code  string
	}{
		{"ErrNoReason", dispatch.RemovePremise{Premise: id, Reason: " "}, metroDisp, dispatch.EINVALID},
		{"ErrOtherAgency", dispatch.RemovePremise{Premise: id, Reason: "x"}, sherDisp, dispatch.ENOTFOUND},
		{"ErrMissing", dispatch.RemovePremise{Premise: "metro-P-2026-999999", Reason: "x"}, metroDisp, dispatch.ENOTFOUND},
	} {
		if _, err := tc.cmd.Decide(s, tc.actor, now); dispatch.ErrorCode(err) != tc.code {
			t.Errorf("%s: Decide = %v, want code %s", tc.name, err, tc.code)
		}
	}
	taker := dispatch.Actor{User: "cal", Agency: "metro", Role: dispatch.RoleCallTaker}
	MustRunAs(t, s, taker, now, dispatch.RemovePremise{Premise: id, Reason: "dog rehomed, rifles surrendered"})
	if p := s.Premises[id]; p.Status != dispatch.PremiseRemoved || p.RemovedBy.User != "cal" || p.RemoveReason != "dog rehomed, rifles surrendered" {
		t.Errorf("premise after removal = %+v", p)
	}
	if hz := s.HazardsAt("metro", house, now); len(hz) != 0 {
		t.Errorf("HazardsAt after removal = %+v, want none", hz)
	}
	if _, err := (dispatch.RemovePremise{Premise: id, Reason: "again"}).Decide(s, taker, now); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Errorf("RemovePremise twice = %v, want a conflict", err)
	}
}

// MustRunAs decides each command as actor at at and applies it.
func MustRunAs(tb testing.TB, s *dispatch.State, actor dispatch.Actor, at time.Time, cmds ...dispatch.Command) {
	tb.Helper()
	for _, c := range cmds {
		evs, err := c.Decide(s, actor, at)
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

func TestPriorsOf(t *testing.T) {
	s := MustLifecycleFixture(t)
	at := func(lat float64) dispatch.Location { return dispatch.Location{Lat: ptr(lat), Lon: ptr(-87.7052)} }
	MustRun(t, s, t0.Add(-400*24*time.Hour), // metro-2025-000001: long ago
		dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: house})
	MustRun(t, s, now.Add(-48*time.Hour),
		dispatch.CreateIncident{Agency: "metro", Type: "DOMESTIC", Location: at(41.8236 + 0.0005)},      // 56 m
		dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: at(41.8236 + 0.0020)},         // 222 m
		dispatch.CreateIncident{Agency: "sheriff", Type: "THEFT", Location: house},                      // another agency
		dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "x"}}, // no point
	)
	MustRun(t, s, now, dispatch.CreateIncident{Agency: "metro", Type: "ASSAULT", Location: house})
	var this *dispatch.Incident
	for _, in := range s.Incidents {
		if in.Type == "ASSAULT" {
			this = in
		}
	}
	got := s.PriorsOf(this, dispatch.DefaultPriorRadiusM, dispatch.DefaultPriorDays, now)
	if len(got) != 1 || got[0].Type != "DOMESTIC" || got[0].DistanceM < 50 || got[0].DistanceM > 60 {
		t.Errorf("PriorsOf(100 m, 365 days) = %+v, want the DOMESTIC 56 m away alone", got)
	}
	if got := s.PriorsOf(this, 300, dispatch.DefaultPriorDays, now); len(got) != 2 {
		t.Errorf("PriorsOf(300 m, 365 days) = %+v, want DOMESTIC and THEFT", got)
	}
	if got := s.PriorsOf(this, 100, dispatch.MaxPriorDays, now); len(got) != 2 || got[1].Type != "NOISE" {
		t.Errorf("PriorsOf(100 m, 5 years) = %+v, want DOMESTIC, then the NOISE of long ago", got)
	}
	if got := s.PriorsOf(this, 100, 1, now); len(got) != 0 {
		t.Errorf("PriorsOf(100 m, 1 day) = %+v, want none", got)
	}
}

func TestFixLocation(t *testing.T) {
	s := MustLifecycleFixture(t) // metro's incidents kept as typed: no point
	queue := s.Unverified("metro")
	if len(queue) != 2 || queue[0].ID != inc1 {
		t.Fatalf("Unverified(metro) = %d incidents, want 2, %s first", len(queue), inc1)
	}
	sup := dispatch.Actor{User: "sue", Agency: "metro", Role: dispatch.RoleSupervisor}
	fixed := dispatch.Location{Text: "1 Main St", Lat: ptr(41.8), Lon: ptr(-87.7)}
	for _, tc := range []struct {
		name  string
		cmd   dispatch.FixLocation
		actor dispatch.Actor
		code  string
	}{
		{"ErrDispatcher", dispatch.FixLocation{Incident: inc1, Location: fixed}, metroDisp, dispatch.EFORBIDDEN},
		{"ErrOtherAgency", dispatch.FixLocation{Incident: inc1, Location: fixed}, dispatch.Actor{User: "s", Agency: "sheriff", Role: dispatch.RoleSupervisor}, dispatch.ENOTFOUND},
		{"ErrNoPoint", dispatch.FixLocation{Incident: inc1, Location: dispatch.Location{Text: "x"}}, sup, dispatch.EINVALID},
		{"ErrNoText", dispatch.FixLocation{Incident: inc1, Location: dispatch.Location{Lat: ptr(41.8), Lon: ptr(-87.7)}}, sup, dispatch.EINVALID},
		{"ErrMissing", dispatch.FixLocation{Incident: "metro-2026-999999", Location: fixed}, sup, dispatch.ENOTFOUND},
	} {
		if _, err := tc.cmd.Decide(s, tc.actor, now); dispatch.ErrorCode(err) != tc.code {
			t.Errorf("%s: Decide = %v, want code %s", tc.name, err, tc.code)
		}
	}
	evs, err := dispatch.FixLocation{Incident: inc1, Location: fixed}.Decide(s, sup, now)
	if err != nil {
		t.Fatalf("FixLocation = %v", err)
	}
	d := evs[0].Data.(*dispatch.IncidentLocationFixed)
	if evs[0].Type != dispatch.TypeIncidentLocationFixed || d.Previous.Text != "1 Main St" || d.Previous.Lat != nil || !d.Location.Verified {
		t.Errorf("event = %s %+v, want incident.location_fixed keeping what was typed", evs[0].Type, d)
	}
	MustRunAs(t, s, sup, now, dispatch.FixLocation{Incident: inc1, Location: fixed})
	if loc := s.Incidents[inc1].Location; !loc.Verified || loc.Lat == nil || *loc.Lat != 41.8 {
		t.Errorf("location after the fix = %+v", loc)
	}
	if q := s.Unverified("metro"); len(q) != 1 || q[0].ID == inc1 {
		t.Errorf("Unverified(metro) after the fix = %d incidents, want 1, not %s", len(q), inc1)
	}
	if _, err := (dispatch.FixLocation{Incident: inc1, Location: fixed}).Decide(s, sup, now); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Errorf("FixLocation twice = %v, want a conflict", err)
	}
}
