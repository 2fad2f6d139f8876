package dispatch

import "time"

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

	TypeUnitStatusChanged  = "unit.status_changed"
	TypeIncidentDispatched = "incident.dispatched"
	TypeIncidentCleared    = "incident.cleared"
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
	// Received and Answered are the call's times when they were given and
	// differ from the event's (its entry).
	Received *time.Time `json:"received,omitempty"`
	Answered *time.Time `json:"answered,omitempty"`
	// LateMark is set when entered late (late.go); Received is then the claimed time.
	LateMark
}

// UserCreated is the payload of user.created.
type UserCreated struct {
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
}

// UnitStatusChanged is the payload of unit.status_changed. Incident is the
// incident the change concerns: the one a unit is dispatched to, or the one
// it is on (and, going AVAILABLE, leaves); "" for a unit on none. Lat and
// Lon are the unit's last known AVL position when the change was reported,
// if it had one.
type UnitStatusChanged struct {
	Unit     string   `json:"unit"`
	Status   string   `json:"status"`
	Previous string   `json:"previous"`
	Incident string   `json:"incident,omitempty"`
	Lat      *float64 `json:"lat,omitempty"`
	Lon      *float64 `json:"lon,omitempty"`
	// Reason says why the change was made for the unit rather than by
	// it, and HeldBy, going OUT_OF_SERVICE, the cross-staffed partner
	// whose going out took its crew (roster.go).
	Reason string `json:"reason,omitempty"`
	HeldBy string `json:"held_by,omitempty"`
	// LateMark is set when entered late (late.go).
	LateMark
}

// IncidentDispatched is the payload of incident.dispatched. Each unit's own
// change to DISPATCHED follows it as a unit.status_changed event.
type IncidentDispatched struct {
	Incident string   `json:"incident"`
	Units    []string `json:"units"`
	// LateMark is set when entered late (late.go).
	LateMark
}

// IncidentCleared is the payload of incident.cleared. Each unit still on the
// incident going AVAILABLE follows it as a unit.status_changed event.
type IncidentCleared struct {
	Incident    string `json:"incident"`
	Disposition string `json:"disposition"`
	// LateMark is set when entered late (late.go).
	LateMark
}
