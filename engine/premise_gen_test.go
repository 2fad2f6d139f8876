package engine_test

import (
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// premiseCommand returns a random command of premise records and place
// fixes, and who gives it: records entered by call-takers, dispatchers and
// supervisors mostly (and now and then by someone who may not), removals
// of the records of s, and fixes of the incidents kept as typed.
func (g gen) premiseCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	switch g.r.IntN(4) {
	case 0, 1:
		agency := g.agency()
		var flags []dispatch.PremiseFlag
		for range field(g, []int{1, 1, 2, 3}, []int{0, dispatch.MaxPremiseFlags + 1}) {
			flags = append(flags, dispatch.PremiseFlag{
				Kind:    field(g, dispatch.HazardKinds, []string{"Dog", "", "bees"}),
				Text:    field(g, []string{"rifle in hall closet", " large dog, bites ", "oxígeno en uso"}, []string{"", " ", "\x01", strings.Repeat("t", dispatch.MaxFlagTextLength+1)}),
				Source:  field(g, []string{"", "prior call", "officer"}, []string{strings.Repeat("s", 201)}),
				Expires: now.Add(field(g, []time.Duration{time.Hour, 30 * 24 * time.Hour, 2 * time.Minute}, []time.Duration{0, -time.Hour, dispatch.MaxFlagDuration + time.Hour})),
			})
		}
		loc := kedzie
		if g.r.IntN(3) == 0 {
			loc = g.location()
		}
		radius := field(g, []float64{0, 30, 200}, []float64{-1, 0.5, dispatch.MaxPremiseRadiusM + 1})
		return dispatch.RecordPremise{Agency: agency, Location: loc, RadiusM: radius, Flags: flags},
			g.actorOf(agency, dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer)
	case 2:
		id, agency := "metro-P-2026-999999", "metro"
		if ps := s.PremiseList(""); len(ps) > 0 && g.r.IntN(8) > 0 {
			p := pick(g, ps...)
			id, agency = p.ID, p.Agency
		}
		return dispatch.RemovePremise{Premise: id, Reason: field(g, []string{"dog rehomed", " entered in error "}, []string{"", " "})},
			g.actorOf(agency, dispatch.RoleCallTaker, dispatch.RoleSupervisor, dispatch.RoleOfficer)
	}
	in, agency := g.incident(s), "metro"
	if q := s.Unverified(""); len(q) > 0 && g.r.IntN(4) > 0 {
		in, agency = q[0].ID, q[0].Agency
	} else if i, ok := s.Incidents[in]; ok {
		agency = i.Agency
	}
	loc := dispatch.Location{Text: "3900 S Kedzie Ave", Lat: ptr(41.8236), Lon: ptr(-87.7052)}
	if g.r.IntN(8) == 0 {
		loc = g.location()
	}
	return dispatch.FixLocation{Incident: in, Location: loc}, g.actorOf(agency, dispatch.RoleSupervisor, dispatch.RoleAdmin, dispatch.RoleDispatcher)
}
