package dispatch

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Duplicate detection: a second call about the same emergency is the rule,
// not the exception (a fire is seen by many). tenfour never refuses such a
// call; it names the open incidents it may duplicate, and the call-taker
// either attaches the call to one of them as another caller (AddCaller) or
// keeps the new incident.

// DefaultDuplicateRadiusM and DefaultDuplicateWindow are how near and how
// recent an open incident must be to a new one to be named a possible
// duplicate, for an agency that has not set its own (Timers).
const (
	DefaultDuplicateRadiusM = 150
	DefaultDuplicateWindow  = 10 * time.Minute
)

// compatibleTypes lists, beside "the same type", the incident types that
// are likely reports of the same emergency by different callers: whoever
// sees smoke, a burning car or a collision calls it by what they see. The
// relation is symmetric.
var compatibleTypes = [][2]string{
	{"FIRE_STRUCTURE", "FIRE_VEHICLE"},
	{"FIRE_VEHICLE", "TRAFFIC_COLLISION"},
	{"TRAFFIC_COLLISION", "TRAFFIC_HAZARD"},
	{"TRAFFIC_COLLISION", "MEDICAL"},
	{"ASSAULT", "SHOOTING"},
	{"ASSAULT", "STABBING"},
	{"ASSAULT", "DISTURBANCE"},
	{"DOMESTIC", "DISTURBANCE"},
	{"DOMESTIC", "ASSAULT"},
	{"DISTURBANCE", "NOISE"},
	{"BURGLARY", "ALARM"},
	{"BURGLARY", "SUSPICIOUS"},
	{"ROBBERY", "SHOOTING"},
}

// CompatibleTypes reports whether incidents of types a and b may be the
// same emergency reported twice: the same type, or a pair of
// compatibleTypes (docs/api.md lists them).
func CompatibleTypes(a, b string) bool {
	if a == b {
		return true
	}
	return slices.ContainsFunc(compatibleTypes, func(p [2]string) bool {
		return (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a)
	})
}

// A PossibleDuplicate names an open incident that a new one may duplicate:
// how far apart their points are and how long before now the other was
// received.
type PossibleDuplicate struct {
	Incident   string `json:"incident"`
	Type       string `json:"type"`
	DistanceM  int    `json:"distance_m"`
	AgeSeconds int    `json:"age_seconds"`
}

// DuplicateLimits returns agency's duplicate radius (metres) and window.
func (s *State) DuplicateLimits(agency string) (int, time.Duration) {
	radius, window := DefaultDuplicateRadiusM, DefaultDuplicateWindow
	if a, ok := s.Agencies[agency]; ok && a.Timers != nil {
		if a.Timers.DuplicateRadiusM > 0 {
			radius = a.Timers.DuplicateRadiusM
		}
		if a.Timers.DuplicateWindowSeconds > 0 {
			window = time.Duration(a.Timers.DuplicateWindowSeconds) * time.Second
		}
	}
	return radius, window
}

// PossibleDuplicates returns the open incidents of in's agency, other than
// in, of a compatible type, whose point lies within the agency's radius of
// in's and which were received within its window before now: nearest
// first. An incident without a point has none.
func (s *State) PossibleDuplicates(in *Incident, now time.Time) []PossibleDuplicate {
	out := []PossibleDuplicate{}
	if in.Location.Lat == nil {
		return out
	}
	radius, window := s.DuplicateLimits(in.Agency)
	for _, o := range s.Incidents {
		if o.ID == in.ID || o.Agency != in.Agency || o.Status == IncidentClosed || o.Location.Lat == nil {
			continue
		}
		if !CompatibleTypes(in.Type, o.Type) {
			continue
		}
		age := now.Sub(o.Received)
		if age < 0 || age > window {
			continue
		}
		d := DistanceM(*in.Location.Lat, *in.Location.Lon, *o.Location.Lat, *o.Location.Lon)
		if d > float64(radius) {
			continue
		}
		out = append(out, PossibleDuplicate{Incident: o.ID, Type: o.Type, DistanceM: int(d + 0.5), AgeSeconds: int(age / time.Second)})
	}
	slices.SortFunc(out, func(a, b PossibleDuplicate) int {
		if a.DistanceM != b.DistanceM {
			return a.DistanceM - b.DistanceM
		}
		return strings.Compare(a.Incident, b.Incident)
	})
	return out
}

