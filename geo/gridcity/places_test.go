package gridcity

import "testing"

// TestChicagoPlaces checks that the place names and aliases of the demo
// gazetteer resolve to their places, at their published addresses.
func TestChicagoPlaces(t *testing.T) {
	g := Chicago()
	for _, tc := range []struct {
		q, want string
		at      GridPoint
	}{
		{"Midway Airport", "Midway Airport", GridPoint{N: -5700, E: -4800}},
		{"midway", "Midway Airport", GridPoint{N: -5700, E: -4800}},
		{"Cook County Jail", "Cook County Jail", GridPoint{N: -2700, E: -2800}},
		{"cook county department of corrections", "Cook County Jail", GridPoint{N: -2700, E: -2800}},
		{"26th and Cal", "Leighton Criminal Court Building", GridPoint{N: -2650, E: -2800}},
		{"9th District", "9th District Police Station", GridPoint{N: -3120, E: -800}},
		{"Kelly Park", "Kelly Park", GridPoint{N: -4100, E: -2725}},
		{"sherman park", "Sherman Park", GridPoint{N: -5200, E: -1301}},
		{"Davis Square Park", "Davis Square Park", GridPoint{N: -4430, E: -1650}},
		{"Piotrowski Park", "Piotrowski Park", GridPoint{N: -3100, E: -4247}},
	} {
		r, err := g.Geocode(tc.q)
		if err != nil {
			t.Errorf("Geocode(%q) = %v, want %s", tc.q, err, tc.want)
			continue
		}
		if r.Text != tc.want || r.Kind != KindPlace || r.Grid != tc.at {
			t.Errorf("Geocode(%q) = %s (%s) at %+v, want %s (place) at %+v", tc.q, r.Text, r.Kind, r.Grid, tc.want, tc.at)
		}
	}
	if _, err := g.Geocode("United Center"); err == nil {
		t.Errorf("Geocode(%q) found it, want an error: it lies outside the generated area", "United Center")
	}
}
