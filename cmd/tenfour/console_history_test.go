package main_test

// The console with history in the store (docs/console.md, "History"): the
// board loads open incidents only; the History view finds closed ones,
// archived by the engine, page after page, with their priors.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tenfour-cad/tenfour/sim"
)

// TestConsoleHistory: Metro PD has three open incidents and 62 closed
// ones; a restart with a retention of a millisecond archives the closed
// ones at its first timer tick. The dispatcher signs in: the board reads
// only the open incidents and shows them. The History view searches an
// address and pages through 60 closed incidents, two pages, newest first,
// each once; one picked shows whole with its priors, archived ones among
// them. No page's console shows an error.
func TestConsoleHistory(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "serve", dir, "--retention", "1ms")
	admin := adminAPI(t, n)
	mustCreateAgency(t, admin, "metro")
	dispatcher := sim.Credential{DemoUser: sim.DemoUser{Username: "ann"}, Password: "correct horse battery"}
	admin.mustCreate(t, "/api/v1/users", map[string]any{"username": dispatcher.Username, "agency": "metro", "roles": []string{"dispatcher"}, "password": dispatcher.Password})
	create := func(text string) string {
		t.Helper()
		var in struct {
			ID string `json:"id"`
		}
		b := admin.must(t, "POST", "/api/v1/incidents", map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": text}}, http.StatusCreated)
		if err := json.Unmarshal(b, &in); err != nil || in.ID == "" {
			t.Fatalf("POST /api/v1/incidents = %s, %v", b, err)
		}
		return in.ID
	}
	var closed, open []string // oldest first
	for i := range 62 {
		text := "3900 S Kedzie Ave"
		if i%31 == 30 {
			text = "3906 S Kedzie Ave" // closed, at another address
		}
		id := create(text)
		admin.must(t, "POST", "/api/v1/incidents/"+id+"/clear", map[string]string{"disposition": fmt.Sprintf("report %d", i)}, http.StatusOK)
		if text == "3900 S Kedzie Ave" {
			closed = append(closed, id)
		}
	}
	for range 3 {
		open = append(open, create("3900 S Kedzie Ave"))
	}
	if err := n.stop(t); err != nil {
		t.Logf("the first node stopped with %v", err)
	}
	n = startNode(t, "serve", dir, "--retention", "1ms")
	admin = adminAPI(t, n)
	// The first timer tick archives what closed: the last record's
	// timeline ends with its archiving.
	archived := func(id string) bool {
		_, b, err := admin.do("GET", "/api/v1/incidents/"+id+"/timeline", nil)
		return err == nil && strings.Contains(string(b), `"records.archived"`)
	}
	deadline := time.Now().Add(waitTimeout)
	for !archived(closed[len(closed)-1]) {
		if time.Now().After(deadline) {
			t.Fatalf("incident %s not archived after %v", closed[len(closed)-1], waitTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}

	browserCtx := startBrowser(t)
	p := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	defer p.checkConsole()
	p.login(dispatcher, "dispatch")
	for _, id := range open {
		serial := strings.TrimLeft(id[strings.LastIndex(id, "-")+1:], "0")
		p.waitFor("open incident "+id+" on the board", fmt.Sprintf(`[...document.querySelectorAll("#queue .q-id")].some(e => e.innerText.includes(%q))`, serial))
	}
	lists := eval[[]string](p, `performance.getEntriesByType("resource").map(e => new URL(e.name)).filter(u => u.pathname === "/api/v1/incidents").map(u => u.search)`)
	if len(lists) == 0 || slices.ContainsFunc(lists, func(q string) bool { return !strings.Contains(q, "status=open") }) {
		t.Errorf("the board read the incident list as %q, want status=open only", lists)
	}

	p.do(chromedp.Navigate(n.url + "/console/history"))
	p.waitFor("the history form", `document.getElementById("hs-address") && document.getElementById("hs-status")?.innerText.includes("closed incident")`)
	p.do(chromedp.SendKeys(chromedp.ID("hs-address"), "3900 s kedzie avenue"), chromedp.Click(chromedp.ID("hs-search")))
	p.waitFor("the first page", `document.querySelectorAll("#hs-rows tr").length === 50 && !document.getElementById("hs-older").hidden && !document.getElementById("hs-search").disabled`)
	p.screenshot("history-first-page")
	p.do(chromedp.Click(chromedp.ID("hs-older")))
	p.waitFor("the second page", `document.querySelectorAll("#hs-rows tr").length === 60 && document.getElementById("hs-older").hidden`)
	rows := eval[[]string](p, `[...document.querySelectorAll("#hs-rows tr")].map(r => r.dataset.id)`)
	want := slices.Clone(closed)
	slices.Reverse(want)
	if !slices.Equal(rows, want) {
		t.Errorf("history rows = %v, want the 60 closed at 3900 S Kedzie, newest first: %v", rows, want)
	}
	if s := p.text("#hs-status"); !strings.Contains(s, "60 closed incidents, all there are") {
		t.Errorf("history status = %q, want 60, all there are", s)
	}

	pick := want[10]
	p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#hs-rows tr[data-id=%q]`, pick))))
	p.waitFor("the incident whole, with priors", fmt.Sprintf(`document.querySelector("#hs-detail h2")?.innerText.startsWith(%q) && document.querySelectorAll("#hs-priors li").length > 0`, pick))
	priors := p.text("#hs-priors")
	if !strings.Contains(priors, want[9]) || !strings.Contains(priors, "CLOSED") {
		t.Errorf("priors of %s = %q, want the archived %s among them", pick, priors, want[9])
	}
	if d := p.text("#hs-detail"); !strings.Contains(d, "Disposition: report") {
		t.Errorf("detail of %s = %q, want its disposition", pick, d)
	}
	p.screenshot("history")
}
