package http

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/tenfour-cad/tenfour/federation"
)

// SetFederation makes the server receive its peers' messages (POST
// /federation/v1/messages) with in, and serve its events' evidence to them
// and cross-installation bundles to its users with b. Set it before
// serving; without it those routes answer 404.
func (s *Server) SetFederation(in *federation.Inbox, b *federation.Builder) {
	s.inbox, s.builder = in, b
}

// handleFederationMessage receives one sealed message of a peer and
// answers its signed receipt. The signature is the authentication: a
// message that is not a peer's, not signed by its log's key or whose
// proofs do not hold is refused and nothing is recorded.
func (s *Server) handleFederationMessage(w http.ResponseWriter, r *http.Request) {
	if s.inbox == nil {
		writeProblem(w, r, http.StatusNotFound, "not_found", "this installation takes no messages from partners")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, federation.MaxMessageSize))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeProblem(w, r, http.StatusRequestEntityTooLarge, "too_large", "a message is at most "+strconv.Itoa(federation.MaxMessageSize)+" bytes")
		return
	}
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "invalid", "read the message: "+err.Error())
		return
	}
	receipt, err := s.inbox.Receive(r.Context(), data)
	if err != nil {
		status, code := http.StatusServiceUnavailable, "unavailable"
		switch {
		case errors.Is(err, federation.ErrTooLarge):
			status, code = http.StatusRequestEntityTooLarge, "too_large"
		case errors.Is(err, federation.ErrMalformed):
			status, code = http.StatusBadRequest, "invalid"
		case errors.Is(err, federation.ErrSignature), errors.Is(err, federation.ErrUnknownPeer):
			status, code = http.StatusForbidden, "forbidden"
		case errors.Is(err, federation.ErrEvidence):
			status, code = http.StatusUnprocessableEntity, "invalid"
		default:
			s.logger.Warn("federation: a message could not be recorded", "err", err)
			w.Header().Set("Retry-After", "1")
			writeProblem(w, r, status, code, "the message could not be recorded now; send it again")
			return
		}
		writeProblem(w, r, status, code, err.Error())
		return
	}
	w.Header().Set("Content-Type", federation.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(receipt)
}

// handleFederationEvidence serves the proofs of events of this log under
// its newest cosigned checkpoint, for a partner's cross-installation
// bundle. The log is public; so are these.
func (s *Server) handleFederationEvidence(w http.ResponseWriter, r *http.Request) {
	if s.builder == nil {
		writeProblem(w, r, http.StatusNotFound, "not_found", "this installation serves no federation evidence")
		return
	}
	q := r.URL.Query()["seq"]
	if len(q) == 0 || len(q) > federation.MaxEvidenceSeqs {
		writeProblem(w, r, http.StatusBadRequest, "invalid", "name 1 to "+strconv.Itoa(federation.MaxEvidenceSeqs)+" events: ?seq=N&seq=M")
		return
	}
	size := s.engine.Log().Size()
	seqs := make([]int64, 0, len(q))
	for _, v := range q {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n >= size {
			writeProblem(w, r, http.StatusBadRequest, "invalid", "seq "+strconv.Quote(v)+" is not an event of this log of "+strconv.FormatInt(size, 10))
			return
		}
		seqs = append(seqs, n)
	}
	b, err := s.builder.Evidence(r.Context(), "", seqs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := b.Encode()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	logHeaders(w)
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}
