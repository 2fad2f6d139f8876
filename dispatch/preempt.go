package dispatch

import "fmt"

// TypeUnitPreempted records a unit taken off an incident for a more urgent one.
const TypeUnitPreempted = "incident.unit_preempted"

// UnitPreempted is the payload of incident.unit_preempted: Unit left
// Incident to be dispatched to By, of higher priority. The dispatch to By
// follows in the same command.
type UnitPreempted struct {
	Incident string `json:"incident"`
	Unit     string `json:"unit"`
	By       string `json:"by"`
}

// Preemptible reports whether u may be taken off its work for in: it is of
// in's agency, DISPATCHED or EN_ROUTE (not yet committed on a scene) on
// another open incident whose priority is lower than in's (a greater
// number). A unit on scene, transporting, busy or in EMERGENCY never is.
func (s *State) Preemptible(u *Unit, in *Incident) bool {
	if u.Agency != in.Agency || u.Incident == "" || u.Incident == in.ID {
		return false
	}
	if u.Status != StatusDispatched && u.Status != StatusEnRoute {
		return false
	}
	cur, ok := s.Incidents[u.Incident]
	return ok && cur.Status != IncidentClosed && cur.Priority > in.Priority
}

func (s *State) applyPreempted(d *UnitPreempted) error {
	u, ok := s.Units[d.Unit]
	if !ok || u.Incident != d.Incident {
		return fmt.Errorf("unit %q pre-empted from incident %q, which it is not on", d.Unit, d.Incident)
	}
	in, ok := s.Incidents[d.Incident]
	if !ok || in.Status == IncidentClosed {
		return fmt.Errorf("unit %q pre-empted from incident %q, which is not open", d.Unit, d.Incident)
	}
	// The unit's own status change (to DISPATCHED on By) follows.
	s.leftBy(in, u)
	return nil
}

// leftBy puts incident in back in the queue (PENDING) if u, leaving it,
// was the last unit on it: pre-empted, or cancelled on its way.
func (s *State) leftBy(in *Incident, u *Unit) {
	for _, o := range s.Units {
		if o.ID != u.ID && o.Incident == in.ID {
			return
		}
	}
	in.Status = IncidentPending
}
