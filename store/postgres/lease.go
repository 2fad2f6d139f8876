package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tenfour-cad/tenfour/store"
)

// AcquireLease grants, renews or refuses the sequencer lease in one
// statement, judged by the database's clock.
//
// The clock is read once, for the new expiry; "now" in the conditions is that
// expiry less the ttl. A grant to another node, or to the same node after its
// lease lapsed, increments the epoch; a renewal by the unexpired holder keeps
// it. The row lock the statement takes waits for appends that hold the lease
// FOR SHARE (checkFence), so a takeover never overtakes a fenced append.
func (db *DB) AcquireLease(ctx context.Context, node, url string, ttl time.Duration) (store.Lease, error) {
	if node == "" || ttl <= 0 {
		return store.Lease{}, errors.New("acquire lease: a node id and a positive ttl are required")
	}
	row := db.pool.QueryRow(ctx, `
		INSERT INTO lease AS l (id, node, url, epoch, expires)
		VALUES (1, $1, $2, 1, clock_timestamp() + $3::bigint * interval '1 microsecond')
		ON CONFLICT (id) DO UPDATE SET
			epoch = CASE
				WHEN l.node = excluded.node AND l.expires > excluded.expires - $3::bigint * interval '1 microsecond'
				THEN l.epoch ELSE l.epoch + 1 END,
			node = excluded.node, url = excluded.url, expires = excluded.expires
		WHERE (l.node = excluded.node AND l.expires > excluded.expires - $3::bigint * interval '1 microsecond')
			OR l.expires <= excluded.expires - $3::bigint * interval '1 microsecond'
		RETURNING node, url, epoch, expires`, node, url, ttl.Microseconds())
	l, err := scanLease(row)
	if errors.Is(err, store.ErrNotFound) {
		cur, err := db.CurrentLease(ctx)
		if err != nil {
			return store.Lease{}, fmt.Errorf("acquire lease: %w", err)
		}
		return cur, fmt.Errorf("acquire lease: held by %s until %s: %w", cur.Node, cur.Expires.Format(time.RFC3339Nano), store.ErrConflict)
	}
	if err != nil {
		return store.Lease{}, full(fmt.Errorf("acquire lease: %w", err))
	}
	return l, nil
}

// CurrentLease returns the lease row.
func (db *DB) CurrentLease(ctx context.Context) (store.Lease, error) {
	l, err := scanLease(db.pool.QueryRow(ctx, `SELECT node, url, epoch, expires FROM lease WHERE id = 1`))
	if err != nil {
		return l, fmt.Errorf("current lease: %w", err)
	}
	return l, nil
}

// ReleaseLease expires node's lease at epoch now. Like a takeover, it waits
// for the fenced appends in flight.
func (db *DB) ReleaseLease(ctx context.Context, node string, epoch int64) error {
	_, err := db.pool.Exec(ctx, `UPDATE lease SET expires = clock_timestamp() - interval '1 second' WHERE id = 1 AND node = $1 AND epoch = $2`, node, epoch)
	if err != nil {
		return fmt.Errorf("release lease: %w", err)
	}
	return nil
}

func scanLease(row pgx.Row) (store.Lease, error) {
	var l store.Lease
	err := row.Scan(&l.Node, &l.URL, &l.Epoch, &l.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, store.ErrNotFound
	}
	if err != nil {
		return l, err
	}
	l.Expires = l.Expires.UTC()
	return l, nil
}

// checkFence fails with store.ErrFenced unless the lease is held at epoch and
// unexpired, inside tx. FOR SHARE keeps the row so until tx ends: a takeover
// (AcquireLease's update) or a release waits for this append to commit or
// roll back, and so can never be followed by an append at the old epoch.
func checkFence(ctx context.Context, tx pgx.Tx, epoch int64) error {
	var ok int
	err := tx.QueryRow(ctx, `SELECT 1 FROM lease WHERE id = 1 AND epoch = $1 AND expires > clock_timestamp() FOR SHARE`, epoch).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("append at epoch %d: %w", epoch, store.ErrFenced)
	}
	if err != nil {
		return fmt.Errorf("append: fence: %w", err)
	}
	return nil
}
