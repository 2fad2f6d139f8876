package main_test

// Faults a node waits out rather than stopping itself (docs/operations.md,
// "Faults"): a node paused past its lease, and a full disk.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

// keyedPost POSTs body to path with an Idempotency-Key and returns the
// answer, or the error of a request that got none.
func keyedPost(a *api, path, key string, body any) (answer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return answer{}, err
	}
	req, err := http.NewRequest(http.MethodPost, a.url+path, bytes.NewReader(b))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := a.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: got}, err
}

// sqliteLeaseLapsed reports whether the sequencer lease in the SQLite store
// of data directory dir has expired, by SQLite's clock: the clock the node's
// own lease is judged by.
func sqliteLeaseLapsed(t testing.TB, dir string) bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "tenfour.db")+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var lapsed bool
	if err := db.QueryRow(`SELECT expires <= (julianday('now') - 2440587.5) * 86400.0 FROM lease WHERE id = 1`).Scan(&lapsed); err != nil {
		t.Fatalf("read the lease: %v", err)
	}
	return lapsed
}

// until polls cond every 20 ms until it holds, failing the test after a
// minute: only a hang takes that long.
func until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkOnce checks that the log a node serves verifies (tenfour verify) and
// holds one unit.created event for each call sign in once and none for those
// in never.
func checkOnce(t *testing.T, n *node, key string, once, never []string) {
	t.Helper()
	h, _, err := readyz(n)
	if err != nil {
		t.Fatal(err)
	}
	waitCheckpoint(t, n, key, h.Head)
	if stdout, stderr, code := runTenfour(t, "verify", "--key", key, n.url+"/log/"); code != 0 {
		t.Fatalf("tenfour verify %s/log/ exited %d\n%s%s", n.url, code, stdout, stderr)
	}
	_, raw, err := independentRead(t, n.url, key)
	if err != nil {
		t.Fatalf("independentRead(%s) = %v", n.url, err)
	}
	created := createdCallSigns(t, raw)
	for _, cs := range once {
		if created[cs] != 1 {
			t.Errorf("the log holds %d unit.created events for %s, want 1", created[cs], cs)
		}
	}
	for _, cs := range never {
		if created[cs] != 0 {
			t.Errorf("the log holds %d unit.created events for %s, want none", created[cs], cs)
		}
	}
}

// A single node on SQLite, stopped (SIGSTOP) until its lease lapses, then
// continued, takes its lease back and goes on: the command that waited in
// its socket is recorded, the next one too, and it never exits.
func TestPausedSingleNodeGoesOn(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, "serve", dir, "--lease", "1s", "--checkpoint-interval", "100ms", "--log-level", "info")
	a := adminAPI(t, n)
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	mustCreateAgency(t, a, "metro")
	a.mustCreate(t, "/api/v1/units", unit("BEFORE"))
	h0, _, err := readyz(n)
	if err != nil {
		t.Fatal(err)
	}

	if err := n.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.cmd.Process.Signal(syscall.SIGCONT) })
	paused := make(chan answer, 1)
	go func() {
		ans, err := keyedPost(a, "/api/v1/units", "paused-1", unit("PAUSED"))
		if err != nil {
			ans.body = []byte(err.Error())
		}
		paused <- ans
	}()
	until(t, "the stopped node's lease to lapse", func() bool { return sqliteLeaseLapsed(t, dir) })
	resumed := time.Now()
	if err := n.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	ans := <-paused
	tPaused := time.Since(resumed)
	if ans.status != http.StatusCreated {
		t.Fatalf("POST /api/v1/units PAUSED, sent while the node was stopped = %d %s, want 201\n%s", ans.status, ans.body, n.out)
	}
	a.mustCreate(t, "/api/v1/units", unit("AFTER"))
	tAfter := time.Since(resumed)
	t.Logf("from SIGCONT: the waiting command answered 201 in %v, a new one in %v", tPaused.Round(time.Millisecond), tAfter.Round(time.Millisecond))

	h, code, err := readyz(n)
	if err != nil || code != http.StatusOK || h.Role != "sequencer" || h.Epoch <= h0.Epoch {
		t.Errorf("/readyz after the pause = %d %+v %v, want 200, the sequencer at an epoch above %d", code, h, err, h0.Epoch)
	}
	if !strings.Contains(n.out.String(), "nobody took it") {
		t.Errorf("the node did not log taking its lapsed lease back\n%s", n.out)
	}
	select {
	case <-n.exited:
		t.Fatalf("the node exited after the pause: %v\n%s", n.err, n.out)
	default:
	}
	checkOnce(t, n, key, []string{"BEFORE", "PAUSED", "AFTER"}, nil)

	// Every acknowledged command is still there after a restart.
	if err := n.stop(t); err != nil {
		t.Fatalf("stop: %v\n%s", err, n.out)
	}
	n = startNode(t, "serve", dir, "--checkpoint-interval", "100ms", "--log-level", "warn")
	a.url = n.url
	if got := unitCallSigns(t, a); !slices.Contains(got, "BEFORE") || !slices.Contains(got, "PAUSED") || !slices.Contains(got, "AFTER") {
		t.Errorf("GET /api/v1/units after a restart = %q, want BEFORE, PAUSED and AFTER", got)
	}
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts it
// at cleanup (after the nodes started later are killed). It skips the test
// when mounting is refused: the ledger's TestCommitStorageFull covers the
// same behaviour with an injected error.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a small filesystem (%v: %s); ledger's TestCommitStorageFull covers a full disk with an injected error", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes zeros to path until the filesystem is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		_, err := f.Write(chunk)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatalf("fill %s: %v", path, err)
		}
	}
	// The last bytes too: a smaller write may still fit.
	for n := len(chunk) / 2; n > 0; n /= 2 {
		f.Write(chunk[:n])
	}
}

