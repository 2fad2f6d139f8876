package eido_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/eido/eidotest"
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
	// Exported again from the node that imported it: the same incident,
	// field by field — type, place, times, units, notes, hazards.
	again, err := eido.Export(ctx, other, dispatch.Actor{System: "test"}, res.Incident)
	if err != nil {
		t.Fatalf("Export(the imported incident) = %v", err)
	}
	eidotest.ValidateDocument(t, again)
	first, second := exportFacts(t, doc), exportFacts(t, again)
	for _, f := range []struct {
		name string
		a, b any
	}{
		{"type", first.typ, second.typ},
		{"place", first.place, second.place},
		{"point", first.point, second.point},
		{"times", first.times, second.times},
		{"units", first.units, second.units},
		{"notes", first.notes, second.notes},
		{"hazards", first.hazards, second.hazards},
	} {
		if !reflect.DeepEqual(f.a, f.b) {
			t.Errorf("exported again, the %s = %v; the first export's %v", f.name, f.b, f.a)
		}
	}

	// Imported again, the same export changes nothing.
	if again, err := other.Import(ctx, dispatch.Actor{System: "eido-feed"}, cmd); err != nil || again.Outcome != "unchanged" {
		t.Errorf("Import(the same export) = %+v, %v; want unchanged", again, err)
	}
}

// facts are what an EIDO says of its incident, to compare two exports.
type facts struct {
	typ, place, point string
	times             string // received … on scene: the clearing is each centre's own
	units             []string
	notes, hazards    []string
}

func exportFacts(t *testing.T, d eido.Document) facts {
	t.Helper()
	var f facts
	f.typ = d.IncidentComponent.IncidentTypeCommonRegistryText + " " + d.IncidentComponent.IncidentTypeInternalCode
	for _, l := range d.LocationComponent {
		if l.LocationTypeDescriptionRegistryText == "Incident" {
			f.place = l.LocationDescriptionText
			if i, j := strings.Index(l.LocationByValue, "<gml:pos>"), strings.Index(l.LocationByValue, "</gml:pos>"); i >= 0 && j > i {
				f.point = l.LocationByValue[i+len("<gml:pos>") : j]
			}
		}
	}
	for _, a := range d.AdditionalDataComponent {
		if !strings.HasSuffix(a.ID, ":times:"+d.IncidentComponent.InternalIncidentID) {
			continue
		}
		var tm eido.Times
		if err := json.Unmarshal([]byte(a.AdditionalDataByValue), &tm); err != nil {
			t.Fatalf("times %q: %v", a.AdditionalDataByValue, err)
		}
		f.times = fmt.Sprint(tm.Received.UTC(), stamp(tm.Answered), stamp(tm.Dispatched), stamp(tm.EnRoute), stamp(tm.OnScene))
	}
	for _, r := range d.EmergencyResourceComponent {
		f.units = append(f.units, r.EmergencyResourceName+" "+r.PrimaryUnitStatusRegistryText)
	}
	for _, n := range d.NotesComponent {
		if text := eido.NoteText(n.NotesActionComments); !slices.Contains(f.notes, text) {
			f.notes = append(f.notes, text)
		}
	}
	for _, c := range d.CautionComponent {
		f.hazards = append(f.hazards, c.CautionTypeInternalText+" "+c.CautionTypeCommonRegistryText)
	}
	slices.Sort(f.units)
	slices.Sort(f.notes)
	slices.Sort(f.hazards)
	return f
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
