package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/eido/eidotest"
)

// TestEIDORetrieval checks GET /eido/v1/EIDO/{IncidentId}: the incident as
// an EIDO that NENA's schema accepts, by tenfour's id or by its incident
// tracking identifier; 401 without a sign-in, 404 for another agency's
// incident or another installation's identifier.
func TestEIDORetrieval(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	id := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"},
		Caller: dispatch.Caller{Name: "Eido Caller", Phone: "312 555 0142"}, Narrative: "back door forced"}).Events[0].Subject["incident"]
	metro := ts.MustCreateUser(t, "eido-metro", "metro", dispatch.RoleDispatcher)
	sheriff := ts.MustCreateUser(t, "eido-sheriff", "sheriff", dispatch.RoleDispatcher)
	urn := eido.IncidentURN(id, origin)

	for _, path := range []string{id, urn, url.PathEscape(urn)} {
		call := "GET /eido/v1/EIDO/" + path
		r := ts.Do(t, "GET", "/eido/v1/EIDO/"+path, metro, nil)
		var d eido.Document
		MustJSON(t, call, r, http.StatusOK, &d)
		eidotest.Validate(t, r.Body)
		if d.ID != urn || d.IncidentComponent == nil || d.IncidentComponent.InternalIncidentID != id || d.IncidentComponent.IncidentTypeCommonRegistryText != "BURGLARY" {
			t.Errorf("%s = $id %q, incident %+v; want %s, BURGLARY", call, d.ID, d.IncidentComponent, urn)
		}
		if !strings.Contains(string(r.Body), "Eido Caller") || !strings.Contains(string(r.Body), "back door forced") {
			t.Errorf("%s lacks the caller or the narrative, which metro's dispatcher may read: %s", call, r.Body)
		}
	}

	t.Run("ErrUnauthorized", func(t *testing.T) {
		CheckProblem(t, "GET without a sign-in", ts.Do(t, "GET", "/eido/v1/EIDO/"+id, "", nil), http.StatusUnauthorized, dispatch.EUNAUTHORIZED, "sign in")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, c := range []struct{ who, token, path string }{
			{"sheriff", sheriff, id},
			{"sheriff", sheriff, url.PathEscape(urn)},
			{"metro", metro, "metro-2026-999999"},
			{"metro", metro, url.PathEscape(eido.IncidentURN(id, "elsewhere.example/log"))},
		} {
			call := "GET /eido/v1/EIDO/" + c.path + " as " + c.who
			r := ts.Do(t, "GET", "/eido/v1/EIDO/"+c.path, c.token, nil)
			CheckProblem(t, call, r, http.StatusNotFound, dispatch.ENOTFOUND, "does not exist")
			if strings.Contains(string(r.Body), "Eido Caller") {
				t.Errorf("%s leaks the caller: %s", call, r.Body)
			}
		}
		// Nothing under /eido/ that is not a route: a problem too.
		CheckProblem(t, "GET /eido/v1/nothing", ts.Do(t, "GET", "/eido/v1/nothing", metro, nil), http.StatusNotFound, dispatch.ENOTFOUND, "no such API resource")
	})
}
