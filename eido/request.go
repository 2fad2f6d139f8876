package eido

import (
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// RequestType is the incident type a request for assistance travels as when
// it is no officer's emergency: mutual aid, in tenfour's own words (no
// common registry entry fits it).
var RequestType = dispatch.IncidentType{Code: "MUTUAL_AID", Name: "Request for mutual aid", DefaultPriority: 1}

// Request returns the EIDO of a request for assistance, as it travels to
// the partner installations asked (package federation): an incident of
// the requesting agency at the request's place, its nature the narrative,
// pending. An EMERGENCY request is an officer needing assistance
// (OFFICER_EMERGENCY, the registry's MAYDAY, priority 0).
func Request(r dispatch.AssistRequest, from dispatch.Agency, origin string) Document {
	typ := RequestType
	prio := map[string]int{dispatch.UrgencyEmergency: 0, dispatch.UrgencyUrgent: 1, dispatch.UrgencyRoutine: 3}[r.Urgency]
	if r.Urgency == dispatch.UrgencyEmergency {
		if t, ok := dispatch.IncidentTypeByCode("OFFICER_EMERGENCY"); ok {
			typ = t
		}
	}
	in := dispatch.Incident{
		ID: r.ID, Agency: r.From, Type: typ.Code, Priority: prio, Status: dispatch.IncidentPending,
		Location: r.Location, Narrative: r.Nature, Received: r.Created, Entered: r.Created,
	}
	return Build(engine.IncidentExport{Incident: in, Type: typ, Agencies: []dispatch.Agency{from}, Origin: origin})
}
