package witness

import (
	"context"

	"github.com/tenfour-cad/tenfour/store"
)

// Store keeps the witness's state and the cosignatures the client collects.
// store/sqlite and store/postgres implement it, and store/storetest checks
// that they do.
type Store interface {
	// WitnessedLog returns the latest checkpoint cosigned for the log
	// origin, or store.ErrNotFound if none was.
	WitnessedLog(ctx context.Context, origin string) (store.WitnessedLog, error)
	// SwapWitnessedLog replaces the checkpoint held for next.Origin with
	// next if the size held is still old (0 when none is held); otherwise
	// it returns store.ErrConflict and changes nothing. It is the
	// compare-and-swap that keeps two concurrent add-checkpoint calls from
	// both winning (C2SP tlog-witness, add-checkpoint).
	SwapWitnessedLog(ctx context.Context, old int64, next store.WitnessedLog) error
	// AddForkEvidence keeps a refused checkpoint with the one it
	// contradicts and returns the evidence's id.
	AddForkEvidence(ctx context.Context, e store.ForkEvidence) (int64, error)
	// ForkEvidence returns the evidence kept for the log origin, oldest
	// first (none: an empty list, no error).
	ForkEvidence(ctx context.Context, origin string) ([]store.ForkEvidence, error)

	// SaveCosigned stores one of this log's checkpoints with the
	// cosignatures collected for it, replacing what was stored for its size.
	SaveCosigned(ctx context.Context, c store.Cosigned) error
	// LatestCosigned returns the cosigned checkpoint of the largest size, or
	// store.ErrNotFound.
	LatestCosigned(ctx context.Context) (store.Cosigned, error)
}
