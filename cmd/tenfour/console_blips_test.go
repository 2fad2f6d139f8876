package main_test

// Browser tests of commands that survive blips and of the EMERGENCY button
// within reach (docs/console.md, "Sending…" and "The unit's screen"): the
// layout on phone sizes, and a command retried after a 503 with its
// Idempotency-Key. The EMERGENCY press across a sequencer takeover is in
// console_takeover_test.go.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// dispatcherAPI returns an API client with a token of metro-dispatcher.
func dispatcherAPI(t *testing.T, n *node) *api {
	t.Helper()
	admin := adminAPI(t, n)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/metro-dispatcher/tokens", map[string]any{"name": "blips test"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("a token for metro-dispatcher: %v", err)
	}
	return &api{url: n.url, token: tok.Token, client: admin.client}
}

// mustPost posts body to path and fails the test unless the answer is want.
func mustPost(t *testing.T, a *api, path string, body any, want int) []byte {
	t.Helper()
	status, b, err := a.do("POST", path, body)
	if err != nil || status != want {
		t.Fatalf("POST %s = %d %s, %v; want %d", path, status, b, err, want)
	}
	return b
}

// inReach is JavaScript that reports why the element sel is not wholly in
// the viewport, and on top at its centre, or "" when it is. clip, if not
// "", names an ancestor whose box must hold it too (a scrolling list).
func inReach(sel, clip string) string {
	return fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return "not on the page";
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return "not shown";
		if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5)
			return "box " + JSON.stringify(r) + " outside the viewport " + innerWidth + "×" + innerHeight;
		const c = %q ? el.closest(%q) : null;
		if (c) {
			const b = c.getBoundingClientRect();
			if (r.top < b.top - 0.5 || r.left < b.left - 0.5 || r.bottom > b.bottom + 0.5 || r.right > b.right + 0.5)
				return "box " + JSON.stringify(r) + " clipped by " + %q + " " + JSON.stringify(b);
		}
		const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (!top || !el.contains(top)) return "covered at its centre by " + (top ? top.outerHTML.slice(0, 120) : "nothing");
		return "";
	})()`, sel, clip, clip, clip)
}

// TestConsoleEmergencyInReach: on every phone size and on a desktop, with
// messages and a BOLO on the unit's screen, an assignment open and another
// unit's EMERGENCY in the officer's alerts band, the EMERGENCY button (and
// then its confirm) is wholly in the viewport and on top at its centre; the
// band's Acknowledge is wholly visible; scrolled to its end, the screen's
// last control is above the EMERGENCY bar, not beneath it.
func TestConsoleEmergencyInReach(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	disp := dispatcherAPI(t, n)

	browserCtx := startBrowser(t)
	unit := openPage(t, browserCtx, n, "unit", 390, 844, true)
	defer unit.checkConsole()
	unit.login(creds["metro-officer"], "unit")
	unit.waitFor("the unit picker", `document.querySelector('[data-unit="metro.1a11"]')`)
	unit.do(chromedp.Click(chromedp.CSS(`[data-unit="metro.1a11"]`)))
	unit.waitFor("the unit's screen", `document.getElementById("unit-cs")?.innerText === "1A11"`)

	// An assignment, three messages, a BOLO, and 1A12's EMERGENCY.
	var inc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(disp.mustCreate(t, "/api/v1/incidents", map[string]any{"agency": "metro", "type": "ASSAULT",
		"location": map[string]string{"text": "3900 S Kedzie Ave"}, "narrative": "Two men fighting outside the store; one has a bat. Caller is the store's manager, inside."}), &inc); err != nil {
		t.Fatal(err)
	}
	mustPost(t, disp, "/api/v1/incidents/"+inc.ID+"/dispatch", map[string]any{"units": []string{"metro.1a11"}}, 200)
	for _, m := range []string{"Meet the caller at the rear gate", "Second unit two minutes out", "Suspect last seen northbound on Kedzie"} {
		disp.mustCreate(t, "/api/v1/messages", map[string]any{"to": []string{"unit:metro.1a11"}, "text": m})
	}
	disp.mustCreate(t, "/api/v1/bolos", map[string]any{"kind": "vehicle", "description": "silver minivan, roof box, dent in the rear door",
		"plate": "KZ 4411", "priority": 1, "area": map[string]string{"kind": "agency"}, "expires": time.Now().Add(2 * time.Hour)})
	mustPost(t, disp, "/api/v1/units/metro.1a12/status", map[string]string{"status": "EMERGENCY"}, 200)
	unit.waitFor("the assignment, messages, BOLO and alert", `document.getElementById("asg-loc")?.innerText === "3900 S Kedzie Ave"
		&& document.querySelectorAll("#unit-messages li.incoming").length === 3
		&& document.querySelector("#unit-bolos .plate")?.innerText === "KZ4411"
		&& [...document.querySelectorAll("#alerts .alert.emergency")].some((a) => a.innerText.includes("1A12"))`)

	for _, size := range []struct {
		w, h   int64
		mobile bool
	}{{320, 568, true}, {360, 640, true}, {390, 844, true}, {412, 915, true}, {1280, 800, false}} {
		name := fmt.Sprintf("%dx%d", size.w, size.h)
		opts := []chromedp.EmulateViewportOption{}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		unit.do(chromedp.EmulateViewport(size.w, size.h, opts...))
		unit.waitFor(name+": the viewport", fmt.Sprintf(`innerWidth === %d && innerHeight === %d`, size.w, size.h))
		// The screen's padding follows the bar's height a frame later.
		unit.waitFor(name+": the screen padded by the bar", `getComputedStyle(document.querySelector(".unit-body")).paddingBottom === document.getElementById("em-bar").offsetHeight + "px"`)
		unit.waitFor(name+": the screen scrolled to its top", `(document.getElementById("view").scrollTop = 0, true)`)
		for _, c := range []struct{ what, sel, clip string }{
			{"the EMERGENCY button", "#emergency", ""},
			{"the alert's Acknowledge", "#alerts .alert.emergency .ack", ".alert-list"},
		} {
			if why := eval[string](unit, inReach(c.sel, c.clip)); why != "" {
				unit.screenshot("reach-failed-" + name)
				t.Errorf("%s: %s: %s", name, c.what, why)
			}
		}
		// A control below the fold, focused (as by Tab), scrolls clear of
		// the bar. Each check scrolls and looks in one go: a redraw of the
		// screen between the two would move what is looked at.
		if why := eval[string](unit, `(document.getElementById("view").scrollTop = 0, document.getElementById("set-EN_ROUTE").focus(), `+inReach("#set-EN_ROUTE", "")+`)`); why != "" {
			t.Errorf("%s: En route, focused: %s", name, why)
		}
		eval[bool](unit, `(document.activeElement.blur(), true)`)
		// Scrolled to its end, the last control is clear of the bar.
		const toEnd = `(() => { const v = document.getElementById("view"); v.scrollTop = v.scrollHeight; return true; })()`
		if why := eval[string](unit, `(`+toEnd+`, document.getElementById("change-unit").getBoundingClientRect().bottom <= document.getElementById("em-bar").getBoundingClientRect().top ? "" : "beneath the bar")`); why != "" {
			t.Errorf("%s: scrolled to the end, Change unit: %s", name, why)
		}
		for _, sel := range []string{"#change-unit", "#emergency"} {
			if why := eval[string](unit, `(`+toEnd+`, `+inReach(sel, "")+`)`); why != "" {
				t.Errorf("%s: scrolled to the end, %s: %s", name, sel, why)
			}
		}
		if name == "390x844" {
			eval[bool](unit, toEnd)
			if err := unit.saveScreenshot(filepath.Join(os.TempDir(), "tenfour-unit-reach-390x844-end.png")); err != nil {
				t.Error(err)
			}
			eval[bool](unit, `(document.getElementById("view").scrollTop = 0, true)`)
			if err := unit.saveScreenshot(filepath.Join(os.TempDir(), "tenfour-unit-reach-390x844.png")); err != nil {
				t.Error(err)
			}
		}
		// The confirm step, in reach too; Cancel goes back to the button.
		unit.do(chromedp.Click(chromedp.ID("emergency")))
		unit.waitFor(name+": the confirm step", `document.activeElement?.id === "emergency-confirm"`)
		for _, sel := range []string{"#emergency-confirm", "#emergency-cancel"} {
			if why := eval[string](unit, inReach(sel, "")); why != "" {
				unit.screenshot("reach-failed-confirm-" + name)
				t.Errorf("%s: the confirm step's %s: %s", name, sel, why)
			}
		}
		if name == "390x844" {
			if err := unit.saveScreenshot(filepath.Join(os.TempDir(), "tenfour-unit-reach-390x844-confirm.png")); err != nil {
				t.Error(err)
			}
		}
		unit.do(chromedp.Click(chromedp.ID("emergency-cancel")))
		unit.waitFor(name+": the button again", `document.getElementById("emergency") && !document.getElementById("emergency-confirm")`)
	}
	if st := unit.text("#unit-status"); st != "Dispatched" {
		t.Errorf("1A11's status after the confirm steps were cancelled = %q, want Dispatched", st)
	}
}

// TestConsoleCommandRetry: a command (api.js post) answered 503 with
// Retry-After is sent again with the same Idempotency-Key once the server
// asks, showing "Sending …" in the status line meanwhile, and is done once;
// a command the user stops trying (the status line's Stop trying) ends with
// an error that says the server may still have it. The first answers are
// the page's own (a wrapped fetch), the others the server's.
func TestConsoleCommandRetry(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	disp := dispatcherAPI(t, n)

	browserCtx := startBrowser(t)
	p := openPage(t, browserCtx, n, "dispatcher", 1280, 800, false)
	defer p.checkConsole()
	p.login(creds["metro-dispatcher"], "dispatch")

	// fetch answers the test's POSTs to /api/v1/messages 503 while
	// window.refuse says so, and notes each one's key and the status line
	// at the time.
	p.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const real = window.fetch;
		window.sent = [];
		window.refuse = 1;
		window.fetch = async (url, init) => {
			if (!String(url).endsWith("/api/v1/messages") || init?.method !== "POST") return real(url, init);
			window.sent.push({key: init.headers["Idempotency-Key"], line: document.getElementById("sending-summary").textContent});
			if (window.refuse > 0) {
				window.refuse--;
				return new Response(JSON.stringify({type: "about:blank", title: "Service Unavailable", status: 503, code: "no_sequencer",
					detail: "no node sequences the log now; try again in a moment"}),
					{status: 503, headers: {"Content-Type": "application/problem+json", "Retry-After": "1"}});
			}
			return real(url, init);
		};
		window.result = null;
		import("/console/api.js").then((api) => api.post("/messages", {to: ["unit:metro.1a11"], text: "retried after a 503"}, {label: "the test's message"}))
			.then((m) => { window.result = {id: m.id}; }, (e) => { window.result = {error: e.status + " " + e.message}; });
	})()`))
	p.waitFor("the command answered", `window.result !== null`)
	var got struct {
		Result struct{ ID, Error string }
		Sent   []struct{ Key, Line string }
	}
	if err := json.Unmarshal([]byte(eval[string](p, `JSON.stringify({result: window.result, sent: window.sent})`)), &got); err != nil {
		t.Fatal(err)
	}
	if got.Result.Error != "" || got.Result.ID == "" {
		t.Fatalf("post /messages through a 503 = %+v, want the message", got.Result)
	}
	if len(got.Sent) != 2 || got.Sent[0].Key == "" || got.Sent[1].Key != got.Sent[0].Key {
		t.Errorf("the attempts' Idempotency-Keys = %+v, want two, the same key", got.Sent)
	}
	if len(got.Sent) == 2 && got.Sent[1].Line != "Sending the test's message…" {
		t.Errorf("the status line during the retry = %q, want %q", got.Sent[1].Line, "Sending the test's message…")
	}
	p.waitFor("the status line empty again", `document.getElementById("sending-summary").textContent === "" && document.getElementById("sending").classList.contains("idle")`)
	var list struct {
		Messages []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(disp.mustGet(t, "/api/v1/messages?unit=metro.1a11"), &list); err != nil {
		t.Fatal(err)
	}
	k := 0
	for _, m := range list.Messages {
		if m.Text == "retried after a 503" {
			k++
		}
	}
	if k != 1 {
		t.Errorf("the server holds %d messages of the retried command, want 1", k)
	}

	// Refused on and on, the user stops trying.
	p.do(chromedp.Evaluate[chromedp.Void](`(() => {
		window.refuse = 1000;
		window.result = null;
		import("/console/api.js").then((api) => api.post("/messages", {to: ["unit:metro.1a11"], text: "never answered"}, {label: "the unanswered message"}))
			.then((m) => { window.result = {id: m.id}; }, (e) => { window.result = {error: e.code + ": " + e.message}; });
	})()`))
	p.waitFor("Stop trying in the status line", `document.getElementById("sending-summary").textContent === "Sending the unanswered message…" && document.querySelector("#sending .sending-stop")`)
	p.screenshot("sending-status-line")
	p.do(chromedp.Click(chromedp.CSS(`#sending .sending-stop`)))
	p.waitFor("the command stopped", `window.result !== null`)
	if e := eval[string](p, `window.result.error || ""`); e != "stopped: stopped trying to send it; the server may still have received it: look before you send it again" {
		t.Errorf("the stopped command's error = %q, want code stopped and the sentence that the server may have it", e)
	}
	p.waitFor("the status line empty again", `document.getElementById("sending").classList.contains("idle")`)

	// A kept EMERGENCY press goes once the page is loaded again, and leaves
	// the device on an answer: the unit already in EMERGENCY (the press
	// landed before, its answer lost) quietly; a refusal with its reason.
	mustPost(t, disp, "/api/v1/units/metro.1a12/status", map[string]string{"status": "EMERGENCY"}, 200)
	for _, c := range []struct {
		unit, toast string
	}{
		{"metro.1a12", ""},
		{"metro.nosuch", "EMERGENCY not sent: "},
	} {
		eval[bool](p, fmt.Sprintf(`(localStorage.setItem("tenfour.emergency.metro-dispatcher", JSON.stringify({key: crypto.randomUUID(), unit: %q,
			call_sign: "X", pressed: new Date().toISOString(), user: "metro-dispatcher", body: {status: "EMERGENCY"}})), true)`, c.unit))
		p.do(chromedp.Reload())
		p.waitFor(c.unit+": the kept press answered", `document.getElementById("live")?.dataset.state === "live" && localStorage.getItem("tenfour.emergency.metro-dispatcher") === null`)
		toast := eval[string](p, `[...document.querySelectorAll("#toasts .toast.error")].map((e) => e.innerText).join("\n")`)
		if c.toast == "" && toast != "" || c.toast != "" && !strings.Contains(toast, c.toast) {
			t.Errorf("%s: the toasts after the kept press was answered = %q, want %q", c.unit, toast, c.toast)
		}
	}
	var units struct {
		Units []struct{ ID, Status string }
	}
	status := func(id string) string {
		t.Helper()
		if err := json.Unmarshal(disp.mustGet(t, "/api/v1/units?agency=metro"), &units); err != nil {
			t.Fatal(err)
		}
		for _, u := range units.Units {
			if u.ID == id {
				return u.Status
			}
		}
		t.Fatalf("no unit %s", id)
		return ""
	}
	if st := status("metro.1a12"); st != "EMERGENCY" {
		t.Errorf("metro.1a12 is %s, want still EMERGENCY", st)
	}

	// A press kept longer than emergency.js's staleAfter does not go by
	// itself on a reload: it waits for the officer's word, then goes.
	before := status("metro.1a13")
	eval[bool](p, `(localStorage.setItem("tenfour.emergency.metro-dispatcher", JSON.stringify({key: crypto.randomUUID(), unit: "metro.1a13",
		call_sign: "1A13", pressed: new Date(Date.now() - 20 * 60 * 1000).toISOString(), user: "metro-dispatcher", body: {status: "EMERGENCY"}})), true)`)
	p.do(chromedp.Reload())
	p.waitFor("the console live again", `document.getElementById("live")?.dataset.state === "live"`)
	p.waitFor("the stale press seen and kept", `import("/console/emergency.js").then((em) => { window.stale = em.stale("metro-dispatcher")?.unit || ""; }), window.stale === "metro.1a13"`)
	if st := status("metro.1a13"); st != before || st == "EMERGENCY" {
		t.Fatalf("a stale kept press went by itself: metro.1a13 is %s", st)
	}
	p.do(chromedp.Evaluate[chromedp.Void](`import("/console/emergency.js").then((em) => em.resume("metro-dispatcher", {force: true}))`))
	p.waitFor("the stale press sent on the officer's word", `localStorage.getItem("tenfour.emergency.metro-dispatcher") === null`)
	if st := status("metro.1a13"); st != "EMERGENCY" {
		t.Errorf("after sending the stale press, metro.1a13 is %s, want EMERGENCY", st)
	}
}
