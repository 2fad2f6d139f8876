package storetest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// History is what a store answers about what is not in memory, as
// engine.History declares it (the stores' tests check that they satisfy
// engine.History itself; storetest does not import the engine).
type History interface {
	SubjectSeqs(ctx context.Context, kind, id string) ([]int64, error)
	ArchivedRecord(ctx context.Context, kind, id string) (store.Archived, error)
	QueryArchive(ctx context.Context, q store.ArchiveQuery) ([]store.Archived, error)
}

func mustSubjectSeqs(tb testing.TB, st Store, kind, id string) []int64 {
	tb.Helper()
	seqs, err := st.SubjectSeqs(tb.Context(), kind, id)
	if err != nil {
		tb.Fatalf("SubjectSeqs(%s, %s) = %v", kind, id, err)
	}
	if seqs == nil {
		tb.Fatalf("SubjectSeqs(%s, %s) = nil, want a list (empty if none)", kind, id)
	}
	return seqs
}

func mustQueryArchive(tb testing.TB, st Store, q store.ArchiveQuery) []store.Archived {
	tb.Helper()
	rs, err := st.QueryArchive(tb.Context(), q)
	if err != nil {
		tb.Fatalf("QueryArchive(%+v) = %v", q, err)
	}
	if rs == nil {
		tb.Fatalf("QueryArchive(%+v) = nil, want a list (empty if none)", q)
	}
	return rs
}

// subjects returns, for each event in [start, end), its subjects in the
// suite: its unit, its incident and its agency.
func subjects(start, end int64) []store.Subject {
	var ss []store.Subject
	for s := start; s < end; s++ {
		ss = append(ss,
			store.Subject{Kind: "unit", ID: fmt.Sprintf("u%d", s%4), Seq: s},
			store.Subject{Kind: "incident", ID: fmt.Sprintf("metro-%d", s%10), Seq: s},
			store.Subject{Kind: "agency", ID: "metro", Seq: s})
	}
	return ss
}

// wantSeqs returns the events of [0, n) whose subject kind/id is, by
// subjects' rule.
func wantSeqs(n int64, kind, id string) []int64 {
	seqs := []int64{}
	for _, s := range subjects(0, n) {
		if s.Kind == kind && s.ID == id {
			seqs = append(seqs, s.Seq)
		}
	}
	return seqs
}

