package dispatch_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// archiveWorld is the mutual-aid world with closed and open records of
// every kind, at times after t (mutualAidT0 plus a minute):
//   - incident a, cleared at t+10m; b, cleared at t+2h;
//   - incident c, open, with unit 1A12 on it; d merged into c at t+20m;
//     e linked to c and cleared at t+10m;
//   - a message sent at t+5m;
//   - BOLO 1 issued at t, expiring at t+1h; BOLO 2 issued at t, cancelled
//     at t+30m (it would expire in two days);
//   - an assistance request of federal's, closed at t+40m.
type archiveWorld struct {
	s                   *dispatch.State
	t                   time.Time
	a, b, c, d, e       string
	msg, bolo1, bolo2   string
	request             string
	clearedA, clearedB  time.Time
	messageAt, mergedAt time.Time
}

func newArchiveWorld(t *testing.T) archiveWorld {
	t.Helper()
	s := MustMutualAidWorld(t)
	w := archiveWorld{s: s, t: mutualAidT0.Add(time.Minute)}
	at := func(d time.Duration) time.Time { return w.t.Add(d) }
	incident := func(d time.Duration) string {
		evs := MustDecide(t, s, system, at(d), dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "12 north Main Street"}})
		return evs[0].Data.(*dispatch.IncidentCreated).ID
	}
	w.a, w.b, w.c, w.d, w.e = incident(0), incident(0), incident(0), incident(0), incident(0)
	MustDecide(t, s, metroDispA, at(time.Second), dispatch.DispatchUnits{Incident: w.c, Units: []string{"metro.1a12"}})
	MustDecide(t, s, metroDispA, at(2*time.Second), dispatch.LinkIncidents{Incident: w.c, Linked: w.e, Relation: dispatch.RelationRelated, Reason: "same street"})
	evs := MustDecide(t, s, metroDispA, at(3*time.Second), dispatch.IssueBOLO{Kind: dispatch.BOLOVehicle, Description: "grey pickup",
		Area: dispatch.Scope{Kind: dispatch.ScopeAgency}, Expires: at(time.Hour)})
	w.bolo1 = evs[0].Data.(*dispatch.BOLOIssued).ID
	evs = MustDecide(t, s, metroDispA, at(4*time.Second), dispatch.IssueBOLO{Kind: dispatch.BOLOPerson, Description: "tall man",
		Area: dispatch.Scope{Kind: dispatch.ScopeAgency}, Expires: at(48 * time.Hour)})
	w.bolo2 = evs[0].Data.(*dispatch.BOLOIssued).ID
	evs = MustDecide(t, s, dispatch.Actor{User: "fd", Agency: "federal", Role: dispatch.RoleDispatcher}, at(5*time.Second),
		dispatch.RequestAssist{From: "federal", Location: kedzie, Nature: "traffic", Urgency: dispatch.UrgencyRoutine})
	w.request = evs[0].Data.(*dispatch.AssistRequested).Request
	w.messageAt = at(5 * time.Minute)
	evs = MustDecide(t, s, metroDispA, w.messageAt, dispatch.SendMessage{To: []string{"unit:metro.1a12"}, Text: "call the desk"})
	w.msg = evs[0].Data.(*dispatch.MessageSent).ID
	w.clearedA = at(10 * time.Minute)
	MustDecide(t, s, metroDispA, w.clearedA, dispatch.ClearIncident{Incident: w.a, Disposition: "report taken"})
	MustDecide(t, s, metroDispA, w.clearedA, dispatch.ClearIncident{Incident: w.e, Disposition: "report taken"})
	w.mergedAt = at(20 * time.Minute)
	MustDecide(t, s, metroDispA, w.mergedAt, dispatch.MergeIncident{Incident: w.d, Into: w.c, Reason: "same call"})
	MustDecide(t, s, metroDispA, at(30*time.Minute), dispatch.CancelBOLO{ID: w.bolo2, Reason: "found"})
	MustDecide(t, s, dispatch.Actor{User: "fd", Agency: "federal", Role: dispatch.RoleDispatcher}, at(40*time.Minute),
		dispatch.CloseAssist{Request: w.request, Disposition: "handled"})
	w.clearedB = at(2 * time.Hour)
	MustDecide(t, s, metroDispA, w.clearedB, dispatch.ClearIncident{Incident: w.b, Disposition: "report taken"})
	return w
}

