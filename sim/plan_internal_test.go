package sim

import (
	"fmt"
	"testing"
)

// Every map's districts get their cars, two to a beat (two to a district
// without beats), a sergeant each, and call signs that stay distinct
// however many beats a district has.
func TestPlanDistricts(t *testing.T) {
	many := func(n, beats int) []district {
		var ds []district
		for i := range n {
			d := district{id: fmt.Sprintf("D%d", i+1)}
			for b := range beats {
				d.beats = append(d.beats, fmt.Sprintf("%d-%d", i+1, b+1))
			}
			ds = append(ds, d)
		}
		return ds
	}
	for _, tc := range []struct {
		name      string
		ds        []district
		cars      int // metro patrol cars
		sergeants int
		traffic   int
	}{
		{"none", nil, 10, 0, 0},
		{"one district, no beats", many(1, 0), 2, 1, 2},
		{"two of three beats", many(2, 3), 12, 2, 2},
		{"twelve of six beats", many(12, 6), 144, 12, 9},
		{"thirty of four beats", many(30, 4), 240, 30, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			perArea := map[area]int{}
			cars, sergeants, traffic := 0, 0, 0
			for _, u := range plan(tc.ds) {
				if seen[u.ID()] {
					t.Errorf("unit %s planned twice", u.ID())
				}
				seen[u.ID()] = true
				switch {
				case u.Agency == "metro" && u.Kind == "patrol":
					cars++
					perArea[area{u.District, u.Beat}]++
				case u.Agency == "metro" && u.Kind == "sergeant":
					sergeants++
				case u.Agency == "metro" && u.Kind == "traffic":
					traffic++
				}
			}
			if cars != tc.cars || sergeants != tc.sergeants || traffic != tc.traffic {
				t.Errorf("plan = %d patrol cars, %d sergeants, %d traffic units; want %d, %d, %d", cars, sergeants, traffic, tc.cars, tc.sergeants, tc.traffic)
			}
			for _, d := range tc.ds {
				beats := d.beats
				if len(beats) == 0 {
					beats = []string{""}
				}
				for _, b := range beats {
					if n := perArea[area{d.id, b}]; n != carsPerBeat {
						t.Errorf("district %s beat %q has %d cars, want %d", d.id, b, n, carsPerBeat)
					}
				}
			}
		})
	}
}
