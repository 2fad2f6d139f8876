// Package recommend chooses the units to send to an incident: the AVAILABLE
// units of its agency nearest it by estimated travel time, and those on
// lower-priority work that could be taken off it (issue 5,
// "Recommendation").
//
// The caller chooses candidates by straight line from the AVL index (a
// pool of PoolSize(k)); a Metric ranks them by travel time: Streets, the
// drive over the centre's own street map (geo.Graph), where a centre has
// one, and Grid, the Manhattan distance on Chicago's address grid, where
// it has none (issue 12, "a centre's own map").
package recommend

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// A Metric estimates the travel of units to a point: for each start in
// from, in its order, the distance covered, in metres, and the time it
// takes, in seconds, or not OK when the unit cannot get there. It answers
// for many units at once so that a road-network Metric walks its network
// once per question (Streets), not once per unit; and only the k soonest
// must be exact, so that it may stop there: a unit not among them may
// come back not OK. Grid is the default.
type Metric interface {
	Travel(to geo.Point, from []From, k int) []geo.Travel
	// By says in a few words how the Metric measures ("by the grid", "by
	// road"), for the reason given to the dispatcher.
	By() string
}

// A From is a unit's start for a Metric: where it is and its kind, which
// sets its speed (Speeds).
type From struct {
	Kind string
	At   geo.Point
}

// Speeds are the average speeds, in km/h, of each unit kind on city
// streets under lights and siren; a kind not listed goes at DefaultSpeed.
// They are round planning figures, not measurements: heavy fire apparatus
// is slower than a patrol car, and a helicopter flies (Grid still measures
// its distance along the grid and Streets along the roads, which
// overstates it).
var Speeds = map[string]float64{
	"patrol": 40, "sergeant": 40, "supervisor": 40, "tactical": 40, "traffic": 45,
	"k9": 40, "detective": 35, "chief": 40,
	"engine": 30, "truck": 25, "ambulance": 35,
	"air": 180,
}

// DefaultSpeed is the speed, in km/h, of a unit kind not in Speeds: a
// patrol car's.
const DefaultSpeed = 40

// speed returns kind's speed from Speeds, in km/h.
func speed(kind string) float64 {
	if v, ok := Speeds[kind]; ok && v > 0 {
		return v
	}
	return DefaultSpeed
}

// Grid is the default Metric, used where a centre has no street map: the
// Manhattan distance on the address grid (gridcity.GridMetres; Chicago's
// streets run north–south and east–west), at the unit kind's speed from
// Speeds. Every unit can get everywhere.
type Grid struct{}

// Travel implements Metric.
func (Grid) Travel(to geo.Point, from []From, _ int) []geo.Travel {
	out := make([]geo.Travel, len(from))
	for i, f := range from {
		out[i] = gridTravel(to, f)
	}
	return out
}

func gridTravel(to geo.Point, f From) geo.Travel {
	m := gridcity.GridMetres(gridcity.GridAt(f.At.Lat, f.At.Lon), gridcity.GridAt(to.Lat, to.Lon))
	return geo.Travel{Metres: m, Seconds: m / (speed(f.Kind) / 3.6), OK: true}
}

// By implements Metric.
func (Grid) By() string { return "by the grid" }

// Streets is the Metric of a centre's street map: the drive along its
// streets (geo.Graph.TravelTo, at each street's own speed), with the time
// scaled by the unit kind's speed relative to a patrol car's
// (Speeds[kind]/DefaultSpeed): the streets' speeds are a patrol car's,
// and a fire engine is slower on the same way. A unit off the map or
// more than an hour's drive away is not OK. Streets with no Graph
// measures as Grid does.
type Streets struct {
	Graph *geo.Graph
}

// Travel implements Metric with one search of the graph, which stops once
// the k soonest are known (geo.Graph.TravelSoonest).
func (m Streets) Travel(to geo.Point, from []From, k int) []geo.Travel {
	if m.Graph == nil {
		return Grid{}.Travel(to, from, k)
	}
	pts := make([]geo.Point, len(from))
	scale := make([]float64, len(from))
	for i, f := range from {
		pts[i], scale[i] = f.At, DefaultSpeed/speed(f.Kind)
	}
	out := m.Graph.TravelSoonest(to, pts, k, scale)
	for i := range out {
		out[i].Seconds *= scale[i]
	}
	return out
}

