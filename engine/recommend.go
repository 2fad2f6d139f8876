package engine

import (
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/recommend"
)

// A Recommendation is what a dispatcher is offered for an incident: the
// units, the directives in force over its place (why some are not
// offered), the hazards there as the actor may see them, and, when a run
// card applies, the card and what no staffed, available unit can fill.
type Recommendation struct {
	Units      []recommend.Unit
	Directives []dispatch.Directive
	Hazards    []dispatch.Hazard
	RunCard    *dispatch.RunCard
	Shortfall  []recommend.Shortfall
}

// Recommend returns the k best units for incident id, if the actor sees it
// (another agency's is not found): among the recommend.PoolSize(k) eligible
// units nearest it by straight line (the AVL index), the k soonest there by
// road over the map's streets (recommend.Streets; by the grid without a
// map). A unit with no known position is never proposed,
// nor one that a directive in force keeps out of the incident's place. An
// incident whose zone and type have a run card (and f names no kind) gets
// the card filled instead (recommend.FillRunCard). It reads the state
// under one lock: units, directives and run cards as they stand together.
func (e *Engine) Recommend(a dispatch.Actor, id string, k int, f recommend.Filter) (Recommendation, error) {
	now := e.Now()
	out := Recommendation{Directives: []dispatch.Directive{}, Hazards: []dispatch.Hazard{}}
	var err error = notFound("incident", id)
	e.read(func(st *dispatch.State) {
		in, ok := st.Incidents[id]
		if !ok || !a.Sees(in.Agency) {
			return
		}
		f.Directives = st.DirectivesAt(in.Agency, in.Location, in.ID, now)
		out.Hazards = dispatch.VisibleHazards(st, in, a, now)
		for _, d := range f.Directives {
			out.Directives = append(out.Directives, *d)
		}
		if len(f.Kinds) == 0 { // a run card, if one applies
			if c, ok := st.RunCardFor(in, now); ok {
				out.RunCard = &c
				out.Units, out.Shortfall, err = e.fillRunCard(st, in, c, f)
				return
			}
		}
		var pool []dispatch.Position
		if in.Location.Lat != nil && in.Location.Lon != nil {
			pool = e.NearestUnits(*in.Location.Lat, *in.Location.Lon, recommend.PoolSize(k), func(unit string) bool {
				u, ok := st.Units[unit]
				if !ok {
					return false
				}
				ok, _ = recommend.Eligible(st, u, in, f)
				return ok
			})
		}
		out.Units, err = recommend.Recommend(st, in, pool, k, e.metric, f)
	})
	return out, err
}

// fillRunCard fills run card c for incident in (recommend.FillRunCard):
// for each kind of the card, the recommend.PoolSize(n) staffed, available
// units of that kind nearest the incident by straight line, n the slot's
// count, are ranked by road. Called under the view's read lock.
func (e *Engine) fillRunCard(st *dispatch.State, in *dispatch.Incident, c dispatch.RunCard, f recommend.Filter) ([]recommend.Unit, []recommend.Shortfall, error) {
	var pool []dispatch.Position
	if in.Location.Lat != nil && in.Location.Lon != nil {
		for _, sl := range c.Slots {
			kf := f
			kf.Kinds, kf.NoPreempt = []string{sl.Kind}, true
			pool = append(pool, e.NearestUnits(*in.Location.Lat, *in.Location.Lon, recommend.PoolSize(sl.Count), func(unit string) bool {
				u, ok := st.Units[unit]
				if !ok {
					return false
				}
				ok, _ = recommend.Eligible(st, u, in, kf)
				return ok
			})...)
		}
	}
	return recommend.FillRunCard(st, in, c, pool, e.metric, f)
}

// Blocked says, for a request the actor sees (another's is not found),
// which units of agency the directives in force over the request's place
// keep out, as accepting the request checks it (dispatch.State.Blocking):
// by unit id, the ids of the directives; units kept out only.
func (e *Engine) Blocked(a dispatch.Actor, request, agency string) (map[string][]string, error) {
	now := e.Now()
	blocked := map[string][]string{}
	err := notFound("request", request)
	e.read(func(st *dispatch.State) {
		rq, ok := st.Requests[request]
		if !ok {
			return
		}
		if _, ok := dispatch.VisibleRequest(rq, a); !ok {
			return
		}
		err = nil
		for _, u := range st.UnitList(agency) {
			for _, d := range st.Blocking(u, rq.Location, "", now) {
				blocked[u.ID] = append(blocked[u.ID], d.ID)
			}
		}
	})
	return blocked, err
}
