package http_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/store"
)

// A matrixSubject is who tries a route in the authorisation matrix.
type matrixSubject struct {
	name      string
	user      string
	token     string // "": anonymous
	role      string // the one role held
	agency    string // "" for the installation administrator
	installer bool   // the installation administrator
}

// A matrixCase says how to call a route: the request (made afresh for each
// subject; n is unique) and what a caller of another agency whose role the
// route allows gets (0: the same as the owning agency, neither 401 nor 403).
type matrixCase struct {
	request func(n int) (path string, body any)
	foreign int
	stream  bool // an endless answer: only the status is read
}

func get(path string) func(int) (string, any) {
	return func(int) (string, any) { return path, nil }
}

// matrixPassword is the password of the matrix's sign-in user.
const matrixPassword = "matrix sign-in password"

// TestAuthorizationMatrix tries every route of the route table as anonymous
// and as every role, of the owning agency (metro) and of another (sheriff),
// and as the installation administrator, against the roles the table
// declares (DESIGN.md invariant 6; docs/security.md):
//   - anonymous on a route that is not public: 401;
//   - signed in without an allowed role: 403, recorded as access.denied;
//   - signed in with an allowed role: neither 401 nor 403, and nothing
//     recorded as denied. A caller of another agency gets what the agency
//     scope gives it instead: 404 for a record of metro, 403 for a command
//     that names metro, a list without metro's records.
//
// A route of the table that this test has no case for fails it, as does a
// public route it does not expect to be public.
func TestAuthorizationMatrix(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	res := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"},
		Caller: dispatch.Caller{Name: "Matrix Caller"}, Narrative: "matrix notes"})
	incident := res.Events[0].Subject["incident"]
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustCreateUser(t, "target", "metro", dispatch.RoleOfficer)
	// Units of the roster's rows, apart from the lifecycle's.
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "R1", Agency: "metro", Kind: "engine"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "R2", Agency: "metro", Kind: "ambulance"})
	// Assistance requests and directives: one request asked of metro, one
	// metro made, and a directive of metro's, none of them sheriff's.
	ts.MustExecute(t, dispatch.CreateAgency{ID: "state", Name: "State Police", Kind: "state_police"})
	ts.MustExecute(t, dispatch.SetMutualAidPlan{Agency: "metro", Plan: dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{{Agencies: []string{"state"}}}}})
	lat, lon := 41.8236, -87.7047
	where := dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: &lat, Lon: &lon}
	asked := ts.MustExecute(t, dispatch.RequestAssist{From: "state", To: "metro", Location: where, Nature: "traffic for a convoy", Urgency: dispatch.UrgencyRoutine}).Events[0].Subject["request"]
	made := ts.MustExecute(t, dispatch.RequestAssist{From: "metro", To: "state", Location: where, Nature: "road closure", Urgency: dispatch.UrgencyRoutine}).Events[0].Subject["request"]
	ts.MustCreateUser(t, "boss", "metro", dispatch.RoleSupervisor)
	boss := dispatch.Actor{User: "boss", Agency: "metro", Role: dispatch.RoleSupervisor, Roles: []string{dispatch.RoleSupervisor}}
	directive := func() string {
		return ts.MustExecuteAs(t, boss, dispatch.IssueDirective{Agency: "metro", Scope: dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: 41.9, Lon: -87.6, RadiusM: 100}},
			Effect: dispatch.EffectHold, Reason: "matrix", Expires: ts.Engine.Now().Add(time.Hour)}).Events[0].Subject["directive"]
	}
	standing := directive()
	message := ts.MustExecute(t, dispatch.SendMessage{Agency: "metro", To: []string{"unit:metro.1a12"}, Text: "matrix message"}).Events[0].Subject["message"]
	// A premise record of metro's, and an incident kept as typed for the
	// queue of unverified locations.
	taker := dispatch.Actor{User: "clerk", Agency: "metro", Role: dispatch.RoleCallTaker, Roles: []string{dispatch.RoleCallTaker}}
	premise := ts.MustExecuteAs(t, taker, dispatch.RecordPremise{Agency: "metro", Location: where,
		Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardDog, Text: "matrix dog", Expires: ts.Engine.Now().Add(time.Hour)}}}).Events[0].Subject["premise"]
	typed := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "behind the matrix"}}).Events[0].Subject["incident"]
	// A BOLO of metro's with a photo, for the BOLO and photo routes.
	photo := []byte("\x89PNG\r\n\x1a\nmatrix photo")
	photoSum := sha256.Sum256(photo)
	photoHash := hex.EncodeToString(photoSum[:])
	if err := ts.Store.PutPhoto(context.Background(), store.Photo{Hash: photoSum[:], Type: "image/png", Data: photo, Created: ts.Engine.Now()}); err != nil {
		t.Fatal(err)
	}
	bolo := ts.MustExecute(t, dispatch.IssueBOLO{Agency: "metro", Kind: dispatch.BOLOVehicle, Description: "matrix sedan", Plate: "MTX 1",
		Photos: []string{photoHash}, Area: dispatch.Scope{Kind: dispatch.ScopeAgency}, Expires: ts.Engine.Now().Add(24 * time.Hour)}).Events[0].Subject["bolo"]
	// An alert of metro's: unit R3's EMERGENCY.
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "R3", Agency: "metro", Kind: "patrol"})
	alert := ts.MustExecute(t, dispatch.SetUnitStatus{Unit: "metro.r3", Status: dispatch.StatusEmergency}).First
	ts.MustCreateUser(t, "clerk", "metro", dispatch.RoleCallTaker)
	ts.MustSetPassword(t, "clerk", matrixPassword)
	if err := ts.Engine.Log().Checkpoint(context.Background()); err != nil { // for /readyz
		t.Fatal(err)
	}

	subjects := []matrixSubject{{name: "anonymous"}, {name: "installation-admin", user: "admin", token: ts.Admin, role: dispatch.RoleAdmin, installer: true}}
	for _, agency := range []string{"metro", "sheriff"} {
		for _, role := range dispatch.Roles {
			user := role + "-" + agency
			subjects = append(subjects, matrixSubject{name: user, user: user, token: ts.MustCreateUser(t, user, agency, role), role: role, agency: agency})
		}
	}
	// The metro officer crews R1, whose status and position they report
	// (dispatch.MayOperate); the roster's rows, after those in the route
	// table, sign them on and off it again.
	ts.MustExecute(t, dispatch.SignOn{Unit: "metro.r1", Crew: []string{"officer-metro"}, Start: ts.Engine.Now(), End: ts.Engine.Now().Add(8 * time.Hour)})

	// Webhooks of metro's: one that stands, and one made for each DELETE.
	webhookOf := func() string {
		var w struct{ ID string }
		MustJSON(t, "POST /api/v1/webhooks", ts.Do(t, "POST", "/api/v1/webhooks", ts.Admin,
			map[string]any{"agency": "metro", "url": "http://127.0.0.1:1/matrix", "events": []string{"*"}}), http.StatusCreated, &w)
		return w.ID
	}
	hook := webhookOf()

	cases := map[string]matrixCase{
		"GET /log/checkpoint":      {request: get("/log/checkpoint")},
		"GET /log/key":             {request: get("/log/key")},
		"GET /log/tile/":           {request: get("/log/tile/0/000.p/1")},
		"GET /{$}":                 {request: get("/")},
		"GET /static/":             {request: get("/static/tenfour.css")},
		"GET /console/":            {request: get("/console/dispatch")},
		"GET /healthz":             {request: get("/healthz")},
		"GET /readyz":              {request: get("/readyz")},
		"GET /api/v1/openapi.json": {request: get("/api/v1/openapi.json")},
		"POST /api/v1/auth/login": {request: func(int) (string, any) {
			return "/api/v1/auth/login", map[string]string{"username": "clerk", "password": matrixPassword}
		}},
		"POST /api/v1/auth/logout": {request: func(int) (string, any) { return "/api/v1/auth/logout", "" }},
		// Public, but it records only what carries a node MAC (TestRelay).
		"POST /internal/v1/audit": {request: func(int) (string, any) { return "/internal/v1/audit", map[string]string{"forged": "yes"} }},
		"GET /api/v1/auth/me":     {request: get("/api/v1/auth/me")},
		// Every subject here holds a token, and a token makes a token only
		// with its user's one-time code (TestNoImpersonation): a body
		// refused as invalid shows the route open without making one.
		"POST /api/v1/auth/tokens": {request: func(int) (string, any) {
			return "/api/v1/auth/tokens", map[string]any{"name": "matrix", "expires_in_seconds": -1}
		}},
		"GET /api/v1/agencies": {request: get("/api/v1/agencies")},
		"POST /api/v1/agencies": {request: func(n int) (string, any) {
			return "/api/v1/agencies", map[string]string{"id": fmt.Sprintf("agency-%d", n), "name": "New", "kind": "sheriff"}
		}},
		"GET /api/v1/units": {request: get("/api/v1/units?agency=metro"), foreign: http.StatusForbidden},
		"POST /api/v1/units": {request: func(n int) (string, any) {
			return "/api/v1/units", map[string]string{"call_sign": fmt.Sprintf("M%d", n), "agency": "metro", "kind": "patrol"}
		}, foreign: http.StatusForbidden},
		// Allowed callers toggle the unit between BUSY and AVAILABLE (or
		// are refused the transition, 422); another agency's unit is 404.
		"POST /api/v1/units/{id}/status": {request: func(n int) (string, any) {
			return "/api/v1/units/metro.r1/status", map[string]string{"status": pick(n, "BUSY", "AVAILABLE")}
		}, foreign: http.StatusNotFound},
		// The unit is not on its way: allowed callers are refused the
		// cancellation (422); another agency's unit is 404.
		"POST /api/v1/units/{id}/cancel": {request: func(int) (string, any) {
			return "/api/v1/units/metro.r1/cancel", map[string]string{"reason": "needed elsewhere"}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/units/positions": {request: get("/api/v1/units/positions")},
		// The same position each time: not older than the unit's last.
		"POST /api/v1/units/positions": {request: func(int) (string, any) {
			return "/api/v1/units/positions", []map[string]any{{"unit": "metro.r1", "lat": 41.82, "lon": -87.70, "time": "2026-03-01T08:00:00Z"}}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/incident-types": {request: get("/api/v1/incident-types")},
		"GET /api/v1/incidents":      {request: get("/api/v1/incidents")},
		"POST /api/v1/incidents": {request: func(n int) (string, any) {
			return "/api/v1/incidents", map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": fmt.Sprintf("%d Main St", n)}}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/incidents/{id}":        {request: get("/api/v1/incidents/" + incident), foreign: http.StatusNotFound},
		"GET /api/v1/incidents/{id}/bundle": {request: get("/api/v1/incidents/" + incident + "/bundle?openings=true"), foreign: http.StatusNotFound},
		"GET /eido/v1/EIDO/{IncidentId...}": {request: get("/eido/v1/EIDO/" + incident), foreign: http.StatusNotFound},
		// 409 to allowed callers: "1 Main St" has no point.
		"GET /api/v1/incidents/{id}/recommendations": {request: get("/api/v1/incidents/" + incident + "/recommendations"), foreign: http.StatusNotFound},
		"GET /api/v1/stream":                         {request: get("/api/v1/stream"), stream: true},
		"GET /eido/v1/ent":                           {request: get("/eido/v1/ent")},
		// Every allowed caller of metro acknowledges metro's alert (201);
		// another agency's does not see it (404).
		"POST /api/v1/alerts/{seq}/acknowledge": {request: func(int) (string, any) {
			return fmt.Sprintf("/api/v1/alerts/%d/acknowledge", alert), map[string]string{}
		}, foreign: http.StatusNotFound},
		// Messages: a metro caller speaks as metro's unit, an addressee;
		// another agency's caller gets 404 for it and its message.
		"GET /api/v1/messages": {request: get("/api/v1/messages?unit=metro.1a12"), foreign: http.StatusNotFound},
		"POST /api/v1/messages": {request: func(n int) (string, any) {
			return "/api/v1/messages", map[string]any{"to": []string{"unit:metro.1a12"}, "text": fmt.Sprintf("matrix message %d", n)}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/messages/{id}/delivered": {request: func(int) (string, any) {
			return "/api/v1/messages/" + message + "/delivered", map[string]string{"unit": "metro.1a12"}
		}, foreign: http.StatusNotFound},
		// BOLOs: metro's are not another agency's to see or cancel; the
		// first allowed caller cancels it, the others get 409.
		"GET /api/v1/bolos": {request: get("/api/v1/bolos?unit=metro.1a12"), foreign: http.StatusNotFound},
		"POST /api/v1/bolos": {request: func(n int) (string, any) {
			return "/api/v1/bolos", map[string]any{"agency": "metro", "kind": "vehicle", "description": fmt.Sprintf("matrix car %d", n),
				"area": map[string]string{"kind": "agency"}, "expires": ts.Engine.Now().Add(time.Hour)}
		}, foreign: http.StatusForbidden},
		"POST /api/v1/bolos/{id}/cancel": {request: func(int) (string, any) {
			return "/api/v1/bolos/" + bolo + "/cancel", map[string]string{"reason": "found"}
		}, foreign: http.StatusNotFound},
		// The matrix sends JSON, which is no photo: 415 to allowed callers.
		"POST /api/v1/photos":       {request: func(int) (string, any) { return "/api/v1/photos", map[string]string{"photo": "x"} }},
		"GET /api/v1/photos/{hash}": {request: get("/api/v1/photos/" + photoHash), foreign: http.StatusNotFound},
		"POST /api/v1/messages/{id}/read": {request: func(int) (string, any) {
			return "/api/v1/messages/" + message + "/read", map[string]string{"unit": "metro.1a12"}
		}, foreign: http.StatusNotFound},
		// Dispatch and clear answer 200, 404, 409 or 422 to allowed callers,
		// depending on what the callers before them did.
		"POST /api/v1/incidents/{id}/dispatch": {request: func(int) (string, any) {
			return "/api/v1/incidents/" + incident + "/dispatch", map[string]any{"units": []string{"metro.1a12"}}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/incidents/{id}/clear": {request: func(int) (string, any) {
			return "/api/v1/incidents/" + incident + "/clear", map[string]string{"disposition": "matrix"}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/incidents/possible-duplicates": {request: get("/api/v1/incidents/possible-duplicates?type=BURGLARY&lat=41.82&lon=-87.70&agency=metro"), foreign: http.StatusForbidden},
		"POST /api/v1/incidents/{id}/notes": {request: func(n int) (string, any) {
			return "/api/v1/incidents/" + incident + "/notes", map[string]string{"text": fmt.Sprintf("matrix note %d", n)}
		}, foreign: http.StatusNotFound},
		// Merging or linking the incident with itself: 422 to allowed
		// callers, which leaves the incident as it is for the routes after.
		"POST /api/v1/incidents/{id}/merge": {request: func(int) (string, any) {
			return "/api/v1/incidents/" + incident + "/merge", map[string]string{"into": incident, "reason": "matrix"}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/incidents/{id}/links": {request: func(int) (string, any) {
			return "/api/v1/incidents/" + incident + "/links", map[string]string{"incident": incident, "relation": "related", "reason": "matrix"}
		}, foreign: http.StatusNotFound},
		// 404 to allowed callers too: there is no such link.
		"DELETE /api/v1/incidents/{id}/links/{linked}": {request: func(int) (string, any) {
			return "/api/v1/incidents/" + incident + "/links/" + incident + "?reason=matrix", nil
		}, foreign: http.StatusNotFound},
		// 200, or 409 once the incident is cleared by a caller before.
		"POST /api/v1/incidents/{id}/callers": {request: func(n int) (string, any) {
			return "/api/v1/incidents/" + incident + "/callers", map[string]any{"caller": map[string]string{"name": fmt.Sprintf("Matrix Caller %d", n)}}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/incidents/{id}/timeline": {request: get("/api/v1/incidents/" + incident + "/timeline"), foreign: http.StatusNotFound},
		"GET /api/v1/incidents/{id}/priors":   {request: get("/api/v1/incidents/" + incident + "/priors?radius_m=200&days=30"), foreign: http.StatusNotFound},
		// Premise records: another agency's caller naming metro is refused,
		// and gets 404 for metro's record. The first allowed remove
		// succeeds, the others answer 409.
		// An EIDO import names metro: another agency's caller is refused.
		"POST /api/v1/eido": {request: func(n int) (string, any) {
			return "/api/v1/eido?agency=metro", eidoDoc(t, "import-incident.json", func(m map[string]any) { m["$id"] = fmt.Sprintf("urn:matrix:%d", n) })
		}, foreign: http.StatusForbidden},
		"GET /api/v1/premises": {request: get("/api/v1/premises")},
		"POST /api/v1/premises": {request: func(n int) (string, any) {
			return "/api/v1/premises", map[string]any{"agency": "metro", "location": map[string]any{"lat": 41.8, "lon": -87.7}, "radius_m": 20 + n%50,
				"flags": []map[string]any{{"kind": "weapons", "text": fmt.Sprintf("matrix %d", n), "expires": ts.Engine.Now().Add(time.Hour)}}}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/premises/{id}": {request: get("/api/v1/premises/" + premise), foreign: http.StatusNotFound},
		"POST /api/v1/premises/{id}/remove": {request: func(int) (string, any) {
			return "/api/v1/premises/" + premise + "/remove", map[string]string{"reason": "matrix"}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/locations/unverified": {request: get("/api/v1/locations/unverified")},
		"POST /api/v1/locations/unverified/{incident}/fix": {request: func(int) (string, any) {
			return "/api/v1/locations/unverified/" + typed + "/fix", map[string]any{"lat": 41.81, "lon": -87.69}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/agencies/{id}/mutual-aid": {request: get("/api/v1/agencies/metro/mutual-aid"), foreign: http.StatusNotFound},
		"PUT /api/v1/agencies/{id}/mutual-aid": {request: func(int) (string, any) {
			return "/api/v1/agencies/metro/mutual-aid", map[string]any{"levels": []map[string]any{{"agencies": []string{"state"}}}}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/requests": {request: get("/api/v1/requests")},
		"POST /api/v1/requests": {request: func(n int) (string, any) {
			return "/api/v1/requests", map[string]any{"from_agency": "metro", "to_agency": "state", "location": map[string]string{"text": "3900 S Kedzie Ave"},
				"nature": fmt.Sprintf("matrix %d", n), "urgency": "ROUTINE"}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/requests/{id}":          {request: get("/api/v1/requests/" + made), foreign: http.StatusNotFound},
		"GET /api/v1/requests/{id}/timeline": {request: get("/api/v1/requests/" + made + "/timeline"), foreign: http.StatusNotFound},
		"GET /api/v1/requests/{id}/bundle":   {request: get("/api/v1/requests/" + made + "/bundle"), foreign: http.StatusNotFound},
		"GET /api/v1/requests/{id}/blocked":  {request: get("/api/v1/requests/" + asked + "/blocked?agency=metro"), foreign: http.StatusNotFound},
		// Publishing: metro's supervisors and auditors publish metro's
		// records; the public reads them, published or not (404).
		"POST /api/v1/requests/{id}/publish": {request: func(n int) (string, any) {
			return "/api/v1/requests/" + made + "/publish", map[string]string{"reason": fmt.Sprintf("matrix %d", n)}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/incidents/{id}/publish": {request: func(int) (string, any) {
			return "/api/v1/incidents/" + incident + "/publish", map[string]string{}
		}, foreign: http.StatusNotFound},
		"GET /public/v1/timelines":                    {request: get("/public/v1/timelines")},
		"GET /public/v1/timelines/{kind}/{id}":        {request: get("/public/v1/timelines/request/" + made)},
		"GET /public/v1/timelines/{kind}/{id}/bundle": {request: get("/public/v1/timelines/incident/" + incident + "/bundle")},
		// Publications whole: another agency's list lacks metro's.
		"GET /api/v1/publications": {request: get("/api/v1/publications")},
		"POST /api/v1/requests/{id}/acknowledge": {request: func(int) (string, any) {
			return "/api/v1/requests/" + asked + "/acknowledge", map[string]string{}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/requests/{id}/accept": {request: func(int) (string, any) {
			return "/api/v1/requests/" + asked + "/accept", map[string]any{"units": []string{"metro.1a12"}}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/requests/{id}/decline": {request: func(int) (string, any) {
			return "/api/v1/requests/" + asked + "/decline", map[string]string{"reason": "matrix: no units free"}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/requests/{id}/close": {request: func(int) (string, any) {
			return "/api/v1/requests/" + made + "/close", map[string]string{"disposition": "matrix"}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/directives": {request: get("/api/v1/directives")},
		"POST /api/v1/directives": {request: func(n int) (string, any) {
			return "/api/v1/directives", map[string]any{"agency": "metro", "scope": map[string]any{"kind": "circle", "circle": map[string]any{"lat": 41.9, "lon": -87.6, "radius_m": 50 + n}},
				"effect": "hold", "reason": "matrix", "expires": ts.Engine.Now().Add(time.Hour)}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/directives/{id}": {request: get("/api/v1/directives/" + standing), foreign: http.StatusNotFound},
		"POST /api/v1/directives/{id}/revoke": {request: func(int) (string, any) {
			return "/api/v1/directives/" + directive() + "/revoke", map[string]string{"reason": "matrix"}
		}, foreign: http.StatusNotFound},
		// The test server plays no scenarios: 404 to supervisors.
		"GET /api/v1/scenarios":         {request: get("/api/v1/scenarios")},
		"POST /api/v1/scenarios/{name}": {request: func(int) (string, any) { return "/api/v1/scenarios/kedzie", map[string]string{} }},

		"GET /api/v1/users": {request: get("/api/v1/users")},
		"POST /api/v1/users": {request: func(n int) (string, any) {
			return "/api/v1/users", map[string]any{"username": fmt.Sprintf("new%d", n), "agency": "metro", "roles": []string{"officer"}, "password": "a long enough password"}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/users/{username}":          {request: get("/api/v1/users/target"), foreign: http.StatusNotFound},
		"POST /api/v1/users/{username}/disable": {request: func(int) (string, any) { return "/api/v1/users/target/disable", "" }, foreign: http.StatusNotFound},
		"POST /api/v1/users/{username}/unlock":  {request: func(int) (string, any) { return "/api/v1/users/target/unlock", "" }, foreign: http.StatusNotFound},
		"POST /api/v1/incident-types": {request: func(n int) (string, any) {
			return "/api/v1/incident-types", map[string]any{"agency": "metro", "code": fmt.Sprintf("LOCAL_%d", n), "name": "Local type", "default_priority": 3}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/districts": {request: get("/api/v1/districts")},
		"GET /api/v1/streets":   {request: get("/api/v1/streets")},
		"GET /api/v1/map-tiles": {request: get("/api/v1/map-tiles")},
		// Another agency's caller naming metro is refused; one naming no
		// agency gets its own.
		"GET /api/v1/reports/intervals": {request: get("/api/v1/reports/intervals?agency=metro"), foreign: http.StatusForbidden},
		"GET /api/v1/geocode":           {request: get("/api/v1/geocode?q=3900+S+Kedzie+Ave")},
		// The roster: the crew is the metro officer, who may sign
		// themselves on and off; supervisors and administrators anyone.
		"POST /api/v1/units/{id}/sign-on": {request: func(int) (string, any) {
			now := ts.Engine.Now()
			return "/api/v1/units/metro.r1/sign-on", map[string]any{"crew": []string{"officer-metro"},
				"shift": map[string]any{"start": now, "end": now.Add(8 * time.Hour)}}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/units/{id}/sign-off": {request: func(int) (string, any) { return "/api/v1/units/metro.r1/sign-off", "" }, foreign: http.StatusNotFound},
		"PUT /api/v1/units/{id}/cross-staff": {request: func(n int) (string, any) {
			return "/api/v1/units/metro.r1/cross-staff", map[string]string{"partner": pick(n, "metro.r2", "")}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/agencies/{id}/run-cards": {request: get("/api/v1/agencies/metro/run-cards"), foreign: http.StatusNotFound},
		"PUT /api/v1/agencies/{id}/run-cards": {request: func(n int) (string, any) {
			return "/api/v1/agencies/metro/run-cards", map[string]any{"cards": []map[string]any{{"name": fmt.Sprintf("card %d", n), "zone": "*",
				"type": "FIRE_STRUCTURE", "slots": []map[string]any{{"kind": "engine", "count": 1 + n%3}}}}}
		}, foreign: http.StatusNotFound},
		"PUT /api/v1/agencies/{id}/timers": {request: func(n int) (string, any) {
			return "/api/v1/agencies/metro/timers", map[string]int{"pending_alert_seconds": 60 + n%60, "safety_check_seconds": 1200}
		}, foreign: http.StatusForbidden},
		"POST /api/v1/users/{username}/password": {request: func(int) (string, any) {
			return "/api/v1/users/target/password", map[string]string{"password": "another long password"}
		}, foreign: http.StatusNotFound},
		"POST /api/v1/users/{username}/totp":  {request: func(int) (string, any) { return "/api/v1/users/target/totp", "" }, foreign: http.StatusNotFound},
		"GET /api/v1/users/{username}/tokens": {request: get("/api/v1/users/target/tokens"), foreign: http.StatusNotFound},
		"POST /api/v1/users/{username}/tokens": {request: func(n int) (string, any) {
			return "/api/v1/users/target/tokens", map[string]any{"name": fmt.Sprintf("tablet %d", n), "expires_in_seconds": 3600}
		}, foreign: http.StatusNotFound},
		"GET /api/v1/peers": {request: get("/api/v1/peers")},
		"POST /api/v1/peers": {request: func(n int) (string, any) {
			p := matrixPeer(t, n)
			return "/api/v1/peers", map[string]string{"name": p.Name, "url": p.URL, "origin": p.Origin, "key": p.Key}
		}},
		"DELETE /api/v1/peers/{name}": {request: func(n int) (string, any) {
			p := matrixPeer(t, n)
			ts.MustExecute(t, p)
			return "/api/v1/peers/" + p.Name, nil
		}},
		"GET /api/v1/federation":           {request: get("/api/v1/federation")},
		"POST /witness/add-checkpoint":     {request: func(int) (string, any) { return "/witness/add-checkpoint", nil }},
		"GET /witness/key":                 {request: get("/witness/key")},
		"GET /witness/cosigned-checkpoint": {request: get("/witness/cosigned-checkpoint")},
		"GET /witness/checkpoint":          {request: get("/witness/checkpoint?origin=county.example/log")},
		// Partners' messages: the signature is the authentication; an
		// empty body is refused as malformed, whoever sends it.
		"POST /federation/v1/messages": {request: func(int) (string, any) { return "/federation/v1/messages", nil }},
		"GET /federation/v1/evidence":  {request: get("/federation/v1/evidence?seq=0")},
		// Webhooks: metro's administrators and the installation's; another
		// agency's administrator is refused metro's (403 to subscribe, 404
		// for a subscription). The first allowed DELETE of each ends it.
		"GET /api/v1/webhooks": {request: get("/api/v1/webhooks")},
		"POST /api/v1/webhooks": {request: func(n int) (string, any) {
			return "/api/v1/webhooks", map[string]any{"agency": "metro", "url": fmt.Sprintf("https://matrix.example/%d", n), "events": []string{"incident.*"}}
		}, foreign: http.StatusForbidden},
		"GET /api/v1/webhooks/{id}":            {request: get("/api/v1/webhooks/" + hook), foreign: http.StatusNotFound},
		"GET /api/v1/webhooks/{id}/deliveries": {request: get("/api/v1/webhooks/" + hook + "/deliveries"), foreign: http.StatusNotFound},
		"DELETE /api/v1/webhooks/{id}": {request: func(int) (string, any) {
			return "/api/v1/webhooks/" + webhookOf(), nil
		}, foreign: http.StatusNotFound},
		"DELETE /api/v1/tokens/{id}": {request: func(int) (string, any) {
			return "/api/v1/tokens/" + auth.TokenID(auth.TokenHash(ts.MustCreateToken(t, "target"))), nil
		}, foreign: http.StatusNotFound},
	}
	wantPublic := []string{"GET /log/checkpoint", "GET /log/key", "GET /log/tile/", "GET /{$}", "GET /static/", "GET /console/",
		"GET /healthz", "GET /readyz", "GET /api/v1/openapi.json", "POST /api/v1/auth/login", "POST /api/v1/auth/logout", "POST /internal/v1/audit",
		"GET /public/v1/timelines", "GET /public/v1/timelines/{kind}/{id}", "GET /public/v1/timelines/{kind}/{id}/bundle",
		"POST /witness/add-checkpoint", "GET /witness/key", "GET /witness/cosigned-checkpoint",
		"POST /federation/v1/messages", "GET /federation/v1/evidence", "GET /witness/checkpoint"}
	known := append([]string{tenfourhttp.AnyUser, tenfourhttp.InstallationAdmin}, dispatch.Roles...)

	routes := ts.Handler.Routes()
	seen := map[string]bool{}
	n := 0
	for _, rt := range routes {
		if seen[rt.Pattern] {
			t.Errorf("route %s is in the table twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		c, ok := cases[rt.Pattern]
		if !ok {
			t.Errorf("route %s (roles %v) is not in the authorisation matrix: add a case for it", rt.Pattern, rt.Roles)
			continue
		}
		if rt.Public() != slices.Contains(wantPublic, rt.Pattern) {
			t.Errorf("route %s: public = %v, want %v", rt.Pattern, rt.Public(), !rt.Public())
		}
		for _, r := range rt.Roles {
			if !slices.Contains(known, r) {
				t.Errorf("route %s names role %q, which is not a role", rt.Pattern, r)
			}
		}
		method, _, _ := strings.Cut(rt.Pattern, " ")
		t.Run(rt.Pattern, func(t *testing.T) {
			for _, sub := range subjects {
				n++
				path, body := c.request(n)
				before := ts.Engine.Log().Size()
				r := matrixDo(t, ts, method, path, sub.token, body, c.stream)
				call := fmt.Sprintf("%s %s as %s", method, path, sub.name)
				denied := deniedEvents(t, ts, before, rt.Pattern, sub.user)
				allowed := matrixAllows(rt.Roles, sub)
				switch {
				case rt.Public():
					if r.Status == 401 || r.Status == 403 || r.Status >= 500 {
						t.Errorf("%s = %d %s, want neither 401 nor 403: the route is public", call, r.Status, r.Body)
					}
				case sub.token == "":
					CheckProblem(t, call, r, http.StatusUnauthorized, dispatch.EUNAUTHORIZED, "sign in")
				case !allowed:
					CheckProblem(t, call, r, http.StatusForbidden, dispatch.EFORBIDDEN, "not open to your roles")
					if denied != 1 {
						t.Errorf("%s: %d access.denied events for %s, want 1", call, denied, sub.user)
					}
				case sub.agency == "sheriff" && c.foreign != 0:
					if r.Status != c.foreign {
						t.Errorf("%s = %d %s, want %d: another agency's record", call, r.Status, r.Body, c.foreign)
					}
				default:
					if r.Status == 401 || r.Status == 403 || r.Status >= 500 {
						t.Errorf("%s = %d %s, want neither 401 nor 403: role %s may call it", call, r.Status, r.Body, sub.role)
					}
				}
				if allowed && denied != 0 {
					t.Errorf("%s: recorded access.denied although role %s may call it", call, sub.role)
				}
			}
		})
	}
	for p := range cases {
		if !seen[p] {
			t.Errorf("the matrix has a case for %s, which is not in the route table", p)
		}
	}
}

// matrixPeer returns a valid peer, unique by n.
func matrixPeer(tb testing.TB, n int) dispatch.AddPeer {
	tb.Helper()
	origin := fmt.Sprintf("peer%d.example/log", n)
	_, vkey, err := note.GenerateKey(nil, origin)
	if err != nil {
		tb.Fatal(err)
	}
	return dispatch.AddPeer{Name: fmt.Sprintf("peer-%d", n), URL: fmt.Sprintf("https://peer%d.example", n), Origin: origin, Key: vkey}
}

// pick returns one of xs by n.
func pick(n int, xs ...string) string { return xs[n%len(xs)] }

// matrixAllows is the test's own reading of a route's roles.
func matrixAllows(roles []string, sub matrixSubject) bool {
	if sub.token == "" {
		return len(roles) == 0
	}
	return slices.Contains(roles, tenfourhttp.AnyUser) || slices.Contains(roles, sub.role) ||
		sub.installer && slices.Contains(roles, tenfourhttp.InstallationAdmin)
}

// matrixDo sends one request of the matrix. For an endless stream it reads
// only the status and headers.
func matrixDo(t *testing.T, ts *TestServer, method, path, token string, body any, stream bool) Response {
	t.Helper()
	if !stream {
		return ts.Do(t, method, path, token, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	r := Response{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode != http.StatusOK {
		b := make([]byte, 4096)
		k, _ := resp.Body.Read(b)
		r.Body = b[:k]
	}
	return r
}

// deniedEvents counts the access.denied events from seq on about user on
// the route.
func deniedEvents(t *testing.T, ts *TestServer, from int64, route, user string) int {
	t.Helper()
	k := 0
	for _, e := range ts.Events(t, from) {
		if e.Type != dispatch.TypeAccessDenied {
			continue
		}
		var data map[string]string
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatalf("access.denied data %s: %v", e.Data, err)
		}
		if data["route"] == route && e.Actor.User == user && e.Actor.System == "" {
			k++
		}
	}
	return k
}

// TestRoleActedIn checks that a request is taken in the first of the
// caller's roles that the route allows, and that the log records that role.
func TestRoleActedIn(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	// Officer first: it may not create incidents, so the dispatcher role acts.
	token := ts.MustCreateUser(t, "pat", "metro", dispatch.RoleOfficer, dispatch.RoleDispatcher, dispatch.RoleSupervisor)
	for _, tc := range []struct {
		path string
		body any
		role string
	}{
		{"/api/v1/incidents", map[string]any{"type": "THEFT", "location": map[string]string{"text": "1 Main St"}}, dispatch.RoleDispatcher},
		{"/api/v1/units", map[string]string{"call_sign": "1A1", "agency": "metro", "kind": "patrol"}, dispatch.RoleSupervisor},
	} {
		r := ts.Do(t, "POST", tc.path, token, tc.body)
		if r.Status != http.StatusCreated {
			t.Fatalf("POST %s as pat = %d %s, want 201", tc.path, r.Status, r.Body)
		}
		var seq int64
		fmt.Sscan(r.Header.Get("Tenfour-Seq"), &seq)
		e := ts.Events(t, seq)[0]
		if e.Actor.User != "pat" || e.Actor.Role != tc.role {
			t.Errorf("POST %s as pat: event actor = %+v, want pat acting as %s", tc.path, e.Actor, tc.role)
		}
	}
	// A token that carries only the officer role cannot act as a dispatcher.
	officerOnly := ts.MustCreateToken(t, "pat", dispatch.RoleOfficer)
	r := ts.Do(t, "POST", "/api/v1/incidents", officerOnly, map[string]any{"type": "THEFT", "location": map[string]string{"text": "2 Main St"}})
	CheckProblem(t, "POST /api/v1/incidents with an officer-only token", r, http.StatusForbidden, dispatch.EFORBIDDEN, "(officer)")
	var me struct {
		Username string   `json:"username"`
		Agency   string   `json:"agency"`
		Roles    []string `json:"roles"`
	}
	MustJSON(t, "GET /api/v1/auth/me with an officer-only token", ts.Do(t, "GET", "/api/v1/auth/me", officerOnly, nil), 200, &me)
	if me.Username != "pat" || me.Agency != "metro" || !slices.Equal(me.Roles, []string{dispatch.RoleOfficer}) {
		t.Errorf("GET /api/v1/auth/me with an officer-only token = %+v, want pat of metro with [officer]", me)
	}
	// The log records the role denied and the roles held, never the token.
	events := ts.Events(t, 0)
	last := events[len(events)-1]
	if last.Type != dispatch.TypeAccessDenied || !strings.Contains(string(last.Data), `"roles":"[officer]"`) ||
		!strings.Contains(string(last.Data), `"route":"POST /api/v1/incidents"`) {
		t.Errorf("last event = %s %s, want access.denied of POST /api/v1/incidents for [officer]", last.Type, last.Data)
	}
	if strings.Contains(string(ledgerBytes(t, ts)), officerOnly) {
		t.Error("the log holds the token's secret")
	}
}

// ledgerBytes returns every entry of the log, concatenated.
func ledgerBytes(t *testing.T, ts *TestServer) []byte {
	t.Helper()
	raw, err := ts.Store.ReadEntries(context.Background(), 0, ts.Engine.Log().Size())
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, b := range raw {
		out = append(out, b...)
		out = append(out, '\n')
	}
	return out
}
