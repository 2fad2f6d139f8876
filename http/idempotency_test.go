package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/store"
)

// postKey sends a POST with a bearer token and an Idempotency-Key.
func postKey(t *testing.T, ts *TestServer, path, token, key string, body any) Response {
	t.Helper()
	return ts.DoWith(t, "POST", path, body, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Idempotency-Key", key)
	})
}

// countEvents counts the events of type typ from seq on.
func countEvents(t *testing.T, ts *TestServer, from int64, typ string) int {
	t.Helper()
	n := 0
	for _, e := range ts.Events(t, from) {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestIdempotencyKey(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	bob := ts.MustCreateUser(t, "bob", "metro", dispatch.RoleDispatcher)
	agency := map[string]string{"id": "county", "name": "County Fire", "kind": "fire_ems"}

	t.Run("Replayed", func(t *testing.T) {
		first := postKey(t, ts, "/api/v1/agencies", ts.Admin, "create-county", agency)
		if first.Status != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first POST /api/v1/agencies = %d %s (Idempotent-Replayed %q), want 201, not replayed", first.Status, first.Body, first.Header.Get("Idempotent-Replayed"))
		}
		size := ts.Engine.Log().Size()
		again := postKey(t, ts, "/api/v1/agencies", ts.Admin, "create-county", agency)
		if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("repeated POST = %d %s, want %d %s", again.Status, again.Body, first.Status, first.Body)
		}
		if got := again.Header.Get("Idempotent-Replayed"); got != "true" {
			t.Errorf("repeated POST: Idempotent-Replayed = %q, want true", got)
		}
		for _, h := range []string{"Location", "Tenfour-Seq", "Tenfour-Log-Size", "Content-Type"} {
			if again.Header.Get(h) != first.Header.Get(h) || first.Header.Get(h) == "" {
				t.Errorf("repeated POST: %s = %q, want %q", h, again.Header.Get(h), first.Header.Get(h))
			}
		}
		if got := ts.Engine.Log().Size(); got != size {
			t.Errorf("log size after the repeat = %d, want %d: the command ran twice", got, size)
		}
	})

	t.Run("ErrReused", func(t *testing.T) {
		size := ts.Engine.Log().Size()
		other := map[string]string{"id": "state", "name": "State Police", "kind": "state_police"}
		r := postKey(t, ts, "/api/v1/agencies", ts.Admin, "create-county", other)
		CheckProblem(t, "POST /api/v1/agencies with a used key and another body", r, http.StatusUnprocessableEntity, "idempotency_key_reused", "another request")
		r = postKey(t, ts, "/api/v1/units", ts.Admin, "create-county", agency)
		CheckProblem(t, "POST /api/v1/units with a key used on another path", r, http.StatusUnprocessableEntity, "idempotency_key_reused", "another request")
		if got := ts.Engine.Log().Size(); got != size {
			t.Errorf("log size = %d, want %d: a reused key ran a command", got, size)
		}
	})

	t.Run("ErrInvalidKey", func(t *testing.T) {
		for _, key := range []string{"", strings.Repeat("k", 256), "ключ", `"a"b"`} {
			r := postKey(t, ts, "/api/v1/agencies", ts.Admin, key, map[string]string{"id": "x", "name": "X", "kind": "fire"})
			CheckProblem(t, "POST with Idempotency-Key "+key, r, http.StatusBadRequest, "bad_request", "Idempotency-Key")
		}
		r := ts.DoWith(t, "POST", "/api/v1/agencies", agency, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+ts.Admin)
			r.Header.Add("Idempotency-Key", "one")
			r.Header.Add("Idempotency-Key", "two")
		})
		CheckProblem(t, "POST with two Idempotency-Keys", r, http.StatusBadRequest, "bad_request", "Idempotency-Key")
		// The draft's sf-string form names the same key as the bare one.
		r = postKey(t, ts, "/api/v1/agencies", ts.Admin, `"create-county"`, agency)
		if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf(`POST with Idempotency-Key "create-county" = %d %s, want 201 replayed`, r.Status, r.Body)
		}
	})

	t.Run("PerCaller", func(t *testing.T) {
		body := map[string]any{"type": "THEFT", "location": map[string]string{"text": "1 Main St"}}
		a := postKey(t, ts, "/api/v1/incidents", ann, "call-1", body)
		b := postKey(t, ts, "/api/v1/incidents", bob, "call-1", body)
		if a.Status != http.StatusCreated || b.Status != http.StatusCreated {
			t.Fatalf("POST /api/v1/incidents as ann, bob = %d, %d, want 201, 201", a.Status, b.Status)
		}
		if b.Header.Get("Idempotent-Replayed") != "" || a.Header.Get("Location") == b.Header.Get("Location") {
			t.Errorf("bob's request with ann's key: Location %s, replayed %q; want an incident of its own", b.Header.Get("Location"), b.Header.Get("Idempotent-Replayed"))
		}
		again := postKey(t, ts, "/api/v1/incidents", ann, "call-1", body)
		if again.Header.Get("Location") != a.Header.Get("Location") {
			t.Errorf("ann's repeat: Location = %s, want %s", again.Header.Get("Location"), a.Header.Get("Location"))
		}
	})

	t.Run("ErrorRemembered", func(t *testing.T) {
		body := map[string]any{"type": "THEFT", "priority": 7, "location": map[string]string{"text": "1 Main St"}}
		first := postKey(t, ts, "/api/v1/incidents", ann, "bad-priority", body)
		CheckProblem(t, "POST /api/v1/incidents with priority 7", first, http.StatusUnprocessableEntity, dispatch.EINVALID, "priority")
		again := postKey(t, ts, "/api/v1/incidents", ann, "bad-priority", body)
		if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("repeat = %d %s, want the first answer replayed", again.Status, again.Body)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		before := ts.Engine.Log().Size()
		unit := map[string]any{"call_sign": "9Z9", "agency": "metro", "kind": "patrol"}
		const n = 20
		var wg sync.WaitGroup
		results := make([]Response, n)
		for i := range n {
			wg.Go(func() { results[i] = postKey(t, ts, "/api/v1/units", ts.Admin, "unit-9z9", unit) })
		}
		wg.Wait()
		fresh := 0
		for _, r := range results {
			switch {
			case r.Status == http.StatusCreated && r.Header.Get("Idempotent-Replayed") == "":
				fresh++
			case r.Status == http.StatusCreated:
			case r.Status == http.StatusConflict:
				CheckProblem(t, "concurrent duplicate", r, http.StatusConflict, "idempotency_in_flight", "still being processed")
			default:
				t.Errorf("concurrent duplicate = %d %s, want 201 or 409", r.Status, r.Body)
			}
		}
		if fresh != 1 {
			t.Errorf("%d of %d concurrent duplicates were processed, want 1", fresh, n)
		}
		if got := countEvents(t, ts, before, dispatch.TypeUnitCreated); got != 1 {
			t.Errorf("%d unit.created events, want 1", got)
		}
	})
}

