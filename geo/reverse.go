package geo

import (
	"math"
	"strconv"
)

// Reverse's search radii, in metres.
const (
	// addressRadius is how near an address point must be to name a
	// position: about a large lot's frontage and depth.
	addressRadius = 150
	// streetRadius is how near a street must be to name a position at all.
	streetRadius = 500
)

// Reverse returns the address nearest lat, lon: the nearest address point
// within 150 m ("3900 S Kedzie Ave"); else, on the nearest street within
// 500 m, the number its range on that side gives there (the other side's
// if that side has none) or, on a street without ranges, the street's
// name; "" when no street is within 500 m.
func (m *Map) Reverse(lat, lon float64) string {
	x, y := m.proj.XY(lat, lon)
	p := xy{x, y}
	if i := m.nearestAddress(p); i >= 0 {
		a := m.d.Addresses[i]
		return numberKey(a.Number) + " " + m.names[m.addrName[i]].name
	}
	best, bestD := int32(-1), math.Inf(1)
	var bestQ xy
	var bestT float64
	for _, r := range []float64{100, streetRadius} {
		m.segGrid.query(box{x - r, y - r, x + r, y + r}, func(it int32) {
			s := m.segs[it]
			l := m.feats[s.feat].lines[s.line]
			q, t := nearestOnSegment(p, l[s.i], l[s.i+1])
			if d := math.Hypot(q.x-x, q.y-y); d < bestD || d == bestD && it < best {
				best, bestD, bestQ, bestT = it, d, q, t
			}
		})
		if bestD <= r {
			break
		}
	}
	if best < 0 || bestD > streetRadius {
		return ""
	}
	s := m.segs[best]
	f := &m.feats[s.feat]
	street := m.d.Streets[s.feat]
	name := m.names[f.name].name
	l := f.lines[s.line]
	a, b := l[s.i], l[s.i+1]
	along := f.along[s.line][s.i] + bestT*(f.along[s.line][s.i+1]-f.along[s.line][s.i])
	frac := 0.5
	if f.total > 0 {
		frac = along / f.total
	}
	// Left of the direction of travel when the cross product is positive.
	left := (b.x-a.x)*(y-bestQ.y)-(b.y-a.y)*(x-bestQ.x) > 0
	r := street.Right
	if left && !street.Left.IsZero() || r.IsZero() {
		r = street.Left
	}
	if r.IsZero() {
		return name
	}
	return strconv.Itoa(numberAt(r, frac)) + " " + name
}

// numberAt returns the house number at fraction f of range r, of the
// range's parity when both its ends have the same one.
func numberAt(r Range, f float64) int {
	v := float64(r.From) + f*float64(r.To-r.From)
	n := int(math.Round(v))
	if r.From%2 == r.To%2 {
		n = r.From + 2*int(math.Round((v-float64(r.From))/2))
	}
	lo, hi := min(r.From, r.To), max(r.From, r.To)
	return max(lo, min(hi, n))
}

// nearestAddress returns the index of the address point nearest p within
// addressRadius, -1 if there is none; of equally near ones, the first.
func (m *Map) nearestAddress(p xy) int32 {
	best, bestD := int32(-1), math.Inf(1)
	r := float64(addressRadius)
	g := &m.addrGrid
	g.cells(box{p.x - r, p.y - r, p.x + r, p.y + r}, func(c int) {
		for k := g.start[c]; k < g.start[c+1]; k++ {
			q := m.addrCell[k]
			d := math.Hypot(q.x-p.x, q.y-p.y)
			if i := g.items[k]; d < bestD || d == bestD && i < best {
				best, bestD = i, d
			}
		}
	})
	if bestD > r {
		return -1
	}
	return best
}
