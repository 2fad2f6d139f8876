package sim

import (
	"fmt"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// A PlannedUnit is one unit of the demo city: its agency, call sign, kind
// and capabilities, and the area it patrols — a beat or a district of
// gridcity.ChicagoDistricts, or "" for a unit that works the whole city.
type PlannedUnit struct {
	Agency, CallSign, Kind string
	Capabilities           []string
	Area                   string
}

// ID is the unit's id (dispatch.UnitID).
func (u PlannedUnit) ID() string { return dispatch.UnitID(u.Agency, u.CallSign) }

// Per-district strength of Metro PD: two patrol cars to each of a
// district's four beats and a sergeant for the district.
const (
	carsPerBeat = 2
	beats       = 4
)

// Plan returns the demo city's units, about 300: Metro PD's patrol cars,
// two to each of the 100 beats of its 25 districts (call sign 1A, the
// district's number and the car's: 1A11 to 1A18 in district 01, 1A251 to
// 1A258 in district 25), a sergeant per district (2S11 … 2S251), 20
// traffic units each about one district, and K9 and tactical units for the
// whole city; and the sheriff's, the state police's and the federal
// patrol's units, which work the whole area.
func Plan() []PlannedUnit {
	var out []PlannedUnit
	add := func(agency, cs, kind string, caps []string, area string) {
		out = append(out, PlannedUnit{Agency: agency, CallSign: cs, Kind: kind, Capabilities: caps, Area: area})
	}
	ds := gridcity.ChicagoDistricts().Districts
	for i, d := range ds {
		n := i + 1
		for k := 1; k <= carsPerBeat*beats; k++ {
			add("metro", fmt.Sprintf("1A%d%d", n, k), "patrol", nil, fmt.Sprintf("%s%d", d.ID, (k-1)/carsPerBeat+1))
		}
	}
	for i, d := range ds {
		add("metro", fmt.Sprintf("2S%d1", i+1), "sergeant", []string{"supervisor"}, d.ID)
	}
	// Traffic units spread over the city: one to every fifth district,
	// then the next, so that neighbours are not doubled up.
	for i := range 20 {
		d := ds[(i*5)%len(ds)+i/5]
		add("metro", fmt.Sprintf("3T%d", 11+i), "traffic", []string{"traffic-control"}, d.ID)
	}
	for i := range 6 {
		add("metro", fmt.Sprintf("4K%d", 11+i), "k9", []string{"k9"}, "")
	}
	for i := range 10 {
		add("metro", fmt.Sprintf("5X%d", 11+i), "tactical", []string{"tactical"}, "")
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
			add(p.agency, fmt.Sprintf("%s%d", p.prefix, 10+i), p.kind, p.caps, "")
		}
	}
	return append(out, firePlan()...) // the fire department's (fire.go)
}

// areas maps each planned unit's id to its area.
var areas = func() map[string]string {
	m := map[string]string{}
	for _, u := range Plan() {
		m[u.ID()] = u.Area
	}
	return m
}()

// Area returns the area (beat or district id) a demo unit patrols, or ""
// for a unit that works the whole city or is not the demo's.
func Area(unit string) string { return areas[strings.ToLower(unit)] }
