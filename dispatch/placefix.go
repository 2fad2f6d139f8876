package dispatch

import (
	"fmt"
	"time"
)

// TypeIncidentLocationFixed records an administrator's fix of a location
// the gazetteer could not verify.
const TypeIncidentLocationFixed = "incident.location_fixed"

// IncidentLocationFixed is the payload of incident.location_fixed: the
// location as it was (as the call-taker kept it) and as it was fixed. The
// one who fixed it is the event's actor.
type IncidentLocationFixed struct {
	Incident string   `json:"incident"`
	Previous Location `json:"previous"`
	Location Location `json:"location"`
}

// FixLocation places an incident whose location a call-taker kept as typed,
// unverified: a supervisor or administrator of its agency (or the
// installation's) gives the point, from an address the gazetteer knows or
// from a map. The fixed location counts as verified: a named person
// answers for it, and the event keeps what was typed.
type FixLocation struct {
	Incident string
	Location Location
}

// Decide implements Command.
func (c FixLocation) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, ok := s.Incidents[c.Incident]
	if !ok || (actor.Agency != "" && actor.Agency != in.Agency) {
		return nil, Errorf(ENOTFOUND, "incident %s does not exist", c.Incident)
	}
	installAdmin := actor.Role == RoleAdmin && actor.Agency == ""
	if actor.User == "" || actor.IsSystem() ||
		!(installAdmin || (actor.Agency == in.Agency && (actor.Role == RoleSupervisor || actor.Role == RoleAdmin))) {
		return nil, Errorf(EFORBIDDEN, "only a supervisor or administrator of %s may fix an incident's location", in.Agency)
	}
	if in.Location.Verified || in.Location.Lat != nil {
		return nil, Errorf(ECONFLICT, "incident %s already has a place on the map", in.ID)
	}
	loc := c.Location
	if loc.Lat == nil || loc.Lon == nil || !validPoint(*loc.Lat, *loc.Lon) {
		return nil, Errorf(EINVALID, "a fixed location needs a point: an address the gazetteer knows, or a latitude and longitude")
	}
	if err := CheckText("location text", &loc.Text, 300, true); err != nil {
		return nil, err
	}
	loc.Verified = true
	return []Event{{
		Time: now, Type: TypeIncidentLocationFixed, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID},
		Data:    &IncidentLocationFixed{Incident: in.ID, Previous: in.Location, Location: loc},
	}}, nil
}

func (s *State) applyLocationFixed(d *IncidentLocationFixed) error {
	in, ok := s.Incidents[d.Incident]
	if !ok || in.Location.Verified || in.Location.Lat != nil {
		return fmt.Errorf("location of incident %q fixed but it does not exist or is placed", d.Incident)
	}
	in.Location = d.Location
	return nil
}

// Unverified returns the incidents of agency (all if "") whose location a
// call-taker kept as typed: unverified, with no point. Oldest first: the
// queue an administrator works through.
func (s *State) Unverified(agency string) []*Incident {
	var out []*Incident
	for _, in := range s.Incidents {
		if (agency == "" || in.Agency == agency) && !in.Location.Verified && in.Location.Lat == nil {
			out = append(out, in)
		}
	}
	newestFirst(out, func(in *Incident) (time.Time, string) { return in.Received, in.ID })
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
