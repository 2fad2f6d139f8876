package dispatch

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// An Event is a fact that happened: the only way State changes. Its Data is
// one of the payload types below; Private holds the plaintext of its private
// fields, which the log keeps only as commitments.
type Event struct {
	Time    time.Time
	Type    string
	Agency  string
	Actor   Actor
	Subject map[string]string
	Data    any
	Private map[string]string
}

// Event types. Each is documented in docs/events.md.
const (
	TypeAgencyCreated   = "agency.created"
	TypeUnitCreated     = "unit.created"
	TypeIncidentCreated = "incident.created"
	TypeUserCreated     = "user.created"
)

// Private field names.
const (
	PrivateCallerName  = "caller_name"
	PrivateCallerPhone = "caller_phone"
	PrivateNarrative   = "narrative"
)

// AgencyCreated is the payload of agency.created.
type AgencyCreated struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// UnitCreated is the payload of unit.created.
type UnitCreated struct {
	ID           string   `json:"id"`
	CallSign     string   `json:"call_sign"`
	Kind         string   `json:"kind"`
	Capabilities []string `json:"capabilities,omitempty"`
}

// IncidentCreated is the payload of incident.created. The caller's name and
// phone and the narrative are private fields of the event.
type IncidentCreated struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	Priority int      `json:"priority"`
	Location Location `json:"location"`
}

// UserCreated is the payload of user.created.
type UserCreated struct {
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
}

// DecodeData decodes the JSON payload of an event of type typ.
func DecodeData(typ string, data json.RawMessage) (any, error) {
	var v any
	switch typ {
	case TypeAgencyCreated:
		v = &AgencyCreated{}
	case TypeUnitCreated:
		v = &UnitCreated{}
	case TypeIncidentCreated:
		v = &IncidentCreated{}
	case TypeUserCreated:
		v = &UserCreated{}
	default:
		if slices.Contains(AuditTypes, typ) {
			v = &Audited{}
			break
		}
		return nil, fmt.Errorf("unknown event type %q", typ)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("%s payload: %w", typ, err)
	}
	return v, nil
}
