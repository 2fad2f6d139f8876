package eido

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// incidentURNPrefix begins an incident tracking identifier (NENA-STA-010 and
// STA-021: urn:emergency:uid:incidentid:<unique id>:<domain of the element
// that assigned it>).
const incidentURNPrefix = "urn:emergency:uid:incidentid:"

// IncidentURN returns the incident tracking identifier of tenfour's incident
// id at the installation whose log origin is origin:
// urn:emergency:uid:incidentid:<id>:<origin>. tenfour's ids hold no colon,
// so the id is what lies between the prefix and the next colon.
func IncidentURN(id, origin string) string { return incidentURNPrefix + id + ":" + origin }

// ParseIncidentURN returns the id and the origin of an incident tracking
// identifier that IncidentURN could have written.
func ParseIncidentURN(urn string) (id, origin string, ok bool) {
	rest, ok := strings.CutPrefix(urn, incidentURNPrefix)
	if !ok {
		return "", "", false
	}
	id, origin, ok = strings.Cut(rest, ":")
	if !ok || id == "" || origin == "" {
		return "", "", false
	}
	return id, origin, true
}

// IncidentID returns tenfour's incident id for ref, which is either the id
// itself or an incident tracking identifier of the installation named
// origin; an identifier of another installation has none here.
func IncidentID(ref, origin string) (string, bool) {
	if !strings.HasPrefix(ref, "urn:") {
		return ref, ref != ""
	}
	id, o, ok := ParseIncidentURN(ref)
	if !ok || o != origin {
		return "", false
	}
	return id, true
}

// ComponentID returns the `$id` tenfour gives a data component of the EIDO
// of the incident whose tracking identifier is doc: "<doc>:<kind>:<key>",
// globally unique because doc is, and from which an import reads tenfour's
// own key back (an agency id, a username, a unit id, a note number).
func ComponentID(doc, kind, key string) string { return doc + ":" + kind + ":" + key }

// Component kinds in ids (ComponentID).
const (
	KindIncident    = "incident"
	KindAgency      = "agency"
	KindAgent       = "agent"
	KindCall        = "call"
	KindCaller      = "caller"
	KindCallback    = "callback"
	KindLocation    = "location"
	KindNote        = "note"
	KindCaution     = "caution"
	KindUnit        = "unit"
	KindDispatch    = "dispatch"
	KindMerge       = "merge"
	KindLink        = "link"
	KindEmergency   = "emergency"
	KindTimes       = "times"
	KindDisposition = "disposition"
)

// Export returns the EIDO of incident ref (tenfour's id, or its incident
// tracking identifier) as the engine shows it to the actor: another agency's
// incident, or an identifier of another installation, is not found, and
// private fields are there only for those allowed to see them
// (engine.IncidentExport).
func Export(ctx context.Context, e *engine.Engine, a dispatch.Actor, ref string) (Document, error) {
	id, ok := IncidentID(ref, e.Log().Origin())
	if !ok {
		return Document{}, dispatch.Errorf(dispatch.ENOTFOUND, "incident %s does not exist", ref)
	}
	x, err := e.IncidentExport(ctx, a, id)
	if err != nil {
		return Document{}, err
	}
	return Build(x), nil
}

// Times is what tenfour keeps of an incident's times that the EIDO has no
// field for: the standard intervals' marks (NFPA 1225, NENA), carried as JSON
// by value in an additional data component whose id ends in ":times".
type Times struct {
	Received   time.Time  `json:"received"`
	Answered   *time.Time `json:"answered,omitempty"`
	Entered    time.Time  `json:"entered"`
	Dispatched *time.Time `json:"dispatched,omitempty"`
	EnRoute    *time.Time `json:"en_route,omitempty"`
	OnScene    *time.Time `json:"on_scene,omitempty"`
	Cleared    *time.Time `json:"cleared,omitempty"`
}

