package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// nowSQL is SQLite's clock in seconds since the Unix epoch.
const nowSQL = `((julianday('now') - 2440587.5) * 86400.0)`

// AcquireLease grants, renews or refuses the sequencer lease in one
// statement, judged by SQLite's clock.
func (db *DB) AcquireLease(ctx context.Context, node, url string, ttl time.Duration) (store.Lease, error) {
	if node == "" || ttl <= 0 {
		return store.Lease{}, errors.New("acquire lease: a node id and a positive ttl are required")
	}
	row := db.w.QueryRowContext(ctx, `
		INSERT INTO lease (id, node, url, epoch, expires) VALUES (1, ?1, ?2, 1, `+nowSQL+` + ?3)
		ON CONFLICT (id) DO UPDATE SET
			epoch = CASE WHEN lease.node = excluded.node AND lease.expires > `+nowSQL+` THEN lease.epoch ELSE lease.epoch + 1 END,
			node = excluded.node, url = excluded.url, expires = excluded.expires
		WHERE (lease.node = excluded.node AND lease.expires > `+nowSQL+`) OR lease.expires <= `+nowSQL+`
		RETURNING node, url, epoch, expires`, node, url, ttl.Seconds())
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
	l, err := scanLease(db.w.QueryRowContext(ctx, `SELECT node, url, epoch, expires FROM lease WHERE id = 1`))
	if err != nil {
		return l, fmt.Errorf("current lease: %w", err)
	}
	return l, nil
}

// ReleaseLease expires node's lease at epoch now.
func (db *DB) ReleaseLease(ctx context.Context, node string, epoch int64) error {
	_, err := db.w.ExecContext(ctx, `UPDATE lease SET expires = `+nowSQL+` - 1 WHERE id = 1 AND node = ? AND epoch = ?`, node, epoch)
	if err != nil {
		return fmt.Errorf("release lease: %w", err)
	}
	return nil
}

// Changes returns nil: one process owns a SQLite data directory, so nobody
// else appends.
func (db *DB) Changes(ctx context.Context) <-chan struct{} { return nil }

func scanLease(row *sql.Row) (store.Lease, error) {
	var l store.Lease
	var exp float64
	err := row.Scan(&l.Node, &l.URL, &l.Epoch, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return l, store.ErrNotFound
	}
	if err != nil {
		return l, err
	}
	sec, frac := math.Modf(exp)
	l.Expires = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return l, nil
}

// checkFence fails with store.ErrFenced unless the lease is held at epoch and
// unexpired, inside tx.
func checkFence(ctx context.Context, tx *sql.Tx, epoch int64) error {
	var ok int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM lease WHERE id = 1 AND epoch = ? AND expires > `+nowSQL, epoch).Scan(&ok)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("append at epoch %d: %w", epoch, store.ErrFenced)
	}
	if err != nil {
		return fmt.Errorf("append: fence: %w", err)
	}
	return nil
}
