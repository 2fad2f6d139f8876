package dispatch_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// mutualAidAgencies are the agencies of every generated world.
var mutualAidAgencies = []string{"federal", "metro", "sheriff", "state"}

// mutualAidGen makes random commands about mutual aid, and the commands they
// interact with, for a world of mutualAidAgencies. Most are meant to be accepted;
// many are not, so that the rules are exercised both ways.
type mutualAidGen struct{ r *rand.Rand }

func (g mutualAidGen) pick(n int) int { return g.r.IntN(n) }

func pickOf[T any](g mutualAidGen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

func (g mutualAidGen) agency() string { return pickOf(g, mutualAidAgencies...) }

// actor returns mostly a user of agency in a role that may act, sometimes
// anyone: the wrong role, the wrong agency, tenfour itself, a supervisor
// with no name.
func (g mutualAidGen) actor(agency string, roles ...string) dispatch.Actor {
	if g.pick(5) > 0 && len(roles) > 0 {
		role := pickOf(g, roles...)
		return dispatch.Actor{User: fmt.Sprintf("%s-%s%d", agency, role, g.pick(2)), Agency: agency, Role: role}
	}
	switch g.pick(6) {
	case 0:
		return dispatch.Actor{System: "sim"}
	case 1:
		return dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}
	case 2:
		return dispatch.Actor{Agency: agency, Role: dispatch.RoleSupervisor} // no name
	case 3:
		return dispatch.Actor{System: "partner", Agency: agency, Role: dispatch.RoleSupervisor}
	}
	a := g.agency()
	return dispatch.Actor{User: a + "-x", Agency: a, Role: pickOf(g, dispatch.Roles...)}
}

var (
	nearKedzie = dispatch.Location{Text: "3900 S Kedzie", Lat: ptr(41.8254), Lon: ptr(-87.7052)}
	district9  = dispatch.Location{Text: "4100 S Pulaski", Lat: ptr(41.817), Lon: ptr(-87.724), District: "009"}
	addressed  = dispatch.Location{Text: "1 Main St"}
)

func (g mutualAidGen) location() dispatch.Location {
	return cloneLoc(pickOf(g, kedzie, kedzie, nearKedzie, elsewhere, district9, addressed))
}

func cloneLoc(l dispatch.Location) dispatch.Location {
	if l.Lat != nil {
		l.Lat, l.Lon = ptr(*l.Lat), ptr(*l.Lon)
	}
	return l
}

func (g mutualAidGen) plan() dispatch.MutualAidPlan {
	others := slices.Clone(mutualAidAgencies)
	g.r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	var p dispatch.MutualAidPlan
	for len(others) > 0 {
		n := 1 + g.pick(min(2, len(others)))
		p.Levels = append(p.Levels, dispatch.AlarmLevel{Agencies: others[:n]})
		others = others[n:]
	}
	if g.pick(3) == 0 {
		p.Emergency.AcknowledgeSeconds = pickOf(g, 10, 20, 45, 200) // 200: refused
		p.Emergency.DecideSeconds = pickOf(g, 0, 15, 120)
	}
	return p
}

// withoutSelf returns p without agency, as a valid plan names only
// partners; now and then it is left in, to be refused.
func (g mutualAidGen) withoutSelf(p dispatch.MutualAidPlan, agency string) dispatch.MutualAidPlan {
	if g.pick(10) == 0 {
		return p
	}
	var out dispatch.MutualAidPlan
	out.Emergency, out.Urgent, out.Routine = p.Emergency, p.Urgent, p.Routine
	for _, l := range p.Levels {
		var as []string
		for _, a := range l.Agencies {
			if a != agency {
				as = append(as, a)
			}
		}
		if len(as) > 0 {
			out.Levels = append(out.Levels, dispatch.AlarmLevel{Agencies: as})
		}
	}
	return out
}

// request returns a request of s, mostly one still waiting, often one
// held by a directive conflict.
func (g mutualAidGen) request(s *dispatch.State) *dispatch.AssistRequest {
	rs := s.RequestList("")
	if len(rs) == 0 {
		return nil
	}
	var waiting, held []*dispatch.AssistRequest
	for _, r := range rs {
		if r.Awaiting() {
			waiting = append(waiting, r)
		}
		if r.Held {
			held = append(held, r)
		}
	}
	if len(held) > 0 && g.pick(3) == 0 {
		return pickOf(g, held...)
	}
	if len(waiting) > 0 && g.pick(4) > 0 {
		return pickOf(g, waiting...)
	}
	return pickOf(g, rs...)
}

// asked returns an agency asked for r, mostly, or any.
func (g mutualAidGen) asked(r *dispatch.AssistRequest) string {
	if len(r.Asked) > 0 && g.pick(6) > 0 {
		return pickOf(g, r.Asked...).Agency
	}
	return g.agency()
}

// units returns units of agency, mostly AVAILABLE ones.
func (g mutualAidGen) units(s *dispatch.State, agency string) []string {
	var out []string
	for _, u := range s.UnitList(agency) {
		if (u.Status == dispatch.StatusAvailable && g.pick(3) > 0) || g.pick(8) == 0 {
			out = append(out, u.ID)
		}
	}
	if len(out) == 0 && g.pick(4) > 0 {
		us := s.UnitList("")
		out = append(out, pickOf(g, us...).ID)
	}
	return out
}

// etas returns drive times for some of units, as the engine measures them
// (a unit with no position has none).
func (g mutualAidGen) etas(units []string) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, u := range units {
		if g.pick(3) > 0 {
			out[u] = time.Duration(g.pick(900)) * time.Second
		}
	}
	return out
}

func (g mutualAidGen) override() string {
	return pickOf(g, "", "", "officer down, lives at risk", "traffic control only", " ")
}

func (g mutualAidGen) scope(s *dispatch.State, agency string) dispatch.Scope {
	switch g.pick(6) {
	case 0, 1:
		return dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: *kedzie.Lat, Lon: *kedzie.Lon, RadiusM: pickOf(g, 100.0, 500, 0)}}
	case 2:
		return dispatch.Scope{Kind: "agency"}
	case 3:
		return dispatch.Scope{Kind: "district", District: "009"}
	case 4:
		return dispatch.Scope{Kind: "polygon", Polygon: []dispatch.Point{{Lat: 41.82, Lon: -87.71}, {Lat: 41.82, Lon: -87.70}, {Lat: 41.83, Lon: -87.70}}}
	}
	for _, in := range s.IncidentList(agency) {
		return dispatch.Scope{Kind: "incident", Incident: in.ID}
	}
	return dispatch.Scope{Kind: "incident", Incident: "none"}
}

