package eido

import "github.com/tenfour-cad/tenfour/dispatch"

// The tables below map tenfour's codes to the values of the registries
// NENA-STA-021.1 names. The incident types follow APCO ANS 2.103.1-2012,
// "Public Safety Communications Common Incident Types for Data Exchange",
// as NIEM publishes its code list (apco:IncidentCategoryCodeSimpleType),
// the list APCO ANS 2.103.2 revised and dispatch/incident_types.csv is
// after. NENA's other registries (agent role, location type, unit status,
// emergency resource type, caution type) are not published with the schema:
// for them tenfour writes the plain names of STA-021's text and samples, and
// keeps its own code beside each in the component's internal field, so that
// nothing depends on the guess (docs/eido.md).

// commonIncidentTypes maps tenfour's built-in incident types to the APCO
// common incident type codes: each maps to its own code, so that an import
// can map back (TenfourIncidentType).
var commonIncidentTypes = map[string]string{
	"OFFICER_EMERGENCY": "MAYDAY",   // Mayday - immediate assistance request
	"ASSAULT":           "ASSAULT",  // Assault - with or without injury
	"SHOOTING":          "SHOOT",    // Shooting
	"STABBING":          "STABBING", // Stabbing
	"ROBBERY":           "ROBBERY",  // Robbery
	"DOMESTIC":          "DVA",      // Domestic violent - domestic dispute with violence
	"BURGLARY":          "BURGLARY", // Burglary
	"THEFT":             "LARCENY",  // Larceny
	"VEHICLE_THEFT":     "VEHSTLN",  // Stolen vehicle
	"TRAFFIC_COLLISION": "MVAUNK",   // Motor vehicle accident, unknown injury
	"TRAFFIC_HAZARD":    "THAZ",     // Traffic hazard
	"DISTURBANCE":       "DISORD",   // Disorderly conduct or disturbance
	"SUSPICIOUS":        "SUSP",     // Suspicious incident
	"ALARM":             "ALRU",     // Alarm, unknown type
	"WELFARE_CHECK":     "WELFARE",  // Welfare check
	"MISSING_PERSON":    "PERMISS",  // Missing person
	"FIRE_STRUCTURE":    "FSTRU",    // Fire, structure
	"FIRE_VEHICLE":      "FVEH",     // Fire, vehicle
	"MEDICAL":           "SICK",     // Sick person, non-specific
	"NOISE":             "NOISE",    // Noise
	"PARKING":           "PARKING",  // Parking
}

// UnmappedIncidentType is the common incident type of a tenfour type with no
// APCO equivalent (an agency's own): "TROUBLE - unknown type trouble", which
// tells the receiver to read the internal code and text beside it.
const UnmappedIncidentType = "TROUBLE"

// CommonIncidentType returns the APCO common incident type of tenfour's
// incident type code, and whether one fits; if none does it returns
// UnmappedIncidentType.
func CommonIncidentType(code string) (string, bool) {
	if c, ok := commonIncidentTypes[code]; ok {
		return c, true
	}
	return UnmappedIncidentType, false
}

// TenfourIncidentType returns tenfour's built-in incident type for an APCO
// common incident type code, if one maps to it.
func TenfourIncidentType(common string) (string, bool) {
	for t, c := range commonIncidentTypes {
		if c == common {
			return t, true
		}
	}
	return "", false
}

// incidentStatuses: the Incident Status registry's value of each tenfour
// incident status.
var incidentStatuses = map[string]string{
	dispatch.IncidentPending: "Pending",
	dispatch.IncidentActive:  "Active",
	dispatch.IncidentClosed:  "Closed",
}

// unitStatuses: the Primary Unit Status registry's value of each tenfour
// unit status.
var unitStatuses = map[string]string{
	dispatch.StatusAvailable:    "Available",
	dispatch.StatusDispatched:   "Dispatched",
	dispatch.StatusEnRoute:      "Enroute",
	dispatch.StatusOnScene:      "OnScene",
	dispatch.StatusTransporting: "Transporting",
	dispatch.StatusBusy:         "Busy",
	dispatch.StatusOutOfService: "OutOfService",
	dispatch.StatusEmergency:    "Emergency",
}

// resourceTypes: the Emergency Resource Type registry's value of each unit
// kind.
var resourceTypes = map[string]string{
	"patrol": "Patrol", "sergeant": "Supervisor", "tactical": "Tactical", "traffic": "Traffic",
	"k9": "K9", "detective": "Detective", "supervisor": "Supervisor", "engine": "Engine",
	"truck": "Truck", "ambulance": "Ambulance", "chief": "Chief", "air": "Aircraft",
}

// agencyTypes: each agency kind as sub-services of the IANA
// urn:emergency:service:responder registry (RFC 7852), without its prefix,
// as AgencyType.agencyType wants them.
var agencyTypes = map[string][]string{
	"municipal_police": {"police.municipal"},
	"sheriff":          {"police.countyParish"},
	"state_police":     {"police.stateProvincial"},
	"federal":          {"police.federal"},
	"fire_ems":         {"fire", "ems"},
}

// agentRoles: the Agent Role registry's value of each tenfour role.
var agentRoles = map[string]string{
	dispatch.RoleCallTaker:  "Call Taking",
	dispatch.RoleDispatcher: "Dispatching",
	dispatch.RoleSupervisor: "Supervisor",
	dispatch.RoleOfficer:    "Responder",
	dispatch.RoleLiaison:    "Liaison",
	dispatch.RoleAuditor:    "Auditor",
	dispatch.RoleAdmin:      "Administrator",
}

// cautionTypes: the Caution Type registry's value of each hazard kind, and
// how seriously it is to be taken.
var cautionTypes = map[string]struct{ common, severity string }{
	dispatch.HazardWeapons:      {"Weapons", High},
	dispatch.HazardDog:          {"Animal", Normal},
	dispatch.HazardHostile:      {"HostileOccupant", High},
	dispatch.HazardOxygen:       {"Oxygen", Normal},
	dispatch.HazardMentalHealth: {"MentalHealth", Normal},
	dispatch.HazardHazmat:       {"Hazmat", High},
	dispatch.HazardAccess:       {"Access", Low},
	dispatch.HazardOther:        {"Other", Normal},
}

// lookup returns m[k], or other if k has no entry.
func lookup(m map[string]string, k, other string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return other
}
