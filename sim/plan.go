package sim

import (
	"fmt"
	"strconv"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// A PlannedUnit is one unit of the simulated city: its agency, call sign,
// kind and capabilities, and the area it patrols on the map: a beat of a
// district, a whole district (Beat ""), or the whole map (District and
// Beat "").
type PlannedUnit struct {
	Agency, CallSign, Kind string
	Capabilities           []string
	District, Beat         string
}

// ID is the unit's id (dispatch.UnitID).
func (u PlannedUnit) ID() string { return dispatch.UnitID(u.Agency, u.CallSign) }

// carsPerBeat is Metro PD's strength: two patrol cars to each beat, and a
// sergeant for each district.
const carsPerBeat = 2

// Plan returns the units of the demo city, PlanOn of the generated map
// (gridcity.DemoMap): about 300, two patrol cars to each of the 100 beats
// of its 25 districts (1A11 to 1A18 in district 01, 1A251 to 1A258 in
// district 25), a sergeant per district, 20 traffic units, and the other
// agencies' units.
func Plan() []PlannedUnit { return PlanOn(demoMap()) }

// PlanOn returns the simulated city's units on map m, each district of its
// zones (m.Zones(), in the order of the file) numbered from 1: Metro PD's
// patrol cars, two to each beat of each district (call sign 1A, the
// district's number and the car's: 1A11, 1A12 to the first beat of
// district 1, 1A13, 1A14 to its second; the car's number takes two digits
// where a district has ten cars or more, so that call signs stay
// distinct), two to a district without beats, a sergeant per district
// (2S11 …), traffic units spread over the districts (at most 20), and K9
// and tactical units for the whole city; the sheriff's, the state
// police's and the federal patrol's units, which work the whole area; and
// the fire department's (fire.go). A map without districts gets ten
// patrol cars for the whole city. The same map always gives the same plan.
func PlanOn(m *geo.Map) []PlannedUnit {
	return plan(districtsOf(m.Zones()))
}

func plan(ds []district) []PlannedUnit {
	var out []PlannedUnit
	add := func(agency, cs, kind string, caps []string, a area) {
		out = append(out, PlannedUnit{Agency: agency, CallSign: cs, Kind: kind, Capabilities: caps, District: a.district, Beat: a.beat})
	}
	width := 1
	for _, d := range ds {
		if carsPerBeat*max(len(d.beats), 1) >= 10 {
			width = 2
		}
	}
	for i, d := range ds {
		beats := d.beats
		if len(beats) == 0 {
			beats = []string{""} // the district is its own beat
		}
		car := 0
		for _, b := range beats {
			for range carsPerBeat {
				car++
				add("metro", fmt.Sprintf("1A%d%0*d", i+1, width, car), "patrol", nil, area{d.id, b})
			}
		}
	}
	if len(ds) == 0 {
		for i := range 10 {
			add("metro", "1A"+strconv.Itoa(11+i), "patrol", nil, area{})
		}
	}
	for i, d := range ds {
		add("metro", fmt.Sprintf("2S%d1", i+1), "sergeant", []string{"supervisor"}, area{d.id, ""})
	}
	// Traffic units spread over the city: one to every fifth district,
	// then the next, so that neighbours are not doubled up.
	if n := len(ds); n > 0 {
		for i := range max(2, min(20, n*4/5)) {
			add("metro", fmt.Sprintf("3T%d", 11+i), "traffic", []string{"traffic-control"}, area{ds[((i*5)%n+i/5)%n].id, ""})
		}
	}
	for i := range 6 {
		add("metro", fmt.Sprintf("4K%d", 11+i), "k9", []string{"k9"}, area{})
	}
	for i := range 10 {
		add("metro", fmt.Sprintf("5X%d", 11+i), "tactical", []string{"tactical"}, area{})
	}
	for _, p := range []struct {
		agency, prefix, kind string
		n                    int
		caps                 []string
	}{
		{"sheriff", "S", "patrol", 16, nil},
		{"sheriff", "SK", "k9", 2, []string{"k9"}},
		{"sheriff", "SG", "sergeant", 2, []string{"supervisor"}},
		{"state", "SP", "patrol", 10, nil},
		{"state", "ST", "traffic", 4, []string{"traffic-control"}},
		{"federal", "FP", "patrol", 6, nil},
		{"federal", "FT", "tactical", 2, []string{"tactical"}},
	} {
		for i := 1; i <= p.n; i++ {
			add(p.agency, fmt.Sprintf("%s%d", p.prefix, 10+i), p.kind, p.caps, area{})
		}
	}
	return append(out, firePlan(ds)...) // the fire department's (fire.go)
}
