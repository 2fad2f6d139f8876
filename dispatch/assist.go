package dispatch

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Assistance request event types. Every one is about one request: its
// envelope's agency is the requesting agency, and its subject names the
// request and, under "agencies", every agency the request concerns.
const (
	TypeAssistRequested    = "assist.requested"
	TypeAssistAcknowledged = "assist.acknowledged"
	TypeAssistAccepted     = "assist.accepted"
	TypeAssistDeclined     = "assist.declined"
	TypeAssistEscalated    = "assist.escalated"
	TypeAssistConflict     = "assist.conflict"
	TypeAssistOnScene      = "assist.on_scene"
	TypeAssistUnitLeft     = "assist.unit_left"
	TypeAssistClosed       = "assist.closed"
)

// Request statuses (DESIGN.md, "Domain"): REQUESTED → ACKNOWLEDGED →
// ACCEPTED → ON_SCENE → CLOSED. A decline is an answer of one asked agency,
// not a status of the request: the request escalates and waits for others.
// The status says where help stands, from the units helping (settle): one
// of them on scene, ON_SCENE; some on their way, ACCEPTED; none (never
// sent, or all gone before the requester released the request), REQUESTED
// or ACKNOWLEDGED by the answers of the agencies still deciding.
const (
	RequestRequested    = "REQUESTED"
	RequestAcknowledged = "ACKNOWLEDGED"
	RequestAccepted     = "ACCEPTED"
	RequestOnScene      = "ON_SCENE"
	RequestClosed       = "CLOSED"
)

// Answers: where each agency asked stands on a request.
const (
	AnswerAsked        = "asked"
	AnswerAcknowledged = "acknowledged"
	AnswerAccepted     = "accepted"
	AnswerDeclined     = "declined"
)

// Why a request escalated.
const (
	EscalateNoAcknowledgement = "no_acknowledgement" // its deadline passed with nobody acknowledging
	EscalateNoDecision        = "no_decision"        // acknowledged, but neither accepted nor declined in time
	EscalateDeclined          = "declined"           // a supervisor of an asked agency declined it
	EscalateConflict          = "conflict"           // its deadline passed while an asked agency's directive held the place
	EscalateNoArrival         = "no_arrival"         // units were sent, and none was on scene by the arrival deadline
	EscalateUnitLeft          = "unit_left"          // the units helping left before the requester released it, and nobody came instead in time
)

// What a request's deadline waits for (AssistRequest.WaitingFor).
const (
	WaitAnswer  = "answer"  // an agency asked to acknowledge, accept or decline
	WaitArrival = "arrival" // a unit sent to arrive
	WaitHelp    = "help"    // help again: every unit helping left before the release
)

// How a helping unit left a request (AssistUnitLeft.How).
const (
	LeftCleared   = "cleared"   // it went AVAILABLE by a status change: cleared, or ended its EMERGENCY
	LeftCancelled = "cancelled" // a supervisor cancelled it (CancelUnit)
)

