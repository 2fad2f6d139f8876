package geo

import "math"

// A Point is a position in WGS84 degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// A Projection is a local flat (equirectangular) projection of the
// ellipsoid around an origin: x metres east and y metres north of it. Within
// about 15 km of the origin it is off by less than a metre, which is all a
// city's map and its distances need; a centre's map chooses the origin at
// its own middle (Map.Projection).
type Projection struct {
	Origin     Point
	mLat, mLon float64 // metres per degree of latitude and of longitude at the origin
}

// NewProjection returns the projection around origin. The lengths of a
// degree are the WGS84 ellipsoid's at the origin's latitude (the usual
// series expansion, good to a centimetre).
func NewProjection(origin Point) Projection {
	phi := origin.Lat * math.Pi / 180
	return Projection{
		Origin: origin,
		mLat:   111132.954 - 559.822*math.Cos(2*phi) + 1.175*math.Cos(4*phi),
		mLon:   111412.84*math.Cos(phi) - 93.5*math.Cos(3*phi) + 0.118*math.Cos(5*phi),
	}
}

// XY returns lat, lon as metres east and north of the origin.
func (p Projection) XY(lat, lon float64) (x, y float64) {
	return (lon - p.Origin.Lon) * p.mLon, (lat - p.Origin.Lat) * p.mLat
}

// LatLon returns the point x metres east and y metres north of the origin.
func (p Projection) LatLon(x, y float64) (lat, lon float64) {
	return p.Origin.Lat + y/p.mLat, p.Origin.Lon + x/p.mLon
}

// Metres returns the straight-line distance between two points on the
// projection.
func (p Projection) Metres(a, b Point) float64 {
	ax, ay := p.XY(a.Lat, a.Lon)
	bx, by := p.XY(b.Lat, b.Lon)
	return math.Hypot(ax-bx, ay-by)
}

// Chicago is the projection around State St & Madison St, the origin of
// Chicago's address grid: the demo city's.
var Chicago = NewProjection(Point{Lat: 41.88202, Lon: -87.62780})
