package main_test

// The reports view and the map's layers (docs/console.md, "Reports" and
// "Map") in Chromium against a real `tenfour demo`: the charts drawn from
// GET /api/v1/reports/intervals with tables whose numbers are the API's;
// the gazetteer's streets, a directive area issued through the API, and
// raster tiles from a loopback tile server given with --map-tiles.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tenfour-cad/tenfour/report"
)

// fmtDur is charts.js's fmtDur: how the report's tables write a duration.
func fmtDur(s *float64) string {
	if s == nil {
		return "–"
	}
	v := *s
	switch {
	case v < 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + " s"
	case v < 60:
		return fmt.Sprintf("%d s", int(math.Floor(v)))
	}
	t := int(math.Floor(v))
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t%3600/60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}

// fmtPct is charts.js's fmtPct.
func fmtPct(share *float64) string {
	if share == nil {
		return "–"
	}
	return strconv.FormatFloat(*share*100, 'f', 1, 64) + "%"
}

// tileServer serves one 256 px PNG for every {z}/{x}/{y}.png and records
// what it was asked for.
type tileServer struct {
	*httptest.Server
	mu    sync.Mutex
	tiles []string
}

func newTileServer(t *testing.T) *tileServer {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			c := color.RGBA{0xe8, 0xe4, 0xd8, 0xff}
			if x%64 < 3 || y%64 < 3 {
				c = color.RGBA{0xa0, 0xa8, 0xb8, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	ts := &tileServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var z, x, y int
		if _, err := fmt.Sscanf(r.URL.Path, "/%d/%d/%d.png", &z, &x, &y); err != nil {
			http.NotFound(w, r)
			return
		}
		ts.mu.Lock()
		ts.tiles = append(ts.tiles, fmt.Sprintf("%d/%d/%d", z, x, y))
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tileServer) requested() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.tiles...)
}

// reportResponses keeps the answers of GET /api/v1/reports/intervals that a
// page received, by the end of their range.
type reportResponses struct {
	mu   sync.Mutex
	byTo map[string][]byte
}

