package http

import (
	"net/http"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/recommend"
)

// fillRunCard fills run card c for incident in (recommend.FillRunCard):
// for each kind of the card, the 4n staffed, available units of that kind
// nearest the incident by straight line, n the slot's count, are ranked by
// the grid. Called under the engine's read lock.
func (s *Server) fillRunCard(st *dispatch.State, in *dispatch.Incident, c dispatch.RunCard, f recommend.Filter) ([]recommend.Unit, []recommend.Shortfall, error) {
	var pool []dispatch.Position
	if in.Location.Lat != nil && in.Location.Lon != nil {
		for _, sl := range c.Slots {
			kf := f
			kf.Kinds, kf.NoPreempt = []string{sl.Kind}, true
			pool = append(pool, s.engine.NearestUnits(*in.Location.Lat, *in.Location.Lon, 4*sl.Count+4, func(unit string) bool {
				u, ok := st.Units[unit]
				if !ok {
					return false
				}
				ok, _ = recommend.Eligible(st, u, in, kf)
				return ok
			})...)
		}
	}
	return recommend.FillRunCard(st, in, c, pool, nil, f)
}

// handleGetRunCards answers an agency's run cards: {"time_zone", "cards"},
// with no cards if it has none. Only the agency's own users (and the
// installation administrator) read them.
func (s *Server) handleGetRunCards(w http.ResponseWriter, r *http.Request) {
	id, sc := r.PathValue("id"), scopeOf(actorOf(r))
	var out dispatch.RunCards
	found := false
	s.engine.Read(func(st *dispatch.State) {
		a, ok := st.Agencies[id]
		if !ok || !sc.sees(id) {
			return
		}
		found = true
		if a.RunCards != nil {
			out = *a.RunCards
		}
	})
	if !found {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "agency %s does not exist", id))
		return
	}
	if out.Cards == nil {
		out.Cards = []dispatch.RunCard{}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleSetRunCards replaces an agency's run cards (dispatch.SetRunCards).
func (s *Server) handleSetRunCards(w http.ResponseWriter, r *http.Request) {
	var req dispatch.RunCards
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, sc := r.PathValue("id"), scopeOf(actorOf(r))
	found := false
	s.engine.Read(func(st *dispatch.State) { _, found = st.Agencies[id]; found = found && sc.sees(id) })
	if !found {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "agency %s does not exist", id))
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.SetRunCards{Agency: id, RunCards: req})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var out dispatch.RunCards
	s.engine.Read(func(st *dispatch.State) {
		if a := st.Agencies[id]; a.RunCards != nil {
			out = *a.RunCards
		}
	})
	if out.Cards == nil {
		out.Cards = []dispatch.RunCard{}
	}
	changed(w, res, out)
}

// handleSignOn signs a crew on a unit (dispatch.SignOn): {"crew":[user…],
// "shift":{"start","end"}, "capabilities":[…]}.
func (s *Server) handleSignOn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Crew  []string `json:"crew"`
		Shift struct {
			Start time.Time `json:"start"`
			End   time.Time `json:"end"`
		} `json:"shift"`
		Capabilities []string `json:"capabilities"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.executeOnUnit(w, r, func(id string) dispatch.Command {
		return dispatch.SignOn{Unit: id, Crew: req.Crew, Start: req.Shift.Start, End: req.Shift.End, Capabilities: req.Capabilities}
	})
}

// handleSignOff signs a unit's crew off (dispatch.SignOff).
func (s *Server) handleSignOff(w http.ResponseWriter, r *http.Request) {
	s.executeOnUnit(w, r, func(id string) dispatch.Command { return dispatch.SignOff{Unit: id} })
}

// handleCrossStaff links a unit with a partner, or unlinks it with
// {"partner":""} (dispatch.CrossStaff).
func (s *Server) handleCrossStaff(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Partner string `json:"partner"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.executeOnUnit(w, r, func(id string) dispatch.Command { return dispatch.CrossStaff{Unit: id, Partner: req.Partner} })
}

// executeOnUnit executes the command cmd makes of the path's unit, which
// the actor must see, and answers the unit as it now is.
func (s *Server) executeOnUnit(w http.ResponseWriter, r *http.Request, cmd func(id string) dispatch.Command) {
	id, err := s.unitID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), cmd(id))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var u unitAnswer
	s.engine.Read(func(st *dispatch.State) { u = unitView(st.Units[id]) })
	changed(w, res, u)
}
