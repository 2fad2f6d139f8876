package dispatch_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// timerOffsets are the moments after a decision at which the equivalence
// tests ask both checks: at once, around the default alerts (a minute, 20
// minutes), past every answer deadline, and past every directive.
var timerOffsets = []time.Duration{0, time.Second, 9 * time.Second, 59 * time.Second, time.Minute, 61 * time.Second,
	5 * time.Minute, 20 * time.Minute, 21 * time.Minute, 2 * time.Hour, 9 * 24 * time.Hour}

// requeuedUrgent counts, among the events applied, an urgent incident put
// back in the queue before its alert.
const requeuedUrgent = "requeued urgent"

// timerRun is one random history: the live state, and the state replayed
// from the log's encoding of its events.
type timerRun struct {
	t              *testing.T
	seq            int
	g              mutualAidGen
	live, replayed *dispatch.State
	now            time.Time
	checks, fired  int
	kinds          map[string]int
}

// apply applies evs to both states.
func (a *timerRun) apply(evs []dispatch.Event) {
	a.t.Helper()
	for _, e := range evs {
		if err := a.live.Apply(e); err != nil {
			a.t.Fatalf("sequence %d: Apply(%s) = %v", a.seq, e.Type, err)
		}
		if err := a.replayed.Apply(roundTripEvent(a.t, e)); err != nil {
			a.t.Fatalf("sequence %d: replayed Apply(%s) = %v", a.seq, e.Type, err)
		}
		a.kinds[e.Type]++
		// An urgent incident back in the queue, not yet alerted, is what
		// a pre-emption or a cancellation must put back in the index.
		var requeued string
		switch d := e.Data.(type) {
		case *dispatch.UnitPreempted:
			requeued = d.Incident
		case *dispatch.UnitCancelled:
			requeued = d.Incident
		}
		if in := a.live.Incidents[requeued]; in != nil && in.Status == dispatch.IncidentPending && in.Priority <= 1 && !in.PendingAlerted {
			a.kinds[requeuedUrgent]++
		}
	}
}

// agree checks that CheckTimers decides what the reference scan decides,
// at now and at each of timerOffsets after it, on the live state.
func (a *timerRun) agree(what string) {
	a.t.Helper()
	sys := dispatch.Actor{System: "timers"}
	for _, off := range timerOffsets {
		at := a.now.Add(off)
		got, err := dispatch.CheckTimers{}.Decide(a.live, sys, at)
		if err != nil {
			a.t.Fatalf("sequence %d %s: CheckTimers at %v = %v", a.seq, what, at, err)
		}
		want := dispatch.ReferenceCheckTimers(a.live, sys, at)
		if !reflect.DeepEqual(got, want) {
			a.t.Fatalf("sequence %d %s: CheckTimers at %v (+%v) decided\n%s\nthe reference scan\n%s",
				a.seq, what, at, off, describe(got), describe(want))
		}
		a.checks++
		a.fired += len(got)
	}
	// The decisions that look only through the open sets see what a
	// scan of every record sees.
	// Two agencies at each check, in turn, not drawn from the generator
	// (which would change the histories).
	for _, ag := range []string{mutualAidAgencies[a.checks%4], mutualAidAgencies[(a.checks+1)%4]} {
		for _, loc := range []dispatch.Location{kedzie, nearKedzie, elsewhere, district9, addressed} {
			for _, off := range []time.Duration{0, time.Hour} {
				got := dispatch.ReferenceDirectivesAt(a.live, ag, loc, "", a.now.Add(off))
				if want := a.live.DirectivesAt(ag, loc, "", a.now.Add(off)); !reflect.DeepEqual(got, want) {
					a.t.Fatalf("sequence %d %s: DirectivesAt(%s, %s, +%v) = %d directives, the scan %d", a.seq, what, ag, loc.Text, off, len(got), len(want))
				}
			}
		}
	}
	var open []string
	for _, r := range a.live.RequestList("") {
		if r.Status != dispatch.RequestClosed {
			open = append(open, r.ID)
		}
	}
	slices.Sort(open)
	// A record gone from the state (archive) may still be named; it is
	// looked up and skipped.
	got := slices.DeleteFunc(dispatch.OpenRequests(a.live), func(id string) bool { return a.live.Requests[id] == nil })
	if !slices.Equal(got, open) {
		a.t.Fatalf("sequence %d %s: open requests %v, want %v", a.seq, what, got, open)
	}
}

func describe(evs []dispatch.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %s %v %+v\n", e.Type, e.Subject, e.Data)
	}
	return b.String()
}

