// Package eido holds NENA's Emergency Incident Data Object (EIDO, NENA-STA-021.1)
// as Go types, its validation against NENA's published schema, and the export of
// a tenfour incident as an EIDO.
//
// The types follow the schema `EmergencyIncidentDataObjectType` of NENA's OpenAPI
// document (NENA911/EIDO-JSON, Schema/openapi.yaml, commit 7f62055d): field names
// and JSON names exactly as the schema spells them, optional fields omitted when
// empty. Every data component starts with the common Prologue (STA-021 §3.1),
// embedded so that its fields sit beside the component's own, as the schema's
// allOf does. Components refer to each other by Reference (`{"$ref": id}`), where
// id is the `$id` of the referenced component in the same document.
package eido

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Version is the only EIDO version the schema allows (`eidoVersion` enum).
const Version = "1.0"

// Timestamp is a date-time of the EIDO (RFC 3339, the schema's `format:
// date-time`). It is written in UTC with millisecond precision. It reads RFC 3339
// and, because NENA's own sample EIDOs carry some, also a date-time without a
// zone, taken as UTC.
type Timestamp struct{ time.Time }

// At returns t as a Timestamp.
func At(t time.Time) Timestamp { return Timestamp{t} }

// timestampLayout is RFC 3339 with milliseconds, as NENA's samples write it.
const timestampLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON writes t as an RFC 3339 date-time in UTC.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format(timestampLayout))
}

// UnmarshalJSON reads an RFC 3339 date-time, or one without a zone (UTC).
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("eido: a date-time must be a string: %w", err)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("eido: %q is not an RFC 3339 date-time", s)
}

// Array is a JSON array that NENA's schema requires: it is written as []
// when empty, never as null, which the schema refuses. A []T converts to it
// without a cast.
type Array[T any] []T

// MarshalJSON writes a as a JSON array, [] when it is nil.
func (a Array[T]) MarshalJSON() ([]byte, error) {
	if a == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]T(a))
}

// Reference refers to another data component of the same EIDO by its `$id`
// (ReferenceType). tenfour writes ids of the form "<document id>:<kind>:<key>".
type Reference struct {
	Ref string `json:"$ref"`
}

// Ref returns a Reference to id.
func Ref(id string) Reference { return Reference{Ref: id} }

// Refs returns References to each id, or nil for none.
func Refs(ids ...string) []Reference {
	if len(ids) == 0 {
		return nil
	}
	out := make([]Reference, len(ids))
	for i, id := range ids {
		out[i] = Reference{Ref: id}
	}
	return out
}

// Prologue is the common beginning of every data component (PrologueType): its
// globally unique id, when it last changed and which agency (and agent) changed it.
// tenfour sets the time to the latest event that changed what the component shows
// and the agency to the incident's owning agency.
type Prologue struct {
	ID                                  string      `json:"$id"`
	LastUpdateTimeStamp                 Timestamp   `json:"lastUpdateTimeStamp"`
	UpdatedByAgencyReference            Reference   `json:"updatedByAgencyReference"`
	UpdatedByAgentReference             *Reference  `json:"updatedByAgentReference,omitempty"`
	AlternateValueReferences            []Reference `json:"AlternateValueReferences,omitempty"`
	ExternalInformationSourceReferences []Reference `json:"externalInformationSourceReferences,omitempty"`
	MediaReferences                     []Reference `json:"mediaReferences,omitempty"`
}