// archive decides ArchiveClosed at now and applies it; it returns the
// payload, or nil if nothing was due.
func archive(t *testing.T, s *dispatch.State, now time.Time, c dispatch.ArchiveClosed) *dispatch.RecordsArchived {
	t.Helper()
	evs := MustDecide(t, s, dispatch.Actor{System: "timers"}, now, c)
	switch len(evs) {
	case 0:
		return nil
	case 1:
		if evs[0].Type != dispatch.TypeRecordsArchived || evs[0].Agency != "" || len(evs[0].Subject) != 0 || len(evs[0].Private) != 0 {
			t.Fatalf("ArchiveClosed = %+v, want one records.archived of no agency, subject or private field", evs[0])
		}
		return evs[0].Data.(*dispatch.RecordsArchived)
	}
	t.Fatalf("ArchiveClosed = %d events, want at most one", len(evs))
	return nil
}

// TestArchiveClosed checks what is archived and when: a record closed at
// least the retention before, oldest closed first across kinds, at most
// Max an event; nothing when nothing is due; never a record that open work
// names (a unit's incident, an open incident's merged or linked ones).
func TestArchiveClosed(t *testing.T) {
	w := newArchiveWorld(t)
	s := w.s
	day := 24 * time.Hour

	// Before anything has been closed a day: nothing, and no event.
	if d := archive(t, s, w.messageAt.Add(day).Add(-time.Second), dispatch.ArchiveClosed{}); d != nil {
		t.Fatalf("ArchiveClosed a second before the first record is due = %+v, want nothing", d)
	}
	// A day after a's clearing: the message (sent before), then a; e,
	// cleared with it but linked to open c, stays.
	got := archive(t, s, w.clearedA.Add(day), dispatch.ArchiveClosed{Retention: day})
	want := &dispatch.RecordsArchived{Incidents: []string{w.a}, Messages: []string{w.msg}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ArchiveClosed a day after a cleared = %+v, want %+v", got, want)
	}
	if _, ok := s.Incidents[w.a]; ok {
		t.Errorf("incident %s still in the state after records.archived", w.a)
	}
	if _, ok := s.Messages[w.msg]; ok {
		t.Errorf("message %s still in the state after records.archived", w.msg)
	}
	if _, ok := s.ClosedAt(dispatch.ArchiveIncident, w.a); ok {
		t.Errorf("ClosedAt(incident %s) after archiving = true, want it out of the queue", w.a)
	}
	if at, ok := s.ClosedAt(dispatch.ArchiveIncident, w.e); !ok || !at.Equal(w.clearedA) {
		t.Errorf("ClosedAt(incident %s) = %v, %v; want %v (kept: open c links it)", w.e, at, ok, w.clearedA)
	}

	// Three days on, two at a time: BOLO 2 (cancelled at 30m) before the
	// request (closed at 40m), then BOLO 1 (expired at 1h) and b (2h). d
	// (merged into open c) and e (linked to it) stay; c is open.
	later := w.t.Add(3 * day)
	for i, want := range []*dispatch.RecordsArchived{
		{BOLOs: []string{w.bolo2}, Requests: []string{w.request}},
		{BOLOs: []string{w.bolo1}, Incidents: []string{w.b}},
		nil,
	} {
		if got := archive(t, s, later, dispatch.ArchiveClosed{Retention: day, Max: 2}); !reflect.DeepEqual(got, want) {
			t.Fatalf("ArchiveClosed #%d (Max 2) = %+v, want %+v", i, got, want)
		}
	}
	for _, id := range []string{w.c, w.d, w.e} {
		if _, ok := s.Incidents[id]; !ok {
			t.Errorf("incident %s archived, want it kept while c is open", id)
		}
	}
	if len(s.BOLOs) != 0 || len(s.Requests) != 0 || len(s.Messages) != 0 {
		t.Errorf("state holds %d BOLOs, %d requests, %d messages after archiving, want none", len(s.BOLOs), len(s.Requests), len(s.Messages))
	}

	// Once c closes, the unit leaves it: c, d and e go a day later, in
	// the order they closed, e (10m) and d (20m) first.
	closeC := later.Add(time.Minute)
	MustDecide(t, s, metroDispA, closeC, dispatch.ClearIncident{Incident: w.c, Disposition: "arrest"})
	if d := archive(t, s, closeC.Add(day-time.Second), dispatch.ArchiveClosed{Retention: day}); !reflect.DeepEqual(d, &dispatch.RecordsArchived{Incidents: []string{w.e, w.d}}) {
		t.Fatalf("ArchiveClosed after c closed = %+v, want e then d", d)
	}
	if d := archive(t, s, closeC.Add(day), dispatch.ArchiveClosed{Retention: day}); !reflect.DeepEqual(d, &dispatch.RecordsArchived{Incidents: []string{w.c}}) {
		t.Fatalf("ArchiveClosed a day after c closed = %+v, want c", d)
	}
	if len(s.Incidents) != 0 {
		t.Errorf("state holds incidents %v, want none", slices.Collect(mapKeys(s.Incidents)))
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestArchiveIDs checks that a record made after others were archived
// gets a new id, never one of an archived record (the archive holds it).
func TestArchiveIDs(t *testing.T) {
	w := newArchiveWorld(t)
	s := w.s
	now := w.t.Add(72 * time.Hour)
	MustDecide(t, s, metroSup, now.Add(-time.Hour), dispatch.RecordPremise{Agency: "metro", Location: kedzie, RadiusM: 30,
		Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardDog, Text: "dog", Expires: now.Add(24 * time.Hour)}}})
	var premise string
	for id := range s.Premises {
		premise = id
	}
	MustDecide(t, s, metroSup, now.Add(-time.Hour), dispatch.RemovePremise{Premise: premise, Reason: "moved"})
	// A second one is not removed: it expires with its flag, in two days.
	evs := MustDecide(t, s, metroSup, now.Add(-time.Hour), dispatch.RecordPremise{Agency: "metro", Location: kedzie, RadiusM: 30,
		Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardDog, Text: "dog", Expires: now.Add(48 * time.Hour)}}})
	expiring := evs[0].Data.(*dispatch.PremiseRecorded).ID
	for archive(t, s, now.Add(24*time.Hour), dispatch.ArchiveClosed{}) != nil {
	}
	if _, ok := s.Premises[expiring]; !ok || len(s.Premises) != 1 {
		t.Fatalf("premises %v a day after one was removed, want only the one in force, %s", slices.Collect(mapKeys(s.Premises)), expiring)
	}
	for archive(t, s, now.Add(72*time.Hour), dispatch.ArchiveClosed{}) != nil {
	}
	if len(s.Messages)+len(s.BOLOs)+len(s.Premises) != 0 {
		t.Fatalf("state holds %d messages, %d BOLOs, %d premises; want all archived", len(s.Messages), len(s.BOLOs), len(s.Premises))
	}
	at := now.Add(73 * time.Hour)
	evs = MustDecide(t, s, metroDispA, at, dispatch.SendMessage{To: []string{"unit:metro.1a12"}, Text: "again"})
	if id := evs[0].Data.(*dispatch.MessageSent).ID; id == w.msg {
		t.Errorf("a message after archiving got id %s, the archived one's", id)
	}
	evs = MustDecide(t, s, metroDispA, at, dispatch.IssueBOLO{Kind: dispatch.BOLOVehicle, Description: "red van",
		Area: dispatch.Scope{Kind: dispatch.ScopeAgency}, Expires: at.Add(time.Hour)})
	if id := evs[0].Data.(*dispatch.BOLOIssued).ID; id == w.bolo1 || id == w.bolo2 {
		t.Errorf("a BOLO after archiving got id %s, an archived one's", id)
	}
	evs = MustDecide(t, s, metroSup, at, dispatch.RecordPremise{Agency: "metro", Location: kedzie, RadiusM: 30,
		Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardDog, Text: "dog", Expires: at.Add(24 * time.Hour)}}})
	if id := evs[0].Data.(*dispatch.PremiseRecorded).ID; id == premise || id == expiring {
		t.Errorf("a premise record after archiving got id %s, an archived one's", id)
	}
}

