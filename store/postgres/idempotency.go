package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenfour-cad/tenfour/store"
)

// insertKeys records the batch's idempotency keys in its transaction, with
// one statement. A key already there (a request that ran several commands)
// adds its events.
func insertKeys(ctx context.Context, tx pgx.Tx, keys []store.Idempotency) error {
	if len(keys) == 0 {
		return nil
	}
	ks := make([][]byte, len(keys))
	fps := make([][]byte, len(keys))
	firsts := make([]int64, len(keys))
	counts := make([]int64, len(keys))
	created := make([]int64, len(keys))
	for i, k := range keys {
		ks[i], fps[i], firsts[i], counts[i], created[i] = k.Key, k.Fingerprint, k.First, k.Count, k.Created.UnixNano()
	}
	_, err := tx.Exec(ctx, `INSERT INTO idempotency (key, fingerprint, first_seq, count, created)
		SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bigint[], $4::bigint[], $5::bigint[])
		ON CONFLICT (key) DO UPDATE SET count = idempotency.count + excluded.count`, ks, fps, firsts, counts, created)
	if err != nil {
		return fmt.Errorf("append idempotency keys: %w", err)
	}
	return nil
}

// Idempotency returns the record of the key, with its answer if one was
// stored, or store.ErrNotFound.
func (db *DB) Idempotency(ctx context.Context, key []byte) (store.Idempotency, error) {
	k := store.Idempotency{Key: key}
	var created int64
	var header string
	err := db.pool.QueryRow(ctx, `SELECT fingerprint, first_seq, count, created, status, header, body FROM idempotency WHERE key = $1`, key).
		Scan(&k.Fingerprint, &k.First, &k.Count, &created, &k.Status, &header, &k.Body)
	if errors.Is(err, pgx.ErrNoRows) {
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
// of their keys' commands with one statement, replacing any stored
// before. A key with no record (its command recorded no event) is skipped.
func (db *DB) SaveIdempotencyAnswers(ctx context.Context, answers []store.Idempotency) error {
	if len(answers) == 0 {
		return nil
	}
	keys := make([][]byte, len(answers))
	statuses := make([]int32, len(answers))
	headers := make([]string, len(answers))
	bodies := make([][]byte, len(answers))
	for i, a := range answers {
		h, err := json.Marshal(a.Header)
		if err != nil {
			return fmt.Errorf("save idempotency answer %x: %w", a.Key, err)
		}
		keys[i], statuses[i], headers[i], bodies[i] = a.Key, int32(a.Status), string(h), a.Body
	}
	_, err := db.pool.Exec(ctx, `UPDATE idempotency SET status = a.status, header = a.header, body = a.body
		FROM unnest($1::bytea[], $2::integer[], $3::text[], $4::bytea[]) AS a(key, status, header, body)
		WHERE idempotency.key = a.key`, keys, statuses, headers, bodies)
	if err != nil {
		return fmt.Errorf("save idempotency answers: %w", err)
	}
	return nil
}

// DeleteIdempotency deletes the records of keys created before the time and
// returns how many it deleted.
func (db *DB) DeleteIdempotency(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency WHERE created < $1`, before.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("delete idempotency keys: %w", err)
	}
	return tag.RowsAffected(), nil
}
