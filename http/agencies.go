package http

import (
	"net/http"
	"strconv"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

func (s *Server) handleListAgencies(w http.ResponseWriter, r *http.Request) {
	out := s.engine.Agencies(actorOf(r))
	writeJSON(w, http.StatusOK, map[string]any{"agencies": out})
}

func (s *Server) handleCreateAgency(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.CreateAgency{ID: req.ID, Name: req.Name, Kind: req.Kind})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.engine.Agency(actorOf(r), req.ID)
	s.createdAs(w, r, res, "/api/v1/agencies/"+req.ID, a, err)
}

// handleSetTimers sets an agency's dispatch timers: how long an urgent
// incident may wait, and when an officer on scene is checked on.
func (s *Server) handleSetTimers(w http.ResponseWriter, r *http.Request) {
	var req dispatch.Timers
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, err := s.engine.Agency(actorOf(r), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.SetAgencyTimers{Agency: id, Timers: req})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.engine.Agency(actorOf(r), id)
	s.changedAs(w, r, res, a, err)
}

// created answers 201 with the new resource, its location, the sequence
// number of the (first) event that recorded it, and the size of the log that
// holds all of the command's events.
func created(w http.ResponseWriter, res engine.Result, location string, v any) {
	w.Header().Set("Location", location)
	setSeq(w, res)
	writeJSON(w, http.StatusCreated, v)
}

// changed answers 200 with the changed resource and the same log headers as
// created.
func changed(w http.ResponseWriter, res engine.Result, v any) {
	setSeq(w, res)
	writeJSON(w, http.StatusOK, v)
}

// createdAs answers as created does with v, the new record as the actor
// reads it, or err if it could not be read.
func (s *Server) createdAs(w http.ResponseWriter, r *http.Request, res engine.Result, location string, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	created(w, res, location, v)
}

// changedAs answers as changed does with v, the changed record as the actor
// reads it, or err if it could not be read.
func (s *Server) changedAs(w http.ResponseWriter, r *http.Request, res engine.Result, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	changed(w, res, v)
}

// setSeq sets Tenfour-Seq, the sequence number of the command's first event,
// and Tenfour-Log-Size, the size of the log that holds all of its events.
func setSeq(w http.ResponseWriter, res engine.Result) {
	w.Header().Set("Tenfour-Seq", strconv.FormatInt(res.First, 10))
	w.Header().Set(logSizeHeader, strconv.FormatInt(res.First+int64(len(res.Events)), 10))
}
