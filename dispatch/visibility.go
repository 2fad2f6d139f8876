package dispatch

import (
	"encoding/json"
	"slices"
	"time"
)

// Visibility: the one rule of who may see what (DESIGN.md, invariant 6, and
// "Every entrance meets the same rules"). Every entrance — the JSON API, the
// event stream, evidence bundles and timelines, and those to come (EIDO,
// federation) — asks these functions, through the engine's typed reads,
// rather than deciding for itself.
//
// The rule, record by record:
//   - An actor's scope is its own agency; an installation administrator
//     (role admin, no agency) and tenfour itself (a system actor) see every
//     agency; a user of no agency who is not an administrator sees none.
//   - Agencies are listed to everyone; a mutual-aid plan and run cards are
//     read only within the agency's scope.
//   - A unit, an incident, a premise record, a directive, a BOLO (and its
//     photos) are seen within their agency's scope, and by nobody else: to
//     another agency they do not exist (the API answers 404).
//   - An incident's private fields (callers, narrative, note texts) and the
//     text of hazards are kept to those who see its agency; its links name
//     only incidents the actor sees.
//   - An assistance request is seen by every agency it concerns (the
//     requester and each agency asked) and by installation administrators.
//   - A message is seen by its sender and its recipients only, never by
//     another agency, nor by an installation administrator.
//   - A stream event reaches those who see its agency or one of the agencies
//     it also concerns; a message's events, only its sender and recipients.
//   - A timeline (and its bundle) is seen by whoever sees its record, whole:
//     its entries are the leaves of the log, whose private fields are
//     commitments unless openings are asked for.
//   - A publication is seen whole (its publisher's name, its reason, what
//     its record is and where) by whoever sees its record's timeline; to
//     anyone else, signed in or not, only as the public list shows it
//     (PublishedSummary: what the disclosure table makes public).

// SeesAll reports whether the actor sees every agency's records: an
// installation administrator (role admin, no agency) or tenfour itself.
func (a Actor) SeesAll() bool {
	return a.IsSystem() || (a.Role == RoleAdmin && a.Agency == "")
}

// Sees reports whether the actor's scope covers agency's records: every
// agency's for an installation administrator or the system, its own
// agency's for anyone else, none for a user of no agency who is not an
// administrator.
func (a Actor) Sees(agency string) bool {
	return a.SeesAll() || (a.Agency != "" && a.Agency == agency)
}

// ListAgency is the agency argument of the state's list functions
// (IncidentList, PremiseList…) that covers the actor's scope: "" (all) for
// one who sees all, its agency otherwise. A caller still filters with
// Sees: a user of no agency lists "" too, and sees none of it.
func (a Actor) ListAgency() string {
	if a.SeesAll() {
		return ""
	}
	return a.Agency
}

// SpeaksAs reports whether the actor may speak as unit u (the unit view,
// a unit's messages): u must be a unit of the actor's own agency. An
// installation administrator speaks as no unit.
func (a Actor) SpeaksAs(u *Unit) bool {
	return u != nil && a.Agency != "" && u.Agency == a.Agency
}

// VisibleAgency returns a copy of agency ag as the actor may see it: every
// actor sees every agency (a dispatcher must name the agency it asks for
// help). Run cards are read apart (VisibleRunCards).
func VisibleAgency(ag *Agency, a Actor) (Agency, bool) {
	c := *ag
	c.RunCards = nil
	if ag.Timers != nil {
		t := *ag.Timers
		c.Timers = &t
	}
	if ag.Plan != nil {
		p := deepCopy(*ag.Plan)
		c.Plan = &p
	}
	return c, true
}

// VisiblePlan returns a copy of agency ag's mutual-aid plan, if the actor
// may read it (its own agency's, or an installation administrator) and it
// has one.
func VisiblePlan(ag *Agency, a Actor) (MutualAidPlan, bool) {
	if !a.Sees(ag.ID) || ag.Plan == nil {
		return MutualAidPlan{}, false
	}
	return deepCopy(*ag.Plan), true
}

