package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/recommend"
)

// handleIncidentTypes lists the incident types as the caller's agency sees
// them: the built-in catalogue, then the agency's own.
func (s *Server) handleIncidentTypes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.engine.IncidentTypes(actorOf(r).Agency))
}

// handleAddIncidentType extends an agency's incident types.
func (s *Server) handleAddIncidentType(w http.ResponseWriter, r *http.Request) {
	var req dispatch.IncidentType
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if req.Agency == "" {
		req.Agency = a.Agency
	}
	res, err := s.engine.Execute(r.Context(), a, dispatch.AddIncidentType{Type: req})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	created(w, res, "/api/v1/incident-types", res.Events[0].Data.(*dispatch.IncidentTypeAdded).IncidentType)
}

// handleListIncidents answers a page of the incidents the caller sees,
// open and archived, newest received first (pages.go): ?status, agency,
// from, to, type, unit, address, lat+lon+radius narrow it; ?before and
// limit page it, and a Link header names the next page.
func (s *Server) handleListIncidents(w http.ResponseWriter, r *http.Request) {
	q, err := incidentQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.engine.IncidentPage(r.Context(), actorOf(r), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordPrivateReads(r, incidentReads(page.Incidents...))
	linkNext(w, r, page.Next)
	writeJSON(w, http.StatusOK, map[string]any{"incidents": page.Incidents})
}

func (s *Server) handleGetIncident(w http.ResponseWriter, r *http.Request) {
	in, err := s.incident(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordPrivateReads(r, incidentReads(in))
	writeJSON(w, http.StatusOK, in)
}

// incident returns the incident named by the path, open or archived, if
// the actor may see it. Another agency's incident answers 404, as if it did
// not exist: its very existence can be sensitive (docs/api.md).
func (s *Server) incident(r *http.Request) (dispatch.Incident, error) {
	return s.engine.LookupIncident(r.Context(), actorOf(r), r.PathValue("id"))
}

func (s *Server) handleCreateIncident(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Agency    string            `json:"agency"`
		Type      string            `json:"type"`
		Priority  *int              `json:"priority"`
		Location  dispatch.Location `json:"location"`
		Caller    dispatch.Caller   `json:"caller"`
		Narrative string            `json:"narrative"`
		Received  *time.Time        `json:"received"`
		Answered  *time.Time        `json:"answered"`
		Late      *dispatch.Late    `json:"late"` // a late entry (late.go)
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if req.Agency == "" {
		req.Agency = a.Agency
	}
	res, err := s.engine.Execute(r.Context(), a, dispatch.WithLate(dispatch.CreateIncident{
		Agency: req.Agency, Type: req.Type, Priority: req.Priority,
		Location: req.Location, Caller: req.Caller, Narrative: req.Narrative,
		Received: req.Received, Answered: req.Answered,
	}, req.Late))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.Events[0].Subject["incident"]
	var out createdIncident
	if out.Incident, err = s.engine.Incident(a, id); err == nil {
		out.PossibleDuplicates, err = s.engine.PossibleDuplicates(a, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordPrivateReads(r, incidentReads(out.Incident))
	created(w, res, "/api/v1/incidents/"+id, out)
}

// handleIncidentBundle answers an evidence bundle of the incident's events.
// ?openings=true includes the openings of private fields.
func (s *Server) handleIncidentBundle(w http.ResponseWriter, r *http.Request) {
	in, err := s.incident(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The events of its timeline: its own and those of the directives
	// over it, so that the bundle proves every entry the timeline shows.
	tl, err := s.engine.Timeline(r.Context(), actorOf(r), dispatch.TimelineIncident, in.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.engine.Log().Bundle(r.Context(), "incident/"+in.ID, tl.Seqs, r.URL.Query().Get("openings") == "true")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordPrivateReads(r, bundleReads(in, b))
	w.Header().Set("Content-Disposition", `attachment; filename="`+in.ID+`.bundle.json"`)
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) handleDispatch(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnIncident, func(id string, b struct {
		Units    []string       `json:"units"`
		Preempt  bool           `json:"preempt"`
		Override string         `json:"override"`
		Late     *dispatch.Late `json:"late"`
	}) dispatch.Command {
		return dispatch.WithLate(dispatch.DispatchUnits{Incident: id, Units: b.Units, Preempt: b.Preempt, Override: b.Override}, b.Late)
	})
}

// handleAddNote adds a note to the incident's narrative and answers the
// incident.
func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnIncident, func(id string, b struct {
		Text string         `json:"text"`
		Late *dispatch.Late `json:"late"`
	}) dispatch.Command {
		return dispatch.WithLate(dispatch.AddNote{Incident: id, Text: b.Text}, b.Late)
	})
}

func (s *Server) handleClearIncident(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnIncident, func(id string, b struct {
		Disposition string         `json:"disposition"`
		Late        *dispatch.Late `json:"late"`
	}) dispatch.Command {
		return dispatch.WithLate(dispatch.ClearIncident{Incident: id, Disposition: b.Disposition}, b.Late)
	})
}

// executeOnIncident executes the command made for the incident of the path,
// which the actor must be able to see, and answers the changed incident.
func (s *Server) executeOnIncident(w http.ResponseWriter, r *http.Request, cmd func(id string) dispatch.Command) {
	in, err := s.incident(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	res, err := s.engine.Execute(r.Context(), a, cmd(in.ID))
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

// MaxRecommendations bounds k of GET /api/v1/incidents/{id}/recommendations.
const MaxRecommendations = 20

// handleRecommendations answers the k best units for the incident (?k=,
// default 5; ?capability=, ?kind= and ?preempt=false narrow them): among
// the 4k eligible units nearest it by straight line (the AVL index), the k
// soonest there by the grid (recommend.Recommend). A unit with no known
// position is never proposed, nor one that a directive in force keeps out
// of the incident's place; the directives in force there are answered
// beside the units, so that the dispatcher sees why. An incident whose
// zone and type have a run card (and no ?kind=) gets the card filled
// instead: each unit says the slot it fills, and the shortfall names what
// no staffed, available unit can fill (runcards.go).
func (s *Server) handleRecommendations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	k := 5
	if v := q.Get("k"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxRecommendations {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "k must be a whole number from 1 to %d", MaxRecommendations))
			return
		}
		k = n
	}
	var f recommend.Filter
	f.Capabilities, f.Kinds = words(q.Get("capability")), words(q.Get("kind"))
	for _, kind := range f.Kinds {
		if !slices.Contains(dispatch.UnitKinds, kind) {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "kind %q is not a unit kind; the kinds are %s", kind, strings.Join(dispatch.UnitKinds, ", ")))
			return
		}
	}
	if len(f.Capabilities) > 16 || len(f.Kinds) > len(dispatch.UnitKinds) {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "name at most 16 capabilities and each kind once"))
		return
	}
	switch q.Get("preempt") {
	case "", "true":
	case "false":
		f.NoPreempt = true
	default:
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "preempt must be true or false"))
		return
	}
	rec, err := s.engine.Recommend(actorOf(r), r.PathValue("id"), k, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rec.RunCard != nil {
		writeJSON(w, http.StatusOK, map[string]any{"units": rec.Units, "directives": rec.Directives, "hazards": rec.Hazards, "run_card": rec.RunCard, "shortfall": rec.Shortfall})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": rec.Units, "directives": rec.Directives, "hazards": rec.Hazards})
}

// words splits a comma-separated query value into its trimmed, non-empty
// words.
func words(v string) []string {
	var out []string
	for _, w := range strings.Split(v, ",") {
		if w = strings.TrimSpace(w); w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
