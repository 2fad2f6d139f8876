package sim

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// FireAgency is the demo city's fire and EMS department.
const FireAgency = "cfd"

// A station is one fire station of the simulated city: the district it
// stands in (by index of the map's districts, modulo their number) and its
// apparatus. An engine and an ambulance of a station marked crossStaffed
// share one crew.
type station struct {
	n            int // the station's number: E<n>, T<n>, A<n>
	district     int
	truck, amb   bool
	crossStaffed bool
}

// stations are the fire department's six stations, spread over the
// districts: an engine each, trucks at two, ambulances at four, of which
// two are cross-staffed with the station's engine. Two battalion chiefs
// cover the first and the second half of the districts.
var stations = []station{
	{n: 1, district: 0, truck: true, amb: true},
	{n: 2, district: 4, amb: true, crossStaffed: true},
	{n: 3, district: 9},
	{n: 4, district: 14, truck: true, amb: true},
	{n: 5, district: 19, amb: true, crossStaffed: true},
	{n: 6, district: 23},
}

// firePlan returns the fire department's units, each about its station's
// district of ds (the whole city where there are none): engines E1…E6,
// trucks T1 and T4, ambulances A1, A2, A4, A5 (paramedic: als) and chiefs
// B1 and B2.
func firePlan(ds []district) []PlannedUnit {
	at := func(i int) string {
		if len(ds) == 0 {
			return ""
		}
		return ds[i%len(ds)].id
	}
	var out []PlannedUnit
	for _, s := range stations {
		d := at(s.district)
		out = append(out, PlannedUnit{Agency: FireAgency, CallSign: fmt.Sprintf("E%d", s.n), Kind: "engine", Capabilities: []string{"ems-first-responder"}, District: d})
		if s.truck {
			out = append(out, PlannedUnit{Agency: FireAgency, CallSign: fmt.Sprintf("T%d", s.n), Kind: "truck", Capabilities: []string{"rescue"}, District: d})
		}
		if s.amb {
			out = append(out, PlannedUnit{Agency: FireAgency, CallSign: fmt.Sprintf("A%d", s.n), Kind: "ambulance", Capabilities: []string{"als"}, District: d})
		}
	}
	for i, d := range []int{2, 16} {
		out = append(out, PlannedUnit{Agency: FireAgency, CallSign: fmt.Sprintf("B%d", i+1), Kind: "chief", District: at(d)})
	}
	return out
}

// FireRunCards are the demo fire department's run cards: a structure fire
// gets three engines, a truck and a chief (four engines at night, when a
// fire is found later and burns harder), a medical call an ambulance, a
// traffic collision an engine and an ambulance, a vehicle fire an engine.
var FireRunCards = dispatch.RunCards{TimeZone: "America/Chicago", Cards: []dispatch.RunCard{
	{Name: "Structure fire", Zone: "*", Type: "FIRE_STRUCTURE",
		Slots: []dispatch.Slot{{Kind: "engine", Count: 3}, {Kind: "truck", Count: 1}, {Kind: "chief", Count: 1}}},
	{Name: "Structure fire, night", Zone: "*", Type: "FIRE_STRUCTURE", Hours: &dispatch.Hours{From: "22:00", To: "06:00"},
		Slots: []dispatch.Slot{{Kind: "engine", Count: 4}, {Kind: "truck", Count: 1}, {Kind: "chief", Count: 1}}},
	{Name: "Medical", Zone: "*", Type: "MEDICAL", Slots: []dispatch.Slot{{Kind: "ambulance", Count: 1}}},
	{Name: "Vehicle accident", Zone: "*", Type: "TRAFFIC_COLLISION",
		Slots: []dispatch.Slot{{Kind: "engine", Count: 1}, {Kind: "ambulance", Count: 1}}},
	{Name: "Vehicle fire", Zone: "*", Type: "FIRE_VEHICLE", Slots: []dispatch.Slot{{Kind: "engine", Count: 1}}},
}}

// setupFire signs the fire department's crews on, for a day from now: two
// firefighters (users cfd-ff<station><seat>, officers) on each engine,
// truck and ambulance, one on each chief's car; a cross-staffed engine and
// ambulance share theirs. Then its run cards.
func setupFire(ctx context.Context, exec Executor, now time.Time) error {
	start, end := now.Add(-time.Hour), now.Add(23*time.Hour)
	crew := func(unit string, seats int) error {
		var names []string
		for i := 1; i <= seats; i++ {
			name := fmt.Sprintf("cfd-ff-%s-%d", unit, i)
			if err := exec(ctx, Actor, dispatch.CreateUser{Username: name, Agency: FireAgency, Roles: []string{dispatch.RoleOfficer}}); err != nil {
				return fmt.Errorf("demo firefighter %s: %w", name, err)
			}
			names = append(names, name)
		}
		if err := exec(ctx, Actor, dispatch.SignOn{Unit: dispatch.UnitID(FireAgency, unit), Crew: names, Start: start, End: end}); err != nil {
			return fmt.Errorf("demo sign-on %s: %w", unit, err)
		}
		return nil
	}
	for _, s := range stations {
		e := fmt.Sprintf("e%d", s.n)
		if err := crew(e, 2); err != nil {
			return err
		}
		if s.truck {
			if err := crew(fmt.Sprintf("t%d", s.n), 2); err != nil {
				return err
			}
		}
		switch {
		case s.amb && s.crossStaffed:
			c := dispatch.CrossStaff{Unit: dispatch.UnitID(FireAgency, e), Partner: dispatch.UnitID(FireAgency, fmt.Sprintf("a%d", s.n))}
			if err := exec(ctx, Actor, c); err != nil {
				return fmt.Errorf("demo cross-staffing %s: %w", e, err)
			}
		case s.amb:
			if err := crew(fmt.Sprintf("a%d", s.n), 2); err != nil {
				return err
			}
		}
	}
	for _, b := range []string{"b1", "b2"} {
		if err := crew(b, 1); err != nil {
			return err
		}
	}
	if err := exec(ctx, Actor, dispatch.SetRunCards{Agency: FireAgency, RunCards: FireRunCards}); err != nil {
		return fmt.Errorf("demo run cards: %w", err)
	}
	return nil
}

// fireResponse is what the simulator's dispatcher sends to a fire
// department call, by kind, as the run cards ask (the day's structure
// fire card); a type with no card gets an engine.
func fireResponse(typ string) []dispatch.Slot {
	for _, c := range FireRunCards.Cards {
		if c.Type == typ && c.Hours == nil {
			return c.Slots
		}
	}
	return []dispatch.Slot{{Kind: "engine", Count: 1}}
}

// chooseFire picks the units for a fire department call: for each slot of
// its response, the nearest free units of the slot's kind. A call for
// which none is free waits; one that some are free for gets those.
func chooseFire(free []FreeUnit, w *waiting) []FreeUnit {
	dist := func(u FreeUnit) float64 { return w.metresTo(u) }
	var out []FreeUnit
	for _, sl := range fireResponse(w.typ) {
		var of []FreeUnit
		for _, u := range free {
			if u.Kind == sl.Kind {
				of = append(of, u)
			}
		}
		sort.SliceStable(of, func(i, j int) bool { return dist(of[i]) < dist(of[j]) })
		out = append(out, of[:min(sl.Count, len(of))]...)
	}
	return out
}
