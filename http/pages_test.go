package http_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// historyServer is a TestServer on SQLite whose metro incidents are some
// open, in memory, and some closed and archived by the engine, their times
// interleaved; sheriff has one of each.
type historyServer struct {
	*TestServer
	metro, sheriff string   // dispatchers' tokens
	all            []string // metro's incidents, newest first
	archived       []string // metro's archived incidents, newest first
}

func mustHistoryServer(t *testing.T) *historyServer {
	t.Helper()
	ts := MustOpenServer(t)
	hs := &historyServer{TestServer: ts}
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	hs.metro = ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	hs.sheriff = ts.MustCreateUser(t, "sid", "sheriff", dispatch.RoleDispatcher)
	for i := range 11 {
		agency := "metro"
		if i >= 9 {
			agency = "sheriff"
		}
		res := ts.MustExecute(t, dispatch.CreateIncident{Agency: agency, Type: []string{"THEFT", "NOISE"}[i%2],
			Location: dispatch.Location{Text: fmt.Sprintf("%d Main St", 1+i%3), Lat: new(41.8 + float64(i%3)*0.0005), Lon: new(-87.7)}})
		id := res.Events[0].Subject["incident"]
		if agency == "metro" {
			hs.all = append([]string{id}, hs.all...)
		}
		if i%2 == 0 {
			ts.MustExecute(t, dispatch.ClearIncident{Incident: id, Disposition: "report taken"})
			if agency == "metro" {
				hs.archived = append([]string{id}, hs.archived...)
			}
		}
	}
	hs.archiveClosed(t)
	for _, id := range hs.archived {
		if _, err := ts.Engine.Incident(dispatch.Actor{System: "test"}, id); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Fatalf("fixture: incident %s is still in memory after archiving (%v)", id, err)
		}
	}
	return hs
}

// archiveClosed archives every closed record now, as the engine's timer
// does after the retention window.
func (hs *historyServer) archiveClosed(t *testing.T) {
	t.Helper()
	hs.MustExecute(t, dispatch.ArchiveClosed{Retention: time.Nanosecond})
}

var linkNext = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

// pages follows the Link headers of a list from path, calling between(n)
// after page n, and returns the ids listed.
func (hs *historyServer) pages(t *testing.T, token, path string, between func(n int)) []string {
	t.Helper()
	var ids []string
	for n := 1; path != ""; n++ {
		var list struct{ Incidents []dispatch.Incident }
		r := hs.Do(t, "GET", path, token, nil)
		MustJSON(t, "GET "+path, r, 200, &list)
		for _, in := range list.Incidents {
			ids = append(ids, in.ID)
		}
		path = ""
		if l := r.Header.Get("Link"); l != "" {
			m := linkNext.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("GET %s: Link %q, want <…>; rel=\"next\"", path, l)
			}
			path = m[1]
			if between != nil {
				between(n)
			}
		}
		if n > 100 {
			t.Fatal("the pages do not end")
		}
	}
	return ids
}

