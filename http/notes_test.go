package http_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestIncidentNotes adds notes through the API: the owning agency reads
// them with author and time, the log holds only a commitment of each text,
// and bad notes are refused with a sentence.
func TestIncidentNotes(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"}})
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleCallTaker)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)

	const path = "/api/v1/incidents/metro-2026-000001/notes"
	before := ts.Engine.Log().Size()
	var in dispatch.Incident
	MustJSON(t, "POST "+path, ts.Do(t, "POST", path, ann, map[string]string{"text": "second caller: smoke from the rear"}), 200, &in)
	if len(in.Notes) != 1 || in.Notes[0].N != 1 || in.Notes[0].Author != "ann" || in.Notes[0].Text != "second caller: smoke from the rear" || in.Notes[0].Time.IsZero() {
		t.Fatalf("POST %s answered notes %+v", path, in.Notes)
	}
	var notes int
	for _, e := range ts.Events(t, before) {
		if e.Type == dispatch.TypeIncidentNoteAdded {
			notes++
			if e.Private[dispatch.PrivateNote] == "" || e.Subject["incident"] != "metro-2026-000001" {
				t.Errorf("incident.note_added = %+v, want the incident and a commitment of the text", e)
			}
		}
	}
	if notes != 1 {
		t.Errorf("the log has %d incident.note_added events after the note, want 1", notes)
	}
	raw, err := ts.Store.ReadEntries(t.Context(), before, ts.Engine.Log().Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, leaf := range raw {
		if bytes.Contains(leaf, []byte("smoke")) {
			t.Errorf("a log leaf holds the note's text in clear: %s", leaf)
		}
	}

	MustJSON(t, "GET incident", ts.Do(t, "GET", "/api/v1/incidents/metro-2026-000001", ann, nil), 200, &in)
	if len(in.Notes) != 1 || in.Notes[0].Text == "" {
		t.Errorf("GET incident notes = %+v, want the note", in.Notes)
	}

	CheckProblem(t, "POST empty note", ts.Do(t, "POST", path, ann, map[string]string{"text": "   "}), 422, dispatch.EINVALID, "note is required")
	CheckProblem(t, "POST note of another agency", ts.Do(t, "POST", path, deputy, map[string]string{"text": "x"}), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "POST note with unknown member", ts.Do(t, "POST", path, ann, `{"text":"x","author":"bob"}`), 400, "bad_request", "unknown field \"author\"")
}

// TestIncidentCallTimes gives the phone system's times with a new call.
func TestIncidentCallTimes(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	// The engine's clock is the test's; the call came in before its last event.
	last := ts.Events(t, ts.Engine.Log().Size()-1)[0]
	entered, err := time.Parse(time.RFC3339Nano, last.Time)
	if err != nil {
		t.Fatal(err)
	}
	received := entered.Add(-40 * time.Second)
	answered := received.Add(9 * time.Second)
	var in dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents", ts.Do(t, "POST", "/api/v1/incidents", ts.Admin, map[string]any{
		"agency": "metro", "type": "THEFT", "location": map[string]string{"text": "1 Main St"},
		"received": received, "answered": answered}), 201, &in)
	if !in.Received.Equal(received) || in.Answered == nil || !in.Answered.Equal(answered) || !in.Entered.After(answered) {
		t.Errorf("times received %v answered %v entered %v, want %v, %v and later", in.Received, in.Answered, in.Entered, received, answered)
	}
	CheckProblem(t, "POST /api/v1/incidents answered before received", ts.Do(t, "POST", "/api/v1/incidents", ts.Admin, map[string]any{
		"agency": "metro", "type": "THEFT", "location": map[string]string{"text": "1 Main St"},
		"received": received, "answered": received.Add(-time.Second)}), 422, dispatch.EINVALID, "before it was received")
}
