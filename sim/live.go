package sim

import (
	"slices"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// Live is the city as a running engine holds it: what the simulator and
// the scenarios ask of the city (City, KedzieWorld), answered from the
// engine's state and its AVL positions.
type Live struct{ Engine *engine.Engine }

// Available returns the ids of agency's units that are AVAILABLE.
func (c Live) Available(agency string) []string {
	var out []string
	c.Engine.Read(func(s *dispatch.State) {
		for _, u := range s.UnitList(agency) {
			if u.Status == dispatch.StatusAvailable {
				out = append(out, u.ID)
			}
		}
	})
	return out
}

// Free returns agency's units that may be sent now, with their last
// positions.
func (c Live) Free(agency string) []FreeUnit {
	var out []FreeUnit
	c.Engine.Read(func(s *dispatch.State) {
		for _, u := range s.UnitList(agency) {
			if u.Status == dispatch.StatusAvailable && u.Incident == "" && u.Request == "" && u.Staffed() {
				out = append(out, FreeUnit{ID: u.ID, Kind: u.Kind})
			}
		}
	})
	for i := range out {
		if p, ok := c.Engine.Position(out[i].ID); ok {
			out[i].Lat, out[i].Lon, out[i].Located = p.Lat, p.Lon, true
		}
	}
	return out
}

// Waiting reports whether an incident is still PENDING.
func (c Live) Waiting(incident string) (ok bool) {
	c.Engine.Read(func(s *dispatch.State) {
		in, found := s.Incidents[incident]
		ok = found && in.Status == dispatch.IncidentPending
	})
	return ok
}

// Unit returns a unit's kind and capabilities.
func (c Live) Unit(id string) (kind string, caps []string, ok bool) {
	c.Engine.Read(func(s *dispatch.State) {
		if u, found := s.Units[id]; found {
			kind, caps, ok = u.Kind, slices.Clone(u.Capabilities), true
		}
	})
	return kind, caps, ok
}

// Request returns where an assistance request stands.
func (c Live) Request(id string) (status string, asked []string, ok bool) {
	c.Engine.Read(func(s *dispatch.State) {
		if r, found := s.Requests[id]; found {
			status, ok = r.Status, true
			for _, a := range r.Asked {
				asked = append(asked, a.Agency)
			}
		}
	})
	return status, asked, ok
}