// TestArchiveRefused checks who may archive, a negative retention, and
// that Apply refuses a records.archived of a record that is not closed or
// not there: the log and the code would disagree.
func TestArchiveRefused(t *testing.T) {
	w := newArchiveWorld(t)
	s := w.s
	for _, tc := range []struct {
		actor dispatch.Actor
		cmd   dispatch.ArchiveClosed
		code  string
	}{
		{metroSup, dispatch.ArchiveClosed{}, dispatch.EFORBIDDEN},
		{dispatch.Actor{System: "timers"}, dispatch.ArchiveClosed{Retention: -time.Hour}, dispatch.EINVALID},
	} {
		evs, err := tc.cmd.Decide(s, tc.actor, w.t.Add(72*time.Hour))
		checkDomainError(t, "ArchiveClosed.Decide", err, tc.code, "")
		if evs != nil {
			t.Errorf("ArchiveClosed.Decide refused with events %+v", evs)
		}
	}
	for _, d := range []*dispatch.RecordsArchived{
		{Incidents: []string{w.c}},                            // open
		{Incidents: []string{"metro-2026-999"}},               // never there
		{Messages: []string{w.msg}, Incidents: []string{w.c}}, // refused whole
	} {
		err := s.Apply(dispatch.Event{Time: w.t.Add(72 * time.Hour), Type: dispatch.TypeRecordsArchived, Actor: dispatch.Actor{System: "timers"}, Data: d})
		if err == nil {
			t.Errorf("Apply(records.archived %+v) = nil, want an error", d)
		}
	}
	if _, ok := s.Messages[w.msg]; !ok {
		t.Errorf("a refused records.archived took message %s out of the state", w.msg)
	}
}

