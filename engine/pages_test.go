package engine_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
)

// A memHistory is a History held in a slice: the archive as the store
// keeps it (store.ArchiveQuery's order and filters), for engine tests that
// must place records in it themselves. The store's own implementations are
// tested in store/storetest; the HTTP tests read them.
type memHistory struct {
	mu       sync.Mutex
	recs     []store.Archived
	subjects map[string][]int64
	queries  int
}

// add archives rs; a record already archived is replaced, as in a store.
func (h *memHistory) add(rs ...store.Archived) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range rs {
		h.recs = slices.DeleteFunc(h.recs, func(o store.Archived) bool { return o.Kind == r.Kind && o.ID == r.ID })
		h.recs = append(h.recs, r)
	}
}

func (h *memHistory) SubjectSeqs(_ context.Context, kind, id string) ([]int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.subjects[kind+"/"+id]), nil
}

func (h *memHistory) ArchivedRecord(_ context.Context, kind, id string) (store.Archived, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.recs {
		if r.Kind == kind && r.ID == id {
			return r, nil
		}
	}
	return store.Archived{}, fmt.Errorf("archived %s/%s: %w", kind, id, store.ErrNotFound)
}

func (h *memHistory) QueryArchive(_ context.Context, q store.ArchiveQuery) ([]store.Archived, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queries++
	var out []store.Archived
	for _, r := range h.recs {
		if h.selects(q, r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b store.Archived) int { return cmp.Or(b.Opened.Compare(a.Opened), strings.Compare(b.ID, a.ID)) })
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	return out[:min(limit, len(out))], nil
}

func (h *memHistory) selects(q store.ArchiveQuery, r store.Archived) bool {
	switch {
	case q.Kind != "" && r.Kind != q.Kind:
		return false
	case len(q.Agencies) > 0 && !slices.Contains(q.Agencies, r.Agency) && !slices.ContainsFunc(r.Agencies, func(a string) bool { return slices.Contains(q.Agencies, a) }):
		return false
	case !q.From.IsZero() && r.Opened.Before(q.From), !q.To.IsZero() && !r.Opened.Before(q.To):
		return false
	case q.Type != "" && r.Type != q.Type, q.Unit != "" && !slices.Contains(r.Units, q.Unit), q.Address != "" && r.Address != q.Address:
		return false
	case q.Lat != nil && (r.Lat == nil || dispatch.DistanceM(*q.Lat, *q.Lon, *r.Lat, *r.Lon) > 1.5*q.RadiusM):
		// A box is wider than the circle: so is this.
		return false
	case q.Before != nil && (r.Opened.After(q.Before.Opened) || r.Opened.Equal(q.Before.Opened) && r.ID >= q.Before.ID):
		return false
	}
	return true
}

// archivedIncident is in as the archive keeps it.
func archivedIncident(tb testing.TB, in dispatch.Incident) store.Archived {
	tb.Helper()
	doc, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	closed := in.Received.Add(time.Hour)
	if in.Cleared != nil {
		closed = *in.Cleared
	}
	return store.Archived{Kind: "incident", ID: in.ID, Agency: in.Agency, Agencies: []string{in.Agency}, Type: in.Type,
		Opened: in.Received, Closed: closed, Address: dispatch.AddressKey(in.Location), Lat: in.Location.Lat, Lon: in.Location.Lon,
		Units: in.Units, Doc: doc}
}

// oldIncident is a closed incident that was archived before the test began.
func oldIncident(agency string, n int, received time.Time, typ string, lat float64, units ...string) dispatch.Incident {
	cleared := received.Add(30 * time.Minute)
	return dispatch.Incident{ID: fmt.Sprintf("%s-2025-%06d", agency, n), Agency: agency, Type: typ, Priority: 2,
		Location: dispatch.Location{Text: fmt.Sprintf("%d Main Street", n), Lat: ptr(lat), Lon: ptr(-87.7)},
		Caller:   dispatch.Caller{Name: "Old Caller"}, Narrative: "archived narrative",
		Status: dispatch.IncidentClosed, Units: append([]string{}, units...), Disposition: "report taken",
		Received: received, Entered: received, Cleared: &cleared, Notes: []dispatch.Note{}}
}

