package main_test

// The auditor's and the public views of the console (docs/console.md,
// "Audit" and "Published") in Chromium against a real `tenfour demo`, with
// the helpers of console_test.go; and verify.js, the browser's verifier,
// against the Go log's own bundles.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// tokenOf makes an API token for a demo user, through the installation
// administrator.
func tokenOf(t *testing.T, admin *api, username string) *api {
	t.Helper()
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(admin.mustCreate(t, "/api/v1/users/"+username+"/tokens", map[string]any{"name": "audit test"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("a token for %s: %v", username, err)
	}
	return &api{url: admin.url, token: tok.Token, client: admin.client}
}

// TestConsoleAudit walks through the auditor's and the public views: a
// federal dispatcher asks Metro PD for help, which acknowledges and sends a
// unit; metro's auditor signs in, opens the request and sees it as swim
// lanes with every event verified in the browser against the signed
// checkpoint; publishes it; an anonymous browser opens the public view,
// sees it and it verifies there too, with the log's current checkpoint; a
// bundle file with one byte changed is shown NOT verified, naming the
// event; an incident's private fields are opened and checked for the
// auditor and never reach the public. No page's console shows an error.
func TestConsoleAudit(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "0.005", "--seed", "7")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	federal := tokenOf(t, admin, "federal-dispatcher")
	metro := tokenOf(t, admin, "metro-dispatcher")
	taker := tokenOf(t, admin, "metro-call-taker")

	// The request: federal asks metro; metro acknowledges and sends a unit.
	var rq struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(federal.must(t, "POST", "/api/v1/requests", map[string]any{"to_agency": "metro",
		"location": map[string]string{"text": "3900 S Kedzie Ave"}, "nature": "convoy through the rail yards: traffic control",
		"urgency": "ROUTINE"}, http.StatusCreated), &rq); err != nil {
		t.Fatal(err)
	}
	var units struct {
		Units []struct{ ID, Status, Kind string } `json:"units"`
	}
	if err := json.Unmarshal(metro.mustGet(t, "/api/v1/units?agency=metro"), &units); err != nil {
		t.Fatal(err)
	}
	sent := ""
	for _, u := range units.Units {
		if u.Status == "AVAILABLE" && u.Kind == "patrol" {
			sent = u.ID
			break
		}
	}
	if sent == "" {
		t.Fatal("no AVAILABLE metro patrol unit in the demo city")
	}
	path := "/api/v1/requests/" + rq.ID
	metro.must(t, "POST", path+"/acknowledge", map[string]string{}, http.StatusOK)
	metro.must(t, "POST", path+"/accept", map[string]any{"units": []string{sent}}, http.StatusOK)
	// An incident with private fields, for the openings.
	var inc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(taker.must(t, "POST", "/api/v1/incidents", map[string]any{"agency": "metro", "type": "THEFT",
		"location": map[string]string{"text": "3900 S Kedzie Ave"}, "caller": map[string]string{"name": "Dana Audit-Caller", "phone": "+1 312 555 0199"},
		"narrative": "bicycle taken from the rack"}, http.StatusCreated), &inc); err != nil {
		t.Fatal(err)
	}

	browserCtx := startBrowser(t)
	start := time.Now()
	auditor := openPage(t, browserCtx, n, "auditor", 1440, 900, false)
	public := openPage(t, browserCtx, n, "public", 1440, 900, false)
	pages := []*page{auditor, public}
	defer func() {
		for _, p := range pages {
			p.checkConsole()
		}
	}()

	// The auditor lands on the audit view and opens the request from its list.
	auditor.login(creds["metro-auditor"], "audit")
	auditor.do(chromedp.Evaluate[chromedp.Void](`window.ed = null; import("/console/verify.js").then((v) => v.ed25519()).then((ok) => { window.ed = ok; })`))
	auditor.waitFor("the Ed25519 self-test", `window.ed !== null`)
	if !eval[bool](auditor, `window.ed`) {
		t.Fatal("this Chromium's WebCrypto does not check Ed25519 (RFC 8032 test 1)")
	}
	auditor.waitFor("the request in the list", fmt.Sprintf(`document.querySelector('#audit-records .rec[data-id=%q]')`, rq.ID))
	auditor.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#audit-records .rec[data-id=%q]`, rq.ID))))
	auditor.waitFor("the verdict", `document.querySelector(".verdict.v-ok, .verdict.v-failed, .verdict.v-none")`)
	if v := auditor.text(".verdict"); !strings.Contains(v, "Verified in this browser") || !strings.Contains(v, "all 4 events of the timeline are in the log") {
		auditor.screenshot("audit-failed")
		t.Fatalf("the auditor's verdict = %q, want all 4 events verified", v)
	}
	// Swim lanes: federal's, metro's and the unit's, each event a mark in
	// its lane, every one with its proof mark.
	lanes := eval[[]string](auditor, `[...document.querySelectorAll(".lanes thead th")].map((th) => th.innerText.replace(/\s+/g, " ").trim())`)
	unitLane := strings.ToUpper(strings.TrimPrefix(sent, "metro."))
	if want := []string{"federal", "metro", "metro " + unitLane}; !containsAll(lanes, want) {
		t.Errorf("lanes = %q, want columns %q", lanes, want)
	}
	// Each row: the lane of its mark (its column's heading), the mark's
	// title and actor, and its proof.
	marks := eval[[]string](auditor, `(() => {
  const heads = [...document.querySelectorAll(".lanes thead th")].map((th) => th.innerText.replace(/\s+/g, " ").trim());
  return [...document.querySelectorAll(".lanes tbody tr")].map((tr) => heads[[...tr.children].findIndex((td) => td.querySelector(".mark"))] + ": " +
    tr.querySelector(".mark .mark-title").innerText + " / " + tr.querySelector(".mark .mark-actor").innerText + " / " + tr.querySelector("td.c-proof").className);
})()`)
	if len(marks) != 4 {
		t.Fatalf("rows = %q, want 4 events", marks)
	}
	for i, want := range []string{"federal: Asked metro for help / federal-dispatcher · dispatcher / c-proof v-ok",
		"metro: metro acknowledged / metro-dispatcher · dispatcher / c-proof v-ok",
		"metro: metro accepted / metro-dispatcher · dispatcher / c-proof v-ok",
		"metro " + unitLane + ": Dispatched / metro-dispatcher · dispatcher / c-proof v-ok"} {
		if marks[i] != want {
			t.Errorf("row %d = %q, want %q (lane: title / actor / proof)", i, marks[i], want)
		}
	}
	auditor.press("j")
	auditor.waitFor("the first event's detail", `document.querySelector(".event-detail h2")?.innerText.includes("Asked metro for help") && /^[0-9a-f]{64}$/.test(document.querySelector(".event-detail .hash")?.innerText)`)
	auditor.screenshot("audit-01-request")

	// The auditor publishes it, with a reason.
	auditor.press("p")
	auditor.waitFor("the publish dialog", `document.querySelector("dialog.publish[open]") && document.activeElement?.id === "publish-reason"`)
	auditor.do(chromedp.SendKeys(chromedp.ID("publish-reason"), "oversight board review"))
	auditor.do(chromedp.Click(chromedp.ID("publish-confirm")))
	auditor.waitFor("the published timeline, checked again", `document.getElementById("audit-published").innerText.startsWith("Published") && document.querySelectorAll(".lanes tbody tr").length === 5 && document.querySelector(".verdict.v-ok")`)
	if last := auditor.text(".lanes tbody tr:last-child .mark"); !strings.Contains(last, "Timeline published") || !strings.Contains(last, "metro-auditor · auditor") {
		t.Errorf("last event = %q, want the publication by metro-auditor", last)
	}
	// Signed in, the auditor reads the publication whole: who and why.
	if note := auditor.text("#audit-published"); !strings.Contains(note, "metro-auditor") || !strings.Contains(note, "oversight board review") {
		t.Errorf("the audit view's publication note = %q, want who published it and why", note)
	}

	// Anyone, signed in or not, finds it in the public view and it verifies
	// there, against the log's current checkpoint.
	public.do(chromedp.Navigate(n.url + "/"))
	public.do(chromedp.Click(chromedp.CSS("a.public-link")))
	public.waitFor("the public view", `location.pathname === "/console/public" && document.querySelector("#public-records .rec")`)
	public.waitFor("its verdict", `document.querySelector(".verdict.v-ok, .verdict.v-failed")`)
	if v := public.text(".verdict"); !strings.Contains(v, "Verified in this browser") || !strings.Contains(v, "all 5 events of the timeline are in the log") {
		public.screenshot("public-failed")
		t.Fatalf("the public verdict = %q, want all 5 events verified", v)
	}
	// The public list says what the record is from public facts only: the
	// urgency and the agencies, not the nature.
	if s := public.text("#public-records .rec"); !strings.Contains(s, rq.ID) || !strings.Contains(s, "ROUTINE: federal asked metro") || strings.Contains(s, "convoy") {
		t.Errorf("published list = %q, want %s, its urgency and agencies and not its nature", s, rq.ID)
	}
	public.waitFor("the checkpoint checked", `document.querySelector("#public-checkpoint .ok")?.innerText.includes("Signature checked") && document.getElementById("public-relation")`)
	if rel := public.text("#public-relation"); !strings.Contains(rel, "this very checkpoint") && !strings.Contains(rel, "an earlier checkpoint") {
		t.Errorf("the public view says of the checkpoints %q, want the bundle's to be the current one or an earlier one", rel)
	}
	// Who published is a role and an agency; the person and the reason
	// are not public (docs/security.md).
	if note := public.text("#public-note"); !strings.Contains(note, "an auditor of metro") || strings.Contains(note, "metro-auditor") || strings.Contains(note, "oversight board review") {
		t.Errorf("publication note = %q, want who published it as a role and an agency, without the name or the reason", note)
	}
	if eval[bool](public, `!!document.getElementById("nav") && !document.getElementById("nav").hidden`) {
		t.Error("the public view shows the staff's navigation to an anonymous reader")
	}
	public.screenshot("public-01-request")

	// A bundle file checks the same way; one byte changed in an event's
	// entry is NOT verified, naming that event.
	bundle := admin.mustGet(t, path+"/bundle")
	var parsed ledger.Bundle
	if err := json.Unmarshal(bundle, &parsed); err != nil {
		t.Fatal(err)
	}
	requested := parsed.Events[0].Seq
	// The request's nature is a commitment in the public log
	// (docs/events.md); its urgency is in the clear.
	if strings.Contains(string(bundle), "convoy through") {
		t.Fatalf("bundle %s shows the request's nature", bundle)
	}
	i := strings.Index(string(bundle), `\"urgency\":\"ROUTINE`)
	if i < 0 {
		t.Fatalf("bundle %s lacks the request's urgency", bundle)
	}
	i += len(`\"urgency\":\"`)
	tampered := append([]byte{}, bundle...)
	tampered[i] = 'r' // "rOUTINE": one byte
	files := t.TempDir()
	good, bad := filepath.Join(files, "request.bundle.json"), filepath.Join(files, "tampered.bundle.json")
	if err := os.WriteFile(good, bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, tampered, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.VerifyBundle(tampered, ""); err == nil {
		t.Fatal("tenfour's own verifier passes the tampered bundle; the test proves nothing")
	}
	public.do(chromedp.SetUploadFiles(chromedp.ID("public-file"), []string{good}))
	public.waitFor("the file verified", `document.querySelector(".verdict")?.innerText.includes("request.bundle.json") && document.querySelector(".verdict.v-ok")`)
	public.do(chromedp.SetUploadFiles(chromedp.ID("public-file"), []string{bad}))
	public.waitFor("the tampered file refused", `document.querySelector(".verdict.v-failed")?.innerText.includes("tampered.bundle.json")`)
	v := public.text(".verdict")
	if !strings.Contains(v, "NOT verified") || !strings.Contains(v, fmt.Sprintf("event %d:", requested)) || !strings.Contains(v, "inclusion proof") {
		t.Errorf("verdict on the tampered file = %q, want NOT verified naming event %d and its proof", v, requested)
	}
	if row := eval[string](public, fmt.Sprintf(`document.querySelector('.lanes tr[data-seq="%d"] td.c-proof')?.className ?? ""`, requested)); row != "c-proof v-failed" {
		t.Errorf("the tampered event's proof cell = %q, want c-proof failed", row)
	}
	if ok := eval[int](public, `document.querySelectorAll(".lanes td.c-proof.v-ok").length`); ok != len(parsed.Events)-1 {
		t.Errorf("%d events of the tampered file verified, want the %d untouched", ok, len(parsed.Events)-1)
	}
	public.screenshot("public-02-tampered")

	// The incident, with its private fields opened for the auditor: the
	// openings are checked against their commitments. The public never
	// sees them, published or not.
	auditor.do(chromedp.Navigate(n.url + "/console/audit?incident=" + inc.ID))
	auditor.waitFor("the incident checked", `document.querySelector(".verdict.v-ok")`)
	auditor.do(chromedp.Click(chromedp.ID("audit-openings")))
	// The caller's name and phone, the narrative, and what the public log
	// holds as commitments: the address, the point, the users.
	auditor.waitFor("its openings checked", `/\d+ private fields opened and checked/.test(document.querySelector(".verdict.v-ok")?.innerText ?? "")`)
	if n := eval[int](auditor, `+(/(\d+) private fields opened and checked/.exec(document.querySelector(".verdict.v-ok").innerText)[1])`); n < 5 {
		t.Errorf("%d private fields opened and checked, want the caller's name and phone, the narrative, the address and the user at least", n)
	}
	auditor.do(chromedp.Click(chromedp.CSS(".lanes .mark")))
	auditor.waitFor("the caller's name, opened", `[...document.querySelectorAll(".event-detail .opened")].some((e) => e.innerText === "Dana Audit-Caller")`)
	auditor.screenshot("audit-02-incident-openings")
	auditor.press("T")
	auditor.waitFor("the light theme", `document.documentElement.dataset.theme === "light"`)
	auditor.screenshot("audit-03-light")
	auditor.press("T")
	// The board is one key away, read only.
	auditor.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	auditor.press("D")
	auditor.waitFor("the board, read only", `location.pathname === "/console/dispatch" && document.querySelectorAll("#queue .q-button").length >= 1 && !document.getElementById("new-incident")`)
	admin.must(t, "POST", "/api/v1/incidents/"+inc.ID+"/publish", map[string]string{}, http.StatusForbidden) // not an administrator's act

	// A supervisor may publish, but not read bundles: the view says why it
	// cannot prove the timeline itself.
	supervisor := openPage(t, browserCtx, n, "supervisor", 1280, 800, false)
	pages = append(pages, supervisor)
	supervisor.login(creds["metro-supervisor"], "supervise")
	supervisor.do(chromedp.Navigate(n.url + "/console/audit?incident=" + inc.ID))
	supervisor.waitFor("the unverified timeline", `document.querySelector(".verdict.v-none") && document.querySelectorAll(".lanes tbody tr").length === 1`)
	if v := supervisor.text(".verdict"); !strings.Contains(v, "Not verified") || !strings.Contains(v, "may not read evidence bundles") {
		t.Errorf("the supervisor's verdict = %q, want why it cannot be verified", v)
	}
	supervisor.press("p")
	supervisor.waitFor("the publish dialog", `document.querySelector("dialog.publish[open]")`)
	supervisor.do(chromedp.Click(chromedp.ID("publish-confirm")))
	supervisor.waitFor("the publication", `document.getElementById("audit-published").innerText.includes("by metro-supervisor")`)
	public.do(chromedp.Navigate(n.url + "/console/public?incident=" + inc.ID))
	public.waitFor("the incident verified in public", `document.querySelector(".verdict.v-ok")`)
	if html := eval[string](public, `document.documentElement.outerHTML`); strings.Contains(html, "Dana Audit-Caller") || strings.Contains(html, "bicycle taken") {
		t.Error("the public view shows the incident's private fields")
	}
	// The caller's name and phone and the narrative, and what the public
	// log holds as commitments (the address, the point, the users).
	if v := public.text(".verdict"); !regexp.MustCompile(`\b([5-9]|\d\d+) private fields hidden`).MatchString(v) {
		t.Errorf("public verdict = %q, want the caller, the narrative, the address and the users shown hidden", v)
	}
	t.Logf("audit walk-through in %v", time.Since(start).Round(time.Millisecond))
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// TestConsoleVerifyVectors checks verify.js, in Chromium, on bundles of
// tenfour's own log (ledger.Log.Bundle): every tree size up to 33 (past a
// power of two), every event of each under its own signed checkpoint, all
// verified; then every hash of every inclusion proof flipped in one bit, a
// changed opening, a changed checkpoint and another key, each refused with
// the event or the part named — as x/mod's tlog tests do in Go.
func TestConsoleVerifyVectors(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vectors.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateKey("vectors.test/log")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(ctx, ledger.Config{Store: db, Key: key, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	const maxSize = 33
	var bundles []string
	var seqs []int64
	for i := range int64(maxSize) {
		rec := ledger.Record{Time: time.Date(2026, 3, 1, 8, 0, int(i), 0, time.UTC), Type: "unit.status_changed", Agency: "metro",
			Actor:   ledger.Actor{User: "ann", Agency: "metro", Role: "dispatcher"},
			Subject: map[string]string{"unit": "metro.1a12"}, Data: json.RawMessage(fmt.Sprintf(`{"unit":"metro.1a12","status":"BUSY","previous":"AVAILABLE","n":%d,"say":"ünï%scode"}`, i, "\u2028"))}
		if i%3 == 0 {
			rec.Private = map[string]string{"narrative": fmt.Sprintf("private %d", i)}
		}
		p, err := l.Append([]ledger.Record{rec})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Wait(); err != nil {
			t.Fatal(err)
		}
		if err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, i)
		b, err := l.Bundle(ctx, "", seqs, true)
		if err != nil {
			t.Fatal(err)
		}
		text, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.VerifyBundle(text, l.VerifierKey()); err != nil {
			t.Fatalf("Go's VerifyBundle(size %d) = %v", i+1, err)
		}
		bundles = append(bundles, string(text))
	}
	other, err := ledger.GenerateKey("vectors.test/log")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := ledger.ParseKey(other)
	if err != nil {
		t.Fatal(err)
	}

	n := startNode(t, "serve", t.TempDir())
	p := openPage(t, startBrowser(t), n, "vectors", 800, 600, false)
	defer p.checkConsole()
	p.do(chromedp.Navigate(n.url + "/console/public"))
	in, _ := json.Marshal(map[string]any{"bundles": bundles, "key": l.VerifierKey(), "other": otherKey.Text})
	p.do(chromedp.Evaluate[chromedp.Void](`window.vectorsIn = ` + string(in) + `; window.vectors = null; (async () => {
  const v = await import("/console/verify.js");
  const {bundles, key, other} = window.vectorsIn;
  const out = {verified: 0, events: 0, openings: 0, flipped: 0, caught: 0, problems: []};
  const problem = (s) => { if (out.problems.length < 20) out.problems.push(s); };
  for (const text of bundles) {
    const b = v.parseBundle(text);
    const r = await v.verifyBundle(b, {trustedKey: key});
    if (!r.ok) { problem("size " + b.events.length + ": " + r.failure.message); continue; }
    out.verified++; out.events += r.events.length; out.openings += r.openings;
    // Every proof hash of every event, one bit flipped, alone in a bundle.
    for (const ev of b.events) {
      for (let i = 0; i < (ev.proof || []).length; i++) {
        const h = v.b64decode(ev.proof[i]); h[i % 32] ^= 1 << (i % 8);
        const proof = ev.proof.slice(); proof[i] = v.b64encode(h);
        const one = {...b, events: [{...ev, proof}]};
        const f = await v.verifyBundle(one, {trustedKey: key});
        out.flipped++;
        if (!f.ok && f.failure.seq === ev.seq && f.failure.message.includes("inclusion proof")) out.caught++;
        else problem("flipped hash " + i + " of event " + ev.seq + " in size " + b.events.length + ": " + JSON.stringify(f.failure));
      }
    }
  }
  const last = v.parseBundle(bundles[bundles.length - 1]);
  const ev0 = last.events[0];
  const changed = {...last, events: [{...ev0, openings: {narrative: {...ev0.openings.narrative, value: "private 1"}}}]};
  const c = await v.verifyBundle(changed, {trustedKey: key});
  out.opening = c.ok ? "passed" : c.failure.message;
  const cp = last.checkpoint.replace(/\n(\d+)\n/, (m, s) => "\n" + (Number(s) + 1) + "\n");
  const d = await v.verifyBundle({...last, checkpoint: cp}, {trustedKey: key});
  out.checkpoint = d.ok ? "passed" : d.failure.message;
  const e = await v.verifyBundle(last, {trustedKey: other});
  out.otherKey = e.ok ? "passed" : e.failure.message;
  let reformatted;
  try { v.parseBundle(JSON.stringify(last, null, 1)); reformatted = "passed"; } catch (err) { reformatted = err.message; }
  out.reformatted = reformatted;
  window.vectors = out;
})().catch((e) => { window.vectors = {error: String(e)}; })`))
	p.waitFor("the vectors checked", `window.vectors !== null`)
	var out struct {
		Verified, Events, Openings, Flipped, Caught int
		Problems                                    []string
		Opening, Checkpoint, OtherKey, Reformatted  string
		Error                                       string
	}
	if err := json.Unmarshal([]byte(eval[string](p, `JSON.stringify(window.vectors)`)), &out); err != nil {
		t.Fatal(err)
	}
	if out.Error != "" {
		t.Fatalf("verify.js threw: %s", out.Error)
	}
	for _, s := range out.Problems {
		t.Error(s)
	}
	wantEvents := maxSize * (maxSize + 1) / 2
	if out.Verified != maxSize || out.Events != wantEvents {
		t.Errorf("verify.js verified %d bundles of %d events, want %d of %d", out.Verified, out.Events, maxSize, wantEvents)
	}
	if out.Flipped < 1000 || out.Caught != out.Flipped {
		t.Errorf("verify.js caught %d of %d flipped proof hashes, want all (and at least 1000)", out.Caught, out.Flipped)
	}
	for _, c := range []struct{ name, got, want string }{
		{"a changed opening", out.Opening, "private field narrative: its opening does not match the commitment"},
		{"a changed checkpoint", out.Checkpoint, "is not valid: the checkpoint was changed or not signed by the log's key"},
		{"another key", out.OtherKey, "not the log's key"},
		{"a reformatted file", out.Reformatted, "not in its canonical form"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("verify.js on %s = %q, want it refused: %q", c.name, c.got, c.want)
		}
	}
	t.Logf("verify.js: %d bundles, %d events, %d openings verified; %d flipped proof hashes caught", out.Verified, out.Events, out.Openings, out.Caught)
}

// TestConsoleAuditDocScreenshots takes the screenshots of docs/console.md's
// "Audit" and "Published" from the demo city playing the reference
// scenario, which ends with federal's auditor publishing its timeline, when
// TENFOUR_DOC_SCREENSHOTS names the folder to write them to (docs/img):
//
//	TENFOUR_DOC_SCREENSHOTS=$PWD/docs/img go test -run TestConsoleAuditDocScreenshots ./cmd/tenfour/
//
// It takes about two minutes, the scenario's own time.
func TestConsoleAuditDocScreenshots(t *testing.T) {
	out := os.Getenv("TENFOUR_DOC_SCREENSHOTS")
	if out == "" {
		t.Skip("set TENFOUR_DOC_SCREENSHOTS to the folder for docs/console.md's screenshots")
	}
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--scenario", "kedzie", "--seed", "11")
	creds := demoCredentials(t, dir)
	var list struct {
		Timelines []struct{ Kind, ID string } `json:"timelines"`
	}
	for deadline := time.Now().Add(3 * time.Minute); len(list.Timelines) == 0; time.Sleep(2 * time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("the reference scenario published nothing in three minutes\n%s", n.out)
		}
		resp, err := http.Get(n.url + "/public/v1/timelines")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	request := list.Timelines[0].ID
	browserCtx := startBrowser(t)
	shot := func(p *page, name string) {
		t.Helper()
		if err := p.saveScreenshot(filepath.Join(out, name+".png")); err != nil {
			t.Fatal(err)
		}
	}

	auditor := openPage(t, browserCtx, n, "auditor", 1440, 900, false)
	auditor.login(creds["metro-auditor"], "audit")
	auditor.do(chromedp.Navigate(n.url + "/console/audit?request=" + request))
	auditor.waitFor("the verdict", `document.querySelector(".verdict.v-ok")`)
	// The conflict: metro's hold directive, in force, named in its row.
	auditor.do(chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll(".lanes .mark")].find((b) => b.innerText.startsWith("Conflict")).click()`))
	auditor.waitFor("an event with its directive", `document.querySelector(".event-detail h2")`)
	shot(auditor, "console-audit")

	public := openPage(t, browserCtx, n, "public", 1440, 900, false)
	public.do(chromedp.Navigate(n.url + "/console/public"))
	public.waitFor("the public verdict", `document.querySelector(".verdict.v-ok")`)
	shot(public, "console-public")

	resp, err := http.Get(n.url + "/public/v1/timelines/request/" + request + "/bundle")
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	_, err = io.Copy(&buf, resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	bundle := buf.String()
	// The directive's reason is a commitment in the public log; the
	// request's urgency is in the clear: change one byte of it.
	i := strings.Index(bundle, `\"urgency\":\"EMERGENCY`)
	if i < 0 {
		t.Fatalf("the public bundle lacks the request's urgency: %s", bundle)
	}
	i += len(`\"urgency\":\"`)
	bad := filepath.Join(t.TempDir(), request+".public.bundle.json")
	if err := os.WriteFile(bad, []byte(bundle[:i]+"e"+bundle[i+1:]), 0o644); err != nil {
		t.Fatal(err)
	}
	public.do(chromedp.SetUploadFiles(chromedp.ID("public-file"), []string{bad}))
	public.waitFor("the tampered file refused", `document.querySelector(".verdict.v-failed")`)
	public.do(chromedp.Click(chromedp.CSS(`.lanes tr.v-failed .mark`)))
	shot(public, "console-public-tampered")
	for _, p := range []*page{auditor, public} {
		p.checkConsole()
	}
}
