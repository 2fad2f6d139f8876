package http

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// EIDOConveyancePath is where partners open the WebSocket of the EIDO
// conveyance (NENA-STA-024.1a): under tenfour's EIDO base /eido/v1, the
// path NENA's subscribe/notify schema names ("/ent", below its
// "IncidentData" base).
const EIDOConveyancePath = "/eido/v1/ent"

// A Conveyance serves a partner's WebSocket of the EIDO conveyance as the
// actor the server authenticated (eido/conveyance.Notifier). It returns an
// error, which the server answers as problem+json, when it refuses the
// request before upgrading it: an invalid one (no WebSocket of its
// subprotocol) is a bad request, 400.
type Conveyance interface {
	ServeConveyance(w http.ResponseWriter, r *http.Request, a dispatch.Actor) error
}

// SetConveyance sets the EIDO notifier; without one the route answers 404.
// Set it before serving.
func (s *Server) SetConveyance(c Conveyance) { s.conveyance = c }

// handleEIDOConveyance hands an authenticated partner's WebSocket to the
// notifier: a bearer token (or a session) is checked, and refused with 401
// or 403, before any upgrade.
func (s *Server) handleEIDOConveyance(w http.ResponseWriter, r *http.Request) {
	if s.conveyance == nil {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "this node has no EIDO notifier"))
		return
	}
	if err := s.conveyance.ServeConveyance(w, r, actorOf(r)); err != nil {
		if dispatch.ErrorCode(err) == dispatch.EINVALID {
			err = badRequest(dispatch.ErrorMessage(err))
		}
		s.writeError(w, r, err)
	}
}

// SetPartnerCertificates pins partners' TLS client certificates to their
// accounts, by the SHA-256 (hex) of each certificate (mutual TLS): a
// request with neither a token nor a session, over a connection whose
// client certificate the TLS layer verified (tls.Config.ClientCAs) and that
// is pinned here, acts as that account. Set it before serving.
func (s *Server) SetPartnerCertificates(pins map[string]string) {
	s.partnerCerts = make(map[string]string, len(pins))
	for fp, user := range pins {
		s.partnerCerts[strings.ToLower(fp)] = user
	}
}

// partnerCertificate returns the account the request's verified client
// certificate is pinned to.
func (s *Server) partnerCertificate(r *http.Request) (string, bool) {
	if len(s.partnerCerts) == 0 || r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
		return "", false
	}
	sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
	user, ok := s.partnerCerts[hex.EncodeToString(sum[:])]
	return user, ok
}
