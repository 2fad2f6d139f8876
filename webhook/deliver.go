package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
)

// Defaults of a Deliverer.
const (
	// DefaultBackoff is the wait before the first retry; each retry
	// doubles it, up to DefaultMaxBackoff.
	DefaultBackoff = 5 * time.Second
	// DefaultMaxBackoff caps the wait between two attempts: a receiver
	// back from an outage gets its events within the hour.
	DefaultMaxBackoff = time.Hour
	// DefaultTimeout bounds one attempt, answer included.
	DefaultTimeout = 30 * time.Second
	// DefaultPoll is how often the deliverer looks for new subscriptions
	// and for a change of sequencer, besides the events that wake it.
	DefaultPoll = time.Second
	// DefaultKeep is how many delivered outcomes a subscription keeps.
	DefaultKeep = 1000
)

// page bounds the events one subscription reads from the log at a time,
// so that memory stays bounded whatever it has to catch up on.
const page = 64

// maxError bounds the error text an outcome keeps.
const maxError = 500

// A Deliverer sends each subscription the events it should receive, in log
// order, from the subscription's place in its outbox (store.Webhook.Next).
//
// Only the sequencer delivers: it is the node whose log is the head, and
// one node sending keeps a receiver from getting every event once per node.
// A node that stops sequencing stops delivering before its next attempt;
// the node that takes over resumes from the places in the shared store.
// An event whose delivery was sent but not yet recorded when a node
// stopped is sent again, with the same webhook-id.
//
// An event that fails is retried with exponential backoff and jitter
// (Backoff, doubling, capped at MaxBackoff), forever: the events after it
// wait, so that a receiver gets them in order, and none is dropped. After
// FailAfter of failing the subscription shows as failing (Service); an
// administrator who gives up on a receiver deletes its subscription.
type Deliverer struct {
	engine *engine.Engine
	store  Store

	// Client sends the deliveries; nil is a client that follows no
	// redirect (a 3xx is a failed attempt) with Timeout per attempt.
	Client *http.Client
	// Timeout bounds an attempt; zero is DefaultTimeout.
	Timeout time.Duration
	// Backoff and MaxBackoff set the retries (zero: DefaultBackoff,
	// DefaultMaxBackoff). Poll is how often subscriptions and the
	// sequencer are looked at (zero: DefaultPoll). Keep is how many
	// delivered outcomes a subscription keeps (zero: DefaultKeep).
	Backoff, MaxBackoff, Poll time.Duration
	Keep                      int
	// Clock stamps the attempts (webhook-timestamp, the outcomes); nil is
	// time.Now. Receivers check the timestamp against their own clock, so
	// it is the machine's, not the engine's.
	Clock  func() time.Time
	Logger *slog.Logger
}

