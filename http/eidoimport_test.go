package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/ledger"
)

// eidoDoc returns an EIDO of eido/testdata (written by hand after NENA's
// samples), edited by f, as a tree.
func eidoDoc(tb testing.TB, name string, f func(m map[string]any)) map[string]any {
	tb.Helper()
	b, err := os.ReadFile("../eido/testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	if f != nil {
		f(m)
	}
	return m
}

type importAnswer struct {
	Incident           string                       `json:"incident"`
	URL                string                       `json:"url"`
	Outcome            string                       `json:"outcome"`
	Unrepresented      []string                     `json:"unrepresented"`
	PossibleDuplicates []dispatch.PossibleDuplicate `json:"possible_duplicates"`
}

func mustImport(tb testing.TB, ts *TestServer, token string, doc any, status int) importAnswer {
	tb.Helper()
	r := ts.Do(tb, "POST", "/api/v1/eido", token, doc)
	if r.Status != status {
		tb.Fatalf("POST /api/v1/eido = %d %s, want %d", r.Status, r.Body, status)
	}
	var a importAnswer
	if err := json.Unmarshal(r.Body, &a); err != nil {
		tb.Fatalf("POST /api/v1/eido: %v in %s", err, r.Body)
	}
	return a
}

func getIncident(tb testing.TB, ts *TestServer, token, id string) dispatch.Incident {
	tb.Helper()
	r := ts.Do(tb, "GET", "/api/v1/incidents/"+id, token, nil)
	if r.Status != 200 {
		tb.Fatalf("GET /api/v1/incidents/%s = %d %s", id, r.Status, r.Body)
	}
	var in dispatch.Incident
	if err := json.Unmarshal(r.Body, &in); err != nil {
		tb.Fatal(err)
	}
	return in
}

