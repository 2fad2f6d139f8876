package dispatch

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Archiving: the live state holds open work (DESIGN.md, "Storage and
// scale"). A record that has been closed for the retention window leaves
// the state by an event of the log, records.archived, which tenfour decides
// itself on the domain's clock like the timers (ArchiveClosed). Because it
// is an event, the state rebuilt from the log, the live state and the view
// always agree on what is still in memory. The engine writes each archived
// record, as it was when it left, to the store in the transaction of that
// event; history is read from there.
//
// When each kind of record is closed:
//   - an incident, when it was cleared (or merged: Cleared);
//   - an assistance request, when it was closed (Closed);
//   - a message, when it was sent: a message has no close;
//   - a BOLO, when it was cancelled, or else when it expires;
//   - a directive, when it was revoked or expired (Ended);
//   - a premise record, when it was removed, or else when its last flag
//     expires: it is no longer in force (Premise.InForce).
//
// A closed record stays while open work refers to it (referenced).

// TypeRecordsArchived is the event of closed records leaving the live state.
const TypeRecordsArchived = "records.archived"

// Kinds of archived record, as the store names them (store.Archived.Kind).
const (
	ArchiveIncident  = "incident"
	ArchiveRequest   = "request"
	ArchiveMessage   = "message"
	ArchiveBOLO      = "bolo"
	ArchiveDirective = "directive"
	ArchivePremise   = "premise"
)

// ArchiveKinds lists the kinds of archived record, in the order of
// RecordsArchived's fields.
var ArchiveKinds = []string{ArchiveIncident, ArchiveRequest, ArchiveMessage, ArchiveBOLO, ArchiveDirective, ArchivePremise}

// DefaultRetention is how long a closed record stays in the live state.
const DefaultRetention = 24 * time.Hour

// DefaultArchiveMax bounds the records one records.archived event takes.
const DefaultArchiveMax = 1000

// RecordsArchived is the payload of records.archived: the ids of the
// records that leave the live state, per kind, each list oldest closed
// first. Ids are public; the event carries nothing else.
type RecordsArchived struct {
	Incidents  []string `json:"incidents,omitempty"`
	Requests   []string `json:"requests,omitempty"`
	Messages   []string `json:"messages,omitempty"`
	BOLOs      []string `json:"bolos,omitempty"`
	Directives []string `json:"directives,omitempty"`
	Premises   []string `json:"premises,omitempty"`
}

// IDs returns the list of kind's ids.
func (d *RecordsArchived) IDs(kind string) []string {
	switch kind {
	case ArchiveIncident:
		return d.Incidents
	case ArchiveRequest:
		return d.Requests
	case ArchiveMessage:
		return d.Messages
	case ArchiveBOLO:
		return d.BOLOs
	case ArchiveDirective:
		return d.Directives
	case ArchivePremise:
		return d.Premises
	}
	return nil
}

func (d *RecordsArchived) set(kind string, ids []string) {
	switch kind {
	case ArchiveIncident:
		d.Incidents = ids
	case ArchiveRequest:
		d.Requests = ids
	case ArchiveMessage:
		d.Messages = ids
	case ArchiveBOLO:
		d.BOLOs = ids
	case ArchiveDirective:
		d.Directives = ids
	case ArchivePremise:
		d.Premises = ids
	}
}

// Len returns how many records the event archives.
func (d *RecordsArchived) Len() int {
	n := 0
	for _, k := range ArchiveKinds {
		n += len(d.IDs(k))
	}
	return n
}

// ArchiveClosed archives the records closed at least Retention before now
// that no open work refers to, oldest closed first (across kinds), at most
// Max of them. It is decided by tenfour itself (the engine issues it every
// minute); nothing due, no event.
type ArchiveClosed struct {
	Retention time.Duration // zero: DefaultRetention
	Max       int           // zero or less: DefaultArchiveMax
}

// Decide implements Command.
func (c ArchiveClosed) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "records are archived by tenfour itself")
	}
	if c.Retention < 0 {
		return nil, Errorf(EINVALID, "the retention must not be negative, not %s", c.Retention)
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.Max <= 0 {
		c.Max = DefaultArchiveMax
	}
	cutoff := now.Add(-c.Retention)
	// What open work names is gathered at the first record due, not
	// before: it reads every open record, and most ticks (this runs under
	// the decision lock) find nothing due.
	var refs references
	// Each kind's queue is in close order: merge them, oldest first,
	// stopping at the first entry younger than the cutoff in each.
	pos := make(map[string]int, len(ArchiveKinds))
	picked := make(map[string][]string)
	for n := 0; n < c.Max; {
		kind, e, ok := s.nextDue(pos, cutoff)
		if !ok {
			break
		}
		pos[kind]++
		if refs == nil {
			refs = s.referenced()
		}
		if s.keeps(kind, e.id, refs) {
			continue
		}
		picked[kind] = append(picked[kind], e.id)
		n++
	}
	if len(picked) == 0 {
		return nil, nil
	}
	var d RecordsArchived
	for k, ids := range picked {
		d.set(k, ids)
	}
	return []Event{{
		// No subject: the engine indexes the event under each record it
		// archives, so that a record's timeline ends with its archiving.
		Time: now, Type: TypeRecordsArchived, Actor: actor, Data: &d,
	}}, nil
}

