package http_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
)

// TestLateEntry enters an incident worked on paper through an outage: its
// creation, dispatch, the unit's statuses, a note and its clearance, each
// with the time it happened. The incident's times are the claimed ones;
// the log's times are the times of entry, in order, and every event carries
// the mark; the timeline shows both times, and the evidence bundle proves
// the mark and still verifies.
func TestLateEntry(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	unit := ts.MustExecute(t, dispatch.CreateUnit{CallSign: "E1", Agency: "metro", Kind: "engine"})
	sue := ts.MustCreateUser(t, "sue", "metro", dispatch.RoleSupervisor)
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleCallTaker)
	for _, u := range []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"} {
		ts.MustCreateUser(t, u, "metro", dispatch.RoleOfficer) // time passes: the clock ticks per event
	}
	t0, err := time.Parse(time.RFC3339Nano, ts.Events(t, unit.First)[0].Time)
	if err != nil {
		t.Fatal(err)
	}
	// The outage: the call came a second after the unit came on the board.
	claim := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	late := func(s int) map[string]any {
		return map[string]any{"claimed": claim(s), "reason": "CAD down 14:02-14:40, from the paper cards"}
	}

	before := ts.Engine.Log().Size()
	var created createdWithDuplicates
	MustJSON(t, "POST late incident", ts.Do(t, "POST", "/api/v1/incidents", sue, map[string]any{
		"type": "FIRE_STRUCTURE", "location": map[string]string{"text": "1 Main St"}, "late": late(1)}), 201, &created)
	id := created.ID
	if !created.Received.Equal(claim(1)) || !created.Entered.After(claim(1)) {
		t.Errorf("late incident received %v entered %v, want received at the claimed %v and entered after it", created.Received, created.Entered, claim(1))
	}
	var in dispatch.Incident
	MustJSON(t, "POST late dispatch", ts.Do(t, "POST", "/api/v1/incidents/"+id+"/dispatch", sue, map[string]any{"units": []string{"metro.e1"}, "late": late(2)}), 200, &in)
	for i, st := range []string{dispatch.StatusEnRoute, dispatch.StatusOnScene} {
		var u dispatch.Unit
		MustJSON(t, "POST late status "+st, ts.Do(t, "POST", "/api/v1/units/metro.e1/status", sue, map[string]any{"status": st, "late": late(3 + i)}), 200, &u)
		if u.Status != st || !u.StatusSince.Equal(claim(3+i)) {
			t.Errorf("unit after a late %s: %s since %v, want since the claimed %v", st, u.Status, u.StatusSince, claim(3+i))
		}
	}
	MustJSON(t, "POST late note", ts.Do(t, "POST", "/api/v1/incidents/"+id+"/notes", sue, map[string]any{"text": "roof vented", "late": late(5)}), 200, &in)
	MustJSON(t, "POST late clear", ts.Do(t, "POST", "/api/v1/incidents/"+id+"/clear", sue, map[string]any{"disposition": "fire out", "late": late(6)}), 200, &in)
	for _, c := range []struct {
		name      string
		got       *time.Time
		claimedAt int
	}{{"dispatched", in.Dispatched, 2}, {"en_route", in.EnRoute, 3}, {"on_scene", in.OnScene, 4}, {"cleared", in.Cleared, 6}} {
		if c.got == nil || !c.got.Equal(claim(c.claimedAt)) {
			t.Errorf("incident %s = %v, want the claimed %v", c.name, c.got, claim(c.claimedAt))
		}
	}
	if len(in.Notes) != 1 || !in.Notes[0].Time.Equal(claim(5)) {
		t.Errorf("late note = %+v, want it at the claimed %v", in.Notes, claim(5))
	}

	// The log: every event at its time of entry, in order, after what it claims, and marked.
	var last time.Time
	var marked int
	for _, e := range ts.Events(t, before) {
		if e.Subject["incident"] != id && e.Subject["unit"] != "metro.e1" {
			continue // the sign-in's and the audit's own events
		}
		at, err := time.Parse(time.RFC3339Nano, e.Time)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Late *dispatch.Late `json:"late"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil || d.Late == nil {
			t.Errorf("event %d %s has no late mark: %s", e.Seq, e.Type, e.Data)
			continue
		}
		marked++
		if e.Type == dispatch.TypeIncidentCreated && !created.Entered.Equal(at) {
			t.Errorf("incident entered %v, want the log time of its creation %v", created.Entered, at)
		}
		if !d.Late.Claimed.Before(at) || at.Before(last) {
			t.Errorf("event %d %s: log time %v, claimed %v, previous log time %v; want the log at the entry, after the claim, in order", e.Seq, e.Type, at, d.Late.Claimed, last)
		}
		last = at
	}
	if marked < 6 {
		t.Errorf("%d late-marked events, want at least 6 (incident, dispatch, two statuses, note, clearance)", marked)
	}

	// The timeline shows both times and the reason.
	var tl tenfourhttp.Timeline
	MustJSON(t, "GET timeline", ts.Do(t, "GET", "/api/v1/incidents/"+id+"/timeline", sue, nil), 200, &tl)
	var lates int
	for _, e := range tl.Entries {
		if e.Late == nil {
			continue
		}
		lates++
		if e.Late.Entered != e.Time || e.Late.Claimed >= e.Late.Entered || !strings.Contains(e.Late.Reason, "paper cards") {
			t.Errorf("timeline entry %d late = %+v, time %s; want the entry time, an earlier claim and the reason", e.Seq, e.Late, e.Time)
		}
	}
	if lates < 6 {
		t.Errorf("timeline has %d late entries, want at least 6", lates)
	}

	// The evidence bundle proves the mark: it is in the leaves, and they verify.
	keyText := strings.TrimSpace(string(ts.Do(t, "GET", "/log/key", "", nil).Body))
	r := ts.Do(t, "GET", "/api/v1/incidents/"+id+"/bundle", ts.Admin, nil)
	rep, err := ledger.VerifyBundle(r.Body, keyText)
	if err != nil {
		t.Fatalf("VerifyBundle(late incident) = %v", err)
	}
	var proven []string
	for _, e := range rep.Entries {
		if strings.Contains(string(e.Data), `"late":{"claimed":`) {
			proven = append(proven, e.Type)
		}
	}
	for _, typ := range []string{dispatch.TypeIncidentCreated, dispatch.TypeIncidentDispatched, dispatch.TypeUnitStatusChanged, dispatch.TypeIncidentNoteAdded, dispatch.TypeIncidentCleared} {
		if !slices.Contains(proven, typ) {
			t.Errorf("bundle's verified entries mark late %v, want %s among them", proven, typ)
		}
	}

	// The intervals report says how many of its calls rest on late entries.
	var intervals struct {
		Incidents   int `json:"incidents"`
		LateEntered int `json:"late_entered"`
	}
	MustJSON(t, "GET intervals", ts.Do(t, "GET", "/api/v1/reports/intervals?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z", sue, nil), 200, &intervals)
	if intervals.Incidents != 1 || intervals.LateEntered != 1 {
		t.Errorf("intervals report: %d incidents, %d late entered, want 1 and 1", intervals.Incidents, intervals.LateEntered)
	}

	// Refusals: not a supervisor, no reason, a claim in the future or too far back.
	body := func(l map[string]any) map[string]any {
		return map[string]any{"type": "THEFT", "location": map[string]string{"text": "2 Main St"}, "late": l}
	}
	CheckProblem(t, "POST late as a call-taker", ts.Do(t, "POST", "/api/v1/incidents", ann, body(late(1))), 403, dispatch.EFORBIDDEN, "only a supervisor")
	CheckProblem(t, "POST late without a reason", ts.Do(t, "POST", "/api/v1/incidents", sue, body(map[string]any{"claimed": claim(1)})), 422, dispatch.EINVALID, "reason is required")
	CheckProblem(t, "POST late in the future", ts.Do(t, "POST", "/api/v1/incidents", sue, body(map[string]any{"claimed": claim(3600), "reason": "x"})), 422, dispatch.EINVALID, "before its entry")
	CheckProblem(t, "POST late too far back", ts.Do(t, "POST", "/api/v1/incidents", sue, body(map[string]any{"claimed": claim(-80 * 3600), "reason": "x"})), 422, dispatch.EINVALID, "at most 72h0m0s")
	CheckProblem(t, "POST late status before the unit's", ts.Do(t, "POST", "/api/v1/units/metro.e1/status", sue, map[string]any{"status": "BUSY", "late": late(-1)}), 422, dispatch.EINVALID, "cannot claim")
}
