package dispatch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Import of another system's incident (NENA EIDO, NENA-STA-021.1): a
// partner CAD or a 9-1-1 call-handling system hands over an incident, or
// a call not yet an incident (a call transfer). ImportIncident is the one
// command for it, whatever the entrance (POST /api/v1/eido, tenfour
// import, a conveyance subscription): the engine places its location and
// decides it as any other command. The domain knows nothing of EIDO's
// JSON; package eido maps a document to this command.
//
// An import is create-or-update, idempotent by (receiving agency, Ref):
// the first import of a Ref creates an incident (incident.imported); a
// later one changes it by what changed since the previous import
// (incident.import_updated: new notes and callers appended, the type,
// priority, location, the sender's status, units, cautions and times
// replaced); one that changes nothing is accepted and records nothing (no
// event: the engine answers it as unchanged). What the sender recorded of times (when its call was
// received, its units dispatched…) is kept as the sender's claim
// (Imported.Times): it may be hours older than the import, and it is not
// this centre's record, so it is never taken for the incident's own times,
// which are this centre's (Received and Entered are the import's time).

// Event types of an import.
const (
	TypeIncidentImported      = "incident.imported"
	TypeIncidentImportUpdated = "incident.import_updated"
)

// PrivateEIDO is the private field that holds the original document an
// import was made from, byte for byte: what tenfour does not represent is
// kept there, committed in the log, and its opening apart.
const PrivateEIDO = "eido"

// SubjectEIDORef is the subject key under which an import's events are
// indexed by (agency, Ref) (EIDORefKey): the store's subject index finds
// an archived imported incident by it, so that the open state need not
// remember every Ref ever imported.
const SubjectEIDORef = "eido_ref"

// Limits of an import: an incident is worked by people; a document that
// exceeds them is refused whole rather than cut.
const (
	MaxImportOriginal      = 8 << 20 // bytes of the original document
	MaxImportUnits         = 200
	MaxImportCautions      = 100
	MaxImportUnrepresented = 2000
	maxImportRef           = 255
	// MaxClaimSkew is how far after the import a sender's claimed time
	// may lie (clocks differ); later is refused as impossible.
	MaxClaimSkew = 5 * time.Minute
)

// UnknownType is the fallback incident type of an import
// (incident_types.csv): a type the catalogue has no mapping for, or a
// call transferred before anyone typed it (Imported.Transfer says which).
const UnknownType = "UNKNOWN"

// An ImportedCaller is a person who called, as the sender gave them. Ref
// is the sender's id of the person, by which a later import is matched.
type ImportedCaller struct {
	Ref      string     `json:"ref"`
	Name     string     `json:"name,omitempty"`
	Phone    string     `json:"phone,omitempty"`
	Received *time.Time `json:"received,omitempty"`
}

