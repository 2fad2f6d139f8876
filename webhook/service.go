package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
)

// Store keeps subscriptions, their secrets and their outbox.
// store/sqlite and store/postgres implement it (store/storetest checks
// each method).
type Store interface {
	// CreateWebhook stores a new subscription (store.ErrConflict if its id
	// exists).
	CreateWebhook(ctx context.Context, w store.Webhook) error
	// Webhook returns a subscription, or store.ErrNotFound.
	Webhook(ctx context.Context, id string) (store.Webhook, error)
	// Webhooks returns an agency's subscriptions ("": every agency's).
	Webhooks(ctx context.Context, agency string) ([]store.Webhook, error)
	// DeleteWebhook deletes a subscription and its deliveries.
	DeleteWebhook(ctx context.Context, id string) error
	// SaveWebhookDeliveries stores outcomes of one subscription and, in the
	// same transaction, moves it past the events delivered.
	SaveWebhookDeliveries(ctx context.Context, ds ...store.WebhookDelivery) error
	// SetWebhookNext moves a subscription past events it does not receive.
	SetWebhookNext(ctx context.Context, id string, next int64) error
	// WebhookDeliveries returns deliveries before an event, newest first.
	WebhookDeliveries(ctx context.Context, id string, before int64, limit int) ([]store.WebhookDelivery, error)
	// PruneWebhookDeliveries keeps only the newest delivered outcomes.
	PruneWebhookDeliveries(ctx context.Context, id string, keep int) (int64, error)
}

// MaxPerAgency bounds an agency's subscriptions: each has a goroutine and
// a connection on the sequencer, and a partner needs one or a few.
const MaxPerAgency = 20

// DefaultFailAfter is how long the event a subscription is stuck on may
// fail before the subscription shows as failing (Policy.FailAfter).
const DefaultFailAfter = 24 * time.Hour

// States of a subscription, as lists show them.
const (
	StateActive   = "active"   // its deliveries succeed
	StateRetrying = "retrying" // an event failed; it is being retried
	StateFailing  = "failing"  // an event has failed for longer than FailAfter
)

// A Service subscribes, lists and ends an agency's webhooks: every change
// goes through the engine (dispatch.SubscribeWebhook, UnsubscribeWebhook),
// which decides it and records it in the log; the subscription and its
// secret are kept in the store.
type Service struct {
	engine *engine.Engine
	store  Store
	// FailAfter is how long an event may fail before its subscription
	// shows as failing; zero is DefaultFailAfter.
	FailAfter time.Duration
	// Clock is the time deliveries are judged by, the Deliverer's;
	// nil is time.Now.
	Clock func() time.Time
}

// NewService returns the service of the engine's webhooks, kept in st.
func NewService(e *engine.Engine, st Store) *Service {
	return &Service{engine: e, store: st}
}

// A Subscription is a subscription as its administrators see it: never
// its secret, which is shown once, when it is made.
type Subscription struct {
	ID      string    `json:"id"`
	Agency  string    `json:"agency"`
	URL     string    `json:"url"`
	Events  []string  `json:"events"`
	Created time.Time `json:"created"`
	// State is StateActive, StateRetrying or StateFailing; FailingSince
	// is when the event it is stuck on first failed.
	State        string     `json:"state"`
	FailingSince *time.Time `json:"failing_since,omitempty"`
	// Next is the sequence number of the first event it has not yet
	// delivered or passed over.
	Next int64 `json:"next"`
}

func (s *Service) view(w store.Webhook) Subscription {
	v := Subscription{ID: w.ID, Agency: w.Agency, URL: w.URL, Events: w.Events, Created: w.Created.UTC(), State: StateActive, Next: w.Next}
	if !w.FailingSince.IsZero() {
		since := w.FailingSince.UTC()
		v.FailingSince, v.State = &since, StateRetrying
		if now(s.Clock).Sub(since) >= cmpDuration(s.FailAfter, DefaultFailAfter) {
			v.State = StateFailing
		}
	}
	return v
}

