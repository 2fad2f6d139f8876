package dispatch

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// The timer index is what CheckTimers looks at instead of the whole state:
// every record whose time may still come, by the time it comes. Apply keeps
// it as records open, change and close (retime), so that the once-a-second
// check costs what is open and due, never what is past: a closed incident,
// request or directive is not in it, and a record that leaves the state is
// no longer found.
//
// It is derived state, and kept canonical: the same records give the same
// index whatever history made them (a slice sorted by a total order, a map,
// each nil when empty), so that a state replayed from the log, or rebuilt
// from a snapshot (rebuildTimers), is deeply equal to the live one. That is
// why it is a sorted slice and not a heap, whose layout would depend on the
// order of insertions: an insertion moves the entries after it, which costs
// what is open (hundreds), never what is past.

// timerKind is what comes due: one kind for each check CheckTimers makes.
type timerKind uint8

const (
	// timerPending: an urgent incident pending, not yet alerted.
	timerPending timerKind = iota
	// timerSafety: a unit on scene, not yet checked on for this stay.
	timerSafety
	// timerDirective: a directive in force, until it expires.
	timerDirective
	// timerRequest: an assistance request open with a deadline.
	timerRequest
)

// timerRef names one record of a kind.
type timerRef struct {
	kind timerKind
	id   string
}

// timerEntry is one record's due time in the index.
type timerEntry struct {
	due time.Time
	timerRef
}

func compareEntries(a, b timerEntry) int {
	return cmp.Or(a.due.Compare(b.due), cmp.Compare(a.kind, b.kind), strings.Compare(a.id, b.id))
}

// timerIndex holds the due times of the open records that have one.
type timerIndex struct {
	// byDue is sorted by due time, then kind and id: what is due at now
	// is a prefix.
	byDue []timerEntry
	// due is each indexed record's due time, to find its entry.
	due map[timerRef]time.Time
}

// openWork names the records a decision looks through that are still open,
// so that it need not look through the closed ones: the directives in force
// (DirectivesAt) and the assistance requests not closed. Like the timer
// index, each set is nil when empty.
type openWork struct {
	directives map[string]struct{}
	requests   map[string]struct{}
}

// mark puts id in the set *m if open, or takes it out.
func mark(m *map[string]struct{}, id string, open bool) {
	if open {
		if *m == nil {
			*m = make(map[string]struct{})
		}
		(*m)[id] = struct{}{}
		return
	}
	delete(*m, id)
	if len(*m) == 0 {
		*m = nil
	}
}

// set puts ref in the index at due, or takes it out if it has no due time
// (ok false). Times are kept in UTC without a monotonic reading, so that
// equal instants are equal values.
func (x *timerIndex) set(ref timerRef, due time.Time, ok bool) {
	due = due.UTC()
	if old, in := x.due[ref]; in {
		if ok && old.Equal(due) {
			return
		}
		i, found := slices.BinarySearchFunc(x.byDue, timerEntry{old, ref}, compareEntries)
		if !found {
			panic("dispatch: timer index lost an entry") // set keeps both in step
		}
		x.byDue = slices.Delete(x.byDue, i, i+1)
		delete(x.due, ref)
	}
	if ok {
		e := timerEntry{due, ref}
		i, _ := slices.BinarySearchFunc(x.byDue, e, compareEntries)
		x.byDue = slices.Insert(x.byDue, i, e)
		if x.due == nil {
			x.due = make(map[timerRef]time.Time)
		}
		x.due[ref] = due
	}
	if len(x.byDue) == 0 {
		x.byDue, x.due = nil, nil
	}
}

// timerKinds is how many kinds of timer there are.
const timerKinds = int(timerRequest) + 1

