package http

import (
	"net/http"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// createdIncident is the answer of POST /api/v1/incidents: the incident and
// the open incidents it may duplicate, computed at its creation. A possible
// duplicate never refuses the call: the call-taker decides (docs/api.md).
type createdIncident struct {
	dispatch.Incident
	PossibleDuplicates []dispatch.PossibleDuplicate `json:"possible_duplicates"`
}

// handleAddCaller attaches a further call to an open incident instead of
// opening a duplicate, and answers the incident.
func (s *Server) handleAddCaller(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnIncident, func(id string, b struct {
		Caller    dispatch.Caller `json:"caller"`
		Narrative string          `json:"narrative"`
		Received  *time.Time      `json:"received"`
		Answered  *time.Time      `json:"answered"`
	}) dispatch.Command {
		return dispatch.AddCaller{Incident: id, Caller: b.Caller, Narrative: b.Narrative, Received: b.Received, Answered: b.Answered}
	})
}
