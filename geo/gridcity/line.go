package gridcity

// Mile reports whether the segment lies on a mile line of the grid: the
// section-line arterials a driver steers by (Halsted St, Ashland Ave,
// Western Ave, Kedzie Ave…; Cermak Rd, 31st St, Pershing Rd, 47th St…).
func (s Segment) Mile() bool {
	g := s.Grid
	if g < 0 {
		g = -g
	}
	if s.Axis == NorthSouth || s.Grid > 0 {
		return g%NumbersPerMile == 0
	}
	last := int(southMiles[len(southMiles)-1].number)
	if g < last {
		for _, m := range southMiles {
			if int(m.number) == g {
				return true
			}
		}
		return false
	}
	return (g-last)%NumbersPerMile == 0
}
