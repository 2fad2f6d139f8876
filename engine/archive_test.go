package engine_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// setClock is a clock the test sets.
type setClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *setClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *setClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// openArchiving opens an engine on db with the test's clock and no timers:
// the test archives by executing dispatch.ArchiveClosed itself.
func openArchiving(t *testing.T, db *sqlite.DB, key *ledger.Key, clock *setClock) *engine.Engine {
	t.Helper()
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: key, Clock: clock.Now, TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		t.Fatalf("engine.Open = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

var timers = dispatch.Actor{System: "timers"}

// longRun is a centre's few days: day one, incidents cleared through the
// day (with callers, notes, units); one left open with a unit on it, and
// one merged into it; a message; a BOLO that expired. Three days on, a
// fresh incident cleared an hour ago.
type longRun struct {
	clock                   *setClock
	start                   time.Time
	cleared                 []string // closed on day one
	open, merged, recent    string
	msg, bolo               string
	seqsBefore              map[string][]int64
	liveBefore              map[string]dispatch.Incident
	clearedAt               map[string]time.Time
	units                   []string
	metroDisp, sheriffDispA dispatch.Actor
}

func runLong(t *testing.T, e *engine.Engine, clock *setClock) *longRun {
	t.Helper()
	r := &longRun{clock: clock, start: time.Date(2026, 5, 4, 6, 0, 0, 0, time.UTC), seqsBefore: map[string][]int64{},
		liveBefore: map[string]dispatch.Incident{}, clearedAt: map[string]time.Time{}}
	at := func(d time.Duration) { clock.Set(r.start.Add(d)) }
	at(0)
	sys := dispatch.Actor{System: "test"}
	for _, c := range []dispatch.Command{
		dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		dispatch.CreateAgency{ID: "sheriff", Name: "Sheriff", Kind: "sheriff"},
		dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "1A13", Agency: "metro", Kind: "patrol"},
		dispatch.CreateUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher, dispatch.RoleSupervisor}},
		dispatch.CreateUser{Username: "sid", Agency: "sheriff", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUser{Username: "oz", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
		dispatch.SignOn{Unit: "metro.1a12", Crew: []string{"ann"}, Start: r.start, End: r.start.Add(20 * time.Hour)},
		dispatch.SignOn{Unit: "metro.1a13", Crew: []string{"oz"}, Start: r.start, End: r.start.Add(20 * time.Hour)},
	} {
		MustExecute(t, e, sys, c)
	}
	r.units = []string{"metro.1a12", "metro.1a13"}
	r.metroDisp = dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}
	r.sheriffDispA = dispatch.Actor{User: "sid", Agency: "sheriff", Role: dispatch.RoleDispatcher}
	lat, lon := 41.8254, -87.7052
	create := func(text string) string {
		res := MustExecute(t, e, r.metroDisp, dispatch.CreateIncident{Agency: "metro", Type: "THEFT",
			Location: dispatch.Location{Text: text, Lat: &lat, Lon: &lon}, Caller: dispatch.Caller{Name: "Jo Smith", Phone: "555-0100"}, Narrative: "back door open"})
		return res.Events[0].Subject["incident"]
	}
	for i := range 12 {
		at(time.Duration(i) * 30 * time.Minute)
		id := create("3900 South Kedzie Avenue")
		MustExecute(t, e, r.metroDisp, dispatch.DispatchUnits{Incident: id, Units: []string{r.units[i%2]}})
		MustExecute(t, e, r.metroDisp, dispatch.AddNote{Incident: id, Text: "spoke to the owner"})
		at(time.Duration(i)*30*time.Minute + 10*time.Minute)
		MustExecute(t, e, r.metroDisp, dispatch.ClearIncident{Incident: id, Disposition: "report taken"})
		r.cleared = append(r.cleared, id)
		r.clearedAt[id] = clock.Now()
	}
	at(7 * time.Hour)
	r.open = create("1 Main St")
	MustExecute(t, e, r.metroDisp, dispatch.DispatchUnits{Incident: r.open, Units: []string{"metro.1a12"}})
	r.merged = create("1 Main Street")
	MustExecute(t, e, r.metroDisp, dispatch.MergeIncident{Incident: r.merged, Into: r.open, Reason: "same call"})
	res := MustExecute(t, e, r.metroDisp, dispatch.SendMessage{To: []string{"unit:metro.1a13"}, Text: "call the desk"})
	r.msg = res.Events[0].Data.(*dispatch.MessageSent).ID
	res = MustExecute(t, e, r.metroDisp, dispatch.IssueBOLO{Kind: dispatch.BOLOVehicle, Description: "grey pickup",
		Area: dispatch.Scope{Kind: dispatch.ScopeAgency}, Expires: clock.Now().Add(2 * time.Hour)})
	r.bolo = res.Events[0].Data.(*dispatch.BOLOIssued).ID
	at(3 * 24 * time.Hour)
	r.recent = create("5 Elm Ave")
	MustExecute(t, e, r.metroDisp, dispatch.ClearIncident{Incident: r.recent, Disposition: "gone on arrival"})
	at(3*24*time.Hour + time.Hour)
	e.Read(func(s *dispatch.State) {
		for _, id := range r.cleared {
			r.liveBefore[id] = *s.Incidents[id]
		}
	})
	for _, id := range r.cleared {
		r.seqsBefore[id] = MustSeqs(t, e, "incident", id)
	}
	return r
}

