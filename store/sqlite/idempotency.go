package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// insertKeys records the batch's idempotency keys in its transaction. A
// key already there (a request that ran several commands) adds its events.
func insertKeys(ctx context.Context, tx *sql.Tx, keys []store.Idempotency) error {
	for lo := 0; lo < len(keys); lo += insertChunk {
		hi := min(lo+insertChunk, len(keys))
		q := "INSERT INTO idempotency (key, fingerprint, first_seq, count, created) VALUES " + values(hi-lo, 5) +
			" ON CONFLICT (key) DO UPDATE SET count = idempotency.count + excluded.count"
		args := make([]any, 0, 5*(hi-lo))
		for _, k := range keys[lo:hi] {
			args = append(args, k.Key, k.Fingerprint, k.First, k.Count, k.Created.UnixNano())
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("append idempotency keys: %w", err)
		}
	}
	return nil
}

// Idempotency returns the record of the key, with its answer if one was
// stored, or store.ErrNotFound.
func (db *DB) Idempotency(ctx context.Context, key []byte) (store.Idempotency, error) {
	k := store.Idempotency{Key: key}
	var created int64
	var header string
	err := db.r.QueryRowContext(ctx, `SELECT fingerprint, first_seq, count, created, status, header, body FROM idempotency WHERE key = ?`, key).
		Scan(&k.Fingerprint, &k.First, &k.Count, &created, &k.Status, &header, &k.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return k, fmt.Errorf("idempotency key %x: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return k, fmt.Errorf("idempotency key %x: %w", key, err)
	}
	k.Created = time.Unix(0, created).UTC()
	if header != "" {
		if err := json.Unmarshal([]byte(header), &k.Header); err != nil {
			return k, fmt.Errorf("idempotency key %x: header: %w", key, err)
		}
	}
	return k, nil
}

// SaveIdempotencyAnswers stores the answers (Key, Status, Header, Body)
// of their keys' commands in one transaction, replacing any stored
// before. A key with no record (its command recorded no event) is skipped.
func (db *DB) SaveIdempotencyAnswers(ctx context.Context, answers []store.Idempotency) error {
	if len(answers) == 0 {
		return nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save idempotency answers: begin: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `UPDATE idempotency SET status = ?, header = ?, body = ? WHERE key = ?`)
	if err != nil {
		return fmt.Errorf("save idempotency answers: %w", err)
	}
	defer stmt.Close()
	for _, a := range answers {
		h, err := json.Marshal(a.Header)
		if err != nil {
			return fmt.Errorf("save idempotency answer %x: %w", a.Key, err)
		}
		if _, err := stmt.ExecContext(ctx, a.Status, string(h), a.Body, a.Key); err != nil {
			return fmt.Errorf("save idempotency answer %x: %w", a.Key, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save idempotency answers: commit: %w", err)
	}
	return nil
}

// DeleteIdempotency deletes the records of keys created before the time and
// returns how many it deleted.
func (db *DB) DeleteIdempotency(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM idempotency WHERE created < ?`, before.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("delete idempotency keys: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete idempotency keys: %w", err)
	}
	return n, nil
}
