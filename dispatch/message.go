package dispatch

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Message event types: a message sent, and each recipient's receipts.
const (
	TypeMessageSent      = "message.sent"
	TypeMessageDelivered = "message.delivered"
	TypeMessageRead      = "message.read"
)

// PrivateMessage is the private field that holds a message's text: the log
// keeps only its commitment.
const PrivateMessage = "message"

// MaxMessageLength bounds a message's text, MaxAddressees the addressees
// one message names and MaxRecipients what they resolve to.
const (
	MaxMessageLength = 2000
	MaxAddressees    = 20
	MaxRecipients    = 500
)

// Addressee kinds. An addressee is "kind:id": a unit ("unit:metro.1a12"),
// a user ("user:alice"), the agency's dispatch desk ("dispatch", its
// dispatchers and supervisors), or a group resolved to units when the
// message is sent: an incident's assigned units ("incident:<id>"), the
// units in a district ("district:<name>", resolved by the caller from the
// units' last positions, see SendMessage.Districts) or all the agency's
// units ("agency:<id>").
const (
	AddrUnit     = "unit"
	AddrUser     = "user"
	AddrDispatch = "dispatch"
	AddrIncident = "incident"
	AddrDistrict = "district"
	AddrAgency   = "agency"
)

// A Message is a text from a user (optionally speaking as a unit) to
// units, users or the dispatch desk of one agency. Recipients are what its
// addressees resolved to when it was sent ("unit:<id>", "user:<name>",
// "dispatch:<agency>"); Delivered and Read hold each recipient's receipts.
// Text is private.
type Message struct {
	ID         string               `json:"id"`
	Agency     string               `json:"agency"`
	Time       time.Time            `json:"time"`
	From       Who                  `json:"from"`
	FromUnit   string               `json:"from_unit,omitempty"`
	To         []string             `json:"to"`
	Recipients []string             `json:"recipients"`
	Priority   bool                 `json:"priority,omitempty"`
	Text       string               `json:"text,omitempty"`
	Delivered  map[string]time.Time `json:"delivered"`
	Read       map[string]time.Time `json:"read"`
}

// MessageSent is the payload of message.sent. The text is the private
// field "message"; the sender is the event's actor.
type MessageSent struct {
	ID         string   `json:"id"`
	FromUnit   string   `json:"from_unit,omitempty"`
	To         []string `json:"to"`
	Recipients []string `json:"recipients"`
	Priority   bool     `json:"priority,omitempty"`
}

// MessageReceipt is the payload of message.delivered and message.read: the
// message and the recipient whose console has it, or whose reader saw it.
type MessageReceipt struct {
	Message   string `json:"message"`
	Recipient string `json:"recipient"`
}

// SendMessage sends a message within an agency. The addressees resolve to
// recipients now, and the message keeps them: a unit that joins the
// incident later does not receive it. Districts gives the units of each
// district addressed, which the caller resolves from the units' last
// positions (soft state the domain does not hold).
type SendMessage struct {
	Agency    string // "" for the actor's own
	FromUnit  string // the unit the sender speaks as, if any
	To        []string
	Text      string
	Priority  bool
	Districts map[string][]string
}

// Decide implements Command.
func (c SendMessage) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	agency := c.Agency
	if agency == "" {
		agency = actor.Agency
	}
	if _, ok := s.Agencies[agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", agency)
	}
	if err := mayAct(actor, agency); err != nil {
		return nil, err
	}
	if err := CheckText("message", &c.Text, MaxMessageLength, true); err != nil {
		return nil, err
	}
	if c.FromUnit != "" {
		if u, ok := s.Units[c.FromUnit]; !ok || u.Agency != agency {
			return nil, Errorf(ENOTFOUND, "unit %s does not exist", c.FromUnit)
		}
	}
	if len(c.To) == 0 {
		return nil, Errorf(EINVALID, "a message needs at least one addressee")
	}
	if len(c.To) > MaxAddressees {
		return nil, Errorf(EINVALID, "a message may name at most %d addressees", MaxAddressees)
	}
	var to, recipients []string
	add := func(r string) {
		if !slices.Contains(recipients, r) {
			recipients = append(recipients, r)
		}
	}
	for _, a := range c.To {
		a = strings.TrimSpace(a)
		kind, id, _ := strings.Cut(a, ":")
		switch kind {
		case AddrUnit:
			if u, ok := s.Units[id]; !ok || u.Agency != agency {
				return nil, Errorf(ENOTFOUND, "unit %s does not exist", id)
			}
			add(a)
		case AddrUser:
			if u, ok := s.Users[id]; !ok || u.Agency != agency {
				return nil, Errorf(ENOTFOUND, "user %s does not exist", id)
			}
			add(a)
		case AddrDispatch:
			if id != "" && id != agency {
				return nil, Errorf(EINVALID, "a message goes to its own agency's dispatch, not %s", id)
			}
			a = AddrDispatch
			add(AddrDispatch + ":" + agency)
		case AddrIncident:
			in, ok := s.Incidents[id]
			if !ok || in.Agency != agency {
				return nil, Errorf(ENOTFOUND, "incident %s does not exist", id)
			}
			for _, u := range in.Units {
				if s.Units[u].Incident == in.ID {
					add(AddrUnit + ":" + u)
				}
			}
		case AddrAgency:
			if id != agency {
				return nil, Errorf(EINVALID, "a message goes to the units of its own agency, not %s", id)
			}
			for _, u := range s.UnitList(agency) {
				add(AddrUnit + ":" + u.ID)
			}
		case AddrDistrict:
			if id == "" {
				return nil, Errorf(EINVALID, "district addressee %q names no district", a)
			}
			for _, u := range c.Districts[id] {
				if unit, ok := s.Units[u]; ok && unit.Agency == agency {
					add(AddrUnit + ":" + u)
				}
			}
		default:
			return nil, Errorf(EINVALID, "addressee %q is not unit:, user:, dispatch, incident:, district: or agency:", a)
		}
		if !slices.Contains(to, a) {
			to = append(to, a)
		}
	}
	// The sender does not receive their own message.
	recipients = slices.DeleteFunc(recipients, func(r string) bool {
		return r == AddrUser+":"+actor.User || (c.FromUnit != "" && r == AddrUnit+":"+c.FromUnit)
	})
	if len(recipients) == 0 {
		return nil, Errorf(ECONFLICT, "the addressees %s have nobody to receive the message now", strings.Join(to, ", "))
	}
	if len(recipients) > MaxRecipients {
		return nil, Errorf(EINVALID, "the message would reach %d recipients, more than %d", len(recipients), MaxRecipients)
	}
	id := fmt.Sprintf("M%d", s.messageSerial+1)
	return []Event{{
		Time: now, Type: TypeMessageSent, Agency: agency, Actor: actor,
		Subject: map[string]string{"message": id},
		Data:    &MessageSent{ID: id, FromUnit: c.FromUnit, To: to, Recipients: recipients, Priority: c.Priority},
		Private: map[string]string{PrivateMessage: strings.TrimSpace(c.Text)},
	}}, nil
}