// Document is an EIDO (EmergencyIncidentDataObjectType). Its own `$id` is the
// incident tracking identifier (STA-021: the EIDO of an incident carries the
// incident's URN, "urn:emergency:uid:incidentid:<id>:<domain>"); the components
// are listed here once and refer to each other by id.
type Document struct {
	Prologue
	// EidoVersion is Version.
	EidoVersion     string   `json:"eidoVersion"`
	EidoExtensionID []string `json:"eidoExtensionId,omitempty"`
	// IssuingElementIdentification names the element that wrote the EIDO:
	// tenfour writes its log origin.
	IssuingElementIdentification string `json:"issuingElementIdentification"`

	// MergeComponent: incidents merged into this one, or it into another.
	MergeComponent []MergeInformation `json:"mergeComponent,omitempty"`
	// LinkComponent: incidents linked with this one.
	LinkComponent []LinkInformation `json:"linkComponent,omitempty"`
	// IncidentComponent: the incident itself (absent in a call transfer).
	IncidentComponent *IncidentInformation `json:"incidentComponent,omitempty"`
	// CallComponent: the calls of the incident (tenfour: its callers' calls).
	CallComponent []CallInformation `json:"callComponent,omitempty"`
	// CallbackComponent: how to call a reporting party back (caller phone).
	CallbackComponent []Callback `json:"callbackComponent,omitempty"`
	// DispatchComponent: one per agency whose units were sent.
	DispatchComponent []DispatchInformation `json:"dispatchComponent,omitempty"`
	// NotesComponent: every note referenced in the document (narrative notes).
	NotesComponent []Notes `json:"notesComponent,omitempty"`
	// EmergencyResourceComponent: the units assigned to the incident.
	EmergencyResourceComponent []EmergencyResource `json:"emergencyResourceComponent,omitempty"`
	// AlarmsSensorsComponent: alarm data (tenfour produces none).
	AlarmsSensorsComponent []AlarmsSensors `json:"alarmsSensorsComponent,omitempty"`
	// AgencyComponent: every agency referenced in the document (required).
	AgencyComponent Array[Agency] `json:"agencyComponent"`
	// AgentComponent: every agent (user, unit crew, system) referenced.
	AgentComponent []Agent `json:"agentComponent,omitempty"`
	// AdditionalDataComponent: additional data (tenfour: what has no other place).
	AdditionalDataComponent []AdditionalData `json:"additionalDataComponent,omitempty"`
	// LocationComponent: every location referenced (the incident's place, units' positions).
	LocationComponent []LocationInformation `json:"locationComponent,omitempty"`
	// PersonComponent: every person referenced (tenfour: the callers).
	PersonComponent []PersonInformation `json:"personComponent,omitempty"`
	// VehicleComponent: vehicles involved (tenfour produces none).
	VehicleComponent []VehicleInformation `json:"vehicleComponent,omitempty"`
	// CautionComponent: cautions (tenfour: the incident's premise hazards).
	CautionComponent []Caution `json:"cautionComponent,omitempty"`
	// MediaComponent: links to media (tenfour produces none).
	MediaComponent []Media `json:"mediaComponent,omitempty"`
	// SharedCommunicationResourceComponent: radio channels, talk groups (none).
	SharedCommunicationResourceComponent []SharedCommunicationResource `json:"sharedCommunicationResourceComponent,omitempty"`
	// ExternalInformationSourceComponent: external sources (none).
	ExternalInformationSourceComponent []ExternalInformationSource `json:"externalInformationSourceComponent,omitempty"`

	// UnitEmergencyStateComponent: EMERGENCY states of the incident's units.
	// NENA's schema defines UnitEmergencyStateType but lists no property of the
	// document that carries it; the document admits further properties, and
	// tenfour uses this name (the schema's pattern "<kind>Component").
	UnitEmergencyStateComponent []UnitEmergencyState `json:"unitEmergencyStateComponent,omitempty"`
	// OrganizationComponent: organisations (OrganizationInformationType), which
	// the incident and call components refer to but, likewise, without a
	// property in NENA's schema; tenfour produces none.
	OrganizationComponent []OrganizationInformation `json:"organizationComponent,omitempty"`
	// ItemComponent: items (ItemInformationType), likewise without a property
	// in NENA's schema; tenfour produces none.
	ItemComponent []ItemInformation `json:"itemComponent,omitempty"`

	// Context is the JSON-LD context.
	Context *Context `json:"@context,omitempty"`
}

