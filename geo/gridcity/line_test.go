package gridcity

import (
	"strings"
	"testing"
)

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
