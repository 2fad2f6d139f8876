package http_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// An openAPIParam is a parameter of an operation, or a reference to one.
type openAPIParam struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

// An openAPIOperation is what TestOpenAPI reads of an operation.
type openAPIOperation struct {
	Parameters  []openAPIParam `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref     string         `json:"$ref"`
		Content map[string]any `json:"content"`
	} `json:"responses"`
	Security *[]map[string][]string `json:"security"`
	Roles    *[]string              `json:"x-roles"`
}

// openAPIPath converts a ServeMux pattern's path to the document's: GET /{$}
// is /, a subtree such as /log/tile/ is /log/tile/{path}, and {name...} is
// {name}.
func openAPIPath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	p = regexp.MustCompile(`\{(\w+)\.\.\.\}`).ReplaceAllString(p, "{$1}")
	if p != "/" && strings.HasSuffix(p, "/") {
		p += "{path}"
	}
	return p
}

// TestOpenAPI checks the OpenAPI document served at /api/v1/openapi.json
// against the route table: the same operations (method and path) both ways,
// each with its path parameters, the route's roles as x-roles, no security
// for a public route and bearer or session for the others, a problem+json
// answer for errors on the API, and a JSON request body for every POST that
// decodes one.
func TestOpenAPI(t *testing.T) {
	ts := MustOpenServer(t)
	r := ts.Do(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json = %d %s, want 200 application/json", r.Status, r.Header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                 `json:"openapi"`
		Paths   map[string]map[string]openAPIOperation `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}

	routes := map[string]bool{} // "get /path"
	for _, rt := range ts.Handler.Routes() {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		path := openAPIPath(pattern)
		method = strings.ToLower(method)
		routes[method+" "+path] = true
		op, ok := doc.Paths[path][method]
		if !ok {
			t.Errorf("route %s is not in the OpenAPI document as %s %s", rt.Pattern, method, path)
			continue
		}
		if op.Roles == nil {
			t.Errorf("%s %s: no x-roles; want %q", method, path, rt.Roles)
		} else if !slices.Equal(*op.Roles, rt.Roles) && !(len(*op.Roles) == 0 && len(rt.Roles) == 0) {
			t.Errorf("%s %s: x-roles = %q, want %q as in the route table", method, path, *op.Roles, rt.Roles)
		}
		switch {
		case op.Security == nil:
			t.Errorf("%s %s: no security; want [] or bearer and session", method, path)
		case rt.Public() && len(*op.Security) != 0:
			t.Errorf("%s %s: security = %v, want [] for a public route", method, path, *op.Security)
		case !rt.Public():
			var schemes []string
			for _, req := range *op.Security {
				for k := range req {
					schemes = append(schemes, k)
				}
			}
			slices.Sort(schemes)
			if !slices.Equal(schemes, []string{"bearer", "session"}) {
				t.Errorf("%s %s: security schemes = %q, want bearer and session", method, path, schemes)
			}
		}
		for _, name := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
			if !slices.ContainsFunc(op.Parameters, func(p openAPIParam) bool {
				return p.In == "path" && p.Name == name[1]
			}) {
				t.Errorf("%s %s: path parameter %s is not described", method, path, name[1])
			}
		}
		if strings.HasPrefix(path, "/api/") {
			if d, ok := op.Responses["default"]; !ok || d.Ref != "#/components/responses/Problem" {
				t.Errorf("%s %s: no default problem+json response", method, path)
			}
		}
		if method == "post" && strings.HasPrefix(path, "/api/") && !rt.Public() {
			if !slices.ContainsFunc(op.Parameters, func(p openAPIParam) bool {
				return p.Ref == "#/components/parameters/IdempotencyKey"
			}) {
				t.Errorf("%s %s: the Idempotency-Key header is not described", method, path)
			}
		}
		var ok2xx bool
		for code := range op.Responses {
			// 101: a WebSocket's success (the EIDO conveyance).
			ok2xx = ok2xx || strings.HasPrefix(code, "2") || code == "101"
		}
		if !ok2xx {
			t.Errorf("%s %s: no success response", method, path)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !routes[method+" "+path] {
				t.Errorf("the OpenAPI document has %s %s, which is not a route", method, path)
			}
		}
	}
	if len(routes) == 0 {
		t.Fatal("no routes")
	}

	// A sample of request bodies as the handlers decode them: the documented
	// properties are those of the decode structs.
	for _, c := range []struct {
		method, path string
		fields       []string
	}{
		{"post", "/api/v1/incidents", []string{"agency", "answered", "caller", "late", "location", "narrative", "priority", "received", "type"}},
		{"post", "/api/v1/incidents/{id}/notes", []string{"late", "text"}},
		{"post", "/api/v1/incidents/{id}/clear", []string{"disposition", "late"}},
		{"post", "/api/v1/incidents/{id}/callers", []string{"answered", "caller", "narrative", "received"}},
		{"post", "/api/v1/incidents/{id}/merge", []string{"into", "reason"}},
		{"post", "/api/v1/incidents/{id}/links", []string{"incident", "reason", "relation"}},
		{"post", "/api/v1/units", []string{"agency", "call_sign", "capabilities", "kind"}},
		{"post", "/api/v1/agencies", []string{"id", "kind", "name"}},
		{"post", "/api/v1/incidents/{id}/dispatch", []string{"late", "override", "preempt", "units"}},
		{"post", "/api/v1/requests", []string{"from_agency", "location", "nature", "to_agency", "unit", "urgency"}},
		{"post", "/api/v1/requests/{id}/accept", []string{"agency", "override", "units"}},
		{"post", "/api/v1/directives", []string{"agency", "effect", "expires", "reason", "restrict", "scope"}},
		{"post", "/api/v1/users/{username}/tokens", []string{"code", "expires_in_seconds", "name", "roles"}},
		{"post", "/api/v1/auth/tokens", []string{"code", "expires_in_seconds", "name", "roles"}},
	} {
		op := doc.Paths[c.path][c.method]
		if op.RequestBody == nil {
			t.Errorf("%s %s: no request body", c.method, c.path)
			continue
		}
		s := op.RequestBody.Content["application/json"].Schema
		props, _ := s["properties"].(map[string]any)
		var got []string
		for k := range props {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.fields) || s["additionalProperties"] != false {
			t.Errorf("%s %s: body properties = %q (additionalProperties %v), want %q and no others", c.method, c.path, got, s["additionalProperties"], c.fields)
		}
	}
}
