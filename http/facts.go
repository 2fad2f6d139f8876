package http

import (
	"net/http"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// This file holds the facts the API derives from the domain's rules for the
// console, so that the console never keeps a copy of a rule: the statuses a
// unit may go to next, the directives that keep units out of a request's
// place, and the routes a caller may call.

// A unitAnswer is a unit as the API answers it: its state, and the statuses
// a status report may move it to now (dispatch.Unit.SettableStatuses).
type unitAnswer struct {
	dispatch.Unit
	NextStatuses []string `json:"next_statuses"`
}

// answerUnit makes the answer for a unit as the engine's reads copy it.
func answerUnit(c dispatch.Unit) unitAnswer {
	next := c.SettableStatuses()
	if next == nil {
		next = []string{}
	}
	return unitAnswer{Unit: c, NextStatuses: next}
}

// mayCall returns the patterns of the route table's non-public routes that
// the actor may call, in the table's order: what GET /api/v1/auth/me says a
// console may offer. The route's roles are the rule (authorize); a route
// open to the caller may still refuse a record of another agency.
func (s *Server) mayCall(a dispatch.Actor) []string {
	out := []string{}
	for _, rt := range s.Routes() {
		if rt.Public() {
			continue
		}
		if _, ok := allowedRole(rt.Roles, a); ok {
			out = append(out, rt.Pattern)
		}
	}
	return out
}

// handleRequestBlocked says, for a request the caller sees, which units of
// an agency the directives in force over the request's place keep out
// (dispatch.State.Blocking, as accepting the request checks it): by unit id,
// the ids of the directives, for the units kept out only. The agency is the
// caller's, or for the installation administrator the ?agency= named.
// may_override says whether the caller, in the role it accepts requests in,
// may send a unit kept out, overriding (dispatch.MayOverride).
func (s *Server) handleRequestBlocked(w http.ResponseWriter, r *http.Request) {
	id, a := r.PathValue("id"), actorOf(r)
	agency := a.Agency
	if scopeOf(a).all {
		agency = r.URL.Query().Get("agency")
		if agency == "" {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "name the agency whose units to check: ?agency="))
			return
		}
	}
	blocked, err := s.engine.Blocked(a, id, agency)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"request": id, "agency": agency, "blocked_by": blocked,
		"may_override": dispatch.MayOverride(a, agency)})
}