// command returns a random command and who gives it.
func (g mutualAidGen) command(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	answerers := []string{dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleLiaison}
	for _, r := range s.RequestList("") {
		if r.Held && g.pick(3) == 0 {
			return g.answerHeld(s, r)
		}
	}
	n := g.pick(100)
	switch {
	case n < 10:
		from := g.agency()
		to := pickOf(g, g.agency(), g.agency(), "", from, "navy")
		return dispatch.RequestAssist{From: from, To: to, Location: g.location(), Nature: pickOf(g, "boxed in", "traffic", "", "crowd"),
			Urgency: pickOf(g, "EMERGENCY", "EMERGENCY", "EMERGENCY", "URGENT", "ROUTINE", "urgent")}, g.actor(from, dispatch.RoleOfficer, dispatch.RoleDispatcher, dispatch.RoleLiaison)
	case n < 26:
		us := s.UnitList("")
		u := pickOf(g, us...)
		for _, o := range us {
			if o.Request != "" && g.pick(2) == 0 {
				u = o // help on its way, to arrive
				break
			}
		}
		st := pickOf(g, dispatch.UnitStatuses...)
		if next := u.NextStatuses(); len(next) > 0 && g.pick(4) > 0 {
			st = pickOf(g, next...)
		}
		if g.pick(3) == 0 && slices.Contains(u.NextStatuses(), dispatch.StatusEmergency) {
			st = dispatch.StatusEmergency
		}
		c := dispatch.SetUnitStatus{Unit: u.ID, Status: st, Reason: pickOf(g, "", "officer safe", "false alarm")}
		if g.pick(2) == 0 {
			l := g.location()
			c.Lat, c.Lon = l.Lat, l.Lon
		}
		if u.Status == dispatch.StatusEmergency && g.pick(2) == 0 {
			// Mostly its presser or a supervisor ends an EMERGENCY.
			if g.pick(2) == 0 {
				return c, dispatch.Actor{User: u.EmergencyBy, Agency: u.Agency, Role: dispatch.RoleOfficer}
			}
			return c, g.actor(u.Agency, dispatch.RoleSupervisor)
		}
		return c, g.actor(u.Agency, dispatch.RoleOfficer, dispatch.RoleDispatcher)
	case n < 30:
		// Calling back a unit on its way, mostly one helping on a request.
		us := s.UnitList("")
		u := pickOf(g, us...)
		for _, o := range us {
			if o.Request != "" && (o.Status == dispatch.StatusDispatched || o.Status == dispatch.StatusEnRoute) && g.pick(3) > 0 {
				u = o
				break
			}
		}
		return dispatch.CancelUnit{Unit: u.ID, Reason: pickOf(g, "needed elsewhere", "needed elsewhere", "", "hold order")},
			g.actor(u.Agency, dispatch.RoleSupervisor, dispatch.RoleDispatcher)
	case n < 38:
		r := g.request(s)
		if r == nil {
			break
		}
		ag := g.asked(r)
		return dispatch.AcknowledgeAssist{Request: r.ID, Agency: pickOf(g, ag, ag, "")}, g.actor(ag, answerers...)
	case n < 48:
		r := g.request(s)
		if r == nil {
			break
		}
		ag := g.asked(r)
		units := g.units(s, ag)
		c := dispatch.AcceptAssist{Request: r.ID, Agency: ag, Units: units, Override: g.override(), ETAs: g.etas(units)}
		if c.Override != "" {
			return c, g.actor(ag, dispatch.RoleSupervisor)
		}
		return c, g.actor(ag, answerers...)
	case n < 60:
		r := g.request(s)
		if r == nil {
			break
		}
		ag := g.asked(r)
		return dispatch.DeclineAssist{Request: r.ID, Agency: pickOf(g, ag, ag, ""), Reason: pickOf(g, "no units free", "hold order in force", "", "  ", "x\x00")},
			g.actor(ag, dispatch.RoleSupervisor, dispatch.RoleSupervisor, dispatch.RoleDispatcher)
	case n < 64:
		r := g.request(s)
		if r == nil {
			break
		}
		return dispatch.CloseAssist{Request: r.ID, Disposition: pickOf(g, "team out", "", "cancelled")}, g.actor(r.From, dispatch.RoleDispatcher, dispatch.RoleOfficer)
	case n < 72:
		ag := g.agency()
		effect := pickOf(g, "hold", "hold", "clear", "restrict", "stop")
		restrict := ""
		if effect == "restrict" || g.pick(10) == 0 {
			restrict = pickOf(g, "traffic-control", "traffic", "")
		}
		return dispatch.IssueDirective{Agency: ag, Scope: g.scope(s, ag), Effect: effect, Restrict: restrict,
			Reason:  pickOf(g, "crowd control", "", "storm"),
			Expires: now.Add(pickOf(g, time.Minute, 10*time.Minute, 2*time.Hour, 2*time.Hour, 0, 8*24*time.Hour))}, g.actor(ag, dispatch.RoleSupervisor)
	case n < 75:
		ds := s.DirectiveList("")
		if len(ds) == 0 {
			break
		}
		d := pickOf(g, ds...)
		return dispatch.RevokeDirective{Directive: d.ID, Reason: pickOf(g, "over", "")}, g.actor(d.Agency, dispatch.RoleSupervisor)
	case n < 78:
		ag := g.agency()
		return dispatch.SetMutualAidPlan{Agency: ag, Plan: g.withoutSelf(g.plan(), ag)}, g.actor(ag, dispatch.RoleSupervisor, dispatch.RoleAdmin)
	case n < 83:
		ag := g.agency()
		return dispatch.CreateIncident{Agency: ag, Type: pickOf(g, "THEFT", "SHOOTING"), Location: g.location()}, g.actor(ag, dispatch.RoleCallTaker)
	case n < 92:
		ins := s.IncidentList("")
		if len(ins) == 0 {
			break
		}
		in := pickOf(g, ins[:min(len(ins), 4)]...)
		c := dispatch.DispatchUnits{Incident: in.ID, Units: g.units(s, in.Agency), Override: g.override()}
		if c.Override != "" {
			return c, g.actor(in.Agency, dispatch.RoleSupervisor)
		}
		return c, g.actor(in.Agency, dispatch.RoleDispatcher, dispatch.RoleSupervisor)
	case n < 95:
		ins := s.IncidentList("")
		if len(ins) == 0 {
			break
		}
		in := pickOf(g, ins...)
		return dispatch.ClearIncident{Incident: in.ID, Disposition: "report taken"}, g.actor(in.Agency, dispatch.RoleDispatcher)
	}
	// Timers, asked for by someone who may not ask, or by tenfour at a
	// moment of no deadline.
	return dispatch.CheckTimers{}, pickOf(g, dispatch.Actor{System: "timers"}, dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleSupervisor})
}