// An AssistRequest is one agency asking others for help (DESIGN.md,
// "Domain"). It records where it stands for the requester to see at any
// time: the alarm level reached, every agency asked and its answer (who,
// when, why), the deadline of the next escalation, and its history.
//
// Its id is <from>-A-<year>-<serial>, such as federal-A-2026-000001: the
// serial counts the requesting agency's requests per year (UTC), and the
// capital A keeps it apart from every incident id.
type AssistRequest struct {
	ID   string `json:"id"`
	From string `json:"from_agency"`
	// Origin is the peer this request was raised on, for the mirror of a
	// partner's request (remote.go); "" for a request raised here.
	Origin string `json:"origin,omitempty"`
	// To is the agency first asked: the one the requester named, or the
	// first of its plan's level 1.
	To string `json:"to_agency"`
	// Unit and User are the requesting unit and the person who asked, if
	// any.
	Unit     string   `json:"unit,omitempty"`
	User     string   `json:"user,omitempty"`
	Location Location `json:"location"`
	Nature   string   `json:"nature"`
	Urgency  string   `json:"urgency"`
	Status   string   `json:"status"`
	// Level is the alarm level of the requesting agency's plan reached:
	// 0 while only the agency the requester named has been asked.
	Level int `json:"level"`
	// Exhausted says every level has been asked: the request stays open,
	// and at each deadline it alerts again.
	Exhausted bool          `json:"exhausted,omitempty"`
	Asked     []AskedAgency `json:"asked"`
	// Units lists every unit sent by accepting agencies, in order.
	Units []string `json:"units"`
	// Helping are the units sent that are still on it: a unit leaves it
	// by going AVAILABLE (assist.unit_left) or when the request closes.
	Helping []HelpingUnit `json:"helping"`
	// Deadline is when it escalates unless what it waits for
	// (WaitingFor) comes first: an answer, a unit on scene, help again.
	// From the request to its release it runs whenever no unit helping is
	// on scene; it is nil only while one is, and once closed.
	Deadline   *time.Time `json:"deadline,omitempty"`
	WaitingFor string     `json:"waiting_for,omitempty"`
	// Held says a directive of an agency asked stands against the
	// request (assist.conflict): no acknowledgement moves its deadline,
	// and at it the request escalates (reason conflict) unless an agency
	// accepts first. Its escalation releases it; a conflict with the
	// agencies it newly asks holds it again.
	Held        bool         `json:"held,omitempty"`
	Created     time.Time    `json:"created"`
	Closed      *time.Time   `json:"closed,omitempty"`
	Disposition string       `json:"disposition,omitempty"`
	History     []AssistStep `json:"history"`
}

// An AskedAgency is one agency asked for a request and its answer so far.
type AskedAgency struct {
	Agency string    `json:"agency"`
	Level  int       `json:"level"`
	Answer string    `json:"answer"`
	Asked  time.Time `json:"asked"`
	// Answered and By are the time and the author of its latest answer.
	Answered *time.Time `json:"answered,omitempty"`
	By       *Who       `json:"by,omitempty"`
	// Reason is why it declined.
	Reason string `json:"reason,omitempty"`
	// Units are the units it sent.
	Units []string `json:"units,omitempty"`
	// Conflicts are its directives that stood against the request.
	Conflicts []string `json:"conflicts,omitempty"`
}

// A HelpingUnit is a unit sent on a request and still on it.
type HelpingUnit struct {
	Unit   string `json:"unit"`
	Agency string `json:"agency"`
	// OnScene says it arrived (assist.on_scene).
	OnScene bool `json:"on_scene,omitempty"`
}

