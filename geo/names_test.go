package geo

import "testing"

func TestParseStreet(t *testing.T) {
	tests := []struct {
		in   string
		want streetKey
	}{
		{"S Kedzie Ave", streetKey{"S", "KEDZIE", "AVE", ""}},
		{"SOUTH KEDZIE AVENUE", streetKey{"S", "KEDZIE", "AVE", ""}},
		{"s. kedzie av.", streetKey{"S", "KEDZIE", "AVE", ""}},
		{"kedzie", streetKey{"", "KEDZIE", "", ""}},
		{"W 39th Pl", streetKey{"W", "39TH", "PL", ""}},
		{"west 39 place", streetKey{"W", "39TH", "PL", ""}},
		{"1 st", streetKey{"", "1ST", "ST", ""}}, // 1 St is 1st St
		{"E 1st St", streetKey{"E", "1ST", "ST", ""}},
		{"112th Street", streetKey{"", "112TH", "ST", ""}},
		{"12 Main St NW", streetKey{"", "12TH MAIN", "ST", "NW"}},
		{"Main Street Northwest", streetKey{"", "MAIN", "ST", "NW"}},
		{"Saint Clair Blvd", streetKey{"", "ST CLAIR", "BLVD", ""}},
		{"Lake Shore Dr", streetKey{"", "LAKE SHORE", "DR", ""}},
		{"Kennedy Expressway", streetKey{"", "KENNEDY", "EXPY", ""}},
		{"Ridge Parkway", streetKey{"", "RIDGE", "PKWY", ""}},
		{"Broadway", streetKey{"", "BROADWAY", "", ""}},
		{"Avenue", streetKey{"", "AVENUE", "", ""}},
		{"N", streetKey{"", "N", "", ""}},
	}
	for _, tt := range tests {
		if got := parseStreet(tt.in); got != tt.want {
			t.Errorf("parseStreet(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestHolds(t *testing.T) {
	tests := []struct {
		r    Range
		n    int
		want bool
	}{
		{Range{101, 199}, 151, true},
		{Range{101, 199}, 150, false}, // both ends odd: one side of the street
		{Range{199, 101}, 151, true},  // numbers may run down
		{Range{100, 199}, 150, true},  // ends of both parities: any number
		{Range{100, 198}, 200, false},
		{Range{}, 0, false},
		{Range{0, 98}, 0, true},
	}
	for _, tt := range tests {
		if got := holds(tt.r, tt.n); got != tt.want {
			t.Errorf("holds(%v, %d) = %v, want %v", tt.r, tt.n, got, tt.want)
		}
	}
}

// TestGeocodeRangeRules checks which street a number goes to when a name
// fits several, and the parity of a side.
func TestGeocodeRangeRules(t *testing.T) {
	at := func(y0, y1 float64) [][]Point { return [][]Point{{rbPoint(xy{0, y0}), rbPoint(xy{0, y1})}} }
	m, err := NewMap(MapData{Streets: []Street{
		{Name: "N Elm St", Lines: at(0, 100), Left: Range{101, 199}, Right: Range{100, 198}},
		{Name: "S Elm St", Lines: at(0, -100), Left: Range{301, 399}, Right: Range{300, 398}},
		{Name: "Odd Ln", Lines: [][]Point{{rbPoint(xy{50, 0}), rbPoint(xy{50, 100})}}, Left: Range{1, 99}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, text, code string
	}{
		{"150 Elm", "150 N Elm St", ""}, // only N Elm St holds it
		{"350 elm street", "350 S Elm St", ""},
		{"250 Elm", "", ERANGE},
		{"51 Odd Ln", "51 Odd Ln", ""},
		{"50 Odd Ln", "", ERANGE}, // the odd side only
		{"0051 Odd Lane", "51 Odd Ln", ""},
	}
	for _, tt := range tests {
		r, err := m.Geocode(tt.in)
		if ErrorCode(err) != tt.code || r.Text != tt.text {
			t.Errorf("Geocode(%q) = %q, %v; want %q, code %q", tt.in, r.Text, err, tt.text, tt.code)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"KEDZIE", "KEDZIE", 0}, {"KEDZY", "KEDZIE", 2}, {"", "ABC", 3}, {"PULASKY", "PULASKI", 1}} {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
