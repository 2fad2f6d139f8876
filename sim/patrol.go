package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// A PatrolUnit is what Patrol needs to know of a unit at a step: its status,
// its last known position (nil if none), and while it is on an incident the
// incident's point.
type PatrolUnit struct {
	ID       string
	Status   string
	Last     *dispatch.Position
	Target   *[2]float64 // lat, lon of its incident
	Incident string
}

// A Patrol plays the simulated city's AVL on a map: it places each unit on
// a street of its area (its beat or district of PlanOn, the whole map for
// the others) when it has no position, then at each step drives the
// AVAILABLE units along the streets of their area, turning back at its
// edge — back to it first, after a call that took them out of it — those
// EN_ROUTE toward their incident, and puts those ON_SCENE at it.
//
// A unit whose position was last reported by someone else — an officer's
// phone through POST /api/v1/units/positions — is left alone: a real device
// beats the simulation.
type Patrol struct {
	r     *rand.Rand
	m     *geo.Map
	proj  geo.Projection
	nodes []geo.Point
	edges []edge
	nets  map[area]*network
	units map[string]area // the planned units' areas (PlanOn)
	wrote map[string]time.Time
	walks map[string]*walk
}

// An edge is a piece of street between two vertices, by index of nodes.
type edge struct {
	a, b   int32
	metres float64
}

// A network is the streets of one area: its edges, and those at each node.
type network struct {
	edges []int32
	at    map[int32][]int32
	nodes []int32
}

func (n *network) add(e int32, ed edge) {
	n.edges = append(n.edges, e)
	for _, v := range []int32{ed.a, ed.b} {
		if _, ok := n.at[v]; !ok {
			n.nodes = append(n.nodes, v)
		}
		n.at[v] = append(n.at[v], e)
	}
}

// A walk is where a patrolling unit is on its area's streets: on edge,
// along metres from node from towards the other end; or, while back is
// set, on its way to node to, where its patrol begins again.
type walk struct {
	edge     int32
	from     int32
	along    float64
	back     bool
	to       int32
	lat, lon float64 // where the walk last put the unit
}

// NewPatrol returns a patrol of the units of PlanOn(m) over the streets of
// m that vehicles drive (geo.Street.Speed above 0), each piece of street in
// the area its middle lies in.
func NewPatrol(m *geo.Map, seed uint64) *Patrol {
	p := &Patrol{r: rand.New(rand.NewPCG(seed, seed^0x632be59bd9b4e019)), m: m, proj: m.Projection(),
		nets: map[area]*network{}, units: map[string]area{}, wrote: map[string]time.Time{}, walks: map[string]*walk{}}
	for _, u := range PlanOn(m) {
		p.units[u.ID()] = area{u.District, u.Beat}
	}
	zoned := len(districtsOf(m.Zones())) > 0
	type vertex = [2]int64
	index := map[vertex]int32{}
	node := func(pt geo.Point) int32 {
		v := vertex{int64(math.Round(pt.Lat * 1e7)), int64(math.Round(pt.Lon * 1e7))}
		i, ok := index[v]
		if !ok {
			i = int32(len(p.nodes))
			index[v] = i
			p.nodes = append(p.nodes, pt)
		}
		return i
	}
	net := func(a area) *network {
		n, ok := p.nets[a]
		if !ok {
			n = &network{at: map[int32][]int32{}}
			p.nets[a] = n
		}
		return n
	}
	for _, st := range m.Streets() {
		if st.Speed() <= 0 {
			continue
		}
		for _, l := range st.Lines {
			for j := 1; j < len(l); j++ {
				ed := edge{a: node(l[j-1]), b: node(l[j]), metres: p.proj.Metres(l[j-1], l[j])}
				if ed.a == ed.b || ed.metres == 0 {
					continue
				}
				e := int32(len(p.edges))
				p.edges = append(p.edges, ed)
				z, ok := m.ZoneAt((l[j-1].Lat+l[j].Lat)/2, (l[j-1].Lon+l[j].Lon)/2)
				switch {
				case ok && z.District != "":
					net(area{z.District, z.Beat}).add(e, ed)
					if z.Beat != "" {
						net(area{z.District, ""}).add(e, ed)
					}
					net(area{}).add(e, ed)
				case !zoned:
					net(area{}).add(e, ed)
				}
			}
		}
	}
	return p
}

// network returns the streets a unit patrols: its area's, or, where its
// area has none, its district's, then the whole map's.
func (p *Patrol) network(a area) (*network, area) {
	for _, c := range []area{a, {a.district, ""}, {}} {
		if n := p.nets[c]; n != nil && len(n.edges) > 0 {
			return n, c
		}
	}
	return nil, area{}
}

// in reports whether a point lies in area a.
func (p *Patrol) in(a area, lat, lon float64) bool {
	if a.district == "" {
		return true
	}
	z, ok := p.m.ZoneAt(lat, lon)
	return ok && a.holds(z)
}

