package dispatch

import (
	"slices"
	"strings"
	"time"
)

// UnitStatuses lists every unit status, in the order of the lifecycle.
var UnitStatuses = []string{
	StatusAvailable, StatusDispatched, StatusEnRoute, StatusOnScene, StatusTransporting,
	StatusBusy, StatusOutOfService, StatusEmergency,
}

// Transitions is the unit status lifecycle (DESIGN.md, "Domain"): for each
// status, the statuses a unit may go to from it. AVAILABLE → DISPATCHED →
// EN_ROUTE → ON_SCENE → (TRANSPORTING) → AVAILABLE; BUSY and OUT_OF_SERVICE
// from and back to AVAILABLE; EMERGENCY from any status, and from EMERGENCY
// back to AVAILABLE or to the status the unit was in before (Unit.Resume),
// which this table cannot name. A unit goes DISPATCHED only by being
// dispatched to an incident (DispatchUnits).
var Transitions = map[string][]string{
	StatusAvailable:    {StatusDispatched, StatusBusy, StatusOutOfService, StatusEmergency},
	StatusDispatched:   {StatusEnRoute, StatusEmergency},
	StatusEnRoute:      {StatusOnScene, StatusEmergency},
	StatusOnScene:      {StatusTransporting, StatusAvailable, StatusEmergency},
	StatusTransporting: {StatusAvailable, StatusEmergency},
	StatusBusy:         {StatusAvailable, StatusEmergency},
	StatusOutOfService: {StatusAvailable, StatusEmergency},
	StatusEmergency:    {StatusAvailable},
}

// NextStatuses returns the statuses u may go to now: those of Transitions
// and, in EMERGENCY, the status it was in before.
func (u *Unit) NextStatuses() []string {
	next := slices.Clone(Transitions[u.Status])
	if u.Status == StatusEmergency && u.Resume != "" && !slices.Contains(next, u.Resume) {
		next = append(next, u.Resume)
	}
	return next
}

// SettableStatuses returns the statuses a status report (SetUnitStatus) may
// move u to now: NextStatuses, but for DISPATCHED from AVAILABLE, which only
// a dispatch gives (byDispatchOnly). The API answers them with the unit, so
// that a console offers exactly the changes that can succeed.
func (u *Unit) SettableStatuses() []string {
	next := u.NextStatuses()
	return slices.DeleteFunc(next, func(s string) bool { return byDispatchOnly(u, s) })
}

// byDispatchOnly reports whether u reaches status only by being dispatched
// to an incident (DispatchUnits), never by a status report.
func byDispatchOnly(u *Unit, status string) bool {
	return status == StatusDispatched && u.Status == StatusAvailable
}

// checkTransition returns an EINVALID error unless u may go to status now.
func checkTransition(u *Unit, status string) error {
	if u.Status == status {
		return Errorf(EINVALID, "unit %s is already %s", u.CallSign, status)
	}
	next := u.NextStatuses()
	if !slices.Contains(next, status) {
		return Errorf(EINVALID, "unit %s is %s and cannot go %s; it can go %s", u.CallSign, u.Status, status, strings.Join(next, " or "))
	}
	return nil
}

// SetUnitStatus records a unit's new status, as its crew or a dispatcher
// reports it. A unit on an incident stays on it until it goes AVAILABLE; its
// first unit EN_ROUTE and ON_SCENE mark the incident's times.
//
// Lat and Lon, both or neither, are the unit's last known position, which
// the caller looks up (the domain holds no positions); the event carries it.
//
// EMERGENCY (the emergency button) also raises an EMERGENCY assistance
// request in the same decision (assist.requested); a unit sent on a
// request that goes ON_SCENE is on scene on it (assist.on_scene), and one
// that goes AVAILABLE before the requester released the request left it
// (assist.unit_left).
//
// Ending an EMERGENCY (any change from it) is for the person who pressed
// it or a supervisor of the unit's agency, with a Reason (mayEndEmergency).
// Reason is otherwise optional: why the change was made.
type SetUnitStatus struct {
	Unit     string
	Status   string
	Reason   string
	Lat, Lon *float64
	// Near, District and Beat describe the position, as the caller's map
	// reads it: the nearest address and the police areas it lies in. An
	// emergency request raised from the position carries them, so that a
	// directive over a district meets the request.
	Near, District, Beat string
}