// answerHeld returns an answer to r, held by a directive conflict, while
// there is time: an acknowledgement, which must not stop the clock, or an
// acceptance, mostly by an agency under the order, whose supervisor
// overrides it (or not, or a dispatcher tries to).
func (g mutualAidGen) answerHeld(s *dispatch.State, r *dispatch.AssistRequest) (dispatch.Command, dispatch.Actor) {
	ag := g.asked(r)
	if g.pick(3) == 0 {
		return dispatch.AcknowledgeAssist{Request: r.ID, Agency: ag}, g.actor(ag, dispatch.RoleDispatcher, dispatch.RoleLiaison, dispatch.RoleSupervisor)
	}
	for _, ans := range r.Asked {
		if len(ans.Conflicts) > 0 && g.pick(4) > 0 {
			ag = ans.Agency
		}
	}
	units := g.units(s, ag)
	c := dispatch.AcceptAssist{Request: r.ID, Agency: ag, Units: units, ETAs: g.etas(units),
		Override: pickOf(g, "officer down, lives at risk", "traffic control only", "officer down, lives at risk", "")}
	return c, g.actor(ag, dispatch.RoleSupervisor, dispatch.RoleSupervisor, dispatch.RoleSupervisor, dispatch.RoleDispatcher)
}

// mutualAidWorld is the start of every generated sequence.
func (g mutualAidGen) world() []dispatch.Command {
	cmds := []dispatch.Command{}
	for _, a := range mutualAidAgencies {
		cmds = append(cmds, dispatch.CreateAgency{ID: a, Name: strings.ToUpper(a), Kind: "sheriff"})
	}
	cmds = append(cmds,
		dispatch.CreateUnit{CallSign: "F1", Agency: "federal", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "F2", Agency: "federal", Kind: "tactical"},
		dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "T7", Agency: "metro", Kind: "patrol", Capabilities: []string{"traffic-control"}},
		dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "S2", Agency: "sheriff", Kind: "traffic"},
		dispatch.CreateUnit{CallSign: "P1", Agency: "state", Kind: "patrol"},
	)
	for _, a := range mutualAidAgencies {
		if a == "federal" || g.pick(2) == 0 {
			cmds = append(cmds, dispatch.SetMutualAidPlan{Agency: a, Plan: g.withoutSelf(g.plan(), a)})
		}
	}
	return cmds
}

// mutualAidStats counts what the property test saw, to prove it saw enough.
type mutualAidStats struct {
	events              map[string]int
	archived            map[string]int // records archived, by kind
	refused             int
	deadlinesMet        int // EMERGENCY requests escalated at their deadline
	emergencyConflicts  int
	conflictsEscalated  int // EMERGENCY requests held by a conflict, escalated by their deadline
	conflictsAccepted   int // EMERGENCY requests held by a conflict, accepted before their deadline
	heldAcks            int // acknowledgements of held requests, which left the deadline
	overriddenAccepts   int // acceptances of units a directive blocks, with their override
	declinesRefused     int // declines by a non-supervisor or with no reason, refused
	exhausted           int
	noArrival           int // requests escalated as no unit sent was on scene by the arrival deadline
	unitLeft            int // units that left a request before its release, each recorded
	leftEscalated       int // requests escalated as nobody came instead of units that left
	cancelled           int // units called back on their way
	emergencyEnds       int // EMERGENCY statuses ended, by their presser or a supervisor
	emergencyEndsDenied int // attempts by others, refused
}

// mutualAidRun is one generated sequence: the live state, the state replayed
// from the log's encoding of its events, and the invariants' checks.
type mutualAidRun struct {
	t        testing.TB
	seq      int
	live     *dispatch.State
	replayed *dispatch.State
	stats    *mutualAidStats
	now      time.Time
	// held is the test's own model of directive conflicts: each request
	// an assist.conflict was shown on, with the deadline it then had (as
	// the events set it), by which it must escalate or be accepted (or be
	// closed by its requester).
	held map[string]time.Time
}

// roundTripEvent sends e through the log's encoding: the payload as JSON,
// decoded by type; the time in UTC; the actor without its role list.
func roundTripEvent(tb testing.TB, e dispatch.Event) dispatch.Event {
	tb.Helper()
	b, err := json.Marshal(e.Data)
	if err != nil {
		tb.Fatalf("encode %s: %v", e.Type, err)
	}
	data, err := dispatch.DecodeData(e.Type, b)
	if err != nil {
		tb.Fatalf("DecodeData(%s, %s) = %v", e.Type, b, err)
	}
	return dispatch.Event{Time: e.Time.UTC(), Type: e.Type, Agency: e.Agency,
		Actor:   dispatch.Actor{User: e.Actor.User, Agency: e.Actor.Agency, Role: e.Actor.Role, System: e.Actor.System},
		Subject: maps.Clone(e.Subject), Data: data, Private: maps.Clone(e.Private)}
}

