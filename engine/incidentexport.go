package engine

import (
	"context"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// An IncidentExport is everything an export of one incident (an EIDO,
// package eido) shows an actor, read at one moment: the incident as the
// visibility rule gives it to that actor, and the records it names, each
// through the same rule.
type IncidentExport struct {
	// Incident is the incident as the actor may see it now
	// (dispatch.VisibleIncident: private fields only for those allowed,
	// the hazards over its place now).
	Incident dispatch.Incident
	// Type is the incident type's catalogue entry, as the incident's agency
	// defines it; found false leaves it zero.
	Type dispatch.IncidentType
	// Units are the units ever assigned to it (Incident.Units, in order)
	// that the actor sees, as they are now; a unit of an agency the actor
	// does not see is left out.
	Units []dispatch.Unit
	// Positions are the last AVL positions of those of its units that are
	// on it now, by unit id.
	Positions map[string]dispatch.Position
	// Agencies are the incident's agency first, then the agencies of its
	// units and of the incidents it links to, each once.
	Agencies []dispatch.Agency
	// Users are the users it names (call-takers of its calls, authors of
	// its notes, whoever linked it, who pressed a unit's EMERGENCY, its
	// units' crews) whom the actor sees, in the order first named.
	Users []dispatch.User
	// Archived says the incident was read from the archive.
	Archived bool
	// Origin is the log's origin: the name of this installation.
	Origin string
	// Now is the engine's time of the read.
	Now time.Time
}

// IncidentExport returns incident id as an export shows the actor, from
// memory or, once it has left memory, from the archive: another agency's is
// not found (LookupIncident). The incident and the records it names are
// read under one read lock of the view, so that they agree.
func (e *Engine) IncidentExport(ctx context.Context, a dispatch.Actor, id string) (IncidentExport, error) {
	x, present, found := e.incidentExport(a, id, nil)
	if !present {
		// Not in memory (or it left meanwhile): the archive, read outside
		// the lock, as the store's I/O must not hold readers up.
		old, ok, err := archived[dispatch.Incident](ctx, e, dispatch.TimelineIncident, id)
		if err != nil {
			return IncidentExport{}, err
		}
		if !ok {
			return IncidentExport{}, notFound("incident", id)
		}
		x, _, found = e.incidentExport(a, id, old)
	}
	if !found {
		return IncidentExport{}, notFound("incident", id)
	}
	// Positions are soft state, under their own lock (positions.go).
	for _, u := range x.Units {
		if u.Incident != id {
			continue
		}
		if p, ok := e.Position(u.ID); ok {
			if x.Positions == nil {
				x.Positions = map[string]dispatch.Position{}
			}
			x.Positions[u.ID] = p
		}
	}
	return x, nil
}

// incidentExport reads incident id — old, read from the archive, or else
// the one in memory — and what it names, under one read lock. present says
// the incident was there to read; found that the actor sees it.
func (e *Engine) incidentExport(a dispatch.Actor, id string, old *dispatch.Incident) (x IncidentExport, present, found bool) {
	x = IncidentExport{Now: e.Now(), Origin: e.log.Origin(), Archived: old != nil}
	e.read(func(s *dispatch.State) {
		in := old
		if in == nil {
			if in = s.Incidents[id]; in == nil {
				return
			}
		}
		present = true
		c, ok := dispatch.VisibleIncident(s, in, a, x.Now)
		if !ok {
			return
		}
		found = true
		x.Incident = c
		if t, ok := s.IncidentType(c.Agency, c.Type); ok {
			x.Type = t
		}
		agencies := []string{c.Agency}
		var users []string
		for _, uid := range c.Units {
			u, ok := s.Units[uid]
			if !ok {
				continue
			}
			vu, ok := dispatch.VisibleUnit(u, a)
			if !ok {
				continue
			}
			x.Units = append(x.Units, vu)
			agencies = append(agencies, vu.Agency)
			users = append(users, vu.Crew...)
			if vu.EmergencyBy != "" {
				users = append(users, vu.EmergencyBy)
			}
		}
		for _, l := range c.Links {
			agencies = append(agencies, l.Agency)
			users = append(users, l.By)
		}
		for _, cr := range c.Callers {
			users = append(users, cr.Taker)
		}
		for _, n := range c.Notes {
			users = append(users, n.Author)
		}
		seen := map[string]bool{}
		for _, id := range agencies {
			if seen[id] {
				continue
			}
			seen[id] = true
			if ag, ok := s.Agencies[id]; ok {
				if v, ok := dispatch.VisibleAgency(ag, a); ok {
					x.Agencies = append(x.Agencies, v)
				}
			}
		}
		clear(seen)
		for _, name := range users {
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			if u, ok := s.Users[name]; ok {
				if v, ok := dispatch.VisibleUser(u, a); ok {
					x.Users = append(x.Users, v)
				}
			}
		}
	})
	return x, present, found
}
