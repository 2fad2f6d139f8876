// Package synthcity makes the synthetic city the geocoding benchmarks
// measure: a map of any number of address points, up to MaxPoints, in the
// formats a centre's map comes in (geo.MapData), and a query mix for it. It
// lives apart from package bench so that geo's own benchmarks can use it
// without importing the whole server.
package synthcity

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// The city is Side × Side streets Spacing metres apart, each split at
// every crossing (79,600 features), with 2,000 places and 400 beats.
const (
	Side    = 200
	Spacing = 100.0
	// Points is the number of address points the goal is set for.
	Points = 500_000
	// MaxPoints is the most address points the city holds: eight on the
	// even numbers of each block face, 12 apart.
	MaxPoints = perRound * Side * (Side - 1) * 2
	perRound  = 8
	places    = 2000
)

var nsNames = func() []string {
	pre := []string{"Ash", "Birch", "Cedar", "Dale", "Elm", "Fern", "Glen", "Hazel", "Iris", "Juniper",
		"Kent", "Linden", "Maple", "Nut", "Oak", "Pine", "Quince", "Rose", "Spruce", "Teak"}
	suf := []string{"wood", "field", "ridge", "brook", "view", "hill", "mont", "ford", "dale", "crest"}
	var out []string
	for _, p := range pre {
		for _, s := range suf {
			out = append(out, p+s+" Ave")
		}
	}
	return out
}()

// ew is the name of the i-th east–west street, "1st St" for 0.
func ew(i int) string { return gridcity.Ordinal(i+1) + " St" }

// Map returns the synthetic city with points address points (clamped to
// 0…MaxPoints): 200 north–south avenues and 200 numbered east–west
// streets in Vienna, numbered 100 a block, the odd numbers on the left of
// each feature and the even on the right, the address points on the even
// numbers of every block 12 apart, 10 m off the centerline, the odd
// numbers left to interpolation; 2,000 places ("Place 7", alias "Landmark
// 7") at random and 400 square beats in 20 districts. Every call returns
// the same data.
func Map(points int) geo.MapData {
	points = max(0, min(points, MaxPoints))
	proj := geo.NewProjection(geo.Point{Lat: 48.2, Lon: 16.37}) // far from the demo city
	half := Side * Spacing / 2
	pt := func(x, y float64) geo.Point {
		lat, lon := proj.LatLon(x-half, y-half)
		return geo.Point{Lat: lat, Lon: lon}
	}
	var d geo.MapData
	d.Addresses = make([]geo.Address, 0, points)
	addPoint := func(street string, n int, x, y float64) {
		p := pt(x, y)
		d.Addresses = append(d.Addresses, geo.Address{Lon: p.Lon, Lat: p.Lat, Number: strconv.Itoa(n), Street: street})
	}
	for i := range Side {
		c := float64(i) * Spacing
		for j := range Side - 1 {
			a, b := float64(j)*Spacing, float64(j+1)*Spacing
			r := geo.Range{From: 100*j + 1, To: 100*j + 99}
			l := geo.Range{From: 100 * j, To: 100*j + 98}
			// East–west: x along, numbered west to east; north–south:
			// numbered south to north.
			d.Streets = append(d.Streets,
				geo.Street{Name: ew(i), Lines: [][]geo.Point{{pt(a, c), pt(b, c)}}, Left: r, Right: l},
				geo.Street{Name: nsNames[i], Lines: [][]geo.Point{{pt(c, a), pt(c, b)}}, Left: r, Right: l})
		}
	}
	// A round puts one point on each side's even numbers of every block,
	// the next round 12 numbers further, until there are enough.
	for k := 0; k < perRound && len(d.Addresses) < points; k++ {
		for i := range Side {
			for j := range Side - 1 {
				if len(d.Addresses) >= points {
					break
				}
				n := 100*j + 2 + 12*k
				x := float64(j)*Spacing + float64(n-100*j)
				c := float64(i) * Spacing
				addPoint(ew(i), n, x, c-10)
				if len(d.Addresses) < points {
					addPoint(nsNames[i], n, c+10, x)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range places {
		d.Places = append(d.Places, geo.Place{Name: fmt.Sprintf("Place %d", i), Aliases: []string{fmt.Sprintf("Landmark %d", i)},
			At: pt(r.Float64()*Side*Spacing, r.Float64()*Side*Spacing)})
	}
	const zs = 20
	side := Side * Spacing / zs
	for i := range zs {
		for j := range zs {
			x0, y0 := float64(i)*side-50, float64(j)*side-50
			ring := []geo.Point{pt(x0, y0), pt(x0+side, y0), pt(x0+side, y0+side), pt(x0, y0+side), pt(x0, y0)}
			d.Zones = append(d.Zones, geo.Zone{District: strconv.Itoa(i / 5), Beat: fmt.Sprintf("%d-%d", i, j), Area: [][][]geo.Point{{ring}}})
		}
	}
	return d
}

// Queries returns n queries for the city of Map, drawn with seed: 40 %
// numbers of the first three rounds of address points (address points
// when the map has 3 × 79,600 of them or more), 30 % odd numbers, which
// are interpolated, 20 % intersections and 10 % place aliases. Every one
// resolves.
func Queries(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	qs := make([]string, 0, n)
	for range n {
		i, j := r.IntN(Side), r.IntN(Side-1)
		street := ew(i)
		if r.IntN(2) == 0 {
			street = nsNames[i]
		}
		switch p := r.IntN(10); {
		case p < 4:
			qs = append(qs, fmt.Sprintf("%d %s", 100*j+2+12*r.IntN(3), street))
		case p < 7:
			qs = append(qs, fmt.Sprintf("%d %s", 100*j+1+2*r.IntN(49), street))
		case p < 9:
			qs = append(qs, ew(r.IntN(Side))+" & "+nsNames[r.IntN(Side)])
		default:
			qs = append(qs, fmt.Sprintf("landmark %d", r.IntN(places)))
		}
	}
	return qs
}
