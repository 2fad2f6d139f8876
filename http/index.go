package http

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
)

//go:embed web
var web embed.FS

var indexTmpl = template.Must(template.ParseFS(web, "web/index.html"))

// handleIndex renders the public status page: the log and what is in it, no
// record of any agency.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	l := s.engine.Log()
	cp, msg := l.LatestCheckpoint()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	data := map[string]any{
		"Origin": l.Origin(), "Size": l.Size(), "CheckpointSize": cp.Size,
		"Checkpoint": string(msg), "Key": l.VerifierKey(),
		"LogURL": scheme + "://" + r.Host + "/log/",
	}
	c := s.engine.Counts()
	data["Agencies"], data["Units"], data["Available"], data["Incidents"] = c.Agencies, c.Units, c.Available, c.Incidents
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := indexTmpl.Execute(w, data); err != nil {
		s.logger.Error("render index", "err", err)
	}
}

var static = func() http.Handler {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FileServerFS(sub)
}()

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	static.ServeHTTP(w, r)
}

// ConsoleViews are the console's pages: each answers the console's shell
// (web/console/index.html), whose router draws the view of the path. "" is
// /console/ itself, which sends each user to the view of their role.
var ConsoleViews = []string{"", "login", "dispatch", "unit", "map", "supervise", "bolos", "reports", "history", "audit", "partners", "public"}

// consoleCSP is the console's Content-Security-Policy: its scripts, styles
// and connections only from this origin, nothing inline, nothing framed.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// consoleFile is one embedded file of the console, with its entity tag.
type consoleFile struct {
	body []byte
	etag string
}

// consoleFiles are the files under web/console, by their path below it,
// each tagged with a hash of its bytes: a browser revalidates them on every
// load (Cache-Control: no-cache) and gets 304 until the binary changes.
var consoleFiles = sync.OnceValue(func() map[string]consoleFile {
	out := map[string]consoleFile{}
	err := fs.WalkDir(web, "web/console", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "web/console/")] = consoleFile{body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return out
})

// consoleTypes are the media types of the console's files.
var consoleTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".json": "application/json",
}

// handleConsole serves the web console: its shell page for each of
// ConsoleViews, and its ES modules and styles. The files are public — what
// the console shows comes from the API, which checks who asks.
func (s *Server) handleConsole(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/console/")
	if slices.Contains(ConsoleViews, name) {
		name = "index.html"
	}
	f, ok := consoleFiles()[name]
	ctype := consoleTypes[path.Ext(name)]
	if !ok || ctype == "" || name == "index.html" && r.URL.Path == "/console/index.html" {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", s.consolePolicy())
	h.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.body)
}

// Health is what /healthz and /readyz answer, and `tenfour status` prints.
type Health struct {
	Status         string `json:"status"` // ok, following, lagging, degraded, read_only, failed
	Node           string `json:"node"`
	Role           string `json:"role"` // sequencer or follower
	Sequencer      string `json:"sequencer,omitempty"`
	SequencerURL   string `json:"sequencer_url,omitempty"`
	Epoch          int64  `json:"epoch,omitempty"`
	LogSize        int64  `json:"log_size"`        // events this node has verified and serves
	Head           int64  `json:"head"`            // events in the store
	Lag            int64  `json:"lag"`             // head − log_size
	CheckpointSize int64  `json:"checkpoint_size"` // the newest signed checkpoint this node serves
	Error          string `json:"error,omitempty"`
	// Snapshot is the size of the snapshot the node started from (none: it
	// replayed the whole log); Rechecked is how many of the events before
	// it the background verification has re-hashed so far.
	Snapshot  int64 `json:"snapshot,omitempty"`
	Rechecked int64 `json:"rechecked,omitempty"`
}

// maxReadyLag is how far behind the head a follower may be and still be
// ready to serve.
const maxReadyLag = 1000

func (s *Server) health(r *http.Request) Health {
	l := s.engine.Log()
	cp, _ := l.LatestCheckpoint()
	h := Health{Status: "ok", Node: l.Node(), Role: "follower", LogSize: l.Size(), CheckpointSize: cp.Size}
	if l.IsSequencer() {
		h.Role = "sequencer"
	}
	if lease := l.Lease(); lease != nil {
		h.Sequencer, h.SequencerURL, h.Epoch = lease.Node, lease.URL, lease.Epoch
	}
	if v := l.Verification(); v.Snapshot > 0 {
		h.Snapshot, h.Rechecked = v.Snapshot, v.Checked
	}
	head, err := l.Head(r.Context())
	if err != nil {
		h.Status, h.Error = "failed", "cannot read the store"
		s.logger.Error("health: log size", "err", err)
	}
	h.Head = max(head, h.LogSize)
	h.Lag = h.Head - h.LogSize
	if h.Status == "ok" && h.Lag > maxReadyLag {
		h.Status = "lagging"
	}
	if d := l.Degraded(); d != nil && h.Status == "ok" {
		// Commands get 503 with this code; reads go on.
		h.Status, h.Error = "degraded", d.Reason
	}
	if held := l.Held(); held != nil && h.Status == "ok" {
		// Reads go on; commands get 503 read_only until an operator acts.
		h.Status, h.Error = "read_only", held.Reason
	}
	if err := l.Err(); err != nil {
		h.Status, h.Error = "failed", "the log has stopped; restart the node"
	}
	return h
}

// handleHealthz says whether the node is alive: 200 unless its log has
// failed (then 503: restart it).
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	h := s.health(r)
	code := http.StatusOK
	if s.engine.Log().Err() != nil {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, h)
}

// handleReadyz says whether the node should get traffic: 200 when its log is
// sound, has a signed checkpoint and is at most maxReadyLag events behind the
// store's head; 503 otherwise.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	h := s.health(r)
	code := http.StatusOK
	// A degraded node still serves reads: it stays ready.
	if h.Status != "ok" && h.Status != "degraded" || h.CheckpointSize == 0 && h.Head > 0 {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, h)
}