// TestIncidentPages: the incident list pages by its Link header through
// open incidents in memory and closed ones in the store's archive, each
// once, newest first; its filters hold on both.
func TestIncidentPages(t *testing.T) {
	hs := mustHistoryServer(t)
	for _, limit := range []int{1, 2, 4, 9, 10} {
		got := hs.pages(t, hs.metro, fmt.Sprintf("/api/v1/incidents?limit=%d", limit), nil)
		if !slices.Equal(got, hs.all) {
			t.Errorf("pages of %d = %v, want %v", limit, got, hs.all)
		}
	}
	// Without parameters: the first page of 100, no Link.
	r := hs.Do(t, "GET", "/api/v1/incidents", hs.metro, nil)
	var list struct{ Incidents []dispatch.Incident }
	MustJSON(t, "GET /api/v1/incidents", r, 200, &list)
	if len(list.Incidents) != len(hs.all) || r.Header.Get("Link") != "" {
		t.Errorf("GET /api/v1/incidents = %d incidents, Link %q; want %d and none", len(list.Incidents), r.Header.Get("Link"), len(hs.all))
	}
	// The next page's link keeps the filters.
	r = hs.Do(t, "GET", "/api/v1/incidents?status=closed&limit=2&type=THEFT", hs.metro, nil)
	m := linkNext.FindStringSubmatch(r.Header.Get("Link"))
	if m == nil {
		t.Fatalf("GET ?status=closed&limit=2&type=THEFT: Link %q, want a next page", r.Header.Get("Link"))
	}
	u, err := url.Parse(m[1])
	if err != nil || u.Path != "/api/v1/incidents" || u.Query().Get("status") != "closed" || u.Query().Get("type") != "THEFT" || u.Query().Get("limit") != "2" || u.Query().Get("before") == "" {
		t.Errorf("Link %q, want the same list with before set", m[1])
	}

	for _, tc := range []struct {
		query string
		want  func(dispatch.Incident) bool
	}{
		{"status=open", func(in dispatch.Incident) bool { return in.Status != dispatch.IncidentClosed }},
		{"status=closed", func(in dispatch.Incident) bool { return in.Status == dispatch.IncidentClosed }},
		{"status=closed&type=THEFT", func(in dispatch.Incident) bool { return in.Status == dispatch.IncidentClosed && in.Type == "THEFT" }},
		{"address=2+main+street", func(in dispatch.Incident) bool { return in.Location.Text == "2 Main St" }},
		{"lat=41.8&lon=-87.7&radius=30", func(in dispatch.Incident) bool { return *in.Location.Lat == 41.8 }},
		{"agency=metro&status=all", func(in dispatch.Incident) bool { return true }},
	} {
		var want []string
		for _, id := range hs.all {
			var in dispatch.Incident
			MustJSON(t, "GET /api/v1/incidents/"+id, hs.Do(t, "GET", "/api/v1/incidents/"+id, hs.metro, nil), 200, &in)
			if tc.want(in) {
				want = append(want, id)
			}
		}
		got := hs.pages(t, hs.metro, "/api/v1/incidents?limit=2&"+tc.query, nil)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("pages of ?%s = %v, want %v (not none)", tc.query, got, want)
		}
	}
	if got := hs.pages(t, hs.metro, "/api/v1/incidents?status=closed", nil); !slices.Equal(got, hs.archived) {
		t.Errorf("closed incidents = %v, want the archived ones %v", got, hs.archived)
	}
	// Another agency's list is empty to metro, and its own holds only its own.
	if got := hs.pages(t, hs.metro, "/api/v1/incidents?agency=sheriff", nil); len(got) != 0 {
		t.Errorf("metro's pages of ?agency=sheriff = %v, want none", got)
	}
	if got := hs.pages(t, hs.sheriff, "/api/v1/incidents?limit=1", nil); len(got) != 2 || !strings.HasPrefix(got[0], "sheriff-") || !strings.HasPrefix(got[1], "sheriff-") {
		t.Errorf("sheriff's pages = %v, want its two incidents", got)
	}
}

// TestIncidentPagesMove: an incident archived while a client pages is
// listed once, where it belongs.
func TestIncidentPagesMove(t *testing.T) {
	hs := mustHistoryServer(t)
	open := hs.pages(t, hs.metro, "/api/v1/incidents?status=open", nil)
	if len(open) < 3 {
		t.Fatalf("fixture: open incidents %v, want at least 3", open)
	}
	got := hs.pages(t, hs.metro, "/api/v1/incidents?limit=2", func(n int) {
		if n != 1 {
			return
		}
		// The newest open one (already listed) and the oldest (not yet)
		// close and leave memory.
		for _, id := range []string{open[0], open[len(open)-1]} {
			hs.MustExecute(t, dispatch.ClearIncident{Incident: id, Disposition: "gone on arrival"})
		}
		hs.archiveClosed(t)
	})
	if !slices.Equal(got, hs.all) {
		t.Errorf("pages while %s and %s were archived = %v, want %v", open[0], open[len(open)-1], got, hs.all)
	}
	if got := hs.pages(t, hs.metro, "/api/v1/incidents?status=open", nil); len(got) != len(open)-2 {
		t.Errorf("open incidents after archiving two = %v, want %d", got, len(open)-2)
	}
}