// captureReports records the page's report answers, as the browser got
// them, through the DevTools network domain.
func captureReports(t *testing.T, p *page) *reportResponses {
	t.Helper()
	rr := &reportResponses{byTo: map[string][]byte{}}
	// The listener may not call the browser: it hands the finished
	// requests to a goroutine that reads their bodies.
	finished := make(chan network.RequestID, 256)
	reportIDs := map[network.RequestID]bool{}
	err := chromedp.Listen(p.ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventResponseReceived:
			if strings.Contains(e.Response.URL, "/api/v1/reports/intervals") && e.Response.Status == 200 {
				reportIDs[e.RequestID] = true
			}
		case *network.EventLoadingFinished:
			if reportIDs[e.RequestID] {
				delete(reportIDs, e.RequestID)
				select {
				case finished <- e.RequestID:
				default:
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			var id network.RequestID
			select {
			case <-p.ctx.Done():
				return
			case id = <-finished:
			}
			ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
			body, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
			cancel()
			if err != nil {
				continue
			}
			var r struct {
				To string `json:"to"`
			}
			if json.Unmarshal(body.Body, &r) == nil {
				rr.mu.Lock()
				rr.byTo[r.To] = body.Body
				rr.mu.Unlock()
			}
		}
	}()
	if _, err := chromedp.Call(p.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return rr
}

func (rr *reportResponses) get(to string) []byte {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.byTo[to]
}

// tableCell is one cell of a report table as the page shows it.
type tableCell struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// readTable returns the body rows of the table with class cls: each row its
// header's text, then its cells.
func readTable(p *page, cls string) [][]tableCell {
	p.t.Helper()
	return eval[[][]tableCell](p, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(tr =>
		[...tr.children].map(c => ({text: c.innerText.trim(), value: c.dataset.value ?? ""})))`, "table."+cls+" tbody tr"))
}

// TestConsoleReports: on a demo city at 50× with a loopback tile server,
// a dispatcher's reports view draws the three charts from calls that
// arrived, and its tables hold the very numbers of the API's answer it
// drew; the map draws the gazetteer's streets, a directive issued through
// the API and the tiles, which the tile server was asked for. No page's
// console shows an error.
func TestConsoleReports(t *testing.T) {
	t.Parallel() // its own node: it runs beside the other long tests
	tiles := newTileServer(t)
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "50", "--seed", "5",
		"--map-tiles", tiles.URL+"/{z}/{x}/{y}.png", "--map-tiles-attribution", "Test tiles, loopback")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	browserCtx := startBrowser(t)
	start := time.Now()

	p := openPage(t, browserCtx, n, "dispatcher", 1440, 1100, false)
	defer p.checkConsole()
	reports := captureReports(t, p)
	p.login(creds["metro-dispatcher"], "dispatch")

	// Calls accumulate until some have a unit on scene.
	var probe report.Report
	for deadline := time.Now().Add(20 * time.Second); ; {
		if err := json.Unmarshal(admin.mustGet(t, "/api/v1/reports/intervals?agency=metro&from="+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)), &probe); err != nil {
			t.Fatal(err)
		}
		if probe.Intervals[0].All.Count >= 5 && probe.Processing.Dispatched >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s of the demo at 50×: %d calls, %d dispatched, %d with a unit on scene; want some of each",
				probe.Incidents, probe.Processing.Dispatched, probe.Intervals[0].All.Count)
		}
		time.Sleep(500 * time.Millisecond)
	}

	// The reports: R from anywhere; the last hour, in five-minute steps.
	p.press("R")
	p.waitFor("the reports view", `location.pathname === "/console/reports" && document.querySelector(".reports")?.dataset.report`)
	p.do(chromedp.SetValue(chromedp.ID("rp-range"), "1h"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("rp-range").dispatchEvent(new Event("change"))`))
	p.waitFor("the last hour's report", `document.querySelector(".rp-figure#rp-nfpa .chart-title")?.textContent.includes("five minutes")`)
	p.waitFor("the three charts drawn", `document.querySelectorAll("#rp-response .box").length >= 2 &&
		document.querySelectorAll("#rp-nfpa .nfpa-share .bar").length >= 1 && document.querySelectorAll("#rp-nfpa .nfpa-hist .bar").length >= 1 &&
		document.querySelectorAll("#rp-hourly .seg").length >= 6`)
	p.screenshot("reports")

	// The tables say what the API answered: the report the page drew is
	// the one whose range ends at data-report. The city moves on, so the
	// page may redraw meanwhile; then the check is made again.
	var to string
	var got report.Report
	for attempt := 0; ; attempt++ {
		to = eval[string](p, `document.querySelector(".reports").dataset.report`)
		var body []byte
		for deadline := time.Now().Add(5 * time.Second); body == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			body = reports.get(to)
		}
		if body == nil {
			t.Fatalf("the page drew the report to %s, but the browser never received it", to)
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		resp := readTable(p, "rp-table-received_on_scene")
		nfpa := readTable(p, "rp-table-nfpa")
		hourly := readTable(p, "rp-table-hourly")
		if eval[string](p, `document.querySelector(".reports").dataset.report`) != to {
			if attempt > 5 {
				t.Fatal("the report kept changing while the test read its tables")
			}
			continue // redrawn while read
		}
		checkReportTables(t, got, resp, nfpa, hourly)
		break
	}
	if got.Incidents == 0 || got.Intervals[0].All.Count == 0 || got.Processing.Dispatched == 0 {
		t.Errorf("the report drawn (to %s) has %d calls, %d on scene, %d dispatched; want some of each", to, got.Incidents, got.Intervals[0].All.Count, got.Processing.Dispatched)
	}
	summary := p.text("#rp-nfpa-summary")
	if want := fmtPct(got.Processing.Share) + " of " + strconv.Itoa(got.Processing.Dispatched) + " dispatched calls"; !strings.HasPrefix(summary, want) {
		t.Errorf("call processing summary = %q, want it to start %q", summary, want)
	}
	// The tables can be shown; the report follows the calls.
	p.press("t")
	p.waitFor("the tables shown", `getComputedStyle(document.querySelector("#rp-hourly .rp-tables")).position === "static"`)
	p.screenshot("reports-tables")
	p.press("t")
	p.waitFor("a newer report, as calls come", fmt.Sprintf(`Date.parse(document.querySelector(".reports").dataset.report) > Date.parse(%q)`, to))

	// A directive, issued through the API: a polygon around a few blocks.
	boss := asUser(t, admin, "reports-commander", "metro", "supervisor")
	boss.must(t, "POST", "/api/v1/directives", map[string]any{
		"scope": map[string]any{"kind": "polygon", "polygon": []map[string]float64{
			{"lat": 41.8150, "lon": -87.7060}, {"lat": 41.8150, "lon": -87.6930}, {"lat": 41.8060, "lon": -87.6930}, {"lat": 41.8060, "lon": -87.7060}}},
		"effect": "hold", "reason": "reports test: parade on Archer", "expires": time.Now().Add(time.Hour),
	}, http.StatusCreated)

	// The map: the streets, the directive area and the tiles.
	p.press("M")
	p.waitFor("the streets", `document.querySelectorAll(".map .street").length === 99 && document.querySelectorAll(".map .street.major").length === 11 &&
		document.querySelectorAll(".map .place-marker").length === 10`)
	p.waitFor("the directive area", `document.querySelector('.map path.directive.dir-hold') && [...document.querySelectorAll(".map .directive-label text")].some(e => e.textContent === "HOLD DISPATCH")`)
	if s := p.text(`[id^="map-summary-"]`); !strings.Contains(s, "1 directive in force: hold dispatch in an area of 4 points (metro)") {
		t.Errorf("map description = %q, want it to name the directive in force", s)
	}
	if got := eval[int](p, `document.querySelectorAll(".map polygon").length`); got != 125 {
		t.Errorf("the map has %d polygons, want the 125 districts and beats only", got)
	}
	p.waitFor("tiles drawn", `document.querySelectorAll(".map image.tile.loaded").length >= 4 && document.querySelector(".map").classList.contains("with-tiles")`)
	if a := p.text(".map-attribution"); a != "Test tiles, loopback" {
		t.Errorf("attribution = %q, want the --map-tiles-attribution text", a)
	}
	p.do(chromedp.Focus(chromedp.CSS(".map")))
	p.press("+")
	p.press("+")
	p.press("+")
	p.waitFor("the street names", `getComputedStyle(document.querySelector(".map .street-name")).display !== "none"`)
	p.waitFor("tiles of the new zoom drawn", `document.querySelectorAll(".map image.tile.loaded").length >= 4 &&
		new Set([...document.querySelectorAll(".map image.tile")].map(i => i.dataset.tile.split("/")[0])).size === 1`)
	p.screenshot("map-layers")
	asked := tiles.requested()
	zooms := map[string]bool{}
	for _, k := range asked {
		var z, x, y int
		fmt.Sscanf(k, "%d/%d/%d", &z, &x, &y)
		zooms[strconv.Itoa(z)] = true
		// Every tile asked for touches the demo area (41.78–41.87 N,
		// 87.62–87.76 W), give or take a tile.
		n := math.Exp2(float64(z))
		west, east := float64(x)/n*360-180, float64(x+1)/n*360-180
		north := math.Atan(math.Sinh(math.Pi*(1-2*float64(y)/n))) * 180 / math.Pi
		south := math.Atan(math.Sinh(math.Pi*(1-2*float64(y+1)/n))) * 180 / math.Pi
		pad := 360 / n
		if east < -87.78-pad || west > -87.60+pad || north < 41.76-pad || south > 41.89+pad {
			t.Errorf("tile %s (%.4f..%.4f N, %.4f..%.4f E) is outside the demo area", k, south, north, west, east)
		}
	}
	if len(asked) < 8 || len(zooms) < 2 {
		t.Errorf("the tile server was asked for %d tiles at zooms %v, want the map's tiles at two zooms at least", len(asked), zooms)
	}
	// The base map can be turned off, and then nothing is drawn.
	p.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".map-tools button")].find(b => b.innerText === "Base map")`)))
	p.waitFor("the base map off", `document.querySelectorAll(".map image.tile").length === 0 && !document.querySelector(".map").classList.contains("with-tiles")`)
	t.Logf("browser part took %v; %d tiles asked for at zooms %v", time.Since(start).Round(time.Millisecond), len(asked), zooms)
}

// checkReportTables compares the tables of the reports view with the report.
func checkReportTables(t *testing.T, got report.Report, resp, nfpa, hourly [][]tableCell) {
	t.Helper()
	num := func(c tableCell) *float64 {
		if c.Value == "" {
			return nil
		}
		v, err := strconv.ParseFloat(c.Value, 64)
		if err != nil {
			t.Errorf("table cell %+v: value is not a number", c)
			return nil
		}
		return &v
	}
	same := func(what string, c tableCell, want *float64, text string) {
		t.Helper()
		g := num(c)
		if (g == nil) != (want == nil) || g != nil && *g != *want || c.Text != text {
			t.Errorf("%s = %q (value %q), want %q (value %v)", what, c.Text, c.Value, text, want)
		}
	}
	count := func(n int) *float64 { v := float64(n); return &v }
	iv := got.Intervals[0]
	if iv.Name != report.ReceivedOnScene || len(resp) != 6 {
		t.Fatalf("response-time table has %d rows for %s, want P0–P4 and All", len(resp), iv.Name)
	}
	for i, row := range resp {
		s := iv.All
		label := "All"
		if i < 5 {
			s, label = iv.ByPriority[i], fmt.Sprintf("P%d", i)
		}
		if row[0].Text != label {
			t.Errorf("response-time row %d is %q, want %s", i, row[0].Text, label)
		}
		same(label+" calls", row[1], count(s.Count), strconv.Itoa(s.Count))
		same(label+" p50", row[2], s.P50, fmtDur(s.P50))
		same(label+" p90", row[3], s.P90, fmtDur(s.P90))
		same(label+" fastest", row[4], s.Min, fmtDur(s.Min))
		same(label+" slowest", row[5], s.Max, fmtDur(s.Max))
	}
	cp := got.Processing
	if len(nfpa) != len(cp.Buckets)+1 {
		t.Fatalf("call-processing table has %d rows, want %d buckets and All", len(nfpa), len(cp.Buckets))
	}
	for i, row := range nfpa {
		b := cp.Tally
		if i < len(cp.Buckets) {
			b = cp.Buckets[i].Tally
		}
		same(fmt.Sprintf("call processing row %d dispatched", i), row[1], count(b.Dispatched), strconv.Itoa(b.Dispatched))
		same(fmt.Sprintf("call processing row %d within", i), row[2], count(b.Within), strconv.Itoa(b.Within))
		same(fmt.Sprintf("call processing row %d share", i), row[3], b.Share, fmtPct(b.Share))
	}
	if len(hourly) != 24 {
		t.Fatalf("hourly table has %d rows, want 24", len(hourly))
	}
	for h, row := range hourly {
		want := got.ByHour[h]
		if row[0].Text != fmt.Sprintf("%02d:00", h) {
			t.Errorf("hourly row %d is %q", h, row[0].Text)
		}
		for p := range 5 {
			same(fmt.Sprintf("%02d:00 P%d", h, p), row[1+p], count(want.ByPriority[p]), strconv.Itoa(want.ByPriority[p]))
		}
		same(fmt.Sprintf("%02d:00 total", h), row[6], count(want.Total), strconv.Itoa(want.Total))
	}
}

// TestConsoleReportsDocScreenshots takes docs/console.md's pictures of the
// reports view and the map's layers from a busy demo city, when
// TENFOUR_DOC_SCREENSHOTS names the folder to write them to (docs/img):
//
//	TENFOUR_DOC_SCREENSHOTS=$PWD/docs/img go test -run TestConsoleReportsDocScreenshots ./cmd/tenfour/
func TestConsoleReportsDocScreenshots(t *testing.T) {
	out := os.Getenv("TENFOUR_DOC_SCREENSHOTS")
	if out == "" {
		t.Skip("set TENFOUR_DOC_SCREENSHOTS to the folder for docs/console.md's screenshots")
	}
	dir := t.TempDir()
	n := startNode(t, "demo", dir, "--speed", "30", "--seed", "11")
	creds := demoCredentials(t, dir)
	admin := adminAPI(t, n)
	boss := asUser(t, admin, "doc-commander", "metro", "supervisor")
	boss.must(t, "POST", "/api/v1/directives", map[string]any{
		"scope":  map[string]any{"kind": "circle", "circle": map[string]any{"lat": 41.8222, "lon": -87.7052, "radius_m": 600}},
		"effect": "hold", "reason": "crowd at the rail yards", "expires": time.Now().Add(time.Hour),
	}, http.StatusCreated)
	time.Sleep(40 * time.Second) // 20 minutes of the city's time
	browserCtx := startBrowser(t)
	shot := func(p *page, name string) {
		t.Helper()
		if err := p.saveScreenshot(filepath.Join(out, name+".png")); err != nil {
			t.Fatal(err)
		}
	}
	p := openPage(t, browserCtx, n, "dispatcher", 1440, 1250, false)
	p.login(creds["metro-dispatcher"], "dispatch")
	p.press("R")
	p.do(chromedp.SetValue(chromedp.ID("rp-range"), "1h"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("rp-range").dispatchEvent(new Event("change"))`))
	p.waitFor("the charts", `document.querySelector(".rp-figure#rp-nfpa .chart-title")?.textContent.includes("five minutes") && document.querySelectorAll("#rp-hourly .seg").length > 3`)
	shot(p, "console-reports")
	p.press("T")
	p.waitFor("the light theme", `document.documentElement.dataset.theme === "light"`)
	shot(p, "console-reports-light")
	p.press("T")
	p.do(chromedp.EmulateViewport(1440, 900))
	p.press("M")
	p.waitFor("the map's layers", `document.querySelectorAll(".map .street").length === 99 && document.querySelector(".map .directive")`)
	p.do(chromedp.Focus(chromedp.CSS(".map")))
	for range 3 {
		p.press("+")
	}
	p.waitFor("the street names", `getComputedStyle(document.querySelector(".map .street-name")).display !== "none"`)
	shot(p, "console-map-layers")
	p.checkConsole()
}
