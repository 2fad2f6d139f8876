package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// An answer is a command's answer as a client keeps it.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// postKeyed POSTs body to path with an Idempotency-Key, as the console
// sends a command it may retry.
func postKeyed(t testing.TB, a *api, path, key string, body any) answer {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, a.url+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s%s: %v", a.url, path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s%s: %v", a.url, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: got}
}

// incidentsCreated counts the incident.created events of the log a node
// serves, read and verified as an outsider would.
func incidentsCreated(t testing.TB, n *node, key string) int {
	t.Helper()
	h, _, err := readyz(n)
	if err != nil {
		t.Fatal(err)
	}
	waitCheckpoint(t, n, key, h.Head)
	_, raw, err := independentRead(t, n.url, key)
	if err != nil {
		t.Fatalf("independentRead(%s) = %v, want nil", n.url, err)
	}
	created := 0
	for _, e := range parseEntries(t, raw) {
		if e.Type == "incident.created" {
			created++
		}
	}
	return created
}

// checkReplayed fails unless again is first replayed, or — when the node
// that did the command was killed before it stored the answer, which it
// writes after sending it (http/idempotency.go) — the short answer that
// says the command was done, naming its first event. Either way the
// command is done once.
func checkReplayed(t testing.TB, what string, first, again answer) {
	t.Helper()
	var done struct {
		Done bool  `json:"done"`
		Seq  int64 `json:"seq"`
	}
	if again.status == http.StatusOK && json.Unmarshal(again.body, &done) == nil && done.Done {
		if again.header.Get("Idempotent-Replayed") != "true" || fmt.Sprint(done.Seq) != first.header.Get("Tenfour-Seq") {
			t.Errorf("%s = %d %s (Idempotent-Replayed %q), want it to name the first answer's event %s", what, again.status, again.body,
				again.header.Get("Idempotent-Replayed"), first.header.Get("Tenfour-Seq"))
		}
		return
	}
	if again.status != first.status || !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("%s = %d %s (Idempotent-Replayed %q), want the first answer %d %s replayed",
			what, again.status, again.body, again.header.Get("Idempotent-Replayed"), first.status, first.body)
	}
	for _, h := range []string{"Location", "Tenfour-Seq", "Tenfour-Log-Size"} {
		if again.header.Get(h) != first.header.Get(h) || first.header.Get(h) == "" {
			t.Errorf("%s: %s = %q, want %q", what, h, again.header.Get(h), first.header.Get(h))
		}
	}
}

// theft is the body of POST /api/v1/incidents for an incident of metro,
// which the domain would create again: only the key stands between a
// retry and a second one.
var theft = map[string]any{"agency": "metro", "type": "THEFT", "priority": 1,
	"location": map[string]any{"text": "3900 S Kedzie Ave", "lat": 41.82, "lon": -87.70}}

// TestIdempotencyKeyAfterRestart checks that a command retried under its
// key after its node was killed and started again is answered as the
// first time, and is in the log once.
func TestIdempotencyKeyAfterRestart(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, "serve", dir, "--checkpoint-interval", "100ms", "--log-level", "warn")
	a := adminAPI(t, n)
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	mustCreateAgency(t, a, "metro")
	first := postKeyed(t, a, "/api/v1/incidents", "press-1", theft)
	if first.status != http.StatusCreated {
		t.Fatalf("POST %s/api/v1/incidents = %d %s, want 201", n.url, first.status, first.body)
	}
	n.kill()
	n = startNode(t, "serve", dir, "--checkpoint-interval", "100ms", "--log-level", "warn")
	a.url = n.url
	checkReplayed(t, "retry after the restart", first, postKeyed(t, a, "/api/v1/incidents", "press-1", theft))
	if got := incidentsCreated(t, n, key); got != 1 {
		t.Errorf("the log holds %d incident.created events, want 1: the retry ran the command again", got)
	}
}

// TestClusterIdempotencyKeyAfterKill checks issue 14's lost press: a
// command made durable by a sequencer that is then killed, retried under
// the same key on the node that takes over, is answered with the first
// answer and is in the log once.
func TestClusterIdempotencyKeyAfterKill(t *testing.T) {
	c := startCluster(t, 2)
	seq, before := waitSequencer(t, c.nodes, 0)
	other := c.nodes[0]
	if other == seq {
		other = c.nodes[1]
	}
	mustCreateAgency(t, c.on(seq), "metro")
	first := postKeyed(t, c.on(seq), "/api/v1/incidents", "press-1", theft)
	if first.status != http.StatusCreated {
		t.Fatalf("POST %s/api/v1/incidents = %d %s, want 201", seq.url, first.status, first.body)
	}

	seq.kill() // SIGKILL: the node's memory of the key goes with it
	waitSequencer(t, []*node{other}, before.Epoch)

	for i := range 2 { // from the store, then from the new sequencer's memory
		again := postKeyed(t, c.on(other), "/api/v1/incidents", "press-1", theft)
		checkReplayed(t, fmt.Sprintf("retry %d on %s", i+1, other.url), first, again)
	}
	if got := incidentsCreated(t, other, c.key); got != 1 {
		t.Errorf("the log holds %d incident.created events, want 1: the retry ran the command again", got)
	}
}
