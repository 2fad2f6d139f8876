package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestWebhookAfterCrash: a node is killed (SIGKILL) while its webhook
// receiver is down and an event waits to be delivered; started again on
// its data directory, it delivers from where its outbox stood. The
// receiver verifies every delivery with the Standard Webhooks reference
// library and gets every incident of metro's, in order, once by
// webhook-id, and none of the state police's.
func TestWebhookAfterCrash(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, "serve", dir, "--log-level", "warn")
	a := adminAPI(t, n)
	mustCreateAgency(t, a, "metro")
	a.mustCreate(t, "/api/v1/agencies", map[string]string{"id": "state", "name": "State Police", "kind": "state_police"})

	var (
		mu       sync.Mutex
		verifier *standardwebhooks.Webhook
		down     = false
		refused  int
		byID     = map[string]int{}
		order    []string // incident ids, first delivery of each
		bad      []string
		changed  = make(chan struct{}, 1)
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer func() {
			mu.Unlock()
			select {
			case changed <- struct{}{}:
			default:
			}
		}()
		if down || verifier == nil {
			refused++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err := verifier.Verify(body, r.Header); err != nil {
			bad = append(bad, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev struct {
			Type    string            `json:"type"`
			Agency  string            `json:"agency"`
			Subject map[string]string `json:"subject"`
		}
		if err := json.Unmarshal(body, &ev); err != nil || ev.Agency != "metro" || ev.Type != "incident.created" {
			bad = append(bad, string(body))
		}
		id := r.Header.Get("webhook-id")
		if byID[id]++; byID[id] == 1 {
			order = append(order, ev.Subject["incident"])
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	await := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(2 * time.Minute)
		for {
			mu.Lock()
			ok := cond()
			mu.Unlock()
			if ok {
				return
			}
			select {
			case <-changed:
			case <-deadline:
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("waiting for %s: received %v, %d refused, bad %v", what, order, refused, bad)
			}
		}
	}

	var sub struct{ ID, Secret string }
	if err := json.Unmarshal(a.mustCreate(t, "/api/v1/webhooks", map[string]any{"agency": "metro", "url": srv.URL, "events": []string{"incident.created"}}), &sub); err != nil {
		t.Fatal(err)
	}
	wh, err := standardwebhooks.NewWebhook(sub.Secret)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	verifier = wh
	mu.Unlock()

	var made []string
	create := func(a *api, agency string) {
		var in struct{ ID string }
		if err := json.Unmarshal(a.mustCreate(t, "/api/v1/incidents", map[string]any{"agency": agency, "type": "THEFT",
			"location": map[string]any{"text": "3900 S Kedzie Ave"}}), &in); err != nil {
			t.Fatal(err)
		}
		if agency == "metro" {
			made = append(made, in.ID)
		}
	}
	for range 3 {
		create(a, "metro")
		create(a, "state")
	}
	// The first three are delivered and recorded (the subscription's
	// place moves past them with their outcomes) ...
	await("the first incidents", func() bool { return len(order) >= 3 })
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var d struct{ Deliveries []struct{ Delivered bool } }
		if err := json.Unmarshal(a.mustGet(t, "/api/v1/webhooks/"+sub.ID+"/deliveries"), &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Deliveries) == 3 && d.Deliveries[0].Delivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first deliveries are not recorded: %+v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// ... then the receiver refuses the next one's first attempt, and the
	// node dies before its retry (2.5 s or more later).
	mu.Lock()
	down = true
	mu.Unlock()
	create(a, "metro")
	await("a refused attempt", func() bool { return refused >= 1 })
	n.kill()
	mu.Lock()
	down = false
	mu.Unlock()

	n = startNode(t, "serve", dir, "--log-level", "warn")
	a = adminAPI(t, n)
	for range 3 {
		create(a, "state")
		create(a, "metro")
	}
	await("every incident of metro's", func() bool { return len(order) >= len(made) })
	if err := n.stop(t); err != nil {
		t.Errorf("tenfour serve after an interrupt = %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(order, made) || len(bad) > 0 {
		t.Fatalf("received incidents %v (bad %v), want metro's %v in order", order, bad, made)
	}
	for id, k := range byID {
		if k != 1 {
			t.Errorf("webhook-id %s delivered %d times, want once", id, k)
		}
	}
}