// pagesFixture is an engine whose memory and archive both hold incidents
// of metro and sheriff, their times interleaved.
type pagesFixture struct {
	e     *engine.Engine
	h     *memHistory
	clock *Clock
	t0    time.Time
	mem   []string // the ids of the incidents created in memory, oldest first
}

var (
	metroDispatcher   = dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher}}
	sheriffDispatcher = dispatch.Actor{User: "sid", Agency: "sheriff", Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher}}
	archiver          = dispatch.Actor{System: "archiver"}
)

func newPagesFixture(t *testing.T) *pagesFixture {
	t.Helper()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f := &pagesFixture{h: &memHistory{subjects: map[string][]int64{}}, clock: NewClock(t0, time.Minute), t0: t0}
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: MustKey(t), Clock: f.clock.Now, History: f.h, TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		t.Fatalf("engine.Open = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	f.e = e
	for _, c := range []dispatch.Command{
		dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
	} {
		MustExecute(t, e, root, c)
	}
	// Memory: metro incidents at about t0+3m … t0+10m, a sheriff one
	// among them, some of them closed.
	for i := range 8 {
		agency := "metro"
		if i == 4 {
			agency = "sheriff"
		}
		res := MustExecute(t, e, root, dispatch.CreateIncident{Agency: agency, Type: pick2(i, "THEFT", "NOISE"),
			Location: dispatch.Location{Text: fmt.Sprintf("%d Main St", 100+i), Lat: ptr(41.80 + float64(i)*0.001), Lon: ptr(-87.7)}})
		id := res.Events[0].Subject["incident"]
		f.mem = append(f.mem, id)
		if i%3 == 0 {
			MustExecute(t, e, root, dispatch.ClearIncident{Incident: id, Disposition: "report taken"})
		}
	}
	// The archive: metro and sheriff incidents between and before them,
	// one at the very time of a memory incident (the id breaks the tie).
	var olds []dispatch.Incident
	for i := range 12 {
		at := t0.Add(time.Duration(i)*150*time.Second - 10*time.Minute)
		olds = append(olds, oldIncident(pick2(i%4, "metro", "metro", "sheriff", "metro"), i+1, at, pick2(i, "THEFT", "NOISE"), 41.80+float64(i)*0.001, fmt.Sprintf("metro.u%d", i%3)))
	}
	tie, err := e.Incident(root, f.mem[2])
	if err != nil {
		t.Fatal(err)
	}
	olds = append(olds, oldIncident("metro", 99, tie.Received, "THEFT", 41.9))
	for _, in := range olds {
		f.h.add(archivedIncident(t, in))
	}
	return f
}

func pick2(i int, xs ...string) string { return xs[i%len(xs)] }

// all returns every incident the actor sees, from both sources, in list
// order: what paging must yield.
func (f *pagesFixture) all(t *testing.T, a dispatch.Actor) []string {
	t.Helper()
	type key struct {
		t  time.Time
		id string
	}
	var keys []key
	for _, in := range f.e.Incidents(a) {
		keys = append(keys, key{in.Received, in.ID})
	}
	f.h.mu.Lock()
	for _, r := range f.h.recs {
		if a.Sees(r.Agency) && !slices.ContainsFunc(keys, func(k key) bool { return k.id == r.ID }) {
			keys = append(keys, key{r.Opened, r.ID})
		}
	}
	f.h.mu.Unlock()
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(b.t.Compare(a.t), strings.Compare(b.id, a.id)) })
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.id)
	}
	return ids
}

// pages reads every page of q, calling between(n) after page n.
func pages(t *testing.T, e *engine.Engine, a dispatch.Actor, q engine.IncidentQuery, between func(n int)) []string {
	t.Helper()
	var ids []string
	for n := 1; ; n++ {
		p, err := e.IncidentPage(context.Background(), a, q)
		if err != nil {
			t.Fatalf("IncidentPage(%+v) = %v", q, err)
		}
		if len(p.Incidents) == 0 || len(p.Incidents) > q.Limit {
			t.Fatalf("IncidentPage(%+v): page %d has %d incidents, want 1 to %d", q, n, len(p.Incidents), q.Limit)
		}
		for _, in := range p.Incidents {
			ids = append(ids, in.ID)
		}
		if p.Next == nil {
			return ids
		}
		if len(p.Incidents) != q.Limit {
			t.Fatalf("IncidentPage(%+v): page %d has %d incidents and a next page, want %d", q, n, len(p.Incidents), q.Limit)
		}
		if between != nil {
			between(n)
		}
		c, err := engine.ParseCursor(p.Next.String())
		if err != nil {
			t.Fatalf("ParseCursor(%s) = %v", p.Next, err)
		}
		q.Before = &c
		if n > 1000 {
			t.Fatal("paging does not end")
		}
	}
}