// TestArchivedReads: an archived incident is read, with its timeline,
// bundle and priors, by its agency, and does not exist for another.
func TestArchivedReads(t *testing.T) {
	hs := mustHistoryServer(t)
	old := hs.archived[0]
	var in dispatch.Incident
	MustJSON(t, "GET /api/v1/incidents/"+old, hs.Do(t, "GET", "/api/v1/incidents/"+old, hs.metro, nil), 200, &in)
	if in.ID != old || in.Status != dispatch.IncidentClosed || in.Disposition != "report taken" {
		t.Errorf("GET /api/v1/incidents/%s = %+v, want it closed, report taken", old, in)
	}
	var tl struct {
		Entries []struct {
			Seq  int64  `json:"seq"`
			Type string `json:"type"`
		} `json:"entries"`
	}
	MustJSON(t, "GET timeline", hs.Do(t, "GET", "/api/v1/incidents/"+old+"/timeline", hs.metro, nil), 200, &tl)
	var types []string
	for _, e := range tl.Entries {
		types = append(types, e.Type)
	}
	if !slices.Contains(types, "incident.created") || !slices.Contains(types, "incident.cleared") {
		t.Errorf("timeline of archived %s = %v, want its creation and clearing", old, types)
	}
	auditor := hs.MustCreateUser(t, "aud", "metro", dispatch.RoleAuditor)
	if r := hs.Do(t, "GET", "/api/v1/incidents/"+old+"/bundle", auditor, nil); r.Status != 200 {
		t.Errorf("GET bundle of archived %s = %d %s, want 200", old, r.Status, r.Body)
	}
	// Its timeline published after it was archived reads in public, its
	// entries those of the private timeline.
	if r := hs.Do(t, "POST", "/api/v1/incidents/"+old+"/publish", auditor, map[string]string{"reason": "records request 7"}); r.Status != 200 {
		t.Fatalf("POST publish of archived %s = %d %s, want 200", old, r.Status, r.Body)
	}
	var pub struct {
		Timeline struct {
			Entries []struct {
				Seq  int64  `json:"seq"`
				Type string `json:"type"`
			} `json:"entries"`
		} `json:"timeline"`
	}
	MustJSON(t, "GET public timeline", hs.Do(t, "GET", "/public/v1/timelines/incident/"+old, "", nil), 200, &pub)
	if got := pub.Timeline.Entries; len(got) != len(tl.Entries)+1 || got[0].Seq != tl.Entries[0].Seq || got[len(got)-1].Type != "timeline.published" {
		t.Errorf("public timeline of archived %s = %+v, want its %d entries and its publication", old, got, len(tl.Entries))
	}
	for _, path := range []string{"", "/timeline", "/priors"} {
		if r := hs.Do(t, "GET", "/api/v1/incidents/"+old+path, hs.sheriff, nil); r.Status != 404 {
			t.Errorf("GET /api/v1/incidents/%s%s as sheriff = %d, want 404", old, path, r.Status)
		}
	}
	// A report counts the archived incidents of its range.
	var rep struct{ Incidents int }
	MustJSON(t, "GET report", hs.Do(t, "GET", "/api/v1/reports/intervals?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z", hs.metro, nil), 200, &rep)
	if rep.Incidents != len(hs.all) {
		t.Errorf("report of 1 March: %d incidents, want metro's %d, %d of them archived", rep.Incidents, len(hs.all), len(hs.archived))
	}
	// Priors of an open incident count the archived ones at its place.
	var open []string
	for _, id := range hs.all {
		if !slices.Contains(hs.archived, id) {
			open = append(open, id)
		}
	}
	var priors struct{ Priors []dispatch.Prior }
	MustJSON(t, "GET priors", hs.Do(t, "GET", "/api/v1/incidents/"+open[0]+"/priors?radius_m=10", hs.metro, nil), 200, &priors)
	var ids []string
	for _, p := range priors.Priors {
		ids = append(ids, p.Incident)
	}
	archivedPrior := slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(hs.archived, id) })
	if len(ids) == 0 || !archivedPrior {
		t.Errorf("priors of %s = %v, want archived incidents at its place among them", open[0], ids)
	}
}