// Context is the JSON-LD context of an EIDO.
type Context struct {
	Vocab string `json:"@vocab,omitempty"`
}

// ContextVocab is the only `@vocab` the schema allows.
const ContextVocab = "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"

// AlternateValues carries values that an inter-agency coalescing element did not
// choose (AlternateValuesType). tenfour produces none.
type AlternateValues struct {
	DataComponentReference Reference             `json:"DataComponentReference"`
	Element                string                `json:"Element"`
	Alternate              Array[AlternateValue] `json:"Alternate"`
}

// AlternateValue is one constituent's value. The schema requires `TimeStamp` and
// `Value` but names the properties `Timestamp` and `OtherValue`; both spellings
// are kept so that a document can satisfy it.
type AlternateValue struct {
	Constituent string     `json:"Constituent"`
	TimeStamp   *Timestamp `json:"TimeStamp,omitempty"`
	Value       string     `json:"Value,omitempty"`
	Timestamp   *Timestamp `json:"Timestamp,omitempty"`
	OtherValue  string     `json:"OtherValue,omitempty"`
}

// Agency is an organisation that owns or takes part in the incident (AgencyType).
// tenfour: dispatch.Agency; `$id` is the agency's id qualified by the installation.
type Agency struct {
	Prologue
	AgencyJcard string `json:"agencyJcard,omitempty"`
	// AgencyRoleDescriptionRegistryText: roles from the Agency Role registry
	// (tenfour: "Dispatch", "Responding", "Owning").
	AgencyRoleDescriptionRegistryText Array[string] `json:"agencyRoleDescriptionRegistryText"`
	// AgencyType: urn:emergency:service:responder sub-services without the
	// prefix ("police", "fire", "ems", "sheriff", …), from the agency's kind.
	AgencyType                      Array[string]  `json:"agencyType"`
	NotesReference                  []Reference    `json:"notesReference,omitempty"`
	IncidentOwningAgencyIndicator   *bool          `json:"incidentOwningAgencyIndicator,omitempty"`
	ActingOnBehalfOfAgencyReference []Reference    `json:"actingOnBehalfOfAgencyReference,omitempty"`
	AgencyCallLegState              []CallLegState `json:"agencyCallLegState,omitempty"`
}

// Agent is a person or automaton acting for an agency (AgentType): a call-taker,
// dispatcher, supervisor, a unit's crew, or tenfour's system actor.
type Agent struct {
	Prologue
	AgentJcard                             string `json:"agentJcard,omitempty"`
	AgentWorkstationPositionIdentification string `json:"agentWorkstationPositionIdentification,omitempty"`
	// AgentRoleRegistryText: roles from the Agent Role registry ("Call Taking",
	// "Dispatching", "Supervisor", "Responder"), from the tenfour role.
	AgentRoleRegistryText Array[string]  `json:"agentRoleRegistryText"`
	AgencyReference       Reference      `json:"agencyReference"`
	NotesReference        []Reference    `json:"notesReference,omitempty"`
	AgentCallLegState     []CallLegState `json:"agentCallLegState,omitempty"`
}

// Merge directions (IncidentMergeDirectionCodeSimpleType).
const (
	MergeReplacing = "REPLACING" // this incident replaces the other (the other merged into it)
	MergeReplaced  = "REPLACED"  // this incident was merged into the other
	MergeSplit     = "SPLIT"
)

// MergeInformation names an incident merged with, or split from, this one
// (MergeInformationType). tenfour: Incident.MergedInto / merged sources.
type MergeInformation struct {
	Prologue
	IncidentTrackingIdentifier string `json:"incidentTrackingIdentifier"`
	IncidentMergeDirectionCode string `json:"incidentMergeDirectionCode"`
}

// Link directions (LinkDirectionCodeSimpleType).
const (
	LinkParent  = "PARENT"
	LinkChild   = "CHILD"
	LinkRelated = "RELATED"
	LinkUnlink  = "UNLINK"
)

