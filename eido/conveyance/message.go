// Package conveyance carries EIDOs between CADs as NENA-STA-024.1a-2023
// ("Conveyance of Emergency Incident Data Objects (EIDOs) between Next
// Generation (NG9-1-1) Systems and Applications", section 2.1) specifies:
// a subscriber opens a WebSocket to a notifier with the subprotocol
// emergency-ent1.0, subscribes to one incident or to new incidents, and
// the notifier sends the EIDOs of what it subscribed to as they change.
//
// The Notifier serves partners from tenfour; the Subscriber subscribes
// tenfour to a partner and hands what it receives to a Sink. Every EIDO
// sent or received is an event of the log (dispatch.RecordConveyance).
// docs/eido.md ("Conveyance (STA-024)") says what was taken from where.
package conveyance

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Subprotocol is the WebSocket subprotocol of the EIDO conveyance
// (STA-024.1a section 2.1.3.1.2), which subscribers offer and the
// notifier selects.
const Subprotocol = "emergency-ent1.0"

// MaxRequestSize is the size of a subscriber's message a notifier must
// accept (STA-024.1a section 2.1.1: subscription requests of any size up to
// and including 65,536 bytes); a larger one closes the socket (1009).
const MaxRequestSize = 65536

// Request types and subtypes of a subscription (the schema's enums).
const (
	RequestTypeEIDO = "EIDO"
	SubTypeSingle   = "single"
	SubTypeNew      = "new"
	SubTypeResource = "resource"
	MediaTypeEIDO   = "application/emergency.eido+json"
	MediaTypeJSON   = "application/json"
)

// Status codes of the responses (the schema's enums, after SIP's).
const (
	StatusOK                 = 200
	StatusBadRequest         = 400
	StatusForbidden          = 403
	StatusNotFound           = 404
	StatusNotAcceptable      = 406
	StatusTooLarge           = 413
	StatusNoSuchSubscription = 481
	StatusInternal           = 500
	StatusNotImplemented     = 501
	StatusUnavailable        = 503
)

// Subscribe is a subscriber's subscribe request (subscribeObject): a new
// subscription without SubscriptionID, the renewal of one with it.
type Subscribe struct {
	RequestID      string `json:"requestId"`
	RequestType    string `json:"requestType,omitempty"`
	RequestSubType string `json:"requestSubType,omitempty"`
	RequestAccepts string `json:"requestAccepts,omitempty"`
	QualFilter     string `json:"qualFilter,omitempty"`
	// MinRate is the most seconds after a notification before the next
	// must be sent; MaxRate the fewest seconds between two notifications.
	MinRate        *int   `json:"minRate,omitempty"`
	MaxRate        *int   `json:"maxRate,omitempty"`
	SubscriptionID string `json:"subscriptionId,omitempty"`
	IncidentID     string `json:"incidentId,omitempty"`
	// Expires is the subscription's requested life, in seconds.
	Expires *int `json:"expires,omitempty"`
	// Since is tenfour's extension of a subscription to new incidents (not
	// in STA-024's schema, which other notifiers ignore as an unknown
	// member): an RFC 3339 time, for the first notification to carry also
	// the incidents created since then and closed meanwhile, which a
	// subscriber back from a dropped connection missed. The active ones
	// come anyway.
	Since string `json:"since,omitempty"`
}

// SubscribeResponse answers a Subscribe (subscribeResponseObject), with
// the rates and life the notifier granted.
type SubscribeResponse struct {
	RequestID      string `json:"requestId"`
	SubscriptionID string `json:"subscriptionId,omitempty"`
	MinRate        *int   `json:"minRate,omitempty"`
	MaxRate        *int   `json:"maxRate,omitempty"`
	Expires        *int   `json:"expires,omitempty"`
	StatusCode     int    `json:"statusCode"`
	StatusText     string `json:"statusText"`
}

// Unsubscribe ends a subscription (unsubscribeObject).
type Unsubscribe struct {
	RequestID      string `json:"requestId"`
	SubscriptionID string `json:"subscriptionId"`
}

// UnsubscribeResponse answers an Unsubscribe (unsubscribeResponseObject).
type UnsubscribeResponse struct {
	RequestID      string `json:"requestId"`
	SubscriptionID string `json:"subscriptionId"`
	StatusCode     int    `json:"statusCode"`
	StatusText     string `json:"statusText"`
}

// Event is a notification (eventObject): the EIDOs of one subscription,
// none when it only says the subscription is alive (a minRate
// notification of a subscription to new incidents with none).
type Event struct {
	SubscriptionID string            `json:"subscriptionId"`
	TransactionID  string            `json:"transactionId"`
	Notification   []json.RawMessage `json:"notification"`
}

