// Package metrics exposes a node's metrics to Prometheus (text exposition
// format, at /metrics on a listener of its own): the commands the engine
// executes and their outcomes, how long a command waits to be durable, the
// group commits, the log and its checkpoints, the sequencer lease, the open
// work, the event streams, rate-limit refusals, failed sign-ins, and the Go
// runtime and process.
//
// The metrics live in a registry of their own, not client_golang's global
// one: two nodes in one process (the tests) keep theirs apart, and nothing
// a library registers appears unasked. Names follow Prometheus's naming
// rules: the prefix tenfour_, units in the name (_seconds, _events),
// counters ending in _total. Labels are bounded sets only — command names,
// outcome codes, event types, priorities, request states — and never name
// a record, a person or a place.
package metrics

import (
	"net/http"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tenfour-cad/tenfour/dispatch"
)

// Metrics is a node's metrics. It implements engine.Observer and
// http.Metrics; Watch adds what is read at scrape time.
type Metrics struct {
	reg *prometheus.Registry

	commands    *prometheus.CounterVec
	ack         prometheus.Histogram
	batch       prometheus.Histogram
	events      *prometheus.CounterVec
	escalations prometheus.Counter
	rateLimited *prometheus.CounterVec
	signIn      *prometheus.CounterVec
}

// New returns the metrics of a node, registered with a new registry with
// the Go runtime and process collectors and tenfour_build_info.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tenfour_commands_total",
			Help: "Commands the engine executed on this node, by command and outcome (ok, or the refusal's code: invalid, not_found, conflict, forbidden, unauthorized, internal, fenced, unavailable, not_sequencer, canceled).",
		}, []string{"command", "outcome"}),
		ack: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tenfour_command_ack_seconds",
			Help: "Time from a command's arrival at the engine until its events were durable and it was acknowledged (commands with outcome ok).",
			// From a commit on a fast disk (under a millisecond) to a
			// store that stalls for seconds.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tenfour_commit_batch_events",
			Help:    "Events committed in one transaction (group commit) by this node as sequencer.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 13), // 1 … 4096, the ledger's largest batch
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tenfour_events_committed_total",
			Help: "Events this node committed to the log as sequencer, by event type.",
		}, []string{"type"}),
		escalations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tenfour_escalations_total",
			Help: "Assistance requests escalated to the next alarm level (assist.escalated events) committed by this node as sequencer.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tenfour_rate_limited_total",
			Help: "Requests refused with 429, by limit: login (sign-in per address), credentials (refused tokens and sessions per address), api (per credential), streams (open event streams).",
		}, []string{"limit"}),
		signIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tenfour_sign_in_failures_total",
			Help: "Refused sign-ins (POST /api/v1/auth/login), by the refusal's code: unauthorized (wrong credentials), forbidden (locked or disabled), invalid, …",
		}, []string{"code"}),
	}
	version, revision := Build()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "tenfour_build_info",
		Help:        "Always 1; the labels say which build of tenfour runs.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision},
	})
	info.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		info, m.commands, m.ack, m.batch, m.events, m.escalations, m.rateLimited, m.signIn,
	)
	// The counters of refusals start at zero for every limit, so that a
	// rate() over them has a series before the first refusal.
	for _, l := range []string{"login", "credentials", "api", "streams"} {
		m.rateLimited.WithLabelValues(l)
	}
	m.signIn.WithLabelValues(dispatch.EUNAUTHORIZED)
	return m
}

// Registry returns the registry the metrics are in, for a test or a
// caller that adds its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format (or
// OpenMetrics, when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: true})
}

// Executed counts a command (engine.Observer).
func (m *Metrics) Executed(command, outcome string, took time.Duration) {
	m.commands.WithLabelValues(command, outcome).Inc()
	if outcome == "ok" {
		m.ack.Observe(took.Seconds())
	}
}

// Committed counts a group commit and its events (engine.Observer).
func (m *Metrics) Committed(evs []dispatch.Event) {
	if len(evs) == 0 {
		return
	}
	m.batch.Observe(float64(len(evs)))
	for _, ev := range evs {
		m.events.WithLabelValues(ev.Type).Inc()
		if ev.Type == dispatch.TypeAssistEscalated {
			m.escalations.Inc()
		}
	}
}

// RateLimited counts a request refused by a limit (http.Metrics).
func (m *Metrics) RateLimited(limit string) { m.rateLimited.WithLabelValues(limit).Inc() }

// SignInFailed counts a refused sign-in (http.Metrics).
func (m *Metrics) SignInFailed(code string) { m.signIn.WithLabelValues(code).Inc() }

// Build returns the module version and the VCS revision (with "-dirty" for
// a modified tree) the binary was built from, as runtime/debug reads them
// from the build info; "(devel)" and "unknown" when it has none.
func Build() (version, revision string) {
	version, revision = "(devel)", "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version, revision
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && revision != "unknown" {
		revision += "-dirty"
	}
	return version, revision
}
