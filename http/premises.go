package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// premisers may enter and remove premise records: those who learn of
// hazards from calls and from units. Every reader of the agency sees them,
// officers first: they are for their safety.
var premisers = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor}

// placeFixers work the queue of locations kept as typed.
var placeFixers = []string{dispatch.RoleSupervisor, dispatch.RoleAdmin, InstallationAdmin}

func (s *Server) handleListPremises(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	before, limit, err := listParams(v, "status")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := v.Get("status")
	if status != "" && status != dispatch.PremiseInForce && status != dispatch.PremiseRemoved {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "status must be %s or %s", dispatch.PremiseInForce, dispatch.PremiseRemoved))
		return
	}
	// Removed and expired records stay: the list grows with history.
	page, next := engine.PageOf(s.engine.Premises(actorOf(r), status),
		func(p dispatch.Premise) (time.Time, string) { return p.Entered, p.ID }, before, limit)
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"premises": page})
}

// premise returns the premise record of the path, if the actor may see it;
// another agency's answers 404, as an incident does.
func (s *Server) premise(r *http.Request) (dispatch.Premise, error) {
	return s.engine.Premise(actorOf(r), r.PathValue("id"))
}

func (s *Server) handleGetPremise(w http.ResponseWriter, r *http.Request) {
	p, err := s.premise(r)
	s.answerOne(w, r, p, err)
}

// handleRecordPremise enters a premise record: the location as text (placed
// by the gazetteer, which must know it) or as a point.
func (s *Server) handleRecordPremise(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Agency   string                 `json:"agency"`
		Location dispatch.Location      `json:"location"`
		RadiusM  float64                `json:"radius_m"`
		Flags    []dispatch.PremiseFlag `json:"flags"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if req.Agency == "" {
		req.Agency = a.Agency
	}
	res, err := s.engine.Execute(r.Context(), a, dispatch.RecordPremise{Agency: req.Agency, Location: req.Location, RadiusM: req.RadiusM, Flags: req.Flags})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.Events[0].Subject["premise"]
	p, err := s.engine.Premise(a, id)
	s.createdAs(w, r, res, "/api/v1/premises/"+id, p, err)
}

// handleRemovePremise removes a premise record, with a reason.
func (s *Server) handleRemovePremise(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.premise(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	res, err := s.engine.Execute(r.Context(), a, dispatch.RemovePremise{Premise: p.ID, Reason: body.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err = s.engine.Premise(a, p.ID)
	s.changedAs(w, r, res, p, err)
}

// handleIncidentPriors answers the agency's other incidents received near
// the incident's place (?radius_m=, default 100, at most 2000) over the days
// before now (?days=, default 365, at most 1825), newest first.
func (s *Server) handleIncidentPriors(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	radius, days := float64(dispatch.DefaultPriorRadiusM), dispatch.DefaultPriorDays
	if v := q.Get("radius_m"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > dispatch.MaxPriorRadiusM {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "radius_m must be a whole number of metres from 1 to %d", dispatch.MaxPriorRadiusM))
			return
		}
		radius = float64(n)
	}
	if v := q.Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > dispatch.MaxPriorDays {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "days must be a whole number from 1 to %d", dispatch.MaxPriorDays))
			return
		}
		days = n
	}
	id := r.PathValue("id")
	out, err := s.engine.Priors(r.Context(), actorOf(r), id, radius, days)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": id, "radius_m": radius, "days": days, "priors": out})
}

// handleListUnverified answers the queue of incidents whose location a
// call-taker kept as typed, oldest first.
func (s *Server) handleListUnverified(w http.ResponseWriter, r *http.Request) {
	out := s.engine.Unverified(actorOf(r))
	s.recordPrivateReads(r, incidentReads(out...))
	writeJSON(w, http.StatusOK, map[string]any{"incidents": out})
}

// handleFixLocation places an incident of the queue: {"text"} that the
// gazetteer knows, or {"lat","lon"} (with "text" to keep, or the typed
// text kept). It answers the incident.
func (s *Server) handleFixLocation(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string   `json:"text"`
		Lat  *float64 `json:"lat"`
		Lon  *float64 `json:"lon"`
	}
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	r.SetPathValue("id", r.PathValue("incident"))
	in, err := s.incident(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if (body.Lat == nil) != (body.Lon == nil) {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "give both lat and lon, or neither"))
		return
	}
	loc := dispatch.Location{Text: body.Text, Lat: body.Lat, Lon: body.Lon}
	if loc.Lat != nil && loc.Text == "" {
		loc.Text = in.Location.Text // a point placed on the map keeps the typed text
	}
	a := actorOf(r)
	res, err := s.engine.Execute(r.Context(), a, dispatch.FixLocation{Incident: in.ID, Location: loc})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in, err = s.engine.Incident(a, in.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordPrivateReads(r, incidentReads(in))
	changed(w, res, in)
}