// An AssistStep is one event of a request's history, as the requester
// reads it.
type AssistStep struct {
	Time      time.Time `json:"time"`
	Type      string    `json:"type"`
	Agency    string    `json:"agency,omitempty"` // the event's to_agency
	Who       Who       `json:"who"`
	Level     int       `json:"level,omitempty"`
	Asked     []string  `json:"asked,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Directive string    `json:"directive,omitempty"`
	// Directives are those in force over the place of a unit that left.
	Directives []string `json:"directives,omitempty"`
	// How is how a unit left (LeftCleared, LeftCancelled).
	How       string   `json:"how,omitempty"`
	Units     []string `json:"units,omitempty"`
	Exhausted bool     `json:"exhausted,omitempty"`
	// Held marks an acknowledgement that left the deadline as it was: a
	// directive conflict held the request to it.
	Held bool `json:"held,omitempty"`
	// Repeats counts the alerts after this one that said the same (an
	// exhausted plan alerts at every deadline), the last at Last.
	Repeats int        `json:"repeats,omitempty"`
	Last    *time.Time `json:"last,omitempty"`
}

// An Audience is whom an event is brought before: the users of an agency,
// or those of one role there, but for one user (Except), such as the
// issuer of a directive when its superiors are told.
type Audience struct {
	Agency string `json:"agency"`
	Role   string `json:"role,omitempty"`
	Except string `json:"except,omitempty"`
}

// Recipients returns the usernames of the users told, sorted.
func (s *State) Recipients(told []Audience) []string {
	var out []string
	for _, u := range s.Users {
		for _, a := range told {
			if u.Agency == a.Agency && u.Username != a.Except && (a.Role == "" || slices.Contains(u.Roles, a.Role)) {
				out = append(out, u.Username)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// Answer returns the answer of agency to r, or nil if it was not asked.
func (r *AssistRequest) Answer(agency string) *AskedAgency {
	for i := range r.Asked {
		if r.Asked[i].Agency == agency {
			return &r.Asked[i]
		}
	}
	return nil
}

// Awaiting reports whether r waits for help with no unit on its way:
// REQUESTED or ACKNOWLEDGED. A decline then escalates it at once.
func (r *AssistRequest) Awaiting() bool {
	return r.Status == RequestRequested || r.Status == RequestAcknowledged
}

// Helper returns the unit helping r, or nil.
func (r *AssistRequest) Helper(unit string) *HelpingUnit {
	for i := range r.Helping {
		if r.Helping[i].Unit == unit {
			return &r.Helping[i]
		}
	}
	return nil
}

// onScene reports whether a unit helping r is on scene.
func (r *AssistRequest) onScene() bool {
	return slices.ContainsFunc(r.Helping, func(h HelpingUnit) bool { return h.OnScene })
}

// Agencies returns the agencies r concerns, sorted: the requester and every
// agency asked. They, and no others, may read it.
func (r *AssistRequest) Agencies() []string {
	out := []string{r.From}
	for _, a := range r.Asked {
		if !slices.Contains(out, a.Agency) {
			out = append(out, a.Agency)
		}
	}
	slices.Sort(out)
	return out
}

// Concerns reports whether r concerns agency.
func (r *AssistRequest) Concerns(agency string) bool {
	return agency == r.From || r.Answer(agency) != nil
}

// RequestList returns the requests that concern agency (all if agency is
// ""), newest first.
func (s *State) RequestList(agency string) []*AssistRequest {
	var out []*AssistRequest
	for _, r := range s.Requests {
		if agency == "" || r.Concerns(agency) {
			out = append(out, r)
		}
	}
	newestFirst(out, func(r *AssistRequest) (time.Time, string) { return r.Created, r.ID })
	return out
}

// sortRequests sorts rs by id, so that every replay meets them in the same
// order.
func sortRequests(rs []*AssistRequest) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
}

// RequestID returns the id of the n-th assistance request of agency in year.
func RequestID(agency string, year, n int) string {
	return fmt.Sprintf("%s-A-%d-%06d", agency, year, n)
}

// AssistRef is in every assist.* payload: which request, from and to whom,
// how urgent. ToAgency is the agency the event is addressed to: the one
// asked (requested, escalated), the one answering (acknowledged, accepted,
// declined), the one whose directive stands in the way (conflict), the one
// whose unit arrived (on_scene); for an exhausted plan and for closing, the
// agency first asked.
type AssistRef struct {
	Request    string `json:"request"`
	FromAgency string `json:"from_agency"`
	ToAgency   string `json:"to_agency"`
	Urgency    string `json:"urgency"`
}

// AssistRequested is the payload of assist.requested. Asked lists every
// agency asked (ToAgency first); Level is the alarm level they are, 0 for an
// agency the requester named. The person who asked is the event's actor.
type AssistRequested struct {
	AssistRef
	// Origin is the peer a partner's request came from: the request is
	// its mirror here (ReceiveAssist), and it escalates there, not here.
	Origin   string     `json:"origin,omitempty"`
	Unit     string     `json:"unit,omitempty"`
	Location Location   `json:"location"`
	Nature   string     `json:"nature"`
	Level    int        `json:"level"`
	Asked    []string   `json:"asked"`
	Deadline time.Time  `json:"deadline"`
	Told     []Audience `json:"told"`
}

// AssistAcknowledged is the payload of assist.acknowledged. Deadline is the
// request's deadline from now on, absent if the request is no longer
// waiting: a new one for a decision; or, Held, the one in force, kept,
// because a directive conflict holds the request to it.
type AssistAcknowledged struct {
	AssistRef
	Deadline *time.Time `json:"deadline,omitempty"`
	Held     bool       `json:"held,omitempty"`
}

// AssistAccepted is the payload of assist.accepted: the units the accepting
// agency sends. Each one's change to DISPATCHED follows. Deadline is the
// arrival deadline from now on: the soonest of the units' drive times
// (ETASeconds) and the plan's arrival margin, or the one already running
// if sooner; absent while a unit helping is on scene.
type AssistAccepted struct {
	AssistRef
	Units      []string   `json:"units"`
	ETASeconds int        `json:"eta_seconds,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
}

