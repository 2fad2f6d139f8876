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
		// Scrolled to its end, the last control is clear of the bar.
		eval[bool](unit, `(() => { const v = document.getElementById("view"); v.scrollTop = v.scrollHeight; return true; })()`)
		unit.waitFor(name+": the end of the screen above the EMERGENCY bar",
			`document.getElementById("change-unit").getBoundingClientRect().bottom <= document.getElementById("em-bar").getBoundingClientRect().top`)
		if why := eval[string](unit, inReach("#change-unit", "")); why != "" {
			t.Errorf("%s: scrolled to the end, Change unit: %s", name, why)
		}
		if why := eval[string](unit, inReach("#emergency", "")); why != "" {
			t.Errorf("%s: scrolled to the end, the EMERGENCY button: %s", name, why)
		}
		if name == "390x844" {
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
