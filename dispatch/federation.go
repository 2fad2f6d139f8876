package dispatch

import (
	"errors"
	"strings"
	"time"
)

// The record of messages between installations (issue 17). Every message
// is an event of the sender's log, sent with the proof that it is there;
// the receiver records that it received it (federation.received) and
// answers with a signed receipt that proves it, which the sender records
// (federation.delivered). A message that cannot be delivered is recorded
// once, at its first failure (federation.undelivered): a partner that does
// not answer is an unanswered partner, and the record shows it was tried.
const (
	TypeFederationReceived    = "federation.received"
	TypeFederationDelivered   = "federation.delivered"
	TypeFederationUndelivered = "federation.undelivered"
	// TypeWitnessForkReported is the alert of a partner's witness that saw
	// this installation's log fork: the two trees it was shown. It reaches
	// the installation's administrators and every agency's supervisors
	// and auditors, for the operator who rewrote the log may be the one
	// who would rather not tell them.
	TypeWitnessForkReported = "witness.fork_reported"
)

// SubjectFederation is the subject that names the message a
// federation.* event is about, by its id: the inbox finds by it a message
// it recorded already.
const SubjectFederation = "federation"

// Outcomes of a received message.
const (
	OutcomeApplied = "applied" // its command was decided and recorded here
	OutcomeRefused = "refused" // the domain refused its command; Reason says why
)

// FederationReceived is the payload of federation.received: this
// installation received message MessageSeq of the peer's log (of type
// MessageType, recorded there at Sent) and applied it, or refused it.
// Late says it came after the deadline the requester set for an answer,
// by LateSeconds. The refusal's text may name people: it is private.
type FederationReceived struct {
	Peer        string    `json:"peer"`
	PeerOrigin  string    `json:"peer_origin"`
	Message     string    `json:"message"`
	MessageSeq  int64     `json:"message_seq"`
	MessageType string    `json:"message_type"`
	Request     string    `json:"request,omitempty"`
	Sent        time.Time `json:"sent"`
	Late        bool      `json:"late,omitempty"`
	LateSeconds int       `json:"late_seconds,omitempty"`
	Outcome     string    `json:"outcome"`
	Reason      string    `json:"reason,omitempty"`
	// EIDO says whether the EIDO the message carried (an ask carries the
	// request's) met NENA's schema: EIDOValid or EIDOInvalid; "" none.
	EIDO string `json:"eido,omitempty"`
}

// Verdicts on a message's EIDO (FederationReceived.EIDO).
const (
	EIDOValid   = "valid"
	EIDOInvalid = "invalid"
)

// FederationDelivered is the payload of federation.delivered: event Seq
// of this log, message Message, reached the peer, whose receipt is event
// ReceiptSeq of its log, under its checkpoint of ReceiptSize; it applied
// the message, or refused it (Outcome). Attempts counts the failed tries
// before.
type FederationDelivered struct {
	Peer        string    `json:"peer"`
	PeerOrigin  string    `json:"peer_origin"`
	Message     string    `json:"message"`
	Seq         int64     `json:"seq"`
	Type        string    `json:"type"`
	Request     string    `json:"request,omitempty"`
	ReceiptSeq  int64     `json:"receipt_seq"`
	ReceiptSize int64     `json:"receipt_size"`
	Received    time.Time `json:"received"`
	Outcome     string    `json:"outcome"`
	Reason      string    `json:"reason,omitempty"`
	Attempts    int       `json:"attempts,omitempty"`
}

// FederationUndelivered is the payload of federation.undelivered: event
// Seq, message Message, could not be delivered to the peer: Error says how
// (unreachable, or the status it answered). It is tried again until it is
// delivered.
type FederationUndelivered struct {
	Peer       string `json:"peer"`
	PeerOrigin string `json:"peer_origin"`
	Message    string `json:"message"`
	Seq        int64  `json:"seq"`
	Type       string `json:"type"`
	Request    string `json:"request,omitempty"`
	Error      string `json:"error"`
}

// Receive records a partner's message and decides what it asks: Cmd, by
// the partner's actor As (remote.go), at once. The receipt comes first in
// the log; when the domain refuses Cmd, the receipt alone is recorded,
// with why: a message is never lost, even one that cannot be acted on.
// The engine builds it from a message whose signature and proofs it
// checked; only the system records one. Deadline, if not zero, is when
// the requester wanted an answer by: a message received after it is late.
type Receive struct {
	Received FederationReceived
	Deadline time.Time
	As       Actor
	Cmd      Command // nil: nothing to decide (recorded only)
	// Fork is a partner's witness's report of a fork of this log,
	// recorded as the alert witness.fork_reported.
	Fork *WitnessFork
}

