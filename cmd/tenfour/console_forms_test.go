package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleForms drives the console's forms for premise records, a second
// call and the unverified-location queue: metro's call-taker enters a dog
// hazard from an incident's detail ("Add a hazard at this place") and sees
// it in the incident's hazard box; a second call a few metres away, of the
// same type, is offered as a possible duplicate before any incident is made,
// and "Attach this call" adds a caller to the first incident instead (no
// second incident); the hazard is removed with a reason from the hazard
// box. A supervisor fixes two locations kept as typed from the queue in the
// dispatch view, one with text, one with a point picked on the map. No
// page's console shows an error.
func TestConsoleForms(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	taker := tokenOf(t, admin, "metro-call-taker")

	var first, typed, picked struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(taker.must(t, "POST", "/api/v1/incidents", map[string]any{
		"type": "FIRE_STRUCTURE", "location": map[string]string{"text": "3900 S Kedzie Ave"}}, http.StatusCreated), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(taker.must(t, "POST", "/api/v1/incidents", map[string]any{
		"type": "SUSPICIOUS", "location": map[string]string{"text": "behind the old paint works"}}, http.StatusCreated), &typed); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(taker.must(t, "POST", "/api/v1/incidents", map[string]any{
		"type": "NOISE", "location": map[string]string{"text": "the yard by the rail spur"}}, http.StatusCreated), &picked); err != nil {
		t.Fatal(err)
	}

	browserCtx := startBrowser(t)
	ct := openPage(t, browserCtx, n, "call-taker", 1440, 900, false)
	sup := openPage(t, browserCtx, n, "supervisor", 1440, 900, false)
	defer func() {
		ct.checkConsole()
		sup.checkConsole()
	}()
	ct.login(creds["metro-call-taker"], "dispatch")
	serial := strings.TrimLeft(first.ID[strings.LastIndex(first.ID, "-")+1:], "0")
	ct.waitFor("the first call in the queue", fmt.Sprintf(`[...document.querySelectorAll("#queue .q-id")].some(e => e.innerText === "#%s")`, serial))
	ct.do(chromedp.SendKeys(chromedp.ID("cmd"), "#"+serial+"\n"))
	ct.waitFor("the first call selected", fmt.Sprintf(`document.querySelector(".d-id")?.innerText.includes(%q)`, first.ID))

	// A hazard through the form, from the incident.
	ct.click("#add-hazard")
	ct.waitFor("the hazard form at the incident's place", `document.getElementById("premise-dialog").open && document.getElementById("pr-location").value === "3900 S Kedzie Ave"`)
	eval[chromedp.Void](ct, `(() => { const s = document.querySelector("#premise-dialog .pr-kind"); s.value = "dog"; s.dispatchEvent(new Event("change")); })()`)
	ct.do(chromedp.SendKeys(chromedp.CSS("#premise-dialog .pr-text"), "pit bull loose in the yard"),
		chromedp.SendKeys(chromedp.CSS("#premise-dialog .pr-source"), "caller"))
	ct.waitFor("the location checked", `document.getElementById("pr-geo").innerText.includes("✓")`)
	ct.do(chromedp.Click(chromedp.ID("pr-submit")))
	ct.waitFor("the hazard on the incident", `document.getElementById("d-hazards")?.innerText.includes("Dog: pit bull loose in the yard")`)
	if open := eval[bool](ct, `document.getElementById("premise-dialog").open`); open {
		t.Error("the hazard form is still open after entering the record")
	}

	// A second call a few metres away: the form offers the first incident
	// before making one, and attaching the call adds a caller.
	ct.do(chromedp.Click(chromedp.ID("new-incident")))
	ct.waitFor("the new-incident form", `document.querySelector(".incident-dialog[open] #ni-location")`)
	ct.do(chromedp.SendKeys(chromedp.ID("ni-location"), "3906 S Kedzie Ave"),
		chromedp.SendKeys(chromedp.ID("ni-caller"), "Ann Reyes"),
		chromedp.SendKeys(chromedp.ID("ni-narrative"), "flames from the roof next door"))
	eval[chromedp.Void](ct, `(() => { const s = document.getElementById("ni-type"); s.value = "FIRE_STRUCTURE"; s.dispatchEvent(new Event("change")); })()`)
	ct.do(chromedp.Click(chromedp.CSS(".incident-dialog[open] button[type=submit]")))
	ct.waitFor("the possible duplicate offered", fmt.Sprintf(`!document.getElementById("ni-dups").hidden && document.getElementById("ni-attach-%s")`, first.ID))
	ct.screenshot("forms-duplicate")
	ct.do(chromedp.Click(chromedp.ID("ni-attach-" + first.ID)))
	ct.waitFor("the caller on the first incident", `document.querySelector("#d-related")?.innerText.includes("Caller 2: Ann Reyes — flames from the roof next door")`)
	var list struct {
		Incidents []struct {
			ID       string `json:"id"`
			Location struct {
				Text string `json:"text"`
			} `json:"location"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal(taker.must(t, "GET", "/api/v1/incidents", nil, http.StatusOK), &list); err != nil {
		t.Fatal(err)
	}
	for _, i := range list.Incidents {
		if i.Location.Text == "3906 S Kedzie Ave" {
			t.Errorf("attaching the call made an incident %s at 3906 S Kedzie Ave", i.ID)
		}
	}

	// The hazard removed with a reason, from the hazard box.
	ct.click("#d-hazard-actions [id^=remove-hazard-]")
	ct.waitFor("the remove form", `document.getElementById("premise-remove-dialog").open`)
	ct.do(chromedp.SendKeys(chromedp.ID("prr-reason"), "dog rehomed\n"))
	ct.waitFor("the hazard gone from the incident", `!document.getElementById("d-hazards") && document.getElementById("cmd-out").innerText.includes("removed: dog rehomed")`)

	// The unverified-location queue, fixed with text the gazetteer knows.
	sup.login(creds["metro-supervisor"], "supervise")
	sup.do(chromedp.Navigate(n.url + "/console/dispatch"))
	sup.waitFor("the queue of locations to fix", fmt.Sprintf(`document.querySelector('#unverified-list [data-incident=%q]')`, typed.ID))
	sup.click("#unverified summary")
	// The panel reads the queue again when it opens and redraws its rows:
	// the text is typed and submitted in one step in the page, into
	// whichever row stands then.
	field := "unv-text-" + typed.ID
	sup.waitFor("the fix submitted", fmt.Sprintf(`(() => { const i = document.getElementById(%q); if (!i) return false; i.value = "3950 S Kedzie Ave"; i.form.requestSubmit(); return true; })()`, field))
	sup.waitFor("the incident gone from the queue", fmt.Sprintf(`!document.querySelector('#unverified-list [data-incident=%q]') && document.getElementById("unv-status").innerText.startsWith("Fixed")`, typed.ID))
	var fixed struct {
		Location struct {
			Verified bool     `json:"verified"`
			Lat      *float64 `json:"lat"`
		} `json:"location"`
	}
	if err := json.Unmarshal(taker.must(t, "GET", "/api/v1/incidents/"+typed.ID, nil, http.StatusOK), &fixed); err != nil {
		t.Fatal(err)
	}
	if !fixed.Location.Verified || fixed.Location.Lat == nil {
		t.Errorf("the fixed incident's location = %+v, want verified with a point", fixed.Location)
	}

	// The other with a point picked on the map; the typed text is kept.
	sup.click("#unv-pick-" + picked.ID)
	sup.waitFor("the map waiting for the pick", `document.getElementById("unv-status").innerText.startsWith("Click the place")`)
	sup.do(chromedp.Click(chromedp.CSS(".map-panel svg.map")))
	sup.waitFor("the picked incident gone from the queue", fmt.Sprintf(`!document.querySelector('#unverified-list [data-incident=%q]') && document.getElementById("unv-status").innerText.startsWith("Fixed")`, picked.ID))
	var pickedNow struct {
		Location struct {
			Text     string   `json:"text"`
			Verified bool     `json:"verified"`
			Lat      *float64 `json:"lat"`
		} `json:"location"`
	}
	if err := json.Unmarshal(taker.must(t, "GET", "/api/v1/incidents/"+picked.ID, nil, http.StatusOK), &pickedNow); err != nil {
		t.Fatal(err)
	}
	if !pickedNow.Location.Verified || pickedNow.Location.Lat == nil || pickedNow.Location.Text != "the yard by the rail spur" {
		t.Errorf("the incident placed on the map has location %+v, want verified with a point and the typed text", pickedNow.Location)
	}
}
