package geo

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// MustLoadRiverbend loads the committed test city.
func MustLoadRiverbend(tb testing.TB) *Map {
	tb.Helper()
	m, err := LoadDir(rbDir)
	if err != nil {
		tb.Fatalf("LoadDir(%s) = %v", rbDir, err)
	}
	return m
}

// The design's true points, worked out from the geometry of riverbend_test.go
// with closed forms, not with the code under test.
var (
	tan35, sin35, cos35 = math.Tan(35 * math.Pi / 180), math.Sin(35 * math.Pi / 180), math.Cos(35 * math.Pi / 180)
)

// heronAt is the point s metres along Heron Way, off metres to its left.
func heronAt(s, off float64) xy {
	return xy{-1000 + s*cos35 - off*sin35, -1000 + s*sin35 + off*cos35}
}

// crescentAt is the point t metres along Crescent Dr at radius r.
func crescentAt(t, r float64) xy {
	a := -60*math.Pi/180 + t/500
	return xy{300 + r*math.Cos(a), 300 + r*math.Sin(a)}
}

// heronMeetsCircle returns the points where Heron Way's line meets the
// circle of centre c and radius r: the roots of |A + s·u − c|² = r².
func heronMeetsCircle(c xy, r float64) []xy {
	ax, ay := -1000-c.x, -1000-c.y
	b := ax*cos35 + ay*sin35
	disc := b*b - (ax*ax + ay*ay - r*r)
	var out []xy
	for _, s := range []float64{-b - math.Sqrt(disc), -b + math.Sqrt(disc)} {
		if s >= 0 && s <= 2400 {
			out = append(out, heronAt(s, 0))
		}
	}
	return out
}

// metresFrom returns how far the result lies from the design point.
func metresFrom(r Result, p xy) float64 {
	x, y := rbProj.XY(r.Lat, r.Lon)
	return math.Hypot(x-p.x, y-p.y)
}