// TestImportEIDO imports the hand-written EIDO through POST /api/v1/eido:
// the incident is created in the caller's agency with its location
// geocoded on the demo map, its type mapped, its callers, notes, cautions
// (as hazards) and the sender's units there, the original committed in the
// log and not in clear; the same EIDO again changes nothing; a changed EIDO
// updates the incident by what changed.
func TestImportEIDO(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	taker := ts.MustCreateUser(t, "cara", "metro", dispatch.RoleCallTaker)

	// A call about the same fire, taken here a moment before.
	own := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "FIRE_STRUCTURE", Location: dispatch.Location{Text: "3900 S Kedzie Ave"}}).Events[0].Subject["incident"]

	before := ts.Engine.Log().Size()
	a := mustImport(t, ts, taker, eidoDoc(t, "import-incident.json", nil), http.StatusCreated)
	if len(a.PossibleDuplicates) != 1 || a.PossibleDuplicates[0].Incident != own {
		t.Errorf("possible duplicates = %+v, want %s, the same fire taken here", a.PossibleDuplicates, own)
	}
	if a.Outcome != "created" || a.URL != "/api/v1/incidents/"+a.Incident || !strings.HasPrefix(a.Incident, "metro-") {
		t.Fatalf("answer = %+v, want a metro incident created", a)
	}
	if !containsAll(a.Unrepresented, "/additionalDataComponent", "/agentComponent", "/incidentComponent/beatOrDispatchGroupText") {
		t.Errorf("unrepresented = %q", a.Unrepresented)
	}
	in := getIncident(t, ts, taker, a.Incident)
	if in.Type != "FIRE_STRUCTURE" || in.Priority != 1 || in.Status != dispatch.IncidentPending {
		t.Errorf("type, priority, status = %s, %d, %s", in.Type, in.Priority, in.Status)
	}
	if !in.Location.Verified || in.Location.Lat == nil || in.Location.District == "" {
		t.Errorf("location = %+v, want it geocoded on the map, with its district", in.Location)
	}
	if in.Caller.Name != "Dana Quill" || in.Caller.Phone != "+13125550148" {
		t.Errorf("caller = %+v", in.Caller)
	}
	if len(in.Notes) != 2 || in.Notes[0].Author != "rjones@psap.lakeside.example.us" || !strings.Contains(in.Notes[1].Text, "propane") {
		t.Errorf("notes = %+v", in.Notes)
	}
	kinds := map[string]string{}
	for _, h := range in.Hazards {
		kinds[h.Kind] = h.Text
	}
	if kinds["hazmat"] != "Propane tanks stored in garage" || kinds["dog"] != "Loose dog in the yard" {
		t.Errorf("hazards = %+v, want the EIDO's cautions", in.Hazards)
	}
	im := in.Import
	if im == nil || im.Source != "cad.lakeside.example.us" || im.Ref != "urn:emergency:uid:incidentid:b71c0e2a44:psap.lakeside.example.us" ||
		len(im.Units) != 1 || im.Units[0].CallSign != "E12" || im.Times.Received == nil {
		t.Fatalf("import = %+v", im)
	}
	// The events: one incident.imported, by the call-taker, with the
	// original as a commitment and nothing of it in clear.
	ens := importEvents(t, ts, before)
	if len(ens) != 1 || ens[0].Type != dispatch.TypeIncidentImported || ens[0].Subject[dispatch.SubjectEIDORef] != "metro "+im.Ref {
		t.Fatalf("events = %+v, want one incident.imported with its eido_ref subject", ens)
	}
	raw, err := ts.Store.ReadEntries(context.Background(), ens[0].Seq, ens[0].Seq+1)
	if err != nil || len(raw) != 1 {
		t.Fatalf("ReadEntries = %d, %v", len(raw), err)
	}
	leaf := raw[0]
	en, err := ledger.ParseEntry(leaf)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := en.Private[dispatch.PrivateEIDO]; !ok {
		t.Errorf("incident.imported has no commitment of the original: %v", en.Private)
	}
	for _, secret := range []string{"Dana", "Quill", "propane", "Kedzie", "13125550148", "rjones", "incidentTypeCommonRegistryText"} {
		if bytes.Contains(bytes.ToLower(leaf), bytes.ToLower([]byte(secret))) {
			t.Errorf("the leaf holds %q in clear: %s", secret, leaf)
		}
	}

	// The same EIDO again: nothing recorded.
	size := ts.Engine.Log().Size()
	before = size
	if again := mustImport(t, ts, taker, eidoDoc(t, "import-incident.json", nil), http.StatusOK); again.Outcome != "unchanged" || again.Incident != a.Incident {
		t.Errorf("the same EIDO again = %+v, want %s unchanged", again, a.Incident)
	}
	if got := importEvents(t, ts, size); len(got) != 0 {
		t.Errorf("the same EIDO again recorded %+v, want nothing", got)
	}

	// A changed EIDO: a third note, a new place, another status.
	changedDoc := eidoDoc(t, "import-incident.json", func(m map[string]any) {
		notes := m["notesComponent"].([]any)
		m["notesComponent"] = append(notes, map[string]any{"$id": "note-3", "lastUpdateTimeStamp": "2026-02-28T09:20:00Z",
			"updatedByAgencyReference": map[string]any{"$ref": "psap.lakeside.example.us"}, "notesActionComments": "Fire knocked down."})
		loc := m["locationComponent"].([]any)[0].(map[string]any)
		loc["locationByValue"] = strings.Replace(loc["locationByValue"].(string), "<HNO>3900</HNO>", "<HNO>4000</HNO>", 1)
		m["incidentComponent"].(map[string]any)["incidentStatusCommonRegistryText"] = []any{"OnScene"}
	})
	up := mustImport(t, ts, taker, changedDoc, http.StatusOK)
	if up.Outcome != "updated" || up.Incident != a.Incident {
		t.Fatalf("changed EIDO = %+v, want %s updated", up, a.Incident)
	}
	in = getIncident(t, ts, taker, a.Incident)
	if len(in.Notes) != 3 || in.Notes[2].Text != "Fire knocked down." || in.Import.Status != "OnScene" || in.Import.Revision != 2 {
		t.Errorf("after the update: notes %+v, import %+v", in.Notes, in.Import)
	}
	if !strings.HasPrefix(in.Location.Text, "4000 S Kedzie") || !in.Location.Verified {
		t.Errorf("after the update: location = %+v, want 4000 S Kedzie Ave, verified", in.Location)
	}
	ens = importEvents(t, ts, before)
	if len(ens) != 1 || ens[0].Type != dispatch.TypeIncidentImportUpdated {
		t.Fatalf("events of the update = %+v, want one incident.import_updated", ens)
	}
}

