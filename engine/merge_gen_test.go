package engine_test

import (
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// mergeCommand returns a random command of duplicates, merging and
// linking — further callers, merges of mostly two open incidents of one
// agency, links and their removal — or of late entry, and who gives it.
func (g gen) mergeCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	if g.r.IntN(3) == 0 {
		return g.lateCommand(s, now)
	}
	return g.linkCommand(s), g.actor()
}

// linkCommand returns a random command of duplicates, merging and linking.
func (g gen) linkCommand(s *dispatch.State) dispatch.Command {
	in := g.incident(s)
	// Mostly another incident of the same agency, now and then any.
	other := g.incident(s)
	if i, ok := s.Incidents[in]; ok && g.r.IntN(3) > 0 {
		for _, c := range s.IncidentList(i.Agency) {
			if c.ID != in && c.Status != dispatch.IncidentClosed && g.r.IntN(2) == 0 {
				other = c.ID
				break
			}
		}
	}
	reason := field(g, []string{"same fire, second caller", " one scene "}, []string{"", " ", strings.Repeat("r", 501)})
	switch g.r.IntN(5) {
	case 0, 1:
		return dispatch.AddCaller{Incident: in,
			Caller: dispatch.Caller{
				Name:  field(g, []string{"", "Dana Quill", "José Ñúñez"}, []string{"bad\x00name"}),
				Phone: field(g, []string{"", "+1 312 555 0148"}, []string{strings.Repeat("9", 41)}),
			},
			Narrative: field(g, []string{"", "flames at the back", "línea\ndos"}, []string{"\xff"}),
		}
	case 2:
		return dispatch.MergeIncident{Incident: in, Into: other, Reason: reason}
	case 3:
		return dispatch.LinkIncidents{Incident: in, Linked: other, Reason: reason,
			Relation: field(g, dispatch.Relations, []string{"sibling", ""})}
	default:
		// Mostly a link that exists.
		for _, i := range s.IncidentList("") {
			if len(i.Links) > 0 && g.r.IntN(4) > 0 {
				in, other = i.ID, pick(g, i.Links...).Incident
				break
			}
		}
		return dispatch.UnlinkIncidents{Incident: in, Linked: other, Reason: reason}
	}
}

// lateCommand returns a random command of the incident lifecycle entered
// late, mostly by a supervisor or tenfour itself, claiming mostly a time in
// the last three days.
func (g gen) lateCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	c := g.command(s)
	claimed := now.Add(-time.Duration(g.r.IntN(90)) * time.Minute)
	if g.r.IntN(10) == 0 {
		claimed = pick(g, now.Add(time.Minute), now, now.Add(-dispatch.MaxLateness-time.Hour), time.Time{})
	}
	actor := field(g, []dispatch.Actor{system, metroSup, sheriffSup}, []dispatch.Actor{
		{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}, root})
	return dispatch.LateEntry{Command: c, Claimed: claimed,
		Reason: field(g, []string{"radio log, CAD down", " paper card 14 "}, []string{"", strings.Repeat("r", 501)})}, actor
}
