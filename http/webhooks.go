package http

import (
	"net/http"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/webhook"
)

// Webhooks (docs/webhooks.md): an agency's administrators, or the
// installation's, subscribe a partner system's URL to the agency's
// events; the sequencer sends them, signed (package webhook).

// webhookRequest is the body of POST /api/v1/webhooks.
type webhookRequest struct {
	Agency string   `json:"agency"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// handleCreateWebhook subscribes a URL to an agency's events and answers
// 201 with the subscription and its secret, the one time it is shown.
// An agency's administrator may leave agency out: their own.
func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.keepsWebhooks(w, r) {
		return
	}
	var req webhookRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if req.Agency == "" {
		if a.Agency == "" {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "agency is required: the agency whose events are sent"))
			return
		}
		req.Agency = a.Agency
	}
	sub, secret, err := s.webhooks.Subscribe(r.Context(), a, req.Agency, req.URL, req.Events)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+sub.ID)
	writeJSON(w, http.StatusCreated, struct {
		webhook.Subscription
		Secret string `json:"secret"`
	}{sub, secret})
}

// handleListWebhooks lists the subscriptions the caller keeps, newest
// first, a page at a time: an agency's administrator's agency's, the
// installation administrator's of every agency or of ?agency=.
func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) {
	if !s.keepsWebhooks(w, r) {
		return
	}
	v := r.URL.Query()
	if err := onlyParams(v, []string{"agency", "before", "limit"}); err != nil {
		s.writeError(w, r, err)
		return
	}
	before, limit, err := pageParams(v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	subs, next, err := s.webhooks.List(r.Context(), actorOf(r), v.Get("agency"), before, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": subs})
}

// handleGetWebhook answers one subscription, without its secret.
func (s *Server) handleGetWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.keepsWebhooks(w, r) {
		return
	}
	sub, err := s.webhooks.Get(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sub)
}

// handleDeleteWebhook ends a subscription: nothing more is sent to it.
func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.keepsWebhooks(w, r) {
		return
	}
	if err := s.webhooks.Unsubscribe(r.Context(), actorOf(r), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleWebhookDeliveries lists a subscription's deliveries, newest
// first, a page at a time: each event's attempts, last answer and next
// attempt.
func (s *Server) handleWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	if !s.keepsWebhooks(w, r) {
		return
	}
	v := r.URL.Query()
	if err := onlyParams(v, []string{"before", "limit"}); err != nil {
		s.writeError(w, r, err)
		return
	}
	before, limit, err := pageParams(v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, next, err := s.webhooks.Deliveries(r.Context(), actorOf(r), r.PathValue("id"), before, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

// keepsWebhooks reports whether this server's store keeps webhooks, and
// answers 501 if it does not (a store of tests, or of tools).
func (s *Server) keepsWebhooks(w http.ResponseWriter, r *http.Request) bool {
	if s.webhooks == nil {
		writeProblem(w, r, http.StatusNotImplemented, "not_implemented", "this node's store keeps no webhooks")
		return false
	}
	return true
}