// importEvents returns the import events of the log from seq on (reads
// log their own access events beside them).
func importEvents(tb testing.TB, ts *TestServer, from int64) []ledger.Entry {
	tb.Helper()
	var out []ledger.Entry
	for _, e := range ts.Events(tb, from) {
		if strings.HasPrefix(e.Type, "incident.import") {
			out = append(out, e)
		}
	}
	return out
}

func containsAll(xs []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, x := range xs {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}

// TestImportCallTransfer: a call transfer becomes a new call in the
// receiving agency's queue: a PENDING incident of the unknown type, marked a transfer
// with the caller's address — verified when the map knows it, in the
// queue of unverified locations when it does not — its call-back number
// and caller.
func TestImportCallTransfer(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	taker := ts.MustCreateUser(t, "cara", "metro", dispatch.RoleCallTaker)
	root := ts.MustCreateUser(t, "root", "", dispatch.RoleAdmin)
	sup := ts.MustCreateUser(t, "sue", "metro", dispatch.RoleSupervisor)

	on := mustImport(t, ts, taker, eidoDoc(t, "call-transfer.json", nil), http.StatusCreated)
	in := getIncident(t, ts, taker, on.Incident)
	if in.Type != dispatch.UnknownType || in.Status != dispatch.IncidentPending || !in.Import.Transfer {
		t.Errorf("transfer: type, status, transfer = %s, %s, %v", in.Type, in.Status, in.Import.Transfer)
	}
	if !in.Location.Verified || in.Location.Text != "3900 S Kedzie Ave" {
		t.Errorf("transfer on the map: location = %+v, want verified", in.Location)
	}
	if in.Caller.Phone != "3125550199" {
		t.Errorf("transfer: caller = %+v, want the call-back number", in.Caller)
	}

	r := ts.Do(t, "POST", "/api/v1/eido?agency=metro", root, eidoDoc(t, "call-transfer-off-map.json", nil))
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/eido?agency=metro as the installation's administrator = %d %s", r.Status, r.Body)
	}
	var off importAnswer
	json.Unmarshal(r.Body, &off)
	in = getIncident(t, ts, taker, off.Incident)
	if in.Location.Verified || in.Location.Text != "42 W Cellular Street" || in.Agency != "metro" {
		t.Errorf("transfer off the map: location = %+v, agency %s; want unverified, as given, metro", in.Location, in.Agency)
	}
	r = ts.Do(t, "GET", "/api/v1/locations/unverified", sup, nil)
	if r.Status != 200 || !bytes.Contains(r.Body, []byte(off.Incident)) || bytes.Contains(r.Body, []byte(on.Incident)) {
		t.Errorf("GET /api/v1/locations/unverified = %d %s; want %s in it and not %s", r.Status, r.Body, off.Incident, on.Incident)
	}
}

