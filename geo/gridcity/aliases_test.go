package gridcity

import (
	"slices"
	"testing"

	"github.com/tenfour-cad/tenfour/geo"
)

// TestMapAliases checks that every feature of a street carries its
// segment's aliases, that they survive the files (WriteDemo, LoadDir),
// and that the loaded map finds the street by them, spelling it by its
// own name.
func TestMapAliases(t *testing.T) {
	aliases := map[string][]string{}
	for _, s := range Chicago().Segments() {
		aliases[s.Street()] = s.Aliases
	}
	if len(aliases["W Pershing Rd"]) == 0 || len(aliases["W Cermak Rd"]) == 0 {
		t.Fatalf("the gazetteer's Pershing Rd and Cermak Rd have aliases %q and %q; the test assumes some",
			aliases["W Pershing Rd"], aliases["W Cermak Rd"])
	}
	d := Map()
	for i, st := range d.Streets {
		if !slices.Equal(st.Aliases, aliases[st.Name]) {
			t.Errorf("Map() street %d (%s) has aliases %q, want %q", i, st.Name, st.Aliases, aliases[st.Name])
		}
	}

	dir := t.TempDir()
	if err := WriteDemo(dir); err != nil {
		t.Fatal(err)
	}
	m, err := geo.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Streets(); !slices.EqualFunc(got, d.Streets, func(a, b geo.Street) bool {
		return a.Name == b.Name && slices.Equal(a.Aliases, b.Aliases)
	}) {
		t.Errorf("LoadDir(WriteDemo) streets' names and aliases differ from Map()'s")
	}

	// By an alias the map answers as by the street's own name, and within
	// 25 m of the old gazetteer, which knew the aliases (its address is on
	// the centerline, the map's address points 12 m off it, its interpolated
	// numbers 8 m off).
	g := Chicago()
	tests := []struct{ in, text string }{
		{"2210 W 39th St", "2210 W Pershing Rd"},
		{"2211 west 39th street", "2211 W Pershing Rd"},
		{"4800 W 22nd St", "4800 W Cermak Rd"},
		{"S Kedzie Ave & W 39th St", "S Kedzie Ave & W Pershing Rd"},
		{"22nd St & Western", "W Cermak Rd & S Western Ave"},
	}
	for _, tt := range tests {
		r, err := m.Geocode(tt.in)
		if err != nil {
			t.Errorf("Geocode(%q) = %v", tt.in, err)
			continue
		}
		if r.Text != tt.text {
			t.Errorf("Geocode(%q) = %q, want %q", tt.in, r.Text, tt.text)
		}
		if p, err := m.Geocode(tt.text); err != nil || p != r {
			t.Errorf("Geocode(%q) = %+v, want Geocode(%q) = %+v, %v", tt.in, r, tt.text, p, err)
		}
		old, err := g.Geocode(tt.in)
		if err != nil {
			t.Fatalf("Chicago().Geocode(%q) = %v", tt.in, err)
		}
		if d := distance(r.Lat, r.Lon, old.Lat, old.Lon); d > 25 {
			t.Errorf("Geocode(%q) is %.1f m from the gazetteer's answer, want at most 25", tt.in, d)
		}
	}
}
