package http

import (
	"net/http"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// handleGetRunCards answers an agency's run cards: {"time_zone", "cards"},
// with no cards if it has none. Only the agency's own users (and the
// installation administrator) read them.
func (s *Server) handleGetRunCards(w http.ResponseWriter, r *http.Request) {
	out, err := s.engine.RunCards(actorOf(r), r.PathValue("id"))
	s.answerOne(w, r, out, err)
}

// handleSetRunCards replaces an agency's run cards (dispatch.SetRunCards).
func (s *Server) handleSetRunCards(w http.ResponseWriter, r *http.Request) {
	var req dispatch.RunCards
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, err := s.engine.RunCards(actorOf(r), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.SetRunCards{Agency: id, RunCards: req})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.engine.RunCards(actorOf(r), id)
	s.changedAs(w, r, res, out, err)
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
	u, err := s.engine.Unit(actorOf(r), id)
	s.changedAs(w, r, res, answerUnit(u), err)
}
