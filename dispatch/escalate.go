package dispatch

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// An assistDecision collects the assist.* events of one decision. It folds
// each event into its own copy of the request as it emits it, with the very
// fold that State.Apply uses, so that a later step of the same decision (a conflict,
// the escalation it causes, the next conflict) sees the earlier ones, and
// the state never changes before the decision is applied.
type assistDecision struct {
	s     *State
	actor Actor
	now   time.Time
	// issuing is a directive being issued in this decision, not yet in
	// the state.
	issuing *Directive
	reqs    map[string]*AssistRequest
	evs     []Event
}

func newAssistDecision(s *State, actor Actor, now time.Time) *assistDecision {
	return &assistDecision{s: s, actor: actor, now: now, reqs: map[string]*AssistRequest{}}
}

// get returns this decision's copy of request id.
func (a *assistDecision) get(id string) *AssistRequest {
	if r, ok := a.reqs[id]; ok {
		return r
	}
	r := a.s.Requests[id].clone()
	a.reqs[id] = r
	return r
}

func (a *assistDecision) ref(r *AssistRequest, to string) AssistRef {
	return AssistRef{Request: r.ID, FromAgency: r.From, ToAgency: to, Urgency: r.Urgency}
}

// emit records one event about r and folds it into r. The subject's
// "agencies" is taken after the fold, so that an escalation names the
// agencies it newly asks.
func (a *assistDecision) emit(r *AssistRequest, typ string, data any, subject map[string]string) {
	e := Event{Time: a.now, Type: typ, Agency: r.From, Actor: a.actor,
		Subject: map[string]string{"request": r.ID}, Data: data}
	for k, v := range subject {
		e.Subject[k] = v
	}
	if err := r.fold(e); err != nil {
		// The decision built the event from checks it made itself.
		panic(fmt.Sprintf("dispatch: %s decided against its own checks: %v", typ, err))
	}
	e.Subject["agencies"] = strings.Join(r.Agencies(), ",")
	a.evs = append(a.evs, e)
}

// deadline returns when r escalates if nobody acknowledges it from now.
func (a *assistDecision) deadline(r *AssistRequest) time.Time {
	return a.now.Add(a.s.answerDeadlines(r.From, r.Urgency).acknowledge()).UTC()
}

// open raises a new request from agency from, asking asked at level, and
// shows at once any directive that stands in its way.
func (a *assistDecision) open(from, unit string, loc Location, nature, urgency string, level int, asked []string) {
	year := a.now.UTC().Year()
	id := RequestID(from, year, a.s.requestSerial[serialKey(from, year)]+1)
	told := []Audience{{Agency: from}}
	for _, ag := range asked {
		if ag == from {
			// Its own agency, for want of a plan: its supervisors too.
			told = append(told, Audience{Agency: ag, Role: RoleSupervisor})
		} else {
			told = append(told, Audience{Agency: ag})
		}
	}
	d := &AssistRequested{
		AssistRef: AssistRef{Request: id, FromAgency: from, ToAgency: asked[0], Urgency: urgency},
		Unit:      unit, Location: loc, Nature: nature, Level: level, Asked: asked,
		Deadline: a.now.Add(a.s.answerDeadlines(from, urgency).acknowledge()).UTC(), Told: told,
	}
	e := Event{Time: a.now, Actor: a.actor, Agency: from, Data: d}
	r := newAssistRequest(e, d)
	a.reqs[id] = r
	var subject map[string]string
	if unit != "" {
		subject = map[string]string{"unit": unit}
	}
	a.emit(r, TypeAssistRequested, d, subject)
	a.conflicts(r, asked)
}

