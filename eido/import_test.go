package eido_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
)

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// TestDecodeImportHandWritten reads an EIDO written by hand after NENA's
// samples (testdata/import-incident.json) and finds in the command what
// the document says: its source and id, the type mapped to the catalogue,
// the priority, the civic address as text, the caller with the call-back
// number and call time, the notes as plain text with their authors and
// times, the cautions as hazards, the units and the sender's times — and
// the parts it does not represent listed, those it does not.
func TestDecodeImportHandWritten(t *testing.T) {
	doc := mustRead(t, "import-incident.json")
	cmd, err := eido.DecodeImport(doc)
	if err != nil {
		t.Fatalf("DecodeImport = %v", err)
	}
	if cmd.Source != "cad.lakeside.example.us" || cmd.Ref != "urn:emergency:uid:incidentid:b71c0e2a44:psap.lakeside.example.us" {
		t.Errorf("source, ref = %q, %q", cmd.Source, cmd.Ref)
	}
	if cmd.Type != "FIRE_STRUCTURE" || cmd.SourceType != "Structure Fire / STRUCTURE FIRE - RESIDENTIAL" || cmd.Priority == nil || *cmd.Priority != 1 {
		t.Errorf("type, source type, priority = %q, %q, %v", cmd.Type, cmd.SourceType, cmd.Priority)
	}
	if cmd.Transfer || cmd.Status != "Dispatched" {
		t.Errorf("transfer, status = %v, %q", cmd.Transfer, cmd.Status)
	}
	if cmd.Location.Text != "3900 S Kedzie Ave" || cmd.Location.Lat != nil {
		t.Errorf("location = %+v, want the civic address as text, no point", cmd.Location)
	}
	wantCallers := []dispatch.ImportedCaller{{Ref: "person-caller-1", Name: "Dana Quill", Phone: "+13125550148", Received: ts("2026-02-28T09:10:12Z")}}
	if !slices.EqualFunc(cmd.Callers, wantCallers, func(a, b dispatch.ImportedCaller) bool {
		return a.Ref == b.Ref && a.Name == b.Name && a.Phone == b.Phone && a.Received != nil && a.Received.Equal(*b.Received)
	}) {
		t.Errorf("callers = %+v, want %+v", cmd.Callers, wantCallers)
	}
	wantNotes := []dispatch.ImportedNote{
		{Ref: "note-1", Time: *ts("2026-02-28T09:11:02Z"), Author: "rjones@psap.lakeside.example.us", Text: "Caller reports smoke coming from the garage; occupants are out."},
		{Ref: "note-2", Time: *ts("2026-02-28T09:12:45Z"), Author: "rjones@psap.lakeside.example.us", Text: "Neighbour says propane tanks are stored in the garage & a dog is loose in the yard."},
	}
	if !slices.EqualFunc(cmd.Notes, wantNotes, func(a, b dispatch.ImportedNote) bool {
		return a.Ref == b.Ref && a.Time.Equal(b.Time) && a.Author == b.Author && a.Text == b.Text
	}) {
		t.Errorf("notes = %+v, want %+v", cmd.Notes, wantNotes)
	}
	wantCautions := []dispatch.Caution{{Kind: "hazmat", Text: "Propane tanks stored in garage", Severity: "high"}, {Kind: "dog", Text: "Loose dog in the yard", Severity: "normal"}}
	if !slices.Equal(cmd.Cautions, wantCautions) {
		t.Errorf("cautions = %+v, want %+v", cmd.Cautions, wantCautions)
	}
	if len(cmd.Units) != 1 || cmd.Units[0].CallSign != "E12" || cmd.Units[0].Agency != "fire.lakeside.example.us" || cmd.Units[0].Status != "Enroute" {
		t.Errorf("units = %+v", cmd.Units)
	}
	for name, c := range map[string][2]*time.Time{
		"received":   {cmd.Times.Received, ts("2026-02-28T09:10:12Z")},
		"answered":   {cmd.Times.Answered, ts("2026-02-28T09:10:19Z")},
		"dispatched": {cmd.Times.Dispatched, ts("2026-02-28T09:12:00Z")},
		"en route":   {cmd.Times.EnRoute, ts("2026-02-28T09:13:05Z")},
	} {
		if c[0] == nil || !c[0].Equal(*c[1]) {
			t.Errorf("the sender's %s time = %v, want %v", name, c[0], c[1])
		}
	}
	if cmd.Times.OnScene != nil || cmd.Times.Cleared != nil {
		t.Errorf("on scene, cleared = %v, %v; want none", cmd.Times.OnScene, cmd.Times.Cleared)
	}
	for _, p := range []string{"/additionalDataComponent", "/agentComponent", "/incidentComponent/beatOrDispatchGroupText",
		"/incidentComponent/incidentPriorityInternalText", "/callComponent/0/queueIdentifier", "/locationComponent/0/locationDescriptionText"} {
		if !slices.Contains(cmd.Unrepresented, p) {
			t.Errorf("unrepresented = %q, want it to hold %s", cmd.Unrepresented, p)
		}
	}
	for _, p := range []string{"/incidentComponent/incidentTypeCommonRegistryText", "/notesComponent/0/notesActionComments", "/eidoVersion",
		"/locationComponent/0/locationByValue", "/personComponent/0/ncPersonComponent/nc:PersonName/nc:PersonGivenName"} {
		for _, u := range cmd.Unrepresented {
			if u == p || strings.HasPrefix(p, u+"/") {
				t.Errorf("unrepresented holds %s, which covers %s, a part represented", u, p)
			}
		}
	}
	if !bytes.Equal(cmd.Original, doc) {
		t.Error("the original is not the document as read")
	}
}

