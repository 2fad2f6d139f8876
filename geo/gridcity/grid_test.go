package gridcity

import (
	"math"
	"testing"
)

func TestGridOrigin(t *testing.T) {
	lat, lon := GridPoint{}.LatLon()
	if lat != OriginLat || lon != OriginLon {
		t.Errorf("GridPoint{}.LatLon() = %v,%v, want %v,%v", lat, lon, OriginLat, OriginLon)
	}
}

func TestGridMiles(t *testing.T) {
	// The published mile streets, each a whole number of miles from the origin.
	for _, tc := range []struct {
		name        string
		p           GridPoint
		north, east float64 // miles
	}{
		{"Halsted St", GridPoint{E: -800}, 0, -1},
		{"Kedzie Ave", GridPoint{E: -3200}, 0, -4},
		{"Cicero Ave", GridPoint{E: -4800}, 0, -6},
		{"Chicago Ave", GridPoint{N: 800}, 1, 0},
		{"Roosevelt Rd", GridPoint{N: -1200}, -1, 0},
		{"Cermak Rd", GridPoint{N: -2200}, -2, 0},
		{"31st St", GridPoint{N: -3100}, -3, 0},
		{"Pershing Rd", GridPoint{N: -3900}, -4, 0},
		{"47th St", GridPoint{N: -4700}, -5, 0},
		{"55th St", GridPoint{N: -5500}, -6, 0},
	} {
		lat, lon := tc.p.LatLon()
		north := (lat - OriginLat) * metresPerDegLat / MetresPerMile
		east := (lon - OriginLon) * metresPerDegLon / MetresPerMile
		if math.Abs(north-tc.north) > 1e-9 || math.Abs(east-tc.east) > 1e-9 {
			t.Errorf("%s: %+v is %.6f mi north, %.6f mi east, want %v, %v", tc.name, tc.p, north, east, tc.north, tc.east)
		}
	}
}

func TestGridRoundTrip(t *testing.T) {
	for n := -7000.0; n <= 3000; n += 37.5 {
		for e := -6000.0; e <= 2000; e += 412.25 {
			p := GridPoint{N: n, E: e}
			got := GridAt(p.LatLon())
			if math.Abs(got.N-n) > 1e-6 || math.Abs(got.E-e) > 1e-6 {
				t.Fatalf("GridAt(%+v.LatLon()) = %+v", p, got)
			}
		}
	}
}

func TestMetresPerDegree(t *testing.T) {
	// Published WGS84 figures at 42°N: 111,073 m per degree of latitude and
	// 82,853 m per degree of longitude; the origin is a little south of 42°.
	if math.Abs(metresPerDegLat-111071) > 5 {
		t.Errorf("metresPerDegLat = %.1f, want ≈ 111071", metresPerDegLat)
	}
	if math.Abs(metresPerDegLon-82990) > 20 {
		t.Errorf("metresPerDegLon = %.1f, want ≈ 82990", metresPerDegLon)
	}
}

func TestGridMetres(t *testing.T) {
	// Kedzie & Pershing (3200 W, 3900 S) to State & Madison: 4 miles west
	// and 4 miles south.
	got := GridMetres(GridPoint{N: -3900, E: -3200}, GridPoint{})
	if want := 8 * MetresPerMile; math.Abs(got-want) > 0.01 {
		t.Errorf("GridMetres(Kedzie & Pershing, origin) = %v, want %v", got, want)
	}
}
