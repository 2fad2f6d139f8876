package ledger

import (
	"context"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// Store is what the ledger keeps its log in: the leaves with their stored
// tree hashes, the openings of private fields, the signed checkpoints, the
// sequencer lease and a few settings. store/sqlite and store/postgres
// implement it, and store/storetest checks that they do. Every method is
// safe for concurrent use.
type Store interface {
	// LogSize returns the number of leaves in the log.
	LogSize(ctx context.Context) (int64, error)
	// Append durably appends a batch — its leaves, their openings and the
	// idempotency keys of their commands (store.Batch.Keys) — in one
	// transaction and returns only once the transaction is on disk. The first leaf's Seq must equal LogSize and the
	// leaves must be consecutive; otherwise it returns store.ErrConflict and
	// writes nothing. A fenced batch (store.Batch.Epoch) whose lease is lost
	// returns store.ErrFenced and writes nothing.
	Append(ctx context.Context, b store.Batch) error
	// ReadEntries returns the entry bytes of leaves [start, end) in order.
	// It returns store.ErrNotFound if any of them is missing.
	ReadEntries(ctx context.Context, start, end int64) ([][]byte, error)
	// ReadHashes returns the stored hashes of each of the given leaves, in the
	// order asked. It returns store.ErrNotFound if any of them is missing.
	ReadHashes(ctx context.Context, seqs []int64) ([][]byte, error)
	// ScanLeaves calls fn for every leaf from start on, in order.
	ScanLeaves(ctx context.Context, start int64, fn func(store.Leaf) error) error

	// ReadOpenings returns the openings of the given leaves' private fields.
	// Erased openings are simply absent.
	ReadOpenings(ctx context.Context, seqs []int64) ([]store.Opening, error)
	// ScanOpenings calls fn for every opening, ordered by sequence number.
	ScanOpenings(ctx context.Context, fn func(store.Opening) error) error

	// SaveCheckpoint durably records a signed checkpoint. Sizes must grow:
	// saving a size not larger than the latest one returns store.ErrConflict.
	SaveCheckpoint(ctx context.Context, c store.Checkpoint) error
	// LatestCheckpoint returns the checkpoint with the largest size, or
	// store.ErrNotFound when none was ever saved.
	LatestCheckpoint(ctx context.Context) (store.Checkpoint, error)

	// AcquireLease grants node the sequencer lease for ttl if the lease is
	// free or expired (with a new, larger epoch), or renews it if node holds
	// it unexpired (same epoch). If another node holds it unexpired, it
	// returns that lease and store.ErrConflict.
	AcquireLease(ctx context.Context, node, url string, ttl time.Duration) (store.Lease, error)
	// ReleaseLease ends node's lease at epoch at once, if it still holds it,
	// so that another node need not wait for it to expire.
	ReleaseLease(ctx context.Context, node string, epoch int64) error
	// Changes returns a channel that receives a value (coalesced) whenever
	// another connection may have appended to the log, until ctx is done. A
	// store with no such notification returns nil; callers then poll.
	Changes(ctx context.Context) <-chan struct{}

	// Meta returns a stored setting, or store.ErrNotFound.
	Meta(ctx context.Context, key string) (string, error)
	// SetMeta stores a setting, replacing any earlier value.
	SetMeta(ctx context.Context, key, value string) error
}
