package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tenfour-cad/tenfour/store"
)

// snapshotsKept is how many snapshots a store keeps: the newest, and older
// ones to fall back on should the newest be refused.
const snapshotsKept = 3

// snapshotChunk is the most of a snapshot's data written in one
// transaction: the log's appends wait for at most one chunk.
const snapshotChunk = 1 << 20

// SaveSnapshot stores a snapshot, replacing one of the same size, and
// deletes all but the newest few (snapshotsKept). Its data is written in
// chunks, a transaction each (00006_snapshots.sql); the snapshot exists
// once the last transaction, which writes its row, commits. Calls must
// not overlap: one process, one sequencer, saves snapshots.
func (db *DB) SaveSnapshot(ctx context.Context, s store.Snapshot) error {
	// Drop the one being replaced, and the chunks of any save that never
	// finished.
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM snapshots WHERE size = ?`, s.Size); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM snapshot_chunks WHERE size NOT IN (SELECT size FROM snapshots)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("save snapshot %d: %w", s.Size, err)
	}
	n := 0
	for lo := 0; lo < len(s.Data) || n == 0; lo += snapshotChunk {
		chunk := s.Data[lo:min(lo+snapshotChunk, len(s.Data))]
		if _, err := db.w.ExecContext(ctx, `INSERT INTO snapshot_chunks (size, n, data) VALUES (?, ?, ?)`, s.Size, n, chunk); err != nil {
			return fmt.Errorf("save snapshot %d: chunk %d: %w", s.Size, n, err)
		}
		n++
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO snapshots (size, root, format, chunks, created) VALUES (?, ?, ?, ?, ?)`,
			s.Size, s.Root, s.Format, n, fmtTime(s.Created)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM snapshots WHERE size NOT IN (SELECT size FROM snapshots ORDER BY size DESC LIMIT ?)`, snapshotsKept); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM snapshot_chunks WHERE size NOT IN (SELECT size FROM snapshots)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("save snapshot %d: %w", s.Size, err)
	}
	return nil
}

// inTx runs fn in a write transaction and commits it.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// LatestSnapshot returns the snapshot with the largest size not above
// atMost, its chunks read in the same transaction.
func (db *DB) LatestSnapshot(ctx context.Context, atMost int64) (store.Snapshot, error) {
	var s store.Snapshot
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s, fmt.Errorf("latest snapshot at most %d: %w", atMost, err)
	}
	defer tx.Rollback()
	var created string
	var chunks int
	err = tx.QueryRowContext(ctx, `SELECT size, root, format, chunks, created FROM snapshots WHERE size <= ? ORDER BY size DESC LIMIT 1`, atMost).
		Scan(&s.Size, &s.Root, &s.Format, &chunks, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("latest snapshot at most %d: %w", atMost, store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("latest snapshot at most %d: %w", atMost, err)
	}
	if s.Created, err = parseTime("created", created); err != nil {
		return s, fmt.Errorf("snapshot %d: %w", s.Size, err)
	}
	if s.Data, err = readChunks(ctx, tx, s.Size, chunks); err != nil {
		return s, fmt.Errorf("snapshot %d: %w", s.Size, err)
	}
	return s, nil
}

// readChunks returns the data of snapshot size, which has chunks chunks.
func readChunks(ctx context.Context, tx *sql.Tx, size int64, chunks int) ([]byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT n, data FROM snapshot_chunks WHERE size = ? ORDER BY n`, size)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	data := []byte{}
	next := 0
	for rows.Next() {
		var n int
		var b []byte
		if err := rows.Scan(&n, &b); err != nil {
			return nil, err
		}
		if n != next {
			return nil, fmt.Errorf("chunk %d is missing", next)
		}
		data = append(data, b...)
		next++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if next != chunks {
		return nil, fmt.Errorf("%d chunks of %d", next, chunks)
	}
	return data, nil
}
