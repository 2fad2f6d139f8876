package metrics

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
)

// Node is what the scrape-time metrics read of a node: its open work and its
// log. *engine.Engine is one.
type Node interface {
	OpenWork() engine.OpenWork
	Log() *ledger.Log
}

// headTimeout bounds the one store query of a scrape (the log's head): a
// store that does not answer leaves the head out of that scrape rather than
// holding the scraper.
const headTimeout = 2 * time.Second

// Watch registers the metrics read at each scrape: the node's open work,
// its log and lease, and, if streams is not nil, its open event streams.
// A scrape reads the engine's view under its read lock (open work only,
// never history) and asks the store one question, its log's size.
func (m *Metrics) Watch(n Node, streams func() int) {
	m.reg.MustRegister(&nodeCollector{node: n})
	if streams != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tenfour_stream_subscribers",
			Help: "Event streams (GET /api/v1/stream, SSE) open on this node.",
		}, func() float64 { return float64(streams()) }))
	}
}

var (
	descOpenIncidents = prometheus.NewDesc("tenfour_open_incidents",
		"Incidents not closed, by priority (0 = officer emergency … 4).", []string{"priority"}, nil)
	descOldestIncident = prometheus.NewDesc("tenfour_open_incident_oldest_age_seconds",
		"Age of the oldest incident not closed, by priority, from the call's receipt; 0 when there is none.", []string{"priority"}, nil)
	descOpenRequests = prometheus.NewDesc("tenfour_open_requests",
		"Assistance requests not closed, by state (REQUESTED, ACKNOWLEDGED, ACCEPTED, ON_SCENE).", []string{"state"}, nil)
	descNextDeadline = prometheus.NewDesc("tenfour_open_request_next_deadline_seconds",
		"Seconds until the soonest deadline of the open assistance requests in a state (negative: past it, not yet escalated); absent when none of them has a deadline running.", []string{"state"}, nil)
	descOverdue = prometheus.NewDesc("tenfour_open_requests_overdue",
		"Open assistance requests past their deadline and not yet escalated, by urgency. Above zero for longer than a timer tick breaks invariant 3.", []string{"urgency"}, nil)
	descLogEvents = prometheus.NewDesc("tenfour_log_events",
		"Events of the log this node has verified and serves.", nil, nil)
	descHead = prometheus.NewDesc("tenfour_log_head_events",
		"Events in the store's log (its head), read at the scrape.", nil, nil)
	descLag = prometheus.NewDesc("tenfour_log_lag_events",
		"Events in the store that this node has not yet verified and applied: a follower's replication lag (head − log_events).", nil, nil)
	descCheckpoint = prometheus.NewDesc("tenfour_checkpoint_events",
		"Size of the newest signed checkpoint this node serves.", nil, nil)
	descUncheckpointed = prometheus.NewDesc("tenfour_checkpoint_behind_events",
		"Events this node serves beyond its newest signed checkpoint.", nil, nil)
	descCheckpointAge = prometheus.NewDesc("tenfour_checkpoint_age_seconds",
		"Seconds since this node signed its newest checkpoint or took it up; a checkpoint is signed only when events arrive, so an age that grows while checkpoint_behind_events is above zero is a sequencer that cannot sign.", nil, nil)
	descSequencer = prometheus.NewDesc("tenfour_sequencer",
		"1 when this node holds the sequencer lease and appends to the log, else 0.", nil, nil)
	descEpoch = prometheus.NewDesc("tenfour_lease_epoch",
		"Epoch of the sequencer lease as this node last saw it; it grows at every takeover.", nil, nil)
	descLeaseLeft = prometheus.NewDesc("tenfour_lease_remaining_seconds",
		"Seconds until the sequencer lease, as this node last saw it, runs out unless renewed (by this node's clock against the database's).", nil, nil)
	descDegraded = prometheus.NewDesc("tenfour_log_degraded",
		"1 when the log refuses commands because the store is full or does not answer, else 0.", nil, nil)
	descFailed = prometheus.NewDesc("tenfour_log_failed",
		"1 when the log has stopped on an integrity failure (the node must be restarted), else 0.", nil, nil)
)

// nodeCollector reads the node's state at each scrape.
type nodeCollector struct {
	node Node
}

func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOpenIncidents, descOldestIncident, descOpenRequests, descNextDeadline, descOverdue,
		descLogEvents, descHead, descLag, descCheckpoint, descUncheckpointed, descCheckpointAge,
		descSequencer, descEpoch, descLeaseLeft, descDegraded, descFailed} {
		ch <- d
	}
}

func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	bool01 := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}

	w := c.node.OpenWork()
	// Every priority and every open state has a series, zero or not, so
	// that a dashboard shows a zero rather than no data.
	const priorities = 5
	var count [priorities]int
	var oldest [priorities]time.Time
	for _, in := range w.Incidents {
		p := min(max(in.Priority, 0), priorities-1)
		count[p]++
		if oldest[p].IsZero() || in.Received.Before(oldest[p]) {
			oldest[p] = in.Received
		}
	}
	for p := range priorities {
		label := strconv.Itoa(p)
		gauge(descOpenIncidents, float64(count[p]), label)
		age := 0.0
		if !oldest[p].IsZero() {
			age = max(w.Now.Sub(oldest[p]).Seconds(), 0)
		}
		gauge(descOldestIncident, age, label)
	}
	states := []string{dispatch.RequestRequested, dispatch.RequestAcknowledged, dispatch.RequestAccepted, dispatch.RequestOnScene}
	byState := make(map[string]int, len(states))
	next := make(map[string]time.Time, len(states))
	overdue := map[string]int{dispatch.UrgencyEmergency: 0, dispatch.UrgencyUrgent: 0, dispatch.UrgencyRoutine: 0}
	for _, rq := range w.Requests {
		byState[rq.Status]++
		if rq.Deadline.IsZero() {
			continue
		}
		if d, ok := next[rq.Status]; !ok || rq.Deadline.Before(d) {
			next[rq.Status] = rq.Deadline
		}
		if rq.Deadline.Before(w.Now) {
			overdue[rq.Urgency]++
		}
	}
	for _, s := range states {
		gauge(descOpenRequests, float64(byState[s]), s)
		if d, ok := next[s]; ok {
			gauge(descNextDeadline, d.Sub(w.Now).Seconds(), s)
		}
	}
	for u, n := range overdue {
		gauge(descOverdue, float64(n), u)
	}

	l := c.node.Log()
	size := l.Size()
	gauge(descLogEvents, float64(size))
	ctx, cancel := context.WithTimeout(context.Background(), headTimeout)
	head, err := l.Head(ctx)
	cancel()
	if err == nil {
		head = max(head, size)
		gauge(descHead, float64(head))
		gauge(descLag, float64(head-size))
	}
	cp, _ := l.LatestCheckpoint()
	gauge(descCheckpoint, float64(cp.Size))
	gauge(descUncheckpointed, float64(max(size-cp.Size, 0)))
	if at := l.CheckpointTime(); !at.IsZero() {
		gauge(descCheckpointAge, time.Since(at).Seconds())
	}
	gauge(descSequencer, bool01(l.IsSequencer()))
	if lease := l.Lease(); lease != nil {
		gauge(descEpoch, float64(lease.Epoch))
		gauge(descLeaseLeft, time.Until(lease.Expires).Seconds())
	}
	gauge(descDegraded, bool01(l.Degraded() != nil))
	gauge(descFailed, bool01(l.Err() != nil))
}