// TestIncidentListParams: each bad parameter is a 400 that names it.
func TestIncidentListParams(t *testing.T) {
	hs := mustHistoryServer(t)
	for _, tc := range []struct{ query, names string }{
		{"status=shut", "status"},
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"limit=ten", "limit"},
		{"from=yesterday", "from"},
		{"to=2026-13-01", "to"},
		{"from=2026-03-02&to=2026-03-01", "from"},
		{"lat=41.8&lon=-87.7", "radius"},
		{"lat=91&lon=0&radius=10", "lat"},
		{"lat=41.8&lon=-187&radius=10", "lon"},
		{"lat=41.8&lon=-87.7&radius=0", "radius"},
		{"lat=41.8&lon=-87.7&radius=50001", "radius"},
		{"lat=NaN&lon=-87.7&radius=10", "lat"},
		{"before=not-a-cursor", "before"},
		{"before=AAAAAAAAAAA", "before"},
		{"sort=asc", "sort"},
		{"limit=1&limit=2", "limit"},
		{"address=" + strings.Repeat("x", 201), "address"},
		{"address=%2C%2C", "address"},
	} {
		r := hs.Do(t, "GET", "/api/v1/incidents?"+tc.query, hs.metro, nil)
		p := CheckProblem(t, "GET /api/v1/incidents?"+tc.query, r, 400, "bad_request", "")
		if !strings.Contains(p.Detail, tc.names) {
			t.Errorf("GET /api/v1/incidents?%s: detail %q, want it to name %s", tc.query, p.Detail, tc.names)
		}
	}

}

