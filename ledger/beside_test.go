package ledger_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// TestEnqueueWith checks that what a group writes beside its records (its
// subject index and the records its events archive) lands in the store
// with the records' sequence numbers, in the commit that makes them
// durable; and that an entry naming a record the group does not hold is
// refused before anything is sequenced.
func TestEnqueueWith(t *testing.T) {
	ctx := context.Background()
	db := mustOpenStore(t, dbPath(t))
	l := mustOpenLog(t, db, mustKey(t, "tenfour.test/log"))
	rec := record
	// A first group moves the log on, so that indexes and sequence
	// numbers differ.
	if _, err := l.Append([]ledger.Record{rec(0), rec(1), rec(2)}); err != nil {
		t.Fatal(err)
	}
	with := ledger.Beside{
		Subjects: []store.Subject{{Kind: "incident", ID: "a", Seq: 0}, {Kind: "incident", ID: "a", Seq: 1}, {Kind: "unit", ID: "u", Seq: 1}},
		Archive:  []store.Archived{{Kind: "incident", ID: "old", Agency: "metro", Type: "THEFT", Opened: time.Unix(10, 0).UTC(), Closed: time.Unix(20, 0).UTC(), Seq: 1, Doc: []byte(`{}`)}},
	}
	p, err := l.EnqueueWith([]ledger.Record{rec(3), rec(4)}, nil, with)
	if err != nil {
		t.Fatalf("EnqueueWith = %v", err)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if p.First != 3 {
		t.Fatalf("First = %d, want 3", p.First)
	}
	if got, _ := db.SubjectSeqs(ctx, "incident", "a"); !slices.Equal(got, []int64{3, 4}) {
		t.Errorf("SubjectSeqs(incident, a) = %v, want [3 4]", got)
	}
	if got, _ := db.SubjectSeqs(ctx, "unit", "u"); !slices.Equal(got, []int64{4}) {
		t.Errorf("SubjectSeqs(unit, u) = %v, want [4]", got)
	}
	if a, err := db.ArchivedRecord(ctx, "incident", "old"); err != nil || a.Seq != 4 {
		t.Errorf("ArchivedRecord(incident, old) = %+v, %v; want it archived by event 4", a, err)
	}
	// The caller's lists are not changed.
	if with.Subjects[0].Seq != 0 || with.Archive[0].Seq != 1 {
		t.Errorf("EnqueueWith changed its argument: %+v", with)
	}

	for _, bad := range []ledger.Beside{
		{Subjects: []store.Subject{{Kind: "incident", ID: "a", Seq: 2}}},
		{Subjects: []store.Subject{{Kind: "incident", ID: "a", Seq: -1}}},
		{Archive: []store.Archived{{Kind: "incident", ID: "x", Seq: 2}}},
	} {
		if _, err := l.EnqueueWith([]ledger.Record{rec(5), rec(6)}, nil, bad); err == nil {
			t.Errorf("EnqueueWith(2 records, %+v) = nil error, want it refused", bad)
		}
	}
	if got := l.Size(); got != 5 {
		t.Errorf("Size after refused groups = %d, want 5", got)
	}
}
