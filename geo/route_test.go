package geo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// routeProj is the projection route tests draw their maps on.
var routeProj = NewProjection(Point{Lat: 41.8, Lon: -87.7})

// at returns the point x metres east and y metres north of routeProj's
// origin.
func routeAt(x, y float64) Point {
	lat, lon := routeProj.LatLon(x, y)
	return Point{Lat: lat, Lon: lon}
}

// way returns a street of class through the points (x, y pairs, metres).
func routeWay(name, class string, xy ...float64) Street {
	var l []Point
	for i := 0; i+1 < len(xy); i += 2 {
		l = append(l, routeAt(xy[i], xy[i+1]))
	}
	return Street{Name: name, Class: class, Lines: [][]Point{l}}
}

// secs is the time to drive metres at mph miles an hour.
func routeSecs(metres, mph float64) float64 { return metres / (mph * 0.44704) }

func routeNear(a, b float64) bool { return math.Abs(a-b) < 0.05 }

func TestTravelTo(t *testing.T) {
	diag := math.Hypot(1000, 1000)
	// A triangle A(0,0), B(1000,0), C(0,1000): the direct side AB is an
	// alley (10 mph), the way round is a highway (55 mph) and a primary
	// street (35 mph), faster though longer.
	triangle := []Street{
		routeWay("AB", "alley", 0, 0, 1000, 0),
		routeWay("BC", "S1100", 1000, 0, 0, 1000),
		routeWay("CA", "primary", 0, 1000, 0, 0),
	}
	// A square of local streets whose diagonal is a footway: no car takes it.
	square := []Street{
		routeWay("S", "", 0, 0, 1000, 0),
		routeWay("E", "", 1000, 0, 1000, 1000),
		routeWay("N", "", 1000, 1000, 0, 1000),
		routeWay("W", "", 0, 1000, 0, 0),
		routeWay("path", "footway", 0, 0, 1000, 1000),
	}
	// Two streets that cross at (500, 0) without a shared vertex: an
	// overpass. The same two with a vertex there: a junction.
	over := []Street{routeWay("EW", "", 0, 0, 1000, 0), routeWay("NS", "", 500, -500, 500, 500)}
	junction := []Street{routeWay("EW", "", 0, 0, 500, 0, 1000, 0), routeWay("NS", "", 500, -500, 500, 0, 500, 500)}
	// Two lines whose ends are 0.3 m apart are one street; 2 m apart, two.
	joined := []Street{routeWay("a", "", 0, 0, 500, 0), routeWay("b", "", 500.3, 0, 1000, 0)}
	apart := []Street{routeWay("a", "", 0, 0, 500, 0), routeWay("b", "", 502, 0, 1000, 0)}
	tests := []struct {
		name    string
		streets []Street
		to      Point
		from    Point
		want    Travel
	}{
		{"OK/triangle the fast way round", triangle, routeAt(0, 0), routeAt(1000, 0),
			Travel{Metres: diag + 1000, Seconds: routeSecs(diag, 55) + routeSecs(1000, 35), OK: true}},
		{"OK/triangle the other way", triangle, routeAt(1000, 0), routeAt(0, 0),
			Travel{Metres: diag + 1000, Seconds: routeSecs(diag, 55) + routeSecs(1000, 35), OK: true}},
		{"OK/same edge", []Street{routeWay("long", "", 0, 0, 1000, 0)}, routeAt(200, 0), routeAt(700, 0),
			Travel{Metres: 500, Seconds: routeSecs(500, 25), OK: true}},
		{"OK/same edge with legs off the street", []Street{routeWay("long", "", 0, 0, 1000, 0)}, routeAt(200, -20), routeAt(700, 30),
			Travel{Metres: 550, Seconds: routeSecs(550, 25), OK: true}},
		{"OK/adjacent edges through a corner", square, routeAt(0, 10), routeAt(10, 0),
			Travel{Metres: 20, Seconds: routeSecs(20, 25), OK: true}},
		{"OK/footway not driven", square, routeAt(0, 0), routeAt(1000, 1000),
			Travel{Metres: 2000, Seconds: routeSecs(2000, 25), OK: true}},
		{"OK/junction", junction, routeAt(0, 0), routeAt(500, 500),
			Travel{Metres: 1000, Seconds: routeSecs(1000, 25), OK: true}},
		{"OK/vertices joined", joined, routeAt(0, 0), routeAt(1000, 0),
			Travel{Metres: 1000, Seconds: routeSecs(1000, 25), OK: true}},
		{"Unreachable/overpass is no junction", over, routeAt(0, 0), routeAt(500, 500), Travel{}},
		{"Unreachable/vertices apart", apart, routeAt(0, 0), routeAt(1000, 0), Travel{}},
		{"Unreachable/from off the map", square, routeAt(0, 0), routeAt(3000, 500), Travel{}},
		{"Unreachable/to off the map", square, routeAt(-1500, 0), routeAt(0, 0), Travel{}},
		{"Unreachable/no streets", nil, routeAt(0, 0), routeAt(10, 0), Travel{}},
		{"Unreachable/from not a position", square, routeAt(0, 0), Point{Lat: math.NaN(), Lon: 0}, Travel{}},
		{"Unreachable/to out of range", square, Point{Lat: 91, Lon: -87.7}, routeAt(0, 0), Travel{}},
		{"Unreachable/a broken vertex breaks the line", []Street{{Lines: [][]Point{{routeAt(0, 0), routeAt(100, 0), {Lat: math.Inf(1)}, routeAt(200, 0), routeAt(300, 0)}}}},
			routeAt(0, 0), routeAt(300, 0), Travel{}},
		{"Unreachable/beyond an hour", []Street{routeWay("long", "alley", 0, 0, 17000, 0)}, routeAt(0, 0), routeAt(17000, 0), Travel{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGraph(tc.streets, routeProj)
			got := g.TravelTo(tc.to, []Point{tc.from})[0]
			if got.OK != tc.want.OK || !routeNear(got.Metres, tc.want.Metres) || !routeNear(got.Seconds, tc.want.Seconds) {
				t.Errorf("TravelTo = %+v, want %+v", got, tc.want)
			}
			r, w := g.Route(tc.from, tc.to)
			if r != got {
				t.Errorf("Route = %+v, want TravelTo's %+v", r, got)
			}
			if got.OK != (w != nil) {
				t.Errorf("Route way = %v for travel %+v", w, got)
			}
		})
	}
}

