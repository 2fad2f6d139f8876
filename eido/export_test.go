package eido_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/eido/eidotest"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

const origin = "tenfour.test/log"

var (
	root  = dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}
	ann   = dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher}}
	sid   = dispatch.Actor{User: "sid", Agency: "sheriff", Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher}}
	admin = dispatch.Actor{User: "root", Role: dispatch.RoleAdmin, Roles: []string{dispatch.RoleAdmin}}
)

// clock is a fake clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openEngine(t testing.TB, now func() time.Time) *engine.Engine {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir()+"/t.db")
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: key, Clock: now, TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		t.Fatalf("engine.Open = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func must(t testing.TB, e *engine.Engine, a dispatch.Actor, cmd dispatch.Command) engine.Result {
	t.Helper()
	res, err := e.Execute(context.Background(), a, cmd)
	if err != nil {
		t.Fatalf("Execute(%#v) = %v", cmd, err)
	}
	return res
}

func ptr[T any](v T) *T { return &v }

// scene is a hand-built incident with a piece of everything an EIDO
// carries: two calls, a narrative and a note, a premise hazard, two units
// (one on scene, one in EMERGENCY), a link and a merge.
type scene struct {
	e                *engine.Engine
	clock            *clock
	id, linked, gone string
	received         time.Time
}

func newScene(t *testing.T) *scene { return newSceneTB(t) }

func newSceneTB(t testing.TB) *scene {
	t.Helper()
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c := &clock{t: t0}
	e := openEngine(t, c.Now)
	s := &scene{e: e, clock: c}
	for _, cmd := range []dispatch.Command{
		dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
		dispatch.CreateUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUser{Username: "ofc1", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
		dispatch.CreateUser{Username: "sid", Agency: "sheriff", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUnit{CallSign: "1A10", Agency: "metro", Kind: "patrol", Capabilities: []string{"taser"}},
		dispatch.CreateUnit{CallSign: "1A11", Agency: "metro", Kind: "k9"},
		dispatch.SignOn{Unit: "metro.1a10", Crew: []string{"ofc1"}, Start: t0, End: t0.Add(12 * time.Hour)},
	} {
		must(t, e, root, cmd)
	}
	must(t, e, ann, dispatch.RecordPremise{Agency: "metro", Location: dispatch.Location{Text: "3900 S Kedzie Ave", Lat: ptr(41.8230), Lon: ptr(-87.7050)}, RadiusM: 50,
		Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardWeapons, Text: "two rifles in the front bedroom", Source: "prior call", Expires: t0.Add(30 * 24 * time.Hour)}}})
	c.Add(time.Minute)
	s.received = c.Now().Add(-40 * time.Second)
	res := must(t, e, ann, dispatch.CreateIncident{Agency: "metro", Type: "SHOOTING",
		Location: dispatch.Location{Text: "3900 S Kedzie Ave", Lat: ptr(41.8231), Lon: ptr(-87.7050)},
		Caller:   dispatch.Caller{Name: "Pat Caller", Phone: "(312) 555-0100"}, Narrative: "shots heard <behind> the store",
		Received: ptr(s.received), Answered: ptr(s.received.Add(10 * time.Second))})
	s.id = res.Events[0].Subject["incident"]
	c.Add(time.Minute)
	must(t, e, ann, dispatch.AddNote{Incident: s.id, Text: "suspect in blue jacket"})
	must(t, e, ann, dispatch.AddCaller{Incident: s.id, Caller: dispatch.Caller{Name: "Lee Second"}, Narrative: "heard it too"})
	c.Add(time.Minute)
	must(t, e, ann, dispatch.DispatchUnits{Incident: s.id, Units: []string{"metro.1a10", "metro.1a11"}})
	c.Add(time.Minute)
	must(t, e, root, dispatch.SetUnitStatus{Unit: "metro.1a10", Status: dispatch.StatusEnRoute})
	c.Add(3 * time.Minute)
	must(t, e, root, dispatch.SetUnitStatus{Unit: "metro.1a10", Status: dispatch.StatusOnScene})
	if err := e.UpdatePositions(root, []dispatch.Position{{Unit: "metro.1a10", Lat: 41.82305, Lon: -87.70495, Time: c.Now()}}); err != nil {
		t.Fatalf("UpdatePositions = %v", err)
	}
	c.Add(time.Minute)
	must(t, e, root, dispatch.SetUnitStatus{Unit: "metro.1a11", Status: dispatch.StatusEmergency})
	res = must(t, e, ann, dispatch.CreateIncident{Agency: "metro", Type: "SUSPICIOUS", Location: dispatch.Location{Text: "4000 S Kedzie Ave"}})
	s.linked = res.Events[0].Subject["incident"]
	must(t, e, ann, dispatch.LinkIncidents{Incident: s.id, Linked: s.linked, Relation: dispatch.RelationRelated, Reason: "same suspect"})
	res = must(t, e, ann, dispatch.CreateIncident{Agency: "metro", Type: "SHOOTING", Location: dispatch.Location{Text: "3902 S Kedzie Ave"}})
	s.gone = res.Events[0].Subject["incident"]
	must(t, e, ann, dispatch.MergeIncident{Incident: s.gone, Into: s.id, Reason: "same shots"})
	return s
}