// Decide implements Command.
func (c SetUnitStatus) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	u, ok := s.Units[c.Unit]
	if !ok {
		return nil, Errorf(ENOTFOUND, "unit %s does not exist", c.Unit)
	}
	if err := MayOperate(actor, u, c.Status); err != nil {
		return nil, err
	}
	if !slices.Contains(UnitStatuses, c.Status) {
		return nil, Errorf(EINVALID, "status %q is not one of %s", c.Status, strings.Join(UnitStatuses, ", "))
	}
	if byDispatchOnly(u, c.Status) {
		return nil, Errorf(EINVALID, "unit %s goes DISPATCHED only by being dispatched to an incident", u.CallSign)
	}
	if err := checkTransition(u, c.Status); err != nil {
		return nil, err
	}
	if (c.Lat == nil) != (c.Lon == nil) {
		return nil, Errorf(EINVALID, "a position needs both latitude and longitude")
	}
	if c.Lat != nil && (*c.Lat < -90 || *c.Lat > 90 || *c.Lon < -180 || *c.Lon > 180) {
		return nil, Errorf(EINVALID, "position %v,%v is not a latitude and longitude", *c.Lat, *c.Lon)
	}
	if u.Status == StatusEmergency {
		if err := mayEndEmergency(actor, u.Agency, u.EmergencyBy, "end the EMERGENCY of unit "+u.CallSign); err != nil {
			return nil, err
		}
		if strings.TrimSpace(c.Reason) == "" {
			return nil, Errorf(EINVALID, "ending the EMERGENCY of unit %s needs a reason: say why the officer is safe", u.CallSign)
		}
	}
	if err := CheckText("reason", &c.Reason, 500, false); err != nil {
		return nil, err
	}
	if c.Lat == nil && (c.Near != "" || c.District != "" || c.Beat != "") {
		return nil, Errorf(EINVALID, "a place near a position needs the position")
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"near", &c.Near}, {"district", &c.District}, {"beat", &c.Beat}} {
		if err := CheckText(f.name, f.v, 200, false); err != nil {
			return nil, err
		}
	}
	ev := statusChanged(u, c.Status, u.Incident, actor, now)
	d := ev.Data.(*UnitStatusChanged)
	d.Reason = strings.TrimSpace(c.Reason)
	if c.Lat != nil {
		lat, lon := *c.Lat, *c.Lon
		d.Lat, d.Lon = &lat, &lon
	}
	// An assistance request may follow: the emergency button raises one,
	// an arrival puts one ON_SCENE (escalate.go).
	return s.withAssist(u, ev, c, actor, now), nil
}

// statusChanged returns the event of u going to status, concerning incident.
func statusChanged(u *Unit, status, incident string, actor Actor, now time.Time) Event {
	subject := map[string]string{"unit": u.ID}
	if incident != "" {
		subject["incident"] = incident
	}
	return Event{
		Time: now, Type: TypeUnitStatusChanged, Agency: u.Agency, Actor: actor, Subject: subject,
		Data: &UnitStatusChanged{Unit: u.ID, Status: status, Previous: u.Status, Incident: incident},
	}
}

// MaxDispatch bounds the units of one dispatch.
const MaxDispatch = 32

// DispatchUnits sends AVAILABLE units of an incident's own agency to it. It
// yields one incident.dispatched event naming them all, then one
// unit.status_changed event per unit (to DISPATCHED, on the incident), so
// that every status a unit goes through is an event about that unit.
//
// With Preempt, it may also take a unit off lower-priority work (see
// Preemptible): an incident.unit_preempted event for each such unit comes
// first, and its old incident goes back to PENDING if no unit is left on it.
type DispatchUnits struct {
	Incident string
	Units    []string
	Preempt  bool
	// Override is a supervisor's reason to send units that a directive in
	// force keeps out of the incident's place (directive.go); without it,
	// such a dispatch is refused.
	Override string
}

