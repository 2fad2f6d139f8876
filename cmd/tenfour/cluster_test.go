package main_test

// Multi-node end-to-end tests: several "tenfour serve" processes on one
// PostgreSQL database and one signing key, as docs/operations.md describes a
// deployment. They kill and pause the sequencer, and check from the outside,
// through the tiles and the event stream, that the nodes keep one log.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

// clusterLease is the sequencer lease the cluster tests give their nodes:
// short, so that a takeover happens within the test's few seconds.
const clusterLease = 2 * time.Second

// The PostgreSQL server of this test binary, started by the first test that
// needs one and stopped by TestMain.
var (
	pgOnce sync.Once
	pgSrv  *pgtest.Server
	pgErr  error
)

// mustNewDatabase returns the DSN of a fresh, empty database, starting the
// test binary's PostgreSQL server on first use.
func mustNewDatabase(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() {
		pgSrv, pgErr = pgtest.Start(context.Background())
		if pgErr != nil {
			return
		}
		// pg_ctl starts the server in a session of its own: an interrupt
		// does not reach it, so stop it here or it outlives the tests.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-sig
			pgSrv.Stop()
			os.Exit(1)
		}()
	})
	if pgErr != nil {
		t.Fatalf("start PostgreSQL: %v", pgErr)
	}
	dsn, err := pgSrv.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// stopPostgres stops the server mustNewDatabase started, if it did.
func stopPostgres() {
	if pgSrv != nil {
		pgSrv.Stop()
	}
}

// A cluster is several "tenfour serve" nodes on one database, with one
// signing key.
type cluster struct {
	key   string // the verifier key, as tenfour keygen printed it
	nodes []*node
	admin *api // the bootstrap administrator
}

// startCluster makes a signing key and starts n nodes on a fresh database,
// one after the other, so that the first one sequences the log.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	return startClusterOn(t, mustNewDatabase(t), n)
}

