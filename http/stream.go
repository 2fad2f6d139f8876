package http

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
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
	release, ok := s.streams.open(a, s.StreamsPerUser, s.StreamsPerNode)
	if !ok {
		// A stream holds a connection, a goroutine and a subscriber's
		// queue for as long as it lasts: one caller may not hold the node's.
		s.metrics.RateLimited("streams")
		w.Header().Set("Retry-After", strconv.Itoa(streamRetryAfter))
		writeProblem(w, r, http.StatusTooManyRequests, "too_many_streams",
			fmt.Sprintf("too many event streams are open (at most %d per user, %d on this node); close one, or try again in %d s", s.StreamsPerUser, s.StreamsPerNode, streamRetryAfter))
		return
	}
	defer release()
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

// Default caps on open event streams (Server.StreamsPerUser,
// Server.StreamsPerNode): a console and a few tablets each for one user,
// and every user of a large centre on one node.
const (
	DefaultStreamsPerUser = 20
	DefaultStreamsPerNode = 2000
)

// streamRetryAfter is the Retry-After of a refused stream, in seconds: a
// closed stream frees its place at once, and a client's reconnection
// (retry: 1000) should not hammer the node meanwhile.
const streamRetryAfter = 5

// streamCounts counts the open event streams, per user and in all.
type streamCounts struct {
	mu     sync.Mutex
	byUser map[string]int
	total  int
}

// open takes a place for a's stream under the caps (zero: no cap) and
// returns the function that gives it back, or reports false when a cap is
// reached. A user is counted across all its sessions and tokens.
func (c *streamCounts) open(a dispatch.Actor, perUser, perNode int) (func(), bool) {
	key := a.User
	if key == "" {
		key = "system:" + a.System
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if perNode > 0 && c.total >= perNode || perUser > 0 && c.byUser[key] >= perUser {
		return nil, false
	}
	if c.byUser == nil {
		c.byUser = make(map[string]int)
	}
	c.byUser[key]++
	c.total++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.byUser[key]--; c.byUser[key] <= 0 {
				delete(c.byUser, key)
			}
			c.total--
		})
	}, true
}