// emergency raises the request of unit u gone EMERGENCY (status change d):
// to level 1 of its agency's plan, or, with no plan, to its own agency, so
// that it is tracked and escalates like any other.
func (a *assistDecision) emergency(u *Unit, d *UnitStatusChanged, c SetUnitStatus) {
	var loc Location
	switch {
	case d.Lat != nil && d.Lon != nil:
		loc = Location{Text: "last known position of unit " + u.CallSign, Lat: floatPtr(*d.Lat), Lon: floatPtr(*d.Lon),
			District: strings.TrimSpace(c.District), Beat: strings.TrimSpace(c.Beat)}
		if near := strings.TrimSpace(c.Near); near != "" {
			loc.Text += ", near " + near
		}
	case u.Incident != "" && a.s.Incidents[u.Incident] != nil:
		loc = cloneLocation(a.s.Incidents[u.Incident].Location)
	case u.Request != "" && a.s.Requests[u.Request] != nil:
		loc = cloneLocation(a.s.Requests[u.Request].Location)
	}
	if loc.Lat == nil && strings.TrimSpace(loc.Text) == "" {
		// The button must never fail for want of a place.
		loc.Text = "position unknown: unit " + u.CallSign
	}
	level, asked := 0, []string{u.Agency}
	if p := a.s.Agencies[u.Agency].Plan; p != nil {
		level, asked = 1, slices.Clone(p.Levels[0].Agencies)
	}
	nature := fmt.Sprintf("officer needs assistance: unit %s pressed EMERGENCY", u.CallSign)
	a.open(u.Agency, u.ID, loc, nature, UrgencyEmergency, level, asked)
}

// holding returns the directives of agency in force that keep all its units
// out of loc, by id: the state's and the one being issued.
func (a *assistDecision) holding(agency string, loc Location) []*Directive {
	var out []*Directive
	for _, d := range a.s.DirectivesAt(agency, loc, "", a.now) {
		if d.holds() {
			out = append(out, d)
		}
	}
	if d := a.issuing; d != nil && d.Agency == agency && d.holds() && d.InForce(a.now) && d.Covers(loc, "") {
		out = append(out, d)
	}
	return out
}

// conflicts shows every directive of the agencies just asked that holds r's
// location. A request is never left waiting on an agency under orders not
// to come (DESIGN.md, "An EMERGENCY request that a directive blocks is never
// suppressed"): the conflict holds r to the deadline it has, the one for
// acknowledging, and at it r escalates unless an agency accepts first (a
// supervisor may override the directive to send units). The agency gets the
// time any agency gets to answer, and not a second more.
func (a *assistDecision) conflicts(r *AssistRequest, agencies []string) {
	for _, ag := range agencies {
		for _, d := range a.holding(ag, r.Location) {
			a.conflict(r, d)
		}
	}
}

// conflict emits assist.conflict of directive d on r, which holds r to its
// deadline: the requester and the issuer's superiors are told. tenfour
// knows no chain of command, so the superiors are the other supervisors of
// the issuing agency and its administrators.
func (a *assistDecision) conflict(r *AssistRequest, d *Directive) {
	told := []Audience{{Agency: r.From}, {Agency: d.Agency, Role: RoleSupervisor, Except: d.Issuer.User}, {Agency: d.Agency, Role: RoleAdmin}}
	a.emit(r, TypeAssistConflict, &AssistConflict{
		AssistRef: a.ref(r, d.Agency), Directive: d.ID, Issuer: d.Issuer, Effect: d.Effect, Reason: d.Reason, Told: told,
	}, map[string]string{"directive": d.ID})
}

// conflictsOf shows the conflicts of directive d, being issued, with the
// requests waiting on its agency: each is held to the deadline it has.
func (a *assistDecision) conflictsOf(d *Directive) {
	if !d.holds() {
		return
	}
	var held []*AssistRequest
	for id := range a.s.open.requests { // a closed request awaits nothing
		r := a.s.Requests[id]
		if r == nil {
			continue
		}
		ans := r.Answer(d.Agency)
		if r.Awaiting() && ans != nil && (ans.Answer == AnswerAsked || ans.Answer == AnswerAcknowledged) && d.Covers(r.Location, "") {
			held = append(held, r)
		}
	}
	sortRequests(held)
	for _, r := range held {
		a.conflict(a.get(r.ID), d)
	}
}

