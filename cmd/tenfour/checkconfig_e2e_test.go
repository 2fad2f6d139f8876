package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The binary exits 0 on a good configuration and 1 on a bad one, and
// answers --version, as a unit file's ExecStartPre or a deploy script
// reads them.
func TestCheckConfigExitCodes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if out, errs, code := runTenfour(t, "serve", "--data", dir, "--check-config"); code != 0 || !strings.Contains(out, "the configuration is good") {
		t.Errorf("serve --check-config on a new directory exited %d, want 0\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("serve --check-config made the data directory %s (stat: %v); it must write nothing", dir, err)
	}
	if out, errs, code := runTenfour(t, "serve", "--data", dir, "--tls-cert", filepath.Join(dir, "none.pem"), "--check-config"); code != 1 || !strings.Contains(errs, "problem") {
		t.Errorf("serve --check-config with a missing certificate exited %d, want 1\n%s%s", code, out, errs)
	}
	if out, errs, code := runTenfour(t, "--version"); code != 0 || !strings.HasPrefix(out, "tenfour ") {
		t.Errorf("tenfour --version exited %d with %q, want 0 and the version\n%s", code, out, errs)
	}
}
