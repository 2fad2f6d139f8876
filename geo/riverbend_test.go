package geo

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// Riverbend is the test city: a small town near 45.52 N, 122.68 W that
// shares nothing with Chicago's grid. Its geometry is designed here in
// metres east (x) and north (y) of rbOrigin, so that the tests can work out
// where every address, intersection and place truly is from the design,
// without the code under test:
//
//   - Market St runs west to east along y = 0, x from -1200 to 1200;
//   - N Bridge Ave runs north from Market St along x = 0 to y = 1000, and
//     S Bridge Ave south from it to y = -1000;
//   - Heron Way is a diagonal from (-1000, -1000) at 35° north of east,
//     2400 m long;
//   - Crescent Dr is an arc of the circle of centre (300, 300) and radius
//     500, anticlockwise from -60° to 240°: it crosses Market St and Bridge
//     Ave twice each;
//   - River Rd is an arc of the circle of centre (0, 3000) and radius 3800,
//     from x = -1200 to 1200: it has no address ranges;
//   - Harbor Ct NW runs east along y = 500 from x = -1100 to -300.
//
// Heron Way is also Old Mill Rd (an alias on every feature; one address
// point spells it so), and Market St east of Bridge Ave also Riverfront Dr
// (an alias on the features from x = 0 only).
//
// Every street is split into features where it crosses another, as TIGER
// splits them, the two sharing the crossing's vertex. House numbers are 100
// plus the metres from the street's first point (Harbor Ct NW: one number
// every 8 m from 0), odd on the left, even on the right.
var rbOrigin = Point{Lat: 45.52, Lon: -122.68}

var rbProj = NewProjection(rbOrigin)

var updateRiverbend = flag.Bool("update-riverbend", false, "rewrite geo/testdata/riverbend from the generator")

const rbDir = "testdata/riverbend"

// A rbStreet is a street of the design: a curve by arc length t.
type rbStreet struct {
	name, class string
	length      float64
	at          func(t float64) xy
	step        float64 // vertex spacing along a curve; 0 for a straight street
	base, per   float64 // house number at t: base + t*per; per 0 for no ranges
	aliases     []string
	aliasFrom   float64 // the features from this t on carry the aliases
}

// Heron Way's and the circles' design values.
var (
	heronStart = xy{-1000, -1000}
	heronDir   = xy{math.Cos(35 * math.Pi / 180), math.Sin(35 * math.Pi / 180)}
	crescentC  = xy{300, 300}
	riverC     = xy{0, 3000}
)

const (
	crescentR  = 500.0
	crescentT0 = -60 * math.Pi / 180
	riverR     = 3800.0
)

var riverPhi0 = -math.Asin(1200 / riverR)

func rbStreets() []rbStreet {
	return []rbStreet{
		{name: "Market St", class: "S1200", length: 2400, at: func(t float64) xy { return xy{-1200 + t, 0} }, base: 100, per: 1,
			aliases: []string{"Riverfront Dr"}, aliasFrom: 1200},
		{name: "N Bridge Ave", class: "local", length: 1000, at: func(t float64) xy { return xy{0, t} }, base: 100, per: 1},
		{name: "S Bridge Ave", class: "local", length: 1000, at: func(t float64) xy { return xy{0, -t} }, base: 100, per: 1},
		{name: "Heron Way", class: "primary", length: 2400, at: func(t float64) xy {
			return xy{heronStart.x + t*heronDir.x, heronStart.y + t*heronDir.y}
		}, base: 100, per: 1, aliases: []string{"Old Mill Rd"}},
		{name: "Crescent Dr", class: "S1400", length: crescentR * 300 * math.Pi / 180, step: 10, at: func(t float64) xy {
			a := crescentT0 + t/crescentR
			return xy{crescentC.x + crescentR*math.Cos(a), crescentC.y + crescentR*math.Sin(a)}
		}, base: 100, per: 1},
		{name: "River Rd", class: "S1100", length: riverR * 2 * math.Asin(1200/riverR), step: 25, at: func(t float64) xy {
			a := riverPhi0 + t/riverR
			return xy{riverC.x + riverR*math.Sin(a), riverC.y - riverR*math.Cos(a)}
		}},
		{name: "Harbor Ct NW", class: "", length: 800, at: func(t float64) xy { return xy{-1100 + t, 500} }, base: 0, per: 1.0 / 8},
	}
}

