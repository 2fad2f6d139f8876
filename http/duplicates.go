package http

import (
	"net/http"
	"strconv"
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

// handlePossibleDuplicates answers, before a call becomes an incident, the
// open incidents it may duplicate (?type=, ?lat=&lon=, optional ?agency=):
// the same rule the creation answers with (dispatch.State.PossibleDuplicates),
// asked early so that the call-taker can attach the call to one instead.
func (s *Server) handlePossibleDuplicates(w http.ResponseWriter, r *http.Request) {
	q, a := r.URL.Query(), actorOf(r)
	agency := q.Get("agency")
	if agency == "" {
		agency = a.Agency
	}
	lat, errLat := strconv.ParseFloat(q.Get("lat"), 64)
	lon, errLon := strconv.ParseFloat(q.Get("lon"), 64)
	if errLat != nil || errLon != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "give the call's point as lat and lon"))
		return
	}
	out, err := s.engine.CallDuplicates(a, agency, q.Get("type"), lat, lon)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"possible_duplicates": out})
}
