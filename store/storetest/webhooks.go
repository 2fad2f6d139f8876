package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// equalWebhook reports whether a and b are the same subscription: times
// the same instants, whatever their zone.
func equalWebhook(a, b store.Webhook) bool {
	return a.ID == b.ID && a.Agency == b.Agency && a.URL == b.URL && slices.Equal(a.Events, b.Events) &&
		bytes.Equal(a.Secret, b.Secret) && a.Created.Equal(b.Created) && a.Next == b.Next && a.FailingSince.Equal(b.FailingSince)
}

// equalDelivery reports whether a and b are the same outcome, times the
// same instants.
func equalDelivery(a, b store.WebhookDelivery) bool {
	return a.Webhook == b.Webhook && a.Seq == b.Seq && a.Type == b.Type && a.Attempts == b.Attempts && a.Status == b.Status &&
		a.Error == b.Error && a.First.Equal(b.First) && a.Last.Equal(b.Last) && a.Next.Equal(b.Next) && a.Delivered == b.Delivered
}

func mustWebhook(t *testing.T, st Store, id string) store.Webhook {
	t.Helper()
	w, err := st.Webhook(context.Background(), id)
	if err != nil {
		t.Fatalf("Webhook(%s) = %v", id, err)
	}
	return w
}

// testWebhooks keeps subscriptions: byte-exact secrets, every field back
// as stored, lists by agency, conflicts and deletion.
func testWebhooks(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	zone := time.FixedZone("UTC-5", -5*60*60)
	hooks := []store.Webhook{
		{ID: "wh_b", Agency: "metro", URL: "https://records.example.org/hook?x=1", Events: []string{"incident.*", "unit.status_changed"},
			Secret: []byte{0, 0xff, 1, 2, 3}, Created: time.Date(2026, 3, 1, 8, 0, 0, 123456789, zone), Next: 42},
		{ID: "wh_a", Agency: "metro", URL: "http://127.0.0.1:9/", Events: []string{"*"}, Secret: []byte("k"),
			Created: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		{ID: "wh_c", Agency: "sheriff", URL: "https://s.example/", Events: []string{"assist.*"}, Secret: bytes.Repeat([]byte{7}, 32),
			Created: time.Date(2026, 3, 2, 0, 0, 0, 1, time.UTC), FailingSince: time.Date(2026, 3, 3, 1, 2, 3, 4, zone)},
	}
	if ws, err := st.Webhooks(ctx, ""); err != nil || len(ws) != 0 {
		t.Fatalf("Webhooks() of a new store = %v, %v, want none", ws, err)
	}
	for _, w := range hooks {
		if err := st.CreateWebhook(ctx, w); err != nil {
			t.Fatalf("CreateWebhook(%s) = %v", w.ID, err)
		}
	}
	dup := hooks[1]
	dup.Agency, dup.URL = "sheriff", "https://other.example/"
	if err := st.CreateWebhook(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("CreateWebhook(%s) again = %v, want ErrConflict", dup.ID, err)
	}
	for _, want := range hooks {
		if got := mustWebhook(t, st, want.ID); !equalWebhook(got, want) {
			t.Errorf("Webhook(%s) = %+v, want %+v", want.ID, got, want)
		}
	}
	if _, err := st.Webhook(ctx, "wh_none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Webhook(wh_none) = %v, want ErrNotFound", err)
	}
	ids := func(agency string) []string {
		t.Helper()
		ws, err := st.Webhooks(ctx, agency)
		if err != nil {
			t.Fatalf("Webhooks(%q) = %v", agency, err)
		}
		var out []string
		for _, w := range ws {
			out = append(out, w.ID)
		}
		return out
	}
	for _, tt := range []struct {
		agency string
		want   []string
	}{{"", []string{"wh_a", "wh_b", "wh_c"}}, {"metro", []string{"wh_a", "wh_b"}}, {"sheriff", []string{"wh_c"}}, {"state", nil}} {
		if got := ids(tt.agency); !slices.Equal(got, tt.want) {
			t.Errorf("Webhooks(%q) = %v, want %v", tt.agency, got, tt.want)
		}
	}

	t.Run("SetWebhookNext", func(t *testing.T) {
		for _, tt := range []struct{ set, want int64 }{{50, 50}, {45, 50}, {51, 51}} {
			if err := st.SetWebhookNext(ctx, "wh_b", tt.set); err != nil {
				t.Fatalf("SetWebhookNext(wh_b, %d) = %v", tt.set, err)
			}
			if got := mustWebhook(t, st, "wh_b").Next; got != tt.want {
				t.Errorf("Next after SetWebhookNext(wh_b, %d) = %d, want %d (never back)", tt.set, got, tt.want)
			}
		}
		if err := st.SetWebhookNext(ctx, "wh_none", 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetWebhookNext(wh_none) = %v, want ErrNotFound", err)
		}
	})

	t.Run("DeleteWebhook", func(t *testing.T) {
		d := store.WebhookDelivery{Webhook: "wh_a", Seq: 3, Type: "incident.created", Attempts: 1, Status: 200,
			First: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Last: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Delivered: true}
		if err := st.SaveWebhookDeliveries(ctx, d); err != nil {
			t.Fatalf("SaveWebhookDeliveries = %v", err)
		}
		if err := st.DeleteWebhook(ctx, "wh_a"); err != nil {
			t.Fatalf("DeleteWebhook(wh_a) = %v", err)
		}
		if _, err := st.Webhook(ctx, "wh_a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Webhook(wh_a) after deleting it = %v, want ErrNotFound", err)
		}
		if err := st.DeleteWebhook(ctx, "wh_a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteWebhook(wh_a) again = %v, want ErrNotFound", err)
		}
		if ds, err := st.WebhookDeliveries(ctx, "wh_a", -1, 10); err != nil || len(ds) != 0 {
			t.Errorf("WebhookDeliveries(wh_a) after deleting it = %v, %v, want none", ds, err)
		}
		// A delivery of a subscription that is gone is refused whole.
		if err := st.SaveWebhookDeliveries(ctx, d); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SaveWebhookDeliveries of a deleted subscription = %v, want ErrNotFound", err)
		}
		d.Delivered = false
		if err := st.SaveWebhookDeliveries(ctx, d); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SaveWebhookDeliveries (failed) of a deleted subscription = %v, want ErrNotFound", err)
		}
		if ds, err := st.WebhookDeliveries(ctx, "wh_a", -1, 10); err != nil || len(ds) != 0 {
			t.Errorf("WebhookDeliveries(wh_a) after refused saves = %v, %v, want none", ds, err)
		}
		if got := ids(""); !slices.Equal(got, []string{"wh_b", "wh_c"}) {
			t.Errorf("Webhooks() after deleting wh_a = %v, want [wh_b wh_c]", got)
		}
	})
}