// TestIncidentPageMerge: paging through memory and the archive yields every
// incident the actor sees once, newest first, whatever the page size.
func TestIncidentPageMerge(t *testing.T) {
	f := newPagesFixture(t)
	for _, a := range []dispatch.Actor{metroDispatcher, sheriffDispatcher, root} {
		want := f.all(t, a)
		if a.Agency == "metro" && len(want) != 7+10 {
			t.Fatalf("fixture: metro sees %d incidents, want 17", len(want))
		}
		for limit := 1; limit <= len(want)+1; limit++ {
			got := pages(t, f.e, a, engine.IncidentQuery{Limit: limit}, nil)
			if !slices.Equal(got, want) {
				t.Errorf("%s, limit %d: pages = %v, want %v", a.Agency, limit, got, want)
			}
		}
	}
}

// TestIncidentPageMove: a record that leaves memory for the archive between
// two pages is still listed once, in its place.
func TestIncidentPageMove(t *testing.T) {
	for _, moved := range []int{0, 3, 6} { // on a page already read, the page next, a later one
		t.Run(fmt.Sprint(moved), func(t *testing.T) {
			f := newPagesFixture(t)
			want := f.all(t, metroDispatcher)
			got := pages(t, f.e, metroDispatcher, engine.IncidentQuery{Limit: 3}, func(n int) {
				if n != 1 {
					return
				}
				f.archive(t, f.mem[moved])
			})
			if !slices.Equal(got, want) {
				t.Errorf("pages with %s archived after page 1 = %v, want %v", f.mem[moved], got, want)
			}
			if _, err := f.e.Incident(metroDispatcher, f.mem[moved]); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
				t.Errorf("Incident(%s) after archiving = %v, want it gone from memory", f.mem[moved], err)
			}
		})
	}
	// Between the archive's write and the event's fold into memory, a
	// record is in both: it is still listed once.
	f := newPagesFixture(t)
	want := f.all(t, metroDispatcher)
	got := pages(t, f.e, metroDispatcher, engine.IncidentQuery{Limit: 3}, func(n int) {
		for _, in := range f.e.Incidents(root) {
			if in.Status == dispatch.IncidentClosed {
				f.h.add(archivedIncident(t, in))
			}
		}
	})
	if !slices.Equal(got, want) {
		t.Errorf("pages with the closed incidents both in memory and archived = %v, want %v", got, want)
	}
}

// archive closes incident id and archives every closed incident as the
// engine does: each record is written to the archive, then the event takes
// them from memory.
func (f *pagesFixture) archive(t *testing.T, id string) {
	t.Helper()
	if in, err := f.e.Incident(root, id); err != nil {
		t.Fatal(err)
	} else if in.Status != dispatch.IncidentClosed {
		MustExecute(t, f.e, root, dispatch.ClearIncident{Incident: id, Disposition: "report taken"})
	}
	var closed []string
	for _, in := range f.e.Incidents(root) {
		if in.Status == dispatch.IncidentClosed {
			f.h.add(archivedIncident(t, in))
			closed = append(closed, in.ID)
		}
	}
	res := MustExecute(t, f.e, archiver, dispatch.ArchiveClosed{Retention: time.Nanosecond})
	got := slices.Clone(res.Events[0].Data.(*dispatch.RecordsArchived).Incidents)
	slices.Sort(got)
	slices.Sort(closed)
	if !slices.Equal(got, closed) || !slices.Contains(got, id) {
		t.Fatalf("ArchiveClosed archived %v, want the closed ones %v, %s among them", got, closed, id)
	}
}

