package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/eido/eidotest"
)

// TestExportEIDO checks "tenfour export --eido": the incident, written as an
// EIDO that NENA's schema accepts, by its id and by its tracking identifier.
func TestExportEIDO(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, "serve", dir, "--log-level", "warn")
	a := adminAPI(t, n)
	mustCreateAgency(t, a, "metro")
	b := a.mustCreate(t, "/api/v1/incidents", map[string]any{
		"agency":    "metro",
		"type":      "THEFT",
		"location":  map[string]any{"text": "3900 S Kedzie Ave"},
		"caller":    map[string]string{"name": "Jane Roe", "phone": "+1 312 555 0147"},
		"narrative": "Bicycle taken from the rack",
	})
	var in struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &in); err != nil || in.ID == "" {
		t.Fatalf("POST /api/v1/incidents = %s (%v), want an incident with an id", b, err)
	}
	tokenFile := filepath.Join(dir, "bootstrap-admin.txt")
	var urn string
	for i, ref := range []string{in.ID, ""} {
		if ref == "" {
			ref = urn // the tracking identifier the first export gave
		}
		out := filepath.Join(dir, "eido.json")
		args := []string{"export", "--eido", "--url", n.url, "--token-file", tokenFile, "--incident", ref, "--out", out}
		stdout, stderr, code := runTenfour(t, args...)
		if code != 0 {
			t.Fatalf("tenfour %s exited %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		eidotest.Validate(t, raw)
		var d eido.Document
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		if d.IncidentComponent == nil || d.IncidentComponent.InternalIncidentID != in.ID || d.IncidentComponent.IncidentTypeCommonRegistryText != "LARCENY" ||
			!strings.Contains(string(raw), "Jane Roe") {
			t.Errorf("export %d: %s, want incident %s, LARCENY, with its caller", i, raw, in.ID)
		}
		id, _, ok := eido.ParseIncidentURN(d.ID)
		if !ok || id != in.ID {
			t.Errorf("export %d: $id %q, want the tracking identifier of %s", i, d.ID, in.ID)
		}
		urn = d.ID
	}
	if _, stderr, code := runTenfour(t, "export", "--eido", "--url", n.url, "--token-file", tokenFile, "--request", "r1"); code == 0 || !strings.Contains(stderr, "--eido takes --incident") {
		t.Errorf("tenfour export --eido --request exited %d, %q; want a refusal", code, stderr)
	}
}
