package dispatch

import (
	"reflect"
	"testing"
	"time"
)

// TestTimerIndexCopy checks that a clone's timer index and open sets, made
// by copyTimersTo, equal the original's and share nothing with them: a
// record opened on the clone is not due on the original.
func TestTimerIndexCopy(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s := NewState()
	sys := Actor{System: "test"}
	run := func(s *State, at time.Time, c Command) {
		t.Helper()
		actor := sys
		if _, ok := c.(IssueDirective); ok {
			actor = Actor{User: "sup", Agency: "metro", Role: RoleSupervisor}
		}
		evs, err := c.Decide(s, actor, at)
		if err != nil {
			t.Fatalf("%T.Decide = %v", c, err)
		}
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				t.Fatalf("Apply(%s) = %v", e.Type, err)
			}
		}
	}
	run(s, t0, CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	run(s, t0, CreateAgency{ID: "county", Name: "County", Kind: "sheriff"})
	p := 0
	run(s, t0, CreateIncident{Agency: "metro", Type: "THEFT", Priority: &p, Location: Location{Text: "1 Main St"}})
	run(s, t0, IssueDirective{Agency: "metro", Scope: Scope{Kind: ScopeIncident, Incident: "metro-2026-000001"}, Effect: "hold",
		Reason: "storm", Expires: t0.Add(time.Hour)})
	run(s, t0, RequestAssist{From: "metro", To: "county", Location: Location{Text: "1 Main St"}, Nature: "traffic", Urgency: UrgencyRoutine})

	c := &State{Agencies: s.Agencies, Units: s.Units, Incidents: s.Incidents, Users: s.Users, Requests: s.Requests,
		Directives: s.Directives, Premises: s.Premises, Published: s.Published, Messages: s.Messages, BOLOs: s.BOLOs,
		incidentSerial: s.incidentSerial, agencyTypes: s.agencyTypes, requestSerial: s.requestSerial, directiveSerial: s.directiveSerial}
	s.copyTimersTo(c)
	if !reflect.DeepEqual(c.timerIdx, s.timerIdx) || !reflect.DeepEqual(c.open, s.open) {
		t.Fatal("the copied timer index differs from the original")
	}
	if len(s.timerIdx.byDue) != 3 || len(s.open.directives) != 1 || len(s.open.requests) != 1 {
		t.Fatalf("timer index %+v, open %+v: want an incident, a directive and a request", s.timerIdx, s.open)
	}
	c.timerIdx.set(timerRef{timerPending, "metro-2026-999999"}, t0, true)
	c.timerIdx.set(timerRef{timerDirective, "metro-D-2026-000001"}, time.Time{}, false)
	mark(&c.open.requests, "metro-A-2026-999999", true)
	if len(s.timerIdx.byDue) != 3 || len(s.timerIdx.due) != 3 || len(s.open.requests) != 1 {
		t.Fatalf("a change to the copy changed the original: %+v, %+v", s.timerIdx, s.open)
	}
}
