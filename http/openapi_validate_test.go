package http_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// bodyUnchecked lists, in this one place, the route patterns of the
// operations whose answers the response validator checks for status and
// content type only, with why: kin-openapi cannot decode their media type
// for a schema (binary, HTML, C2SP's text/x.tlog.size), or the body never
// ends. Plain-text answers (signed notes, keys) are checked whole, as
// strings.
var bodyUnchecked = map[string]string{
	"GET /api/v1/stream":           "an SSE stream (text/event-stream) that ends only when the client leaves",
	"GET /eido/v1/ent":             "a WebSocket upgrade (101): what follows is not HTTP",
	"GET /log/tile/":               "tlog tiles and entry bundles: binary (C2SP tlog-tiles)",
	"GET /api/v1/photos/{hash}":    "photos: binary images",
	"GET /static/":                 "the console's static files: images, scripts and styles as files",
	"GET /console/":                "the console's pages, ES modules and styles: text, not data",
	"GET /{$}":                     "the public status page: HTML",
	"POST /witness/add-checkpoint": "C2SP tlog-witness: a cosignature or a tree size as text lines",
}

// openAPIDoc is the OpenAPI document as kin-openapi reads it, loaded and
// checked once for the whole test binary.
var openAPIDoc = sync.OnceValues(func() (*openapi3.T, error) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	return doc, nil
})

// validateResponses wraps h so that every answer it gives in tb's test is
// checked against the OpenAPI document: a status the operation declares
// (or its default), a content type it declares for that status, and the
// body against that content's schema (except for the operations in
// bodyUnchecked). A mismatch fails tb with the operation, the status and
// the validator's message. Wrapping the handler rather than a client sees
// every request, whichever client a test sends it with.
func validateResponses(tb testing.TB, h *tenfourhttp.Server) http.Handler {
	tb.Helper()
	doc, err := openAPIDoc()
	if err != nil {
		tb.Fatal(err)
	}
	// The route table's own patterns find a request's operation, as the
	// server's ServeMux does.
	mux := http.NewServeMux()
	for _, rt := range h.Routes() {
		mux.Handle(rt.Pattern, http.NotFoundHandler())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		if pattern == "" {
			// Not a route: the server's own 404 or 405, which no
			// operation describes.
			h.ServeHTTP(w, r)
			return
		}
		v := &validation{tb: tb, doc: doc, req: r, pattern: pattern}
		rec := &recorder{ResponseWriter: w, v: v, bodyless: bodyUnchecked[pattern] != ""}
		h.ServeHTTP(rec, r)
		if !rec.hijacked {
			v.check(rec.status(), rec.Header(), rec.body.Bytes(), rec.bodyless)
		}
	})
}

// A validation checks one answer to one request.
type validation struct {
	tb      testing.TB
	doc     *openapi3.T
	req     *http.Request
	pattern string
	once    sync.Once
}

// check validates the answer once (a hijacked connection is checked when it
// is taken over, before its handler returns).
func (v *validation) check(status int, header http.Header, body []byte, bodyless bool) {
	v.once.Do(func() {
		if err := v.validate(status, header, body, bodyless); err != nil {
			v.tb.Errorf("OpenAPI: %s %s (%s) answered %d: %v", v.req.Method, v.req.URL.Path, v.pattern, status, err)
		}
	})
}

func (v *validation) validate(status int, header http.Header, body []byte, bodyless bool) error {
	method, path, _ := strings.Cut(v.pattern, " ")
	path = openAPIPath(path)
	item := v.doc.Paths.Value(path)
	if item == nil {
		return fmt.Errorf("no path %s in the document", path)
	}
	op := item.GetOperation(method)
	if op == nil {
		return fmt.Errorf("no operation %s %s in the document", method, path)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: v.req,
			Route:   &routers.Route{Spec: v.doc, Path: path, PathItem: item, Method: method, Operation: op},
		},
		Status:  status,
		Header:  header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: bodyless},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s: %w", op.OperationID, err)
	}
	if !bodyless || status == http.StatusNotModified || status == http.StatusSwitchingProtocols {
		return nil
	}
	// ValidateResponse stops before the content type when told to leave
	// the body alone: check it here.
	resp := op.Responses.Status(status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	if resp == nil || resp.Value == nil || len(resp.Value.Content) == 0 {
		return nil // no content declared, no type to check
	}
	ct := header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || resp.Value.Content.Get(mt) == nil {
		return fmt.Errorf("%s: content type %q is not declared for %d", op.OperationID, ct, status)
	}
	return nil
}

// A recorder passes an answer through and keeps its status and body. It
// flushes and hijacks as the connection does, so that SSE streams and
// WebSocket upgrades work through it.
type recorder struct {
	http.ResponseWriter
	v        *validation
	bodyless bool // keep no body: streams and files
	code     int
	body     bytes.Buffer
	hijacked bool
}