func testSubjects(t *testing.T, open func(t *testing.T) Store) {
	t.Run("LogOrder", func(t *testing.T) {
		st := open(t)
		// Subjects given out of order, over several batches, one of them
		// large enough to be copied rather than inserted (PostgreSQL).
		ss := subjects(0, 5)
		slices.Reverse(ss)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 5), Subjects: ss})
		mustAppend(t, st, store.Batch{Leaves: Leaves(5, 6), Subjects: subjects(5, 6)})
		mustAppend(t, st, store.Batch{Leaves: Leaves(6, 400), Subjects: subjects(6, 400)})
		for _, s := range [][2]string{{"unit", "u1"}, {"incident", "metro-7"}, {"agency", "metro"}} {
			got, want := mustSubjectSeqs(t, st, s[0], s[1]), wantSeqs(400, s[0], s[1])
			if !slices.Equal(got, want) {
				t.Errorf("SubjectSeqs(%s, %s) = %v, want %v", s[0], s[1], got, want)
			}
		}
	})
	t.Run("ManyEvents", func(t *testing.T) {
		// Enough events that a store which keeps the newest subjects
		// apart (SQLite folds them every few thousand) answers from both.
		st := open(t)
		for _, r := range [][2]int64{{0, 4000}, {4000, 4200}, {4200, 8200}, {8200, 8300}} {
			mustAppend(t, st, store.Batch{Leaves: Leaves(r[0], r[1]), Subjects: subjects(r[0], r[1])})
		}
		for _, s := range [][2]string{{"unit", "u3"}, {"incident", "metro-0"}, {"agency", "metro"}} {
			got, want := mustSubjectSeqs(t, st, s[0], s[1]), wantSeqs(8300, s[0], s[1])
			if !slices.Equal(got, want) {
				t.Errorf("SubjectSeqs(%s, %s) = %d events, want %d (the same: %v)", s[0], s[1], len(got), len(want), slices.Equal(got, want))
			}
		}
	})
	t.Run("None", func(t *testing.T) {
		st := open(t)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 3), Subjects: subjects(0, 3)})
		for _, s := range [][2]string{{"unit", "u9"}, {"incident", "u1"}, {"", ""}} {
			if got := mustSubjectSeqs(t, st, s[0], s[1]); len(got) != 0 {
				t.Errorf("SubjectSeqs(%s, %s) = %v, want none", s[0], s[1], got)
			}
		}
	})
	t.Run("Repeated", func(t *testing.T) {
		// An event naming the same subject twice is indexed once, not
		// refused: the log must not stop over it.
		st := open(t)
		a := store.Subject{Kind: "unit", ID: "u1", Seq: 1}
		b := store.Subject{Kind: "unit", ID: "u1", Seq: 0}
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 2), Subjects: []store.Subject{a, a, b, {Kind: "unit", ID: "u2", Seq: 1}, a}})
		if got := mustSubjectSeqs(t, st, "unit", "u1"); !slices.Equal(got, []int64{0, 1}) {
			t.Errorf("SubjectSeqs(unit, u1) = %v, want [0 1]", got)
		}
	})
	t.Run("OutsideBatch", func(t *testing.T) {
		// A subject of an event the batch does not hold is refused, with
		// the batch.
		st := open(t)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 2)})
		for _, seq := range []int64{1, 4} {
			err := st.Append(t.Context(), store.Batch{Leaves: Leaves(2, 4), Subjects: []store.Subject{{Kind: "unit", ID: "u1", Seq: seq}}})
			if err == nil {
				t.Errorf("Append(leaves 2-3, a subject of event %d) = nil, want an error", seq)
			}
			checkEntries(t, st, 2)
		}
		if got := mustSubjectSeqs(t, st, "unit", "u1"); len(got) != 0 {
			t.Errorf("SubjectSeqs(unit, u1) after refused batches = %v, want none", got)
		}
	})
}

// The suite's archive: records spread over kinds, agencies, types,
// addresses, units, times (with ties) and points near and far from
// center, each made from its number.
var (
	center    = [2]float64{41.8781, -87.6298}
	agencies  = []string{"north", "south", "east"}
	types     = []string{"FIRE", "MED", "TRAFFIC", "ALARM"}
	addresses = []string{"100 MAIN ST", "22 ELM AVE", "7 OAK CT", "", "1 LAKE SHORE DR"}
	archiveT0 = time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
)

const radiusM = 1000

func archived(i int) store.Archived {
	r := store.Archived{
		Kind:    "incident",
		ID:      fmt.Sprintf("metro-2026-%06d", (i*7919)%100000),
		Agency:  agencies[i%len(agencies)],
		Type:    types[i%len(types)],
		Opened:  archiveT0.Add(time.Duration(i%17)*time.Hour + time.Duration(i%3)*time.Nanosecond),
		Address: addresses[i%len(addresses)],
		Seq:     int64(i),
		Doc:     fmt.Appendf(nil, `{"n":%d,"raw":"\u0000"}`, i),
	}
	if i%5 == 0 {
		r.Kind, r.Type = "request", "P1"
	}
	r.Closed = r.Opened.Add(time.Duration(i) * time.Minute)
	r.Agencies = []string{r.Agency}
	if i%4 == 0 {
		r.Agencies = append(r.Agencies, "west")
	}
	switch i % 3 {
	case 0:
		r.Units = []string{"u2", "u1"}
	case 1:
		r.Units = []string{"u2"}
	}
	if i%7 != 0 {
		// Near points are within 0.6 of the radius; far ones well outside
		// any box that holds the circle.
		d := float64(i%11) / 10
		lat, lon := center[0]+d*0.004, center[1]-d*0.005
		if i%2 == 1 {
			lat, lon = center[0]+0.05+d, center[1]
			if i%3 == 0 {
				lat, lon = center[0], center[1]+0.07+d
			}
		}
		r.Lat, r.Lon = &lat, &lon
	}
	return r
}

