package sim

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tenfour-cad/tenfour/geo"
)

// The places calls come from are drawn once from the map when the
// simulator starts (newSpots): its address points, each in the district
// its zone says; where the map has none, the sides of its streets that
// carry an address range, to draw a number from; and its corners, where
// two differently named streets share a vertex. A call's place is then
// sent as text alone ("2841 W 38th St", "S Kedzie Ave & W 39th Pl"), and
// the engine geocodes it as it would a call-taker's typing: nothing here
// geocodes. So that what the engine finds is what was drawn, a corner or
// a drawn number is kept only well inside one district (steady), a pair
// of streets that meet at several places is never a corner, and a street
// whose name would read as two streets ("Park and Ride Rd") is left out.

// steadyCorner and steadyNumber are how far around a corner and around a
// number drawn from a range the map must say the same district: more than
// the centimetres by which the geocoder's corner may differ from the
// vertex, and more than the few metres to a street's side at which it
// places an interpolated number.
const (
	steadyCorner = 5.0
	steadyNumber = 20.0
)

// apartMetres is how far apart two meetings of the same two streets are
// two corners, as the geocoder counts them (it then calls the pair
// ambiguous): 50 m, the geocoder's own measure.
const apartMetres = 50.0

// majorMPH is the least speed of a major road, the state police's.
const majorMPH = 30

// A spot is a place to call from: its text and where the map has it.
type spot struct {
	text     string
	lat, lon float64
}

// A rangeSide is one side of a street feature with an address range.
type rangeSide struct {
	street int
	r      geo.Range
	left   bool
}

// spots are the places of one district, or of the whole map.
type spots struct {
	addrs                 []int32 // address points, by index (geo.Map.Address)
	ranges, majorRanges   []rangeSide
	corners, majorCorners []spot
}

func (s *spots) empty() bool {
	return len(s.addrs) == 0 && len(s.ranges) == 0 && len(s.corners) == 0
}

// places are the spots of a map by district; "" holds the whole map's.
type places struct {
	m         *geo.Map
	proj      geo.Projection
	streets   []geo.Street
	zoned     bool // the map has police districts
	district  map[string]*spots
	useRanges bool // no address points: numbers are drawn from the ranges
}

// newSpots draws the places of m.
func newSpots(m *geo.Map) (*places, error) {
	p := &places{m: m, proj: m.Projection(), streets: m.Streets(), district: map[string]*spots{"": {}},
		zoned: len(districtsOf(m.Zones())) > 0, useRanges: m.Addresses() == 0}
	of := func(d string) *spots {
		s, ok := p.district[d]
		if !ok {
			s = &spots{}
			p.district[d] = s
		}
		return s
	}
	// in returns the spots that a place in district d joins: its
	// district's and the whole map's, or none outside the districts of a
	// map that has some.
	in := func(d string) []*spots {
		switch {
		case d != "":
			return []*spots{of(d), p.district[""]}
		case !p.zoned:
			return []*spots{p.district[""]}
		}
		return nil
	}
	for i := range m.Addresses() {
		a := m.Address(i)
		if a.Unit != "" || !plainName(a.Street) || strings.TrimSpace(a.Number) == "" {
			continue
		}
		d, _ := p.districtAt(a.Lat, a.Lon)
		for _, s := range in(d) {
			s.addrs = append(s.addrs, int32(i))
		}
	}
	major := map[string]bool{}
	for i, st := range p.streets {
		if st.Speed() >= majorMPH {
			major[nameKey(st.Name)] = true
		}
		if !plainName(st.Name) {
			continue
		}
		mid, _, ok := p.along(st, 0.5)
		if !ok {
			continue
		}
		d, _ := p.districtAt(mid.Lat, mid.Lon)
		for _, side := range []rangeSide{{i, st.Left, true}, {i, st.Right, false}} {
			if side.r.IsZero() {
				continue
			}
			for _, s := range in(d) {
				if p.useRanges {
					s.ranges = append(s.ranges, side)
				}
				if st.Speed() >= majorMPH {
					s.majorRanges = append(s.majorRanges, side)
				}
			}
		}
	}
	for _, c := range p.corners() {
		d, ok := p.steady(c.lat, c.lon, steadyCorner)
		if !ok {
			continue
		}
		a, b, _ := strings.Cut(c.text, " & ")
		for _, s := range in(d) {
			s.corners = append(s.corners, c)
			if major[nameKey(a)] || major[nameKey(b)] {
				s.majorCorners = append(s.majorCorners, c)
			}
		}
	}
	if p.district[""].empty() {
		return nil, errors.New("sim: the map has no address point, street range or corner within its districts to place calls at")
	}
	return p, nil
}