func TestExport(t *testing.T) {
	s := newScene(t)
	ctx := context.Background()
	d, err := eido.Export(ctx, s.e, ann, s.id)
	if err != nil {
		t.Fatalf("Export(%s) = %v", s.id, err)
	}
	raw := eidotest.ValidateDocument(t, d)
	urn := eido.IncidentURN(s.id, origin)
	if d.ID != urn || d.IssuingElementIdentification != origin || d.EidoVersion != "1.0" {
		t.Errorf("Export: $id %q issuer %q version %q, want %q, %q, 1.0", d.ID, d.IssuingElementIdentification, d.EidoVersion, urn, origin)
	}

	inc := d.IncidentComponent
	if inc == nil {
		t.Fatal("Export: no incident component")
	}
	if inc.IncidentTypeInternalCode != "SHOOTING" || inc.IncidentTypeCommonRegistryText != "SHOOT" || inc.IncidentTypeInternalText != "Shooting" {
		t.Errorf("incident type = %q/%q/%q, want SHOOTING/SHOOT/Shooting", inc.IncidentTypeInternalCode, inc.IncidentTypeCommonRegistryText, inc.IncidentTypeInternalText)
	}
	if inc.IncidentCommonPriorityNumber == nil || *inc.IncidentCommonPriorityNumber != 1 || inc.InternalIncidentID != s.id {
		t.Errorf("incident priority %v id %q, want 1, %s", inc.IncidentCommonPriorityNumber, inc.InternalIncidentID, s.id)
	}
	if !slices.Equal(inc.IncidentStatusInternalText, []string{"ACTIVE"}) || !slices.Equal(inc.IncidentStatusCommonRegistryText, []string{"Active"}) {
		t.Errorf("incident status = %v/%v, want ACTIVE/Active", inc.IncidentStatusInternalText, inc.IncidentStatusCommonRegistryText)
	}

	// Times: the first call's, and the rest in the times data.
	if len(d.CallComponent) != 2 {
		t.Fatalf("calls = %d, want 2", len(d.CallComponent))
	}
	c0 := d.CallComponent[0]
	if !c0.CallStartTimestamp.Equal(s.received) || c0.AnswerDate == nil || !c0.AnswerDate.Equal(s.received.Add(10*time.Second)) {
		t.Errorf("first call start %v answer %v, want %v and 10 s later", c0.CallStartTimestamp.Time, c0.AnswerDate, s.received)
	}
	in, err := s.e.Incident(ann, s.id)
	if err != nil {
		t.Fatal(err)
	}
	var times eido.Times
	if len(d.AdditionalDataComponent) != 1 || !strings.HasSuffix(d.AdditionalDataComponent[0].ID, ":times:"+s.id) {
		t.Fatalf("additional data = %+v, want the times", d.AdditionalDataComponent)
	}
	if err := json.Unmarshal([]byte(d.AdditionalDataComponent[0].AdditionalDataByValue), &times); err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]*time.Time{
		"received": {&times.Received, &in.Received}, "entered": {&times.Entered, &in.Entered},
		"dispatched": {times.Dispatched, in.Dispatched}, "en_route": {times.EnRoute, in.EnRoute}, "on_scene": {times.OnScene, in.OnScene},
	} {
		if pair[0] == nil || pair[1] == nil || !pair[0].Equal(*pair[1]) {
			t.Errorf("times.%s = %v, want %v", name, pair[0], pair[1])
		}
	}

	// The place.
	if len(d.LocationComponent) == 0 || d.LocationComponent[0].LocationTypeDescriptionRegistryText != "Incident" {
		t.Fatalf("locations = %+v, want the incident's first", d.LocationComponent)
	}
	pidf := d.LocationComponent[0].LocationByValue
	for _, want := range []string{"<ca:HNO>3900</ca:HNO>", "<ca:RD>S Kedzie Ave</ca:RD>", "<gml:pos>41.8231 -87.705</gml:pos>", "EPSG::4326"} {
		if !strings.Contains(pidf, want) {
			t.Errorf("location PIDF-LO = %s, want it to hold %s", pidf, want)
		}
	}
	if l := d.LocationComponent[0]; l.LocationDescriptionText != "3900 S Kedzie Ave" || !slices.Contains(l.LocalIdentifier, "verified:false") {
		t.Errorf("location text %q, local identifiers %v; want the text whole, and verified:false", l.LocationDescriptionText, l.LocalIdentifier)
	}
	if !slices.Equal(inc.LocationReference, eido.Refs(d.LocationComponent[0].ID)) {
		t.Errorf("incident location reference = %v, want %s", inc.LocationReference, d.LocationComponent[0].ID)
	}

	// Callers, private fields and all, for the incident's own agency.
	if len(d.PersonComponent) != 2 || len(d.CallbackComponent) != 1 {
		t.Fatalf("persons %d callbacks %d, want 2 and 1", len(d.PersonComponent), len(d.CallbackComponent))
	}
	if got := d.CallbackComponent[0].CallBackInformationURI; !slices.Equal(got, []string{"tel:3125550100"}) {
		t.Errorf("callback = %v, want tel:3125550100", got)
	}
	if !strings.Contains(string(d.PersonComponent[0].NcPersonComponent), "Pat Caller") || !strings.Contains(string(d.PersonComponent[1].NcPersonComponent), "Lee Second") {
		t.Errorf("persons = %s, %s; want Pat Caller, Lee Second", d.PersonComponent[0].NcPersonComponent, d.PersonComponent[1].NcPersonComponent)
	}

	// Notes: the narrative (HTML-escaped), the note, the second call's.
	notes := map[string]string{}
	for _, n := range d.NotesComponent {
		notes[n.ID[len(urn)+len(":note:"):]] = eido.NoteText(n.NotesActionComments)
	}
	for key, want := range map[string]string{"narrative": "shots heard <behind> the store", "1": "suspect in blue jacket", "call-1": "heard it too", "caution-1": "two rifles in the front bedroom"} {
		if notes[key] != want {
			t.Errorf("note %s = %q, want %q (notes %v)", key, notes[key], want, notes)
		}
	}
	for _, n := range d.NotesComponent {
		if strings.HasSuffix(n.ID, ":note:narrative") && n.NotesActionComments != "shots heard &lt;behind&gt; the store" {
			t.Errorf("narrative note = %q, want it HTML-escaped", n.NotesActionComments)
		}
	}

	// Units, their statuses, the crew, the EMERGENCY.
	if len(d.EmergencyResourceComponent) != 2 {
		t.Fatalf("resources = %d, want 2", len(d.EmergencyResourceComponent))
	}
	r0, r1 := d.EmergencyResourceComponent[0], d.EmergencyResourceComponent[1]
	if r0.EmergencyResourceName != "1A10" || r0.PrimaryUnitStatusRegistryText != "OnScene" || !slices.Equal(r0.UnitStatusInternal, []string{"ON_SCENE"}) ||
		!slices.Equal(r0.ResourceAttributeInternalText, []string{"taser"}) || r0.ActiveOnIncidentID != urn {
		t.Errorf("resource 0 = %+v, want 1A10 OnScene with taser, on %s", r0, urn)
	}
	// 1A10's position, on the incident.
	var unitLoc *eido.LocationInformation
	for i, l := range d.LocationComponent {
		if r0.UnitLocationReference != nil && l.ID == r0.UnitLocationReference.Ref {
			unitLoc = &d.LocationComponent[i]
		}
	}
	if unitLoc == nil || unitLoc.LocationTypeDescriptionRegistryText != "Unit" || !strings.Contains(unitLoc.LocationByValue, "<gml:pos>41.82305 -87.70495</gml:pos>") {
		t.Errorf("1A10's location = %+v (reference %v), want its AVL position", unitLoc, r0.UnitLocationReference)
	}
	if r1.UnitLocationReference != nil {
		t.Errorf("1A11 has a location %v, want none: it reported no position", r1.UnitLocationReference)
	}
	if len(r0.AgentReference) != 1 || !strings.HasSuffix(r0.AgentReference[0].Ref, ":agent:ofc1") {
		t.Errorf("resource 0 agents = %v, want ofc1", r0.AgentReference)
	}
	if r1.EmergencyResourceName != "1A11" || r1.PrimaryUnitStatusRegistryText != "Emergency" {
		t.Errorf("resource 1 = %+v, want 1A11 Emergency", r1)
	}
	if len(d.UnitEmergencyStateComponent) != 1 || d.UnitEmergencyStateComponent[0].Severity != eido.Highest || d.UnitEmergencyStateComponent[0].OriginatingDevice != "1A11" {
		t.Errorf("unit emergency states = %+v, want one for 1A11, highest", d.UnitEmergencyStateComponent)
	}
	if len(d.DispatchComponent) != 1 || len(d.DispatchComponent[0].EmergencyResourceReference) != 2 {
		t.Errorf("dispatches = %+v, want metro's with both units", d.DispatchComponent)
	}

	// The hazard.
	if len(d.CautionComponent) != 1 {
		t.Fatalf("cautions = %+v, want one", d.CautionComponent)
	}
	if cz := d.CautionComponent[0]; cz.CautionTypeInternalText != "weapons" || cz.CautionTypeCommonRegistryText != "Weapons" || cz.CautionSeverity != eido.High || cz.CautionSource != "prior call" {
		t.Errorf("caution = %+v, want weapons, high, from the prior call", cz)
	}

	// Link and merge.
	if len(d.LinkComponent) != 1 || d.LinkComponent[0].IncidentTrackingIdentifier != eido.IncidentURN(s.linked, origin) ||
		d.LinkComponent[0].LinkDirectionCode != eido.LinkRelated || d.LinkComponent[0].TransactionReasonText != "same suspect" {
		t.Errorf("links = %+v, want %s RELATED", d.LinkComponent, s.linked)
	}
	if len(d.MergeComponent) != 1 || d.MergeComponent[0].IncidentTrackingIdentifier != eido.IncidentURN(s.gone, origin) ||
		d.MergeComponent[0].IncidentMergeDirectionCode != eido.MergeReplacing {
		t.Errorf("merges = %+v, want %s REPLACING", d.MergeComponent, s.gone)
	}
	// The merged incident's own EIDO says it was replaced.
	g, err := eido.Export(ctx, s.e, ann, s.gone)
	if err != nil {
		t.Fatal(err)
	}
	eidotest.ValidateDocument(t, g)
	if len(g.MergeComponent) != 1 || g.MergeComponent[0].IncidentMergeDirectionCode != eido.MergeReplaced || g.MergeComponent[0].IncidentTrackingIdentifier != urn {
		t.Errorf("merged incident's merges = %+v, want REPLACED by %s", g.MergeComponent, urn)
	}

	// Every reference names a component of the document.
	checkReferences(t, raw)
}

