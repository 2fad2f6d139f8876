package http

import (
	"net/http"
	"slices"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// A scope is whose records an actor sees: every agency's for an installation
// administrator, its own agency's for anyone else, and none for a user of no
// agency who is not an administrator.
type scope struct {
	all    bool
	agency string
}

func scopeOf(a dispatch.Actor) scope {
	return scope{all: a.Role == dispatch.RoleAdmin && a.Agency == "", agency: a.Agency}
}

// sees reports whether the scope covers agency's records.
func (sc scope) sees(agency string) bool {
	return sc.all || (sc.agency != "" && sc.agency == agency)
}

func (s *Server) handleListUnits(w http.ResponseWriter, r *http.Request) {
	agency := r.URL.Query().Get("agency")
	sc := scopeOf(actorOf(r))
	if agency != "" && !sc.sees(agency) {
		msg := dispatch.Errorf(dispatch.EFORBIDDEN, "you may not list the units of %s", agency)
		if sc.agency != "" {
			msg = dispatch.Errorf(dispatch.EFORBIDDEN, "you may list only the units of %s", sc.agency)
		}
		s.writeError(w, r, msg)
		return
	}
	out := []unitAnswer{}
	s.engine.Read(func(st *dispatch.State) {
		for _, u := range st.UnitList(agency) {
			if !sc.sees(u.Agency) {
				continue
			}
			c := *u
			c.Capabilities = slices.Clone(u.Capabilities)
			c.Crew, c.Staffing = slices.Clone(u.Crew), u.StaffingOf() // roster.go
			out = append(out, answerUnit(c))
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"units": out})
}

func (s *Server) handleCreateUnit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CallSign     string   `json:"call_sign"`
		Agency       string   `json:"agency"`
		Kind         string   `json:"kind"`
		Capabilities []string `json:"capabilities"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.CreateUnit{
		CallSign: req.CallSign, Agency: req.Agency, Kind: req.Kind, Capabilities: req.Capabilities,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.Events[0].Subject["unit"]
	var u unitAnswer
	s.engine.Read(func(st *dispatch.State) { u = unitView(st.Units[id]) })
	created(w, res, "/api/v1/units/"+id, u)
}

// unitView copies a unit for an answer, with the statuses it may go to
// next (answerUnit).
func unitView(u *dispatch.Unit) unitAnswer {
	c := *u
	c.Capabilities = slices.Clone(u.Capabilities)
	if c.Capabilities == nil {
		c.Capabilities = []string{}
	}
	c.Crew, c.Staffing = slices.Clone(u.Crew), u.StaffingOf()
	if u.Shift != nil {
		sh := *u.Shift
		sh.Capabilities = slices.Clone(u.Shift.Capabilities)
		c.Shift = &sh
	}
	return answerUnit(c)
}

// unitID returns the unit named by the path, if the actor may see it.
// Another agency's unit answers 404, as another agency's incident does.
func (s *Server) unitID(r *http.Request) (string, error) {
	id, sc := r.PathValue("id"), scopeOf(actorOf(r))
	found := false
	s.engine.Read(func(st *dispatch.State) {
		u, ok := st.Units[id]
		found = ok && sc.sees(u.Agency)
	})
	if !found {
		return "", dispatch.Errorf(dispatch.ENOTFOUND, "unit %s does not exist", id)
	}
	return id, nil
}

func (s *Server) handleSetUnitStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status string         `json:"status"`
		Late   *dispatch.Late `json:"late"` // a late entry (late.go)
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := s.unitID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cmd := dispatch.SetUnitStatus{Unit: id, Status: req.Status}
	// The position now is not where a unit entered late was then.
	if p, ok := s.engine.Position(id); ok && req.Late == nil {
		cmd.Lat, cmd.Lon = &p.Lat, &p.Lon
		if req.Status == dispatch.StatusEmergency {
			// The request it raises is placed as a call would be: near an
			// address, in a district and beat, where directives apply.
			place := resolveLocation(dispatch.Location{Lat: &p.Lat, Lon: &p.Lon})
			cmd.Near, cmd.District, cmd.Beat = place.Text, place.District, place.Beat
		}
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.WithLate(cmd, req.Late))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var u unitAnswer
	s.engine.Read(func(st *dispatch.State) { u = unitView(st.Units[id]) })
	changed(w, res, u)
}

// handleListPositions answers the last known AVL position of each unit the
// caller may see, by unit id: soft state, as this node holds it in memory,
// for maps. A unit that has reported none is absent.
func (s *Server) handleListPositions(w http.ResponseWriter, r *http.Request) {
	sc := scopeOf(actorOf(r))
	var ids []string
	s.engine.Read(func(st *dispatch.State) {
		for _, u := range st.UnitList("") {
			if sc.sees(u.Agency) {
				ids = append(ids, u.ID)
			}
		}
	})
	out := []dispatch.Position{}
	for _, id := range ids {
		if p, ok := s.engine.Position(id); ok {
			out = append(out, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"positions": out})
}

// MaxPositions bounds the positions of one POST /api/v1/units/positions.
const MaxPositions = 1000

// handleUpdatePositions keeps a batch of AVL positions. An officer or a
// dispatcher reports only their own agency's units: another agency's unit
// answers 404, as on the unit's own routes. The batch is taken whole or
// refused whole, naming its first bad entry.
func (s *Server) handleUpdatePositions(w http.ResponseWriter, r *http.Request) {
	var req []struct {
		Unit string     `json:"unit"`
		Lat  *float64   `json:"lat"`
		Lon  *float64   `json:"lon"`
		Time *time.Time `json:"time"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req) == 0 || len(req) > MaxPositions {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "send between 1 and %d positions, not %d", MaxPositions, len(req)))
		return
	}
	ps := make([]dispatch.Position, len(req))
	for i, p := range req {
		if p.Unit == "" || p.Lat == nil || p.Lon == nil || p.Time == nil {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "position %d: give unit, lat, lon and time", i))
			return
		}
		ps[i] = dispatch.Position{Unit: p.Unit, Lat: *p.Lat, Lon: *p.Lon, Time: *p.Time}
	}
	sc := scopeOf(actorOf(r))
	var err error
	s.engine.Read(func(st *dispatch.State) {
		for i, p := range ps {
			if u, ok := st.Units[p.Unit]; !ok || !sc.sees(u.Agency) {
				err = dispatch.Errorf(dispatch.ENOTFOUND, "position %d: unit %s does not exist", i, p.Unit)
				return
			}
		}
	})
	if err == nil {
		err = s.engine.UpdatePositions(ps)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
