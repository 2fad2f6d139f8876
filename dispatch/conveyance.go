package dispatch

import (
	"encoding/hex"
	"time"
)

// EIDO conveyance (NENA-STA-024.1a): every EIDO tenfour sends to a
// subscribing partner, and every EIDO it receives from a partner it
// subscribes to, is a fact of the record, so that each side's log shows
// what it sent and received, to and from whom, and when (issue 16). The
// EIDO itself is not in the log: its SHA-256 and size are, so that whoever
// holds the document can show it is the one conveyed.
const (
	TypeEIDOSent     = "eido.sent"
	TypeEIDOReceived = "eido.received"
)

// Outcomes of a received EIDO (ConveyedEIDO.Outcome).
const (
	EIDOImported = "imported"
	EIDORefused  = "refused"
)

// MaxConveyedEIDOs bounds the EIDOs one conveyance event lists: a batch
// larger than this is recorded as several events, so that one leaf stays
// well under the log's entry size (ledger.MaxEntrySize).
const MaxConveyedEIDOs = 64

// MaxConveyedRecipients bounds the recipients of one EIDO in one event.
const MaxConveyedRecipients = 128

// EIDOConveyed is the payload of eido.sent and eido.received: one batch of
// notifications. A notifier records every EIDO it sent in a short window as
// one event per agency, each EIDO once with all the subscriptions it went
// to, so that many subscribers of one change cost one leaf, not one each.
type EIDOConveyed struct {
	// Partner names the notifier an EIDO was received from (its configured
	// name); "" for eido.sent, whose recipients name their partners.
	Partner string         `json:"partner,omitempty"`
	EIDOs   []ConveyedEIDO `json:"eidos"`
}

// A ConveyedEIDO is one EIDO sent or received.
type ConveyedEIDO struct {
	// Incident is tenfour's incident the EIDO describes (sent) or became
	// (received and imported; "" if refused).
	Incident string `json:"incident,omitempty"`
	// Remote is the incident's identifier in the EIDO as received (its
	// incident tracking identifier); "" for a sent EIDO.
	Remote string `json:"remote,omitempty"`
	// Subscription is the STA-024 subscription it was received on.
	Subscription string `json:"subscription,omitempty"`
	// SHA256 is the hex SHA-256 of the EIDO's bytes as sent or received;
	// Size their length.
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	// Outcome is EIDOImported or EIDORefused for a received EIDO, and
	// Reason why it was refused.
	Outcome string `json:"outcome,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Recipients are the subscriptions a sent EIDO went to.
	Recipients []EIDORecipient `json:"recipients,omitempty"`
}

// An EIDORecipient is a subscription an EIDO was sent on, and whose it is.
type EIDORecipient struct {
	Subscription string `json:"subscription"`
	Agency       string `json:"agency,omitempty"`
	User         string `json:"user,omitempty"`
}

// RecordConveyance records a batch of EIDOs sent or received. It is
// accepted from the system only: the conveyance records what it did, as
// the authentication layer records what it observed (RecordAudit).
type RecordConveyance struct {
	Type   string // TypeEIDOSent or TypeEIDOReceived
	Agency string // whose EIDOs (sent) or who received them
	Data   EIDOConveyed
}

// Decide implements Command.
func (c RecordConveyance) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "EIDO conveyances are recorded by tenfour itself")
	}
	if c.Type != TypeEIDOSent && c.Type != TypeEIDOReceived {
		return nil, Errorf(EINVALID, "%q is not an EIDO conveyance event type", c.Type)
	}
	if n := len(c.Data.EIDOs); n == 0 || n > MaxConveyedEIDOs {
		return nil, Errorf(EINVALID, "a conveyance records 1 to %d EIDOs, not %d", MaxConveyedEIDOs, n)
	}
	for i, e := range c.Data.EIDOs {
		if b, err := hex.DecodeString(e.SHA256); err != nil || len(b) != 32 {
			return nil, Errorf(EINVALID, "EIDO %d: sha256 must be 64 hex digits", i)
		}
		if e.Size < 0 {
			return nil, Errorf(EINVALID, "EIDO %d: size must not be negative", i)
		}
		if len(e.Recipients) > MaxConveyedRecipients {
			return nil, Errorf(EINVALID, "EIDO %d: at most %d recipients per event", i, MaxConveyedRecipients)
		}
		if c.Type == TypeEIDOReceived && e.Outcome != EIDOImported && e.Outcome != EIDORefused {
			return nil, Errorf(EINVALID, "EIDO %d: outcome must be %q or %q", i, EIDOImported, EIDORefused)
		}
	}
	data := c.Data
	// The event is in the timeline of the incident it concerns when it
	// concerns one (the common case: one change, its subscribers).
	var subject map[string]string
	if id := data.EIDOs[0].Incident; id != "" && allIncident(data.EIDOs, id) {
		subject = map[string]string{"incident": id}
	}
	return []Event{{Time: now, Type: c.Type, Agency: c.Agency, Actor: actor, Subject: subject, Data: &data}}, nil
}

func allIncident(es []ConveyedEIDO, id string) bool {
	for _, e := range es {
		if e.Incident != id {
			return false
		}
	}
	return true
}

// IsConveyance reports whether an event type records a conveyance, which
// changes no incident: the notifier does not answer its own records.
func IsConveyance(typ string) bool { return typ == TypeEIDOSent || typ == TypeEIDOReceived }
