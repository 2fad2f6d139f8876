package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/tenfour-cad/tenfour/store"
)

// SubjectIndexer is how the engine fills the subject index of a store
// written before the index existed (engine.SubjectIndexer).
type SubjectIndexer interface {
	SubjectIndexEnd(ctx context.Context) (int64, error)
	IndexSubjects(ctx context.Context, subjects []store.Subject) error
}

func testSubjectFill(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ix, ok := st.(SubjectIndexer)
	if !ok {
		t.Fatalf("%T does not implement SubjectIndexer", st)
	}
	end := func() int64 {
		t.Helper()
		n, err := ix.SubjectIndexEnd(t.Context())
		if err != nil {
			t.Fatalf("SubjectIndexEnd() = %v", err)
		}
		return n
	}
	// A log written without its index, as before the index existed.
	mustAppend(t, st, store.Batch{Leaves: Leaves(0, 300)})
	if n := end(); n != 0 {
		t.Fatalf("SubjectIndexEnd() of an empty index = %d, want 0", n)
	}
	if err := ix.IndexSubjects(t.Context(), nil); err != nil {
		t.Fatalf("IndexSubjects(none) = %v", err)
	}
	// Filled in two parts that overlap (a fill resumed after a crash), one
	// large enough for several statements.
	if err := ix.IndexSubjects(t.Context(), subjects(0, 120)); err != nil {
		t.Fatalf("IndexSubjects(0-119) = %v", err)
	}
	if n := end(); n != 120 {
		t.Errorf("SubjectIndexEnd() after filling 0-119 = %d, want 120", n)
	}
	if err := ix.IndexSubjects(t.Context(), subjects(100, 300)); err != nil {
		t.Fatalf("IndexSubjects(100-299) = %v", err)
	}
	if n := end(); n != 300 {
		t.Errorf("SubjectIndexEnd() after filling 100-299 = %d, want 300", n)
	}
	for _, s := range [][2]string{{"unit", "u1"}, {"incident", "metro-7"}, {"agency", "metro"}} {
		if got, want := mustSubjectSeqs(t, st, s[0], s[1]), wantSeqs(300, s[0], s[1]); !slices.Equal(got, want) {
			t.Errorf("SubjectSeqs(%s, %s) = %v, want %v", s[0], s[1], got, want)
		}
	}
	// The events appended from now on carry their subjects.
	mustAppend(t, st, store.Batch{Leaves: Leaves(300, 302), Subjects: subjects(300, 302)})
	if n := end(); n != 302 {
		t.Errorf("SubjectIndexEnd() after an append = %d, want 302", n)
	}
}
