package dispatch

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Mutual aid across installations (issue 17, "Federation"). An agency on a
// partner installation is named AGENCY@PEER: the agency's id there, and the
// name this installation knows the partner by (a peer, peer.go), such as
// sheriff@county. A mutual-aid plan may name such agencies, and a request
// may ask them; the request then lives here, where it was raised, and its
// deadlines run here exactly as for a local agency. The partner keeps a
// mirror of it (Origin set): its own agencies answer there, their answers
// come back as signed messages and are decided here as that agency's
// (AcknowledgeAssist, AcceptAssist, DeclineAssist, PartnerOnScene,
// PartnerUnitLeft, PartnerConflict). The engine carries the messages; the
// domain decides what they mean.
//
// A partner's actor is an Actor whose Agency is the remote agency: the
// person who answered there, in the role they answered in. The partner's
// installation vouches for them (its log signed the event); no local user
// can act as one, for every local actor's agency is a local agency.

// remoteRE is a remote agency's name: an agency id and a peer name, both
// slugs (command.go).
var remoteRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}@[a-z][a-z0-9-]{1,31}$`)

// RemoteAgency splits a remote agency's name, agency@peer.
func RemoteAgency(id string) (agency, peer string, ok bool) {
	if !remoteRE.MatchString(id) {
		return "", "", false
	}
	agency, peer, _ = strings.Cut(id, "@")
	return agency, peer, true
}

// IsRemote reports whether id names an agency of a partner installation.
func IsRemote(id string) bool { return strings.Contains(id, "@") }

// Remote returns the name of agency on peer: agency@peer.
func Remote(agency, peer string) string { return agency + "@" + peer }

// PeerOfAgency returns the peer of a remote agency, or "".
func PeerOfAgency(id string) string {
	_, p, _ := RemoteAgency(id)
	return p
}

// Partner returns the peer an actor speaks for, or "" for a local actor.
func (a Actor) Partner() string {
	if a.IsSystem() {
		return ""
	}
	return PeerOfAgency(a.Agency)
}

// askable returns an error unless id may be asked for assistance from
// here: a local agency, or an agency of a known peer.
func (s *State) askable(id string) error {
	if IsRemote(id) {
		_, peer, ok := RemoteAgency(id)
		if !ok {
			return Errorf(EINVALID, "%q is not an agency of a partner installation (agency@peer, both lower-case letters, digits or dashes)", id)
		}
		if s.Peers[peer] == nil {
			return Errorf(ENOTFOUND, "agency %s names peer %s, which this installation does not know; add the peer first", id, peer)
		}
		return nil
	}
	if s.Agencies[id] == nil {
		return Errorf(ENOTFOUND, "agency %q does not exist", id)
	}
	return nil
}

// known reports whether an event may name id as an agency asked: a local
// agency, or any well-formed remote one (its peer may since have been
// removed: the log keeps what was asked then).
func (s *State) known(id string) bool {
	if IsRemote(id) {
		_, _, ok := RemoteAgency(id)
		return ok
	}
	return s.Agencies[id] != nil
}

// requestIDRE is a request's id on the installation that raised it.
var requestIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}-A-[0-9]{4}-[0-9]{6}$`)

// MirrorID returns the id of the mirror of request id, raised on peer.
func MirrorID(id, peer string) string { return id + "@" + peer }

// SplitMirror returns the id a mirror's request has where it was raised,
// and the peer it was raised on.
func SplitMirror(id string) (remote, peer string, ok bool) {
	i := strings.LastIndexByte(id, '@')
	if i < 0 || !requestIDRE.MatchString(id[:i]) || !slugRE.MatchString(id[i+1:]) {
		return "", "", false
	}
	return id[:i], id[i+1:], true
}

