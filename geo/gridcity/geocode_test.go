package gridcity

import (
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// wantGrid is the grid's own answer for a south-west side grid address,
// computed here from the published rule and independently of grid.go: 800
// numbers to the mile west of State St and south of 31st St (3 miles south
// of Madison), 900 to the mile between Cermak Rd (2 miles) and 31st St, and a
// spherical earth.
func wantGrid(south, west float64) (lat, lon float64) {
	var miles float64
	switch {
	case south >= 3100:
		miles = 3 + (south-3100)/800
	case south >= 2200:
		miles = 2 + (south-2200)/900
	default:
		panic("wantGrid: south of Cermak Rd only")
	}
	const degree = 6371008.8 * math.Pi / 180 // metres per degree on a sphere
	lat = 41.88202 - miles*1609.344/degree
	lon = -87.62780 - west/800*1609.344/(degree*math.Cos(41.88202*math.Pi/180))
	return lat, lon
}

// distance is the great-circle distance in metres.
func distance(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

var demoCases = []struct {
	in          string
	south, west float64
	text        string
	kind        Kind
}{
	// Addresses.
	{"3900 S Kedzie Ave", 3900, 3200, "3900 S Kedzie Ave", KindAddress},
	{"3912 S Kedzie Ave", 3912, 3200, "3912 S Kedzie Ave", KindAddress},
	{"  3912   south KEDZIE avenue ", 3912, 3200, "3912 S Kedzie Ave", KindAddress},
	{"4700 S Western Ave", 4700, 2400, "4700 S Western Ave", KindAddress},
	{"2800 S California Ave", 2800, 2800, "2800 S California Ave", KindAddress},
	{"5500 S Pulaski Rd", 5500, 4000, "5500 S Pulaski Rd", KindAddress},
	{"5555 s pulaski road", 5555, 4000, "5555 S Pulaski Rd", KindAddress},
	{"3100 S Halsted St", 3100, 800, "3100 S Halsted St", KindAddress},
	{"4321 S Ashland Avenue", 4321, 1600, "4321 S Ashland Ave", KindAddress},
	{"2201 S Damen", 2201, 2000, "2201 S Damen Ave", KindAddress},
	{"5999 S Cicero Ave", 5999, 4800, "5999 S Cicero Ave", KindAddress},
	{"4510 S St Louis Ave", 4510, 3500, "4510 S St Louis Ave", KindAddress},
	{"4510 Saint Louis", 4510, 3500, "4510 S St Louis Ave", KindAddress},
	{"3333 S Central Park Ave", 3333, 3600, "3333 S Central Park Ave", KindAddress},
	{"3212 W 39th Pl", 3950, 3212, "3212 W 39th Pl", KindAddress},
	{"2400 W 47th St", 4700, 2400, "2400 W 47th St", KindAddress},
	{"4000 W 31st Street", 3100, 4000, "4000 W 31st St", KindAddress},
	{"1234 West 25th Place", 2550, 1234, "1234 W 25th Pl", KindAddress},
	{"2210 W Pershing Rd", 3900, 2210, "2210 W Pershing Rd", KindAddress},
	{"2210 W 39th St", 3900, 2210, "2210 W Pershing Rd", KindAddress},
	{"4801 W Cermak Rd", 2200, 4801, "4801 W Cermak Rd", KindAddress},
	{"900 W 59th Pl", 5950, 900, "900 W 59th Pl", KindAddress},
	// Intersections.
	{"39th Pl & S Kedzie Ave", 3950, 3200, "W 39th Pl & S Kedzie Ave", KindIntersection},
	{"Kedzie / 39th Pl", 3950, 3200, "S Kedzie Ave & W 39th Pl", KindIntersection},
	{"S Kedzie Ave and W 39th Pl", 3950, 3200, "S Kedzie Ave & W 39th Pl", KindIntersection},
	{"S. Kedzie Ave. & W. 39th Place", 3950, 3200, "S Kedzie Ave & W 39th Pl", KindIntersection},
	{"kedzie at 39th place", 3950, 3200, "S Kedzie Ave & W 39th Pl", KindIntersection},
	{"Kedzie & 39th", 3900, 3200, "S Kedzie Ave & W Pershing Rd", KindIntersection},
	{"Kedzie & 39", 3900, 3200, "S Kedzie Ave & W Pershing Rd", KindIntersection},
	{"Kedzie @ Pershing", 3900, 3200, "S Kedzie Ave & W Pershing Rd", KindIntersection},
	{"Western & 47th", 4700, 2400, "S Western Ave & W 47th St", KindIntersection},
	{"Pulaski & 55th", 5500, 4000, "S Pulaski Rd & W 55th St", KindIntersection},
	{"Halsted & 31st", 3100, 800, "S Halsted St & W 31st St", KindIntersection},
	{"Cermak & Western", 2200, 2400, "W Cermak Rd & S Western Ave", KindIntersection},
	{"22nd St & Western", 2200, 2400, "W Cermak Rd & S Western Ave", KindIntersection},
	{"22nd Pl & Western", 2250, 2400, "W 22nd Pl & S Western Ave", KindIntersection},
	{"Ashland and 26th", 2600, 1600, "S Ashland Ave & W 26th St", KindIntersection},
	{"Damen & 35th", 3500, 2000, "S Damen Ave & W 35th St", KindIntersection},
	{"California / 43rd", 4300, 2800, "S California Ave & W 43rd St", KindIntersection},
	{"Cicero & 59th Pl", 5950, 4800, "S Cicero Ave & W 59th Pl", KindIntersection},
	{"Central Park & 51st", 5100, 3600, "S Central Park Ave & W 51st St", KindIntersection},
	{"St Louis & 33rd Pl", 3350, 3500, "S St Louis Ave & W 33rd Pl", KindIntersection},
	{"Racine & 53rd", 5300, 1200, "S Racine Ave & W 53rd St", KindIntersection},
	{"Homan & 28th", 2800, 3400, "S Homan Ave & W 28th St", KindIntersection},
	{"Kostner & 41st", 4100, 4400, "S Kostner Ave & W 41st St", KindIntersection},
	{"Hamlin & 44th Pl", 4450, 3800, "S Hamlin Ave & W 44th Pl", KindIntersection},
	{"Wood & 57th", 5700, 1800, "S Wood St & W 57th St", KindIntersection},
	{"Sacramento & 36th", 3600, 3000, "S Sacramento Ave & W 36th St", KindIntersection},
	{"Rockwell & 49th Pl", 4950, 2600, "S Rockwell St & W 49th Pl", KindIntersection},
	{"Morgan & 23rd", 2300, 1000, "S Morgan St & W 23rd St", KindIntersection},
	// Places.
	{"Midway Airport", 5700, 4800, "Midway Airport", KindPlace},
	{"mckinley park", 3900, 2210, "McKinley Park", KindPlace},
}

func TestGeocodeDemo(t *testing.T) {
	g := Chicago()
	if len(demoCases) < 40 {
		t.Fatalf("only %d demo cases, want at least 40", len(demoCases))
	}
	for _, tc := range demoCases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := g.Geocode(tc.in)
			if err != nil {
				t.Fatalf("Geocode(%q) error %v", tc.in, err)
			}
			if got.Text != tc.text || got.Kind != tc.kind {
				t.Errorf("Geocode(%q) = %q %s, want %q %s", tc.in, got.Text, got.Kind, tc.text, tc.kind)
			}
			wlat, wlon := wantGrid(tc.south, tc.west)
			if d := distance(got.Lat, got.Lon, wlat, wlon); d > 300 {
				t.Errorf("Geocode(%q) = %.5f,%.5f, %.0f m from the grid's %.5f,%.5f, want within 300 m", tc.in, got.Lat, got.Lon, d, wlat, wlon)
			}
		})
	}
}

