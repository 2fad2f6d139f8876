package dispatch

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Merging and linking incidents, after the merge and link semantics of NENA
// EIDO (NENA-STA-021): a merge ends one incident in favour of another, the
// survivor, which carries on the response; the merged incident closes with
// a pointer to the survivor and the survivor names what was merged into it.
// Nothing is rewritten: both histories stay in the log, and the survivor's
// timeline includes the merged one's. A link relates two incidents that
// both carry on: one is the other's parent (a major incident and its
// parts), or they are related.

// Event types of merging and linking.
const (
	TypeIncidentMerged    = "incident.merged"
	TypeIncidentUnitMoved = "incident.unit_moved"
	TypeIncidentLinked    = "incident.linked"
	TypeIncidentUnlinked  = "incident.unlinked"
)

// DispositionMerged is the disposition of an incident merged into another.
const DispositionMerged = "MERGED"

// Link relations: what the linked incident is to the one that lists it.
const (
	RelationParent  = "parent"
	RelationChild   = "child"
	RelationRelated = "related"
)

// Relations lists the link relations.
var Relations = []string{RelationParent, RelationChild, RelationRelated}

// MaxLinks bounds the links of one incident.
const MaxLinks = 100

// inverse returns the relation seen from the other end of a link.
func inverse(rel string) string {
	switch rel {
	case RelationParent:
		return RelationChild
	case RelationChild:
		return RelationParent
	}
	return rel
}

// A Link relates an incident to another: Relation is what Incident is to
// the incident that lists the link.
type Link struct {
	Incident string    `json:"incident"`
	Agency   string    `json:"agency"`
	Relation string    `json:"relation"`
	Reason   string    `json:"reason"`
	By       string    `json:"by"`
	Time     time.Time `json:"time"`
}

// IncidentMerged is the payload of incident.merged: Incident is closed,
// merged into Into.
type IncidentMerged struct {
	Incident string `json:"incident"`
	Into     string `json:"into"`
	Reason   string `json:"reason"`
}

// IncidentUnitMoved is the payload of incident.unit_moved: a unit on an
// incident being merged moves, in the status it is in, to the survivor.
type IncidentUnitMoved struct {
	Unit string `json:"unit"`
	From string `json:"from"`
	To   string `json:"to"`
}

// IncidentLinked is the payload of incident.linked: Linked is Relation to
// Incident (and Incident the inverse relation to Linked).
type IncidentLinked struct {
	Incident string `json:"incident"`
	Linked   string `json:"linked"`
	Relation string `json:"relation"`
	Reason   string `json:"reason"`
}

// IncidentUnlinked is the payload of incident.unlinked.
type IncidentUnlinked struct {
	Incident string `json:"incident"`
	Linked   string `json:"linked"`
	Reason   string `json:"reason"`
}

// MergeIncident merges an open incident into another open incident of the
// same agency, the survivor: units on the merged incident move to the
// survivor, and the merged incident closes with the disposition MERGED.
type MergeIncident struct {
	Incident string
	Into     string
	Reason   string
}

// Decide implements Command.
func (c MergeIncident) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, err := s.incidentFor(c.Incident, actor)
	if err != nil {
		return nil, err
	}
	into, ok := s.Incidents[c.Into]
	if !ok || into.Agency != in.Agency {
		// Another agency's incident is, to this one, as if it did not exist.
		return nil, Errorf(ENOTFOUND, "incident %s does not exist in agency %s; only incidents of one agency merge", c.Into, in.Agency)
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	switch {
	case in.ID == into.ID:
		return nil, Errorf(EINVALID, "an incident cannot be merged into itself")
	case in.Status == IncidentClosed:
		return nil, Errorf(ECONFLICT, "incident %s is closed and cannot be merged", in.ID)
	case into.Status == IncidentClosed:
		return nil, Errorf(ECONFLICT, "incident %s is closed and cannot take a merge; merge into an open incident", into.ID)
	}
	var evs []Event
	for _, id := range in.Units {
		u := s.Units[id]
		if u == nil || u.Incident != in.ID {
			continue // it has left the incident
		}
		evs = append(evs, Event{
			Time: now, Type: TypeIncidentUnitMoved, Agency: in.Agency, Actor: actor,
			Subject: map[string]string{"incident": into.ID, "unit": u.ID},
			Data:    &IncidentUnitMoved{Unit: u.ID, From: in.ID, To: into.ID},
		})
	}
	evs = append(evs, Event{
		Time: now, Type: TypeIncidentMerged, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID, "into": into.ID},
		Data:    &IncidentMerged{Incident: in.ID, Into: into.ID, Reason: strings.TrimSpace(c.Reason)},
	})
	return evs, nil
}

