package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// These tests run a node in this process (package main), as serve does,
// where the end-to-end tests (package main_test) run the binary: they read
// the node's metrics and log directly.

// lockedBuffer collects a node's log while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// opsAPI calls a node's API with a bearer token.
type opsAPI struct {
	url, token string
	client     *http.Client
}

// do sends a request with a JSON body (if body is not nil) and returns the
// status and the response body.
func (a *opsAPI) do(method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.url+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// must sends a request and requires the status.
func (a *opsAPI) must(t *testing.T, method, path string, body any, status int) []byte {
	t.Helper()
	got, b, err := a.do(method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if got != status {
		t.Fatalf("%s %s = %d %s, want %d", method, path, got, b, status)
	}
	return b
}

// opsNode is a node run in this process, as serve runs it, with metrics on
// a listener of their own and its log captured as JSON lines.
type opsNode struct {
	m    *Main
	logs *lockedBuffer
	api  *opsAPI
	done chan error
	stop func() error // stops the node as a signal does; once
}

func startOpsNode(t *testing.T, setup func(*Main)) *opsNode {
	t.Helper()
	logs := &lockedBuffer{}
	logger, err := newLogger(logs, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{DataDir: filepath.Join(t.TempDir(), "data"), Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		CheckpointInterval: 100 * time.Millisecond, Logger: logger}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		m.Close()
		t.Fatalf("Open = %v", err)
	}
	if setup != nil {
		setup(m)
	}
	n := &opsNode{m: m, logs: logs, done: make(chan error, 1),
		api: &opsAPI{url: m.URL, token: m.Bootstrap.Token, client: &http.Client{Timeout: 30 * time.Second}}}
	go func() { n.done <- m.Run(ctx) }()
	n.stop = sync.OnceValue(func() error {
		cancel()
		err := <-n.done
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		return err
	})
	t.Cleanup(func() {
		if err := n.stop(); err != nil {
			t.Errorf("stopping the node: %v", err)
		}
	})
	return n
}

// scrape GETs /metrics and parses it with Prometheus's text-format parser.
func (n *opsNode) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(n.m.MetricsURL)
	if err != nil {
		t.Fatalf("GET %s: %v", n.m.MetricsURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", n.m.MetricsURL, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("GET %s: Content-Type %q, want the text format (text/plain)", n.m.MetricsURL, ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse as the Prometheus text format: %v", err)
	}
	return fams
}

// metricValue returns the value of the series of family name whose labels
// include labels (name, value, …): a counter's or gauge's value, a
// histogram's count; 0 when there is no such series.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	sum := 0.0
next:
	for _, m := range fams[name].GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// awaitMetric scrapes until the series has the value; only a hang takes
// a minute.
func (n *opsNode) awaitMetric(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := metricValue(n.scrape(t), name, labels...)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %v after a minute, want %v", name, labels, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A scenario through the real server moves the counters by exactly what it
// sent, and the open-work gauges match the state it left.
func TestMetricsDuringScenario(t *testing.T) {
	n := startOpsNode(t, func(m *Main) {
		// One sign-in attempt at once per address: the second is refused.
		m.Server.LoginLimit = tenfourhttp.Limit{Rate: 1e-6, Burst: 1}
	})
	before := n.scrape(t)
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "tenfour_build_info", "tenfour_sequencer"} {
		if _, ok := before[name]; !ok {
			t.Errorf("GET /metrics has no %s", name)
		}
	}
	count := func(fams map[string]*dto.MetricFamily, command, outcome string) float64 {
		if outcome == "refused" {
			return metricValue(fams, "tenfour_commands_total", "command", command) - metricValue(fams, "tenfour_commands_total", "command", command, "outcome", "ok")
		}
		return metricValue(fams, "tenfour_commands_total", "command", command, "outcome", outcome)
	}

	n.api.must(t, "POST", "/api/v1/agencies", map[string]string{"id": "metro", "name": "Metro Police Department", "kind": "municipal_police"}, http.StatusCreated)
	priorities := []int{1, 1, 2, 3, 3}
	var ids []string
	for i, p := range priorities {
		b := n.api.must(t, "POST", "/api/v1/incidents", map[string]any{"agency": "metro", "type": "THEFT", "priority": p,
			"location": map[string]any{"text": fmt.Sprintf("%d S Kedzie Ave", 3900+i), "lat": 41.82, "lon": -87.70}}, http.StatusCreated)
		var in struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &in); err != nil || in.ID == "" {
			t.Fatalf("POST /api/v1/incidents = %s, want an incident", b)
		}
		ids = append(ids, in.ID)
	}
	if status, b, err := n.api.do("POST", "/api/v1/incidents/"+ids[4]+"/clear", map[string]string{"disposition": "unfounded"}); err != nil || status != http.StatusOK {
		t.Fatalf("clear %s = %d %s %v", ids[4], status, b, err)
	}
	// Refused by the engine: an incident of no agency known.
	if status, b, _ := n.api.do("POST", "/api/v1/incidents", map[string]any{"agency": "nowhere", "type": "THEFT",
		"location": map[string]any{"text": "1 Main St"}}); status < 400 || status >= 500 {
		t.Fatalf("POST /api/v1/incidents for agency nowhere = %d %s, want a 4xx refusal", status, b)
	}
	// A wrong password, then a sign-in past the limit.
	login := func() int {
		resp, err := http.Post(n.m.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"`+n.m.Bootstrap.Username+`","password":"not the password"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := login(); got != http.StatusUnauthorized {
		t.Fatalf("sign-in with a wrong password = %d, want 401", got)
	}
	if got := login(); got != http.StatusTooManyRequests {
		t.Fatalf("a second sign-in at once = %d, want 429", got)
	}

	after := n.scrape(t)
	for _, c := range []struct {
		command, outcome string
		want             float64
	}{
		{"CreateAgency", "ok", 1},
		{"CreateIncident", "ok", float64(len(priorities))},
		{"ClearIncident", "ok", 1},
		{"CreateIncident", "refused", 1},
	} {
		if got := count(after, c.command, c.outcome) - count(before, c.command, c.outcome); got != c.want {
			t.Errorf("tenfour_commands_total{command=%q, outcome %s} moved by %v, want %v", c.command, c.outcome, got, c.want)
		}
	}
	for p, want := range map[string]float64{"0": 0, "1": 2, "2": 1, "3": 1, "4": 0} {
		if got := metricValue(after, "tenfour_open_incidents", "priority", p); got != want {
			t.Errorf("tenfour_open_incidents{priority=%q} = %v, want %v", p, got, want)
		}
	}
	if got := metricValue(after, "tenfour_sign_in_failures_total", "code", "unauthorized") - metricValue(before, "tenfour_sign_in_failures_total", "code", "unauthorized"); got != 1 {
		t.Errorf("tenfour_sign_in_failures_total{code=unauthorized} moved by %v, want 1", got)
	}
	if got := metricValue(after, "tenfour_rate_limited_total", "limit", "login") - metricValue(before, "tenfour_rate_limited_total", "limit", "login"); got != 1 {
		t.Errorf("tenfour_rate_limited_total{limit=login} moved by %v, want 1", got)
	}
	// Every acknowledged incident was timed from arrival to durable.
	if got := metricValue(after, "tenfour_command_ack_seconds") - metricValue(before, "tenfour_command_ack_seconds"); got < float64(len(priorities)+2) {
		t.Errorf("tenfour_command_ack_seconds counted %v commands, want at least the %d acknowledged", got, len(priorities)+2)
	}
	if got, size := metricValue(after, "tenfour_log_events"), n.m.Engine.Log().Size(); got <= metricValue(before, "tenfour_log_events") || got > float64(size) {
		t.Errorf("tenfour_log_events = %v (before the scenario %v), want more than before and at most the log's %d", got, metricValue(before, "tenfour_log_events"), size)
	}
	if got := metricValue(after, "tenfour_sequencer"); got != 1 {
		t.Errorf("tenfour_sequencer = %v on the only node, want 1", got)
	}

	// An event stream open is a subscriber while it lasts.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", n.m.URL+"/api/v1/stream", nil)
	req.Header.Set("Authorization", "Bearer "+n.m.Bootstrap.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	n.awaitMetric(t, 1, "tenfour_stream_subscribers")
	cancel()
	resp.Body.Close()
	n.awaitMetric(t, 0, "tenfour_stream_subscribers")
}

// logLines returns the JSON log lines of msg.
func logLines(t *testing.T, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("a log line is not JSON (--log-format json): %q: %v", sc.Text(), err)
		}
		if line["msg"] == msg {
			out = append(out, line)
		}
	}
	return out
}

// Every API request has a log line with its route and status and the
// caller's username, never its token; health probes are not logged at
// info level; the node logs its start and its stop.
func TestRequestLog(t *testing.T) {
	n := startOpsNode(t, nil)
	n.api.must(t, "POST", "/api/v1/agencies", map[string]string{"id": "metro", "name": "Metro Police Department", "kind": "municipal_police"}, http.StatusCreated)
	if status, _, _ := n.api.do("GET", "/api/v1/incidents/metro-2026-999999", nil); status != http.StatusNotFound {
		t.Fatalf("GET an incident that does not exist = %d, want 404", status)
	}
	// A token that does not exist: refused, and logged without it.
	const forged = "tf_forgedtokenforgedtokenforgedtoken"
	bad := &opsAPI{url: n.api.url, token: forged, client: n.api.client}
	if status, _, _ := bad.do("GET", "/api/v1/incidents", nil); status != http.StatusUnauthorized {
		t.Fatalf("GET with a forged token = %d, want 401", status)
	}
	if resp, err := http.Get(n.m.URL + "/healthz"); err == nil {
		resp.Body.Close()
	}
	logs := n.logs.String()
	lines := logLines(t, logs, "request")
	find := func(route string, status int) map[string]any {
		for _, l := range lines {
			if l["route"] == route && l["status"] == float64(status) {
				return l
			}
		}
		t.Errorf("no request line with route %q and status %d in\n%s", route, status, logs)
		return nil
	}
	if l := find("POST /api/v1/agencies", http.StatusCreated); l != nil {
		if l["user"] != n.m.Bootstrap.Username || l["method"] != "POST" || l["level"] != "INFO" {
			t.Errorf("request line %v: want user %q, method POST, level INFO", l, n.m.Bootstrap.Username)
		}
		for _, k := range []string{"duration_ms", "bytes"} {
			if _, ok := l[k]; !ok {
				t.Errorf("request line %v has no %s", l, k)
			}
		}
	}
	find("GET /api/v1/incidents/{id}", http.StatusNotFound)
	if l := find("GET /api/v1/incidents", http.StatusUnauthorized); l != nil && l["user"] != nil {
		t.Errorf("request line %v of a refused token names a user", l)
	}
	for _, l := range lines {
		if l["route"] == "GET /healthz" {
			t.Errorf("a health probe was logged at info level: %v", l)
		}
		if _, ok := l["path"]; ok {
			t.Errorf("request line %v has the path, which can carry a username or an address", l)
		}
	}
	for what, secret := range map[string]string{"the admin's token": n.m.Bootstrap.Token, "the admin's password": n.m.Bootstrap.Password, "the forged token": forged} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %s", what)
		}
	}
	if err := n.stop(); err != nil {
		t.Fatalf("stopping the node: %v", err)
	}
	logs = n.logs.String()
	for _, msg := range []string{"stopping: asked to (signal or cancel); answering the requests under way", "stopped"} {
		if len(logLines(t, logs, msg)) != 1 {
			t.Errorf("no line %q when the node stopped:\n%s", msg, logs)
		}
	}
	start := logLines(t, logs, "serving")
	if len(start) != 1 || start[0]["version"] == nil || start[0]["log_size"] == nil || start[0]["address"] != n.m.URL || start[0]["metrics"] != n.m.MetricsURL {
		t.Errorf("start lines %v, want one with version, log_size, address %s and metrics %s", start, n.m.URL, n.m.MetricsURL)
	}
}
