package eido

import (
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// The import's fallback type is APCO's unknown type trouble both ways: an
// EIDO of type TROUBLE imports as dispatch.UnknownType, and an incident of
// that type exports as TROUBLE. (Kept here, beside the import, rather than
// in registry.go's table, which the export owns.)
func init() { commonIncidentTypes[dispatch.UnknownType] = UnmappedIncidentType }

// commonTypes maps common incident type texts (the spellings of APCO ANS
// 2.103.2's common incident types that EIDOs carry in
// incidentTypeCommonRegistryText), by their letters in lower case, to the
// catalogue's codes. A text it does not hold falls back to the
// catalogue's own codes and names, then to dispatch.UnknownType.
var commonTypes = map[string]string{
	"officerneedsassistance": "OFFICER_EMERGENCY", "officeremergency": "OFFICER_EMERGENCY",
	"assault": "ASSAULT", "shooting": "SHOOTING", "shotsfired": "SHOOTING", "stabbing": "STABBING",
	"robbery": "ROBBERY", "domestic": "DOMESTIC", "domesticviolence": "DOMESTIC", "domesticdisturbance": "DOMESTIC",
	"burglary": "BURGLARY", "theft": "THEFT", "larceny": "THEFT", "vehicletheft": "VEHICLE_THEFT", "stolenvehicle": "VEHICLE_THEFT",
	"trafficcollision": "TRAFFIC_COLLISION", "trafficaccident": "TRAFFIC_COLLISION", "vehiclecollision": "TRAFFIC_COLLISION", "motorvehiclecollision": "TRAFFIC_COLLISION",
	"traffichazard": "TRAFFIC_HAZARD", "disturbance": "DISTURBANCE", "civilunrest": "DISTURBANCE", "fight": "DISTURBANCE",
	"suspicious": "SUSPICIOUS", "suspiciousperson": "SUSPICIOUS", "suspiciousvehicle": "SUSPICIOUS",
	"alarm": "ALARM", "burglaralarm": "ALARM", "firealarm": "ALARM", "welfarecheck": "WELFARE_CHECK",
	"missingperson": "MISSING_PERSON", "structurefire": "FIRE_STRUCTURE", "firestructure": "FIRE_STRUCTURE", "buildingfire": "FIRE_STRUCTURE",
	"vehiclefire": "FIRE_VEHICLE", "firevehicle": "FIRE_VEHICLE", "medical": "MEDICAL", "medicalemergency": "MEDICAL", "ems": "MEDICAL",
	"noise": "NOISE", "noisecomplaint": "NOISE", "parking": "PARKING", "parkingviolation": "PARKING",
}

// MapType returns the catalogue's code for an EIDO's incident type: its
// internal code if it is a code of the catalogue (an EIDO tenfour wrote),
// else the type of its APCO common incident type code (TenfourIncidentType),
// else its common registry text or internal text as commonTypes or the
// catalogue names them, else "" (the import's fallback type).
func MapType(internalCode, common, internalText string) string {
	for _, t := range dispatch.IncidentTypes {
		if strings.EqualFold(strings.TrimSpace(internalCode), t.Code) {
			return t.Code
		}
	}
	if code, ok := TenfourIncidentType(strings.ToUpper(strings.TrimSpace(common))); ok {
		return code // an APCO common incident type code (registry.go)
	}
	for _, s := range []string{common, internalText} {
		n := letters(s)
		if n == "" {
			continue
		}
		if code, ok := commonTypes[n]; ok {
			return code
		}
		for _, t := range dispatch.IncidentTypes {
			if n == letters(t.Code) || n == letters(t.Name) {
				return t.Code
			}
		}
	}
	return ""
}

// cautionKinds maps words of a caution's registry or internal text to
// tenfour's hazard kinds, first match first.
var cautionKinds = []struct{ word, kind string }{
	{"weapon", dispatch.HazardWeapons}, {"firearm", dispatch.HazardWeapons}, {"gun", dispatch.HazardWeapons}, {"armed", dispatch.HazardWeapons},
	{"dog", dispatch.HazardDog}, {"animal", dispatch.HazardDog},
	{"hostile", dispatch.HazardHostile}, {"violent", dispatch.HazardHostile}, {"officersafety", dispatch.HazardHostile},
	{"oxygen", dispatch.HazardOxygen},
	{"mental", dispatch.HazardMentalHealth}, {"suicid", dispatch.HazardMentalHealth},
	{"hazmat", dispatch.HazardHazmat}, {"hazardousmaterial", dispatch.HazardHazmat}, {"chemical", dispatch.HazardHazmat},
	{"access", dispatch.HazardAccess}, {"gate", dispatch.HazardAccess}, {"keyholder", dispatch.HazardAccess},
}

// MapCaution returns the hazard kind of an EIDO caution, "other" when no
// word of its texts names one.
func MapCaution(common, internalText string) string {
	for _, s := range []string{common, internalText} {
		n := letters(s)
		for _, c := range cautionKinds {
			if strings.Contains(n, c.word) {
				return c.kind
			}
		}
	}
	return dispatch.HazardOther
}