// AckMessage records that a recipient's console has a message (Read
// false: message.delivered) or that it was seen there (Read true:
// message.read). Unit names the recipient unit the caller acknowledges
// for; "" acknowledges as the caller (user:<name>, or dispatch:<agency>
// for a dispatcher or supervisor). A receipt given twice is not repeated;
// a read implies delivery.
type AckMessage struct {
	Message string
	Unit    string
	Read    bool
}

// Decide implements Command.
func (c AckMessage) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	m, ok := s.Messages[c.Message]
	if !ok || !m.VisibleTo(actor, c.Unit) {
		return nil, Errorf(ENOTFOUND, "message %s does not exist", c.Message)
	}
	recipient := m.RecipientFor(actor, c.Unit)
	if recipient == "" {
		return nil, Errorf(EFORBIDDEN, "you are not a recipient of message %s", m.ID)
	}
	var out []Event
	ev := func(typ string) Event {
		return Event{Time: now, Type: typ, Agency: m.Agency, Actor: actor,
			Subject: map[string]string{"message": m.ID},
			Data:    &MessageReceipt{Message: m.ID, Recipient: recipient}}
	}
	if _, ok := m.Delivered[recipient]; !ok {
		out = append(out, ev(TypeMessageDelivered))
	}
	if _, ok := m.Read[recipient]; c.Read && !ok {
		out = append(out, ev(TypeMessageRead))
	}
	return out, nil
}

// RecipientFor returns the recipient a caller stands for (speaking as
// unit, if not ""): the unit, the user, or the agency's dispatch desk; ""
// if none.
func (m *Message) RecipientFor(actor Actor, unit string) string {
	if actor.Agency != m.Agency {
		return ""
	}
	if unit != "" {
		if r := AddrUnit + ":" + unit; slices.Contains(m.Recipients, r) {
			return r
		}
		return ""
	}
	if r := AddrUser + ":" + actor.User; actor.User != "" && slices.Contains(m.Recipients, r) {
		return r
	}
	if r := AddrDispatch + ":" + m.Agency; (actor.Role == RoleDispatcher || actor.Role == RoleSupervisor) && slices.Contains(m.Recipients, r) {
		return r
	}
	return ""
}

// VisibleTo reports whether actor (speaking as unit, if not "") may see
// the message: its sender, the unit it was sent as, or a recipient. A unit's
// messages are seen by the users of its agency who speak as it (the
// officers in it; docs/security.md), the dispatch desk's by the agency's
// dispatchers and supervisors.
func (m *Message) VisibleTo(actor Actor, unit string) bool {
	if actor.Agency != m.Agency {
		return false
	}
	if m.From.User != "" && m.From.User == actor.User {
		return true
	}
	if unit != "" && unit == m.FromUnit {
		return true
	}
	return m.RecipientFor(actor, unit) != ""
}

// applyMessage folds message.sent, message.delivered and message.read.
func (s *State) applyMessage(e Event) error {
	if s.Messages == nil {
		s.Messages = make(map[string]*Message)
	}
	switch d := e.Data.(type) {
	case *MessageSent:
		if _, ok := s.Messages[d.ID]; ok {
			return fmt.Errorf("message %q sent twice", d.ID)
		}
		s.Messages[d.ID] = &Message{
			ID: d.ID, Agency: e.Agency, Time: e.Time, From: whoOf(e.Actor), FromUnit: d.FromUnit,
			To: slices.Clone(d.To), Recipients: slices.Clone(d.Recipients), Priority: d.Priority,
			Text: e.Private[PrivateMessage], Delivered: map[string]time.Time{}, Read: map[string]time.Time{},
		}
		s.messageSerial++
	case *MessageReceipt:
		m, ok := s.Messages[d.Message]
		if !ok {
			return fmt.Errorf("receipt for message %q, which does not exist", d.Message)
		}
		if !slices.Contains(m.Recipients, d.Recipient) {
			return fmt.Errorf("receipt for message %q from %q, not a recipient", d.Message, d.Recipient)
		}
		if _, ok := m.Delivered[d.Recipient]; !ok {
			m.Delivered[d.Recipient] = e.Time
		}
		if e.Type == TypeMessageRead {
			m.Read[d.Recipient] = e.Time
		}
	}
	return nil
}
