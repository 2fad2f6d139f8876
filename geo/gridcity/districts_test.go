package gridcity

import (
	"fmt"
	"testing"
)

func TestPolygonContains(t *testing.T) {
	square := Polygon{{0, 0}, {0, 1}, {1, 1}, {1, 0}}
	for _, tc := range []struct {
		lat, lon float64
		want     bool
	}{{0.5, 0.5, true}, {0.1, 0.9, true}, {1.5, 0.5, false}, {0.5, -0.1, false}, {-1, -1, false}} {
		if got := square.Contains(tc.lat, tc.lon); got != tc.want {
			t.Errorf("Contains(%v, %v) = %v, want %v", tc.lat, tc.lon, got, tc.want)
		}
	}
	// A concave L shape: the notch is outside.
	l := Polygon{{0, 0}, {0, 2}, {1, 2}, {1, 1}, {2, 1}, {2, 0}}
	if l.Contains(1.5, 1.5) || !l.Contains(1.5, 0.5) || !l.Contains(0.5, 1.5) {
		t.Error("the L shape's notch is inside, or its arms are not")
	}
}

func TestChicagoDistricts(t *testing.T) {
	d := ChicagoDistricts()
	if len(d.Districts) != 25 || len(d.Beats) != 100 {
		t.Fatalf("%d districts and %d beats, want 25 and 100", len(d.Districts), len(d.Beats))
	}
	// Every address of the area lies in exactly one beat, of its district.
	for s := 2250.0; s < 5900; s += 100 {
		for w := 850.0; w < 4800; w += 100 {
			lat, lon := GridPoint{N: -s, E: -w}.LatLon()
			n := 0
			for _, b := range d.Beats {
				if b.Boundary.Contains(lat, lon) {
					n++
				}
			}
			dist, beat := d.Locate(lat, lon)
			if n != 1 || beat == "" || beat[:2] != dist {
				t.Fatalf("%v S %v W: in %d beats, Locate = %q %q; want one beat of its district", s, w, n, dist, beat)
			}
		}
	}
	// 39th Pl & Kedzie: 3950 S is in the third row (3680–4420 S), 3200 W in
	// the fourth column (3200–4000 W: on its edge, so the third or fourth).
	lat, lon := GridPoint{N: -3950, E: -3250}.LatLon()
	if dist, _ := d.Locate(lat, lon); dist != fmt.Sprintf("%02d", 2*5+4) {
		t.Errorf("3950 S 3250 W is in district %q, want 14", dist)
	}
	if dist, beat := d.Locate(41.95, -87.65); dist != "" || beat != "" {
		t.Errorf("a point north of the area is in %q %q, want none", dist, beat)
	}
}
