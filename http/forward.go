package http

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"time"

	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// A command one node forwards to another carries these headers: the node
// that forwarded it, the client address it forwarded for, the time, and an
// HMAC over them and the request's method and target under the nodes' shared
// secret (ledger.Key.NodeMAC), in relayMACHeader. Only a request whose MAC
// checks counts as forwarded (forwardedFrom): it is forwarded at most once,
// limited by the client address it names, and spared the cross-origin check
// that its first node made. Anything else is the client it is, whatever
// headers it sends.
const (
	forwardedHeader    = "Tenfour-Forwarded-By"
	forwardedForHeader = "Tenfour-Forwarded-For"
	forwardedAtHeader  = "Tenfour-Forwarded-At"
)

// forwardWindow is how old (or how far ahead) a forwarded request's time may
// be: the same as a relayed audit event's.
const forwardWindow = relayWindow

// A forwarding is what a node vouches for about a request it forwarded.
type forwarding struct {
	node   string // the forwarding node
	client string // the client's address, as clientAddr named it there
}

type forwardingKey struct{}

// forwardedFrom returns the forwarding of a request whose MAC was checked
// (Server.checkForwarded), or false for a request from a client.
func forwardedFrom(r *http.Request) (forwarding, bool) {
	f, ok := r.Context().Value(forwardingKey{}).(forwarding)
	return f, ok
}

// forwardMessage is what a forwarding node's MAC covers. Its prefix keeps it
// apart from a relayed audit event's body, a JSON object, under the same key.
func forwardMessage(method, target, node, client, at string) []byte {
	return []byte("tenfour forward\n" + method + "\n" + target + "\n" + node + "\n" + client + "\n" + at)
}

// signForwarded marks out as forwarded by node for client at now.
func signForwarded(out *http.Request, node, client string, now time.Time, mac func([]byte) []byte) {
	at := now.UTC().Format(time.RFC3339Nano)
	out.Header.Set(forwardedHeader, node)
	out.Header.Set(forwardedForHeader, client)
	out.Header.Set(forwardedAtHeader, at)
	out.Header.Set(relayMACHeader, hex.EncodeToString(mac(forwardMessage(out.Method, out.URL.RequestURI(), node, client, at))))
}

// verifyForwarded returns the forwarding r claims when its MAC checks and its
// time is within forwardWindow of now.
func verifyForwarded(r *http.Request, now time.Time, mac func([]byte) []byte) (forwarding, bool) {
	node, client, at := r.Header.Get(forwardedHeader), r.Header.Get(forwardedForHeader), r.Header.Get(forwardedAtHeader)
	if node == "" || client == "" || at == "" {
		return forwarding{}, false
	}
	sum, err := hex.DecodeString(r.Header.Get(relayMACHeader))
	if err != nil || !hmac.Equal(sum, mac(forwardMessage(r.Method, r.URL.RequestURI(), node, client, at))) {
		return forwarding{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if d := now.Sub(t); err != nil || d > forwardWindow || d < -forwardWindow {
		return forwarding{}, false
	}
	return forwarding{node: node, client: client}, true
}

// checkForwarded returns r, marked as forwarded when a node of this
// deployment forwarded it. A request that claims to be forwarded without a
// valid MAC is served as the client it is; the claim is noted at debug level.
func (s *Server) checkForwarded(r *http.Request) *http.Request {
	if r.Header.Get(forwardedHeader) == "" {
		return r
	}
	f, ok := verifyForwarded(r, s.clock(), s.engine.Log().NodeMAC)
	if !ok {
		s.logger.Debug("a request claims to be forwarded without a valid node MAC", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), forwardingKey{}, f))
}

// DefaultForwardTimeout is how long a node waits, at most, for the
// sequencer's answer to a command it forwarded (Server.ForwardTimeout): a
// command takes milliseconds on a live sequencer, and a sequencer that is
// stopped, not dead, accepts connections and answers nothing, until the
// lease passes to another node. The client hears 503 with Retry-After then,
// and sends the command again with its Idempotency-Key.
const DefaultForwardTimeout = 10 * time.Second

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
		if h := l.Held(); h != nil {
			// Restored from an older copy: this node must not sequence,
			// and passing the command on could reach a rival that does.
			s.writeError(w, r, &httpError{status: http.StatusServiceUnavailable, code: ledger.ReasonReadOnly, msg: h.Error()})
			return
		}
		timeout := s.ForwardTimeout
		if timeout <= 0 {
			timeout = DefaultForwardTimeout
		}
		if l.IsSequencer() && !s.awaitDecides(r.Context(), timeout) {
			if u := l.Refusal(); u != nil && l.IsSequencer() {
				// The store is full or away: say so, not "no sequencer".
				s.writeError(w, r, u)
				return
			}
			if l.IsSequencer() {
				w.Header().Set("Retry-After", "1")
				s.writeError(w, r, &httpError{status: http.StatusServiceUnavailable, code: "no_sequencer",
					msg: "this node could not renew the sequencer lease in time; the command was not done; try again in a moment"})
				return
			}
			// It lost the lease meanwhile: on to its holder, as a follower.
		}
		if l.IsSequencer() {
			// A command waits for the disk at most as long as a forwarded
			// one waits for the sequencer; then it is answered 503, to be
			// sent again with its Idempotency-Key (engine.WithDurableWait).
			next(w, r.WithContext(engine.WithDurableWait(r.Context(), timeout)))
			return
		}
		lease := l.Lease()
		_, forwarded := forwardedFrom(r)
		if lease == nil || lease.URL == "" || lease.Node == l.Node() || forwarded {
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
				signForwarded(pr.Out, l.Node(), clientAddr(r), s.clock(), l.NodeMAC)
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
		}
		// The sequencer's answer carries its own copies of the common headers.
		for k := range w.Header() {
			w.Header().Del(k)
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		proxy.ErrorHandler = func(w http.ResponseWriter, out *http.Request, err error) {
			if r.Context().Err() != nil {
				return // the client went away: nobody to answer
			}
			s.logger.Warn("forward to the sequencer", "sequencer", lease.URL, "err", err)
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				s.writeError(w, out, &ledger.NotSequencerError{Lease: lease})
				return
			}
			// The sequencer may have done the command before it stopped
			// answering: say so, unlike a sequencer that could not be reached.
			w.Header().Set("Retry-After", "1")
			s.writeError(w, out, &httpError{status: http.StatusServiceUnavailable, code: "no_sequencer",
				msg: fmt.Sprintf("the sequencer did not answer within %v; the command may have been recorded: send it again with the same Idempotency-Key", timeout)})
		}
		proxy.ServeHTTP(w, r.WithContext(ctx))
	}
}

// awaitDecides waits, at most timeout, until this sequencer may decide
// commands (ledger.Log.AwaitDecides). A sequencer whose lease went unrenewed
// past its term (it was paused, the database does not answer) waits for
// the renewal: another node may hold the lease by now, and this node's
// state may lack that node's events, so that even a refusal it answered
// could be wrong.
func (s *Server) awaitDecides(ctx context.Context, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return s.engine.Log().AwaitDecides(ctx)
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
