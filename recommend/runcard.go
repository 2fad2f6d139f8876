package recommend

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// A Shortfall is what a run card asks for that no unit can fill: Missing
// units of Kind.
type Shortfall struct {
	Kind    string `json:"kind"`
	Missing int    `json:"missing"`
}

// FillRunCard fills each slot of card, in the card's order, with the units
// of the slot's kind soonest at incident in by m (nil: Grid), ties by
// distance then unit id, a unit m finds no way for last (as Recommend ranks
// them): the n-th of a slot of count c fills "kind n of c".
// Only AVAILABLE units that are Eligible under f are taken (a run card
// sends free units, never pre-empts; f's kinds are the card's), each once.
// What is left unfilled is the shortfall, slot by slot. The answer is exact
// among the candidates, as Recommend's is.
//
// It returns an ECONFLICT error if the incident has no point.
func FillRunCard(s *dispatch.State, in *dispatch.Incident, card dispatch.RunCard, candidates []dispatch.Position, m Metric, f Filter) ([]Unit, []Shortfall, error) {
	if in.Location.Lat == nil || in.Location.Lon == nil {
		return nil, nil, dispatch.Errorf(dispatch.ECONFLICT, "incident %s has no position on the map; give it a location that the gazetteer knows, or a latitude and longitude", in.ID)
	}
	if m == nil {
		m = Grid{}
	}
	f.Kinds, f.NoPreempt = nil, true
	type ranked struct {
		u      *dispatch.Unit
		travel geo.Travel
	}
	var units []*dispatch.Unit
	var from []From
	seen := map[string]bool{}
	for _, p := range candidates {
		u, ok := s.Units[p.Unit]
		if !ok || seen[u.ID] {
			continue
		}
		if ok, _ := Eligible(s, u, in, f); !ok || u.Status != dispatch.StatusAvailable {
			continue
		}
		seen[u.ID] = true
		units = append(units, u)
		from = append(from, From{Kind: u.Kind, At: geo.Point{Lat: p.Lat, Lon: p.Lon}})
	}
	byKind := map[string][]ranked{}
	for i, t := range measure(m, geo.Point{Lat: *in.Location.Lat, Lon: *in.Location.Lon}, from, len(from)) {
		byKind[units[i].Kind] = append(byKind[units[i].Kind], ranked{units[i], t})
	}
	out := []Unit{}
	short := []Shortfall{}
	for _, sl := range card.Slots {
		rs := byKind[sl.Kind]
		slices.SortFunc(rs, func(a, b ranked) int {
			return cmp.Or(compareTravel(a.travel, b.travel), strings.Compare(a.u.ID, b.u.ID))
		})
		for i := range sl.Count {
			if i >= len(rs) {
				short = append(short, Shortfall{Kind: sl.Kind, Missing: sl.Count - len(rs)})
				break
			}
			r := rs[i]
			slot := fmt.Sprintf("%s %d of %d", sl.Kind, i+1, sl.Count)
			out = append(out, Unit{Unit: r.u.ID, CallSign: r.u.CallSign, Kind: r.u.Kind,
				ETASeconds: int(math.Round(r.travel.Seconds)), DistanceM: int(math.Round(r.travel.Metres)), Slot: slot,
				Reason: fmt.Sprintf("%s on run card %q: the nearest available %s not taken, %s",
					slot, card.Name, r.u.Kind, howFar(m, r.travel))})
		}
	}
	return out, short, nil
}