// nextDue returns the oldest entry, across kinds, past each kind's
// position pos and closed at or before cutoff.
func (s *State) nextDue(pos map[string]int, cutoff time.Time) (string, closedEntry, bool) {
	var best closedEntry
	kind := ""
	for _, k := range ArchiveKinds {
		q := s.closed[k]
		if q == nil || pos[k] >= len(q.order) {
			continue
		}
		e := q.order[pos[k]]
		if e.at.After(cutoff) {
			continue
		}
		if kind == "" || e.before(best) {
			best, kind = e, k
		}
	}
	return kind, best, kind != ""
}

// references are the ids of closed records that open work names.
type references map[string]bool

func (r references) add(kind, id string) {
	if id != "" {
		r[kind+"/"+id] = true
	}
}

// referenced gathers what open work names: a unit's incident or request,
// an open incident's merged and linked incidents (and the survivor a
// closed one was merged into), the incident a directive or BOLO in force
// is scoped to, the directives that held an open request. Every one is
// looked up by id on a command's path or a read's, so it must stay.
func (s *State) referenced() references {
	r := references{}
	for _, u := range s.Units {
		r.add(ArchiveIncident, u.Incident)
		r.add(ArchiveRequest, u.Request)
	}
	for _, in := range s.Incidents {
		if in.Status == IncidentClosed {
			continue
		}
		for _, m := range in.Merged {
			r.add(ArchiveIncident, m)
		}
		for _, l := range in.Links {
			r.add(ArchiveIncident, l.Incident)
		}
	}
	for _, rq := range s.Requests {
		if rq.Status == RequestClosed {
			continue
		}
		for _, a := range rq.Asked {
			for _, d := range a.Conflicts {
				r.add(ArchiveDirective, d)
			}
		}
	}
	for _, d := range s.Directives {
		if d.Ended == nil && d.Scope.Kind == ScopeIncident {
			r.add(ArchiveIncident, d.Scope.Incident)
		}
	}
	for _, b := range s.BOLOs {
		if b.Cancelled == nil && b.Area.Kind == ScopeIncident {
			r.add(ArchiveIncident, b.Area.Incident)
		}
	}
	return r
}

// keeps reports whether closed record kind/id must stay in the state:
// open work names it, or, for an incident, it was merged into one still
// open, or, for a directive, it bore on open work (a timeline shows it).
func (s *State) keeps(kind, id string, refs references) bool {
	if refs[kind+"/"+id] {
		return true
	}
	switch kind {
	case ArchiveIncident:
		if in := s.Incidents[id]; in != nil && in.MergedInto != "" {
			if into := s.Incidents[in.MergedInto]; into != nil && into.Status != IncidentClosed {
				return true
			}
		}
	case ArchiveDirective:
		return s.directiveBears(s.Directives[id])
	}
	return false
}