// Decide implements Command.
func (c DispatchUnits) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, err := s.incidentFor(c.Incident, actor)
	if err != nil {
		return nil, err
	}
	if in.Status == IncidentClosed {
		return nil, Errorf(ECONFLICT, "incident %s is closed; no unit can be dispatched to it", in.ID)
	}
	if len(c.Units) == 0 {
		return nil, Errorf(EINVALID, "name at least one unit to dispatch")
	}
	if len(c.Units) > MaxDispatch {
		return nil, Errorf(EINVALID, "a dispatch names at most %d units", MaxDispatch)
	}
	units := make([]*Unit, 0, len(c.Units))
	var preempted []*Unit
	for i, id := range c.Units {
		if slices.Contains(c.Units[:i], id) {
			return nil, Errorf(EINVALID, "unit %s is named twice", id)
		}
		u, ok := s.Units[id]
		if !ok || u.Agency != in.Agency {
			// A unit of another agency reads as a missing one: mutual aid
			// goes through assistance requests, and the caller may not
			// see the other agency's units.
			return nil, Errorf(ENOTFOUND, "agency %s has no unit %s", in.Agency, id)
		}
		switch {
		case u.Incident == in.ID:
			return nil, Errorf(ECONFLICT, "unit %s is already on incident %s", u.CallSign, in.ID)
		case u.Incident != "" && c.Preempt && s.Preemptible(u, in):
			preempted = append(preempted, u)
			units = append(units, u)
			continue
		case u.Incident != "" && s.Preemptible(u, in):
			return nil, Errorf(ECONFLICT, "unit %s is %s on incident %s, of lower priority; dispatch it with pre-emption to take it off that incident", u.CallSign, u.Status, u.Incident)
		}
		if err := freeToSend(u); err != nil {
			return nil, err
		}
		units = append(units, u)
	}
	// Directives in force come first: directive.overridden for each one a
	// supervisor overrides (directive.go).
	evs, err := s.checkDirectives(in.Agency, in.Location, in.ID, "", units, c.Override, actor, now)
	if err != nil {
		return nil, err
	}
	for _, u := range preempted {
		evs = append(evs, Event{
			Time: now, Type: TypeUnitPreempted, Agency: in.Agency, Actor: actor,
			Subject: map[string]string{"incident": u.Incident, "unit": u.ID},
			Data:    &UnitPreempted{Incident: u.Incident, Unit: u.ID, By: in.ID},
		})
	}
	evs = append(evs, Event{
		Time: now, Type: TypeIncidentDispatched, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID},
		Data:    &IncidentDispatched{Incident: in.ID, Units: slices.Clone(c.Units)},
	})
	for _, u := range units {
		evs = append(evs, statusChanged(u, StatusDispatched, in.ID, actor, now))
	}
	return evs, nil
}

// ClearIncident closes an incident with its disposition, and sends every unit
// still on it back to AVAILABLE. It is refused while one of them is in
// EMERGENCY: an officer's emergency is never cleared as a side effect.
type ClearIncident struct {
	Incident    string
	Disposition string
}

// Decide implements Command.
func (c ClearIncident) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, err := s.incidentFor(c.Incident, actor)
	if err != nil {
		return nil, err
	}
	if in.Status == IncidentClosed {
		return nil, Errorf(ECONFLICT, "incident %s is already closed", in.ID)
	}
	if err := CheckText("disposition", &c.Disposition, 200, true); err != nil {
		return nil, err
	}
	var units []*Unit
	for _, id := range in.Units {
		u := s.Units[id]
		if u == nil || u.Incident != in.ID {
			continue // it has left the incident
		}
		if u.Status == StatusEmergency {
			return nil, Errorf(ECONFLICT, "unit %s is in EMERGENCY on incident %s; resolve the emergency before clearing the incident", u.CallSign, in.ID)
		}
		units = append(units, u)
	}
	evs := []Event{{
		Time: now, Type: TypeIncidentCleared, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID},
		Data:    &IncidentCleared{Incident: in.ID, Disposition: strings.TrimSpace(c.Disposition)},
	}}
	for _, u := range units {
		evs = append(evs, statusChanged(u, StatusAvailable, in.ID, actor, now))
	}
	return evs, nil
}

// incidentFor returns the incident with id, which actor may act on.
func (s *State) incidentFor(id string, actor Actor) (*Incident, error) {
	in, ok := s.Incidents[id]
	if !ok {
		return nil, Errorf(ENOTFOUND, "incident %s does not exist", id)
	}
	if err := mayAct(actor, in.Agency); err != nil {
		return nil, err
	}
	return in, nil
}

// freeToSend returns an error unless u may be sent somewhere now: on no
// incident and no request, and AVAILABLE.
func freeToSend(u *Unit) error {
	switch {
	case u.Incident != "":
		return Errorf(ECONFLICT, "unit %s is busy on incident %s", u.CallSign, u.Incident)
	case u.Request != "":
		return Errorf(ECONFLICT, "unit %s is busy on request %s", u.CallSign, u.Request)
	case u.Status != StatusAvailable:
		return Errorf(EINVALID, "unit %s is %s and cannot go %s", u.CallSign, u.Status, StatusDispatched)
	case !u.Staffed():
		return Errorf(ECONFLICT, "unit %s has no crew signed on; sign a crew on first", u.CallSign)
	}
	return nil
}
