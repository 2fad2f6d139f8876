package main_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// login posts a sign-in to a node and returns the status and the body.
func login(t *testing.T, n *node, username, password string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(n.url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /api/v1/auth/login: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The checks against a running `tenfour serve`: anonymous reads are
// refused with problem+json, five wrong passwords lock an account so that
// the right one is refused, the log stays public, and an operator lifts the
// lock with `tenfour user unlock` on the stopped node's data directory.
func TestAccessAgainstServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	n := startNode(t, "serve", dir)
	admin := adminAPI(t, n)
	mustCreateAgency(t, admin, "metro")
	admin.mustCreate(t, "/api/v1/users", map[string]any{"username": "ann", "agency": "metro", "roles": []string{"dispatcher"}, "password": "correct horse battery"})

	resp, err := http.Get(n.url + "/api/v1/incidents")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(b), `"status":401`) {
		t.Errorf("anonymous GET /api/v1/incidents = %d %q %s, want 401 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}

	if code, body := login(t, n, "ann", "correct horse battery"); code != 200 {
		t.Fatalf("login(ann, right password) = %d %s, want 200", code, body)
	}
	for i := range 5 {
		if code, body := login(t, n, "ann", "wrong password "+string(rune('a'+i))); code != 401 {
			t.Fatalf("login(ann, wrong password) #%d = %d %s, want 401", i+1, code, body)
		}
	}
	if code, body := login(t, n, "ann", "correct horse battery"); code != 401 || !strings.Contains(body, "locked") {
		t.Fatalf("login(ann, right password) after 5 failures = %d %s, want 401 saying the account is locked", code, body)
	}
	cp := fetchLog(t, n, "checkpoint")
	if !bytes.HasPrefix(cp, []byte("tenfour.local/")) {
		t.Errorf("GET /log/checkpoint = %q, want the public checkpoint", cp)
	}
	// The lock and the failures are in the log, with no secret.
	var health struct {
		LogSize int64 `json:"log_size"`
	}
	if err := json.Unmarshal(admin.mustGet(t, "/healthz"), &health); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	waitCheckpoint(t, n, key, health.LogSize)
	_, raw, err := independentRead(t, n.url, key)
	if err != nil {
		t.Fatalf("read the log: %v", err)
	}
	entries := parseEntries(t, raw)
	var failed, locked int
	for _, e := range entries {
		switch e.Type {
		case "auth.login_failed":
			failed++
		case "auth.locked":
			locked++
		}
	}
	if failed < 5 || locked != 1 {
		t.Errorf("log holds %d auth.login_failed and %d auth.locked, want at least 5 and 1", failed, locked)
	}

	if err := n.stop(t); err != nil {
		t.Fatalf("stop: %v\n%s", err, n.out)
	}
	if stdout, stderr, code := runTenfour(t, "user", "unlock", "ann", "--data", dir); code != 0 || !strings.Contains(stdout, "unlocked ann") {
		t.Fatalf("tenfour user unlock ann = %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code := runTenfour(t, "user", "list", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "ann") || strings.Contains(stdout, "locked until") {
		t.Fatalf("tenfour user list = %d\n%s%s, want ann listed and not locked", code, stdout, stderr)
	}
	n = startNode(t, "serve", dir)
	if code, body := login(t, n, "ann", "correct horse battery"); code != 200 {
		t.Fatalf("login(ann) after unlock = %d %s, want 200", code, body)
	}
}

// The user command refuses a data directory whose node runs, and says what
// to do instead.
func TestUserCLIRefusesRunningNode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	startNode(t, "serve", dir)
	_, stderr, code := runTenfour(t, "user", "list", "--data", dir)
	if code == 0 || !strings.Contains(stderr, "users API") {
		t.Errorf("tenfour user list on a running node = exit %d, %q; want a refusal pointing to the users API", code, stderr)
	}
}