func archivedRange(lo, hi int) []store.Archived {
	var rs []store.Archived
	for i := lo; i < hi; i++ {
		rs = append(rs, archived(i))
	}
	return rs
}

// distanceM is the great-circle distance between two points (haversine).
func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6371008.8 * math.Asin(math.Sqrt(a))
}

// matches is the query's selection as its documentation states it, the
// point within its radius (the suite's points are all either within it or
// far out of any box that holds it).
func matches(r store.Archived, q store.ArchiveQuery) bool {
	switch {
	case q.Kind != "" && r.Kind != q.Kind,
		len(q.Agencies) > 0 && !slices.ContainsFunc(q.Agencies, func(a string) bool { return a == r.Agency || slices.Contains(r.Agencies, a) }),
		!q.From.IsZero() && r.Opened.Before(q.From),
		!q.To.IsZero() && !r.Opened.Before(q.To),
		q.Type != "" && r.Type != q.Type,
		q.Unit != "" && !slices.Contains(r.Units, q.Unit),
		q.Address != "" && r.Address != q.Address,
		q.Lat != nil && (r.Lat == nil || distanceM(*q.Lat, *q.Lon, *r.Lat, *r.Lon) > q.RadiusM),
		q.Before != nil && !after(r, *q.Before):
		return false
	}
	return true
}

// after reports whether r sorts after the cursor: older, or as old with a
// smaller id.
func after(r store.Archived, c store.ArchiveCursor) bool {
	return r.Opened.Before(c.Opened) || r.Opened.Equal(c.Opened) && r.ID < c.ID
}

// newestFirst orders records as a query returns them.
func newestFirst(a, b store.Archived) int {
	return cmp.Or(b.Opened.Compare(a.Opened), cmp.Compare(b.ID, a.ID), cmp.Compare(b.Kind, a.Kind))
}

// selectArchived returns what q should return of rs.
func selectArchived(rs []store.Archived, q store.ArchiveQuery) []store.Archived {
	var out []store.Archived
	for _, r := range rs {
		if matches(r, q) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, newestFirst)
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	return out[:min(len(out), limit, 1000)]
}

func names(rs []store.Archived) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Kind + "/" + r.ID
	}
	return out
}

// equalArchived reports whether a and b are the same record, every field.
func equalArchived(a, b store.Archived) bool {
	eqPoint := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Kind == b.Kind && a.ID == b.ID && a.Agency == b.Agency && slices.Equal(a.Agencies, b.Agencies) && a.Type == b.Type &&
		a.Opened.Equal(b.Opened) && a.Closed.Equal(b.Closed) && a.Address == b.Address && eqPoint(a.Lat, b.Lat) && eqPoint(a.Lon, b.Lon) &&
		slices.Equal(a.Units, b.Units) && a.Seq == b.Seq && bytes.Equal(a.Doc, b.Doc)
}

func mustArchivedRecord(tb testing.TB, st Store, kind, id string) store.Archived {
	tb.Helper()
	r, err := st.ArchivedRecord(tb.Context(), kind, id)
	if err != nil {
		tb.Fatalf("ArchivedRecord(%s, %s) = %v", kind, id, err)
	}
	return r
}