// TestRequestPages: the request list pages like the incident list, open
// requests in memory and closed ones in the archive, each once, newest
// first; an agency a request does not concern does not see it, archived or
// not.
func TestRequestPages(t *testing.T) {
	ts := MustOpenServer(t)
	for _, id := range []string{"metro", "state", "county"} {
		ts.MustExecute(t, dispatch.CreateAgency{ID: id, Name: id, Kind: "municipal_police"})
	}
	metro := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	county := ts.MustCreateUser(t, "cid", "county", dispatch.RoleDispatcher)
	where := dispatch.Location{Text: "3900 S Kedzie Ave"}
	var all, closed []string // metro's, newest first
	for i := range 9 {
		from, to := "metro", "state"
		if i%4 == 3 {
			from, to = "state", "county" // not metro's
		}
		id := ts.MustExecute(t, dispatch.RequestAssist{From: from, To: to, Location: where, Nature: fmt.Sprintf("convoy %d", i), Urgency: dispatch.UrgencyRoutine}).Events[0].Subject["request"]
		if i%2 == 0 {
			ts.MustExecute(t, dispatch.CloseAssist{Request: id, Disposition: "done"})
		}
		if from == "metro" {
			all = append([]string{id}, all...)
			if i%2 == 0 {
				closed = append([]string{id}, closed...)
			}
		}
	}
	ts.MustExecute(t, dispatch.ArchiveClosed{Retention: time.Nanosecond})
	if _, err := ts.Engine.Request(dispatch.Actor{System: "test"}, closed[0]); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Fatalf("fixture: request %s still in memory after archiving (%v)", closed[0], err)
	}
	ids := func(token, path string) []string {
		t.Helper()
		var got []string
		for path != "" {
			var list struct{ Requests []dispatch.AssistRequest }
			r := ts.Do(t, "GET", path, token, nil)
			MustJSON(t, "GET "+path, r, 200, &list)
			for _, rq := range list.Requests {
				got = append(got, rq.ID)
			}
			path = ""
			if m := linkNext.FindStringSubmatch(r.Header.Get("Link")); m != nil {
				path = m[1]
			}
		}
		return got
	}
	for _, limit := range []int{1, 2, 3, 7} {
		if got := ids(metro, fmt.Sprintf("/api/v1/requests?limit=%d", limit)); !slices.Equal(got, all) {
			t.Errorf("metro's request pages of %d = %v, want %v", limit, got, all)
		}
	}
	if got := ids(metro, "/api/v1/requests?status=closed&limit=2"); !slices.Equal(got, closed) {
		t.Errorf("metro's closed requests = %v, want the archived %v", got, closed)
	}
	if got := ids(county, "/api/v1/requests"); len(got) != 2 {
		t.Errorf("county's requests = %v, want the two it was asked", got)
	}
	if r := ts.Do(t, "GET", "/api/v1/requests/"+closed[0], county, nil); r.Status != 404 {
		t.Errorf("GET archived request %s as county = %d, want 404", closed[0], r.Status)
	}
	if r := ts.Do(t, "GET", "/api/v1/requests/"+closed[0], metro, nil); r.Status != 200 {
		t.Errorf("GET archived request %s as metro = %d %s, want 200", closed[0], r.Status, r.Body)
	}
	var tl struct {
		Entries []struct {
			Type string `json:"type"`
		} `json:"entries"`
	}
	MustJSON(t, "GET archived request's timeline", ts.Do(t, "GET", "/api/v1/requests/"+closed[0]+"/timeline", metro, nil), 200, &tl)
	if len(tl.Entries) < 3 || tl.Entries[0].Type != "assist.requested" || tl.Entries[len(tl.Entries)-1].Type != "records.archived" {
		t.Errorf("timeline of archived request %s = %+v, want from its request to its archiving", closed[0], tl.Entries)
	}
	if r := ts.Do(t, "GET", "/api/v1/requests/"+closed[0]+"/timeline", county, nil); r.Status != 404 {
		t.Errorf("GET archived request %s's timeline as county = %d, want 404", closed[0], r.Status)
	}
	CheckProblem(t, "GET /api/v1/requests?limit=0", ts.Do(t, "GET", "/api/v1/requests?limit=0", metro, nil), 400, "bad_request", "limit")
	CheckProblem(t, "GET /api/v1/requests?unit=x", ts.Do(t, "GET", "/api/v1/requests?unit=x", metro, nil), 400, "bad_request", "unit")
}

// follow follows the Link headers of a list from path as token, decoding
// each page's array under key, and returns the ids listed.
func follow(t *testing.T, ts *TestServer, token, path, key string) []string {
	t.Helper()
	var ids []string
	for n := 0; path != ""; n++ {
		if n > 100 {
			t.Fatalf("the pages of %s do not end", path)
		}
		var page map[string][]struct {
			ID string `json:"id"`
		}
		r := ts.Do(t, "GET", path, token, nil)
		MustJSON(t, "GET "+path, r, 200, &page)
		list, ok := page[key]
		if !ok {
			t.Fatalf("GET %s = %s, want an object with %q", path, r.Body, key)
		}
		for _, x := range list {
			ids = append(ids, x.ID)
		}
		path = ""
		if l := r.Header.Get("Link"); l != "" {
			m := linkNext.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("GET %s: Link %q, want <…>; rel=\"next\"", path, l)
			}
			path = m[1]
		}
	}
	return ids
}

