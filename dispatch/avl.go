package dispatch

import (
	"slices"
	"time"
)

// TypePositionsSampled records where an agency's units were, at a sampled
// interval: positions are soft state, kept in memory (DESIGN.md, "Storage and
// scale"), and this is how their track still enters the log.
const TypePositionsSampled = "unit.positions_sampled"

// PositionsSampled is the payload of unit.positions_sampled.
type PositionsSampled struct {
	Positions []Position `json:"positions"`
}

// SamplePositions records the positions of units that moved since the last
// sample, one event per agency. tenfour issues it itself at an interval.
type SamplePositions struct {
	Positions []Position // the latest position of each unit that moved
}

// Decide implements Command.
func (c SamplePositions) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "positions are sampled by tenfour itself")
	}
	byAgency := map[string][]Position{}
	for _, p := range c.Positions {
		u, ok := s.Units[p.Unit]
		if !ok {
			continue // a unit the log does not know has no track in it
		}
		byAgency[u.Agency] = append(byAgency[u.Agency], p)
	}
	agencies := make([]string, 0, len(byAgency))
	for a := range byAgency {
		agencies = append(agencies, a)
	}
	slices.Sort(agencies)
	var evs []Event
	for _, a := range agencies {
		ps := byAgency[a]
		slices.SortFunc(ps, func(x, y Position) int {
			if x.Unit < y.Unit {
				return -1
			}
			if x.Unit > y.Unit {
				return 1
			}
			return 0
		})
		evs = append(evs, Event{
			Time: now, Type: TypePositionsSampled, Agency: a, Actor: actor,
			Data: &PositionsSampled{Positions: ps},
		})
	}
	return evs, nil
}