// EventResponse acknowledges an Event (eventResponseObject).
type EventResponse struct {
	TransactionID string `json:"transactionId"`
	StatusCode    int    `json:"statusCode"`
	StatusText    string `json:"statusText"`
}

// Terminate is the notifier ending a subscription (terminateObject), as
// when it expires.
type Terminate struct {
	RequestID      string `json:"requestId"`
	SubscriptionID string `json:"subscriptionId"`
}

// TerminateResponse acknowledges a Terminate (terminateResponseObject).
type TerminateResponse struct {
	RequestID      string `json:"requestId"`
	SubscriptionID string `json:"subscriptionId"`
	StatusCode     int    `json:"statusCode"`
	StatusText     string `json:"statusText"`
}

// Response answers a message the notifier does not implement
// (responseObject: 501 Not implemented).
type Response struct {
	RequestID  string `json:"requestId"`
	StatusCode int    `json:"statusCode"`
	StatusText string `json:"statusText"`
}

// A Message is one WebSocket text message: an object with exactly one
// member, named for its kind (subscriberMessage and notifierMessage).
type Message struct {
	Subscribe           *Subscribe           `json:"subscribe,omitempty"`
	SubscribeResponse   *SubscribeResponse   `json:"subscribeResponse,omitempty"`
	Unsubscribe         *Unsubscribe         `json:"unsubscribe,omitempty"`
	UnsubscribeResponse *UnsubscribeResponse `json:"unsubscribeResponse,omitempty"`
	Event               *Event               `json:"event,omitempty"`
	EventResponse       *EventResponse       `json:"eventResponse,omitempty"`
	Terminate           *Terminate           `json:"terminate,omitempty"`
	TerminateResponse   *TerminateResponse   `json:"terminateResponse,omitempty"`
	Response            *Response            `json:"response,omitempty"`
}

// errUnknownMessage is a well-formed object of no kind this protocol has.
var errUnknownMessage = errors.New("not a message of the EIDO conveyance")

// ParseMessage decodes one message. It is strict about the shape (one
// object with exactly one known member, of the member's type) and leaves
// the rules of each kind to whoever handles it. With an error it returns
// what it could tell of the message, its kind (the member's name) and its
// requestId, so that the notifier can answer in kind.
func ParseMessage(b []byte) (m Message, kind, requestID string, err error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return Message{}, "", "", fmt.Errorf("a message must be a JSON object: %w", err)
	}
	requestID = requestIDOf(members)
	if len(members) != 1 {
		return Message{}, "", requestID, fmt.Errorf("a message has exactly one member, not %d", len(members))
	}
	for name, raw := range members {
		kind = name
		switch name {
		case "subscribe":
			m.Subscribe = new(Subscribe)
			err = json.Unmarshal(raw, m.Subscribe)
		case "subscribeResponse":
			m.SubscribeResponse = new(SubscribeResponse)
			err = json.Unmarshal(raw, m.SubscribeResponse)
		case "unsubscribe":
			m.Unsubscribe = new(Unsubscribe)
			err = json.Unmarshal(raw, m.Unsubscribe)
		case "unsubscribeResponse":
			m.UnsubscribeResponse = new(UnsubscribeResponse)
			err = json.Unmarshal(raw, m.UnsubscribeResponse)
		case "event":
			m.Event = new(Event)
			err = json.Unmarshal(raw, m.Event)
		case "eventResponse":
			m.EventResponse = new(EventResponse)
			err = json.Unmarshal(raw, m.EventResponse)
		case "terminate":
			m.Terminate = new(Terminate)
			err = json.Unmarshal(raw, m.Terminate)
		case "terminateResponse":
			m.TerminateResponse = new(TerminateResponse)
			err = json.Unmarshal(raw, m.TerminateResponse)
		case "response":
			m.Response = new(Response)
			err = json.Unmarshal(raw, m.Response)
		default:
			return Message{}, kind, requestID, fmt.Errorf("%w: %q", errUnknownMessage, name)
		}
		if err != nil {
			return Message{}, kind, requestID, fmt.Errorf("%s: %w", name, err)
		}
	}
	return m, kind, requestID, nil
}

// requestIDOf returns the requestId of the one member of a message, if it
// has one that is a string.
func requestIDOf(members map[string]json.RawMessage) string {
	for _, raw := range members {
		var v struct {
			RequestID string `json:"requestId"`
		}
		if json.Unmarshal(raw, &v) == nil && v.RequestID != "" {
			return v.RequestID
		}
	}
	return ""
}

// intp returns a pointer to n, for the optional integers of a message.
func intp(n int) *int { return &n }
