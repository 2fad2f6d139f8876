package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/bench/synthcity"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// GeocodeOptions configure GeocodeCities and Geocoding.
type GeocodeOptions struct {
	Points   int           // address points of the synthetic map; default synthcity.Points (500,000)
	Queries  int           // distinct queries in each mix; default 4,000
	Seed     uint64        // of the query mixes and the reverse positions; default 1
	Duration time.Duration // how long Geocoding queries; default 5 s
	Dir      string        // where the maps are written to be loaded back; "" is a temporary directory, removed after
	Out      io.Writer
}

func (o *GeocodeOptions) defaults() {
	if o.Points <= 0 {
		o.Points = synthcity.Points
	}
	if o.Queries <= 0 {
		o.Queries = 4000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

// A Latency summarises measured durations.
type Latency struct {
	Count                int
	P50, P99, P999, Mean time.Duration
}

// LatencyOf summarises ds, sorting it.
func LatencyOf(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	at := func(q float64) time.Duration { return ds[int(q*float64(len(ds)-1))] }
	return Latency{Count: len(ds), P50: at(0.5), P99: at(0.99), P999: at(0.999), Mean: sum / time.Duration(len(ds))}
}

// A GeocodeSide is one geocoder on one map.
type GeocodeSide struct {
	Name      string // "today", "demo", "synthetic"
	Geocoder  string // what answers: the grid gazetteer or the map's geocoder
	Addresses int    // address points of the map; the gazetteer has none, it interpolates
	Streets   int    // street features; for the gazetteer, its segments
	// Build is making the geocoder from its data in memory (for the
	// gazetteer, gridcity.Chicago; for a map, geo.NewMap); Load is
	// geo.LoadDir of the map's files, as a server starts, 0 for the
	// gazetteer, which has no files.
	Build, Load      time.Duration
	Geocode, Reverse Latency
}

// A GeocodeWay is one thing Geocoding times: a side's geocoder or reverse
// geocoder answering the i-th query of its mix.
type GeocodeWay struct {
	Side    int    // index of the side in GeocodeCities.Sides
	Reverse bool   // Reverse rather than Geocode
	Name    string // "today geocode", "synthetic reverse"…
	Query   func(i int) error
}

// GeocodeCities are the geocoders Geocoding measures, built, with their
// query mixes:
//
//   - today: the grid gazetteer the engine used until the map came,
//     gridcity.Chicago, on a mix drawn from its own segments and places;
//   - demo: the map's geocoder on the same city's map,
//     gridcity.DemoMap, on the same mix;
//   - synthetic: the map's geocoder on synthcity.Map's city of Points
//     address points, on synthcity.Queries.
//
// Reverse positions are drawn in each map's bounds, today's on the demo
// map's.
type GeocodeCities struct {
	Sides []GeocodeSide
	Ways  []GeocodeWay
	// Agree of Compared answers to the demo mix by the demo map lie within
	// AgreeMetres of today's: the two sides answer the same questions.
	Agree, Compared int
}

// AgreeMetres is how near the demo map's answer must lie to today's to
// agree: the map puts an address at its point, 12 m off the centerline, or
// interpolated 8 m to its side; the gazetteer on the centerline.
const AgreeMetres = 30

// NewGeocodeCities builds the three sides of opt, writes the two maps to
// files and times loading them back, and checks that every query of each
// mix resolves, returning an error naming the first that does not.
func NewGeocodeCities(opt GeocodeOptions) (*GeocodeCities, error) {
	opt.defaults()
	dir := opt.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "tenfour-bench-geocode-")
		if err != nil {
			return nil, fmt.Errorf("bench geocode: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	c := &GeocodeCities{}

	fmt.Fprintf(opt.Out, "building today's grid gazetteer…\n")
	t0 := time.Now()
	g := gridcity.Chicago()
	c.Sides = append(c.Sides, GeocodeSide{Name: "today", Geocoder: "grid gazetteer (gridcity.Chicago)", Streets: len(g.Segments()), Build: time.Since(t0)})

	fmt.Fprintf(opt.Out, "building the demo city's map…\n")
	demo, side, err := buildMap("demo", gridcity.Map(), filepath.Join(dir, "demo"))
	if err != nil {
		return nil, err
	}
	c.Sides = append(c.Sides, side)

	fmt.Fprintf(opt.Out, "building a synthetic map of %d address points…\n", opt.Points)
	synth, side, err := buildMap("synthetic", synthcity.Map(opt.Points), filepath.Join(dir, "synthetic"))
	if err != nil {
		return nil, err
	}
	c.Sides = append(c.Sides, side)

	demoQs := GazetteerQueries(g, opt.Queries, opt.Seed)
	synthQs := synthcity.Queries(opt.Queries, opt.Seed)
	proj := demo.Projection()
	for _, q := range demoQs {
		old, err := g.Geocode(q)
		if err != nil {
			return nil, fmt.Errorf("bench geocode: today's gazetteer: Geocode(%q): %w", q, err)
		}
		r, err := demo.Geocode(q)
		if err != nil {
			return nil, fmt.Errorf("bench geocode: the demo map: Geocode(%q): %w", q, err)
		}
		ox, oy := proj.XY(old.Lat, old.Lon)
		nx, ny := proj.XY(r.Lat, r.Lon)
		c.Compared++
		if math.Hypot(ox-nx, oy-ny) <= AgreeMetres {
			c.Agree++
		}
	}
	for _, q := range synthQs {
		if _, err := synth.Geocode(q); err != nil {
			return nil, fmt.Errorf("bench geocode: the synthetic map: Geocode(%q): %w", q, err)
		}
	}

	demoAt := positions(demo, opt.Queries, opt.Seed)
	synthAt := positions(synth, opt.Queries, opt.Seed)
	geocode := func(f func(string) error, qs []string) func(int) error {
		return func(i int) error { return f(qs[i%len(qs)]) }
	}
	reverse := func(f func(lat, lon float64) string, at []geo.Point) func(int) error {
		return func(i int) error {
			p := at[i%len(at)]
			if f(p.Lat, p.Lon) == "" {
				return fmt.Errorf("Reverse(%v, %v) = \"\"", p.Lat, p.Lon)
			}
			return nil
		}
	}
	c.Ways = []GeocodeWay{
		{0, false, "today geocode", geocode(func(q string) error { _, err := g.Geocode(q); return err }, demoQs)},
		{1, false, "demo geocode", geocode(func(q string) error { _, err := demo.Geocode(q); return err }, demoQs)},
		{2, false, "synthetic geocode", geocode(func(q string) error { _, err := synth.Geocode(q); return err }, synthQs)},
		{0, true, "today reverse", reverse(g.Reverse, demoAt)},
		{1, true, "demo reverse", reverse(demo.Reverse, demoAt)},
		{2, true, "synthetic reverse", reverse(synth.Reverse, synthAt)},
	}
	return c, nil
}

// buildMap times geo.NewMap of d, writes d into dir and times geo.LoadDir
// of it.
func buildMap(name string, d geo.MapData, dir string) (*geo.Map, GeocodeSide, error) {
	side := GeocodeSide{Name: name, Geocoder: "map (geo.Map)", Addresses: len(d.Addresses), Streets: len(d.Streets)}
	t0 := time.Now()
	m, err := geo.NewMap(d)
	side.Build = time.Since(t0)
	if err != nil {
		return nil, side, fmt.Errorf("bench geocode: the %s map: %w", name, err)
	}
	if err := geo.WriteDir(dir, d); err != nil {
		return nil, side, fmt.Errorf("bench geocode: the %s map: %w", name, err)
	}
	t0 = time.Now()
	if _, err := geo.LoadDir(dir); err != nil {
		return nil, side, fmt.Errorf("bench geocode: the %s map: %w", name, err)
	}
	side.Load = time.Since(t0)
	return m, side, nil
}

// positions returns n positions drawn with seed within m's bounds.
func positions(m *geo.Map, n int, seed uint64) []geo.Point {
	lo, hi := m.Bounds()
	r := rand.New(rand.NewPCG(seed, seed^0xbea7))
	ps := make([]geo.Point, n)
	for i := range ps {
		ps[i] = geo.Point{Lat: lo.Lat + r.Float64()*(hi.Lat-lo.Lat), Lon: lo.Lon + r.Float64()*(hi.Lon-lo.Lon)}
	}
	return ps
}

// GazetteerQueries returns n queries for g drawn with seed, in the
// proportions of synthcity.Queries: 70 % addresses (a segment and a number
// in its range), 20 % intersections of a north–south and an east–west
// street, 10 % places by name or alias. One address or intersection in
// four is typed as a call-taker types it, in lower case and without the
// direction ("3912 kedzie ave"); the rest as the gazetteer spells them.
func GazetteerQueries(g *gridcity.Gazetteer, n int, seed uint64) []string {
	segs, places := g.Segments(), g.Places()
	var ns, ew []gridcity.Segment
	for _, s := range segs {
		if s.Axis == gridcity.NorthSouth {
			ns = append(ns, s)
		} else {
			ew = append(ew, s)
		}
	}
	r := rand.New(rand.NewPCG(seed, seed^0x6a2e))
	typed := func(s gridcity.Segment) string {
		if r.IntN(4) == 0 {
			return strings.ToLower(s.Name + " " + s.Type)
		}
		return s.Street()
	}
	qs := make([]string, 0, n)
	for range n {
		switch p := r.IntN(10); {
		case p < 7:
			s := segs[r.IntN(len(segs))]
			qs = append(qs, fmt.Sprintf("%d %s", s.From+r.IntN(s.To-s.From+1), typed(s)))
		case p < 9:
			qs = append(qs, typed(ns[r.IntN(len(ns))])+" & "+typed(ew[r.IntN(len(ew))]))
		default:
			p := places[r.IntN(len(places))]
			names := append([]string{p.Name}, p.Aliases...)
			qs = append(qs, names[r.IntN(len(names))])
		}
	}
	return qs
}

// Round asks every way its i-th query, the i-th way first, and appends
// each one's time to lats, one slice a way.
func (c *GeocodeCities) Round(i int, lats [][]time.Duration) error {
	for j := range c.Ways {
		w := (i + j) % len(c.Ways) // take turns to go first
		t0 := time.Now()
		err := c.Ways[w].Query(i)
		lats[w] = append(lats[w], time.Since(t0))
		if err != nil {
			return fmt.Errorf("%s: %w", c.Ways[w].Name, err)
		}
	}
	return nil
}

// GeocodeReport is what Geocoding measured.
type GeocodeReport struct {
	Sides           []GeocodeSide // today's first
	Agree, Compared int           // see GeocodeCities
	Points          int           // address points of the synthetic map
}

// Geocoding measures geocoding and reverse geocoding on the three sides of
// GeocodeCities for opt.Duration, taking turns query by query, each way
// going first in turn, so that all see the same machine.
func Geocoding(ctx context.Context, opt GeocodeOptions) (GeocodeReport, error) {
	opt.defaults()
	c, err := NewGeocodeCities(opt)
	if err != nil {
		return GeocodeReport{}, err
	}
	fmt.Fprintf(opt.Out, "querying for %v…\n", opt.Duration)
	lats := make([][]time.Duration, len(c.Ways))
	start := time.Now()
	for i := 0; time.Since(start) < opt.Duration && ctx.Err() == nil; i++ {
		if err := c.Round(i, lats); err != nil {
			return GeocodeReport{}, fmt.Errorf("bench geocode: %w", err)
		}
	}
	rep := GeocodeReport{Sides: c.Sides, Agree: c.Agree, Compared: c.Compared, Points: c.Sides[2].Addresses}
	for i, w := range c.Ways {
		if w.Reverse {
			rep.Sides[w.Side].Reverse = LatencyOf(lats[i])
		} else {
			rep.Sides[w.Side].Geocode = LatencyOf(lats[i])
		}
	}
	return rep, ctx.Err()
}