func TestGeocodeRiverbend(t *testing.T) {
	m := MustLoadRiverbend(t)
	// Crescent Dr meets Heron Way at one of the line's two crossings of the
	// circle: the one within the arc (from -60° to 240°), east of x = 500.
	var crescentHeron xy
	for _, p := range heronMeetsCircle(xy{300, 300}, 500) {
		if p.x > 500 {
			crescentHeron = p
		}
	}
	riverHeron := heronMeetsCircle(xy{0, 3000}, 3800)[0]
	tests := []struct {
		in   string
		kind Kind
		text string
		at   xy
		tol  float64
	}{
		// Address points, 15 m off the centerline.
		{"1301 Market St", KindAddress, "1301 Market St", xy{1, 15}, 1},
		{"1320 market street", KindAddress, "1320 Market St", xy{20, -15}, 1},
		{"1341 MARKET ST.", KindAddress, "1341 Market St", xy{41, 15}, 1},
		{"901 crescent drive", KindAddress, "901 Crescent Dr", crescentAt(801, 485), 1},
		{"12 Harbor Ct NW", KindAddress, "12 Harbor Ct NW", xy{-1004, 485}, 1},
		{"12 harbor court northwest", KindAddress, "12 Harbor Ct NW", xy{-1004, 485}, 1},
		{"12 Harbor Ct", KindAddress, "12 Harbor Ct NW", xy{-1004, 485}, 1},
		// Interpolated, 8 m to the side of the number's parity.
		{"1303 Market St", KindInterpolated, "1303 Market St", xy{3, 8}, 5},
		{"1500 MARKET", KindInterpolated, "1500 Market St", xy{200, -8}, 5},
		{"2002 Market Street", KindInterpolated, "2002 Market St", xy{702, -8}, 5},
		{"151 N Bridge Ave", KindInterpolated, "151 N Bridge Ave", xy{-8, 51}, 5},
		{"150 North Bridge Avenue", KindInterpolated, "150 N Bridge Ave", xy{8, 50}, 5},
		{"450 s bridge", KindInterpolated, "450 S Bridge Ave", xy{-8, -350}, 5},
		{"1001 Heron Way", KindInterpolated, "1001 Heron Way", heronAt(901, 8), 5},
		{"1000 Heron Wy", KindInterpolated, "1000 Heron Way", heronAt(900, -8), 5},
		{"1101 Crescent Dr", KindInterpolated, "1101 Crescent Dr", crescentAt(1001, 492), 5},
		{"2400 Crescent Dr", KindInterpolated, "2400 Crescent Dr", crescentAt(2300, 508), 5},
		{"13 Harbor Ct NW", KindInterpolated, "13 Harbor Ct NW", xy{-996, 508}, 10}, // a number every 8 m
		// Intersections: straight, diagonal, curved.
		{"Market St and S Bridge Ave", KindIntersection, "Market St & S Bridge Ave", xy{0, 0}, 1},
		{"Market & Bridge", KindIntersection, "Market St & N Bridge Ave", xy{0, 0}, 1},
		{"Heron Way & Market St", KindIntersection, "Heron Way & Market St", xy{-1000 + 1000/tan35, 0}, 1},
		{"heron / bridge", KindIntersection, "Heron Way & S Bridge Ave", xy{0, -1000 + 1000*tan35}, 1},
		{"Crescent Dr at N Bridge Ave", KindIntersection, "Crescent Dr & N Bridge Ave", xy{0, 300 + math.Sqrt(500*500-300*300)}, 1},
		{"S Bridge Ave @ Crescent", KindIntersection, "S Bridge Ave & Crescent Dr", xy{0, 300 - math.Sqrt(500*500-300*300)}, 1},
		{"crescent @ heron", KindIntersection, "Crescent Dr & Heron Way", crescentHeron, 1},
		{"River Rd & Heron Way", KindIntersection, "River Rd & Heron Way", riverHeron, 1},
		{"S Bridge Ave & River Road", KindIntersection, "S Bridge Ave & River Rd", xy{0, 3000 - 3800}, 1},
		// Street aliases: Heron Way is also Old Mill Rd, Market St east of
		// Bridge Ave also Riverfront Dr. A result spells the street's
		// FULLNAME; an address point spelt by the alias is the street's.
		{"1201 Heron Way", KindAddress, "1201 Heron Way", heronAt(1101, 15), 1},
		{"1201 Old Mill Rd", KindAddress, "1201 Heron Way", heronAt(1101, 15), 1},
		{"1001 old mill road", KindInterpolated, "1001 Heron Way", heronAt(901, 8), 5},
		{"1000 Old Mill", KindInterpolated, "1000 Heron Way", heronAt(900, -8), 5},
		{"1301 Riverfront Drive", KindAddress, "1301 Market St", xy{1, 15}, 1},
		{"1500 Riverfront Dr", KindInterpolated, "1500 Market St", xy{200, -8}, 5},
		{"Old Mill Rd & Market St", KindIntersection, "Heron Way & Market St", xy{-1000 + 1000/tan35, 0}, 1},
		{"Riverfront Dr & Old Mill Rd", KindIntersection, "Market St & Heron Way", xy{-1000 + 1000/tan35, 0}, 1},
		{"old mill / bridge", KindIntersection, "Heron Way & S Bridge Ave", xy{0, -1000 + 1000*tan35}, 1},
		// Crescent Dr crosses Market St at x = 300 ± 400; only the eastern
		// crossing is on Riverfront Dr.
		{"Crescent Dr & Riverfront Dr", KindIntersection, "Crescent Dr & Market St", xy{700, 0}, 1},
		// Places, by name and alias.
		{"Riverbend General Hospital", KindPlace, "Riverbend General Hospital", xy{-400, 300}, 1},
		{"rgh", KindPlace, "Riverbend General Hospital", xy{-400, 300}, 1},
		{"union station", KindPlace, "Union Station", xy{600, -300}, 1},
		// The L-shaped park: rectangles of 200×100 and 100×200 m, centroids
		// (100, 50) and (50, 200) from its corner (-900, -400).
		{"The Park", KindPlace, "Heron Park", xy{-900 + 75, -400 + 125}, 1},
		// Coordinates.
		{"45.52, -122.68", KindPoint, "45.520000,-122.680000", xy{0, 0}, 0.01},
	}
	for _, tt := range tests {
		got, err := m.Geocode(tt.in)
		if err != nil {
			t.Errorf("Geocode(%q) = %v", tt.in, err)
			continue
		}
		if got.Kind != tt.kind || got.Text != tt.text {
			t.Errorf("Geocode(%q) = %s %q, want %s %q", tt.in, got.Kind, got.Text, tt.kind, tt.text)
		}
		if d := metresFrom(got, tt.at); d > tt.tol {
			t.Errorf("Geocode(%q) is %.1f m from its true point, want at most %g", tt.in, d, tt.tol)
		}
	}
}

