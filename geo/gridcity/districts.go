package gridcity

import (
	"fmt"
	"sort"
)

// A Polygon is a closed ring of points (latitude, longitude), the last joined
// to the first.
type Polygon [][2]float64

// Contains reports whether the point is inside the polygon (even–odd rule,
// by a ray cast east). Points on an edge may fall either way.
func (p Polygon) Contains(lat, lon float64) bool {
	in := false
	for i, j := 0, len(p)-1; i < len(p); j, i = i, i+1 {
		yi, xi := p[i][0], p[i][1]
		yj, xj := p[j][0], p[j][1]
		if (yi > lat) != (yj > lat) && lon < (xj-xi)*(lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// An Area is a district or a beat: an id, a name and its boundary.
type Area struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	District string  `json:"district,omitempty"` // the district of a beat
	Boundary Polygon `json:"boundary"`
}

// Districts are a city's police districts and the beats within them.
type Districts struct {
	Districts []Area
	Beats     []Area
}

// Locate returns the district and beat ids of a point, or "" where it is in
// none.
func (d *Districts) Locate(lat, lon float64) (district, beat string) {
	for _, b := range d.Beats {
		if b.Boundary.Contains(lat, lon) {
			return b.District, b.ID
		}
	}
	for _, a := range d.Districts {
		if a.Boundary.Contains(lat, lon) {
			return a.ID, ""
		}
	}
	return "", ""
}

// rectangle returns the polygon of grid numbers [n0, n1] × [e0, e1].
func rectangle(n0, n1, e0, e1 float64) Polygon {
	var p Polygon
	for _, c := range []GridPoint{{N: n0, E: e0}, {N: n0, E: e1}, {N: n1, E: e1}, {N: n1, E: e0}} {
		lat, lon := c.LatLon()
		p = append(p, [2]float64{lat, lon})
	}
	return p
}

// ChicagoDistricts returns the demo city's 25 districts, each of four beats:
// a 5 × 5 grid of equal rectangles over the demo gazetteer's area, from 2200 S
// to 5900 S and from 800 W to 4800 W. They are generated, not the real police
// districts of Chicago: enough to route calls and draw a map.
func ChicagoDistricts() *Districts {
	const (
		north, south = -2200.0, -5900.0
		east, west   = -800.0, -4800.0
		rows, cols   = 5, 5
	)
	dn, de := (south-north)/rows, (west-east)/cols
	d := &Districts{}
	for r := range rows {
		for c := range cols {
			id := fmt.Sprintf("%02d", r*cols+c+1)
			n0, e0 := north+float64(r)*dn, east+float64(c)*de
			d.Districts = append(d.Districts, Area{ID: id, Name: "District " + id, Boundary: rectangle(n0, n0+dn, e0, e0+de)})
			for b := range 4 {
				bn, be := n0+float64(b/2)*dn/2, e0+float64(b%2)*de/2
				d.Beats = append(d.Beats, Area{ID: fmt.Sprintf("%s%d", id, b+1), Name: fmt.Sprintf("Beat %s%d", id, b+1), District: id,
					Boundary: rectangle(bn, bn+dn/2, be, be+de/2)})
			}
		}
	}
	sort.Slice(d.Beats, func(i, j int) bool { return d.Beats[i].ID < d.Beats[j].ID })
	return d
}