func testArchive(t *testing.T, open func(t *testing.T) Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		st := open(t)
		rs := archivedRange(0, 30)
		// Times in another zone come back as the same instant in UTC.
		rs[1].Opened = rs[1].Opened.In(time.FixedZone("CST", -6*3600))
		// An owner not among the involved agencies; no units; no address.
		rs[2].Agencies, rs[2].Units, rs[2].Address = []string{"west", "east"}, nil, ""
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1), Archive: rs})
		for i, want := range rs {
			got := mustArchivedRecord(t, st, want.Kind, want.ID)
			if !equalArchived(got, want) {
				t.Errorf("ArchivedRecord(%s, %s) = %+v, want %+v", want.Kind, want.ID, got, want)
			}
			if got.Opened.Location() != time.UTC || got.Closed.Location() != time.UTC {
				t.Errorf("ArchivedRecord(%s, %s) times in %v and %v, want UTC", want.Kind, want.ID, got.Opened.Location(), got.Closed.Location())
			}
			if (got.Lat == nil) != (i%7 == 0) {
				t.Errorf("ArchivedRecord(%s, %s) point %v, want one unless the record has none", want.Kind, want.ID, got.Lat)
			}
		}
		// The owner finds its record even when it is not among the listed.
		got := mustQueryArchive(t, st, store.ArchiveQuery{Agencies: []string{rs[2].Agency}, Kind: rs[2].Kind})
		if !slices.Contains(names(got), rs[2].Kind+"/"+rs[2].ID) {
			t.Errorf("QueryArchive(owner %s) = %v, want it to hold %s", rs[2].Agency, names(got), rs[2].ID)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		r := archived(1)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1), Archive: []store.Archived{r}})
		for _, k := range [][2]string{{"incident", "missing"}, {"request", r.ID}, {"", ""}} {
			if _, err := st.ArchivedRecord(t.Context(), k[0], k[1]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ArchivedRecord(%s, %s) = %v, want ErrNotFound", k[0], k[1], err)
			}
		}
	})
	t.Run("Replace", func(t *testing.T) {
		st := open(t)
		old := archived(1)
		old.Agencies, old.Units = []string{"north", "west"}, []string{"u1", "u2"}
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1), Archive: []store.Archived{old, archived(3)}})
		// Rewritten with other agencies and units; in a later batch, and
		// twice in one batch (the last wins).
		nw := old
		nw.Agency, nw.Agencies, nw.Units, nw.Type, nw.Seq, nw.Doc = "east", []string{"east"}, []string{"u3"}, "FIRE", 1, []byte(`{"v":2}`)
		nw.Lat, nw.Lon = nil, nil
		first := nw
		first.Doc = []byte(`{"v":"first"}`)
		mustAppend(t, st, store.Batch{Leaves: Leaves(1, 2), Archive: []store.Archived{first, nw}})
		if got := mustArchivedRecord(t, st, nw.Kind, nw.ID); !equalArchived(got, nw) {
			t.Errorf("ArchivedRecord after rewriting = %+v, want %+v", got, nw)
		}
		for _, q := range []store.ArchiveQuery{{Agencies: []string{"west"}}, {Agencies: []string{"north"}}, {Unit: "u1"}, {Unit: "u2"}} {
			if got := mustQueryArchive(t, st, q); slices.Contains(names(got), nw.Kind+"/"+nw.ID) {
				t.Errorf("QueryArchive(%+v) after rewriting = %v, want no %s: its old rows are gone", q, names(got), nw.ID)
			}
		}
		for _, q := range []store.ArchiveQuery{{Agencies: []string{"east"}}, {Unit: "u3"}} {
			if got := mustQueryArchive(t, st, q); !slices.Equal(names(got), []string{nw.Kind + "/" + nw.ID}) {
				t.Errorf("QueryArchive(%+v) after rewriting = %v, want only %s", q, names(got), nw.ID)
			}
		}
		if got := mustQueryArchive(t, st, store.ArchiveQuery{}); len(got) != 2 {
			t.Errorf("QueryArchive() after rewriting = %v, want 2 records", names(got))
		}
	})
}

