package main_test

// The supervisor's view of the console (docs/console.md, "Supervise") in
// Chromium against a real `tenfour demo`, with the helpers of
// console_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// drag presses the left button at (x0, y0), moves to (x1, y1) in a few
// steps and releases it there, as a hand on a mouse does.
func (p *page) drag(x0, y0, x1, y1 float64) {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		send := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) error {
			_, err := cdp.Call(ctx, t, input.DispatchMouseEvent, input.DispatchMouseEventParams{
				Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1})
			return err
		}
		if err := send(input.DispatchMouseEventTypeMousePressed, x0, y0, 1); err != nil {
			return err
		}
		const steps = 6
		for i := 1; i <= steps; i++ {
			f := float64(i) / steps
			if err := send(input.DispatchMouseEventTypeMouseMoved, x0+(x1-x0)*f, y0+(y1-y0)*f, 1); err != nil {
				return err
			}
		}
		return send(input.DispatchMouseEventTypeMouseReleased, x1, y1, 0)
	}))
}

// centreOf returns the middle of the first element the CSS selector finds,
// in the viewport's pixels.
func (p *page) centreOf(sel string) (x, y float64) {
	p.t.Helper()
	r := eval[[]float64](p, fmt.Sprintf(`(() => { const b = document.querySelector(%q).getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })()`, sel))
	if len(r) != 2 {
		p.t.Fatalf("%s: no element %s", p.name, sel)
	}
	return r[0], r[1]
}