// dueAt returns the ids of each kind due at now, each in id order: the order
// in which CheckTimers has always taken them.
func (x *timerIndex) dueAt(now time.Time) [timerKinds][]string {
	var out [timerKinds][]string
	for _, e := range x.byDue {
		if e.due.After(now) {
			break
		}
		out[e.kind] = append(out[e.kind], e.id)
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// pendingDue says when incident in raises alert.incident_pending, if it
// will: an urgent incident pending and not yet alerted.
func (s *State) pendingDue(in *Incident) (time.Time, bool) {
	if in == nil || in.Status != IncidentPending || in.Priority > 1 || in.PendingAlerted {
		return time.Time{}, false
	}
	return in.Received.Add(s.timers(in.Agency).pendingAlert()), true
}

// safetyDue says when unit u raises alert.safety_check, if it will: on
// scene, and not yet checked on for this stay.
func (s *State) safetyDue(u *Unit) (time.Time, bool) {
	if u == nil || u.Status != StatusOnScene || u.SafetyChecked.Equal(u.StatusSince) {
		return time.Time{}, false
	}
	return u.StatusSince.Add(s.timers(u.Agency).safetyCheck()), true
}

// directiveDue says when directive d expires, if it is in force.
func directiveDue(d *Directive) (time.Time, bool) {
	if d == nil || d.Status != DirectiveInForce {
		return time.Time{}, false
	}
	return d.Expires, true
}

// requestDue says when request r escalates, if it is open with a deadline.
func requestDue(r *AssistRequest) (time.Time, bool) {
	if r == nil || r.Status == RequestClosed || r.Deadline == nil || r.Origin != "" {
		// A partner's request runs its deadlines where it was raised.
		return time.Time{}, false
	}
	return *r.Deadline, true
}

// The retime methods put one record's due time in the index from what the
// state holds now; a record the state no longer holds leaves it.

func (s *State) retimeIncident(id string) {
	if id == "" {
		return
	}
	due, ok := s.pendingDue(s.Incidents[id])
	s.timerIdx.set(timerRef{timerPending, id}, due, ok)
}

func (s *State) retimeUnit(id string) {
	if id == "" {
		return
	}
	due, ok := s.safetyDue(s.Units[id])
	s.timerIdx.set(timerRef{timerSafety, id}, due, ok)
}

func (s *State) retimeDirective(id string) {
	if id == "" {
		return
	}
	due, ok := directiveDue(s.Directives[id])
	s.timerIdx.set(timerRef{timerDirective, id}, due, ok)
	mark(&s.open.directives, id, ok) // in force: it has an expiry to come
}

func (s *State) retimeRequest(id string) {
	if id == "" {
		return
	}
	r := s.Requests[id]
	due, ok := requestDue(r)
	s.timerIdx.set(timerRef{timerRequest, id}, due, ok)
	mark(&s.open.requests, id, r != nil && r.Status != RequestClosed)
}

// retimeAgency re-times the alerts of agency's incidents and units, whose
// due times follow its timers: only those in the index, which are open.
func (s *State) retimeAgency(agency string) {
	var incidents, units []string
	for ref := range s.timerIdx.due {
		switch ref.kind {
		case timerPending:
			if in := s.Incidents[ref.id]; in != nil && in.Agency == agency {
				incidents = append(incidents, ref.id)
			}
		case timerSafety:
			if u := s.Units[ref.id]; u != nil && u.Agency == agency {
				units = append(units, ref.id)
			}
		}
	}
	for _, id := range incidents {
		s.retimeIncident(id)
	}
	for _, id := range units {
		s.retimeUnit(id)
	}
}

// retime re-times the records that event e, just applied, may have changed:
// those its payload names, and, to be safe, those its subject names.
// Re-timing a record that did not change changes nothing.
func (s *State) retime(e Event) {
	switch d := e.Data.(type) {
	case *IncidentCreated:
		s.retimeIncident(d.ID)
	case *IncidentDispatched:
		s.retimeIncident(d.Incident)
	case *IncidentCleared:
		s.retimeIncident(d.Incident)
	case *IncidentPendingAlert:
		s.retimeIncident(d.Incident)
	case *IncidentUnitMoved:
		s.retimeIncident(d.From)
		s.retimeIncident(d.To)
		s.retimeUnit(d.Unit)
	case *IncidentMerged:
		s.retimeIncident(d.Incident)
		s.retimeIncident(d.Into)
	case *UnitPreempted:
		s.retimeIncident(d.Incident)
		s.retimeUnit(d.Unit)
	case *UnitCancelled:
		s.retimeIncident(d.Incident)
		s.retimeUnit(d.Unit)
	case *UnitCreated:
		s.retimeUnit(d.ID)
	case *UnitStatusChanged:
		s.retimeUnit(d.Unit)
		s.retimeIncident(d.Incident)
	case *SafetyCheckAlert:
		s.retimeUnit(d.Unit)
	case *AgencyTimersSet:
		s.retimeAgency(e.Agency)
	case *DirectiveIssued:
		s.retimeDirective(d.ID)
	case *DirectiveRevocation:
		s.retimeDirective(d.Directive)
	case *DirectiveExpiry:
		s.retimeDirective(d.Directive)
	case *DirectiveOverride:
		s.retimeDirective(d.Directive)
	case assistPayload:
		s.retimeRequest(d.assistRef().Request)
	}
	s.retimeIncident(e.Subject["incident"])
	s.retimeUnit(e.Subject["unit"])
	s.retimeDirective(e.Subject["directive"])
	s.retimeRequest(e.Subject["request"])
}

// rebuildTimers recomputes the timer index and the open sets from the records alone, as a
// state decoded from a snapshot must: it is the index that Apply would have
// kept over the events that made the records. It looks at every record
// once, so it is for a start, not for a tick.
func (s *State) rebuildTimers() {
	var x timerIndex
	var open openWork
	add := func(kind timerKind, id string, due time.Time, ok bool) {
		if ok {
			x.byDue = append(x.byDue, timerEntry{due.UTC(), timerRef{kind, id}})
		}
	}
	for id, in := range s.Incidents {
		due, ok := s.pendingDue(in)
		add(timerPending, id, due, ok)
	}
	for id, u := range s.Units {
		due, ok := s.safetyDue(u)
		add(timerSafety, id, due, ok)
	}
	for id, d := range s.Directives {
		due, ok := directiveDue(d)
		add(timerDirective, id, due, ok)
		if ok {
			mark(&open.directives, id, true)
		}
	}
	for id, r := range s.Requests {
		due, ok := requestDue(r)
		add(timerRequest, id, due, ok)
		if r.Status != RequestClosed {
			mark(&open.requests, id, true)
		}
	}
	if len(x.byDue) > 0 {
		slices.SortFunc(x.byDue, compareEntries)
		x.due = make(map[timerRef]time.Time, len(x.byDue))
		for _, e := range x.byDue {
			x.due[e.timerRef] = e.due
		}
	}
	s.timerIdx, s.open = x, open
}