// Build makes the EIDO of an incident from what the engine read of it
// (engine.IncidentExport), leaving out nothing the read holds that has a
// place in an EIDO. docs/eido.md, "Export: what maps to what", says where
// each field goes.
func Build(x engine.IncidentExport) Document {
	in := x.Incident
	urn := IncidentURN(in.ID, x.Origin)
	b := &builder{x: x, urn: urn, owner: ComponentID(urn, KindAgency, in.Agency), agencies: map[string]bool{}, agents: map[string]bool{}, foreign: map[string]bool{}}
	b.updated = b.lastUpdate()

	d := Document{
		Prologue:                     b.prologue(urn, b.updated),
		EidoVersion:                  Version,
		IssuingElementIdentification: x.Origin,
		Context:                      &Context{Vocab: ContextVocab},
	}
	for _, ag := range x.Agencies {
		d.AgencyComponent = append(d.AgencyComponent, b.agency(ag))
	}
	for _, u := range x.Users {
		if !b.agencies[u.Agency] {
			continue // an agent must belong to an agency of the document
		}
		d.AgentComponent = append(d.AgentComponent, b.agent(u))
	}
	inc := &IncidentInformation{
		Prologue:                         b.prologue(ComponentID(urn, KindIncident, in.ID), b.updated),
		IncidentTypeInternalCode:         in.Type,
		IncidentTypeInternalText:         x.Type.Name,
		IncidentStatusInternalText:       []string{in.Status},
		IncidentStatusCommonRegistryText: []string{lookup(incidentStatuses, in.Status, in.Status)},
		InternalIncidentID:               in.ID,
		IncidentPriorityInternalText:     "P" + strconv.Itoa(in.Priority),
		BeatOrDispatchGroupText:          in.Location.Beat,
	}
	inc.IncidentTypeCommonRegistryText, _ = CommonIncidentType(in.Type)
	p := int32(in.Priority)
	inc.IncidentCommonPriorityNumber = &p
	for _, u := range x.Users {
		if b.agents[u.Username] {
			inc.AgentReference = append(inc.AgentReference, Ref(ComponentID(urn, KindAgent, u.Username)))
		}
	}

	// The place.
	var placeRef []Reference
	if loc, ok := b.location(in); ok {
		d.LocationComponent = append(d.LocationComponent, loc)
		placeRef = Refs(loc.ID)
		inc.LocationReference = placeRef
	}

	// The narrative, the notes, and the hazards' texts.
	if in.Narrative != "" {
		n := b.note("narrative", in.Entered, in.Narrative, "")
		d.NotesComponent = append(d.NotesComponent, n)
		inc.NotesReference = append(inc.NotesReference, Ref(n.ID))
	}
	for _, nt := range in.Notes {
		if nt.Text == "" {
			continue // redacted for this reader: nothing to say
		}
		n := b.note(strconv.Itoa(nt.N), nt.Time, nt.Text, nt.Author)
		d.NotesComponent = append(d.NotesComponent, n)
		inc.NotesReference = append(inc.NotesReference, Ref(n.ID))
	}

	// The calls: the first is the incident's own, then each further call.
	tm := incidentTimes(in)
	calls := []dispatch.CallRecord{{N: 0, Received: tm.Received, Answered: tm.Answered, Caller: in.Caller}}
	calls = append(calls, in.Callers...)
	for _, cr := range calls {
		call, person, cb, note := b.call(cr, placeRef)
		if note != nil {
			d.NotesComponent = append(d.NotesComponent, *note)
		}
		if cr.N == 0 && in.Narrative != "" {
			call.NotesReference = append(call.NotesReference, Ref(ComponentID(urn, KindNote, "narrative")))
		}
		if cb != nil {
			d.CallbackComponent = append(d.CallbackComponent, *cb)
		}
		if person != nil {
			d.PersonComponent = append(d.PersonComponent, *person)
			inc.PersonReference = append(inc.PersonReference, Ref(person.ID))
		}
		d.CallComponent = append(d.CallComponent, call)
	}

	// The units, their dispatches, positions and emergencies.
	byAgency := map[string][]Reference{}
	var agencyOrder []string
	for _, u := range x.Units {
		r, loc := b.resource(u)
		if loc != nil {
			d.LocationComponent = append(d.LocationComponent, *loc)
		}
		d.EmergencyResourceComponent = append(d.EmergencyResourceComponent, r)
		if _, ok := byAgency[u.Agency]; !ok {
			agencyOrder = append(agencyOrder, u.Agency)
		}
		byAgency[u.Agency] = append(byAgency[u.Agency], Ref(r.ID))
		if u.Status == dispatch.StatusEmergency && u.Incident == in.ID {
			d.UnitEmergencyStateComponent = append(d.UnitEmergencyStateComponent, b.emergency(u))
		}
	}
	// An imported incident's units are the sender's, as it reported them,
	// each under the sender's agency (a component of its own, named by the
	// sender's reference).
	if im := in.Import; im != nil {
		for i, fu := range im.Units {
			ag := fu.Agency
			if ag == "" {
				ag = ComponentID(urn, KindAgency, "sender")
			}
			if !b.foreign[ag] {
				d.AgencyComponent = append(d.AgencyComponent, b.foreignAgency(ag, im.Source))
				agencyOrder = append(agencyOrder, ag)
			}
			r := b.foreignResource(i, fu, ag)
			d.EmergencyResourceComponent = append(d.EmergencyResourceComponent, r)
			byAgency[ag] = append(byAgency[ag], Ref(r.ID))
		}
	}
	for _, ag := range agencyOrder {
		at := b.updated
		if in.Dispatched != nil {
			at = *in.Dispatched
		}
		dc := DispatchInformation{Prologue: b.prologue(ComponentID(urn, KindDispatch, ag), at), EmergencyResourceReference: byAgency[ag]}
		switch {
		case b.agencies[ag]:
			r := Ref(ComponentID(urn, KindAgency, ag))
			dc.AgencyReference = &r
			dc.UpdatedByAgencyReference = r
		case b.foreign[ag]:
			r := Ref(ag)
			dc.AgencyReference = &r
			dc.UpdatedByAgencyReference = r
		}
		d.DispatchComponent = append(d.DispatchComponent, dc)
	}

	// The hazards over its place: a caution each, its text a note that
	// refers to it.
	for i, hz := range in.Hazards {
		c, n := b.caution(i+1, hz)
		d.CautionComponent = append(d.CautionComponent, c)
		if n != nil {
			d.NotesComponent = append(d.NotesComponent, *n)
		}
	}

	// Merges and links.
	if in.MergedInto != "" {
		d.MergeComponent = append(d.MergeComponent, MergeInformation{Prologue: b.prologue(ComponentID(urn, KindMerge, in.MergedInto), b.updated),
			IncidentTrackingIdentifier: IncidentURN(in.MergedInto, x.Origin), IncidentMergeDirectionCode: MergeReplaced})
	}
	for _, m := range in.Merged {
		d.MergeComponent = append(d.MergeComponent, MergeInformation{Prologue: b.prologue(ComponentID(urn, KindMerge, m), b.updated),
			IncidentTrackingIdentifier: IncidentURN(m, x.Origin), IncidentMergeDirectionCode: MergeReplacing})
	}
	for _, l := range in.Links {
		li := LinkInformation{Prologue: b.prologue(ComponentID(urn, KindLink, l.Incident), l.Time),
			IncidentTrackingIdentifier: IncidentURN(l.Incident, x.Origin), TransactionReasonText: l.Reason,
			LinkDirectionCode: strings.ToUpper(l.Relation)}
		if b.agents[l.By] {
			r := Ref(ComponentID(urn, KindAgent, l.By))
			li.UpdatedByAgentReference = &r
		}
		if l.Agency != in.Agency && b.agencies[l.Agency] {
			r := Ref(ComponentID(urn, KindAgency, l.Agency))
			li.InvolvedAgencyReference = &r
		}
		d.LinkComponent = append(d.LinkComponent, li)
	}

	// Disposition and times.
	if in.Disposition != "" {
		at := b.updated
		if in.Cleared != nil {
			at = *in.Cleared
		}
		primary := true
		inc.DispositionComponent = append(inc.DispositionComponent, Disposition{Prologue: b.prologue(ComponentID(urn, KindDisposition, "1"), at),
			DispositionCommonRegistryCode: in.Disposition, DispositionPrimaryIndicator: &primary, DispositionDescriptionText: in.Disposition})
	}
	times, err := json.Marshal(tm)
	if err != nil {
		panic(fmt.Sprintf("eido: marshal times: %v", err)) // times always marshal
	}
	d.AdditionalDataComponent = append(d.AdditionalDataComponent, AdditionalData{
		Prologue: b.prologue(ComponentID(urn, KindTimes, in.ID), b.updated), AdditionalDataByValue: string(times)})
	d.IncidentComponent = inc
	return d
}

