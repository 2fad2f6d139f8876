package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/report"
)

// reportAnswer is GET /api/v1/reports/intervals's answer as a client reads it.
type reportAnswer struct {
	Agency string `json:"agency"`
	report.Report
}

// The report counts the calls of the caller's agency received in the range,
// as report.Compute does from the same incidents; another agency's caller
// and bad ranges get a sentence that says what is wrong.
func TestReportIntervals(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A11", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	call := func(agency, typ string, ring, talk time.Duration) string {
		t.Helper()
		now := ts.Engine.Now()
		answered, received := now.Add(-talk), now.Add(-talk-ring)
		return ts.MustExecute(t, dispatch.CreateIncident{Agency: agency, Type: typ, Location: dispatch.Location{Text: "1 Main St"},
			Received: &received, Answered: &answered}).Events[0].Subject["incident"]
	}
	first := call("metro", "ASSAULT", 5*time.Second, 20*time.Second)
	second := call("metro", "THEFT", 3*time.Second, 90*time.Second)
	call("metro", "NOISE", 2*time.Second, 10*time.Second) // never dispatched
	call("sheriff", "BURGLARY", time.Second, time.Second)
	for i, id := range []string{first, second} {
		unit := []string{"metro.1a11", "metro.1a12"}[i]
		ts.MustExecute(t, dispatch.DispatchUnits{Incident: id, Units: []string{unit}})
		ts.MustExecute(t, dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusEnRoute})
		ts.MustExecute(t, dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusOnScene})
	}
	var all []report.Times
	var metro []report.Times
	ts.Engine.Read(func(s *dispatch.State) {
		for _, in := range s.Incidents {
			all = append(all, report.TimesOf(in))
			if in.Agency == "metro" {
				metro = append(metro, report.TimesOf(in))
			}
		}
	})
	to := ts.Engine.Now().Add(time.Minute)
	from := to.Add(-2 * time.Hour)
	q := "?from=" + url.QueryEscape(from.Format(time.RFC3339)) + "&to=" + url.QueryEscape(to.Format(time.RFC3339))
	dispatcher := ts.MustCreateUser(t, "disp", "metro", dispatch.RoleDispatcher)
	sheriffAuditor := ts.MustCreateUser(t, "aud", "sheriff", dispatch.RoleAuditor)

	t.Run("OK", func(t *testing.T) {
		var got reportAnswer
		MustJSON(t, "GET /api/v1/reports/intervals as metro's dispatcher", ts.Do(t, "GET", "/api/v1/reports/intervals"+q+"&tz=America/Chicago", dispatcher, nil), http.StatusOK, &got)
		chicago, _ := time.LoadLocation("America/Chicago")
		want := report.Compute(metro, report.Range{From: from, To: to, Location: chicago})
		if got.Agency != "metro" || got.Incidents != 3 || got.TZ != "America/Chicago" {
			t.Fatalf("report = agency %q, %d incidents, tz %q; want metro's 3 in America/Chicago", got.Agency, got.Incidents, got.TZ)
		}
		if g, w := mustEncode(t, got.Report), mustEncode(t, want); g != w {
			t.Errorf("report =\n%s\nwant report.Compute's\n%s", g, w)
		}
		p := got.Processing
		if p.Dispatched != 2 || p.Within != 1 || p.Share == nil || *p.Share != 0.5 {
			t.Errorf("call processing = %+v, want 1 of 2 dispatched within 60 s (20 s, then 90 s of talk)", p.Tally)
		}
		if iv := got.Intervals[0]; iv.Name != report.ReceivedOnScene || iv.All.Count != 2 || iv.ByPriority[1].Count != 1 || iv.ByPriority[3].Count != 1 {
			t.Errorf("received→on scene = %+v, want 2 calls, one P1 and one P3", iv)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		// No range: the last day to now by the engine's clock, in UTC.
		var got reportAnswer
		before := ts.Engine.Now()
		MustJSON(t, "GET /api/v1/reports/intervals", ts.Do(t, "GET", "/api/v1/reports/intervals", dispatcher, nil), http.StatusOK, &got)
		after := ts.Engine.Now()
		if got.TZ != "UTC" || got.To.Sub(got.From) != 24*time.Hour || got.To.Before(before) || got.To.After(after) {
			t.Errorf("default report: %s to %s in %s; want the last day to now, in UTC", got.From, got.To, got.TZ)
		}
		if g, w := mustEncode(t, got.Report), mustEncode(t, report.Compute(metro, report.Range{From: got.From, To: got.To, Location: time.UTC})); g != w {
			t.Errorf("default report =\n%s\nwant\n%s", g, w)
		}
	})
	t.Run("Installation", func(t *testing.T) {
		var got reportAnswer
		MustJSON(t, "GET /api/v1/reports/intervals as the installation administrator", ts.Do(t, "GET", "/api/v1/reports/intervals"+q, ts.Admin, nil), http.StatusOK, &got)
		if got.Agency != "" || got.Incidents != 4 {
			t.Errorf("installation report: agency %q, %d incidents; want every agency's 4", got.Agency, got.Incidents)
		}
		if g, w := mustEncode(t, got.Report), mustEncode(t, report.Compute(all, report.Range{From: from, To: to, Location: time.UTC})); g != w {
			t.Errorf("installation report =\n%s\nwant\n%s", g, w)
		}
		MustJSON(t, "GET /api/v1/reports/intervals?agency=sheriff", ts.Do(t, "GET", "/api/v1/reports/intervals"+q+"&agency=sheriff", ts.Admin, nil), http.StatusOK, &got)
		if got.Agency != "sheriff" || got.Incidents != 1 {
			t.Errorf("sheriff's report: agency %q, %d incidents; want sheriff's 1", got.Agency, got.Incidents)
		}
		r := ts.Do(t, "GET", "/api/v1/reports/intervals?agency=nowhere", ts.Admin, nil)
		CheckProblem(t, "GET /api/v1/reports/intervals?agency=nowhere", r, http.StatusNotFound, dispatch.ENOTFOUND, `agency "nowhere" does not exist`)
	})
	t.Run("OwnAgencyOnly", func(t *testing.T) {
		var got reportAnswer
		MustJSON(t, "GET /api/v1/reports/intervals as sheriff's auditor", ts.Do(t, "GET", "/api/v1/reports/intervals"+q, sheriffAuditor, nil), http.StatusOK, &got)
		if got.Agency != "sheriff" || got.Incidents != 1 {
			t.Errorf("sheriff auditor's report: agency %q, %d incidents; want sheriff's 1", got.Agency, got.Incidents)
		}
		r := ts.Do(t, "GET", "/api/v1/reports/intervals?agency=metro", sheriffAuditor, nil)
		CheckProblem(t, "GET /api/v1/reports/intervals?agency=metro as sheriff", r, http.StatusForbidden, dispatch.EFORBIDDEN, "only on the calls of sheriff")
	})
	for _, c := range []struct{ name, query, detail string }{
		{"ErrFrom", "?from=yesterday", `from "yesterday" is not a time`},
		{"ErrTo", "?to=2026-03-01", `to "2026-03-01" is not a time`},
		{"ErrBackwards", "?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "must be before its end"},
		{"ErrTooLong", "?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "at most 31 days"},
		{"ErrZone", "?tz=Mars/Olympus", `time zone "Mars/Olympus" is not known`},
		{"ErrLocalZone", "?tz=Local", `time zone "Local" is not known`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ts.Do(t, "GET", "/api/v1/reports/intervals"+c.query, dispatcher, nil)
			CheckProblem(t, "GET /api/v1/reports/intervals"+c.query, r, http.StatusUnprocessableEntity, dispatch.EINVALID, c.detail)
		})
	}
}

func mustEncode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The streets are the map's centerlines, each a line inside the districts;
// the named places are there too.
func TestStreets(t *testing.T) {
	ts := MustOpenServer(t)
	var got struct {
		Streets []struct {
			Name  string       `json:"name"`
			Major bool         `json:"major"`
			Line  [][2]float64 `json:"line"`
		} `json:"streets"`
		Places []struct {
			Name     string
			Lat, Lon float64
		} `json:"places"`
	}
	MustJSON(t, "GET /api/v1/streets", ts.Do(t, "GET", "/api/v1/streets", ts.Admin, nil), http.StatusOK, &got)
	// The demo map cuts each of its 99 streets at every crossing; drawn,
	// each is one line again.
	if len(got.Streets) != 99 || len(got.Places) != 10 {
		t.Fatalf("GET /api/v1/streets = %d lines and %d places, want the demo city's 99 streets and 10 places", len(got.Streets), len(got.Places))
	}
	names := map[string]bool{}
	major := map[string]bool{}
	for _, s := range got.Streets {
		names[s.Name] = true
		if s.Major {
			major[s.Name] = true
		}
		if want := s.Name == "S Kedzie Ave" || s.Name == "W Pershing Rd"; want && !s.Major || s.Name == "W 39th Pl" && s.Major {
			t.Errorf("street %s: major = %v, want the mile-line arterials only", s.Name, s.Major)
		}
		if len(s.Line) < 2 {
			t.Errorf("street %s has %d points, want a line", s.Name, len(s.Line))
		}
		for _, p := range s.Line {
			if p[0] < 41.78 || p[0] > 41.86 || p[1] < -87.75 || p[1] > -87.64 {
				t.Errorf("street %s has point %v, outside the demo area", s.Name, p)
			}
		}
	}
	if len(names) != 99 || len(major) != 11 {
		t.Errorf("GET /api/v1/streets has %d streets, %d of them major; want the demo city's 99 and its 11 mile-line arterials", len(names), len(major))
	}
	for _, want := range []string{"S Kedzie Ave", "W 39th Pl", "W Pershing Rd", "W Cermak Rd", "S Cicero Ave"} {
		if !names[want] {
			t.Errorf("GET /api/v1/streets lacks %s", want)
		}
	}
	for _, s := range got.Streets {
		if s.Name == "S Kedzie Ave" {
			// North–south: one longitude, numbered away from the origin.
			if last := s.Line[len(s.Line)-1]; s.Line[0][1] != last[1] || !(s.Line[0][0] > last[0]) {
				t.Errorf("S Kedzie Ave = %v, want a line due south", s.Line)
			}
		}
	}
}

// Without --map-tiles the console fetches no image from elsewhere; with it,
// its pages allow the tiles' origin, and nothing else more.
func TestMapTiles(t *testing.T) {
	t.Run("None", func(t *testing.T) {
		ts := MustOpenServer(t)
		var got tenfourhttp.MapTiles
		MustJSON(t, "GET /api/v1/map-tiles", ts.Do(t, "GET", "/api/v1/map-tiles", ts.Admin, nil), http.StatusOK, &got)
		if got.URL != "" {
			t.Errorf("GET /api/v1/map-tiles = %+v, want no URL", got)
		}
		if csp := ts.Do(t, "GET", "/console/map", "", nil).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:;") {
			t.Errorf("console CSP = %q, want img-src 'self' data: only", csp)
		}
	})
	t.Run("OK", func(t *testing.T) {
		tiles, err := tenfourhttp.ParseMapTiles("http://127.0.0.1:9/{z}/{x}/{y}.png", "© the test")
		if err != nil {
			t.Fatal(err)
		}
		ts := MustOpenServerWith(t, func(s *tenfourhttp.Server) { s.SetMapTiles(tiles) })
		var got tenfourhttp.MapTiles
		MustJSON(t, "GET /api/v1/map-tiles", ts.Do(t, "GET", "/api/v1/map-tiles", ts.Admin, nil), http.StatusOK, &got)
		if got.URL != "http://127.0.0.1:9/{z}/{x}/{y}.png" || got.Attribution != "© the test" || got.MaxZoom != 19 {
			t.Errorf("GET /api/v1/map-tiles = %+v, want the template and attribution", got)
		}
		for _, v := range tenfourhttp.ConsoleViews {
			csp := ts.Do(t, "GET", "/console/"+v, "", nil).Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "img-src 'self' data: http://127.0.0.1:9;") || !strings.Contains(csp, "connect-src 'self';") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("GET /console/%s: CSP %q, want the tiles' origin as an image source only", v, csp)
			}
		}
		if csp := ts.Do(t, "GET", "/", "", nil).Header.Get("Content-Security-Policy"); strings.Contains(csp, "127.0.0.1:9") {
			t.Errorf("the status page's CSP = %q, want no tiles' origin: it draws no map", csp)
		}
	})
	for _, c := range []struct{ name, url, want string }{
		{"Subdomains", "https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"},
		{"Port", "https://Tiles.Example.org:8443/osm/{z}/{x}/{y}.png?key=abc", "https://tiles.example.org:8443"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tiles, err := tenfourhttp.ParseMapTiles(c.url, "")
			if err != nil {
				t.Fatalf("ParseMapTiles(%q) = %v", c.url, err)
			}
			ts := MustOpenServerWith(t, func(s *tenfourhttp.Server) { s.SetMapTiles(tiles) })
			if csp := ts.Do(t, "GET", "/console/map", "", nil).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: "+c.want+";") {
				t.Errorf("CSP with tiles %s = %q, want img-src with %s", c.url, csp, c.want)
			}
		})
	}
	for _, c := range []struct{ name, url, attribution, want string }{
		{"ErrNoPlaceholders", "https://tile.example.org/tiles.png", "", "needs {z}, {x} and {y}"},
		{"ErrScheme", "ftp://tile.example.org/{z}/{x}/{y}.png", "", "want an http or https URL"},
		{"ErrNoHost", "https:///{z}/{x}/{y}.png", "", "want an http or https URL"},
		{"ErrUser", "https://me:pw@tile.example.org/{z}/{x}/{y}.png", "", "no user name"},
		{"ErrOtherBraces", "https://tile.example.org/{z}/{x}/{y}{r}.png", "", "only {z}, {x}, {y} and {s}"},
		{"ErrSubdomainLater", "https://tile.{s}.example.org/{z}/{x}/{y}.png", "", "{s} may only be the first part"},
		{"ErrPolicyInjection", "https://tile.example.org;script-src/{z}/{x}/{y}.png", "", "not a host name"},
		{"ErrAttribution", "https://tile.example.org/{z}/{x}/{y}.png", "a\nb", "one line"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := tenfourhttp.ParseMapTiles(c.url, c.attribution); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseMapTiles(%q, %q) = %v, want an error saying %q", c.url, c.attribution, err, c.want)
			}
		})
	}
}