func TestGeocodeErrors(t *testing.T) {
	m := MustLoadRiverbend(t)
	tests := []struct {
		in, code string
		has      []string // in Candidates or Suggestions
		msg      string   // in the message
	}{
		{"", EINVALID, nil, "empty"},
		{strings.Repeat("a", 201), EINVALID, nil, "longer than 200"},
		{"91, -122.68", EINVALID, nil, "latitude"},
		{"45.52, -190", EINVALID, nil, "longitude"},
		{"Market St", EINVALID, nil, "house number"},
		{"150 Bridge Ave", EAMBIGUOUS, []string{"150 N Bridge Ave", "150 S Bridge Ave"}, ""},
		{"1150 Bridge Ave", ERANGE, nil, "N Bridge Ave runs 100–798, 101–799, 800–1100"},
		{"5000 Market St", ERANGE, nil, "Market St runs 100–1198, 101–1199"},
		{"100 River Rd", ERANGE, nil, "River Rd has no address ranges"},
		{"1300 N Market St", ENOTFOUND, []string{"Market St"}, ""},
		{"Crescent Dr & Market St", EAMBIGUOUS, []string{"Crescent Dr & Market St near 1200 Market St", "Crescent Dr & Market St near 2000 Market St"}, "2 places"},
		{"Crescent & Bridge", EAMBIGUOUS, nil, "2 places"},
		{"Harbor Ct NW & Market St", ENOCROSS, nil, "never meet"},
		{"Market St & market street", ENOCROSS, nil, "both Market St"},
		{"Heron Way & Old Mill Rd", ENOCROSS, nil, "both Heron Way"},
		// Riverfront Dr is Market St from x = 0, numbers 1300 up: the address
		// point 501 Market St, west of it, is not on it.
		{"501 Riverfront Dr", ERANGE, nil, "Riverfront Dr (Market St) runs 1300–1728, 1301–1727, 1729–1999"},
		{"Riverfront Dr & Harbor Ct NW", ENOCROSS, nil, "Riverfront Dr (Market St) and Harbor Ct NW never meet"},
		{"Old Mill Rd", EINVALID, nil, "Old Mill Rd (Heron Way) is a whole street"},
		{"1001 Old Mil Rd", ENOTFOUND, []string{"Old Mill Rd"}, ""},
		{"Markte St", ENOTFOUND, []string{"Market St"}, ""},
		{"Herron Way & Market St", ENOTFOUND, []string{"Heron Way"}, ""},
		{"1001 Heorn Way", ENOTFOUND, []string{"Heron Way"}, ""},
		{"Union Statoin", ENOTFOUND, []string{"Union Station"}, ""},
		{"Market St & ", EINVALID, nil, "two streets"},
		{"Zzyzx", ENOTFOUND, nil, "no street or place"},
	}
	for _, tt := range tests {
		_, err := m.Geocode(tt.in)
		if ErrorCode(err) != tt.code {
			t.Errorf("Geocode(%q) = %v, want code %s", tt.in, err, tt.code)
			continue
		}
		e := err.(*Error)
		for _, h := range tt.has {
			if !slices.ContainsFunc(append(e.Candidates, e.Suggestions...), func(s string) bool { return strings.HasPrefix(s, h) }) {
				t.Errorf("Geocode(%q) = %v, want %q among candidates and suggestions", tt.in, err, h)
			}
		}
		if !strings.Contains(e.Message, tt.msg) {
			t.Errorf("Geocode(%q) = %q, want a message with %q", tt.in, e.Message, tt.msg)
		}
		if len(e.Suggestions) > 3 {
			t.Errorf("Geocode(%q) suggests %d names, want at most 3", tt.in, len(e.Suggestions))
		}
	}
}

func TestZoneAt(t *testing.T) {
	m := MustLoadRiverbend(t)
	tests := []struct {
		at             xy
		district, beat string
		ok             bool
	}{
		{xy{-1000, 1000}, "1", "1A", true},
		{xy{-10, 10}, "1", "1A", true},
		{xy{-1000, -1000}, "1", "1B", true},
		{xy{1000, 1000}, "2", "2A", true},
		{xy{1000, -1000}, "2", "2B", true},
		{xy{250, -500}, "2", "2B", true},  // beside the hole
		{xy{500, -500}, "2", "2C", true},  // in the hole: the rail yard
		{xy{2400, -200}, "2", "2C", true}, // the island
		{xy{2100, -200}, "", "", false},   // between the beats and the island
		{xy{0, 2500}, "", "", false},
		{xy{-5000, -5000}, "", "", false},
	}
	for _, tt := range tests {
		p := rbPoint(tt.at)
		z, ok := m.ZoneAt(p.Lat, p.Lon)
		if ok != tt.ok || z.District != tt.district || z.Beat != tt.beat {
			t.Errorf("ZoneAt(%v) = %q %q %v, want %q %q %v", tt.at, z.District, z.Beat, ok, tt.district, tt.beat, tt.ok)
		}
	}
}

