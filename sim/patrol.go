package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// A PatrolUnit is what Patrol needs to know of a unit at a step: its status,
// its last known position (nil if none), while it is on an incident the
// incident's point, and the beat or district it patrols (Area; "" for the
// whole city).
type PatrolUnit struct {
	ID       string
	Status   string
	Last     *dispatch.Position
	Target   *[2]float64 // lat, lon of its incident
	Incident string
	Area     string
}

// A Patrol plays the demo city's AVL: it places each unit somewhere in its
// beat or district (the whole city for those that have none), then at each
// step drives the AVAILABLE units about their area — back to it first, after
// a call that took them out of it — those EN_ROUTE toward their incident and
// puts those ON_SCENE at it.
//
// A unit whose position was last reported by someone else — an officer's
// phone through POST /api/v1/units/positions — is left alone: a real device
// beats the simulation.
type Patrol struct {
	r       *rand.Rand
	city    box                  // the whole area
	areas   map[string]box       // districts and beats, by id
	wrote   map[string]time.Time // the time of the last position this patrol gave each unit
	heading map[string]float64   // radians, for AVAILABLE units
}

// A box is the extent of an area: latitudes from south to north,
// longitudes from west to east.
type box struct{ south, north, west, east float64 }

func boxOf(ps ...gridcity.Polygon) box {
	b := box{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, p := range ps {
		for _, pt := range p {
			b.south, b.north = min(b.south, pt[0]), max(b.north, pt[0])
			b.west, b.east = min(b.west, pt[1]), max(b.east, pt[1])
		}
	}
	return b
}

func (b box) has(lat, lon float64) bool {
	return lat >= b.south && lat <= b.north && lon >= b.west && lon <= b.east
}

// NewPatrol returns a patrol over the demo districts and beats
// (gridcity.ChicagoDistricts).
func NewPatrol(seed uint64) *Patrol {
	p := &Patrol{r: rand.New(rand.NewPCG(seed, seed^0x632be59bd9b4e019)), wrote: map[string]time.Time{}, heading: map[string]float64{},
		areas: map[string]box{}}
	d := gridcity.ChicagoDistricts()
	var all []gridcity.Polygon
	for _, a := range append(d.Districts, d.Beats...) {
		p.areas[a.ID] = boxOf(a.Boundary)
		all = append(all, a.Boundary)
	}
	p.city = boxOf(all...)
	return p
}

// area returns the box a unit patrols.
func (p *Patrol) area(u PatrolUnit) box {
	if b, ok := p.areas[u.Area]; ok {
		return b
	}
	return p.city
}

// Speeds of the simulated units, in metres a second of simulated time.
const (
	patrolSpeed   = 6.0  // about 20 km/h, looking around
	returnSpeed   = 10.0 // back to its beat, with the traffic
	responseSpeed = 14.0 // about 50 km/h through the grid
)

// Step returns the new positions of units after dt of simulated time, all
// stamped now: nothing for the units it leaves alone.
func (p *Patrol) Step(units []PatrolUnit, dt time.Duration, now time.Time) []dispatch.Position {
	var out []dispatch.Position
	for _, u := range units {
		if u.Last != nil && !u.Last.Time.Equal(p.wrote[u.ID]) {
			continue // reported by a device
		}
		var lat, lon float64
		home := p.area(u)
		switch {
		case u.Last == nil:
			lat = home.south + p.r.Float64()*(home.north-home.south)
			lon = home.west + p.r.Float64()*(home.east-home.west)
		case u.Target != nil && u.Status == dispatch.StatusEnRoute:
			lat, lon = toward(u.Last.Lat, u.Last.Lon, u.Target[0], u.Target[1], responseSpeed*dt.Seconds())
		case u.Target != nil && (u.Status == dispatch.StatusOnScene || u.Status == dispatch.StatusTransporting):
			lat, lon = u.Target[0], u.Target[1]
		case u.Status == dispatch.StatusAvailable && !home.has(u.Last.Lat, u.Last.Lon):
			// Back to its own beat after a call elsewhere.
			lat, lon = toward(u.Last.Lat, u.Last.Lon, (home.south+home.north)/2, (home.west+home.east)/2, returnSpeed*dt.Seconds())
		case u.Status == dispatch.StatusAvailable:
			h, ok := p.heading[u.ID]
			if !ok || p.r.Float64() < 0.2 {
				h = float64(p.r.IntN(4)) * math.Pi / 2 // the grid runs N–S and E–W
				p.heading[u.ID] = h
			}
			d := patrolSpeed * dt.Seconds()
			lat = u.Last.Lat + math.Cos(h)*d/metresPerDegree
			lon = u.Last.Lon + math.Sin(h)*d/(metresPerDegree*math.Cos(u.Last.Lat*math.Pi/180))
			if !home.has(lat, lon) {
				p.heading[u.ID] = h + math.Pi // turn back at the edge of the area
				lat, lon = u.Last.Lat, u.Last.Lon
			}
		default:
			continue // busy, out of service, dispatched: where it is
		}
		if u.Last != nil && metres(u.Last.Lat, u.Last.Lon, lat, lon) < minMove {
			continue // as an AVL box does, report a move, not a stand-still
		}
		out = append(out, dispatch.Position{Unit: u.ID, Lat: lat, Lon: lon, Time: now})
	}
	return out
}

// Wrote tells the patrol that positions were kept, so that it knows them
// for its own at the next step.
func (p *Patrol) Wrote(ps []dispatch.Position) {
	for _, pos := range ps {
		p.wrote[pos.Unit] = pos.Time
	}
}

const metresPerDegree = 111_320.0

// minMove is the least move, in metres, that the patrol reports.
const minMove = 1.0

// metres is the distance between two nearby points (equirectangular).
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	dy := (lat2 - lat1) * metresPerDegree
	dx := (lon2 - lon1) * metresPerDegree * math.Cos(lat1*math.Pi/180)
	return math.Hypot(dx, dy)
}

// toward moves from a point up to d metres toward another, along the grid:
// north–south first, then east–west.
func toward(lat, lon, tlat, tlon, d float64) (float64, float64) {
	dlat := (tlat - lat) * metresPerDegree
	if math.Abs(dlat) >= d {
		return lat + math.Copysign(d, dlat)/metresPerDegree, lon
	}
	d -= math.Abs(dlat)
	scale := metresPerDegree * math.Cos(tlat*math.Pi/180)
	dlon := (tlon - lon) * scale
	if math.Abs(dlon) >= d {
		return tlat, lon + math.Copysign(d, dlon)/scale
	}
	return tlat, tlon
}
