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

// CreateWebhook stores a new subscription; an id that exists is
// store.ErrConflict.
func (db *DB) CreateWebhook(ctx context.Context, w store.Webhook) error {
	events, err := json.Marshal(w.Events)
	if err != nil {
		return fmt.Errorf("create webhook %s: %w", w.ID, err)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO webhooks (id, agency, url, events, secret, created, next, failing_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		w.ID, w.Agency, w.URL, string(events), w.Secret, fmtTime(w.Created), w.Next, optTime(w.FailingSince))
	if err != nil {
		return fmt.Errorf("create webhook %s: %w", w.ID, full(conflict(err)))
	}
	return nil
}

const webhookColumns = `id, agency, url, events, secret, created, next, failing_since`

func scanWebhook(row pgx.Row) (store.Webhook, error) {
	var w store.Webhook
	var events, created string
	var failing *string
	if err := row.Scan(&w.ID, &w.Agency, &w.URL, &events, &w.Secret, &created, &w.Next, &failing); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return w, fmt.Errorf("events: %w", err)
	}
	var err error
	if w.Created, err = parseTime("created", &created); err != nil {
		return w, err
	}
	if w.FailingSince, err = parseTime("failing_since", failing); err != nil {
		return w, err
	}
	return w, nil
}

// Webhook returns the subscription with the id, or store.ErrNotFound.
func (db *DB) Webhook(ctx context.Context, id string) (store.Webhook, error) {
	w, err := scanWebhook(db.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, fmt.Errorf("webhook %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("webhook %s: %w", id, err)
	}
	return w, nil
}

// Webhooks returns the subscriptions of an agency ("": of every agency),
// by id as bytes compare.
func (db *DB) Webhooks(ctx context.Context, agency string) ([]store.Webhook, error) {
	q, args := `SELECT `+webhookColumns+` FROM webhooks ORDER BY id COLLATE "C"`, []any{}
	if agency != "" {
		q, args = `SELECT `+webhookColumns+` FROM webhooks WHERE agency = $1 ORDER BY id COLLATE "C"`, []any{agency}
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []store.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// DeleteWebhook deletes a subscription and its deliveries, or returns
// store.ErrNotFound.
func (db *DB) DeleteWebhook(ctx context.Context, id string) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete webhook %s: %w", id, store.ErrNotFound)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook = $1`, id); err != nil {
		return fmt.Errorf("delete webhook %s: deliveries: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	return nil
}

// SaveWebhookDeliveries stores the outcomes of deliveries to one
// subscription (ds[0].Webhook), and with them, in one transaction, its
// place: past the last event delivered, never back; failing from the
// first attempt of an event not delivered, if it was not already, and no
// longer failing when every outcome is a delivery. A subscription that is
// gone is store.ErrNotFound, and nothing is written.
func (db *DB) SaveWebhookDeliveries(ctx context.Context, ds ...store.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	id := ds[0].Webhook
	next, failing := -int64(1), time.Time{}
	for _, d := range ds {
		if d.Webhook != id {
			return fmt.Errorf("save deliveries of webhook %s: a delivery of webhook %s among them", id, d.Webhook)
		}
		if d.Delivered {
			next = max(next, d.Seq+1)
		} else if failing.IsZero() {
			failing = d.First
		}
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, err)
	}
	defer tx.Rollback(ctx)
	q := `UPDATE webhooks SET next = GREATEST(next, $1), failing_since = COALESCE(failing_since, $2) WHERE id = $3`
	args := []any{next, fmtTime(failing), id}
	if failing.IsZero() {
		q, args = `UPDATE webhooks SET next = GREATEST(next, $1), failing_since = NULL WHERE id = $2`, []any{next, id}
	}
	tag, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, full(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, store.ErrNotFound)
	}
	b := &pgx.Batch{}
	for _, d := range ds {
		b.Queue(`INSERT INTO webhook_deliveries (webhook, seq, type, attempts, status, error, first, last, next, delivered)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (webhook, seq) DO UPDATE SET type = excluded.type, attempts = excluded.attempts, status = excluded.status,
				error = excluded.error, first = excluded.first, last = excluded.last, next = excluded.next, delivered = excluded.delivered`,
			d.Webhook, d.Seq, d.Type, d.Attempts, d.Status, d.Error, fmtTime(d.First), fmtTime(d.Last), optTime(d.Next), d.Delivered)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, full(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, full(err))
	}
	return nil
}

// SetWebhookNext moves a subscription's place forward to next (past
// events it does not receive); it never moves it back. A subscription that
// is gone is store.ErrNotFound.
func (db *DB) SetWebhookNext(ctx context.Context, id string, next int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE webhooks SET next = GREATEST(next, $1) WHERE id = $2`, next, id)
	if err != nil {
		return fmt.Errorf("webhook %s: set next %d: %w", id, next, full(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("webhook %s: set next %d: %w", id, next, store.ErrNotFound)
	}
	return nil
}

// WebhookDeliveries returns up to limit deliveries of a subscription
// before the event before (all: before < 0), newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, id string, before int64, limit int) ([]store.WebhookDelivery, error) {
	if before < 0 {
		before = 1<<63 - 1
	}
	rows, err := db.pool.Query(ctx, `SELECT webhook, seq, type, attempts, status, error, first, last, next, delivered
		FROM webhook_deliveries WHERE webhook = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries of webhook %s: %w", id, err)
	}
	defer rows.Close()
	var out []store.WebhookDelivery
	for rows.Next() {
		var d store.WebhookDelivery
		var first, last string
		var next *string
		if err := rows.Scan(&d.Webhook, &d.Seq, &d.Type, &d.Attempts, &d.Status, &d.Error, &first, &last, &next, &d.Delivered); err != nil {
			return nil, fmt.Errorf("deliveries of webhook %s: %w", id, err)
		}
		if d.First, err = parseTime("first", &first); err == nil {
			if d.Last, err = parseTime("last", &last); err == nil {
				d.Next, err = parseTime("next", next)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("deliveries of webhook %s: %w", id, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deliveries of webhook %s: %w", id, err)
	}
	return out, nil
}

// PruneWebhookDeliveries deletes a subscription's delivered deliveries but
// the newest keep, and returns how many it deleted: the outcomes are for
// watching a receiver, the log is the record.
func (db *DB) PruneWebhookDeliveries(ctx context.Context, id string, keep int) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook = $1 AND delivered
		AND seq < (SELECT seq FROM webhook_deliveries WHERE webhook = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`, id, keep-1)
	if err != nil {
		return 0, fmt.Errorf("prune deliveries of webhook %s: %w", id, err)
	}
	return tag.RowsAffected(), nil
}
