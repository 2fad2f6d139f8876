package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/recommend"
)

// RecommendOptions configure a RecommendCity and Recommendation.
type RecommendOptions struct {
	Blocks   int           // the city's side in 100 m blocks; default 150 (15 km)
	Units    int           // units with positions; default 50,000
	Rate     int           // position updates a second; default 20,000
	K        int           // units recommended; default 5
	Duration time.Duration // how long Recommendation queries; default 5 s
	Out      io.Writer
}

func (o *RecommendOptions) defaults() {
	if o.Blocks <= 0 {
		o.Blocks = 150
	}
	if o.Units <= 0 {
		o.Units = 50000
	}
	if o.Rate <= 0 {
		o.Rate = 20000
	}
	if o.K <= 0 {
		o.K = 5
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

// A RecommendCity is a made-up city for measuring recommendations: a grid
// of 100 m blocks on Chicago's south-west side, every eighth street an
// arterial (35 mph) and the rest local (25 mph), two diagonal avenues, and
// a river running north–south a third of the way across with three bridges;
// its units, one in twenty an engine and nine in ten available, and their
// positions in an AVL index, as the engine keeps them.
type RecommendCity struct {
	Graph   *geo.Graph
	Streets []geo.Street
	State   *dispatch.State
	Proj    geo.Projection
	Index   *geo.Index
	side    float64 // metres
	ids     []string
	mu      sync.RWMutex
	last    map[string]dispatch.Position
}

// riverX is where the river runs, as a fraction of the city's width: between
// two north–south streets, so that only bridges cross it.
const riverX = 0.335

// NewRecommendCity builds the city of opt, its units placed at random.
func NewRecommendCity(opt RecommendOptions) *RecommendCity {
	opt.defaults()
	n := opt.Blocks
	side := float64(n) * 100
	proj := geo.NewProjection(geo.Point{Lat: 41.80, Lon: -87.70})
	c := &RecommendCity{Proj: proj, side: side, State: dispatch.NewState(), Index: geo.NewIndexOn(proj), last: make(map[string]dispatch.Position)}
	pt := func(x, y float64) geo.Point {
		lat, lon := proj.LatLon(x-side/2, y-side/2)
		return geo.Point{Lat: lat, Lon: lon}
	}
	river := riverX * side
	bridges := map[int]bool{n / 6: true, n / 2: true, 5 * n / 6: true}
	crosses := func(x0, x1 float64) bool { return min(x0, x1) < river && max(x0, x1) > river }
	class := func(i int) string {
		if i%8 == 0 {
			return "primary"
		}
		return ""
	}
	// One feature a block: a street is split at every corner, as TIGER
	// splits it, so every corner is a junction.
	for i := 0; i <= n; i++ {
		for j := range n {
			v, a, b := float64(i)*100, float64(j)*100, float64(j+1)*100
			c.Streets = append(c.Streets, geo.Street{Name: "ns", Class: class(i), Lines: [][]geo.Point{{pt(v, a), pt(v, b)}}})
			if !crosses(a, b) || bridges[i] {
				c.Streets = append(c.Streets, geo.Street{Name: "ew", Class: class(i), Lines: [][]geo.Point{{pt(a, v), pt(b, v)}}})
			}
		}
	}
	for j := range n { // the diagonals, through the corners
		a, b := float64(j)*100, float64(j+1)*100
		if !crosses(a, b) {
			c.Streets = append(c.Streets,
				geo.Street{Name: "diagonal", Class: "primary", Lines: [][]geo.Point{{pt(a, a), pt(b, b)}}},
				geo.Street{Name: "antidiagonal", Class: "primary", Lines: [][]geo.Point{{pt(a, side-a), pt(b, side-b)}}})
		}
	}
	c.Graph = geo.NewGraph(c.Streets, proj)
	r := rand.New(rand.NewPCG(3, 4))
	c.ids = make([]string, opt.Units)
	for i := range c.ids {
		id := fmt.Sprintf("unit-%05d", i)
		c.ids[i] = id
		kind, status := "patrol", dispatch.StatusAvailable
		if i%20 == 7 {
			kind = "engine"
		}
		if i%10 == 9 {
			status = dispatch.StatusBusy
		}
		c.State.Units[id] = &dispatch.Unit{ID: id, CallSign: id, Agency: "metro", Kind: kind, Status: status}
		c.move(id, c.Point(r))
	}
	return c
}

// Point returns a random point of the city.
func (c *RecommendCity) Point(r *rand.Rand) geo.Point {
	lat, lon := c.Proj.LatLon((r.Float64()-0.5)*c.side, (r.Float64()-0.5)*c.side)
	return geo.Point{Lat: lat, Lon: lon}
}

func (c *RecommendCity) move(id string, p geo.Point) {
	c.mu.Lock()
	c.last[id] = dispatch.Position{Unit: id, Lat: p.Lat, Lon: p.Lon}
	c.mu.Unlock()
	c.Index.Update(id, p.Lat, p.Lon)
}

// StreamUpdates moves random units to random points at rate a second until
// ctx is done, and returns how many it moved.
func (c *RecommendCity) StreamUpdates(ctx context.Context, rate int) int64 {
	r := rand.New(rand.NewPCG(5, 6))
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	var n int64
	for {
		select {
		case <-ctx.Done():
			return n
		case <-tick.C:
		}
		// Catch up to the rate, whatever the ticks missed.
		for due := int64(time.Since(start).Seconds() * float64(rate)); n < due; n++ {
			c.move(c.ids[r.IntN(len(c.ids))], c.Point(r))
		}
	}
}

// Recommend answers one recommendation for an incident at p, as the http
// package does: the pool nearest units by straight line that are eligible,
// ranked by m.
func (c *RecommendCity) Recommend(p geo.Point, k, pool int, m recommend.Metric) ([]recommend.Unit, error) {
	in := &dispatch.Incident{ID: "metro-2026-000001", Agency: "metro", Priority: 1, Location: dispatch.Location{Lat: &p.Lat, Lon: &p.Lon}}
	ns := c.Index.Nearest(p.Lat, p.Lon, pool, func(id string) bool {
		ok, _ := recommend.Eligible(c.State, c.State.Units[id], in, recommend.Filter{})
		return ok
	})
	ps := make([]dispatch.Position, 0, len(ns))
	c.mu.RLock()
	for _, n := range ns {
		ps = append(ps, c.last[n.ID])
	}
	c.mu.RUnlock()
	return recommend.Recommend(c.State, in, ps, k, m, recommend.Filter{})
}

// Ratios compares the drive with the grid over pairs random pairs of
// points at least 500 m apart by the grid: the mean and the 90th
// percentile of drive metres over grid metres, for all pairs and for the
// pairs on one bank of the river.
func (c *RecommendCity) Ratios(pairs int) (mean, p90, sameMean, sameP90 float64) {
	r := rand.New(rand.NewPCG(9, 10))
	var all, same []float64
	for len(all) < pairs {
		a, b := c.Point(r), c.Point(r)
		grid := recommend.Grid{}.Travel(a, []recommend.From{{Kind: "patrol", At: b}}, 1)[0]
		if grid.Metres < 500 {
			continue
		}
		drive := c.Graph.TravelTo(a, []geo.Point{b})[0]
		if !drive.OK {
			continue
		}
		ratio := drive.Metres / grid.Metres
		all = append(all, ratio)
		ax, _ := c.Proj.XY(a.Lat, a.Lon)
		bx, _ := c.Proj.XY(b.Lat, b.Lon)
		if river := riverX*c.side - c.side/2; (ax < river) == (bx < river) {
			same = append(same, ratio)
		}
	}
	stats := func(xs []float64) (float64, float64) {
		if len(xs) == 0 {
			return math.NaN(), math.NaN()
		}
		slices.Sort(xs)
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		return sum / float64(len(xs)), xs[int(0.9*float64(len(xs)-1))]
	}
	mean, p90 = stats(all)
	sameMean, sameP90 = stats(same)
	return mean, p90, sameMean, sameP90
}

// A RecommendResult is one way of recommending, measured by Recommendation.
type RecommendResult struct {
	Name     string
	Pool     int
	Queries  int
	P50, P99 time.Duration
}

// RecommendReport is what Recommendation measured.
type RecommendReport struct {
	Results          []RecommendResult // today's (the grid) first
	UpdatesPerSecond float64
	Nodes, Edges     int
	// Mean and P90 are drive metres over grid metres for random pairs of
	// points; SameBank* for pairs on one bank of the river.
	Mean, P90, SameBankMean, SameBankP90 float64
}

// A RecommendWay is one way of recommending: a Metric over a pool of the
// nearest units by straight line.
type RecommendWay struct {
	Name   string
	Pool   int
	Metric recommend.Metric
}

// Ways are the ways of recommending Recommendation measures, in its
// order: today's — the grid over 4k candidates —, the grid over
// recommend.PoolSize(k) candidates (what the larger pool costs), and drive
// time over the streets over as many.
func (c *RecommendCity) Ways(k int) []RecommendWay {
	return []RecommendWay{
		{"grid", 4 * k, recommend.Grid{}},
		{"grid-pool", recommend.PoolSize(k), recommend.Grid{}},
		{"streets", recommend.PoolSize(k), recommend.Streets{Graph: c.Graph}},
	}
}

// Recommendation measures recommendations in a RecommendCity while its
// positions stream in: today's grid ranking and drive time over the
// streets, taking turns query by query so that both see the same load.
func Recommendation(ctx context.Context, opt RecommendOptions) (RecommendReport, error) {
	opt.defaults()
	fmt.Fprintf(opt.Out, "building a city of %d×%d blocks with %d units…\n", opt.Blocks, opt.Blocks, opt.Units)
	c := NewRecommendCity(opt)
	rep := RecommendReport{Nodes: c.Graph.Nodes(), Edges: c.Graph.Edges()}
	rep.Mean, rep.P90, rep.SameBankMean, rep.SameBankP90 = c.Ratios(2000)
	ways := c.Ways(opt.K)
	lats := make([][]time.Duration, len(ways))
	uctx, stop := context.WithCancel(ctx)
	done := make(chan int64)
	go func() { done <- c.StreamUpdates(uctx, opt.Rate) }()
	r := rand.New(rand.NewPCG(7, 8))
	start := time.Now()
	var err error
	for i := 0; time.Since(start) < opt.Duration && ctx.Err() == nil && err == nil; i++ {
		p := c.Point(r)
		for j := range ways {
			w := ways[(i+j)%len(ways)] // take turns to go first
			t0 := time.Now()
			_, err = c.Recommend(p, opt.K, w.Pool, w.Metric)
			lats[(i+j)%len(ways)] = append(lats[(i+j)%len(ways)], time.Since(t0))
		}
	}
	elapsed := time.Since(start)
	stop()
	rep.UpdatesPerSecond = float64(<-done) / elapsed.Seconds()
	if err != nil {
		return rep, fmt.Errorf("bench recommend: %w", err)
	}
	for i, w := range ways {
		p50, p99 := Percentiles(lats[i])
		rep.Results = append(rep.Results, RecommendResult{Name: w.Name, Pool: w.Pool, Queries: len(lats[i]), P50: p50, P99: p99})
	}
	return rep, ctx.Err()
}

// Percentiles returns the 50th and 99th percentiles of ds, sorting it.
func Percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[int(0.99*float64(len(ds)-1))]
}
