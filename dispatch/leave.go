package dispatch

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// TypeUnitCancelled records a unit cancelled from an incident on its way:
// "disregard" on the radio.
const TypeUnitCancelled = "incident.unit_cancelled"

// UnitCancelled is the payload of incident.unit_cancelled: Unit, sent to
// Incident, was cancelled before it arrived, for Reason. Its change to
// AVAILABLE follows; the incident waits again (PENDING) if no unit is left
// on it.
type UnitCancelled struct {
	Incident string `json:"incident"`
	Unit     string `json:"unit"`
	Reason   string `json:"reason"`
}

// CancelUnit cancels a unit on its way (DISPATCHED or EN_ROUTE): it goes
// AVAILABLE, off its incident or assistance request, and the record says
// who cancelled it and why. A unit that has arrived clears instead
// (SetUnitStatus). A dispatcher or a supervisor of the unit's agency (or
// the installation's administrator) may cancel a unit sent to an incident; a unit sent on another agency's
// request for assistance only a supervisor may call back, and the request
// records it as a unit that left (assist.unit_left), so that nobody leaves
// an officer waiting in silence.
type CancelUnit struct {
	Unit   string
	Reason string
}

// Decide implements Command.
func (c CancelUnit) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	u, ok := s.Units[c.Unit]
	if !ok || !actor.Sees(u.Agency) {
		return nil, Errorf(ENOTFOUND, "unit %s does not exist", c.Unit)
	}
	if err := mayAct(actor, u.Agency); err != nil {
		return nil, err
	}
	r := s.Requests[u.Request]
	onRequest := r != nil && r.Status != RequestClosed
	switch {
	case actor.IsSystem():
	case onRequest:
		if err := mustBeSupervisor(actor, u.Agency, fmt.Sprintf("cancel unit %s, which is helping on request %s", u.CallSign, r.ID)); err != nil {
			return nil, err
		}
	case actor.Role != RoleDispatcher && actor.Role != RoleSupervisor && !actor.SeesAll():
		return nil, Errorf(EFORBIDDEN, "only a dispatcher or a supervisor cancels a unit")
	}
	if u.Status != StatusDispatched && u.Status != StatusEnRoute {
		return nil, Errorf(EINVALID, "unit %s is %s; only a unit on its way (%s or %s) is cancelled, and one that has arrived clears", u.CallSign, u.Status, StatusDispatched, StatusEnRoute)
	}
	if strings.TrimSpace(c.Reason) == "" {
		return nil, Errorf(EINVALID, "cancelling unit %s needs a reason: say why it is called back", u.CallSign)
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(c.Reason)
	ev := statusChanged(u, StatusAvailable, u.Incident, actor, now)
	ev.Data.(*UnitStatusChanged).Reason = reason
	switch {
	case onRequest:
		ev.Subject["request"] = r.ID
		return append(s.leaving(u, LeftCancelled, reason, actor, now), ev), nil
	case u.Incident != "":
		return []Event{{
			Time: now, Type: TypeUnitCancelled, Agency: u.Agency, Actor: actor,
			Subject: map[string]string{"incident": u.Incident, "unit": u.ID},
			Data:    &UnitCancelled{Incident: u.Incident, Unit: u.ID, Reason: reason},
		}, ev}, nil
	}
	return []Event{ev}, nil
}

// applyCancelled folds incident.unit_cancelled: the incident waits again
// if the unit was the last on it. The unit's own change follows.
func (s *State) applyCancelled(d *UnitCancelled) error {
	u, ok := s.Units[d.Unit]
	if !ok || u.Incident != d.Incident || (u.Status != StatusDispatched && u.Status != StatusEnRoute) {
		return fmt.Errorf("unit %q cancelled from incident %q, which it is not on its way to", d.Unit, d.Incident)
	}
	in, ok := s.Incidents[d.Incident]
	if !ok || in.Status == IncidentClosed {
		return fmt.Errorf("unit %q cancelled from incident %q, which is not open", d.Unit, d.Incident)
	}
	s.leftBy(in, u)
	return nil
}

// leaving returns assist.unit_left for unit u, helping on an open request,
// leaving it (how) by actor's order. What the request waits for next:
// nothing while another unit helping is on scene; the units still on
// their way, with the plan's arrival margin; else help again, with the
// time any agency has to acknowledge. The requester's agency and the
// supervisors of the unit's are told at once.
func (s *State) leaving(u *Unit, how, reason string, actor Actor, now time.Time) []Event {
	return s.left(u.Request, u.ID, u.Agency, how, reason, actor, now)
}

// left returns assist.unit_left for unit of agency leaving request (as
// leaving says): a unit of this installation, or a partner's.
func (s *State) left(request, unit, agency, how, reason string, actor Actor, now time.Time) []Event {
	a := newAssistDecision(s, actor, now)
	r := a.get(request)
	d := &AssistUnitLeft{AssistRef: a.ref(r, agency), Unit: unit, How: how, Reason: reason,
		Told: []Audience{{Agency: r.From}, {Agency: agency, Role: RoleSupervisor}}}
	for _, dir := range s.DirectivesAt(agency, r.Location, "", now) {
		d.Directives = append(d.Directives, dir.ID)
	}
	others := slices.DeleteFunc(slices.Clone(r.Helping), func(h HelpingUnit) bool { return h.Unit == unit })
	deadlines := s.answerDeadlines(r.From, r.Urgency)
	switch {
	case r.Origin != "": // a partner's request: the requester's deadline
	case slices.ContainsFunc(others, func(h HelpingUnit) bool { return h.OnScene }):
	case len(others) > 0:
		d.Deadline = at(now.Add(deadlines.arrive()).UTC())
	default:
		d.Deadline = at(now.Add(deadlines.acknowledge()).UTC())
	}
	var subject map[string]string
	if !IsRemote(agency) {
		subject = map[string]string{"unit": unit}
	}
	a.emit(r, TypeAssistUnitLeft, d, subject)
	return a.evs
}

// mayEndEmergency returns an error unless actor may end an EMERGENCY of
// agency raised by raiser (a username; "" if tenfour raised it): the
// person who raised it, or a supervisor of the agency. An officer's call
// for help is never reset by whoever happens to be at a console.
func mayEndEmergency(actor Actor, agency, raiser, what string) error {
	switch {
	case actor.IsSystem():
		return nil
	case actor.User != "" && actor.User == raiser:
		return nil
	case actor.Role == RoleSupervisor && actor.Agency == agency:
		return nil
	case raiser == "":
		return Errorf(EFORBIDDEN, "only a supervisor of %s may %s", agency, what)
	}
	return Errorf(EFORBIDDEN, "only %s, who raised it, or a supervisor of %s may %s", raiser, agency, what)
}