// nameKey is a street name compared without regard to case or spaces.
func nameKey(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), " ")) }

// plainName reports whether a street name reads as one street: the
// geocoder takes &, /, @, "and" and "at" for the join of two.
func plainName(s string) bool {
	if strings.ContainsAny(s, "&/@") || strings.TrimSpace(s) == "" {
		return false
	}
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if w == "and" || w == "at" {
			return false
		}
	}
	return true
}

// districtAt returns the district of the zone at a point, "" for none.
func (p *places) districtAt(lat, lon float64) (string, bool) {
	z, ok := p.m.ZoneAt(lat, lon)
	return z.District, ok
}

// steady returns the district at a point and whether the points reach
// metres east, west, north and south of it are in the same one (in a
// zone, on a map that has districts).
func (p *places) steady(lat, lon, reach float64) (string, bool) {
	d, ok := p.districtAt(lat, lon)
	if p.zoned && !ok {
		return "", false
	}
	x, y := p.proj.XY(lat, lon)
	for _, o := range [][2]float64{{reach, 0}, {-reach, 0}, {0, reach}, {0, -reach}} {
		if e, _ := p.districtAt(p.proj.LatLon(x+o[0], y+o[1])); e != d {
			return "", false
		}
	}
	return d, true
}

// corners returns the map's corners: for every two differently named
// streets that share a vertex at the end of a line, one spot, if they meet
// at one place only.
func (p *places) corners() []spot {
	type vertex = [2]int64 // degrees × 10⁷: shared vertices are equal
	names := map[vertex][]string{}
	at := map[vertex]geo.Point{}
	for _, st := range p.streets {
		if !plainName(st.Name) || st.Speed() == 0 {
			continue
		}
		for _, l := range st.Lines {
			if len(l) < 2 {
				continue
			}
			for _, pt := range []geo.Point{l[0], l[len(l)-1]} {
				v := vertex{int64(math.Round(pt.Lat * 1e7)), int64(math.Round(pt.Lon * 1e7))}
				at[v] = pt
				if !containsKey(names[v], st.Name) {
					names[v] = append(names[v], st.Name)
				}
			}
		}
	}
	type pair struct{ a, b string }
	meets := map[pair][]geo.Point{}
	var order []pair
	for _, v := range sortedVertices(names) {
		ns := names[v]
		for i := range ns {
			for j := i + 1; j < len(ns); j++ {
				k := pair{ns[i], ns[j]}
				if nameKey(k.b) < nameKey(k.a) {
					k.a, k.b = k.b, k.a
				}
				if _, ok := meets[k]; !ok {
					order = append(order, k)
				}
				meets[k] = append(meets[k], at[v])
			}
		}
	}
	var out []spot
	for _, k := range order {
		ps := meets[k]
		one := true
		for _, q := range ps[1:] {
			if p.proj.Metres(ps[0], q) > apartMetres {
				one = false
			}
		}
		if one {
			out = append(out, spot{text: k.a + " & " + k.b, lat: ps[0].Lat, lon: ps[0].Lon})
		}
	}
	return out
}

// containsKey reports whether names holds name, compared by nameKey.
func containsKey(names []string, name string) bool {
	for _, n := range names {
		if nameKey(n) == nameKey(name) {
			return true
		}
	}
	return false
}

// sortedVertices returns the keys of m in order, so that the corners come
// out the same for the same map.
func sortedVertices(m map[[2]int64][]string) [][2]int64 {
	out := make([][2]int64, 0, len(m))
	for v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return out
}

