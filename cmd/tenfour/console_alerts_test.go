package main_test

// Alerts heard and acknowledged on the record (issue 14), in Chromium
// against a real `tenfour demo`, with the helpers of console_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestConsoleAlerts: a metro unit presses EMERGENCY; metro's dispatcher's
// band shows it with its tone playing (data-tone="emergency"); muting
// silences it and the header says alerts are silent; the dispatcher
// acknowledges it, which the log records naming them, and the band clears;
// metro's supervisor, on a second console, sees who saw it and when, and
// keeps the alert until they acknowledge it themselves.
func TestConsoleAlerts(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)

	browserCtx := startBrowser(t)
	disp := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	sup := openPage(t, browserCtx, n, "supervisor", 1440, 900, false)
	officer := openPage(t, browserCtx, n, "officer", 390, 844, true)
	pages := []*page{disp, sup, officer}
	defer func() {
		for _, p := range pages {
			p.checkConsole()
		}
	}()
	disp.login(creds["metro-dispatcher"], "dispatch")
	sup.login(creds["metro-supervisor"], "supervise")
	officer.login(creds["metro-officer"], "unit")
	for _, p := range pages {
		eval[chromedp.Void](p, `window.noReload = true`)
		p.waitFor("the sound button", `!document.getElementById("sound").hidden && document.getElementById("sound").getAttribute("aria-pressed") === "true"`)
		// A browser starts audio after a gesture on the page: a click.
		p.do(chromedp.Click(chromedp.CSS("main#view"), chromedp.NodeVisible))
		p.waitFor("sound allowed", `document.getElementById("sound-state").hidden`)
	}

	// A metro unit in service presses EMERGENCY.
	var units struct {
		Units []struct {
			ID       string `json:"id"`
			CallSign string `json:"call_sign"`
			Status   string `json:"status"`
		} `json:"units"`
	}
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/units?agency=metro"), &units); err != nil {
		t.Fatal(err)
	}
	unit, callSign := "", ""
	for _, u := range units.Units {
		if u.Status == "AVAILABLE" {
			unit, callSign = u.ID, u.CallSign
			break
		}
	}
	if unit == "" {
		t.Fatal("no metro unit AVAILABLE in the demo")
	}
	if status, b, err := admin.do(http.MethodPost, "/api/v1/units/"+url.PathEscape(unit)+"/status", map[string]string{"status": "EMERGENCY"}); err != nil || status != http.StatusOK {
		t.Fatalf("EMERGENCY of %s = %d %s (%v)", unit, status, b, err)
	}
	item := fmt.Sprintf(`[...document.querySelectorAll("#alerts .alert.emergency")].find(a => a.querySelector(".alert-title").innerText === %q)`, "EMERGENCY: "+callSign)
	for _, p := range pages {
		p.waitFor("the EMERGENCY alert, naming its event", item+`?.dataset.seq`)
		p.waitFor("the emergency tone", `document.getElementById("alerts").dataset.tone === "emergency"`)
	}
	seq := eval[string](disp, item+`.dataset.seq`)
	disp.screenshot("alerts-01-emergency-tone")
	// On a phone the mute is in the header too, within the screen.
	officer.waitFor("the mute on the phone's screen", `(() => { const b = document.getElementById("sound").getBoundingClientRect();
		return b.width > 0 && b.left >= 0 && b.right <= innerWidth && b.top >= 0 && b.bottom <= innerHeight; })()`)
	officer.screenshot("alerts-04-phone")

	// Muted, it is silent and says so; the choice is kept.
	disp.do(chromedp.Click(chromedp.ID("sound")))
	disp.waitFor("the tone stopped", `!document.getElementById("alerts").dataset.tone`)
	disp.waitFor("the header saying alerts are silent", `document.getElementById("sound").getAttribute("aria-pressed") === "false" &&
		document.getElementById("sound").innerText.includes("Sound off") &&
		!document.getElementById("sound-state").hidden && document.getElementById("sound-state").innerText === "Alerts are silent"`)
	if v := eval[string](disp, `localStorage.getItem("tenfour.sound")`); v != "off" {
		t.Errorf("tenfour.sound in storage = %q, want off", v)
	}
	disp.screenshot("alerts-02-muted")
	disp.do(chromedp.Click(chromedp.ID("sound")))
	disp.waitFor("the tone again once sound is on", `document.getElementById("alerts").dataset.tone === "emergency" && document.getElementById("sound-state").hidden`)

	// Acknowledged: on the record, then off the dispatcher's band.
	disp.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#alerts .alert.emergency[data-seq=%q] button.ack`, seq))))
	disp.waitFor("the alert off the band", `!`+item)
	disp.waitFor("the tone stopped once acknowledged", `!document.getElementById("alerts").dataset.tone`)

	// The supervisor sees who saw it and when, and still has it, its tone
	// still playing.
	sup.waitFor("seen by the dispatcher", item+`?.querySelector(".alert-seen")?.innerText.startsWith("seen by metro-dispatcher at ")`)
	if tone := eval[string](sup, `document.getElementById("alerts").dataset.tone || ""`); tone != "emergency" {
		t.Errorf("supervisor's tone after the dispatcher acknowledged = %q, want emergency: it stays until they acknowledge it", tone)
	}
	sup.screenshot("alerts-03-seen-by")

	// The request the button raised nears its deadline (the demo plan's
	// 30 s for an EMERGENCY): a short tone for those who take part in it.
	for until := time.Now().Add(45 * time.Second); !eval[bool](sup, `Number(document.getElementById("alerts").dataset.deadlineTones) >= 1`); {
		if time.Now().After(until) {
			t.Fatal("supervisor: no deadline tone 45 s after the EMERGENCY request")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The log: the request the button raised has the acknowledgement in
	// its timeline, naming the dispatcher and the alert.
	var requests struct {
		Requests []struct {
			ID      string `json:"id"`
			Unit    string `json:"unit"`
			Urgency string `json:"urgency"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/requests"), &requests); err != nil {
		t.Fatal(err)
	}
	request := ""
	for _, r := range requests.Requests {
		if r.Unit == unit && r.Urgency == "EMERGENCY" {
			request = r.ID
		}
	}
	if request == "" {
		t.Fatalf("no EMERGENCY request of %s in %+v", unit, requests.Requests)
	}
	var tl struct {
		Entries []struct {
			Seq   int64  `json:"seq"`
			Type  string `json:"type"`
			Actor struct {
				User string `json:"user"`
				Role string `json:"role"`
			} `json:"actor"`
			Data struct {
				Alert int64 `json:"alert"`
			} `json:"data"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/requests/"+request+"/timeline"), &tl); err != nil {
		t.Fatal(err)
	}
	var acks []string
	for _, e := range tl.Entries {
		if e.Type == "alert.acknowledged" {
			acks = append(acks, fmt.Sprintf("%s/%s of %d", e.Actor.User, e.Actor.Role, e.Data.Alert))
		}
	}
	if want := "metro-dispatcher/dispatcher of " + seq; len(acks) != 1 || acks[0] != want {
		t.Errorf("acknowledgements in %s's timeline = %q, want one: %s", request, acks, want)
	}
	if got := disp.text("#alerts"); strings.Contains(got, "EMERGENCY: "+callSign) {
		t.Errorf("dispatcher's band after the acknowledgement = %q, want no EMERGENCY of %s", got, callSign)
	}

	// The supervisor's acknowledgement: refused first, the alert stays
	// and says why; then held up in the network, it says it is sending,
	// and leaves once the server has it. (The page's fetch stands in for
	// the network.)
	eval[chromedp.Void](sup, `(() => {
		const real = window.fetch;
		window.ackCalls = 0;
		window.fetch = (u, o) => {
			if (!String(u).includes("/api/v1/alerts/")) return real(u, o);
			if (++window.ackCalls === 1) return Promise.resolve(new Response(JSON.stringify({type: "about:blank", title: "Not Found", status: 404,
				detail: "the test refused it", code: "not_found"}), {status: 404, headers: {"Content-Type": "application/problem+json"}}));
			return new Promise((resolve) => { window.releaseAck = () => resolve(real(u, o)); });
		};
	})()`)
	ack := fmt.Sprintf(`#alerts .alert.emergency[data-seq=%q] button.ack`, seq)
	sup.do(chromedp.Click(chromedp.CSS(ack)))
	sup.waitFor("the refusal said", item+`?.querySelector(".alert-error")?.innerText === "Not acknowledged: the test refused it"`)
	sup.do(chromedp.Click(chromedp.CSS(ack)))
	sup.waitFor("sending…", `document.querySelector(`+fmt.Sprintf("%q", ack)+`)?.innerText === "Sending…" && window.releaseAck`)
	sup.screenshot("alerts-05-sending")
	eval[chromedp.Void](sup, `window.releaseAck()`)
	sup.waitFor("the alert off the supervisor's band", `!`+item)
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/requests/"+request+"/timeline"), &tl); err != nil {
		t.Fatal(err)
	}
	acks = nil
	for _, e := range tl.Entries {
		if e.Type == "alert.acknowledged" {
			acks = append(acks, e.Actor.User)
		}
	}
	if want := []string{"metro-dispatcher", "metro-supervisor"}; !slices.Equal(acks, want) {
		t.Errorf("acknowledgements in %s's timeline = %q, want %q", request, acks, want)
	}
}

// gestureAudio makes a page's AudioContext wait for a gesture on the page
// before it plays, as browsers do by default: headless Chromium plays
// without one whatever its autoplay flag. resume starts it only while the
// page has a user's transient activation (a click, a key).
const gestureAudio = `(() => {
	const Real = window.AudioContext;
	window.AudioContext = class extends Real {
		constructor(...args) { super(...args); this.waits = true; super.suspend(); }
		get state() { return this.waits ? "suspended" : super.state; }
		resume() {
			if (!navigator.userActivation.isActive) return this.waits ? new Promise(() => {}) : super.resume();
			this.waits = false;
			return super.resume().then(() => this.dispatchEvent(new Event("statechange")));
		}
	};
})()`

// TestConsoleAlertsBlocked: where the browser lets a page play sound only
// after a gesture on it, a console opened without one says that sound
// waits, and the first click starts it.
func TestConsoleAlertsBlocked(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	browserCtx := startBrowser(t)
	disp := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	defer disp.checkConsole()
	disp.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: gestureAudio})
		return err
	}))
	// Signed in by the page's script, not by a hand: the console opens
	// with no gesture on it.
	c := creds["metro-dispatcher"]
	disp.do(chromedp.Navigate(n.url + "/console/login"))
	ctx, cancel := context.WithTimeout(disp.ctx, 15*time.Second)
	defer cancel()
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`fetch("/api/v1/auth/login", {method: "POST", headers: {"Content-Type": "application/json"},
		body: JSON.stringify({username: %q, password: %q})}).then(r => r.status)`, c.Username, c.Password), chromedp.EvalAwaitPromise))
	if err != nil || status != http.StatusOK {
		t.Fatalf("sign-in by script = %d (%v), want 200", status, err)
	}
	disp.do(chromedp.Navigate(n.url + "/console/dispatch"))
	disp.waitFor("the console", `document.getElementById("live")?.dataset.state === "live" && document.querySelector("#board .group")`)
	disp.waitFor("the header saying sound waits", `document.getElementById("sound-state").dataset.state === "blocked" &&
		!document.getElementById("sound-state").hidden && document.getElementById("sound-state").innerText.startsWith("Sound waits")`)
	disp.screenshot("alerts-06-sound-waits")
	disp.do(chromedp.Click(chromedp.CSS("main#view"), chromedp.NodeVisible))
	disp.waitFor("sound allowed by the click", `document.getElementById("sound-state").dataset.state === "on" && document.getElementById("sound-state").hidden`)
}