// VisibleRunCards returns a copy of agency ag's run cards (none if it has
// none), if the actor may read them: its own agency's, or an installation
// administrator.
func VisibleRunCards(ag *Agency, a Actor) (RunCards, bool) {
	if !a.Sees(ag.ID) {
		return RunCards{}, false
	}
	var out RunCards
	if ag.RunCards != nil {
		out = deepCopy(*ag.RunCards)
	}
	if out.Cards == nil {
		out.Cards = []RunCard{}
	}
	return out, true
}

// VisibleUnit returns a copy of unit u, if the actor sees its agency.
func VisibleUnit(u *Unit, a Actor) (Unit, bool) {
	if !a.Sees(u.Agency) {
		return Unit{}, false
	}
	c := *u
	c.Capabilities = slices.Clone(u.Capabilities)
	if c.Capabilities == nil {
		c.Capabilities = []string{}
	}
	c.Crew, c.Staffing = slices.Clone(u.Crew), u.StaffingOf()
	if u.Shift != nil {
		sh := *u.Shift
		sh.Capabilities = slices.Clone(u.Shift.Capabilities)
		c.Shift = &sh
	}
	return c, true
}

// RedactIncident returns a copy of incident in as the actor may read it:
// its private fields — the callers, the narrative, the notes' texts — only
// for those who see its agency, and its links only to incidents the actor
// sees (a link would betray that the other exists). It leaves the hazards
// out; VisibleIncident adds them.
func RedactIncident(in *Incident, a Actor) Incident {
	c := *in
	c.Units = slices.Clone(in.Units)
	c.Notes = slices.Clone(in.Notes)
	c.Callers = slices.Clone(in.Callers)
	c.Merged = slices.Clone(in.Merged)
	c.Links = slices.DeleteFunc(slices.Clone(in.Links), func(l Link) bool { return !a.Sees(l.Agency) })
	if in.Import != nil {
		im := deepCopy(*in.Import)
		c.Import = &im
		if !a.Sees(in.Agency) {
			im.SourceType, im.Cautions, im.Unrepresented = "", nil, nil
		}
	}
	if !a.Sees(in.Agency) {
		c.Caller, c.Narrative = Caller{}, ""
		for i := range c.Notes {
			c.Notes[i].Text = ""
		}
		for i := range c.Callers {
			c.Callers[i].Caller, c.Callers[i].Narrative = Caller{}, ""
		}
	}
	return c
}

// VisibleIncident returns a copy of incident in as the actor may see it at
// now — redacted (RedactIncident), with the hazards in force over its
// place (VisibleHazards) — if the actor sees its agency. Another agency's
// incident is not visible at all: its very existence can be sensitive.
func VisibleIncident(s *State, in *Incident, a Actor, now time.Time) (Incident, bool) {
	if !a.Sees(in.Agency) {
		return Incident{}, false
	}
	c := RedactIncident(in, a)
	c.Hazards = VisibleHazards(s, in, a, now)
	return c, true
}

// VisibleHazards returns the hazards in force over in's place at now as
// the actor may see them: the text and source only for those who see the
// incident's agency, the kind for anyone else.
func VisibleHazards(s *State, in *Incident, a Actor, now time.Time) []Hazard {
	hz := append(s.HazardsAt(in.Agency, in.Location, now), importHazards(in)...)
	if !a.Sees(in.Agency) {
		for i := range hz {
			hz[i].Text, hz[i].Source = "", ""
		}
	}
	return hz
}

// VisiblePremise returns a copy of premise record p, if the actor sees its
// agency; the flags' texts only for those who see it (which, as the record
// is not shown to anyone else, is every reader).
func VisiblePremise(p *Premise, a Actor) (Premise, bool) {
	if !a.Sees(p.Agency) {
		return Premise{}, false
	}
	c := *p
	c.Flags = slices.Clone(p.Flags)
	return c, true
}

// VisibleRequest returns a copy of assistance request rq, if the actor may
// see it: every agency it concerns — the requester and each agency asked —
// sees all of it, so that the requester always sees where it stands and
// who decided what; an installation administrator sees every request.
func VisibleRequest(rq *AssistRequest, a Actor) (AssistRequest, bool) {
	if !a.SeesAll() && (a.Agency == "" || !rq.Concerns(a.Agency)) {
		return AssistRequest{}, false
	}
	return deepCopy(*rq), true
}