// LinkIncidents links two incidents: Linked is Relation to Incident. The
// actor must be able to act for both; across agencies that is an
// installation administrator (the HTTP layer answers 404 to anyone who
// cannot see both).
type LinkIncidents struct {
	Incident string
	Linked   string
	Relation string
	Reason   string
}

// Decide implements Command.
func (c LinkIncidents) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, err := s.incidentFor(c.Incident, actor)
	if err != nil {
		return nil, err
	}
	other, err := s.incidentFor(c.Linked, actor)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Relations, c.Relation) {
		return nil, Errorf(EINVALID, "relation %q is not one of %s", c.Relation, strings.Join(Relations, ", "))
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	if in.ID == other.ID {
		return nil, Errorf(EINVALID, "an incident cannot be linked to itself")
	}
	if slices.ContainsFunc(in.Links, func(l Link) bool { return l.Incident == other.ID }) {
		return nil, Errorf(ECONFLICT, "incidents %s and %s are already linked; remove the link to change it", in.ID, other.ID)
	}
	if len(in.Links) >= MaxLinks || len(other.Links) >= MaxLinks {
		return nil, Errorf(ECONFLICT, "an incident holds at most %d links", MaxLinks)
	}
	return []Event{{
		Time: now, Type: TypeIncidentLinked, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID, "linked": other.ID},
		Data:    &IncidentLinked{Incident: in.ID, Linked: other.ID, Relation: c.Relation, Reason: strings.TrimSpace(c.Reason)},
	}}, nil
}

// UnlinkIncidents removes the link between two incidents.
type UnlinkIncidents struct {
	Incident string
	Linked   string
	Reason   string
}

// Decide implements Command.
func (c UnlinkIncidents) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, err := s.incidentFor(c.Incident, actor)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(in.Links, func(l Link) bool { return l.Incident == c.Linked }) {
		return nil, Errorf(ENOTFOUND, "incident %s has no link to %s", in.ID, c.Linked)
	}
	if _, err := s.incidentFor(c.Linked, actor); err != nil {
		return nil, err
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	return []Event{{
		Time: now, Type: TypeIncidentUnlinked, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID, "linked": c.Linked},
		Data:    &IncidentUnlinked{Incident: in.ID, Linked: c.Linked, Reason: strings.TrimSpace(c.Reason)},
	}}, nil
}

// applyMerge folds the events of merging and linking.
func (s *State) applyMerge(e Event) error {
	by := e.Actor.User
	if by == "" {
		by = e.Actor.System
	}
	switch d := e.Data.(type) {
	case *IncidentUnitMoved:
		u, from, to := s.Units[d.Unit], s.Incidents[d.From], s.Incidents[d.To]
		if u == nil || from == nil || to == nil || u.Incident != d.From || to.Status == IncidentClosed {
			return fmt.Errorf("unit %q moved from incident %q to %q, which the state does not allow", d.Unit, d.From, d.To)
		}
		u.Incident = d.To
		if !slices.Contains(to.Units, d.Unit) {
			to.Units = append(to.Units, d.Unit)
		}
		if to.Dispatched == nil {
			to.Dispatched = at(e.Time)
		}
		to.Status = IncidentActive
	case *IncidentMerged:
		in, into := s.Incidents[d.Incident], s.Incidents[d.Into]
		if in == nil || into == nil || in.Status == IncidentClosed || into.Status == IncidentClosed {
			return fmt.Errorf("incident %q merged into %q, which the state does not allow", d.Incident, d.Into)
		}
		in.Status, in.Disposition, in.Cleared, in.MergedInto = IncidentClosed, DispositionMerged, at(e.Time), d.Into
		into.Merged = append(into.Merged, d.Incident)
	case *IncidentLinked:
		in, other := s.Incidents[d.Incident], s.Incidents[d.Linked]
		if in == nil || other == nil {
			return fmt.Errorf("incident %q linked to %q, one of which does not exist", d.Incident, d.Linked)
		}
		in.Links = append(in.Links, Link{Incident: other.ID, Agency: other.Agency, Relation: d.Relation, Reason: d.Reason, By: by, Time: e.Time})
		other.Links = append(other.Links, Link{Incident: in.ID, Agency: in.Agency, Relation: inverse(d.Relation), Reason: d.Reason, By: by, Time: e.Time})
	case *IncidentUnlinked:
		in, other := s.Incidents[d.Incident], s.Incidents[d.Linked]
		if in == nil || other == nil {
			return fmt.Errorf("incident %q unlinked from %q, one of which does not exist", d.Incident, d.Linked)
		}
		in.Links = slices.DeleteFunc(in.Links, func(l Link) bool { return l.Incident == other.ID })
		other.Links = slices.DeleteFunc(other.Links, func(l Link) bool { return l.Incident == in.ID })
	}
	return nil
}
