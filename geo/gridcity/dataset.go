package gridcity

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tenfour-cad/tenfour/geo"
)

// Address points of the demo map: one every addressStep numbers on each
// side of a block face, addressOffset metres off the centerline. A centre's
// real address points stand at the buildings, back from the street; the
// geocoder interpolates along the street's ranges between them.
const (
	addressStep   = 8
	addressOffset = 12.0
)

// Road classes of the demo map's streets (TIGER/Line MTFCC codes, see
// geo.ClassSpeedMPH): the mile-line arterials are secondary roads, every
// other street a local one.
const (
	classArterial = "S1200"
	classLocal    = "S1400"
)

// Map returns the demo city, the gazetteer of Chicago() and the beats of
// ChicagoDistricts(), as one map dataset in the formats a centre's map
// comes in (geo.MapData), so that the demo is read by the same loader as
// any centre's.
//
//   - Streets: each segment of the gazetteer is cut at every street of the
//     other axis that meets it, as TIGER/Line features run from
//     intersection to intersection; the two streets of a crossing share one
//     vertex, computed once, so that a road graph joins them there. Each
//     feature runs the way its numbers increase (away from State &
//     Madison), and its ranges are the numbers of its block face on each
//     side: between 39th St and 39th Pl, 3900–3948 and 3901–3949, the
//     number of the next crossing belonging to the next feature (the last
//     feature of a segment keeps its To). Mile-line arterials
//     (Segment.Mile) are class S1200, other streets S1400.
//   - Addresses: a point every 8 numbers on each side of each feature,
//     from its first number, 12 m off the centerline on its side.
//   - Places: the gazetteer's places, as points.
//   - Zones: the 100 beats of ChicagoDistricts, with their districts.
//
// Sides follow Chicago's numbering: even numbers on the west side of a
// north–south street and on the north side of an east–west one, odd
// numbers on the east and south sides. The Municipal Code of Chicago
// (chapter 10-4, "Street names and numbers") sets the base lines and the
// numbers to the mile but its text, as far as we read it, does not state
// the sides; the sides are those of the codes that continue Chicago's grid
// into the suburbs (Will County Code § 162.16(C): "North and west sides of
// the street shall have even numbers. South and east sides of the street
// shall have odd numbers."; Channahon's likewise), and they agree with
// the gazetteer's own places: Cook County Jail, 2700 S California Ave,
// lies west of California Ave; Midway Airport, 5700 S Cicero Ave, west of
// Cicero; Gage Park, 2411 W 55th St, and Sherman Park, 1301 W 52nd St,
// south of their streets.
//
// Each feature carries its segment's aliases (geo.Street.Aliases: W 22nd
// St for W Cermak Rd, W 39th St for W Pershing Rd), so that the geocoder
// finds the street by either name; the places keep theirs.
//
// Map is deterministic: every call returns the same data, in the same
// order.
func Map() geo.MapData {
	g := Chicago()
	segs := g.Segments()
	var d geo.MapData

	// The crossings: for every segment, the numbers at which a street of
	// the other axis meets it, and one vertex for each crossing.
	type crossing struct{ ns, ew int } // the grid lines of the two streets
	vertex := map[crossing]geo.Point{}
	cuts := make([][]int, len(segs))
	for i, a := range segs {
		if a.Axis != NorthSouth {
			continue
		}
		for j, b := range segs {
			if b.Axis != EastWest {
				continue
			}
			na, ok := numberAt(a, b.Grid)
			if !ok {
				continue
			}
			nb, ok := numberAt(b, a.Grid)
			if !ok {
				continue
			}
			k := crossing{a.Grid, b.Grid}
			if _, ok := vertex[k]; !ok {
				vertex[k] = latLon(GridPoint{N: float64(b.Grid), E: float64(a.Grid)})
			}
			cuts[i] = append(cuts[i], na)
			cuts[j] = append(cuts[j], nb)
		}
	}

	// The features, and the block faces of each: the numbers on its even
	// and its odd side.
	type face struct {
		seg       int
		even, odd geo.Range
	}
	var faces []face
	for i, s := range segs {
		name := s.Street()
		class := classLocal
		if s.Mile() {
			class = classArterial
		}
		stops := append([]int{s.From, s.To}, cuts[i]...)
		slices.Sort(stops)
		stops = slices.Compact(stops)
		at := func(n int) geo.Point {
			if s.Axis == NorthSouth {
				if p, ok := vertex[crossing{s.Grid, int(sideSign(s.Dir)) * n}]; ok {
					return p
				}
			} else if p, ok := vertex[crossing{int(sideSign(s.Dir)) * n, s.Grid}]; ok {
				return p
			}
			return latLon(s.point(n))
		}
		evenLeft := evenOnLeft(s)
		for k := 0; k+1 < len(stops); k++ {
			lo, hi := stops[k], stops[k+1]
			last := hi
			if k+2 < len(stops) {
				last = hi - 1 // the next crossing's number is the next feature's
			}
			even, odd := sideRange(lo, last, 0), sideRange(lo, last, 1)
			st := geo.Street{Name: name, Aliases: slices.Clone(s.Aliases), Lines: [][]geo.Point{{at(lo), at(hi)}}, Class: class}
			if evenLeft {
				st.Left, st.Right = even, odd
			} else {
				st.Left, st.Right = odd, even
			}
			d.Streets = append(d.Streets, st)
			faces = append(faces, face{seg: i, even: even, odd: odd})
		}
	}

	// The address points, in a slice of the right size: there are a
	// hundred thousand of them.
	points := 0
	for _, f := range faces {
		for _, r := range []geo.Range{f.even, f.odd} {
			if !r.IsZero() {
				points += (r.To-r.From)/addressStep + 1
			}
		}
	}
	d.Addresses = make([]geo.Address, 0, points)
	for _, f := range faces {
		s := segs[f.seg]
		name := s.Street()
		id := strings.ToUpper(strings.ReplaceAll(name, " ", "-")) + "-"
		for _, r := range []geo.Range{f.even, f.odd} {
			if r.IsZero() {
				continue
			}
			for n := r.From; n <= r.To; n += addressStep {
				num := strconv.Itoa(n)
				p := offset(s.point(n), s.Axis, n%2 == 0)
				d.Addresses = append(d.Addresses, geo.Address{
					Lon: p.Lon, Lat: p.Lat, Number: num, Street: name,
					City: "Chicago", Region: "IL", ID: id + num,
				})
			}
		}
	}

	for _, p := range g.Places() {
		d.Places = append(d.Places, geo.Place{Name: p.Name, Aliases: slices.Clone(p.Aliases), At: latLon(p.At)})
	}
	for _, b := range ChicagoDistricts().Beats {
		ring := make([]geo.Point, len(b.Boundary))
		for i, c := range b.Boundary {
			ring[i] = geo.Point{Lat: c[0], Lon: c[1]}
		}
		d.Zones = append(d.Zones, geo.Zone{District: b.District, Beat: b.ID, Area: [][][]geo.Point{{ring}}})
	}
	return d
}