// checkReferences fails the test if a {"$ref": id} of the document names no
// component's $id.
func checkReferences(t *testing.T, raw []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	ids, refs := map[string]bool{}, []string{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["$id"].(string); ok {
				ids[id] = true
			}
			if r, ok := v["$ref"].(string); ok {
				refs = append(refs, r)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	for _, r := range refs {
		if !ids[r] {
			t.Errorf("reference %s names no component", r)
		}
	}
}

func TestExportByURN(t *testing.T) {
	s := newScene(t)
	ctx := context.Background()
	d, err := eido.Export(ctx, s.e, ann, eido.IncidentURN(s.id, origin))
	if err != nil || d.IncidentComponent == nil || d.IncidentComponent.InternalIncidentID != s.id {
		t.Fatalf("Export(URN) = %+v, %v; want incident %s", d.IncidentComponent, err, s.id)
	}
	for _, ref := range []string{eido.IncidentURN(s.id, "elsewhere.example/log"), "urn:emergency:uid:incidentid:", "metro-2026-999999", ""} {
		if _, err := eido.Export(ctx, s.e, ann, ref); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Errorf("Export(%q) = %v, want not found", ref, err)
		}
	}
}

// private are the private facts of the scene: none may reach a reader not
// allowed to see them.
var private = []string{"Pat Caller", "555-0100", "5550100", "Lee Second", "shots heard", "suspect in blue", "heard it too", "two rifles", "prior call"}

func TestExportVisibility(t *testing.T) {
	s := newScene(t)
	ctx := context.Background()
	t.Run("ErrNotFoundForAnotherAgency", func(t *testing.T) {
		if _, err := eido.Export(ctx, s.e, sid, s.id); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Fatalf("Export(%s) as sheriff = %v, want not found", s.id, err)
		}
	})
	t.Run("InstallationAdministratorSeesAll", func(t *testing.T) {
		d, err := eido.Export(ctx, s.e, admin, s.id)
		if err != nil {
			t.Fatal(err)
		}
		raw := eidotest.ValidateDocument(t, d)
		for _, p := range []string{"Pat Caller", "two rifles"} {
			if !strings.Contains(string(raw), p) {
				t.Errorf("Export as administrator lacks %q", p)
			}
		}
	})
	t.Run("RedactedIncidentHasNoPrivateFields", func(t *testing.T) {
		// An incident as the visibility rule gives it to a reader who may
		// not see its private fields (dispatch.RedactIncident and the
		// hazards' kinds only, as VisibleHazards gives them).
		x, err := s.e.IncidentExport(ctx, ann, s.id)
		if err != nil {
			t.Fatal(err)
		}
		full := eido.Build(x)
		x.Incident = dispatch.RedactIncident(&x.Incident, sid)
		for i := range x.Incident.Hazards {
			x.Incident.Hazards[i].Text, x.Incident.Hazards[i].Source = "", ""
		}
		d := eido.Build(x)
		raw := eidotest.ValidateDocument(t, d)
		for _, p := range private {
			if strings.Contains(string(raw), p) {
				t.Errorf("redacted EIDO holds %q: %s", p, raw)
			}
		}
		if len(d.PersonComponent) != 0 || len(d.CallbackComponent) != 0 {
			t.Errorf("redacted EIDO has persons %d callbacks %d, want none", len(d.PersonComponent), len(d.CallbackComponent))
		}
		// What is not private stays: the calls, the units, the caution's kind.
		if len(d.CallComponent) != len(full.CallComponent) || len(d.EmergencyResourceComponent) != 2 || len(d.CautionComponent) != 1 {
			t.Errorf("redacted EIDO: calls %d resources %d cautions %d, want %d, 2, 1", len(d.CallComponent), len(d.EmergencyResourceComponent), len(d.CautionComponent), len(full.CallComponent))
		}
	})
}

