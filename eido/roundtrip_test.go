package eido_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
)

// TestExportImport exports an incident of one node as an EIDO and imports
// it into another: the type, place, callers, notes, hazards, units and
// times arrive, and what the import does not represent is listed.
func TestExportImport(t *testing.T) {
	s := newScene(t)
	ctx := context.Background()
	doc, err := eido.Export(ctx, s.e, ann, s.id)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var src dispatch.Incident
	s.e.Read(func(st *dispatch.State) { src = *st.Incidents[s.id] })

	cmd, err := eido.DecodeImport(raw)
	if err != nil {
		t.Fatalf("DecodeImport(an export) = %v", err)
	}
	other := openEngine(t, s.clock.Now)
	must(t, other, root, dispatch.CreateAgency{ID: "county", Name: "County Sheriff", Kind: "sheriff"})
	cmd.Agency = "county"
	res, err := other.Import(ctx, dispatch.Actor{System: "eido-feed"}, cmd)
	if err != nil || res.Outcome != "created" {
		t.Fatalf("Import(an export) = %+v, %v", res, err)
	}
	var in dispatch.Incident
	other.Read(func(st *dispatch.State) { in = *st.Incidents[res.Incident] })

	if in.Type != src.Type || in.Priority != src.Priority || in.Location.Text != src.Location.Text {
		t.Errorf("type, priority, place = %s, %d, %q; want %s, %d, %q", in.Type, in.Priority, in.Location.Text, src.Type, src.Priority, src.Location.Text)
	}
	// The export writes a phone as a tel: URI, its digits only.
	if in.Caller.Name != src.Caller.Name || digits(in.Caller.Phone) != digits(src.Caller.Phone) || len(in.Callers) != len(src.Callers) || in.Callers[0].Caller.Name != src.Callers[0].Caller.Name {
		t.Errorf("callers = %+v %+v; want %+v %+v", in.Caller, in.Callers, src.Caller, src.Callers)
	}
	var texts []string
	for _, n := range in.Notes {
		texts = append(texts, n.Text)
	}
	for _, want := range []string{src.Narrative, src.Notes[0].Text, src.Callers[0].Narrative} {
		if !slices.Contains(texts, want) {
			t.Errorf("notes = %q, want %q among them", texts, want)
		}
	}
	if im := in.Import; im == nil || len(im.Cautions) != 1 || im.Cautions[0].Kind != dispatch.HazardWeapons || im.Cautions[0].Text != "two rifles in the front bedroom" {
		t.Errorf("cautions = %+v, want the premise hazard", in.Import)
	}
	if im := in.Import; len(im.Units) != 2 || im.Units[0].CallSign != "1A10" || im.Times.Received == nil || !im.Times.Received.Equal(src.Received) ||
		im.Times.Dispatched == nil || !im.Times.Dispatched.Equal(*src.Dispatched) || im.Times.OnScene == nil || !im.Times.OnScene.Equal(*src.OnScene) {
		t.Errorf("units, times = %+v, %+v; want 1A10 and 1A11, and the source's received %v, dispatched %v, on scene %v",
			im.Units, im.Times, src.Received, src.Dispatched, src.OnScene)
	}
	for _, p := range []string{"/linkComponent", "/mergeComponent", "/unitEmergencyStateComponent"} {
		if !slices.Contains(res.Result.Events[0].Data.(*dispatch.IncidentImported).Unrepresented, p) {
			t.Errorf("unrepresented lacks %s", p)
		}
	}
	// Imported again, the same export changes nothing.
	if again, err := other.Import(ctx, dispatch.Actor{System: "eido-feed"}, cmd); err != nil || again.Outcome != "unchanged" {
		t.Errorf("Import(the same export) = %+v, %v; want unchanged", again, err)
	}
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
