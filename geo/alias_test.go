package geo

import (
	"slices"
	"strings"
	"testing"
)

// TestReadStreetsAliases checks the forms ALIASES comes in: a list, one
// string separated by ";", and the empty forms.
func TestReadStreetsAliases(t *testing.T) {
	tests := []struct {
		name, aliases string
		want          []string
	}{
		{"list", `["W 39th St", " 39th Street "]`, []string{"W 39th St", "39th Street"}},
		{"string", `"W 39th St; 39th Street"`, []string{"W 39th St", "39th Street"}},
		{"one in a string", `"W 39th St"`, []string{"W 39th St"}},
		{"blank string", `"  "`, nil},
		{"empty list", `[]`, nil},
		{"null", `null`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"FULLNAME":"W Pershing Rd","ALIASES":` +
				tt.aliases + `},"geometry":{"type":"LineString","coordinates":[[-87.70,41.82],[-87.69,41.82]]}}]}`
			got, err := ReadStreets(strings.NewReader(in))
			if err != nil {
				t.Fatalf("ReadStreets(ALIASES %s) = %v", tt.aliases, err)
			}
			if len(got) != 1 || !slices.Equal(got[0].Aliases, tt.want) {
				t.Errorf("ReadStreets(ALIASES %s) = %+v, want aliases %q", tt.aliases, got, tt.want)
			}
		})
	}
}

// TestGeocodeAliasAmbiguity checks that an alias which is also another
// street's FULLNAME is ambiguous only where both streets fit, on a small
// map designed in metres around rbOrigin:
//
//   - Oak St, also Elm St, along y = 0 from x = 0 to 1000, numbers 1–999
//     on the left (north) and 2–1000 on the right;
//   - Elm St along y = 500 from x = 0 to 1000, numbers 501–1499 and
//     500–1500;
//   - Main St along x = 200 from y = -100 to 600, crossing both;
//   - Short St along x = 800 from y = 300 to 600, crossing Elm St only;
//   - Low St along x = 800 from y = -100 to 100, crossing Oak St only;
//   - N Pine St, also Pine Ave, along x = -300 from y = 0 to 1000,
//     numbers 1–999 and 2–1000.
func TestGeocodeAliasAmbiguity(t *testing.T) {
	seg := func(a, b xy) [][]Point { return [][]Point{{rbPoint(a), rbPoint(b)}} }
	m, err := NewMap(MapData{Streets: []Street{
		{Name: "Oak St", Aliases: []string{"Elm St"}, Lines: seg(xy{0, 0}, xy{1000, 0}), Left: Range{1, 999}, Right: Range{2, 1000}},
		{Name: "Elm St", Lines: seg(xy{0, 500}, xy{1000, 500}), Left: Range{501, 1499}, Right: Range{500, 1500}},
		{Name: "Main St", Lines: seg(xy{200, -100}, xy{200, 600})},
		{Name: "Short St", Lines: seg(xy{800, 300}, xy{800, 600})},
		{Name: "Low St", Lines: seg(xy{800, -100}, xy{800, 100})},
		{Name: "N Pine St", Aliases: []string{"Pine Ave"}, Lines: seg(xy{-300, 0}, xy{-300, 1000}), Left: Range{1, 999}, Right: Range{2, 1000}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// An interpolated number n of a range lo–hi along a street of 1000 m
	// lies at (n-lo)/(hi-lo) of it, 8 m to its side.
	at := func(n, lo, hi float64) float64 { return 1000 * (n - lo) / (hi - lo) }
	t.Run("OK", func(t *testing.T) {
		tests := []struct {
			in, text string
			at       xy
		}{
			{"100 Elm St", "100 Oak St", xy{at(100, 2, 1000), -8}},       // only Oak St holds 100
			{"1201 Elm St", "1201 Elm St", xy{at(1201, 501, 1499), 508}}, // only Elm St holds 1201
			{"Short St & Elm St", "Short St & Elm St", xy{800, 500}},     // only Elm St meets Short St
			{"Elm St & Low St", "Oak St & Low St", xy{800, 0}},           // only Oak St meets Low St
			{"101 Pine", "101 N Pine St", xy{-300 - 8, at(101, 1, 999)}}, // the street and its alias are one
			{"101 Pine Ave", "101 N Pine St", xy{-300 - 8, at(101, 1, 999)}},
		}
		for _, tt := range tests {
			got, err := m.Geocode(tt.in)
			if err != nil {
				t.Errorf("Geocode(%q) = %v", tt.in, err)
				continue
			}
			if got.Text != tt.text {
				t.Errorf("Geocode(%q) = %q, want %q", tt.in, got.Text, tt.text)
			}
			if d := metresFrom(got, tt.at); d > 1 {
				t.Errorf("Geocode(%q) is %.1f m from its true point, want at most 1", tt.in, d)
			}
		}
	})
	t.Run("ErrAmbiguous", func(t *testing.T) {
		tests := []struct {
			in   string
			want []string
		}{
			{"700 Elm St", []string{"700 Oak St", "700 Elm St"}},
			{"Main St & Elm St", []string{"Main St & Oak St", "Main St & Elm St"}},
		}
		for _, tt := range tests {
			_, err := m.Geocode(tt.in)
			if ErrorCode(err) != EAMBIGUOUS {
				t.Errorf("Geocode(%q) = %v, want code %s", tt.in, err, EAMBIGUOUS)
				continue
			}
			c := err.(*Error).Candidates
			for _, w := range tt.want {
				if !slices.ContainsFunc(c, func(s string) bool { return strings.HasPrefix(s, w) }) {
					t.Errorf("Geocode(%q) = %v, want %q among the candidates", tt.in, err, w)
				}
			}
			if len(c) != len(tt.want) {
				t.Errorf("Geocode(%q) has %d candidates, want %d", tt.in, len(c), len(tt.want))
			}
		}
	})
}

// TestReverseAlias checks that reverse geocoding names a street by its
// FULLNAME, also at an address point spelt by an alias.
func TestReverseAlias(t *testing.T) {
	m := MustLoadRiverbend(t)
	p := rbPoint(heronAt(1101, 15)) // the address point spelt OLD MILL ROAD
	if got := m.Reverse(p.Lat, p.Lon); got != "1201 Heron Way" {
		t.Errorf("Reverse(1201 Old Mill Rd's point) = %q, want %q", got, "1201 Heron Way")
	}
	// 400 m along Heron Way, 3 m to its left: more than 150 m from any
	// address point, so the number comes from the range (about 501; the
	// ranges are cut at whole numbers).
	p = rbPoint(heronAt(400, 3))
	if got := m.Reverse(p.Lat, p.Lon); got != "499 Heron Way" && got != "501 Heron Way" {
		t.Errorf("Reverse(Heron Way at 400 m) = %q, want 499 or 501 Heron Way", got)
	}
}