// AssistDeclined is the payload of assist.declined. The supervisor who
// declined is the event's actor.
type AssistDeclined struct {
	AssistRef
	Reason string `json:"reason"`
}

// AssistEscalated is the payload of assist.escalated: the request went to
// Level, asking Asked, for Reason; or, Exhausted, no level was left and it
// alerts again. Told is who is alerted.
type AssistEscalated struct {
	AssistRef
	Reason    string     `json:"reason"`
	Level     int        `json:"level"`
	Asked     []string   `json:"asked,omitempty"`
	Exhausted bool       `json:"exhausted,omitempty"`
	Deadline  time.Time  `json:"deadline"`
	Told      []Audience `json:"told"`
}

// AssistConflict is the payload of assist.conflict: a directive of the
// asked agency ToAgency holds or clears the request's location. The
// request keeps its deadline, but is held to it (AssistRequest.Held): at
// it, it escalates unless an agency accepts first.
type AssistConflict struct {
	AssistRef
	Directive string     `json:"directive"`
	Issuer    Who        `json:"issuer"`
	Effect    string     `json:"effect"`
	Reason    string     `json:"reason"`
	Told      []Audience `json:"told"`
}

// AssistOnScene is the payload of assist.on_scene: a unit helping
// arrived. The request's deadline stops while one is on scene.
type AssistOnScene struct {
	AssistRef
	Unit string `json:"unit"`
}

