package http_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
)

// TestPublishTimeline publishes an incident's and a request's timelines
// and reads them as the public does: nothing before publication (404), then
// the timeline up to its publication only, with a bundle that verifies and
// carries no opening and no private value.
func TestPublishTimeline(t *testing.T) {
	ts := MustOpenServer(t)
	for _, a := range []dispatch.CreateAgency{
		{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
		{ID: "state", Name: "State Police", Kind: "state_police"},
	} {
		ts.MustExecute(t, a)
	}
	lat, lon := 41.8236, -87.7047
	where := dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: &lat, Lon: &lon}
	private := []string{"Jo Smith", "+1 312 555 0100", "back door open, dog barking", "suspect is the neighbour"}
	incident := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: where,
		Caller: dispatch.Caller{Name: private[0], Phone: private[1]}, Narrative: private[2]}).Events[0].Subject["incident"]
	request := ts.MustExecute(t, dispatch.RequestAssist{From: "metro", To: "state", Location: where, Nature: "traffic for a convoy",
		Urgency: dispatch.UrgencyRoutine}).Events[0].Subject["request"]
	ts.MustCreateUser(t, "boss", "metro", dispatch.RoleSupervisor)
	boss := dispatch.Actor{User: "boss", Agency: "metro", Role: dispatch.RoleSupervisor, Roles: []string{dispatch.RoleSupervisor}}
	directive := ts.MustExecuteAs(t, boss, dispatch.IssueDirective{Agency: "metro",
		Scope:  dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: lat, Lon: lon, RadiusM: 300}},
		Effect: dispatch.EffectHold, Reason: "crowd at the rail yards", Expires: ts.Engine.Now().Add(time.Hour)}).Events[0].Subject["directive"]
	supervisor := ts.MustCreateUser(t, "sue", "metro", dispatch.RoleSupervisor)
	auditor := ts.MustCreateUser(t, "aud", "metro", dispatch.RoleAuditor)
	dispatcher := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	stateAuditor := ts.MustCreateUser(t, "sam", "state", dispatch.RoleAuditor)
	sheriffSup := ts.MustCreateUser(t, "sid", "sheriff", dispatch.RoleSupervisor)
	keyText := strings.TrimSpace(string(ts.Do(t, "GET", "/log/key", "", nil).Body))
	publicPath := "/public/v1/timelines/incident/" + incident

	t.Run("ErrNotFoundUnpublished", func(t *testing.T) {
		for _, path := range []string{publicPath, publicPath + "/bundle", "/public/v1/timelines/request/" + request} {
			CheckProblem(t, "GET "+path, ts.Do(t, "GET", path, "", nil), http.StatusNotFound, dispatch.ENOTFOUND, "is published")
		}
		CheckProblem(t, "GET unit", ts.Do(t, "GET", "/public/v1/timelines/unit/metro.1a12", "", nil), http.StatusNotFound, dispatch.ENOTFOUND, "no timeline of unit metro.1a12")
		CheckProblem(t, "GET /public/v1/nothing", ts.Do(t, "GET", "/public/v1/nothing", "", nil), http.StatusNotFound, dispatch.ENOTFOUND, "no such API resource")
		var list struct {
			Timelines []tenfourhttp.PublishedSummary
		}
		MustJSON(t, "GET /public/v1/timelines", ts.Do(t, "GET", "/public/v1/timelines", "", nil), 200, &list)
		if len(list.Timelines) != 0 {
			t.Errorf("GET /public/v1/timelines = %+v before any publication, want none", list.Timelines)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		path := "/api/v1/incidents/" + incident + "/publish"
		CheckProblem(t, "POST "+path+" as a dispatcher", ts.Do(t, "POST", path, dispatcher, map[string]string{}), http.StatusForbidden, dispatch.EFORBIDDEN, "not open to your roles")
		CheckProblem(t, "POST "+path+" as another agency's supervisor", ts.Do(t, "POST", path, sheriffSup, map[string]string{}), http.StatusNotFound, dispatch.ENOTFOUND, incident)
		CheckProblem(t, "POST "+path+" with a long reason", ts.Do(t, "POST", path, supervisor, map[string]string{"reason": strings.Repeat("r", 501)}),
			http.StatusUnprocessableEntity, dispatch.EINVALID, "reason is longer than 500")
	})

	// Published by a supervisor with a reason; then a note and the
	// directive's revocation come after it, and stay private.
	before := ts.Engine.Log().Size()
	r := ts.Do(t, "POST", "/api/v1/incidents/"+incident+"/publish", supervisor, map[string]string{"reason": "press enquiry 17"})
	var pub dispatch.Publication
	MustJSON(t, "POST publish", r, http.StatusOK, &pub)
	if r.Header.Get("Location") != publicPath || pub.Subject != "incident/"+incident || pub.Times != 1 || pub.By.User != "sue" || pub.Reason != "press enquiry 17" {
		t.Errorf("POST publish = %+v, Location %q; want incident/%s published once by sue, at %s", pub, r.Header.Get("Location"), incident, publicPath)
	}
	evs := ts.Events(t, before)
	if len(evs) != 1 || evs[0].Type != dispatch.TypeTimelinePublished || evs[0].Actor.User != "sue" || evs[0].Subject["incident"] != incident {
		t.Fatalf("events of publishing = %+v, want one timeline.published by sue about %s", evs, incident)
	}
	published := evs[0].Seq
	ts.MustExecuteAs(t, boss, dispatch.AddNote{Incident: incident, Text: private[3]})
	ts.MustExecuteAs(t, boss, dispatch.RevokeDirective{Directive: directive, Reason: "crowd gone"})

	// readPublic reads the public timeline and checks what every answer
	// must be: nothing private, every entry proven by the bundle.
	readPublic := func(t *testing.T, path string, redacted int) tenfourhttp.PublicTimeline {
		t.Helper()
		r := ts.Do(t, "GET", path, "", nil)
		var pt tenfourhttp.PublicTimeline
		MustJSON(t, "GET "+path, r, http.StatusOK, &pt)
		for _, v := range private {
			if strings.Contains(string(r.Body), v) {
				t.Errorf("GET %s shows the private value %q", path, v)
			}
		}
		if strings.Contains(string(r.Body), `"openings"`) {
			t.Errorf("GET %s carries openings", path)
		}
		rep, err := ledger.VerifyBundle(append(pt.Bundle, '\n'), keyText)
		if err != nil {
			t.Fatalf("VerifyBundle(the bundle of GET %s) = %v", path, err)
		}
		// Every private field is redacted: the domain's own (redacted of
		// them) and those the disclosure table commits to (addresses,
		// reasons, the actors' users: docs/events.md).
		fields, domain := 0, 0
		for _, e := range rep.Entries {
			fields += len(e.Private)
			for f := range e.Private {
				if !strings.HasPrefix(f, "/") {
					domain++
				}
			}
		}
		if rep.Openings != 0 || rep.Redacted != fields || domain != redacted {
			t.Errorf("VerifyBundle(GET %s) = %d openings, %d redacted of %d private fields, %d of them the domain's; want none opened, all redacted and %d of the domain's", path, rep.Openings, rep.Redacted, fields, domain, redacted)
		}
		var inBundle []int64
		for _, e := range rep.Entries {
			inBundle = append(inBundle, e.Seq)
		}
		var inTimeline []int64
		for _, e := range pt.Timeline.Entries {
			inTimeline = append(inTimeline, e.Seq)
		}
		if !slices.Equal(inBundle, inTimeline) {
			t.Errorf("GET %s: bundle events %v, timeline entries %v; want the same", path, inBundle, inTimeline)
		}
		return pt
	}

	t.Run("OK", func(t *testing.T) {
		pt := readPublic(t, publicPath, 3) // the caller's name and phone, the narrative
		entries := pt.Timeline.Entries
		if n := len(entries); n == 0 || entries[n-1].Seq != published {
			t.Fatalf("public timeline ends at %v, want at the publication, event %d", entries, published)
		}
		var types []string
		for _, e := range entries {
			types = append(types, e.Type)
		}
		if !slices.Contains(types, dispatch.TypeDirectiveIssued) || slices.Contains(types, dispatch.TypeIncidentNoteAdded) || slices.Contains(types, dispatch.TypeDirectiveRevoked) {
			t.Errorf("public timeline types = %v, want the directive issued, and neither the note nor the revocation made after publication", types)
		}
		// The directive as it stood when published: in force, not yet revoked.
		if len(pt.Timeline.Directives) != 1 || pt.Timeline.Directives[0].Status != dispatch.DirectiveInForce || pt.Timeline.Directives[0].Ended != nil {
			t.Errorf("public timeline directives = %+v, want %s in force, as it stood when published", pt.Timeline.Directives, directive)
		}
		// Who published is a role and an agency: the person and the reason
		// are not public (the publisher reads them at /api/v1/publications).
		if by := pt.Publication.By; by.User != "" || by.Role != dispatch.RoleSupervisor || by.Agency != "metro" {
			t.Errorf("publication = %+v, want by a supervisor of metro, unnamed", pt.Publication)
		}
		if strings.Contains(string(ts.Do(t, "GET", publicPath, "", nil).Body), "press enquiry 17") {
			t.Errorf("GET %s shows the reason for publishing", publicPath)
		}
		r := ts.Do(t, "GET", publicPath+"/bundle", "", nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), incident+".public.bundle.json") {
			t.Fatalf("GET %s/bundle = %d %s (%s), want 200 and a file", publicPath, r.Status, r.Body, r.Header.Get("Content-Disposition"))
		}
		// The file is the bundle in its canonical form, as tenfour verify reads it.
		if _, err := ledger.VerifyBundle(r.Body, keyText); err != nil {
			t.Errorf("VerifyBundle(GET %s/bundle) = %v", publicPath, err)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s/bundle: Access-Control-Allow-Origin = %q, want *: other sites' verifiers read it", publicPath, r.Header.Get("Access-Control-Allow-Origin"))
		}
	})

	t.Run("PublishedAgain", func(t *testing.T) {
		// An auditor of an agency asked publishes the request; the incident
		// is published again, taking in the note (as a commitment).
		var p dispatch.Publication
		MustJSON(t, "POST publish request", ts.Do(t, "POST", "/api/v1/requests/"+request+"/publish", stateAuditor, map[string]string{}), http.StatusOK, &p)
		MustJSON(t, "POST publish again", ts.Do(t, "POST", "/api/v1/incidents/"+incident+"/publish", auditor, map[string]string{}), http.StatusOK, &p)
		if p.Times != 2 || p.By.User != "aud" || p.By.Role != dispatch.RoleAuditor {
			t.Errorf("published again = %+v, want twice, last by aud as auditor", p)
		}
		pt := readPublic(t, publicPath, 4) // and the note
		if !slices.ContainsFunc(pt.Timeline.Entries, func(e tenfourhttp.TimelineEntry) bool { return e.Type == dispatch.TypeIncidentNoteAdded }) {
			t.Errorf("public timeline after publishing again lacks the note added before it")
		}
		readPublic(t, "/public/v1/timelines/request/"+request, 0)
		var list struct {
			Timelines []tenfourhttp.PublishedSummary
		}
		MustJSON(t, "GET /public/v1/timelines", ts.Do(t, "GET", "/public/v1/timelines", "", nil), 200, &list)
		var got []string
		for _, s := range list.Timelines {
			got = append(got, s.Subject+" "+s.Title)
		}
		want := []string{"incident/" + incident + " P2 BURGLARY Burglary", "request/" + request + " ROUTINE: metro asked state"}
		if !slices.Equal(got, want) {
			t.Errorf("GET /public/v1/timelines = %q, want %q, the latest first", got, want)
		}
	})

	t.Run("AuditorBundleCoversTimeline", func(t *testing.T) {
		var tl tenfourhttp.Timeline
		MustJSON(t, "GET timeline", ts.Do(t, "GET", "/api/v1/incidents/"+incident+"/timeline", auditor, nil), 200, &tl)
		r := ts.Do(t, "GET", "/api/v1/incidents/"+incident+"/bundle", auditor, nil)
		rep, err := ledger.VerifyBundle(r.Body, keyText)
		if err != nil {
			t.Fatalf("VerifyBundle(incident bundle) = %v", err)
		}
		var a, b []int64
		for _, e := range tl.Entries {
			a = append(a, e.Seq)
		}
		for _, e := range rep.Entries {
			b = append(b, e.Seq)
		}
		if !slices.Equal(a, b) {
			t.Errorf("incident timeline %v, bundle %v; want the bundle to prove every entry, the directive's too", a, b)
		}
		var raw struct {
			Events []json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal(r.Body, &raw); err != nil || len(raw.Events) != len(a) {
			t.Errorf("incident bundle: %d events (%v), want %d", len(raw.Events), err, len(a))
		}
	})
}

