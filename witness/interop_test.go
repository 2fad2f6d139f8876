package witness_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/witness"
	"github.com/tenfour-cad/tenfour/witness/spectest"
)

// The independent implementation of C2SP tlog-witness the interop test runs:
// litewitness, of filippo.io/torchwood, built with go install from the
// module proxy into a temporary directory (nothing of it enters tenfour's
// module). It keeps its key in an ssh-agent, which the test serves in
// process with golang.org/x/crypto/ssh/agent.
const torchwood = "filippo.io/torchwood/cmd/%s@v0.6.1"

var (
	liteOnce sync.Once
	liteBin  string
	liteErr  error
)

// TestMain removes the litewitness build, if a test made one.
func TestMain(m *testing.M) {
	code := m.Run()
	if liteBin != "" {
		os.RemoveAll(liteBin)
	}
	os.Exit(code)
}

// buildLitewitness installs litewitness and witnessctl once per test run.
func buildLitewitness(t *testing.T) string {
	t.Helper()
	liteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "litewitness-")
		if err != nil {
			liteErr = err
			return
		}
		cmd := exec.Command("go", "install", strings.Replace(torchwood, "%s", "litewitness", 1), strings.Replace(torchwood, "%s", "witnessctl", 1))
		// Outside tenfour's module, so that its go.mod is neither read nor
		// changed.
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			os.RemoveAll(dir)
			liteErr = errors.New(string(out))
			return
		}
		liteBin = dir
	})
	if liteErr != nil {
		t.Skipf("litewitness (torchwood v0.6.1) cannot be built here, so the interop test cannot run: %v", liteErr)
	}
	return liteBin
}

// litewitness is a running litewitness process.
type litewitness struct {
	url  string
	vkey string // as litewitness logs it
	db   string
	bin  string
}

// startLitewitness runs litewitness with a new Ed25519 key served by an
// in-process ssh-agent on a free loopback port, and returns it with the key
// tenfour computes for its name and public key.
func startLitewitness(t *testing.T) (*litewitness, *witness.Verifier) {
	t.Helper()
	bin := buildLitewitness(t)
	dir := t.TempDir()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); agent.ServeAgent(keyring, c) }()
		}
	}()
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	lw := &litewitness{url: "http://" + addr, db: filepath.Join(dir, "lw.db"), bin: bin}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "litewitness"), "-name", "interop.example/litewitness",
		"-db", lw.db, "-ssh-agent", sock, "-key", ssh.FingerprintSHA256(sshPub), "-listen", addr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	vkeys := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, v, ok := strings.Cut(sc.Text(), "vkey="); ok {
				select {
				case vkeys <- strings.Trim(v, `"`):
				default:
				}
			}
		}
	}()
	select {
	case lw.vkey = <-vkeys:
	case <-time.After(time.Minute):
		t.Fatal("litewitness logged no verifier key within a minute")
	}
	// Wait until it answers.
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(lw.url + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("litewitness does not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, vkey, err := witness.KeyFromSeed("interop.example/litewitness", priv.Seed())
	if err != nil {
		t.Fatal(err)
	}
	v, err := witness.ParseVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return lw, v
}

// trust makes litewitness know a log (witnessctl add-log, add-key).
func (lw *litewitness) trust(t *testing.T, origin, vkey string) {
	t.Helper()
	for _, args := range [][]string{
		{"add-log", "-db", lw.db, "-origin", origin},
		{"add-key", "-db", lw.db, "-origin", origin, "-key", vkey},
	} {
		if out, err := exec.Command(filepath.Join(lw.bin, "witnessctl"), args...).CombinedOutput(); err != nil {
			t.Fatalf("witnessctl %s: %v\n%s", args[0], err, out)
		}
	}
}

// TestInteropLitewitness: tenfour's witness client gets cosignatures from an
// independent implementation of C2SP tlog-witness, and tenfour's
// cosignature/v1 verifier and verifier key agree with it.
func TestInteropLitewitness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs litewitness")
	}
	lw, v := startLitewitness(t)
	if lw.vkey != v.String() {
		t.Errorf("litewitness's verifier key = %s, tenfour computes %s", lw.vkey, v)
	}
	skey, err := ledger.GenerateKey("interop.example/log")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	lw.trust(t, "interop.example/log", k.Text)
	target := witness.Target{Name: "litewitness", URL: lw.url, Verifier: v}
	l := openLedger(t, k)
	c := &witness.Client{Source: l.log, Store: l.st, Targets: func(context.Context) ([]witness.Target, error) { return []witness.Target{target}, nil }}
	for i, n := range []int{3, 1, 40} {
		l.append(t, "interop", i*100, n)
		msg, err := c.Submit(t.Context())
		if err != nil {
			t.Fatalf("Submit %d = %v", i, err)
		}
		if _, err := note.Open(msg, note.VerifierList(k.Verifier, v)); err != nil {
			t.Fatalf("the cosigned checkpoint %q does not verify: %v", msg, err)
		}
	}
	// A client that does not know what litewitness holds learns it from
	// the 409 and is cosigned.
	l.append(t, "interop", 1000, 2)
	fresh := &witness.Client{Source: l.log, Store: l.st, Targets: c.Targets}
	if _, err := fresh.Submit(t.Context()); err != nil {
		t.Fatalf("Submit from a fresh client = %v", err)
	}
}

// TestSpecLitewitness runs the spec-only suite against litewitness: the
// suite's own check, so that it asks of tenfour's witness what an
// independent implementation does. litewitness v0.6.1 departs from the
// text of tlog-witness in two answers, named here; tenfour's witness
// follows the text (TestSpec runs every subtest).
func TestSpecLitewitness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs litewitness")
	}
	lw, v := startLitewitness(t)
	spectest.Run(t, spectest.Witness{URL: lw.url, Key: v.String(), Trust: lw.trust, Deviations: map[string]string{
		"UnknownOrigin":     "litewitness v0.6.1 answers 403 for an unknown origin; the spec says 404",
		"SameSizeOtherRoot": "litewitness v0.6.1 answers 422 for the size held with another root; the spec says 409",
	}})
}