// testArchiveAtomic checks that the index and the archive are written with
// the leaves or not at all.
func testArchiveAtomic(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	checkNothing := func(t *testing.T, st Store, size int64) {
		t.Helper()
		checkEntries(t, st, size)
		if got := mustSubjectSeqs(t, st, "agency", "metro"); len(got) != int(size) {
			t.Errorf("SubjectSeqs(agency, metro) = %v, want the first %d events only", got, size)
		}
		if got := mustQueryArchive(t, st, store.ArchiveQuery{}); len(got) != 0 {
			t.Errorf("QueryArchive() = %v, want none", names(got))
		}
	}
	batch := func(lo, hi int64) store.Batch {
		return store.Batch{Leaves: Leaves(lo, hi), Subjects: subjects(lo, hi), Archive: archivedRange(0, 5)}
	}
	t.Run("Fenced", func(t *testing.T) {
		st := open(t)
		if err := st.Append(ctx, func() store.Batch { b := batch(0, 3); b.Epoch = 1; return b }()); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("fenced Append with no lease = %v, want ErrFenced", err)
		}
		checkNothing(t, st, 0)
	})
	t.Run("Conflict", func(t *testing.T) {
		st := open(t)
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 2), Subjects: subjects(0, 2)})
		if err := st.Append(ctx, batch(1, 3)); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("Append(leaves 1-2) on a log of 2 = %v, want ErrConflict", err)
		}
		checkNothing(t, st, 2)
	})
	t.Run("ArchiveFails", func(t *testing.T) {
		// The database refuses an archived row after it took the leaves
		// and the subjects: the transaction writes none of them.
		bad := map[string]func(r *store.Archived){
			"LatOutOfRange": func(r *store.Archived) { lat := 91.0; r.Lat = &lat },
			"LonOutOfRange": func(r *store.Archived) { lon := -181.0; r.Lon = &lon },
			"NoID":          func(r *store.Archived) { r.ID = "" },
			"NoKind":        func(r *store.Archived) { r.Kind = "" },
			"LatWithoutLon": func(r *store.Archived) { r.Lon = nil },
			"NaN":           func(r *store.Archived) { nan := math.NaN(); r.Lat, r.Lon = &nan, &nan },
		}
		for name, spoil := range bad {
			t.Run(name, func(t *testing.T) {
				st := open(t)
				mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1), Subjects: subjects(0, 1)})
				b := batch(1, 4)
				spoil(&b.Archive[3])
				if err := st.Append(ctx, b); err == nil {
					t.Fatalf("Append with a bad archived record = nil, want an error")
				}
				checkNothing(t, st, 1)
				mustAppend(t, st, store.Batch{Leaves: Leaves(1, 2)})
				checkEntries(t, st, 2)
			})
		}
	})
}

// archiveFixture returns a store holding the suite's records [0, n), in
// batches of various sizes, and the records.
func archiveFixture(t *testing.T, open func(t *testing.T) Store, n int) (Store, []store.Archived) {
	t.Helper()
	st := open(t)
	rs := archivedRange(0, n)
	seq := int64(0)
	for lo := 0; lo < n; {
		hi := min(lo+1+lo%97, n)
		mustAppend(t, st, store.Batch{Leaves: Leaves(seq, seq+1), Archive: rs[lo:hi]})
		lo, seq = hi, seq+1
	}
	return st, rs
}

