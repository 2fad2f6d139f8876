package dispatch_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestCompatibleTypes(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"FIRE_STRUCTURE", "FIRE_STRUCTURE", true},
		{"FIRE_STRUCTURE", "FIRE_VEHICLE", true},
		{"FIRE_VEHICLE", "FIRE_STRUCTURE", true},
		{"SHOOTING", "ASSAULT", true},
		{"FIRE_STRUCTURE", "THEFT", false},
		{"NOISE", "SHOOTING", false},
	} {
		if got := dispatch.CompatibleTypes(tc.a, tc.b); got != tc.want {
			t.Errorf("CompatibleTypes(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestPossibleDuplicates places incidents around a new one and checks which
// are named: open, of the same agency and a compatible type, within the
// radius and the window, nearest first.
func TestPossibleDuplicates(t *testing.T) {
	const lat, lon = 41.8225, -87.7050
	at := func(north float64) dispatch.Location {
		return dispatch.Location{Lat: ptr(lat + north/111_195), Lon: ptr(lon)}
	}
	s := MustFixture(t)
	MustRun(t, s, t0,
		dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: at(100)}, // 000002, 08:00
		dispatch.CreateIncident{Agency: "metro", Type: "FIRE_VEHICLE", Location: at(40)},    // 000003, 08:01
		dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: at(0)},            // 000004
		dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: at(400)}, // 000005: too far
		dispatch.CreateIncident{Agency: "sheriff", Type: "FIRE_STRUCTURE", Location: at(0)}, // another agency
		dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: at(10)},  // 000006: closed below
		dispatch.ClearIncident{Incident: "metro-2026-000006", Disposition: "unfounded"},
		dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: at(0)}, // 000007: the new call, 08:07
	)
	in := s.Incidents["metro-2026-000007"]
	got := s.PossibleDuplicates(in, in.Received)
	var ids []string
	for _, d := range got {
		ids = append(ids, d.Incident)
	}
	if want := []string{"metro-2026-000003", "metro-2026-000002"}; !slices.Equal(ids, want) {
		t.Fatalf("PossibleDuplicates = %+v, want %v", got, want)
	}
	if got[0].DistanceM != 40 || got[0].AgeSeconds != 6*60 || got[1].DistanceM != 100 || got[1].AgeSeconds != 7*60 {
		t.Errorf("PossibleDuplicates = %+v, want 40 m 360 s and 100 m 420 s", got)
	}
	// Past the window, none; with the agency's own radius and window, more.
	if late := s.PossibleDuplicates(in, in.Received.Add(10*time.Minute)); len(late) != 0 {
		t.Errorf("PossibleDuplicates 10 minutes later = %+v, want none", late)
	}
	MustRun(t, s, t0.Add(time.Hour), dispatch.SetAgencyTimers{Agency: "metro", Timers: dispatch.Timers{
		PendingAlertSeconds: 60, SafetyCheckSeconds: 1200, DuplicateRadiusM: 500, DuplicateWindowSeconds: 3600}})
	if wide := s.PossibleDuplicates(in, in.Received); len(wide) != 3 {
		t.Errorf("PossibleDuplicates with 500 m = %+v, want three", wide)
	}
}

