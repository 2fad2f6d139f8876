package http

import (
	"net/http"
	"slices"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// scope returns the agency whose records the actor sees: its own, or every
// agency ("") for an installation administrator.
func scope(a dispatch.Actor) string {
	if a.Role == dispatch.RoleAdmin && a.Agency == "" {
		return ""
	}
	return a.Agency
}

func (s *Server) handleListUnits(w http.ResponseWriter, r *http.Request) {
	agency := r.URL.Query().Get("agency")
	if sc := scope(actorOf(r)); sc != "" {
		if agency != "" && agency != sc {
			s.writeError(w, r, dispatch.Errorf(dispatch.EFORBIDDEN, "you may list only the units of %s", sc))
			return
		}
		agency = sc
	}
	out := []dispatch.Unit{}
	s.engine.Read(func(st *dispatch.State) {
		for _, u := range st.UnitList(agency) {
			c := *u
			c.Capabilities = slices.Clone(u.Capabilities)
			out = append(out, c)
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
	var u dispatch.Unit
	s.engine.Read(func(st *dispatch.State) {
		u = *st.Units[id]
		u.Capabilities = slices.Clone(u.Capabilities)
	})
	if u.Capabilities == nil {
		u.Capabilities = []string{}
	}
	created(w, res, "/api/v1/units/"+id, u)
}
