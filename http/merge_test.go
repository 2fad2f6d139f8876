package http_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
)

// TestMergeIncident merges a second report of a fire into the first: the
// merged incident closes with a pointer to the survivor, its unit moves to
// the survivor, both histories stay in the log, and the survivor's timeline
// and evidence bundle carry the merged incident's events and still verify.
func TestMergeIncident(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "E1", Agency: "metro", Kind: "engine"})
	survivor := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	merged := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: dispatch.Location{Text: "3 Main St"}}).Events[0].Subject["incident"]
	foreign := ts.MustExecute(t, dispatch.CreateIncident{Agency: "sheriff", Type: "FIRE_STRUCTURE", Location: dispatch.Location{Text: "5 Main St"}}).Events[0].Subject["incident"]
	ts.MustExecute(t, dispatch.DispatchUnits{Incident: merged, Units: []string{"metro.e1"}})
	ts.MustExecute(t, dispatch.AddNote{Incident: merged, Text: "smoke from the roof"})
	dan := ts.MustCreateUser(t, "dan", "metro", dispatch.RoleDispatcher)
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleCallTaker)
	mergedSeqs, err := ts.Engine.Seqs(context.Background(), "incident", merged)
	if err != nil {
		t.Fatalf("Seqs(incident, %s) = %v", merged, err)
	}

	path := "/api/v1/incidents/" + merged + "/merge"
	CheckProblem(t, "POST merge without a reason", ts.Do(t, "POST", path, dan, map[string]string{"into": survivor}), 422, dispatch.EINVALID, "reason is required")
	CheckProblem(t, "POST merge into another agency's incident", ts.Do(t, "POST", path, dan, map[string]string{"into": foreign, "reason": "x"}), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "POST merge as a call-taker", ts.Do(t, "POST", path, ann, map[string]string{"into": survivor, "reason": "x"}), 403, dispatch.EFORBIDDEN, "not open to your roles")

	before := ts.Engine.Log().Size()
	var in dispatch.Incident
	MustJSON(t, "POST "+path, ts.Do(t, "POST", path, dan, map[string]string{"into": survivor, "reason": "same fire, second caller"}), 200, &in)
	if in.ID != survivor || !slices.Equal(in.Merged, []string{merged}) || !slices.Contains(in.Units, "metro.e1") || in.Status != dispatch.IncidentActive {
		t.Errorf("POST %s answered %+v, want the survivor %s, ACTIVE with metro.e1 and merged %s", path, in, survivor, merged)
	}
	MustJSON(t, "GET merged", ts.Do(t, "GET", "/api/v1/incidents/"+merged, dan, nil), 200, &in)
	if in.Status != dispatch.IncidentClosed || in.MergedInto != survivor || in.Disposition != dispatch.DispositionMerged || in.Cleared == nil {
		t.Errorf("merged incident = %+v, want CLOSED, MERGED, merged_into %s", in, survivor)
	}
	var u dispatch.Unit
	ts.Engine.Read(func(st *dispatch.State) { u = *st.Units["metro.e1"] })
	if u.Incident != survivor || u.Status != dispatch.StatusDispatched {
		t.Errorf("unit after the merge: incident %q status %s, want %s, still DISPATCHED", u.Incident, u.Status, survivor)
	}
	var types []string
	for _, e := range ts.Events(t, before) {
		if e.Type != dispatch.TypePrivateRead {
			types = append(types, e.Type)
		}
	}
	if !slices.Equal(types, []string{dispatch.TypeIncidentUnitMoved, dispatch.TypeIncidentMerged}) {
		t.Errorf("the merge logged %v, want a unit move then the merge", types)
	}
	CheckProblem(t, "POST merge again", ts.Do(t, "POST", path, dan, map[string]string{"into": survivor, "reason": "x"}), 409, dispatch.ECONFLICT, "closed")

	// The survivor's timeline shows its own history, the merged one's, and the merge.
	var tl tenfourhttp.Timeline
	MustJSON(t, "GET survivor timeline", ts.Do(t, "GET", "/api/v1/incidents/"+survivor+"/timeline", dan, nil), 200, &tl)
	var seqs []int64
	var sawMerge, sawMergedCreation bool
	for _, e := range tl.Entries {
		seqs = append(seqs, e.Seq)
		sawMerge = sawMerge || e.Type == dispatch.TypeIncidentMerged
		sawMergedCreation = sawMergedCreation || (e.Type == dispatch.TypeIncidentCreated && e.Subject["incident"] == merged)
	}
	for _, s := range mergedSeqs {
		if !slices.Contains(seqs, s) {
			t.Errorf("survivor timeline %v lacks event %d of the merged incident", seqs, s)
		}
	}
	if !sawMerge || !sawMergedCreation || !slices.IsSorted(seqs) {
		t.Errorf("survivor timeline: merge %v, merged incident's creation %v, in order %v; want all", sawMerge, sawMergedCreation, slices.IsSorted(seqs))
	}
	// The merged incident keeps its own history.
	MustJSON(t, "GET merged timeline", ts.Do(t, "GET", "/api/v1/incidents/"+merged+"/timeline", dan, nil), 200, &tl)
	if len(tl.Entries) < len(mergedSeqs)+1 {
		t.Errorf("merged timeline has %d entries, want its %d and the merge", len(tl.Entries), len(mergedSeqs))
	}
	keyText := strings.TrimSpace(string(ts.Do(t, "GET", "/log/key", "", nil).Body))
	r := ts.Do(t, "GET", "/api/v1/incidents/"+survivor+"/bundle", ts.Admin, nil)
	rep, err := ledger.VerifyBundle(r.Body, keyText)
	if err != nil {
		t.Fatalf("VerifyBundle(survivor bundle) = %v", err)
	}
	var bundled []int64
	for _, e := range rep.Entries {
		bundled = append(bundled, e.Seq)
	}
	for _, s := range mergedSeqs {
		if !slices.Contains(bundled, s) {
			t.Errorf("survivor bundle %v lacks event %d of the merged incident", bundled, s)
		}
	}
}

