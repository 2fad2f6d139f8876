package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand imports the hand-written EIDO into a running node with
// tenfour import: created, then unchanged; a broken EIDO and a missing
// file end in explicit errors, the first naming the JSON pointer.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, "serve", dir)
	a := adminAPI(t, n)
	mustCreateAgency(t, a, "metro")
	tokenFile := filepath.Join(dir, "bootstrap-admin.txt")
	eido := filepath.Join("..", "..", "eido", "testdata", "import-incident.json")

	out, errOut, code := runTenfour(t, "import", "--url", n.url, "--token-file", tokenFile, "--agency", "metro", eido)
	if code != 0 || !strings.HasPrefix(out, "created metro-") || !strings.Contains(out, n.url+"/api/v1/incidents/metro-") ||
		!strings.Contains(out, "kept only in the original: /additionalDataComponent") {
		t.Fatalf("tenfour import = %d\n%s%s\nwant created, the URL and what is kept only in the original", code, out, errOut)
	}
	id := strings.Fields(out)[1]
	out, errOut, code = runTenfour(t, "import", "--url", n.url, "--token-file", tokenFile, "--agency", "metro", eido)
	if code != 0 || !strings.HasPrefix(out, "unchanged "+id+" ") {
		t.Errorf("tenfour import again = %d\n%s%s\nwant %s unchanged", code, out, errOut, id)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	b, err := os.ReadFile(eido)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bad, []byte(strings.Replace(string(b), `"eidoVersion": "1.0"`, `"eidoVersion": 1`, 1)), 0o600)
	_, errOut, code = runTenfour(t, "import", "--url", n.url, "--token-file", tokenFile, "--agency", "metro", bad)
	if code != 1 || !strings.Contains(errOut, "422") || !strings.Contains(errOut, `"/eidoVersion"`) {
		t.Errorf("tenfour import of a bad EIDO = %d\n%s\nwant 1, 422 and the pointer /eidoVersion", code, errOut)
	}
	_, errOut, code = runTenfour(t, "import", "--url", n.url, "--token-file", tokenFile, "--agency", "metro", filepath.Join(dir, "nothing.json"))
	if code != 1 || !strings.Contains(errOut, "nothing.json") {
		t.Errorf("tenfour import of a missing file = %d\n%s\nwant 1 naming the file", code, errOut)
	}
	_, errOut, code = runTenfour(t, "import", "--url", n.url, "--token-file", tokenFile)
	if code != 1 || !strings.Contains(errOut, "one EIDO file") {
		t.Errorf("tenfour import with no file = %d\n%s\nwant 1 asking for one", code, errOut)
	}
}
