package ledger

import (
	"context"

	"github.com/tenfour-cad/tenfour/store"
)

// Snapshots is where a log's snapshots are kept (store.Snapshot): the
// state of its reader after a number of events, bound to the root of the
// tree of that size. store/sqlite and store/postgres implement it, and
// store/storetest checks that they do.
type Snapshots interface {
	// SaveSnapshot durably stores a snapshot, replacing one of the same
	// size, and keeps only the newest few.
	SaveSnapshot(ctx context.Context, s store.Snapshot) error
	// LatestSnapshot returns the snapshot with the largest size not above
	// atMost, or store.ErrNotFound when there is none.
	LatestSnapshot(ctx context.Context, atMost int64) (store.Snapshot, error)
}