// decide decides cmd for actor at the run's clock, checks the invariants
// on its events, and applies them to both states.
func (a *mutualAidRun) decide(actor dispatch.Actor, cmd dispatch.Command) []dispatch.Event {
	t, s, now := a.t, a.live, a.now
	// The directive rule: a request held by a conflict escalates (or is
	// accepted) by the deadline it had when the conflict was shown.
	for id, dl := range a.held {
		if now.After(dl) {
			t.Fatalf("sequence %d at %v: request %s held by a directive conflict passed its deadline %v without escalation or acceptance", a.seq, now, id, dl)
		}
	}
	// Invariant 3, first half: every request waiting past its deadline
	// escalates at the tick of that deadline, and no other decision ever
	// finds one waiting past it (the clock ticks at every deadline).
	var due []string
	waitedFor := map[string]string{} // request → what its deadline waited for
	helping := map[string][]dispatch.HelpingUnit{}
	for _, r := range s.Requests {
		waitedFor[r.ID] = r.WaitingFor
		helping[r.ID] = slices.Clone(r.Helping)
		if r.Status != dispatch.RequestClosed && r.Deadline != nil && !r.Deadline.After(now) {
			due = append(due, r.ID)
		}
	}
	emergencyOf := map[string]string{} // unit in EMERGENCY → who pressed it
	for _, u := range s.Units {
		if u.Status == dispatch.StatusEmergency {
			emergencyOf[u.ID] = u.EmergencyBy
		}
	}
	_, tick := cmd.(dispatch.CheckTimers)
	tick = tick && actor.IsSystem()
	if len(due) > 0 && !tick {
		t.Fatalf("sequence %d at %v: requests %v passed their deadline with no tick", a.seq, now, due)
	}
	before := map[string]string{}      // request → status before the decision
	waitingOn := map[string][]string{} // waiting request → agencies yet to decide
	for id, r := range s.Requests {
		before[id] = r.Status
		if !r.Awaiting() {
			continue
		}
		for _, ans := range r.Asked {
			if ans.Answer == dispatch.AnswerAsked || ans.Answer == dispatch.AnswerAcknowledged {
				waitingOn[id] = append(waitingOn[id], ans.Agency)
			}
		}
	}
	evs, err := cmd.Decide(s, actor, now)
	if err != nil {
		var de *dispatch.Error
		if !errors.As(err, &de) || de.Code == dispatch.EINTERNAL {
			t.Fatalf("sequence %d: %#v.Decide = %v (%T), want a domain error", a.seq, cmd, err, err)
		}
		if tick {
			t.Fatalf("sequence %d: CheckTimers by tenfour refused: %v", a.seq, err)
		}
		a.stats.refused++
		if c, ok := cmd.(dispatch.DeclineAssist); ok && !validDecline(c, actor) {
			a.stats.declinesRefused++
		}
		if c, ok := cmd.(dispatch.SetUnitStatus); ok {
			if by, in := emergencyOf[c.Unit]; in && !mayEnd(actor, s.Units[c.Unit].Agency, by) {
				a.stats.emergencyEndsDenied++
			}
		}
		return nil
	}
	// Ending an EMERGENCY: its presser or a supervisor, with a reason.
	if c, ok := cmd.(dispatch.SetUnitStatus); ok {
		if by, in := emergencyOf[c.Unit]; in {
			if !mayEnd(actor, s.Units[c.Unit].Agency, by) || strings.TrimSpace(c.Reason) == "" {
				t.Fatalf("sequence %d: %+v ended the EMERGENCY of %s (pressed by %q) with reason %q", a.seq, actor, c.Unit, by, c.Reason)
			}
			a.stats.emergencyEnds++
		}
	}
	if c, ok := cmd.(dispatch.CloseAssist); ok {
		if r := s.Requests[c.Request]; r.Urgency == dispatch.UrgencyEmergency && !mayEnd(actor, r.From, r.User) {
			t.Fatalf("sequence %d: %+v closed EMERGENCY request %s raised by %q", a.seq, actor, r.ID, r.User)
		}
	}
	if c, ok := cmd.(dispatch.DeclineAssist); ok && !validDecline(c, actor) {
		t.Fatalf("sequence %d: %#v by %+v accepted, want refused: a decline needs a named supervisor of the agency and a reason", a.seq, c, actor)
	}
	escalated := map[string]bool{}
	heldBefore := maps.Clone(a.held)
	deadlines := map[string]time.Time{} // set by this decision's events so far
	_, declining := cmd.(dispatch.DeclineAssist)
	for i, e := range evs {
		a.stats.events[e.Type]++
		switch d := e.Data.(type) {
		case *dispatch.AssistEscalated:
			escalated[d.Request] = true
			if d.Exhausted {
				a.stats.exhausted++
			}
			switch d.Reason {
			case dispatch.EscalateNoArrival:
				a.stats.noArrival++
			case dispatch.EscalateUnitLeft:
				a.stats.leftEscalated++
			}
			a.checkDeadline(e, d.FromAgency, d.Urgency, d.Deadline, false)
			deadlines[d.Request] = d.Deadline
			// A request escalates at a deadline, for the conflict that
			// held it or for want of an answer, or on a decline: never
			// at once on a conflict.
			_, wasHeld := heldBefore[d.Request]
			waited := waitedFor[d.Request]
			switch {
			case tick && wasHeld && d.Reason != dispatch.EscalateConflict:
				t.Fatalf("sequence %d: request %s held by a conflict escalated at its deadline for %s, want %s", a.seq, d.Request, d.Reason, dispatch.EscalateConflict)
			case tick && !wasHeld && waited == dispatch.WaitArrival && d.Reason != dispatch.EscalateNoArrival:
				t.Fatalf("sequence %d: request %s waiting for its units to arrive escalated at its deadline for %s", a.seq, d.Request, d.Reason)
			case tick && !wasHeld && waited == dispatch.WaitHelp && d.Reason != dispatch.EscalateUnitLeft:
				t.Fatalf("sequence %d: request %s left by its units escalated at its deadline for %s", a.seq, d.Request, d.Reason)
			case tick && !wasHeld && waited == dispatch.WaitAnswer && d.Reason != dispatch.EscalateNoAcknowledgement && d.Reason != dispatch.EscalateNoDecision:
				t.Fatalf("sequence %d: request %s, not held, escalated at its deadline for %s", a.seq, d.Request, d.Reason)
			case declining && d.Reason != dispatch.EscalateDeclined:
				t.Fatalf("sequence %d: request %s escalated on a decline for %s", a.seq, d.Request, d.Reason)
			case !tick && !declining:
				t.Fatalf("sequence %d: request %s escalated (%s) by %T, neither at a deadline nor on a decline: %q", a.seq, d.Request, d.Reason, cmd, kinds(evs))
			}
			if _, ok := a.held[d.Request]; ok {
				if d.Urgency == dispatch.UrgencyEmergency {
					a.stats.conflictsEscalated++
				}
				delete(a.held, d.Request)
			}
		case *dispatch.AssistRequested:
			a.checkDeadline(e, d.FromAgency, d.Urgency, d.Deadline, false)
			deadlines[d.Request] = d.Deadline
		case *dispatch.AssistAcknowledged:
			// An acknowledgement does not stop the clock of a held
			// request: its deadline stays.
			dl, isHeld := a.held[d.Request]
			switch {
			case isHeld && (!d.Held || d.Deadline == nil || !d.Deadline.Equal(dl)):
				t.Fatalf("sequence %d: %s acknowledged request %s, held to %v, with deadline %v (held %v), want the deadline kept", a.seq, d.ToAgency, d.Request, dl, d.Deadline, d.Held)
			case isHeld:
				a.stats.heldAcks++
			case d.Held:
				t.Fatalf("sequence %d: %s acknowledged request %s as held, but no conflict holds it", a.seq, d.ToAgency, d.Request)
			case d.Deadline != nil:
				a.checkDeadline(e, d.FromAgency, d.Urgency, *d.Deadline, true)
			}
		case *dispatch.AssistAccepted:
			a.checkOverrides(d, evs)
			a.checkArrival(e, d, cmd.(dispatch.AcceptAssist))
			if _, ok := a.held[d.Request]; ok {
				if d.Urgency == dispatch.UrgencyEmergency {
					a.stats.conflictsAccepted++
				}
				delete(a.held, d.Request)
			}
		case *dispatch.AssistClosed:
			// Its requester ended it: there is nothing left to escalate.
			delete(a.held, d.Request)
		case *dispatch.AssistUnitLeft:
			a.stats.unitLeft++
			if d.How == dispatch.LeftCancelled {
				a.stats.cancelled++
				if !e.Actor.IsSystem() && (e.Actor.Role != dispatch.RoleSupervisor || e.Actor.User == "") {
					t.Fatalf("sequence %d: unit %s helping on %s cancelled by %+v, not a supervisor", a.seq, d.Unit, d.Request, e.Actor)
				}
			}
		case *dispatch.AssistDeclined:
			// Invariant 3, second half, on what was recorded.
			if e.Actor.IsSystem() || e.Actor.User == "" || e.Actor.Role != dispatch.RoleSupervisor || e.Actor.Agency != d.ToAgency || strings.TrimSpace(d.Reason) == "" {
				t.Fatalf("sequence %d: assist.declined by %+v for %s with reason %q", a.seq, e.Actor, d.ToAgency, d.Reason)
			}
			if st := before[d.Request]; (st == dispatch.RequestRequested || st == dispatch.RequestAcknowledged) && !hasEscalation(evs[i+1:], d.Request) {
				t.Fatalf("sequence %d: decline of waiting request %s did not escalate it: %q", a.seq, d.Request, kinds(evs))
			}
		case *dispatch.AssistConflict:
			if d.Urgency == dispatch.UrgencyEmergency {
				a.stats.emergencyConflicts++
			}
			// It holds the request to the deadline it has: the one this
			// decision set, if any, or the one it had before.
			dl, ok := deadlines[d.Request]
			if !ok {
				dl = *s.Requests[d.Request].Deadline
			}
			if _, ok := a.held[d.Request]; !ok {
				a.held[d.Request] = dl
			}
		}
	}
	for _, id := range due {
		if !escalated[id] {
			t.Fatalf("sequence %d at %v: request %s (%s) passed its deadline %v without assist.escalated: %q",
				a.seq, now, id, s.Requests[id].Urgency, s.Requests[id].Deadline, kinds(evs))
		}
		if s.Requests[id].Urgency == dispatch.UrgencyEmergency {
			a.stats.deadlinesMet++
		}
	}
	for _, e := range evs {
		if err := a.live.Apply(e); err != nil {
			t.Fatalf("sequence %d: Apply(decided %s %v) = %v", a.seq, e.Type, e.Subject, err)
		}
		if err := a.replayed.Apply(roundTripEvent(t, e)); err != nil {
			t.Fatalf("sequence %d: Apply(replayed %s %v) = %v", a.seq, e.Type, e.Subject, err)
		}
	}
	a.checkConflictsShown(evs, waitingOn)
	a.checkNeverNone(evs, helping)
	a.checkArchived(evs)
	// A held request keeps the deadline it had when the conflict was
	// shown, and says it is held; no other request does.
	for id, dl := range a.held {
		r := a.live.Requests[id]
		switch {
		case r.WaitingFor != dispatch.WaitAnswer:
			t.Fatalf("sequence %d: request %s held by a conflict is %s waiting for %q, with no acceptance", a.seq, id, r.Status, r.WaitingFor)
		case !r.Deadline.Equal(dl):
			t.Fatalf("sequence %d: request %s held by a conflict to %v now has deadline %v: %q", a.seq, id, dl, r.Deadline, kinds(evs))
		}
	}
	for id, r := range a.live.Requests {
		if _, ok := a.held[id]; ok != r.Held {
			t.Fatalf("sequence %d: request %s says held %v, want %v: %q", a.seq, id, r.Held, ok, kinds(evs))
		}
	}
	return evs
}

