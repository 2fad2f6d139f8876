package main_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tenfour-cad/tenfour/sim"
)

// TestConsoleEmergencyAcrossTakeover is issue 14's test: the sequencer is
// stopped while an officer presses EMERGENCY; the press shows "sending…",
// survives a reload, and lands once when a node takes over.
//
// Two nodes on PostgreSQL (cluster_test.go), the officer's console on the
// one that does not sequence. The sequencer is stopped (SIGSTOP: it takes
// the forwarded command's connection and answers nothing); the officer
// presses EMERGENCY and confirms; the unit's screen says "sending…". The
// page is reloaded while the unit's status address is cut off in the
// browser, so that the resent press cannot land before the test has seen
// it kept; the press is still kept and still "sending…". The follower takes
// the lease; the address comes back; the press lands: the surviving node's
// log holds exactly one unit.status_changed to EMERGENCY for the unit and
// one assist.requested, the page shows the unit in EMERGENCY, and the press
// is no longer kept. The stopped node, woken, is fenced and records nothing.
func TestConsoleEmergencyAcrossTakeover(t *testing.T) {
	c := startCluster(t, 2)
	seq, before := waitSequencer(t, c.nodes, 0)
	follower := c.nodes[0]
	if follower == seq {
		follower = c.nodes[1]
	}
	a := c.on(follower)
	mustCreateAgency(t, a, "metro")
	a.mustCreate(t, "/api/v1/units", unit("1A11"))
	const password = "a long password for officer one"
	a.mustCreate(t, "/api/v1/users", map[string]any{"username": "officer1", "agency": "metro", "roles": []string{"officer"}, "password": password})

	browserCtx := startBrowser(t)
	p := openPage(t, browserCtx, follower, "officer", 390, 844, true)
	defer p.checkConsole()
	p.login(sim.Credential{DemoUser: sim.DemoUser{Username: "officer1"}, Password: password}, "unit")
	p.waitFor("the unit picker", `document.querySelector('[data-unit="metro.1a11"]')`)
	p.do(chromedp.Click(chromedp.CSS(`[data-unit="metro.1a11"]`)))
	p.waitFor("the unit's screen", `document.getElementById("unit-cs")?.innerText === "1A11" && document.getElementById("unit-status")?.innerText === "Available"`)

	// The sequencer stops.
	if err := seq.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: this wakes it before startNode's cleanup kills it.
	t.Cleanup(func() { seq.cmd.Process.Signal(syscall.SIGCONT) })

	p.do(chromedp.Click(chromedp.ID("emergency")))
	p.waitFor("the confirm step", `document.activeElement?.id === "emergency-confirm"`)
	p.do(chromedp.Click(chromedp.ID("emergency-confirm")))
	p.waitFor("EMERGENCY sending…", `document.getElementById("emergency-sending")?.innerText.includes("EMERGENCY 1A11 sending…")`)
	p.waitFor("the press in the status line", `document.getElementById("sending-summary")?.textContent === "Sending EMERGENCY for 1A11…"`)
	type press struct {
		Key, Unit, Pressed, User string
	}
	keptPress := func() press {
		t.Helper()
		var k press
		if s := eval[string](p, `localStorage.getItem("tenfour.emergency.officer1") ?? ""`); s != "" {
			if err := json.Unmarshal([]byte(s), &k); err != nil {
				t.Fatalf("the kept press %q: %v", s, err)
			}
		}
		return k
	}
	first := keptPress()
	if first.Key == "" || first.Unit != "metro.1a11" || first.User != "officer1" || first.Pressed == "" {
		t.Fatalf("the press kept on the device = %+v, want its key, the unit metro.1a11, the time and officer1", first)
	}
	p.screenshot("takeover-sending")

	// The page is reloaded, with the unit's status address cut off.
	statusURL := follower.url + "/api/v1/units/metro.1a11/status"
	p.expect(regexp.MustCompile(`^Failed to load resource: net::ERR_INTERNET_DISCONNECTED$`), statusURL)
	// While no node sequences, the status address and the positions (which
	// only the sequencer holds) answer 503.
	p.expect(regexp.MustCompile(`status of 503 `), statusURL)
	p.expect(regexp.MustCompile(`status of 503 `), follower.url+"/api/v1/units/positions")
	cut := func(off bool) {
		t.Helper()
		var rules []*network.Conditions
		if off {
			rules = append(rules, &network.Conditions{URLPattern: statusURL, Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := chromedp.Call(p.ctx, network.EmulateNetworkConditionsByRule,
			network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
			t.Fatalf("emulate the network: %v", err)
		}
	}
	cut(true)
	p.do(chromedp.Reload())
	p.waitFor("EMERGENCY sending… after the reload", `document.getElementById("emergency-sending")?.innerText.includes("EMERGENCY 1A11 sending…")`)
	p.waitFor("a resent attempt that failed", `[...document.querySelectorAll("#sending .sending-list li.critical")].some((li) => li.innerText.includes("trying again"))`)
	if again := keptPress(); again != first {
		t.Errorf("the press kept after the reload = %+v, want the same press %+v", again, first)
	}
	p.screenshot("takeover-sending-reloaded")

	// The follower takes over; the address comes back; the press lands.
	_, after := waitSequencer(t, []*node{follower}, before.Epoch)
	t.Logf("%s sequenced at epoch %d; with it stopped, %s took over at epoch %d", before.Node, before.Epoch, after.Node, after.Epoch)
	cut(false)
	p.waitFor("the unit in EMERGENCY", `document.getElementById("unit-status")?.innerText === "Emergency" && document.getElementById("emergency-sent")`)
	p.waitFor("the press no longer kept", `localStorage.getItem("tenfour.emergency.officer1") === null && !document.getElementById("emergency-sending")`)
	p.screenshot("takeover-landed")

	// The stopped node, woken, has lost the lease: it does not stop itself
	// but follows the node that took over.
	if err := seq.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if now, _ := waitSequencer(t, []*node{follower, seq}, before.Epoch); now != follower {
		t.Fatalf("after SIGCONT %s sequences, want %s, which took over, with the woken node following it", now.url, follower.url)
	}

	h, _, err := readyz(follower)
	if err != nil {
		t.Fatal(err)
	}
	waitCheckpoint(t, follower, c.key, h.Head)
	_, raw, err := independentRead(t, follower.url, c.key)
	if err != nil {
		t.Fatalf("independentRead(%s) = %v, want nil", follower.url, err)
	}
	emergencies, requests := 0, 0
	for _, e := range parseEntries(t, raw) {
		switch e.Type {
		case "unit.status_changed":
			var d struct{ Unit, Status string }
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatalf("unit.status_changed %d data %s: %v", e.Seq, e.Data, err)
			}
			if d.Unit == "metro.1a11" && d.Status == "EMERGENCY" {
				emergencies++
			}
		case "assist.requested":
			if strings.Contains(string(e.Data), "metro.1a11") || e.Subject["unit"] == "metro.1a11" {
				requests++
			}
		}
	}
	if emergencies != 1 || requests != 1 {
		t.Errorf("the log holds %d unit.status_changed to EMERGENCY for metro.1a11 and %d assist.requested for it, want 1 and 1", emergencies, requests)
	}
}