// NewDeliverer returns a deliverer of the engine's events to the
// subscriptions kept in st. Set its fields before Run.
func NewDeliverer(e *engine.Engine, st Store) *Deliverer {
	return &Deliverer{engine: e, store: st}
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func orDefault(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// worker is one subscription's delivery goroutine.
type worker struct {
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan struct{}
}

// Run delivers until ctx ends, while this node sequences, and returns nil
// when ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	if d.Client == nil {
		d.Client = &http.Client{
			Timeout:       orDefault(d.Timeout, DefaultTimeout),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	workers := map[string]*worker{}
	defer func() {
		for _, w := range workers {
			w.cancel()
		}
		for _, w := range workers {
			<-w.done
		}
	}()
	sub, _ := d.engine.Subscribe()
	defer func() { sub.Close() }()
	tick := time.NewTicker(orDefault(d.Poll, DefaultPoll))
	defer tick.Stop()
	wakeAll := func() {
		for _, w := range workers {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
	refresh := true
	for {
		if refresh {
			d.reconcile(ctx, workers)
			refresh = false
		}
		select {
		case <-ctx.Done():
			return nil
		case p, ok := <-sub.C:
			if !ok {
				// Fell behind the hub: the workers read the log anyway.
				sub, _ = d.engine.Subscribe()
				refresh = true
			} else {
				refresh = strings.HasPrefix(p.Type, "webhook.")
			}
			wakeAll()
		case <-tick.C:
			refresh = true
			wakeAll()
		}
	}
}

// reconcile runs one worker per subscription while this node sequences,
// and none while it does not.
func (d *Deliverer) reconcile(ctx context.Context, workers map[string]*worker) {
	want := map[string]bool{}
	if d.engine.Log().IsSequencer() {
		ws, err := d.store.Webhooks(ctx, "")
		if err != nil {
			if ctx.Err() == nil {
				d.logger().Warn("webhooks: list subscriptions", "err", err)
			}
			return
		}
		for _, w := range ws {
			want[w.ID] = true
		}
	}
	for id, w := range workers {
		select {
		case <-w.done:
			w.cancel()
			delete(workers, id) // its subscription is gone
			continue
		default:
		}
		if !want[id] {
			w.cancel()
			<-w.done
			delete(workers, id)
		}
	}
	for id := range want {
		if _, ok := workers[id]; ok {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		w := &worker{cancel: cancel, wake: make(chan struct{}, 1), done: make(chan struct{})}
		workers[id] = w
		go func() {
			defer close(w.done)
			d.work(wctx, id, w.wake)
		}()
	}
}

// errGone ends a worker whose subscription was deleted.
var errGone = errors.New("subscription deleted")

// errNotSequencer ends an attempt on a node that no longer sequences.
var errNotSequencer = errors.New("this node no longer sequences")

// A run is one worker's state: what it delivered and has not yet
// recorded, and how many it delivered.
type run struct {
	id        string
	pending   []store.WebhookDelivery // delivered, to be recorded with the page
	delivered int
	resumed   bool // the attempts of a previous run were looked up
}

// work delivers a subscription's events until ctx ends or it is deleted.
func (d *Deliverer) work(ctx context.Context, id string, wake <-chan struct{}) {
	r := &run{id: id}
	for ctx.Err() == nil {
		idle, err := d.step(ctx, r)
		switch {
		case errors.Is(err, errGone) || ctx.Err() != nil:
			return
		case err != nil:
			d.logger().Warn("webhooks: deliver", "webhook", id, "err", err)
			idle = true // try again at the next wake or poll
		}
		if idle {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			}
		}
	}
}

// record stores the outcomes of r's deliveries not yet recorded, with
// failed if it is not nil, in one transaction that moves the subscription
// past them. It records even while the deliverer stops: an event the
// receiver took is not sent again after a clean stop.
func (d *Deliverer) record(ctx context.Context, r *run, failed *store.WebhookDelivery) error {
	ds := r.pending
	if failed != nil {
		ds = append(ds, *failed)
	}
	if len(ds) == 0 {
		return nil
	}
	err := d.store.SaveWebhookDeliveries(context.WithoutCancel(ctx), ds...)
	r.pending = r.pending[:0]
	if errors.Is(err, store.ErrNotFound) {
		return errGone
	}
	if err != nil {
		// The events delivered are sent again, with the same ids.
		return fmt.Errorf("record deliveries: %w", err)
	}
	if n := len(ds); r.delivered/(d.keep()/10+1) != (r.delivered+n)/(d.keep()/10+1) {
		if _, err := d.store.PruneWebhookDeliveries(ctx, r.id, d.keep()); err != nil && ctx.Err() == nil {
			d.logger().Warn("webhooks: prune outcomes", "webhook", r.id, "err", err)
		}
	}
	r.delivered += len(ds)
	return nil
}

// step delivers the next page of a subscription's events, records their
// outcomes in one transaction, and reports whether it has caught up with
// the log.
func (d *Deliverer) step(ctx context.Context, r *run) (idle bool, err error) {
	w, err := d.store.Webhook(ctx, r.id)
	if errors.Is(err, store.ErrNotFound) {
		return true, errGone
	}
	if err != nil {
		return true, err
	}
	end := d.engine.Log().Size()
	if w.Next >= end {
		return true, nil
	}
	hi := min(w.Next+page, end)
	ps, err := d.engine.Published(ctx, w.Next, hi)
	if err != nil {
		return true, fmt.Errorf("read events %d–%d: %w", w.Next, hi, err)
	}
	actor := dispatch.WebhookActor(w.Agency)
	for _, p := range ps {
		// The one rule of the stream: what the agency may see, no more.
		if !dispatch.WebhookMatches(w.Events, p.Type) || !d.engine.StreamVisible(p, actor, "") {
			continue
		}
		if err := d.deliver(ctx, r, w, p); err != nil {
			return true, errors.Join(err, d.record(ctx, r, nil))
		}
	}
	if err := d.record(ctx, r, nil); err != nil {
		return true, err
	}
	if err := d.store.SetWebhookNext(ctx, r.id, hi); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return true, errGone
		}
		return true, err
	}
	return hi >= end, nil
}

func (d *Deliverer) keep() int {
	if d.Keep > 0 {
		return d.Keep
	}
	return DefaultKeep
}

// deliver sends event p to w until it is delivered. A delivery joins r's
// pending outcomes; each failed attempt is recorded at once, with them,
// so that its administrators see it.
func (d *Deliverer) deliver(ctx context.Context, r *run, w store.Webhook, p engine.Published) error {
	rec := store.WebhookDelivery{Webhook: w.ID, Seq: p.Seq, Type: p.Type}
	if !r.resumed {
		// Attempts made before a restart or a takeover, on the event the
		// last run was stuck on, go on being counted.
		r.resumed = true
		if prev, err := d.store.WebhookDeliveries(ctx, w.ID, p.Seq+1, 1); err == nil && len(prev) == 1 && prev[0].Seq == p.Seq {
			rec.Attempts, rec.First = prev[0].Attempts, prev[0].First
		}
	}
	id := MessageID(w.ID, p.Seq)
	for {
		if !d.engine.Log().IsSequencer() {
			return errNotSequencer
		}
		at := now(d.Clock)
		status, err := d.post(ctx, w, id, at, p.Entry)
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // stopped, not failed: the next run sends it again
		}
		rec.Attempts++
		rec.Last, rec.Status = at, status
		if rec.First.IsZero() {
			rec.First = at
		}
		if err == nil {
			rec.Error, rec.Next, rec.Delivered = "", time.Time{}, true
			r.pending = append(r.pending, rec)
			return nil
		}
		wait := d.backoff(rec.Attempts)
		rec.Error, rec.Next = truncate(err.Error()), at.Add(wait)
		if err := d.record(ctx, r, &rec); errors.Is(err, errGone) {
			return err
		} else if err != nil {
			d.logger().Warn("webhooks: record failed attempt", "webhook", w.ID, "seq", p.Seq, "err", err)
		}
		if rec.Attempts == 1 {
			d.logger().Warn("webhooks: delivery failed; retrying", "webhook", w.ID, "agency", w.Agency, "seq", p.Seq, "status", status, "err", rec.Error)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// backoff is the wait after the nth failed attempt: Backoff doubled for
// each attempt before it, capped at MaxBackoff, then drawn uniformly from
// its upper half ("equal jitter"), so that receivers coming back from one
// outage are not all retried at once.
func (d *Deliverer) backoff(n int) time.Duration {
	base, limit := orDefault(d.Backoff, DefaultBackoff), orDefault(d.MaxBackoff, DefaultMaxBackoff)
	wait := limit
	if n-1 < 40 && base<<(n-1) > 0 && base<<(n-1) < limit {
		wait = base << (n - 1)
	}
	return wait/2 + rand.N(wait/2+1)
}

// post makes one attempt: the event's exact bytes, signed (Sign), as JSON.
// Any 2xx answer delivers it; anything else, a redirect included, fails.
func (d *Deliverer) post(ctx context.Context, w store.Webhook, id string, at time.Time, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("make request: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "tenfour-webhooks/1")
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(HeaderSignature, Sign(w.Secret, id, at, body))
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// The answer's body says nothing we keep; read a little of it so that
	// the connection can be reused.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

func truncate(s string) string {
	if len(s) <= maxError {
		return s
	}
	return strings.ToValidUTF8(s[:maxError], "") + "…"
}
