package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConsolePremise shows a premise hazard on the unit's screen: metro's
// call-taker flags 3900 S Kedzie Ave (weapons) and takes a call there, a
// block from an earlier one; the dispatcher's incident shows the hazard and
// the earlier call as a prior; the dispatcher sends 1A11; the officer's
// screen, open on 1A11, shows the hazard with its text in the assignment,
// without a reload. No page's console shows an error.
func TestConsolePremise(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	as := func(user string) *api {
		var tok struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/"+user+"/tokens", map[string]any{"name": "premise test"}), &tok); err != nil || tok.Token == "" {
			t.Fatalf("a token for %s: %v", user, err)
		}
		return &api{url: n.url, token: tok.Token, client: admin.client}
	}
	taker, disp := as("metro-call-taker"), as("metro-dispatcher")

	browserCtx := startBrowser(t)
	unit := openPage(t, browserCtx, n, "unit", 390, 844, true)
	dispatcher := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	defer func() {
		unit.checkConsole()
		dispatcher.checkConsole()
	}()
	dispatcher.login(creds["metro-dispatcher"], "dispatch")
	unit.login(creds["metro-officer"], "unit")
	unit.waitFor("the unit picker", `document.querySelector('[data-unit="metro.1a11"]')`)
	unit.do(chromedp.Click(chromedp.CSS(`[data-unit="metro.1a11"]`)))
	unit.waitFor("the unit's screen", `document.getElementById("unit-cs")?.innerText === "1A11"`)
	eval[chromedp.Void](unit, `window.noReload = true`)

	taker.must(t, "POST", "/api/v1/premises", map[string]any{
		"location": map[string]string{"text": "3900 S Kedzie Ave"},
		"flags": []map[string]any{{"kind": "weapons", "text": "rifle in the hall closet", "source": "prior call",
			"expires": time.Now().Add(24 * time.Hour)}},
	}, http.StatusCreated)
	var prior struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(taker.must(t, "POST", "/api/v1/incidents", map[string]any{
		"type": "NOISE", "location": map[string]string{"text": "3910 S Kedzie Ave"}}, http.StatusCreated), &prior); err != nil {
		t.Fatal(err)
	}
	var in struct {
		ID      string `json:"id"`
		Hazards []struct{ Kind, Text string }
	}
	if err := json.Unmarshal(taker.must(t, "POST", "/api/v1/incidents", map[string]any{
		"type": "DOMESTIC", "location": map[string]string{"text": "3900 S Kedzie Ave"}}, http.StatusCreated), &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Hazards) != 1 || in.Hazards[0].Kind != "weapons" {
		t.Fatalf("the incident's hazards at call entry = %+v, want the weapons flag", in.Hazards)
	}
	dispatcher.waitFor("the incident in the queue", `[...document.querySelectorAll("#queue .q-loc")].some(e => e.innerText === "3900 S Kedzie Ave")`)
	dispatcher.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#queue .q-button")].find(b => b.querySelector(".q-loc")?.innerText === "3900 S Kedzie Ave")`)))
	dispatcher.waitFor("the hazard in the incident",
		`document.querySelector('#d-hazards li[data-kind="weapons"]')?.innerText.includes("Weapons: rifle in the hall closet")`)
	dispatcher.waitFor("the prior incident", fmt.Sprintf(`[...document.querySelectorAll("#d-priors li")].some(e => e.innerText.includes(%q))`, prior.ID))
	dispatcher.screenshot("premise-dispatch-hazard")

	disp.must(t, "POST", "/api/v1/incidents/"+in.ID+"/dispatch", map[string]any{"units": []string{"metro.1a11"}}, http.StatusOK)

	unit.waitFor("the assignment", `document.getElementById("asg-loc")?.innerText === "3900 S Kedzie Ave"`)
	unit.waitFor("the hazard on the unit's screen",
		`document.querySelector('#asg-hazards li[data-kind="weapons"]')?.innerText.includes("Weapons: rifle in the hall closet")`)
	unit.screenshot("premise-unit-hazard")
	if !eval[bool](unit, `window.noReload === true`) {
		t.Error("the unit's page reloaded")
	}
}
