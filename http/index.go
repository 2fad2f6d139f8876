package http

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/tenfour-cad/tenfour/dispatch"
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
	s.engine.Read(func(st *dispatch.State) {
		avail := 0
		for _, u := range st.Units {
			if u.Status == dispatch.StatusAvailable {
				avail++
			}
		}
		data["Agencies"], data["Units"], data["Available"], data["Incidents"] = len(st.Agencies), len(st.Units), avail, len(st.Incidents)
	})
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

// handleHealthz says the node is up and how far its log is.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	l := s.engine.Log()
	cp, _ := l.LatestCheckpoint()
	status, code := "ok", http.StatusOK
	if err := l.Err(); err != nil {
		status, code = "failed", http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"status": status, "log_size": l.Size(), "checkpoint_size": cp.Size})
}
