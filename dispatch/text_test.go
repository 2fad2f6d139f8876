package dispatch_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tenfour-cad/tenfour/dispatch"
	"golang.org/x/text/unicode/norm"
)

// hidden lists the characters text may not hold, with their names: bidi
// controls, zero-width and invisible characters, and a tag character.
var hidden = []struct {
	r    rune
	name string
}{
	{0x061C, "ARABIC LETTER MARK"}, {0x180E, "MONGOLIAN VOWEL SEPARATOR"},
	{0x200B, "ZERO WIDTH SPACE"}, {0x200C, "ZERO WIDTH NON-JOINER"}, {0x200D, "ZERO WIDTH JOINER"},
	{0x200E, "LEFT-TO-RIGHT MARK"}, {0x200F, "RIGHT-TO-LEFT MARK"},
	{0x202A, "LEFT-TO-RIGHT EMBEDDING"}, {0x202B, "RIGHT-TO-LEFT EMBEDDING"}, {0x202C, "POP DIRECTIONAL FORMATTING"},
	{0x202D, "LEFT-TO-RIGHT OVERRIDE"}, {0x202E, "RIGHT-TO-LEFT OVERRIDE"},
	{0x2060, "WORD JOINER"}, {0x2061, "FUNCTION APPLICATION"}, {0x2062, "INVISIBLE TIMES"}, {0x2063, "INVISIBLE SEPARATOR"}, {0x2064, "INVISIBLE PLUS"},
	{0x2066, "LEFT-TO-RIGHT ISOLATE"}, {0x2067, "RIGHT-TO-LEFT ISOLATE"}, {0x2068, "FIRST STRONG ISOLATE"}, {0x2069, "POP DIRECTIONAL ISOLATE"},
	{0xFEFF, "ZERO WIDTH NO-BREAK SPACE"}, {0xE0041, "TAG CHARACTER"},
}

// textFields are the commands that carry free text, one field each, made
// with text v; each is decided by actor on MustLifecycleFixture.
var textFields = []struct {
	field string
	actor dispatch.Actor
	cmd   func(v string) dispatch.Command
}{
	{"location text", system, func(v string) dispatch.Command {
		return dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: v}}
	}},
	{"caller name", system, func(v string) dispatch.Command {
		return dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "1 Main St"}, Caller: dispatch.Caller{Name: v}}
	}},
	{"caller phone", system, func(v string) dispatch.Command {
		return dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "1 Main St"}, Caller: dispatch.Caller{Phone: v}}
	}},
	{"narrative", system, func(v string) dispatch.Command {
		return dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "1 Main St"}, Narrative: v}
	}},
	{"note", system, func(v string) dispatch.Command { return dispatch.AddNote{Incident: inc1, Text: v} }},
	{"agency name", system, func(v string) dispatch.Command {
		return dispatch.CreateAgency{ID: "east-pd", Name: v, Kind: "municipal_police"}
	}},
	{"message", system, func(v string) dispatch.Command {
		return dispatch.SendMessage{Agency: "metro", To: []string{"unit:metro.2b7"}, Text: v}
	}},
	{"description", system, func(v string) dispatch.Command {
		return dispatch.IssueBOLO{Agency: "metro", Kind: dispatch.BOLOVehicle, Description: v, Area: dispatch.Scope{Kind: dispatch.ScopeAgency},
			Expires: t0.Add(time.Hour)}
	}},
	{"plate", system, func(v string) dispatch.Command {
		return dispatch.IssueBOLO{Agency: "metro", Kind: dispatch.BOLOVehicle, Description: "red sedan", Plate: v, Area: dispatch.Scope{Kind: dispatch.ScopeAgency},
			Expires: t0.Add(time.Hour)}
	}},
	{"flag 1 text", dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}, func(v string) dispatch.Command {
		return dispatch.RecordPremise{Agency: "metro", Location: dispatch.Location{Text: "1 Main St", Lat: ptr(41.8), Lon: ptr(-87.7)},
			Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardDog, Text: v, Expires: t0.Add(time.Hour)}}}
	}},
	{"flag 1 source", dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}, func(v string) dispatch.Command {
		return dispatch.RecordPremise{Agency: "metro", Location: dispatch.Location{Text: "1 Main St", Lat: ptr(41.8), Lon: ptr(-87.7)},
			Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardDog, Text: "dog", Source: v, Expires: t0.Add(time.Hour)}}}
	}},
	{"near", system, func(v string) dispatch.Command {
		return dispatch.SetUnitStatus{Unit: "metro.1a12", Status: dispatch.StatusBusy, Lat: ptr(41.8), Lon: ptr(-87.7), Near: v}
	}},
	{"incident type name", system, func(v string) dispatch.Command {
		return dispatch.AddIncidentType{Type: dispatch.IncidentType{Agency: "metro", Code: "LOCAL_X", Name: v, DefaultPriority: 3}}
	}},
	{"disposition", system, func(v string) dispatch.Command {
		return dispatch.ClearIncident{Incident: inc1, Disposition: v}
	}},
}