// TestMessagePages: the message list pages like the incident list through
// the messages in memory and those archived, each once, newest first,
// also when messages are archived between two pages; a unit's list and
// another agency's follow the same rules.
func TestMessagePages(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A13", Agency: "metro", Kind: "patrol"})
	disp := ts.MustCreateUser(t, "disp", "metro", dispatch.RoleDispatcher)
	off := ts.MustCreateUser(t, "off", "metro", dispatch.RoleOfficer)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)
	var all, unit12 []string // newest first
	send := func(i int) {
		t.Helper()
		to := "unit:metro.1a12"
		if i%3 == 0 {
			to = "unit:metro.1a13"
		}
		var m dispatch.Message
		MustJSON(t, "POST /api/v1/messages", ts.Do(t, "POST", "/api/v1/messages", disp,
			map[string]any{"to": []string{to}, "text": fmt.Sprintf("message %d", i)}), 201, &m)
		all = append([]string{m.ID}, all...)
		if to == "unit:metro.1a12" {
			unit12 = append([]string{m.ID}, unit12...)
		}
	}
	for i := range 6 {
		send(i)
	}
	ts.MustExecute(t, dispatch.ArchiveClosed{Retention: time.Nanosecond})
	archived := slices.Clone(all)
	ann := dispatch.Actor{Agency: "metro", User: "disp", Role: dispatch.RoleDispatcher}
	if _, err := ts.Engine.Message(ann, "", archived[0]); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Fatalf("fixture: message %s still in memory after archiving (%v)", archived[0], err)
	}
	for i := 6; i < 10; i++ {
		send(i)
	}
	for _, limit := range []int{1, 2, 3, 4, 9, 10, 11} {
		if got := follow(t, ts, disp, fmt.Sprintf("/api/v1/messages?limit=%d", limit), "messages"); !slices.Equal(got, all) {
			t.Errorf("the dispatcher's message pages of %d = %v, want %v", limit, got, all)
		}
	}
	if got := follow(t, ts, off, "/api/v1/messages?unit=metro.1a12&limit=2", "messages"); !slices.Equal(got, unit12) {
		t.Errorf("metro.1a12's message pages = %v, want %v", got, unit12)
	}
	if got := follow(t, ts, disp, "/api/v1/messages?id="+archived[2], "messages"); !slices.Equal(got, archived[2:3]) {
		t.Errorf("?id=%s (archived) = %v, want it", archived[2], got)
	}
	if got := follow(t, ts, deputy, "/api/v1/messages", "messages"); len(got) != 0 {
		t.Errorf("the sheriff's dispatcher's messages = %v, want none of metro's", got)
	}
	CheckProblem(t, "GET another agency's unit's messages", ts.Do(t, "GET", "/api/v1/messages?unit=metro.1a12", deputy, nil), 404, dispatch.ENOTFOUND, "")
	// The next page's link keeps the unit.
	r := ts.Do(t, "GET", "/api/v1/messages?unit=metro.1a12&limit=1", off, nil)
	m := linkNext.FindStringSubmatch(r.Header.Get("Link"))
	if u, err := url.Parse(m[1]); m == nil || err != nil || u.Query().Get("unit") != "metro.1a12" || u.Query().Get("before") == "" {
		t.Errorf("Link %q, want the unit's list with before set", r.Header.Get("Link"))
	}

	// Archived while a client pages: each message still once.
	var got []string
	path := "/api/v1/messages?limit=3"
	for n := 0; path != ""; n++ {
		var page struct{ Messages []dispatch.Message }
		r := ts.Do(t, "GET", path, disp, nil)
		MustJSON(t, "GET "+path, r, 200, &page)
		for _, m := range page.Messages {
			got = append(got, m.ID)
		}
		path = ""
		if m := linkNext.FindStringSubmatch(r.Header.Get("Link")); m != nil {
			path = m[1]
		}
		if n == 0 {
			ts.MustExecute(t, dispatch.ArchiveClosed{Retention: time.Nanosecond})
		}
	}
	if !slices.Equal(got, all) {
		t.Errorf("pages while the rest were archived = %v, want %v", got, all)
	}

	for _, tc := range []struct{ query, names string }{
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"limit=ten", "limit"},
		{"before=not-a-cursor", "before"},
		{"before=AAAAAAAAAAA", "before"},
		{"from=yesterday", "from"},
		{"from=2026-03-02&to=2026-03-01", "from"},
		{"since=2026-03-01", "since"},
		{"limit=1&limit=2", "limit"},
	} {
		p := CheckProblem(t, "GET /api/v1/messages?"+tc.query, ts.Do(t, "GET", "/api/v1/messages?"+tc.query, disp, nil), 400, "bad_request", "")
		if !strings.Contains(p.Detail, tc.names) {
			t.Errorf("GET /api/v1/messages?%s: detail %q, want it to name %s", tc.query, p.Detail, tc.names)
		}
	}
}

