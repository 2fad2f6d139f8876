package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func baseImport() dispatch.ImportIncident {
	return dispatch.ImportIncident{Agency: "metro", Source: "cad.partner.example", Ref: "urn:emergency:uid:incidentid:1:partner.example",
		Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"}, Original: []byte(`{"eidoVersion":"1.0"}`)}
}

// TestImportIncidentRules: what an import may carry, who may import, the
// fallback type, the sender's claimed times (old ones kept, impossible
// ones refused), and what a second import of the same Ref records.
func TestImportIncidentRules(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	sys := dispatch.Actor{System: "test"}
	newState := func() *dispatch.State {
		s := dispatch.NewState()
		mustDecide(t, s, sys, at, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
			dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
		return s
	}
	taker := dispatch.Actor{User: "cara", Agency: "metro", Role: dispatch.RoleCallTaker}
	week := at.Add(-7 * 24 * time.Hour)
	for _, tc := range []struct {
		name  string
		actor dispatch.Actor
		edit  func(c *dispatch.ImportIncident)
		code  string // "" accepted
		msg   string
	}{
		{"OK", taker, func(*dispatch.ImportIncident) {}, "", ""},
		{"OldClaimsKept", taker, func(c *dispatch.ImportIncident) { c.Times.Received = &week }, "", ""},
		{"FutureClaim", taker, func(c *dispatch.ImportIncident) { c.Times.OnScene = ptr(at.Add(time.Hour)) }, dispatch.EINVALID, "after the import"},
		{"AnotherAgency", dispatch.Actor{User: "sid", Agency: "sheriff", Role: dispatch.RoleDispatcher}, func(*dispatch.ImportIncident) {}, dispatch.EFORBIDDEN, ""},
		{"NoAgency", taker, func(c *dispatch.ImportIncident) { c.Agency = "nowhere" }, dispatch.ENOTFOUND, ""},
		{"NoRef", taker, func(c *dispatch.ImportIncident) { c.Ref = " " }, dispatch.EINVALID, "incident id"},
		{"RefWithSpace", taker, func(c *dispatch.ImportIncident) { c.Ref = "a b" }, dispatch.EINVALID, "white space"},
		{"NoSource", taker, func(c *dispatch.ImportIncident) { c.Source = "" }, dispatch.EINVALID, "source"},
		{"NoPlace", taker, func(c *dispatch.ImportIncident) { c.Location = dispatch.Location{} }, dispatch.EINVALID, "location"},
		{"HiddenNote", taker, func(c *dispatch.ImportIncident) {
			c.Notes = []dispatch.ImportedNote{{Ref: "n1", Time: at, Text: "abc\u202edef"}}
		}, dispatch.EINVALID, "RIGHT-TO-LEFT OVERRIDE"},
		{"NoteWithoutTime", taker, func(c *dispatch.ImportIncident) { c.Notes = []dispatch.ImportedNote{{Ref: "n1", Text: "x"}} }, dispatch.EINVALID, "no time"},
		{"CautionKind", taker, func(c *dispatch.ImportIncident) { c.Cautions = []dispatch.Caution{{Kind: "dragons"}} }, dispatch.EINVALID, "kind"},
		{"Priority", taker, func(c *dispatch.ImportIncident) { c.Priority = ptr(9) }, dispatch.EINVALID, "priority"},
		{"NoOriginal", taker, func(c *dispatch.ImportIncident) { c.Original = nil }, dispatch.EINVALID, "original"},
		{"NotAPointer", taker, func(c *dispatch.ImportIncident) { c.Unrepresented = []string{"agentComponent"} }, dispatch.EINVALID, "JSON Pointer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newState()
			c := baseImport()
			tc.edit(&c)
			evs, err := c.Decide(s, tc.actor, at)
			if tc.code == "" {
				if err != nil || len(evs) != 1 || evs[0].Type != dispatch.TypeIncidentImported {
					t.Fatalf("Decide = %v, %v; want one incident.imported", evs, err)
				}
				return
			}
			if dispatch.ErrorCode(err) != tc.code || !strings.Contains(dispatch.ErrorMessage(err), tc.msg) {
				t.Errorf("Decide = %v; want %s with %q", err, tc.code, tc.msg)
			}
		})
	}

	t.Run("Fallback", func(t *testing.T) {
		s := newState()
		c := baseImport()
		c.Type, c.SourceType = "", "ALIEN INVASION"
		ev := mustDecide(t, s, taker, at, c)[0]
		in := s.Incidents[ev.Subject["incident"]]
		if in.Type != dispatch.UnknownType || in.Import.SourceType != "ALIEN INVASION" || in.Received != at {
			t.Errorf("incident = type %s, source type %q, received %v; want UNKNOWN, the sender's kept, the import's time", in.Type, in.Import.SourceType, in.Received)
		}
	})

	t.Run("SecondImport", func(t *testing.T) {
		s := newState()
		first := baseImport()
		first.Notes = []dispatch.ImportedNote{{Ref: "n1", Time: week, Author: "partner", Text: "one"}}
		id := mustDecide(t, s, taker, at, first)[0].Subject["incident"]
		// The same again: nothing.
		if evs, err := first.Decide(s, taker, at.Add(time.Minute)); err != nil || len(evs) != 0 {
			t.Fatalf("the same import again = %v, %v; want no event", evs, err)
		}
		// A note more and another type: one update with both.
		second := first
		second.Type = "ROBBERY"
		second.Notes = append(second.Notes, dispatch.ImportedNote{Ref: "n2", Time: week.Add(time.Minute), Author: "partner", Text: "two"})
		second.Original = []byte(`{"eidoVersion":"1.0","n":2}`)
		evs := mustDecide(t, s, taker, at.Add(2*time.Minute), second)
		d, ok := evs[0].Data.(*dispatch.IncidentImportUpdated)
		if len(evs) != 1 || !ok || d.Incident != id || len(d.Notes) != 1 || d.Notes[0].Ref != "n2" || d.Type == nil || *d.Type != "ROBBERY" {
			t.Fatalf("the changed import = %+v; want one update of %s with note n2 and type ROBBERY", evs, id)
		}
		in := s.Incidents[id]
		if in.Type != "ROBBERY" || len(in.Notes) != 2 || in.Notes[1].Text != "two" || in.Import.Revision != 2 {
			t.Errorf("after the update: %+v, import %+v", in, in.Import)
		}
		// Another agency's import of the same Ref is another incident.
		s2 := s
		other := first
		other.Agency = "sheriff"
		ev := mustDecide(t, s2, dispatch.Actor{User: "sid", Agency: "sheriff", Role: dispatch.RoleDispatcher}, at.Add(3*time.Minute), other)[0]
		if ev.Type != dispatch.TypeIncidentImported || ev.Subject["incident"] == id {
			t.Errorf("sheriff's import of the same Ref = %s %v; want a new incident", ev.Type, ev.Subject)
		}
	})
}
