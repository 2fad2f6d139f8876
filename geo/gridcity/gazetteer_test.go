package gridcity

import (
	"strings"
	"testing"
)

func TestChicago(t *testing.T) {
	g := Chicago()
	segs := g.Segments()
	var ns, ew int
	for _, s := range segs {
		switch s.Axis {
		case NorthSouth:
			ns++
		case EastWest:
			ew++
		}
	}
	// 23 avenues, Halsted to Cicero; St and Pl for 22nd to 59th.
	if ns != 23 || ew != 76 {
		t.Errorf("Chicago() has %d north–south and %d east–west streets, want 23 and 76", ns, ew)
	}
	if len(g.Places()) != 10 {
		t.Errorf("Chicago() has %d places, want 10", len(g.Places()))
	}
}

func TestLoadCSV(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		g := loadWestern(t)
		if n := len(g.Segments()); n != 4 {
			t.Fatalf("LoadCSV(western.csv) has %d segments, want 4", n)
		}
		r, err := g.Geocode("3900 S Kedzie Ave")
		if err != nil {
			t.Fatal(err)
		}
		if want := (GridPoint{N: -3900, E: -3200}); r.Grid != want {
			t.Errorf("Geocode(3900 S Kedzie Ave).Grid = %+v, want %+v", r.Grid, want)
		}
		r, err = g.Geocode("McKinley")
		if err != nil || r.Text != "McKinley Park" || r.Grid != (GridPoint{N: -3900, E: -2210}) {
			t.Errorf("Geocode(McKinley) = %+v, %v, want McKinley Park at 3900S 2210W", r, err)
		}
		if r, err = g.Geocode("2500 W 39th St"); err != nil || r.Text != "2500 W Pershing Rd" {
			t.Errorf("Geocode(2500 W 39th St) = %+v, %v, want 2500 W Pershing Rd", r, err)
		}
	})
	head := "name,dir,type,axis,grid,from,to,aliases\n"
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"ErrEmpty", "", "header"},
		{"ErrHeader", "name,dir,type,axis,grid,start,end,aliases\n", "column 6"},
		{"ErrColumns", head + "Kedzie,S,Ave,NS,3200W\n", "wrong number of fields"},
		{"ErrAxis", head + "Kedzie,S,Ave,XY,3200W,1,2,\n", "line 2: axis"},
		{"ErrGrid", head + "Kedzie,S,Ave,NS,3200,1,2,\n", "line 2: grid"},
		{"ErrGridSide", head + "Kedzie,S,Ave,NS,3200S,1,2,\n", "line 2: grid"},
		{"ErrFrom", head + "Kedzie,S,Ave,NS,3200W,x,2,\n", "line 2: from"},
		{"ErrRange", head + "# comment\nKedzie,S,Ave,NS,3200W,5,2,\n", "bad address range"},
		{"ErrDir", head + "Kedzie,W,Ave,NS,3200W,1,2,\n", "direction N or S"},
		{"ErrNoType", head + "Kedzie,S,,NS,3200W,1,2,\n", "needs a direction, a name and a type"},
		{"ErrPlace", head + "Midway,,,place,5700S,,,\n", "line 2: grid point"},
		{"ErrPlaceTwice", head + "Midway,,,place,5700S 4800W,,,\nmidway,,,place,5700S 4800W,,,\n", "already names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := LoadCSV(strings.NewReader(tc.csv))
			if err == nil {
				t.Fatalf("LoadCSV(%q) = %v, want error containing %q", tc.csv, g, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadCSV(%q) error %q, want it to contain %q", tc.csv, err, tc.want)
			}
		})
	}
}
