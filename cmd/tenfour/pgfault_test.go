package main_test

// A cluster whose PostgreSQL restarts or pauses under a steady command load
// (issue 15): two "tenfour serve" nodes on PostgreSQL, which the test
// restarts as after a crash, or stops (SIGSTOP) for longer than the
// sequencer lease. The load is sent as a real client sends
// it: every command under an Idempotency-Key of its own, sent again under
// the same key after a 503 (once its Retry-After has passed) or a lost
// connection, until it is answered. Afterwards every acknowledged command
// must be in the one log exactly once, and both nodes must serve it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

// Bounds of the fault tests: generous, so that only a real hang trips them.
const (
	faultCommandBound = 45 * time.Second // from a command's first try to its answer
	faultPhaseBound   = 60 * time.Second // for the load to be answered again after a fault
	faultWorkers      = 4
	faultPace         = 50 * time.Millisecond // between a worker's commands
	faultPause        = 11 * time.Second      // how long PostgreSQL is stopped
)

// startFaultCluster starts two nodes on a fresh database of the test
// binary's PostgreSQL server, which the test restarts or pauses. Nothing
// else uses the server meanwhile: these tests are not parallel, so no other
// test runs beside them, and the parallel tests do not use PostgreSQL.
func startFaultCluster(t *testing.T) (*pgtest.Server, *cluster) {
	t.Helper()
	dsn := mustNewDatabase(t)
	srv := pgSrv
	// Never leave the server stopped for the tests that follow.
	t.Cleanup(srv.Resume)
	c := startClusterOn(t, dsn, 2)
	waitSequencer(t, c.nodes, 0)
	mustCreateAgency(t, c.on(c.nodes[0]), "metro")
	return srv, c
}

// A loadCommand is one command of the load, as its client saw it.
type loadCommand struct {
	key      string
	what     string // "create" or "clear"
	incident string // the incident created or cleared; "" if the answer named seq instead
	seq      int64  // the first event of a command answered "done" (its first answer lost)
	sent     time.Time
	answered time.Time // its 2xx answer
}

// A load is a steady stream of commands on a cluster: workers that each
// create an incident on one node and clear it on the other, in turn.
type load struct {
	c    *cluster
	stop atomic.Bool
	wg   sync.WaitGroup

	mu         sync.Mutex
	done       []loadCommand  // answered 2xx
	abandoned  int            // given up without a 2xx: their outcome is unknown
	retried    map[string]int // answers and errors sent again, by kind
	unexpected []string       // answers a client may not get
	maxWait    time.Duration  // the longest from a command's first try to its 2xx
}

func startLoad(c *cluster) *load {
	l := &load{c: c, retried: make(map[string]int)}
	for g := range faultWorkers {
		l.wg.Add(1)
		go l.worker(g)
	}
	return l
}

// worker creates an incident, then clears it, on alternate nodes.
func (l *load) worker(g int) {
	defer l.wg.Done()
	client := &http.Client{Timeout: 30 * time.Second}
	for i := 0; !l.stop.Load(); i++ {
		n := l.c.nodes[(g+i)%len(l.c.nodes)]
		body := map[string]any{"agency": "metro", "type": "THEFT", "priority": 1,
			"location": map[string]any{"text": fmt.Sprintf("%d S Kedzie Ave", 3900+g*100+i%100), "lat": 41.82, "lon": -87.70}}
		created := loadCommand{key: fmt.Sprintf("load-%d-%d-create", g, i), what: "create"}
		b, ok := l.send(client, n, &created, "/api/v1/incidents", body)
		if !ok {
			if exited(n) {
				return
			}
			continue
		}
		var in struct {
			ID   string `json:"id"`
			Done bool   `json:"done"`
			Seq  *int64 `json:"seq"`
		}
		switch err := json.Unmarshal(b, &in); {
		case err == nil && in.Done && in.Seq != nil:
			// The retry of a command done after its first answer was lost
			// (a 503 while its events waited for the store): the answer
			// names its first event, not the incident (docs/api.md).
			created.seq = *in.Seq
			l.record(created, "")
			time.Sleep(faultPace)
			continue
		case err != nil || in.ID == "":
			l.unexpect("POST %s/api/v1/incidents %s answered %s, want an incident with an id", n.url, created.key, b)
			continue
		}
		l.record(created, in.ID)
		time.Sleep(faultPace)

		n = l.c.nodes[(g+i+1)%len(l.c.nodes)]
		cleared := loadCommand{key: fmt.Sprintf("load-%d-%d-clear", g, i), what: "clear"}
		if _, ok := l.send(client, n, &cleared, "/api/v1/incidents/"+in.ID+"/clear", map[string]string{"disposition": "report taken"}); ok {
			l.record(cleared, in.ID)
		} else if exited(n) {
			return
		}
		time.Sleep(faultPace)
	}
}

