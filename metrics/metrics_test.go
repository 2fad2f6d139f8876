package metrics_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/metrics"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// clock is a fake clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openEngine opens an engine on a fresh SQLite store that reports to m,
// on the clock, with no timers: a deadline passes without escalating
// unless the test says so.
func openEngine(t *testing.T, m *metrics.Metrics, c *clock) *engine.Engine {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateKey("tenfour.test/log")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: key, Clock: c.Now,
		TimerInterval: -1, SampleInterval: -1, Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// gather returns the registry's metrics by family name.
func gather(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("Gather() = %v", err)
	}
	out := make(map[string]*dto.MetricFamily, len(mfs))
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// value returns the value of the series of family name with the labels,
// and whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	mf, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
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
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func want(t *testing.T, fams map[string]*dto.MetricFamily, w float64, name string, labels ...string) {
	t.Helper()
	got, ok := value(fams, name, labels...)
	if !ok {
		t.Errorf("%s%v: no such series", name, labels)
		return
	}
	if got != w {
		t.Errorf("%s%v = %v, want %v", name, labels, got, w)
	}
}

func TestMetricsFollowTheEngine(t *testing.T) {
	m := metrics.New()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := openEngine(t, m, c)
	m.Watch(e, func() int { return 3 })
	ctx := context.Background()
	sys := dispatch.Actor{System: "test"}
	exec := func(cmd dispatch.Command) (engine.Result, error) { return e.Execute(ctx, sys, cmd) }
	for _, cmd := range []dispatch.Command{
		dispatch.CreateAgency{ID: "federal", Name: "Federal", Kind: "federal"},
		dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"},
	} {
		if _, err := exec(cmd); err != nil {
			t.Fatal(err)
		}
	}
	prio := func(p int) *int { return &p }
	lat, lon := 41.8254, -87.7052
	where := dispatch.Location{Text: "3900 S Kedzie Ave", Lat: &lat, Lon: &lon}
	// Two incidents of priority 1, the first 90 s older; one of priority 3,
	// which is cleared.
	var ids []string
	for i, p := range []int{1, 1, 3} {
		res, err := exec(dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Priority: prio(p), Location: where})
		if err != nil {
			t.Fatalf("CreateIncident %d: %v", i, err)
		}
		ids = append(ids, res.Events[0].Subject["incident"])
		if i == 0 {
			c.Add(90 * time.Second)
		}
	}
	if _, err := exec(dispatch.ClearIncident{Incident: ids[2], Disposition: "unfounded"}); err != nil {
		t.Fatal(err)
	}
	// A refusal: an incident of an agency that does not exist.
	_, err := exec(dispatch.CreateIncident{Agency: "nowhere", Type: "THEFT", Location: where})
	refused := engine.Outcome(err)
	if err == nil || refused == engine.OutcomeOK {
		t.Fatalf("CreateIncident(agency nowhere) = %v, want a refusal", err)
	}
	// An EMERGENCY assistance request: its deadline (30 s) runs from now.
	if _, err := exec(dispatch.RequestAssist{From: "federal", To: "metro", Location: where, Nature: "boxed in", Urgency: dispatch.UrgencyEmergency}); err != nil {
		t.Fatal(err)
	}
	c.Add(10 * time.Second)

	fams := gather(t, m)
	want(t, fams, 2, "tenfour_commands_total", "command", "CreateAgency", "outcome", "ok")
	want(t, fams, 3, "tenfour_commands_total", "command", "CreateIncident", "outcome", "ok")
	want(t, fams, 1, "tenfour_commands_total", "command", "CreateIncident", "outcome", refused)
	want(t, fams, 1, "tenfour_commands_total", "command", "ClearIncident", "outcome", "ok")
	// Every acknowledged command is timed, the refused one is not.
	want(t, fams, 7, "tenfour_command_ack_seconds")
	want(t, fams, 2, "tenfour_open_incidents", "priority", "1")
	want(t, fams, 0, "tenfour_open_incidents", "priority", "3")
	want(t, fams, 0, "tenfour_open_incidents", "priority", "0")
	want(t, fams, 100, "tenfour_open_incident_oldest_age_seconds", "priority", "1")
	want(t, fams, 0, "tenfour_open_incident_oldest_age_seconds", "priority", "3")
	want(t, fams, 1, "tenfour_open_requests", "state", dispatch.RequestRequested)
	want(t, fams, 20, "tenfour_open_request_next_deadline_seconds", "state", dispatch.RequestRequested)
	want(t, fams, 0, "tenfour_open_requests_overdue", "urgency", dispatch.UrgencyEmergency)
	want(t, fams, 3, "tenfour_stream_subscribers")
	want(t, fams, float64(e.Log().Size()), "tenfour_log_events")
	want(t, fams, float64(e.Log().Size()), "tenfour_log_head_events")
	want(t, fams, 0, "tenfour_log_lag_events")
	want(t, fams, 1, "tenfour_sequencer")
	want(t, fams, 0, "tenfour_log_degraded")
	// Each event of this node's commits is counted once, in some batch.
	events := 0.0
	for _, mm := range fams["tenfour_events_committed_total"].GetMetric() {
		events += mm.GetCounter().GetValue()
	}
	if events != float64(e.Log().Size()) {
		t.Errorf("tenfour_events_committed_total sums to %v, want the log's %d events", events, e.Log().Size())
	}
	batches := fams["tenfour_commit_batch_events"].GetMetric()[0].GetHistogram()
	if batches.GetSampleSum() != float64(e.Log().Size()) || batches.GetSampleCount() == 0 {
		t.Errorf("tenfour_commit_batch_events: %d batches of %v events, want the log's %d events", batches.GetSampleCount(), batches.GetSampleSum(), e.Log().Size())
	}

	// Past the deadline, with no timer to escalate it, the request is
	// overdue: invariant 3's alarm.
	c.Add(25 * time.Second)
	fams = gather(t, m)
	want(t, fams, 1, "tenfour_open_requests_overdue", "urgency", dispatch.UrgencyEmergency)
	want(t, fams, -5, "tenfour_open_request_next_deadline_seconds", "state", dispatch.RequestRequested)
	want(t, fams, 0, "tenfour_escalations_total")

	// The timers escalate it (to nobody: metro has no plan), which counts.
	if _, err := exec(dispatch.CheckTimers{}); err != nil {
		t.Fatal(err)
	}
	fams = gather(t, m)
	esc, _ := value(fams, "tenfour_events_committed_total", "type", dispatch.TypeAssistEscalated)
	want(t, fams, esc, "tenfour_escalations_total")
	if esc < 1 {
		t.Errorf("tenfour_events_committed_total{type=%q} = %v after the deadline passed, want at least 1", dispatch.TypeAssistEscalated, esc)
	}
}

func TestHTTPMetrics(t *testing.T) {
	m := metrics.New()
	m.RateLimited("login")
	m.RateLimited("login")
	m.RateLimited("api")
	m.SignInFailed(dispatch.EUNAUTHORIZED)
	fams := gather(t, m)
	want(t, fams, 2, "tenfour_rate_limited_total", "limit", "login")
	want(t, fams, 1, "tenfour_rate_limited_total", "limit", "api")
	want(t, fams, 0, "tenfour_rate_limited_total", "limit", "streams")
	want(t, fams, 1, "tenfour_sign_in_failures_total", "code", dispatch.EUNAUTHORIZED)
	want(t, fams, 1, "tenfour_build_info")
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("no go_goroutines: the Go runtime collector is not registered")
	}
}

// The names, types, units and help of every metric follow Prometheus's
// conventions, as promlint checks them.
func TestLint(t *testing.T) {
	m := metrics.New()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := openEngine(t, m, c)
	m.Watch(e, func() int { return 0 })
	m.Executed("CreateIncident", "ok", time.Millisecond)
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