// TestDecodeImportCallTransfer reads a call transfer — a call, its caller
// and a PIDF-LO civic address, no incident component — as a transfer with
// that address, the caller's call-back number and the call's times.
func TestDecodeImportCallTransfer(t *testing.T) {
	for name, want := range map[string]string{"call-transfer.json": "3900 S Kedzie Ave", "call-transfer-off-map.json": "42 W Cellular Street"} {
		cmd, err := eido.DecodeImport(mustRead(t, name))
		if err != nil {
			t.Fatalf("DecodeImport(%s) = %v", name, err)
		}
		if !cmd.Transfer || cmd.Type != "" || cmd.Location.Text != want {
			t.Errorf("%s: transfer, type, location = %v, %q, %+v; want true, \"\", %q", name, cmd.Transfer, cmd.Type, cmd.Location, want)
		}
		if len(cmd.Callers) != 1 || cmd.Callers[0].Phone != "3125550199" {
			t.Errorf("%s: callers = %+v, want the call-back number 3125550199", name, cmd.Callers)
		}
		if cmd.Times.Received == nil || !cmd.Times.Received.Equal(*ts("2026-02-28T09:19:30Z")) || cmd.Times.Answered == nil {
			t.Errorf("%s: times = %+v", name, cmd.Times)
		}
		if !slices.Contains(cmd.Unrepresented, "/callbackComponent/0/deviceContactHeader") {
			t.Errorf("%s: unrepresented = %q, want the device contact header", name, cmd.Unrepresented)
		}
	}
}

// edit returns the hand-written EIDO with f applied to it as a tree.
func edit(tb testing.TB, f func(m map[string]any)) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(mustRead(tb, "import-incident.json"), &m); err != nil {
		tb.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func nested(depth int) []byte {
	return []byte(`{"eidoVersion":"1.0","x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
}

// TestDecodeImportInvalid refuses bad EIDOs with the JSON Pointer of the
// first fault: wrong JSON types, missing required members and components,
// too deep, named twice, not one JSON object, too large.
func TestDecodeImportInvalid(t *testing.T) {
	comp := func(m map[string]any, key string) map[string]any { return m[key].([]any)[0].(map[string]any) }
	for _, tc := range []struct {
		name, ptr, reason string
		doc               []byte
	}{
		{"VersionNumber", "/eidoVersion", "string", edit(t, func(m map[string]any) { m["eidoVersion"] = 1 })},
		{"VersionOther", "/eidoVersion", "not", edit(t, func(m map[string]any) { m["eidoVersion"] = "2.0" })},
		{"NoIssuer", "/issuingElementIdentification", "required", edit(t, func(m map[string]any) { delete(m, "issuingElementIdentification") })},
		{"NoAgency", "/agencyComponent", "required", edit(t, func(m map[string]any) { delete(m, "agencyComponent") })},
		{"AgencyNotArray", "/agencyComponent", "array", edit(t, func(m map[string]any) { m["agencyComponent"] = map[string]any{} })},
		{"AgencyTypeMissing", "/agencyComponent/1/agencyType", "required", edit(t, func(m map[string]any) { delete(m["agencyComponent"].([]any)[1].(map[string]any), "agencyType") })},
		{"NoID", "/$id", "required", edit(t, func(m map[string]any) { delete(m, "$id") })},
		{"BadTime", "/lastUpdateTimeStamp", "date-time", edit(t, func(m map[string]any) { m["lastUpdateTimeStamp"] = "yesterday" })},
		{"NoIncidentNoCall", "/incidentComponent", "callComponent", edit(t, func(m map[string]any) { delete(m, "incidentComponent"); delete(m, "callComponent") })},
		{"IncidentTypeMissing", "/incidentComponent/incidentTypeCommonRegistryText", "required", edit(t, func(m map[string]any) {
			delete(m["incidentComponent"].(map[string]any), "incidentTypeCommonRegistryText")
		})},
		{"PriorityText", "/incidentComponent/incidentCommonPriorityNumber", "integer", edit(t, func(m map[string]any) {
			m["incidentComponent"].(map[string]any)["incidentCommonPriorityNumber"] = "high"
		})},
		{"NoteNumber", "/notesComponent/0/notesActionComments", "string", edit(t, func(m map[string]any) { comp(m, "notesComponent")["notesActionComments"] = 42 })},
		{"LocationMissing", "/incidentComponent/locationReference/0/$ref", "locationComponent", edit(t, func(m map[string]any) { delete(m, "locationComponent") })},
		{"CautionSeverity", "/cautionComponent/0/cautionSeverity", "required", edit(t, func(m map[string]any) { delete(comp(m, "cautionComponent"), "cautionSeverity") })},
		{"UnitStatus", "/emergencyResourceComponent/0/primaryUnitStatusRegistryText", "string", edit(t, func(m map[string]any) {
			comp(m, "emergencyResourceComponent")["primaryUnitStatusRegistryText"] = []any{"Enroute"}
		})},
		{"CallStart", "/callComponent/0/callStartTimestamp", "required", edit(t, func(m map[string]any) { delete(comp(m, "callComponent"), "callStartTimestamp") })},
		{"Deep", "/x" + strings.Repeat("/0", eido.MaxDepth-1), "deeper", nested(eido.MaxDepth + 5)},
		{"Twice", "/eidoVersion", "twice", []byte(`{"eidoVersion":"1.0","eidoVersion":"1.0"}`)},
		{"Array", "", "object", []byte(`[1,2]`)},
		{"Trailing", "", "more than one", []byte(`{} {}`)},
		{"Broken", "/a", "not JSON", []byte(`{"a": tru}`)},
		{"TooLarge", "", "larger", append(append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), eido.MaxDocument)...), `"}`...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eido.DecodeImport(tc.doc)
			ie, ok := eido.IsInvalid(err)
			if !ok {
				t.Fatalf("DecodeImport = %v, want an *InvalidError", err)
			}
			if ie.Pointer != tc.ptr || !strings.Contains(ie.Reason, tc.reason) {
				t.Errorf("DecodeImport = pointer %q, reason %q; want %q, a reason with %q", ie.Pointer, ie.Reason, tc.ptr, tc.reason)
			}
		})
	}
	// Nested exactly to the limit is read (and refused for what it lacks).
	_, err := eido.DecodeImport(nested(eido.MaxDepth - 1))
	if ie, ok := eido.IsInvalid(err); !ok || strings.Contains(ie.Reason, "deeper") {
		t.Errorf("DecodeImport(nested to the limit) = %v, want a fault other than depth", err)
	}
}

