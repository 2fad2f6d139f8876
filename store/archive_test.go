package store

import (
	"math"
	"slices"
	"testing"
	"time"
)

// destination returns the point d metres from lat, lon along bearing
// (degrees from north), on the sphere.
func destination(lat, lon, bearing, d float64) (float64, float64) {
	rad := math.Pi / 180
	φ, λ, θ, δ := lat*rad, lon*rad, bearing*rad, d/earthRadiusM
	φ2 := math.Asin(math.Sin(φ)*math.Cos(δ) + math.Cos(φ)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ), math.Cos(δ)-math.Sin(φ)*math.Sin(φ2))
	lon2 := math.Mod(λ2/rad+540, 360) - 180
	return φ2 / rad, lon2
}

// TestPlanArchiveBox checks that the box of a point query holds its whole
// circle, and is not much larger where it need not be.
func TestPlanArchiveBox(t *testing.T) {
	for _, c := range []struct{ lat, lon, r float64 }{
		{41.8781, -87.6298, 150}, {41.8781, -87.6298, 5000}, {0, 0, 1000}, {-33.86, 151.2, 20000},
		{64.1, -21.9, 800}, {89.99, 10, 5000}, {-89.5, 0, 100000}, {10, 179.999, 1000}, {50, -179.99, 3000},
	} {
		q := ArchiveQuery{Lat: &c.lat, Lon: &c.lon, RadiusM: c.r}
		p, err := PlanArchive(q)
		if err != nil {
			t.Fatalf("PlanArchive(%v,%v r %v) = %v", c.lat, c.lon, c.r, err)
		}
		b := p.Box
		for bearing := 0.0; bearing < 360; bearing += 5 {
			lat, lon := destination(c.lat, c.lon, bearing, c.r)
			if lat < b.MinLat || lat > b.MaxLat || lon < b.MinLon || lon > b.MaxLon {
				t.Errorf("box of %v,%v r %v m = %+v, does not hold %v,%v on its circle", c.lat, c.lon, c.r, *b, lat, lon)
			}
		}
		// Away from the poles and the antimeridian, no more than the
		// margin wider than the circle.
		if math.Abs(c.lat) < 80 && b.MinLon > -180 && c.r > 0 {
			dlat := c.r / earthRadiusM * 180 / math.Pi
			if got := (b.MaxLat - b.MinLat) / (2 * dlat); got > 1.02 {
				t.Errorf("box of %v,%v r %v m is %.3f times as tall as the circle", c.lat, c.lon, c.r, got)
			}
		}
	}
}

func TestPlanArchiveLimit(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, 100}, {-1, 100}, {1, 1}, {1000, 1000}, {1001, 1000}} {
		if p, err := PlanArchive(ArchiveQuery{Limit: tt.in}); err != nil || p.Limit != tt.want {
			t.Errorf("PlanArchive(Limit %d).Limit = %d, %v, want %d", tt.in, p.Limit, err, tt.want)
		}
	}
}

func TestCheckSubjects(t *testing.T) {
	s := func(kind, id string, seq int64) Subject { return Subject{Kind: kind, ID: id, Seq: seq} }
	tests := []struct {
		name string
		in   []Subject
		want []Subject
	}{
		{"None", nil, nil},
		{"Distinct", []Subject{s("unit", "a", 5), s("incident", "a", 5), s("unit", "a", 6)}, []Subject{s("unit", "a", 5), s("incident", "a", 5), s("unit", "a", 6)}},
		{"RepeatInEvent", []Subject{s("unit", "a", 5), s("incident", "b", 5), s("unit", "a", 5)}, []Subject{s("unit", "a", 5), s("incident", "b", 5)}},
		{"RepeatOutOfOrder", []Subject{s("unit", "a", 6), s("unit", "a", 5), s("unit", "a", 6)}, []Subject{s("unit", "a", 6), s("unit", "a", 5)}},
	}
	for _, tt := range tests {
		got, err := CheckSubjects(tt.in, 5, 2)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("CheckSubjects(%s) = %v, %v, want %v", tt.name, got, err, tt.want)
		}
	}
	for _, seq := range []int64{4, 7} {
		if _, err := CheckSubjects([]Subject{s("unit", "a", seq)}, 5, 2); err == nil {
			t.Errorf("CheckSubjects(event %d) in a batch of 5-6 = nil, want an error", seq)
		}
	}
}

func TestNanos(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("CET", 3600))
	if got := FromNanos(Nanos(at)); !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("FromNanos(Nanos(%v)) = %v, want the same instant in UTC", at, got)
	}
	if got := FromNanos(Nanos(time.Time{})); !got.IsZero() {
		t.Errorf("FromNanos(Nanos(zero)) = %v, want the zero time", got)
	}
}