// TestIncidentPageFilters: each filter selects from both sources alike.
func TestIncidentPageFilters(t *testing.T) {
	f := newPagesFixture(t)
	a := metroDispatcher
	list := func(q engine.IncidentQuery) []dispatch.Incident {
		t.Helper()
		q.Limit = 2 // several pages, so the filters hold across cursors
		var out []dispatch.Incident
		for _, id := range pages(t, f.e, a, q, nil) {
			in, err := f.e.LookupIncident(context.Background(), a, id)
			if err != nil {
				t.Fatalf("LookupIncident(%s) = %v", id, err)
			}
			out = append(out, in)
		}
		return out
	}
	everything := list(engine.IncidentQuery{})
	for _, tc := range []struct {
		name string
		q    engine.IncidentQuery
		keep func(in dispatch.Incident) bool
	}{
		{"open", engine.IncidentQuery{Status: engine.ListOpen}, func(in dispatch.Incident) bool { return in.Status != dispatch.IncidentClosed }},
		{"closed", engine.IncidentQuery{Status: engine.ListClosed}, func(in dispatch.Incident) bool { return in.Status == dispatch.IncidentClosed }},
		{"type", engine.IncidentQuery{Type: "NOISE"}, func(in dispatch.Incident) bool { return in.Type == "NOISE" }},
		{"unit", engine.IncidentQuery{Unit: "metro.u1"}, func(in dispatch.Incident) bool { return slices.Contains(in.Units, "metro.u1") }},
		{"address", engine.IncidentQuery{Address: "4 main st."}, func(in dispatch.Incident) bool { return in.Location.Text == "4 Main Street" }},
		{"from-to", engine.IncidentQuery{From: f.t0.Add(-5 * time.Minute), To: f.t0.Add(5 * time.Minute)}, func(in dispatch.Incident) bool {
			return !in.Received.Before(f.t0.Add(-5*time.Minute)) && in.Received.Before(f.t0.Add(5*time.Minute))
		}},
		{"point", engine.IncidentQuery{Lat: ptr(41.803), Lon: ptr(-87.7), RadiusM: 250}, func(in dispatch.Incident) bool {
			return dispatch.DistanceM(41.803, -87.7, *in.Location.Lat, *in.Location.Lon) <= 250
		}},
		{"agency", engine.IncidentQuery{Agency: "metro", Type: "THEFT"}, func(in dispatch.Incident) bool { return in.Type == "THEFT" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, in := range everything {
				if tc.keep(in) {
					want = append(want, in.ID)
				}
			}
			var got []string
			for _, in := range list(tc.q) {
				got = append(got, in.ID)
			}
			if len(want) == 0 || len(want) == len(everything) {
				t.Fatalf("fixture: filter %s keeps %d of %d; want some, not all", tc.name, len(want), len(everything))
			}
			if !slices.Equal(got, want) {
				t.Errorf("IncidentPage(%+v) = %v, want %v", tc.q, got, want)
			}
		})
	}
	// Another agency's list is empty for metro, not an error.
	if p, err := f.e.IncidentPage(context.Background(), a, engine.IncidentQuery{Agency: "sheriff"}); err != nil || len(p.Incidents) != 0 {
		t.Errorf("IncidentPage(agency sheriff) as metro = %d incidents, %v; want none", len(p.Incidents), err)
	}
	for _, q := range []engine.IncidentQuery{{Limit: engine.MaxPageLimit + 1}, {Status: "gone"}, {Lat: ptr(41.8)}, {Lat: ptr(41.8), Lon: ptr(-87.7), RadiusM: engine.MaxSearchRadiusM + 1}, {Address: "  ,, "}} {
		if _, err := f.e.IncidentPage(context.Background(), a, q); dispatch.ErrorCode(err) != dispatch.EINVALID {
			t.Errorf("IncidentPage(%+v) = %v, want invalid", q, err)
		}
	}
}