// Decide implements Command.
func (c Receive) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "a partner's message is recorded by the federation alone")
	}
	d := c.Received
	p := s.Peers[d.Peer]
	if p == nil || p.Origin != d.PeerOrigin {
		return nil, Errorf(ENOTFOUND, "there is no peer %s of origin %s", d.Peer, d.PeerOrigin)
	}
	if c.As.IsSystem() || (c.As.Agency != "" && c.As.Partner() != d.Peer) {
		return nil, Errorf(EFORBIDDEN, "peer %s speaks for its own agencies alone", d.Peer)
	}
	d.Outcome, d.Reason = OutcomeApplied, ""
	if !c.Deadline.IsZero() && now.After(c.Deadline) {
		d.Late, d.LateSeconds = true, int(now.Sub(c.Deadline)/time.Second)
	}
	var evs []Event
	if c.Cmd != nil {
		var err error
		evs, err = c.Cmd.Decide(s, c.As, now) // cross-staffing follows, in Decide
		var de *Error
		switch {
		case errors.As(err, &de):
			d.Outcome, d.Reason = OutcomeRefused, truncate(de.Error(), 500)
			evs = nil
		case err != nil:
			return nil, err
		}
	}
	subject := map[string]string{"peer": d.Peer, SubjectFederation: d.Message}
	if d.Request != "" {
		// The agencies the request concerns once the message is applied:
		// its last event's, or the request's as it stands.
		subject["request"] = d.Request
		if r := s.Requests[d.Request]; r != nil {
			subject["agencies"] = strings.Join(r.Agencies(), ",")
		}
		for _, e := range evs {
			if ag := e.Subject["agencies"]; e.Subject["request"] == d.Request && ag != "" {
				subject["agencies"] = ag
			}
		}
	}
	rec := Event{Time: now, Type: TypeFederationReceived, Actor: actor, Subject: subject, Data: &d}
	if c.Fork != nil {
		f := *c.Fork
		f.Peer = d.Peer
		evs = append(evs, Event{Time: now, Type: TypeWitnessForkReported, Actor: actor,
			Subject: map[string]string{"peer": d.Peer, "origin": f.Origin}, Data: &f})
	}
	return append([]Event{rec}, evs...), nil
}

// RecordDelivery records what became of a message this installation sent:
// delivered with the peer's receipt, or undelivered (its first failure).
// Only the system records one: the outbox, once the receipt checked out.
type RecordDelivery struct {
	Delivered   *FederationDelivered
	Undelivered *FederationUndelivered
}

// Decide implements Command.
func (c RecordDelivery) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "a delivery is recorded by the federation alone")
	}
	var typ, peer, request, message string
	var data any
	switch {
	case c.Delivered != nil && c.Undelivered == nil:
		d := *c.Delivered
		d.Reason = truncate(d.Reason, 500)
		typ, peer, request, message, data = TypeFederationDelivered, d.Peer, d.Request, d.Message, &d
	case c.Undelivered != nil && c.Delivered == nil:
		d := *c.Undelivered
		d.Error = truncate(d.Error, 200)
		typ, peer, request, message, data = TypeFederationUndelivered, d.Peer, d.Request, d.Message, &d
	default:
		return nil, Errorf(EINVALID, "a delivery is delivered or undelivered")
	}
	subject := map[string]string{"peer": peer, SubjectFederation: message}
	if r := s.Requests[request]; r != nil {
		subject["request"] = request
		subject["agencies"] = strings.Join(r.Agencies(), ",")
	}
	return []Event{{Time: now, Type: typ, Actor: actor, Subject: subject, Data: data}}, nil
}

// truncate cuts s to at most n bytes, dropping a rune cut in two.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// FederationRequest returns the request a message about request id of a
// peer concerns here: a request raised here (its mirror's id, from the
// peer, cut of "@<our name there>"), or the mirror of the peer's.
func FederationRequest(s *State, peer, id string, mirror bool) string {
	if mirror {
		return MirrorID(id, peer)
	}
	if own, _, ok := SplitMirror(id); ok && s.Requests[own] != nil && s.Requests[own].Origin == "" {
		return own
	}
	return ""
}

// refused is a command a message asks that cannot be: Receive records the
// message with why.
type refused struct{ err error }

// Refuse returns the command of a message that cannot be acted on, for
// err: Receive records the message as refused, with why.
func Refuse(err error) Command { return refused{err} }

func (c refused) Decide(*State, Actor, time.Time) ([]Event, error) { return nil, c.err }

