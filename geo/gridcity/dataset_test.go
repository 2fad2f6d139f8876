package gridcity

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/geo"
)

// The tests of Map check it against the old grid geocoder (Geocode), which
// computes the same grid rules independently of the map's generation: it
// parses the name, finds the segment and places the number, where Map cuts
// segments into features and walks their sides.

// demoStreets returns the gazetteer's segments by street name, and checks
// the facts the tests below rely on: one segment a street, every street
// south or west of State & Madison.
func demoStreets(tb testing.TB) map[string]Segment {
	tb.Helper()
	out := map[string]Segment{}
	for _, s := range Chicago().Segments() {
		if _, dup := out[s.Street()]; dup {
			tb.Fatalf("%s has several segments; the tests assume one", s.Street())
		}
		if s.Dir != "S" && s.Dir != "W" {
			tb.Fatalf("%s is not south or west of the origin; the tests assume it is", s.Street())
		}
		out[s.Street()] = s
	}
	return out
}

func TestMapAddressesOnTheGrid(t *testing.T) {
	g := Chicago()
	streets := demoStreets(t)
	d := Map()
	if len(d.Addresses) < 20000 {
		t.Fatalf("Map() has %d address points, want tens of thousands", len(d.Addresses))
	}
	ids := map[string]bool{}
	for _, a := range d.Addresses {
		text := a.Number + " " + a.Street
		if ids[a.ID] {
			t.Fatalf("%s: ID %q used twice", text, a.ID)
		}
		ids[a.ID] = true
		if a.City != "Chicago" || a.Region != "IL" {
			t.Fatalf("%s: city %q region %q, want Chicago IL", text, a.City, a.Region)
		}
		r, err := g.Geocode(text)
		if err != nil {
			t.Fatalf("Geocode(%q): %v", text, err)
		}
		at := geo.Point{Lat: a.Lat, Lon: a.Lon}
		if m := geo.Chicago.Metres(at, geo.Point{Lat: r.Lat, Lon: r.Lon}); m > 15 || m < 5 {
			t.Fatalf("%s: address point %v is %.1f m from the grid's %v, want 5 to 15 m (off the centerline)", text, at, m, r)
		}
		n, _ := strconv.Atoi(a.Number)
		even := n%2 == 0
		// Even numbers on the west side of a north–south street and the
		// north side of an east–west one (see Map).
		var side bool
		switch streets[a.Street].Axis {
		case NorthSouth:
			side = (a.Lon < r.Lon) == even && a.Lat == r.Lat
		case EastWest:
			side = (a.Lat > r.Lat) == even && a.Lon == r.Lon
		}
		if !side {
			t.Fatalf("%s: address point %v is on the wrong side of the street at %.7f,%.7f", text, at, r.Lat, r.Lon)
		}
	}
}

func TestMapAddressesEvery8(t *testing.T) {
	// Every block face has a point at its first number and every 8 numbers
	// after it, on both sides: 3900, 3908… and 3901, 3909… on S Kedzie Ave.
	have := map[string]bool{}
	for _, a := range Map().Addresses {
		have[a.Number+" "+a.Street] = true
	}
	for _, c := range []struct {
		text string
		want bool
	}{
		{"3900 S Kedzie Ave", true}, {"3901 S Kedzie Ave", true}, {"3908 S Kedzie Ave", true}, {"3909 S Kedzie Ave", true},
		{"3948 S Kedzie Ave", true}, {"3949 S Kedzie Ave", true}, {"3950 S Kedzie Ave", true}, {"3951 S Kedzie Ave", true},
		{"3904 S Kedzie Ave", false}, {"3956 S Kedzie Ave", false},
		{"3200 W Pershing Rd", true}, {"3201 W Pershing Rd", true}, {"3392 W Pershing Rd", true}, {"3400 W Pershing Rd", true},
		{"3497 W Pershing Rd", true}, {"3499 W Pershing Rd", false}, {"3500 W Pershing Rd", true}, {"4992 W Pershing Rd", true}, {"4993 W Pershing Rd", true}, {"4999 W Pershing Rd", false},
		{"2200 S Halsted St", true}, {"5999 S Cicero Ave", true}, {"5993 S Cicero Ave", false}, {"5998 S Cicero Ave", true},
	} {
		if have[c.text] != c.want {
			t.Errorf("address point %q in Map() = %v, want %v", c.text, have[c.text], c.want)
		}
	}
}