// checkNeverNone checks the watch from request to release (issue 14): at
// every moment an open request has a unit helping on scene, or a deadline
// ahead (for an answer, an arrival, or help again) — never none; its status
// says where help stands; and every unit that left it before it closed
// (helping before this decision, not after) is on the record
// (assist.unit_left), with who ordered it.
func (a *mutualAidRun) checkNeverNone(evs []dispatch.Event, before map[string][]dispatch.HelpingUnit) {
	left := map[[2]string]bool{}
	for _, e := range evs {
		if d, ok := e.Data.(*dispatch.AssistUnitLeft); ok {
			left[[2]string{d.Request, d.Unit}] = true
		}
	}
	for _, r := range a.live.Requests {
		if r.Status == dispatch.RequestClosed {
			continue
		}
		onScene := slices.ContainsFunc(r.Helping, func(h dispatch.HelpingUnit) bool { return h.OnScene })
		switch {
		case onScene && (r.Deadline != nil || r.Status != dispatch.RequestOnScene):
			a.t.Fatalf("sequence %d at %v: request %s has a unit helping on scene, but is %s with deadline %v", a.seq, a.now, r.ID, r.Status, r.Deadline)
		case !onScene && (r.Deadline == nil || !r.Deadline.After(a.now)):
			a.t.Fatalf("sequence %d at %v: request %s (%s) has no unit on scene and deadline %v: nobody watches it: %q", a.seq, a.now, r.ID, r.Status, r.Deadline, kinds(evs))
		case !onScene && len(r.Helping) > 0 && r.Status != dispatch.RequestAccepted:
			a.t.Fatalf("sequence %d: request %s has units on their way but is %s", a.seq, r.ID, r.Status)
		case len(r.Helping) == 0 && r.Status != dispatch.RequestRequested && r.Status != dispatch.RequestAcknowledged:
			a.t.Fatalf("sequence %d: request %s has no unit helping but is %s", a.seq, r.ID, r.Status)
		}
		for _, h := range r.Helping {
			if u := a.live.Units[h.Unit]; u.Request != r.ID || u.Status == dispatch.StatusAvailable {
				a.t.Fatalf("sequence %d: request %s lists unit %s helping, which is %s on %q", a.seq, r.ID, h.Unit, u.Status, u.Request)
			}
		}
		for _, h := range before[r.ID] {
			if r.Helper(h.Unit) == nil && !left[[2]string{r.ID, h.Unit}] {
				a.t.Fatalf("sequence %d: unit %s left open request %s in silence: %q", a.seq, h.Unit, r.ID, kinds(evs))
			}
		}
	}
	for _, u := range a.live.Units {
		if r := a.live.Requests[u.Request]; r != nil && r.Status != dispatch.RequestClosed && r.Helper(u.ID) == nil {
			a.t.Fatalf("sequence %d: unit %s is on open request %s, which does not list it helping", a.seq, u.ID, r.ID)
		}
	}
}

