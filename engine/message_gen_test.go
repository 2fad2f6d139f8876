package engine_test

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// messageCommand returns a random command of messaging and who gives it:
// messages to the units, users, incidents and dispatch desks of s, and the
// receipts of the messages sent, by their recipients mostly.
func (g gen) messageCommand(s *dispatch.State) (dispatch.Command, dispatch.Actor) {
	agency := g.agency()
	actor := g.actorOf(agency, dispatch.RoleDispatcher, dispatch.RoleOfficer, dispatch.RoleSupervisor)
	if len(s.Messages) > 0 && g.r.IntN(2) == 0 {
		ids := slices.Sorted(maps.Keys(s.Messages)) // the seed alone decides
		m := s.Messages[field(g, ids, []string{"M0", ""})]
		if m == nil {
			return dispatch.AckMessage{Message: "M999999"}, actor
		}
		r := pick(g, m.Recipients...)
		kind, id, _ := strings.Cut(r, ":")
		ack := dispatch.AckMessage{Message: m.ID, Read: g.r.IntN(2) == 0}
		actor = g.actorOf(m.Agency, dispatch.RoleDispatcher, dispatch.RoleOfficer)
		switch kind {
		case dispatch.AddrUnit:
			ack.Unit = field(g, []string{id}, []string{"metro.9z9"})
		case dispatch.AddrUser:
			actor.User = field(g, []string{id}, []string{"nobody"})
		}
		return ack, actor
	}
	var to []string
	for range 1 + g.r.IntN(2) {
		switch g.r.IntN(5) {
		case 0:
			to = append(to, "unit:"+g.unit(s))
		case 1:
			to = append(to, "incident:"+g.incident(s))
		case 2:
			to = append(to, pick(g, "dispatch", "agency:"+agency, "user:ann", "user:li"))
		case 3:
			to = append(to, "district:"+pick(g, "9", "12"))
		default:
			to = append(to, field(g, []string{"unit:" + g.unit(s)}, []string{"squad:1", "", "dispatch:fed"}))
		}
	}
	var districts map[string][]string
	if g.r.IntN(2) == 0 {
		districts = map[string][]string{"9": {g.unit(s), g.unit(s)}}
	}
	return dispatch.SendMessage{
		Agency: pick(g, "", agency), FromUnit: pick(g, "", "", g.unit(s)), To: to,
		Text:      field(g, []string{"meet at the rear", " copy ", "línea\ndos"}, []string{"", "\x00", strings.Repeat("m", dispatch.MaxMessageLength+1)}),
		Priority:  g.r.IntN(4) == 0,
		Districts: districts,
	}, actor
}

// boloCommand returns a random command of BOLOs and who gives it.
func (g gen) boloCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	agency := g.agency()
	actor := g.actorOf(agency, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer)
	if len(s.BOLOs) > 0 && g.r.IntN(3) == 0 {
		ids := slices.Sorted(maps.Keys(s.BOLOs))
		id := field(g, ids, []string{"B0", ""})
		if b, ok := s.BOLOs[id]; ok {
			actor = g.actorOf(b.Agency, dispatch.RoleDispatcher, dispatch.RoleSupervisor)
		}
		return dispatch.CancelBOLO{ID: id, Reason: field(g, []string{"found", " vehicle recovered "}, []string{"", "\x00"})}, actor
	}
	area := field(g, []dispatch.Scope{
		{Kind: dispatch.ScopeAgency},
		{Kind: dispatch.ScopeDistrict, District: "9"},
		{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: 41.82, Lon: -87.70, RadiusM: 800}},
	}, []dispatch.Scope{{Kind: dispatch.ScopeCircle}, {Kind: "incident"}, {}})
	return dispatch.IssueBOLO{
		Agency:      pick(g, "", agency),
		Kind:        field(g, []string{dispatch.BOLOPerson, dispatch.BOLOVehicle}, []string{"boat", ""}),
		Description: field(g, []string{"red sedan", " white male, 30s, grey hoodie ", "línea\ndos"}, []string{"", "\x01"}),
		Plate:       field(g, []string{"", "ABC 123", "il-4px22"}, []string{"--", strings.Repeat("9", dispatch.MaxBOLOPlate+1)}),
		Photos:      field(g, [][]string{nil, {strings.Repeat("ab", 32)}}, [][]string{{"xyz"}}),
		Priority:    field(g, []int{0, 1, 2, 3}, []int{-1, 4}),
		Area:        area,
		Expires:     now.Add(field(g, []time.Duration{time.Hour, 48 * time.Hour}, []time.Duration{0, -time.Minute, 100 * 24 * time.Hour})),
	}, actor
}