// WriteDemo writes the demo city, Map(), into dir as a centre's map
// directory (geo.WriteDir).
func WriteDemo(dir string) error {
	return geo.WriteDir(dir, Map())
}

// numberAt returns the address number at which segment s meets the grid
// line grid of the other axis, and whether s reaches it (its ends
// included).
func numberAt(s Segment, grid int) (int, bool) {
	n := int(sideSign(s.Dir)) * grid
	return n, s.From <= n && n <= s.To
}

// sideRange returns the numbers of parity p (0 even, 1 odd) from lo to hi,
// or the zero Range if there are none. A side holding the number 0 alone
// cannot be told from none; the grid's blocks never do.
func sideRange(lo, hi, p int) geo.Range {
	if lo%2 != p {
		lo++
	}
	if hi%2 != p {
		hi--
	}
	if lo > hi {
		return geo.Range{}
	}
	return geo.Range{From: lo, To: hi}
}

// evenSide returns the unit vector, in metres east and north, from a
// segment's centerline towards its even-numbered side: west on a
// north–south street, north on an east–west one (see Map).
func evenSide(a Axis) (east, north float64) {
	if a == NorthSouth {
		return -1, 0
	}
	return 0, 1
}

// evenOnLeft reports whether the even side of s is on the left looking the
// way its numbers increase, as its features run: on a street south or west
// of the origin it is on the right, north or east of it on the left.
func evenOnLeft(s Segment) bool {
	he, hn := 0.0, sideSign(s.Dir) // heading of a north–south street
	if s.Axis == EastWest {
		he, hn = sideSign(s.Dir), 0
	}
	le, ln := -hn, he // the heading turned a quarter left
	ee, en := evenSide(s.Axis)
	return le*ee+ln*en > 0
}

// offset returns the position addressOffset metres from grid point p,
// on a street of axis a, towards its even side if even and its odd side
// otherwise.
func offset(p GridPoint, a Axis, even bool) geo.Point {
	e, n := evenSide(a)
	if !even {
		e, n = -e, -n
	}
	lat, lon := p.LatLon()
	return geo.Point{Lat: lat + n*addressOffset/metresPerDegLat, Lon: lon + e*addressOffset/metresPerDegLon}
}

// latLon is p as a geo.Point.
func latLon(p GridPoint) geo.Point {
	lat, lon := p.LatLon()
	return geo.Point{Lat: lat, Lon: lon}
}

// DemoMap returns the demo city's map, built from Map as a centre's map is
// from its files (geo.NewMap).
func DemoMap() (*geo.Map, error) {
	m, err := geo.NewMap(Map())
	if err != nil {
		return nil, fmt.Errorf("the demo city's map: %w", err)
	}
	return m, nil
}