// now reads clock, or time.Now if it is nil.
func now(clock func() time.Time) time.Time {
	if clock == nil {
		return time.Now()
	}
	return clock()
}

func cmpDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// newID returns a new subscription id: "wh_" and 16 random hex digits.
func newID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new webhook id: %w", err)
	}
	return "wh_" + hex.EncodeToString(b), nil
}

// Subscribe subscribes url to the events of agency that match events, for
// actor, and returns the subscription and its secret, in the whsec_ form:
// the one time it is shown. It receives the events after its own
// webhook.subscribed.
func (s *Service) Subscribe(ctx context.Context, actor dispatch.Actor, agency, url string, events []string) (Subscription, string, error) {
	if dispatch.MayKeepWebhooks(actor, agency) {
		// Counted before deciding; two racing subscriptions may pass it
		// by one, which costs a goroutine, not a rule.
		ws, err := s.store.Webhooks(ctx, agency)
		if err != nil {
			return Subscription{}, "", fmt.Errorf("subscribe: %w", err)
		}
		if len(ws) >= MaxPerAgency {
			return Subscription{}, "", dispatch.Errorf(dispatch.ECONFLICT, "agency %s has %d webhook subscriptions, the most it may have; delete one first", agency, len(ws))
		}
	}
	id, err := newID()
	if err != nil {
		return Subscription{}, "", err
	}
	key, err := NewSecret()
	if err != nil {
		return Subscription{}, "", err
	}
	res, err := s.engine.Execute(ctx, actor, dispatch.SubscribeWebhook{ID: id, Agency: agency, URL: url, Events: events})
	if err != nil {
		return Subscription{}, "", err
	}
	w := store.Webhook{ID: id, Agency: agency, URL: url, Events: slices.Clone(events), Secret: key,
		Created: res.Events[0].Time, Next: res.First + int64(len(res.Events))}
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		// The log says it was made: it says too that it ended at once.
		ctx := context.WithoutCancel(ctx)
		_, uerr := s.engine.Execute(engine.WithoutIdempotency(ctx), actor, dispatch.UnsubscribeWebhook{ID: id, Agency: agency})
		return Subscription{}, "", errors.Join(fmt.Errorf("subscribe: keep webhook %s: %w", id, err), uerr)
	}
	return s.view(w), EncodeSecret(key), nil
}