// problem is the problem+json body of an error answer.
type problem struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// A node whose disk fills answers commands 503 storage_full with
// Retry-After, goes on serving reads, takes commands again once space is
// freed, and loses nothing it acknowledged.
func TestDiskFull(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := mountTmpfs(t, 24<<20)
	n := startNode(t, "serve", dir, "--checkpoint-interval", "100ms", "--log-level", "info")
	a := adminAPI(t, n)
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	mustCreateAgency(t, a, "metro")
	a.mustCreate(t, "/api/v1/units", unit("BEFORE"))

	filler := filepath.Join(dir, "filler")
	fill(t, filler)
	// SQLite reuses the room its write-ahead log already has: commands go on
	// until it needs more. Send them until one is refused.
	var acked, refused []string // call signs answered 201, and 503
	var full answer
	start := time.Now()
	for i := 0; ; i++ {
		cs := fmt.Sprintf("F%d", i)
		ans, err := keyedPost(a, "/api/v1/units", "full-"+cs, unit(cs))
		if err != nil {
			t.Fatalf("POST unit %s: %v", cs, err)
		}
		if ans.status == http.StatusCreated {
			acked = append(acked, cs)
			if time.Since(start) > 2*time.Minute {
				t.Fatalf("%d commands accepted on a full filesystem in 2 minutes, want 503 storage_full", len(acked))
			}
			continue
		}
		if ans.status != http.StatusServiceUnavailable {
			t.Fatalf("POST unit %s on a full filesystem = %d %s, want 201 or 503", cs, ans.status, ans.body)
		}
		refused = append(refused, cs)
		full = ans
		break
	}
	t.Logf("%d commands accepted after the filesystem filled, before the first 503: %s", len(acked), full.body)
	// The command that met the full disk waited for it and may still be
	// recorded; the next ones are refused at once.
	ans, err := keyedPost(a, "/api/v1/units", "full-NEXT", unit("NEXT"))
	if err != nil {
		t.Fatal(err)
	}
	refused = append(refused, "NEXT")
	for _, ans := range []answer{full, ans} {
		var p problem
		if err := json.Unmarshal(ans.body, &p); err != nil || ans.status != http.StatusServiceUnavailable || p.Code != "storage_full" ||
			ans.header.Get("Content-Type") != "application/problem+json" || ans.header.Get("Retry-After") == "" {
			t.Errorf("a command on a full filesystem = %d %v %s (Retry-After %q), want 503 problem+json storage_full with Retry-After",
				ans.status, ans.header.Get("Content-Type"), ans.body, ans.header.Get("Retry-After"))
		}
	}
	if got := unitCallSigns(t, a); !slices.Contains(got, "BEFORE") || len(acked) > 0 && !slices.Contains(got, acked[len(acked)-1]) {
		t.Errorf("GET /api/v1/units on a full filesystem = %q, want BEFORE and every acknowledged unit", got)
	}
	if h, code, err := readyz(n); err != nil || code != http.StatusOK || h.Status != "degraded" || h.Error != "storage_full" {
		t.Errorf("/readyz on a full filesystem = %d %+v %v, want 200 degraded storage_full", code, h, err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	until(t, "a command to be accepted once space is freed", func() bool {
		ans, err := keyedPost(a, "/api/v1/units", "full-AFTER", unit("AFTER"))
		return err == nil && ans.status == http.StatusCreated
	})
	t.Logf("a command was accepted %v after the space was freed", time.Since(freed).Round(time.Millisecond))
	acked = append(acked, "AFTER")
	// The refused commands, sent again with their keys, are done once.
	for _, cs := range refused {
		ans, err := keyedPost(a, "/api/v1/units", "full-"+cs, unit(cs))
		if err != nil || ans.status != http.StatusCreated && ans.status != http.StatusOK {
			t.Fatalf("POST unit %s again with its key once space is freed = %d %s %v, want it done", cs, ans.status, ans.body, err)
		}
		acked = append(acked, cs)
	}
	if !strings.Contains(n.out.String(), "records events again") {
		t.Errorf("the node did not log that the store records events again\n%s", n.out)
	}

	if err := n.stop(t); err != nil {
		t.Fatalf("stop: %v\n%s", err, n.out)
	}
	n = startNode(t, "serve", dir, "--checkpoint-interval", "100ms", "--log-level", "warn")
	a.url = n.url
	checkOnce(t, n, key, append(acked, "BEFORE"), nil)
}

// A PostgreSQL server that crashes and restarts under a steady load of
// commands: the node waits it out (503 store_unavailable meanwhile, or a
// command that waits), reconnects, and every acknowledged command is in the
// log once — the clients send each refused command again with its
// Idempotency-Key until it is done.
func TestPostgresRestartUnderLoad(t *testing.T) {
	ctx := context.Background()
	srv, err := pgtest.Start(ctx) // a server of its own: this test crashes it
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(srv.Stop)
	dsn, err := srv.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "log.key")
	stdout, stderr, code := runTenfour(t, "keygen", "--origin", "tenfour.test/restart", "--out", keyFile)
	if code != 0 {
		t.Fatalf("tenfour keygen exited %d\n%s%s", code, stdout, stderr)
	}
	key := regexp.MustCompile(`verifier key: (\S+)`).FindStringSubmatch(stdout)[1]
	n := startNode(t, "serve", t.TempDir(), "--db", dsn, "--key", keyFile, "--node", "only",
		"--lease", "2s", "--checkpoint-interval", "100ms", "--log-level", "info")
	a := adminAPI(t, n)
	mustCreateAgency(t, a, "metro")

	var (
		mu       sync.Mutex
		done     []string        // call signs whose command was answered as done
		refusals = map[int]int{} // status → count of refused tries
		acked    atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				cs := fmt.Sprintf("R%dx%d", w, i)
				for {
					select {
					case <-stop:
						return
					default:
					}
					ans, err := keyedPost(a, "/api/v1/units", "restart-"+cs, unit(cs))
					if err == nil && (ans.status == http.StatusCreated || ans.status == http.StatusOK) {
						mu.Lock()
						done = append(done, cs)
						mu.Unlock()
						acked.Add(1)
						break
					}
					mu.Lock()
					refusals[ans.status]++ // 0: no answer
					mu.Unlock()
					if err == nil && ans.status < 500 {
						t.Errorf("POST unit %s = %d %s, want it done or 5xx to retry", cs, ans.status, ans.body)
						return
					}
					// A client backs off as Retry-After says; a tenth of it
					// keeps the test short.
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	until(t, "commands before the restart", func() bool { return acked.Load() >= 20 })
	before := acked.Load()
	restarted := time.Now()
	if err := srv.Restart(ctx); err != nil {
		close(stop)
		wg.Wait()
		t.Fatal(err)
	}
	until(t, "commands after the restart", func() bool { return acked.Load() >= before+40 })
	t.Logf("%d commands done before the crash; 40 more within %v of it", before, time.Since(restarted).Round(time.Millisecond))
	close(stop)
	wg.Wait()
	t.Logf("refused tries, by status: %v", refusals)

	select {
	case <-n.exited:
		t.Fatalf("the node exited: %v\n%s", n.err, n.out)
	default:
	}
	checkOnce(t, n, key, done, nil)
}