// send POSTs a command under its key until it is answered 2xx, as a real
// client does: a 503, or a 409 idempotency_in_flight, is sent again once
// its Retry-After has passed; a lost connection or a timeout a moment
// later. It returns the 2xx answer's body and true, or false for any other
// answer (recorded as unexpected), a node that exited, or no 2xx within
// faultCommandBound.
func (l *load) send(client *http.Client, n *node, cmd *loadCommand, path string, body any) ([]byte, bool) {
	a := l.c.on(n)
	a.client = client
	cmd.sent = time.Now()
	for {
		if time.Since(cmd.sent) > faultCommandBound {
			l.unexpect("POST %s%s %s: no 2xx answer within %v", n.url, path, cmd.key, faultCommandBound)
			l.abandon()
			return nil, false
		}
		if exited(n) {
			l.unexpect("POST %s%s %s: the node exited: %v\n%s", n.url, path, cmd.key, n.err, n.out)
			l.abandon()
			return nil, false
		}
		ans, err := keyedPost(a, path, cmd.key, body)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			l.retry("client timeout (30s)")
			continue
		case err != nil:
			l.retry("connection error")
			time.Sleep(250 * time.Millisecond)
			continue
		case ans.status >= 200 && ans.status < 300:
			cmd.answered = time.Now()
			return ans.body, true
		}
		var p struct {
			Code string `json:"code"`
		}
		json.Unmarshal(ans.body, &p)
		if ans.status != http.StatusServiceUnavailable && !(ans.status == http.StatusConflict && p.Code == "idempotency_in_flight") {
			l.unexpect("POST %s%s %s = %d %s, want 2xx, or 503 to retry", n.url, path, cmd.key, ans.status, ans.body)
			l.abandon()
			return nil, false
		}
		l.retry(fmt.Sprintf("%d %s", ans.status, p.Code))
		after, err := strconv.Atoi(ans.header.Get("Retry-After"))
		if err != nil || after < 0 {
			l.unexpect("POST %s%s %s = %d %s with Retry-After %q, want a number of seconds", n.url, path, cmd.key, ans.status, ans.body, ans.header.Get("Retry-After"))
			after = 1
		}
		time.Sleep(time.Duration(after) * time.Second)
	}
}

func exited(n *node) bool {
	select {
	case <-n.exited:
		return true
	default:
		return false
	}
}

func (l *load) record(cmd loadCommand, incident string) {
	cmd.incident = incident
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done = append(l.done, cmd)
	l.maxWait = max(l.maxWait, cmd.answered.Sub(cmd.sent))
}

func (l *load) retry(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.retried[kind]++
}

func (l *load) abandon() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.abandoned++
}

func (l *load) unexpect(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unexpected = append(l.unexpected, fmt.Sprintf(format, args...))
}

// answeredSince counts the commands first sent at or after since that were
// answered 2xx, and returns the soonest answer among them.
func (l *load) answeredSince(since time.Time) (int, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, first := 0, time.Time{}
	for _, c := range l.done {
		if c.sent.Before(since) {
			continue
		}
		n++
		if first.IsZero() || c.answered.Before(first) {
			first = c.answered
		}
	}
	return n, first
}

