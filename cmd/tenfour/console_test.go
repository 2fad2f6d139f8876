package main_test

// Browser tests of the web console (docs/console.md): Debian's chromium,
// headless, driven through the DevTools protocol by chromedp, against a real
// `tenfour demo` process. Each user has a browser context of their own
// (their own cookies), as on separate machines. Screenshots go to
// test-artifacts/ at the repository's root.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"

	"github.com/tenfour-cad/tenfour/sim"
)

// chromiumPath finds the browser: $TENFOUR_CHROMIUM, else Debian's chromium
// (the Makefile's chromium target installs it).
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TENFOUR_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the console tests need Chromium: run `make test`, which installs Debian's chromium package, or set TENFOUR_CHROMIUM")
	return ""
}

// artifactsDir returns test-artifacts/ at the repository's root (or
// $TENFOUR_TEST_ARTIFACTS), made if need be.
func artifactsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("TENFOUR_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBrowser starts headless chromium for the test and returns its
// context.
func startBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1440, 900),
		chromedp.Flag("lang", "en-GB"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// A page is one user's tab, in a browser context of its own, with every
// error its console shows collected.
type page struct {
	t    testing.TB
	name string
	ctx  context.Context
	url  string // the node's

	mu       sync.Mutex
	errors   []string
	expected []expectedLog
}

// openPage opens a tab for a user in a new browser context, with a viewport
// of w × h (and touch, for mobile).
func openPage(t testing.TB, browserCtx context.Context, n *node, name string, w, h int64, mobile bool) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &page{t: t, name: name, ctx: ctx, url: n.url}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.consoleMessage(m)
		}
	}()
	vp := []chromedp.EmulateViewportOption{}
	if mobile {
		vp = append(vp, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	p.do(chromedp.EmulateViewport(w, h, vp...))
	return p
}

// httpStatusLog is the browser's own log line for an answer of 4xx: the
// API's problem answers (a sign-in check that finds no session, a place the
// geocoder does not know), which the console shows to its user.
var httpStatusLog = regexp.MustCompile(`^Failed to load resource: the server responded with a status of 4\d\d `)

// expect lets the browser's network log show msg for the resource at url:
// a failure the test causes.
func (p *page) expect(msg *regexp.Regexp, url string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected = append(p.expected, expectedLog{msg, url})
}

type expectedLog struct {
	msg *regexp.Regexp
	url string
}

func (p *page) consoleMessage(m chromedp.ConsoleMessage) {
	if !m.IsException() && m.Type != chromedp.ConsoleError {
		return
	}
	if m.Source == "network" && httpStatusLog.MatchString(m.Text) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.expected {
		if m.Source == "network" && m.URL == e.url && e.msg.MatchString(m.Text) {
			return
		}
	}
	p.errors = append(p.errors, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
}

// checkConsole fails the test for every error the page's console showed.
func (p *page) checkConsole() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.errors {
		p.t.Errorf("%s's console: %s", p.name, e)
	}
}

// do runs actions, failing the test on an error, within 15 seconds.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("%s: evaluate %s: %v", p.name, expr, err)
	}
	return v
}

// waitTimeout is how long waitFor waits: a bound on a condition, not a
// wait, so generous. CI runs beside other work on two cores, and there a
// browser that checks a bundle's proofs and openings itself has taken
// more than 10 s.
const waitTimeout = 30 * time.Second

// waitFor waits until the expression is truthy in the page, failing the test
// with what after waitTimeout. It checks every 25 ms, across navigations.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	p.screenshot("failed-" + strings.ReplaceAll(what, " ", "-"))
	p.t.Fatalf("%s: waiting for %s (%s): not after %v (last error: %v)", p.name, what, expr, waitTimeout, err)
}

// click clicks the element the CSS selector finds, once it is there. The
// lookup and the click are one step in the page: a panel the console
// redraws as events arrive may replace the element between a lookup by
// node (chromedp.Click) and the click on it.
func (p *page) click(sel string) {
	p.t.Helper()
	p.waitFor("a click on "+sel, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.click(); return true; })()`, sel))
}

// text returns the text of the first element the CSS selector finds, or "".
func (p *page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.querySelector(%q)?.innerText ?? ""`, sel))
}