// builder holds what every component of one document needs.
type builder struct {
	x        engine.IncidentExport
	urn      string
	owner    string // the owning agency's component id
	updated  time.Time
	agencies map[string]bool // agency ids with a component
	agents   map[string]bool // usernames with a component
	foreign  map[string]bool // an imported incident's sender's agency references with a component
}

func (b *builder) prologue(id string, at time.Time) Prologue {
	return Prologue{ID: id, LastUpdateTimeStamp: At(at), UpdatedByAgencyReference: Ref(b.owner)}
}

// lastUpdate is the latest time the incident shows: when what the document
// says last changed.
func (b *builder) lastUpdate() time.Time {
	in := b.x.Incident
	t := in.Entered
	later := func(u *time.Time) {
		if u != nil && u.After(t) {
			t = *u
		}
	}
	for _, u := range []*time.Time{in.Answered, in.Dispatched, in.EnRoute, in.OnScene, in.Cleared} {
		later(u)
	}
	for _, n := range in.Notes {
		later(&n.Time)
	}
	for _, c := range in.Callers {
		later(&c.Time)
	}
	for _, l := range in.Links {
		later(&l.Time)
	}
	for _, u := range b.x.Units {
		if u.Incident == in.ID {
			later(&u.StatusSince)
		}
	}
	return t
}