// TestArchivedVisibility: an archived incident is read by its agency as it
// was, redacted as in memory, and does not exist for another agency.
func TestArchivedVisibility(t *testing.T) {
	f := newPagesFixture(t)
	ctx := context.Background()
	const metroOld, sheriffOld = "metro-2025-000001", "sheriff-2025-000003"
	f.h.subjects["incident/"+sheriffOld] = []int64{3, 5, 8}
	if _, err := f.e.LookupIncident(ctx, metroDispatcher, sheriffOld); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Errorf("LookupIncident(%s) as metro = %v, want not found", sheriffOld, err)
	}
	if _, err := f.e.Timeline(ctx, metroDispatcher, dispatch.TimelineIncident, sheriffOld); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Errorf("Timeline(%s) as metro = %v, want not found", sheriffOld, err)
	}
	if _, err := f.e.Priors(ctx, metroDispatcher, sheriffOld, 100, 365); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Errorf("Priors(%s) as metro = %v, want not found", sheriffOld, err)
	}
	in, err := f.e.LookupIncident(ctx, sheriffDispatcher, sheriffOld)
	if err != nil || in.Caller.Name != "Old Caller" || in.Narrative != "archived narrative" || in.Status != dispatch.IncidentClosed {
		t.Errorf("LookupIncident(%s) as sheriff = %+v, %v; want it whole", sheriffOld, in, err)
	}
	tl, err := f.e.Timeline(ctx, sheriffDispatcher, dispatch.TimelineIncident, sheriffOld)
	if err != nil || !slices.Equal(tl.Seqs, []int64{3, 5, 8}) {
		t.Errorf("Timeline(%s) as sheriff = %v, %v; want the store's subject index [3 5 8]", sheriffOld, tl.Seqs, err)
	}
	if _, err := f.e.LookupIncident(ctx, metroDispatcher, metroOld); err != nil {
		t.Errorf("LookupIncident(%s) as metro = %v", metroOld, err)
	}
	if _, err := f.e.LookupIncident(ctx, metroDispatcher, "metro-2025-000777"); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Errorf("LookupIncident(missing) = %v, want not found", err)
	}
}

// TestPriorsArchived: priors at a place count the archived incidents of
// the agency near it, with those in memory, each once.
func TestPriorsArchived(t *testing.T) {
	f := newPagesFixture(t)
	ctx := context.Background()
	// f.mem[1] is at 41.801; archived metro ones lie every 0.001° (111 m).
	got, err := f.e.Priors(ctx, metroDispatcher, f.mem[1], 150, 365)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.Incident)
		if p.DistanceM > 150 {
			t.Errorf("prior %s at %.0f m, want within 150 m", p.Incident, p.DistanceM)
		}
	}
	// Memory: f.mem[0] (41.800) and f.mem[2] (41.802); the archive: the
	// metro ones at 41.800, 41.801 (n=1, 2) and 41.802 is sheriff's (n=3).
	want := []string{f.mem[2], f.mem[0], "metro-2025-000002", "metro-2025-000001"}
	if !slices.Equal(ids, want) {
		t.Errorf("Priors(%s) = %v, want %v", f.mem[1], ids, want)
	}
	// From an archived incident too.
	got, err = f.e.Priors(ctx, metroDispatcher, "metro-2025-000002", 150, 365)
	if err != nil || len(got) == 0 || slices.ContainsFunc(got, func(p dispatch.Prior) bool { return p.Incident == "metro-2025-000002" }) {
		t.Errorf("Priors(archived metro-2025-000002) = %v, %v; want its neighbours, not itself", got, err)
	}

	// A place off the map, kept as typed, has no point: its priors are
	// those at the same address, in memory and in the archive, however
	// the address was written; another agency's are not.
	for _, agency := range []string{"metro", "sheriff"} {
		o := oldIncident(agency, 50, f.t0.Add(-time.Hour), "NOISE", 0)
		o.Location = dispatch.Location{Text: "Behind the Old Paint-Works"}
		f.h.add(archivedIncident(t, o))
	}
	res := MustExecute(t, f.e, root, dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "behind the old paint-works"}})
	first := res.Events[0].Subject["incident"]
	res = MustExecute(t, f.e, root, dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Location: dispatch.Location{Text: "BEHIND THE OLD PAINT-WORKS"}})
	second := res.Events[0].Subject["incident"]
	got, err = f.e.Priors(ctx, metroDispatcher, second, 150, 365)
	ids = nil
	for _, p := range got {
		ids = append(ids, p.Incident)
		if !p.SameAddress {
			t.Errorf("prior %s of %s: same_address not set", p.Incident, second)
		}
	}
	if want := []string{first, "metro-2025-000050"}; err != nil || !slices.Equal(ids, want) {
		t.Errorf("Priors(%s, kept as typed) = %v, %v; want %v", second, ids, err, want)
	}
}

