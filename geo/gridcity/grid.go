package gridcity

import "math"

// The address grid of Chicago, as the city publishes it (the street numbering
// plan of 1909):
//
//   - The zero lines are State Street, which runs north–south and divides east
//     from west, and Madison Street, which runs east–west and divides north
//     from south. Their crossing, State & Madison, is the origin.
//   - Away from the origin there are 800 address numbers to the mile: Halsted
//     St is 800 W (1 mile), Ashland Ave 1600 W, Western Ave 2400 W, Kedzie Ave
//     3200 W, Pulaski Rd 4000 W, Cicero Ave 4800 W (6 miles).
//   - South of Madison the first three miles are older and denser: the mile
//     streets are Roosevelt Rd (1200 S, 1 mile), Cermak Rd (2200 S, 2 miles)
//     and 31st St (3100 S, 3 miles); from 31st St southwards it is 800 to the
//     mile again, so Pershing Rd (39th St, 3900 S) is 4 miles south, 47th St 5
//     miles and 55th St 6 miles. Numbered streets carry their address number:
//     39th St is 3900 S, 39th Pl half a block further, 3950 S.
//
// Accuracy. The grid is turned into latitude and longitude by a local flat
// projection around the origin, with metres per degree from the WGS84
// ellipsoid at the origin's latitude. The real streets are not perfectly
// regular: the survey lines drift and blocks vary in width. Compared by hand
// with approximate map positions of a few south-west side crossings (Kedzie &
// Pershing, about 41.8236,-87.7047, is 76 m from the grid's answer; Pulaski &
// 55th, Western & Cermak and Halsted & 31st are of the same order) the error
// is roughly 50 to 150 m; expect up to about 150 m on the south-west side, and
// more further from the origin. No test checks this against survey data. The projection itself adds less than
// 1 m within 10 miles of the origin. That is enough to choose units and to
// show a pin on the right block; it is not a survey.

// Origin of the grid, State St & Madison St, in WGS84 degrees.
const (
	OriginLat = 41.88202
	OriginLon = -87.62780
)

// MetresPerMile is the international mile.
const MetresPerMile = 1609.344

// NumbersPerMile is the grid's address numbers per mile away from the dense
// south-side blocks near the origin.
const NumbersPerMile = 800

// metresPerNumber is the length of one address number on an 800-to-the-mile
// stretch of the grid, 2.01168 m.
const metresPerNumber = MetresPerMile / NumbersPerMile

// southMiles are the south-side mile streets nearer the origin than 31st St,
// where the grid is denser than 800 numbers to the mile.
var southMiles = [...]struct{ number, miles float64 }{
	{0, 0},    // Madison St
	{1200, 1}, // Roosevelt Rd
	{2200, 2}, // Cermak Rd
	{3100, 3}, // 31st St; 800 to the mile beyond
}

// metresPerDegLat and metresPerDegLon are the lengths of one degree of
// latitude and longitude on the WGS84 ellipsoid at the origin's latitude
// (the usual series expansion, good to a centimetre).
var metresPerDegLat, metresPerDegLon = func() (float64, float64) {
	phi := OriginLat * math.Pi / 180
	lat := 111132.954 - 559.822*math.Cos(2*phi) + 1.175*math.Cos(4*phi)
	lon := 111412.84*math.Cos(phi) - 93.5*math.Cos(3*phi) + 0.118*math.Cos(5*phi)
	return lat, lon
}()

// GridPoint is a position on the address grid. N is the north–south address
// coordinate, positive north of Madison St and negative south of it (3900 S
// is -3900); E is the east–west one, positive east of State St and negative
// west of it (3200 W is -3200).
type GridPoint struct {
	N, E float64
}

// LatLon returns the WGS84 latitude and longitude of p, in degrees.
func (p GridPoint) LatLon() (lat, lon float64) {
	return OriginLat + northMetres(p.N)/metresPerDegLat,
		OriginLon + eastMetres(p.E)/metresPerDegLon
}

// GridAt returns the grid point at a WGS84 latitude and longitude; it is the
// inverse of GridPoint.LatLon.
func GridAt(lat, lon float64) GridPoint {
	return GridPoint{
		N: northNumber((lat - OriginLat) * metresPerDegLat),
		E: ((lon - OriginLon) * metresPerDegLon) / metresPerNumber,
	}
}

// eastMetres is the distance east of State St of east–west coordinate e.
func eastMetres(e float64) float64 { return e * metresPerNumber }

// northMetres is the distance north of Madison St of north–south coordinate n.
func northMetres(n float64) float64 {
	if n >= 0 {
		return n * metresPerNumber
	}
	s := -n
	for i := 1; i < len(southMiles); i++ {
		a, b := southMiles[i-1], southMiles[i]
		if s <= b.number {
			miles := a.miles + (s-a.number)/(b.number-a.number)*(b.miles-a.miles)
			return -miles * MetresPerMile
		}
	}
	last := southMiles[len(southMiles)-1]
	return -(last.miles*MetresPerMile + (s-last.number)*metresPerNumber)
}

// northNumber is the inverse of northMetres.
func northNumber(y float64) float64 {
	if y >= 0 {
		return y / metresPerNumber
	}
	m := -y / MetresPerMile
	for i := 1; i < len(southMiles); i++ {
		a, b := southMiles[i-1], southMiles[i]
		if m <= b.miles {
			return -(a.number + (m-a.miles)/(b.miles-a.miles)*(b.number-a.number))
		}
	}
	last := southMiles[len(southMiles)-1]
	return -(last.number + (m-last.miles)*NumbersPerMile)
}

// GridMetres returns the distance from p to q along the grid, in metres:
// the north–south and east–west legs added (the Manhattan distance), as a
// car drives on a street grid whose streets run north–south and east–west.
func GridMetres(p, q GridPoint) float64 {
	return math.Abs(northMetres(p.N)-northMetres(q.N)) + math.Abs(eastMetres(p.E)-eastMetres(q.E))
}