// TypeIncidentCallerAdded records another call about an incident, attached
// to it by the call-taker instead of opening a duplicate.
const TypeIncidentCallerAdded = "incident.caller_added"

// MaxCallers bounds the further callers of one incident.
const MaxCallers = 200

// A CallRecord is a further call attached to an incident: its number (the
// first further call is 1; the call that opened the incident is its
// Caller), when it was received and answered, who took it, and the caller
// and what they said, which are private.
type CallRecord struct {
	N         int        `json:"n"`
	Time      time.Time  `json:"time"`
	Received  time.Time  `json:"received"`
	Answered  *time.Time `json:"answered,omitempty"`
	Taker     string     `json:"taker"`
	Caller    Caller     `json:"caller"`
	Narrative string     `json:"narrative,omitempty"`
}

// IncidentCallerAdded is the payload of incident.caller_added. The caller's
// name and phone and the narrative are its private fields, under the names
// incident.created uses.
type IncidentCallerAdded struct {
	Incident string     `json:"incident"`
	N        int        `json:"n"`
	Received *time.Time `json:"received,omitempty"`
	Answered *time.Time `json:"answered,omitempty"`
}

// AddCaller attaches a further call to an open incident.
type AddCaller struct {
	Incident  string
	Caller    Caller
	Narrative string
	// Received and Answered are as for CreateIncident; nil means at entry.
	Received *time.Time
	Answered *time.Time
}

// Decide implements Command.
func (c AddCaller) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, err := s.incidentFor(c.Incident, actor)
	if err != nil {
		return nil, err
	}
	if in.Status == IncidentClosed {
		return nil, Errorf(ECONFLICT, "incident %s is closed; open a new incident for this call", in.ID)
	}
	if err := checkCall(&c.Caller, &c.Narrative, c.Received, c.Answered, now); err != nil {
		return nil, err
	}
	if len(in.Callers) >= MaxCallers {
		return nil, Errorf(ECONFLICT, "incident %s already has %d further callers, the most one incident can hold", in.ID, MaxCallers)
	}
	private := map[string]string{}
	if c.Caller.Name != "" {
		private[PrivateCallerName] = c.Caller.Name
	}
	if c.Caller.Phone != "" {
		private[PrivateCallerPhone] = c.Caller.Phone
	}
	if c.Narrative != "" {
		private[PrivateNarrative] = c.Narrative
	}
	return []Event{{
		Time: now, Type: TypeIncidentCallerAdded, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID},
		Data:    &IncidentCallerAdded{Incident: in.ID, N: len(in.Callers) + 1, Received: utc(c.Received), Answered: utc(c.Answered)},
		Private: private,
	}}, nil
}

func (s *State) applyCallerAdded(e Event, d *IncidentCallerAdded) error {
	in, ok := s.Incidents[d.Incident]
	if !ok {
		return fmt.Errorf("caller added to incident %q, which does not exist", d.Incident)
	}
	if d.N != len(in.Callers)+1 {
		return fmt.Errorf("caller %d added to incident %q, which has %d", d.N, d.Incident, len(in.Callers))
	}
	taker := e.Actor.User
	if taker == "" {
		taker = e.Actor.System
	}
	c := CallRecord{
		N: d.N, Time: e.Time, Received: e.Time, Answered: d.Answered, Taker: taker,
		Caller:    Caller{Name: e.Private[PrivateCallerName], Phone: e.Private[PrivateCallerPhone]},
		Narrative: e.Private[PrivateNarrative],
	}
	if d.Received != nil {
		c.Received = *d.Received
	}
	in.Callers = append(in.Callers, c)
	return nil
}
