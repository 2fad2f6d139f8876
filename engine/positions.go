package engine

import (
	"context"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// MaxPositionLead is how far ahead of the engine's clock a position's time
// may be: AVL devices' clocks drift a little, but a position from the
// future would hide every true one after it.
const MaxPositionLead = time.Minute

// positions are the units' AVL positions: soft state, kept in memory and
// never in the log (DESIGN.md, "AVL positions are frequent and soft"), so a
// restarted node knows none until the units report again. A status change
// carries the unit's last one into its event (dispatch.SetUnitStatus).
type positions struct {
	index   *geo.Index
	last    map[string]dispatch.Position // guarded by Engine.posMu
	sampled map[string]time.Time         // the time of each unit's last sampled position
}

// samplePositions records, through the log, the latest position of every
// unit that moved since the last sample (dispatch.SamplePositions).
func (e *Engine) samplePositions() error {
	e.posMu.RLock()
	var ps []dispatch.Position
	for u, p := range e.pos.last {
		if !p.Time.Equal(e.pos.sampled[u]) {
			ps = append(ps, p)
		}
	}
	e.posMu.RUnlock()
	if len(ps) == 0 {
		return nil
	}
	if _, err := e.Execute(context.Background(), dispatch.Actor{System: "avl"}, dispatch.SamplePositions{Positions: ps}); err != nil {
		return err
	}
	e.posMu.Lock()
	for _, p := range ps {
		e.pos.sampled[p.Unit] = p.Time
	}
	e.posMu.Unlock()
	return nil
}

// UpdatePositions validates a batch of positions that actor reports and
// keeps them: every position names a unit the actor sees and may operate
// (dispatch.State.MayReportPositions: an officer reports only units they
// crew), a latitude and longitude in range and a time at most
// MaxPositionLead ahead of the clock and not before the unit's last. A
// batch with any bad position is refused whole, with an EINVALID,
// ENOTFOUND or EFORBIDDEN error naming the first (by its index in ps).
func (e *Engine) UpdatePositions(actor dispatch.Actor, ps []dispatch.Position) error {
	latest := e.clock().Add(MaxPositionLead)
	var err error
	e.read(func(s *dispatch.State) { err = s.MayReportPositions(actor, ps) })
	if err != nil {
		return err
	}
	e.posMu.Lock()
	defer e.posMu.Unlock()
	newest := make(map[string]time.Time, len(ps))
	for i, p := range ps {
		switch {
		case !(p.Lat >= -90 && p.Lat <= 90) || !(p.Lon >= -180 && p.Lon <= 180):
			return dispatch.Errorf(dispatch.EINVALID, "position %d: %v,%v is not a latitude and longitude", i, p.Lat, p.Lon)
		case p.Time.IsZero():
			return dispatch.Errorf(dispatch.EINVALID, "position %d: give the time of the position", i)
		case p.Time.After(latest):
			return dispatch.Errorf(dispatch.EINVALID, "position %d: its time %s is more than %s ahead of ours", i, p.Time.UTC().Format(time.RFC3339), MaxPositionLead)
		}
		before, ok := newest[p.Unit]
		if !ok {
			var last dispatch.Position
			last, ok = e.pos.last[p.Unit]
			before = last.Time
		}
		if ok && p.Time.Before(before) {
			return dispatch.Errorf(dispatch.EINVALID, "position %d: unit %s has a newer position already (%s)", i, p.Unit, before.UTC().Format(time.RFC3339))
		}
		newest[p.Unit] = p.Time
	}
	for _, p := range ps {
		p.Time = p.Time.UTC()
		e.pos.last[p.Unit] = p
		e.pos.index.Update(p.Unit, p.Lat, p.Lon)
	}
	return nil
}

// Position returns the last known position of unit.
func (e *Engine) Position(unit string) (dispatch.Position, bool) {
	e.posMu.RLock()
	defer e.posMu.RUnlock()
	p, ok := e.pos.last[unit]
	return p, ok
}

// NearestUnits returns the positions of the k units nearest lat, lon by
// straight line that filter accepts, nearest first. filter runs under the
// index's lock: it must not update positions.
func (e *Engine) NearestUnits(lat, lon float64, k int, filter func(unit string) bool) []dispatch.Position {
	ns := e.pos.index.Nearest(lat, lon, k, filter)
	e.posMu.RLock()
	defer e.posMu.RUnlock()
	out := make([]dispatch.Position, 0, len(ns))
	for _, n := range ns {
		if p, ok := e.pos.last[n.ID]; ok {
			out = append(out, p)
		}
	}
	return out
}