// ReceiveAssist is a partner's request for assistance as it reaches this
// installation: its agencies Asked (local ids) are asked to help. It raises
// the request's mirror (id MirrorID(Request, Peer)), which the agencies
// asked answer as any request; or, if the mirror exists, asks the agencies
// not yet asked (the requester escalated). The mirror never escalates
// here: the requester's installation keeps its deadlines. The actor is the
// partner's: the person who asked there (or nobody, for an escalation of
// its timers), of agency Remote(From, Peer).
type ReceiveAssist struct {
	Peer     string
	Request  string // the request's id on the peer
	From     string // the requesting agency's id on the peer
	Unit     string // the requesting unit's id on the peer, if any
	Location Location
	Nature   string
	Urgency  string
	Level    int
	Asked    []string
	Deadline time.Time // when the requester's plan escalates unless answered
	// Placeless says the partner's event carried no place (an escalation
	// reaching a new partner): without one from the message's EIDO, the
	// mirror says so ("place not received").
	Placeless bool
}

// Place implements Placed: the request's place on this centre's map.
func (c ReceiveAssist) Place(p Places) (Command, error) {
	c.Location = p.Resolve(c.Location)
	return c, nil
}

// Decide implements Command.
func (c ReceiveAssist) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if s.Peers[c.Peer] == nil {
		return nil, Errorf(ENOTFOUND, "there is no peer %s", c.Peer)
	}
	from := Remote(c.From, c.Peer)
	if actor.Partner() != c.Peer || actor.Agency != from {
		return nil, Errorf(EFORBIDDEN, "a request of %s is received from %s alone", from, c.Peer)
	}
	if !requestIDRE.MatchString(c.Request) || !strings.HasPrefix(c.Request, c.From+"-A-") {
		return nil, Errorf(EINVALID, "%q is not a request id of agency %s", c.Request, c.From)
	}
	if !slices.Contains(Urgencies, c.Urgency) {
		return nil, Errorf(EINVALID, "urgency %q is not one of %s", c.Urgency, strings.Join(Urgencies, ", "))
	}
	if len(c.Asked) == 0 {
		return nil, Errorf(EINVALID, "request %s asks no agency of this installation", c.Request)
	}
	for i, ag := range c.Asked {
		if IsRemote(ag) || s.Agencies[ag] == nil {
			return nil, Errorf(ENOTFOUND, "request %s asks agency %q, which this installation does not have", c.Request, ag)
		}
		if slices.Contains(c.Asked[:i], ag) {
			return nil, Errorf(EINVALID, "request %s asks agency %s twice", c.Request, ag)
		}
	}
	if c.Placeless && c.Location.Lat == nil && strings.TrimSpace(c.Location.Text) == "" {
		c.Location = Location{Text: "place not received: request " + c.Request}
	}
	if c.Placeless && strings.TrimSpace(c.Nature) == "" {
		c.Nature = "assistance request " + c.Request
	}
	if err := checkLocation(&c.Location); err != nil {
		return nil, err
	}
	if err := CheckText("nature", &c.Nature, MaxNature, true); err != nil {
		return nil, err
	}
	id := MirrorID(c.Request, c.Peer)
	a := newAssistDecision(s, actor, now)
	if r := s.Requests[id]; r != nil {
		if r.Status == RequestClosed {
			return nil, Errorf(ECONFLICT, "request %s is closed", id)
		}
		var fresh []string
		for _, ag := range c.Asked {
			if r.Answer(ag) == nil {
				fresh = append(fresh, ag)
			}
		}
		if len(fresh) == 0 {
			return nil, Errorf(ECONFLICT, "request %s has already asked %s", id, strings.Join(c.Asked, ", "))
		}
		rr := a.get(id)
		told := []Audience{}
		for _, ag := range fresh {
			told = append(told, Audience{Agency: ag})
		}
		a.emit(rr, TypeAssistEscalated, &AssistEscalated{
			AssistRef: a.ref(rr, fresh[0]), Reason: EscalatePartner, Level: max(c.Level, rr.Level+1), Asked: fresh,
			Deadline: c.Deadline.UTC(), Told: told,
		}, nil)
		a.conflicts(rr, fresh)
		return a.evs, nil
	}
	var unit string
	if c.Unit != "" {
		if !slugRE.MatchString(c.Unit) && !unitIDRE.MatchString(c.Unit) {
			return nil, Errorf(EINVALID, "%q is not a unit id", c.Unit)
		}
		unit = c.Unit + "@" + c.Peer
	}
	loc := cloneLocation(c.Location)
	loc.Text = strings.TrimSpace(loc.Text)
	told := []Audience{}
	for _, ag := range c.Asked {
		told = append(told, Audience{Agency: ag})
	}
	d := &AssistRequested{
		AssistRef: AssistRef{Request: id, FromAgency: from, ToAgency: c.Asked[0], Urgency: c.Urgency},
		Origin:    c.Peer, Unit: unit, Location: loc, Nature: strings.TrimSpace(c.Nature), Level: c.Level,
		Asked: slices.Clone(c.Asked), Deadline: c.Deadline.UTC(), Told: told,
	}
	r := newAssistRequest(Event{Time: now, Actor: actor, Agency: from, Data: d}, d)
	a.reqs[id] = r
	a.emit(r, TypeAssistRequested, d, nil)
	a.conflicts(r, c.Asked)
	return a.evs, nil
}