func testQueryArchive(t *testing.T, open func(t *testing.T) Store) {
	st, rs := archiveFixture(t, open, 300)
	at := func(h int) time.Time { return archiveT0.Add(time.Duration(h) * time.Hour) }
	lat, lon := center[0], center[1]
	cursor := &store.ArchiveCursor{Opened: archiveT0.Add(9*time.Hour + time.Nanosecond), ID: "metro-2026-050000"}
	tests := []struct {
		name string
		q    store.ArchiveQuery
	}{
		{"Empty", store.ArchiveQuery{}},
		{"Kind", store.ArchiveQuery{Kind: "request"}},
		{"Agency", store.ArchiveQuery{Agencies: []string{"south"}}},
		{"InvolvedAgency", store.ArchiveQuery{Agencies: []string{"west"}}},
		{"Agencies", store.ArchiveQuery{Agencies: []string{"east", "west"}}},
		{"UnknownAgency", store.ArchiveQuery{Agencies: []string{"nowhere"}}},
		{"From", store.ArchiveQuery{From: at(12)}},
		{"To", store.ArchiveQuery{To: at(3)}},
		{"FromTo", store.ArchiveQuery{From: at(5), To: at(6)}},
		{"FromToNanosecond", store.ArchiveQuery{From: archiveT0.Add(5*time.Hour + time.Nanosecond), To: archiveT0.Add(5*time.Hour + 2*time.Nanosecond)}},
		{"Type", store.ArchiveQuery{Type: "MED"}},
		{"Unit", store.ArchiveQuery{Unit: "u1"}},
		{"Address", store.ArchiveQuery{Address: "22 ELM AVE"}},
		{"Point", store.ArchiveQuery{Lat: &lat, Lon: &lon, RadiusM: radiusM}},
		{"PointZeroRadius", store.ArchiveQuery{Lat: &lat, Lon: &lon}},
		{"Before", store.ArchiveQuery{Before: cursor}},
		{"Limit", store.ArchiveQuery{Limit: 7}},
		{"LimitDefault", store.ArchiveQuery{Limit: -1}},
		{"DayOfAgency", store.ArchiveQuery{Kind: "incident", Agencies: []string{"north"}, From: at(0), To: at(24)}},
		{"PriorsAtAddress", store.ArchiveQuery{Kind: "incident", Address: "22 ELM AVE", From: at(2)}},
		{"PriorsNearPoint", store.ArchiveQuery{Kind: "incident", Lat: &lat, Lon: &lon, RadiusM: radiusM, From: at(4), To: at(15)}},
		{"AgencyUnitType", store.ArchiveQuery{Agencies: []string{"west", "south"}, Unit: "u2", Type: "FIRE"}},
		{"AgencyBefore", store.ArchiveQuery{Agencies: []string{"north"}, Before: cursor, Limit: 5}},
		{"UnitBeforeFrom", store.ArchiveQuery{Unit: "u2", Before: cursor, From: at(2)}},
		{"Everything", store.ArchiveQuery{Kind: "incident", Agencies: []string{"north", "west"}, From: at(1), To: at(16), Type: "TRAFFIC",
			Unit: "u2", Address: "7 OAK CT", Lat: &lat, Lon: &lon, RadiusM: radiusM, Before: cursor}},
		{"Nothing", store.ArchiveQuery{Kind: "request", Type: "MED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustQueryArchive(t, st, tt.q)
			want := selectArchived(rs, tt.q)
			if !slices.Equal(names(got), names(want)) {
				t.Fatalf("QueryArchive(%+v) = %d records %v, want %d %v", tt.q, len(got), names(got), len(want), names(want))
			}
			for i := range got {
				if !equalArchived(got[i], want[i]) {
					t.Errorf("QueryArchive(%+v)[%d] = %+v, want %+v", tt.q, i, got[i], want[i])
				}
			}
		})
	}
	// The suite's records must make these queries mean something: a filter
	// that selects all or nothing checks little.
	for _, tt := range tests {
		if n := len(selectArchived(rs, tt.q)); tt.name != "Nothing" && tt.name != "UnknownAgency" && (n == 0 || n == len(rs)) {
			t.Errorf("the suite's query %s selects %d of %d records: make the fixture tell", tt.name, n, len(rs))
		}
	}
	t.Run("BadQuery", func(t *testing.T) {
		nan, far := math.NaN(), 95.0
		for name, q := range map[string]store.ArchiveQuery{
			"LatWithoutLon":  {Lat: &lat, RadiusM: 10},
			"LonWithoutLat":  {Lon: &lon},
			"NegativeRadius": {Lat: &lat, Lon: &lon, RadiusM: -1},
			"NaNRadius":      {Lat: &lat, Lon: &lon, RadiusM: nan},
			"NaNLat":         {Lat: &nan, Lon: &lon, RadiusM: 1},
			"LatOffEarth":    {Lat: &far, Lon: &lon, RadiusM: 1},
		} {
			if got, err := st.QueryArchive(t.Context(), q); err == nil {
				t.Errorf("QueryArchive(%s) = %v, nil, want an error", name, names(got))
			}
		}
	})
}

