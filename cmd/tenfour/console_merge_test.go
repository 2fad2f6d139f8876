package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConsoleMergeAndLate shows duplicates, a merge and a late entry in the
// console: metro's call-taker takes a second call about a fire a few metres
// from the first, which names the first as a possible duplicate, and
// attaches a further caller to the first; the dispatcher merges the second
// into the first from the command line, and the survivor's detail shows the
// merge and the caller; a supervisor's late entry shows, on its timeline,
// the LATE mark with the time it happened. No page's console shows an error.
func TestConsoleMergeAndLate(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	taker := tokenOf(t, admin, "metro-call-taker")
	sup := ownToken(t, admin, "metro-supervisor", creds["metro-supervisor"].Password, creds["metro-supervisor"].TOTP)

	type created struct {
		ID                 string    `json:"id"`
		Entered            time.Time `json:"entered"`
		PossibleDuplicates []struct {
			Incident  string `json:"incident"`
			DistanceM int    `json:"distance_m"`
		} `json:"possible_duplicates"`
	}
	create := func(a *api, body map[string]any) created {
		t.Helper()
		var c created
		if err := json.Unmarshal(a.must(t, "POST", "/api/v1/incidents", body, http.StatusCreated), &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := create(taker, map[string]any{"type": "FIRE_STRUCTURE", "location": map[string]string{"text": "3900 S Kedzie Ave"}})
	second := create(taker, map[string]any{"type": "FIRE_STRUCTURE", "location": map[string]string{"text": "3906 S Kedzie Ave"}})
	if len(second.PossibleDuplicates) == 0 || second.PossibleDuplicates[0].Incident != first.ID {
		t.Fatalf("the second call's possible duplicates = %+v, want %s first", second.PossibleDuplicates, first.ID)
	}
	taker.must(t, "POST", "/api/v1/incidents/"+first.ID+"/callers", map[string]any{
		"caller": map[string]string{"name": "Dana Quill"}, "narrative": "smoke from the back"}, http.StatusOK)
	late := create(sup, map[string]any{"type": "THEFT", "location": map[string]string{"text": "3950 S Kedzie Ave"},
		"late": map[string]any{"claimed": first.Entered.Add(-30 * time.Minute), "reason": "CAD down: paper card 7"}})

	browserCtx := startBrowser(t)
	dispatcher := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	supervisor := openPage(t, browserCtx, n, "supervisor", 1280, 800, false)
	defer func() {
		dispatcher.checkConsole()
		supervisor.checkConsole()
	}()
	dispatcher.login(creds["metro-dispatcher"], "dispatch")
	serial := second.ID[strings.LastIndex(second.ID, "-")+1:]
	dispatcher.waitFor("the second call in the queue", fmt.Sprintf(`[...document.querySelectorAll("#queue .q-id")].some(e => e.innerText.includes(%q))`, strings.TrimLeft(serial, "0")))
	firstSerial := strings.TrimLeft(first.ID[strings.LastIndex(first.ID, "-")+1:], "0")
	dispatcher.do(chromedp.SendKeys(chromedp.ID("cmd"), "#"+strings.TrimLeft(serial, "0")+"\n"))
	dispatcher.waitFor("the second call selected", fmt.Sprintf(`document.querySelector(".d-id")?.innerText.includes(%q)`, second.ID))
	dispatcher.do(chromedp.SendKeys(chromedp.ID("cmd"), "merge #"+firstSerial+" same fire, second caller\n"))
	dispatcher.waitFor("the merge in the survivor's detail", fmt.Sprintf(`document.querySelector("#d-related")?.innerText.includes("Merged from %s")`, second.ID))
	dispatcher.waitFor("the further caller", `document.querySelector("#d-related")?.innerText.includes("Caller 2: Dana Quill")`)
	dispatcher.screenshot("merge-survivor")

	supervisor.login(creds["metro-supervisor"], "supervise")
	supervisor.do(chromedp.Navigate(n.url + "/console/audit?incident=" + late.ID))
	supervisor.waitFor("the late mark", `document.querySelector(".lanes .late-mark")?.innerText.startsWith("LATE")`)
	if title := eval[string](supervisor, `document.querySelector(".lanes .late-mark").title`); !strings.Contains(title, "paper card 7") {
		t.Errorf("the late mark's title = %q, want the reason", title)
	}
	supervisor.screenshot("late-entry-timeline")
}