// TestIncidentsReceivedArchived: a report reads every archived incident of
// its range, through more than one page of the store.
func TestIncidentsReceivedArchived(t *testing.T) {
	f := newPagesFixture(t)
	ctx := context.Background()
	base := f.t0.Add(-48 * time.Hour)
	for i := range 2500 {
		f.h.add(archivedIncident(t, oldIncident(pick2(i, "metro", "sheriff"), 1000+i, base.Add(time.Duration(i)*time.Second), "THEFT", 41.8)))
	}
	got, err := f.e.IncidentsReceived(ctx, metroDispatcher, "", base, f.t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, in := range got {
		if in.Agency != "metro" || seen[in.ID] {
			t.Fatalf("IncidentsReceived: %s of %s (seen before: %v), want metro's, each once", in.ID, in.Agency, seen[in.ID])
		}
		seen[in.ID] = true
	}
	if want := 1250 + 10 + 7; len(got) != want { // the bulk, the fixture's archived metro ones, memory's metro ones
		t.Errorf("IncidentsReceived = %d incidents, want %d", len(got), want)
	}
}

// FuzzParseCursor: a cursor parses only into one that encodes back to the
// same cursor, and never panics.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "AAAAAAAAAAA", engine.Cursor{Time: time.Date(2026, 3, 1, 8, 0, 0, 5, time.UTC), ID: "metro-2026-000001"}.String(),
		"%%%", "AAAAAAAAAAAK", strings.Repeat("A", 300), "GHrDAX3zQABtZXRyby0yMDI2LTAwMDAwMQ", "GHrDAX3zQABtZXRyby0yMDI2LTAwMDAwMQ=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := engine.ParseCursor(s)
		if err != nil {
			if dispatch.ErrorCode(err) != dispatch.EINVALID {
				t.Fatalf("ParseCursor(%q) = %v, want an invalid-input error", s, err)
			}
			return
		}
		if c.ID == "" {
			t.Fatalf("ParseCursor(%q) = %+v, an empty id", s, c)
		}
		back, err := engine.ParseCursor(c.String())
		if err != nil || !back.Time.Equal(c.Time) || back.ID != c.ID {
			t.Fatalf("ParseCursor(ParseCursor(%q).String()) = %+v, %v; want %+v", s, back, err, c)
		}
	})
}

// TestMessagePageArchived: a message keeps, in the archive, what it was
// when it left memory — its receipts too — and is listed to whom saw it:
// its sender, and a unit's list, which holds what was sent to or as that
// unit only; an installation administrator, of no agency, sees none.
func TestMessagePageArchived(t *testing.T) {
	ctx := context.Background()
	e := MustOpenEngine(t, MustOpenStore(t, t.TempDir()+"/t.db"), MustKey(t), nil)
	sys := dispatch.Actor{System: "test"}
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	MustExecute(t, e, sys, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	MustExecute(t, e, sys, dispatch.CreateUnit{CallSign: "1A13", Agency: "metro", Kind: "patrol"})
	disp := dispatch.Actor{Agency: "metro", User: "disp", Role: dispatch.RoleDispatcher}
	off := dispatch.Actor{Agency: "metro", User: "off", Role: dispatch.RoleOfficer}
	to12 := MustExecute(t, e, disp, dispatch.SendMessage{To: []string{"unit:metro.1a12"}, Text: "rear gate"}).Events[0].Subject["message"]
	to13 := MustExecute(t, e, disp, dispatch.SendMessage{To: []string{"unit:metro.1a13"}, Text: "stand by"}).Events[0].Subject["message"]
	MustExecute(t, e, off, dispatch.AckMessage{Message: to12, Unit: "metro.1a12", Read: true})
	MustExecute(t, e, sys, dispatch.ArchiveClosed{Retention: time.Nanosecond})
	if _, err := e.Message(disp, "", to12); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Fatalf("fixture: message %s still in memory after archiving (%v)", to12, err)
	}
	ids := func(p engine.MessagePage) (out []string) {
		for _, m := range p.Messages {
			out = append(out, m.ID)
		}
		return out
	}
	p, err := e.MessagePage(ctx, disp, engine.MessageQuery{})
	if err != nil || !slices.Equal(ids(p), []string{to13, to12}) || p.Next != nil {
		t.Errorf("MessagePage(the sender) = %v, %v, %v; want %s, %s and no next page", ids(p), p.Next, err, to13, to12)
	}
	p, err = e.MessagePage(ctx, off, engine.MessageQuery{Unit: "metro.1a12"})
	if err != nil || len(p.Messages) != 1 || p.Messages[0].ID != to12 || p.Messages[0].Read["unit:metro.1a12"].IsZero() || p.Messages[0].Text != "rear gate" {
		t.Errorf("MessagePage(as metro.1a12) = %+v, %v; want %s, read, with its text", p.Messages, err, to12)
	}
	if p, err := e.MessagePage(ctx, dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}, engine.MessageQuery{}); err != nil || len(p.Messages) != 0 {
		t.Errorf("MessagePage(the installation administrator) = %v, %v; want none", ids(p), err)
	}
	if _, err := e.MessagePage(ctx, disp, engine.MessageQuery{Limit: engine.MaxPageLimit + 1}); dispatch.ErrorCode(err) != dispatch.EINVALID {
		t.Errorf("MessagePage(limit %d) = %v, want invalid", engine.MaxPageLimit+1, err)
	}
}