func (rec *recorder) status() int {
	if rec.code == 0 {
		return http.StatusOK
	}
	return rec.code
}

func (rec *recorder) WriteHeader(code int) {
	if rec.code == 0 && code >= 200 {
		rec.code = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	if !rec.bodyless {
		rec.body.Write(b)
	}
	return rec.ResponseWriter.Write(b)
}

// Flush flushes the connection; an endless stream is checked at its first
// flush, since its handler may outlive the test.
func (rec *recorder) Flush() {
	if rec.bodyless {
		rec.v.check(rec.status(), rec.Header(), nil, true)
	}
	http.NewResponseController(rec.ResponseWriter).Flush()
}

// Hijack hands the connection over (a WebSocket upgrade) after checking
// the answer so far: its handler runs on past the test's end.
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	rec.hijacked = true
	rec.v.check(http.StatusSwitchingProtocols, rec.Header(), nil, true)
	return http.NewResponseController(rec.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// TestOpenAPIOperations checks what a client generator needs of every
// operation: a unique lowerCamel operationId, tags, and for every response
// with content a schema that says something; and servers for the base URL.
func TestOpenAPIOperations(t *testing.T) {
	doc, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 {
		t.Error("the document has no servers")
	}
	lowerCamel := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			switch {
			case !lowerCamel.MatchString(op.OperationID):
				t.Errorf("%s: operationId = %q, want lowerCamel", name, op.OperationID)
			case ids[op.OperationID] != "":
				t.Errorf("%s: operationId %q is also %s's", name, op.OperationID, ids[op.OperationID])
			}
			ids[op.OperationID] = name
			if len(op.Tags) == 0 {
				t.Errorf("%s: no tags", name)
			}
			for code, r := range op.Responses.Map() {
				for mt, c := range r.Value.Content {
					if c.Schema == nil || emptySchema(c.Schema.Value) {
						t.Errorf("%s: the %s answer's %s schema is empty", name, code, mt)
					}
				}
			}
		}
	}
}

// emptySchema reports whether s accepts anything: no type, no reference,
// no composition and no constant.
func emptySchema(s *openapi3.Schema) bool {
	return s == nil || (s.Type == nil && len(s.AllOf) == 0 && len(s.AnyOf) == 0 && len(s.OneOf) == 0 &&
		s.Const == nil && len(s.Enum) == 0 && len(s.Properties) == 0 && s.Items == nil)
}

// TestValidateResponsesCatches checks that the response validator fails a
// test on an answer the document does not describe: a body that breaks its
// schema, an undeclared status, an undeclared content type.
func TestValidateResponsesCatches(t *testing.T) {
	doc, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for _, c := range []struct {
		name     string
		pattern  string
		status   int
		header   http.Header
		body     string
		bodyless bool
		want     string // in the failure, "" for none
	}{
		{"OK", "GET /api/v1/agencies/{id}/mutual-aid", 200, jsonHeader, `{"levels":[],"emergency":{"acknowledge_seconds":30,"decide_seconds":60},"urgent":{"acknowledge_seconds":60,"decide_seconds":120},"routine":{"acknowledge_seconds":300,"decide_seconds":600}}`, false, ""},
		{"ErrUnknownField", "GET /api/v1/incidents/{id}", 200, jsonHeader, `{"id":"I-1","nonsense":true}`, false, "doesn't match schema"},
		{"ErrMissingRequired", "GET /api/v1/incidents/{id}", 200, jsonHeader, `{"id":"I-1"}`, false, "doesn't match schema"},
		{"ErrStatus", "GET /healthz", 418, jsonHeader, `{}`, false, "status is not supported"},
		{"ErrContentType", "GET /api/v1/incidents/{id}", 200, http.Header{"Content-Type": {"text/plain"}}, `x`, false, "Content-Type"},
		{"ErrStreamContentType", "GET /api/v1/stream", 200, jsonHeader, ``, true, "content type"},
		{"OKStream", "GET /api/v1/stream", 200, http.Header{"Content-Type": {"text/event-stream"}}, ``, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &failures{TB: t}
			method, path, _ := strings.Cut(c.pattern, " ")
			req, _ := http.NewRequest(method, "http://tenfour.test"+strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "x"), "{$}", ""), nil)
			v := &validation{tb: rec, doc: doc, req: req, pattern: c.pattern}
			v.check(c.status, c.header, []byte(c.body), c.bodyless)
			got := strings.Join(rec.msgs, "\n")
			switch {
			case c.want == "" && got != "":
				t.Errorf("check(%s %d %s) failed the test: %s; want no failure", c.pattern, c.status, c.body, got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("check(%s %d %s) failed the test with %q, want a failure with %q", c.pattern, c.status, c.body, got, c.want)
			}
		})
	}
}

// failures is a testing.TB that keeps the failures reported to it.
type failures struct {
	testing.TB
	msgs []string
}

func (f *failures) Errorf(format string, args ...any) {
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}
