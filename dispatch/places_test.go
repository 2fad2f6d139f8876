package dispatch

import (
	"testing"
	"time"
)

// fakePlaces knows one address and one district.
type fakePlaces struct{}

func (fakePlaces) Resolve(l Location) Location {
	l.Verified, l.District, l.Beat, l.Zone = false, "", "", ""
	if l.Lat == nil && l.Text == "1 Main St" {
		lat, lon := 45.5, -122.6
		l = Location{Text: "1 Main St", Lat: &lat, Lon: &lon, Verified: true}
	}
	if l.Lat != nil && l.Text == "" {
		l.Text = "near 1 Main St"
	}
	if l.Lat != nil {
		l.District, l.Beat, l.Zone = "north", "n1", "station-1"
	}
	return l
}

func (fakePlaces) HasDistrict(id string) bool { return id == "north" }

func TestPlace(t *testing.T) {
	lat, lon := 45.5, -122.6
	tests := []struct {
		name string
		cmd  Placed
		want func(Command) bool
		err  string // code of the error, if one is wanted
	}{
		{"IncidentKnown", CreateIncident{Location: Location{Text: "1 Main St", District: "forged", Verified: false}},
			func(c Command) bool {
				l := c.(CreateIncident).Location
				return l.Verified && l.District == "north" && l.Beat == "n1" && l.Zone == "station-1"
			}, ""},
		{"IncidentUnknown", CreateIncident{Location: Location{Text: "behind the mill", Verified: true, District: "north"}},
			func(c Command) bool {
				l := c.(CreateIncident).Location
				return !l.Verified && l.District == "" && l.Lat == nil && l.Text == "behind the mill"
			}, ""},
		{"RequestPoint", RequestAssist{Location: Location{Lat: &lat, Lon: &lon}},
			func(c Command) bool {
				l := c.(RequestAssist).Location
				return l.Text == "near 1 Main St" && l.District == "north"
			}, ""},
		{"PremiseUnknown", RecordPremise{Location: Location{Text: "behind the mill"}}, nil, EINVALID},
		{"FixUnknown", FixLocation{Location: Location{Text: "behind the mill"}}, nil, EINVALID},
		{"Emergency", SetUnitStatus{Status: StatusEmergency, Lat: &lat, Lon: &lon, District: "south", Beat: "s9", Near: "forged"},
			func(c Command) bool {
				s := c.(SetUnitStatus)
				return s.Near == "near 1 Main St" && s.District == "north" && s.Beat == "n1"
			}, ""},
		{"OtherStatus", SetUnitStatus{Status: StatusEnRoute, Lat: &lat, Lon: &lon, District: "south"},
			func(c Command) bool { s := c.(SetUnitStatus); return s.District == "" && s.Near == "" && s.Lat != nil }, ""},
		{"DirectiveDistrict", IssueDirective{Scope: Scope{Kind: ScopeDistrict, District: "north"}}, func(Command) bool { return true }, ""},
		{"DirectiveNoDistrict", IssueDirective{Scope: Scope{Kind: ScopeDistrict, District: "nowhere"}}, nil, EINVALID},
		{"BOLONoDistrict", IssueBOLO{Area: Scope{Kind: ScopeDistrict, District: "nowhere"}}, nil, EINVALID},
		{"Late", LateEntry{Command: CreateIncident{Location: Location{Text: "1 Main St"}}, Claimed: time.Unix(0, 0)},
			func(c Command) bool { return c.(LateEntry).Command.(CreateIncident).Location.Verified }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cmd.Place(fakePlaces{})
			if tt.err != "" {
				if ErrorCode(err) != tt.err {
					t.Fatalf("Place(%+v) = %+v, %v; want a %s error", tt.cmd, got, err, tt.err)
				}
				return
			}
			if err != nil || !tt.want(got) {
				t.Fatalf("Place(%+v) = %+v, %v; not placed as the map says", tt.cmd, got, err)
			}
		})
	}
}
