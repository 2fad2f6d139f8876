package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A timelineEntry is what these tests read of an entry of a timeline.
type timelineEntry struct {
	Type    string            `json:"type"`
	Subject map[string]string `json:"subject"`
	Actor   struct {
		User string `json:"user"`
	} `json:"actor"`
	Data struct {
		Unit   string `json:"unit"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"data"`
}

// docShot writes the viewport to docs/console.md's picture name too, when
// TENFOUR_DOC_SCREENSHOTS names the folder (docs/img): these tests' own
// screens are the pictures of letting a unit go.
func docShot(p *page, name string) {
	p.t.Helper()
	if out := os.Getenv("TENFOUR_DOC_SCREENSHOTS"); out != "" {
		if err := p.saveScreenshot(filepath.Join(out, name+".png")); err != nil {
			p.t.Error(err)
		}
	}
}

// timelineOf reads the timeline of an incident or a request (path) as a
// client reads it.
func timelineOf(t *testing.T, a *api, path string) []timelineEntry {
	t.Helper()
	var tl struct {
		Entries []timelineEntry `json:"entries"`
	}
	if err := json.Unmarshal(a.mustGet(t, path), &tl); err != nil {
		t.Fatal(err)
	}
	return tl.Entries
}

// unitOf reads a unit as the API answers it.
func unitOf(t *testing.T, a *api, agency, id string) (status, incident string) {
	t.Helper()
	var units struct {
		Units []struct{ ID, Status, Incident string } `json:"units"`
	}
	if err := json.Unmarshal(a.mustGet(t, "/api/v1/units?agency="+agency), &units); err != nil {
		t.Fatal(err)
	}
	for _, u := range units.Units {
		if u.ID == id {
			return u.Status, u.Incident
		}
	}
	t.Fatalf("no unit %s", id)
	return "", ""
}

// TestConsoleCancelAndEndEmergency lets units go from the dispatcher's
// board (docs/console.md, "Letting a unit go"): a dispatcher cancels a
// unit en route with a reason in the inline form, and the unit is
// available, the incident waits again and its timeline holds the
// cancellation with the reason; an officer presses EMERGENCY, and the
// dispatcher is not offered to end it — the console says who may, the
// command line refuses — while a supervisor is, and ends it with a
// reason, which the unit's status change carries.
func TestConsoleCancelAndEndEmergency(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	disp := tokenOf(t, admin, "metro-dispatcher")
	officer := tokenOf(t, admin, "metro-officer")

	var inc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(disp.must(t, "POST", "/api/v1/incidents", map[string]any{"type": "ASSAULT",
		"location": map[string]string{"text": "3900 S Kedzie Ave"}, "narrative": "two men fighting"}, http.StatusCreated), &inc); err != nil {
		t.Fatal(err)
	}
	disp.must(t, "POST", "/api/v1/incidents/"+inc.ID+"/dispatch", map[string]any{"units": []string{"metro.1a12", "metro.1a11"}}, http.StatusOK)
	disp.must(t, "POST", "/api/v1/units/metro.1a12/status", map[string]string{"status": "EN_ROUTE"}, http.StatusOK)

	browserCtx := startBrowser(t)
	dp := openPage(t, browserCtx, n, "dispatcher", 1280, 800, false)
	sp := openPage(t, browserCtx, n, "supervisor", 1280, 800, false)
	defer func() {
		dp.checkConsole()
		sp.checkConsole()
	}()
	dp.login(creds["metro-dispatcher"], "dispatch")
	dp.waitFor("the incident in the queue", fmt.Sprintf(`document.querySelector('#queue [data-key=%q]')`, inc.ID))
	dp.press("/")
	dp.waitFor("the command line", `document.activeElement?.id === "cmd"`)
	dp.do(chromedp.SendKeys(chromedp.ID("cmd"), "i "+inc.ID+"\n"))

	// The dispatcher cancels 1A12, en route, from the incident's units.
	cancel := `document.getElementById("cancel-detail-metro.1a12")`
	dp.waitFor("Cancel (disregard) on 1A12", cancel+`?.innerText === "Cancel (disregard)"`)
	dp.do(chromedp.Click(chromedp.JSPath(cancel)))
	dp.waitFor("the reason asked", `document.activeElement?.id === "cancel-form-reason"`)
	// Sent empty, it says a reason is needed and sends nothing.
	dp.do(chromedp.Click(chromedp.CSS(`#cancel-form button[type=submit]`)))
	dp.waitFor("the reason required", `document.getElementById("cancel-form-error").innerText.includes("reason is required")`)
	dp.do(chromedp.SendKeys(chromedp.ID("cancel-form-reason"), "caller says the fight is over"))
	dp.screenshot("release-01-cancel-form")
	docShot(dp, "console-release-cancel")
	dp.do(chromedp.Click(chromedp.CSS(`#cancel-form button[type=submit]`)))
	dp.waitFor("the cancellation said", `document.getElementById("cmd-out").innerText.includes("Cancelled 1A12") && !document.getElementById("cancel-form")`)
	dp.waitFor("1A12 shown cancelled on the incident", `[...document.querySelectorAll(".assigned .chip.gone")].some(e => e.textContent === "1A12 cancelled: caller says the fight is over")`)
	if st, on := unitOf(t, disp, "metro", "metro.1a12"); st != "AVAILABLE" || on != "" {
		t.Errorf("1A12 after its cancel is %s on %q, want AVAILABLE on nothing", st, on)
	}

	// The last unit on it, 1A11, is cancelled from the command line: the
	// incident waits again.
	dp.do(chromedp.SendKeys(chromedp.ID("cmd"), "c 1A11 sent to the wrong address\n"))
	dp.waitFor("1A11 cancelled", `document.getElementById("cmd-out").innerText.includes("Cancelled 1A11")`)
	dp.waitFor("the incident waiting again", `document.querySelector(".detail-info .badge")?.textContent === "Waiting"`)
	// The help lists the command.
	dp.do(chromedp.SendKeys(chromedp.ID("cmd"), "?\n"))
	dp.waitFor("the commands in the help", `document.getElementById("help").open && document.getElementById("help-commands")?.innerText.includes("Cancel (disregard) a unit on its way")`)
	dp.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("help").close()`))
	var got struct{ Status string }
	if err := json.Unmarshal(disp.mustGet(t, "/api/v1/incidents/"+inc.ID), &got); err != nil || got.Status != "PENDING" {
		t.Errorf("incident after both cancels = %+v (%v), want PENDING", got, err)
	}
	reasons := map[string]string{}
	for _, e := range timelineOf(t, disp, "/api/v1/incidents/"+inc.ID+"/timeline") {
		if e.Type == "incident.unit_cancelled" {
			reasons[e.Data.Unit] = e.Data.Reason + " by " + e.Actor.User
		}
	}
	if reasons["metro.1a12"] != "caller says the fight is over by metro-dispatcher" || reasons["metro.1a11"] != "sent to the wrong address by metro-dispatcher" {
		t.Errorf("incident.unit_cancelled in the timeline = %v, want both units with their reasons, by metro-dispatcher", reasons)
	}

	// The officer of 1A11, sent again, presses EMERGENCY.
	signOn(t, officer, "metro.1a11", "metro-officer")
	disp.must(t, "POST", "/api/v1/incidents/"+inc.ID+"/dispatch", map[string]any{"units": []string{"metro.1a11"}}, http.StatusOK)
	officer.must(t, "POST", "/api/v1/units/metro.1a11/status", map[string]string{"status": "EMERGENCY"}, http.StatusOK)
	dp.waitFor("1A11 in EMERGENCY on the board", `[...document.querySelectorAll("#board .group.st-EMERGENCY .cs")].some(e => e.innerText === "1A11")`)
	dp.waitFor("who may end it said", `document.querySelector(".assigned .unit-end-no")?.innerText.includes("Only metro-officer, who pressed it, or a supervisor of metro")`)
	if eval[bool](dp, `!!document.querySelector(".unit-end-emergency")`) {
		t.Error("a dispatcher is offered to end an officer's EMERGENCY")
	}
	dp.do(chromedp.SendKeys(chromedp.ID("cmd"), "s 1A11 av all quiet\n"))
	dp.waitFor("the command line's refusal", `document.getElementById("cmd-out").innerText.includes("Only metro-officer, who pressed it, or a supervisor of metro may end 1A11's EMERGENCY")`)
	if st, _ := unitOf(t, disp, "metro", "metro.1a11"); st != "EMERGENCY" {
		t.Fatalf("1A11 after the dispatcher's attempt is %s, want still EMERGENCY", st)
	}

	// A supervisor ends it, from the board, with a reason.
	sp.login(creds["metro-supervisor"], "supervise")
	sp.press("D")
	end := `document.getElementById("end-emergency-board-metro.1a11")`
	sp.waitFor("End EMERGENCY offered", end)
	sp.do(chromedp.Click(chromedp.JSPath(end)))
	sp.waitFor("the reason asked", `document.activeElement?.id === "end-emergency-form-reason"`)
	sp.do(chromedp.SetValue(chromedp.ID("end-emergency-form-status"), "AVAILABLE"),
		chromedp.SendKeys(chromedp.ID("end-emergency-form-reason"), "officer safe, spoke to them on the radio"))
	sp.screenshot("release-02-end-emergency")
	sp.do(chromedp.Click(chromedp.CSS(`#end-emergency-form button[type=submit]`)))
	sp.waitFor("the EMERGENCY ended", `document.getElementById("cmd-out").innerText.includes("1A11's EMERGENCY ended")`)
	dp.waitFor("1A11 out of EMERGENCY on the dispatcher's board", `![...document.querySelectorAll("#board .group.st-EMERGENCY .cs")].some(e => e.innerText === "1A11")`)
	var ended *timelineEntry
	for _, e := range timelineOf(t, disp, "/api/v1/incidents/"+inc.ID+"/timeline") {
		if e.Type == "unit.status_changed" && e.Data.Unit == "metro.1a11" && e.Data.Status == "AVAILABLE" && e.Actor.User == "metro-supervisor" {
			ended = &e
		}
	}
	if ended == nil || ended.Data.Reason != "officer safe, spoke to them on the radio" {
		t.Errorf("the supervisor's change of 1A11 in the timeline = %+v, want AVAILABLE with the reason", ended)
	}

	// The officer who pressed it ends their own, on the unit's screen,
	// with a reason.
	up := openPage(t, browserCtx, n, "officer", 390, 844, true)
	defer up.checkConsole()
	up.login(creds["metro-officer"], "unit")
	up.waitFor("the unit picker", `document.querySelector('[data-unit="metro.1a11"]')`)
	up.do(chromedp.Click(chromedp.CSS(`[data-unit="metro.1a11"]`)))
	up.waitFor("the unit's screen", `document.getElementById("unit-cs")?.innerText === "1A11"`)
	disp.must(t, "POST", "/api/v1/incidents/"+inc.ID+"/dispatch", map[string]any{"units": []string{"metro.1a11"}}, http.StatusOK)
	officer.must(t, "POST", "/api/v1/units/metro.1a11/status", map[string]string{"status": "EMERGENCY"}, http.StatusOK)
	up.waitFor("ending offered to the officer", `document.getElementById("unit-status").innerText === "Emergency" && document.getElementById("set-AVAILABLE")?.innerText === "End EMERGENCY: Available"`)
	up.do(chromedp.Click(chromedp.ID("set-AVAILABLE")))
	up.waitFor("the reason asked", `document.activeElement?.id === "end-emergency-form-reason"`)
	if st := up.text("#unit-status"); st != "Emergency" {
		t.Errorf("unit status after pressing Available = %q, want still Emergency until the reason is given", st)
	}
	up.do(chromedp.SendKeys(chromedp.ID("end-emergency-form-reason"), "false alarm, pressed by mistake"))
	up.screenshot("release-04-unit-end-emergency")
	up.do(chromedp.Click(chromedp.CSS(`#end-emergency-form button[type=submit]`)))
	up.waitFor("available", `document.getElementById("unit-status").innerText === "Available"`)
	var own string
	for _, e := range timelineOf(t, disp, "/api/v1/incidents/"+inc.ID+"/timeline") {
		if e.Type == "unit.status_changed" && e.Data.Unit == "metro.1a11" && e.Data.Status == "AVAILABLE" && e.Actor.User == "metro-officer" {
			own = e.Data.Reason
		}
	}
	if own != "false alarm, pressed by mistake" {
		t.Errorf("the officer's own end of the EMERGENCY carries reason %q, want theirs", own)
	}
}

// TestConsoleUnitLeft shows a request's watch after acceptance
// (docs/console.md, "The request's watch"): federal's patrol presses
// EMERGENCY, metro accepts and sends 1A12, and metro's supervisor calls it
// back under a hold order. Federal's supervisor's view shows the unit
// that left — who ordered it, why, under which directive — the request
// waiting for help again with its countdown, and federal's console raises
// the alert of it.
func TestConsoleUnitLeft(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	admin.must(t, "PUT", "/api/v1/agencies/federal/mutual-aid", map[string]any{
		"levels":    []map[string]any{{"agencies": []string{"metro"}}, {"agencies": []string{"sheriff"}}},
		"emergency": map[string]int{"acknowledge_seconds": 120, "decide_seconds": 120},
	}, http.StatusOK)
	var kedzie struct{ Lat, Lon float64 }
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/geocode?q="+url.QueryEscape("39th Pl & S Kedzie Ave")), &kedzie); err != nil {
		t.Fatal(err)
	}
	federal := tokenOf(t, admin, "federal-officer")
	metro := tokenOf(t, admin, "metro-dispatcher")
	metroSup := ownToken(t, admin, "metro-supervisor", creds["metro-supervisor"].Password, creds["metro-supervisor"].TOTP)

	browserCtx := startBrowser(t)
	fp := openPage(t, browserCtx, n, "federal supervisor", 1280, 800, false)
	defer fp.checkConsole()
	fp.login(creds["federal-supervisor"], "supervise")

	signOn(t, federal, "federal.fp12", "federal-officer")
	federal.must(t, "POST", "/api/v1/units/positions", []map[string]any{{"unit": "federal.fp12", "lat": kedzie.Lat, "lon": kedzie.Lon, "time": time.Now().UTC()}}, http.StatusNoContent)
	federal.must(t, "POST", "/api/v1/units/federal.fp12/status", map[string]string{"status": "EMERGENCY"}, http.StatusOK)
	var reqs struct {
		Requests []struct{ ID string } `json:"requests"`
	}
	if err := json.Unmarshal(federal.mustGet(t, "/api/v1/requests"), &reqs); err != nil || len(reqs.Requests) != 1 {
		t.Fatalf("federal's requests = %+v (%v), want FP12's", reqs, err)
	}
	rq := reqs.Requests[0].ID
	metro.must(t, "POST", "/api/v1/requests/"+rq+"/accept", map[string]any{"agency": "metro", "units": []string{"metro.1a12"}}, http.StatusOK)
	card := fmt.Sprintf(`document.querySelector('#requests [data-key=%q]')`, rq)
	fp.waitFor("1A12 on its way", card+`?.querySelector(".rq-helping")?.innerText.includes("1A12 of Metro")`)
	fp.waitFor("the arrival deadline", card+`.querySelector(".rq-waiting")?.innerText.includes("Waiting for units to arrive") && `+
		card+`.querySelector(".rq-count-label")?.innerText === "arrival due in"`)

	// Metro's dispatcher may not call back a unit helping on another
	// agency's request: the board says so in place of the button.
	md := openPage(t, browserCtx, n, "metro dispatcher", 1280, 800, false)
	defer md.checkConsole()
	md.login(creds["metro-dispatcher"], "dispatch")
	md.waitFor("1A12 dispatched on the board", `[...document.querySelectorAll("#board .group.st-DISPATCHED li")].some(li => li.querySelector(".cs")?.innerText === "1A12" && `+
		`li.querySelector(".unit-cancel-no")?.title.includes("helping on request `+rq+`: only a supervisor of its agency may call it back"))`)
	if eval[bool](md, `!!document.getElementById("cancel-board-metro.1a12")`) {
		t.Error("metro's dispatcher is offered to cancel 1A12, helping on federal's request: only a supervisor may")
	}

	// Metro's supervisor holds the area, then calls 1A12 back.
	var dv struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(metroSup.must(t, "POST", "/api/v1/directives", map[string]any{"agency": "metro",
		"scope":  map[string]any{"kind": "circle", "circle": map[string]any{"lat": kedzie.Lat, "lon": kedzie.Lon, "radius_m": 600}},
		"effect": "hold", "reason": "crowd at the rail yards", "expires": time.Now().UTC().Add(time.Hour)}, http.StatusCreated), &dv); err != nil || dv.ID == "" {
		t.Fatalf("the hold directive: %+v %v", dv, err)
	}
	metroSup.must(t, "POST", "/api/v1/units/metro.1a12/cancel", map[string]string{"reason": "hold order over the area"}, http.StatusOK)

	// Federal's view: the step, the wait for help again, the countdown.
	fp.waitFor("the history's new step", card+`.querySelector(".rq-history .step-left")`)
	step := card + `.querySelector(".rq-history .step-left")?.textContent`
	fp.waitFor("the unit_left step", step+`?.includes("1A12 of Metro Police Department left — cancelled by metro-supervisor (supervisor): hold order over the area")`)
	if got := eval[string](fp, step); !strings.Contains(got, "directive "+dv.ID+" in force") {
		t.Errorf("the unit_left step reads %q, want the directive %s in force", got, dv.ID)
	}
	fp.waitFor("waiting for help again", card+`.querySelector(".rq-waiting")?.innerText.includes("Waiting for help again — the units left")`)
	fp.waitFor("the countdown to the next escalation", card+`.querySelector(".rq-count-label")?.innerText === "escalates in" && `+card+`.querySelector(".rq-helping-none")`)
	// Its raiser or a supervisor of federal closes an EMERGENCY request:
	// federal's supervisor is offered to.
	if !eval[bool](fp, card+`.querySelector("[data-act=close]") !== null`) {
		t.Error("federal's supervisor is not offered to close federal's EMERGENCY request")
	}
	left := card + `.querySelector(".rq-left").textContent`
	first := eval[string](fp, left)
	fp.waitFor("the countdown to run", left+` !== "`+first+`"`)

	// Federal's console raises the alert, critical for an EMERGENCY.
	alert := `[...document.querySelectorAll("#alerts .alert.critical")].find(a => a.innerText.includes("1A12 left ` + rq + `"))`
	fp.waitFor("the unit_left alert", alert)
	if got := eval[string](fp, alert+`.innerText`); !strings.Contains(got, "cancelled by metro-supervisor") || !strings.Contains(got, "hold order over the area") ||
		!strings.Contains(got, "waiting for help again until") {
		t.Errorf("the unit_left alert reads %q, want who, why and the wait for help again", got)
	}
	fp.do(chromedp.Evaluate[chromedp.Void](card + `.querySelector(".rq-history").open = true`))
	fp.do(chromedp.Evaluate[chromedp.Void](card + `.querySelector(".rq-watch").scrollIntoView({block: "start"})`))
	fp.screenshot("release-03-unit-left")
	docShot(fp, "console-release-unit-left")
}