// testWebhookDeliveries keeps the outbox: a failed attempt marks the
// subscription failing from its first attempt and leaves its place; a
// delivered one moves it past the event and ends the failure, in one
// transaction; outcomes page newest first; pruning keeps the newest.
func testWebhookDeliveries(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	at := func(m int) time.Time { return time.Date(2026, 3, 1, 9, m, 0, 500, time.UTC) }
	if err := st.CreateWebhook(ctx, store.Webhook{ID: "wh_1", Agency: "metro", URL: "https://x.example/", Events: []string{"*"}, Secret: []byte("s"), Created: at(0), Next: 10}); err != nil {
		t.Fatalf("CreateWebhook = %v", err)
	}
	save := func(d store.WebhookDelivery) {
		t.Helper()
		d.Webhook = "wh_1"
		if err := st.SaveWebhookDeliveries(ctx, d); err != nil {
			t.Fatalf("SaveWebhookDeliveries(%d, attempt %d) = %v", d.Seq, d.Attempts, err)
		}
	}
	// Event 12 fails twice, then is delivered.
	save(store.WebhookDelivery{Seq: 12, Type: "incident.created", Attempts: 1, Status: 503, Error: "503 Service Unavailable", First: at(1), Last: at(1), Next: at(2)})
	w := mustWebhook(t, st, "wh_1")
	if w.Next != 10 || !w.FailingSince.Equal(at(1)) {
		t.Fatalf("after a failed attempt: Next %d, FailingSince %v, want 10, %v", w.Next, w.FailingSince, at(1))
	}
	failed := store.WebhookDelivery{Webhook: "wh_1", Seq: 12, Type: "incident.created", Attempts: 2, Error: "connection refused", First: at(1), Last: at(2), Next: at(4)}
	save(failed)
	w = mustWebhook(t, st, "wh_1")
	if w.Next != 10 || !w.FailingSince.Equal(at(1)) {
		t.Fatalf("after a second failed attempt: Next %d, FailingSince %v, want 10, %v (the first)", w.Next, w.FailingSince, at(1))
	}
	ds, err := st.WebhookDeliveries(ctx, "wh_1", -1, 10)
	if err != nil || len(ds) != 1 || !equalDelivery(ds[0], failed) {
		t.Fatalf("WebhookDeliveries = %+v, %v, want the second attempt only, %+v", ds, err, failed)
	}
	save(store.WebhookDelivery{Seq: 12, Type: "incident.created", Attempts: 3, Status: 204, First: at(1), Last: at(4), Delivered: true})
	w = mustWebhook(t, st, "wh_1")
	if w.Next != 13 || !w.FailingSince.IsZero() {
		t.Fatalf("after delivery: Next %d, FailingSince %v, want 13, zero", w.Next, w.FailingSince)
	}
	// More deliveries, in one batch, the last one still pending.
	var batch []store.WebhookDelivery
	for seq := int64(13); seq < 30; seq++ {
		batch = append(batch, store.WebhookDelivery{Webhook: "wh_1", Seq: seq, Type: "unit.status_changed", Attempts: 1, Status: 200, First: at(5), Last: at(5), Delivered: true})
	}
	batch = append(batch, store.WebhookDelivery{Webhook: "wh_1", Seq: 30, Type: "unit.status_changed", Attempts: 1, Error: "timeout", First: at(6), Last: at(6), Next: at(7)})
	// A batch that names another subscription is refused whole.
	mixed := append(slices.Clone(batch), store.WebhookDelivery{Webhook: "wh_other", Seq: 31, Type: "x", First: at(6), Last: at(6)})
	if err := st.SaveWebhookDeliveries(ctx, mixed...); err == nil {
		t.Fatal("SaveWebhookDeliveries of two subscriptions' outcomes = nil, want an error")
	}
	if ds, err := st.WebhookDeliveries(ctx, "wh_1", -1, 100); err != nil || len(ds) != 1 {
		t.Fatalf("WebhookDeliveries after a refused batch = %d, %v, want the 1 before it", len(ds), err)
	}
	if err := st.SaveWebhookDeliveries(ctx, batch...); err != nil {
		t.Fatalf("SaveWebhookDeliveries(13…30) = %v", err)
	}
	if w = mustWebhook(t, st, "wh_1"); w.Next != 30 || !w.FailingSince.Equal(at(6)) {
		t.Fatalf("after a batch delivered to 29 and failing at 30: Next %d, FailingSince %v, want 30, %v", w.Next, w.FailingSince, at(6))
	}
	if err := st.SaveWebhookDeliveries(ctx); err != nil {
		t.Fatalf("SaveWebhookDeliveries() of nothing = %v", err)
	}
	var seqs []int64
	before := int64(-1)
	for {
		page, err := st.WebhookDeliveries(ctx, "wh_1", before, 7)
		if err != nil {
			t.Fatalf("WebhookDeliveries(before %d) = %v", before, err)
		}
		for _, d := range page {
			seqs = append(seqs, d.Seq)
		}
		if len(page) < 7 {
			break
		}
		before = page[len(page)-1].Seq
	}
	var want []int64
	for s := int64(30); s >= 12; s-- {
		want = append(want, s)
	}
	if !slices.Equal(seqs, want) {
		t.Fatalf("WebhookDeliveries paged by 7 = %v, want %v", seqs, want)
	}
	n, err := st.PruneWebhookDeliveries(ctx, "wh_1", 5)
	if err != nil {
		t.Fatalf("PruneWebhookDeliveries(5) = %v", err)
	}
	page, err := st.WebhookDeliveries(ctx, "wh_1", -1, 100)
	if err != nil {
		t.Fatalf("WebhookDeliveries = %v", err)
	}
	seqs = seqs[:0]
	for _, d := range page {
		seqs = append(seqs, d.Seq)
	}
	// The newest five are kept, the pending one among them; older
	// delivered ones go.
	if want := []int64{30, 29, 28, 27, 26}; !slices.Equal(seqs, want) || n != int64(19-5) {
		t.Fatalf("after PruneWebhookDeliveries(5): deliveries %v (%d deleted), want %v (%d deleted)", seqs, n, want, 19-5)
	}
	if page[0].Error != "timeout" || page[0].Delivered || !page[0].Next.Equal(at(7)) {
		t.Errorf("pending delivery after pruning = %+v, want its failure kept", page[0])
	}
}
