package main_test

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// TestConsoleBOLOs walks the BOLO view: a dispatcher issues a BOLO for a
// vehicle with a photo (a PNG uploaded through the form's file input) in
// the district where unit 1A11 is, finds it by part of its plate typed in
// any case, and sees its photo served back; the officer on 1A11 sees it on
// the unit view; the dispatcher cancels it with a reason, and it leaves the
// unit view without a reload. A second BOLO, in a circle drawn on the map
// around 1A11, reaches 1A11 too. No page's console shows an error.
func TestConsoleBOLOs(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)

	// The district 1A11 is in, by its position.
	admin := adminAPI(t, n)
	var pos struct {
		Positions []struct {
			Unit string  `json:"unit"`
			Lat  float64 `json:"lat"`
			Lon  float64 `json:"lon"`
		} `json:"positions"`
	}
	var district string
	for range 50 {
		if err := json.Unmarshal(admin.mustGet(t, "/api/v1/units/positions"), &pos); err != nil {
			t.Fatal(err)
		}
		for _, p := range pos.Positions {
			if p.Unit == "metro.1a11" {
				district, _ = gridcity.ChicagoDistricts().Locate(p.Lat, p.Lon)
			}
		}
		if district != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if district == "" {
		t.Fatal("1A11 has no position in a district")
	}

	// A small PNG for the photo.
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for x := range 96 {
		for y := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 2), 90, uint8(y * 4), 255})
		}
	}
	photo := filepath.Join(dir, "suspect-car.png")
	f, err := os.Create(photo)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()

	browserCtx := startBrowser(t)
	unit := openPage(t, browserCtx, n, "unit", 390, 844, true)
	defer unit.checkConsole()
	unit.login(creds["metro-officer"], "unit")
	unit.waitFor("the unit picker", `document.querySelector('[data-unit="metro.1a11"]')`)
	unit.do(chromedp.Click(chromedp.CSS(`[data-unit="metro.1a11"]`)))
	unit.waitFor("the unit's screen", `document.getElementById("unit-cs")?.innerText === "1A11"`)
	eval[chromedp.Void](unit, `window.noReload = true`)

	disp := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	defer disp.checkConsole()
	disp.login(creds["metro-dispatcher"], "dispatch")
	// A click on the link itself, not at where it was drawn: the bar may
	// still be settling on a loaded machine.
	eval[chromedp.Void](disp, `document.querySelector('nav a[href="/console/bolos"]').click()`)
	disp.waitFor("the BOLO view", `location.pathname === "/console/bolos" && /BOLOs? in force/.test(document.getElementById("bolo-count")?.innerText || "")`)

	// Issue it through the form, from the keyboard's n.
	eval[chromedp.Void](disp, `document.activeElement.blur()`)
	disp.press("n")
	disp.waitFor("the form", `document.activeElement?.id === "bl-kind-vehicle"`)
	disp.do(chromedp.SendKeys(chromedp.ID("bl-plate"), "kz 7731"),
		chromedp.SendKeys(chromedp.ID("bl-desc"), "dark green sedan, broken tail light"),
		chromedp.SetUploadFiles(chromedp.ID("bl-photos"), []string{photo}))
	disp.waitFor("the photo uploaded", `document.querySelectorAll("#bl-photo-list li[data-hash]").length === 1`)
	disp.waitFor("the districts in the form", fmt.Sprintf(`[...document.getElementById("bl-district").options].some((o) => o.value === %q)`, district))
	eval[chromedp.Void](disp, fmt.Sprintf(`(() => { const s = document.getElementById("bl-district"); s.value = %q; s.dispatchEvent(new Event("change")); document.getElementById("bl-priority").value = "1"; })()`, district))
	disp.do(chromedp.Click(chromedp.ID("bl-issue")))
	disp.waitFor("the BOLO in the list", `document.querySelector("#bolos .bl-card .plate")?.innerText === "KZ7731" && !document.getElementById("bl-form")`)
	id := eval[string](disp, `document.querySelector("#bolos .bl-card").dataset.id`)
	if got := disp.text(`#bolos .bl-card .bl-area`); !strings.Contains(got, district) {
		t.Errorf("the BOLO's area = %q, want district %s", got, district)
	}
	disp.waitFor("the photo shown from the server", `document.querySelector("#bolos .bl-card .bl-photos img")?.naturalWidth === 96`)
	if out := os.Getenv("TENFOUR_DOC_SCREENSHOTS"); out != "" {
		// docs/console.md's picture (see TestConsoleDocScreenshots).
		eval[chromedp.Void](disp, `document.querySelector(".toast button")?.click()`)
		if err := disp.saveScreenshot(filepath.Join(out, "console-bolos.png")); err != nil {
			t.Fatal(err)
		}
	}

	// Find it by part of its plate, in another case and spacing.
	disp.do(chromedp.SendKeys(chromedp.ID("bolo-q"), "z 77"))
	disp.waitFor("the search", `document.getElementById("bolo-count").innerText.startsWith("1 BOLO matching") && document.querySelectorAll("#bolos .bl-card").length === 1`)
	eval[chromedp.Void](disp, `(() => { const q = document.getElementById("bolo-q"); q.value = "zz 99"; q.dispatchEvent(new Event("input")); })()`)
	disp.waitFor("a search that finds nothing", `document.querySelector("#bolos .empty")?.innerText === "No BOLO matches."`)
	eval[chromedp.Void](disp, `(() => { const q = document.getElementById("bolo-q"); q.value = "7731"; q.dispatchEvent(new Event("input")); })()`)
	disp.waitFor("the search again", `document.querySelector("#bolos .bl-card .plate")?.innerText === "KZ7731"`)
	disp.screenshot("bolos")

	// The unit in the district sees it, with its photo.
	unit.waitFor("the BOLO on the unit's screen", fmt.Sprintf(
		`document.querySelector('#unit-bolos [data-id=%q] .plate')?.innerText === "KZ7731" && document.querySelector('#unit-bolos [data-id=%q] img')?.naturalWidth === 96`, id, id))

	// Cancel it with a reason, from the keyboard: select it, x.
	eval[chromedp.Void](disp, `document.activeElement.blur()`)
	disp.press("j")
	disp.press("x")
	disp.waitFor("the cancel form", fmt.Sprintf(`document.activeElement?.id === %q`, "bl-reason-"+id))
	disp.do(chromedp.SendKeys(chromedp.ID("bl-reason-"+id), "vehicle recovered"),
		chromedp.Click(chromedp.ID("bl-cancel-go-"+id)))
	disp.waitFor("the BOLO gone from the list", `document.querySelector("#bolos .empty")?.innerText === "No BOLO matches."`)
	unit.waitFor("the BOLO gone from the unit's screen", fmt.Sprintf(`!document.querySelector('#unit-bolos [data-id=%q]')`, id))

	// With the ended ones, it shows cancelled, with the reason.
	disp.do(chromedp.Click(chromedp.ID("bolo-all")))
	disp.waitFor("the cancelled BOLO", `/cancelled .* vehicle recovered/.test(document.querySelector("#bolos .bl-card.ended .bl-expiry")?.innerText || "")`)

	// A second BOLO, for a person, in a circle drawn on the map around
	// 1A11: pressed on the unit, dragged out to the radius.
	eval[chromedp.Void](disp, `(() => { const q = document.getElementById("bolo-q"); q.value = ""; q.dispatchEvent(new Event("input")); document.getElementById("bolo-all").click(); document.activeElement.blur(); })()`)
	disp.waitFor("the search cleared", `/BOLOs? in force$/.test(document.getElementById("bolo-count").innerText)`)
	disp.press("n")
	disp.waitFor("the form again", `document.activeElement?.id === "bl-kind-vehicle"`)
	disp.do(chromedp.Click(chromedp.ID("bl-kind-person")), chromedp.Click(chromedp.ID("bl-area-circle")),
		chromedp.SendKeys(chromedp.ID("bl-desc"), "man in a red parka, walking east"))
	xy := eval[[]float64](disp, `(() => { const g = [...document.querySelectorAll(".bl-map g.unit-marker")].find((g) => g.querySelector("text")?.textContent === "1A11");
		const b = g?.querySelector("circle").getBoundingClientRect(); return b ? [b.x + b.width / 2, b.y + b.height / 2] : []; })()`)
	if len(xy) != 2 {
		t.Fatal("1A11 is not on the BOLO view's map")
	}
	disp.drag(xy[0], xy[1], xy[0]+40, xy[1])
	disp.waitFor("the circle drawn", `document.getElementById("bl-centre").innerText.includes(",") && Number(document.getElementById("bl-radius").value) > 10 && document.querySelector(".bl-map circle.bolo-area.draft")`)
	disp.do(chromedp.Click(chromedp.ID("bl-issue")))
	disp.waitFor("the circle BOLO in the list", `/around/.test(document.querySelector("#bolos .bl-card.selected .bl-area")?.innerText || "")`)
	circle := eval[string](disp, `document.querySelector("#bolos .bl-card.selected").dataset.id`)
	unit.waitFor("the circle BOLO on the unit's screen", fmt.Sprintf(
		`/red parka/.test(document.querySelector('#unit-bolos [data-id=%q] .bolo-desc')?.innerText || "")`, circle))

	// A hundred more, agency-wide: the lists read the newest hundred, and
	// the circle BOLO again once "Older…" reads the next page.
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/metro-dispatcher/tokens", map[string]any{"name": "bolo pages"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("a token for metro-dispatcher: %v", err)
	}
	dispAPI := &api{url: n.url, token: tok.Token, client: admin.client}
	for i := range 100 {
		dispAPI.mustCreate(t, "/api/v1/bolos", map[string]any{"kind": "person", "description": fmt.Sprintf("person %d", i),
			"priority": 3, "area": map[string]string{"kind": "agency"}, "expires": time.Now().Add(2 * time.Hour)})
	}
	for _, p := range []struct {
		pg          *page
		cards, more string
	}{{disp, "#bolos .bl-card", "bolo-older"}, {unit, "#unit-bolos .bolo", "unit-bolos-older"}} {
		p.pg.waitFor("the newest hundred and Older…", fmt.Sprintf(`document.querySelectorAll(%q).length === 100 && !document.querySelector('%s[data-id=%q]') && !document.getElementById(%q).hidden`,
			p.cards, p.cards, circle, p.more))
		p.pg.do(chromedp.Click(chromedp.ID(p.more)))
		p.pg.waitFor("the next page", fmt.Sprintf(`document.querySelectorAll(%q).length > 100 && document.querySelector('%s[data-id=%q]') && document.getElementById(%q).hidden`,
			p.cards, p.cards, circle, p.more))
	}

	if !eval[bool](unit, `window.noReload === true`) {
		t.Error("the unit's page reloaded")
	}
}
