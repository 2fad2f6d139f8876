package store

import (
	"context"
	"time"
)

// FederationStore keeps what a federated installation must not lose: the
// receipts it gave (so a message sent again gets the same answer:
// idempotency by message id) and each peer's outbox cursor.
// store/sqlite and store/postgres implement it, and store/storetest checks
// that they do.
type FederationStore interface {
	// FederationReceipt returns the sealed receipt given for message id
	// from origin, or ErrNotFound.
	FederationReceipt(ctx context.Context, from, id string) ([]byte, error)
	// SaveFederationReceipt stores it once; ErrConflict if one is already
	// stored for (from, id), and the stored one is left as it was.
	SaveFederationReceipt(ctx context.Context, from, id string, receipt []byte, at time.Time) error
	// FederationOutbox returns the outbox of peer (its name); a peer never
	// seen has the zero FederationOutbox with Peer set and Next -1 (unset).
	FederationOutbox(ctx context.Context, peer string) (FederationOutbox, error)
	// SaveFederationOutbox stores it (upsert).
	SaveFederationOutbox(ctx context.Context, o FederationOutbox) error
}

// A FederationOutbox is where delivery to a peer installation stands: the
// messages to it are events of this log, sent in order, so one cursor
// says what is done.
type FederationOutbox struct {
	Peer         string
	Next         int64     // seq of the first event of the log not yet delivered or passed over; -1 unset
	Attempts     int       // failed attempts on the event at Next
	FailingSince time.Time // zero when not failing
	LastError    string
}
