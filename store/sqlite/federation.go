package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// FederationReceipt returns the receipt given for the message id from the
// installation of origin from, or store.ErrNotFound.
func (db *DB) FederationReceipt(ctx context.Context, from, id string) ([]byte, error) {
	var r []byte
	err := db.r.QueryRowContext(ctx, `SELECT receipt FROM federation_receipts WHERE sender = ? AND id = ?`, from, id).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("federation receipt %s of %s: %w", id, from, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("federation receipt %s of %s: %w", id, from, err)
	}
	return r, nil
}

// SaveFederationReceipt stores the receipt given for a message once; a
// second one for the same sender and id is store.ErrConflict and leaves the
// first as it was, so a message sent again is answered as it was the first
// time.
func (db *DB) SaveFederationReceipt(ctx context.Context, from, id string, receipt []byte, at time.Time) error {
	if len(receipt) == 0 {
		return fmt.Errorf("save federation receipt %s of %s: the receipt is empty", id, from)
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO federation_receipts (sender, id, receipt, created) VALUES (?, ?, ?, ?) ON CONFLICT (sender, id) DO NOTHING`,
		from, id, receipt, fmtTime(at))
	if err != nil {
		return fmt.Errorf("save federation receipt %s of %s: %w", id, from, full(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("save federation receipt %s of %s: %w", id, from, err)
	}
	if n == 0 {
		return fmt.Errorf("save federation receipt %s of %s: one is stored: %w", id, from, store.ErrConflict)
	}
	return nil
}

// FederationOutbox returns where delivery to peer stands; a peer never
// seen has Next -1.
func (db *DB) FederationOutbox(ctx context.Context, peer string) (store.FederationOutbox, error) {
	o := store.FederationOutbox{Peer: peer, Next: -1}
	var failing string
	err := db.r.QueryRowContext(ctx, `SELECT next, attempts, failing_since, last_error FROM federation_outbox WHERE peer = ?`, peer).
		Scan(&o.Next, &o.Attempts, &failing, &o.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return store.FederationOutbox{Peer: peer, Next: -1}, nil
	}
	if err != nil {
		return o, fmt.Errorf("federation outbox of %s: %w", peer, err)
	}
	if o.FailingSince, err = parseTime("failing_since", failing); err != nil {
		return o, fmt.Errorf("federation outbox of %s: %w", peer, err)
	}
	return o, nil
}

// SaveFederationOutbox stores where delivery to o.Peer stands, replacing
// what was stored.
func (db *DB) SaveFederationOutbox(ctx context.Context, o store.FederationOutbox) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO federation_outbox (peer, next, attempts, failing_since, last_error) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (peer) DO UPDATE SET next = excluded.next, attempts = excluded.attempts, failing_since = excluded.failing_since, last_error = excluded.last_error`,
		o.Peer, o.Next, o.Attempts, fmtTime(o.FailingSince), o.LastError)
	if err != nil {
		return fmt.Errorf("save federation outbox of %s: %w", o.Peer, full(err))
	}
	return nil
}