// archive takes closed records out of the live state, as archiving them
// does: none of them was in the index, so the index is still the one its
// records give, and decides as the scan does. Then it takes open records out
// too, which nothing does today: the index still names them, and a lookup
// of a missing record must be a no-op.
func (a *timerRun) archive() {
	a.t.Helper()
	s := a.live
	for id, in := range s.Incidents {
		if in.Status == dispatch.IncidentClosed {
			delete(s.Incidents, id)
		}
	}
	for id, r := range s.Requests {
		if r.Status == dispatch.RequestClosed {
			delete(s.Requests, id)
		}
	}
	for id, d := range s.Directives {
		if d.Status != dispatch.DirectiveInForce {
			delete(s.Directives, id)
		}
	}
	before := dispatch.TimerIndexLen(s)
	if !dispatch.RebuildTimerIndex(s) {
		a.t.Fatalf("sequence %d: closed records taken out of the state changed the timer index", a.seq)
	}
	a.agree("with closed records archived")
	for id := range s.Incidents {
		if a.g.pick(2) == 0 {
			delete(s.Incidents, id)
		}
	}
	for id := range s.Requests {
		if a.g.pick(2) == 0 {
			delete(s.Requests, id)
		}
	}
	a.agree("with open records gone")
	if dispatch.TimerIndexLen(s) != before {
		a.t.Fatalf("sequence %d: a check changed the timer index", a.seq)
	}
}

// timerCommand returns a command that moves a timer: an urgent call (now
// and then received earlier, or entered late), new timers for an agency,
// a merge, a pre-empting dispatch, a unit on scene entered late. Most are
// meant to be accepted; some are not.
func (g mutualAidGen) timerCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	ag := g.agency()
	sup := dispatch.Actor{User: ag + "-sup", Agency: ag, Role: dispatch.RoleSupervisor}
	ins := s.IncidentList(ag)
	switch g.pick(11) {
	case 0, 1:
		p := pickOf(g, 0, 0, 1, 1, 1, 2, 3)
		c := dispatch.CreateIncident{Agency: ag, Type: "THEFT", Priority: &p, Location: g.location()}
		if g.pick(3) == 0 {
			c.Received = ptr(now.Add(-time.Duration(g.r.Int64N(int64(dispatch.MaxCallAge)))))
		}
		if g.pick(4) == 0 {
			return dispatch.LateEntry{Command: c, Claimed: now.Add(-time.Duration(g.r.Int64N(int64(3 * time.Hour)))), Reason: "outage"}, sup
		}
		return c, g.actor(ag, dispatch.RoleCallTaker)
	case 2:
		return dispatch.SetAgencyTimers{Agency: ag, Timers: dispatch.Timers{
			PendingAlertSeconds: pickOf(g, 10, 30, 60, 600), SafetyCheckSeconds: pickOf(g, 60, 60, 300, 1200, 3600)}}, sup
	case 3:
		if len(ins) < 2 {
			break
		}
		return dispatch.MergeIncident{Incident: pickOf(g, ins...).ID, Into: pickOf(g, ins...).ID, Reason: "same call"}, sup
	case 4, 5:
		if len(ins) == 0 {
			break
		}
		in := pickOf(g, ins[:min(len(ins), 4)]...)
		return dispatch.DispatchUnits{Incident: in.ID, Units: g.units(s, ag), Preempt: true}, sup
	case 7, 8, 9:
		// A unit on its way, on to the scene; or called back from an
		// urgent incident before its alert; or pre-empted by an
		// incident more urgent than its own.
		for _, u := range s.UnitList(ag) {
			cur := s.Incidents[u.Incident]
			if cur == nil || (u.Status != dispatch.StatusDispatched && u.Status != dispatch.StatusEnRoute) || g.pick(4) == 0 {
				continue
			}
			if cur.Priority <= 1 && !cur.PendingAlerted && g.pick(2) == 0 {
				return dispatch.CancelUnit{Unit: u.ID, Reason: "needed elsewhere"}, sup
			}
			for _, in := range ins {
				if in.Status != dispatch.IncidentClosed && in.Priority < cur.Priority && g.pick(2) == 0 {
					return dispatch.DispatchUnits{Incident: in.ID, Units: []string{u.ID}, Preempt: true}, sup
				}
			}
			next := dispatch.StatusEnRoute
			if u.Status == dispatch.StatusEnRoute {
				next = dispatch.StatusOnScene
			}
			return dispatch.SetUnitStatus{Unit: u.ID, Status: next}, dispatch.Actor{User: ag + "-disp", Agency: ag, Role: dispatch.RoleDispatcher}
		}
		for _, d := range s.DirectiveList(ag) {
			if d.Status == dispatch.DirectiveInForce {
				return dispatch.RevokeDirective{Directive: d.ID, Reason: "over"}, sup
			}
		}
	case 6:
		us := s.UnitList(ag)
		if len(us) == 0 {
			break
		}
		u := pickOf(g, us...)
		st := dispatch.StatusOnScene
		if next := u.NextStatuses(); len(next) > 0 && g.pick(2) == 0 {
			st = pickOf(g, next...)
		}
		return dispatch.LateEntry{Command: dispatch.SetUnitStatus{Unit: u.ID, Status: st},
			Claimed: now.Add(-time.Duration(g.r.Int64N(int64(30 * time.Minute)))), Reason: "radio log"}, sup
	}
	return g.command(s, now)
}

