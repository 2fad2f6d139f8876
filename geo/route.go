package geo

import (
	"math"
	"sync"
)

// Drive time over a centre's street centerlines.
//
// A Graph joins the lines of a map's streets where they share a vertex, as
// TIGER/Line and the GIS offices that follow it split features at every
// real intersection: two lines that cross with no shared vertex pass over
// one another (a bridge, an overpass) and do not meet. Every way is
// driven both ways, since the map format carries no one-way data; a way no
// vehicle drives (Street.Speed 0) is left out.

const (
	// SnapMetres is how far a point may lie from the nearest drivable way
	// and still be reached: a unit or a place farther from every street is
	// off the map, and TravelTo reports it unreachable.
	SnapMetres = 1000
	// JoinMetres is how close two vertices must be to be one junction:
	// coordinates rounded to seven decimals (a centimetre) or digitised
	// twice still meet, two vertices of a real street's width do not.
	JoinMetres = 0.5
	// MaxTravelSeconds bounds a search: a point not reached within an
	// hour of driving is reported unreachable, so that one unit cut off
	// (on an island, across a closed river) does not make a query walk
	// the whole map.
	MaxTravelSeconds = 3600
)

// LocalSpeedMPH is the speed, in miles an hour, of the straight legs
// between a point and the nearest way: a local street's
// (ClassSpeedMPH("")), since that is what a driveway or a car park leads
// to.
var LocalSpeedMPH, _ = ClassSpeedMPH("")

const mph = 0.44704 // metres a second in a mile an hour

// A Travel is a drive between two points: its length along the streets, in
// metres, and its time, in seconds. OK is false when no drive was found (a
// point off the map, or none within MaxTravelSeconds); the figures are
// then zero.
type Travel struct {
	Metres, Seconds float64
	OK              bool
}

// A Graph is the street network of a map, for drive times. It is immutable
// once built and safe for concurrent use.
type Graph struct {
	proj  Projection
	x, y  []float64 // node positions, metres on proj
	start []int32   // node i's half-edges are half[start[i]:start[i+1]]
	half  []halfEdge
	edges []edge
	// cells is a static index of the edges: for each square of edgeCell
	// metres, the edges whose bounding box meets it.
	cells   map[cellKey][]int32
	scratch sync.Pool
}

type halfEdge struct {
	to   int32
	edge int32
}

type edge struct {
	a, b            int32
	metres, seconds float64
}

// edgeCell is the side of the edge index's squares, in metres: about a
// city block, so that a point on a street finds it in its own square or
// the next.
const edgeCell = 125

// NewGraph builds the graph of streets on proj, a local projection around
// the map's middle (NewProjection). Each pair of consecutive vertices of a
// drivable line is an edge, driven both ways at the street's Speed.
func NewGraph(streets []Street, proj Projection) *Graph {
	g := &Graph{proj: proj, cells: make(map[cellKey][]int32)}
	// Vertices within JoinMetres are one node: they are found through a
	// hash of squares JoinMetres on a side, looking in the 3×3 around.
	joins := make(map[cellKey][]int32)
	node := func(p Point) int32 {
		x, y := proj.XY(p.Lat, p.Lon)
		cx, cy := int32(math.Floor(x/JoinMetres)), int32(math.Floor(y/JoinMetres))
		for dx := int32(-1); dx <= 1; dx++ {
			for dy := int32(-1); dy <= 1; dy++ {
				for _, n := range joins[cellKey{cx + dx, cy + dy}] {
					if math.Hypot(g.x[n]-x, g.y[n]-y) <= JoinMetres {
						return n
					}
				}
			}
		}
		n := int32(len(g.x))
		g.x, g.y = append(g.x, x), append(g.y, y)
		joins[cellKey{cx, cy}] = append(joins[cellKey{cx, cy}], n)
		return n
	}
	for _, s := range streets {
		speed := s.Speed() * mph
		if speed <= 0 {
			continue
		}
		for _, l := range s.Lines {
			prev := int32(-1)
			for _, p := range l {
				n := node(p)
				if prev >= 0 && n != prev {
					m := math.Hypot(g.x[n]-g.x[prev], g.y[n]-g.y[prev])
					g.edges = append(g.edges, edge{a: prev, b: n, metres: m, seconds: m / speed})
				}
				prev = n
			}
		}
	}
	// Adjacency in compressed rows: each edge twice, once from each end.
	g.start = make([]int32, len(g.x)+1)
	for _, e := range g.edges {
		g.start[e.a+1]++
		g.start[e.b+1]++
	}
	for i := 1; i < len(g.start); i++ {
		g.start[i] += g.start[i-1]
	}
	g.half = make([]halfEdge, 2*len(g.edges))
	fill := append([]int32(nil), g.start[:len(g.x)]...)
	for i, e := range g.edges {
		g.half[fill[e.a]] = halfEdge{to: e.b, edge: int32(i)}
		fill[e.a]++
		g.half[fill[e.b]] = halfEdge{to: e.a, edge: int32(i)}
		fill[e.b]++
	}
	for i, e := range g.edges {
		lo := cellKey{int32(math.Floor(min(g.x[e.a], g.x[e.b]) / edgeCell)), int32(math.Floor(min(g.y[e.a], g.y[e.b]) / edgeCell))}
		hi := cellKey{int32(math.Floor(max(g.x[e.a], g.x[e.b]) / edgeCell)), int32(math.Floor(max(g.y[e.a], g.y[e.b]) / edgeCell))}
		for cx := lo.cx; cx <= hi.cx; cx++ {
			for cy := lo.cy; cy <= hi.cy; cy++ {
				g.cells[cellKey{cx, cy}] = append(g.cells[cellKey{cx, cy}], int32(i))
			}
		}
	}
	n := len(g.x)
	g.scratch.New = func() any {
		return &scratch{dist: make([]float64, n), metres: make([]float64, n), prev: make([]int32, n), seen: make([]uint32, n), target: make([]uint32, n)}
	}
	return g
}