// TestArchivedRecordCommands checks what a command that names an archived
// record meets in the domain: not found (the engine tells it was
// archived, RecordsNamed), except publishing its timeline, which works
// from what the engine hands over of the archived record; and that a
// publication keeps what its summaries say once its record has left.
func TestArchivedRecordCommands(t *testing.T) {
	w := newArchiveWorld(t)
	s := w.s
	now := w.t.Add(72 * time.Hour)
	MustDecide(t, s, metroSup, now.Add(-48*time.Hour), dispatch.PublishTimeline{Kind: dispatch.PublishIncident, ID: w.b, Reason: "press"})
	p := s.Published[dispatch.PublishIncident+"/"+w.b]
	sumBefore, detailBefore := s.PublicSummary(p), s.Detail(p)
	for archive(t, s, now, dispatch.ArchiveClosed{}) != nil {
	}
	if _, ok := s.Incidents[w.b]; ok {
		t.Fatalf("incident %s not archived", w.b)
	}
	if got := s.PublicSummary(p); got.Title != sumBefore.Title || got.Title == "" || got.Where != sumBefore.Where {
		t.Errorf("PublicSummary after archiving = %+v, want the title and place it had: %+v", got, sumBefore)
	}
	if got := s.Detail(p); got.Title != detailBefore.Title || got.Where != detailBefore.Where || got.Where == "" {
		t.Errorf("Detail after archiving = %+v, want %+v", got, detailBefore)
	}

	for _, tc := range []struct {
		cmd  dispatch.Command
		want []dispatch.RecordRef
	}{
		{dispatch.AddNote{Incident: w.a, Text: "late report"}, []dispatch.RecordRef{{Kind: "incident", ID: w.a}}},
		{dispatch.LinkIncidents{Incident: w.c, Linked: w.a, Relation: dispatch.RelationRelated, Reason: "x"}, []dispatch.RecordRef{{Kind: "incident", ID: w.c}, {Kind: "incident", ID: w.a}}},
		{dispatch.AckMessage{Message: w.msg, Unit: "metro.1a12", Read: true}, []dispatch.RecordRef{{Kind: "message", ID: w.msg}}},
		{dispatch.CancelBOLO{ID: w.bolo1, Reason: "x"}, []dispatch.RecordRef{{Kind: "bolo", ID: w.bolo1}}},
		{dispatch.CloseAssist{Request: w.request}, []dispatch.RecordRef{{Kind: "request", ID: w.request}}},
		{dispatch.LateEntry{Command: dispatch.AddNote{Incident: w.a, Text: "x"}, Claimed: now.Add(-time.Hour), Reason: "paper"}, []dispatch.RecordRef{{Kind: "incident", ID: w.a}}},
	} {
		if got := dispatch.RecordsNamed(tc.cmd); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("RecordsNamed(%T) = %v, want %v", tc.cmd, got, tc.want)
		}
		if _, err := dispatch.Decide(s, tc.cmd, metroSup, now); dispatch.ErrorCode(err) != dispatch.ENOTFOUND && dispatch.ErrorCode(err) != dispatch.EFORBIDDEN {
			t.Errorf("%T on an archived record = %v, want not found", tc.cmd, err)
		}
	}
	if err := dispatch.ArchivedError("incident", w.a, w.clearedA); dispatch.ErrorCode(err) != dispatch.ECONFLICT || !strings.Contains(err.Error(), "archived: it can be read, not changed") {
		t.Errorf("ArchivedError = %v, want a conflict saying it can be read, not changed", err)
	}

	// Publishing: not found without the archived record, nor for another
	// agency; with it, published, and Apply takes it.
	pub := dispatch.PublishTimeline{Kind: dispatch.PublishIncident, ID: w.a, Reason: "audit"}
	if _, err := pub.Decide(s, metroSup, now); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Errorf("PublishTimeline of archived %s with nothing handed over = %v, want not found", w.a, err)
	}
	pub.Archived = &dispatch.ArchivedRef{Kind: dispatch.PublishIncident, ID: w.a, Agency: "metro", Agencies: []string{"metro"}, Closed: w.clearedA}
	if _, err := pub.Decide(s, sherSup, now); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Errorf("PublishTimeline of metro's archived %s by the sheriff = %v, want not found", w.a, err)
	}
	evs := MustDecide(t, s, metroSup, now, pub)
	if len(evs) != 1 || evs[0].Agency != "metro" || evs[0].Subject["incident"] != w.a {
		t.Fatalf("PublishTimeline of archived %s = %+v, want timeline.published of metro about it", w.a, evs)
	}
	if p := s.Published[dispatch.PublishIncident+"/"+w.a]; p == nil || p.Times != 1 || p.Agency != "metro" {
		t.Errorf("Published[incident/%s] = %+v, want one publication of metro's", w.a, p)
	}
	// A request's: every agency it concerned sees the event on its stream.
	rq := dispatch.PublishTimeline{Kind: dispatch.PublishRequest, ID: w.request,
		Archived: &dispatch.ArchivedRef{Kind: dispatch.PublishRequest, ID: w.request, Agency: "federal", Agencies: []string{"federal", "metro"}}}
	evs = MustDecide(t, s, metroSup, now, rq)
	if evs[0].Agency != "federal" || evs[0].Subject["agencies"] != "federal,metro" {
		t.Errorf("PublishTimeline of archived request = %+v, want federal's, seen by federal and metro", evs[0])
	}
	// A snapshot carries it all: the kept facts, the queues (rebuilt), the
	// counters ids are made from.
	if c := s.Clone(); !reflect.DeepEqual(c, s) {
		t.Errorf("the state's clone (its snapshot) differs from it after archiving")
	}
}