// along returns the point at fraction f of a street's length and the unit
// direction (metres east, north) of the street there.
func (p *places) along(st geo.Street, f float64) (geo.Point, [2]float64, bool) {
	total := 0.0
	for _, l := range st.Lines {
		for j := 1; j < len(l); j++ {
			total += p.proj.Metres(l[j-1], l[j])
		}
	}
	if total == 0 {
		return geo.Point{}, [2]float64{}, false
	}
	target := max(0, min(1, f)) * total
	for _, l := range st.Lines {
		for j := 1; j < len(l); j++ {
			ax, ay := p.proj.XY(l[j-1].Lat, l[j-1].Lon)
			bx, by := p.proj.XY(l[j].Lat, l[j].Lon)
			d := math.Hypot(bx-ax, by-ay)
			if d == 0 {
				continue
			}
			if target <= d {
				t := target / d
				lat, lon := p.proj.LatLon(ax+t*(bx-ax), ay+t*(by-ay))
				return geo.Point{Lat: lat, Lon: lon}, [2]float64{(bx - ax) / d, (by - ay) / d}, true
			}
			target -= d
		}
	}
	last := st.Lines[len(st.Lines)-1]
	return last[len(last)-1], [2]float64{}, true
}

// number draws a house number from one side of a street and returns it
// as a spot, if it lies steadily in district want ("" for any).
func (p *places) number(r *rand.Rand, side rangeSide, want string) (spot, bool) {
	lo, hi := min(side.r.From, side.r.To), max(side.r.From, side.r.To)
	n := lo + r.IntN(hi-lo+1)
	if side.r.From%2 == side.r.To%2 && n%2 != side.r.From%2 {
		n-- // the side's parity: lo has it
	}
	f := 0.5
	if side.r.From != side.r.To {
		f = float64(n-side.r.From) / float64(side.r.To-side.r.From)
	}
	st := p.streets[side.street]
	pt, _, ok := p.along(st, f)
	if !ok {
		return spot{}, false
	}
	if d, ok := p.steady(pt.Lat, pt.Lon, steadyNumber); !ok || (want != "" && d != want) {
		return spot{}, false
	}
	return spot{text: fmt.Sprintf("%d %s", n, st.Name), lat: pt.Lat, lon: pt.Lon}, true
}

// draw returns a place in district d ("" for the whole map) for a call of
// an agency that works the major roads (major) or not, and whether the
// district has one: an address, or one time in four a corner.
func (p *places) draw(r *rand.Rand, d string, major bool) (spot, bool) {
	s := p.district[d]
	if s == nil {
		return spot{}, false
	}
	if major && (len(s.majorRanges) > 0 || len(s.majorCorners) > 0) {
		if len(s.majorCorners) > 0 && (len(s.majorRanges) == 0 || r.Float64() < 0.25) {
			return s.majorCorners[r.IntN(len(s.majorCorners))], true
		}
		for range 10 {
			if sp, ok := p.number(r, s.majorRanges[r.IntN(len(s.majorRanges))], d); ok {
				return sp, true
			}
		}
		return spot{}, false
	}
	if len(s.corners) > 0 && (r.Float64() < 0.25 || (len(s.addrs) == 0 && len(s.ranges) == 0)) {
		return s.corners[r.IntN(len(s.corners))], true
	}
	if len(s.addrs) > 0 {
		return p.point(s.addrs[r.IntN(len(s.addrs))]), true
	}
	for range 10 {
		if len(s.ranges) == 0 {
			break
		}
		if sp, ok := p.number(r, s.ranges[r.IntN(len(s.ranges))], d); ok {
			return sp, true
		}
	}
	return spot{}, false
}

// hasMajor reports whether district d has places on major roads.
func (p *places) hasMajor(d string) bool {
	s := p.district[d]
	return s != nil && (len(s.majorRanges) > 0 || len(s.majorCorners) > 0)
}

// address returns the i-th of n addresses spread over the whole map: an
// address point, or where the map has none a number of a street's range
// (the first of a few that lies steadily in a district), and whether there
// is one.
func (p *places) address(i, n int) (spot, bool) {
	s := p.district[""]
	if len(s.addrs) > 0 {
		return p.point(s.addrs[(2*i+1)*len(s.addrs)/(2*n)]), true
	}
	r := rand.New(rand.NewPCG(uint64(i), uint64(n)))
	for range 10 * len(s.ranges) {
		if sp, ok := p.number(r, s.ranges[r.IntN(len(s.ranges))], ""); ok {
			return sp, true
		}
	}
	return spot{}, false
}

// point returns address point i of the map as a spot.
func (p *places) point(i int32) spot {
	a := p.m.Address(int(i))
	return spot{text: strings.TrimSpace(a.Number) + " " + strings.TrimSpace(a.Street), lat: a.Lat, lon: a.Lon}
}
