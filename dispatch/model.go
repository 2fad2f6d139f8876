package dispatch

import "time"

// Roles a user can hold.
const (
	RoleCallTaker  = "call-taker"
	RoleDispatcher = "dispatcher"
	RoleSupervisor = "supervisor"
	RoleOfficer    = "officer"
	RoleLiaison    = "liaison"
	RoleAuditor    = "auditor"
	RoleAdmin      = "admin"
)

// Roles lists every role, in the order they are documented.
var Roles = []string{RoleCallTaker, RoleDispatcher, RoleSupervisor, RoleOfficer, RoleLiaison, RoleAuditor, RoleAdmin}

// An Actor is who issues a command: a user of an agency in one of their
// roles, or a part of the system. An installation administrator has no agency.
type Actor struct {
	User   string
	Agency string
	Role   string   // the role this action is taken in
	Roles  []string // every role the user holds (or the token carries)
	System string   // set for timers, the simulator, bootstrap; then User is empty
	// Token is the public id of the API token the user acts with (never
	// the token itself); empty in a session and for the system. The log
	// records it with the action, so that what a token did can be told
	// from what its user did in person.
	Token string
}

// HasRole reports whether the actor holds role.
func (a Actor) HasRole(role string) bool {
	for _, r := range a.Roles {
		if r == role {
			return true
		}
	}
	return a.Role == role
}

// IsSystem reports whether the actor is tenfour itself.
func (a Actor) IsSystem() bool { return a.System != "" }

// Agency kinds.
var AgencyKinds = []string{"municipal_police", "sheriff", "state_police", "federal", "fire_ems"}

// An Agency is a police, sheriff, state, federal or fire/EMS organisation.
type Agency struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Kind    string    `json:"kind"`
	Created time.Time `json:"created"`
	Timers  *Timers   `json:"timers,omitempty"` // nil: DefaultTimers
	// Plan is its mutual-aid plan; nil: it has none (mutualaid.go).
	Plan *MutualAidPlan `json:"mutual_aid_plan,omitempty"`
	// RunCards are its response plans; nil: it has none (runcard.go).
	// GET /api/v1/agencies/{id}/run-cards answers them.
	RunCards *RunCards `json:"-"`
}

// Unit kinds.
var UnitKinds = []string{"patrol", "sergeant", "tactical", "traffic", "k9", "detective", "supervisor", "engine", "truck", "ambulance", "chief", "air"}

// Unit statuses (DESIGN.md, "Domain").
const (
	StatusAvailable    = "AVAILABLE"
	StatusDispatched   = "DISPATCHED"
	StatusEnRoute      = "EN_ROUTE"
	StatusOnScene      = "ON_SCENE"
	StatusTransporting = "TRANSPORTING"
	StatusBusy         = "BUSY"
	StatusOutOfService = "OUT_OF_SERVICE"
	StatusEmergency    = "EMERGENCY"
)

// A Unit is a car, an officer, a team or an apparatus that can be sent.
type Unit struct {
	ID           string    `json:"id"`
	CallSign     string    `json:"call_sign"`
	Agency       string    `json:"agency"`
	Kind         string    `json:"kind"`
	Capabilities []string  `json:"capabilities"`
	Status       string    `json:"status"`
	StatusSince  time.Time `json:"status_since"`
	Incident     string    `json:"incident,omitempty"`
	// Request is the assistance request the unit was sent on, by its
	// agency accepting it, until it goes AVAILABLE (assist.go).
	Request string `json:"request,omitempty"`
	// Resume is, while the unit is in EMERGENCY, the status it was in
	// before: the one it may go back to (besides AVAILABLE).
	Resume string `json:"resume,omitempty"`
	// EmergencyBy is, while the unit is in EMERGENCY, the username of
	// who pressed it: they, or a supervisor, end it (mayEndEmergency).
	EmergencyBy string    `json:"emergency_by,omitempty"`
	Created     time.Time `json:"created"`
	// SafetyChecked is the StatusSince of the on-scene stay for which a
	// safety check was raised: one alert per stay.
	SafetyChecked time.Time `json:"-"`
	// Roster is its crew, shift and cross-staffing (roster.go).
	Roster
}