// AssistUnitLeft is the payload of assist.unit_left: a unit helping left
// the request before the requester released it (How: it cleared, or was
// cancelled). The event's actor is who ordered it; Directives are the
// directives of the unit's agency in force over the request's place then;
// Reason is the reason given for a cancellation. Deadline is the
// request's deadline from now on: absent while another unit helping is on
// scene; a new arrival deadline if others are on their way; else a
// deadline for help to come again. ToAgency is the unit's agency; Told
// are the requester's agency and the supervisors of the unit's.
type AssistUnitLeft struct {
	AssistRef
	Unit       string     `json:"unit"`
	How        string     `json:"how"`
	Reason     string     `json:"reason,omitempty"`
	Directives []string   `json:"directives,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
	Told       []Audience `json:"told"`
}

// AssistClosed is the payload of assist.closed. Each unit still on the
// request going AVAILABLE follows.
type AssistClosed struct {
	AssistRef
	Disposition string `json:"disposition"`
}

// RequestAssist asks another agency for help: the agency named (To), or, if
// none is, level 1 of the requesting agency's mutual-aid plan. Any user of
// the requesting agency but an auditor may ask. If an agency asked holds
// the place by a directive, the conflict is shown at once, and the request
// escalates at its acknowledgement deadline unless accepted before it.
type RequestAssist struct {
	From     string
	To       string
	Unit     string // the requesting unit, if any, of From
	Location Location
	Nature   string // a short public description; nothing private
	Urgency  string
}

// MaxNature bounds a request's nature: a line, as an incident type is.
const MaxNature = 200

// Decide implements Command.
func (c RequestAssist) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	from, ok := s.Agencies[c.From]
	if !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.From)
	}
	if err := mayAct(actor, c.From); err != nil {
		return nil, err
	}
	if !actor.IsSystem() && actor.Role == RoleAuditor {
		return nil, Errorf(EFORBIDDEN, "an auditor reads the record and does not ask for assistance")
	}
	if !slices.Contains(Urgencies, c.Urgency) {
		return nil, Errorf(EINVALID, "urgency %q is not one of %s", c.Urgency, strings.Join(Urgencies, ", "))
	}
	if c.Unit != "" {
		u, ok := s.Units[c.Unit]
		if !ok || u.Agency != c.From {
			return nil, Errorf(ENOTFOUND, "agency %s has no unit %s", c.From, c.Unit)
		}
		// A request names a unit as the one in need: an officer speaks
		// for their own crew only, as with its EMERGENCY button.
		if actor.CrewBound() && !actor.Crews(u) {
			return nil, Errorf(EFORBIDDEN, "%s is not on the crew of unit %s, and an officer asks for assistance only for a unit they crew; sign on to it first", actor.User, u.CallSign)
		}
	}
	if err := checkLocation(&c.Location); err != nil {
		return nil, err
	}
	if err := CheckText("nature", &c.Nature, MaxNature, true); err != nil {
		return nil, err
	}
	level, asked := 0, []string{c.To}
	switch {
	case c.To == "" && from.Plan == nil:
		return nil, Errorf(EINVALID, "agency %s has no mutual-aid plan; name the agency you ask", c.From)
	case c.To == "":
		level, asked = 1, slices.Clone(from.Plan.Levels[0].Agencies)
	case c.To == c.From:
		return nil, Errorf(EINVALID, "agency %s cannot ask itself for assistance; name another agency", c.From)
	default:
		if err := s.askable(c.To); err != nil {
			return nil, err
		}
	}
	loc := cloneLocation(c.Location)
	loc.Text = strings.TrimSpace(loc.Text)
	a := newAssistDecision(s, actor, now)
	a.open(c.From, c.Unit, loc, strings.TrimSpace(c.Nature), c.Urgency, level, asked)
	return a.evs, nil
}

// answering returns the request id and the agency that answers it for
// actor (agency, or the actor's own), or an error if that agency may not.
func (s *State) answering(id, agency string, actor Actor) (*AssistRequest, string, error) {
	r, ok := s.Requests[id]
	if !ok || (!actor.IsSystem() && actor.Agency != "" && !r.Concerns(actor.Agency)) {
		// A request of others reads as a missing one.
		return nil, "", Errorf(ENOTFOUND, "request %s does not exist", id)
	}
	if agency == "" {
		agency = actor.Agency
	}
	if agency == "" {
		return nil, "", Errorf(EINVALID, "name the agency that answers request %s", id)
	}
	if err := mayAct(actor, agency); err != nil {
		return nil, "", err
	}
	if IsRemote(agency) && actor.Agency != agency {
		// Not even an installation administrator answers for a partner.
		return nil, "", Errorf(EFORBIDDEN, "only %s's installation answers for %s", PeerOfAgency(agency), agency)
	}
	if r.Status == RequestClosed {
		return nil, "", Errorf(ECONFLICT, "request %s is closed", r.ID)
	}
	if r.Answer(agency) == nil {
		return nil, "", Errorf(ECONFLICT, "agency %s has not been asked for request %s", agency, r.ID)
	}
	return r, agency, nil
}

// mayAnswer returns an error unless actor answers requests: a dispatcher,
// supervisor or liaison, or a partner's system.
func mayAnswer(actor Actor) error {
	switch {
	case actor.IsSystem(), actor.Role == RoleDispatcher, actor.Role == RoleSupervisor, actor.Role == RoleLiaison:
		return nil
	}
	return Errorf(EFORBIDDEN, "only a dispatcher, a supervisor or a liaison answers a request for assistance")
}

// AcknowledgeAssist says an asked agency has the request and is deciding:
// the deadline becomes one for its decision. While a directive conflict
// holds the request (AssistRequest.Held), an acknowledgement does not stop
// the clock: the deadline in force stays, and only an acceptance (with a
// supervisor's override for units the directive blocks) keeps the request
// from escalating at it.
type AcknowledgeAssist struct {
	Request string
	Agency  string // the agency answering; "" for the actor's own
}

// Decide implements Command.
func (c AcknowledgeAssist) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	r, agency, err := s.answering(c.Request, c.Agency, actor)
	if err != nil {
		return nil, err
	}
	if err := mayAnswer(actor); err != nil {
		return nil, err
	}
	if ans := r.Answer(agency); ans.Answer != AnswerAsked {
		return nil, Errorf(ECONFLICT, "agency %s has already %s request %s", agency, ans.Answer, r.ID)
	}
	a := newAssistDecision(s, actor, now)
	rr := a.get(r.ID)
	d := &AssistAcknowledged{AssistRef: a.ref(rr, agency)}
	switch {
	case rr.Origin != "":
		// A partner's request: its deadlines are the requester's, which
		// this answer moves there; here it shows none it cannot know.
	case rr.WaitingFor == WaitAnswer && rr.Held:
		d.Deadline, d.Held = at(*rr.Deadline), true
	case rr.WaitingFor == WaitAnswer:
		d.Deadline = at(now.Add(s.answerDeadlines(r.From, r.Urgency).decide()).UTC())
	}
	a.emit(rr, TypeAssistAcknowledged, d, nil)
	return a.evs, nil
}

// AcceptAssist says an asked agency helps, and sends units: AVAILABLE units
// of its own, which go DISPATCHED on the request. An agency may accept
// after it declined (things change), and accept again to send more units.
// Units a directive of the agency blocks at the request's location need a
// supervisor's Override with a reason, as in DispatchUnits.
//
// The units then have an arrival deadline: the drive time of the soonest
// of them and the plan's arrival margin. If none is on scene by then, the
// request escalates (EscalateNoArrival), the accepting agency staying on
// it. ETAs are the units' drive times to the request's place, by unit;
// the engine measures them on the centre's map from the units' last
// positions, whatever entrance the command came through, and a unit
// without one counts UnknownETA.
type AcceptAssist struct {
	Request  string
	Agency   string // the agency answering; "" for the actor's own
	Units    []string
	Override string
	ETAs     map[string]time.Duration
}

// Decide implements Command.
func (c AcceptAssist) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	r, agency, err := s.answering(c.Request, c.Agency, actor)
	if err != nil {
		return nil, err
	}
	if err := mayAnswer(actor); err != nil {
		return nil, err
	}
	if len(c.Units) == 0 {
		return nil, Errorf(EINVALID, "name at least one unit to send")
	}
	if len(c.Units) > MaxDispatch {
		return nil, Errorf(EINVALID, "an acceptance sends at most %d units", MaxDispatch)
	}
	remote := IsRemote(agency)
	if remote && actor.Agency != agency {
		return nil, Errorf(EFORBIDDEN, "only %s's installation sends its units", agency)
	}
	units := make([]*Unit, 0, len(c.Units))
	for i, id := range c.Units {
		if slices.Contains(c.Units[:i], id) {
			return nil, Errorf(EINVALID, "unit %s is named twice", id)
		}
		if remote {
			// A partner's unit is its own to check; here, it must be
			// one of its units, and not already on the request.
			if err := remoteUnit(id, agency); err != nil {
				return nil, err
			}
			if r.Helper(id) != nil {
				return nil, Errorf(ECONFLICT, "unit %s is already helping on request %s", id, r.ID)
			}
			continue
		}
		u, ok := s.Units[id]
		if !ok || u.Agency != agency {
			return nil, Errorf(ENOTFOUND, "agency %s has no unit %s", agency, id)
		}
		if err := freeToSend(u); err != nil {
			return nil, err
		}
		units = append(units, u)
	}
	var overrides []Event
	if !remote {
		var err error
		if overrides, err = s.checkDirectives(agency, r.Location, "", r.ID, units, c.Override, actor, now); err != nil {
			return nil, err
		}
	}
	a := newAssistDecision(s, actor, now)
	rr := a.get(r.ID)
	d := &AssistAccepted{AssistRef: a.ref(rr, agency), Units: slices.Clone(c.Units)}
	eta := UnknownETA
	for _, id := range c.Units {
		if t, ok := c.ETAs[id]; ok && t >= 0 && t < eta {
			eta = t
		}
	}
	d.ETASeconds = int(eta.Round(time.Second) / time.Second)
	if !rr.onScene() && rr.Origin == "" { // a partner's request: the requester's deadline
		by := now.Add(eta + s.answerDeadlines(r.From, r.Urgency).arrive()).UTC()
		if rr.WaitingFor == WaitArrival && rr.Deadline != nil && rr.Deadline.Before(by) {
			by = *rr.Deadline // units already on their way keep the deadline they have
		}
		d.Deadline = at(by)
	}
	a.emit(rr, TypeAssistAccepted, d, nil)
	evs := append(overrides, a.evs...)
	for _, u := range units {
		ev := statusChanged(u, StatusDispatched, "", actor, now)
		ev.Subject["request"] = r.ID
		evs = append(evs, ev)
	}
	return evs, nil
}

// DeclineAssist says an asked agency will not help. Only a supervisor of
// that agency may, and only with a reason (DESIGN.md, invariant 3); the
// request escalates at once unless another agency has accepted it.
type DeclineAssist struct {
	Request string
	Agency  string // the agency answering; "" for the supervisor's own
	Reason  string
}

// Decide implements Command.
func (c DeclineAssist) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	r, agency, err := s.answering(c.Request, c.Agency, actor)
	if err != nil {
		return nil, err
	}
	if err := mustBeSupervisor(actor, agency, "decline a request for assistance"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Reason) == "" {
		return nil, Errorf(EINVALID, "a decline needs a reason: say why %s cannot help", agency)
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	switch r.Answer(agency).Answer {
	case AnswerAccepted:
		return nil, Errorf(ECONFLICT, "agency %s has accepted request %s and sent units; it cannot decline it now", agency, r.ID)
	case AnswerDeclined:
		return nil, Errorf(ECONFLICT, "agency %s has already declined request %s", agency, r.ID)
	}
	a := newAssistDecision(s, actor, now)
	rr := a.get(r.ID)
	a.emit(rr, TypeAssistDeclined, &AssistDeclined{AssistRef: a.ref(rr, agency), Reason: strings.TrimSpace(c.Reason)}, nil)
	if rr.Awaiting() {
		a.escalate(rr, EscalateDeclined)
	}
	return a.evs, nil
}

// CloseAssist ends a request, as its requester says: help came and is done,
// or it is no longer needed. It releases the units still on it, which go
// AVAILABLE. It is refused while the requesting unit or a unit sent is in
// EMERGENCY: an officer's emergency is never closed as a side effect. An
// EMERGENCY request is an officer's emergency: only the person who raised
// it or a supervisor of the requesting agency closes it, and with a
// disposition that says why.
type CloseAssist struct {
	Request     string
	Disposition string
}

// Decide implements Command.
func (c CloseAssist) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	r, ok := s.Requests[c.Request]
	if !ok || (!actor.IsSystem() && actor.Agency != "" && !r.Concerns(actor.Agency)) {
		return nil, Errorf(ENOTFOUND, "request %s does not exist", c.Request)
	}
	if err := mayAct(actor, r.From); err != nil || (r.Origin != "" && actor.Agency != r.From) {
		return nil, Errorf(EFORBIDDEN, "only agency %s, which asked, closes request %s", r.From, r.ID)
	}
	if !actor.IsSystem() && actor.Role == RoleAuditor {
		return nil, Errorf(EFORBIDDEN, "an auditor reads the record and does not close requests")
	}
	if r.Status == RequestClosed {
		return nil, Errorf(ECONFLICT, "request %s is already closed", r.ID)
	}
	if err := CheckText("disposition", &c.Disposition, 200, true); err != nil {
		return nil, err
	}
	// A mirror is closed by the requester's installation, which decided
	// there who may end its EMERGENCY; a mirror raised by an escalation
	// does not even know who raised it.
	if r.Urgency == UrgencyEmergency && r.Origin == "" {
		if err := mayEndEmergency(actor, r.From, r.User, "close EMERGENCY request "+r.ID); err != nil {
			return nil, err
		}
	}
	if u := s.Units[r.Unit]; u != nil && u.Status == StatusEmergency {
		return nil, Errorf(ECONFLICT, "unit %s is in EMERGENCY; resolve the emergency before closing request %s", u.CallSign, r.ID)
	}
	var units []*Unit
	for _, id := range r.Units {
		u := s.Units[id]
		if u == nil || u.Request != r.ID || slices.Contains(units, u) {
			continue // it has left the request, or was sent twice
		}
		if u.Status == StatusEmergency {
			return nil, Errorf(ECONFLICT, "unit %s is in EMERGENCY on request %s; resolve the emergency before closing the request", u.CallSign, r.ID)
		}
		units = append(units, u)
	}
	a := newAssistDecision(s, actor, now)
	rr := a.get(r.ID)
	a.emit(rr, TypeAssistClosed, &AssistClosed{AssistRef: a.ref(rr, r.To), Disposition: strings.TrimSpace(c.Disposition)}, nil)
	evs := a.evs
	for _, u := range units {
		ev := statusChanged(u, StatusAvailable, "", actor, now)
		ev.Subject["request"] = r.ID
		evs = append(evs, ev)
	}
	return evs, nil
}

// cloneLocation returns a copy of l that shares no pointer with it.
func cloneLocation(l Location) Location {
	if l.Lat != nil {
		l.Lat = floatPtr(*l.Lat)
	}
	if l.Lon != nil {
		l.Lon = floatPtr(*l.Lon)
	}
	return l
}

func floatPtr(f float64) *float64 { return &f }