func (b *builder) agency(ag dispatch.Agency) Agency {
	b.agencies[ag.ID] = true
	owning := ag.ID == b.x.Incident.Agency
	roles := []string{"Responding"}
	if owning {
		roles = []string{"Dispatch"}
	}
	types := agencyTypes[ag.Kind]
	if types == nil {
		types = []string{"police"}
	}
	return Agency{
		Prologue:                          b.prologue(ComponentID(b.urn, KindAgency, ag.ID), b.updated),
		AgencyJcard:                       jcard("org", ag.Name, ag.ID),
		AgencyRoleDescriptionRegistryText: roles,
		AgencyType:                        types,
		IncidentOwningAgencyIndicator:     &owning,
	}
}

func (b *builder) agent(u dispatch.User) Agent {
	b.agents[u.Username] = true
	var roles []string
	for _, r := range u.Roles {
		roles = append(roles, lookup(agentRoles, r, r))
	}
	if len(roles) == 0 {
		roles = []string{"Other"} // the schema wants one at least
	}
	return Agent{
		Prologue:              b.prologue(ComponentID(b.urn, KindAgent, u.Username), b.updated),
		AgentJcard:            jcard("individual", u.Username, u.Username),
		AgentRoleRegistryText: roles,
		AgencyReference:       Ref(ComponentID(b.urn, KindAgency, u.Agency)),
	}
}

// jcard writes a minimal jCard (RFC 7095): kind, formatted name, and uid,
// tenfour's id of the agency or user.
func jcard(kind, name, uid string) string {
	v := []any{"vcard", [][]any{
		{"version", map[string]any{}, "text", "4.0"},
		{"kind", map[string]any{}, "text", kind},
		{"fn", map[string]any{}, "text", name},
		{"uid", map[string]any{}, "text", uid},
	}}
	out, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("eido: marshal jCard: %v", err)) // strings always marshal
	}
	return string(out)
}

// note makes a Notes component; its text is HTML5, as NotesType says.
func (b *builder) note(key string, at time.Time, text, author string) Notes {
	n := Notes{Prologue: b.prologue(ComponentID(b.urn, KindNote, key), at), NotesActionComments: noteHTML(text)}
	if b.agents[author] {
		r := Ref(ComponentID(b.urn, KindAgent, author))
		n.AgentReference = &r
		n.UpdatedByAgentReference = &r
	}
	return n
}

// noteHTML writes plain text as HTML5: escaped, its line breaks as <br>.
func noteHTML(text string) string {
	return strings.ReplaceAll(html.EscapeString(text), "\n", "<br>")
}

// NoteText reads back the plain text noteHTML wrote.
func NoteText(h string) string {
	return html.UnescapeString(strings.ReplaceAll(h, "<br>", "\n"))
}

