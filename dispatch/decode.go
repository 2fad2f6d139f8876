package dispatch

import (
	"encoding/json"
	"fmt"
	"slices"
)

// DecodeData decodes the JSON payload of an event of type typ. Its switch
// is the table of every event type and its payload: an event type the log
// may hold and that is not here cannot be read back.
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
	case TypeUnitStatusChanged:
		v = &UnitStatusChanged{}
	case TypeIncidentDispatched:
		v = &IncidentDispatched{}
	case TypeIncidentCleared:
		v = &IncidentCleared{}
	case TypeIncidentTypeAdded:
		v = &IncidentTypeAdded{}
	case TypeIncidentNoteAdded:
		v = &IncidentNoteAdded{}
	case TypePremiseRecorded:
		v = &PremiseRecorded{}
	case TypePremiseRemoved:
		v = &PremiseRemoval{}
	case TypeIncidentLocationFixed:
		v = &IncidentLocationFixed{}
	case TypeIncidentImported:
		v = &IncidentImported{}
	case TypeIncidentImportUpdated:
		v = &IncidentImportUpdated{}
	case TypeIncidentCallerAdded:
		v = &IncidentCallerAdded{}
	case TypeIncidentMerged:
		v = &IncidentMerged{}
	case TypeIncidentUnitMoved:
		v = &IncidentUnitMoved{}
	case TypeIncidentLinked:
		v = &IncidentLinked{}
	case TypeIncidentUnlinked:
		v = &IncidentUnlinked{}
	case TypeUnitPreempted:
		v = &UnitPreempted{}
	case TypeUnitCancelled:
		v = &UnitCancelled{}
	case TypeRecordsArchived:
		v = &RecordsArchived{}
	case TypePositionsSampled:
		v = &PositionsSampled{}
	case TypeAgencyTimersSet:
		v = &AgencyTimersSet{}
	case TypeIncidentPending:
		v = &IncidentPendingAlert{}
	case TypeSafetyCheck:
		v = &SafetyCheckAlert{}
	case TypePeerAdded:
		v = &PeerAdded{}
	case TypePeerRemoved:
		v = &PeerRemoved{}
	case TypeWitnessFork:
		v = &WitnessFork{}
	case TypeFederationReceived:
		v = &FederationReceived{}
	case TypeFederationDelivered:
		v = &FederationDelivered{}
	case TypeFederationUndelivered:
		v = &FederationUndelivered{}
	case TypeWitnessForkReported:
		v = &WitnessFork{}
	case TypeAlertAcknowledged:
		v = &AlertAcknowledged{}
	case TypeWebhookSubscribed:
		v = &WebhookSubscribed{}
	case TypeWebhookUnsubscribed:
		v = &WebhookUnsubscribed{}
	case TypeTimelinePublished:
		v = &TimelinePublished{}
	case TypeUnitSignedOn:
		v = &UnitSignedOn{}
	case TypeUnitSignedOff:
		v = &UnitSignedOff{}
	case TypeUnitCrossStaffed:
		v = &UnitCrossStaffed{}
	case TypeRunCardsSet:
		v = &RunCardsSet{}
	case TypeMessageSent:
		v = &MessageSent{}
	case TypeMessageDelivered, TypeMessageRead:
		v = &MessageReceipt{}
	case TypeBOLOIssued:
		v = &BOLOIssued{}
	case TypeBOLOCancelled:
		v = &BOLOCancelled{}
	case TypeMutualAidPlanSet:
		v = &MutualAidPlanSet{}
	case TypeAssistRequested:
		v = &AssistRequested{}
	case TypeAssistAcknowledged:
		v = &AssistAcknowledged{}
	case TypeAssistAccepted:
		v = &AssistAccepted{}
	case TypeAssistDeclined:
		v = &AssistDeclined{}
	case TypeAssistEscalated:
		v = &AssistEscalated{}
	case TypeAssistConflict:
		v = &AssistConflict{}
	case TypeAssistOnScene:
		v = &AssistOnScene{}
	case TypeAssistUnitLeft:
		v = &AssistUnitLeft{}
	case TypeAssistClosed:
		v = &AssistClosed{}
	case TypeDirectiveIssued:
		v = &DirectiveIssued{}
	case TypeDirectiveRevoked:
		v = &DirectiveRevocation{}
	case TypeDirectiveExpired:
		v = &DirectiveExpiry{}
	case TypeDirectiveOverridden:
		v = &DirectiveOverride{}
	case TypeEIDOSent, TypeEIDOReceived:
		v = &EIDOConveyed{}
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
