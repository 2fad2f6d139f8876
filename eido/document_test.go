package eido

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTimestampRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 7, 11, 30, 15, 250_000_000, time.FixedZone("CST", -6*3600))
	b, err := json.Marshal(At(at))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `"2026-12-07T17:30:15.250Z"`; got != want {
		t.Fatalf("Marshal(At(%v)) = %s, want %s", at, got, want)
	}
	var back Timestamp
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(at) {
		t.Fatalf("Unmarshal(%s) = %v, want %v", b, back.Time, at)
	}
}

func TestTimestampWithoutZoneIsUTC(t *testing.T) {
	var ts Timestamp
	if err := json.Unmarshal([]byte(`"2021-04-30T18:40:00.0"`), &ts); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2021, 4, 30, 18, 40, 0, 0, time.UTC); !ts.Equal(want) {
		t.Fatalf("Unmarshal = %v, want %v", ts.Time, want)
	}
	if err := json.Unmarshal([]byte(`"yesterday"`), &ts); err == nil {
		t.Fatal("Unmarshal(yesterday) = nil error, want one")
	}
}

func TestDocumentJSONNames(t *testing.T) {
	doc := Document{
		Prologue: Prologue{ID: "urn:emergency:uid:incidentid:x:example.org",
			UpdatedByAgencyReference: Ref("a")},
		EidoVersion:                  Version,
		IssuingElementIdentification: "example.org",
		AgencyComponent:              []Agency{{Prologue: Prologue{ID: "a"}, AgencyRoleDescriptionRegistryText: []string{"Dispatch"}, AgencyType: []string{"police"}}},
		IncidentComponent:            &IncidentInformation{IncidentTypeCommonRegistryText: "x"},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"$id":"urn:emergency:uid:incidentid:x:example.org"`, `"eidoVersion":"1.0"`,
		`"updatedByAgencyReference":{"$ref":"a"}`, `"incidentTypeCommonRegistryText":"x"`, `"agencyType":["police"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Marshal(doc) = %s, want it to contain %s", b, want)
		}
	}
	for _, absent := range []string{"callComponent", "updatedByAgentReference", "eta"} {
		if strings.Contains(string(b), absent) {
			t.Errorf("Marshal(doc) = %s, want no %s (omitted when empty)", b, absent)
		}
	}
	var back Document
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != doc.ID || back.AgencyComponent[0].AgencyType[0] != "police" {
		t.Fatalf("round trip lost fields: %+v", back)
	}
}

func TestRequiredArraysAreNeverNull(t *testing.T) {
	b, err := json.Marshal(EmergencyResource{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"agentReference":[]`, `"resourceAttributeRegistryText":[]`, `"secondaryUnitStatusRegistryText":[]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Marshal(EmergencyResource{}) = %s, want %s", b, want)
		}
	}
	b, err = json.Marshal(Document{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"agencyComponent":[]`) {
		t.Errorf("Marshal(Document{}) = %s, want agencyComponent []", b)
	}
}