// VisibleDirective returns a copy of directive d, if the actor sees its
// agency.
func VisibleDirective(d *Directive, a Actor) (Directive, bool) {
	if !a.Sees(d.Agency) {
		return Directive{}, false
	}
	return deepCopy(*d), true
}

// VisibleMessage returns a copy of message m, if the actor (speaking as
// unit, if not "") may see it: its sender, the unit it was sent as, or a
// recipient (Message.VisibleTo). An installation administrator, who
// belongs to no agency, sees no message.
func VisibleMessage(m *Message, a Actor, unit string) (Message, bool) {
	if !m.VisibleTo(a, unit) {
		return Message{}, false
	}
	c := *m
	c.To, c.Recipients = slices.Clone(m.To), slices.Clone(m.Recipients)
	c.Delivered, c.Read = cloneMap(m.Delivered), cloneMap(m.Read)
	return c, true
}

// VisibleBOLO returns a copy of BOLO b, if the actor sees its agency.
func VisibleBOLO(b *BOLO, a Actor) (BOLO, bool) {
	if !a.Sees(b.Agency) {
		return BOLO{}, false
	}
	c := *b
	c.Photos = slices.Clone(b.Photos)
	if b.Area.Circle != nil {
		cc := *b.Area.Circle
		c.Area.Circle = &cc
	}
	return c, true
}

// VisiblePhoto reports whether the actor may see the photo of the hex
// SHA-256 hash: only through a BOLO it sees. Hashes are in the public log,
// so knowing one proves nothing.
func VisiblePhoto(s *State, hash string, a Actor) bool {
	for _, b := range s.BOLOs {
		if a.Sees(b.Agency) && slices.Contains(b.Photos, hash) {
			return true
		}
	}
	return false
}

// VisibleUser returns a copy of user u, if the actor sees its agency.
func VisibleUser(u *User, a Actor) (User, bool) {
	if !a.Sees(u.Agency) {
		return User{}, false
	}
	c := *u
	c.Roles = slices.Clone(u.Roles)
	return c, true
}

// An Envelope is what the stream knows of an event before it sends it: its
// type, its agency, the other agencies it concerns (its subject's
// "agencies") and, for a message's events, the message.
type Envelope struct {
	Type    string
	Agency  string
	Also    []string
	Message string
}

// StreamVisible reports whether an event reaches a stream subscriber (the
// actor, speaking as unit if not ""): one who sees its agency or one of the
// agencies it also concerns, and, for a message's events, only the
// message's sender and recipients — the leaf carries only the commitment of
// its text, but its routing is the recipients' business. Only a message's
// events look at s, which may be nil for any other event.
//
// The installation's peer.* events, of no agency, also reach the
// supervisors and auditors of every agency, who read the federation's
// status (MayReadFederation): they name public logs, and tell those
// readers' consoles to read it again.
func StreamVisible(s *State, ev Envelope, a Actor, unit string) bool {
	if ev.Agency == "" && isPeerEvent(ev.Type) && a.Agency != "" && (a.HasRole(RoleSupervisor) || a.HasRole(RoleAuditor)) {
		return true
	}
	if !a.Sees(ev.Agency) && !slices.ContainsFunc(ev.Also, a.Sees) {
		return false
	}
	if ev.Message == "" && !isMessageEvent(ev.Type) {
		return true
	}
	m, ok := s.Messages[ev.Message]
	return ok && m.VisibleTo(a, unit)
}

func isPeerEvent(typ string) bool {
	return typ == TypePeerAdded || typ == TypePeerRemoved || typ == TypeWitnessForkReported
}

func isMessageEvent(typ string) bool {
	return len(typ) > len("message.") && typ[:len("message.")] == "message."
}

// Kinds of record that have a timeline (and an evidence bundle).
const (
	TimelineRequest  = PublishRequest
	TimelineIncident = PublishIncident
)