// TestBOLOPages: the BOLO list pages like the incident list: those in
// force from memory, and with all=true the ended ones too, from memory and
// the archive, each once, newest issued first.
func TestBOLOPages(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	disp := ts.MustCreateUser(t, "disp", "metro", dispatch.RoleDispatcher)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)
	var all, inForce, cancelled []string // newest first
	issue := func(i int) string {
		t.Helper()
		var b dispatch.BOLO
		MustJSON(t, "POST /api/v1/bolos", ts.Do(t, "POST", "/api/v1/bolos", disp, map[string]any{
			"kind": "vehicle", "description": fmt.Sprintf("sedan number %d", i), "plate": fmt.Sprintf("ABC%d", 100+i),
			"priority": 1 + i%3, "expires": ts.Engine.Now().Add(12 * time.Hour), "area": map[string]any{"kind": "agency"}}), 201, &b)
		all = append([]string{b.ID}, all...)
		return b.ID
	}
	for i := range 6 {
		id := issue(i)
		if i%2 == 0 {
			MustJSON(t, "POST cancel", ts.Do(t, "POST", "/api/v1/bolos/"+id+"/cancel", disp, map[string]string{"reason": "found"}), 200, &dispatch.BOLO{})
			cancelled = append([]string{id}, cancelled...)
		} else {
			inForce = append([]string{id}, inForce...)
		}
	}
	ts.MustExecute(t, dispatch.ArchiveClosed{Retention: time.Nanosecond})
	if _, err := ts.Engine.BOLO(dispatch.Actor{System: "test"}, cancelled[0]); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		t.Fatalf("fixture: BOLO %s still in memory after archiving (%v)", cancelled[0], err)
	}
	for i := 6; i < 9; i++ {
		inForce = append([]string{issue(i)}, inForce...)
	}
	for _, limit := range []int{1, 2, 4, 9, 10} {
		if got := follow(t, ts, disp, fmt.Sprintf("/api/v1/bolos?all=true&limit=%d", limit), "bolos"); !slices.Equal(got, all) {
			t.Errorf("?all=true pages of %d = %v, want %v", limit, got, all)
		}
		if got := follow(t, ts, disp, fmt.Sprintf("/api/v1/bolos?limit=%d", limit), "bolos"); !slices.Equal(got, inForce) {
			t.Errorf("pages of %d in force = %v, want %v", limit, got, inForce)
		}
	}
	if got := follow(t, ts, disp, "/api/v1/bolos?all=true&q=abc+100&limit=1", "bolos"); !slices.Equal(got, all[len(all)-1:]) {
		t.Errorf("?all=true&q=abc 100 = %v, want the archived first BOLO %s", got, all[len(all)-1])
	}
	if got := follow(t, ts, disp, "/api/v1/bolos?all=true&id="+cancelled[1], "bolos"); !slices.Equal(got, cancelled[1:2]) {
		t.Errorf("?all=true&id=%s (archived) = %v, want it", cancelled[1], got)
	}
	if got := follow(t, ts, deputy, "/api/v1/bolos?all=true", "bolos"); len(got) != 0 {
		t.Errorf("the sheriff's BOLOs = %v, want none of metro's", got)
	}
	for _, tc := range []struct{ query, names string }{
		{"all=yes", "all"},
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"before=not-a-cursor", "before"},
		{"q=" + strings.Repeat("x", 201), "q"},
		{"sort=priority", "sort"},
	} {
		p := CheckProblem(t, "GET /api/v1/bolos?"+tc.query, ts.Do(t, "GET", "/api/v1/bolos?"+tc.query, disp, nil), 400, "bad_request", "")
		if !strings.Contains(p.Detail, tc.names) {
			t.Errorf("GET /api/v1/bolos?%s: detail %q, want it to name %s", tc.query, p.Detail, tc.names)
		}
	}
}