// An ImportedNote is a note of the sender's: its id, when and by whom
// (the sender's agent id) it was written, and its text.
type ImportedNote struct {
	Ref    string    `json:"ref"`
	Time   time.Time `json:"time"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// A Caution is a hazard the sender raised (EIDO CautionType): its kind
// (one of HazardKinds, as package eido maps the sender's registry text),
// the sender's text and severity. The imported incident shows its
// cautions among its hazards.
type Caution struct {
	Kind     string `json:"kind"`
	Text     string `json:"text,omitempty"`
	Severity string `json:"severity,omitempty"`
}

// A ForeignUnit is a unit of another system on the imported incident: not
// a unit of this centre (it cannot be dispatched or changed here), but
// shown with the incident as the sender reported it.
type ForeignUnit struct {
	CallSign string     `json:"call_sign"`
	Agency   string     `json:"agency,omitempty"`
	Status   string     `json:"status,omitempty"`
	Since    *time.Time `json:"since,omitempty"`
}

// SenderTimes are an imported incident's times as the sender recorded
// them: claims of another system, kept as given.
type SenderTimes struct {
	Received   *time.Time `json:"received,omitempty"`
	Answered   *time.Time `json:"answered,omitempty"`
	Dispatched *time.Time `json:"dispatched,omitempty"`
	EnRoute    *time.Time `json:"en_route,omitempty"`
	OnScene    *time.Time `json:"on_scene,omitempty"`
	Cleared    *time.Time `json:"cleared,omitempty"`
}

func (t SenderTimes) all() []*time.Time {
	return []*time.Time{t.Received, t.Answered, t.Dispatched, t.EnRoute, t.OnScene, t.Cleared}
}

func (t SenderTimes) equal(o SenderTimes) bool {
	a, b := t.all(), o.all()
	for i := range a {
		if !timeEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func timeEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// Imported is what an imported incident keeps of its origin: who sent it
// (Source, the EIDO's issuingElementIdentification) and under which
// incident id (Ref); the sender's type, status, units, cautions and times;
// the JSON Pointers of what tenfour does not represent (kept only in the
// original, PrivateEIDO); and, to tell what a later import changes, what
// the last one said (Type, Priority, Location as placed, Digest, and the
// sender's ids of the notes and callers already taken).
type Imported struct {
	Source        string        `json:"source"`
	Ref           string        `json:"ref"`
	Revision      int           `json:"revision"`
	SourceType    string        `json:"source_type,omitempty"`
	Status        string        `json:"status,omitempty"`
	Transfer      bool          `json:"transfer,omitempty"`
	Units         []ForeignUnit `json:"units,omitempty"`
	Cautions      []Caution     `json:"cautions,omitempty"`
	Times         SenderTimes   `json:"times"`
	Unrepresented []string      `json:"unrepresented,omitempty"`

	Type       string   `json:"-"`
	Priority   *int     `json:"-"`
	Location   Location `json:"-"`
	Digest     string   `json:"-"`
	NoteRefs   []string `json:"-"`
	CallerRefs []string `json:"-"`
}

// ImportKey returns EIDORefKey of agency and ref as an import of ref is
// indexed: ref normalised as the command's check normalises it.
func ImportKey(agency, ref string) string {
	return EIDORefKey(agency, strings.TrimSpace(norm.NFC.String(ref)))
}

// EIDORefKey is the key of the import index and the SubjectEIDORef
// subject: the receiving agency and the sender's incident id. A space can
// be in neither an agency id nor a Ref.
func EIDORefKey(agency, ref string) string { return agency + " " + ref }

// ImportIncident imports another system's incident into Agency, or
// updates the incident an earlier import of the same Ref made.
type ImportIncident struct {
	Agency string
	// Source is the sender (issuingElementIdentification); Ref its
	// incident's tracking identifier.
	Source string
	Ref    string
	// Type is the catalogue's type the sender's maps to; "" or a type the
	// catalogue lacks gives UnknownType. SourceType is the sender's type
	// as given.
	Type       string
	SourceType string
	Priority   *int // nil: the type's default
	Location   Location
	// Transfer says it is a call transfer: a call with no incident yet.
	Transfer bool
	Status   string // the sender's incident status, as given
	Callers  []ImportedCaller
	Notes    []ImportedNote
	Cautions []Caution
	Units    []ForeignUnit
	Times    SenderTimes
	// Unrepresented are the JSON Pointers (RFC 6901) of what the original
	// holds that tenfour does not represent.
	Unrepresented []string
	// Original is the document as received.
	Original []byte
	// Archived is set by the engine, never by an entrance: the incident an
	// earlier import of Ref made, if it has been archived (read from the
	// store's subject index).
	Archived *ArchivedRef
}

// IncidentImported is the payload of incident.imported: the incident
// created from another system's. Public are its id, the source, the Ref,
// the type and priority, the district, the sender's status, units and
// times (the statuses and times the public sees of any incident);
// everything else — the place, the sender's type text, callers, notes,
// cautions, what tenfour does not represent — is private, and so is the
// original document (PrivateEIDO).
type IncidentImported struct {
	ID            string           `json:"id"`
	Source        string           `json:"source"`
	Ref           string           `json:"ref"`
	Type          string           `json:"type"`
	SourceType    string           `json:"source_type,omitempty"`
	Priority      int              `json:"priority"`
	Location      Location         `json:"location"`
	Transfer      bool             `json:"transfer,omitempty"`
	Status        string           `json:"status,omitempty"`
	Callers       []ImportedCaller `json:"callers,omitempty"`
	Notes         []ImportedNote   `json:"notes,omitempty"`
	Cautions      []Caution        `json:"cautions,omitempty"`
	Units         []ForeignUnit    `json:"units,omitempty"`
	Times         SenderTimes      `json:"times"`
	Unrepresented []string         `json:"unrepresented,omitempty"`
	// Given are the type and priority the sender's document gave (the
	// type as mapped, before any fallback; nil priority: none).
	GivenType     string `json:"given_type,omitempty"`
	GivenPriority *int   `json:"given_priority,omitempty"`
	Digest        string `json:"digest"`
}

// IncidentImportUpdated is the payload of incident.import_updated: what a
// later import of the same Ref changed. A field left out did not change;
// Callers and Notes are the ones appended; Units, Cautions and
// Unrepresented, when present, replace the earlier lists.
type IncidentImportUpdated struct {
	Incident      string           `json:"incident"`
	Source        string           `json:"source"`
	Revision      int              `json:"revision"`
	Type          *string          `json:"type,omitempty"`
	SourceType    *string          `json:"source_type,omitempty"`
	GivenType     *string          `json:"given_type,omitempty"`
	Priority      *int             `json:"priority,omitempty"`
	Location      *Location        `json:"location,omitempty"`
	Status        *string          `json:"status,omitempty"`
	Callers       []ImportedCaller `json:"callers,omitempty"`
	Notes         []ImportedNote   `json:"notes,omitempty"`
	Cautions      *[]Caution       `json:"cautions,omitempty"`
	Units         *[]ForeignUnit   `json:"units,omitempty"`
	Times         *SenderTimes     `json:"times,omitempty"`
	Unrepresented *[]string        `json:"unrepresented,omitempty"`
	Digest        string           `json:"digest"`
	Changed       []string         `json:"changed"`
}

// Decide implements Command.
func (c ImportIncident) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mayAct(actor, c.Agency); err != nil {
		return nil, err
	}
	if err := c.check(s, now); err != nil {
		return nil, err
	}
	key := EIDORefKey(c.Agency, c.Ref)
	if id, ok := s.imports[key]; ok {
		return c.update(s, s.Incidents[id], actor, now)
	}
	if c.Archived != nil {
		return nil, Errorf(ECONFLICT, "the incident imported from %s as %s is %s, which was closed on %s and archived: it can be read, not changed",
			c.Source, c.Ref, c.Archived.ID, c.Archived.Closed.UTC().Format(time.RFC3339))
	}
	return c.create(s, actor, now)
}

// check checks and normalises what the command carries.
func (c *ImportIncident) check(s *State, now time.Time) error {
	if err := CheckText("EIDO source", &c.Source, 200, true); err != nil {
		return err
	}
	if err := CheckText("EIDO incident id", &c.Ref, maxImportRef, true); err != nil {
		return err
	}
	c.Source, c.Ref = strings.TrimSpace(c.Source), strings.TrimSpace(c.Ref)
	if strings.ContainsAny(c.Ref, " \t\n") {
		return Errorf(EINVALID, "EIDO incident id %q holds white space", c.Ref)
	}
	if err := CheckText("EIDO incident type", &c.SourceType, 300, false); err != nil {
		return err
	}
	if err := CheckText("EIDO incident status", &c.Status, 100, false); err != nil {
		return err
	}
	if c.Priority != nil && (*c.Priority < 0 || *c.Priority > 4) {
		return Errorf(EINVALID, "priority %d is not between 0 (officer emergency) and 4", *c.Priority)
	}
	if err := checkLocation(&c.Location); err != nil {
		return err
	}
	c.Location.Text = strings.TrimSpace(c.Location.Text)
	if len(c.Callers) > MaxCallers+1 {
		return Errorf(EINVALID, "an incident holds at most %d callers; the EIDO gives %d", MaxCallers+1, len(c.Callers))
	}
	for i := range c.Callers {
		p := &c.Callers[i]
		if err := CheckText(fmt.Sprintf("caller %d id", i+1), &p.Ref, maxImportRef, true); err != nil {
			return err
		}
		if err := CheckText("caller name", &p.Name, 200, false); err != nil {
			return err
		}
		if err := CheckText("caller phone", &p.Phone, 40, false); err != nil {
			return err
		}
		if err := checkClaim(fmt.Sprintf("caller %d received", i+1), p.Received, now); err != nil {
			return err
		}
		p.Received = utc(p.Received)
	}
	if len(c.Notes) > MaxNotes {
		return Errorf(EINVALID, "an incident holds at most %d notes; the EIDO gives %d", MaxNotes, len(c.Notes))
	}
	for i := range c.Notes {
		n := &c.Notes[i]
		if err := CheckText(fmt.Sprintf("note %d id", i+1), &n.Ref, maxImportRef, true); err != nil {
			return err
		}
		if err := CheckText(fmt.Sprintf("note %d author", i+1), &n.Author, 200, false); err != nil {
			return err
		}
		if err := CheckText(fmt.Sprintf("note %d", i+1), &n.Text, MaxNoteLength, true); err != nil {
			return err
		}
		n.Text = strings.TrimSpace(n.Text)
		if n.Time.IsZero() {
			return Errorf(EINVALID, "note %d has no time", i+1)
		}
		if err := checkClaim(fmt.Sprintf("note %d", i+1), &n.Time, now); err != nil {
			return err
		}
		n.Time = n.Time.UTC()
	}
	if len(c.Cautions) > MaxImportCautions {
		return Errorf(EINVALID, "an import holds at most %d cautions; the EIDO gives %d", MaxImportCautions, len(c.Cautions))
	}
	for i := range c.Cautions {
		z := &c.Cautions[i]
		if !slices.Contains(HazardKinds, z.Kind) {
			return Errorf(EINVALID, "caution %d: kind %q is not one of %s", i+1, z.Kind, strings.Join(HazardKinds, ", "))
		}
		if err := CheckText(fmt.Sprintf("caution %d", i+1), &z.Text, 500, false); err != nil {
			return err
		}
		if err := CheckText(fmt.Sprintf("caution %d severity", i+1), &z.Severity, 20, false); err != nil {
			return err
		}
	}
	if len(c.Units) > MaxImportUnits {
		return Errorf(EINVALID, "an import holds at most %d units; the EIDO gives %d", MaxImportUnits, len(c.Units))
	}
	for i := range c.Units {
		u := &c.Units[i]
		if err := CheckText(fmt.Sprintf("unit %d call sign", i+1), &u.CallSign, 64, true); err != nil {
			return err
		}
		if err := CheckText(fmt.Sprintf("unit %d agency", i+1), &u.Agency, 200, false); err != nil {
			return err
		}
		if err := CheckText(fmt.Sprintf("unit %d status", i+1), &u.Status, 64, false); err != nil {
			return err
		}
		if err := checkClaim(fmt.Sprintf("unit %d status time", i+1), u.Since, now); err != nil {
			return err
		}
		u.Since = utc(u.Since)
	}
	names := []string{"received", "answered", "dispatched", "en route", "on scene", "cleared"}
	for i, t := range c.Times.all() {
		if err := checkClaim("the sender's "+names[i]+" time", t, now); err != nil {
			return err
		}
	}
	c.Times = SenderTimes{utc(c.Times.Received), utc(c.Times.Answered), utc(c.Times.Dispatched),
		utc(c.Times.EnRoute), utc(c.Times.OnScene), utc(c.Times.Cleared)}
	if len(c.Unrepresented) > MaxImportUnrepresented {
		return Errorf(EINVALID, "an import lists at most %d parts tenfour does not represent", MaxImportUnrepresented)
	}
	for _, p := range c.Unrepresented {
		if p != "" && !strings.HasPrefix(p, "/") {
			return Errorf(EINVALID, "%q is not a JSON Pointer", p)
		}
	}
	if len(c.Original) == 0 {
		return Errorf(EINVALID, "an import carries the original document")
	}
	if len(c.Original) > MaxImportOriginal {
		return Errorf(EINVALID, "the original document is larger than %d bytes", MaxImportOriginal)
	}
	return nil
}

// checkClaim refuses a sender's claimed time that lies after now by more
// than clocks differ: it cannot have happened yet. Earlier is a claim
// like any other (an incident may be days old), kept as given.
func checkClaim(what string, t *time.Time, now time.Time) error {
	if t != nil && t.Sub(now) > MaxClaimSkew {
		return Errorf(EINVALID, "%s (%s) is after the import (%s)", what, t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// importType returns the catalogue's type for the command: its Type if the
// catalogue has it, else the fallback.
func (c ImportIncident) importType(s *State) (IncidentType, error) {
	if c.Type != "" {
		if t, ok := s.IncidentType(c.Agency, c.Type); ok {
			return t, nil
		}
	}
	t, ok := s.IncidentType(c.Agency, UnknownType)
	if !ok {
		return IncidentType{}, fmt.Errorf("the catalogue has no fallback type %s", UnknownType)
	}
	return t, nil
}

func digestOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (c ImportIncident) create(s *State, actor Actor, now time.Time) ([]Event, error) {
	typ, err := c.importType(s)
	if err != nil {
		return nil, err
	}
	prio := typ.DefaultPriority
	if c.Priority != nil {
		prio = *c.Priority
	}
	year := now.UTC().Year()
	id := IncidentID(c.Agency, year, s.incidentSerial[serialKey(c.Agency, year)]+1)
	return []Event{{
		Time: now, Type: TypeIncidentImported, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"incident": id, SubjectEIDORef: EIDORefKey(c.Agency, c.Ref)},
		Data: &IncidentImported{
			ID: id, Source: c.Source, Ref: c.Ref, Type: typ.Code, SourceType: c.SourceType,
			Priority: prio, Location: c.Location, Transfer: c.Transfer, Status: c.Status,
			Callers: c.Callers, Notes: c.Notes, Cautions: c.Cautions, Units: c.Units,
			Times: c.Times, Unrepresented: c.Unrepresented,
			GivenType: c.Type, GivenPriority: c.Priority, Digest: digestOf(c.Original),
		},
		Private: map[string]string{PrivateEIDO: string(c.Original)},
	}}, nil
}

func (c ImportIncident) update(s *State, in *Incident, actor Actor, now time.Time) ([]Event, error) {
	im := in.Import
	d := &IncidentImportUpdated{Incident: in.ID, Source: c.Source, Revision: im.Revision + 1, Digest: digestOf(c.Original)}
	if c.Type != im.Type || c.SourceType != im.SourceType {
		typ, err := c.importType(s)
		if err != nil {
			return nil, err
		}
		if typ.Code != in.Type {
			d.Type = &typ.Code
			d.Changed = append(d.Changed, "type")
		}
		if c.SourceType != im.SourceType {
			d.SourceType = &c.SourceType
			d.Changed = append(d.Changed, "source_type")
		}
		d.GivenType = &c.Type
	}
	if !intEqual(c.Priority, im.Priority) && c.Priority != nil && *c.Priority != in.Priority {
		d.Priority = c.Priority
		d.Changed = append(d.Changed, "priority")
	}
	if !sameLocation(c.Location, im.Location) {
		l := c.Location
		d.Location = &l
		d.Changed = append(d.Changed, "location")
	}
	if c.Status != im.Status {
		d.Status = &c.Status
		d.Changed = append(d.Changed, "status")
	}
	for _, p := range c.Callers {
		if !slices.Contains(im.CallerRefs, p.Ref) {
			d.Callers = append(d.Callers, p)
		}
	}
	if len(d.Callers) > 0 {
		if len(in.Callers)+len(d.Callers) > MaxCallers {
			return nil, Errorf(ECONFLICT, "incident %s would hold more than %d further callers", in.ID, MaxCallers)
		}
		d.Changed = append(d.Changed, "callers")
	}
	for _, n := range c.Notes {
		if !slices.Contains(im.NoteRefs, n.Ref) {
			d.Notes = append(d.Notes, n)
		}
	}
	if len(d.Notes) > 0 {
		if len(in.Notes)+len(d.Notes) > MaxNotes {
			return nil, Errorf(ECONFLICT, "incident %s would hold more than %d notes", in.ID, MaxNotes)
		}
		d.Changed = append(d.Changed, "notes")
	}
	if !slices.Equal(c.Cautions, im.Cautions) {
		z := append([]Caution{}, c.Cautions...) // [], not null: the log must say "none now"
		d.Cautions = &z
		d.Changed = append(d.Changed, "cautions")
	}
	if !slices.EqualFunc(c.Units, im.Units, unitEqual) {
		u := append([]ForeignUnit{}, c.Units...)
		d.Units = &u
		d.Changed = append(d.Changed, "units")
	}
	if !c.Times.equal(im.Times) {
		t := c.Times
		d.Times = &t
		d.Changed = append(d.Changed, "times")
	}
	if !slices.Equal(c.Unrepresented, im.Unrepresented) {
		u := append([]string{}, c.Unrepresented...)
		d.Unrepresented = &u
		d.Changed = append(d.Changed, "unrepresented")
	}
	if d.Digest != im.Digest {
		d.Changed = append(d.Changed, "original")
	}
	if len(d.Changed) == 0 {
		return nil, nil // the same document again: nothing to record
	}
	return []Event{{
		Time: now, Type: TypeIncidentImportUpdated, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID, SubjectEIDORef: EIDORefKey(in.Agency, im.Ref)},
		Data:    d,
		Private: map[string]string{PrivateEIDO: string(c.Original)},
	}}, nil
}

func intEqual(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func floatEqual(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func sameLocation(a, b Location) bool {
	return a.Text == b.Text && floatEqual(a.Lat, b.Lat) && floatEqual(a.Lon, b.Lon) &&
		a.Verified == b.Verified && a.District == b.District && a.Beat == b.Beat && a.Zone == b.Zone
}

func unitEqual(a, b ForeignUnit) bool {
	return a.CallSign == b.CallSign && a.Agency == b.Agency && a.Status == b.Status && timeEqual(a.Since, b.Since)
}

// applyImported folds incident.imported: a new incident, PENDING like one
// created from a call, whose first caller is its Caller and the others its
// further callers, and whose notes are the sender's.
func (s *State) applyImported(e Event, d *IncidentImported) error {
	if _, ok := s.Incidents[d.ID]; ok {
		return fmt.Errorf("incident %q created twice", d.ID)
	}
	key := EIDORefKey(e.Agency, d.Ref)
	if id, ok := s.imports[key]; ok {
		return fmt.Errorf("%s imported again as %s, already %s", d.Ref, d.ID, id)
	}
	in := &Incident{
		ID: d.ID, Agency: e.Agency, Type: d.Type, Priority: d.Priority, Location: d.Location,
		Status: IncidentPending, Units: []string{}, Notes: []Note{},
		Received: e.Time, Entered: e.Time,
		Import: &Imported{
			Source: d.Source, Ref: d.Ref, Revision: 1, SourceType: d.SourceType, Status: d.Status,
			Transfer: d.Transfer, Units: orNil(d.Units), Cautions: orNil(d.Cautions),
			Times: d.Times, Unrepresented: orNil(d.Unrepresented),
			Type: d.GivenType, Priority: d.GivenPriority, Location: d.Location, Digest: d.Digest,
		},
	}
	s.addImportedCallers(in, e, d.Callers)
	s.addImportedNotes(in, d.Notes)
	s.Incidents[d.ID] = in
	s.incidentSerial[serialKey(e.Agency, e.Time.UTC().Year())]++
	if s.imports == nil {
		s.imports = map[string]string{}
	}
	s.imports[key] = d.ID
	return nil
}

func (s *State) addImportedCallers(in *Incident, e Event, cs []ImportedCaller) {
	for _, p := range cs {
		in.Import.CallerRefs = append(in.Import.CallerRefs, p.Ref)
		if in.Caller == (Caller{}) && len(in.Callers) == 0 {
			in.Caller = Caller{Name: p.Name, Phone: p.Phone}
			continue
		}
		c := CallRecord{N: len(in.Callers) + 1, Time: e.Time, Received: e.Time, Taker: in.Import.Source,
			Caller: Caller{Name: p.Name, Phone: p.Phone}}
		if p.Received != nil {
			c.Received = *p.Received
		}
		in.Callers = append(in.Callers, c)
	}
}

func (s *State) addImportedNotes(in *Incident, ns []ImportedNote) {
	for _, n := range ns {
		in.Import.NoteRefs = append(in.Import.NoteRefs, n.Ref)
		author := n.Author
		if author == "" {
			author = in.Import.Source
		}
		in.Notes = append(in.Notes, Note{N: len(in.Notes) + 1, Time: n.Time, Author: author, Text: n.Text})
	}
}

// applyImportUpdated folds incident.import_updated.
func (s *State) applyImportUpdated(e Event, d *IncidentImportUpdated) error {
	in, ok := s.Incidents[d.Incident]
	if !ok || in.Import == nil {
		return fmt.Errorf("import update of incident %q, which does not exist or was not imported", d.Incident)
	}
	im := in.Import
	if d.Revision != im.Revision+1 {
		return fmt.Errorf("import revision %d of incident %q, which is at %d", d.Revision, d.Incident, im.Revision)
	}
	im.Revision = d.Revision
	if d.Type != nil {
		in.Type = *d.Type
	}
	if d.SourceType != nil {
		im.SourceType = *d.SourceType
	}
	if d.GivenType != nil {
		im.Type = *d.GivenType
	}
	if d.Priority != nil {
		in.Priority = *d.Priority
		im.Priority = at2(*d.Priority)
	}
	if d.Location != nil {
		in.Location, im.Location = *d.Location, *d.Location
	}
	if d.Status != nil {
		im.Status = *d.Status
	}
	s.addImportedCallers(in, e, d.Callers)
	s.addImportedNotes(in, d.Notes)
	if d.Cautions != nil {
		im.Cautions = orNil(*d.Cautions)
	}
	if d.Units != nil {
		im.Units = orNil(*d.Units)
	}
	if d.Times != nil {
		im.Times = *d.Times
	}
	if d.Unrepresented != nil {
		im.Unrepresented = orNil(*d.Unrepresented)
	}
	im.Digest = d.Digest
	return nil
}

func at2(n int) *int { return &n }

// orNil returns a copy of xs, nil when empty: one spelling of "none", as
// the log gives it back.
func orNil[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return slices.Clone(xs)
}

// ImportedIncident returns the open incident an import of ref into agency
// made, if the state holds it: the index costs what is open, and an
// archived incident is found through the store's subject index
// (SubjectEIDORef) instead.
func (s *State) ImportedIncident(agency, ref string) (string, bool) {
	id, ok := s.imports[ImportKey(agency, ref)]
	return id, ok
}

// rebuildImports recomputes the import index from the incidents.
func (s *State) rebuildImports() {
	s.imports = nil
	for id, in := range s.Incidents {
		if in.Import == nil {
			continue
		}
		if s.imports == nil {
			s.imports = map[string]string{}
		}
		s.imports[EIDORefKey(in.Agency, in.Import.Ref)] = id
	}
}

// forgetImport drops an archived incident from the import index.
func (s *State) forgetImport(in *Incident) {
	if in == nil || in.Import == nil {
		return
	}
	delete(s.imports, EIDORefKey(in.Agency, in.Import.Ref))
	if len(s.imports) == 0 {
		s.imports = nil
	}
}

// importHazards returns the cautions of an imported incident as hazards.
func importHazards(in *Incident) []Hazard {
	if in.Import == nil {
		return nil
	}
	out := make([]Hazard, 0, len(in.Import.Cautions))
	for _, z := range in.Import.Cautions {
		out = append(out, Hazard{Kind: z.Kind, Text: z.Text, Source: "EIDO " + in.Import.Source})
	}
	return out
}

// Place implements Placed: the imported location, as any incident's. An
// address the sender gave with its point is looked up on this centre's map
// first; the sender's point stands where the map does not know it.
func (c ImportIncident) Place(p Places) (Command, error) {
	if l := c.Location; l.Text != "" && l.Lat != nil {
		if r := p.Resolve(Location{Text: l.Text}); r.Verified {
			c.Location = r
			return c, nil
		}
	}
	c.Location = p.Resolve(c.Location)
	return c, nil
}
