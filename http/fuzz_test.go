package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// fuzzBody posts body to path through the handler (no network) as the
// administrator and checks the answer: never a 5xx; a 2xx is JSON with a
// Location; anything else is a well-formed problem+json.
func fuzzBody(t *testing.T, ts *TestServer, path string, body []byte) {
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+ts.Admin)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	validateResponses(t, ts.Handler).ServeHTTP(rec, req)
	r := Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	switch {
	case r.Status >= 500:
		t.Fatalf("POST %s %q = %d %s, want no server error", path, body, r.Status, r.Body)
	case r.Status >= 200 && r.Status < 300:
		if r.Status != http.StatusCreated || r.Header.Get("Location") == "" || !json.Valid(r.Body) {
			t.Fatalf("POST %s %q = %d (Location %q) %s, want 201 with a Location and JSON", path, body, r.Status, r.Header.Get("Location"), r.Body)
		}
	default:
		if _, err := ParseProblem(r); err != nil {
			t.Fatalf("POST %s %q = %d: %v", path, body, r.Status, err)
		}
	}
}

// fuzzServer is a node with agencies metro and sheriff and one unit, so that
// fuzzed bodies can succeed and conflict as well as fail.
func fuzzServer(f *testing.F) *TestServer {
	ts := MustOpenServer(f)
	ts.MustExecute(f, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(f, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(f, dispatch.CreateUnit{CallSign: "2B7", Agency: "metro", Kind: "patrol"})
	return ts
}

// nearValid are bodies that break JSON or its limits in the ways clients do.
var nearValid = []string{
	``, ` `, `null`, `{}`, `[]`, `"metro"`, `0`, `true`,
	`{`, `}`, `{"agency":}`, `{"agency":"metro",}`, `{"agency":"metro"`, `{"agency" "metro"}`,
	`{"agency":"metro"}{"agency":"metro"}`, `{"agency":"metro"} x`, `{"agency":"metro"}]`,
	`{"agency":null,"type":null,"location":null,"caller":null,"narrative":null,"priority":null}`,
	`{"AGENCY":"metro"}`, `{"agency":"metro","agency":"sheriff"}`,
	`{"agency":"metro","unknown":1}`, `{"agency":1}`, `{"agency":["metro"]}`, `{"agency":{"id":"metro"}}`,
	"{\"agency\":\"met\xffro\"}", "{\"agency\":\"metro\u0000\"}", `{"agency":"\ud800"}`, "\xef\xbb\xbf{}",
	`{"priority":1e400}`, `{"priority":-0}`, `{"priority":2.5}`, `{"priority":"1"}`, `{"priority":9223372036854775808}`,
	strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001),
	`{"a":` + strings.Repeat(`{"a":`, 200) + `1` + strings.Repeat(`}`, 201),
}

func FuzzCreateIncidentBody(f *testing.F) {
	for _, s := range []string{
		`{"agency":"metro","type":"BURGLARY","location":{"text":"1 Main St"}}`,
		`{"agency":"metro","type":"OFFICER_EMERGENCY","priority":0,"location":{"lat":41.82,"lon":-87.7}}`,
		`{"agency":"sheriff","type":"DOMESTIC","location":{"text":"Rural Rte 9","lat":-90,"lon":180},
			"caller":{"name":"José Ñúñez","phone":"+1 312 555 0100"},"narrative":"shouting\n\tthen quiet"}`,
		`{"agency":"metro","type":"THEFT","location":{"text":"<script>&amp;\u2028"},"caller":{"name":"\"quoted\""}}`,
		`{"agency":"metro","type":"UFO","location":{"text":"x"}}`,
		`{"agency":"nowhere","type":"THEFT","location":{"text":"x"}}`,
		`{"agency":"metro","type":"THEFT","priority":5,"location":{"text":"x"}}`,
		`{"agency":"metro","type":"THEFT","location":{"lat":91,"lon":0}}`,
		`{"agency":"metro","type":"THEFT","location":{"lat":1}}`,
		`{"agency":"metro","type":"THEFT","location":{"lat":1e308,"lon":-1e308}}`,
		`{"agency":"metro","type":"THEFT","location":{"text":" "}}`,
		`{"agency":"metro","type":"THEFT","location":{"text":"x","altitude":3}}`,
		`{"agency":"metro","type":"THEFT","location":"1 Main St"}`,
		`{"agency":"metro","type":"THEFT","location":{"text":"x"},"caller":{"name":"a\u0007b"}}`,
		`{"agency":"metro","type":"THEFT","location":{"text":"x"},"caller":{"name":"` + strings.Repeat("n", 201) + `"}}`,
		`{"agency":"metro","type":"THEFT","location":{"text":"x"},"narrative":"` + strings.Repeat("é", 8001) + `"}`,
		`{"agency":"metro","type":"THEFT","location":{"text":"` + strings.Repeat(`\u003c`, 300) + `"}}`,
		`{"agency":"metro","type":"THEFT","location":{"text":"` + strings.Repeat("\U0001F6A8", 300) + `"}}`,
	} {
		f.Add([]byte(s))
	}
	for _, s := range nearValid {
		f.Add([]byte(s))
	}
	ts := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) { fuzzBody(t, ts, "/api/v1/incidents", body) })
}

func FuzzCreateUnitBody(f *testing.F) {
	for _, s := range []string{
		`{"call_sign":"1A12","agency":"metro","kind":"patrol","capabilities":["k9","first-aid"]}`,
		`{"call_sign":"S1","agency":"sheriff","kind":"air"}`,
		`{"call_sign":"A234567890123456","agency":"metro","kind":"traffic","capabilities":[]}`,
		`{"call_sign":"2b7","agency":"metro","kind":"patrol"}`,
		`{"call_sign":"A2345678901234567","agency":"metro","kind":"patrol"}`,
		`{"call_sign":"1 A","agency":"metro","kind":"patrol"}`,
		`{"call_sign":"","agency":"metro","kind":"patrol"}`,
		`{"call_sign":"X1","agency":"metro","kind":"boat"}`,
		`{"call_sign":"X1","agency":"nowhere","kind":"patrol"}`,
		`{"call_sign":"X1","agency":"metro","kind":"patrol","capabilities":["K9"]}`,
		`{"call_sign":"X1","agency":"metro","kind":"patrol","capabilities":[null]}`,
		`{"call_sign":"X1","agency":"metro","kind":"patrol","capabilities":"k9"}`,
		`{"call_sign":"X1","agency":"metro","kind":"patrol","capabilities":[1,2]}`,
		`{"call_sign":"X1","agency":"metro","kind":"patrol","capabilities":["a1","a2","a3","a4","a5","a6","a7","a8","a9","b1","b2","b3","b4","b5","b6","b7","b8"]}`,
		`{"call_sign":"X1","agency":"metro","kind":"patrol","status":"AVAILABLE"}`,
		`{"call_sign":12,"agency":"metro","kind":"patrol"}`,
	} {
		f.Add([]byte(s))
	}
	for _, s := range nearValid {
		f.Add([]byte(s))
	}
	ts := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) { fuzzBody(t, ts, "/api/v1/units", body) })
}