// TestMergeAndLink merges an incident with a unit on it into another, and
// links incidents; then the refusals.
func TestMergeAndLink(t *testing.T) {
	s := MustLifecycleFixture(t, dispatch.DispatchUnits{Incident: inc2, Units: []string{"metro.2b7"}})
	at := t0.Add(time.Hour)
	evs := MustDecide(t, s, metroDisp, at, dispatch.MergeIncident{Incident: inc2, Into: inc1, Reason: " same noise "})
	if len(evs) != 2 || evs[0].Type != dispatch.TypeIncidentUnitMoved || evs[1].Type != dispatch.TypeIncidentMerged {
		t.Fatalf("MergeIncident events = %+v, want a unit move and the merge", evs)
	}
	if m, sv := s.Incidents[inc2], s.Incidents[inc1]; m.Status != dispatch.IncidentClosed || m.MergedInto != inc1 || m.Disposition != dispatch.DispositionMerged ||
		!slices.Equal(sv.Merged, []string{inc2}) || !slices.Contains(sv.Units, "metro.2b7") || sv.Status != dispatch.IncidentActive {
		t.Errorf("after the merge: merged %+v, survivor %+v", m, sv)
	}
	if u := s.Units["metro.2b7"]; u.Incident != inc1 || u.Status != dispatch.StatusDispatched {
		t.Errorf("unit after the merge: on %q %s, want on %s still DISPATCHED", u.Incident, u.Status, inc1)
	}
	MustRun(t, s, at, dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "4 Main St"}})
	inc3 := "metro-2026-000003"
	MustDecide(t, s, metroDisp, at, dispatch.LinkIncidents{Incident: inc1, Linked: inc3, Relation: dispatch.RelationParent, Reason: "block party"})
	if l1, l3 := s.Incidents[inc1].Links, s.Incidents[inc3].Links; len(l1) != 1 || l1[0].Relation != "parent" || l1[0].Incident != inc3 ||
		len(l3) != 1 || l3[0].Relation != "child" || l3[0].Incident != inc1 || l3[0].By != "ann" {
		t.Errorf("links: %s %+v, %s %+v", inc1, l1, inc3, l3)
	}

	for _, tc := range []struct {
		name  string
		cmd   dispatch.Command
		actor dispatch.Actor
		code  string
	}{
		{"merge into itself", dispatch.MergeIncident{Incident: inc1, Into: inc1, Reason: "x"}, metroDisp, dispatch.EINVALID},
		{"merge a merged incident", dispatch.MergeIncident{Incident: inc2, Into: inc1, Reason: "x"}, metroDisp, dispatch.ECONFLICT},
		{"merge into another agency's", dispatch.MergeIncident{Incident: inc1, Into: sinc, Reason: "x"}, metroDisp, dispatch.ENOTFOUND},
		{"merge another agency's", dispatch.MergeIncident{Incident: sinc, Into: inc1, Reason: "x"}, metroDisp, dispatch.EFORBIDDEN},
		{"merge without a reason", dispatch.MergeIncident{Incident: inc3, Into: inc1, Reason: " "}, metroDisp, dispatch.EINVALID},
		{"link twice", dispatch.LinkIncidents{Incident: inc3, Linked: inc1, Relation: "related", Reason: "x"}, metroDisp, dispatch.ECONFLICT},
		{"link a bad relation", dispatch.LinkIncidents{Incident: inc3, Linked: inc2, Relation: "sibling", Reason: "x"}, metroDisp, dispatch.EINVALID},
		{"link another agency's", dispatch.LinkIncidents{Incident: inc1, Linked: sinc, Relation: "related", Reason: "x"}, metroDisp, dispatch.EFORBIDDEN},
		{"unlink what is not linked", dispatch.UnlinkIncidents{Incident: inc1, Linked: inc2, Reason: "x"}, metroDisp, dispatch.ENOTFOUND},
		{"add a caller to a closed incident", dispatch.AddCaller{Incident: inc2}, metroDisp, dispatch.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.cmd.Decide(s, tc.actor, at); dispatch.ErrorCode(err) != tc.code {
				t.Errorf("Decide = %v, want %s", err, tc.code)
			}
		})
	}
	MustDecide(t, s, metroDisp, at, dispatch.UnlinkIncidents{Incident: inc3, Linked: inc1, Reason: "entered in error"})
	if len(s.Incidents[inc1].Links)+len(s.Incidents[inc3].Links) != 0 {
		t.Errorf("links after unlinking: %+v, %+v, want none", s.Incidents[inc1].Links, s.Incidents[inc3].Links)
	}
}