// A Location is where an incident is: the text as given and, when known, a
// point (WGS 84).
type Location struct {
	Text string   `json:"text,omitempty"`
	Lat  *float64 `json:"lat,omitempty"`
	Lon  *float64 `json:"lon,omitempty"`
	// Verified says the text was found on the centre's map, which gave the
	// point; an unverified location is as the caller gave it.
	Verified bool `json:"verified,omitempty"`
	// District and Beat are the police areas the point lies in, if any;
	// Zone is the response zone whose run cards apply there, if the map
	// names one. Only the map sets them (Places.Resolve).
	District string `json:"district,omitempty"`
	Beat     string `json:"beat,omitempty"`
	Zone     string `json:"zone,omitempty"`
}

// A Caller is the person who called. Both fields are private: they enter the
// log only as commitments.
type Caller struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Incident statuses.
const (
	IncidentPending = "PENDING" // received, no unit yet
	IncidentActive  = "ACTIVE"  // units dispatched
	IncidentClosed  = "CLOSED"  // cleared, with a disposition
)

// An Incident is an event in the world that dispatch responds to.
//
// Units lists every unit ever dispatched to it, in order; a unit is on the
// incident now while its own Incident names it. The times are the standard
// intervals' marks (NFPA 1225, NENA): each set once, by the first unit to
// reach it, and absent until then. Notes are the narrative added after
// entry, oldest first; their texts are private like the caller's.
type Incident struct {
	ID        string   `json:"id"`
	Agency    string   `json:"agency"`
	Type      string   `json:"type"`
	Priority  int      `json:"priority"`
	Location  Location `json:"location"`
	Caller    Caller   `json:"caller"`
	Narrative string   `json:"narrative,omitempty"`
	Notes     []Note   `json:"notes"`
	// Callers are the further calls attached to it (duplicate.go).
	Callers []CallRecord `json:"callers,omitempty"`
	// MergedInto is the survivor this incident was merged into; Merged the
	// incidents merged into this one; Links its links (merge.go).
	MergedInto  string   `json:"merged_into,omitempty"`
	Merged      []string `json:"merged,omitempty"`
	Links       []Link   `json:"links,omitempty"`
	Status      string   `json:"status"`
	Units       []string `json:"units"`
	Disposition string   `json:"disposition,omitempty"`
	// Received is when the call reached the centre (the phone system's
	// time, or entry if none was given); Answered when a call-taker picked
	// it up; Entered when it became this incident in CAD.
	Received   time.Time  `json:"received"`
	Answered   *time.Time `json:"answered,omitempty"`
	Entered    time.Time  `json:"entered"`
	Dispatched *time.Time `json:"dispatched,omitempty"`
	EnRoute    *time.Time `json:"en_route,omitempty"`
	OnScene    *time.Time `json:"on_scene,omitempty"`
	Cleared    *time.Time `json:"cleared,omitempty"`
	// LateEntries counts its events entered late (late.go): its times
	// then include claimed ones, taken from paper after an outage.
	LateEntries int `json:"late_entries,omitempty"`
	// PendingAlerted says alert.incident_pending was raised (once).
	PendingAlerted bool `json:"pending_alerted,omitempty"`
	// Hazards are the premise flags in force over its place (premise.go).
	// The state never holds them: the API fills them in when it answers,
	// as they stand at that moment.
	Hazards []Hazard `json:"hazards,omitempty"`
	// Import is, for an incident imported from another system, what it
	// keeps of its origin (eidoimport.go); nil for the centre's own.
	Import *Imported `json:"import,omitempty"`
}

// A User as the domain knows it: who, which agency, which roles. Credentials
// are not the domain's business and never enter the log.
type User struct {
	Username string   `json:"username"`
	Agency   string   `json:"agency"`
	Roles    []string `json:"roles"`
}

// A Position is where a unit's AVL reported it to be, at a time (WGS 84).
// Positions are soft state: kept in memory, and written to the log only as
// part of the events of a status change (DESIGN.md, "AVL positions are
// frequent and soft").
type Position struct {
	Unit string    `json:"unit"`
	Lat  float64   `json:"lat"`
	Lon  float64   `json:"lon"`
	Time time.Time `json:"time"`
}