// waitAnswered waits until at least n commands first sent at or after
// since have been answered 2xx, and returns how long after since the first
// of them was. It fails the test if a node exits or that takes more than
// faultPhaseBound.
func (l *load) waitAnswered(t *testing.T, since time.Time, n int) time.Duration {
	t.Helper()
	deadline := time.Now().Add(faultPhaseBound)
	for {
		got, first := l.answeredSince(since)
		if got >= n {
			return first.Sub(since)
		}
		for _, nd := range l.c.nodes {
			if exited(nd) {
				l.finish()
				t.Fatalf("%s exited under the load (%v), want it to ride out the fault\n%s", nd.url, nd.err, nd.out)
			}
		}
		if time.Now().After(deadline) {
			l.finish()
			t.Fatalf("%d commands sent since %s answered after %v, want %d; retried: %v; unexpected: %q\n%s",
				got, since.Format("15:04:05.000"), faultPhaseBound, n, l.retried, l.unexpected, nodeOutputs(l.c))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// finish stops the load and waits for its commands' answers.
func (l *load) finish() {
	l.stop.Store(true)
	l.wg.Wait()
}

func nodeOutputs(c *cluster) string {
	var outs []string
	for _, n := range c.nodes {
		outs = append(outs, fmt.Sprintf("--- %s:\n%s", n.url, n.out))
	}
	return strings.Join(outs, "\n")
}

// report logs what the clients saw, and fails the test for any answer a
// client may not get.
func (l *load) report(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	retries := 0
	for _, k := range l.retried {
		retries += k
	}
	t.Logf("load: %d commands answered 2xx, %d abandoned; %d answers or errors retried under the same key (%v); longest wait from a command's first try to its 2xx: %v",
		len(l.done), l.abandoned, retries, l.retried, l.maxWait.Round(time.Millisecond))
	for i, u := range l.unexpected {
		if i == 10 {
			t.Errorf("… %d unexpected answers in all", len(l.unexpected))
			break
		}
		t.Error(u)
	}
	if len(l.unexpected) > 0 {
		t.Logf("the nodes' output:\n%s", nodeOutputs(l.c))
	}
}

// checkOneLog checks, after the load, that both nodes run and serve one
// log, with the same head and checkpoint, that tenfour verify accepts, and
// that holds every answered command exactly once.
func checkOneLog(t *testing.T, c *cluster, l *load, seen []seenCheckpoint) {
	t.Helper()
	for _, n := range c.nodes {
		if exited(n) {
			t.Fatalf("%s exited (%v), want it serving\n%s", n.url, n.err, n.out)
		}
	}
	seq, h := waitSequencer(t, c.nodes, 0)
	// Both nodes serve the same head and checkpoint, once the follower has
	// read what the sequencer last wrote.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var heads []int64
		var cps [][]byte
		for _, n := range c.nodes {
			hn, _, err := readyz(n)
			if err != nil {
				t.Fatal(err)
			}
			heads = append(heads, hn.Head)
			cps = append(cps, waitCheckpoint(t, n, c.key, max(hn.Head, h.Head)))
		}
		if heads[0] == heads[1] && string(cps[0]) == string(cps[1]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s the nodes serve heads %v and checkpoints %q, want the same", heads, cps)
		}
		time.Sleep(50 * time.Millisecond)
	}

	tree, raw, err := independentRead(t, seq.url, c.key)
	if err != nil {
		t.Fatalf("independentRead(%s) = %v, want nil", seq.url, err)
	}
	for _, n := range c.nodes {
		if n == seq {
			continue
		}
		if got, err := independentVerify(t, n.url, c.key); err != nil || got != tree {
			t.Errorf("independentVerify(%s) = %v, %v; want %v, nil: the sequencer's log", n.url, got, err, tree)
		}
	}
	for _, n := range c.nodes {
		if stdout, stderr, code := runTenfour(t, "verify", "--key", c.key, n.url); code != 0 {
			t.Errorf("tenfour verify %s exited %d, want 0\n%s%s", n.url, code, stdout, stderr)
		}
	}
	checkConsistent(t, seq.url, c.key, seen)

	// Each incident is created once and cleared at most once: a command
	// sent again under its key is never done twice.
	events := map[string]map[string]int{"create": {}, "clear": {}} // what → incident → events
	entries := parseEntries(t, raw)
	for _, e := range entries {
		switch e.Type {
		case "incident.created":
			events["create"][e.Subject["incident"]]++
		case "incident.cleared":
			events["clear"][e.Subject["incident"]]++
		}
	}
	for what, byIncident := range events {
		for id, k := range byIncident {
			if k != 1 {
				t.Errorf("incident %s has %d %s events in the log, want 1", id, k, what)
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	answered := map[string]int{}
	missing := 0
	for _, cmd := range l.done {
		answered[cmd.what]++
		if cmd.incident == "" {
			// Answered "done" with its first event: that event is the one
			// that created its incident.
			if cmd.seq < 0 || cmd.seq >= int64(len(entries)) || entries[cmd.seq].Type != "incident.created" {
				t.Errorf("%s (key %s) was answered done at event %d, which is not an incident.created of the log", cmd.what, cmd.key, cmd.seq)
				continue
			}
			cmd.incident = entries[cmd.seq].Subject["incident"]
		}
		if events[cmd.what][cmd.incident] != 1 {
			if missing++; missing <= 10 {
				t.Errorf("%s of incident %s (key %s) was answered %s and is in %d events of the log, want 1",
					cmd.what, cmd.incident, cmd.key, cmd.answered.Format("15:04:05.000"), events[cmd.what][cmd.incident])
			}
		}
	}
	if missing > 10 {
		t.Errorf("… %d answered commands missing in all", missing)
	}
	// Every command the load sent was answered (or the test already
	// failed): the log holds no command nobody was answered for.
	if l.abandoned == 0 {
		for what, byIncident := range events {
			if len(byIncident) != answered[what] {
				t.Errorf("the log holds %d incidents' %s events, the clients were answered for %d", len(byIncident), what, answered[what])
			}
		}
	}
	t.Logf("one log of %d entries on both nodes: %d incidents created, %d cleared", tree.N, len(events["create"]), len(events["clear"]))
}

// TestClusterPostgresRestart restarts PostgreSQL twice, in immediate mode
// (as after a crash: every connection is cut, the server recovers from its
// write-ahead log), under a steady command load on two nodes. The nodes
// reconnect; commands wait or get 503 with Retry-After; every command
// answered 2xx is in the one log exactly once.
func TestClusterPostgresRestart(t *testing.T) {
	began := time.Now()
	defer func() { t.Logf("the test took %v", time.Since(began).Round(time.Millisecond)) }()
	srv, c := startFaultCluster(t)
	t.Logf("%v: the cluster serves", time.Since(began).Round(time.Millisecond))
	collect := collectCheckpoints(c.nodes)
	l := startLoad(c)
	defer l.finish()
	l.waitAnswered(t, time.Time{}, 10)

	for i := range 2 {
		before := l.snapshot()
		at := time.Now()
		if err := srv.Restart(context.Background()); err != nil {
			l.finish()
			t.Fatal(err)
		}
		restarted := time.Since(at)
		first := l.waitAnswered(t, at, 12)
		t.Logf("restart %d: pg_ctl restart -m immediate took %v; the first command sent after it began was answered 2xx %v after it began; meanwhile %s",
			i+1, restarted.Round(time.Millisecond), first.Round(time.Millisecond), l.since(before))
	}
	// Keep loading a while after the last restart.
	l.waitAnswered(t, time.Now(), 24)
	l.finish()
	l.report(t)
	checkOneLog(t, c, l, collect())
}

// TestClusterPostgresPause stops PostgreSQL (SIGSTOP, every process of it)
// for longer than the sequencer lease, under a steady command load on two
// nodes, then lets it run again: commands wait or get 503 with
// Retry-After; afterwards there is one log, with every command answered
// 2xx in it exactly once.
func TestClusterPostgresPause(t *testing.T) {
	began := time.Now()
	defer func() { t.Logf("the test took %v", time.Since(began).Round(time.Millisecond)) }()
	srv, c := startFaultCluster(t)
	t.Logf("%v: the cluster serves", time.Since(began).Round(time.Millisecond))
	collect := collectCheckpoints(c.nodes)
	l := startLoad(c)
	defer l.finish()
	l.waitAnswered(t, time.Time{}, 10)

	before := l.snapshot()
	at := time.Now()
	if err := srv.Pause(); err != nil {
		l.finish()
		t.Fatal(err)
	}
	// The fault is the pause itself, and its length is the point: past the
	// lease, and past the 10 s a command waits for the store before it is
	// answered 503 (http.DefaultForwardTimeout), so that clients see both.
	time.Sleep(faultPause)
	srv.Resume()
	resumed := time.Now()
	first := l.waitAnswered(t, at, 12)
	t.Logf("PostgreSQL paused for %v (lease %v); the first command sent after the pause began was answered 2xx %v after it began (%v after SIGCONT); meanwhile %s",
		resumed.Sub(at).Round(time.Millisecond), clusterLease, first.Round(time.Millisecond), (first - resumed.Sub(at)).Round(time.Millisecond), l.since(before))
	l.waitAnswered(t, time.Now(), 24)
	l.finish()
	l.report(t)
	checkOneLog(t, c, l, collect())
}

// A loadSnapshot is the load's counters at a moment.
type loadSnapshot struct {
	retried map[string]int
	done    int
}

func (l *load) snapshot() loadSnapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := make(map[string]int, len(l.retried))
	for k, v := range l.retried {
		r[k] = v
	}
	return loadSnapshot{retried: r, done: len(l.done)}
}

// since describes what the clients saw since s: the retried answers by
// kind, and the longest wait of a command answered since.
func (l *load) since(s loadSnapshot) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var kinds []string
	for k, v := range l.retried {
		if d := v - s.retried[k]; d > 0 {
			kinds = append(kinds, fmt.Sprintf("%d × %s", d, k))
		}
	}
	slices.Sort(kinds)
	var longest time.Duration
	for _, c := range l.done[s.done:] {
		longest = max(longest, c.answered.Sub(c.sent))
	}
	if len(kinds) == 0 {
		kinds = []string{"nothing retried"}
	}
	return fmt.Sprintf("%s; %d commands answered, the longest after %v", strings.Join(kinds, ", "), len(l.done)-s.done, longest.Round(time.Millisecond))
}