// find returns the subscription id if actor may keep its agency's
// webhooks; another agency's is not found, as if it did not exist.
func (s *Service) find(ctx context.Context, actor dispatch.Actor, id string) (store.Webhook, error) {
	w, err := s.store.Webhook(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !dispatch.MayKeepWebhooks(actor, w.Agency) {
		return store.Webhook{}, dispatch.Errorf(dispatch.ENOTFOUND, "webhook %s does not exist", id)
	}
	if err != nil {
		return store.Webhook{}, fmt.Errorf("webhook %s: %w", id, err)
	}
	return w, nil
}

// Get returns a subscription, if actor may see it.
func (s *Service) Get(ctx context.Context, actor dispatch.Actor, id string) (Subscription, error) {
	w, err := s.find(ctx, actor, id)
	if err != nil {
		return Subscription{}, err
	}
	return s.view(w), nil
}

// Unsubscribe ends a subscription for actor: the engine decides it and
// records webhook.unsubscribed; then the store forgets it, its secret and
// its deliveries, and no event is sent to it again.
func (s *Service) Unsubscribe(ctx context.Context, actor dispatch.Actor, id string) error {
	w, err := s.find(ctx, actor, id)
	if err != nil {
		return err
	}
	if _, err := s.engine.Execute(ctx, actor, dispatch.UnsubscribeWebhook{ID: id, Agency: w.Agency}); err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(context.WithoutCancel(ctx), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	return nil
}

// List returns a page of the subscriptions actor may see, newest first:
// of agency, or, for an installation administrator and agency "", of
// every agency. next is the cursor of the page after, nil on the last.
func (s *Service) List(ctx context.Context, actor dispatch.Actor, agency string, before *engine.Cursor, limit int) (_ []Subscription, next *engine.Cursor, _ error) {
	if agency == "" {
		agency = actor.Agency
	}
	if agency != "" && !dispatch.MayKeepWebhooks(actor, agency) {
		return nil, nil, dispatch.Errorf(dispatch.EFORBIDDEN, "only an administrator of agency %s (or of the installation) may list its webhooks", agency)
	}
	ws, err := s.store.Webhooks(ctx, agency)
	if err != nil {
		return nil, nil, fmt.Errorf("list webhooks: %w", err)
	}
	slices.SortFunc(ws, func(a, b store.Webhook) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	out := []Subscription{}
	for _, w := range ws {
		if !dispatch.MayKeepWebhooks(actor, w.Agency) || before != nil && !after(w, before) {
			continue
		}
		if len(out) == limit {
			return out, &engine.Cursor{Time: out[len(out)-1].Created, ID: out[len(out)-1].ID}, nil
		}
		out = append(out, s.view(w))
	}
	return out, nil, nil
}

// after reports whether w comes after the cursor c in a list, newest
// first: older, or as old with a smaller id.
func after(w store.Webhook, c *engine.Cursor) bool {
	if d := w.Created.Compare(c.Time); d != 0 {
		return d < 0
	}
	return w.ID < c.ID
}

// A Delivery is one event's delivery to a subscription, as its
// administrators see it.
type Delivery struct {
	Seq      int64  `json:"seq"`
	Type     string `json:"type"`
	ID       string `json:"webhook_id"` // the webhook-id it is sent with
	Attempts int    `json:"attempts"`
	// Status is the HTTP status of the last attempt, absent if none came.
	Status      int        `json:"status,omitempty"`
	Error       string     `json:"error,omitempty"`
	Delivered   bool       `json:"delivered"`
	First       time.Time  `json:"first_attempt"`
	Last        time.Time  `json:"last_attempt"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
}

// DeliveryCursor is the cursor of a deliveries page: the sequence number
// of its last delivery, in an engine.Cursor so that a client treats every
// cursor alike (opaque).
func DeliveryCursor(seq int64) *engine.Cursor {
	return &engine.Cursor{Time: time.Unix(0, 0).UTC(), ID: strconv.FormatInt(seq, 10)}
}

// Deliveries returns a page of a subscription's deliveries, newest first,
// if actor may see them; next is the cursor of the page after, nil on the
// last.
func (s *Service) Deliveries(ctx context.Context, actor dispatch.Actor, id string, before *engine.Cursor, limit int) (_ []Delivery, next *engine.Cursor, _ error) {
	w, err := s.find(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	from := int64(-1)
	if before != nil {
		n, err := strconv.ParseInt(before.ID, 10, 64)
		if err != nil || n < 0 {
			return nil, nil, dispatch.Errorf(dispatch.EINVALID, "before is not a cursor of this list (take it from the Link header of the previous page)")
		}
		from = n
	}
	ds, err := s.store.WebhookDeliveries(ctx, w.ID, from, limit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("deliveries of webhook %s: %w", id, err)
	}
	out := []Delivery{}
	for i, d := range ds {
		if i == limit {
			return out, DeliveryCursor(out[len(out)-1].Seq), nil
		}
		v := Delivery{Seq: d.Seq, Type: d.Type, ID: MessageID(w.ID, d.Seq), Attempts: d.Attempts, Status: d.Status,
			Error: d.Error, Delivered: d.Delivered, First: d.First.UTC(), Last: d.Last.UTC()}
		if !d.Next.IsZero() {
			n := d.Next.UTC()
			v.NextAttempt = &n
		}
		out = append(out, v)
	}
	return out, nil, nil
}
