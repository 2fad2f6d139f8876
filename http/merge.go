package http

import (
	"net/http"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// handleMergeIncident merges the incident into another of its agency, the
// survivor, and answers the survivor.
func (s *Server) handleMergeIncident(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Into   string `json:"into"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.incident(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.seesIncident(r, b.Into) {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "incident %s does not exist", b.Into))
		return
	}
	a := actorOf(r)
	res, err := s.engine.Execute(r.Context(), a, dispatch.MergeIncident{Incident: in.ID, Into: b.Into, Reason: b.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.engine.Incident(a, b.Into)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordPrivateReads(r, incidentReads(out))
	changed(w, res, out)
}

// handleLinkIncident links another incident to the incident and answers
// the incident. Both must be visible to the caller: another agency's
// incident answers 404, as if it did not exist.
func (s *Server) handleLinkIncident(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Incident string `json:"incident"`
		Relation string `json:"relation"`
		Reason   string `json:"reason"`
	}
	if err := decode(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.seesIncident(r, b.Incident) {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "incident %s does not exist", b.Incident))
		return
	}
	s.executeOnIncident(w, r, func(id string) dispatch.Command {
		return dispatch.LinkIncidents{Incident: id, Linked: b.Incident, Relation: b.Relation, Reason: b.Reason}
	})
}

// handleUnlinkIncident removes the link between the incident and
// {linked}, for the reason given in ?reason=, and answers the incident.
func (s *Server) handleUnlinkIncident(w http.ResponseWriter, r *http.Request) {
	linked := r.PathValue("linked")
	if !s.seesIncident(r, linked) {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "incident %s does not exist", linked))
		return
	}
	reason := r.URL.Query().Get("reason")
	s.executeOnIncident(w, r, func(id string) dispatch.Command {
		return dispatch.UnlinkIncidents{Incident: id, Linked: linked, Reason: reason}
	})
}

// seesIncident reports whether the incident id exists and the caller may
// see it.
func (s *Server) seesIncident(r *http.Request, id string) bool {
	_, err := s.engine.Incident(actorOf(r), id)
	return err == nil
}