// crossings returns every crossing of a north–south and an east–west
// street of the gazetteer, as the pair of their names, from the segments'
// grid lines and address spans.
func crossings(tb testing.TB) [][2]string {
	tb.Helper()
	streets := demoStreets(tb)
	var out [][2]string
	for _, a := range streets {
		for _, b := range streets {
			if a.Axis != NorthSouth || b.Axis != EastWest {
				continue
			}
			if a.From <= -b.Grid && -b.Grid <= a.To && b.From <= -a.Grid && -a.Grid <= b.To {
				out = append(out, [2]string{a.Street(), b.Street()})
			}
		}
	}
	slices.SortFunc(out, func(x, y [2]string) int { return strings.Compare(x[0]+x[1], y[0]+y[1]) })
	return out
}

// checkCrossings checks that every crossing of two streets is one vertex
// shared, to the bit, by features of both, where the grid geocoder puts the
// intersection. vertices holds each street's vertices, in the coordinates
// under test.
func checkCrossings(t *testing.T, vertices map[string]map[[2]float64]bool) {
	t.Helper()
	g := Chicago()
	cs := crossings(t)
	if len(cs) < 1000 {
		t.Fatalf("%d crossings in the gazetteer, want over a thousand", len(cs))
	}
	for _, c := range cs {
		var shared [][2]float64
		for v := range vertices[c[0]] {
			if vertices[c[1]][v] {
				shared = append(shared, v)
			}
		}
		if len(shared) != 1 {
			t.Fatalf("%s & %s share %d vertices, want 1", c[0], c[1], len(shared))
		}
		r, err := g.Geocode(c[0] + " & " + c[1])
		if err != nil {
			t.Fatalf("Geocode(%s & %s): %v", c[0], c[1], err)
		}
		if m := geo.Chicago.Metres(geo.Point{Lat: shared[0][1], Lon: shared[0][0]}, geo.Point{Lat: r.Lat, Lon: r.Lon}); m > 0.5 {
			t.Fatalf("%s & %s: shared vertex %v is %.2f m from the grid's crossing", c[0], c[1], shared[0], m)
		}
	}
}

func TestMapCrossingsShareVertex(t *testing.T) {
	vs := map[string]map[[2]float64]bool{}
	for _, s := range Map().Streets {
		if vs[s.Name] == nil {
			vs[s.Name] = map[[2]float64]bool{}
		}
		for _, l := range s.Lines {
			for _, p := range l {
				vs[s.Name][[2]float64{p.Lon, p.Lat}] = true
			}
		}
	}
	checkCrossings(t, vs)
}

// alongNumber is the address number of a point on segment s, by the grid.
func alongNumber(s Segment, p geo.Point) float64 {
	gp := GridAt(p.Lat, p.Lon)
	if s.Axis == NorthSouth {
		return -gp.N
	}
	return -gp.E
}

func TestMapStreetRanges(t *testing.T) {
	streets := demoStreets(t)
	d := Map()
	// Numbers of the other axis's streets, where a feature must end.
	var nsGrids, ewGrids []float64
	for _, s := range streets {
		if s.Axis == NorthSouth {
			nsGrids = append(nsGrids, float64(-s.Grid))
		} else {
			ewGrids = append(ewGrids, float64(-s.Grid))
		}
	}
	covered := map[string]map[int]int{}
	for i, f := range d.Streets {
		s, ok := streets[f.Name]
		if !ok {
			t.Fatalf("feature %d: street %q is not in the gazetteer", i, f.Name)
		}
		if len(f.Lines) != 1 || len(f.Lines[0]) < 2 {
			t.Fatalf("feature %d (%s): %d lines, want one of two points or more", i, f.Name, len(f.Lines))
		}
		l := f.Lines[0]
		a, b := alongNumber(s, l[0]), alongNumber(s, l[len(l)-1])
		if !(a < b) {
			t.Fatalf("feature %d (%s) runs from %.1f to %.1f, want away from the origin", i, f.Name, a, b)
		}
		cross := ewGrids
		if s.Axis == EastWest {
			cross = nsGrids
		}
		for _, c := range cross {
			if a+0.01 < c && c < b-0.01 {
				t.Fatalf("feature %d (%s, %.1f–%.1f) is not cut at the crossing street at %v", i, f.Name, a, b, c)
			}
		}
		wantClass := "S1400"
		if s.Mile() {
			wantClass = "S1200"
		}
		if f.Class != wantClass {
			t.Errorf("feature %d (%s): class %q, want %q", i, f.Name, f.Class, wantClass)
		}
		if covered[f.Name] == nil {
			covered[f.Name] = map[int]int{}
		}
		// South and west of the origin, a feature heading away from it has
		// the west or north side, the even one, on its right.
		for _, side := range []struct {
			r      geo.Range
			parity int
			name   string
		}{{f.Left, 1, "left"}, {f.Right, 0, "right"}} {
			r := side.r
			if r.IsZero() {
				continue
			}
			if r.From > r.To || r.From%2 != side.parity || r.To%2 != side.parity {
				t.Fatalf("feature %d (%s): %s range %d–%d, want increasing %s numbers", i, f.Name, side.name, r.From, r.To, map[int]string{0: "even", 1: "odd"}[side.parity])
			}
			if r.From < s.From || r.To > s.To || float64(r.From) < a-0.01 || float64(r.To) > b+0.01 {
				t.Fatalf("feature %d (%s, %.1f–%.1f): %s range %d–%d holds numbers outside the feature or the segment (%d–%d)", i, f.Name, a, b, side.name, r.From, r.To, s.From, s.To)
			}
			for n := r.From; n <= r.To; n += 2 {
				covered[f.Name][n]++
			}
		}
	}
	// Like TIGER's, the ranges of a street's features hold each of its
	// numbers once.
	for name, s := range streets {
		for n := s.From; n <= s.To; n++ {
			if c := covered[name][n]; c != 1 {
				t.Fatalf("%d %s is in %d ranges, want 1", n, name, c)
			}
		}
	}
	// A block of S Kedzie Ave, as TIGER would give it.
	want := geo.Street{Left: geo.Range{From: 3901, To: 3949}, Right: geo.Range{From: 3900, To: 3948}}
	found := false
	for _, f := range d.Streets {
		if f.Name == "S Kedzie Ave" && f.Left == want.Left && f.Right == want.Right {
			found = true
		}
	}
	if !found {
		t.Errorf("no S Kedzie Ave feature with ranges %v (left) and %v (right)", want.Left, want.Right)
	}
}

