package synthcity

import (
	"strconv"
	"testing"
)

func TestMapPoints(t *testing.T) {
	for _, tt := range []struct{ points, want int }{
		{-1, 0}, {0, 0}, {1001, 1001}, {Points, Points}, {MaxPoints + 5, MaxPoints},
	} {
		d := Map(tt.points)
		if got := len(d.Addresses); got != tt.want {
			t.Errorf("Map(%d) has %d address points, want %d", tt.points, got, tt.want)
		}
		if len(d.Streets) != 2*Side*(Side-1) || len(d.Places) != places || len(d.Zones) != 400 {
			t.Errorf("Map(%d) has %d streets, %d places, %d zones, want %d, %d, 400", tt.points, len(d.Streets), len(d.Places), len(d.Zones), 2*Side*(Side-1), places)
		}
		// Every point's number is even and on its block's even side,
		// whose range is 100j to 100j+98.
		for _, a := range d.Addresses {
			if n, err := strconv.Atoi(a.Number); err != nil || n%2 != 0 || n%100 > 98 {
				t.Fatalf("Map(%d) has address point %q %s, want an even number of a block", tt.points, a.Number, a.Street)
			}
		}
	}
}
