package dispatch

import (
	"fmt"
	"strings"
	"time"
)

// TypeIncidentNoteAdded records a narrative note on an incident.
const TypeIncidentNoteAdded = "incident.note_added"

// PrivateNote is the private field that holds a note's text.
const PrivateNote = "note"

// MaxNotes bounds the notes of one incident, and MaxNoteLength one note:
// an incident is worked by people, not fed by a machine.
const (
	MaxNotes      = 500
	MaxNoteLength = 4000
)

// A Note is one entry of an incident's narrative, added after the call was
// entered: who wrote it, when, and what. Its text is private.
type Note struct {
	N      int       `json:"n"`
	Time   time.Time `json:"time"`
	Author string    `json:"author"`
	Text   string    `json:"text,omitempty"`
}

// IncidentNoteAdded is the payload of incident.note_added: the incident and
// the note's number (from 1). The text is the private field "note"; the
// author is the event's actor.
type IncidentNoteAdded struct {
	Incident string `json:"incident"`
	N        int    `json:"n"`
	// LateMark is set when entered late (late.go); the note's time is then the claimed time.
	LateMark
}

// AddNote appends a note to an incident's narrative. Notes can be added to
// a closed incident too: what was learnt afterwards belongs in the record,
// and the note's time says when it was written.
type AddNote struct {
	Incident string
	Text     string
}

// Decide implements Command.
func (c AddNote) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	in, err := s.incidentFor(c.Incident, actor)
	if err != nil {
		return nil, err
	}
	if err := CheckText("note", &c.Text, MaxNoteLength, true); err != nil {
		return nil, err
	}
	if len(in.Notes) >= MaxNotes {
		return nil, Errorf(ECONFLICT, "incident %s already has %d notes, the most one incident can hold", in.ID, MaxNotes)
	}
	n := len(in.Notes) + 1
	return []Event{{
		Time: now, Type: TypeIncidentNoteAdded, Agency: in.Agency, Actor: actor,
		Subject: map[string]string{"incident": in.ID},
		Data:    &IncidentNoteAdded{Incident: in.ID, N: n},
		Private: map[string]string{PrivateNote: strings.TrimSpace(c.Text)},
	}}, nil
}

func (s *State) applyNote(e Event, d *IncidentNoteAdded) error {
	in, ok := s.Incidents[d.Incident]
	if !ok {
		return fmt.Errorf("note on incident %q, which does not exist", d.Incident)
	}
	if d.N != len(in.Notes)+1 {
		return fmt.Errorf("note %d on incident %q, which has %d", d.N, d.Incident, len(in.Notes))
	}
	author := e.Actor.User
	if author == "" {
		author = e.Actor.System
	}
	in.Notes = append(in.Notes, Note{N: d.N, Time: e.Time, Author: author, Text: e.Private[PrivateNote]})
	return nil
}
