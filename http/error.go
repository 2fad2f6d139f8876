package http

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// codes maps domain error codes to HTTP statuses, in this one place.
var codes = map[string]int{
	dispatch.EINVALID:      http.StatusUnprocessableEntity,
	dispatch.ENOTFOUND:     http.StatusNotFound,
	dispatch.ECONFLICT:     http.StatusConflict,
	dispatch.EFORBIDDEN:    http.StatusForbidden,
	dispatch.EUNAUTHORIZED: http.StatusUnauthorized,
	dispatch.EINTERNAL:     http.StatusInternalServerError,
	auth.EOTPRequired:      http.StatusUnauthorized, // sign-in needs the one-time code too
	auth.EBusy:             http.StatusServiceUnavailable,
}

// A Problem is an RFC 9457 problem details object. Type is "about:blank", so
// Title is the status's text (RFC 9457 section 4.2.1); Code is tenfour's
// domain error code, an extension member.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	// Pointer is the JSON Pointer (RFC 6901) of the first fault in the
	// body, when the body was a document read field by field (an EIDO).
	Pointer *string `json:"pointer,omitempty"`
}

// writeError answers err as problem+json. A domain error shows its sentence;
// anything else is logged and shown as "internal error", never its text.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := dispatch.ErrorCode(err)
	status, ok := codes[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == auth.EBusy {
		// Every password check slot is taken; one is free within a
		// check's time, well under a second (RFC 9110 section 10.2.3).
		w.Header().Set("Retry-After", "1")
	}
	var he *httpError
	if ns, ok := notSequencer(err); ok {
		he = ns
		w.Header().Set("Retry-After", "1")
	}
	if u, ok := unavailable(err); ok {
		he = u
		w.Header().Set("Retry-After", retryAfter(err))
	}
	if he != nil || errors.As(err, &he) {
		status, code = he.status, he.code
	}
	if status == http.StatusInternalServerError && store.Unreachable(err) {
		// The store could not be reached (a token looked up while the
		// database restarts): not a fault of the server's, and it passes.
		s.logger.Warn("request failed: the store does not answer", "method", r.Method, "path", r.URL.Path, "err", err)
		status, code, he = http.StatusServiceUnavailable, ledger.ReasonStoreUnavailable, &httpError{
			msg: "the store could not be reached; try again in a moment (a command with the same Idempotency-Key)"}
		w.Header().Set("Retry-After", "1")
	}
	if status == http.StatusInternalServerError {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	detail := dispatch.ErrorMessage(err)
	if he != nil {
		detail = he.msg
	}
	writeProblem(w, r, status, code, detail)
}

func writeProblem(w http.ResponseWriter, r *http.Request, status int, code, detail string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tenfour"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status,
		Detail: detail, Instance: r.URL.Path, Code: code,
	})
}

// An httpError is a failure of the request itself (its syntax, size or media
// type) rather than of the domain.
type httpError struct {
	status int
	code   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(msg string) error {
	return &httpError{status: http.StatusBadRequest, code: "bad_request", msg: msg}
}

// unavailable answers a command the store cannot record for now (it is
// full, or does not answer): 503 with the reason as its code, storage_full
// or store_unavailable, and Retry-After. Reads go on meanwhile.
func unavailable(err error) (*httpError, bool) {
	var u *ledger.UnavailableError
	if !errors.As(err, &u) {
		return nil, false
	}
	msg := "the store does not answer; the command was not recorded; try again in a moment"
	if u.Reason == ledger.ReasonStorageFull {
		msg = "the store is full; the command was not recorded; try again once space is freed"
	}
	if u.Unknown {
		msg = "the store has not yet recorded the command; it may still be: send it again with the same Idempotency-Key"
	}
	return &httpError{status: http.StatusServiceUnavailable, code: u.Reason, msg: msg}, true
}

// retryAfter is an UnavailableError's RetryAfter in whole seconds, at least
// one (RFC 9110 section 10.2.3).
func retryAfter(err error) string {
	var u *ledger.UnavailableError
	errors.As(err, &u)
	return strconv.Itoa(max(1, int(math.Ceil(u.RetryAfter.Seconds()))))
}