// call makes the call component of a call record (N 0: the incident's own
// call), and the person, callback and note of its caller when the reader may
// see them.
func (b *builder) call(cr dispatch.CallRecord, place []Reference) (CallInformation, *PersonInformation, *Callback, *Notes) {
	key := strconv.Itoa(cr.N)
	callID := ComponentID(b.urn, KindCall, key)
	at := cr.Received
	if cr.Answered != nil {
		at = *cr.Answered
	}
	state := "callBegin"
	if cr.Answered != nil {
		state = "callAnswered"
	}
	c := CallInformation{
		Prologue:                b.prologue(callID, at),
		StandardPrimaryCallType: "emergency",
		Direction:               DirectionIncoming,
		CallStartTimestamp:      At(cr.Received),
		CallStateRegistryText:   state,
		LocationReference:       place,
	}
	if cr.Answered != nil {
		a := At(*cr.Answered)
		c.AnswerDate = &a
	}
	if b.agents[cr.Taker] {
		c.AgentReference = Refs(ComponentID(b.urn, KindAgent, cr.Taker))
	}
	var note *Notes
	if cr.N > 0 && cr.Narrative != "" {
		n := b.note("call-"+key, cr.Time, cr.Narrative, cr.Taker)
		note = &n
		c.NotesReference = Refs(n.ID)
	}
	if cr.Caller.Name == "" && cr.Caller.Phone == "" {
		return c, nil, nil, note
	}
	p := &PersonInformation{
		Prologue:                       b.prologue(ComponentID(b.urn, KindCaller, key), at),
		PersonIncidentRoleRegistryText: []string{"Caller"},
		CallIdentifier:                 []string{callID},
	}
	c.PersonReference = Refs(p.ID)
	if cr.Caller.Name != "" {
		person, err := json.Marshal(NCPerson{PersonName: &NCPersonName{PersonFullName: cr.Caller.Name}})
		if err != nil {
			panic(fmt.Sprintf("eido: marshal person: %v", err)) // strings always marshal
		}
		p.NcPersonComponent = person
	}
	var cb *Callback
	if cr.Caller.Phone != "" {
		cb = &Callback{Prologue: b.prologue(ComponentID(b.urn, KindCallback, key), at), CallBackInformationURI: []string{TelURI(cr.Caller.Phone)}}
		r := Ref(cb.ID)
		p.CallBackReference = &r
		c.CallBackReference = &r
	}
	return c, p, cb, note
}

// TelURI writes a phone number as a tel: URI (RFC 3966): digits, and a
// leading +, kept; the visual separators dropped. A number with nothing to
// dial is kept whole after "tel:", so that nothing is lost.
func TelURI(phone string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 || b.String() == "+" {
		return "tel:" + phone
	}
	return "tel:" + b.String()
}

// location makes the incident's location component, if it has a place.
func (b *builder) location(in dispatch.Incident) (LocationInformation, bool) {
	l := in.Location
	if l.Text == "" && (l.Lat == nil || l.Lon == nil) {
		return LocationInformation{}, false
	}
	// The text, as tenfour holds it, is kept whole beside the civic
	// address parsed from it: a receiver shows what the call-taker wrote,
	// and an import finds the place again from it.
	loc := LocationInformation{
		Prologue:                            b.prologue(ComponentID(b.urn, KindLocation, "incident"), in.Entered),
		LocationTypeDescriptionRegistryText: "Incident",
		LocationByValue:                     PIDFLO(b.urn, l, in.Entered),
		LocationDescriptionText:             l.Text,
		LocalIdentifier:                     []string{"verified:" + strconv.FormatBool(l.Verified)},
	}
	if _, cross, ok := intersection(l.Text); ok {
		loc.IntersectingStreetByValue = []string{civicXML("", cross)}
	}
	for _, kv := range [][2]string{{"district", l.District}, {"beat", l.Beat}, {"zone", l.Zone}} {
		if kv[1] != "" {
			loc.LocalIdentifier = append(loc.LocalIdentifier, kv[0]+":"+kv[1])
		}
	}
	return loc, true
}