// TestCheckTimersMatchesScan runs random histories of incidents, units,
// timers, directives and assistance requests (the mutual-aid property
// test's generator, with commands that move timers), with a simulated clock
// ticking the timers now and then, and checks after every decision that
// CheckTimers, which looks only at the timer index, decides exactly what a
// scan of every record decides (ReferenceCheckTimers, the algorithm it
// replaced): the same events, in the same order, with the same data. At
// the end of each history the replayed state equals the live one, index
// included, and an index rebuilt from the records equals both.
func TestCheckTimersMatchesScan(t *testing.T) {
	sequences, commands := 400, 60
	if testing.Short() {
		sequences = 100
	}
	kinds := map[string]int{}
	checks, fired := 0, 0
	for seq := range sequences {
		g := mutualAidGen{rand.New(rand.NewPCG(uint64(seq), 15))}
		a := &timerRun{t: t, seq: seq, g: g, live: dispatch.NewState(), replayed: dispatch.NewState(),
			now: time.Date(2026, 12, 31, 23, 50, 0, 0, time.UTC), kinds: kinds}
		for _, c := range g.world() {
			// Some plans are meant to be refused.
			if evs, err := c.Decide(a.live, dispatch.Actor{System: "bootstrap"}, a.now); err == nil {
				a.apply(evs)
			}
		}
		for i := range commands {
			step := time.Duration(g.r.Int64N(int64(20 * time.Second)))
			if g.pick(6) == 0 {
				step = time.Duration(g.r.Int64N(int64(30 * time.Minute)))
			}
			a.now = a.now.Add(step)
			// The timers tick now and then, as the sequencer ticks them,
			// so that alerts are raised, requests escalate, and directives
			// expire; in between, work piles up due.
			if g.pick(3) == 0 {
				evs, err := dispatch.CheckTimers{}.Decide(a.live, dispatch.Actor{System: "timers"}, a.now)
				if err != nil {
					t.Fatalf("sequence %d: tick = %v", seq, err)
				}
				a.apply(evs)
			}
			cmd, actor := g.timerCommand(a.live, a.now)
			if g.pick(2) == 0 {
				cmd, actor = g.command(a.live, a.now)
			}
			if evs, err := cmd.Decide(a.live, actor, a.now); err == nil {
				a.apply(evs)
			}
			a.agree(fmt.Sprintf("after command %d (%T)", i, cmd))
		}
		if !reflect.DeepEqual(a.replayed, a.live) {
			t.Fatalf("sequence %d: state replayed from the events differs from the live state (index included)", seq)
		}
		// A state decoded from its snapshot (snapshot.go) rebuilds its
		// index from the records: it is the index Apply kept, and it
		// decides what the live state decides.
		decoded := *a
		decoded.live = a.live.Clone()
		if !reflect.DeepEqual(decoded.live, a.live) {
			t.Fatalf("sequence %d: the state decoded from its snapshot differs from the live state (index included)", seq)
		}
		decoded.agree("decoded from its snapshot")
		if !dispatch.RebuildTimerIndex(a.live) {
			t.Fatalf("sequence %d: the timer index rebuilt from the records differs from the one Apply kept", seq)
		}
		a.agree("with the index rebuilt")
		a.archive()
		checks, fired = checks+a.checks, fired+a.fired
	}
	t.Logf("%d sequences: %d checks agreed, %d events decided; events applied by type %v", sequences, checks, fired, kinds)
	// The histories must reach every kind of timer, or the test proves little.
	for _, typ := range []string{dispatch.TypeIncidentPending, dispatch.TypeSafetyCheck, dispatch.TypeDirectiveExpired,
		dispatch.TypeAssistEscalated, dispatch.TypeAgencyTimersSet, dispatch.TypeIncidentMerged, dispatch.TypeUnitPreempted,
		dispatch.TypeUnitCancelled, dispatch.TypeIncidentCleared, dispatch.TypeAssistClosed, dispatch.TypeDirectiveRevoked, requeuedUrgent} {
		if kinds[typ] < sequences/20 {
			t.Errorf("%s: %d over %d sequences, want at least %d: the generator is too weak", typ, kinds[typ], sequences, sequences/20)
		}
	}
}
