package geo

// ZoneAt returns the zone whose polygon holds lat, lon (inside its outer
// ring and outside its holes) and whether there is one. Where zones
// overlap, the first in the file wins. It reads only the zones whose
// bounding box covers the point's grid cell.
func (m *Map) ZoneAt(lat, lon float64) (Zone, bool) {
	x, y := m.proj.XY(lat, lon)
	best := int32(-1)
	m.zoneGrid.query(box{x, y, x, y}, func(i int32) {
		if best >= 0 && i > best {
			return
		}
		b := m.zoneBox[i]
		if x < b.minX || x > b.maxX || y < b.minY || y > b.maxY {
			return
		}
		for _, poly := range m.d.Zones[i].Area {
			if inPolygon(poly, lat, lon) {
				best = i
				return
			}
		}
	})
	if best < 0 {
		return Zone{}, false
	}
	return m.d.Zones[best], true
}

// inPolygon reports whether lat, lon is inside the polygon of rings (outer
// first, then holes) by the even-odd rule over all rings, which leaves a
// hole's inside out. Degrees serve as plane coordinates here: the map's
// projection is linear in each, so insideness is the same.
func inPolygon(rings [][]Point, lat, lon float64) bool {
	in := false
	for _, r := range rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a.Lat > lat) != (b.Lat > lat) &&
				lon < (b.Lon-a.Lon)*(lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
				in = !in
			}
		}
	}
	return in
}
