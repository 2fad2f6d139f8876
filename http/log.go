package http

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// A logServer serves a ledger as C2SP tlog-tiles. It needs nothing but the
// log, so that a read-only mirror or a benchmark can serve it alone.
type logServer struct {
	log    *ledger.Log
	logger *slog.Logger
}

func (s *logServer) routes() []Route {
	return []Route{
		{"GET /log/checkpoint", nil, s.handleCheckpoint},
		{"GET /log/key", nil, s.handleKey},
		{"GET /log/tile/", nil, s.handleTile},
	}
}

// LogHandler serves only the log l under /log/.
func LogHandler(l *ledger.Log, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &logServer{log: l, logger: logger}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.HandleFunc(rt.Pattern, rt.Handler)
	}
	return mux
}

// The log is public and read by browsers of other origins (auditors' pages,
// witnesses), so its resources allow any origin; they carry no credentials.
func logHeaders(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
}

// handleCheckpoint serves the newest signed checkpoint (C2SP tlog-checkpoint).
func (s *logServer) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	_, msg := s.log.LatestCheckpoint()
	logHeaders(w)
	if msg == nil {
		http.Error(w, "no signed checkpoint yet", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(msg)
}

// handleKey serves the note verifier key of the log, one line of text.
func (s *logServer) handleKey(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write([]byte(s.log.VerifierKey() + "\n"))
}

// handleTile serves C2SP tlog-tiles hash tiles and entry bundles. Full tiles
// never change and are cached for a year; partial tiles only briefly.
func (s *logServer) handleTile(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	p, err := ledger.ParseTilePath(strings.TrimPrefix(r.URL.Path, "/log/"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	data, err := s.log.ReadTile(r.Context(), p)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no such tile in the log yet: "+p.String(), http.StatusNotFound)
		return
	}
	if err != nil {
		s.logger.Error("read tile", "tile", p.String(), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if p.W == ledger.TileWidth {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=1")
	}
	w.Write(data)
}
