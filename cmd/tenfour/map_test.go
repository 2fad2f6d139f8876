package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/geo"
)

// riverbendDir is a second city that shares nothing with the demo's grid:
// curved and diagonal streets, address points, places and zones
// (geo/riverbend_test.go made it).
const riverbendDir = "../../geo/testdata/riverbend"

// TestServeOwnMap runs a node on a centre's own map: incidents at an
// address, at the crossing of a diagonal and a curved street, and at a
// place's alias are placed where the map says, with its district and beat.
func TestServeOwnMap(t *testing.T) {
	m, err := geo.LoadDir(riverbendDir)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runTenfour(t, "map", "check", riverbendDir)
	if code != 0 || !strings.Contains(stdout, "7 streets") && !strings.Contains(stdout, "streets,") {
		t.Fatalf("tenfour map check = %d %q %q, want the map's figures", code, stdout, stderr)
	}

	n := startNode(t, "serve", t.TempDir(), "--map", riverbendDir, "--log-level", "warn")
	a := adminAPI(t, n)
	mustCreateAgency(t, a, "rb")
	for _, text := range []string{"1001 Heron Way", "Heron Way & Crescent Dr", "RGH"} {
		want, err := m.Geocode(text)
		if err != nil {
			t.Fatalf("Geocode(%q) = %v", text, err)
		}
		zone, ok := m.ZoneAt(want.Lat, want.Lon)
		if !ok {
			t.Fatalf("ZoneAt(%q) finds no zone; the test wants places inside the zones", text)
		}
		b := a.mustCreate(t, "/api/v1/incidents", map[string]any{"agency": "rb", "type": "THEFT", "location": map[string]string{"text": text}})
		var in struct {
			Location struct {
				Text     string  `json:"text"`
				Lat      float64 `json:"lat"`
				Lon      float64 `json:"lon"`
				Verified bool    `json:"verified"`
				District string  `json:"district"`
				Beat     string  `json:"beat"`
			} `json:"location"`
		}
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		l := in.Location
		if !l.Verified || l.Text != want.Text || l.Lat != want.Lat || l.Lon != want.Lon ||
			l.District != zone.District || l.Beat != zone.Beat {
			t.Errorf("incident at %q placed at %s, want %q at %v,%v verified in district %s beat %s", text, b, want.Text, want.Lat, want.Lon, zone.District, zone.Beat)
		}
	}

	// A map with a broken feature stops the node, naming the file and the
	// feature.
	broken := t.TempDir()
	for _, f := range []string{geo.AddressesFile, geo.StreetsFile, geo.PlacesFile, geo.ZonesFile} {
		b, err := os.ReadFile(filepath.Join(riverbendDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == geo.StreetsFile {
			b = []byte(strings.Replace(string(b), `"ROADCLASS":"`, `"ROADCLASS":"X`, 1))
		}
		if err := os.WriteFile(filepath.Join(broken, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code = runTenfour(t, "serve", "--data", t.TempDir(), "--addr", freeAddr(t), "--map", broken)
	if out := stdout + stderr; code == 0 || !strings.Contains(out, "refusing to start") || !strings.Contains(out, geo.StreetsFile) || !strings.Contains(out, "feature") {
		t.Errorf("tenfour serve --map (broken) = %d %q, want a refusal naming %s and the feature", code, out, geo.StreetsFile)
	}
}
