package http

import (
	"net/http"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
)

// The EIDO Retrieval Service (NENA-STA-024.1a, the path of NENA's EIDO
// OpenAPI document, /EIDO/{IncidentId}, under the base /eido/v1): an
// incident as a NENA EIDO (NENA-STA-021.1), read like any incident. The id
// is tenfour's incident id or its incident tracking identifier
// (eido.IncidentURN), whose origin, holding a slash, may be sent as is or
// escaped (%2F).

// handleGetEIDO answers GET /eido/v1/EIDO/{IncidentId...}: the EIDO of the
// incident as the caller may see it; another agency's, or an identifier of
// another installation, is 404 as elsewhere.
func (s *Server) handleGetEIDO(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("IncidentId")
	id, ok := eido.IncidentID(ref, s.engine.Log().Origin())
	if !ok {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "incident %s does not exist here", ref))
		return
	}
	x, err := s.engine.IncidentExport(r.Context(), actorOf(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordPrivateReads(r, incidentReads(x.Incident))
	writeJSON(w, http.StatusOK, eido.Build(x))
}