// resolve returns the value at a JSON Pointer of doc.
func resolve(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, false
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			doc = x[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// FuzzDecode feeds the import's reader any bytes: it never panics; it
// answers an *InvalidError or a command whose original is the input, with
// a source and an id, a location, and unrepresented parts that are parts
// of the document.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"import-incident.json", "call-transfer.json", "call-transfer-off-map.json"} {
		f.Add(mustRead(f, name))
	}
	f.Add([]byte(`{"eidoVersion":"1.0"}`))
	f.Add(nested(40))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		cmd, err := eido.DecodeImport(doc)
		if err != nil {
			var ie *eido.InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("DecodeImport = %v (%T), want an *InvalidError", err, err)
			}
			return
		}
		if !bytes.Equal(cmd.Original, doc) || cmd.Source == "" || cmd.Ref == "" {
			t.Fatalf("DecodeImport = source %q, ref %q, original of %d bytes; want both and the input", cmd.Source, cmd.Ref, len(cmd.Original))
		}
		if cmd.Location.Text == "" && cmd.Location.Lat == nil {
			t.Fatal("DecodeImport accepted a document with no location")
		}
		var tree any
		if err := json.Unmarshal(doc, &tree); err != nil {
			t.Fatalf("DecodeImport accepted what encoding/json refuses: %v", err)
		}
		for _, p := range cmd.Unrepresented {
			if _, ok := resolve(tree, p); !ok {
				t.Fatalf("unrepresented %q is not a part of the document", p)
			}
		}
	})
}

// TestDecodeImportPlaceOfTheCall: an incident that names no place of its
// own takes its call's.
func TestDecodeImportPlaceOfTheCall(t *testing.T) {
	cmd, err := eido.DecodeImport(edit(t, func(m map[string]any) { delete(m["incidentComponent"].(map[string]any), "locationReference") }))
	if err != nil || cmd.Location.Text != "3900 S Kedzie Ave" {
		t.Errorf("DecodeImport = %+v, %v; want the call's place", cmd.Location, err)
	}
	_, err = eido.DecodeImport(edit(t, func(m map[string]any) {
		delete(m["incidentComponent"].(map[string]any), "locationReference")
		delete(m["callComponent"].([]any)[0].(map[string]any), "locationReference")
	}))
	if ie, ok := eido.IsInvalid(err); !ok || ie.Pointer != "/incidentComponent/locationReference" {
		t.Errorf("DecodeImport(no place anywhere) = %v, want a fault at /incidentComponent/locationReference", err)
	}
}