// TestArchiveLongRun runs a few days of a centre on a real SQLite store
// and archives: the view keeps only open and recent records (and the
// closed one open work names); each archived record is in the store, whole,
// with the fields history is searched by; its events are still found; a
// command on it is told it was archived; its timeline can be published;
// and the state rebuilt from the log equals the live one.
func TestArchiveLongRun(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db := MustOpenStore(t, path)
	key := MustKey(t)
	clock := &setClock{}
	e := openArchiving(t, db, key, clock)
	r := runLong(t, e, clock)

	res := MustExecute(t, e, timers, dispatch.ArchiveClosed{Retention: 24 * time.Hour})
	if len(res.Events) != 1 {
		t.Fatalf("ArchiveClosed = %d events, want one records.archived", len(res.Events))
	}
	d := res.Events[0].Data.(*dispatch.RecordsArchived)
	if !slices.Equal(d.Incidents, r.cleared) || !slices.Equal(d.Messages, []string{r.msg}) || !slices.Equal(d.BOLOs, []string{r.bolo}) {
		t.Fatalf("records.archived = %+v, want the day-one incidents in close order %v, message %s and BOLO %s", d, r.cleared, r.msg, r.bolo)
	}
	// Nothing more is due.
	if res := MustExecute(t, e, timers, dispatch.ArchiveClosed{Retention: 24 * time.Hour}); len(res.Events) != 0 {
		t.Errorf("ArchiveClosed again = %+v, want no event", res.Events)
	}

	var incidents []string
	e.Read(func(s *dispatch.State) {
		incidents = slices.Sorted(func(yield func(string) bool) {
			for id := range s.Incidents {
				if !yield(id) {
					return
				}
			}
		})
		if len(s.Messages) != 0 || len(s.BOLOs) != 0 {
			t.Errorf("view holds %d messages and %d BOLOs, want none", len(s.Messages), len(s.BOLOs))
		}
	})
	if want := slices.Sorted(slices.Values([]string{r.open, r.merged, r.recent})); !slices.Equal(incidents, want) {
		t.Errorf("view holds incidents %v, want only the open one, the one merged into it, and the recent one %v", incidents, want)
	}

	for _, id := range r.cleared {
		a, err := db.ArchivedRecord(ctx, "incident", id)
		if err != nil {
			t.Fatalf("ArchivedRecord(incident, %s) = %v", id, err)
		}
		in := r.liveBefore[id]
		if a.Agency != "metro" || a.Type != "THEFT" || !a.Opened.Equal(in.Received) || !a.Closed.Equal(r.clearedAt[id]) ||
			a.Address != "3900 S KEDZIE AVE" || a.Lat == nil || *a.Lat != 41.8254 || *a.Lon != -87.7052 ||
			!slices.Equal(a.Units, in.Units) || !slices.Equal(a.Agencies, []string{"metro"}) || a.Seq != res.First {
			t.Errorf("ArchivedRecord(incident, %s) = %+v, want metro's THEFT opened %v closed %v at 3900 S KEDZIE AVE, units %v, seq %d",
				id, a, in.Received, r.clearedAt[id], in.Units, res.First)
		}
		var doc dispatch.Incident
		if err := json.Unmarshal(a.Doc, &doc); err != nil {
			t.Fatalf("archived doc of %s: %v", id, err)
		}
		if doc.Caller.Name != "Jo Smith" || doc.Narrative != "back door open" || len(doc.Notes) != 1 || doc.Notes[0].Text != "spoke to the owner" || doc.Status != dispatch.IncidentClosed {
			t.Errorf("archived doc of %s = %+v, want the record whole, private fields too", id, doc)
		}
		got := MustSeqs(t, e, "incident", id)
		if want := append(slices.Clone(r.seqsBefore[id]), res.First); !slices.Equal(got, want) {
			t.Errorf("Seqs(incident, %s) after archiving = %v, want its events and the archiving %v", id, got, want)
		}
	}
	if a, err := db.ArchivedRecord(ctx, "message", r.msg); err != nil || a.Agency != "metro" || !slices.Contains(a.Units, "metro.1a13") || !strings.Contains(string(a.Doc), "call the desk") {
		t.Errorf("ArchivedRecord(message, %s) = %+v, %v; want metro's, to 1A13, with its text", r.msg, a, err)
	}
	if a, err := db.ArchivedRecord(ctx, "bolo", r.bolo); err != nil || a.Type != dispatch.BOLOVehicle {
		t.Errorf("ArchivedRecord(bolo, %s) = %+v, %v; want a vehicle BOLO", r.bolo, a, err)
	}

	// A command on an archived record: 409, it can be read, not changed;
	// to another agency, it does not exist.
	old := r.cleared[0]
	_, err := e.Execute(ctx, r.metroDisp, dispatch.AddNote{Incident: old, Text: "late"})
	if dispatch.ErrorCode(err) != dispatch.ECONFLICT || !strings.Contains(err.Error(), "incident "+old+" was closed on") || !strings.Contains(err.Error(), "archived") {
		t.Errorf("AddNote on archived %s = %v, want a conflict saying it was closed and archived", old, err)
	}
	_, err = e.Execute(ctx, r.metroDisp, dispatch.AckMessage{Message: r.msg, Unit: "metro.1a13", Read: true})
	if dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Errorf("AckMessage on archived %s = %v, want a conflict", r.msg, err)
	}
	_, err = e.Execute(ctx, r.sheriffDispA, dispatch.AddNote{Incident: old, Text: "late"})
	if dispatch.ErrorCode(err) == dispatch.ECONFLICT {
		t.Errorf("AddNote by the sheriff on metro's archived %s = %v, want it not found", old, err)
	}
	// An auditor publishes its timeline weeks later.
	clock.Set(r.start.Add(40 * 24 * time.Hour))
	pub := MustExecute(t, e, dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleSupervisor},
		dispatch.PublishTimeline{Kind: dispatch.PublishIncident, ID: old, Reason: "audit"})
	if pub.Events[0].Subject["incident"] != old {
		t.Errorf("PublishTimeline of archived %s = %+v", old, pub.Events)
	}
	if got := MustSeqs(t, e, "incident", old); got[len(got)-1] != pub.First {
		t.Errorf("Seqs(incident, %s) = %v, want the publication %d last", old, got, pub.First)
	}
	var oldIn dispatch.Incident
	if a, err := db.ArchivedRecord(ctx, "incident", old); err != nil || json.Unmarshal(a.Doc, &oldIn) != nil {
		t.Fatalf("ArchivedRecord(incident, %s) = %+v, %v", old, a, err)
	}
	checkTitles := func(e *engine.Engine, when string) {
		t.Helper()
		want := fmt.Sprintf("P%d %s", oldIn.Priority, oldIn.Type)
		var sum dispatch.PublishedSummary
		for _, s := range e.Publications() {
			if s.ID == old {
				sum = s
			}
		}
		if !strings.HasPrefix(sum.Title, want) {
			t.Errorf("%s: the public summary of %s, first published after archiving = %+v, want its title %q", when, old, sum, want)
		}
		var d dispatch.PublicationDetail
		for _, v := range e.VisiblePublications(dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleSupervisor}) {
			if v.ID == old {
				d = v
			}
		}
		if d.Title != want || d.Where != oldIn.Location.Text || d.Where == "" {
			t.Errorf("%s: the detail of %s = %q at %q, want %q at %q", when, old, d.Title, d.Where, want, oldIn.Location.Text)
		}
	}
	checkTitles(e, "live")

	// The state rebuilt from the log equals the live one.
	size := e.Log().Size()
	e.Close()
	live := state(e)
	e2 := openArchiving(t, db, key, clock)
	if e2.Log().Size() != size {
		t.Fatalf("reopened log size %d, want %d", e2.Log().Size(), size)
	}
	rebuilt := state(e2)
	normalise(live)
	normalise(rebuilt)
	if !reflect.DeepEqual(rebuilt, live) {
		t.Fatalf("state rebuilt from the log differs from the live state:\n%s", diffState(rebuilt, live))
	}
	checkTitles(e2, "rebuilt")
}