// checkArrival checks an acceptance's arrival deadline: none while a unit
// helping is on scene; else the soonest drive time of the units sent (or
// dispatch.UnknownETA) and the plan's margin, or the arrival deadline
// already running if sooner.
func (a *mutualAidRun) checkArrival(e dispatch.Event, d *dispatch.AssistAccepted, c dispatch.AcceptAssist) {
	r := a.live.Requests[d.Request]
	if slices.ContainsFunc(r.Helping, func(h dispatch.HelpingUnit) bool { return h.OnScene }) {
		if d.Deadline != nil {
			a.t.Fatalf("sequence %d: request %s accepted with an arrival deadline while a unit is on scene", a.seq, d.Request)
		}
		return
	}
	eta := dispatch.UnknownETA
	for _, u := range d.Units {
		if t, ok := c.ETAs[u]; ok && t < eta {
			eta = t
		}
	}
	margin := dispatch.DefaultAnswerDeadlines[d.Urgency].ArriveSeconds
	if p := a.live.Agencies[d.FromAgency].Plan; p != nil && p.Deadlines(d.Urgency).ArriveSeconds != 0 {
		margin = p.Deadlines(d.Urgency).ArriveSeconds
	}
	want := e.Time.Add(eta + time.Duration(margin)*time.Second)
	if r.WaitingFor == dispatch.WaitArrival && r.Deadline.Before(want) {
		want = *r.Deadline
	}
	if d.Deadline == nil || !d.Deadline.Equal(want) {
		a.t.Fatalf("sequence %d: request %s accepted with arrival deadline %v, want %v (ETA %v)", a.seq, d.Request, d.Deadline, want, eta)
	}
}

// mayEnd reports whether actor may end an EMERGENCY of agency pressed by
// by: the presser, a supervisor of the agency, or tenfour.
func mayEnd(actor dispatch.Actor, agency, by string) bool {
	return actor.IsSystem() || (actor.User != "" && actor.User == by) || (actor.Role == dispatch.RoleSupervisor && actor.Agency == agency)
}

// checkOverrides checks that every unit accepted that a directive in force
// keeps out of the request's place comes with that directive's override,
// in the same decision, by a named supervisor of its agency with a reason.
func (a *mutualAidRun) checkOverrides(d *dispatch.AssistAccepted, evs []dispatch.Event) {
	r := a.live.Requests[d.Request]
	counted := false
	for _, id := range d.Units {
		for _, dir := range a.live.Blocking(a.live.Units[id], r.Location, "", a.now) {
			found := false
			for _, o := range evs {
				ov, ok := o.Data.(*dispatch.DirectiveOverride)
				if ok && ov.Directive == dir.ID && ov.Request == d.Request && slices.Contains(ov.Units, id) &&
					!o.Actor.IsSystem() && o.Actor.User != "" && o.Actor.Role == dispatch.RoleSupervisor && o.Actor.Agency == dir.Agency && strings.TrimSpace(ov.Reason) != "" {
					found = true
				}
			}
			if !found {
				a.t.Fatalf("sequence %d: %s accepted request %s with unit %s, which directive %s blocks, with no override by a supervisor: %q", a.seq, d.ToAgency, d.Request, id, dir.ID, kinds(evs))
			}
			if !counted {
				a.stats.overriddenAccepts++
				counted = true
			}
		}
	}
}

// checkDeadline checks that a deadline set at the event's time is the
// requesting agency's plan's (or the default): never later.
func (a *mutualAidRun) checkDeadline(e dispatch.Event, from, urgency string, deadline time.Time, decide bool) {
	d := dispatch.DefaultAnswerDeadlines[urgency]
	if p := a.live.Agencies[from].Plan; p != nil {
		d = p.Deadlines(urgency)
	}
	secs := d.AcknowledgeSeconds
	if decide {
		secs = d.DecideSeconds
	}
	if want := e.Time.Add(time.Duration(secs) * time.Second); !deadline.Equal(want) {
		a.t.Fatalf("sequence %d: %s of %s sets deadline %v, want %v (%d s)", a.seq, e.Type, urgency, deadline, want, secs)
	}
}

