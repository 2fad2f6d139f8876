package dispatch

import (
	"maps"
	"reflect"
	"slices"
	"sort"
	"time"
)

// ReferenceCheckTimers is CheckTimers as it was before the timer index
// (timerindex.go): a scan of every incident, unit, directive and request
// the state holds, each kind sorted by id. The equivalence tests hold the
// index to it: CheckTimers must decide exactly what this decides.
func ReferenceCheckTimers(s *State, actor Actor, now time.Time) []Event {
	var evs []Event
	incidents := make([]*Incident, 0, len(s.Incidents))
	for _, in := range s.Incidents {
		incidents = append(incidents, in)
	}
	sort.Slice(incidents, func(i, j int) bool { return incidents[i].ID < incidents[j].ID })
	for _, in := range incidents {
		if in.Status != IncidentPending || in.Priority > 1 || in.PendingAlerted {
			continue
		}
		waited := now.Sub(in.Received)
		if waited < s.timers(in.Agency).pendingAlert() {
			continue
		}
		evs = append(evs, Event{
			Time: now, Type: TypeIncidentPending, Agency: in.Agency, Actor: actor,
			Subject: map[string]string{"incident": in.ID},
			Data:    &IncidentPendingAlert{Incident: in.ID, Priority: in.Priority, PendingSeconds: int(waited.Seconds())},
		})
	}
	for _, u := range s.UnitList("") {
		if u.Status != StatusOnScene || u.SafetyChecked.Equal(u.StatusSince) {
			continue
		}
		onScene := now.Sub(u.StatusSince)
		if onScene < s.timers(u.Agency).safetyCheck() {
			continue
		}
		evs = append(evs, Event{
			Time: now, Type: TypeSafetyCheck, Agency: u.Agency, Actor: actor,
			Subject: map[string]string{"unit": u.ID},
			Data:    &SafetyCheckAlert{Unit: u.ID, Incident: u.Incident, OnSceneSeconds: int(onScene.Seconds())},
		})
	}
	var expired []*Directive
	for _, d := range s.Directives {
		if d.Status == DirectiveInForce && !now.Before(d.Expires) {
			expired = append(expired, d)
		}
	}
	sortDirectives(expired)
	for _, d := range expired {
		evs = append(evs, Event{
			Time: now, Type: TypeDirectiveExpired, Agency: d.Agency, Actor: actor,
			Subject: map[string]string{"directive": d.ID},
			Data:    &DirectiveExpiry{Directive: d.ID, Expires: d.Expires},
		})
	}
	a := newAssistDecision(s, actor, now)
	var due []*AssistRequest
	for _, r := range s.Requests {
		if r.Status != RequestClosed && r.Deadline != nil && !now.Before(*r.Deadline) {
			due = append(due, r)
		}
	}
	sortRequests(due)
	for _, r := range due {
		a.escalate(a.get(r.ID), r.dueReason())
	}
	return append(evs, a.evs...)
}

// RebuildTimerIndex replaces s's timer index with one rebuilt from its
// records alone, as a state decoded from a snapshot gets, and reports
// whether it equals the index Apply kept.
func RebuildTimerIndex(s *State) bool {
	kept, open := s.timerIdx, s.open
	s.rebuildTimers()
	return reflect.DeepEqual(kept, s.timerIdx) && reflect.DeepEqual(open, s.open)
}

// ReferenceDirectivesAt is DirectivesAt as it was before the open sets: a
// scan of every directive ever issued.
func ReferenceDirectivesAt(s *State, agency string, loc Location, incident string, now time.Time) []*Directive {
	var out []*Directive
	for _, d := range s.Directives {
		if d.Agency == agency && d.InForce(now) && d.Covers(loc, incident) {
			out = append(out, d)
		}
	}
	sortDirectives(out)
	return out
}

// OpenRequests returns the ids of the requests s holds open, from its open
// set, sorted.
func OpenRequests(s *State) []string {
	return slices.Sorted(maps.Keys(s.open.requests))
}

// TimerIndexLen returns how many records s's timer index holds.
func TimerIndexLen(s *State) int { return len(s.timerIdx.byDue) }