// LinkInformation names an incident linked with this one (LinkInformationType).
// tenfour: Incident links (RELATED).
type LinkInformation struct {
	Prologue
	IncidentTrackingIdentifier string     `json:"incidentTrackingIdentifier"`
	TransactionReasonText      string     `json:"transactionReasonText,omitempty"`
	InvolvedAgencyReference    *Reference `json:"involvedAgencyReference,omitempty"`
	LinkDirectionCode          string     `json:"linkDirectionCode"`
}

// Notes is one note (NotesType). tenfour: a narrative note of the incident, its
// text in `notesActionComments` (HTML5: tenfour escapes the plain text).
type Notes struct {
	Prologue
	NotesActionComments string      `json:"notesActionComments"`
	AgentReference      *Reference  `json:"agentReference,omitempty"`
	CautionReference    []Reference `json:"cautionReference,omitempty"`
}

// AdditionalData is additional information about a call, location or person
// (AdditionalDataType).
type AdditionalData struct {
	Prologue
	AdditionalDataByReferenceURL            string      `json:"additionalDataByReferenceUrl,omitempty"`
	AdditionalDataByValue                   string      `json:"additionalDataByValue,omitempty"`
	AdditionalDataDereferencedFromReference *Reference  `json:"additionalDataDereferencedFromReference,omitempty"`
	URLPurpose                              string      `json:"urlPurpose,omitempty"`
	NotesReference                          []Reference `json:"notesReference,omitempty"`
	CautionReference                        []Reference `json:"cautionReference,omitempty"`
}

// LocationInformation is a place (LocationInformationType). The place itself is a
// PIDF-LO document (RFC 4119, RFC 5139 civic address, RFC 5491 GML point) carried
// as XML text in `locationByValue`; tenfour writes both the civic address and the
// WGS 84 point of the incident there (PIDF), and the verified flag, district and
// beat in `locationDescriptionText` and `localIdentifier`.
type LocationInformation struct {
	Prologue
	// LocationTypeDescriptionRegistryText: from the Location Type registry
	// ("Incident", "Caller", "Unit", "Staging", "RoutingLocation").
	LocationTypeDescriptionRegistryText string      `json:"locationTypeDescriptionRegistryText"`
	LocationByValue                     string      `json:"locationByValue,omitempty"`
	LocationByReferenceURL              string      `json:"locationByReferenceUrl,omitempty"`
	LocationDereferencedFromReference   *Reference  `json:"locationDereferencedFromReference,omitempty"`
	LocationDescriptionText             string      `json:"locationDescriptionText,omitempty"`
	CrossStreetByValue                  []string    `json:"crossStreetByValue,omitempty"`
	CrossStreetByReferenceURL           []string    `json:"crossStreetByReferenceUrl,omitempty"`
	IntersectingStreetByValue           []string    `json:"intersectingStreetByValue,omitempty"`
	IntersectingStreetByReferenceURL    []string    `json:"intersectingStreetByReferenceUrl,omitempty"`
	CellTowerSectorID                   string      `json:"cellTowerSectorId,omitempty"`
	AdditionalDataReference             []Reference `json:"additionalDataReference,omitempty"`
	LocalIdentifier                     []string    `json:"localIdentifier,omitempty"`
	NotesReference                      []Reference `json:"notesReference,omitempty"`
}

// PersonInformation is a person of the incident (PersonInformationType). tenfour:
// a caller (role "Caller"), present only for those allowed to see callers. The
// NIEM person (name) is kept as raw JSON: its schema is not published.
type PersonInformation struct {
	Prologue
	NcPersonComponent              json.RawMessage `json:"ncPersonComponent,omitempty"`
	PersonIncidentRoleRegistryText Array[string]   `json:"personIncidentRoleRegistryText"`
	CallIdentifier                 []string        `json:"callIdentifier,omitempty"`
	LocationReference              []Reference     `json:"locationReference,omitempty"`
	DestinationReference           *Reference      `json:"destinationReference,omitempty"`
	ETA                            *Timestamp      `json:"eta,omitempty"`
	NotesReference                 []Reference     `json:"notesReference,omitempty"`
	AdditionalDataReference        []Reference     `json:"additionalDataReference,omitempty"`
	CallBackReference              *Reference      `json:"callBackReference,omitempty"`
	PersonCallLegState             []CallLegState  `json:"personCallLegState,omitempty"`
	ItemReference                  []Reference     `json:"itemReference,omitempty"`
}