// directiveBears reports whether ended directive d bore on open work: an
// open incident of its agency, or an open request that concerns it,
// received before it ended and within its scope. Their timelines show it.
func (s *State) directiveBears(d *Directive) bool {
	if d == nil || d.Ended == nil {
		return false
	}
	for _, in := range s.Incidents {
		if in.Status != IncidentClosed && in.Agency == d.Agency && !in.Received.After(*d.Ended) && d.Covers(in.Location, in.ID) {
			return true
		}
	}
	for _, rq := range s.Requests {
		if rq.Status != RequestClosed && rq.Concerns(d.Agency) && !rq.Created.After(*d.Ended) && d.Covers(rq.Location, "") {
			return true
		}
	}
	return false
}

// applyArchived folds records.archived: the records leave the state. Each
// must be there and closed: anything else means the log and the code
// disagree.
func (s *State) applyArchived(e Event, d *RecordsArchived) error {
	for _, k := range ArchiveKinds {
		for _, id := range d.IDs(k) {
			if q := s.closed[k]; q == nil || !q.has(id) {
				return fmt.Errorf("%s %q archived but not closed in the state", k, id)
			}
		}
	}
	for _, k := range ArchiveKinds {
		ids := d.IDs(k)
		for _, id := range ids {
			s.forget(k, id)
		}
		if len(ids) > 0 {
			s.closed[k].dropAll(ids)
		}
		// A queue exists only while it holds a record, so that the state
		// is the same however it was reached (IndexClosed).
		if q := s.closed[k]; q != nil && len(q.at) == 0 {
			delete(s.closed, k)
		}
	}
	if len(s.closed) == 0 {
		s.closed = nil
	}
	return nil
}

// forget removes record kind/id from the state. A publication of an
// incident or a request keeps what its summaries say of the record.
func (s *State) forget(kind, id string) {
	switch kind {
	case ArchiveIncident:
		if p := s.Published[PublishIncident+"/"+id]; p != nil {
			p.keepFacts(s)
		}
		s.forgetImport(s.Incidents[id])
		delete(s.Incidents, id)
	case ArchiveRequest:
		if p := s.Published[PublishRequest+"/"+id]; p != nil {
			p.keepFacts(s)
		}
		delete(s.Requests, id)
	case ArchiveMessage:
		delete(s.Messages, id)
	case ArchiveBOLO:
		delete(s.BOLOs, id)
	case ArchiveDirective:
		delete(s.Directives, id)
	case ArchivePremise:
		delete(s.Premises, id)
	}
}

// ClosedAt returns when record kind/id closed, and whether the state
// holds it closed (or, for a BOLO, due to expire).
func (s *State) ClosedAt(kind, id string) (time.Time, bool) {
	q := s.closed[kind]
	if q == nil {
		return time.Time{}, false
	}
	t, ok := q.at[id]
	return t, ok
}

// noteClosed keeps the queues of closed records up to date after event e
// was applied: a record that closed (or, a BOLO, got its end) is queued at
// the time it closed.
func (s *State) noteClosed(e Event) {
	switch d := e.Data.(type) {
	case *IncidentCleared:
		s.queueIncident(d.Incident)
	case *IncidentMerged:
		s.queueIncident(d.Incident)
	case *MessageSent:
		if m := s.Messages[d.ID]; m != nil {
			s.queue(ArchiveMessage).put(m.ID, m.Time)
		}
	case *BOLOIssued, *BOLOCancelled:
		id := ""
		if is, ok := d.(*BOLOIssued); ok {
			id = is.ID
		} else {
			id = d.(*BOLOCancelled).ID
		}
		if b := s.BOLOs[id]; b != nil {
			end := b.Expires
			if b.Cancelled != nil && b.Cancelled.Before(end) {
				end = *b.Cancelled
			}
			s.queue(ArchiveBOLO).put(b.ID, end)
		}
	case *DirectiveRevocation:
		s.queueDirective(d.Directive)
	case *DirectiveExpiry:
		s.queueDirective(d.Directive)
	case *PremiseRecorded:
		s.queuePremise(d.ID)
	case *PremiseRemoval:
		s.queuePremise(d.Premise)
	case assistPayload:
		if r := s.Requests[d.assistRef().Request]; r != nil && r.Status == RequestClosed && r.Closed != nil {
			s.queue(ArchiveRequest).put(r.ID, *r.Closed)
		}
	}
}