// Nodes returns the number of junctions and vertices of the graph.
func (g *Graph) Nodes() int { return len(g.x) }

// Edges returns the number of edges of the graph, each driven both ways.
func (g *Graph) Edges() int { return len(g.edges) }

// Projection returns the projection the graph measures on.
func (g *Graph) Projection() Projection { return g.proj }

// A snap is a point's place on the graph: the nearest position on an edge,
// at fraction t of it from its a end, and the straight leg to it.
type snap struct {
	edge       int32
	t          float64
	legMetres  float64
	legSeconds float64
	ok         bool
}

// snapTo finds the edge position nearest p within SnapMetres, searching
// rings of squares outwards until no unvisited square can hold a nearer
// edge.
func (g *Graph) snapTo(p Point) snap {
	x, y := g.proj.XY(p.Lat, p.Lon)
	c := cellKey{int32(math.Floor(x / edgeCell)), int32(math.Floor(y / edgeCell))}
	best := snap{edge: -1, legMetres: SnapMetres}
	visit := func(k cellKey) {
		for _, i := range g.cells[k] {
			e := &g.edges[i]
			ax, ay, bx, by := g.x[e.a], g.y[e.a], g.x[e.b], g.y[e.b]
			dx, dy := bx-ax, by-ay
			t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
			t = min(max(t, 0), 1)
			d := math.Hypot(ax+t*dx-x, ay+t*dy-y)
			if d < best.legMetres || d == best.legMetres && best.edge >= 0 && i < best.edge {
				best = snap{edge: i, t: t, legMetres: d}
			}
		}
	}
	for r := int32(0); ; r++ {
		lo, hi := cellKey{c.cx - r, c.cy - r}, cellKey{c.cx + r, c.cy + r}
		if r == 0 {
			visit(c)
		} else {
			for cx := lo.cx; cx <= hi.cx; cx++ {
				visit(cellKey{cx, lo.cy})
				visit(cellKey{cx, hi.cy})
			}
			for cy := lo.cy + 1; cy < hi.cy; cy++ {
				visit(cellKey{lo.cx, cy})
				visit(cellKey{hi.cx, cy})
			}
		}
		// Any edge not yet seen lies outside the square of rings 0..r.
		reach := min(x-float64(lo.cx)*edgeCell, float64(hi.cx+1)*edgeCell-x,
			y-float64(lo.cy)*edgeCell, float64(hi.cy+1)*edgeCell-y)
		if best.legMetres <= reach {
			break
		}
	}
	if best.edge < 0 {
		return snap{}
	}
	best.legSeconds = best.legMetres / (LocalSpeedMPH * mph)
	best.ok = true
	return best
}

// scratch is one search's working memory, kept in the graph's pool so
// that a query allocates little. An entry of dist, metres and prev is
// valid only where seen holds the search's generation; a node is settled
// where seen holds gen+1 (generations go up by two).
type scratch struct {
	gen    uint32
	dist   []float64 // seconds from the search's origin
	metres []float64 // metres along that fastest way
	prev   []int32   // the node before, towards the origin; -1 at a seed
	seen   []uint32
	target []uint32 // gen where a node ends the edge of a point asked for
	heap   []heapItem
}

type heapItem struct {
	node int32
	d    float64
}

func (s *scratch) next() {
	s.gen += 2
	if s.gen < 2 { // wrapped: forget every old generation
		clear(s.seen)
		clear(s.target)
		s.gen = 2
	}
	s.heap = s.heap[:0]
}