// By implements Metric.
func (Streets) By() string { return "by road" }

// PoolSize is how many candidates a caller should pass to Recommend or
// FillRunCard for k units: the k·8+10 units nearest by straight line. The
// AVL index chooses candidates by straight line, and a Metric ranks them by
// the way they must drive; under Streets, units across a river or a rail
// yard from the incident drop to the bottom, and the pool must still hold
// k units on the incident's side. Four times k held enough under Grid
// (which is never more than √2 times the straight line); eight times k,
// and ten more for a small k, leave room for an incident on a bank or a
// peninsula with most of its nearest units across the water. The cost is
// the AVL query and the eligibility checks of the larger pool, not the
// drive: Streets stops its search once the k soonest are known, without
// driving to the units across the water (tenfour bench recommend measures
// both).
func PoolSize(k int) int { return 8*k + 10 }

// measure returns the travel of each start of from to under m, the k
// soonest exact. A unit m finds no way for has the Grid's figures and is
// not OK: callers rank it after every unit that is.
func measure(m Metric, to geo.Point, from []From, k int) []geo.Travel {
	if len(from) == 0 {
		return nil
	}
	out := m.Travel(to, from, k)
	for i, t := range out {
		if !t.OK {
			t = gridTravel(to, from[i])
			t.OK = false
			out[i] = t
		}
	}
	return out
}

// A Unit is one recommendation: a unit, how far it is and how soon it can
// be there, and why it is proposed, in a sentence for the dispatcher.
// Preempts names the lower-priority incident the unit would be taken off;
// it is empty for an AVAILABLE unit.
type Unit struct {
	Unit       string `json:"unit"`
	CallSign   string `json:"call_sign"`
	Kind       string `json:"kind"`
	ETASeconds int    `json:"eta_seconds"`
	DistanceM  int    `json:"distance_m"`
	Reason     string `json:"reason"`
	Preempts   string `json:"preempts,omitempty"`
	// Slot is the run card's slot the unit fills ("engine 2 of 3"), when
	// the incident has a run card (runcard.go).
	Slot string `json:"slot,omitempty"`
}

// A Filter narrows the units proposed. The zero Filter proposes AVAILABLE
// and pre-emptible units of the incident's own agency of any kind.
type Filter struct {
	// Capabilities lists capabilities a unit must all have (k9, ...).
	Capabilities []string
	// Kinds lists the unit kinds accepted; empty accepts all.
	Kinds []string
	// NoPreempt leaves out units on lower-priority work.
	NoPreempt bool
	// Directives are those in force over the incident's place
	// (dispatch.State.DirectivesAt), looked up once by the caller: a unit
	// one of them keeps out is not proposed (sending it needs a
	// supervisor's override).
	Directives []*dispatch.Directive
}

// Eligible reports whether u may be recommended for in under f: of the
// incident's agency, staffed (dispatch.Roster), with f's kind and
// capabilities (its own or its shift's), not kept out by a
// directive in force, and AVAILABLE or — unless f says not — pre-emptible
// (dispatch.State.Preemptible). It also
// returns the incident u would be taken off, "" for an AVAILABLE unit.
func Eligible(s *dispatch.State, u *dispatch.Unit, in *dispatch.Incident, f Filter) (ok bool, preempts string) {
	if u.Agency != in.Agency || !u.Staffed() {
		return false, "" // another agency's, or no crew signed on
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, u.Kind) {
		return false, ""
	}
	for _, c := range f.Capabilities {
		if !u.HasCapability(c) {
			return false, ""
		}
	}
	for _, d := range f.Directives {
		if d.Blocks(u) {
			return false, ""
		}
	}
	switch {
	case u.Status == dispatch.StatusAvailable:
		return true, ""
	case !f.NoPreempt && s.Preemptible(u, in):
		return true, u.Incident
	}
	return false, ""
}

