package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/witness"
)

// getText GETs url and returns the body of a 200, or nil for a 404.
func getText(t testing.TB, url string) []byte {
	t.Helper()
	resp, err := logClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return b
	case http.StatusNotFound:
		return nil
	}
	t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	return nil
}

// copyDir copies a stopped node's data directory (a backup).
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(to, "lock"))
}

// TestFederationWitness runs two installations, county and metro, as
// processes. The county adds metro as a peer with tenfour peer add; metro's
// checkpoints are then cosigned by the county's witness, and metro serves
// them cosigned. Metro's database is then restored from a backup and
// appends differently (a fork): the county's witness refuses its next
// checkpoint, keeps both checkpoints and raises witness.fork_detected in
// its own log.
func TestFederationWitness(t *testing.T) {
	county := startNode(t, "serve", filepath.Join(t.TempDir(), "county"), "--origin", "county.example/log", "--checkpoint-interval", "200ms")
	metroDir := filepath.Join(t.TempDir(), "metro")
	metro := startNode(t, "serve", metroDir, "--origin", "metro.example/log", "--checkpoint-interval", "200ms")
	metroKey := strings.TrimSpace(string(fetchLog(t, metro, "key")))
	countyToken := filepath.Join(county.dir, "bootstrap-admin.txt")

	// The county peers with metro, through the CLI, naming metro's
	// witness's key.
	metroWitness := strings.TrimSpace(string(getText(t, metro.url+"/witness/key")))
	out, errOut, code := runTenfour(t, "peer", "add", "--url", county.url, "--token-file", countyToken,
		"--name", "metro", "--peer-url", metro.url, "--origin", "metro.example/log", "--key", metroKey, "--witness-key", metroWitness)
	if code != 0 || !strings.Contains(out, "added peer metro") || !strings.Contains(out, "witness key "+metroWitness) {
		t.Fatalf("tenfour peer add = %d %s%s", code, out, errOut)
	}
	out, _, code = runTenfour(t, "peer", "list", "--url", county.url, "--token-file", countyToken)
	if code != 0 || !strings.Contains(out, "metro.example/log") || !strings.Contains(out, metro.url) || !strings.Contains(out, metroWitness) {
		t.Fatalf("tenfour peer list = %d %s", code, out)
	}
	// Metro knows the county as a peer too, through the API: it submits
	// its checkpoints to the peer's witness.
	ma := adminAPI(t, metro)
	countyKey := strings.TrimSpace(string(fetchLog(t, county, "key")))
	ma.mustCreate(t, "/api/v1/peers", map[string]string{"name": "county", "url": county.url, "origin": "county.example/log", "key": countyKey})
	mustCreateAgency(t, ma, "metro")

	wkey, err := witness.ParseVerifier(string(getText(t, county.url+"/witness/key")))
	if err != nil {
		t.Fatalf("the county's witness key: %v", err)
	}
	logKey, err := note.NewVerifier(metroKey)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "metro's checkpoint cosigned by the county", func() bool {
		msg := getText(t, metro.url+"/witness/cosigned-checkpoint")
		if msg == nil {
			return false
		}
		n, err := note.Open(msg, note.VerifierList(logKey, wkey))
		if err != nil {
			t.Fatalf("the cosigned checkpoint %q does not verify: %v", msg, err)
		}
		return len(n.Sigs) == 2
	})

	// The county's checkpoints are cosigned by metro's witness, whose key
	// the county named; metro, which named none of the county's, trusts
	// the county's witness's key on first use and says so.
	metroWKey, err := witness.ParseVerifier(metroWitness)
	if err != nil {
		t.Fatalf("metro's witness key: %v", err)
	}
	countyLogKey, err := note.NewVerifier(countyKey)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the county's checkpoint cosigned by metro", func() bool {
		msg := getText(t, county.url+"/witness/cosigned-checkpoint")
		if msg == nil {
			return false
		}
		n, err := note.Open(msg, note.VerifierList(countyLogKey, metroWKey))
		if err != nil {
			t.Fatalf("the county's cosigned checkpoint %q does not verify: %v", msg, err)
		}
		return len(n.Sigs) == 2
	})
	if !strings.Contains(metro.out.String(), "trusting the key its witness serves, on first use") {
		t.Errorf("metro's log does not say it trusts the county's witness key on first use:\n%s", metro.out)
	}

	// A backup of metro, then more events on metro, cosigned.
	if err := metro.stop(t); err != nil {
		t.Fatalf("stop metro: %v", err)
	}
	backup := filepath.Join(t.TempDir(), "metro-backup")
	copyDir(t, metroDir, backup)
	metroAddr := strings.TrimPrefix(metro.url, "http://")
	metro = startNode(t, "serve", metroDir, "--addr", metroAddr, "--checkpoint-interval", "200ms")
	backupSize := treeSize(t, metro, metroKey) // the last checkpoint before the stop
	ma = adminAPI(t, metro)
	mustCreateAgency(t, ma, "metro-east")
	cosignedAt := func(n *node) int64 {
		msg := getText(t, n.url+"/witness/cosigned-checkpoint")
		if msg == nil {
			return 0
		}
		lines := strings.Split(string(msg), "\n")
		size, err := strconv.ParseInt(lines[1], 10, 64)
		if err != nil {
			t.Fatalf("cosigned checkpoint %q: %v", msg, err)
		}
		return size
	}
	var held int64
	waitFor(t, "metro's new events cosigned", func() bool {
		held = cosignedAt(metro)
		return held > backupSize && held == treeSize(t, metro, metroKey)
	})
	if err := metro.stop(t); err != nil {
		t.Fatalf("stop metro: %v", err)
	}

	// The backup, copied back by hand (no tenfour restore), comes back:
	// it asks its witnesses what they hold of its log (DATA/witnesses),
	// sees the county's witness hold more, and holds itself read-only.
	restored := startNode(t, "serve", backup, "--addr", metroAddr, "--checkpoint-interval", "200ms")
	ra := adminAPI(t, restored)
	code, b, err := ra.do(http.MethodPost, "/api/v1/agencies", map[string]string{"id": "fork-0", "name": "X", "kind": "municipal_police"})
	if err != nil || code != http.StatusServiceUnavailable || !strings.Contains(string(b), `"code":"read_only"`) ||
		!strings.Contains(restored.out.String(), "was published: restored from an older copy?") ||
		!strings.Contains(restored.out.String(), "a witness holds a checkpoint of this log") || !strings.Contains(restored.out.String(), county.url+"/witness") {
		t.Fatalf("a command on the copy restored by hand = %d %s, %v; want 503 read_only, its witness holding more\n%s", code, b, err, restored.out)
	}
	if err := restored.stop(t); err != nil {
		t.Fatalf("stop the restored copy: %v", err)
	}
	// Its operator accepts the rollback (on the record) and appends
	// differently, more than metro did: a fork.
	restored = startNode(t, "serve", backup, "--addr", metroAddr, "--checkpoint-interval", "200ms",
		"--accept-rollback", "--reason", "restored by hand")
	ra = adminAPI(t, restored)
	for _, id := range []string{"fork-a", "fork-b", "fork-c", "fork-d", "fork-e", "fork-f"} {
		mustCreateAgency(t, ra, id)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("restored:\n%s\ncounty:\n%s", restored.out, county.out)
		}
	})
	waitFor(t, "the county's alert of metro's fork", func() bool {
		_, entries, err := independentRead(t, county.url, countyKey)
		if err != nil {
			t.Fatalf("read the county's log: %v", err)
		}
		for _, e := range parseEntries(t, entries) {
			if e.Type == "witness.fork_detected" {
				var d struct {
					Origin   string `json:"origin"`
					Peer     string `json:"peer"`
					HeldSize int64  `json:"held_size"`
				}
				if err := json.Unmarshal(e.Data, &d); err != nil || d.Origin != "metro.example/log" || d.Peer != "metro" || d.HeldSize != held {
					t.Fatalf("witness.fork_detected = %s, want metro's fork from %d", e.Data, held)
				}
				return true
			}
		}
		return false
	})
	// The restored node was told 422: its tree does not extend the one
	// the witness cosigned.
	waitFor(t, "the restored node told 422 by the county's witness", func() bool {
		return strings.Contains(restored.out.String(), "answered 422")
	})
	// Both checkpoints are kept as evidence: the county's status shows the
	// fork of metro's log, with the size held.
	var status struct {
		Peers []struct {
			Name      string `json:"name"`
			Forks     int    `json:"forks"`
			Witnessed *struct {
				Size int64 `json:"size"`
			} `json:"witnessed"`
		} `json:"peers"`
	}
	if err := json.Unmarshal(adminAPI(t, county).mustGet(t, "/api/v1/federation"), &status); err != nil {
		t.Fatal(err)
	}
	if len(status.Peers) != 1 || status.Peers[0].Name != "metro" || status.Peers[0].Forks < 1 ||
		status.Peers[0].Witnessed == nil || status.Peers[0].Witnessed.Size != held {
		t.Errorf("the county's federation status = %+v, want metro's fork kept and size %d still held", status, held)
	}
	// The county tells metro: the restored log records the county's
	// report of its fork, an alert for its own auditors.
	waitFor(t, "the fork reported in the restored log", func() bool {
		_, entries, err := independentRead(t, restored.url, metroKey)
		if err != nil {
			t.Fatalf("read the restored log: %v", err)
		}
		for _, e := range parseEntries(t, entries) {
			if e.Type == "witness.fork_reported" {
				if e.Subject["peer"] != "county" || e.Subject["origin"] != "metro.example/log" {
					t.Fatalf("witness.fork_reported = %+v", e)
				}
				return true
			}
		}
		return false
	})
	// The restored log is not cosigned beyond what it had before.
	if c := cosignedAt(restored); c >= held {
		t.Errorf("the restored log's cosigned checkpoint is at %d, want below the %d the witness holds", c, held)
	}
}

// treeSize returns the size of the node's newest checkpoint.
func treeSize(t testing.TB, n *node, key string) int64 {
	t.Helper()
	_, tree, err := ivOpenCheckpoint(fetchLog(t, n, "checkpoint"), key)
	if err != nil {
		t.Fatal(err)
	}
	return tree.N
}

// waitFor polls cond until it holds, for a minute at most.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
