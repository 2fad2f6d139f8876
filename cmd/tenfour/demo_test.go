package main_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/sim"
)

// The reference scenario is set at a corner of the demo city: on another
// map, `tenfour demo --scenario kedzie` is refused, saying why, before
// anything starts.
func TestDemoKedzieNeedsItsCorner(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runTenfour(t, "demo", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--map", riverbendDir, "--scenario", "kedzie")
	if code == 0 || !strings.Contains(stderr, "--scenario kedzie") || !strings.Contains(stderr, sim.KedziePlace) {
		t.Fatalf("tenfour demo --map riverbend --scenario kedzie exited %d: %s%s; want a refusal naming %s", code, stdout, stderr, sim.KedziePlace)
	}
	if strings.Contains(stdout, "running") {
		t.Errorf("tenfour demo printed %q before refusing, want nothing started", stdout)
	}
}

// `tenfour demo --map DIR` runs the simulated city on that map: its units
// planned from the map's districts and beats, and calls arriving.
func TestDemoOnAnotherMap(t *testing.T) {
	t.Parallel()
	m, err := geo.LoadDir(riverbendDir)
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, "demo", t.TempDir(), "--map", riverbendDir, "--speed", "50", "--seed", "3")
	key := strings.TrimSpace(string(fetchLog(t, n, "key")))
	units := len(sim.PlanOn(m))
	setup := int64(len(sim.Agencies) + units + 2*len(sim.Users()))
	waitCheckpoint(t, n, key, setup+20)
	match := regexp.MustCompile(`created (\d+) units`).FindStringSubmatch(n.out.String())
	if match == nil || match[1] != strconv.Itoa(units) {
		t.Fatalf("tenfour demo --map riverbend printed %q, want it to create the %d units of the map's plan", n.out, units)
	}
	// Calls arrive every few hundred milliseconds at 50×: wait for some.
	var types map[string]int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		_, raw, err := independentRead(t, n.url, key)
		if err != nil {
			t.Fatal(err)
		}
		types = map[string]int{}
		for _, e := range parseEntries(t, raw) {
			types[e.Type]++
		}
		if types["incident.created"] >= 5 {
			break
		}
	}
	if types["unit.created"] != units || types["incident.created"] < 5 {
		t.Errorf("the log holds %v, want %d unit.created and calls arriving", types, units)
	}
	if strings.Contains(n.out.String(), "demo call") {
		t.Errorf("tenfour demo --map riverbend said %q, want its calls entered", n.out)
	}
}