// startClusterOn is startCluster on the database of dsn.
func startClusterOn(t *testing.T, dsn string, n int) *cluster {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "log.key")
	stdout, stderr, code := runTenfour(t, "keygen", "--origin", "tenfour.test/cluster", "--out", keyFile)
	if code != 0 {
		t.Fatalf("tenfour keygen exited %d\n%s%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`verifier key: (\S+)`).FindStringSubmatch(stdout)
	if m == nil || !strings.HasPrefix(m[1], "tenfour.test/cluster+") {
		t.Fatalf("tenfour keygen printed %q, want the verifier key of tenfour.test/cluster", stdout)
	}
	c := &cluster{key: m[1]}
	for i := range n {
		c.nodes = append(c.nodes, startNode(t, "serve", t.TempDir(),
			"--db", dsn, "--key", keyFile, "--node", fmt.Sprintf("node%d", i+1),
			"--lease", clusterLease.String(), "--checkpoint-interval", "100ms", "--log-level", "warn"))
	}
	// The first node found the database empty and made the administrator;
	// the token is in the database, so it works on every node.
	c.admin = adminAPI(t, c.nodes[0])
	for _, nd := range c.nodes[1:] {
		if _, err := os.Stat(filepath.Join(nd.dir, "bootstrap-admin.txt")); err == nil {
			t.Errorf("%s made a second bootstrap administrator on a shared database", nd.url)
		}
	}
	return c
}

// on returns the administrator's client of node n.
func (c *cluster) on(n *node) *api {
	a := *c.admin
	a.url = n.url
	return &a
}

// health is what /readyz answers.
type health struct {
	Status         string `json:"status"`
	Node           string `json:"node"`
	Role           string `json:"role"`
	Sequencer      string `json:"sequencer"`
	SequencerURL   string `json:"sequencer_url"`
	Epoch          int64  `json:"epoch"`
	LogSize        int64  `json:"log_size"`
	Head           int64  `json:"head"`
	Lag            int64  `json:"lag"`
	CheckpointSize int64  `json:"checkpoint_size"`
	Error          string `json:"error"`
}

// readyz asks a node whether it is ready.
func readyz(n *node) (health, int, error) {
	var h health
	resp, err := logClient.Get(n.url + "/readyz")
	if err != nil {
		return h, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return h, resp.StatusCode, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, resp.StatusCode, fmt.Errorf("/readyz = %q: %w", b, err)
	}
	return h, resp.StatusCode, nil
}

// waitSequencer polls /readyz on nodes until every one is ready, exactly one
// sequences at an epoch above minEpoch, and the others name it at that epoch.
// It returns the sequencer and its report.
func waitSequencer(t testing.TB, nodes []*node, minEpoch int64) (*node, health) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var (
			seq     *node
			seqH    health
			reports []string
			ok      = true
		)
		hs := make([]health, len(nodes))
		for i, n := range nodes {
			h, code, err := readyz(n)
			hs[i] = h
			reports = append(reports, fmt.Sprintf("%s: %d %+v %v", n.url, code, h, err))
			if err != nil || code != http.StatusOK {
				ok = false
				continue
			}
			if h.Role == "sequencer" {
				if seq != nil {
					ok = false
				}
				seq, seqH = n, h
			}
		}
		if ok && seq != nil && seqH.Epoch > minEpoch {
			for _, h := range hs {
				if h.Sequencer != seqH.Node || h.Epoch != seqH.Epoch {
					ok = false
				}
			}
			if ok {
				return seq, seqH
			}
		}
		if time.Now().After(deadline) {
			var outs []string
			for _, n := range nodes {
				outs = append(outs, fmt.Sprintf("--- %s:\n%s", n.url, n.out))
			}
			t.Fatalf("no single ready sequencer above epoch %d after 15s:\n%s\n%s", minEpoch, strings.Join(reports, "\n"), strings.Join(outs, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// unit is the body of POST /api/v1/units for a patrol unit of metro.
func unit(callSign string) map[string]string {
	return map[string]string{"call_sign": callSign, "agency": "metro", "kind": "patrol"}
}

// unitCallSigns lists the call signs of GET /api/v1/units.
func unitCallSigns(t testing.TB, a *api) []string {
	t.Helper()
	var units struct {
		Units []struct {
			CallSign string `json:"call_sign"`
		} `json:"units"`
	}
	if err := json.Unmarshal(a.mustGet(t, "/api/v1/units"), &units); err != nil {
		t.Fatalf("GET /api/v1/units: %v", err)
	}
	var out []string
	for _, u := range units.Units {
		out = append(out, u.CallSign)
	}
	return out
}

// createdCallSigns counts the unit.created events of a log by call sign.
func createdCallSigns(t testing.TB, raw [][]byte) map[string]int {
	t.Helper()
	out := make(map[string]int)
	for _, e := range parseEntries(t, raw) {
		if e.Type != "unit.created" {
			continue
		}
		var d struct {
			CallSign string `json:"call_sign"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatalf("unit.created %d data %s: %v", e.Seq, e.Data, err)
		}
		out[d.CallSign]++
	}
	return out
}

// A seenCheckpoint is a signed checkpoint a node served.
type seenCheckpoint struct {
	node string
	at   time.Time
	note []byte
}

// collectCheckpoints fetches /log/checkpoint from every node every 100 ms
// until the returned function is called; that returns every distinct
// checkpoint seen. Nodes that do not answer are skipped.
func collectCheckpoints(nodes []*node) (stop func() []seenCheckpoint) {
	var (
		seen []seenCheckpoint
		done = make(chan struct{})
		quit = make(chan struct{})
	)
	go func() {
		defer close(done)
		c := &http.Client{Timeout: time.Second}
		distinct := make(map[string]bool)
		for {
			for _, n := range nodes {
				resp, err := c.Get(n.url + "/log/checkpoint")
				if err != nil {
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == http.StatusOK && !distinct[string(b)] {
					distinct[string(b)] = true
					seen = append(seen, seenCheckpoint{node: n.url, at: time.Now(), note: b})
				}
			}
			select {
			case <-quit:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() []seenCheckpoint {
		close(quit)
		<-done
		return seen
	}
}

// An sseEvent is one event of GET /api/v1/stream.
type sseEvent struct {
	id   int64
	typ  string
	data string
}

// A subscriber reads a node's event stream from the first event on. When a
// stream ends it resumes with Last-Event-ID, as a browser's EventSource
// does, until the test ends.
type subscriber struct {
	mu      sync.Mutex
	events  []sseEvent
	resumes int
	errs    []string
}

func subscribe(t testing.TB, a *api) *subscriber {
	t.Helper()
	s := &subscriber{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-done
	})
	connected := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(done)
		last := int64(-1) // from event 0
		for {
			last = s.read(ctx, a, last, func() { once.Do(func() { close(connected) }) })
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			s.mu.Lock()
			s.resumes++
			s.mu.Unlock()
		}
	}()
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatalf("GET %s/api/v1/stream: no stream after 10s: %q", a.url, s.errors())
	}
	return s
}

// read reads one stream from the event after last, and returns the id of
// the last event it received. connected is called once the stream answered.
func (s *subscriber) read(ctx context.Context, a *api, last int64, connected func()) int64 {
	fail := func(format string, args ...any) int64 {
		if ctx.Err() == nil {
			s.mu.Lock()
			s.errs = append(s.errs, fmt.Sprintf(format, args...))
			s.mu.Unlock()
		}
		return last
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.url+"/api/v1/stream", nil)
	if err != nil {
		return fail("%v", err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail("GET /api/v1/stream: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		return fail("GET /api/v1/stream = %d %s %q, want 200 text/event-stream", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	connected()
	// The HTML Living Standard's event stream format, as far as the server
	// uses it: id, event and data fields, comments, events ended by a blank
	// line.
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var (
		ev      sseEvent
		hasID   bool
		data    []string
		idError bool
	)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if hasID && !idError {
				ev.data = strings.Join(data, "\n")
				s.mu.Lock()
				s.events = append(s.events, ev)
				s.mu.Unlock()
				last = ev.id
			} else if len(data) > 0 {
				fail("event %q without a valid id", strings.Join(data, "\n"))
			}
			ev, hasID, data, idError = sseEvent{}, false, nil, false
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "": // a comment: keepalive
		case "id":
			id, err := strconv.ParseInt(value, 10, 64)
			ev.id, hasID, idError = id, true, err != nil
		case "event":
			ev.typ = value
		case "data":
			data = append(data, value)
		}
	}
	if err := sc.Err(); err != nil {
		fail("read /api/v1/stream: %v", err)
	}
	return last
}

func (s *subscriber) received() []sseEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

func (s *subscriber) errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.errs)
}

// checkStream checks that the subscriber received exactly the events of the
// log, in order, each with the exact bytes of its entry: it waits up to 10s
// for it to catch up.
func checkStream(t testing.TB, s *subscriber, raw [][]byte) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.received()) < len(raw) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := s.received()
	s.mu.Lock()
	resumes, errs := s.resumes, slices.Clone(s.errs)
	s.mu.Unlock()
	t.Logf("the subscriber received %d events of a log of %d, resuming %d times (%q)", len(got), len(raw), resumes, errs)
	bad := 0
	for i := range max(len(got), len(raw)) {
		var msg string
		switch {
		case i >= len(got):
			msg = fmt.Sprintf("stream event %d missing (the stream has %d events, the log %d)", i, len(got), len(raw))
		case i >= len(raw):
			msg = fmt.Sprintf("stream event %d = id %d, beyond the log of %d events", i, got[i].id, len(raw))
		case got[i].id != int64(i):
			msg = fmt.Sprintf("stream event %d has id %d, want %d (a gap or a duplicate)", i, got[i].id, i)
		case !shownAs(got[i].data, raw[i]):
			msg = fmt.Sprintf("stream event %d data = %q, want the log's entry %q", i, got[i].data, raw[i])
		default:
			var e struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(raw[i], &e); err != nil || got[i].typ != e.Type {
				msg = fmt.Sprintf("stream event %d is named %q, want the entry's type %q", i, got[i].typ, e.Type)
			}
		}
		if msg == "" {
			continue
		}
		if bad++; bad <= 10 {
			t.Error(msg)
		}
	}
	if bad > 10 {
		t.Errorf("… %d stream events wrong in all", bad)
	}
}

// shownAs reports whether a stream event's data is the leaf as the API
// shows it (docs/api.md): the leaf, with the fields it holds as
// commitments ("/data/…", "/actor/user": docs/log.md) put back in place.
// Taking those out again must give the leaf, member for member.
func shownAs(data string, leaf []byte) bool {
	if data == string(leaf) {
		return true
	}
	var shown, want map[string]any
	if json.Unmarshal([]byte(data), &shown) != nil || json.Unmarshal(leaf, &want) != nil {
		return false
	}
	private, _ := want["private"].(map[string]any)
	for f := range private {
		if !strings.HasPrefix(f, "/") {
			continue
		}
		path := strings.Split(f, "/")[1:]
		var o any = shown
		for _, k := range path[:len(path)-1] {
			switch x := o.(type) {
			case map[string]any:
				o = x[k]
			case []any:
				if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(x) {
					o = x[i]
				}
			}
		}
		if m, ok := o.(map[string]any); ok {
			delete(m, path[len(path)-1])
		}
	}
	if s, ok := shown["subject"].(map[string]any); ok && len(s) == 0 {
		delete(shown, "subject")
	}
	return reflect.DeepEqual(shown, want)
}

// checkConsistent checks that every checkpoint seen is consistent with the
// log the node at url now serves.
func checkConsistent(t testing.TB, url, key string, seen []seenCheckpoint) {
	t.Helper()
	for _, cp := range seen {
		if err := independentConsistent(t, url, key, cp.note); err != nil {
			t.Errorf("independentConsistent(final log, checkpoint %s served at %s) = %v, want nil\n%s",
				cp.at.Format("15:04:05.000"), cp.node, err, cp.note)
		}
	}
}

func TestClusterKillSequencer(t *testing.T) {
	c := startCluster(t, 3)
	seq, before := waitSequencer(t, c.nodes, 0)
	var survivors []*node
	for _, n := range c.nodes {
		if n != seq {
			survivors = append(survivors, n)
		}
	}
	watched := survivors[0] // the subscriber's node: a follower that survives
	mustCreateAgency(t, c.on(watched), "metro")
	sub := subscribe(t, c.on(watched))
	collect := collectCheckpoints(c.nodes)

	const writers = 12
	var (
		killed     atomic.Bool
		stop       atomic.Bool
		mu         sync.Mutex
		acked      = make(map[string]string) // call sign → the node that answered 201
		afterKill  int                       // units acknowledged for requests sent after the kill
		failures   = make(map[string]int)    // not acknowledged, by why
		unexpected []string                  // answers that are neither 201 nor a failure to retry
		nAcked     atomic.Int64
		wg         sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				n := c.nodes[(g+i)%len(c.nodes)]
				a := c.on(n)
				a.client = client
				cs := fmt.Sprintf("W%dx%d", g, i)
				sentAfterKill := killed.Load()
				status, b, err := a.do(http.MethodPost, "/api/v1/units", unit(cs))
				mu.Lock()
				switch {
				case err != nil:
					failures["connection error"]++
				case status == http.StatusCreated:
					acked[cs] = n.url
					nAcked.Add(1)
					if sentAfterKill {
						afterKill++
					}
				case status >= 500:
					failures[strconv.Itoa(status)]++
				default:
					unexpected = append(unexpected, fmt.Sprintf("POST %s/api/v1/units %s = %d %s", n.url, cs, status, b))
				}
				mu.Unlock()
			}
		}()
	}

	// Kill the sequencer after 1.5 s of writing, once it has taken some.
	start := time.Now()
	for time.Since(start) < 1500*time.Millisecond || nAcked.Load() == 0 && time.Since(start) < 10*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	ackedBefore := nAcked.Load()
	seq.kill() // SIGKILL, under load
	killed.Store(true)
	killedAt := time.Now()
	// Time the takeover: until a survivor is ready and sequences.
	tookOver := make(chan time.Duration, 1)
	go func() {
		defer close(tookOver)
		for time.Since(killedAt) < 15*time.Second {
			for _, n := range survivors {
				if h, code, err := readyz(n); err == nil && code == http.StatusOK && h.Role == "sequencer" && h.Epoch > before.Epoch {
					tookOver <- time.Since(killedAt)
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// Write on through the takeover: the lease runs out within 2 s and a
	// survivor takes it within a third of that more.
	for time.Since(killedAt) < 4*time.Second || nAcked.Load() == ackedBefore && time.Since(killedAt) < 15*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d units acknowledged (%d before the kill, %d for commands sent after it); not acknowledged: %v",
		len(acked), ackedBefore, afterKill, failures)
	for _, u := range unexpected {
		t.Errorf("%s, want 201, or 5xx while the sequencer changes", u)
	}
	if ackedBefore == 0 || afterKill == 0 {
		t.Errorf("%d units acknowledged before the kill and %d for commands sent after it, want some of each", ackedBefore, afterKill)
	}

	// A survivor sequences at a higher epoch, and the other follows it.
	newSeq, after := waitSequencer(t, survivors, before.Epoch)
	d, ok := <-tookOver
	t.Logf("%s sequenced at epoch %d; %s took over at epoch %d, ready %v after the kill", before.Node, before.Epoch, after.Node, after.Epoch, d.Round(time.Millisecond))
	// docs/operations.md: another node takes the lease within --lease plus
	// a second; another second for a loaded test machine.
	if limit := clusterLease + 2*time.Second; !ok || d > limit {
		t.Errorf("a survivor was a ready sequencer %v after the kill (seen: %t), want within %v", d.Round(time.Millisecond), ok, limit)
	}
	head := after.Head
	for _, n := range survivors {
		waitCheckpoint(t, n, c.key, head)
	}
	seen := collect()

	tree, raw, err := independentRead(t, watched.url, c.key)
	if err != nil {
		t.Fatalf("independentVerify(%s) = %v, want nil", watched.url, err)
	}
	if tree.N != head {
		t.Errorf("independentVerify(%s) tree size = %d, want the head %d", watched.url, tree.N, head)
	}
	for _, n := range survivors {
		if n == watched {
			continue
		}
		if got, err := independentVerify(t, n.url, c.key); err != nil || got != tree {
			t.Errorf("independentVerify(%s) = %v, %v; want %v, nil: the same log as %s", n.url, got, err, tree, watched.url)
		}
	}

	inLog := createdCallSigns(t, raw)
	missing := 0
	for cs, url := range acked {
		if inLog[cs] != 1 {
			if missing++; missing <= 10 {
				t.Errorf("unit %s, acknowledged by %s, is in %d unit.created events of the log, want 1", cs, url, inLog[cs])
			}
		}
	}
	if missing > 10 {
		t.Errorf("… %d acknowledged units wrong in all", missing)
	}
	for cs, k := range inLog {
		if k != 1 {
			t.Errorf("call sign %s is in %d unit.created events, want 1", cs, k)
		}
	}
	for _, n := range survivors {
		listed := unitCallSigns(t, c.on(n))
		if len(listed) != len(inLog) {
			t.Errorf("GET %s/api/v1/units lists %d units, the log created %d", n.url, len(listed), len(inLog))
		}
		missing := 0
		for cs := range acked {
			if !slices.Contains(listed, cs) {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("GET %s/api/v1/units lacks %d acknowledged units", n.url, missing)
		}
	}

	nBefore, nAfter := 0, 0
	for _, cp := range seen {
		if cp.at.Before(killedAt) {
			nBefore++
		} else {
			nAfter++
		}
	}
	t.Logf("%d distinct checkpoints collected before the kill, %d after", nBefore, nAfter)
	if nBefore == 0 || nAfter == 0 {
		t.Errorf("collected %d checkpoints before the kill and %d after, want some of each", nBefore, nAfter)
	}
	checkConsistent(t, newSeq.url, c.key, seen)
	checkStream(t, sub, raw)
}

// A sequencer stopped (SIGSTOP) until another node takes the lease over
// cannot append when it continues: its appends are fenced. It does not stop
// itself: it drops what it had queued (whose callers hear 503 and send it
// again) and follows the new sequencer, serving reads and forwarding
// commands. One log, no fork, nothing acknowledged lost.
func TestClusterPausedSequencerFollows(t *testing.T) {
	c := startCluster(t, 2)
	a, b := c.nodes[0], c.nodes[1]
	seq, ha := waitSequencer(t, c.nodes, 0)
	if seq != a {
		t.Fatalf("the sequencer is %s, want %s, the node that started first", seq.url, a.url)
	}
	mustCreateAgency(t, c.on(a), "metro")
	c.on(a).mustCreate(t, "/api/v1/units", unit("BEFORE"))
	collect := collectCheckpoints(c.nodes)
	h, _, err := readyz(a)
	if err != nil {
		t.Fatal(err)
	}
	waitCheckpoint(t, a, c.key, h.LogSize)
	waitCheckpoint(t, b, c.key, h.LogSize)

	if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: this wakes A before startNode's cleanup kills it.
	t.Cleanup(func() { a.cmd.Process.Signal(syscall.SIGCONT) })
	_, hb := waitSequencer(t, []*node{b}, ha.Epoch)
	t.Logf("%s sequenced at epoch %d; with it stopped, %s took over at epoch %d", ha.Node, ha.Epoch, hb.Node, hb.Epoch)

	// A command for the stopped node waits in its socket.
	answered := make(chan answer, 1)
	wrote := make(chan struct{})
	go func() {
		body, _ := json.Marshal(unit("PAUSED"))
		var once sync.Once
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(func() { close(wrote) }) },
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url+"/api/v1/units", bytes.NewReader(body))
		if err != nil {
			answered <- answer{body: []byte(err.Error())}
			return
		}
		req.Header.Set("Authorization", "Bearer "+c.admin.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "paused-1")
		resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
		if err != nil {
			answered <- answer{body: []byte(err.Error())}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- answer{status: resp.StatusCode, header: resp.Header, body: b}
	}()
	select {
	case <-wrote:
	case ans := <-answered:
		t.Fatalf("POST %s/api/v1/units to the stopped node ended before it was sent: %d %s", a.url, ans.status, ans.body)
	case <-time.After(30 * time.Second):
		t.Fatalf("POST %s/api/v1/units to the stopped node: not sent after 30s", a.url)
	}
	c.on(b).mustCreate(t, "/api/v1/units", unit("VIA-B"))

	resumed := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// A follows B: both ready, B the sequencer at its epoch, A naming it.
	if _, hb2 := waitSequencer(t, c.nodes, ha.Epoch); hb2.Epoch != hb.Epoch {
		t.Errorf("%s sequences at epoch %d, want still %d", b.url, hb2.Epoch, hb.Epoch)
	}
	tFollow := time.Since(resumed)
	// The command that waited in A's socket was either forwarded to B or
	// refused as not recorded (503); sent again with its key, it is done
	// once.
	ans := <-answered
	t.Logf("the stopped node's command, once it resumed: %d %s", ans.status, bytes.TrimSpace(ans.body))
	for ans.status != http.StatusCreated && ans.status != http.StatusOK {
		if ans.status != http.StatusServiceUnavailable {
			t.Fatalf("POST %s/api/v1/units PAUSED = %d %s, want 201, or 503 to be sent again", a.url, ans.status, ans.body)
		}
		if ans, err = keyedPost(c.on(a), "/api/v1/units", "paused-1", unit("PAUSED")); err != nil {
			t.Fatal(err)
		}
	}
	c.on(a).mustCreate(t, "/api/v1/units", unit("VIA-A")) // forwarded to B
	tCommand := time.Since(resumed)
	t.Logf("from SIGCONT: %s follows %s after %v; a command through it is accepted after %v", ha.Node, hb.Node, tFollow.Round(time.Millisecond), tCommand.Round(time.Millisecond))
	select {
	case <-a.exited:
		t.Fatalf("the paused node exited: %v\n%s", a.err, a.out)
	default:
	}
	if !strings.Contains(a.out.String(), "following the log") {
		t.Errorf("the paused node did not log that it follows the log\n%s", a.out)
	}

	// One log, read the same through either node.
	want := []string{"BEFORE", "VIA-B", "PAUSED", "VIA-A"}
	for _, n := range c.nodes {
		if listed := unitCallSigns(t, c.on(n)); len(listed) != len(want) || slices.ContainsFunc(want, func(cs string) bool { return !slices.Contains(listed, cs) }) {
			t.Errorf("GET %s/api/v1/units lists %q, want %q", n.url, listed, want)
		}
	}
	h, _, err = readyz(b)
	if err != nil {
		t.Fatal(err)
	}
	seen := collect()
	for _, n := range c.nodes {
		checkOnce(t, n, c.key, want, nil)
		if tree, _, err := independentRead(t, n.url, c.key); err != nil || tree.N < h.Head {
			t.Errorf("independentRead(%s) = size %d, %v, want the head %d", n.url, tree.N, err, h.Head)
		}
	}
	checkConsistent(t, b.url, c.key, seen)
}

func TestClusterFollowerServesAndForwards(t *testing.T) {
	c := startCluster(t, 2)
	seq, _ := waitSequencer(t, c.nodes, 0)
	follower := c.nodes[0]
	if follower == seq {
		follower = c.nodes[1]
	}
	f := c.on(follower)
	mustCreateAgency(t, f, "metro")
	for i := range 10 {
		cs := fmt.Sprintf("F%d", i)
		f.mustCreate(t, "/api/v1/units", unit(cs))
		if listed := unitCallSigns(t, f); !slices.Contains(listed, cs) {
			t.Errorf("GET %s/api/v1/units right after creating %s there lists %q, want it", follower.url, cs, listed)
		}
		b := f.mustCreate(t, "/api/v1/incidents", map[string]any{
			"agency":   "metro",
			"type":     "THEFT",
			"location": map[string]any{"text": fmt.Sprintf("%d S Kedzie Ave", 3900+i), "lat": 41.82, "lon": -87.70},
		})
		var in struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &in); err != nil || in.ID == "" {
			t.Fatalf("POST %s/api/v1/incidents = %s (%v), want an incident with an id", follower.url, b, err)
		}
		status, got, err := f.do(http.MethodGet, "/api/v1/incidents/"+in.ID, nil)
		if err != nil || status != http.StatusOK {
			t.Errorf("GET %s/api/v1/incidents/%s right after creating it there = %d %s, %v; want 200", follower.url, in.ID, status, got, err)
		}
	}

	sc := fetchLog(t, seq, "checkpoint")
	_, st, err := ivOpenCheckpoint(sc, c.key)
	if err != nil {
		t.Fatalf("the sequencer's checkpoint %q: %v", sc, err)
	}
	fc := waitCheckpoint(t, follower, c.key, st.N)
	_, ft, err := ivOpenCheckpoint(fc, c.key)
	if err != nil {
		t.Fatalf("the follower's checkpoint %q: %v", fc, err)
	}
	if ft.N == st.N && !bytes.Equal(fc, sc) {
		t.Errorf("the follower serves checkpoint %q, the sequencer %q of the same size; want the same", fc, sc)
	}
	if _, err := independentVerify(t, follower.url, c.key); err != nil {
		t.Errorf("independentVerify(follower %s) = %v, want nil", follower.url, err)
	}
	if err := independentConsistent(t, follower.url, c.key, sc); err != nil {
		t.Errorf("independentConsistent(follower %s, the sequencer's checkpoint) = %v, want nil", follower.url, err)
	}

	for _, tt := range []struct {
		n    *node
		role string
	}{{follower, "follower"}, {seq, "sequencer"}} {
		stdout, stderr, code := runTenfour(t, "status", "--url", tt.n.url)
		if code != 0 {
			t.Errorf("tenfour status --url %s exited %d, want 0\n%s%s", tt.n.url, code, stdout, stderr)
		}
		if !regexp.MustCompile(`(?m)^role:\s+` + tt.role + `$`).MatchString(stdout) {
			t.Errorf("tenfour status --url %s says %q, want role %s", tt.n.url, stdout, tt.role)
		}
	}
}