func (s *scratch) push(n int32, d, m float64, prev int32) {
	if s.seen[n] == s.gen+1 || s.seen[n] == s.gen && s.dist[n] <= d {
		return
	}
	s.seen[n], s.dist[n], s.metres[n], s.prev[n] = s.gen, d, m, prev
	s.heap = append(s.heap, heapItem{n, d})
	h := s.heap
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].d <= h[i].d {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (s *scratch) pop() heapItem {
	h := s.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(h) && h[l].d < h[small].d {
			small = l
		}
		if r := l + 1; r < len(h) && h[r].d < h[small].d {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	s.heap = h
	return top
}

// TravelTo returns the drive from each point of from to the point to, in
// from's order: one search outwards from to (a shortest-path tree by
// Dijkstra's algorithm over the undirected graph) that stops once every
// point's edge is settled or MaxTravelSeconds is reached. Each point
// joins the graph at the nearest position on a way, within SnapMetres, by
// a straight leg driven at LocalSpeedMPH; a point off the map, or not
// reached within MaxTravelSeconds, is not OK.
func (g *Graph) TravelTo(to Point, from []Point) []Travel {
	out := make([]Travel, len(from))
	s := g.scratch.Get().(*scratch)
	defer g.scratch.Put(s)
	snaps := make([]snap, len(from))
	for i, p := range from {
		snaps[i] = g.snapTo(p)
	}
	g.search(s, g.snapTo(to), snaps, out, nil)
	return out
}

// Route returns the drive from from to to, as TravelTo measures it, and
// its way: from, the vertices driven through, and to. The way is nil when
// the drive is not OK.
func (g *Graph) Route(from, to Point) (Travel, []Point) {
	out := make([]Travel, 1)
	s := g.scratch.Get().(*scratch)
	defer g.scratch.Put(s)
	var way []int32
	g.search(s, g.snapTo(to), []snap{g.snapTo(from)}, out, &way)
	if !out[0].OK {
		return out[0], nil
	}
	pts := []Point{from}
	for _, n := range way {
		lat, lon := g.proj.LatLon(g.x[n], g.y[n])
		pts = append(pts, Point{Lat: lat, Lon: lon})
	}
	return out[0], append(pts, to)
}

// search runs Dijkstra's algorithm from the snapped origin o and fills out
// for each snapped point of from. If way is not nil (one point), it is set
// to the nodes driven through from that point to o.
func (g *Graph) search(s *scratch, o snap, from []snap, out []Travel, way *[]int32) {
	if !o.ok {
		return
	}
	s.next()
	gen := s.gen
	oe := g.edges[o.edge]
	s.push(oe.a, o.legSeconds+o.t*oe.seconds, o.legMetres+o.t*oe.metres, -1)
	s.push(oe.b, o.legSeconds+(1-o.t)*oe.seconds, o.legMetres+(1-o.t)*oe.metres, -1)
	// best[i] is point i's fastest drive found so far; via[i] the node it
	// enters the tree at (-1: along the origin's own edge, or none).
	type found struct {
		seconds, metres float64
		via             int32
		ok              bool
	}
	best := make([]found, len(from))
	open := 0 // points that may still improve
	for i, p := range from {
		if !p.ok {
			continue
		}
		open++
		best[i] = found{seconds: math.Inf(1), via: -1}
		e := g.edges[p.edge]
		s.target[e.a], s.target[e.b] = gen, gen
		if p.edge == o.edge { // the same edge: straight along it
			f := math.Abs(p.t - o.t)
			best[i] = found{seconds: o.legSeconds + f*e.seconds + p.legSeconds, metres: o.legMetres + f*e.metres + p.legMetres, via: -1, ok: true}
		}
	}
	worst := math.Inf(1) // the slowest best of the open points
	for len(s.heap) > 0 && open > 0 {
		it := s.pop()
		n := it.node
		if s.seen[n] != gen || s.dist[n] < it.d {
			continue // settled already, or a stale entry
		}
		if it.d > MaxTravelSeconds || it.d >= worst {
			break // nothing later can improve any point
		}
		s.seen[n] = gen + 1
		if s.target[n] == gen {
			worst = 0
			open = 0
			for i, p := range from {
				if !p.ok {
					continue
				}
				e := g.edges[p.edge]
				for _, end := range [2]int32{e.a, e.b} {
					if end != n {
						continue
					}
					f := p.t // from the a end
					if end == e.b {
						f = 1 - p.t
					}
					if d := s.dist[n] + f*e.seconds + p.legSeconds; d < best[i].seconds {
						best[i] = found{seconds: d, metres: s.metres[n] + f*e.metres + p.legMetres, via: n, ok: true}
					}
				}
				if s.seen[e.a] != gen+1 || s.seen[e.b] != gen+1 {
					open++
					worst = max(worst, best[i].seconds)
				}
			}
			if open == 0 {
				break
			}
		}
		for _, h := range g.half[g.start[n]:g.start[n+1]] {
			e := &g.edges[h.edge]
			s.push(h.to, it.d+e.seconds, s.metres[n]+e.metres, n)
		}
	}
	for i, b := range best {
		if b.ok && b.seconds <= MaxTravelSeconds {
			out[i] = Travel{Metres: b.metres, Seconds: b.seconds, OK: true}
			if way != nil {
				*way = (*way)[:0]
				for n := b.via; n >= 0; n = s.prev[n] {
					*way = append(*way, n)
				}
			}
		}
	}
}