// BenchmarkExport times the export of the scene's incident: the engine's
// read, the document, and its JSON; BenchmarkValidate, checking that JSON
// against NENA's schema.
func BenchmarkExport(b *testing.B) {
	s := newSceneTB(b)
	ctx := context.Background()
	for b.Loop() {
		d, err := eido.Export(ctx, s.e, ann, s.id)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	s := newSceneTB(b)
	d, err := eido.Export(context.Background(), s.e, ann, s.id)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	if err := eido.Validate(raw); err != nil { // compiles the schema once
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := eido.Validate(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// An incident that has left memory for the archive exports as before.
func TestExportArchived(t *testing.T) {
	s := newScene(t)
	ctx := context.Background()
	id := must(t, s.e, ann, dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "4100 S Kedzie Ave", Lat: ptr(41.818), Lon: ptr(-87.705)},
		Caller: dispatch.Caller{Name: "Night Owl", Phone: "312 555 0111"}, Narrative: "music at 3 am"}).Events[0].Subject["incident"]
	must(t, s.e, ann, dispatch.AddNote{Incident: id, Text: "second complaint this week"})
	must(t, s.e, ann, dispatch.ClearIncident{Incident: id, Disposition: "advised"})
	s.clock.Add(25 * time.Hour)
	must(t, s.e, dispatch.Actor{System: "timers"}, dispatch.ArchiveClosed{Retention: 24 * time.Hour})
	if _, err := s.e.Incident(ann, id); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Fatalf("Incident(%s) after archiving = %v, want it gone from memory", id, err)
	}
	d, err := eido.Export(ctx, s.e, ann, id)
	if err != nil {
		t.Fatalf("Export(archived %s) = %v", id, err)
	}
	raw := eidotest.ValidateDocument(t, d)
	checkReferences(t, raw)
	inc := d.IncidentComponent
	if inc.InternalIncidentID != id || inc.IncidentTypeCommonRegistryText != "NOISE" || !slices.Equal(inc.IncidentStatusInternalText, []string{"CLOSED"}) {
		t.Errorf("Export(archived %s) incident = %+v, want NOISE, CLOSED", id, inc)
	}
	if len(inc.DispositionComponent) != 1 || inc.DispositionComponent[0].DispositionDescriptionText != "advised" {
		t.Errorf("Export(archived %s) disposition = %+v, want advised", id, inc.DispositionComponent)
	}
	for _, want := range []string{"Night Owl", "music at 3 am", "second complaint this week"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("Export(archived %s) lacks %q", id, want)
		}
	}
	if _, err := eido.Export(ctx, s.e, sid, id); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Errorf("Export(archived %s) as sheriff = %v, want not found", id, err)
	}
}