func TestReverse(t *testing.T) {
	m := MustLoadRiverbend(t)
	tests := []struct {
		at   xy
		want string
	}{
		{xy{1 + 2, 15 + 3}, "1301 Market St"},      // by an address point
		{xy{20, -40}, "1320 Market St"},            // 25 m from it
		{xy{-1004, 480}, "12 Harbor Ct NW"},        // spelt as the streets file does
		{heronAt(800, 10), "899 Heron Way"},        // no point within 150 m: the left range
		{heronAt(800, -10), "900 Heron Way"},       // and the right
		{xy{1000, 3000 - 3666.06 + 5}, "River Rd"}, // a street without ranges
		{xy{1500, 1500}, ""},                       // nothing within 500 m
	}
	for _, tt := range tests {
		p := rbPoint(tt.at)
		got := m.Reverse(p.Lat, p.Lon)
		if tt.want == "899 Heron Way" || tt.want == "900 Heron Way" {
			// Interpolation along the feature gives the number to within a
			// house or two of the design's; the side fixes its parity.
			n, name, _ := strings.Cut(got, " ")
			v, err := strconv.Atoi(n)
			w, _ := strconv.Atoi(tt.want[:3])
			if err != nil || name != "Heron Way" || v%2 != w%2 || math.Abs(float64(v-w)) > 2 {
				t.Errorf("Reverse(%v) = %q, want %q give or take 2", tt.at, got, tt.want)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("Reverse(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestLoadRoundTrip(t *testing.T) {
	d := riverbend()
	d.Streets = slices.Clone(d.Streets)
	// A MultiLineString street and a SPEED_MPH of its own.
	d.Streets = append(d.Streets, Street{
		Name: "Old Ferry Trl", Aliases: []string{"Ferry Rd", "County Road 12"}, Class: "track", SpeedMPH: 12.5, Left: Range{1, 9},
		Lines: [][]Point{{rbPoint(xy{1300, 100}), rbPoint(xy{1400, 200})}, {rbPoint(xy{1400, 250}), rbPoint(xy{1500, 300}), rbPoint(xy{1600, 300})}},
	})
	dir := t.TempDir()
	if err := WriteDir(dir, d); err != nil {
		t.Fatal(err)
	}
	m, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b Point) bool { return math.Abs(a.Lat-b.Lat) < 1e-7 && math.Abs(a.Lon-b.Lon) < 1e-7 }
	nearAll := func(a, b []Point) bool { return slices.EqualFunc(a, b, near) }
	if got := m.Streets(); !slices.EqualFunc(got, d.Streets, func(a, b Street) bool {
		return a.Name == b.Name && slices.Equal(a.Aliases, b.Aliases) && a.Left == b.Left && a.Right == b.Right &&
			a.Class == b.Class && a.SpeedMPH == b.SpeedMPH && slices.EqualFunc(a.Lines, b.Lines, nearAll)
	}) {
		t.Errorf("Streets() differ from what WriteDir wrote")
	}
	if got := m.Places(); !slices.EqualFunc(got, d.Places, func(a, b Place) bool {
		return a.Name == b.Name && slices.Equal(a.Aliases, b.Aliases) && near(a.At, b.At) && slices.EqualFunc(a.Area, b.Area, nearAll)
	}) {
		t.Errorf("Places() = %+v, want %+v", got, d.Places)
	}
	if got := m.Zones(); !slices.EqualFunc(got, d.Zones, func(a, b Zone) bool {
		return a.District == b.District && a.Beat == b.Beat && a.Zone == b.Zone &&
			slices.EqualFunc(a.Area, b.Area, func(p, q [][]Point) bool { return slices.EqualFunc(p, q, nearAll) })
	}) {
		t.Errorf("Zones() differ from what WriteDir wrote")
	}
	// Interpolation runs along both lines of the MultiLineString: 5 is
	// half-way along its 353.2 m, 35.2 m into the second line, which heads
	// along (2, 1)/√5; 8 m to its left.
	u := xy{2 / math.Sqrt(5), 1 / math.Sqrt(5)}
	h := math.Hypot(100, 100)
	along := (h+math.Hypot(100, 50)+100)/2 - h
	want5 := xy{1400 + along*u.x - 8*u.y, 250 + along*u.y + 8*u.x}
	if r, err := m.Geocode("5 Old Ferry Trail"); err != nil || r.Kind != KindInterpolated || metresFrom(r, want5) > 1 {
		t.Errorf("Geocode(5 Old Ferry Trail) = %+v, %v; want interpolated within 1 m of %v", r, err, want5)
	}
	if m.Addresses() != len(d.Addresses) {
		t.Errorf("Addresses() = %d, want %d", m.Addresses(), len(d.Addresses))
	}
	want := d.Addresses
	f, err := os.Open(filepath.Join(dir, AddressesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadAddresses(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, func(a, b Address) bool {
		return near(Point{a.Lat, a.Lon}, Point{b.Lat, b.Lon}) && a.Number == b.Number && a.Street == b.Street &&
			a.City == b.City && a.Region == b.Region && a.Postcode == b.Postcode && a.ID == b.ID
	}) {
		t.Errorf("ReadAddresses differ from what WriteDir wrote")
	}
	lo, hi := m.Bounds()
	o := m.Projection().Origin
	if !(lo.Lat < o.Lat && o.Lat < hi.Lat && lo.Lon < o.Lon && o.Lon < hi.Lon) ||
		math.Abs(o.Lat-(lo.Lat+hi.Lat)/2) > 1e-9 || math.Abs(o.Lon-(lo.Lon+hi.Lon)/2) > 1e-9 {
		t.Errorf("Projection().Origin = %v, want the middle of Bounds() %v %v", o, lo, hi)
	}
}

func TestLoadDirOptionalFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{StreetsFile, ZonesFile} {
		copyFile(t, filepath.Join(rbDir, f), filepath.Join(dir, f))
	}
	m, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir without addresses and places = %v", err)
	}
	if m.Addresses() != 0 || len(m.Places()) != 0 {
		t.Errorf("LoadDir without addresses and places has %d addresses, %d places", m.Addresses(), len(m.Places()))
	}
	// Without address points, numbers are interpolated.
	if r, err := m.Geocode("1301 Market St"); err != nil || r.Kind != KindInterpolated {
		t.Errorf("Geocode(1301 Market St) = %v, %v; want interpolated", r, err)
	}
	for _, f := range []string{StreetsFile, ZonesFile} {
		d := t.TempDir()
		other := map[string]string{StreetsFile: ZonesFile, ZonesFile: StreetsFile}[f]
		copyFile(t, filepath.Join(rbDir, other), filepath.Join(d, other))
		if _, err := LoadDir(d); err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("LoadDir without %s = %v, want an error naming it", f, err)
		}
	}
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestReadStreetsForms checks the forms GIS offices write besides
// WriteDir's: numbers for ranges, empty strings, SPEED_MPH as a string,
// altitudes, and members other than features.
func TestReadStreetsForms(t *testing.T) {
	in := `{"type":"FeatureCollection","name":"tl_2024_17031_edges","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[
{"type":"Feature","properties":{"FULLNAME":"W 39th Pl","LFROMADD":3201,"LTOADD":"3299","RFROMADD":"","RTOADD":null,"SPEED_MPH":"30","ROADCLASS":"S1400"},"geometry":{"type":"LineString","coordinates":[[-87.70,41.82,180.5],[-87.69,41.82,181]]}}
],"bbox":[-88,41,-87,42]}`
	got, err := ReadStreets(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := Street{Name: "W 39th Pl", Left: Range{3201, 3299}, SpeedMPH: 30, Class: "S1400",
		Lines: [][]Point{{{Lat: 41.82, Lon: -87.70}, {Lat: 41.82, Lon: -87.69}}}}
	if len(got) != 1 || got[0].Name != want.Name || got[0].Left != want.Left || !got[0].Right.IsZero() ||
		got[0].SpeedMPH != 30 || !slices.Equal(got[0].Lines[0], want.Lines[0]) {
		t.Errorf("ReadStreets = %+v, want %+v", got, want)
	}
}

// TestLoadDirBroken checks that a broken file is an error naming the file,
// the line or feature, and what is wrong.
func TestLoadDirBroken(t *testing.T) {
	const head = `{"type":"FeatureCollection","features":[` + "\n"
	street := func(props, geom string) string {
		return `{"type":"Feature","properties":{` + props + `},"geometry":` + geom + `}`
	}
	line := `{"type":"LineString","coordinates":[[-122.68,45.52],[-122.67,45.52]]}`
	good := street(`"FULLNAME":"Good St"`, line)
	square := `[[-122.68,45.52],[-122.67,45.52],[-122.67,45.53],[-122.68,45.52]]`
	addrHead := strings.Join(AddressColumns, ",") + "\n"
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{"bad lon", AddressesFile, addrHead + "-122.68,45.52,1,Good St,,,,,,,\nabc,45.52,2,Good St,,,,,,,\n", []string{AddressesFile, "line 3", "LON", "not a number"}},
		{"lat out of range", AddressesFile, addrHead + "-122.68,95.52,1,Good St,,,,,,,\n", []string{AddressesFile, "line 2", "latitude 95.52"}},
		{"wrong header", AddressesFile, "LAT,LON,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH\n", []string{AddressesFile, "line 1", "header"}},
		{"short row", AddressesFile, addrHead + "-122.68,45.52,1\n", []string{AddressesFile, "line 2"}},
		{"empty number", AddressesFile, addrHead + "-122.68,45.52,,Good St,,,,,,,\n", []string{AddressesFile, "line 2", "NUMBER is empty"}},
		{"short line", StreetsFile, head + good + ",\n" + street(`"FULLNAME":"Stub St"`, `{"type":"LineString","coordinates":[[-122.68,45.52]]}`) + "]}",
			[]string{StreetsFile, "feature 1", `"Stub St"`, "at least 2"}},
		{"one-ended range", StreetsFile, head + street(`"FULLNAME":"Half St","LFROMADD":"101","LTOADD":""`, line) + "]}",
			[]string{StreetsFile, "feature 0", `"Half St"`, "both ends"}},
		{"bad range", StreetsFile, head + street(`"FULLNAME":"Bad St","RFROMADD":"12A","RTOADD":"98"`, line) + "]}",
			[]string{StreetsFile, "feature 0", "RFROMADD", "not a house number"}},
		{"unknown class", StreetsFile, head + street(`"FULLNAME":"Odd St","ROADCLASS":"S9999"`, line) + "]}",
			[]string{StreetsFile, "feature 0", `"Odd St"`, "S9999"}},
		{"bad speed", StreetsFile, head + street(`"FULLNAME":"Fast St","SPEED_MPH":"fast"`, line) + "]}",
			[]string{StreetsFile, "feature 0", "SPEED_MPH"}},
		{"lon out of range", StreetsFile, head + street(`"FULLNAME":"Far St"`, `{"type":"LineString","coordinates":[[-222.68,45.52],[-122.67,45.52]]}`) + "]}",
			[]string{StreetsFile, "feature 0", "longitude -222.68"}},
		{"point street", StreetsFile, head + street(`"FULLNAME":"Dot St"`, `{"type":"Point","coordinates":[-122.68,45.52]}`) + "]}",
			[]string{StreetsFile, "feature 0", "Point"}},
		{"not json", StreetsFile, head + good + ",\n{oops}]}", []string{StreetsFile, "feature 1"}},
		{"no features", StreetsFile, `{"type":"FeatureCollection"}`, []string{StreetsFile, "no features"}},
		{"zone without district", ZonesFile, head + street(`"beat":"1A"`, `{"type":"Polygon","coordinates":[`+square+`]}`) + "]}",
			[]string{ZonesFile, "feature 0", "without district"}},
		{"short ring", ZonesFile, head + street(`"district":"1"`, `{"type":"Polygon","coordinates":[[[-122.68,45.52],[-122.67,45.52],[-122.68,45.52]]]}`) + "]}",
			[]string{ZonesFile, "feature 0", "ring 0", "at least 4"}},
		{"name twice", PlacesFile, head + street(`"name":"City Hall"`, `{"type":"Point","coordinates":[-122.68,45.52]}`) + ",\n" +
			street(`"name":"Library","aliases":["city hall"]`, `{"type":"Point","coordinates":[-122.68,45.52]}`) + "]}",
			[]string{PlacesFile, "feature 1", `"Library"`, "given twice", `"City Hall"`}},
		{"empty alias", StreetsFile, head + street(`"FULLNAME":"Oak St","ALIASES":["Elm St",""]`, line) + "]}",
			[]string{StreetsFile, "feature 0", `"Oak St"`, "ALIASES: alias 2 is empty"}},
		{"empty alias in a string", StreetsFile, head + good + ",\n" + street(`"FULLNAME":"Oak St","ALIASES":"Elm St;;Ash St"`, line) + "]}",
			[]string{StreetsFile, "feature 1", `"Oak St"`, "ALIASES: alias 2 is empty"}},
		{"alias is the FULLNAME", StreetsFile, head + street(`"FULLNAME":"Oak St","ALIASES":["Elm St","OAK STREET"]`, line) + "]}",
			[]string{StreetsFile, "feature 0", `"Oak St"`, `"OAK STREET" is the FULLNAME`}},
		{"alias twice", StreetsFile, head + street(`"FULLNAME":"Oak St","ALIASES":"Elm St; elm street"`, line) + "]}",
			[]string{StreetsFile, "feature 0", `"Oak St"`, `"elm street" is given twice`}},
		{"aliases not strings", StreetsFile, head + street(`"FULLNAME":"Oak St","ALIASES":["Elm St",7]`, line) + "]}",
			[]string{StreetsFile, "feature 0", `"Oak St"`, "ALIASES", "neither a list of strings nor a string"}},
		{"aliases an object", StreetsFile, head + street(`"FULLNAME":"Oak St","ALIASES":{"name":"Elm St"}`, line) + "]}",
			[]string{StreetsFile, "feature 0", `"Oak St"`, "ALIASES", "neither a list of strings nor a string"}},
		{"place ring", PlacesFile, head + street(`"name":"Lot"`, `{"type":"Polygon","coordinates":[[[-122.68,45.52],[-122.67,45.52]]]}`) + "]}",
			[]string{PlacesFile, "feature 0", `"Lot"`, "at least 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{StreetsFile, ZonesFile, PlacesFile, AddressesFile} {
				copyFile(t, filepath.Join(rbDir, f), filepath.Join(dir, f))
			}
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadDir(dir)
			if err == nil {
				t.Fatalf("LoadDir = nil, want an error with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadDir = %q, want %q in it", err, w)
				}
			}
		})
	}
}

func TestNewMapChecks(t *testing.T) {
	line := [][]Point{{{45.52, -122.68}, {45.53, -122.68}}}
	tests := []struct {
		name string
		d    MapData
		want string
	}{
		{"no streets", MapData{}, "no streets"},
		{"short line", MapData{Streets: []Street{{Name: "A St", Lines: [][]Point{{{45.52, -122.68}}}}}}, `street 0 ("A St")`},
		{"zone", MapData{Streets: []Street{{Name: "A St", Lines: line}}, Zones: []Zone{{Beat: "1"}}}, "zone 0"},
		{"alias is the name", MapData{Streets: []Street{{Name: "A St", Aliases: []string{"a street"}, Lines: line}}}, `street 0 ("A St"): ALIASES: "a street" is the FULLNAME`},
		{"alias empty", MapData{Streets: []Street{{Name: "A St", Lines: line}, {Name: "B St", Aliases: []string{" "}, Lines: line}}}, `street 1 ("B St"): ALIASES: alias 1 is empty`},
		{"alias twice", MapData{Streets: []Street{{Name: "A St", Aliases: []string{"B St", "b street"}, Lines: line}}}, `street 0 ("A St"): ALIASES: "b street" is given twice`},
		{"place twice", MapData{Streets: []Street{{Name: "A St", Lines: line}}, Places: []Place{
			{Name: "X", At: Point{45.52, -122.68}}, {Name: "x", At: Point{45.52, -122.68}}}}, `place 1 ("x")`},
	}
	for _, tt := range tests {
		if _, err := NewMap(tt.d); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewMap(%s) = %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

// TestMapConcurrent reads one map from several goroutines; go test -race
// finds any write.
func TestMapConcurrent(t *testing.T) {
	m := MustLoadRiverbend(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if _, err := m.Geocode("1303 Market St"); err != nil {
					t.Error(err)
				}
				m.Reverse(45.52, -122.68)
				m.ZoneAt(45.52, -122.68)
			}
		})
	}
	wg.Wait()
}