// NCPerson is the part of NIEM's nc:PersonType tenfour writes: the name as one
// text (nc:PersonFullName).
type NCPerson struct {
	PersonName *NCPersonName `json:"nc:PersonName,omitempty"`
}

// NCPersonName is NIEM's nc:PersonNameType, as far as tenfour uses it.
type NCPersonName struct {
	PersonFullName string `json:"nc:PersonFullName,omitempty"`
}

// OrganizationInformation is an organisation of the incident
// (OrganizationInformationType). tenfour produces none.
type OrganizationInformation struct {
	Prologue
	NcOrganizationComponent              json.RawMessage `json:"ncOrganizationComponent,omitempty"`
	OrganizationIncidentRoleRegistryText Array[string]   `json:"organizationIncidentRoleRegistryText"`
	AdditionalDataReference              []Reference     `json:"additionalDataReference,omitempty"`
	LocationReference                    []Reference     `json:"locationReference,omitempty"`
	NotesReference                       []Reference     `json:"notesReference,omitempty"`
	CallBackReference                    *Reference      `json:"callBackReference,omitempty"`
}

// Disposition is how the incident ended (DispositionType). tenfour: the
// incident's disposition code when it is cleared.
type Disposition struct {
	Prologue
	DispositionCommonRegistryCode string      `json:"dispositionCommonRegistryCode"`
	DispositionPrimaryIndicator   *bool       `json:"dispositionPrimaryIndicator,omitempty"`
	DispositionCategoryText       string      `json:"dispositionCategoryText,omitempty"`
	DispositionDescriptionText    string      `json:"dispositionDescriptionText,omitempty"`
	NotesReference                []Reference `json:"notesReference,omitempty"`
}

// VehicleInformation is a vehicle of the incident (VehicleInformationType).
// tenfour produces none; NIEM parts are kept as raw JSON.
type VehicleInformation struct {
	Prologue
	NcVehicleComponent           json.RawMessage `json:"ncVehicleComponent,omitempty"`
	VehicleRelationshipType      Array[string]   `json:"vehicleRelationshipType"`
	VehicleRelationshipTimeStamp Timestamp       `json:"vehicleRelationshipTimeStamp"`
	AdditionalDataReference      []Reference     `json:"additionalDataReference,omitempty"`
	LocationReference            []Reference     `json:"locationReference,omitempty"`
	DestinationReference         *Reference      `json:"destinationReference,omitempty"`
	ETA                          *Timestamp      `json:"eta,omitempty"`
	NotesReference               []Reference     `json:"notesReference,omitempty"`
	JCommercialVehicleComponent  json.RawMessage `json:"jCommercialVehicleComponent,omitempty"`
	ItemReference                []Reference     `json:"itemReference,omitempty"`
}

