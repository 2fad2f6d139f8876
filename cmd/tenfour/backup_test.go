package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestBackupRestoreCannotFork backs up a node under write load, restores the
// copy into a fresh directory and starts it beside the original: it must not
// sequence (read-only, saying why at /readyz and in its log), and the
// original's log goes on untouched. Shown the original's newer checkpoint
// it stays read-only; --accept-rollback --reason lets it sequence, and is
// the first event it records.
func TestBackupRestoreCannotFork(t *testing.T) {
	dirA, dirB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	orig := startNode(t, "serve", dirA)
	admin := adminAPI(t, orig)
	keyText := strings.TrimSpace(string(fetchLog(t, orig, "key")))

	// Write load: agencies created one after another by two clients until
	// told to stop.
	var created atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				status, b, err := admin.do(http.MethodPost, "/api/v1/agencies", map[string]string{
					"id": fmt.Sprintf("load-%d-%d", c, i), "name": "Load", "kind": "municipal_police"})
				if err != nil || status != http.StatusCreated {
					t.Errorf("POST /api/v1/agencies = %d %s, %v", status, b, err)
					return
				}
				created.Add(1)
			}
		}()
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()
	until(t, "20 agencies created", func() bool { return created.Load() >= 20 })
	// A checkpoint over most of what the backup will hold.
	waitCheckpoint(t, orig, keyText, 20)

	backup := filepath.Join(t.TempDir(), "tenfour.backup")
	out, errOut, code := runTenfour(t, "backup", "--data", dirA, "--out", backup)
	if code != 0 {
		t.Fatalf("tenfour backup = exit %d\n%s%s", code, out, errOut)
	}
	m := regexp.MustCompile(`backed up (\d+) events to .*, verified: root (\S+), checkpoint \S+ @ (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("tenfour backup printed %q, want the events, root and checkpoint it holds", out)
	}
	backedUp, _ := strconv.ParseInt(m[1], 10, 64)
	if cpAt, _ := strconv.ParseInt(m[3], 10, 64); cpAt < 20 || cpAt > backedUp {
		t.Fatalf("the backup of %d events holds a checkpoint @ %d, want one of at least 20 events, within the copy", backedUp, cpAt)
	}
	atBackup := created.Load()
	// The original goes on past the backup before the load stops.
	until(t, "more agencies after the backup", func() bool { return created.Load() >= atBackup+20 })
	close(stop)
	wg.Wait()
	if t.Failed() {
		return
	}
	origCheckpoint := waitCheckpoint(t, orig, keyText, backedUp+20)
	origFile := filepath.Join(t.TempDir(), "original.checkpoint")
	if err := os.WriteFile(origFile, origCheckpoint, 0o600); err != nil {
		t.Fatal(err)
	}

	out, errOut, code = runTenfour(t, "restore", "--in", backup, "--data", dirB, "--key", filepath.Join(dirA, "log.key"))
	if code != 0 || !strings.Contains(out, fmt.Sprintf("restored %d events", backedUp)) {
		t.Fatalf("tenfour restore = exit %d\n%s%s", code, out, errOut)
	}
	// A restore refuses a directory that is not empty.
	if _, errOut, code := runTenfour(t, "restore", "--in", backup, "--data", dirB, "--key", filepath.Join(dirA, "log.key")); code == 0 || !strings.Contains(errOut, "not empty") {
		t.Fatalf("tenfour restore into a non-empty directory = exit %d %q, want refused", code, errOut)
	}

	// Beside the original: read-only, and says why.
	restored := startNode(t, "serve", dirB)
	h := mustReadOnly(t, restored, "restored from a backup of "+m[1]+" events")
	if h.LogSize != backedUp || h.Role == "sequencer" || h.Sequencer != "" {
		t.Fatalf("restored node: log_size %d role %q sequencer %q, want %d, not the sequencer, and no lease (the copy's was the original's)", h.LogSize, h.Role, h.Sequencer, backedUp)
	}
	if !strings.Contains(restored.out.String(), "read-only: this node will not sequence") {
		t.Fatalf("the restored node's log does not say it is read-only:\n%s", restored.out)
	}
	onRestored := *admin
	onRestored.url = restored.url
	status, b, err := onRestored.do(http.MethodPost, "/api/v1/agencies", map[string]string{"id": "after-restore", "name": "X", "kind": "municipal_police"})
	if err != nil || status != http.StatusServiceUnavailable || !strings.Contains(string(b), `"code":"read_only"`) {
		t.Fatalf("a command on the restored node = %d %s, %v; want 503 read_only", status, b, err)
	}
	onRestored.mustGet(t, "/api/v1/agencies") // reads go on

	// The original is untouched: it still takes commands, and its log
	// verifies and extends the checkpoint it had served.
	mustCreateAgency(t, admin, "after-restore")
	if out, errOut, code := runTenfour(t, "verify", "--key", keyText, "--since", origFile, orig.url+"/"); code != 0 {
		t.Fatalf("tenfour verify of the original = exit %d\n%s%s", code, out, errOut)
	}
	origTree, err := independentVerify(t, orig.url, keyText)
	if err != nil || origTree.N <= backedUp+20 {
		t.Fatalf("the original's log: %d events, %v; want more than %d, verified", origTree.N, err, backedUp+20)
	}
	// The restored node's checkpoint is a prefix of the original's log.
	if err := independentConsistent(t, orig.url, keyText, fetchLog(t, restored, "checkpoint")); err != nil {
		t.Fatalf("the restored node's checkpoint is not a prefix of the original's log: %v", err)
	}
	if err := restored.stop(t); err != nil {
		t.Fatalf("stop the restored node: %v\n%s", err, restored.out)
	}

	// Pointed at the original, which still sequences: two sequencers of
	// one log fork it, however long each.
	restored = startNode(t, "serve", dirB, "--checkpoint-from", orig.url)
	mustReadOnly(t, restored, "still sequences this log")
	if err := restored.stop(t); err != nil {
		t.Fatalf("stop the restored node: %v\n%s", err, restored.out)
	}

	// Shown the original's newer checkpoint, it knows what it lacks.
	restored = startNode(t, "serve", dirB, "--checkpoint-from", origFile)
	mustReadOnly(t, restored, fmt.Sprintf("the log has %d events but a checkpoint of %d was published", backedUp, h2size(t, origCheckpoint, keyText)))
	if err := restored.stop(t); err != nil {
		t.Fatalf("stop the restored node: %v\n%s", err, restored.out)
	}

	// The operator accepts the rollback: it sequences, and says so first.
	restored = startNode(t, "serve", dirB, "--checkpoint-from", origFile, "--accept-rollback", "--reason", "drill: the original's disk is lost")
	hz, code2, err := readyz(restored)
	if err != nil || code2 != http.StatusOK || hz.Role != "sequencer" {
		t.Fatalf("/readyz after --accept-rollback = %d %+v, %v; want 200, sequencer", code2, hz, err)
	}
	waitCheckpoint(t, restored, keyText, backedUp+1)
	_, entries, err := independentRead(t, restored.url, keyText)
	if err != nil {
		t.Fatalf("the restored node's log does not verify: %v", err)
	}
	got := parseEntries(t, entries)
	if int64(len(got)) <= backedUp {
		t.Fatalf("the restored node's log has %d events, want the accepted rollback after the %d restored", len(got), backedUp)
	}
	ev := got[backedUp]
	var data map[string]string
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "log.rollback_accepted" || data["log_size"] != m[1] ||
		data["published_size"] != strconv.FormatInt(h2size(t, origCheckpoint, keyText), 10) ||
		ev.Private["/data/reason"] == "" || ev.Private["/actor/user"] == "" || data["reason"] != "" {
		t.Fatalf("event %d = %s %s private %v; want log.rollback_accepted with the sizes public and who and why committed", backedUp, ev.Type, ev.Data, ev.Private)
	}
	if _, err := os.Stat(filepath.Join(dirB, "restored.json")); !os.IsNotExist(err) {
		t.Fatalf("the restored mark is still there after the rollback was accepted: %v", err)
	}
}

// mustReadOnly checks that node n answers /readyz 503 read_only with a
// reason containing why.
func mustReadOnly(t *testing.T, n *node, why string) health {
	t.Helper()
	h, code, err := readyz(n)
	if err != nil || code != http.StatusServiceUnavailable || h.Status != "read_only" || !strings.Contains(h.Error, why) {
		t.Fatalf("/readyz = %d %+v, %v; want 503 read_only saying %q", code, h, err, why)
	}
	return h
}

// h2size is the size of a signed checkpoint of the log key signs.
func h2size(t *testing.T, checkpoint []byte, key string) int64 {
	t.Helper()
	_, tree, err := ivOpenCheckpoint(checkpoint, key)
	if err != nil {
		t.Fatal(err)
	}
	return tree.N
}

func TestBackupRefusesCorruptCopy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a")
	n := startNode(t, "serve", dir)
	mustCreateAgency(t, adminAPI(t, n), "metro")
	waitCheckpoint(t, n, strings.TrimSpace(string(fetchLog(t, n, "key"))), 3)
	backup := filepath.Join(t.TempDir(), "tenfour.backup")
	if out, errOut, code := runTenfour(t, "backup", "--data", dir, "--out", backup); code != 0 {
		t.Fatalf("tenfour backup = exit %d\n%s%s", code, out, errOut)
	}
	// Another log's key: the copy is not this log's.
	other := filepath.Join(t.TempDir(), "other.key")
	if out, errOut, code := runTenfour(t, "keygen", "--origin", "example.test/other", "--out", other); code != 0 {
		t.Fatalf("tenfour keygen = exit %d\n%s%s", code, out, errOut)
	}
	dirB := filepath.Join(t.TempDir(), "b")
	if _, errOut, code := runTenfour(t, "restore", "--in", backup, "--data", dirB, "--key", other); code == 0 || !strings.Contains(errOut, "refusing to restore") || !strings.Contains(errOut, "signed by key") {
		t.Fatalf("restore with another log's key = exit %d %q, want refused", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dirB, "tenfour.db")); !os.IsNotExist(err) {
		t.Fatalf("a refused restore left a database: %v", err)
	}
	// A damaged copy: one event's bytes changed.
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), `"type":"agency.created"`)
	if i < 0 {
		t.Fatal("the backup holds no agency.created event in clear")
	}
	copy(b[i:], `"type":"agency.createe"`)
	if err := os.WriteFile(backup, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runTenfour(t, "restore", "--in", backup, "--data", dirB, "--key", filepath.Join(dir, "log.key")); code == 0 || !strings.Contains(errOut, "does not verify") || !strings.Contains(errOut, "altered") {
		t.Fatalf("restore of a damaged backup = exit %d %q, want refused naming the altered event", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dirB, "tenfour.db")); !os.IsNotExist(err) {
		t.Fatalf("a refused restore left a database: %v", err)
	}
}