func testArchivePaging(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	// 250 records, opened in threes: ties on Opened broken by ID.
	var rs []store.Archived
	for i := range 250 {
		rs = append(rs, store.Archived{Kind: "incident", ID: fmt.Sprintf("i-%03d", (i*37)%250), Agency: "north", Type: "MED",
			Opened: archiveT0.Add(time.Duration(i/3) * time.Minute), Closed: archiveT0.Add(time.Hour), Seq: 0, Doc: []byte("{}")})
	}
	mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1), Archive: rs})
	var got []store.Archived
	q := store.ArchiveQuery{Kind: "incident", Limit: 100}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatalf("paging through 250 records by 100 took more than 3 pages")
		}
		page := mustQueryArchive(t, st, q)
		if want := min(100, 250-len(got)); len(page) != want {
			t.Fatalf("page %d of 250 records by 100 = %d records, want %d", pages, len(page), want)
		}
		got = append(got, page...)
		if len(page) < 100 {
			break
		}
		last := page[len(page)-1]
		q.Before = &store.ArchiveCursor{Opened: last.Opened, ID: last.ID}
	}
	want := slices.Clone(rs)
	slices.SortFunc(want, newestFirst)
	if !slices.Equal(names(got), names(want)) {
		t.Fatalf("paging yields %v, want %v", names(got), names(want))
	}
	// After the last page, an empty one.
	last := got[len(got)-1]
	if page := mustQueryArchive(t, st, store.ArchiveQuery{Limit: 100, Before: &store.ArchiveCursor{Opened: last.Opened, ID: last.ID}}); len(page) != 0 {
		t.Errorf("the page after the last = %v, want none", names(page))
	}
}

func testArchiveLimit(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	var rs []store.Archived
	for i := range 1001 {
		rs = append(rs, store.Archived{Kind: "bolo", ID: fmt.Sprintf("b-%04d", i), Agency: "north",
			Opened: archiveT0.Add(time.Duration(i) * time.Second), Closed: archiveT0, Doc: []byte("{}")})
	}
	mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1), Archive: rs})
	for _, tt := range []struct{ limit, want int }{{0, 100}, {-5, 100}, {1000, 1000}, {1001, 1000}, {1 << 30, 1000}, {1, 1}} {
		got := mustQueryArchive(t, st, store.ArchiveQuery{Limit: tt.limit})
		if len(got) != tt.want {
			t.Errorf("QueryArchive(Limit %d) over 1001 records = %d, want %d", tt.limit, len(got), tt.want)
		}
		if len(got) > 0 && got[0].ID != "b-1000" {
			t.Errorf("QueryArchive(Limit %d)[0] = %s, want the newest, b-1000", tt.limit, got[0].ID)
		}
	}
}

func testArchiveEmpty(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	lat, lon := center[0], center[1]
	for _, q := range []store.ArchiveQuery{{}, {Kind: "incident", Agencies: []string{"north"}, Unit: "u1", Lat: &lat, Lon: &lon, RadiusM: 5}} {
		if got := mustQueryArchive(t, st, q); len(got) != 0 {
			t.Errorf("QueryArchive(%+v) on an empty archive = %v, want none", q, names(got))
		}
	}
}
