package sim

import (
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// Live is the city as a running engine holds it: what the simulator and
// the scenarios ask of the city (City, KedzieWorld), answered from the
// engine's typed reads, as the simulator's own actor (Actor, which sees
// every agency), and its AVL positions.
type Live struct{ Engine *engine.Engine }

// Available returns the ids of agency's units that are AVAILABLE.
func (c Live) Available(agency string) []string {
	var out []string
	for _, u := range c.Engine.Units(Actor, agency) {
		if u.Status == dispatch.StatusAvailable {
			out = append(out, u.ID)
		}
	}
	return out
}

// Free returns agency's units that may be sent now, with their last
// positions.
func (c Live) Free(agency string) []FreeUnit {
	var out []FreeUnit
	for _, u := range c.Engine.Units(Actor, agency) {
		if u.Status == dispatch.StatusAvailable && u.Incident == "" && u.Request == "" && u.Staffed() {
			out = append(out, FreeUnit{ID: u.ID, Kind: u.Kind})
		}
	}
	for i := range out {
		if p, ok := c.Engine.Position(out[i].ID); ok {
			out[i].Lat, out[i].Lon, out[i].Located = p.Lat, p.Lon, true
		}
	}
	return out
}

// Waiting reports whether an incident is still PENDING.
func (c Live) Waiting(incident string) bool {
	in, err := c.Engine.Incident(Actor, incident)
	return err == nil && in.Status == dispatch.IncidentPending
}

// Unit returns a unit's kind and capabilities.
func (c Live) Unit(id string) (kind string, caps []string, ok bool) {
	u, err := c.Engine.Unit(Actor, id)
	if err != nil {
		return "", nil, false
	}
	return u.Kind, u.Capabilities, true
}

// Request returns where an assistance request stands.
func (c Live) Request(id string) (status string, asked []string, ok bool) {
	r, err := c.Engine.Request(Actor, id)
	if err != nil {
		return "", nil, false
	}
	for _, a := range r.Asked {
		asked = append(asked, a.Agency)
	}
	return r.Status, asked, true
}

// Escalated reports whether an assistance request has escalated for
// reason.
func (c Live) Escalated(id, reason string) bool {
	r, err := c.Engine.Request(Actor, id)
	if err != nil {
		return false
	}
	for _, h := range r.History {
		if h.Type == dispatch.TypeAssistEscalated && h.Reason == reason {
			return true
		}
	}
	return false
}

// Conflicted reports whether a directive of agency stands against an
// assistance request.
func (c Live) Conflicted(id, agency string) bool {
	r, err := c.Engine.Request(Actor, id)
	if err != nil {
		return false
	}
	a := r.Answer(agency)
	return a != nil && len(a.Conflicts) > 0
}
