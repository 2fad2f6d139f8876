package main_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
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

// serve --tls-self-signed answers HTTPS with the certificate whose
// fingerprint it prints, and sends HSTS.
func TestServeTLSSelfSigned(t *testing.T) {
	addr := freeAddr(t)
	out := &syncBuffer{}
	cmd := exec.Command(tenfourBin, "serve", "--data", filepath.Join(t.TempDir(), "data"), "--addr", addr, "--tls-self-signed")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var fingerprint string
	deadline := time.Now().Add(30 * time.Second)
	for fingerprint == "" || !strings.Contains(out.String(), "tenfour is serving on https://"+addr) {
		if time.Now().After(deadline) {
			t.Fatalf("no fingerprint and HTTPS URL within 30 s:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
		for _, line := range strings.Split(out.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "TLS certificate SHA-256: "); ok {
				fingerprint = strings.TrimSpace(v)
			}
		}
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // the certificate is pinned by its fingerprint instead
		VerifyConnection: func(cs tls.ConnectionState) error {
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if hex.EncodeToString(sum[:]) != fingerprint {
				return fmt.Errorf("certificate %x is not the one printed (%s)", sum, fingerprint)
			}
			return nil
		},
	}}}
	var resp *http.Response
	var err error
	for time.Now().Before(deadline) {
		if resp, err = client.Get("https://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("GET https://%s/healthz: %v", addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("GET /healthz over TLS = %d, HSTS %q; want 200 and HSTS", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/healthz"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("plain HTTP to the TLS port = 200 %s, want it refused", b)
		}
	}
}

// tenfour user token makes no token its user could not make: one that
// carries a role with a second factor needs that user's one-time code,
// whoever runs the command line.
func TestUserTokenCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	stdout, stderr, code := runTenfour(t, "user", "add", "--username", "chief", "--roles", "admin", "--password", "chief's long password", "--data", dir)
	_, uri, ok := strings.Cut(stdout, "totp: ")
	if code != 0 || !ok {
		t.Fatalf("tenfour user add chief (admin) = %d\n%s%s, want a user with a second factor", code, stdout, stderr)
	}
	uri, _, _ = strings.Cut(uri, "\n")
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		t.Fatalf("otp.NewKeyFromURL(%q) = %v", uri, err)
	}
	stdout, stderr, code = runTenfour(t, "user", "token", "chief", "--name", "no code", "--data", dir)
	if code == 0 || !strings.Contains(stderr, "one-time code of chief") || strings.Contains(stdout, "t4_") {
		t.Fatalf("tenfour user token chief without --code = %d\n%s%s, want a refusal asking for chief's one-time code", code, stdout, stderr)
	}
	right, err := totp.GenerateCode(key.Secret(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runTenfour(t, "user", "token", "chief", "--name", "with code", "--code", right, "--data", dir)
	if code != 0 || !strings.Contains(stdout, "token: t4_") || !strings.Contains(stdout, "valid until") {
		t.Fatalf("tenfour user token chief --code RIGHT = %d\n%s%s, want a token that expires", code, stdout, stderr)
	}
}
