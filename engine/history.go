package engine

import (
	"context"

	"github.com/tenfour-cad/tenfour/store"
)

// History is what the engine reads from the store about what is not in
// memory: the events of a subject (the index written with the log) and the
// closed records archived after their retention window. Every store
// (store/sqlite, store/postgres) implements it; store/storetest checks it.
type History interface {
	// SubjectSeqs returns the sequence numbers of the events about
	// kind/id, in log order; none is an empty list, not an error.
	SubjectSeqs(ctx context.Context, kind, id string) ([]int64, error)
	// ArchivedRecord returns archived record kind/id, or store.ErrNotFound.
	ArchivedRecord(ctx context.Context, kind, id string) (store.Archived, error)
	// QueryArchive returns a page of archived records (store.ArchiveQuery).
	QueryArchive(ctx context.Context, q store.ArchiveQuery) ([]store.Archived, error)
}