// TestMemoryListPages: the lists the state holds whole but that grow with
// history — directives, premise records, publications — page as the
// archived lists do: every record once, newest first, whatever the page's
// size, a filter kept from page to page, and an unknown parameter refused.
func TestMemoryListPages(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	boss := ts.MustCreateUser(t, "boss", "metro", dispatch.RoleSupervisor)
	taker := ts.MustCreateUser(t, "cal", "metro", dispatch.RoleCallTaker)

	var directives, revoked, premises, published []string // newest first
	for i := range 5 {
		var d dispatch.Directive
		MustJSON(t, "POST /api/v1/directives", ts.Do(t, "POST", "/api/v1/directives", boss, map[string]any{
			"scope": map[string]any{"kind": "agency"}, "effect": "hold", "reason": fmt.Sprintf("hold %d", i), "expires": ts.Engine.Now().Add(time.Hour)}), 201, &d)
		directives = append([]string{d.ID}, directives...)
		if i%2 == 1 {
			MustJSON(t, "POST revoke", ts.Do(t, "POST", "/api/v1/directives/"+d.ID+"/revoke", boss, map[string]string{"reason": "over"}), 200, &dispatch.Directive{})
			revoked = append([]string{d.ID}, revoked...)
		}
	}
	for i := range 3 {
		var p dispatch.Premise
		MustJSON(t, "POST /api/v1/premises", ts.Do(t, "POST", "/api/v1/premises", taker, map[string]any{
			"location": map[string]string{"text": "3900 s kedzie ave"},
			"flags":    []map[string]any{{"kind": "dog", "text": fmt.Sprintf("dog %d", i), "expires": ts.Engine.Now().Add(time.Hour)}}}), 201, &p)
		premises = append([]string{p.ID}, premises...)

		var in dispatch.Incident
		MustJSON(t, "POST /api/v1/incidents", ts.Do(t, "POST", "/api/v1/incidents", taker, map[string]any{"type": "THEFT", "location": map[string]string{"text": "3900 s kedzie ave"}}), 201, &in)
		MustJSON(t, "POST publish", ts.Do(t, "POST", "/api/v1/incidents/"+in.ID+"/publish", boss, map[string]string{"reason": "press"}), 200, &struct{}{})
		published = append([]string{in.ID}, published...)
	}

	for _, limit := range []int{1, 2, 3, 5, 6} {
		for _, c := range []struct {
			path, key string
			want      []string
		}{
			{"/api/v1/directives?limit=%d", "directives", directives},
			{"/api/v1/directives?status=REVOKED&limit=%d", "directives", revoked},
			{"/api/v1/premises?limit=%d", "premises", premises},
			{"/api/v1/publications?limit=%d", "publications", published},
			{"/public/v1/timelines?limit=%d", "timelines", published},
		} {
			path := fmt.Sprintf(c.path, limit)
			if got := follow(t, ts, boss, path, c.key); !slices.Equal(got, c.want) {
				t.Errorf("pages of %s = %v, want %v", path, got, c.want)
			}
		}
	}
	for _, path := range []string{"/api/v1/directives?limt=2", "/api/v1/premises?before=nonsense", "/api/v1/publications?limit=0", "/public/v1/timelines?limit=1001"} {
		if r := ts.Do(t, "GET", path, boss, nil); r.Status != 400 {
			t.Errorf("GET %s = %d %s, want 400", path, r.Status, r.Body)
		}
	}
}