// TestImportEIDOBad refuses bad EIDOs with a problem naming the JSON
// Pointer of the first fault, and records nothing.
func TestImportEIDOBad(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	taker := ts.MustCreateUser(t, "cara", "metro", dispatch.RoleCallTaker)
	root := ts.MustCreateUser(t, "root", "", dispatch.RoleAdmin)
	// Each token's first use is logged (auth.token_used): use them first,
	// so that the log counts only what the imports record.
	for _, tok := range []string{taker, root} {
		ts.Do(t, "GET", "/api/v1/auth/me", tok, nil)
	}
	deep := []byte(`{"eidoVersion":"1.0","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`)
	huge := append(append([]byte(`{"eidoVersion":"1.0","x":"`), bytes.Repeat([]byte("a"), eido.MaxDocument)...), `"}`...)
	for _, tc := range []struct {
		name, token, path string
		body              any
		status            int
		pointer           string
	}{
		{"WrongType", taker, "/api/v1/eido", eidoDoc(t, "import-incident.json", func(m map[string]any) { m["eidoVersion"] = 1.0 }), 422, "/eidoVersion"},
		{"MissingIssuer", taker, "/api/v1/eido", eidoDoc(t, "import-incident.json", func(m map[string]any) { delete(m, "issuingElementIdentification") }), 422, "/issuingElementIdentification"},
		{"MissingAgencies", taker, "/api/v1/eido", eidoDoc(t, "import-incident.json", func(m map[string]any) { delete(m, "agencyComponent") }), 422, "/agencyComponent"},
		{"NoteNotText", taker, "/api/v1/eido", eidoDoc(t, "import-incident.json", func(m map[string]any) {
			m["notesComponent"].([]any)[1].(map[string]any)["notesActionComments"] = []any{}
		}), 422, "/notesComponent/1/notesActionComments"},
		{"Deep", taker, "/api/v1/eido", deep, 400, "/x" + strings.Repeat("/0", eido.MaxDepth-1)},
		{"NotJSON", taker, "/api/v1/eido", []byte(`{"eidoVersion": }`), 400, "/eidoVersion"},
		{"TooLarge", taker, "/api/v1/eido", huge, 413, "-"},
		{"AnotherAgency", taker, "/api/v1/eido?agency=sheriff", eidoDoc(t, "import-incident.json", nil), 403, "-"},
		{"AdminNamesNoAgency", root, "/api/v1/eido", eidoDoc(t, "import-incident.json", nil), 400, "-"},
		{"NoSuchAgency", root, "/api/v1/eido?agency=nowhere", eidoDoc(t, "import-incident.json", nil), 404, "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ts.Engine.Log().Size()
			r := ts.Do(t, "POST", tc.path, tc.token, tc.body)
			var p struct {
				Status  int     `json:"status"`
				Pointer *string `json:"pointer"`
			}
			if r.Status != tc.status || r.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(r.Body, &p) != nil {
				t.Fatalf("POST %s = %d %s %.300s, want %d problem+json", tc.path, r.Status, r.Header.Get("Content-Type"), r.Body, tc.status)
			}
			if tc.pointer != "-" && (p.Pointer == nil || *p.Pointer != tc.pointer) {
				t.Errorf("POST %s: pointer = %v, want %q (%s)", tc.path, p.Pointer, tc.pointer, r.Body)
			}
			if got := ts.Engine.Log().Size(); got != before {
				t.Errorf("POST %s: the log grew from %d to %d; a refused import records nothing", tc.path, before, got)
			}
		})
	}
}

// TestImportEIDOAtTheLimit imports an EIDO just under 8 MiB — its bulk an
// additional data component tenfour does not represent — and the same
// again: the original is kept (committed) whole, the second import changes
// nothing.
func TestImportEIDOAtTheLimit(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	taker := ts.MustCreateUser(t, "cara", "metro", dispatch.RoleCallTaker)
	doc := eidoDoc(t, "import-incident.json", func(m map[string]any) {
		m["additionalDataComponent"].([]any)[0].(map[string]any)["additionalDataByValue"] = strings.Repeat("x", eido.MaxDocument-12000)
	})
	b, err := json.Marshal(doc)
	if err != nil || len(b) > eido.MaxDocument || len(b) < eido.MaxDocument-8000 {
		t.Fatalf("the document is %d bytes, %v; want just under %d", len(b), err, eido.MaxDocument)
	}
	a := mustImport(t, ts, taker, b, http.StatusCreated)
	if !containsAll(a.Unrepresented, "/additionalDataComponent") {
		t.Errorf("unrepresented = %q", a.Unrepresented)
	}
	ens := importEvents(t, ts, 0)
	if len(ens) != 1 {
		t.Fatalf("import events = %d, want 1", len(ens))
	}
	opens, err := ts.Engine.Log().Openings(context.Background(), []int64{ens[0].Seq})
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, o := range opens[ens[0].Seq] {
		kept = kept || (o.Field == dispatch.PrivateEIDO && o.Value == string(b))
	}
	if !kept {
		t.Error("the opening of the original is not the document byte for byte")
	}
	if again := mustImport(t, ts, taker, b, http.StatusOK); again.Outcome != "unchanged" {
		t.Errorf("the same EIDO again = %+v, want unchanged", again)
	}
}