// IndexClosed rebuilds the queues of closed records from the records the
// state holds: for a state decoded rather than folded from events (a
// snapshot), which then archives exactly as the state it was taken from.
func (s *State) IndexClosed() {
	s.closed = nil
	for id := range s.Incidents {
		s.queueIncident(id)
	}
	for _, r := range s.Requests {
		if r.Status == RequestClosed && r.Closed != nil {
			s.queue(ArchiveRequest).put(r.ID, *r.Closed)
		}
	}
	for _, m := range s.Messages {
		s.queue(ArchiveMessage).put(m.ID, m.Time)
	}
	for _, b := range s.BOLOs {
		s.noteClosed(Event{Data: &BOLOIssued{ID: b.ID}})
	}
	for id := range s.Directives {
		s.queueDirective(id)
	}
	for id := range s.Premises {
		s.queuePremise(id)
	}
}

// queuePremise queues premise record id at its end: its removal, or else
// the expiry of its last flag.
func (s *State) queuePremise(id string) {
	p := s.Premises[id]
	if p == nil {
		return
	}
	var end time.Time
	for _, f := range p.Flags {
		if f.Expires.After(end) {
			end = f.Expires
		}
	}
	if p.Removed != nil && (end.IsZero() || p.Removed.Before(end)) {
		end = *p.Removed
	}
	s.queue(ArchivePremise).put(id, end)
}

func (s *State) queueIncident(id string) {
	if in := s.Incidents[id]; in != nil && in.Status == IncidentClosed && in.Cleared != nil {
		s.queue(ArchiveIncident).put(id, *in.Cleared)
	}
}

func (s *State) queueDirective(id string) {
	if d := s.Directives[id]; d != nil && d.Ended != nil {
		s.queue(ArchiveDirective).put(id, *d.Ended)
	}
}

// queue returns kind's queue of closed records, made on first use.
func (s *State) queue(kind string) *closedQueue {
	if s.closed == nil {
		s.closed = make(map[string]*closedQueue)
	}
	q := s.closed[kind]
	if q == nil {
		q = &closedQueue{at: make(map[string]time.Time)}
		s.closed[kind] = q
	}
	return q
}

// A closedQueue is one kind's closed records in close order (then by id),
// so that choosing what to archive reads only what is due.
type closedQueue struct {
	order []closedEntry
	at    map[string]time.Time // id → its entry's time
}

type closedEntry struct {
	at time.Time
	id string
}

func (e closedEntry) before(o closedEntry) bool { return e.compare(o) < 0 }

func (e closedEntry) compare(o closedEntry) int {
	return cmp.Or(e.at.Compare(o.at), strings.Compare(e.id, o.id))
}

func (q *closedQueue) has(id string) bool { _, ok := q.at[id]; return ok }

// put queues id at t, moving it if it was queued at another time.
func (q *closedQueue) put(id string, t time.Time) {
	if old, ok := q.at[id]; ok {
		if old.Equal(t) {
			return
		}
		q.drop(id)
	}
	e := closedEntry{at: t, id: id}
	i, _ := slices.BinarySearchFunc(q.order, e, closedEntry.compare)
	q.order = slices.Insert(q.order, i, e)
	q.at[id] = t
}