// TestTravelToMany asks for several points in one search, in order, with
// one off the map among them.
func TestTravelToMany(t *testing.T) {
	var streets []Street
	for i := range 11 { // a 10×10 grid of 100 m blocks, a vertex at each corner
		v := float64(i) * 100
		var ns, ew []float64
		for j := range 11 {
			w := float64(j) * 100
			ns, ew = append(ns, v, w), append(ew, w, v)
		}
		streets = append(streets, routeWay("ns", "", ns...), routeWay("ew", "", ew...))
	}
	g := NewGraph(streets, routeProj)
	from := []Point{routeAt(1000, 1000), routeAt(0, 0), routeAt(5000, 5000), routeAt(300, 400), routeAt(0, 1000)}
	want := []Travel{
		{Metres: 2000, Seconds: routeSecs(2000, 25), OK: true},
		{Metres: 0, Seconds: 0, OK: true},
		{},
		{Metres: 700, Seconds: routeSecs(700, 25), OK: true},
		{Metres: 1000, Seconds: routeSecs(1000, 25), OK: true},
	}
	var wg sync.WaitGroup
	for range 4 { // concurrently: the graph is shared, the scratch not
		wg.Go(func() {
			for range 50 {
				got := g.TravelTo(routeAt(0, 0), from)
				for i := range want {
					if got[i].OK != want[i].OK || !routeNear(got[i].Metres, want[i].Metres) || !routeNear(got[i].Seconds, want[i].Seconds) {
						t.Errorf("TravelTo[%d] = %+v, want %+v", i, got[i], want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	_, w := g.Route(routeAt(300, 400), routeAt(0, 0))
	if len(w) < 3 || w[0] != routeAt(300, 400) || w[len(w)-1] != routeAt(0, 0) {
		t.Fatalf("Route way = %v, want it from (300, 400) to (0, 0)", w)
	}
	length := 0.0
	for i := 1; i < len(w); i++ {
		length += routeProj.Metres(w[i-1], w[i])
	}
	if !routeNear(length, 700) {
		t.Errorf("Route way is %.1f m long, want 700", length)
	}
}

// TestTravelSoonest checks, on random points of a grid cut by a river
// with one bridge, that TravelSoonest finds the k soonest by scale
// exactly as TravelTo does, and that what else it reports is TravelTo's
// too.
func TestTravelSoonest(t *testing.T) {
	var streets []Street
	for i := range 21 { // 20×20 blocks of 100 m; the river between x = 1000 and 1100
		v := float64(i) * 100
		for j := range 20 {
			a, b := float64(j)*100, float64(j+1)*100
			streets = append(streets, routeWay("ns", "", v, a, v, b))
			if a != 1000 || i == 15 {
				streets = append(streets, routeWay("ew", "", a, v, b, v))
			}
		}
	}
	g := NewGraph(streets, routeProj)
	r := rand.New(rand.NewPCG(1, 2))
	pt := func() Point { return routeAt(r.Float64()*2200-100, r.Float64()*2200-100) }
	for round := range 300 {
		to := pt()
		from := make([]Point, 1+r.IntN(30))
		scale := make([]float64, len(from))
		for i := range from {
			from[i], scale[i] = pt(), []float64{1, 1, 4.0 / 3, 1.6}[r.IntN(4)]
		}
		k := 1 + r.IntN(len(from))
		all := g.TravelTo(to, from)
		got := g.TravelSoonest(to, from, k, scale)
		order := make([]int, len(from))
		for i := range order {
			order[i] = i
		}
		key := func(i int) float64 {
			if !all[i].OK {
				return math.Inf(1)
			}
			return all[i].Seconds * scale[i]
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
		for rank, i := range order {
			switch {
			case rank < k && got[i] != all[i] && !(routeNear(got[i].Seconds, all[i].Seconds) && routeNear(got[i].Metres, all[i].Metres) && got[i].OK == all[i].OK):
				t.Fatalf("round %d: TravelSoonest(k=%d)[%d], %d-th soonest, = %+v, want TravelTo's %+v", round, k, i, rank+1, got[i], all[i])
			case rank >= k && got[i].OK && !(routeNear(got[i].Seconds, all[i].Seconds) && routeNear(got[i].Metres, all[i].Metres)):
				t.Fatalf("round %d: TravelSoonest(k=%d)[%d] = %+v, want TravelTo's %+v or not OK", round, k, i, got[i], all[i])
			}
		}
	}
}