// TimelineVisible reports whether the actor may see the timeline (and the
// evidence bundle) of the record kind/id: whoever may see the record sees
// its timeline whole, the events of the directives and the incidents merged
// into it included. It reports false for a record that does not exist.
func TimelineVisible(s *State, kind, id string, a Actor) bool {
	switch kind {
	case TimelineRequest:
		rq, ok := s.Requests[id]
		if !ok {
			return false
		}
		_, ok = VisibleRequest(rq, a)
		return ok
	case TimelineIncident:
		in, ok := s.Incidents[id]
		return ok && a.Sees(in.Agency)
	}
	return false
}

// VisiblePublication returns publication p whole as the actor may see it:
// to those who see its record's timeline; to nobody else (they read the
// public summary).
//
// A record archived since (p.Facts kept) is seen by those who see one of
// the agencies it concerned, as the archive's reads decide.
func VisiblePublication(s *State, p *Publication, a Actor) (PublicationDetail, bool) {
	if _, live := s.liveRecord(p.Kind, p.ID); !live && p.Facts != nil {
		if !slices.ContainsFunc(p.Facts.Agencies, a.Sees) {
			return PublicationDetail{}, false
		}
	} else if !TimelineVisible(s, p.Kind, p.ID, a) {
		return PublicationDetail{}, false
	}
	return s.Detail(p), true
}

// TimelineMembers returns the records whose events make the timeline of
// kind/id, as "kind/id" subjects, and the directives that may bear on it,
// as copies; ok is false if there is no such record.
//
// A request's timeline is its own events (units sent on it included) and
// every event of the directives that stood against it; the directives that
// may bear on it are those of the agencies it concerns over its location.
// An incident's is its own events, those of the incidents merged into it
// (and into them, and so on), and every event of its agency's directives
// over its place or on it, which are also those that may bear on it.
func TimelineMembers(s *State, kind, id string) (members []string, ds []Directive, ok bool) {
	switch kind {
	case TimelineRequest:
		if rq, found := s.Requests[id]; found {
			members, ds = RequestTimelineMembers(s, rq)
			return members, ds, true
		}
	case TimelineIncident:
		if in, found := s.Incidents[id]; found {
			members, ds = IncidentTimelineMembers(s, in)
			return members, ds, true
		}
	}
	return nil, nil, false
}

// RequestTimelineMembers is TimelineMembers of request rq, which may be
// one the state no longer holds (an archived one).
func RequestTimelineMembers(s *State, rq *AssistRequest) (members []string, ds []Directive) {
	members = []string{"request/" + rq.ID}
	for _, a := range rq.Asked {
		for _, d := range a.Conflicts {
			members = append(members, "directive/"+d)
		}
	}
	for _, d := range s.Directives {
		if slices.Contains(rq.Agencies(), d.Agency) && d.Covers(rq.Location, "") {
			ds = append(ds, deepCopy(*d))
		}
	}
	return members, ds
}

// IncidentTimelineMembers is TimelineMembers of incident in, which may be
// one the state no longer holds (an archived one); of the incidents merged
// into it, those the state no longer holds add only their own events.
func IncidentTimelineMembers(s *State, in *Incident) (members []string, ds []Directive) {
	members = []string{"incident/" + in.ID}
	for _, d := range s.Directives {
		if d.Agency == in.Agency && d.Covers(in.Location, in.ID) {
			ds = append(ds, deepCopy(*d))
			members = append(members, "directive/"+d.ID)
		}
	}
	for q := slices.Clone(in.Merged); len(q) > 0; q = q[1:] {
		members = append(members, "incident/"+q[0])
		if m, ok := s.Incidents[q[0]]; ok {
			q = append(q, m.Merged...)
		}
	}
	return members, ds
}

// deepCopy copies v through its JSON form: what an answer shows of it is
// exactly its JSON, and a copy shares nothing with the state. It is for
// values of the domain, which always encode.
func deepCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic("dispatch: copy a domain value: " + err.Error()) // a broken invariant: domain values encode
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic("dispatch: copy a domain value: " + err.Error())
	}
	return out
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
