package http

import (
	"net/http"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// A scope is whose records an actor sees, as the domain's one rule decides
// it (dispatch.Actor.Sees): every agency's for an installation
// administrator, its own agency's for anyone else, and none for a user of
// no agency who is not an administrator. Handlers use it only to word an
// error; what is shown is decided by the engine's typed reads.
type scope struct {
	all    bool
	agency string
	actor  dispatch.Actor
}

func scopeOf(a dispatch.Actor) scope {
	return scope{all: a.SeesAll(), agency: a.Agency, actor: a}
}

// sees reports whether the scope covers agency's records.
func (sc scope) sees(agency string) bool { return sc.actor.Sees(agency) }

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
	for _, u := range s.engine.Units(actorOf(r), agency) {
		out = append(out, answerUnit(u))
	}
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
	u, err := s.engine.Unit(actorOf(r), id)
	s.createdAs(w, r, res, "/api/v1/units/"+id, answerUnit(u), err)
}

// unitID returns the unit named by the path, if the actor may see it.
// Another agency's unit answers 404, as another agency's incident does.
func (s *Server) unitID(r *http.Request) (string, error) {
	u, err := s.engine.Unit(actorOf(r), r.PathValue("id"))
	return u.ID, err
}

func (s *Server) handleSetUnitStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status string `json:"status"`
		// Reason says why; ending an EMERGENCY needs one.
		Reason string         `json:"reason"`
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
	// The engine places the change at the unit's last position (and an
	// EMERGENCY near an address, in a district and beat), as it would
	// whatever the entrance.
	cmd := dispatch.SetUnitStatus{Unit: id, Status: req.Status, Reason: req.Reason}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.WithLate(cmd, req.Late))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.engine.Unit(actorOf(r), id)
	s.changedAs(w, r, res, answerUnit(u), err)
}

// handleCancelUnit calls back a unit on its way ("disregard"), with a
// reason: off its incident, or off the assistance request it helps on —
// which only a supervisor may order, and which the request records as a
// unit that left (dispatch.CancelUnit).
func (s *Server) handleCancelUnit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
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
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.CancelUnit{Unit: id, Reason: req.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.engine.Unit(actorOf(r), id)
	s.changedAs(w, r, res, answerUnit(u), err)
}

// handleListPositions answers the last known AVL position of each unit the
// caller may see, by unit id: soft state, as this node holds it in memory,
// for maps. A unit that has reported none is absent.
func (s *Server) handleListPositions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"positions": s.engine.Positions(actorOf(r))})
}

// MaxPositions bounds the positions of one POST /api/v1/units/positions.
const MaxPositions = 1000

// handleUpdatePositions keeps a batch of AVL positions. An officer or a
// dispatcher reports only their own agency's units: another agency's unit
// answers 404, as on the unit's own routes; an officer reports only the
// units they crew, another answers 403 (dispatch.MayOperate). The batch is taken whole or
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
	if err := s.engine.UpdatePositions(actorOf(r), ps); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