// fencingStore hands every batch that archives records to the real store
// with an epoch no lease was granted at: the real store refuses it, as it
// refuses the append of a node that lost its lease.
type fencingStore struct {
	*sqlite.DB
}

func (f fencingStore) Append(ctx context.Context, b store.Batch) error {
	if len(b.Archive) > 0 {
		b.Epoch = 1 << 40
	}
	return f.DB.Append(ctx, b)
}

// TestArchiveAtomic checks that the archived records and the event that
// archives them land together: a fenced append writes neither, the
// command is refused (ErrFenced), and a restart
// finds the records still in memory, and archives them then.
func TestArchiveAtomic(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db := MustOpenStore(t, path)
	key := MustKey(t)
	clock := &setClock{}
	e := openArchiving(t, db, key, clock)
	r := runLong(t, e, clock)
	e.Close()

	e, err := engine.Open(ctx, engine.Config{Store: fencingStore{db}, History: db, Key: key, Clock: clock.Now, TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		t.Fatalf("engine.Open(fencing store) = %v", err)
	}
	size := e.Log().Size()
	_, err = e.Execute(ctx, timers, dispatch.ArchiveClosed{})
	if !errors.Is(err, store.ErrFenced) {
		t.Fatalf("ArchiveClosed on a fenced store = %v, want ErrFenced", err)
	}
	e.Close()
	if n, err := db.LogSize(ctx); err != nil || n != size {
		t.Errorf("log size after the fenced archive = %d, %v; want %d: the event must not land", n, err, size)
	}
	for _, id := range r.cleared {
		if _, err := db.ArchivedRecord(ctx, "incident", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ArchivedRecord(incident, %s) after the fenced archive = %v, want not found", id, err)
		}
		if seqs := MustSeqsOf(t, db, "incident", id); !slices.Equal(seqs, r.seqsBefore[id]) {
			t.Errorf("subject index of %s after the fenced archive = %v, want %v", id, seqs, r.seqsBefore[id])
		}
	}

	e = openArchiving(t, db, key, clock)
	e.Read(func(s *dispatch.State) {
		for _, id := range r.cleared {
			if _, ok := s.Incidents[id]; !ok {
				t.Errorf("incident %s not in memory after a restart, though its archiving never landed", id)
			}
		}
	})
	res := MustExecute(t, e, timers, dispatch.ArchiveClosed{})
	if got := res.Events[0].Data.(*dispatch.RecordsArchived).Incidents; !slices.Equal(got, r.cleared) {
		t.Errorf("archived after the restart = %v, want %v", got, r.cleared)
	}
	if _, err := db.ArchivedRecord(ctx, "incident", r.cleared[0]); err != nil {
		t.Errorf("ArchivedRecord(incident, %s) after the restart's archive = %v", r.cleared[0], err)
	}
}

// TestSubjectIndexFilled checks that a store from before the subject index
// (leaves, no subjects) gets its index at Open, from the log, and answers
// every record's events as the engine indexed them; and that a fill cut
// short resumes where it stopped.
func TestSubjectIndexFilled(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db := MustOpenStore(t, path)
	key := MustKey(t)
	clock := &setClock{}
	e := openArchiving(t, db, key, clock)
	r := runLong(t, e, clock)
	MustExecute(t, e, timers, dispatch.ArchiveClosed{})
	subjects := map[string][]int64{}
	for _, s := range [][2]string{{"incident", r.cleared[0]}, {"incident", r.open}, {"unit", "metro.1a12"}, {"agency", "metro"}, {"message", r.msg}, {"user", "ann"}} {
		subjects[s[0]+"/"+s[1]] = MustSeqs(t, e, s[0], s[1])
		if len(subjects[s[0]+"/"+s[1]]) == 0 {
			t.Fatalf("Seqs(%s, %s) = none before the index was emptied", s[0], s[1])
		}
	}
	size := e.Log().Size()
	e.Close()
	db.Close()

	for _, keep := range []int64{0, size / 2} {
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"subjects", "subjects_recent"} {
			if _, err := raw.Exec(`DELETE FROM `+table+` WHERE seq >= ?`, keep); err != nil {
				t.Fatalf("empty the subject index from %d: %v", keep, err)
			}
		}
		// A store from before the index never said it was whole.
		if _, err := raw.Exec(`DELETE FROM meta WHERE key = 'subjects.complete'`); err != nil {
			t.Fatalf("forget that the index was whole: %v", err)
		}
		raw.Close()
		db := MustOpenStore(t, path)
		if end, err := db.SubjectIndexEnd(ctx); err != nil || end > keep {
			t.Fatalf("SubjectIndexEnd() after emptying it from %d = %d, %v", keep, end, err)
		}
		e := openArchiving(t, db, key, clock)
		for k, want := range subjects {
			kind, id, _ := strings.Cut(k, "/")
			if got := MustSeqs(t, e, kind, id); !slices.Equal(got, want) {
				t.Errorf("index kept to %d, filled at Open: Seqs(%s) = %v, want %v", keep, k, got, want)
			}
		}
		e.Close()
		db.Close()
	}
}

