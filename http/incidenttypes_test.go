package http_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// An agency extends the catalogue with its own types, which it alone sees
// and uses; a built-in code cannot be redefined.
func TestAgencyIncidentTypes(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	sup := ts.MustCreateUser(t, "sue", "sheriff", dispatch.RoleSupervisor)
	deputy := ts.MustCreateUser(t, "dan", "sheriff", dispatch.RoleDispatcher)
	metro := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)

	r := ts.Do(t, "POST", "/api/v1/incident-types", sup, map[string]any{"code": "LIVESTOCK", "name": "Livestock on the road", "default_priority": 3})
	var added dispatch.IncidentType
	MustJSON(t, "POST /api/v1/incident-types", r, 201, &added)
	if added.Agency != "sheriff" || added.Code != "LIVESTOCK" {
		t.Fatalf("added %+v, want sheriff's LIVESTOCK", added)
	}
	codes := func(token string) []string {
		var ts2 []dispatch.IncidentType
		if err := json.Unmarshal(ts.Do(t, "GET", "/api/v1/incident-types", token, nil).Body, &ts2); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range ts2 {
			out = append(out, x.Code)
		}
		return out
	}
	if c := codes(deputy); !slices.Contains(c, "LIVESTOCK") || !slices.Contains(c, "THEFT") {
		t.Errorf("sheriff's catalogue = %v, want the built-in types and LIVESTOCK", c)
	}
	if c := codes(metro); slices.Contains(c, "LIVESTOCK") {
		t.Errorf("metro's catalogue = %v, want no sheriff's type", c)
	}
	var in dispatch.Incident
	MustJSON(t, "POST incident of type LIVESTOCK", ts.Do(t, "POST", "/api/v1/incidents", deputy, map[string]any{"type": "LIVESTOCK", "location": map[string]string{"text": "Rural Rte 9"}}), 201, &in)
	if in.Priority != 3 {
		t.Errorf("LIVESTOCK incident priority = %d, want the type's default 3", in.Priority)
	}
	r = ts.Do(t, "POST", "/api/v1/incidents", metro, map[string]any{"type": "LIVESTOCK", "location": map[string]string{"text": "1 Main St"}})
	if r.Status != 422 || !strings.Contains(string(r.Body), "LIVESTOCK") {
		t.Errorf("metro using sheriff's type = %d %s, want 422", r.Status, r.Body)
	}
	r = ts.Do(t, "POST", "/api/v1/incident-types", sup, map[string]any{"code": "THEFT", "name": "Our theft", "default_priority": 1})
	CheckProblem(t, "redefining a built-in type", r, 409, dispatch.ECONFLICT, "THEFT")
	r = ts.Do(t, "POST", "/api/v1/incident-types", sup, map[string]any{"code": "bad code", "name": "x", "default_priority": 1})
	CheckProblem(t, "a malformed code", r, 422, dispatch.EINVALID, "capital letters")
}