// TestConsoleSupervise walks through the supervisor's view: metro's
// supervisor draws a hold directive around 39th Pl & Kedzie on the map; a
// federal patrol there presses EMERGENCY; the supervisor's view shows the
// request with a running countdown, held by the directive, and who issued
// it; metro's dispatcher goes from the alert to the request and
// acknowledges it, which does not move the held deadline; at the deadline
// the request climbs to the sheriff, which the view shows without a
// reload; the supervisor revokes the directive; and the reference
// scenario's button plays it, its directive arriving live. No page's
// console shows an error.
func TestConsoleSupervise(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)

	// Federal's plan: metro, then the sheriff, then the state police; an
	// EMERGENCY waits the shortest time a plan allows, 10 s, at each.
	admin.must(t, "PUT", "/api/v1/agencies/federal/mutual-aid", map[string]any{
		"levels":    []map[string]any{{"agencies": []string{"metro"}}, {"agencies": []string{"sheriff"}}, {"agencies": []string{"state"}}},
		"emergency": map[string]int{"acknowledge_seconds": 10, "decide_seconds": 10},
	}, http.StatusOK)
	var kedzie struct{ Lat, Lon float64 }
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/geocode?q="+url.QueryEscape("39th Pl & S Kedzie Ave")), &kedzie); err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/federal-officer/tokens", map[string]any{"name": "supervise test"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("a token for federal-officer: %v", err)
	}
	federal := &api{url: n.url, token: tok.Token, client: admin.client}

	browserCtx := startBrowser(t)
	start := time.Now()
	sup := openPage(t, browserCtx, n, "supervisor", 1440, 900, false)
	disp := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	pages := []*page{sup, disp}
	defer func() {
		for _, p := range pages {
			p.checkConsole()
		}
	}()

	// A supervisor lands on the supervisor's view; a dispatcher on the board.
	sup.login(creds["metro-supervisor"], "supervise")
	sup.waitFor("the view with its map", `document.getElementById("requests") && document.querySelectorAll(".sv-map .map polygon.district").length > 0`)
	disp.login(creds["metro-dispatcher"], "dispatch")
	for _, p := range pages {
		eval[chromedp.Void](p, `window.noReload = true`)
	}

	// The directive, drawn: n opens the form; the centre is found by its
	// address, the circle dragged out from it on the map, then the radius
	// typed exactly.
	sup.press("n")
	sup.waitFor("the directive form", `document.getElementById("dv-form") && document.activeElement?.name === "scope"`)
	sup.do(chromedp.SendKeys(chromedp.ID("dv-place"), "39th Pl & S Kedzie Ave\n"))
	sup.waitFor("the centre on the map", `document.getElementById("dv-centre").innerText.includes(",") && document.querySelector(".sv-map .draw-centre")`)
	x, y := sup.centreOf(".sv-map .draw-centre")
	sup.drag(x, y, x+70, y)
	sup.waitFor("the circle dragged out", `Number(document.getElementById("dv-radius").value) > 100 && document.querySelector(".sv-map circle.directive.draft")`)
	if drawn := eval[float64](sup, `Number(document.getElementById("dv-radius").value)`); drawn == 500 {
		t.Errorf("radius after the drag = %v, want it set by the drag, not the default", drawn)
	}
	sup.screenshot("supervise-01-drawing")
	sup.do(chromedp.SetValue(chromedp.ID("dv-radius"), "600"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("dv-radius").dispatchEvent(new Event("input"))`),
		chromedp.SendKeys(chromedp.ID("dv-reason"), "commander's order: crowd at the rail yards"),
		chromedp.SetValue(chromedp.ID("dv-expiry"), "120"),
		chromedp.Click(chromedp.ID("dv-issue")))
	sup.waitFor("the directive in force", `document.querySelector("#directives .dv.eff-hold .dv-left")?.innerText.endsWith("left")`)
	var directives struct {
		Directives []struct {
			ID     string `json:"id"`
			Effect string `json:"effect"`
			Scope  struct {
				Kind   string `json:"kind"`
				Circle struct {
					Lat, Lon float64
					RadiusM  float64 `json:"radius_m"`
				} `json:"circle"`
			} `json:"scope"`
			Issuer struct{ User string } `json:"issuer"`
		} `json:"directives"`
	}
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/directives?status=IN_FORCE"), &directives); err != nil || len(directives.Directives) != 1 {
		t.Fatalf("directives in force = %+v (%v), want the one drawn", directives, err)
	}
	dv := directives.Directives[0]
	if dv.Effect != "hold" || dv.Scope.Kind != "circle" || dv.Scope.Circle.RadiusM != 600 || dv.Issuer.User != "metro-supervisor" ||
		math.Abs(dv.Scope.Circle.Lat-kedzie.Lat) > 0.002 || math.Abs(dv.Scope.Circle.Lon-kedzie.Lon) > 0.002 {
		t.Errorf("the directive drawn = %+v, want a hold of 600 m around %v by metro-supervisor", dv, kedzie)
	}
	if left := sup.text(`#directives .dv-left`); !strings.HasPrefix(left, "1:59:") && !strings.HasPrefix(left, "2:00:") {
		t.Errorf("time left of a 2-hour directive = %q", left)
	}
	sup.waitFor("the area on the map", `document.querySelectorAll(".sv-map circle.directive.dir-hold").length === 1 && !document.querySelector(".sv-map .directive.draft")`)

	// The federal patrol FP12, boxed in there, presses EMERGENCY: its
	// officer signs on it first, as an officer acts only for a unit they
	// crew (dispatch.MayOperate).
	federal.must(t, "POST", "/api/v1/units/federal.fp12/sign-on", map[string]any{"crew": []string{"federal-officer"},
		"shift": map[string]any{"start": time.Now().UTC(), "end": time.Now().UTC().Add(8 * time.Hour)}}, http.StatusOK)
	federal.must(t, "POST", "/api/v1/units/positions", []map[string]any{{"unit": "federal.fp12", "lat": kedzie.Lat, "lon": kedzie.Lon, "time": time.Now().UTC()}}, http.StatusNoContent)
	federal.must(t, "POST", "/api/v1/units/federal.fp12/status", map[string]string{"status": "EMERGENCY"}, http.StatusOK)
	var reqs struct {
		Requests []struct {
			ID, Unit string
			Deadline time.Time
		} `json:"requests"`
	}
	if err := json.Unmarshal(federal.mustGet(t, "/api/v1/requests"), &reqs); err != nil || len(reqs.Requests) != 1 || reqs.Requests[0].Unit != "federal.fp12" {
		t.Fatalf("federal's requests = %+v (%v), want FP12's", reqs, err)
	}
	rq := reqs.Requests[0].ID
	card := fmt.Sprintf(`document.querySelector('#requests [data-key=%q]')`, rq)

	sup.waitFor("the request, held by the directive", card+`?.classList.contains("urg-EMERGENCY") && `+card+`.classList.contains("held")`)
	sup.waitFor("who issued the directive", card+`.querySelector(".rq-conflicts")?.innerText.includes("`+dv.ID+` by metro-supervisor")`)
	sup.waitFor("the EMERGENCY announced", `document.getElementById("announce-alert").textContent.includes("EMERGENCY: Federal Patrol FP12 needs assistance")`)
	left := `document.querySelector('#requests [data-key="` + rq + `"] .rq-left').textContent`
	first := eval[string](sup, left)
	sup.waitFor("the countdown to run", left+` !== "`+first+`"`)
	second := eval[string](sup, left)
	if !(countdownSeconds(t, second) < countdownSeconds(t, first)) {
		t.Errorf("the countdown read %q, then %q: want it running down", first, second)
	}
	if got := sup.text(`#requests [data-key="` + rq + `"] .rq-level`); got != "Level 1" {
		t.Errorf("level shown = %q, want Level 1", got)
	}
	sup.screenshot("supervise-02-request")

	// The dispatcher goes from the alert to the request, and acknowledges.
	disp.waitFor("the alert's Show button", `[...document.querySelectorAll("#alerts .alert.emergency")].some(a => a.innerText.includes("FP12") && a.querySelector("button.ghost"))`)
	disp.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#alerts .alert.emergency")].find(a => a.innerText.includes("FP12")).querySelector("button.ghost")`)))
	disp.waitFor("the request in the supervisor's view", `location.pathname === "/console/supervise" && `+card+`?.querySelector("[data-act=acknowledge]")`)
	if eval[bool](disp, `!!document.getElementById("new-directive")`) {
		t.Error("a dispatcher is offered to issue a directive")
	}
	if eval[bool](disp, card+`.querySelector("[data-act=decline]") !== null`) {
		t.Error("a dispatcher is offered to decline a request: that is a supervisor's")
	}
	disp.do(chromedp.Click(chromedp.JSPath(card + `.querySelector("[data-act=acknowledge]")`)))
	ackRow := card + `.querySelector("tr.me")?.innerText`
	disp.waitFor("the acknowledgement", ackRow+`?.includes("Acknowledged") && `+ackRow+`.includes("metro-dispatcher")`)
	sup.waitFor("the acknowledgement on the supervisor's screen", ackRow+`?.includes("Acknowledged")`)
	if !eval[bool](sup, card+`.classList.contains("held") && !!`+card+`.querySelector(".held-tag")`) {
		t.Error("after the acknowledgement the request is no longer shown held: the directive holds it to its deadline")
	}
	disp.screenshot("supervise-03-dispatcher-acknowledged")

	// Which units the directive keeps out, and who may override it, the
	// server says (GET /api/v1/requests/{id}/blocked): the dispatcher's
	// accept form marks every unit kept out and lets none be sent; the
	// supervisor's lets them be chosen and asks for the override.
	pick := `[...document.querySelectorAll(".accept-form .pick-units input")]`
	disp.do(chromedp.Click(chromedp.JSPath(card + `.querySelector("[data-act=accept]")`)))
	disp.waitFor("the dispatcher's units kept out", `document.querySelector(".accept-form .held-by-all")?.innerText.includes("`+dv.ID+`") && `+
		`document.querySelector(".accept-form .held-by-all").innerText.includes("only a supervisor may send one") && `+pick+`.length > 0 && `+pick+`.every(b => b.disabled)`)
	sup.do(chromedp.Click(chromedp.JSPath(card + `.querySelector("[data-act=accept]")`)))
	sup.waitFor("the supervisor's units to send under override", `document.querySelector(".accept-form .held-by-all")?.innerText.includes("needs your override") && `+pick+`.some(b => !b.disabled)`)
	sup.do(chromedp.Click(chromedp.JSPath(pick + `.find(b => !b.disabled)`)))
	sup.waitFor("the override asked for", `!document.querySelector(".accept-form .override").hidden`)
	sup.screenshot("supervise-03b-accept-override")
	sup.press(kb.Escape)
	sup.waitFor("the accept form closed", `!document.querySelector(".accept-form")`)

	// At the deadline the request climbs to the sheriff, live.
	sup.waitFor("level 2", `document.querySelector('#requests [data-key="`+rq+`"] .rq-level')?.innerText === "Level 2"`)
	sup.waitFor("the sheriff asked", card+`.querySelector(".rq-asked")?.innerText.includes("County Sheriff")`)
	if !eval[bool](sup, `!`+card+`.classList.contains("held")`) {
		t.Error("after the escalation the request is still shown held: the escalation releases it")
	}
	sup.screenshot("supervise-04-escalated")

	// The supervisor revokes the directive, with a reason.
	sup.do(chromedp.Click(chromedp.ID("dv-revoke-" + dv.ID)))
	sup.waitFor("the revoke form", `document.activeElement?.id === "revoke-reason-`+dv.ID+`"`)
	sup.do(chromedp.SendKeys(chromedp.ID("revoke-reason-"+dv.ID), "crowd dispersed\n"))
	sup.do(chromedp.Click(chromedp.CSS(`.revoke-form button[type=submit]`)))
	sup.waitFor("the directive ended", `!document.querySelector('#directives [data-key="`+dv.ID+`"]') && document.querySelector(".dv-ended")?.textContent.includes("revoked")`)
	if got := eval[string](sup, `document.querySelector(".dv-ended .dv-list").textContent`); !strings.Contains(got, "by metro-supervisor (supervisor)") || !strings.Contains(got, "crowd dispersed") {
		t.Errorf("the ended directive reads %q, want who revoked it and why", got)
	}
	sup.waitFor("its area gone from the map", `!document.querySelector(".sv-map .overlays .directive")`)

	// The reference scenario plays on the button; its directive arrives
	// live.
	sup.waitFor("the scenario button", `document.getElementById("play-kedzie") && !document.getElementById("play-kedzie").disabled`)
	sup.do(chromedp.Click(chromedp.ID("play-kedzie")))
	sup.waitFor("the scenario playing", `document.getElementById("play-kedzie").disabled && document.getElementById("scenario-kedzie").innerText.includes("Playing since")`)
	if status, b, err := admin.do("POST", "/api/v1/scenarios/kedzie", map[string]string{}); err != nil || status != http.StatusForbidden {
		t.Errorf("POST /api/v1/scenarios/kedzie as the installation administrator = %d %s (%v), want 403: a supervisor's button", status, b, err)
	}
	sup.waitFor("the scenario's directive", `[...document.querySelectorAll("#directives .dv-reason")].some(e => e.innerText.includes("rail yards"))`)
	sup.screenshot("supervise-05-scenario")

	for _, p := range pages {
		if !eval[bool](p, `window.noReload === true`) {
			t.Errorf("%s's page reloaded", p.name)
		}
	}
	t.Logf("browser part took %v", time.Since(start).Round(time.Millisecond))
}

