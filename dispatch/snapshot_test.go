package dispatch

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The codec keeps what the API's JSON would lose: a nil list apart from an
// empty one, fields the API hides, the counters ids are made from.
func TestSnapshotKeepsEveryField(t *testing.T) {
	s := NewState()
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	lat, lon := 41.9, -87.7
	s.Agencies["metro"] = &Agency{ID: "metro", Name: "Metro", Kind: "police", Created: at, RunCards: &RunCards{}}
	s.Incidents["i1"] = &Incident{ID: "i1", Agency: "metro", Units: []string{}, Notes: nil,
		Location: Location{Text: "1 Main St", Lat: &lat, Lon: &lon}, Received: at, Cleared: &at}
	s.Units["u1"] = &Unit{ID: "u1", Agency: "metro", SafetyChecked: at, StatusSince: at}
	s.incidentSerial["metro/2026"] = 7
	s.agencyTypes["metro"] = []IncidentType{{Code: "X1"}}
	c := s.Clone()
	if !reflect.DeepEqual(c, s) {
		t.Fatalf("clone differs:\n got %+v\nwant %+v", c, s)
	}
	if c.Incidents["i1"].Units == nil || c.Incidents["i1"].Notes != nil {
		t.Errorf("empty and nil lists: got Units %#v, Notes %#v", c.Incidents["i1"].Units, c.Incidents["i1"].Notes)
	}
	if c.Incidents["i1"] == s.Incidents["i1"] || c.Incidents["i1"].Location.Lat == s.Incidents["i1"].Location.Lat {
		t.Error("the clone shares pointers with the state")
	}
	c.Incidents["i1"].Units = append(c.Incidents["i1"].Units, "u1")
	if len(s.Incidents["i1"].Units) != 0 {
		t.Error("changing the clone changed the state")
	}
}

func TestSnapshotRefusesWhatItDoesNotKnow(t *testing.T) {
	s := NewState()
	s.Agencies["metro"] = &Agency{ID: "metro", Name: "Metro"}
	b, err := EncodeState(s)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"unknown field":  strings.Replace(string(b), `"Name":"Metro"`, `"Name":"Metro","Colour":"blue"`, 1),
		"missing field":  strings.Replace(string(b), `"Name":"Metro",`, ``, 1),
		"wrong kind":     strings.Replace(string(b), `"Name":"Metro"`, `"Name":7`, 1),
		"not JSON":       string(b[:len(b)/2]),
		"unknown member": strings.Replace(string(b), `"Agencies":`, `"Agencys":`, 1),
	} {
		if bad == string(b) {
			t.Fatalf("%s: the test's edit did not apply to %s", name, b)
		}
		if _, err := DecodeState([]byte(bad)); err == nil {
			t.Errorf("%s: DecodeState(%s) = nil error", name, bad)
		}
	}
	type hidden struct{ x int }
	if _, err := encodeValue(reflect.ValueOf(hidden{1}), "v"); err == nil || errors.Is(err, errShape) {
		t.Errorf("an unexported field: err = %v, want a refusal", err)
	}
}