// TestArchiveReplay checks that the state rebuilt from the events, through
// their encoding, equals the live one with archiving among them.
func TestArchiveReplay(t *testing.T) {
	w := newArchiveWorld(t)
	var evs []dispatch.Event
	for _, at := range []time.Duration{25 * time.Hour, 26 * time.Hour, 72 * time.Hour} {
		evs = append(evs, MustDecide(t, w.s, dispatch.Actor{System: "timers"}, w.t.Add(at), dispatch.ArchiveClosed{Max: 1})...)
	}
	if len(evs) != 3 {
		t.Fatalf("three archivings of one record = %d events, want 3", len(evs))
	}
	// Replay the whole history: the world's and these.
	replayed := newArchiveWorld(t).s
	for _, e := range evs {
		if err := replayed.Apply(roundTripEvent(t, e)); err != nil {
			t.Fatalf("replay %s: %v", e.Type, err)
		}
	}
	if !reflect.DeepEqual(replayed, w.s) {
		t.Errorf("state replayed with records.archived differs from the live one")
	}
}

// TestIndexClosed checks that the queues of closed records rebuilt from
// the records (a state decoded from a snapshot) are those the events
// built: the state is equal, and archives the same.
func TestIndexClosed(t *testing.T) {
	w := newArchiveWorld(t)
	archive(t, w.s, w.clearedA.Add(24*time.Hour), dispatch.ArchiveClosed{})
	rebuilt := newArchiveWorld(t).s
	archive(t, rebuilt, w.clearedA.Add(24*time.Hour), dispatch.ArchiveClosed{})
	rebuilt.IndexClosed()
	if !reflect.DeepEqual(rebuilt, w.s) {
		t.Fatalf("state with its closed records indexed again differs from the one its events built")
	}
	later := w.t.Add(72 * time.Hour)
	if a, b := archive(t, rebuilt, later, dispatch.ArchiveClosed{}), archive(t, w.s, later, dispatch.ArchiveClosed{}); !reflect.DeepEqual(a, b) || a == nil {
		t.Errorf("archived after IndexClosed = %+v, want %+v", a, b)
	}
	empty := dispatch.NewState()
	empty.IndexClosed()
	if !reflect.DeepEqual(empty, dispatch.NewState()) {
		t.Errorf("IndexClosed of an empty state changed it")
	}
}

