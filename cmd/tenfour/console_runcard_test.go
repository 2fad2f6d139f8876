package main_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConsoleRunCard shows a run card in the dispatcher's recommendation:
// the demo fire department's chiefs sign off, a structure fire comes in,
// and cfd's dispatcher sees the card named, each unit's slot, and the
// chief the card cannot get; the unit board marks the chiefs "no crew".
// No page's console shows an error.
func TestConsoleRunCard(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	// The fire units report their positions (the demo's patrol) before
	// the call comes in.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pos struct {
			Positions []struct{ Unit string }
		}
		if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/units/positions", nil, http.StatusOK), &pos); err != nil {
			t.Fatal(err)
		}
		fire := 0
		for _, p := range pos.Positions {
			if strings.HasPrefix(p.Unit, "cfd.") {
				fire++
			}
		}
		if fire >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d fire units have a position after 30 s, want 10", fire)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, b := range []string{"cfd.b1", "cfd.b2"} {
		admin.must(t, "POST", "/api/v1/units/"+b+"/sign-off", nil, http.StatusOK)
	}

	browserCtx := startBrowser(t)
	dispatcher := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	defer dispatcher.checkConsole()
	dispatcher.login(creds["cfd-dispatcher"], "dispatch")

	var in struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(admin.must(t, "POST", "/api/v1/incidents", map[string]any{"agency": "cfd",
		"type": "FIRE_STRUCTURE", "location": map[string]string{"text": "3900 S Kedzie Ave"}}, http.StatusCreated), &in); err != nil {
		t.Fatal(err)
	}
	dispatcher.waitFor("the incident in the queue", `[...document.querySelectorAll("#queue .q-loc")].some(e => e.innerText === "3900 S Kedzie Ave")`)
	dispatcher.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#queue .q-button")].find(b => b.querySelector(".q-loc")?.innerText === "3900 S Kedzie Ave")`)))
	dispatcher.waitFor("the run card", `document.getElementById("d-run-card")?.innerText.startsWith("Run card: Structure fire")`)
	dispatcher.waitFor("the engines' slots", `[...document.querySelectorAll(".rec-list td.slot")].map(e => e.innerText).join("|").startsWith("engine 1 of ")`)
	dispatcher.waitFor("the shortfall", `document.getElementById("d-shortfall")?.innerText.startsWith("Short: 1 chief")`)
	dispatcher.waitFor("the chiefs with no crew on the board",
		`[...document.querySelectorAll(".chip")].filter(c => /^B[12]$/.test(c.querySelector(".cs")?.innerText) && c.querySelector(".kind")?.innerText.includes("no crew")).length === 2`)
	dispatcher.screenshot("runcard-dispatch")
}