// TestLinkIncidents links incidents as parent and child, shows the link on
// both, refuses a link to what the caller cannot see, and removes it.
func TestLinkIncidents(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	major := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: dispatch.Location{Text: "1 Main St"}}).Events[0].Subject["incident"]
	part := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "TRAFFIC_HAZARD", Location: dispatch.Location{Text: "Main St and 2nd"}}).Events[0].Subject["incident"]
	foreign := ts.MustExecute(t, dispatch.CreateIncident{Agency: "sheriff", Type: "FIRE_STRUCTURE", Location: dispatch.Location{Text: "5 Main St"}}).Events[0].Subject["incident"]
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleCallTaker)

	path := "/api/v1/incidents/" + major + "/links"
	var in dispatch.Incident
	MustJSON(t, "POST "+path, ts.Do(t, "POST", path, ann, map[string]string{"incident": part, "relation": "child", "reason": "traffic control for the fire"}), 200, &in)
	if len(in.Links) != 1 || in.Links[0].Incident != part || in.Links[0].Relation != "child" || in.Links[0].By != "ann" {
		t.Errorf("POST %s: links %+v, want %s as child", path, in.Links, part)
	}
	MustJSON(t, "GET part", ts.Do(t, "GET", "/api/v1/incidents/"+part, ann, nil), 200, &in)
	if len(in.Links) != 1 || in.Links[0].Incident != major || in.Links[0].Relation != "parent" {
		t.Errorf("linked incident: links %+v, want %s as parent", in.Links, major)
	}
	CheckProblem(t, "POST link twice", ts.Do(t, "POST", path, ann, map[string]string{"incident": part, "relation": "related", "reason": "x"}), 409, dispatch.ECONFLICT, "already linked")
	CheckProblem(t, "POST link to another agency's incident", ts.Do(t, "POST", path, ann, map[string]string{"incident": foreign, "relation": "related", "reason": "x"}), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "POST link with a bad relation", ts.Do(t, "POST", "/api/v1/incidents/"+part+"/links", ann, map[string]string{"incident": foreign + "x", "relation": "sibling", "reason": "x"}), 404, dispatch.ENOTFOUND, "does not exist")

	// The installation administrator sees both agencies and may link across
	// them; metro's users do not see the link to the sheriff's incident.
	MustJSON(t, "POST cross-agency link", ts.Do(t, "POST", path, ts.Admin, map[string]string{"incident": foreign, "relation": "related", "reason": "same smoke plume"}), 200, &in)
	if len(in.Links) != 2 {
		t.Errorf("administrator's view: links %+v, want two", in.Links)
	}
	MustJSON(t, "GET major", ts.Do(t, "GET", "/api/v1/incidents/"+major, ann, nil), 200, &in)
	if len(in.Links) != 1 || in.Links[0].Incident != part {
		t.Errorf("metro's view: links %+v, want only %s", in.Links, part)
	}

	CheckProblem(t, "DELETE link without a reason", ts.Do(t, "DELETE", path+"/"+part, ann, nil), 422, dispatch.EINVALID, "reason is required")
	in = dispatch.Incident{} // a member left out of the answer must not survive from before
	MustJSON(t, "DELETE link", ts.Do(t, "DELETE", path+"/"+part+"?reason=entered+in+error", ann, nil), 200, &in)
	if len(in.Links) != 0 {
		t.Errorf("after DELETE: links %+v, want none", in.Links)
	}
	in = dispatch.Incident{}
	MustJSON(t, "GET part", ts.Do(t, "GET", "/api/v1/incidents/"+part, ann, nil), 200, &in)
	if len(in.Links) != 0 {
		t.Errorf("linked incident after DELETE: links %+v, want none", in.Links)
	}
	CheckProblem(t, "DELETE link again", ts.Do(t, "DELETE", path+"/"+part+"?reason=x", ann, nil), 404, dispatch.ENOTFOUND, "no link")
}
