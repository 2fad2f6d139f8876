package http

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/engine"
)

// streamPage bounds how many past events one read from the log fetches while
// a resuming subscriber catches up.
const streamPage = 1024

// handleStream serves the durable events as Server-Sent Events (the HTML
// Living Standard's text/event-stream): each event's id is its log sequence
// number, its event name its type, and its data the exact leaf bytes, which
// the subscriber can check against the log. A reconnecting client sends
// Last-Event-ID (or ?from=SEQ) and resumes with no gap and no duplicate.
// Events are filtered by the one visibility rule (dispatch.StreamVisible).
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	// ResponseController reaches the connection's Flush through wrappers.
	flusher := http.NewResponseController(w)
	from := int64(-1)
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id < -1 {
			s.writeError(w, r, badRequest("Last-Event-ID must be an event's sequence number"))
			return
		}
		from = id + 1
	} else if v := r.URL.Query().Get("from"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			s.writeError(w, r, badRequest("from must be a sequence number"))
			return
		}
		from = id
	}
	a := actorOf(r)
	// ?unit= also delivers the messages of a unit of the caller's agency
	// (messages.go), as GET /api/v1/messages?unit= lists them.
	unit := r.URL.Query().Get("unit")
	if err := s.engine.OwnUnit(a, unit); err != nil {
		s.writeError(w, r, err)
		return
	}
	sub, next := s.engine.Subscribe()
	defer sub.Close()
	if from < 0 || from > next {
		from = next // only what happens from now on
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")

	send := func(p engine.Published) error {
		// The one rule of the API (dispatch.StreamVisible): the events of
		// the agencies the caller sees, a message's only to its sender and
		// recipients.
		if !s.engine.StreamVisible(p, a, unit) {
			return nil
		}
		_, err := w.Write(p.Frame)
		return err
	}
	// Catch up from the log: the events before the subscription began.
	for from < next {
		end := min(from+streamPage, next)
		ps, err := s.engine.Published(r.Context(), from, end)
		if err != nil {
			s.logger.Error("stream: read the log", "from", from, "err", err)
			return
		}
		for _, p := range ps {
			if send(p) != nil {
				return
			}
		}
		from = end
		flusher.Flush()
	}
	flusher.Flush()

	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case p, ok := <-sub.C:
			if !ok {
				return // fell behind; the client resumes with Last-Event-ID
			}
			if send(p) != nil {
				return
			}
			// Send what has queued up in one flush.
			for n := len(sub.C); n > 0; n-- {
				if p, ok = <-sub.C; !ok || send(p) != nil {
					return
				}
			}
			flusher.Flush()
		case <-keepalive.C:
			if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}
