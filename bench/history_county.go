package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tenfour-cad/tenfour/bench/synthcity"
	"github.com/tenfour-cad/tenfour/dispatch"
)

// The county of BuildHistory: twenty agencies over the synthetic city of
// bench/synthcity (a 20 km square), 1,500 units, and 50,000 addresses that
// calls come from, a few of them far more often than the rest — a shopping
// centre, a hospital, a bar — as a real county's calls are.
const (
	countyAddresses = 50_000
	countyUnits     = 1500
	// policeGrid is the side of the grid of police areas: 16 agencies, the
	// outer corners sheriffs, the rest municipal police.
	policeGrid = 4
	// The shares of the calls: the local police area takes most; the state
	// police, two fire departments (north and south) and a county EMS
	// agency the rest. Units go in the same proportions.
	policeShare = 0.68
	stateShare  = 0.04
	fireShare   = 0.14
	emsShare    = 0.14
)

// A histAgency is one agency of the county, with its units and a pool of
// those free to send.
type histAgency struct {
	id, name, kind string
	mix            []weightedType
	unitKinds      []string // drawn in turn
	units          []string
	// want is how many units an incident of it gets: 1, 2 or 3 by these
	// weights.
	want [3]float64

	mu   sync.Mutex
	free []string
}

// take removes up to n units from the free pool.
func (a *histAgency) take(n int) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	n = min(n, len(a.free))
	out := slices.Clone(a.free[len(a.free)-n:])
	a.free = a.free[:len(a.free)-n]
	return out
}

// give returns units to the free pool once they are AVAILABLE.
func (a *histAgency) give(units ...string) {
	a.mu.Lock()
	a.free = append(a.free, units...)
	a.mu.Unlock()
}

type weightedType struct {
	code string
	w    float64
}

// histAddress is a place calls come from: an address point of the map.
type histAddress struct {
	text     string
	lat, lon float64
	police   int // index of its police agency
	fire     int // index of its fire department
}

// county is what BuildHistory builds and the measure asks: its agencies,
// and its addresses with their popularity.
type county struct {
	agencies []*histAgency
	byID     map[string]*histAgency
	state    int // index of the state police
	ems      int
	addrs    []histAddress
	cum      []float64 // cumulative popularity of addrs, ending at 1
}

var (
	policeMix = []weightedType{{"DISTURBANCE", 140}, {"SUSPICIOUS", 110}, {"TRAFFIC_COLLISION", 85}, {"ALARM", 80}, {"THEFT", 80},
		{"WELFARE_CHECK", 65}, {"NOISE", 70}, {"PARKING", 55}, {"DOMESTIC", 60}, {"TRAFFIC_HAZARD", 40}, {"BURGLARY", 35},
		{"ASSAULT", 35}, {"VEHICLE_THEFT", 30}, {"ROBBERY", 15}, {"MISSING_PERSON", 12}, {"SHOOTING", 7}, {"STABBING", 4}}
	stateMix = []weightedType{{"TRAFFIC_COLLISION", 45}, {"TRAFFIC_HAZARD", 30}, {"SUSPICIOUS", 8}, {"VEHICLE_THEFT", 5}, {"DISTURBANCE", 3}}
	fireMix  = []weightedType{{"MEDICAL", 40}, {"TRAFFIC_COLLISION", 18}, {"ALARM", 20}, {"FIRE_STRUCTURE", 8}, {"FIRE_VEHICLE", 6}}
	emsMix   = []weightedType{{"MEDICAL", 90}, {"TRAFFIC_COLLISION", 10}}
)

// newCounty makes the county, the same for the same seed: its agencies and
// units (not yet created in any engine) and its addresses.
func newCounty(seed uint64) *county {
	c := &county{byID: map[string]*histAgency{}}
	add := func(a *histAgency, share float64) {
		n := int(math.Round(share * countyUnits))
		for i := range n {
			a.units = append(a.units, dispatch.UnitID(a.id, fmt.Sprintf("%s%d", strings.ToUpper(a.unitKinds[i%len(a.unitKinds)][:1]), 100+i)))
		}
		a.free = slices.Clone(a.units)
		c.byID[a.id] = a
		c.agencies = append(c.agencies, a)
	}
	for i := range policeGrid * policeGrid {
		x, y := i%policeGrid, i/policeGrid
		a := &histAgency{id: fmt.Sprintf("pd%02d", i+1), name: fmt.Sprintf("Police Area %d", i+1), kind: "municipal_police",
			mix: policeMix, unitKinds: []string{"patrol", "patrol", "patrol", "patrol", "patrol", "sergeant", "traffic"}, want: [3]float64{40, 45, 15}}
		if (x == 0 || x == policeGrid-1) && (y == 0 || y == policeGrid-1) {
			a.id, a.name, a.kind = fmt.Sprintf("so%02d", i+1), fmt.Sprintf("Sheriff District %d", i+1), "sheriff"
		}
		add(a, policeShare/(policeGrid*policeGrid))
	}
	c.state = len(c.agencies)
	add(&histAgency{id: "state", name: "State Police", kind: "state_police", mix: stateMix, unitKinds: []string{"patrol"}, want: [3]float64{70, 25, 5}}, stateShare)
	add(&histAgency{id: "fire-north", name: "North Fire", kind: "fire_ems", mix: fireMix, unitKinds: []string{"engine", "engine", "truck", "ambulance"}, want: [3]float64{20, 50, 30}}, fireShare/2)
	add(&histAgency{id: "fire-south", name: "South Fire", kind: "fire_ems", mix: fireMix, unitKinds: []string{"engine", "engine", "truck", "ambulance"}, want: [3]float64{20, 50, 30}}, fireShare/2)
	c.ems = len(c.agencies)
	add(&histAgency{id: "ems", name: "County EMS", kind: "fire_ems", mix: emsMix, unitKinds: []string{"ambulance"}, want: [3]float64{75, 25, 0}}, emsShare)
	c.addresses(seed)
	return c
}