// resource makes a unit's emergency resource component and, if the unit is
// on the incident and has reported a position, its location component.
func (b *builder) resource(u dispatch.Unit) (EmergencyResource, *LocationInformation) {
	id := ComponentID(b.urn, KindUnit, u.ID)
	r := EmergencyResource{
		Prologue:                                b.prologue(id, u.StatusSince),
		EmergencyResourceTypeCommonRegistryText: lookup(resourceTypes, u.Kind, "Other"),
		EmergencyResourceTypeInternalText:       u.Kind,
		ResourceAttributeRegistryText:           []string{},
		ResourceAttributeInternalText:           u.Capabilities,
		EmergencyResourceName:                   u.CallSign,
		PrimaryUnitStatusRegistryText:           lookup(unitStatuses, u.Status, u.Status),
		SecondaryUnitStatusRegistryText:         []string{},
		UnitStatusInternal:                      []string{u.Status},
		AgentReference:                          []Reference{},
	}
	if len(u.Capabilities) > 0 {
		r.ResourceAttributeRegistryText = []string{"Other"} // the internal text then says which
	}
	if b.agencies[u.Agency] {
		r.UpdatedByAgencyReference = Ref(ComponentID(b.urn, KindAgency, u.Agency))
	}
	for _, c := range u.Crew {
		if b.agents[c] {
			r.AgentReference = append(r.AgentReference, Ref(ComponentID(b.urn, KindAgent, c)))
		}
	}
	if u.Incident != "" {
		r.ActiveOnIncidentID = IncidentURN(u.Incident, b.x.Origin)
	}
	p, ok := b.x.Positions[u.ID]
	if !ok || u.Incident != b.x.Incident.ID {
		return r, nil
	}
	loc := &LocationInformation{
		Prologue:                            b.prologue(ComponentID(b.urn, KindLocation, u.ID), p.Time),
		LocationTypeDescriptionRegistryText: "Unit",
		LocationByValue:                     PIDFLO(b.urn, dispatch.Location{Lat: &p.Lat, Lon: &p.Lon}, p.Time),
	}
	ref := Ref(loc.ID)
	r.UnitLocationReference = &ref
	return r, loc
}

// incidentTimes are the incident's times as its EIDO gives them. An
// imported incident began at its sender: where the sender's time of a mark
// is earlier than this centre's (or this centre has none), the sender's is
// the incident's, as each mark is set once, by the first to reach it. Its
// clearing is this centre's alone: the sender closing its incident does
// not close this one.
func incidentTimes(in dispatch.Incident) Times {
	t := Times{Received: in.Received, Answered: in.Answered, Entered: in.Entered, Dispatched: in.Dispatched,
		EnRoute: in.EnRoute, OnScene: in.OnScene, Cleared: in.Cleared}
	im := in.Import
	if im == nil {
		return t
	}
	earliest := func(ours, theirs *time.Time) *time.Time {
		if theirs != nil && (ours == nil || theirs.Before(*ours)) {
			return theirs
		}
		return ours
	}
	if r := earliest(&t.Received, im.Times.Received); r != nil {
		t.Received = *r
	}
	t.Answered = earliest(t.Answered, im.Times.Answered)
	t.Dispatched = earliest(t.Dispatched, im.Times.Dispatched)
	t.EnRoute = earliest(t.EnRoute, im.Times.EnRoute)
	t.OnScene = earliest(t.OnScene, im.Times.OnScene)
	return t
}

// foreignAgency makes the agency component of an imported incident's
// sender's agency, under the sender's own reference to it.
func (b *builder) foreignAgency(ref, source string) Agency {
	b.foreign[ref] = true
	owning := false
	p := b.prologue(ref, b.updated)
	p.UpdatedByAgencyReference = Ref(ref)
	return Agency{
		Prologue:                          p,
		AgencyJcard:                       jcard("org", source, ref),
		AgencyRoleDescriptionRegistryText: []string{"Responding"},
		AgencyType:                        []string{"other"},
		IncidentOwningAgencyIndicator:     &owning,
	}
}

// foreignResource makes the emergency resource of a unit of an imported
// incident's sender, as the sender reported it.
func (b *builder) foreignResource(i int, fu dispatch.ForeignUnit, agency string) EmergencyResource {
	at := b.updated
	if fu.Since != nil {
		at = *fu.Since
	}
	p := b.prologue(ComponentID(b.urn, KindUnit, "sender-"+strconv.Itoa(i+1)), at)
	p.UpdatedByAgencyReference = Ref(agency)
	status := fu.Status
	if status == "" {
		status = "Unknown"
	}
	return EmergencyResource{
		Prologue:                                p,
		EmergencyResourceTypeCommonRegistryText: "Other",
		ResourceAttributeRegistryText:           []string{},
		EmergencyResourceName:                   fu.CallSign,
		PrimaryUnitStatusRegistryText:           status,
		SecondaryUnitStatusRegistryText:         []string{},
		UnitStatusInternal:                      []string{status},
		AgentReference:                          []Reference{},
	}
}

// emergency makes the unit emergency state of a unit in EMERGENCY.
func (b *builder) emergency(u dispatch.Unit) UnitEmergencyState {
	s := UnitEmergencyState{
		Prologue:           b.prologue(ComponentID(b.urn, KindEmergency, u.ID), u.StatusSince),
		Severity:           Highest,
		OriginatingDevice:  u.CallSign,
		EmergencyStateType: "EmergencyButton",
		StartTimestamp:     At(u.StatusSince),
	}
	if b.agents[u.EmergencyBy] {
		r := Ref(ComponentID(b.urn, KindAgent, u.EmergencyBy))
		s.ReportingAgentReference = &r
	}
	return s
}

