package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConsoleMessages sends a message from the dispatcher's board to a
// unit: it arrives live on the officer's screen, open on that unit, without
// a reload; the officer's screen acknowledges it, and the dispatcher's
// panel shows it read. The officer answers, and the answer reaches the
// dispatcher's panel. A BOLO with a photo, issued through the API for the
// whole agency, appears on the unit's screen with its photo. No page's
// console shows an error.
func TestConsoleMessages(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)

	browserCtx := startBrowser(t)
	unit := openPage(t, browserCtx, n, "unit", 390, 844, true)
	defer unit.checkConsole()
	unit.login(creds["metro-officer"], "unit")
	unit.waitFor("the unit picker", `document.querySelector('[data-unit="metro.1a11"]')`)
	unit.do(chromedp.Click(chromedp.CSS(`[data-unit="metro.1a11"]`)))
	unit.waitFor("the unit's screen", `document.getElementById("unit-cs")?.innerText === "1A11"`)
	unit.waitFor("the unit's messages", `document.querySelector("#unit-messages .empty")?.innerText === "No messages."`)
	eval[chromedp.Void](unit, `window.noReload = true`)

	disp := openPage(t, browserCtx, n, "dispatcher", 1440, 900, false)
	defer disp.checkConsole()
	disp.login(creds["metro-dispatcher"], "dispatch")
	disp.waitFor("the message form", `[...document.querySelectorAll("#msg-to option")].some((o) => o.value === "unit:metro.1a11")`)
	eval[chromedp.Void](disp, `(() => { const s = document.getElementById("msg-to"); s.value = "unit:metro.1a11"; })()`)
	disp.do(chromedp.SendKeys(chromedp.ID("msg-text"), "Meet the caller at the rear gate"),
		chromedp.Click(chromedp.ID("msg-send")))
	disp.waitFor("the message in the dispatcher's panel",
		`document.querySelector("#dispatch-messages li.outgoing .msg-text")?.innerText === "Meet the caller at the rear gate"`)

	unit.waitFor("the message on the unit's screen",
		`document.querySelector("#unit-messages li.incoming .msg-text")?.innerText === "Meet the caller at the rear gate"`)
	unit.screenshot("messages-unit")
	disp.waitFor("the read receipt on the dispatcher's panel",
		`document.querySelector("#dispatch-messages li.outgoing")?.dataset.read === "all" && /1A11: read/.test(document.querySelector("#dispatch-messages li.outgoing .msg-receipts")?.innerText)`)
	disp.screenshot("messages-dispatch-read")

	// The officer answers the dispatch desk.
	unit.do(chromedp.SendKeys(chromedp.ID("unit-msg-text"), "Copy, two minutes out"),
		chromedp.Click(chromedp.ID("unit-msg-send")))
	disp.waitFor("the answer on the dispatcher's panel",
		`[...document.querySelectorAll("#dispatch-messages li.incoming .msg-text")].some((p) => p.innerText === "Copy, two minutes out")`)
	// A BOLO with a photo reaches the unit's screen.
	admin := adminAPI(t, n)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/metro-dispatcher/tokens", map[string]any{"name": "bolo test"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("a token for metro-dispatcher: %v", err)
	}
	dispAPI := &api{url: n.url, token: tok.Token, client: admin.client}
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{200, uint8(x * 6), uint8(y * 8), 255})
		}
	}
	var photo bytes.Buffer
	if err := png.Encode(&photo, img); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", n.url+"/api/v1/photos", bytes.NewReader(photo.Bytes()))
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "image/png")
	resp, err := admin.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up struct {
		Hash string `json:"hash"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&up); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/photos = %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	dispAPI.mustCreate(t, "/api/v1/bolos", map[string]any{"kind": "vehicle", "description": "silver minivan, roof box", "plate": "KZ 4411",
		"photos": []string{up.Hash}, "priority": 1, "area": map[string]string{"kind": "agency"}, "expires": time.Now().Add(2 * time.Hour)})
	unit.waitFor("the BOLO on the unit's screen",
		`document.querySelector("#unit-bolos .plate")?.innerText === "KZ4411" && document.querySelector("#unit-bolos img")?.naturalWidth === 40`)
	unit.screenshot("bolo-unit")

	// Twenty more messages: both panels show the newest page, and the
	// first message again once "Older…" reads the next one.
	for i := range 20 {
		dispAPI.mustCreate(t, "/api/v1/messages", map[string]any{"to": []string{"unit:metro.1a11"}, "text": fmt.Sprintf("Check %d", i+1)})
	}
	for _, p := range []struct {
		pg          *page
		list, older string
	}{{disp, "#dispatch-messages", "msg-older"}, {unit, "#unit-messages", "unit-msg-older"}} {
		p.pg.waitFor("the newest page and Older…", fmt.Sprintf(`document.querySelector(%q)?.innerText === "Check 20" && document.querySelectorAll(%q).length === 20 && !document.getElementById(%q).hidden`,
			p.list+" li .msg-text", p.list+" li.msg", p.older))
		p.pg.do(chromedp.Click(chromedp.ID(p.older)))
		p.pg.waitFor("the older page", fmt.Sprintf(`[...document.querySelectorAll(%q)].some((x) => x.innerText === "Meet the caller at the rear gate") && document.querySelectorAll(%q).length > 20`,
			p.list+" li .msg-text", p.list+" li.msg"))
	}

	if !eval[bool](unit, `window.noReload === true`) {
		t.Error("the unit's page reloaded")
	}
}
