package dispatch

import (
	"fmt"
	"strings"
	"time"
)

// Late entry: when a centre works on paper through an outage, what happened
// is entered afterwards with the time it happened. The log never pretends
// otherwise: the event's time stays the time of entry, so that the log's
// order is the order of entry, and its payload carries the mark
// late:{claimed, reason}, inside the leaf, so that every timeline, report
// and evidence bundle shows — and proves — that the record was made late.
// The state takes the claimed time for the incident's and the unit's times.

// MaxLateness bounds how long before its entry a late event may claim to
// have happened: three days covers a long outage and a weekend.
const MaxLateness = 72 * time.Hour

// Late is the mark of a late entry: when the event happened, as claimed by
// whoever entered it, and why it was entered late.
type Late struct {
	Claimed time.Time `json:"claimed"`
	Reason  string    `json:"reason"`
}

// LateMark is embedded in the payloads of events that can be entered late;
// Late is nil for an event recorded at the time.
type LateMark struct {
	Late *Late `json:"late,omitempty"`
}

func (m *LateMark) mark(l *Late) { m.Late = l }

// LateOf returns the late mark of an event's payload, or nil.
func LateOf(data any) *Late {
	if m, ok := data.(interface{ lateMark() *Late }); ok {
		return m.lateMark()
	}
	return nil
}

func (m *LateMark) lateMark() *Late { return m.Late }

// LateEntry enters a command of what happened in the world (CreateIncident,
// SetUnitStatus, DispatchUnits, ClearIncident, AddNote) late, at the time
// Claimed, for Reason. Only a supervisor (who answers for the centre's
// record through an outage) or tenfour itself (an import of paper records)
// may.
type LateEntry struct {
	Command Command
	Claimed time.Time
	Reason  string
}

// WithLate returns c entered late as l says, or c itself if l is nil.
func WithLate(c Command, l *Late) Command {
	if l == nil {
		return c
	}
	return LateEntry{Command: c, Claimed: l.Claimed, Reason: l.Reason}
}

// Decide implements Command.
func (c LateEntry) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	switch c.Command.(type) {
	case CreateIncident, SetUnitStatus, DispatchUnits, ClearIncident, AddNote:
	default:
		return nil, Errorf(EINVALID, "only incidents, unit statuses, dispatches, clearances and notes can be entered late")
	}
	if !actor.IsSystem() && actor.Role != RoleSupervisor {
		return nil, Errorf(EFORBIDDEN, "only a supervisor may enter events late")
	}
	if err := CheckText("late entry reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	claimed := c.Claimed.UTC()
	switch {
	case c.Claimed.IsZero():
		return nil, Errorf(EINVALID, "a late entry needs the time it happened (claimed)")
	case !claimed.Before(now):
		return nil, Errorf(EINVALID, "a late entry's claimed time %s must be before its entry (%s)", claimed.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case now.Sub(claimed) > MaxLateness:
		return nil, Errorf(EINVALID, "a late entry may claim at most %s before its entry, not %s", MaxLateness, claimed.Format(time.RFC3339))
	}
	evs, err := c.Command.Decide(s, actor, now)
	if err != nil {
		return nil, err
	}
	l := &Late{Claimed: claimed, Reason: strings.TrimSpace(c.Reason)}
	for i := range evs {
		m, ok := evs[i].Data.(interface{ mark(*Late) })
		if !ok {
			// An emergency, a pre-emption or an assistance request is
			// never entered late: it needs an answer now.
			return nil, Errorf(EINVALID, "this entry would also record %s, which cannot be entered late; enter it at the time", evs[i].Type)
		}
		if err := s.checkClaimed(evs[i], claimed); err != nil {
			return nil, err
		}
		m.mark(l)
		if d, ok := evs[i].Data.(*IncidentCreated); ok && d.Received == nil {
			d.Received = at(claimed)
		}
	}
	return evs, nil
}

// checkClaimed refuses a claimed time before the record's last change: a
// unit cannot have changed status before its current one began, nor an
// incident been worked before it was received.
func (s *State) checkClaimed(e Event, claimed time.Time) error {
	if in, ok := s.Incidents[e.Subject["incident"]]; ok && claimed.Before(in.Received) {
		return Errorf(EINVALID, "incident %s was received at %s; a late entry cannot claim %s, before it", in.ID, in.Received.UTC().Format(time.RFC3339), claimed.Format(time.RFC3339))
	}
	if u, ok := s.Units[e.Subject["unit"]]; ok && claimed.Before(u.StatusSince) {
		return Errorf(EINVALID, "unit %s has been %s since %s; a late entry cannot claim %s, before it", u.CallSign, u.Status, u.StatusSince.UTC().Format(time.RFC3339), claimed.Format(time.RFC3339))
	}
	if d, ok := e.Data.(*IncidentCreated); ok {
		for _, t := range []*time.Time{d.Received, d.Answered} {
			if t != nil && t.After(claimed) {
				return Errorf(EINVALID, "the call cannot have been received or answered (%s) after the incident's claimed time %s", t.UTC().Format(time.RFC3339), claimed.Format(time.RFC3339))
			}
		}
	}
	return nil
}

// countLate counts a late event on the incident it concerns, once the
// event is applied (so that a late incident.created counts on its own
// incident).
func (s *State) countLate(e Event) {
	if in, ok := s.Incidents[e.Subject["incident"]]; ok {
		in.LateEntries++
	}
}

// lateTime returns the time an event's change took place in the world: the
// claimed time of a late entry, else the event's time. The incident's
// entry in CAD stays the event's time.
func lateTime(e Event) time.Time {
	if l := LateOf(e.Data); l != nil {
		return l.Claimed
	}
	return e.Time
}

// String describes the mark for logs and errors.
func (l *Late) String() string {
	return fmt.Sprintf("late entry claimed %s (%s)", l.Claimed.UTC().Format(time.RFC3339), l.Reason)
}
