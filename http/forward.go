package http

import (
	"context"
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// forwardedHeader marks a command one node forwarded to another, so that a
// command is forwarded at most once.
const forwardedHeader = "Tenfour-Forwarded-By"

// logSizeHeader, on a command's answer, is the size of the log that holds all
// of the command's events: what a forwarding node waits to have read.
const logSizeHeader = "Tenfour-Log-Size"

// sequenced wraps a command's handler. Only the sequencer decides commands:
// on any other node the request goes, unread, to the sequencer named by the
// lease, and the answer comes back once this node has the command's events,
// so that the caller reads its own change here too. (docs/operations.md)
func (s *Server) sequenced(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := s.engine.Log()
		if l.IsSequencer() {
			next(w, r)
			return
		}
		lease := l.Lease()
		if lease == nil || lease.URL == "" || lease.Node == l.Node() || r.Header.Get(forwardedHeader) != "" {
			s.writeError(w, r, &ledger.NotSequencerError{Lease: lease})
			return
		}
		target, err := url.Parse(lease.URL)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		proxy := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.SetXForwarded()
				pr.Out.Header.Set(forwardedHeader, l.Node())
			},
			ModifyResponse: func(resp *http.Response) error {
				// The sequencer was reached over the nodes' own network; the
				// client reached this node over TLS, so its answer says so.
				if r.TLS != nil {
					resp.Header.Set("Strict-Transport-Security", hsts)
					secureCookies(resp.Header)
				}
				if size, err := strconv.ParseInt(resp.Header.Get(logSizeHeader), 10, 64); err == nil {
					s.waitFor(r.Context(), size)
				}
				return nil
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				s.logger.Warn("forward to the sequencer", "sequencer", lease.URL, "err", err)
				s.writeError(w, r, &ledger.NotSequencerError{Lease: lease})
			},
		}
		// The sequencer's answer carries its own copies of the common headers.
		for k := range w.Header() {
			w.Header().Del(k)
		}
		proxy.ServeHTTP(w, r)
	}
}

// waitFor waits, briefly, until this node has read the log up to size. It is
// best effort: a follower more than two seconds behind answers anyway, and
// the caller may not yet read its write here.
func (s *Server) waitFor(ctx context.Context, size int64) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for s.engine.Log().Size() < size {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// notSequencer answers a command this node cannot take or pass on: 503, to be
// retried shortly, when the sequencer is changing.
// A node that has just lost the lease (its append was fenced) answers the
// same way: the command did nothing.
func notSequencer(err error) (*httpError, bool) {
	var ns *ledger.NotSequencerError
	switch {
	case errors.As(err, &ns):
		return &httpError{status: http.StatusServiceUnavailable, code: "no_sequencer", msg: ns.Error() + "; try again in a moment"}, true
	case errors.Is(err, store.ErrFenced):
		return &httpError{status: http.StatusServiceUnavailable, code: "no_sequencer", msg: "this node has just lost the sequencer lease; the command was not recorded; try again in a moment"}, true
	}
	return nil, false
}

// secureCookies marks every cookie an answer sets as Secure.
func secureCookies(h http.Header) {
	lines := h.Values("Set-Cookie")
	if len(lines) == 0 {
		return
	}
	h.Del("Set-Cookie")
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue // a cookie that cannot be read is not passed on
		}
		c.Secure = true
		h.Add("Set-Cookie", c.String())
	}
}