// screenshot writes the viewport to test-artifacts/console-NAME.png.
func (p *page) screenshot(name string) {
	p.t.Helper()
	if err := p.saveScreenshot(filepath.Join(artifactsDir(p.t), "console-"+name+".png")); err != nil {
		p.t.Errorf("%s: screenshot %s: %v", p.name, name, err)
	}
}

// saveScreenshot writes the viewport to the PNG file path.
func (p *page) saveScreenshot(path string) error {
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// login signs in through the login form, with the one-time code step when
// the user has a second factor, and waits for the view of the user's role.
func (p *page) login(c sim.Credential, view string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.url + "/console/"))
	p.waitFor("the login form", `location.pathname === "/console/login" && document.activeElement?.id === "login-user"`)
	p.do(chromedp.SendKeys(chromedp.ID("login-user"), c.Username),
		chromedp.SendKeys(chromedp.ID("login-pass"), c.Password+"\n"))
	if c.TOTP != "" {
		p.waitFor("the one-time code step", `!document.getElementById("login-otp")?.closest(".field").hidden && document.activeElement?.id === "login-otp"`)
		code, err := totp.GenerateCode(c.TOTP, time.Now())
		if err != nil {
			p.t.Fatal(err)
		}
		p.do(chromedp.SendKeys(chromedp.ID("login-otp"), code+"\n"))
	}
	p.waitFor("the "+view+" view after sign-in", fmt.Sprintf(`location.pathname === "/console/%s" && document.getElementById("live")?.dataset.state === "live"`, view))
}

