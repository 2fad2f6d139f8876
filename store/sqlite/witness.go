package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tenfour-cad/tenfour/store"
)

// WitnessedLog returns what the witness holds of the log origin, or
// store.ErrNotFound if it never cosigned one of its checkpoints.
func (db *DB) WitnessedLog(ctx context.Context, origin string) (store.WitnessedLog, error) {
	w := store.WitnessedLog{Origin: origin}
	var updated string
	err := db.r.QueryRowContext(ctx, `SELECT size, root, checkpoint, updated FROM witness_logs WHERE origin = ?`, origin).
		Scan(&w.Size, &w.Root, &w.Checkpoint, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("witnessed log %q: %w", origin, store.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("witnessed log %q: %w", origin, err)
	}
	if w.Updated, err = parseTime("updated", updated); err != nil {
		return w, fmt.Errorf("witnessed log %q: %w", origin, err)
	}
	return w, nil
}

// SwapWitnessedLog replaces what the witness holds of next.Origin with next
// if it still holds size old (0 when it holds nothing); otherwise it returns
// store.ErrConflict and changes nothing. The one writer connection makes
// the check and the write one step.
func (db *DB) SwapWitnessedLog(ctx context.Context, old int64, next store.WitnessedLog) error {
	res, err := db.w.ExecContext(ctx, `UPDATE witness_logs SET size = ?, root = ?, checkpoint = ?, updated = ? WHERE origin = ? AND size = ?`,
		next.Size, next.Root, next.Checkpoint, fmtTime(next.Updated), next.Origin, old)
	if err != nil {
		return fmt.Errorf("swap witnessed log %q from %d: %w", next.Origin, old, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("swap witnessed log %q from %d: %w", next.Origin, old, err)
	}
	if n == 1 {
		return nil
	}
	if old == 0 {
		res, err = db.w.ExecContext(ctx, `INSERT INTO witness_logs (origin, size, root, checkpoint, updated) VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING`,
			next.Origin, next.Size, next.Root, next.Checkpoint, fmtTime(next.Updated))
		if err != nil {
			return fmt.Errorf("swap witnessed log %q from 0: %w", next.Origin, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("swap witnessed log %q from 0: %w", next.Origin, err)
		}
		if n == 1 {
			return nil
		}
	}
	return fmt.Errorf("swap witnessed log %q: it no longer holds size %d: %w", next.Origin, old, store.ErrConflict)
}

// AddForkEvidence keeps a refused checkpoint with the one it contradicts and
// returns the evidence's id.
func (db *DB) AddForkEvidence(ctx context.Context, e store.ForkEvidence) (int64, error) {
	res, err := db.w.ExecContext(ctx, `INSERT INTO witness_forks (origin, held, submitted, reason, seen) VALUES (?, ?, ?, ?, ?)`,
		e.Origin, e.Held, e.Submitted, e.Reason, fmtTime(e.Seen))
	if err != nil {
		return 0, fmt.Errorf("add fork evidence of %q: %w", e.Origin, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add fork evidence of %q: %w", e.Origin, err)
	}
	return id, nil
}

// ForkEvidence returns the evidence kept of forks of the log origin, oldest
// first.
func (db *DB) ForkEvidence(ctx context.Context, origin string) ([]store.ForkEvidence, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, held, submitted, reason, seen FROM witness_forks WHERE origin = ? ORDER BY id`, origin)
	if err != nil {
		return nil, fmt.Errorf("fork evidence of %q: %w", origin, err)
	}
	defer rows.Close()
	var out []store.ForkEvidence
	for rows.Next() {
		e := store.ForkEvidence{Origin: origin}
		var seen string
		if err := rows.Scan(&e.ID, &e.Held, &e.Submitted, &e.Reason, &seen); err != nil {
			return nil, fmt.Errorf("fork evidence of %q: %w", origin, err)
		}
		if e.Seen, err = parseTime("seen", seen); err != nil {
			return nil, fmt.Errorf("fork evidence of %q: %w", origin, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fork evidence of %q: %w", origin, err)
	}
	return out, nil
}

// SaveCosigned stores one of the log's checkpoints with its cosignatures,
// replacing what was stored for the same size.
func (db *DB) SaveCosigned(ctx context.Context, c store.Cosigned) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO cosigned_checkpoints (size, note, updated) VALUES (?, ?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note, updated = excluded.updated`,
		c.Size, c.Note, fmtTime(c.Updated))
	if err != nil {
		return fmt.Errorf("save cosigned checkpoint %d: %w", c.Size, err)
	}
	return nil
}

// LatestCosigned returns the cosigned checkpoint of the largest size, or
// store.ErrNotFound.
func (db *DB) LatestCosigned(ctx context.Context) (store.Cosigned, error) {
	var c store.Cosigned
	var updated string
	err := db.r.QueryRowContext(ctx, `SELECT size, note, updated FROM cosigned_checkpoints ORDER BY size DESC LIMIT 1`).
		Scan(&c.Size, &c.Note, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("latest cosigned checkpoint: %w", store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("latest cosigned checkpoint: %w", err)
	}
	if c.Updated, err = parseTime("updated", updated); err != nil {
		return c, fmt.Errorf("latest cosigned checkpoint: %w", err)
	}
	return c, nil
}
