package dispatch

import "slices"

// Who may operate a unit — change its status, press its EMERGENCY button,
// report its position (issue 13): the agency's dispatchers and supervisors
// and the system may, for any unit of the agency; an officer (a user whose
// roles include officer and neither dispatcher nor supervisor) only for a
// unit whose crew includes them. A unit is bound to an officer by the
// roster: a supervisor signs them on, or they sign themselves on a unit
// that has no crew (SignOn), and the log names who did. A unit that has
// never been rostered has no crew, so an officer signs on before acting
// for it; the console's unit view does so when an officer chooses a unit.

// CrewBound reports whether the actor operates only units it crews: a user
// holding the officer role and neither the dispatcher nor the supervisor
// role.
func (a Actor) CrewBound() bool {
	return !a.IsSystem() && a.User != "" && a.HasRole(RoleOfficer) &&
		!a.HasRole(RoleDispatcher) && !a.HasRole(RoleSupervisor)
}

// Crews reports whether the actor is on unit u's crew.
func (a Actor) Crews(u *Unit) bool {
	return u != nil && a.User != "" && slices.Contains(u.Crew, a.User)
}

// MayOperate returns an EFORBIDDEN error unless actor may change unit u's
// status (to status, "" for any) or report its position: it must act for
// u's agency and, if it is CrewBound, be on u's crew.
func MayOperate(actor Actor, u *Unit, status string) error {
	if err := mayAct(actor, u.Agency); err != nil {
		return err
	}
	if !actor.CrewBound() || actor.Crews(u) {
		return nil
	}
	what := "changes the status only of"
	switch status {
	case StatusEmergency:
		what = "presses EMERGENCY only for"
	case "":
		what = "reports the position only of"
	}
	return Errorf(EFORBIDDEN, "%s is not on the crew of unit %s, and an officer %s a unit they crew; sign on to it first", actor.User, u.CallSign, what)
}

// MayReportPositions returns an error naming the first position of ps
// (by its index) that actor may not report: an ENOTFOUND error for a unit
// that does not exist or that the actor does not see, an EFORBIDDEN one
// for a unit it may not operate (MayOperate).
func (s *State) MayReportPositions(actor Actor, ps []Position) error {
	for i, p := range ps {
		u, ok := s.Units[p.Unit]
		if !ok || !actor.Sees(u.Agency) {
			return Errorf(ENOTFOUND, "position %d: unit %s does not exist", i, p.Unit)
		}
		if err := MayOperate(actor, u, ""); err != nil {
			return Errorf(ErrorCode(err), "position %d: %s", i, ErrorMessage(err))
		}
	}
	return nil
}