// MustSeqsOf returns the store's index of kind/id.
func MustSeqsOf(tb testing.TB, h engine.History, kind, id string) []int64 {
	tb.Helper()
	seqs, err := h.SubjectSeqs(context.Background(), kind, id)
	if err != nil {
		tb.Fatalf("SubjectSeqs(%s, %s) = %v", kind, id, err)
	}
	return seqs
}

// TestOpenNeedsHistory checks that an engine will not open on a store that
// keeps no history, unless Config.History names where it is.
func TestOpenNeedsHistory(t *testing.T) {
	db := MustOpenStore(t, filepath.Join(t.TempDir(), "t.db"))
	logOnly := struct{ ledger.Store }{db}
	_, err := engine.Open(context.Background(), engine.Config{Store: logOnly, Key: MustKey(t), TimerInterval: -1, SampleInterval: -1})
	if err == nil || !strings.Contains(err.Error(), "keeps no history") {
		t.Fatalf("engine.Open(a store of the log alone) = %v, want it refused: no history", err)
	}
	e, err := engine.Open(context.Background(), engine.Config{Store: logOnly, History: db, Key: MustKey(t), TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		t.Fatalf("engine.Open(a store of the log alone, Config.History) = %v", err)
	}
	defer e.Close()
	res := MustExecute(t, e, dispatch.Actor{System: "test"}, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	if got := MustSeqs(t, e, "agency", "metro"); !slices.Equal(got, []int64{res.First}) {
		t.Errorf("Seqs(agency, metro) = %v, want [%d] from Config.History", got, res.First)
	}
}