func TestGeocode39thPlKedzie(t *testing.T) {
	got, err := Chicago().Geocode("39th Pl & S Kedzie Ave")
	if err != nil {
		t.Fatal(err)
	}
	if d := distance(got.Lat, got.Lon, 41.8222, -87.7052); d > 300 {
		t.Errorf("Geocode(39th Pl & S Kedzie Ave) = %.5f,%.5f, %.0f m from 41.8222,-87.7052, want within 300 m", got.Lat, got.Lon, d)
	}
}

func TestGeocodePoint(t *testing.T) {
	g := Chicago()
	for _, in := range []string{"41.8236,-87.7047", " 41.8236 , -87.7047 ", "41.8236 -87.7047", "+41.8236,-87.7047"} {
		got, err := g.Geocode(in)
		if err != nil {
			t.Fatalf("Geocode(%q) error %v", in, err)
		}
		if got.Lat != 41.8236 || got.Lon != -87.7047 || got.Kind != KindPoint || got.Text != "41.823600,-87.704700" {
			t.Errorf("Geocode(%q) = %+v, want 41.8236,-87.7047 point", in, got)
		}
	}
}

func TestReverse(t *testing.T) {
	g := Chicago()
	t.Run("RoundTrip", func(t *testing.T) {
		for _, tc := range demoCases {
			r, err := g.Geocode(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			back := g.Reverse(r.Lat, r.Lon)
			r2, err := g.Geocode(back)
			if err != nil {
				t.Fatalf("Geocode(Reverse(Geocode(%q))) = Geocode(%q) error %v", tc.in, back, err)
			}
			if d := distance(r.Lat, r.Lon, r2.Lat, r2.Lon); d > 3 {
				t.Errorf("Reverse(Geocode(%q)) = %q, %.1f m away, want within 3 m", tc.in, back, d)
			}
			// Away from a crossing the address comes back word for word.
			if tc.kind == KindAddress && (int(tc.south)%50 != 0 || int(tc.west)%50 != 0) {
				if back != r.Text {
					t.Errorf("Reverse(Geocode(%q)) = %q, want %q", tc.in, back, r.Text)
				}
			}
		}
	})
	t.Run("Nearby", func(t *testing.T) {
		// 20 m east of Kedzie, at 3912 S: the nearest street is Kedzie.
		lat, lon := GridPoint{N: -3912, E: -3200 + 10}.LatLon()
		if got, want := g.Reverse(lat, lon), "3912 S Kedzie Ave"; got != want {
			t.Errorf("Reverse(%.5f,%.5f) = %q, want %q", lat, lon, got, want)
		}
		// Far outside the area: clamped to the nearest end of the nearest street.
		if got, want := g.Reverse(41.70, -87.80), "4999 W 59th Pl"; got != want {
			t.Errorf("Reverse(41.70,-87.80) = %q, want %q", got, want)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		e, err := New(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Reverse(41.8, -87.7); got != "" {
			t.Errorf("Reverse on an empty gazetteer = %q, want \"\"", got)
		}
	})
}

func loadWestern(t testing.TB) *Gazetteer {
	t.Helper()
	f, err := os.Open("testdata/western.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := LoadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGeocodeErrors(t *testing.T) {
	demo, western := Chicago(), loadWestern(t)
	for _, tc := range []struct {
		name, in string
		g        *Gazetteer
		code     string
		list     []string // suggestions or candidates, in order; nil means none
	}{
		{"ErrUnknownStreet", "3900 S Kedzy Ave", demo, ENOTFOUND, []string{"S Kedzie Ave"}},
		{"ErrUnknownStreetCross", "Pulasky & 47th", demo, ENOTFOUND, []string{"S Pulaski Rd"}},
		{"ErrWrongDirection", "3900 N Kedzie Ave", demo, ENOTFOUND, []string{"S Kedzie Ave"}},
		{"ErrUnknownNoSuggestion", "Xyzzyplugh & 39th", demo, ENOTFOUND, nil},
		{"ErrUnknownStreetAlone", "Nowhere", demo, ENOTFOUND, nil},
		{"ErrAmbiguous", "3900 Western", western, EAMBIGUOUS, []string{"S Western Ave", "S Western Blvd"}},
		{"ErrAmbiguousCross", "Western & Pershing", western, EAMBIGUOUS, []string{"S Western Ave", "S Western Blvd"}},
		{"ErrOutOfRange", "6500 S Kedzie Ave", demo, ERANGE, nil},
		{"ErrOutOfRangeLow", "100 W 39th Pl", demo, ERANGE, nil},
		{"ErrOutOfRangeSegment", "5500 S Western Blvd", western, ERANGE, nil},
		{"ErrParallel", "Kedzie & Western", demo, ENOCROSS, nil},
		{"ErrParallelNumbered", "39th St & 39th Pl", demo, ENOCROSS, nil},
		{"ErrSameStreet", "Kedzie & S Kedzie Ave", demo, ENOCROSS, nil},
		{"ErrDoNotMeet", "Kedzie & Pershing", western, ENOCROSS, nil},
		{"ErrEmpty", "", demo, EINVALID, nil},
		{"ErrBlank", "   \t ", demo, EINVALID, nil},
		{"ErrWholeStreet", "S Kedzie Ave", demo, EINVALID, nil},
		{"ErrGarbage", "!!!", demo, EINVALID, nil},
		{"ErrHalfIntersection", "Kedzie &", demo, EINVALID, nil},
		{"ErrThreeStreets", "Kedzie & 39th & 40th", demo, EINVALID, nil},
		{"ErrMalformedCoordinates", "41.8236,-87.70.47", demo, EINVALID, nil},
		{"ErrHalfCoordinates", "41.8236,", demo, EINVALID, nil},
		{"ErrLatitudeRange", "91.5,-87.7", demo, EINVALID, nil},
		{"ErrLongitudeRange", "41.8,-187.7", demo, EINVALID, nil},
		{"ErrTooLong", strings.Repeat("Kedzie ", 40), demo, EINVALID, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.g.Geocode(tc.in)
			if err == nil {
				t.Fatalf("Geocode(%q) = %+v, want error %s", tc.in, got, tc.code)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Geocode(%q) error %T %v, want *Error", tc.in, err, err)
			}
			if e.Code != tc.code || ErrorCode(err) != tc.code {
				t.Errorf("Geocode(%q) error code %q (%v), want %q", tc.in, e.Code, err, tc.code)
			}
			list := e.Suggestions
			if tc.code == EAMBIGUOUS {
				list = e.Candidates
			}
			switch {
			case tc.list == nil && len(list) > 0,
				tc.code == EAMBIGUOUS && !slices.Equal(list, tc.list),
				tc.list != nil && (len(list) == 0 || list[0] != tc.list[0]):
				t.Errorf("Geocode(%q) lists %q, want %q first", tc.in, list, tc.list)
			}
			if len(list) > 3 && tc.code == ENOTFOUND {
				t.Errorf("Geocode(%q) gives %d suggestions, want at most 3", tc.in, len(list))
			}
			if e.Message == "" || err.Error() == "" {
				t.Errorf("Geocode(%q) error has no message", tc.in)
			}
		})
	}
}

func TestParseStreet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want streetQuery
	}{
		{"S Kedzie Ave", streetQuery{"S", "KEDZIE", "AVE"}},
		{"south kedzie avenue", streetQuery{"S", "KEDZIE", "AVE"}},
		{"Kedzie", streetQuery{"", "KEDZIE", ""}},
		{"W 39 Place", streetQuery{"W", "39TH", "PL"}},
		{"39th", streetQuery{"", "39TH", ""}},
		{"1 St", streetQuery{"", "1ST", "ST"}},
		{"12 St", streetQuery{"", "12TH", "ST"}},
		{"S St Louis Ave", streetQuery{"S", "ST LOUIS", "AVE"}},
		{"Saint Louis", streetQuery{"", "ST LOUIS", ""}},
		{"West", streetQuery{"", "WEST", ""}},
		{"Ave", streetQuery{"", "AVE", ""}},
	} {
		if got := parseStreet(tc.in); got != tc.want {
			t.Errorf("parseStreet(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 39: "39th", 111: "111th", 123: "123rd"} {
		if got := Ordinal(n); got != want {
			t.Errorf("Ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func FuzzGeocode(f *testing.F) {
	for _, tc := range demoCases {
		f.Add(tc.in)
	}
	for _, s := range []string{"", "&", "/ /", "41.8236,-87.7047", "1e400,1", "999999 S Kedzie", "9999999999 Kedzie", "Kedzie & ", "\xff\xfe", "0,0", "-0.,-0."} {
		f.Add(s)
	}
	g := Chicago()
	f.Fuzz(func(t *testing.T, in string) {
		r, err := g.Geocode(in)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("Geocode(%q) error %v has no code", in, err)
			}
			return
		}
		if math.IsNaN(r.Lat) || math.IsNaN(r.Lon) || math.Abs(r.Lat) > 90 || math.Abs(r.Lon) > 180 || r.Text == "" {
			t.Fatalf("Geocode(%q) = %+v, want a valid position and text", in, r)
		}
		_ = g.Reverse(r.Lat, r.Lon)
	})
}

func BenchmarkGeocode(b *testing.B) {
	g := Chicago()
	inputs := []string{"3900 S Kedzie Ave", "39th Pl & S Kedzie Ave", "Kedzie / 39th Pl", "41.8236,-87.7047", "3900 S Kedzy Ave"}
	for _, in := range inputs {
		b.Run(strings.ReplaceAll(in, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				_, _ = g.Geocode(in)
			}
		})
	}
}

func BenchmarkReverse(b *testing.B) {
	g := Chicago()
	for b.Loop() {
		_ = g.Reverse(41.8236, -87.7047)
	}
}