// escalate takes r to the next alarm level of the requesting agency's plan
// that has an agency not yet asked; agencies already asked stay asked. With
// no such level left, r stays open and alerts again (exhausted). The
// requester is told, and the supervisors of the agencies newly asked (or,
// exhausted, of those asked that have not declined); for want of an
// arrival or after units left, the supervisors of the agencies that sent
// them too, which stay on the request.
func (a *assistDecision) escalate(r *AssistRequest, reason string) {
	if r.Origin != "" {
		return // a partner's request climbs its own plan, there (remote.go)
	}
	senders := func(told []Audience) []Audience {
		if reason != EscalateNoArrival && reason != EscalateUnitLeft {
			return told
		}
		for _, ans := range r.Asked {
			if len(ans.Units) > 0 && !slices.Contains(told, Audience{Agency: ans.Agency, Role: RoleSupervisor}) {
				told = append(told, Audience{Agency: ans.Agency, Role: RoleSupervisor})
			}
		}
		return told
	}
	var levels []AlarmLevel
	if p := a.s.Agencies[r.From].Plan; p != nil {
		levels = p.Levels
	}
	for lvl := r.Level + 1; lvl <= len(levels); lvl++ {
		var fresh []string
		for _, ag := range levels[lvl-1].Agencies {
			if r.Answer(ag) == nil {
				fresh = append(fresh, ag)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		told := []Audience{{Agency: r.From}}
		for _, ag := range fresh {
			told = append(told, Audience{Agency: ag, Role: RoleSupervisor})
		}
		told = senders(told)
		a.emit(r, TypeAssistEscalated, &AssistEscalated{
			AssistRef: a.ref(r, fresh[0]), Reason: reason, Level: lvl, Asked: fresh, Deadline: a.deadline(r), Told: told,
		}, nil)
		a.conflicts(r, fresh)
		return
	}
	told := []Audience{{Agency: r.From}}
	for _, ans := range r.Asked {
		if ans.Answer != AnswerDeclined {
			told = append(told, Audience{Agency: ans.Agency, Role: RoleSupervisor})
		}
	}
	told = senders(told)
	a.emit(r, TypeAssistEscalated, &AssistEscalated{
		AssistRef: a.ref(r, r.To), Reason: reason, Level: r.Level, Exhausted: true, Deadline: a.deadline(r), Told: told,
	}, nil)
}

// checkMutualAid returns the events of CheckTimers for directives and requests:
// each directive whose expiry has come expires, then each open request past
// its deadline escalates one step, by id, for what it waited for (dueReason).
// directives and requests are those the timer index has due at now, by id.
func (s *State) checkMutualAid(actor Actor, now time.Time, directives, requests []string) []Event {
	evs := s.expireDirectives(actor, now, directives)
	a := newAssistDecision(s, actor, now)
	for _, id := range requests {
		r := s.Requests[id]
		if r == nil || r.Status == RequestClosed || r.Deadline == nil || now.Before(*r.Deadline) {
			continue
		}
		a.escalate(a.get(r.ID), r.dueReason())
	}
	return append(evs, a.evs...)
}

// dueReason says why r escalates at its deadline: the conflict that held
// it to the deadline; no unit on scene in time; nobody come instead of the
// units that left; or, waiting for answers, no acknowledgement or no
// decision from an agency asked.
func (r *AssistRequest) dueReason() string {
	switch {
	case r.Held:
		return EscalateConflict
	case r.WaitingFor == WaitArrival:
		return EscalateNoArrival
	case r.WaitingFor == WaitHelp:
		return EscalateUnitLeft
	}
	for _, ans := range r.Asked {
		if ans.Answer == AnswerAcknowledged {
			return EscalateNoDecision
		}
	}
	return EscalateNoAcknowledgement
}

// withAssist returns the events of unit u's status change ev: ev itself,
// naming the request the unit is on, with what the change means for
// requests. The emergency button raises a request, unless the unit already
// has an open one; a unit helping that arrives is on scene
// (assist.on_scene); one that goes AVAILABLE before the requester released
// the request left it (assist.unit_left, before its status change).
func (s *State) withAssist(u *Unit, ev Event, c SetUnitStatus, actor Actor, now time.Time) []Event {
	d := ev.Data.(*UnitStatusChanged)
	switch {
	case u.Request != "":
		ev.Subject["request"] = u.Request
	case d.Previous == StatusEmergency:
		// Its EMERGENCY ends: a step of the request the button raised,
		// with who ended it and why.
		if r := s.emergencyRequest(u.ID); r != nil {
			ev.Subject["request"] = r.ID
		}
	}
	a := newAssistDecision(s, actor, now)
	switch d.Status {
	case StatusEmergency:
		if !s.inEmergencyRequest(u.ID) {
			a.emergency(u, d, c)
			// The button press is the first event of the request it raises.
			for _, e := range a.evs {
				if e.Type == TypeAssistRequested {
					ev.Subject["request"] = e.Subject["request"]
					break
				}
			}
		}
	case StatusOnScene:
		if r := s.Requests[u.Request]; r != nil && r.Status != RequestClosed {
			if h := r.Helper(u.ID); h != nil && !h.OnScene {
				rr := a.get(r.ID)
				a.emit(rr, TypeAssistOnScene, &AssistOnScene{AssistRef: a.ref(rr, u.Agency), Unit: u.ID}, map[string]string{"unit": u.ID})
			}
		}
	case StatusAvailable:
		if r := s.Requests[u.Request]; r != nil && r.Status != RequestClosed && r.Helper(u.ID) != nil {
			return append(s.leaving(u, LeftCleared, d.Reason, actor, now), ev)
		}
	}
	return append([]Event{ev}, a.evs...)
}

// inEmergencyRequest reports whether unit has raised an EMERGENCY request
// that is not closed: pressing the button again is the same emergency.
func (s *State) inEmergencyRequest(unit string) bool { return s.emergencyRequest(unit) != nil }

// emergencyRequest returns the open EMERGENCY request unit raised, if any.
func (s *State) emergencyRequest(unit string) *AssistRequest {
	for id := range s.open.requests {
		if r := s.Requests[id]; r != nil && r.Unit == unit && r.Urgency == UrgencyEmergency && r.Status != RequestClosed {
			return r
		}
	}
	return nil
}

// newAssistRequest returns the request an assist.requested event makes,
// before the event is folded into it.
func newAssistRequest(e Event, d *AssistRequested) *AssistRequest {
	return &AssistRequest{
		ID: d.Request, From: d.FromAgency, Origin: d.Origin, To: d.ToAgency, Unit: d.Unit, User: e.Actor.User,
		Location: cloneLocation(d.Location), Nature: d.Nature, Urgency: d.Urgency,
		Asked: []AskedAgency{}, Units: []string{}, Helping: []HelpingUnit{}, Created: e.Time, History: []AssistStep{},
	}
}

// clone returns a copy of r that shares nothing that a fold changes.
func (r *AssistRequest) clone() *AssistRequest {
	c := *r
	c.Asked = slices.Clone(r.Asked)
	for i := range c.Asked {
		c.Asked[i].Units = slices.Clone(c.Asked[i].Units)
		c.Asked[i].Conflicts = slices.Clone(c.Asked[i].Conflicts)
	}
	c.Units = slices.Clone(r.Units)
	c.Helping = slices.Clone(r.Helping)
	c.History = slices.Clone(r.History)
	return &c
}

// fold applies one assist.* event to r. It checks everything before it
// changes anything, so a refused event leaves r as it was.
func (r *AssistRequest) fold(e Event) error {
	ref, step, err := r.check(e)
	if err != nil {
		return err
	}
	if ref.Request != r.ID || ref.FromAgency != r.From || ref.Urgency != r.Urgency {
		return fmt.Errorf("%s names request %s from %s (%s), not %s from %s (%s)", e.Type, ref.Request, ref.FromAgency, ref.Urgency, r.ID, r.From, r.Urgency)
	}
	who := whoOf(e.Actor)
	answer := func(state string) *AskedAgency {
		ans := r.Answer(ref.ToAgency)
		ans.Answer, ans.Answered, ans.By = state, at(e.Time), &who
		return ans
	}
	switch d := e.Data.(type) {
	case *AssistRequested:
		r.Level = d.Level
		r.ask(d.Asked, d.Level, e.Time)
		r.Deadline, r.WaitingFor = at(d.Deadline), WaitAnswer
	case *AssistAcknowledged:
		answer(AnswerAcknowledged)
		switch {
		case d.Deadline != nil:
			r.Deadline = at(*d.Deadline)
		case r.Origin != "":
			// A partner's request: the requester's deadline it showed
			// has moved there, to a time this installation does not know.
			r.Deadline, r.Held = nil, false
		}
	case *AssistAccepted:
		ans := answer(AnswerAccepted)
		ans.Reason = ""
		ans.Units = append(ans.Units, d.Units...)
		r.Units = append(r.Units, d.Units...)
		for _, u := range d.Units {
			r.Helping = append(r.Helping, HelpingUnit{Unit: u, Agency: ref.ToAgency})
		}
		r.Held = false
		if !r.onScene() {
			// A log from before arrival deadlines has none: the request
			// then waits for nothing, as it did.
			r.Deadline, r.WaitingFor = nil, ""
			if d.Deadline != nil {
				r.Deadline, r.WaitingFor = at(*d.Deadline), WaitArrival
			}
		}
	case *AssistDeclined:
		answer(AnswerDeclined).Reason = d.Reason
	case *AssistEscalated:
		if !d.Exhausted {
			r.Level = d.Level
			r.ask(d.Asked, d.Level, e.Time)
		}
		r.Exhausted = d.Exhausted
		r.Deadline, r.Held, r.WaitingFor = at(d.Deadline), false, WaitAnswer
	case *AssistConflict:
		ans := r.Answer(ref.ToAgency)
		ans.Conflicts = append(ans.Conflicts, d.Directive)
		r.Held = r.WaitingFor == WaitAnswer
	case *AssistOnScene:
		if h := r.Helper(d.Unit); h != nil {
			h.OnScene = true
		}
		r.Deadline, r.WaitingFor, r.Held = nil, "", false
		r.Status = RequestOnScene // a log from before every arrival was an event
	case *AssistUnitLeft:
		r.Helping = slices.DeleteFunc(r.Helping, func(h HelpingUnit) bool { return h.Unit == d.Unit })
		r.Deadline, r.WaitingFor, r.Held = nil, "", false
		if d.Deadline != nil {
			r.Deadline, r.WaitingFor = at(*d.Deadline), WaitHelp
			if len(r.Helping) > 0 {
				r.WaitingFor = WaitArrival
			}
		}
		if r.Status == RequestOnScene && !r.onScene() {
			r.Status = "" // settle finds it anew
		}
	case *AssistClosed:
		r.Status, r.Closed, r.Disposition, r.Deadline, r.Held, r.WaitingFor = RequestClosed, at(e.Time), d.Disposition, nil, false, ""
		r.Helping = r.Helping[:0]
	}
	r.settle()
	step.Time, step.Type, step.Agency, step.Who = e.Time, e.Type, ref.ToAgency, who
	if n := len(r.History); n > 0 && step.Exhausted && r.History[n-1].sameAlert(step) {
		r.History[n-1].Repeats++
		r.History[n-1].Last = at(e.Time)
	} else {
		r.History = append(r.History, step)
	}
	return nil
}

// check returns the reference and the history step of an assist.* event,
// or why it cannot apply to r.
func (r *AssistRequest) check(e Event) (AssistRef, AssistStep, error) {
	var step AssistStep
	if r.Status == RequestClosed {
		return AssistRef{}, step, fmt.Errorf("%s on request %s after it closed", e.Type, r.ID)
	}
	var ref AssistRef
	needAnswer := true
	switch d := e.Data.(type) {
	case *AssistRequested:
		ref, needAnswer = d.AssistRef, false
		if len(r.Asked) > 0 || len(d.Asked) == 0 || d.Asked[0] != d.ToAgency {
			return ref, step, fmt.Errorf("request %s requested twice or of nobody", r.ID)
		}
		step.Level, step.Asked = d.Level, slices.Clone(d.Asked)
	case *AssistAcknowledged:
		ref = d.AssistRef
		if a := r.Answer(ref.ToAgency); a != nil && a.Answer != AnswerAsked {
			return ref, step, fmt.Errorf("agency %s acknowledged request %s twice", ref.ToAgency, r.ID)
		}
		if d.Held && (!r.Held || d.Deadline == nil || r.Deadline == nil || !d.Deadline.Equal(*r.Deadline)) {
			return ref, step, fmt.Errorf("request %s acknowledged as held to deadline %v, but it is held %v to %v", r.ID, d.Deadline, r.Held, r.Deadline)
		}
		step.Held = d.Held
	case *AssistAccepted:
		ref = d.AssistRef
		if len(d.Units) == 0 {
			return ref, step, fmt.Errorf("request %s accepted with no unit", r.ID)
		}
		step.Units = slices.Clone(d.Units)
	case *AssistDeclined:
		ref, step.Reason = d.AssistRef, d.Reason
		if a := r.Answer(ref.ToAgency); a != nil && (a.Answer == AnswerAccepted || a.Answer == AnswerDeclined) {
			return ref, step, fmt.Errorf("agency %s declined request %s after it %s it", ref.ToAgency, r.ID, a.Answer)
		}
	case *AssistEscalated:
		ref, needAnswer = d.AssistRef, false
		step.Reason, step.Level, step.Exhausted = d.Reason, d.Level, d.Exhausted
		if !d.Exhausted {
			if d.Level <= r.Level || len(d.Asked) == 0 {
				return ref, step, fmt.Errorf("request %s escalated from level %d to %d asking %v", r.ID, r.Level, d.Level, d.Asked)
			}
			for _, ag := range d.Asked {
				if r.Answer(ag) != nil {
					return ref, step, fmt.Errorf("request %s escalated to %s, already asked", r.ID, ag)
				}
			}
			step.Asked = slices.Clone(d.Asked)
		}
	case *AssistConflict:
		ref, step.Directive = d.AssistRef, d.Directive
	case *AssistOnScene:
		ref, needAnswer = d.AssistRef, false
		step.Units = []string{d.Unit}
		if h := r.Helper(d.Unit); h == nil || h.OnScene {
			return ref, step, fmt.Errorf("request %s on scene by unit %s, which is not on its way to it", r.ID, d.Unit)
		}
	case *AssistUnitLeft:
		ref, needAnswer = d.AssistRef, false
		step.Units, step.How, step.Reason, step.Directives = []string{d.Unit}, d.How, d.Reason, slices.Clone(d.Directives)
		h := r.Helper(d.Unit)
		if h == nil || h.Agency != ref.ToAgency || (d.How != LeftCleared && d.How != LeftCancelled) {
			return ref, step, fmt.Errorf("unit %s left request %s (%s), which it is not helping on", d.Unit, r.ID, d.How)
		}
		stays := slices.ContainsFunc(r.Helping, func(o HelpingUnit) bool { return o.Unit != d.Unit && o.OnScene })
		if r.Origin == "" && stays != (d.Deadline == nil) {
			return ref, step, fmt.Errorf("unit %s left request %s with deadline %v, but a unit stays on scene: %v", d.Unit, r.ID, d.Deadline, stays)
		}
	case *AssistClosed:
		ref, needAnswer = d.AssistRef, false
		step.Reason = d.Disposition
	default:
		return ref, step, fmt.Errorf("event %s: %T is not about a request", e.Type, e.Data)
	}
	if needAnswer && r.Answer(ref.ToAgency) == nil {
		return ref, step, fmt.Errorf("%s: agency %s was not asked for request %s", e.Type, ref.ToAgency, r.ID)
	}
	return ref, step, nil
}

// ask adds agencies as asked at level.
func (r *AssistRequest) ask(agencies []string, level int, t time.Time) {
	for _, ag := range agencies {
		r.Asked = append(r.Asked, AskedAgency{Agency: ag, Level: level, Answer: AnswerAsked, Asked: t})
	}
}

// settle sets r's status from the units helping and the answers: a unit
// helping on its way, ACCEPTED; none, but an agency that acknowledged is
// still deciding, ACKNOWLEDGED; else REQUESTED. ON_SCENE and CLOSED are
// reached by events and kept (a unit leaving the scene unsets ON_SCENE).
func (r *AssistRequest) settle() {
	if r.Status == RequestOnScene || r.Status == RequestClosed {
		return
	}
	if len(r.Helping) > 0 {
		r.Status = RequestAccepted
		return
	}
	r.Status = RequestRequested
	for _, a := range r.Asked {
		if a.Answer == AnswerAcknowledged {
			r.Status = RequestAcknowledged
		}
	}
}

// sameAlert reports whether an exhausted plan's alert repeats step p.
func (p AssistStep) sameAlert(q AssistStep) bool {
	return p.Exhausted && q.Exhausted && p.Type == q.Type && p.Reason == q.Reason && p.Agency == q.Agency && p.Level == q.Level
}