// TestIdempotencyKeyFollower checks that keys are kept where commands are
// decided: a command sent with a key to a follower is forwarded, and the
// same key sent to the sequencer finds its answer there.
func TestIdempotencyKeyFollower(t *testing.T) {
	ts := MustOpenServer(t)
	f := ts.MustOpenFollower(t, false)
	agency := map[string]string{"id": "metro", "name": "Metro PD", "kind": "municipal_police"}
	first := postKey(t, f, "/api/v1/agencies", ts.Admin, "metro-once", agency)
	if first.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/agencies on the follower = %d %s, want 201", first.Status, first.Body)
	}
	size := ts.Engine.Log().Size()
	for _, node := range []*TestServer{ts, f} {
		r := postKey(t, node, "/api/v1/agencies", ts.Admin, "metro-once", agency)
		if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(r.Body, first.Body) {
			t.Errorf("repeat on %s = %d %s (replayed %q), want the first answer replayed", node.URL, r.Status, r.Body, r.Header.Get("Idempotent-Replayed"))
		}
	}
	if got := ts.Engine.Log().Size(); got != size {
		t.Errorf("log size = %d, want %d: a repeat ran the command again", got, size)
	}
	var a dispatch.Agency
	if err := json.Unmarshal(first.Body, &a); err != nil || a.ID != "metro" {
		t.Errorf("answer %s, want the agency metro", first.Body)
	}
}

// lossyKeys is a node's store of idempotency keys that, while lose is set,
// drops the answers it is given: the node stopped after its command's
// events were durable and before their answer was stored.
type lossyKeys struct {
	tenfourhttp.Keys
	lose  atomic.Bool
	saved atomic.Int64 // answers stored, not lost
}