// drop takes id out of the queue.
func (q *closedQueue) drop(id string) {
	t, ok := q.at[id]
	if !ok {
		return
	}
	if i, found := slices.BinarySearchFunc(q.order, closedEntry{at: t, id: id}, closedEntry.compare); found {
		q.order = slices.Delete(q.order, i, i+1)
	}
	delete(q.at, id)
}

// dropAll takes ids out of the queue in one pass over it: an archiving
// takes up to a thousand records from a queue of a day's.
func (q *closedQueue) dropAll(ids []string) {
	gone := make(map[string]bool, len(ids))
	for _, id := range ids {
		if _, ok := q.at[id]; ok {
			gone[id] = true
			delete(q.at, id)
		}
	}
	q.order = slices.DeleteFunc(q.order, func(e closedEntry) bool { return gone[e.id] })
}

// An ArchivedRef is a record that has left the live state, as the engine
// hands it to a command that names it (PublishTimeline.Archived): what
// deciding needs to know of it.
type ArchivedRef struct {
	Kind     string
	ID       string
	Agency   string   // its owner
	Agencies []string // every agency it concerns
	Closed   time.Time
	// Doc is the record as it was archived (store.Archived.Doc): a
	// timeline first published after archiving takes its title from it.
	Doc []byte
}

// A RecordRef names a record a command acts on.
type RecordRef struct{ Kind, ID string }

// RecordsNamed returns the records cmd names by id, in the order its
// Decide looks them up: when it is refused as not found, the engine asks
// the archive whether one of them was archived, to say so.
func RecordsNamed(cmd Command) []RecordRef {
	inc := func(ids ...string) []RecordRef {
		var out []RecordRef
		for _, id := range ids {
			if id != "" {
				out = append(out, RecordRef{ArchiveIncident, id})
			}
		}
		return out
	}
	switch c := cmd.(type) {
	case DispatchUnits:
		return inc(c.Incident)
	case ClearIncident:
		return inc(c.Incident)
	case AddCaller:
		return inc(c.Incident)
	case AddNote:
		return inc(c.Incident)
	case FixLocation:
		return inc(c.Incident)
	case MergeIncident:
		return inc(c.Incident, c.Into)
	case LinkIncidents:
		return inc(c.Incident, c.Linked)
	case UnlinkIncidents:
		return inc(c.Incident, c.Linked)
	case IssueDirective:
		return inc(c.Scope.Incident)
	case IssueBOLO:
		return inc(c.Area.Incident)
	case SendMessage:
		var out []RecordRef
		for _, to := range c.To {
			if id, ok := strings.CutPrefix(to, AddrIncident+":"); ok {
				out = append(out, inc(id)...)
			}
		}
		return out
	case AcknowledgeAssist:
		return []RecordRef{{ArchiveRequest, c.Request}}
	case AcceptAssist:
		return []RecordRef{{ArchiveRequest, c.Request}}
	case DeclineAssist:
		return []RecordRef{{ArchiveRequest, c.Request}}
	case CloseAssist:
		return []RecordRef{{ArchiveRequest, c.Request}}
	case CancelBOLO:
		return []RecordRef{{ArchiveBOLO, c.ID}}
	case AckMessage:
		return []RecordRef{{ArchiveMessage, c.Message}}
	case RevokeDirective:
		return []RecordRef{{ArchiveDirective, c.Directive}}
	case RemovePremise:
		return []RecordRef{{ArchivePremise, c.Premise}}
	case PublishTimeline:
		return []RecordRef{{c.Kind, c.ID}}
	case LateEntry:
		return RecordsNamed(c.Command)
	}
	return nil
}

// ArchivedError is the answer to a command on a record that has been
// archived: it can be read, not changed.
func ArchivedError(kind, id string, closed time.Time) error {
	return Errorf(ECONFLICT, "%s %s was closed on %s and archived: it can be read, not changed", kind, id, closed.UTC().Format(time.RFC3339))
}
