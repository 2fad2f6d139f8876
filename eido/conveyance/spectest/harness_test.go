package spectest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The notifier under test is a real `tenfour serve` process, built from
// this module and driven through its public HTTP API only: the package
// imports nothing of tenfour, so the subscriber checks the notifier
// against the standard, not against tenfour's own reading of it.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// tenfour builds the tenfour command once for the package's tests.
func tenfour(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tenfour-spectest-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "tenfour")
		out, err := exec.Command("go", "build", "-o", binary, "github.com/tenfour-cad/tenfour/cmd/tenfour").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// api calls the node's API with a bearer token.
type api struct {
	base, token string
}

func (a api) call(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return out
}

// notifier starts a tenfour node with agency metro and a partner account
// (a liaison with an API token); it returns the conveyance's URL, the
// partner's bearer token, and functions that create an incident and change
// one (a note), through the API as the node's administrator.
func notifier(t *testing.T) (url, token string, create func() string, change func(id, note string)) {
	t.Helper()
	bin := tenfour(t)
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--data", filepath.Join(dir, "data"), "--addr", addr)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("tenfour serve's output:\n%s", out.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("tenfour serve did not answer /healthz within 2 minutes:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	admin := api{base: base, token: bootstrapToken(t, filepath.Join(dir, "data", "bootstrap-admin.txt"))}
	admin.call(t, "POST", "/api/v1/agencies", map[string]string{"id": "metro", "name": "Metro PD", "kind": "municipal_police"}, http.StatusCreated)
	admin.call(t, "POST", "/api/v1/users", map[string]any{"username": "partner", "agency": "metro", "roles": []string{"liaison"},
		"password": "a partner's long password"}, http.StatusCreated)
	tok := admin.call(t, "POST", "/api/v1/users/partner/tokens", map[string]any{"name": "EIDO partner", "roles": []string{"liaison"}}, http.StatusCreated)
	token, _ = tok["token"].(string)
	if token == "" {
		t.Fatalf("the partner's token answer %v has no token", tok)
	}
	create = func() string {
		in := admin.call(t, "POST", "/api/v1/incidents", map[string]any{"agency": "metro", "type": "ASSAULT",
			"location": map[string]string{"text": "100 Main St"}}, http.StatusCreated)
		id, _ := in["id"].(string)
		return id
	}
	change = func(id, note string) {
		admin.call(t, "POST", "/api/v1/incidents/"+id+"/notes", map[string]string{"text": note}, http.StatusOK)
	}
	return "ws://" + addr + "/eido/v1/ent", token, create, change
}

// bootstrapToken reads the API token line of a new node's administrator.
func bootstrapToken(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if tok, ok := strings.CutPrefix(s.Text(), "token: "); ok {
			return strings.TrimSpace(tok)
		}
	}
	t.Fatalf("no token line in %s", path)
	return ""
}
