package geo

import (
	"math"
	"slices"
	"sync"
)

// CellSize is the side of an Index's cells, in metres: about the spacing of
// Chicago's half-mile streets, so that a dense city holds some tens of units
// per cell and a query for a handful of units reads a few cells.
const CellSize = 500

// An Index finds the points nearest a position: the AVL positions of units,
// by unit id. Points are kept in a uniform grid of square cells, CellSize
// metres on a side, on a flat projection around the map's origin (Projection);
// Nearest searches rings of cells outwards from the query's own until no
// unvisited cell can hold a nearer point.
//
// Distance is the straight line on that projection (less than 1 m off the
// ellipsoid within 10 miles of the origin). It is safe
// for concurrent use: queries share a read lock, updates take the lock.
type Index struct {
	proj   Projection
	mu     sync.RWMutex
	points map[string]*indexPoint
	cells  map[cellKey][]*indexPoint
	// min and max bound every cell that has held a point: a search that
	// has covered them has seen everything.
	min, max [2]int32
}

type indexPoint struct {
	id   string
	x, y float64 // metres east and north of the origin
	cell cellKey
	slot int // position in cells[cell]
}

type cellKey struct{ cx, cy int32 }

// A Neighbour is a point found by Nearest or Scan, with its distance in
// metres.
type Neighbour struct {
	ID       string
	Distance float64
}

// NewIndex returns an empty index on the demo city's projection (Chicago).
func NewIndex() *Index { return NewIndexOn(Chicago) }

// NewIndexOn returns an empty index that measures on proj: a centre's map
// gives its own (Map.Projection).
func NewIndexOn(proj Projection) *Index {
	return &Index{proj: proj, points: make(map[string]*indexPoint), cells: make(map[cellKey][]*indexPoint)}
}

func cellOf(x, y float64) cellKey {
	return cellKey{int32(math.Floor(x / CellSize)), int32(math.Floor(y / CellSize))}
}

// Len returns the number of points in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.points)
}

// Update sets the position of id, adding it if it is new.
func (ix *Index) Update(id string, lat, lon float64) {
	x, y := ix.proj.XY(lat, lon)
	c := cellOf(x, y)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	p, ok := ix.points[id]
	if ok && p.cell == c {
		p.x, p.y = x, y
		return
	}
	if ok {
		ix.unlink(p)
	} else {
		p = &indexPoint{id: id}
		ix.points[id] = p
	}
	p.x, p.y, p.cell = x, y, c
	p.slot = len(ix.cells[c])
	ix.cells[c] = append(ix.cells[c], p)
	if len(ix.points) == 1 && !ok {
		ix.min, ix.max = [2]int32{c.cx, c.cy}, [2]int32{c.cx, c.cy}
	}
	ix.min = [2]int32{min(ix.min[0], c.cx), min(ix.min[1], c.cy)}
	ix.max = [2]int32{max(ix.max[0], c.cx), max(ix.max[1], c.cy)}
}

// Remove takes id out of the index; removing an absent id does nothing.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if p, ok := ix.points[id]; ok {
		ix.unlink(p)
		delete(ix.points, id)
	}
}

// unlink takes p out of its cell, moving the cell's last point into its slot.
func (ix *Index) unlink(p *indexPoint) {
	cell := ix.cells[p.cell]
	last := cell[len(cell)-1]
	cell[p.slot], last.slot = last, p.slot
	cell[len(cell)-1] = nil
	if cell = cell[:len(cell)-1]; len(cell) == 0 {
		delete(ix.cells, p.cell)
	} else {
		ix.cells[p.cell] = cell
	}
}

// best keeps the k nearest points seen so far, ordered by distance and then
// by id, so that equally distant points are always chosen the same way.
type best struct {
	k   int
	out []Neighbour // squared distances while searching
}

func less(a, b Neighbour) bool {
	return a.Distance < b.Distance || a.Distance == b.Distance && a.ID < b.ID
}

func (b *best) offer(id string, d2 float64) {
	n := Neighbour{ID: id, Distance: d2}
	if len(b.out) == b.k && !less(n, b.out[b.k-1]) {
		return
	}
	i, _ := slices.BinarySearchFunc(b.out, n, func(a, t Neighbour) int {
		switch {
		case less(a, t):
			return -1
		case less(t, a):
			return 1
		}
		return 0
	})
	if len(b.out) < b.k {
		b.out = append(b.out, Neighbour{})
	}
	copy(b.out[i+1:], b.out[i:len(b.out)-1])
	b.out[i] = n
}

func (b *best) result() []Neighbour {
	if len(b.out) == 0 {
		return nil
	}
	for i := range b.out {
		b.out[i].Distance = math.Sqrt(b.out[i].Distance)
	}
	return b.out
}

// Nearest returns the k points nearest lat, lon that filter accepts (a nil
// filter accepts all), nearest first, equally distant ones by id. It
// answers exactly what Scan answers. filter is called under the index's
// read lock and must not update the index.
func (ix *Index) Nearest(lat, lon float64, k int, filter func(id string) bool) []Neighbour {
	if k <= 0 {
		return nil
	}
	x, y := ix.proj.XY(lat, lon)
	c := cellOf(x, y)
	b := best{k: k, out: make([]Neighbour, 0, k)}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(ix.points) == 0 {
		return nil
	}
	visit := func(cx, cy int32) {
		for _, p := range ix.cells[cellKey{cx, cy}] {
			dx, dy := p.x-x, p.y-y
			d2 := dx*dx + dy*dy
			if len(b.out) == b.k && d2 > b.out[b.k-1].Distance {
				continue
			}
			if filter == nil || filter(p.id) {
				b.offer(p.id, d2)
			}
		}
	}
	for r := int32(0); ; r++ {
		lo, hi := cellKey{c.cx - r, c.cy - r}, cellKey{c.cx + r, c.cy + r}
		if r == 0 {
			visit(c.cx, c.cy)
		} else {
			for cx := lo.cx; cx <= hi.cx; cx++ {
				visit(cx, lo.cy)
				visit(cx, hi.cy)
			}
			for cy := lo.cy + 1; cy < hi.cy; cy++ {
				visit(lo.cx, cy)
				visit(hi.cx, cy)
			}
		}
		if lo.cx <= ix.min[0] && lo.cy <= ix.min[1] && hi.cx >= ix.max[0] && hi.cy >= ix.max[1] {
			break // every cell that holds a point is seen
		}
		if len(b.out) == b.k {
			// Any point not yet seen lies outside the square of rings
			// 0..r, at least as far as the square's nearest side. A point
			// exactly that far could still win a tie on its id, so stop
			// only when the k-th is strictly nearer.
			edge := min(x-float64(lo.cx)*CellSize, float64(hi.cx+1)*CellSize-x,
				y-float64(lo.cy)*CellSize, float64(hi.cy+1)*CellSize-y)
			if b.out[b.k-1].Distance < edge*edge {
				break
			}
		}
	}
	return b.result()
}

// Scan answers as Nearest does, by looking at every point: the baseline
// Nearest is measured and checked against.
func (ix *Index) Scan(lat, lon float64, k int, filter func(id string) bool) []Neighbour {
	if k <= 0 {
		return nil
	}
	x, y := ix.proj.XY(lat, lon)
	b := best{k: k, out: make([]Neighbour, 0, k)}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, p := range ix.points {
		if filter == nil || filter(p.id) {
			dx, dy := p.x-x, p.y-y
			b.offer(p.id, dx*dx+dy*dy)
		}
	}
	return b.result()
}