// Recommend ranks candidates — positions of units, usually the
// PoolSize(k) the AVL index finds nearest the incident by straight line —
// for incident in, and returns the k best by ETA under m (nil: Grid), ties
// by distance then unit id. Candidates that are not Eligible under f, or
// not units of s, are left out. An AVAILABLE unit and a pre-emptible one
// are ranked alike, by ETA: the reason says which is which, and the
// dispatcher decides whether taking a unit off other work is worth the
// time it saves.
//
// A unit m finds no way for (under Streets: off the map, cut off, or more
// than an hour's drive) is ranked after every unit that has one, with the
// Grid's figures and a reason that says so; it is not left out, because
// the map can be wrong and the dispatcher may know a way, and because it
// may be the only unit of its kind.
//
// The answer is exact only among the candidates: a caller that passes a
// pool of the nearest units by straight line can miss a unit just outside
// it that the roads or a faster kind would favour.
//
// It returns an ECONFLICT error if the incident has no point.
func Recommend(s *dispatch.State, in *dispatch.Incident, candidates []dispatch.Position, k int, m Metric, f Filter) ([]Unit, error) {
	if in.Location.Lat == nil || in.Location.Lon == nil {
		return nil, dispatch.Errorf(dispatch.ECONFLICT, "incident %s has no position on the map; give it a location that the gazetteer knows, or a latitude and longitude", in.ID)
	}
	if m == nil {
		m = Grid{}
	}
	type ranked struct {
		Unit
		travel geo.Travel
	}
	var all []ranked
	var from []From
	for _, p := range candidates {
		u, ok := s.Units[p.Unit]
		if !ok {
			continue
		}
		ok, preempts := Eligible(s, u, in, f)
		if !ok {
			continue
		}
		all = append(all, ranked{Unit: Unit{Unit: u.ID, CallSign: u.CallSign, Kind: u.Kind, Preempts: preempts}})
		from = append(from, From{Kind: u.Kind, At: geo.Point{Lat: p.Lat, Lon: p.Lon}})
	}
	for i, t := range measure(m, geo.Point{Lat: *in.Location.Lat, Lon: *in.Location.Lon}, from, max(k, 0)) {
		all[i].travel = t
		all[i].ETASeconds, all[i].DistanceM = int(math.Round(t.Seconds)), int(math.Round(t.Metres))
	}
	slices.SortFunc(all, func(a, b ranked) int {
		return cmp.Or(compareTravel(a.travel, b.travel), strings.Compare(a.Unit.Unit, b.Unit.Unit))
	})
	out := []Unit{}
	for i, r := range all {
		if i == k {
			break
		}
		rank := "nearest"
		if i > 0 {
			rank = gridcity.Ordinal(i+1) + " nearest"
		}
		what := "available " + r.Kind
		if r.Preempts != "" {
			cur := s.Incidents[r.Preempts]
			what = fmt.Sprintf("%s %s, pre-emptible from priority %d %s %s", r.Kind, strings.ToLower(strings.ReplaceAll(s.Units[r.Unit.Unit].Status, "_", " ")), cur.Priority, cur.Type, cur.ID)
		}
		r.Reason = fmt.Sprintf("%s %s, %s", rank, what, howFar(m, r.travel))
		out = append(out, r.Unit)
	}
	return out, nil
}

// compareTravel orders a unit with a way before one without, then by time,
// then by distance.
func compareTravel(a, b geo.Travel) int {
	switch {
	case a.OK && !b.OK:
		return -1
	case !a.OK && b.OK:
		return 1
	}
	return cmp.Or(cmp.Compare(a.Seconds, b.Seconds), cmp.Compare(a.Metres, b.Metres))
}

// howFar says how far a unit is, for its reason.
func howFar(m Metric, t geo.Travel) string {
	if !t.OK {
		return fmt.Sprintf("no way %s to the incident on the map (cut off, off it, or over an hour away); %.1f km by the grid", m.By(), t.Metres/1000)
	}
	return fmt.Sprintf("%.1f km %s, about %s away", t.Metres/1000, m.By(), minutes(t.Seconds))
}

func minutes(seconds float64) string {
	if seconds < 90 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", int(math.Round(seconds/60)))
}
