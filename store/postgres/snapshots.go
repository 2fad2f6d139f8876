package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tenfour-cad/tenfour/store"
)

// snapshotsKept is how many snapshots a store keeps: the newest, and older
// ones to fall back on should the newest be refused.
const snapshotsKept = 3

// SaveSnapshot stores a snapshot, replacing one of the same size, and
// deletes all but the newest few (snapshotsKept), in one transaction.
func (db *DB) SaveSnapshot(ctx context.Context, s store.Snapshot) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("save snapshot %d: %w", s.Size, err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `INSERT INTO snapshots (size, root, format, data, created) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (size) DO UPDATE SET root = excluded.root, format = excluded.format, data = excluded.data, created = excluded.created`,
		s.Size, s.Root, s.Format, s.Data, fmtTime(s.Created))
	if err != nil {
		return fmt.Errorf("save snapshot %d: %w", s.Size, err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM snapshots WHERE size NOT IN (SELECT size FROM snapshots ORDER BY size DESC LIMIT $1)`, snapshotsKept)
	if err != nil {
		return fmt.Errorf("save snapshot %d: prune: %w", s.Size, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("save snapshot %d: %w", s.Size, err)
	}
	return nil
}

// LatestSnapshot returns the snapshot with the largest size not above
// atMost.
func (db *DB) LatestSnapshot(ctx context.Context, atMost int64) (store.Snapshot, error) {
	var s store.Snapshot
	var created string
	err := db.pool.QueryRow(ctx, `SELECT size, root, format, data, created FROM snapshots WHERE size <= $1 ORDER BY size DESC LIMIT 1`, atMost).
		Scan(&s.Size, &s.Root, &s.Format, &s.Data, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("latest snapshot at most %d: %w", atMost, store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("latest snapshot at most %d: %w", atMost, err)
	}
	if s.Created, err = parseTime("created", &created); err != nil {
		return s, fmt.Errorf("latest snapshot at most %d: %w", atMost, err)
	}
	return s, nil
}