// checkConflictsShown checks that no directive is met in silence: every
// agency asked in this decision whose directive in force holds the
// request's place, and every request waiting on an agency that issued such
// a directive in this decision, has its assist.conflict in the decision.
func (a *mutualAidRun) checkConflictsShown(evs []dispatch.Event, waitingOn map[string][]string) {
	shown := map[[2]string]bool{}
	for _, e := range evs {
		if d, ok := e.Data.(*dispatch.AssistConflict); ok {
			shown[[2]string{d.Request, d.Directive}] = true
		}
	}
	holding := func(agency string, loc dispatch.Location) []*dispatch.Directive {
		var out []*dispatch.Directive
		for _, d := range a.live.DirectivesAt(agency, loc, "", a.now) {
			if d.Effect == dispatch.EffectHold || d.Effect == dispatch.EffectClear {
				out = append(out, d)
			}
		}
		return out
	}
	for _, e := range evs {
		var asked []string
		var req string
		switch d := e.Data.(type) {
		case *dispatch.AssistRequested:
			asked, req = d.Asked, d.Request
		case *dispatch.AssistEscalated:
			asked, req = d.Asked, d.Request
		case *dispatch.DirectiveIssued:
			dir := a.live.Directives[d.ID]
			if dir.Effect != dispatch.EffectHold && dir.Effect != dispatch.EffectClear {
				continue
			}
			for id, agencies := range waitingOn {
				if slices.Contains(agencies, dir.Agency) && dir.Covers(a.live.Requests[id].Location, "") && !shown[[2]string{id, dir.ID}] {
					a.t.Fatalf("sequence %d: directive %s issued over request %s waiting on %s, with no conflict shown: %q", a.seq, dir.ID, id, dir.Agency, kinds(evs))
				}
			}
			continue
		default:
			continue
		}
		r := a.live.Requests[req]
		for _, ag := range asked {
			for _, dir := range holding(ag, r.Location) {
				if !shown[[2]string{req, dir.ID}] {
					a.t.Fatalf("sequence %d: %s asked %s of %s under directive %s with no conflict shown: %q", a.seq, e.Type, req, ag, dir.ID, kinds(evs))
				}
			}
		}
	}
}

func hasEscalation(evs []dispatch.Event, request string) bool {
	for _, e := range evs {
		if d, ok := e.Data.(*dispatch.AssistEscalated); ok && d.Request == request {
			return true
		}
	}
	return false
}

// validDecline reports whether a decline may be accepted as far as who and
// why go: a named supervisor of the answering agency, with a reason.
func validDecline(c dispatch.DeclineAssist, actor dispatch.Actor) bool {
	agency := c.Agency
	if agency == "" {
		agency = actor.Agency
	}
	return !actor.IsSystem() && actor.User != "" && actor.Role == dispatch.RoleSupervisor && actor.Agency == agency && strings.TrimSpace(c.Reason) != ""
}

// nextDue returns the earliest deadline or expiry in s, if any.
func nextDue(s *dispatch.State) (time.Time, bool) {
	var next time.Time
	found := false
	consider := func(t time.Time) {
		if !found || t.Before(next) {
			next, found = t, true
		}
	}
	for _, r := range s.Requests {
		if r.Status != dispatch.RequestClosed && r.Deadline != nil {
			consider(*r.Deadline)
		}
	}
	for _, d := range s.Directives {
		if d.Status == dispatch.DirectiveInForce {
			consider(d.Expires)
		}
	}
	return next, found
}

// advance moves the clock to target, ticking the timers at every deadline
// and expiry on the way, as the sequencer does every second.
func (a *mutualAidRun) advance(target time.Time) {
	for {
		due, ok := nextDue(a.live)
		if !ok || due.After(target) {
			break
		}
		if due.Before(a.now) {
			a.t.Fatalf("sequence %d: deadline %v left behind at %v", a.seq, due, a.now)
		}
		a.now = due
		a.decide(dispatch.Actor{System: "timers"}, dispatch.CheckTimers{})
		if d2, ok := nextDue(a.live); ok && d2.Equal(due) {
			a.t.Fatalf("sequence %d: the tick at %v left its deadline in place", a.seq, due)
		}
	}
	a.now = target
}