// rbPoint turns a design point into a position.
func rbPoint(p xy) Point {
	lat, lon := rbProj.LatLon(p.x, p.y)
	return Point{Lat: lat, Lon: lon}
}

// crossings returns the arc lengths along a where it crosses b, found by
// bisection on a fine sampling of both: the generator's own, independent
// of the package's intersection code.
func crossings(a, b rbStreet) []float64 {
	const n = 500
	var out []float64
	for i := range n {
		t0, t1 := a.length*float64(i)/n, a.length*float64(i+1)/n
		for j := range n {
			u0, u1 := b.length*float64(j)/n, b.length*float64(j+1)/n
			if _, _, ok := segCross(a.at(t0), a.at(t1), b.at(u0), b.at(u1)); ok {
				// Refine on the curves themselves.
				lo, hi, ulo, uhi := t0, t1, u0, u1
				for range 40 {
					tm, um := (lo+hi)/2, (ulo+uhi)/2
					switch {
					case hasCross(a, b, lo, tm, ulo, um):
						hi, uhi = tm, um
					case hasCross(a, b, lo, tm, um, uhi):
						hi, ulo = tm, um
					case hasCross(a, b, tm, hi, ulo, um):
						lo, uhi = tm, um
					default:
						lo, ulo = tm, um
					}
				}
				out = append(out, (lo+hi)/2)
			}
		}
	}
	return out
}

func hasCross(a, b rbStreet, t0, t1, u0, u1 float64) bool {
	_, _, ok := segCross(a.at(t0), a.at(t1), b.at(u0), b.at(u1))
	return ok
}

// segCross is the plain crossing of two closed segments, ends included.
func segCross(a0, a1, b0, b1 xy) (t, u float64, ok bool) {
	d := (a1.x-a0.x)*(b1.y-b0.y) - (a1.y-a0.y)*(b1.x-b0.x)
	if d == 0 {
		return 0, 0, false
	}
	t = ((b0.x-a0.x)*(b1.y-b0.y) - (b0.y-a0.y)*(b1.x-b0.x)) / d
	u = ((b0.x-a0.x)*(a1.y-a0.y) - (b0.y-a0.y)*(a1.x-a0.x)) / d
	return t, u, t >= 0 && t <= 1 && u >= 0 && u <= 1
}

// sideRange returns the numbers of parity odd (1) or even (0) between
// numbers lo and hi.
func sideRange(lo, hi float64, parity int) Range {
	from, to := int(math.Ceil(lo)), int(math.Floor(hi))
	if from%2 != parity {
		from++
	}
	if to%2 != parity {
		to--
	}
	if from > to {
		return Range{}
	}
	return Range{From: from, To: to}
}

// riverbend returns the test city's map, generated once; callers must
// clone a slice before changing it.
var riverbend = sync.OnceValue(generateRiverbend)

