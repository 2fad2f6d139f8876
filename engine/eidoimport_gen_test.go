package engine_test

import (
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// importCommand returns a random import of another system's incident (or
// a call transfer): mostly one of a few Refs, so that imports are created,
// updated and repeated unchanged; now and then with a field the domain
// refuses.
func (g gen) importCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	ref := pick(g, "urn:emergency:uid:incidentid:a1:psap.example.org", "urn:emergency:uid:incidentid:b2:psap.example.org", "inc-3")
	claimed := now.Add(-time.Duration(g.r.IntN(600)) * time.Minute)
	note := func(i int) dispatch.ImportedNote {
		return dispatch.ImportedNote{Ref: "note-" + string(rune('a'+i)), Time: claimed, Author: "tjones@psap.example.org",
			Text: field(g, []string{"caller reports smoke", "línea\ndos"}, []string{"", "\u202ebad"})}
	}
	var notes []dispatch.ImportedNote
	for i := range g.r.IntN(4) {
		notes = append(notes, note(i))
	}
	var callers []dispatch.ImportedCaller
	for i := range g.r.IntN(3) {
		callers = append(callers, dispatch.ImportedCaller{Ref: "person-" + string(rune('a'+i)),
			Name:  field(g, []string{"", "Dana Quill"}, []string{"bad\x00name"}),
			Phone: field(g, []string{"tel:8195551212", ""}, []string{strings.Repeat("9", 41)})})
	}
	var units []dispatch.ForeignUnit
	for range g.r.IntN(3) {
		units = append(units, dispatch.ForeignUnit{CallSign: pick(g, "E12", "M3"), Agency: "fire.example.org",
			Status: pick(g, "Dispatched", "OnScene"), Since: &claimed})
	}
	var cautions []dispatch.Caution
	if g.r.IntN(3) == 0 {
		cautions = []dispatch.Caution{{Kind: field(g, dispatch.HazardKinds, []string{"dragon"}), Text: "dog in yard", Severity: "high"}}
	}
	original := []byte(`{"eidoVersion":"1.0","n":` + pick(g, "1", "2", "3") + `}`)
	cmd := dispatch.ImportIncident{
		Agency: g.agency(), Source: field(g, []string{"psap.example.org"}, []string{""}), Ref: field(g, []string{ref}, []string{"", "a b"}),
		Type: field(g, []string{"FIRE_STRUCTURE", "MEDICAL", "", "NOT_A_TYPE"}, nil), SourceType: pick(g, "", "Fire - Structure"),
		Priority: field(g, []*int{nil, ptr(2)}, []*int{ptr(7)}),
		Location: pick(g, g.location(), kedzie), Transfer: g.r.IntN(4) == 0, Status: pick(g, "", "Dispatched", "Closed"),
		Callers: callers, Notes: notes, Cautions: cautions, Units: units,
		Times:         dispatch.SenderTimes{Received: field(g, []*time.Time{nil, &claimed}, []*time.Time{ptr(now.Add(time.Hour))})},
		Unrepresented: pick(g, []string(nil), []string{"/additionalDataComponent/0"}),
		Original:      field(g, [][]byte{original}, [][]byte{nil}),
	}
	return cmd, field(g, []dispatch.Actor{g.actor(), system}, nil)
}