// TestLateEntry enters an incident and its dispatch late: the events keep
// the time of entry and carry the mark; the state takes the claimed times.
func TestLateEntry(t *testing.T) {
	s := MustLifecycleFixture(t)
	entry := t0.Add(5 * time.Hour)
	claimed := t0.Add(2 * time.Hour)
	sup := dispatch.Actor{User: "sue", Agency: "metro", Role: dispatch.RoleSupervisor}
	evs := MustDecide(t, s, sup, entry, dispatch.WithLate(dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "9 Main St"}},
		&dispatch.Late{Claimed: claimed, Reason: " paper card "}))
	l := dispatch.LateOf(evs[0].Data)
	if !evs[0].Time.Equal(entry) || l == nil || !l.Claimed.Equal(claimed) || l.Reason != "paper card" {
		t.Fatalf("late incident.created at %v with mark %+v, want the entry time %v and the claim %v", evs[0].Time, l, entry, claimed)
	}
	id := evs[0].Subject["incident"]
	if in := s.Incidents[id]; !in.Received.Equal(claimed) || !in.Entered.Equal(entry) {
		t.Errorf("late incident received %v entered %v, want %v and %v", in.Received, in.Entered, claimed, entry)
	}
	evs = MustDecide(t, s, sup, entry, dispatch.WithLate(dispatch.DispatchUnits{Incident: id, Units: []string{"metro.1a12"}},
		&dispatch.Late{Claimed: claimed.Add(time.Minute), Reason: "paper card"}))
	for _, e := range evs {
		if !e.Time.Equal(entry) || dispatch.LateOf(e.Data) == nil {
			t.Errorf("late %s at %v, mark %v; want the entry time and the mark", e.Type, e.Time, dispatch.LateOf(e.Data))
		}
	}
	if in, u := s.Incidents[id], s.Units["metro.1a12"]; in.Dispatched == nil || !in.Dispatched.Equal(claimed.Add(time.Minute)) || !u.StatusSince.Equal(claimed.Add(time.Minute)) {
		t.Errorf("late dispatch: incident dispatched %v, unit since %v, want %v", in.Dispatched, u.StatusSince, claimed.Add(time.Minute))
	}
	if n := s.Incidents[id].LateEntries; n != 3 {
		t.Errorf("incident's late entries = %d, want 3 (its creation, its dispatch, the unit's status)", n)
	}
	if n := s.Incidents[inc1].LateEntries; n != 0 {
		t.Errorf("a record made at the time has %d late entries, want 0", n)
	}

	late := func(c dispatch.Command, claimed time.Time, reason string) dispatch.Command {
		return dispatch.WithLate(c, &dispatch.Late{Claimed: claimed, Reason: reason})
	}
	note := dispatch.AddNote{Incident: id, Text: "x"}
	for _, tc := range []struct {
		name  string
		cmd   dispatch.Command
		actor dispatch.Actor
		code  string
	}{
		{"by a dispatcher", late(note, claimed.Add(2*time.Minute), "x"), metroDisp, dispatch.EFORBIDDEN},
		{"without a reason", late(note, claimed.Add(2*time.Minute), " "), sup, dispatch.EINVALID},
		{"claimed at entry", late(note, entry, "x"), sup, dispatch.EINVALID},
		{"claimed after entry", late(note, entry.Add(time.Second), "x"), sup, dispatch.EINVALID},
		{"claimed beyond 72 hours", late(note, entry.Add(-dispatch.MaxLateness-time.Second), "x"), sup, dispatch.EINVALID},
		{"claimed before the incident", late(note, claimed.Add(-time.Minute), "x"), sup, dispatch.EINVALID},
		{"claimed before the unit's status", late(status("metro.1a12", "EN_ROUTE"), claimed, "x"), sup, dispatch.EINVALID},
		{"no claim", late(note, time.Time{}, "x"), sup, dispatch.EINVALID},
		{"a command of no event in the world", late(dispatch.CreateAgency{ID: "late", Name: "Late", Kind: "sheriff"}, claimed, "x"), sup, dispatch.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.cmd.Decide(s, tc.actor, entry); dispatch.ErrorCode(err) != tc.code {
				t.Errorf("Decide = %v, want %s", err, tc.code)
			}
		})
	}
	if c := dispatch.WithLate(note, nil); c != dispatch.Command(note) {
		t.Errorf("WithLate(c, nil) = %#v, want c", c)
	}
}