func TestMapAddressSides(t *testing.T) {
	// Each address point lies on the side of its block's feature whose
	// range holds its number, seen from the feature's first point to its
	// last: the address points and the ranges agree.
	d := Map()
	byName := map[string][]geo.Street{}
	for _, f := range d.Streets {
		byName[f.Name] = append(byName[f.Name], f)
	}
	in := func(r geo.Range, n int) bool { return !r.IsZero() && r.From <= n && n <= r.To && (n-r.From)%2 == 0 }
	for _, a := range d.Addresses {
		n, err := strconv.Atoi(a.Number)
		if err != nil {
			t.Fatalf("address %q %s: %v", a.Number, a.Street, err)
		}
		var hits int
		for _, f := range byName[a.Street] {
			left, right := in(f.Left, n), in(f.Right, n)
			if !left && !right {
				continue
			}
			hits++
			l := f.Lines[0]
			p0, p1 := l[0], l[len(l)-1]
			// The z of (p1-p0) × (a-p0), in degrees: positive on the left.
			z := (p1.Lon-p0.Lon)*(a.Lat-p0.Lat) - (p1.Lat-p0.Lat)*(a.Lon-p0.Lon)
			if (z > 0) != left || z == 0 {
				t.Fatalf("%s %s: on the %s of its feature, want the %s (ranges L %v R %v)", a.Number, a.Street,
					map[bool]string{true: "left", false: "right"}[z > 0], map[bool]string{true: "left", false: "right"}[left], f.Left, f.Right)
			}
		}
		if hits != 1 {
			t.Fatalf("%s %s is in the ranges of %d features, want 1", a.Number, a.Street, hits)
		}
	}
}

func TestMapPlaces(t *testing.T) {
	g := Chicago()
	d := Map()
	want := g.Places()
	if len(d.Places) != len(want) {
		t.Fatalf("Map() has %d places, want the gazetteer's %d", len(d.Places), len(want))
	}
	for i, p := range d.Places {
		if p.Name != want[i].Name || !slices.Equal(p.Aliases, want[i].Aliases) || p.Area != nil {
			t.Errorf("place %d = %q %v, want the point %q %v", i, p.Name, p.Aliases, want[i].Name, want[i].Aliases)
		}
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			r, err := g.Geocode(n)
			if err != nil {
				t.Fatalf("Geocode(%q): %v", n, err)
			}
			if m := geo.Chicago.Metres(p.At, geo.Point{Lat: r.Lat, Lon: r.Lon}); m > 0.5 {
				t.Errorf("place %q is %.1f m from the gazetteer's", n, m)
			}
		}
	}
}

