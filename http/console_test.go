package http_test

import (
	"net/http"
	"path"
	"regexp"
	"strings"
	"testing"

	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// The console's files: each view's path answers the shell page with the
// console's Content-Security-Policy; every module the shell loads, and every
// module those import, is there as JavaScript; none writes markup from
// strings (innerHTML), and the shell has no inline script or style. What the
// console does in a browser is cmd/tenfour's TestConsole.
func TestConsoleFiles(t *testing.T) {
	ts := MustOpenServer(t)
	for _, v := range tenfourhttp.ConsoleViews {
		r := ts.Do(t, "GET", "/console/"+v, "", nil)
		csp := r.Header.Get("Content-Security-Policy")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET /console/%s = %d %s, CSP %q; want 200, the shell page, script-src 'self' and nothing inline", v, r.Status, r.Header.Get("Content-Type"), csp)
		}
	}
	shell := string(ts.Do(t, "GET", "/console/", "", nil).Body)
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(shell) || strings.Contains(shell, " style=") ||
		regexp.MustCompile(`\son[a-z]+=`).MatchString(shell) {
		t.Error("the console's shell page has an inline script, style or event handler")
	}
	for _, p := range []string{"/console/nope", "/console/nope.js", "/console/index.html", "/console/views/"} {
		if r := ts.Do(t, "GET", p, "", nil); r.Status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, r.Status)
		}
	}

	// Follow the modules from the shell.
	refs := regexp.MustCompile(`(?:src|href)="(/console/[^"]+)"`).FindAllStringSubmatch(shell, -1)
	var queue []string
	for _, m := range refs {
		queue = append(queue, m[1])
	}
	if len(queue) < 2 {
		t.Fatalf("the shell page loads %q, want the stylesheet and app.js", queue)
	}
	imports := regexp.MustCompile(`(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}/[^']+)'`)
	seen := map[string]bool{}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		r := ts.Do(t, "GET", p, "", nil)
		want := map[string]string{".js": "text/javascript", ".css": "text/css"}[path.Ext(p)]
		if r.Status != http.StatusOK || want == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s = %d %s, want 200 %s", p, r.Status, r.Header.Get("Content-Type"), want)
			continue
		}
		if etag := r.Header.Get("ETag"); etag == "" || r.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: ETag %q, Cache-Control %q; want an ETag and no-cache", p, etag, r.Header.Get("Cache-Control"))
		} else if again := ts.DoWith(t, "GET", p, nil, func(req *http.Request) { req.Header.Set("If-None-Match", etag) }); again.Status != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: its ETag = %d, want 304", p, again.Status)
		}
		if path.Ext(p) != ".js" {
			continue
		}
		if strings.Contains(string(r.Body), "innerHTML") || strings.Contains(string(r.Body), "insertAdjacentHTML") {
			t.Errorf("%s writes markup from a string; build elements with dom.js's h", p)
		}
		for _, m := range imports.FindAllStringSubmatch(string(r.Body), -1) {
			queue = append(queue, path.Join(path.Dir(p), m[1]))
		}
	}
	for _, want := range []string{"/console/app.js", "/console/stream.js", "/console/store.js", "/console/views/dispatch.js", "/console/views/unit.js", "/console/views/map.js", "/console/views/login.js"} {
		if !seen[want] {
			t.Errorf("the console never loads %s", want)
		}
	}
}
