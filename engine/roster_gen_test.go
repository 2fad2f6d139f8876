package engine_test

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// rosterCommand returns a random command of the roster or of run cards and
// who gives it: sign-ons (valid crews of the unit's agency and not), sign-
// offs, cross-staffing links and unlinks, and run-card sets, mostly by a
// supervisor of the agency concerned, now and then by anyone.
func (g gen) rosterCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	sup := dispatch.RoleSupervisor
	u := g.unit(s)
	agency := g.agency()
	if unit, ok := s.Units[u]; ok {
		agency = unit.Agency
	}
	switch g.r.IntN(6) {
	case 0, 1:
		// Mostly a unit of an agency with users.
		for _, c := range s.UnitList("") {
			if g.r.IntN(3) == 0 && slices.ContainsFunc(slices.Collect(maps.Values(s.Users)), func(x *dispatch.User) bool { return x.Agency == c.Agency }) {
				u, agency = c.ID, c.Agency
				break
			}
		}
		var crew []string
		for _, usr := range s.Users {
			if usr.Agency == agency && g.r.IntN(3) == 0 && len(crew) < 3 {
				crew = append(crew, usr.Username)
			}
		}
		if g.r.IntN(8) == 0 {
			crew = append(crew, pick(g, "nobody", "root"))
		}
		start := now.Add(-time.Duration(g.r.IntN(120)) * time.Minute)
		end := start.Add(time.Duration(field(g, []int{4, 8, 12, 24}, []int{0, -1, 30})) * time.Hour)
		return dispatch.SignOn{Unit: u, Crew: crew, Start: start, End: end,
			Capabilities: field(g, [][]string{nil, {"als"}, {"hazmat", "rescue"}}, [][]string{{"ALS"}})}, g.actorOf(agency, sup, sup, dispatch.RoleOfficer, dispatch.RoleDispatcher)
	case 2:
		// Mostly a unit with a crew.
		for _, c := range s.UnitList("") {
			if c.Staffing == dispatch.StaffingStaffed && g.r.IntN(3) > 0 {
				u, agency = c.ID, c.Agency
				break
			}
		}
		return dispatch.SignOff{Unit: u}, g.actorOf(agency, sup, sup, dispatch.RoleOfficer)
	case 3, 4:
		partner := ""
		if g.r.IntN(4) > 0 {
			partner = g.unit(s)
			// Mostly a free unit of the same agency.
			for _, c := range s.UnitList(agency) {
				if c.ID != u && c.CrossStaffed == "" && c.Incident == "" && c.Status == dispatch.StatusAvailable && g.r.IntN(2) == 0 {
					partner = c.ID
					break
				}
			}
		}
		return dispatch.CrossStaff{Unit: u, Partner: partner}, g.actorOf(agency, sup, sup, dispatch.RoleDispatcher)
	}
	card := dispatch.RunCard{Name: "structure fire", Zone: pick(g, "*", "9", "91"),
		Type:  field(g, []string{"FIRE_STRUCTURE", "MEDICAL"}, []string{"UFO"}),
		Slots: []dispatch.Slot{{Kind: "engine", Count: field(g, []int{1, 3}, []int{0, 11})}, {Kind: "truck", Count: 1}}}
	if g.r.IntN(3) == 0 {
		card.Hours = &dispatch.Hours{From: field(g, []string{"22:00"}, []string{"24:00"}), To: "06:00"}
	}
	if g.r.IntN(3) == 0 {
		card.Near = &dispatch.Near{Text: "tower", Lat: 41.88, Lon: -87.63, RadiusM: field(g, []int{100, 500}, []int{0, 9000})}
	}
	rc := dispatch.RunCards{TimeZone: field(g, []string{"", "America/Chicago"}, []string{"Mars/Base"}), Cards: []dispatch.RunCard{card}}
	if g.r.IntN(6) == 0 {
		rc.Cards = nil
	}
	return dispatch.SetRunCards{Agency: agency, RunCards: rc}, g.actorOf(agency, sup, sup, dispatch.RoleAdmin, dispatch.RoleDispatcher)
}

// TestRosterRoundTripProperty is TestRoundTripProperty for the roster and
// run cards: random commands of gen.step, a third of them of the roster
// (rosterCommand), decided with cross-staffing (dispatch.Decide), every
// accepted event through the log's encoding and back into a second state;
// the two states must be equal. It stands apart so that the other
// generators' sequences, and the thresholds their test checks, stay as
// they were.
func TestRosterRoundTripProperty(t *testing.T) {
	const seeds, commands = 4, 1500
	byCommand := map[string]*[2]int{}
	types := map[string]int{}
	for seed := range uint64(seeds) {
		g := gen{rand.New(rand.NewPCG(seed, 808))}
		live, replayed := dispatch.NewState(), dispatch.NewState()
		at := time.Date(2026, 6, 1, 16, 0, 0, 0, time.UTC)
		var seq int64
		for range commands {
			at = at.Add(time.Duration(g.r.Int64N(int64(2 * time.Minute))))
			cmd, actor := g.step(live, at)
			if g.r.IntN(3) == 0 {
				cmd, actor = g.rosterCommand(live, at)
			}
			name := fmt.Sprintf("%T", cmd)
			if byCommand[name] == nil {
				byCommand[name] = new([2]int)
			}
			evs, err := dispatch.Decide(live, cmd, actor, at)
			if err != nil {
				var de *dispatch.Error
				if !errors.As(err, &de) || de.Code == dispatch.EINTERNAL {
					t.Fatalf("%#v.Decide = %v (%T), want a domain error", cmd, err, err)
				}
				byCommand[name][1]++
				continue
			}
			byCommand[name][0]++
			for _, ev := range evs {
				if err := live.Apply(ev); err != nil {
					t.Fatalf("Apply(decided %s %v) = %v", ev.Type, ev.Subject, err)
				}
				if d, ok := ev.Data.(*dispatch.UnitStatusChanged); ok && d.Reason != "" {
					types["cross-staffed status change"]++
				}
				types[ev.Type]++
				back := roundTrip(t, seq, ev)
				want := ev
				want.Time = ev.Time.UTC()
				if !reflect.DeepEqual(back, want) {
					t.Fatalf("event %d through the log = %+v (data %#v), want %+v (data %#v)", seq, back, back.Data, want, want.Data)
				}
				if err := replayed.Apply(back); err != nil {
					t.Fatalf("Apply(replayed %s %v) = %v", back.Type, back.Subject, err)
				}
				seq++
			}
		}
		normalise(live)
		normalise(replayed)
		if !reflect.DeepEqual(replayed, live) {
			t.Fatalf("seed %d: state replayed from %d events differs from the live state:\n%s", seed, seq, diffState(replayed, live))
		}
	}
	t.Logf("events by type %v", types)
	for _, name := range []string{"dispatch.SignOn", "dispatch.SignOff", "dispatch.CrossStaff", "dispatch.SetRunCards"} {
		if n := byCommand[name]; n == nil || n[0] < 5 || n[1] < 5 {
			t.Errorf("%s: accepted and refused %v times over %d seeds, want at least 5 of each", name, n, seeds)
		}
	}
	for _, typ := range []string{dispatch.TypeUnitSignedOn, dispatch.TypeUnitSignedOff, dispatch.TypeUnitCrossStaffed, dispatch.TypeRunCardsSet, "cross-staffed status change"} {
		if types[typ] < 3 {
			t.Errorf("%d %s events, want at least 3", types[typ], typ)
		}
	}
}