// TestPublicPagesGiveNothingAway publishes a request and an incident that
// carry planted markers in every private fact the state holds of them —
// the nature, the reasons (for publishing, for declining, for a
// directive), the place's text and point, the usernames of everyone who
// acted, a directive's circle — and reads every /public/v1 answer without
// signing in: none of the markers appears, who published is a role and an
// agency, and each bundle still verifies. The auditor of the record's
// agency, signed in, still reads them at /api/v1/publications and in the
// opened timeline; another agency's auditor reads nothing of metro's.
func TestPublicPagesGiveNothingAway(t *testing.T) {
	ts := MustOpenServer(t)
	for _, a := range []dispatch.CreateAgency{
		{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		{ID: "state", Name: "State Police", Kind: "state_police"},
		{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
	} {
		ts.MustExecute(t, a)
	}
	// Markers no commitment (base64, hex) can spell: each has a space or
	// a dot.
	const (
		nature       = "nature marker convoy"
		incidentText = "1313 Marker Lane"
		requestText  = "77 Marker Row"
		publishWhy   = "publish marker enquiry"
		declineWhy   = "decline marker busy"
		directiveWhy = "directive marker crowd"
		narrative    = "narrative marker dog"
		latText      = "41.823611"
		lonText      = "87.704722"
		circleLat    = "41.824444"
		circleLon    = "87.705555"
	)
	users := []string{"zed.boss", "zed.disp", "zed.sup", "zed.aud", "zed.trooper", "zed.stateaud", "zed.sheraud"}
	markers := append([]string{nature, incidentText, requestText, publishWhy, declineWhy, directiveWhy, narrative,
		latText, lonText, circleLat, circleLon}, users...)
	tok := map[string]string{}
	for _, u := range []struct{ name, agency, role string }{
		{"zed.boss", "metro", dispatch.RoleSupervisor}, {"zed.disp", "metro", dispatch.RoleDispatcher},
		{"zed.sup", "metro", dispatch.RoleSupervisor}, {"zed.aud", "metro", dispatch.RoleAuditor},
		{"zed.trooper", "state", dispatch.RoleSupervisor}, {"zed.stateaud", "state", dispatch.RoleAuditor},
		{"zed.sheraud", "sheriff", dispatch.RoleAuditor},
	} {
		tok[u.name] = ts.MustCreateUser(t, u.name, u.agency, u.role)
	}
	as := func(user, agency, role string) dispatch.Actor {
		return dispatch.Actor{User: user, Agency: agency, Role: role, Roles: []string{role}}
	}
	lat, lon := 41.823611, -87.704722
	clat, clon := 41.824444, -87.705555
	incident := ts.MustExecuteAs(t, as("zed.disp", "metro", dispatch.RoleDispatcher), dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY",
		Location: dispatch.Location{Text: incidentText, Lat: &lat, Lon: &lon}, Narrative: narrative}).Events[0].Subject["incident"]
	request := ts.MustExecuteAs(t, as("zed.disp", "metro", dispatch.RoleDispatcher), dispatch.RequestAssist{From: "metro", To: "state",
		Location: dispatch.Location{Text: requestText, Lat: &lat, Lon: &lon}, Nature: nature, Urgency: dispatch.UrgencyUrgent}).Events[0].Subject["request"]
	ts.MustExecuteAs(t, as("zed.boss", "metro", dispatch.RoleSupervisor), dispatch.IssueDirective{Agency: "metro",
		Scope:  dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: clat, Lon: clon, RadiusM: 400}},
		Effect: dispatch.EffectHold, Reason: directiveWhy, Expires: ts.Engine.Now().Add(time.Hour)})
	ts.MustExecuteAs(t, as("zed.trooper", "state", dispatch.RoleSupervisor), dispatch.DeclineAssist{Request: request, Reason: declineWhy})
	MustJSON(t, "POST publish incident", ts.Do(t, "POST", "/api/v1/incidents/"+incident+"/publish", tok["zed.sup"], map[string]string{"reason": publishWhy}), http.StatusOK, &dispatch.Publication{})
	MustJSON(t, "POST publish request", ts.Do(t, "POST", "/api/v1/requests/"+request+"/publish", tok["zed.stateaud"], map[string]string{"reason": publishWhy}), http.StatusOK, &dispatch.Publication{})
	keyText := strings.TrimSpace(string(ts.Do(t, "GET", "/log/key", "", nil).Body))

	// noMarker fails on any marker in body.
	noMarker := func(t *testing.T, what string, body []byte) {
		t.Helper()
		for _, m := range markers {
			if strings.Contains(string(body), m) {
				t.Errorf("%s gives away %q", what, m)
			}
		}
	}
	t.Run("Public", func(t *testing.T) {
		r := ts.Do(t, "GET", "/public/v1/timelines", "", nil)
		var list struct {
			Timelines []tenfourhttp.PublishedSummary
		}
		MustJSON(t, "GET /public/v1/timelines", r, http.StatusOK, &list)
		noMarker(t, "GET /public/v1/timelines", r.Body)
		if len(list.Timelines) != 2 {
			t.Fatalf("GET /public/v1/timelines = %+v, want the two published", list.Timelines)
		}
		in, err := ts.Engine.Incident(dispatch.Actor{System: "test"}, incident)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list.Timelines {
			if p.By.User != "" || p.By.Role == "" || p.By.Agency == "" {
				t.Errorf("GET /public/v1/timelines: %s published by %+v, want a role and an agency, no name", p.Subject, p.By)
			}
			if p.Kind == dispatch.PublishIncident && p.Where != in.Location.District {
				t.Errorf("GET /public/v1/timelines: incident where = %q, want its district %q only", p.Where, in.Location.District)
			}
		}
		for _, subject := range []string{"incident/" + incident, "request/" + request} {
			path := "/public/v1/timelines/" + subject
			r := ts.Do(t, "GET", path, "", nil)
			var pt tenfourhttp.PublicTimeline
			MustJSON(t, "GET "+path, r, http.StatusOK, &pt)
			noMarker(t, "GET "+path, r.Body)
			if _, err := ledger.VerifyBundle(append(pt.Bundle, '\n'), keyText); err != nil {
				t.Errorf("VerifyBundle(the bundle of GET %s) = %v", path, err)
			}
			if subject == "incident/"+incident && (len(pt.Timeline.Directives) != 1 || pt.Timeline.Directives[0].Scope.Kind != dispatch.ScopeCircle ||
				pt.Timeline.Directives[0].Issuer.Role != dispatch.RoleSupervisor) {
				t.Errorf("GET %s: directives %+v, want the circle hold by its public fields", path, pt.Timeline.Directives)
			}
			r = ts.Do(t, "GET", path+"/bundle", "", nil)
			noMarker(t, "GET "+path+"/bundle", r.Body)
			if _, err := ledger.VerifyBundle(r.Body, keyText); err != nil {
				t.Errorf("VerifyBundle(GET %s/bundle) = %v", path, err)
			}
		}
	})

	t.Run("SignedIn", func(t *testing.T) {
		r := ts.Do(t, "GET", "/api/v1/publications", tok["zed.aud"], nil)
		var got struct{ Publications []dispatch.PublicationDetail }
		MustJSON(t, "GET /api/v1/publications as metro's auditor", r, http.StatusOK, &got)
		// Metro's auditor sees both records (the request is metro's), whole.
		for _, want := range []string{"zed.sup", "zed.stateaud", publishWhy, nature, incidentText, requestText} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("GET /api/v1/publications as metro's auditor lacks %q: %s", want, r.Body)
			}
		}
		r = ts.Do(t, "GET", "/api/v1/incidents/"+incident+"/timeline", tok["zed.aud"], nil)
		for _, want := range []string{directiveWhy, incidentText, "zed.boss", circleLat} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("GET the incident's timeline as metro's auditor lacks %q", want)
			}
		}
		// The state auditor sees the request (it was asked), not metro's incident.
		MustJSON(t, "GET /api/v1/publications as state's auditor", ts.Do(t, "GET", "/api/v1/publications", tok["zed.stateaud"], nil), http.StatusOK, &got)
		if len(got.Publications) != 1 || got.Publications[0].Subject != "request/"+request || got.Publications[0].Reason != publishWhy {
			t.Errorf("GET /api/v1/publications as state's auditor = %+v, want the request alone, whole", got.Publications)
		}
		r = ts.Do(t, "GET", "/api/v1/publications", tok["zed.sheraud"], nil)
		MustJSON(t, "GET /api/v1/publications as the sheriff's auditor", r, http.StatusOK, &got)
		if len(got.Publications) != 0 {
			t.Errorf("GET /api/v1/publications as the sheriff's auditor = %+v, want none: it sees neither record", got.Publications)
		}
	})
}