// Speeds of the simulated units, in metres a second of simulated time.
const (
	patrolSpeed   = 6.0  // about 20 km/h, looking around
	returnSpeed   = 10.0 // back to its beat, with the traffic
	responseSpeed = 14.0 // about 50 km/h through the streets
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
		switch {
		case u.Last == nil:
			lat, lon = p.place(u.ID)
		case u.Target != nil && u.Status == dispatch.StatusEnRoute:
			delete(p.walks, u.ID)
			lat, lon = toward(u.Last.Lat, u.Last.Lon, u.Target[0], u.Target[1], responseSpeed*dt.Seconds())
		case u.Target != nil && (u.Status == dispatch.StatusOnScene || u.Status == dispatch.StatusTransporting):
			delete(p.walks, u.ID)
			lat, lon = u.Target[0], u.Target[1]
		case u.Status == dispatch.StatusAvailable:
			lat, lon = p.patrol(u.ID, u.Last.Lat, u.Last.Lon, dt)
		default:
			continue // busy, out of service, dispatched: where it is
		}
		if u.Last != nil && metres(u.Last.Lat, u.Last.Lon, lat, lon) < minMove {
			continue // as an AVL box does, report a move, not a stand-still
		}
		if w := p.walks[u.ID]; w != nil {
			w.lat, w.lon = lat, lon
		}
		out = append(out, dispatch.Position{Unit: u.ID, Lat: lat, Lon: lon, Time: now})
	}
	return out
}

// place puts a unit with no position on a street of its area, at random.
func (p *Patrol) place(id string) (float64, float64) {
	a := p.units[id]
	n, at := p.network(a)
	if n == nil {
		lo, hi := p.m.Bounds()
		return (lo.Lat + hi.Lat) / 2, (lo.Lon + hi.Lon) / 2 // no street to drive: the middle of the map
	}
	var w *walk
	for range 10 {
		e := n.edges[p.r.IntN(len(n.edges))]
		w = &walk{edge: e, from: p.edges[e].a, along: p.r.Float64() * p.edges[e].metres}
		if lat, lon := p.at(w); p.in(at, lat, lon) {
			break
		}
		w.along = p.edges[e].metres / 2 // the middle of an edge of the area is in it
	}
	p.walks[id] = w
	return p.at(w)
}

// patrol drives an AVAILABLE unit at lat, lon for dt: along its area's
// streets if its walk left it there, else back to the nearest node of its
// area first.
func (p *Patrol) patrol(id string, lat, lon float64, dt time.Duration) (float64, float64) {
	n, at := p.network(p.units[id])
	if n == nil {
		return lat, lon
	}
	w := p.walks[id]
	if w == nil || metres(w.lat, w.lon, lat, lon) >= minMove {
		// Moved by a call, or new to this patrol: to the nearest
		// node of its area, then on along its streets.
		w = &walk{back: true, to: p.nearest(n, lat, lon)}
		p.walks[id] = w
	}
	d := patrolSpeed * dt.Seconds()
	if w.back {
		if !p.in(at, lat, lon) {
			d = returnSpeed * dt.Seconds()
		}
		to := p.nodes[w.to]
		nlat, nlon := toward(lat, lon, to.Lat, to.Lon, d)
		if metres(nlat, nlon, to.Lat, to.Lon) >= minMove {
			return nlat, nlon
		}
		es := n.at[w.to]
		e := es[p.r.IntN(len(es))]
		*w = walk{edge: e, from: w.to}
		return to.Lat, to.Lon
	}
	saved := *w
	p.advance(n, w, d)
	nlat, nlon := p.at(w)
	if !p.in(at, nlat, nlon) {
		// Turn back at the edge of the area.
		*w = saved
		ed := p.edges[w.edge]
		w.from, w.along = other(ed, w.from), ed.metres-w.along
		return lat, lon
	}
	return nlat, nlon
}

// advance moves a walk d metres on along the network, choosing at random
// at each node among the other streets of the area there.
func (p *Patrol) advance(n *network, w *walk, d float64) {
	for range 1000 { // d is a step's worth: a few hundred metres at most
		ed := p.edges[w.edge]
		if w.along+d < ed.metres {
			w.along += d
			return
		}
		d -= ed.metres - w.along
		end := other(ed, w.from)
		next := w.edge
		if es := n.at[end]; len(es) > 1 {
			for next == w.edge {
				next = es[p.r.IntN(len(es))]
			}
		}
		w.edge, w.from, w.along = next, end, 0
	}
}

// at returns the point of a walk on its edge.
func (p *Patrol) at(w *walk) (float64, float64) {
	ed := p.edges[w.edge]
	a, b := p.nodes[w.from], p.nodes[other(ed, w.from)]
	t := w.along / ed.metres
	return a.Lat + t*(b.Lat-a.Lat), a.Lon + t*(b.Lon-a.Lon)
}

// other returns the end of ed that is not v.
func other(ed edge, v int32) int32 {
	if ed.a == v {
		return ed.b
	}
	return ed.a
}

// nearest returns the node of n nearest lat, lon.
func (p *Patrol) nearest(n *network, lat, lon float64) int32 {
	best, bd := n.nodes[0], math.Inf(1)
	for _, v := range n.nodes {
		if d := metres(lat, lon, p.nodes[v].Lat, p.nodes[v].Lon); d < bd {
			best, bd = v, d
		}
	}
	return best
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

// taxicab is the distance between two nearby points east–west plus
// north–south, in metres.
func taxicab(lat1, lon1, lat2, lon2 float64) float64 {
	dy := (lat2 - lat1) * metresPerDegree
	dx := (lon2 - lon1) * metresPerDegree * math.Cos(lat1*math.Pi/180)
	return math.Abs(dx) + math.Abs(dy)
}

// toward moves from a point up to d metres toward another, as a car on a
// grid of streets does: north–south first, then east–west.
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