func TestMapZones(t *testing.T) {
	beats := map[string]Area{}
	for _, b := range ChicagoDistricts().Beats {
		beats[b.ID] = b
	}
	zones := Map().Zones
	if len(zones) != 100 || len(beats) != 100 {
		t.Fatalf("%d zones and %d beats, want 100 of each", len(zones), len(beats))
	}
	seen := map[string]bool{}
	for _, z := range zones {
		b, ok := beats[z.Beat]
		switch {
		case !ok:
			t.Fatalf("zone of beat %q: no such beat", z.Beat)
		case seen[z.Beat]:
			t.Fatalf("beat %q has two zones", z.Beat)
		case z.District != b.District || z.Zone != "":
			t.Fatalf("zone of beat %s: district %q zone %q, want %q and none", z.Beat, z.District, z.Zone, b.District)
		case len(z.Area) != 1 || len(z.Area[0]) != 1 || len(z.Area[0][0]) != len(b.Boundary):
			t.Fatalf("zone of beat %s: %d polygons, want one ring of %d points", z.Beat, len(z.Area), len(b.Boundary))
		}
		seen[z.Beat] = true
		for i, p := range z.Area[0][0] {
			if p.Lat != b.Boundary[i][0] || p.Lon != b.Boundary[i][1] {
				t.Fatalf("zone of beat %s: point %d is %v, want %v", z.Beat, i, p, b.Boundary[i])
			}
		}
	}
}

// featureCollection is a GeoJSON FeatureCollection as WriteDir writes it.
type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

func TestWriteDemo(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, dir := range dirs {
		if err := WriteDemo(dir); err != nil {
			t.Fatalf("WriteDemo(%s): %v", dir, err)
		}
	}
	d := Map()
	files := map[string]int{geo.AddressesFile: len(d.Addresses), geo.StreetsFile: len(d.Streets), geo.PlacesFile: len(d.Places), geo.ZonesFile: len(d.Zones)}
	for name, want := range files {
		b0, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		b1, err := os.ReadFile(filepath.Join(dirs[1], name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b0, b1) {
			t.Errorf("%s differs between two calls of WriteDemo", name)
		}
		var got int
		if name == geo.AddressesFile {
			rows, err := csv.NewReader(bytes.NewReader(b0)).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !slices.Equal(rows[0], geo.AddressColumns) {
				t.Fatalf("%s: header %v, want %v", name, rows[0], geo.AddressColumns)
			}
			for _, r := range rows[1:] {
				if _, err := strconv.ParseFloat(r[0], 64); err != nil {
					t.Fatalf("%s: LON %q: %v", name, r[0], err)
				}
				if _, err := strconv.ParseFloat(r[1], 64); err != nil {
					t.Fatalf("%s: LAT %q: %v", name, r[1], err)
				}
			}
			got = len(rows) - 1
		} else {
			var fc featureCollection
			if err := json.Unmarshal(b0, &fc); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if fc.Type != "FeatureCollection" {
				t.Fatalf("%s: type %q", name, fc.Type)
			}
			got = len(fc.Features)
		}
		if got != want {
			t.Errorf("%s holds %d records, want %d", name, got, want)
		}
	}

	// The crossings share their vertex in the file too, after rounding:
	// that is what a road graph built from it joins on.
	b, err := os.ReadFile(filepath.Join(dirs[0], geo.StreetsFile))
	if err != nil {
		t.Fatal(err)
	}
	var fc featureCollection
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	vs := map[string]map[[2]float64]bool{}
	for i, f := range fc.Features {
		name, _ := f.Properties["FULLNAME"].(string)
		for _, k := range []string{"LFROMADD", "LTOADD", "RFROMADD", "RTOADD"} {
			if v, ok := f.Properties[k].(string); !ok || v == "" {
				t.Fatalf("feature %d (%s): %s = %v, want a number as a string", i, name, k, f.Properties[k])
			}
		}
		var line [][2]float64
		if f.Geometry.Type != "LineString" {
			t.Fatalf("feature %d (%s): geometry %s, want LineString", i, name, f.Geometry.Type)
		}
		if err := json.Unmarshal(f.Geometry.Coordinates, &line); err != nil {
			t.Fatalf("feature %d (%s): %v", i, name, err)
		}
		if vs[name] == nil {
			vs[name] = map[[2]float64]bool{}
		}
		for _, p := range line {
			vs[name][p] = true
		}
	}
	checkCrossings(t, vs)
}

func BenchmarkMap(b *testing.B) {
	for b.Loop() {
		Map()
	}
}

func BenchmarkWriteDemo(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if err := WriteDemo(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// ExampleMap shows a block of the demo map as TIGER/Line would give it.
func ExampleMap() {
	for _, s := range Map().Streets {
		if s.Name == "S Kedzie Ave" && s.Right.From == 3900 {
			fmt.Printf("%s %s: left %d–%d, right %d–%d\n", s.Name, s.Class, s.Left.From, s.Left.To, s.Right.From, s.Right.To)
		}
	}
	// Output: S Kedzie Ave S1200: left 3901–3949, right 3900–3948
}
