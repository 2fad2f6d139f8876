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

// CreateWebhook stores a new subscription; an id that exists is
// store.ErrConflict.
func (db *DB) CreateWebhook(ctx context.Context, w store.Webhook) error {
	events, err := json.Marshal(w.Events)
	if err != nil {
		return fmt.Errorf("create webhook %s: %w", w.ID, err)
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO webhooks (id, agency, url, events, secret, created, next, failing_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.Agency, w.URL, string(events), w.Secret, fmtTime(w.Created), w.Next, fmtTime(w.FailingSince))
	if err != nil {
		if isConstraint(err) {
			return fmt.Errorf("create webhook %s: %w", w.ID, store.ErrConflict)
		}
		return fmt.Errorf("create webhook %s: %w", w.ID, full(err))
	}
	return nil
}

const webhookColumns = `id, agency, url, events, secret, created, next, failing_since`

func scanWebhook(row scanner) (store.Webhook, error) {
	var w store.Webhook
	var events, created, failing string
	if err := row.Scan(&w.ID, &w.Agency, &w.URL, &events, &w.Secret, &created, &w.Next, &failing); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return w, fmt.Errorf("events: %w", err)
	}
	var err error
	if w.Created, err = parseTime("created", created); err != nil {
		return w, err
	}
	if w.FailingSince, err = parseTime("failing_since", failing); err != nil {
		return w, err
	}
	return w, nil
}

// Webhook returns the subscription with the id, or store.ErrNotFound.
func (db *DB) Webhook(ctx context.Context, id string) (store.Webhook, error) {
	w, err := scanWebhook(db.r.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("webhook %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("webhook %s: %w", id, err)
	}
	return w, nil
}

// Webhooks returns the subscriptions of an agency ("": of every agency),
// by id.
func (db *DB) Webhooks(ctx context.Context, agency string) ([]store.Webhook, error) {
	q, args := `SELECT `+webhookColumns+` FROM webhooks ORDER BY id`, []any{}
	if agency != "" {
		q, args = `SELECT `+webhookColumns+` FROM webhooks WHERE agency = ? ORDER BY id`, []any{agency}
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
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
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("delete webhook %s: %w", id, cmpNotFound(err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE webhook = ?`, id); err != nil {
		return fmt.Errorf("delete webhook %s: deliveries: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	return nil
}

// cmpNotFound is err, or store.ErrNotFound when there is none: a write
// that touched no row.
func cmpNotFound(err error) error {
	if err != nil {
		return err
	}
	return store.ErrNotFound
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
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, err)
	}
	defer tx.Rollback()
	next, failing := deliveriesPlace(ds)
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM webhooks WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, store.ErrNotFound)
	}
	if err == nil && next >= 0 {
		_, err = tx.ExecContext(ctx, `UPDATE webhooks SET next = max(next, ?) WHERE id = ?`, next, id)
	}
	if err == nil && failing.IsZero() {
		_, err = tx.ExecContext(ctx, `UPDATE webhooks SET failing_since = '' WHERE id = ?`, id)
	} else if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since = ''`, fmtTime(failing), id)
	}
	for _, d := range ds {
		if err != nil {
			break
		}
		if d.Webhook != id {
			return fmt.Errorf("save deliveries of webhook %s: a delivery of webhook %s among them", id, d.Webhook)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook, seq, type, attempts, status, error, first, last, next, delivered)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (webhook, seq) DO UPDATE SET type = excluded.type, attempts = excluded.attempts, status = excluded.status,
				error = excluded.error, first = excluded.first, last = excluded.last, next = excluded.next, delivered = excluded.delivered`,
			d.Webhook, d.Seq, d.Type, d.Attempts, d.Status, d.Error, fmtTime(d.First), fmtTime(d.Last), fmtTime(d.Next), d.Delivered)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return fmt.Errorf("save deliveries of webhook %s: %w", id, full(err))
	}
	return nil
}

// deliveriesPlace returns where outcomes move their subscription: next
// past the last event delivered (-1 if none was), and failing the first
// attempt of the first event not delivered (zero if every one was).
func deliveriesPlace(ds []store.WebhookDelivery) (next int64, failing time.Time) {
	next = -1
	for _, d := range ds {
		if d.Delivered {
			next = max(next, d.Seq+1)
		} else if failing.IsZero() {
			failing = d.First
		}
	}
	return next, failing
}

// SetWebhookNext moves a subscription's place forward to next (past
// events it does not receive); it never moves it back. A subscription that
// is gone is store.ErrNotFound.
func (db *DB) SetWebhookNext(ctx context.Context, id string, next int64) error {
	res, err := db.w.ExecContext(ctx, `UPDATE webhooks SET next = max(next, ?) WHERE id = ?`, next, id)
	if err != nil {
		return fmt.Errorf("webhook %s: set next %d: %w", id, next, full(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("webhook %s: set next %d: %w", id, next, cmpNotFound(err))
	}
	return nil
}

// WebhookDeliveries returns up to limit deliveries of a subscription
// before the event before (all: before < 0), newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, id string, before int64, limit int) ([]store.WebhookDelivery, error) {
	if before < 0 {
		before = 1<<63 - 1
	}
	rows, err := db.r.QueryContext(ctx, `SELECT webhook, seq, type, attempts, status, error, first, last, next, delivered
		FROM webhook_deliveries WHERE webhook = ? AND seq < ? ORDER BY seq DESC LIMIT ?`, id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries of webhook %s: %w", id, err)
	}
	defer rows.Close()
	var out []store.WebhookDelivery
	for rows.Next() {
		var d store.WebhookDelivery
		var first, last, next string
		if err := rows.Scan(&d.Webhook, &d.Seq, &d.Type, &d.Attempts, &d.Status, &d.Error, &first, &last, &next, &d.Delivered); err != nil {
			return nil, fmt.Errorf("deliveries of webhook %s: %w", id, err)
		}
		if d.First, err = parseTime("first", first); err == nil {
			if d.Last, err = parseTime("last", last); err == nil {
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
	res, err := db.w.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE webhook = ? AND delivered
		AND seq < (SELECT seq FROM webhook_deliveries WHERE webhook = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`, id, id, keep-1)
	if err != nil {
		return 0, fmt.Errorf("prune deliveries of webhook %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune deliveries of webhook %s: %w", id, err)
	}
	return n, nil
}
