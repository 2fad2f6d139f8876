package dispatch

// An IncidentType is an entry of the incident type catalogue.
type IncidentType struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	DefaultPriority int    `json:"default_priority"`
}

// IncidentTypes is the built-in catalogue, after the APCO/NENA common incident
// types (APCO ANS 2.103.2). Priority 0 is reserved for officer emergencies.
var IncidentTypes = []IncidentType{
	{"OFFICER_EMERGENCY", "Officer needs assistance", 0},
	{"ASSAULT", "Assault", 1},
	{"SHOOTING", "Shooting", 1},
	{"STABBING", "Stabbing", 1},
	{"ROBBERY", "Robbery", 1},
	{"DOMESTIC", "Domestic disturbance", 1},
	{"BURGLARY", "Burglary", 2},
	{"THEFT", "Theft", 3},
	{"VEHICLE_THEFT", "Vehicle theft", 3},
	{"TRAFFIC_COLLISION", "Traffic collision", 2},
	{"TRAFFIC_HAZARD", "Traffic hazard", 3},
	{"DISTURBANCE", "Disturbance", 3},
	{"SUSPICIOUS", "Suspicious person or vehicle", 3},
	{"ALARM", "Alarm", 3},
	{"WELFARE_CHECK", "Welfare check", 3},
	{"MISSING_PERSON", "Missing person", 2},
	{"FIRE_STRUCTURE", "Structure fire", 1},
	{"FIRE_VEHICLE", "Vehicle fire", 2},
	{"MEDICAL", "Medical emergency", 1},
	{"NOISE", "Noise complaint", 4},
	{"PARKING", "Parking violation", 4},
}

// IncidentTypeByCode returns the catalogue entry for code.
func IncidentTypeByCode(code string) (IncidentType, bool) {
	for _, t := range IncidentTypes {
		if t.Code == code {
			return t, true
		}
	}
	return IncidentType{}, false
}