// countdownSeconds reads a countdown such as 0:07.
func countdownSeconds(t *testing.T, s string) int {
	t.Helper()
	var m, sec int
	if _, err := fmt.Sscanf(s, "%d:%d", &m, &sec); err != nil {
		t.Fatalf("countdown %q: %v", s, err)
	}
	return m*60 + sec
}

// TestConsoleSuperviseDocScreenshots takes the supervisor's view's
// pictures of docs/console.md, when TENFOUR_DOC_SCREENSHOTS names the folder
// to write them to (docs/img), on a busy demo city playing the reference
// scenario from its button, with the sheriff declining on the way:
//
//	TENFOUR_DOC_SCREENSHOTS=$PWD/docs/img go test -run TestConsoleSuperviseDocScreenshots ./cmd/tenfour/
//
// It takes about a minute, the scenario's time.
func TestConsoleSuperviseDocScreenshots(t *testing.T) {
	out := os.Getenv("TENFOUR_DOC_SCREENSHOTS")
	if out == "" {
		t.Skip("set TENFOUR_DOC_SCREENSHOTS to the folder for docs/console.md's screenshots")
	}
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "20", "--seed", "11")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	sheriff := ownToken(t, admin, "sheriff-supervisor", creds["sheriff-supervisor"].Password, creds["sheriff-supervisor"].TOTP)
	browserCtx := startBrowser(t)
	shot := func(p *page, name string) {
		t.Helper()
		if err := p.saveScreenshot(filepath.Join(out, name+".png")); err != nil {
			t.Fatal(err)
		}
	}
	// waitLong is waitFor with the scenario's patience.
	waitLong := func(p *page, what, expr string) {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if eval[bool](p, "!!("+expr+")") {
				return
			}
		}
		t.Fatalf("%s: not after 90 s", what)
	}

	sup := openPage(t, browserCtx, n, "supervisor", 1440, 900, false)
	sup.login(creds["metro-supervisor"], "supervise")
	sup.waitFor("the scenario button", `document.getElementById("play-kedzie")`)
	sup.do(chromedp.Click(chromedp.ID("play-kedzie")))
	waitLong(sup, "the request held", `document.querySelector("#requests .rq.urg-EMERGENCY.held .rq-conflicts")`)
	sup.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	time.Sleep(1500 * time.Millisecond) // the alert's pulse settles
	shot(sup, "console-supervise")

	// The sheriff, asked at level 2, declines: a supervisor's, with a reason.
	waitLong(sup, "the sheriff asked", `document.querySelector("#requests .rq.urg-EMERGENCY .rq-asked")?.innerText.includes("Sheriff")`)
	id := eval[string](sup, `document.querySelector("#requests .rq.urg-EMERGENCY").dataset.key`)
	sheriff.must(t, "POST", "/api/v1/requests/"+id+"/decline", map[string]string{"reason": "every county unit is at the fairground evacuation"}, http.StatusOK)
	// metro's supervisor opens the units to send, the nearest first, those
	// the directive keeps out marked.
	sup.do(chromedp.Click(chromedp.JSPath(`document.querySelector('#requests [data-key="` + id + `"] [data-act=accept]')`)))
	sup.waitFor("the units to send", `document.querySelectorAll(".accept-form .pick-units li").length > 3`)
	sup.do(chromedp.Click(chromedp.JSPath(`document.querySelector(".accept-form .pick-units input")`)))
	sup.waitFor("the override asked for", `!document.querySelector(".accept-form .override").hidden`)
	shot(sup, "console-supervise-accept")
	sup.press(kb.Escape)
	waitLong(sup, "the override to review", `document.querySelector("#reviews .rv.override") && document.querySelector("#reviews .rv.decline")`)
	shot(sup, "console-supervise-review")

	// A new directive, drawn on the map.
	sup.press("n")
	sup.waitFor("the form", `document.getElementById("dv-form")`)
	sup.do(chromedp.SendKeys(chromedp.ID("dv-place"), "4700 S Western Ave\n"))
	sup.waitFor("the centre", `document.querySelector(".sv-map .draw-centre")`)
	x, y := sup.centreOf(".sv-map .draw-centre")
	sup.drag(x, y, x+45, y+10)
	sup.do(chromedp.SendKeys(chromedp.ID("dv-reason"), "water main burst: keep units off Western Ave"))
	sup.do(chromedp.Click(chromedp.ID("dv-scope-circle")))
	shot(sup, "console-supervise-directive")
	sup.press(kb.Escape)
	sup.press("T")
	sup.waitFor("the light theme", `document.documentElement.dataset.theme === "light"`)
	shot(sup, "console-supervise-light")
	sup.press("T")
	sup.checkConsole()
}