// TestBOLOPageArchived: a BOLO that ended is listed with all, from the
// archive once it has left memory; one in force, from memory, either way.
func TestBOLOPageArchived(t *testing.T) {
	ctx := context.Background()
	e := MustOpenEngine(t, MustOpenStore(t, t.TempDir()+"/t.db"), MustKey(t), nil)
	sys := dispatch.Actor{System: "test"}
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	MustExecute(t, e, sys, dispatch.CreateAgency{ID: "sheriff", Name: "Sheriff", Kind: "sheriff"})
	disp := dispatch.Actor{Agency: "metro", User: "disp", Role: dispatch.RoleDispatcher}
	issue := func(plate string) string {
		return MustExecute(t, e, disp, dispatch.IssueBOLO{Kind: "vehicle", Description: "sedan", Plate: plate,
			Area: dispatch.Scope{Kind: dispatch.ScopeAgency}, Expires: e.Now().Add(time.Hour)}).Events[0].Subject["bolo"]
	}
	live := issue("AB1")
	ended := issue("AB2")
	MustExecute(t, e, disp, dispatch.CancelBOLO{ID: ended, Reason: "found"})
	MustExecute(t, e, sys, dispatch.ArchiveClosed{Retention: time.Nanosecond})
	if _, err := e.BOLO(disp, ended); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Fatalf("fixture: BOLO %s still in memory after archiving (%v)", ended, err)
	}
	ids := func(p engine.BOLOPage) (out []string) {
		for _, b := range p.BOLOs {
			out = append(out, b.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		a    dispatch.Actor
		q    engine.BOLOQuery
		want []string
	}{
		{"in force", disp, engine.BOLOQuery{}, []string{live}},
		{"all", disp, engine.BOLOQuery{BOLOFilter: engine.BOLOFilter{All: true}}, []string{ended, live}},
		{"all, a page of one", disp, engine.BOLOQuery{BOLOFilter: engine.BOLOFilter{All: true}, Limit: 1}, []string{ended}},
		{"the archived one by id", disp, engine.BOLOQuery{BOLOFilter: engine.BOLOFilter{All: true, ID: ended}}, []string{ended}},
		{"by plate", disp, engine.BOLOQuery{BOLOFilter: engine.BOLOFilter{All: true, Query: "ab 2"}}, []string{ended}},
		{"another agency", dispatch.Actor{Agency: "sheriff", User: "sid", Role: dispatch.RoleDispatcher}, engine.BOLOQuery{BOLOFilter: engine.BOLOFilter{All: true}}, nil},
	} {
		p, err := e.BOLOPage(ctx, tc.a, tc.q)
		if err != nil || !slices.Equal(ids(p), tc.want) {
			t.Errorf("BOLOPage(%s) = %v, %v; want %v", tc.name, ids(p), err, tc.want)
		}
	}
	if _, err := e.BOLOPage(ctx, disp, engine.BOLOQuery{Limit: -1}); dispatch.ErrorCode(err) != dispatch.EINVALID {
		t.Errorf("BOLOPage(limit -1) = %v, want invalid", err)
	}
}
