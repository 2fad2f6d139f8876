package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// runIn runs the tenfour command line in this process.
func runIn(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}

// Every flag of serve and demo can come from TENFOUR_*; a flag on the
// command line wins; a bad value names its variable.
func TestEnvConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	t.Run("OK", func(t *testing.T) {
		t.Setenv("TENFOUR_METRICS_ADDR", "127.0.0.1:9464")
		t.Setenv("TENFOUR_LEASE", "7s")
		t.Setenv("TENFOUR_LOG_FORMAT", "json")
		out, _, err := runIn(t, "serve", "--data", dir, "--check-config")
		if err != nil {
			t.Fatalf("serve --check-config = %v\n%s", err, out)
		}
		for _, want := range []string{"127.0.0.1:9464/metrics", "lease 7s", "format json"} {
			if !strings.Contains(out, want) {
				t.Errorf("serve --check-config with TENFOUR_* set says\n%s\nwant %q in it", out, want)
			}
		}
	})
	t.Run("FlagWins", func(t *testing.T) {
		t.Setenv("TENFOUR_LEASE", "not a duration")
		t.Setenv("TENFOUR_LOG_FORMAT", "xml")
		out, _, err := runIn(t, "serve", "--data", dir, "--lease", "3s", "--log-format", "text", "--check-config")
		if err != nil {
			t.Fatalf("serve --lease 3s --log-format text --check-config with bad TENFOUR_LEASE and TENFOUR_LOG_FORMAT = %v\n%s", err, out)
		}
		if !strings.Contains(out, "lease 3s") || !strings.Contains(out, "format text") {
			t.Errorf("serve --check-config says\n%s\nwant the flags' lease 3s and format text", out)
		}
	})
	t.Run("ErrBadValue", func(t *testing.T) {
		t.Setenv("TENFOUR_LEASE", "soon")
		_, _, err := runIn(t, "serve", "--data", dir, "--check-config")
		if err == nil || !strings.Contains(err.Error(), "TENFOUR_LEASE") || !strings.Contains(err.Error(), "duration") {
			t.Fatalf("serve with TENFOUR_LEASE=soon = %v, want an error naming TENFOUR_LEASE and what it wants", err)
		}
	})
	t.Run("ErrBadValueDemo", func(t *testing.T) {
		t.Setenv("TENFOUR_SPEED", "fast")
		_, _, err := runIn(t, "demo", "--data", dir)
		if err == nil || !strings.Contains(err.Error(), "TENFOUR_SPEED") {
			t.Fatalf("demo with TENFOUR_SPEED=fast = %v, want an error naming TENFOUR_SPEED", err)
		}
	})
	t.Run("ErrSecretNotRepeated", func(t *testing.T) {
		t.Setenv("TENFOUR_SNAPSHOT_EVERY", "hunter2")
		_, _, err := runIn(t, "serve", "--data", dir, "--check-config")
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("serve with TENFOUR_SNAPSHOT_EVERY=hunter2 = %v, want an error that does not repeat the value", err)
		}
	})
	t.Run("Help", func(t *testing.T) {
		for _, cmd := range []string{"serve", "demo"} {
			_, stderr, _ := runIn(t, cmd, "--help")
			for _, want := range []string{"(env TENFOUR_DATA)", "(env TENFOUR_METRICS_ADDR)", "(env TENFOUR_LOG_FORMAT)", "command line wins"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("%s --help does not say %q:\n%s", cmd, want, stderr)
				}
			}
		}
	})
}

func TestVersion(t *testing.T) {
	var outs []string
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, _, err := runIn(t, args...)
		if err != nil {
			t.Fatalf("tenfour %s = %v", args[0], err)
		}
		if !regexp.MustCompile(`^tenfour \S+`).MatchString(out) || !strings.Contains(out, runtime.Version()) {
			t.Errorf("tenfour %s = %q, want tenfour, the module version and %s", args[0], out, runtime.Version())
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("tenfour --version = %q but tenfour version = %q", outs[0], outs[1])
	}
}

// writeTestCert writes a self-signed certificate and its key as PEM files.
func writeTestCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	cert, err := selfSignedCert()
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestCheckConfig(t *testing.T) {
	// A node runs on the data directory while its configuration is
	// checked: the check takes no lock and writes nothing.
	n := startOpsNode(t, nil)
	dir := n.m.DataDir
	n.api.must(t, "POST", "/api/v1/agencies", map[string]string{"id": "metro", "name": "Metro", "kind": "municipal_police"}, 201)
	size := n.m.Engine.Log().Size()
	cert, key := writeTestCert(t)

	t.Run("OK", func(t *testing.T) {
		out, _, err := runIn(t, "serve", "--data", dir, "--tls-cert", cert, "--tls-key", key, "--metrics-addr", "127.0.0.1:9464", "--check-config")
		if err != nil {
			t.Fatalf("serve --check-config = %v\n%s", err, out)
		}
		m := regexp.MustCompile(`ok +store +SQLite \S+, (\d+) events`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("serve --check-config says\n%s\nwant the store's line with its events", out)
		}
		var events int64
		fmt.Sscan(m[1], &events)
		if events < size {
			t.Errorf("serve --check-config counts %d events, want at least the %d the node had", events, size)
		}
		for _, want := range []string{"ok    signing key", "origin " + n.m.Engine.Log().Origin(), "ok    tls", "valid until", "the configuration is good"} {
			if !strings.Contains(out, want) {
				t.Errorf("serve --check-config says\n%s\nwant %q in it", out, want)
			}
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		fail string // the check that fails
	}{
		{"ErrTLSMissing", []string{"--tls-cert", filepath.Join(t.TempDir(), "none.pem"), "--tls-key", key}, "tls"},
		{"ErrTLSHalf", []string{"--tls-cert", cert}, "tls"},
		{"ErrDB", []string{"--db", "mysql://user:secret@db/tenfour"}, "store"},
		{"ErrMap", []string{"--map", filepath.Join(t.TempDir(), "no-map")}, "map"},
		{"ErrAddr", []string{"--metrics-addr", "9464"}, "metrics"},
		{"ErrLogLevel", []string{"--log-level", "loud"}, "logging"},
		{"ErrKey", []string{"--key", filepath.Join(t.TempDir(), "no.key")}, "signing key"},
		{"ErrDataDir", []string{"--data", cert}, "data directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--data", dir}, tc.args...)
			out, _, err := runIn(t, append(args, "--check-config")...)
			if err == nil {
				t.Fatalf("serve %s --check-config = nil error, want a failure\n%s", strings.Join(tc.args, " "), out)
			}
			if !regexp.MustCompile(`(?m)^FAIL  ` + tc.fail + ` `).MatchString(out) {
				t.Errorf("serve %s --check-config says\n%s\nwant the %s check to fail", strings.Join(tc.args, " "), out, tc.fail)
			}
			if strings.Contains(out, "secret") {
				t.Errorf("serve --check-config repeats a database password:\n%s", out)
			}
		})
	}
}
