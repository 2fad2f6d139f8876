package http

import (
	"net/http"
	"slices"

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
	out := []dispatch.Unit{}
	s.engine.Read(func(st *dispatch.State) {
		for _, u := range st.UnitList(agency) {
			if !sc.sees(u.Agency) {
				continue
			}
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
