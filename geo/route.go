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

const metresPerSecondMPH = 0.44704 // metres a second in a mile an hour

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
	half  []roadHalf
	edges []roadEdge
	// The edges are indexed in a grid of squares cell metres on a side,
	// cols×rows from (x0, y0): square c holds cellEdges[cellStart[c]:
	// cellStart[c+1]], the edges whose bounding box meets it.
	cell       float64
	x0, y0     float64
	cols, rows int32
	cellStart  []int32
	cellEdges  []int32
	scratch    sync.Pool
}

type roadHalf struct {
	to   int32
	edge int32
}

type roadEdge struct {
	a, b            int32
	metres, seconds float64
}

// roadCell is the side of the edge index's squares, in metres: about a
// city block, so that a point on a street finds it in its own square or
// the next. A map wider than roadMaxCells such squares has larger ones.
const (
	roadCell     = 125
	roadMaxCells = 1 << 22
)

// NewGraph builds the graph of streets on proj, a local projection around
// the map's middle (NewProjection). Each pair of consecutive vertices of a
// drivable line is an edge, driven both ways at the street's Speed.
func NewGraph(streets []Street, proj Projection) *Graph {
	g := &Graph{proj: proj}
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
		speed := s.Speed() * metresPerSecondMPH
		if speed <= 0 {
			continue
		}
		for _, l := range s.Lines {
			prev := int32(-1)
			for _, p := range l {
				if !routable(p) { // a broken vertex breaks the line
					prev = -1
					continue
				}
				n := node(p)
				if prev >= 0 && n != prev {
					m := math.Hypot(g.x[n]-g.x[prev], g.y[n]-g.y[prev])
					g.edges = append(g.edges, roadEdge{a: prev, b: n, metres: m, seconds: m / speed})
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
	g.half = make([]roadHalf, 2*len(g.edges))
	fill := append([]int32(nil), g.start[:len(g.x)]...)
	for i, e := range g.edges {
		g.half[fill[e.a]] = roadHalf{to: e.b, edge: int32(i)}
		fill[e.a]++
		g.half[fill[e.b]] = roadHalf{to: e.a, edge: int32(i)}
		fill[e.b]++
	}
	g.indexEdges()
	n := len(g.x)
	g.scratch.New = func() any {
		return &roadScratch{dist: make([]float64, n), metres: make([]float64, n), prev: make([]int32, n), seen: make([]uint32, n), target: make([]uint32, n), head: make([]int32, n)}
	}
	return g
}

// indexEdges fills the grid of squares that snapTo searches.
func (g *Graph) indexEdges() {
	g.cell = roadCell
	if len(g.x) == 0 {
		return
	}
	x1, y1 := g.x[0], g.y[0]
	g.x0, g.y0 = x1, y1
	for i := range g.x {
		g.x0, g.y0, x1, y1 = min(g.x0, g.x[i]), min(g.y0, g.y[i]), max(x1, g.x[i]), max(y1, g.y[i])
	}
	for (x1-g.x0)/g.cell*(y1-g.y0)/g.cell > roadMaxCells {
		g.cell *= 2
	}
	g.cols, g.rows = int32((x1-g.x0)/g.cell)+1, int32((y1-g.y0)/g.cell)+1
	span := func(e roadEdge) (lo, hi [2]int32) {
		lo, _ = g.square(min(g.x[e.a], g.x[e.b]), min(g.y[e.a], g.y[e.b]))
		hi, _ = g.square(max(g.x[e.a], g.x[e.b]), max(g.y[e.a], g.y[e.b]))
		return lo, hi
	}
	g.cellStart = make([]int32, g.cols*g.rows+1)
	for _, e := range g.edges {
		lo, hi := span(e)
		for cy := lo[1]; cy <= hi[1]; cy++ {
			for cx := lo[0]; cx <= hi[0]; cx++ {
				g.cellStart[cy*g.cols+cx+1]++
			}
		}
	}
	for i := 1; i < len(g.cellStart); i++ {
		g.cellStart[i] += g.cellStart[i-1]
	}
	g.cellEdges = make([]int32, g.cellStart[len(g.cellStart)-1])
	fill := append([]int32(nil), g.cellStart[:len(g.cellStart)-1]...)
	for i, e := range g.edges {
		lo, hi := span(e)
		for cy := lo[1]; cy <= hi[1]; cy++ {
			for cx := lo[0]; cx <= hi[0]; cx++ {
				g.cellEdges[fill[cy*g.cols+cx]] = int32(i)
				fill[cy*g.cols+cx]++
			}
		}
	}
}

// square returns the column and row of the square holding x, y, and
// whether it is within the grid.
func (g *Graph) square(x, y float64) ([2]int32, bool) {
	fx, fy := math.Floor((x-g.x0)/g.cell), math.Floor((y-g.y0)/g.cell)
	ok := fx >= 0 && fy >= 0 && fx < float64(g.cols) && fy < float64(g.rows)
	return [2]int32{int32(max(min(fx, float64(g.cols-1)), 0)), int32(max(min(fy, float64(g.rows-1)), 0))}, ok
}

// routable reports whether p is a position on the Earth: a point that
// is not (NaN, out of range) is on no street.
func routable(p Point) bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// Nodes returns the number of junctions and vertices of the graph.
func (g *Graph) Nodes() int { return len(g.x) }

// Edges returns the number of edges of the graph, each driven both ways.
func (g *Graph) Edges() int { return len(g.edges) }

// Projection returns the projection the graph measures on.
func (g *Graph) Projection() Projection { return g.proj }

// A roadSnap is a point's place on the graph: the nearest position on an edge,
// at fraction t of it from its a end, and the straight leg to it.
type roadSnap struct {
	edge       int32
	t          float64
	legMetres  float64
	legSeconds float64
	ok         bool
}

// snapTo finds the edge position nearest p within SnapMetres, searching
// rings of squares outwards until no unvisited square can hold a nearer
// edge.
func (g *Graph) snapTo(p Point) roadSnap {
	if !routable(p) {
		return roadSnap{}
	}
	// Distances are compared squared; best.legMetres holds the square
	// until the end.
	best := roadSnap{edge: -1, legMetres: SnapMetres * SnapMetres}
	if len(g.edges) == 0 {
		return roadSnap{}
	}
	x, y := g.proj.XY(p.Lat, p.Lon)
	// The search works in squares relative to the grid's corner; squares
	// outside the grid hold nothing.
	cx, cy := int32(math.Floor((x-g.x0)/g.cell)), int32(math.Floor((y-g.y0)/g.cell))
	visit := func(qx, qy int32) {
		if qx < 0 || qy < 0 || qx >= g.cols || qy >= g.rows {
			return
		}
		c := qy*g.cols + qx
		for _, i := range g.cellEdges[g.cellStart[c]:g.cellStart[c+1]] {
			e := &g.edges[i]
			ax, ay, bx, by := g.x[e.a], g.y[e.a], g.x[e.b], g.y[e.b]
			dx, dy := bx-ax, by-ay
			t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
			t = min(max(t, 0), 1)
			ex, ey := ax+t*dx-x, ay+t*dy-y
			d := ex*ex + ey*ey
			if d < best.legMetres || d == best.legMetres && best.edge >= 0 && i < best.edge {
				best = roadSnap{edge: i, t: t, legMetres: d}
			}
		}
	}
	for r := int32(0); ; r++ {
		lx, ly, hx, hy := cx-r, cy-r, cx+r, cy+r
		if r == 0 {
			visit(cx, cy)
		} else {
			for qx := lx; qx <= hx; qx++ {
				visit(qx, ly)
				visit(qx, hy)
			}
			for qy := ly + 1; qy < hy; qy++ {
				visit(lx, qy)
				visit(hx, qy)
			}
		}
		// Any edge not yet seen lies outside the square of rings 0..r.
		reach := min(x-g.x0-float64(lx)*g.cell, g.x0+float64(hx+1)*g.cell-x,
			y-g.y0-float64(ly)*g.cell, g.y0+float64(hy+1)*g.cell-y)
		if best.legMetres <= reach*reach {
			break
		}
	}
	if best.edge < 0 {
		return roadSnap{}
	}
	best.legMetres = math.Sqrt(best.legMetres)
	best.legSeconds = best.legMetres / (LocalSpeedMPH * metresPerSecondMPH)
	best.ok = true
	return best
}

// roadScratch is one search's working memory, kept in the graph's pool so
// that a query allocates little. An entry of dist, metres and prev is
// valid only where seen holds the search's generation; a node is settled
// where seen holds gen+1 (generations go up by two).
type roadScratch struct {
	gen    uint32
	dist   []float64 // seconds from the search's origin
	metres []float64 // metres along that fastest way
	prev   []int32   // the node before, towards the origin; -1 at a seed
	seen   []uint32
	target []uint32 // gen where a node ends the edge of a point asked for
	head   []int32  // where target is gen, the first of the node's slots (search)
	heap   []roadHeapItem
	order  []int32 // stopAt's
}

type roadHeapItem struct {
	node int32
	d    float64
}

func (s *roadScratch) next() {
	s.gen += 2
	if s.gen < 2 { // wrapped: forget every old generation
		clear(s.seen)
		clear(s.target)
		s.gen = 2
	}
	s.heap = s.heap[:0]
}

func (s *roadScratch) push(n int32, d, m float64, prev int32) {
	if s.seen[n] == s.gen+1 || s.seen[n] == s.gen && s.dist[n] <= d {
		return
	}
	s.seen[n], s.dist[n], s.metres[n], s.prev[n] = s.gen, d, m, prev
	s.heap = append(s.heap, roadHeapItem{n, d})
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

func (s *roadScratch) pop() roadHeapItem {
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
	return g.TravelSoonest(to, from, len(from), nil)
}

// TravelSoonest is TravelTo for a ranking: its search stops as soon as the
// k points of from soonest at to are known, each point's time counted
// scale[i] times (nil: once) — a vehicle slower than the streets' speeds
// by that factor. Those k have their exact drive (unscaled); a point not
// among them may come back not OK though a way exists, so that a unit
// across a river does not make the search drive to the bridge when
// nearer ones are already found.
func (g *Graph) TravelSoonest(to Point, from []Point, k int, scale []float64) []Travel {
	out := make([]Travel, len(from))
	s := g.scratch.Get().(*roadScratch)
	defer g.scratch.Put(s)
	snaps := make([]roadSnap, len(from))
	for i, p := range from {
		snaps[i] = g.snapTo(p)
	}
	g.search(s, g.snapTo(to), snaps, k, scale, out, nil)
	return out
}

// Route returns the drive from from to to, as TravelTo measures it, and
// its way: from, the vertices driven through, and to. The way is nil when
// the drive is not OK.
func (g *Graph) Route(from, to Point) (Travel, []Point) {
	out := make([]Travel, 1)
	s := g.scratch.Get().(*roadScratch)
	defer g.scratch.Put(s)
	var way []int32
	g.search(s, g.snapTo(to), []roadSnap{g.snapTo(from)}, 1, nil, out, &way)
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
// for each snapped point of from, until the k soonest by scale are known
// (TravelSoonest). If way is not nil (one point), it is set to the nodes
// driven through from that point to o.
func (g *Graph) search(s *roadScratch, o roadSnap, from []roadSnap, k int, scale []float64, out []Travel, way *[]int32) {
	if !o.ok {
		return
	}
	s.next()
	gen := s.gen
	oe := g.edges[o.edge]
	s.push(oe.a, o.legSeconds+o.t*oe.seconds, o.legMetres+o.t*oe.metres, -1)
	s.push(oe.b, o.legSeconds+(1-o.t)*oe.seconds, o.legMetres+(1-o.t)*oe.metres, -1)
	best := make([]roadFound, len(from))
	// The ends of each point's edge are listed at their nodes: slot 2i is
	// point i's a end, 2i+1 its b end; head[n] the first slot at node n,
	// link[slot] the next. ends[i] counts point i's settled ends.
	link := make([]int32, 2*len(from))
	ends := make([]uint8, len(from))
	open := 0 // points that may still improve
	for i, p := range from {
		if !p.ok {
			continue
		}
		open++
		best[i] = roadFound{seconds: math.Inf(1), via: -1}
		e := g.edges[p.edge]
		for j, end := range [2]int32{e.a, e.b} {
			slot := int32(2*i + j)
			link[slot] = -1
			if s.target[end] == gen {
				link[slot] = s.head[end]
			}
			s.target[end], s.head[end] = gen, slot
		}
		if p.edge == o.edge { // the same edge: straight along it
			f := math.Abs(p.t - o.t)
			best[i] = roadFound{seconds: o.legSeconds + f*e.seconds + p.legSeconds, metres: o.legMetres + f*e.metres + p.legMetres, via: -1, ok: true}
		}
	}
	// A point is final once its best is no slower than the node last
	// settled, d: any way found later is at least d. The search is done
	// at d >= stop, stop being the threshold worked out by done.
	oks := open
	k = min(k, oks)
	minScale := math.Inf(1)
	for i, p := range from {
		if p.ok {
			minScale = min(minScale, roadScaled(scale, i, 1))
		}
	}
	stop := math.Inf(1)
	done := func() float64 { return s.stopAt(best, k, oks, scale, minScale) }
	reached := math.Inf(1) // where the search stopped; every best up to it is final
	for len(s.heap) > 0 && open > 0 {
		it := s.pop()
		n := it.node
		if s.seen[n] != gen || s.dist[n] < it.d {
			continue // settled already, or a stale entry
		}
		if it.d > MaxTravelSeconds {
			reached = it.d
			break
		}
		if it.d >= stop {
			// The threshold may have fallen since it was worked out, or
			// (a point's way improved) risen: work it out again before
			// trusting it.
			if stop = done(); it.d >= stop {
				reached = it.d
				break
			}
		}
		s.seen[n] = gen + 1
		if s.target[n] == gen {
			changed := false
			for slot := s.head[n]; slot >= 0; slot = link[slot] {
				i := slot / 2
				p := from[i]
				e := g.edges[p.edge]
				f := p.t // from the a end
				if slot%2 == 1 {
					f = 1 - p.t
				}
				if d := s.dist[n] + f*e.seconds + p.legSeconds; d < best[i].seconds {
					changed = changed || math.IsInf(best[i].seconds, 1)
					best[i] = roadFound{seconds: d, metres: s.metres[n] + f*e.metres + p.legMetres, via: n, ok: true}
				}
				if ends[i]++; ends[i] == 2 {
					open--
				}
			}
			if open == 0 {
				break
			}
			if changed { // a point has its first way: a threshold may exist now
				stop = done()
			}
		}
		for _, h := range g.half[g.start[n]:g.start[n+1]] {
			e := &g.edges[h.edge]
			s.push(h.to, it.d+e.seconds, s.metres[n]+e.metres, n)
		}
	}
	for i, b := range best {
		if b.ok && b.seconds <= MaxTravelSeconds && (b.seconds <= reached || ends[i] == 2) {
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

// roadFound is a point's fastest drive found so far in a search, and the node
// it enters the search's tree at (-1: along the origin's own edge, or
// none).
type roadFound struct {
	seconds, metres float64
	via             int32
	ok              bool
}

// roadScaled returns v counted scale[i] times (scale nil: once).
func roadScaled(scale []float64, i int, v float64) float64 {
	if scale == nil {
		return v
	}
	return v * scale[i]
}

// stopAt returns the time from which a search may stop, given the bests
// found so far among oks points with a place on the graph: once it
// reaches the slowest of the k soonest (by scale) they are final, and
// once its time counted minScale times reaches the k-th soonest no other
// point can come before them. It is infinite while fewer than k points
// have a way.
func (s *roadScratch) stopAt(best []roadFound, k, oks int, scale []float64, minScale float64) float64 {
	if k == 0 {
		return 0
	}
	top := s.order[:0] // the k soonest by scale, soonest first
	for i, b := range best {
		if !b.ok {
			continue
		}
		v := roadScaled(scale, i, b.seconds)
		if len(top) == k && v >= roadScaled(scale, int(top[k-1]), best[top[k-1]].seconds) {
			continue
		}
		if len(top) < k {
			top = append(top, int32(i))
		}
		j := len(top) - 1
		for ; j > 0 && roadScaled(scale, int(top[j-1]), best[top[j-1]].seconds) > v; j-- {
			top[j] = top[j-1]
		}
		top[j] = int32(i)
	}
	s.order = top
	if len(top) < k {
		return math.Inf(1)
	}
	t := 0.0
	for _, i := range top {
		t = max(t, best[i].seconds)
	}
	if k < oks {
		t = max(t, roadScaled(scale, int(top[k-1]), best[top[k-1]].seconds)/minScale)
	}
	return t
}