// TestMutualAidProperty runs thousands of random command sequences with a
// simulated clock over four agencies with mutual-aid plans, directives and
// the emergency button, and checks DESIGN.md's invariant 3 and the
// directive rule at every decision, and invariant 1 (state rebuilt from
// the log's encoding equals the live state) at the end of each.
//
// Invariant 3: no request waits past its deadline without assist.escalated
// at it; no decline is recorded but a named supervisor's with a reason. The
// directive rule: every directive in force that holds a request's place
// against an agency asked is shown (assist.conflict) when it is met; the
// request then keeps the deadline it had, whatever acknowledgements come,
// and by it escalates (reason conflict) or is accepted, units the
// directive blocks only with a supervisor's override; a request escalates
// only at a deadline or on a decline, never at once. Each sequence ends by
// running the clock until every conflict shown has had its outcome.
//
//	go test ./dispatch/ -run TestMutualAidProperty -v
func TestMutualAidProperty(t *testing.T) {
	sequences, commands := 10_000, 40
	if testing.Short() {
		sequences = 1_000 // fewer, never weaker
	}
	stats := &mutualAidStats{events: map[string]int{}, archived: map[string]int{}}
	start := time.Now()
	for seq := range sequences {
		g := mutualAidGen{rand.New(rand.NewPCG(uint64(seq), 6))}
		// Start before midnight on New Year's Eve, so that serials restart.
		a := &mutualAidRun{t: t, seq: seq, live: dispatch.NewState(), replayed: dispatch.NewState(), stats: stats,
			now: time.Date(2026, 12, 31, 23, 50, 0, 0, time.UTC), held: map[string]time.Time{}}
		for _, c := range g.world() {
			a.decide(dispatch.Actor{System: "bootstrap"}, c)
		}
		for range commands {
			// Mostly seconds apart, as a dispatcher works; now and then
			// minutes, for deadlines and directives to run out.
			step := time.Duration(g.r.Int64N(int64(8 * time.Second)))
			switch g.pick(10) {
			case 0:
				step = time.Duration(g.r.Int64N(int64(5 * time.Minute)))
			case 1, 2:
				step = time.Duration(g.r.Int64N(int64(time.Minute)))
			}
			a.advance(a.now.Add(step))
			cmd, actor := g.command(a.live, a.now)
			a.decide(actor, cmd)
			// Records closed a few minutes leave the state as the run goes
			// on (archive.go), a few at a time, so that the rules above
			// and the replay meet archiving.
			if a.seq%4 != 0 {
				a.decide(dispatch.Actor{System: "timers"}, dispatch.ArchiveClosed{Retention: 3 * time.Minute, Max: 2})
			}
		}
		// Run the clock on until every conflict shown has had its
		// outcome; an escalation may meet the next one.
		for range 2 * len(mutualAidAgencies) {
			var last time.Time
			for _, dl := range a.held {
				if dl.After(last) {
					last = dl
				}
			}
			if last.IsZero() {
				break
			}
			a.advance(last)
		}
		if len(a.held) > 0 {
			t.Fatalf("sequence %d: requests %v still held by conflicts at %v", seq, slices.Sorted(maps.Keys(a.held)), a.now)
		}
		// A snapshot carries the state whole (snapshot.go): decoded, it is
		// the state encoded, field for field.
		if c := a.live.Clone(); !reflect.DeepEqual(c, a.live) {
			t.Fatalf("sequence %d: the state decoded from its snapshot differs:\nrequests %s\nincidents %s\nunits %s",
				seq, diffMaps(c.Requests, a.live.Requests), diffMaps(c.Incidents, a.live.Incidents), diffMaps(c.Units, a.live.Units))
		}
		if !reflect.DeepEqual(a.replayed, a.live) {
			t.Fatalf("sequence %d: state replayed from the events differs from the live state:\nrequests %s\ndirectives %s",
				seq, diffMaps(a.replayed.Requests, a.live.Requests), diffMaps(a.replayed.Directives, a.live.Directives))
		}
	}
	t.Logf("%d sequences of %d commands in %v: %d refused; %d EMERGENCY deadlines met by escalation; %d EMERGENCY directive conflicts, "+
		"%d of those requests escalated at their deadline, %d accepted before it; %d acknowledgements of held requests; %d acceptances with overrides; "+
		"%d bad declines refused; %d exhausted alerts; %d no-arrival escalations; %d units left (%d cancelled), %d escalations after; "+
		"%d EMERGENCY ends, %d refused; events %v",
		sequences, commands, time.Since(start).Round(time.Millisecond), stats.refused, stats.deadlinesMet, stats.emergencyConflicts,
		stats.conflictsEscalated, stats.conflictsAccepted, stats.heldAcks, stats.overriddenAccepts, stats.declinesRefused, stats.exhausted,
		stats.noArrival, stats.unitLeft, stats.cancelled, stats.leftEscalated, stats.emergencyEnds, stats.emergencyEndsDenied, stats.events)
	// The generator must reach every rule often, or the test proves little.
	for what, n := range map[string]int{
		"EMERGENCY deadlines met": stats.deadlinesMet, "EMERGENCY conflicts": stats.emergencyConflicts,
		"EMERGENCY conflicts escalated": stats.conflictsEscalated, "EMERGENCY conflicts accepted": stats.conflictsAccepted,
		"held acknowledgements": stats.heldAcks, "acceptances with overrides": stats.overriddenAccepts,
		"bad declines refused": stats.declinesRefused, "exhausted alerts": stats.exhausted,
		"no-arrival escalations": stats.noArrival, "units that left": stats.unitLeft, "escalations after units left": stats.leftEscalated,
		"cancellations": stats.cancelled, "EMERGENCY ends": stats.emergencyEnds, "EMERGENCY ends refused": stats.emergencyEndsDenied,
		dispatch.TypeAssistRequested: stats.events[dispatch.TypeAssistRequested], dispatch.TypeAssistAcknowledged: stats.events[dispatch.TypeAssistAcknowledged],
		dispatch.TypeAssistAccepted: stats.events[dispatch.TypeAssistAccepted], dispatch.TypeAssistDeclined: stats.events[dispatch.TypeAssistDeclined],
		dispatch.TypeAssistOnScene: stats.events[dispatch.TypeAssistOnScene], dispatch.TypeAssistClosed: stats.events[dispatch.TypeAssistClosed],
		dispatch.TypeDirectiveIssued: stats.events[dispatch.TypeDirectiveIssued], dispatch.TypeDirectiveRevoked: stats.events[dispatch.TypeDirectiveRevoked],
		dispatch.TypeDirectiveExpired: stats.events[dispatch.TypeDirectiveExpired], dispatch.TypeDirectiveOverridden: stats.events[dispatch.TypeDirectiveOverridden],
		dispatch.TypeMutualAidPlanSet: stats.events[dispatch.TypeMutualAidPlanSet],
		dispatch.TypeRecordsArchived:  stats.events[dispatch.TypeRecordsArchived],
		"requests archived":           stats.archived[dispatch.ArchiveRequest],
		"incidents archived":          stats.archived[dispatch.ArchiveIncident],
		"directives archived":         stats.archived[dispatch.ArchiveDirective],
	} {
		if n < sequences/100 {
			t.Errorf("%s: %d over %d sequences, want at least %d: the generator is too weak", what, n, sequences, sequences/100)
		}
	}
}

// checkArchived checks what records.archived took: records closed at
// least the retention before (here, 3 minutes), that no open work in the
// state still names.
func (a *mutualAidRun) checkArchived(evs []dispatch.Event) {
	for _, e := range evs {
		d, ok := e.Data.(*dispatch.RecordsArchived)
		if !ok {
			continue
		}
		for _, k := range dispatch.ArchiveKinds {
			a.stats.archived[k] += len(d.IDs(k))
		}
		if d.Len() == 0 || d.Len() > 2 {
			a.t.Fatalf("sequence %d: records.archived of %d records, want 1 or 2 (Max)", a.seq, d.Len())
		}
	}
	s := a.live
	for _, u := range s.Units {
		if u.Incident != "" && s.Incidents[u.Incident] == nil || u.Request != "" && s.Requests[u.Request] == nil {
			a.t.Fatalf("sequence %d: unit %s is on incident %q / request %q, which the state no longer holds", a.seq, u.ID, u.Incident, u.Request)
		}
	}
	for _, r := range s.Requests {
		if r.Status == dispatch.RequestClosed {
			continue
		}
		for _, ans := range r.Asked {
			for _, id := range ans.Conflicts {
				if s.Directives[id] == nil {
					a.t.Fatalf("sequence %d: open request %s was held by directive %s, which the state no longer holds", a.seq, r.ID, id)
				}
			}
		}
	}
}

// diffMaps says which entries of two maps differ, for a failure message.
func diffMaps[V any](got, want map[string]V) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok || !reflect.DeepEqual(g, want[k]) {
			fmt.Fprintf(&b, "\n  %s: got %+v, want %+v", k, g, want[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "\n  %s: not live", k)
		}
	}
	return b.String()
}
