package eido

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// validDoc is a small EIDO that NENA's schema accepts: the required components
// only, and an incident.
func validDoc() Document {
	at := At(time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC))
	agency := Prologue{ID: "metro.tenfour.test", LastUpdateTimeStamp: at, UpdatedByAgencyReference: Ref("metro.tenfour.test")}
	return Document{
		Prologue:                     Prologue{ID: "urn:emergency:uid:incidentid:metro-2026-000001:tenfour.test", LastUpdateTimeStamp: at, UpdatedByAgencyReference: Ref("metro.tenfour.test")},
		EidoVersion:                  Version,
		IssuingElementIdentification: "tenfour.test",
		AgencyComponent:              []Agency{{Prologue: agency, AgencyRoleDescriptionRegistryText: []string{"Dispatch"}, AgencyType: []string{"police"}}},
		AgentComponent: []Agent{{Prologue: Prologue{ID: "ct1", LastUpdateTimeStamp: at, UpdatedByAgencyReference: Ref("metro.tenfour.test")},
			AgentRoleRegistryText: []string{"Call Taking"}, AgencyReference: Ref("metro.tenfour.test")}},
		IncidentComponent: &IncidentInformation{Prologue: Prologue{ID: "urn:emergency:uid:incidentid:metro-2026-000001:tenfour.test:incident", LastUpdateTimeStamp: at, UpdatedByAgencyReference: Ref("metro.tenfour.test")},
			IncidentTypeCommonRegistryText: "THEFT"},
		PersonComponent: []PersonInformation{{Prologue: Prologue{ID: "p1", LastUpdateTimeStamp: at, UpdatedByAgencyReference: Ref("metro.tenfour.test")},
			PersonIncidentRoleRegistryText: []string{"Caller"}, NcPersonComponent: json.RawMessage(`{"nc:PersonName":{"nc:PersonFullName":"A"}}`)}},
		Context: &Context{Vocab: ContextVocab},
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEmbeddedSchemaIsNENAs(t *testing.T) {
	sum := sha256.Sum256(nenaOpenAPI)
	if got := hex.EncodeToString(sum[:]); got != NENAOpenAPISHA256 {
		t.Fatalf("SHA-256 of eido/nena/openapi.yaml = %s, want %s (NENA's as published)", got, NENAOpenAPISHA256)
	}
	// Where the project keeps the shared copy beside the repository, it must be
	// the same file.
	if shared, err := os.ReadFile("../../shared/eido/openapi.yaml"); err == nil && string(shared) != string(nenaOpenAPI) {
		t.Fatal("eido/nena/openapi.yaml differs from ../shared/eido/openapi.yaml")
	}
}

func TestCompileRefusesAnEditedSchema(t *testing.T) {
	edited := append([]byte(nil), nenaOpenAPI...)
	edited = append(edited, '\n')
	if _, err := compileSchema(edited); err == nil || !strings.Contains(err.Error(), "not the published one") {
		t.Fatalf("compileSchema(edited) = %v, want the refusal of an edited document", err)
	}
}

func TestValidateAcceptsNENASample(t *testing.T) {
	// NENA's own call transfer sample (EIDO-JSON, Samples/), but for one
	// date-time without a zone that the schema's format refuses; trimmed of its
	// long XML values.
	doc := `{
	"$id": "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us",
	"lastUpdateTimeStamp": "2021-04-30T18:43:49.439Z",
	"updatedByAgencyReference": {"$ref": "state.pa.us"},
	"updatedByAgentReference": {"$ref": "tjones.atroop@state.pa.us"},
	"eidoVersion": "1.0",
	"issuingElementIdentification": "idx.state.pa.us",
	"callComponent": [{
		"$id": "urn:emergency:uid:callid:a56e556d871:bcf.state.pa.us",
		"lastUpdateTimeStamp": "2021-04-30T18:42:00.0Z",
		"updatedByAgencyReference": {"$ref": "state.pa.us"},
		"queueIdentifier": "sos@state.pa.us",
		"standardPrimaryCallType": "emergency",
		"direction": "incoming",
		"callStartTimestamp": "2021-04-30T18:40:00.0Z",
		"answerDate": "2021-04-30T18:42:00.0Z",
		"callStateRegistryText": "callAnswered",
		"callBackReference": {"$ref": "123e4567-e89b-1234-a456-426614174000"},
		"personReference": [{"$ref": "123e4567-abcd-12d3-a456-426614174000"}]
	}],
	"callbackComponent": [{
		"$id": "123e4567-e89b-1234-a456-426614174000",
		"lastUpdateTimeStamp": "2021-04-30T18:40:00.0Z",
		"updatedByAgencyReference": {"$ref": "state.pa.us"},
		"callBackInformationUri": ["sip:8195551212@osp.com", "tel:8195551212"]
	}],
	"agencyComponent": [{
		"$id": "state.pa.us",
		"lastUpdateTimeStamp": "2021-04-30T18:40:00.0Z",
		"updatedByAgencyReference": {"$ref": "state.pa.us"},
		"agencyRoleDescriptionRegistryText": ["CallReceiving"],
		"agencyType": ["psap"]
	}],
	"personComponent": [{
		"$id": "123e4567-abcd-12d3-a456-426614174000",
		"lastUpdateTimeStamp": "2021-04-30T18:40:00.0Z",
		"updatedByAgencyReference": {"$ref": "state.pa.us"},
		"personIncidentRoleRegistryText": ["Caller"],
		"callBackReference": {"$ref": "123e4567-e89b-1234-a456-426614174000"}
	}],
	"@context": {"@vocab": "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"}
}`
	if err := Validate([]byte(doc)); err != nil {
		t.Fatalf("Validate(NENA's sample) = %v, want nil", err)
	}
	var d Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("Unmarshal(NENA's sample) = %v", err)
	}
	if err := Validate(mustMarshal(t, d)); err != nil {
		t.Fatalf("Validate(Marshal(Unmarshal(NENA's sample))) = %v, want nil", err)
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(mustMarshal(t, validDoc())); err != nil {
		t.Fatalf("Validate(validDoc) = %v, want nil", err)
	}
	// Each case breaks the valid document in one way; the validator must name
	// the place.
	for _, tc := range []struct {
		name    string
		break_  func(m map[string]any)
		pointer string
	}{
		{"ErrMissingAgencies", func(m map[string]any) { delete(m, "agencyComponent") }, ""},
		{"ErrMissingVersion", func(m map[string]any) { delete(m, "eidoVersion") }, ""},
		{"ErrWrongVersion", func(m map[string]any) { m["eidoVersion"] = "2.0" }, "/eidoVersion"},
		{"ErrVersionNotString", func(m map[string]any) { m["eidoVersion"] = 1 }, "/eidoVersion"},
		{"ErrAgenciesNotArray", func(m map[string]any) { m["agencyComponent"] = map[string]any{} }, "/agencyComponent"},
		{"ErrMissingIncidentType", func(m map[string]any) {
			delete(m["incidentComponent"].(map[string]any), "incidentTypeCommonRegistryText")
		}, "/incidentComponent"},
		{"ErrMissingPrologueID", func(m map[string]any) {
			delete(m["agencyComponent"].([]any)[0].(map[string]any), "$id")
		}, "/agencyComponent/0"},
		{"ErrBadTimestamp", func(m map[string]any) { m["lastUpdateTimeStamp"] = "yesterday" }, "/lastUpdateTimeStamp"},
		{"ErrPriorityNotInteger", func(m map[string]any) {
			m["incidentComponent"].(map[string]any)["incidentCommonPriorityNumber"] = "high"
		}, "/incidentComponent/incidentCommonPriorityNumber"},
		{"ErrAgentRolesEmpty", func(m map[string]any) {
			// The schema's `minItems: 1,` typo, read as 1, still applies.
			m["agentComponent"].([]any)[0].(map[string]any)["agentRoleRegistryText"] = []any{}
		}, "/agentComponent/0/agentRoleRegistryText"},
		{"ErrReferenceWithoutRef", func(m map[string]any) { m["updatedByAgencyReference"] = map[string]any{"id": "x"} }, "/updatedByAgencyReference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(mustMarshal(t, validDoc()), &m); err != nil {
				t.Fatal(err)
			}
			tc.break_(m)
			err := Validate(mustMarshal(t, m))
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Validate(broken) = %v, want an *InvalidError", err)
			}
			if ie.Pointer != tc.pointer {
				t.Fatalf("Validate(broken) at %q (%v), want at %q", ie.Pointer, err, tc.pointer)
			}
		})
	}
	t.Run("ErrNotJSON", func(t *testing.T) {
		var ie *InvalidError
		if err := Validate([]byte(`{"eidoVersion":`)); !errors.As(err, &ie) {
			t.Fatalf("Validate(truncated) = %v, want an *InvalidError", err)
		}
		if err := Validate(append(mustMarshal(t, validDoc()), []byte(` {}`)...)); !errors.As(err, &ie) {
			t.Fatalf("Validate(two values) = %v, want an *InvalidError", err)
		}
	})
}

func TestNIEMComponentsAreOpen(t *testing.T) {
	// A NIEM person is whatever the sender writes: the schema is unpublished.
	d := validDoc()
	d.PersonComponent[0].NcPersonComponent = json.RawMessage(`[1, "two", {"three": 3}]`)
	if err := Validate(mustMarshal(t, d)); err != nil {
		t.Fatalf("Validate(odd NIEM person) = %v, want nil", err)
	}
}

// BenchmarkCompileSchema times reading and compiling NENA's document, which
// Validate does once per process.
func BenchmarkCompileSchema(b *testing.B) {
	for b.Loop() {
		if _, err := compileSchema(nenaOpenAPI); err != nil {
			b.Fatal(err)
		}
	}
}