// press presses one key, as a keyboard does: a raw key-down, the character
// it types (which the browser drops when the page took the key-down), and
// the key-up.
func (p *page) press(key string) {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range key {
			for _, e := range kb.Encode(r) {
				if e.Type == kb.KeyDown {
					e.Type = input.DispatchKeyEventTypeRawKeyDown
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *e); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// demoCredentials reads the demo city's credentials file.
func demoCredentials(t testing.TB, dir string) map[string]sim.Credential {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "demo-credentials.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := sim.ParseCredentials(b)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]sim.Credential{}
	for _, c := range cs {
		out[c.Username] = c
	}
	return out
}

// TestConsole is the walk through the console: a dispatcher signs
// in, creates an incident (correcting the address from the geocoder's
// suggestion) and dispatches the recommended unit; the unit, in a second
// browser, sees the assignment arrive without a reload and goes en route and
// on scene, which the dispatcher's board shows without a reload; the unit's
// EMERGENCY reaches the dispatcher's and a supervisor's screens within a
// second; the map draws the districts and the units. No page's console shows
// an error.
func TestConsole(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	// Calls arrive once an hour or so, and units barely move: the city stays
	// still while the test drives it.
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	var where struct{ Lat, Lon float64 }
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/geocode?q="+url.QueryEscape("3900 S Kedzie Ave")), &where); err != nil {
		t.Fatal(err)
	}
	browserCtx := startBrowser(t)
	start := time.Now()

	dispatcher := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	unit := openPage(t, browserCtx, n, "unit", 390, 844, true)
	supervisor := openPage(t, browserCtx, n, "supervisor", 1280, 800, false)
	pages := []*page{dispatcher, unit, supervisor}
	defer func() {
		for _, p := range pages {
			p.checkConsole()
		}
	}()

	// The status page links to the console.
	dispatcher.do(chromedp.Navigate(n.url + "/"))
	if href := eval[string](dispatcher, `document.querySelector("a.console-link")?.getAttribute("href") ?? ""`); href != "/console/" {
		t.Errorf("the status page's console link = %q, want /console/", href)
	}

	dispatcher.login(creds["metro-dispatcher"], "dispatch")
	metroUnits := 0
	for _, u := range sim.Plan() {
		if u.Agency == "metro" {
			metroUnits++
		}
	}
	dispatcher.waitFor("the unit board", fmt.Sprintf(`document.querySelectorAll("#board .chip").length === %d`, metroUnits))
	dispatcher.screenshot("01-dispatch")

	// The officer's browser may tell its position: it is at 3900 S Kedzie Ave.
	unitBC := chromedp.FromContext(unit.ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(unit.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted,
		Origin: n.url, BrowserContextID: unitBC}); err != nil {
		t.Fatalf("grant geolocation: %v", err)
	}
	if _, err := chromedp.Call(unit.ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
		Latitude: new(where.Lat), Longitude: new(where.Lon), Accuracy: new(10.0)}); err != nil {
		t.Fatalf("set the geolocation: %v", err)
	}
	unit.login(creds["metro-officer"], "unit")
	unit.waitFor("the unit picker", `document.querySelector('[data-unit="metro.1a11"]')`)
	unit.screenshot("02-unit-pick")
	unit.do(chromedp.Click(chromedp.CSS(`[data-unit="metro.1a11"]`)))
	unit.waitFor("the unit's screen", `document.getElementById("unit-cs")?.innerText === "1A11" && document.getElementById("unit-status")?.innerText === "Available"`)
	unit.waitFor("the position shared", `document.getElementById("geo-state")?.innerText.startsWith("Position shared")`)
	if got := unit.text(".assignment h2"); got != "No assignment" {
		t.Errorf("unit: assignment = %q, want No assignment", got)
	}

	supervisor.login(creds["metro-supervisor"], "supervise")

	// A new incident, from the keyboard: n opens the form; the misspelt
	// street gets the geocoder's suggestion, taken with one click.
	dispatcher.press("n")
	dispatcher.waitFor("the new incident form", `document.querySelector(".incident-dialog")?.open && document.activeElement?.id === "ni-location"`)
	dispatcher.do(chromedp.SendKeys(chromedp.ID("ni-location"), "3900 S Kedzy Ave"))
	dispatcher.waitFor("the geocoder's suggestion", `[...document.querySelectorAll("#ni-geo .suggestion")].some(b => b.innerText === "S Kedzie Ave")`)
	if msg := dispatcher.text("#ni-geo .form-error"); !strings.Contains(msg, "did you mean") {
		t.Errorf("geocoder problem shown = %q, want the server's sentence with its suggestions", msg)
	}
	dispatcher.screenshot("03-new-incident-suggestion")
	dispatcher.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#ni-geo .suggestion")].find(b => b.innerText === "S Kedzie Ave")`)))
	dispatcher.waitFor("the location verified", `document.querySelector("#ni-geo .ok")?.innerText === "✓ 3900 S Kedzie Ave"`)
	dispatcher.do(
		chromedp.SetValue(chromedp.ID("ni-type"), "ASSAULT"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("ni-type").dispatchEvent(new Event("change"))`),
		chromedp.SendKeys(chromedp.ID("ni-caller"), "J. Kowalski"),
		chromedp.SendKeys(chromedp.ID("ni-narrative"), "Two men fighting outside the store."),
	)
	if prio := eval[string](dispatcher, `document.getElementById("ni-priority").value`); prio != "1" {
		t.Errorf("priority after choosing Assault = %s, want its default 1", prio)
	}
	dispatcher.do(chromedp.Click(chromedp.CSS(`.incident-form button[type=submit]`)))
	dispatcher.waitFor("the incident selected", `!document.querySelector(".incident-dialog").open && document.getElementById("detail-title")?.innerText.includes("Assault")`)
	dispatcher.waitFor("the recommendation", `document.getElementById("dispatch-top")`)
	if got := dispatcher.text("#dispatch-top"); !strings.HasPrefix(got, "Dispatch 1A11") {
		t.Errorf("recommended = %q, want Dispatch 1A11: the unit whose browser put it at the incident", got)
	}
	dispatcher.waitFor("the caller and narrative", `document.querySelector(".narrative .narr")?.innerText === "Two men fighting outside the store."`)
	dispatcher.screenshot("04-incident")

	// The pages must not reload from here on: a mark in each page's
	// JavaScript state survives only without one.
	for _, p := range pages {
		eval[chromedp.Void](p, `window.noReload = true`)
	}

	// d dispatches the recommended unit; the unit's screen shows the
	// assignment, and the board moves 1A11.
	dispatcher.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	dispatcher.press("d")
	unit.waitFor("the assignment", `document.getElementById("asg-loc")?.innerText === "3900 S Kedzie Ave" && document.getElementById("unit-status").innerText === "Dispatched"`)
	unit.waitFor("the narrative on the unit", `document.querySelector(".assignment .narr")?.innerText === "Two men fighting outside the store."`)
	unit.screenshot("05-unit-assigned")
	dispatcher.waitFor("1A11 dispatched on the board", `[...document.querySelectorAll("#board .group.st-DISPATCHED .cs")].some(e => e.innerText === "1A11")`)

	// The unit's status buttons are exactly the statuses the server says
	// it may go to next (next_statuses), EMERGENCY having a button of its
	// own.
	offers := func(status string) {
		t.Helper()
		var units struct {
			Units []struct {
				ID, Status string
				Next       []string `json:"next_statuses"`
			}
		}
		if err := json.Unmarshal(admin.mustGet(t, "/api/v1/units?agency=metro"), &units); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, u := range units.Units {
			if u.ID != "metro.1a11" {
				continue
			}
			if u.Status != status {
				t.Fatalf("metro.1a11 is %s on the server, want %s", u.Status, status)
			}
			for _, s := range u.Next {
				if s != "EMERGENCY" {
					want = append(want, "set-"+s)
				}
			}
		}
		if len(want) == 0 {
			t.Fatalf("the server offers metro.1a11 no status from %s", status)
		}
		j, _ := json.Marshal(want)
		unit.waitFor(status+": the server's next statuses as the buttons",
			fmt.Sprintf(`JSON.stringify([...document.querySelectorAll(".status-buttons .status-btn")].map(b => b.id)) === %q`, j))
	}
	offers("DISPATCHED")
	unit.do(chromedp.Click(chromedp.ID("set-EN_ROUTE")))
	unit.waitFor("en route", `document.getElementById("unit-status").innerText === "En route" && document.getElementById("set-ON_SCENE")`)
	offers("EN_ROUTE")
	unit.do(chromedp.Click(chromedp.ID("set-ON_SCENE")))
	unit.waitFor("on scene", `document.getElementById("unit-status").innerText === "On scene"`)
	offers("ON_SCENE")
	dispatcher.waitFor("1A11 on scene on the board", `[...document.querySelectorAll("#board .group.st-ON_SCENE .cs")].some(e => e.innerText === "1A11")`)
	dispatcher.waitFor("the incident's on-scene time", `[...document.querySelectorAll(".times dt")].some(e => e.innerText.toLowerCase() === "on scene")`)
	dispatcher.screenshot("06-on-scene")

	// EMERGENCY, with its confirm step. Each dispatch screen notes when the
	// alert appears; the unit page notes when the confirm is pressed. The
	// pages share the browser's clock.
	for _, p := range []*page{dispatcher, supervisor} {
		eval[chromedp.Void](p, `window.alertSeen = 0; new MutationObserver(() => {
			if (!window.alertSeen && [...document.querySelectorAll("#alerts .alert.emergency")].some(a => a.innerText.includes("1A11"))) window.alertSeen = Date.now();
		}).observe(document.getElementById("alerts"), {subtree: true, childList: true, characterData: true})`)
	}
	unit.do(chromedp.Click(chromedp.ID("emergency")))
	unit.waitFor("the confirm step", `document.activeElement?.id === "emergency-confirm"`)
	if st := unit.text("#unit-status"); st != "On scene" {
		t.Errorf("unit status after the first EMERGENCY press = %q, want On scene: it must ask to confirm first", st)
	}
	unit.screenshot("07-unit-emergency-confirm")
	pressed := eval[float64](unit, `(() => { const t = Date.now(); document.getElementById("emergency-confirm").click(); return t; })()`)
	for _, p := range []*page{dispatcher, supervisor} {
		p.waitFor("the EMERGENCY alert", `window.alertSeen > 0`)
		seen := eval[float64](p, `window.alertSeen`)
		if d := time.Duration(seen-pressed) * time.Millisecond; d > time.Second {
			t.Errorf("%s saw the EMERGENCY alert %v after the unit confirmed it, want within one second", p.name, d)
		} else {
			t.Logf("%s saw the EMERGENCY alert %v after the unit confirmed it", p.name, d)
		}
		p.waitFor("the alert announced", `document.getElementById("announce-alert").textContent.includes("EMERGENCY: 1A11")`)
	}
	unit.waitFor("the unit in EMERGENCY", `document.getElementById("unit-status").innerText === "Emergency"`)
	unit.screenshot("08-unit-emergency")
	dispatcher.screenshot("09-dispatch-emergency")
	supervisor.screenshot("10-supervisor-emergency")

	// The alert is acknowledged from the keyboard.
	dispatcher.press("a")
	dispatcher.waitFor("the alerts acknowledged", `document.getElementById("alerts").hidden`)

	// The command line: a note on the selected incident.
	dispatcher.press("/")
	dispatcher.waitFor("the command line", `document.activeElement?.id === "cmd"`)
	dispatcher.do(chromedp.SendKeys(chromedp.ID("cmd"), "note suspect left northbound on foot\n"))
	dispatcher.waitFor("the note", `[...document.querySelectorAll(".notes li")].some(e => e.innerText.includes("suspect left northbound on foot"))`)
	// A status the server does not offer the unit is refused at once, with
	// the ones it does (EMERGENCY: back to AVAILABLE or ON_SCENE). The
	// command line still has the focus.
	dispatcher.do(chromedp.SendKeys(chromedp.ID("cmd"), "s 1A11 bz\n"))
	dispatcher.waitFor("the status refused with the server's next statuses",
		`document.getElementById("cmd-out")?.innerText.includes("cannot go Busy; it can go Available (AV), On scene (OS)")`)

	// The help overlay lists the keys.
	dispatcher.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	dispatcher.press("?")
	dispatcher.waitFor("the help", `document.getElementById("help").open && document.getElementById("help-body").innerText.includes("Dispatch the recommended unit")`)
	dispatcher.screenshot("11-help")
	dispatcher.press(kb.Escape)
	dispatcher.waitFor("the help closed", `!document.getElementById("help").open`)

	// The light theme.
	dispatcher.press("T")
	dispatcher.waitFor("the light theme", `document.documentElement.dataset.theme === "light"`)
	dispatcher.screenshot("12-dispatch-light")
	dispatcher.press("T")

	// The map: every district and beat, units where they are, zoom by key.
	dispatcher.press("M")
	dispatcher.waitFor("the map", `location.pathname === "/console/map" && document.querySelectorAll(".map polygon").length === 125`)
	dispatcher.waitFor("the units on the map", fmt.Sprintf(`document.querySelectorAll(".map .unit-marker").length === %d`, metroUnits))
	before := eval[float64](dispatcher, `document.querySelector(".map").viewBox.baseVal.width`)
	dispatcher.do(chromedp.Focus(chromedp.CSS(".map")))
	dispatcher.press("+")
	if after := eval[float64](dispatcher, `document.querySelector(".map").viewBox.baseVal.width`); !(after < before) {
		t.Errorf("map width after + = %v, want less than %v", after, before)
	}
	dispatcher.press("0")
	dispatcher.screenshot("13-map")

	// The stream drops: the dispatcher's screen says it is not live;
	// an incident created meanwhile arrives once it is back, with no gap
	// (Last-Event-ID) and no reload.
	streamURL := n.url + "/api/v1/stream"
	dispatcher.expect(regexp.MustCompile(`^Failed to load resource: net::ERR_INTERNET_DISCONNECTED$`), streamURL)
	// The browser goes offline (navigator.onLine, the offline event) and
	// the stream's address stops answering.
	offline := func(off bool) {
		t.Helper()
		var rules []*network.Conditions
		if off {
			rules = append(rules, &network.Conditions{URLPattern: streamURL, Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := chromedp.Call(dispatcher.ctx, network.EmulateNetworkConditionsByRule,
			network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
			t.Fatalf("emulate the network: %v", err)
		}
		if _, err := chromedp.Call(dispatcher.ctx, network.OverrideNetworkState,
			network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			t.Fatalf("emulate the network: %v", err)
		}
	}
	offline(true)
	dispatcher.waitFor("the live indicator to say not live", `document.getElementById("live").dataset.state !== "live" && document.querySelector("#live .live-text").innerText.startsWith("Not live since")`)
	dispatcher.screenshot("14-not-live")
	admin.mustCreate(t, "/api/v1/incidents", map[string]any{"agency": "metro", "type": "BURGLARY",
		"location": map[string]string{"text": "4700 S Western Ave"}, "narrative": "created while the console was cut off"})
	offline(false)
	dispatcher.waitFor("live again", `document.getElementById("live").dataset.state === "live"`)
	dispatcher.press("D")
	dispatcher.waitFor("the incident made while not live", `[...document.querySelectorAll("#queue .q-loc")].some(e => e.innerText === "4700 S Western Ave")`)

	for _, p := range pages {
		if !eval[bool](p, `window.noReload === true`) {
			t.Errorf("%s's page reloaded", p.name)
		}
	}

	// The other roles land where they should and see only what they may
	// do; each signs out through the button.
	other := openPage(t, browserCtx, n, "other roles", 1280, 800, false)
	pages = append(pages, other)
	for _, c := range []struct {
		user, view, check string
	}{
		{"metro-call-taker", "dispatch", `document.getElementById("new-incident") && document.querySelectorAll("#board .chip").length > 0 && !document.getElementById("dispatch-top")`},
		// An auditor lands on the audit view (console_audit_test.go reads
		// the board there, read only).
		{"metro-auditor", "audit", `document.getElementById("audit-records") && !document.getElementById("new-incident")`},
		{"metro-liaison", "map", `document.querySelectorAll(".map polygon").length === 125`},
	} {
		other.login(creds[c.user], c.view)
		other.waitFor(c.user+"'s view", c.check)
		other.do(chromedp.Click(chromedp.ID("logout")))
		other.waitFor(c.user+" signed out", `location.pathname === "/console/login" && document.getElementById("login-user")`)
	}
	t.Logf("browser part took %v", time.Since(start).Round(time.Millisecond))
}

// TestConsoleDocScreenshots takes the screenshots of docs/console.md from
// a busy demo city, when TENFOUR_DOC_SCREENSHOTS names the folder to write
// them to (docs/img):
//
//	TENFOUR_DOC_SCREENSHOTS=$PWD/docs/img go test -run TestConsoleDocScreenshots ./cmd/tenfour/
//
// It checks only that each view draws; TestConsole checks what they do.
func TestConsoleDocScreenshots(t *testing.T) {
	out := os.Getenv("TENFOUR_DOC_SCREENSHOTS")
	if out == "" {
		t.Skip("set TENFOUR_DOC_SCREENSHOTS to the folder for docs/console.md's screenshots")
	}
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "20", "--seed", "11")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	time.Sleep(25 * time.Second) // about eight minutes of the city's time
	browserCtx := startBrowser(t)
	shot := func(p *page, name string) {
		t.Helper()
		if err := p.saveScreenshot(filepath.Join(out, name+".png")); err != nil {
			t.Fatal(err)
		}
	}

	dispatcher := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	dispatcher.do(chromedp.Navigate(n.url + "/console/"))
	dispatcher.waitFor("the login form", `document.activeElement?.id === "login-user"`)
	dispatcher.do(chromedp.SendKeys(chromedp.ID("login-user"), "metro-supervisor"),
		chromedp.SendKeys(chromedp.ID("login-pass"), creds["metro-supervisor"].Password+"\n"))
	dispatcher.waitFor("the one-time code step", `document.activeElement?.id === "login-otp"`)
	shot(dispatcher, "console-login")
	dispatcher.login(creds["metro-dispatcher"], "dispatch")
	dispatcher.waitFor("the queue", `document.querySelectorAll("#queue .q-button").length > 3`)
	dispatcher.press("j")
	dispatcher.waitFor("an incident", `document.getElementById("detail-title")?.innerText.length > 0 && document.querySelector(".narrative")`)
	dispatcher.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	shot(dispatcher, "console-dispatch")

	dispatcher.press("n")
	dispatcher.waitFor("the form", `document.activeElement?.id === "ni-location"`)
	dispatcher.do(chromedp.SendKeys(chromedp.ID("ni-location"), "4100 S Pulasky Rd"))
	dispatcher.waitFor("the suggestion", `document.querySelector("#ni-geo .suggestion")`)
	shot(dispatcher, "console-new-incident")
	dispatcher.press(kb.Escape)

	// A unit on a call, on a phone.
	var units struct {
		Units []struct{ ID, CallSign, Status, Incident string } `json:"units"`
	}
	if err := json.Unmarshal(admin.mustGet(t, "/api/v1/units?agency=metro"), &units); err != nil {
		t.Fatal(err)
	}
	busy := ""
	for _, u := range units.Units {
		if u.Status == "EN_ROUTE" || u.Status == "ON_SCENE" {
			busy = u.ID
			break
		}
	}
	if busy == "" {
		t.Fatal("no metro unit on a call after 25 s of the demo")
	}
	unit := openPage(t, browserCtx, n, "unit", 390, 844, true)
	unit.login(creds["metro-officer"], "unit")
	unit.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-unit=%q]`, busy))))
	unit.waitFor("the assignment", `document.getElementById("asg-loc")`)
	shot(unit, "console-unit")
	unit.do(chromedp.Click(chromedp.ID("emergency")))
	unit.waitFor("the confirm step", `document.getElementById("emergency-confirm")`)
	shot(unit, "console-unit-emergency-confirm")
	unit.do(chromedp.Click(chromedp.ID("emergency-confirm")))
	dispatcher.waitFor("the alert", `document.querySelector("#alerts .alert.emergency")`)
	shot(dispatcher, "console-emergency")
	dispatcher.press("a")

	dispatcher.press("?")
	dispatcher.waitFor("the help", `document.getElementById("help").open`)
	shot(dispatcher, "console-keys")
	dispatcher.press(kb.Escape)
	dispatcher.press("T")
	dispatcher.waitFor("the light theme", `document.documentElement.dataset.theme === "light"`)
	shot(dispatcher, "console-dispatch-light")
	dispatcher.press("T")
	dispatcher.press("M")
	dispatcher.waitFor("the map", `document.querySelectorAll(".map .unit-marker").length > 50`)
	dispatcher.do(chromedp.Focus(chromedp.CSS(".map")))
	dispatcher.press("+")
	shot(dispatcher, "console-map")
	for _, p := range []*page{dispatcher, unit} {
		p.checkConsole()
	}
}