// TestAddressKey checks the normalised address: capitals, no punctuation,
// one space, USPS abbreviations, one sign for an intersection.
func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"12 north Main Street,":            "12 N MAIN ST",
		"  12 N.  MAIN   st ":              "12 N MAIN ST",
		"4100 S Pulaski Road, Apartment 3": "4100 S PULASKI RD APT 3",
		"Kedzie Avenue and 39th Street":    "KEDZIE AVE & 39TH ST",
		"Kedzie Ave / W 39th St":           "KEDZIE AVE & W 39TH ST",
		"1 Lake Shore Drive #2-B":          "1 LAKE SHORE DR #2-B",
		"":                                 "",
	} {
		if got := dispatch.AddressKey(dispatch.Location{Text: in}); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// archiveDay returns a state holding a day of 20,000 closed incidents and
// 500 open ones, and a time when the first 1,000 closed are due.
func archiveDay(b *testing.B) (*dispatch.State, time.Time) {
	s := MustMutualAidWorld(b)
	t := mutualAidT0.Add(time.Minute)
	for i := range 20_500 {
		evs := MustDecide(b, s, system, t.Add(time.Duration(i)*time.Second), dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: kedzie})
		if i < 20_000 {
			MustDecide(b, s, system, t.Add(time.Duration(i)*time.Second), dispatch.ClearIncident{Incident: evs[0].Subject["incident"], Disposition: "x"})
		}
	}
	return s, t.Add(24*time.Hour + 1000*time.Second)
}

// BenchmarkArchiveClosed measures deciding, then applying, the archiving
// of 1,000 records in a state holding a day of 20,000 closed incidents and
// 500 open ones: what the sequencer does once a minute, under the decision
// lock.
//
//	go test ./dispatch -run x -bench ArchiveClosed -benchtime 20x
func BenchmarkArchiveClosed(b *testing.B) {
	timers := dispatch.Actor{System: "timers"}
	b.Run("Decide", func(b *testing.B) {
		s, now := archiveDay(b)
		b.ResetTimer()
		for range b.N {
			evs, err := dispatch.ArchiveClosed{}.Decide(s, timers, now)
			if err != nil || len(evs) != 1 || evs[0].Data.(*dispatch.RecordsArchived).Len() != 1000 {
				b.Fatalf("ArchiveClosed = %v, %v; want 1,000 records", evs, err)
			}
		}
	})
	// NothingDue is most ticks: the same state a second before anything
	// is due.
	b.Run("NothingDue", func(b *testing.B) {
		s, now := archiveDay(b)
		now = now.Add(-1001 * time.Second)
		b.ResetTimer()
		for range b.N {
			evs, err := dispatch.ArchiveClosed{}.Decide(s, timers, now)
			if err != nil || len(evs) != 0 {
				b.Fatalf("ArchiveClosed = %v, %v; want nothing", evs, err)
			}
		}
	})
	b.Run("Apply", func(b *testing.B) {
		s, now := archiveDay(b)
		b.ResetTimer()
		for i := range b.N {
			if i%20 == 19 { // the day is archived: another
				b.StopTimer()
				s, now = archiveDay(b)
				b.StartTimer()
			}
			b.StopTimer()
			evs, err := dispatch.ArchiveClosed{}.Decide(s, timers, now.Add(24*time.Hour))
			if err != nil || len(evs) != 1 {
				b.Fatalf("ArchiveClosed = %v, %v", evs, err)
			}
			b.StartTimer()
			if err := s.Apply(evs[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