// addresses draws the county's addresses from the synthetic map's address
// points and gives them a popularity that falls as a power of their rank,
// so that the busiest address has about 0.4 % of all calls (4,000 a year
// at a million) and the median one about one in 120,000.
func (c *county) addresses(seed uint64) {
	points := synthcity.Map(4 * countyAddresses).Addresses
	r := rand.New(rand.NewPCG(seed, 0xadd7))
	r.Shuffle(len(points), func(i, j int) { points[i], points[j] = points[j], points[i] })
	points = points[:countyAddresses]
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range points {
		minLat, maxLat, minLon, maxLon = min(minLat, p.Lat), max(maxLat, p.Lat), min(minLon, p.Lon), max(maxLon, p.Lon)
	}
	cell := func(v, lo, hi float64, n int) int { return min(n-1, int((v-lo)/(hi-lo+1e-12)*float64(n))) }
	c.addrs = make([]histAddress, len(points))
	c.cum = make([]float64, len(points))
	total := 0.0
	for i, p := range points {
		x, y := cell(p.Lon, minLon, maxLon, policeGrid), cell(p.Lat, minLat, maxLat, policeGrid)
		fire := c.ems - 2 // north
		if cell(p.Lat, minLat, maxLat, 2) == 0 {
			fire = c.ems - 1 // south
		}
		c.addrs[i] = histAddress{text: p.Number + " " + p.Street, lat: p.Lat, lon: p.Lon, police: y*policeGrid + x, fire: fire}
		total += math.Pow(float64(i+10), -0.8)
		c.cum[i] = total
	}
	for i := range c.cum {
		c.cum[i] /= total
	}
}

// drawAddress returns the index of a call's address, by popularity.
func (c *county) drawAddress(r *rand.Rand) int {
	return min(len(c.cum)-1, sort.SearchFloat64s(c.cum, r.Float64()))
}

// drawCall returns the agency and the type of a call at address i.
func (c *county) drawCall(r *rand.Rand, i int) (*histAgency, string) {
	a := c.agencies[c.addrs[i].police]
	switch p := r.Float64(); {
	case p < stateShare:
		a = c.agencies[c.state]
	case p < stateShare+fireShare:
		a = c.agencies[c.addrs[i].fire]
	case p < stateShare+fireShare+emsShare:
		a = c.agencies[c.ems]
	}
	total := 0.0
	for _, t := range a.mix {
		total += t.w
	}
	x := r.Float64() * total
	for _, t := range a.mix {
		if x -= t.w; x < 0 {
			return a, t.code
		}
	}
	return a, a.mix[len(a.mix)-1].code
}

// wanted returns how many units an incident of a gets.
func (a *histAgency) wanted(r *rand.Rand) int {
	x := r.Float64() * (a.want[0] + a.want[1] + a.want[2])
	for i, w := range a.want {
		if x -= w; x < 0 {
			return i + 1
		}
	}
	return 1
}

// Actors of the county: each agency's call-taker, dispatcher and
// supervisor, as the API would name them.
func callTaker(agency string) dispatch.Actor {
	return dispatch.Actor{User: "ct-" + agency, Agency: agency, Role: dispatch.RoleCallTaker}
}
func dispatcherOf(agency string) dispatch.Actor {
	return dispatch.Actor{User: "disp-" + agency, Agency: agency, Role: dispatch.RoleDispatcher}
}
func supervisorOf(agency string) dispatch.Actor {
	return dispatch.Actor{User: "sup-" + agency, Agency: agency, Role: dispatch.RoleSupervisor}
}

// Words of the free text a county writes: callers' names, narratives and
// notes, varied enough that no two leaves are alike.
var (
	firstNames = []string{"Maria", "James", "Aisha", "Wei", "Olga", "Diego", "Fatima", "John", "Priya", "Tomasz", "Grace", "Kwame"}
	lastNames  = []string{"Garcia", "Smith", "Khan", "Chen", "Novak", "Lopez", "Haddad", "Brown", "Patel", "Kowalski", "Okafor", "Meyer"}
	noteWords  = []string{"caller", "advises", "subject", "left", "northbound", "on foot", "wearing", "dark", "jacket", "vehicle", "plate",
		"partial", "no injuries", "reported", "neighbour", "states", "heard", "shouting", "units", "checked", "area", "negative", "contact",
		"complainant", "requests", "callback", "scene", "secure", "ambulance", "declined", "transport", "witness", "statement", "taken"}
)

func personName(r *rand.Rand) string {
	return firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
}

func phone(r *rand.Rand) string { return fmt.Sprintf("555-%04d", r.IntN(10000)) }

// sentence returns free text of between lo and hi words.
func sentence(r *rand.Rand, lo, hi int) string {
	n := lo + r.IntN(hi-lo+1)
	w := make([]string, n)
	for i := range w {
		w[i] = noteWords[r.IntN(len(noteWords))]
	}
	return strings.ToUpper(w[0][:1]) + strings.Join(w, " ")[1:] + "."
}