// caution makes the caution of a hazard and, when the reader may see its
// text, the note that carries it.
func (b *builder) caution(i int, hz dispatch.Hazard) (Caution, *Notes) {
	key := strconv.Itoa(i)
	ct, ok := cautionTypes[hz.Kind]
	if !ok {
		ct = cautionTypes[dispatch.HazardOther]
	}
	c := Caution{
		Prologue:                      b.prologue(ComponentID(b.urn, KindCaution, key), b.updated),
		CautionTypeInternalText:       hz.Kind,
		CautionTypeCommonRegistryText: ct.common,
		CautionSeverity:               ct.severity,
		CautionSource:                 hz.Source,
	}
	if c.CautionSource == "" {
		c.CautionSource = b.owner
	}
	if hz.Text == "" {
		return c, nil
	}
	n := b.note("caution-"+key, b.updated, hz.Text, "")
	n.CautionReference = Refs(c.ID)
	return c, &n
}

// PIDFLO writes a place as a PIDF-LO document (RFC 4119, with RFC 5139's
// civic address and RFC 5491's GML point, WGS 84 latitude then longitude):
// one tuple for the civic address of its text, one for its point, each
// when known.
func PIDFLO(entity string, l dispatch.Location, at time.Time) string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"` +
		` xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" xmlns:gml="http://www.opengis.net/gml"`)
	sb.WriteString(` entity="` + xmlEscape("pres:"+entity) + `">`)
	method := "Manual"
	if l.Verified {
		method = "Derived" // from the centre's map
	}
	tuple := func(id, location string) {
		sb.WriteString(`<tuple id="` + id + `"><status><gp:geopriv><gp:location-info>` + location +
			`</gp:location-info><gp:usage-rules/><gp:method>` + method + `</gp:method></gp:geopriv></status>` +
			`<timestamp>` + at.UTC().Format(time.RFC3339) + `</timestamp></tuple>`)
	}
	if l.Text != "" {
		street, _, _ := intersection(l.Text)
		number, road := "", street
		if m := houseNumberRE.FindStringSubmatch(street); m != nil {
			number, road = m[1], m[2]
		}
		tuple("civic", civicXML(number, road))
	}
	if l.Lat != nil && l.Lon != nil {
		tuple("geo", `<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>`+
			strconv.FormatFloat(*l.Lat, 'f', -1, 64)+" "+strconv.FormatFloat(*l.Lon, 'f', -1, 64)+`</gml:pos></gml:Point>`)
	}
	sb.WriteString(`</presence>`)
	return sb.String()
}

// houseNumberRE splits "3900 S Kedzie Ave" into the house number and the
// road.
var houseNumberRE = regexp.MustCompile(`^(\d+[A-Za-z]?)\s+(.+)$`)

// intersectionRE splits "39th Pl & S Kedzie Ave" (also "and", "at", "/").
var intersectionRE = regexp.MustCompile(`^(.+?)\s+(?:&|and|at|/)\s+(.+)$`)

// intersection returns the two streets of an intersection's text, or the
// text and false if it names none.
func intersection(text string) (street, cross string, ok bool) {
	if m := intersectionRE.FindStringSubmatch(strings.TrimSpace(text)); m != nil && !houseNumberRE.MatchString(m[1]) {
		return m[1], m[2], true
	}
	return strings.TrimSpace(text), "", false
}

// civicXML writes an RFC 5139 civic address of a house number (may be
// empty) and a road, in the United States.
func civicXML(number, road string) string {
	s := `<ca:civicAddress xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"><ca:country>US</ca:country>`
	if number != "" {
		s += `<ca:HNO>` + xmlEscape(number) + `</ca:HNO>`
	}
	return s + `<ca:RD>` + xmlEscape(road) + `</ca:RD></ca:civicAddress>`
}

func xmlEscape(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			sb.WriteString("&lt;")
		case '>':
			sb.WriteString("&gt;")
		case '&':
			sb.WriteString("&amp;")
		case '"':
			sb.WriteString("&quot;")
		case '\'':
			sb.WriteString("&apos;")
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
