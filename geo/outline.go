package geo

import (
	"cmp"
	"slices"
)

// Outline returns the outline of the union of polygons whose rings meet
// edge to edge, as GIS offices draw adjacent zones (beats that share their
// borders exactly): every edge that two polygons share is inside the union
// and left out, and the edges that remain are joined into rings. Zones
// whose borders do not meet exactly keep their own rings. It is for
// drawing a district from its beats; it is not a general polygon union.
func Outline(polys [][][]Point) [][]Point {
	type edge struct{ a, b Point }
	count := map[edge]int{}
	var order []edge
	for _, poly := range polys {
		for _, ring := range poly {
			r := ring
			if len(r) > 1 && r[0] == r[len(r)-1] {
				r = r[:len(r)-1]
			}
			if windingArea(r) < 0 {
				// One winding for every ring, so that a shared edge runs
				// one way in one ring and the other way in its neighbour.
				r = slices.Clone(r)
				slices.Reverse(r)
			}
			for i := range r {
				e := edge{r[i], r[(i+1)%len(r)]}
				if e.a == e.b {
					continue
				}
				if n, ok := count[edge{e.b, e.a}]; ok && n > 0 {
					count[edge{e.b, e.a}] = n - 1 // shared with a neighbour: inside
					continue
				}
				if count[e] == 0 {
					order = append(order, e)
				}
				count[e]++
			}
		}
	}
	next := map[Point][]Point{}
	for _, e := range order {
		for range count[e] {
			next[e.a] = append(next[e.a], e.b)
		}
	}
	var out [][]Point
	for _, e := range order {
		start := e.a
		if len(next[start]) == 0 {
			continue
		}
		ring := []Point{start}
		at := start
		for {
			ns := next[at]
			if len(ns) == 0 {
				break
			}
			to := ns[0]
			next[at] = ns[1:]
			if to == start {
				break
			}
			ring = append(ring, to)
			at = to
		}
		if len(ring) >= 3 {
			out = append(out, ring)
		}
	}
	// The longest ring first: the outer boundary of a district in one piece.
	slices.SortStableFunc(out, func(a, b []Point) int { return cmp.Compare(len(b), len(a)) })
	return out
}

// windingArea is twice the signed area of a ring on the plane of longitude
// and latitude: positive when it winds counter-clockwise.
func windingArea(r []Point) float64 {
	var a float64
	for i := range r {
		p, q := r[i], r[(i+1)%len(r)]
		a += p.Lon*q.Lat - q.Lon*p.Lat
	}
	return a
}

// Chain joins lines that continue one another end to end — the features of
// one street, cut at every crossing as TIGER cuts them — into as few lines
// as it can, for drawing and labelling a street once rather than block by
// block. Two lines join where exactly their two ends meet; where three or
// more ends meet (a fork), each stays apart. The lines are not changed.
func Chain(lines [][]Point) [][]Point {
	ends := map[Point][]int{} // an end point → the lines that end or start there
	for i, l := range lines {
		if len(l) < 2 {
			continue
		}
		ends[l[0]] = append(ends[l[0]], i)
		if l[len(l)-1] != l[0] {
			ends[l[len(l)-1]] = append(ends[l[len(l)-1]], i)
		}
	}
	used := make([]bool, len(lines))
	// next returns the line not yet chained that continues from p, if p
	// is the meeting of exactly two ends.
	next := func(p Point) (int, bool) {
		at := ends[p]
		if len(at) != 2 {
			return 0, false
		}
		for _, j := range at {
			if !used[j] {
				return j, true
			}
		}
		return 0, false
	}
	var out [][]Point
	for i, l := range lines {
		if used[i] || len(l) < 2 {
			continue
		}
		used[i] = true
		chain := slices.Clone(l)
		for { // forwards from the chain's last point
			p := chain[len(chain)-1]
			j, ok := next(p)
			if !ok {
				break
			}
			used[j] = true
			m := lines[j]
			if m[0] != p {
				m = slices.Clone(m)
				slices.Reverse(m)
			}
			chain = append(chain, m[1:]...)
		}
		for { // backwards from its first
			p := chain[0]
			j, ok := next(p)
			if !ok {
				break
			}
			used[j] = true
			m := slices.Clone(lines[j])
			if m[len(m)-1] != p {
				slices.Reverse(m)
			}
			chain = append(m[:len(m)-1], chain...)
		}
		out = append(out, chain)
	}
	return out
}
