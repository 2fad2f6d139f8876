package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// importOf returns an import of ref into metro, its original made of n.
func importOf(ref string, n int, notes ...string) dispatch.ImportIncident {
	c := dispatch.ImportIncident{Agency: "metro", Source: "cad.partner.example", Ref: ref, Type: "THEFT",
		Location: dispatch.Location{Text: "3900 S Kedzie Ave"}, Original: []byte(`{"n":` + strings.Repeat("1", n) + `}`)}
	for i, text := range notes {
		c.Notes = append(c.Notes, dispatch.ImportedNote{Ref: "note-" + string(rune('a'+i)), Time: time.Date(2026, 5, 4, 5, 0, 0, 0, time.UTC), Author: "partner", Text: text})
	}
	return c
}

// TestImportArchivedAndRestarted follows an imported incident through its
// life: imported, updated, repeated unchanged; after a restart the import
// index is there (rebuilt with the state); once cleared and archived, the
// open state forgets its Ref, and a new import of the same Ref is refused
// as archived, found through the store's subject index, not re-created.
func TestImportArchivedAndRestarted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db := MustOpenStore(t, path)
	key := MustKey(t)
	clock := &setClock{}
	clock.Set(time.Date(2026, 5, 4, 6, 0, 0, 0, time.UTC))
	e := openArchiving(t, db, key, clock)
	sys := dispatch.Actor{System: "test"}
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	disp := dispatch.Actor{User: "dee", Agency: "metro", Role: dispatch.RoleDispatcher}
	feed := dispatch.Actor{System: "eido-feed"}

	res, err := e.Import(ctx, feed, importOf("urn:a", 1, "first"))
	if err != nil || res.Outcome != "created" {
		t.Fatalf("Import = %+v, %v; want created", res, err)
	}
	id := res.Incident
	if again, err := e.Import(ctx, feed, importOf("urn:a", 1, "first")); err != nil || again.Outcome != "unchanged" || again.Incident != id || len(again.Result.Events) != 0 {
		t.Fatalf("Import again = %+v, %v; want %s unchanged, no event", again, err, id)
	}
	if up, err := e.Import(ctx, feed, importOf("urn:a", 2, "first", "second")); err != nil || up.Outcome != "updated" || up.Incident != id {
		t.Fatalf("Import changed = %+v, %v; want %s updated", up, err, id)
	}
	var in dispatch.Incident
	e.Read(func(s *dispatch.State) { in = *s.Incidents[id] })
	if len(in.Notes) != 2 || in.Notes[1].Text != "second" || in.Import.Revision != 2 || in.Location.Text != "3900 S Kedzie Ave" {
		t.Fatalf("incident = %+v, import %+v", in, in.Import)
	}
	if ev := res.Result.Events[0]; ev.Actor.System != "eido-feed" || ev.Subject[dispatch.SubjectEIDORef] != "metro urn:a" {
		t.Errorf("%s by %+v about %v, want the feed (the system) about metro urn:a", ev.Type, ev.Actor, ev.Subject)
	}

	// A restart: the index comes back with the state.
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openArchiving(t, db, key, clock)
	if again, err := e.Import(ctx, feed, importOf("urn:a", 2, "first", "second")); err != nil || again.Outcome != "unchanged" || again.Incident != id {
		t.Fatalf("after a restart, Import again = %+v, %v; want %s unchanged", again, err, id)
	}

	// Cleared, then archived a day later.
	MustExecute(t, e, disp, dispatch.ClearIncident{Incident: id, Disposition: "handled by the partner"})
	clock.Set(clock.Now().Add(25 * time.Hour))
	if res := MustExecute(t, e, timers, dispatch.ArchiveClosed{Retention: 24 * time.Hour}); len(res.Events) != 1 {
		t.Fatalf("ArchiveClosed = %+v, want one records.archived", res.Events)
	}
	e.Read(func(s *dispatch.State) {
		if _, ok := s.ImportedIncident("metro", "urn:a"); ok {
			t.Error("the open state still indexes the archived incident's Ref")
		}
	})
	before := e.Log().Size()
	_, err = e.Import(ctx, feed, importOf("urn:a", 3, "first", "second", "third"))
	if dispatch.ErrorCode(err) != dispatch.ECONFLICT || !strings.Contains(dispatch.ErrorMessage(err), id) || !strings.Contains(dispatch.ErrorMessage(err), "archived") {
		t.Errorf("Import of an archived incident's Ref = %v, want a conflict naming %s as archived", err, id)
	}
	if e.Log().Size() != before {
		t.Errorf("the refused import recorded %d events", e.Log().Size()-before)
	}
	// Another Ref still imports.
	if res, err := e.Import(ctx, feed, importOf("urn:b", 1)); err != nil || res.Outcome != "created" || res.Incident == id {
		t.Errorf("Import(urn:b) = %+v, %v; want a new incident", res, err)
	}
}