// The demo city makes one user per agency and role, prints them with the
// console's address and writes them to DATA/demo-credentials.txt; a second
// start on the same data directory keeps them.
func TestDemoUsers(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005")
	creds := demoCredentials(t, dir)
	if len(creds) != len(sim.Users()) {
		t.Fatalf("demo-credentials.txt has %d users, want %d", len(creds), len(sim.Users()))
	}
	// The passwords and TOTP secrets are the owner's alone.
	if st, err := os.Stat(filepath.Join(dir, "demo-credentials.txt")); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o600 {
		t.Errorf("mode of demo-credentials.txt = %04o, want 0600", st.Mode().Perm())
	}
	for _, u := range sim.Users() {
		c, ok := creds[u.Username]
		needsCode := u.Role == "supervisor" || u.Role == "admin"
		switch {
		case !ok:
			t.Errorf("demo-credentials.txt lacks %s", u.Username)
		case c.Agency != u.Agency || c.Role != u.Role || len(c.Password) < 12:
			t.Errorf("demo-credentials.txt: %+v, want agency %s, role %s and a password", c, u.Agency, u.Role)
		case needsCode != (c.TOTP != ""):
			t.Errorf("demo-credentials.txt: %s has TOTP secret %q; want one exactly for supervisors and administrators", u.Username, c.TOTP)
		}
	}
	// The list follows the line startNode waited for, through a pipe.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(n.out.String(), "Press Ctrl-C to stop.") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	out := n.out.String()
	if !strings.Contains(out, n.url+"/console/") || !strings.Contains(out, creds["metro-dispatcher"].Password) {
		t.Errorf("tenfour demo printed %q, want the console's address and the demo users", out)
	}
	if status, body := login(t, n, "metro-dispatcher", creds["metro-dispatcher"].Password); status != 200 {
		t.Fatalf("sign in as metro-dispatcher = %d %s, want 200", status, body)
	}
	if status, body := login(t, n, "metro-supervisor", creds["metro-supervisor"].Password); status != 401 || !strings.Contains(body, "otp_required") {
		t.Errorf("sign in as metro-supervisor without a code = %d %s, want 401 otp_required", status, body)
	}
	before, err := os.ReadFile(filepath.Join(dir, "demo-credentials.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.stop(t); err != nil {
		t.Fatalf("stop the demo: %v", err)
	}
	n = startNode(t, "demo", dir, "--speed", "0.005")
	after, err := os.ReadFile(filepath.Join(dir, "demo-credentials.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Error("a second start rewrote demo-credentials.txt")
	}
	if status, body := login(t, n, "sheriff-officer", creds["sheriff-officer"].Password); status != 200 {
		t.Errorf("after a restart, sign in as sheriff-officer = %d %s, want 200", status, body)
	}
}