// unitIDRE is a unit id as a partner may have it: letters, digits, dashes
// and dots, as call signs are.
var unitIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$`)

// EscalatePartner is why a mirror asked more of this installation's
// agencies: the requester's installation escalated to them.
const EscalatePartner = "partner"

// partnerAnswer returns the request and the remote agency a partner's
// actor answers for, with the checks every partner step shares.
func (s *State) partnerAnswer(id, agency string, actor Actor) (*AssistRequest, error) {
	r, agency, err := s.answering(id, agency, actor)
	if err != nil {
		return nil, err
	}
	if !IsRemote(agency) || actor.Agency != agency {
		return nil, Errorf(EFORBIDDEN, "only %s's installation tells what its units do", agency)
	}
	return r, nil
}

// remoteUnit checks that unit names a unit of the remote agency's peer.
func remoteUnit(unit, agency string) error {
	i := strings.LastIndexByte(unit, '@')
	if i < 0 || !unitIDRE.MatchString(unit[:i]) || unit[i+1:] != PeerOfAgency(agency) {
		return Errorf(EINVALID, "%q is not a unit of %s (unit@%s)", unit, agency, PeerOfAgency(agency))
	}
	return nil
}

// PartnerOnScene says a unit a partner sent on a request arrived.
type PartnerOnScene struct {
	Request string
	Agency  string // the remote agency whose unit it is
	Unit    string // unit@peer
}

// Decide implements Command.
func (c PartnerOnScene) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	r, err := s.partnerAnswer(c.Request, c.Agency, actor)
	if err != nil {
		return nil, err
	}
	h := r.Helper(c.Unit)
	if h == nil || h.Agency != c.Agency {
		return nil, Errorf(ECONFLICT, "unit %s is not on its way to request %s", c.Unit, r.ID)
	}
	if h.OnScene {
		return nil, Errorf(ECONFLICT, "unit %s is already on scene of request %s", c.Unit, r.ID)
	}
	a := newAssistDecision(s, actor, now)
	rr := a.get(r.ID)
	a.emit(rr, TypeAssistOnScene, &AssistOnScene{AssistRef: a.ref(rr, c.Agency), Unit: c.Unit}, nil)
	return a.evs, nil
}

// PartnerUnitLeft says a unit a partner sent left the request before the
// requester released it: it cleared, or its supervisor called it back.
type PartnerUnitLeft struct {
	Request string
	Agency  string
	Unit    string
	How     string
	Reason  string
}

// Decide implements Command.
func (c PartnerUnitLeft) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	r, err := s.partnerAnswer(c.Request, c.Agency, actor)
	if err != nil {
		return nil, err
	}
	if h := r.Helper(c.Unit); h == nil || h.Agency != c.Agency {
		return nil, Errorf(ECONFLICT, "unit %s is not helping on request %s", c.Unit, r.ID)
	}
	if c.How != LeftCleared && c.How != LeftCancelled {
		return nil, Errorf(EINVALID, "a unit leaves a request %s or %s, not %q", LeftCleared, LeftCancelled, c.How)
	}
	if err := CheckText("reason", &c.Reason, 500, false); err != nil {
		return nil, err
	}
	return s.left(r.ID, c.Unit, c.Agency, c.How, strings.TrimSpace(c.Reason), actor, now), nil
}

// PartnerConflict says a directive of a partner's agency stands against a
// request it was asked for: the request is held to its deadline, as for a
// local directive (assist.conflict), and escalates at it unless an agency
// accepts first. Directive is the directive's id there, with @peer.
type PartnerConflict struct {
	Request   string
	Agency    string
	Directive string
	Effect    string
	Reason    string
	Issuer    Who // as the partner recorded it, agency made remote
}

// Decide implements Command.
func (c PartnerConflict) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	r, err := s.partnerAnswer(c.Request, c.Agency, actor)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(c.Directive, "@"+PeerOfAgency(c.Agency)) || len(c.Directive) > 100 {
		return nil, Errorf(EINVALID, "%q is not a directive of %s", c.Directive, c.Agency)
	}
	if c.Effect != EffectHold && c.Effect != EffectClear {
		return nil, Errorf(EINVALID, "a directive in a request's way holds or clears, not %q", c.Effect)
	}
	if err := CheckText("reason", &c.Reason, 500, false); err != nil {
		return nil, err
	}
	if ans := r.Answer(c.Agency); !r.Awaiting() || ans.Answer == AnswerAccepted || ans.Answer == AnswerDeclined || slices.Contains(ans.Conflicts, c.Directive) {
		return nil, Errorf(ECONFLICT, "request %s does not wait on %s's answer, or knows directive %s", r.ID, c.Agency, c.Directive)
	}
	a := newAssistDecision(s, actor, now)
	rr := a.get(r.ID)
	issuer := c.Issuer
	issuer.Agency = c.Agency
	a.emit(rr, TypeAssistConflict, &AssistConflict{
		AssistRef: a.ref(rr, c.Agency), Directive: c.Directive, Issuer: issuer, Effect: c.Effect,
		Reason: strings.TrimSpace(c.Reason), Told: []Audience{{Agency: r.From}},
	}, map[string]string{"directive": c.Directive})
	return a.evs, nil
}

// Outgoing returns the peers an event must be sent to, by name, sorted:
// a request raised here asking their agencies, or escalated to them, or
// released (sent to every peer asked); and an answer of a local agency to
// a partner's request (its mirror), sent back to the requester's peer.
// Everything else stays here.
func Outgoing(e Event) []string {
	var agencies []string
	switch d := e.Data.(type) {
	case *AssistRequested:
		if d.Origin == "" {
			agencies = d.Asked
		}
	case *AssistEscalated:
		if !IsRemote(d.FromAgency) {
			agencies = d.Asked
		}
	case *AssistClosed:
		if !IsRemote(d.FromAgency) {
			agencies = strings.Split(e.Subject["agencies"], ",")
		}
	case *AssistAcknowledged, *AssistAccepted, *AssistDeclined, *AssistOnScene, *AssistUnitLeft, *AssistConflict:
		ref := d.(assistPayload).assistRef()
		if IsRemote(ref.FromAgency) && !IsRemote(ref.ToAgency) {
			agencies = []string{ref.FromAgency}
		}
	case *WitnessFork:
		// The partner whose log forked is told too: its auditors, not
		// only its operator, must know (docs/federation.md).
		if d.Peer != "" {
			return []string{d.Peer}
		}
	}
	var peers []string
	for _, ag := range agencies {
		if p := PeerOfAgency(ag); p != "" && !slices.Contains(peers, p) {
			peers = append(peers, p)
		}
	}
	slices.Sort(peers)
	return peers
}