// IncidentInformation is the incident (IncidentInformationType). tenfour:
// dispatch.Incident — type (the common registry's code where one fits, tenfour's
// code and text as internal), status, priority, beat, disposition, notes.
type IncidentInformation struct {
	Prologue
	// IncidentTypeInternalCode: tenfour's incident type code (dispatch.Incident.Type).
	IncidentTypeInternalCode string `json:"incidentTypeInternalCode,omitempty"`
	// IncidentTypeInternalText: tenfour's description of that type.
	IncidentTypeInternalText string `json:"incidentTypeInternalText,omitempty"`
	// IncidentTypeCommonRegistryText: the NENA/APCO common incident type.
	IncidentTypeCommonRegistryText string `json:"incidentTypeCommonRegistryText"`
	// IncidentStatusInternalText: tenfour's incident status.
	IncidentStatusInternalText []string `json:"incidentStatusInternalText,omitempty"`
	// IncidentStatusCommonRegistryText: the Incident Status registry's value.
	IncidentStatusCommonRegistryText []string `json:"incidentStatusCommonRegistryText,omitempty"`
	// InternalIncidentID: tenfour's incident id.
	InternalIncidentID     string      `json:"internalIncidentId,omitempty"`
	AgentReference         []Reference `json:"agentReference,omitempty"`
	LocationReference      []Reference `json:"locationReference,omitempty"`
	PersonReference        []Reference `json:"personReference,omitempty"`
	OrganizationReference  []Reference `json:"organizationReference,omitempty"`
	VehicleReference       []Reference `json:"vehicleReference,omitempty"`
	DocumentIdentification []string    `json:"documentIdentification,omitempty"`
	ReportNumberType       string      `json:"reportNumberType,omitempty"`
	// IncidentPriorityInternalText: tenfour's priority (0 officer emergency … 4).
	IncidentPriorityInternalText string `json:"incidentPriorityInternalText,omitempty"`
	// IncidentCommonPriorityNumber: the priority as a number.
	IncidentCommonPriorityNumber *int32 `json:"incidentCommonPriorityNumber,omitempty"`
	// BeatOrDispatchGroupText: the incident's beat.
	BeatOrDispatchGroupText string        `json:"beatOrDispatchGroupText,omitempty"`
	DispositionComponent    []Disposition `json:"dispositionComponent,omitempty"`
	NotesReference          []Reference   `json:"notesReference,omitempty"`
}

// UpdatedCBN is a further number to call a reporting party on (UpdatedCBNType).
type UpdatedCBN struct {
	Prologue
	UpdatedCbnIdentifierURI     string `json:"updatedCbnIdentifierUri"`
	UpdatedCbnCallerDescription string `json:"updatedCbnCallerDescription,omitempty"`
}

// Call directions (CallInformationType.direction).
const (
	DirectionIncoming = "incoming"
	DirectionOutgoing = "outgoing"
	DirectionInternal = "internal"
)

// Priorities and severities (STA-023's priority values, used by the call's
// priorityIdentifier, a caution's and a unit emergency state's severity).
const (
	Highest = "highest"
	High    = "high"
	Normal  = "normal"
	Low     = "low"
	Lowest  = "lowest"
)

// CallInformation is a call of the incident (CallInformationType). tenfour: one
// call per caller, started when the incident was received and answered when it
// was entered.
type CallInformation struct {
	Prologue
	RelatedCallIdentifier []string `json:"relatedCallIdentifier,omitempty"`
	QueueIdentifier       string   `json:"queueIdentifier,omitempty"`
	// StandardPrimaryCallType: LogEvent CallTypes "Primary" ("emergency").
	StandardPrimaryCallType   string `json:"standardPrimaryCallType"`
	StandardSecondaryCallType string `json:"standardSecondaryCallType,omitempty"`
	LocalCallType             string `json:"localCallType,omitempty"`
	// Direction: DirectionIncoming and the others.
	Direction               string      `json:"direction"`
	PriorityIdentifier      string      `json:"priorityIdentifier,omitempty"`
	AdditionalDataReference []Reference `json:"additionalDataReference,omitempty"`
	CallStartTimestamp      Timestamp   `json:"callStartTimestamp"`
	AnswerDate              *Timestamp  `json:"answerDate,omitempty"`
	// CallStateRegistryText: from the IANA Call States registry ("callEnd" …).
	CallStateRegistryText string      `json:"callStateRegistryText"`
	AgentReference        []Reference `json:"agentReference,omitempty"`
	CallBackReference     *Reference  `json:"callBackReference,omitempty"`
	Verstat               string      `json:"verstat,omitempty"`
	SipIdentity           string      `json:"sipIdentity,omitempty"`
	LocationReference     []Reference `json:"locationReference,omitempty"`
	NotesReference        []Reference `json:"notesReference,omitempty"`
	PersonReference       []Reference `json:"personReference,omitempty"`
	OrganizationReference []Reference `json:"organizationReference,omitempty"`
	AgencyReference       []Reference `json:"agencyReference,omitempty"`
}