// TestTextHidden: every field of free text refuses every bidi control and
// zero-width character, naming the field, the character and its position
// (issue 13: an address shown reversed).
func TestTextHidden(t *testing.T) {
	s := MustLifecycleFixture(t)
	for _, f := range textFields {
		t.Run(strings.ReplaceAll(f.field, " ", "_"), func(t *testing.T) {
			// The field's command is accepted with plain text.
			if _, err := f.cmd("3900 Kedzie").Decide(s, f.actor, t0); err != nil {
				t.Fatalf("%s with plain text: Decide = %v, want events", f.field, err)
			}
			for _, h := range hidden {
				v := "39" + string(h.r) + "00 Kedzie"
				_, err := f.cmd(v).Decide(s, f.actor, t0)
				want := fmt.Sprintf("%s holds U+%04X %s at position 3; remove it", f.field, h.r, h.name)
				checkDomainError(t, fmt.Sprintf("%s = %q", f.field, v), err, dispatch.EINVALID, want)
			}
		})
	}
}

// TestTextNFC: text enters in Unicode normal form C, and scripts, accents
// and line separators that hide nothing are kept.
func TestTextNFC(t *testing.T) {
	s := MustLifecycleFixture(t)
	decomposed := "Cafe\u0301 Ñandu\u0301, עברית 3900" // é and ú as a letter and a combining accent
	evs, err := dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: decomposed},
		Narrative: decomposed + "\u2028second line"}.Decide(s, system, t0)
	if err != nil {
		t.Fatalf("CreateIncident with decomposed text: %v", err)
	}
	want := "Café Ñandú, עברית 3900"
	if got := evs[0].Data.(*dispatch.IncidentCreated).Location.Text; got != want {
		t.Errorf("location text = %q, want %q (NFC)", got, want)
	}
	if got := evs[0].Private[dispatch.PrivateNarrative]; got != want+"\u2028second line" {
		t.Errorf("narrative = %q, want %q (NFC)", got, want+"\u2028second line")
	}
	for _, tc := range []struct{ in, want string }{
		{"e\u0301", "é"}, {"3900 S Kedzie Ave", "3900 S Kedzie Ave"}, {"Å", "Å"}, {"👮 on scene", "👮 on scene"},
	} {
		v := tc.in
		if err := dispatch.CheckText("note", &v, 100, true); err != nil || v != tc.want {
			t.Errorf("CheckText(%q) = %q, %v; want %q, nil", tc.in, v, err, tc.want)
		}
	}
}

// FuzzCheckText: whatever CheckText accepts is valid UTF-8 in normal form
// C, within its length, with no control or hidden character, and checks
// again unchanged.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"3900 S Kedzie Ave", "39\u202e00 S Kedzie", "\u2066abc\u2069", "a\u200bb", "\ufeffBOM", "Cafe\u0301", "\U000E0041x", "line\nnext\ttab", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v := in
		if err := dispatch.CheckText("text", &v, 200, false); err != nil {
			if v != in {
				t.Fatalf("CheckText(%q) refused it (%v) but changed it to %q", in, err, v)
			}
			return
		}
		if !utf8.ValidString(v) || !norm.NFC.IsNormalString(v) || utf8.RuneCountInString(v) > 200 {
			t.Fatalf("CheckText(%q) accepted %q: not valid NFC within 200 characters", in, v)
		}
		for _, r := range v {
			if dispatch.HiddenRune(r) != "" || (r < 0x20 && r != '\n' && r != '\t') {
				t.Fatalf("CheckText(%q) accepted %q, which holds %U", in, v, r)
			}
		}
		again := v
		if err := dispatch.CheckText("text", &again, 200, false); err != nil || again != v {
			t.Fatalf("CheckText(%q) = %q, %v; want it unchanged", v, again, err)
		}
	})
}
