package gridcity

import (
	"strings"
	"testing"
)

func TestSegmentEnds(t *testing.T) {
	for _, c := range []struct {
		seg      Segment
		from, to GridPoint
	}{
		{Segment{Dir: "S", Name: "Kedzie", Type: "Ave", Axis: NorthSouth, Grid: -3200, From: 2200, To: 5999},
			GridPoint{N: -2200, E: -3200}, GridPoint{N: -5999, E: -3200}},
		{Segment{Dir: "W", Name: "39th", Type: "Pl", Axis: EastWest, Grid: -3950, From: 800, To: 4999},
			GridPoint{N: -3950, E: -800}, GridPoint{N: -3950, E: -4999}},
		{Segment{Dir: "N", Name: "Clark", Type: "St", Axis: NorthSouth, Grid: -100, From: 1, To: 3000},
			GridPoint{N: 1, E: -100}, GridPoint{N: 3000, E: -100}},
	} {
		from, to := c.seg.Ends()
		if from != c.from || to != c.to {
			t.Errorf("%s.Ends() = %+v, %+v; want %+v, %+v", c.seg.Street(), from, to, c.from, c.to)
		}
	}
}

func TestSegmentMile(t *testing.T) {
	var miles []string
	for _, s := range Chicago().Segments() {
		if s.Mile() {
			miles = append(miles, s.Street())
		}
	}
	want := []string{"S Halsted St", "S Ashland Ave", "S Western Ave", "S Kedzie Ave", "S Pulaski Rd", "S Cicero Ave",
		"W Cermak Rd", "W 31st St", "W Pershing Rd", "W 47th St", "W 55th St"}
	if strings.Join(miles, ", ") != strings.Join(want, ", ") {
		t.Errorf("mile streets of Chicago() = %v, want %v", miles, want)
	}
	if !(Segment{Dir: "W", Name: "North", Type: "Ave", Axis: EastWest, Grid: 1600}).Mile() || (Segment{Dir: "S", Name: "Clark", Type: "St", Axis: NorthSouth, Grid: 100}).Mile() {
		t.Error("North Ave (1600 N) is a mile street and Clark St (100 W) is not")
	}
}
