package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestAddNote(t *testing.T) {
	s := MustLifecycleFixture(t)
	at := t0.Add(time.Hour)
	for i, text := range []string{"caller says two men, one with a bat", "  suspects left north on Kedzie  "} {
		evs, err := dispatch.AddNote{Incident: inc1, Text: text}.Decide(s, metroDisp, at.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatalf("AddNote = %v", err)
		}
		if len(evs) != 1 || evs[0].Type != dispatch.TypeIncidentNoteAdded || evs[0].Agency != "metro" {
			t.Fatalf("events = %+v, want one incident.note_added of metro", evs)
		}
		if got := evs[0].Private[dispatch.PrivateNote]; got != strings.TrimSpace(text) {
			t.Errorf("private note = %q, want %q", got, strings.TrimSpace(text))
		}
		if err := s.Apply(evs[0]); err != nil {
			t.Fatal(err)
		}
	}
	notes := s.Incidents[inc1].Notes
	if len(notes) != 2 || notes[0].N != 1 || notes[1].N != 2 || notes[0].Author != "ann" ||
		!notes[1].Time.Equal(at.Add(time.Second)) || notes[1].Text != "suspects left north on Kedzie" {
		t.Errorf("notes = %+v", notes)
	}

	for _, tc := range []struct {
		name  string
		cmd   dispatch.AddNote
		actor dispatch.Actor
		code  string
	}{
		{"Empty", dispatch.AddNote{Incident: inc1, Text: "  "}, metroDisp, dispatch.EINVALID},
		{"TooLong", dispatch.AddNote{Incident: inc1, Text: strings.Repeat("x", dispatch.MaxNoteLength+1)}, metroDisp, dispatch.EINVALID},
		{"Control", dispatch.AddNote{Incident: inc1, Text: "a\x00b"}, metroDisp, dispatch.EINVALID},
		{"Missing", dispatch.AddNote{Incident: "metro-2026-999999", Text: "x"}, metroDisp, dispatch.ENOTFOUND},
		{"OtherAgency", dispatch.AddNote{Incident: inc1, Text: "x"}, sherDisp, dispatch.EFORBIDDEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, tc.actor, at)
			if dispatch.ErrorCode(err) != tc.code {
				t.Errorf("Decide = %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestCreateIncidentCallTimes(t *testing.T) {
	entry := t0.Add(time.Hour)
	ago := func(d time.Duration) *time.Time { x := entry.Add(-d); return &x }
	for _, tc := range []struct {
		name               string
		received, answered *time.Time
		wantMsg            string // "" for success
	}{
		{"None", nil, nil, ""},
		{"Both", ago(90 * time.Second), ago(80 * time.Second), ""},
		{"ReceivedOnly", ago(time.Minute), nil, ""},
		{"Future", nil, ago(-time.Second), "after it was entered"},
		{"TooOld", ago(2 * time.Hour), nil, "late entry"},
		{"AnsweredBeforeReceived", ago(10 * time.Second), ago(20 * time.Second), "before it was received"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustFixture(t)
			evs, err := dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "1 Main St"},
				Received: tc.received, Answered: tc.answered}.Decide(s, metroDisp, entry)
			if tc.wantMsg != "" {
				if dispatch.ErrorCode(err) != dispatch.EINVALID || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("Decide = %v, want EINVALID saying %q", err, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Apply(evs[0]); err != nil {
				t.Fatal(err)
			}
			in := s.Incidents[evs[0].Subject["incident"]]
			wantReceived := entry
			if tc.received != nil {
				wantReceived = *tc.received
			}
			if !in.Received.Equal(wantReceived) || !in.Entered.Equal(entry) {
				t.Errorf("received %v entered %v, want %v and %v", in.Received, in.Entered, wantReceived, entry)
			}
			if (in.Answered == nil) != (tc.answered == nil) || (in.Answered != nil && !in.Answered.Equal(*tc.answered)) {
				t.Errorf("answered = %v, want %v", in.Answered, tc.answered)
			}
		})
	}
}
