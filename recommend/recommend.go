// Package recommend chooses the units to send to an incident: the AVAILABLE
// units of its agency nearest it by estimated travel time, and those on
// lower-priority work that could be taken off it (issue 5,
// "Recommendation").
package recommend

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// A Metric estimates a unit's travel to a point: the distance it covers, in
// metres, and the time it takes, in seconds. Grid is the default; a
// road-network router can implement it instead.
type Metric interface {
	Travel(kind string, fromLat, fromLon, toLat, toLon float64) (metres, seconds float64)
}

// Speeds are the average speeds, in km/h, that Grid assumes for each unit
// kind on city streets under lights and siren; a kind not listed goes at
// DefaultSpeed. They are round planning figures, not measurements: heavy
// fire apparatus is slower than a patrol car, and a helicopter flies
// (Grid still measures its distance along the grid, which overstates it).
var Speeds = map[string]float64{
	"patrol": 40, "sergeant": 40, "supervisor": 40, "tactical": 40, "traffic": 45,
	"k9": 40, "detective": 35, "chief": 40,
	"engine": 30, "truck": 25, "ambulance": 35,
	"air": 180,
}

// DefaultSpeed is the speed, in km/h, of a unit kind not in Speeds: a
// patrol car's.
const DefaultSpeed = 40

// Grid is the default Metric: the Manhattan distance on the address grid
// (gridcity.GridMetres; Chicago's streets run north–south and east–west), at the
// unit kind's speed from Speeds.
type Grid struct{}

// Travel implements Metric.
func (Grid) Travel(kind string, fromLat, fromLon, toLat, toLon float64) (metres, seconds float64) {
	metres = gridcity.GridMetres(gridcity.GridAt(fromLat, fromLon), gridcity.GridAt(toLat, toLon))
	speed, ok := Speeds[kind]
	if !ok {
		speed = DefaultSpeed
	}
	return metres, metres / (speed / 3.6)
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

// Recommend ranks candidates — positions of units, usually those the AVL
// index finds nearest the incident by straight line — for incident in, and
// returns the k best by ETA under m (nil: Grid), ties by distance then unit
// id. Candidates that are not Eligible under f, or not units of s, are left
// out. An AVAILABLE unit and a pre-emptible one are ranked alike, by ETA:
// the reason says which is which, and the dispatcher decides whether
// taking a unit off other work is worth the time it saves.
// The answer is exact only among the candidates: a caller that passes a
// pool of the nearest units by straight line can miss a unit just outside
// it that the grid or a faster kind would favour.
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
		eta, metres float64
	}
	var all []ranked
	for _, p := range candidates {
		u, ok := s.Units[p.Unit]
		if !ok {
			continue
		}
		ok, preempts := Eligible(s, u, in, f)
		if !ok {
			continue
		}
		metres, seconds := m.Travel(u.Kind, p.Lat, p.Lon, *in.Location.Lat, *in.Location.Lon)
		all = append(all, ranked{Unit: Unit{Unit: u.ID, CallSign: u.CallSign, Kind: u.Kind,
			ETASeconds: int(math.Round(seconds)), DistanceM: int(math.Round(metres)), Preempts: preempts}, eta: seconds, metres: metres})
	}
	slices.SortFunc(all, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.eta, b.eta), cmp.Compare(a.metres, b.metres), strings.Compare(a.Unit.Unit, b.Unit.Unit))
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
		r.Reason = fmt.Sprintf("%s %s, %.1f km by the grid, about %s away", rank, what, r.metres/1000, minutes(r.eta))
		out = append(out, r.Unit)
	}
	return out, nil
}

func minutes(seconds float64) string {
	if seconds < 90 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", int(math.Round(seconds/60)))
}