func (k *lossyKeys) SaveIdempotencyAnswers(ctx context.Context, answers []store.Idempotency) error {
	if k.lose.Load() {
		return nil
	}
	err := k.Keys.SaveIdempotencyAnswers(ctx, answers)
	if err == nil {
		k.saved.Add(int64(len(answers)))
	}
	return err
}

// awaitSaved waits until n answers are stored. An answer is queued to be
// stored after it is sent, so the client may read it first.
func (k *lossyKeys) awaitSaved(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for k.saved.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d answers stored after 20s, want %d", k.saved.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestIdempotencyKeyTakeover checks that a key outlives the sequencer that
// took it: after the lease moves to another node, which never saw the
// key, a retry is answered as the first request was — or, if its answer
// was never stored, as done — and the command is not run again.
func TestIdempotencyKeyTakeover(t *testing.T) {
	ts := MustOpenServer(t)
	keys := &lossyKeys{Keys: ts.Store}
	ts.Handler.SetKeys(keys)
	f := ts.MustOpenFollower(t, false)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	before := ts.Engine.Log().Size()
	// Incidents, which the domain would create again: only the key stands
	// between a retry and a second incident.
	theft := map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": "1 Main St"}}
	fire := map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": "2 Main St"}}

	answered := postKey(t, ts, "/api/v1/incidents", ts.Admin, "theft", theft)
	keys.awaitSaved(t, 1) // stored before the answers start to be lost
	keys.lose.Store(true)
	lost := postKey(t, ts, "/api/v1/incidents", ts.Admin, "fire", fire)
	for _, r := range []Response{answered, lost} {
		if r.Status != http.StatusCreated {
			t.Fatalf("POST /api/v1/incidents on the sequencer = %d %s, want 201", r.Status, r.Body)
		}
	}

	// The sequencer stops, its answers stored (they are written after
	// they are sent); the follower, which never saw either key, takes the
	// lease.
	ts.Handler.FlushAnswers()
	if err := ts.Engine.Close(); err != nil {
		t.Fatalf("close the sequencer's engine: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !f.Engine.Log().IsSequencer() {
		if time.Now().After(deadline) {
			t.Fatal("the follower did not take the lease within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	size := f.Engine.Log().Size()

	t.Run("Replayed", func(t *testing.T) {
		r := postKey(t, f, "/api/v1/incidents", ts.Admin, "theft", theft)
		if r.Status != answered.Status || !bytes.Equal(r.Body, answered.Body) || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("repeat on the new sequencer = %d %s (replayed %q), want %d %s replayed", r.Status, r.Body, r.Header.Get("Idempotent-Replayed"), answered.Status, answered.Body)
		}
		for _, h := range []string{"Location", "Tenfour-Seq", "Tenfour-Log-Size", "Content-Type"} {
			if r.Header.Get(h) != answered.Header.Get(h) || answered.Header.Get(h) == "" {
				t.Errorf("repeat on the new sequencer: %s = %q, want %q", h, r.Header.Get(h), answered.Header.Get(h))
			}
		}
	})

	t.Run("AnswerLost", func(t *testing.T) {
		for i := range 2 { // from the store, then from the new node's memory
			r := postKey(t, f, "/api/v1/incidents", ts.Admin, "fire", fire)
			var done struct {
				Done   bool  `json:"done"`
				Seq    int64 `json:"seq"`
				Events int64 `json:"events"`
			}
			if err := json.Unmarshal(r.Body, &done); err != nil || r.Status != http.StatusOK || !done.Done || r.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("repeat %d of a command whose answer was lost = %d %s (replayed %q), want 200, done, replayed", i+1, r.Status, r.Body, r.Header.Get("Idempotent-Replayed"))
			}
			seq, end := lost.Header.Get("Tenfour-Seq"), lost.Header.Get("Tenfour-Log-Size")
			if strconv.FormatInt(done.Seq, 10) != seq || strconv.FormatInt(done.Seq+done.Events, 10) != end ||
				r.Header.Get("Tenfour-Seq") != seq || r.Header.Get("Tenfour-Log-Size") != end {
				t.Errorf("repeat %d: seq %d, events %d (Tenfour-Seq %s, Tenfour-Log-Size %s); want the first answer's events [%s, %s)",
					i+1, done.Seq, done.Events, r.Header.Get("Tenfour-Seq"), r.Header.Get("Tenfour-Log-Size"), seq, end)
			}
		}
	})

	t.Run("ErrReused", func(t *testing.T) {
		r := postKey(t, f, "/api/v1/incidents", ts.Admin, "fire", theft)
		CheckProblem(t, "POST on the new sequencer with a key used before for another incident", r, http.StatusUnprocessableEntity, "idempotency_key_reused", "another request")
	})

	if got := f.Engine.Log().Size(); got != size {
		t.Errorf("log size after the repeats = %d, want %d: a command ran twice", got, size)
	}
	if got := countEvents(t, f, before, dispatch.TypeIncidentCreated); got != 2 {
		t.Errorf("%d incident.created events, want 2: each incident once", got)
	}
}

// pruneLog is a node's store of idempotency keys that notes how many keys
// each deletion of the expired ones deleted.
type pruneLog struct {
	tenfourhttp.Keys
	mu      sync.Mutex
	deleted []int64
}

func (k *pruneLog) DeleteIdempotency(ctx context.Context, before time.Time) (int64, error) {
	n, err := k.Keys.DeleteIdempotency(ctx, before)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.deleted = append(k.deleted, n)
	return n, err
}

func (k *pruneLog) take() []int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.deleted
	k.deleted = nil
	return d
}

// TestIdempotencyKeyExpires checks that the stored keys cost what the
// last IdempotencyTTL of commands costs: the expired are deleted as
// commands come, at most every IdempotencyPruneInterval.
func TestIdempotencyKeyExpires(t *testing.T) {
	ts := MustOpenServer(t)
	keys := &pruneLog{Keys: ts.Store}
	ts.Handler.SetKeys(keys)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	post := func(key string) {
		t.Helper()
		body := map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": key + " Main St"}}
		if r := postKey(t, ts, "/api/v1/incidents", ts.Admin, key, body); r.Status != http.StatusCreated {
			t.Fatalf("POST /api/v1/incidents %s = %d %s, want 201", key, r.Status, r.Body)
		}
	}
	for _, step := range []struct {
		advance time.Duration
		keys    []string
		deleted []int64 // by each deletion the commands ran
	}{
		{0, []string{"1", "2"}, []int64{0}},                                      // the first deletes what is old: nothing
		{tenfourhttp.IdempotencyPruneInterval - time.Second, []string{"3"}, nil}, // too soon to delete again
		{time.Second, []string{"4"}, []int64{0}},                                 // due again; nothing expired
		{tenfourhttp.IdempotencyTTL, []string{"5"}, []int64{3}},                  // 1, 2 and 3 expired, 4 just not
		{tenfourhttp.IdempotencyPruneInterval, []string{"6"}, []int64{1}},        // 4 expired
	} {
		ts.Clock.Advance(step.advance)
		for _, k := range step.keys {
			post(k)
		}
		ts.Handler.FlushAnswers() // answers are stored after they are sent
		if got := keys.take(); !slices.Equal(got, step.deleted) {
			t.Errorf("after POSTing keys %v, %v later: deleted %v keys, want %v", step.keys, step.advance, got, step.deleted)
		}
	}
}

// brokenKeys is a store of idempotency keys that cannot be read.
type brokenKeys struct{ tenfourhttp.Keys }

func (brokenKeys) Idempotency(context.Context, []byte) (store.Idempotency, error) {
	return store.Idempotency{}, errors.New("connection refused")
}

// TestIdempotencyKeyUnavailable checks that a key that cannot be looked
// up is not risked: the command is refused, to be retried, not done.
func TestIdempotencyKeyUnavailable(t *testing.T) {
	ts := MustOpenServer(t)
	ts.Handler.SetKeys(brokenKeys{ts.Store})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	size := ts.Engine.Log().Size()
	body := map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": "1 Main St"}}
	for range 2 { // the refusal is not remembered
		r := postKey(t, ts, "/api/v1/incidents", ts.Admin, "theft", body)
		CheckProblem(t, "POST /api/v1/incidents with a key the store cannot look up", r, http.StatusServiceUnavailable, "idempotency_unavailable", "try again")
		if got := r.Header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After = %q, want 1", got)
		}
	}
	if got := countEvents(t, ts, size, dispatch.TypeIncidentCreated); got != 0 {
		t.Errorf("%d incident.created events, want 0: the command was done", got)
	}
	if !strings.Contains(ts.Logs.String(), "connection refused") {
		t.Errorf("the node's log lacks the store's error:\n%s", ts.Logs)
	}
}