// Callback says how to reach a reporting party (CallbackType). tenfour: the
// caller's phone as a tel: URI.
type Callback struct {
	Prologue
	CallBackInformationURI []string    `json:"callBackInformationUri,omitempty"`
	DeviceContactHeader    string      `json:"deviceContactHeader,omitempty"`
	UpdatedCbn             *UpdatedCBN `json:"updatedCbn,omitempty"`
}

// EmergencyResource is a unit that responds (EmergencyResourceType). tenfour:
// dispatch.Unit — its call sign, kind, status (primary: the registry's value;
// internal: tenfour's), capabilities as attributes, position.
type EmergencyResource struct {
	Prologue
	// EmergencyResourceTypeCommonRegistryText: from the Emergency Resource Type
	// registry, after the unit's kind.
	EmergencyResourceTypeCommonRegistryText string `json:"emergencyResourceTypeCommonRegistryText"`
	// EmergencyResourceTypeInternalText: tenfour's unit kind.
	EmergencyResourceTypeInternalText string `json:"emergencyResourceTypeInternalText,omitempty"`
	// ResourceAttributeRegistryText: from the Resource Attribute registry.
	ResourceAttributeRegistryText Array[string] `json:"resourceAttributeRegistryText"`
	// ResourceAttributeInternalText: tenfour's capabilities.
	ResourceAttributeInternalText []string `json:"resourceAttributeInternalText,omitempty"`
	// EmergencyResourceName: the call sign.
	EmergencyResourceName string `json:"emergencyResourceName,omitempty"`
	// PrimaryUnitStatusRegistryText: from the Primary Unit Status registry.
	PrimaryUnitStatusRegistryText string `json:"primaryUnitStatusRegistryText"`
	// SecondaryUnitStatusRegistryText: from the Secondary Unit Status registry.
	SecondaryUnitStatusRegistryText Array[string] `json:"secondaryUnitStatusRegistryText"`
	NotesReference                  []Reference   `json:"notesReference,omitempty"`
	// UnitStatusInternal: tenfour's unit status (AVAILABLE, EN_ROUTE, …).
	UnitStatusInternal       []string         `json:"unitStatusInternal,omitempty"`
	AgentReference           Array[Reference] `json:"agentReference"`
	UnitLocationReference    *Reference       `json:"unitLocationReference,omitempty"`
	UnitDestinationReference *Reference       `json:"unitDestinationReference,omitempty"`
	ETA                      *Timestamp       `json:"eta,omitempty"`
	PersonReference          []Reference      `json:"personReference,omitempty"`
	VehicleReference         []Reference      `json:"vehicleReference,omitempty"`
	ItemReference            []Reference      `json:"itemReference,omitempty"`
	// ActiveOnIncidentID: the incident the unit is on now, if any.
	ActiveOnIncidentID  string   `json:"activeOnIncidentId,omitempty"`
	StackedOnIncidentID []string `json:"stackedOnIncidentId,omitempty"`
}

// DispatchInformation is a dispatch of an agency's resources to the incident
// (DispatchInformationType). tenfour: one per agency whose units were assigned.
type DispatchInformation struct {
	Prologue
	AgencyReference            *Reference  `json:"agencyReference,omitempty"`
	AgentReference             *Reference  `json:"agentReference,omitempty"`
	EmergencyResourceReference []Reference `json:"emergencyResourceReference,omitempty"`
	NotesReference             []Reference `json:"notesReference,omitempty"`
}

// AlarmsSensors is alarm data (AlarmsSensorsType). tenfour produces none.
type AlarmsSensors struct {
	Prologue
	CsaaAlarmInformation string      `json:"csaaAlarmInformation,omitempty"`
	AlarmURL             string      `json:"alarmUrl,omitempty"`
	AgentReference       *Reference  `json:"agentReference,omitempty"`
	NotesReference       []Reference `json:"notesReference,omitempty"`
}