// Inbound returns what event ev of a peer's log, sent to this installation
// as message id (the seq-th event of the peer's log), asks of it: the
// Receive that records it and decides its command. as is the name the peer
// knows this installation by (its agencies there are agency@as). A request
// raised there asks agencies here (ReceiveAssist) or is released
// (CloseAssist of its mirror); an answer there, to a request raised here,
// is that agency's answer (remote.go). Anything else is recorded as
// refused: a partner sends nothing else.
func Inbound(s *State, peer, as, id string, seq int64, ev Event) Receive {
	rc := Receive{Received: FederationReceived{Peer: peer, Message: id, MessageSeq: seq, MessageType: ev.Type, Sent: ev.Time}}
	if p := s.Peers[peer]; p != nil {
		rc.Received.PeerOrigin = p.Origin
	}
	// The person who acted there speaks for agency only if they are one of
	// its: a conflict raised as a partner's request arrived was recorded
	// there as the requester's doing, not as one of the agency's people.
	partner := func(agency string) Actor {
		a := Actor{Agency: Remote(agency, peer)}
		if !ev.Actor.IsSystem() && ev.Actor.Agency == agency {
			a.User, a.Role = ev.Actor.User, ev.Actor.Role
		}
		return a
	}
	ours := func(asked []string) []string {
		var out []string
		for _, ag := range asked {
			if a, p, ok := RemoteAgency(ag); ok && p == as {
				out = append(out, a)
			}
		}
		return out
	}
	ask := func(ref AssistRef, unit string, loc Location, nature string, level int, asked []string, deadline time.Time) {
		rc.Received.Request = MirrorID(ref.Request, peer)
		rc.Deadline = deadline
		rc.As = partner(ref.FromAgency)
		rc.Cmd = ReceiveAssist{Peer: peer, Request: ref.Request, From: ref.FromAgency, Unit: unit, Location: loc,
			Nature: nature, Urgency: ref.Urgency, Level: level, Asked: ours(asked), Deadline: deadline}
	}
	refuse := func(format string, args ...any) { rc.Cmd = refused{Errorf(EINVALID, format, args...)} }
	switch d := ev.Data.(type) {
	case *AssistRequested:
		if d.Origin != "" || IsRemote(d.FromAgency) {
			refuse("%s of a request raised elsewhere is not a partner's request", ev.Type)
			break
		}
		ask(d.AssistRef, d.Unit, d.Location, d.Nature, d.Level, d.Asked, d.Deadline)
	case *AssistEscalated:
		if d.Exhausted || IsRemote(d.FromAgency) {
			refuse("%s asks no agency here", ev.Type)
			break
		}
		// The escalation carries no place: the mirror has it, or the
		// message's EIDO does (the inbox reads it: Placeless), or the
		// request is received without one and says so.
		r := s.Requests[MirrorID(d.Request, peer)]
		if r != nil {
			ask(d.AssistRef, "", r.Location, r.Nature, d.Level, d.Asked, d.Deadline)
			break
		}
		ask(d.AssistRef, "", Location{}, "", d.Level, d.Asked, d.Deadline)
		c := rc.Cmd.(ReceiveAssist)
		c.Placeless = true
		rc.Cmd = c
	case *AssistClosed:
		rc.Received.Request = MirrorID(d.Request, peer)
		rc.As = partner(d.FromAgency)
		rc.Cmd = CloseAssist{Request: rc.Received.Request, Disposition: d.Disposition}
	case *AssistAcknowledged, *AssistAccepted, *AssistDeclined, *AssistOnScene, *AssistUnitLeft, *AssistConflict:
		ref := d.(assistPayload).assistRef()
		own, _, ok := SplitMirror(ref.Request)
		from, p, _ := RemoteAgency(ref.FromAgency)
		r := s.Requests[own]
		if !ok || p != as || r == nil || r.Origin != "" || r.From != from {
			refuse("%s is about request %s, which was not raised here", ev.Type, ref.Request)
			break
		}
		rc.Received.Request = own
		agency := Remote(ref.ToAgency, peer)
		rc.As = partner(ref.ToAgency)
		switch d := d.(type) {
		case *AssistAcknowledged:
			rc.Cmd = AcknowledgeAssist{Request: own, Agency: agency}
		case *AssistAccepted:
			c := AcceptAssist{Request: own, Agency: agency, ETAs: map[string]time.Duration{}}
			for _, u := range d.Units {
				c.Units = append(c.Units, u+"@"+peer)
				if d.ETASeconds > 0 {
					c.ETAs[u+"@"+peer] = time.Duration(d.ETASeconds) * time.Second
				}
			}
			rc.Cmd = c
		case *AssistDeclined:
			rc.Cmd = DeclineAssist{Request: own, Agency: agency, Reason: d.Reason}
		case *AssistOnScene:
			rc.Cmd = PartnerOnScene{Request: own, Agency: agency, Unit: d.Unit + "@" + peer}
		case *AssistUnitLeft:
			rc.Cmd = PartnerUnitLeft{Request: own, Agency: agency, Unit: d.Unit + "@" + peer, How: d.How, Reason: d.Reason}
		case *AssistConflict:
			rc.Cmd = PartnerConflict{Request: own, Agency: agency, Directive: d.Directive + "@" + peer,
				Effect: d.Effect, Reason: d.Reason, Issuer: d.Issuer}
		}
	case *WitnessFork:
		// The partner's witness saw this log fork: told to all here.
		f := *d
		rc.Fork = &f
	default:
		refuse("%s is not a message between installations", ev.Type)
	}
	return rc
}