// generateRiverbend generates the test city's map.
func generateRiverbend() MapData {
	var d MapData
	streets := rbStreets()
	for i, s := range streets {
		splits := []float64{0, s.length}
		for j, o := range streets {
			if i != j {
				splits = append(splits, crossings(s, o)...)
			}
		}
		slices.Sort(splits)
		splits = slices.CompactFunc(splits, func(a, b float64) bool { return math.Abs(b-a) < 1 })
		splits[len(splits)-1] = s.length
		for k := 1; k < len(splits); k++ {
			ta, tb := splits[k-1], splits[k]
			var line []Point
			line = append(line, rbPoint(s.at(ta)))
			if s.step > 0 {
				for t := math.Floor(ta/s.step)*s.step + s.step; t < tb-0.5; t += s.step {
					if t > ta+0.5 {
						line = append(line, rbPoint(s.at(t)))
					}
				}
			}
			line = append(line, rbPoint(s.at(tb)))
			st := Street{Name: s.name, Lines: [][]Point{line}, Class: s.class}
			if s.per > 0 {
				st.Left = sideRange(s.base+ta*s.per, s.base+tb*s.per, 1)
				st.Right = sideRange(s.base+ta*s.per, s.base+tb*s.per, 0)
			}
			if s.name == "River Rd" {
				st.SpeedMPH = 40
			}
			if ta > s.aliasFrom-0.5 {
				st.Aliases = s.aliases
			}
			d.Streets = append(d.Streets, st)
		}
	}
	// Address points, 15 m off the centerline, not for every number: the
	// others are interpolated.
	addr := func(s rbStreet, n int, spelling string) {
		t := (float64(n) - s.base) / s.per
		p, q := s.at(t), s.at(t+0.5)
		dx, dy := q.x-p.x, q.y-p.y
		h := math.Hypot(dx, dy)
		side := -1.0 // right
		if n%2 == 1 {
			side = 1
		}
		at := rbPoint(xy{p.x - dy/h*15*side, p.y + dx/h*15*side})
		d.Addresses = append(d.Addresses, Address{
			Lon: at.Lon, Lat: at.Lat, Number: strconv.Itoa(n), Street: spelling,
			City: "Riverbend", Region: "OR", Postcode: "97209", ID: strconv.Itoa(len(d.Addresses) + 1),
		})
	}
	for n := 101; n < 2500; n += 40 {
		spelling := "Market St"
		if n%3 == 0 {
			spelling = "MARKET STREET"
		}
		addr(streets[0], n, spelling)
		addr(streets[0], n+19, spelling)
	}
	for _, n := range []int{501, 901, 600, 1700} {
		addr(streets[4], n, "Crescent Drive")
	}
	addr(streets[6], 12, "HARBOR COURT NORTHWEST")
	addr(streets[3], 1201, "OLD MILL ROAD")
	d.Places = []Place{
		{Name: "Riverbend General Hospital", Aliases: []string{"General Hospital", "RGH"}, At: rbPoint(xy{-400, 300})},
		{Name: "Union Station", Aliases: []string{"Station"}, At: rbPoint(xy{600, -300})},
		{Name: "Heron Park", Aliases: []string{"The Park"}, Area: [][]Point{rbRing(
			xy{-900, -400}, xy{-700, -400}, xy{-700, -300}, xy{-800, -300}, xy{-800, -100}, xy{-900, -100})}},
	}
	d.Places[2].At = centroid(d.Places[2].Area[0]) // as LoadDir will compute it
	d.Zones = []Zone{
		{District: "1", Beat: "1A", Area: [][][]Point{{rbRing(xy{-2000, 0}, xy{0, 0}, xy{0, 2000}, xy{-2000, 2000})}}},
		{District: "1", Beat: "1B", Area: [][][]Point{{rbRing(xy{-2000, -2000}, xy{0, -2000}, xy{0, 0}, xy{-2000, 0})}}},
		{District: "2", Beat: "2A", Zone: "Z-NE", Area: [][][]Point{{rbRing(xy{0, 0}, xy{2000, 0}, xy{2000, 2000}, xy{0, 2000})}}},
		{District: "2", Beat: "2B", Area: [][][]Point{{
			rbRing(xy{0, -2000}, xy{2000, -2000}, xy{2000, 0}, xy{0, 0}),
			rbRing(xy{300, -700}, xy{300, -300}, xy{700, -300}, xy{700, -700}), // the rail yard: beat 2C
		}}},
		{District: "2", Beat: "2C", Zone: "Z-YARD", Area: [][][]Point{
			{rbRing(xy{300, -700}, xy{700, -700}, xy{700, -300}, xy{300, -300})},
			{rbRing(xy{2200, -400}, xy{2600, -400}, xy{2600, 0}, xy{2200, 0})}, // the island
		}},
	}
	return d
}

// rbRing returns the closed ring through the design points.
func rbRing(ps ...xy) []Point {
	out := make([]Point, 0, len(ps)+1)
	for _, p := range ps {
		out = append(out, rbPoint(p))
	}
	return append(out, out[0])
}

// TestRiverbendFiles checks that the committed test city is the
// generator's output: go test ./geo -run TestRiverbendFiles
// -update-riverbend rewrites it.
func TestRiverbendFiles(t *testing.T) {
	dir := t.TempDir()
	if *updateRiverbend {
		dir = rbDir
	}
	if err := WriteDir(dir, riverbend()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{AddressesFile, StreetsFile, PlacesFile, ZonesFile} {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(rbDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; rerun with -update-riverbend", f)
		}
	}
}