// Media is a link to media (MediaType). tenfour produces none.
type Media struct {
	Prologue
	URI         string `json:"uri"`
	ContentType string `json:"contentType"`
	Label       string `json:"label,omitempty"`
}

// CallLegState is a call leg's state when it differs from the call's
// (CallLegStateType).
type CallLegState struct {
	Prologue
	CallReference         Reference `json:"callReference"`
	CallStateRegistryText string    `json:"callStateRegistryText"`
}

// SharedCommunicationResource is a radio channel, talk group or chat room shared
// for the incident (SharedCommunicationResourceType). tenfour produces none.
type SharedCommunicationResource struct {
	Prologue
	SharedCommunicationResourceType           string      `json:"sharedCommunicationResourceType"`
	SharedCommunicationResourceByReferenceURL string      `json:"sharedCommunicationResourceByReferenceUrl,omitempty"`
	SharedCommunicationResourceByValue        string      `json:"sharedCommunicationResourceByValue,omitempty"`
	ConnectedSharedCommunicationResources     []Reference `json:"connectedSharedCommunicationResources,omitempty"`
	NotesReference                            []Reference `json:"notesReference,omitempty"`
}

// ExternalInformationSource is a source of data not otherwise in the EIDO
// (ExternalInformationSourceType). The schema spells the access string
// "externalSourceAcessString"; so does this field's JSON name.
type ExternalInformationSource struct {
	Prologue
	ExternalSourceRegistryText string `json:"externalSourceRegistryText"`
	ExternalSourceAcessString  string `json:"externalSourceAcessString,omitempty"`
}

// UnitEmergencyState is an emergency reported for a unit, such as a radio's
// emergency button (UnitEmergencyStateType). tenfour: a unit in status EMERGENCY
// (the officer's button), from the time it was pressed to the time it ended.
type UnitEmergencyState struct {
	Prologue
	// Severity: Highest for an officer's EMERGENCY.
	Severity                  string      `json:"severity"`
	OriginatingDevice         string      `json:"originatingDevice,omitempty"`
	EmergencyStateType        string      `json:"emergencyStateType,omitempty"`
	ReportingAgentReference   *Reference  `json:"reportingAgentReference,omitempty"`
	TerminatingAgentReference *Reference  `json:"terminatingAgentReference,omitempty"`
	StartTimestamp            Timestamp   `json:"startTimestamp"`
	StopTimestamp             *Timestamp  `json:"stopTimestamp,omitempty"`
	AcknowledgementTimestamp  *Timestamp  `json:"acknowledgementTimestamp,omitempty"`
	NotesReference            []Reference `json:"notesReference,omitempty"`
}

// Caution raises attention to something that may threaten people or property
// (CautionType). tenfour: a premise hazard of the incident (dispatch.Hazard):
// its kind as internal text, the registry's type, a severity.
type Caution struct {
	Prologue
	CautionTypeInternalText          string     `json:"cautionTypeInternalText"`
	CautionTypeCommonRegistryText    string     `json:"cautionTypeCommonRegistryText"`
	CautionTypeCommonSubRegistryText []string   `json:"cautionTypeCommonSubRegistryText,omitempty"`
	CautionSeverity                  string     `json:"cautionSeverity"`
	CautionSource                    string     `json:"cautionSource,omitempty"`
	StartDate                        *Timestamp `json:"startDate,omitempty"`
}

// ItemInformation is an item of interest (ItemInformationType). tenfour
// produces none; the NIEM item is kept as raw JSON.
type ItemInformation struct {
	Prologue
	NcItemType        json.RawMessage `json:"ncItemType,omitempty"`
	LocationReference []Reference     `json:"locationReference,omitempty"`
	NotesReference    []Reference     `json:"notesReference,omitempty"`
}
