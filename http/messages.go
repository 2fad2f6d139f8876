package http

import (
	"net/http"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// messageBody is the body of POST /api/v1/messages.
type messageBody struct {
	FromUnit string   `json:"from_unit"`
	To       []string `json:"to"`
	Text     string   `json:"text"`
	Priority bool     `json:"priority"`
}

// handleSendMessage sends a message (dispatch.SendMessage).
func (s *Server) handleSendMessage(w http.ResponseWriter, r *http.Request) {
	var body messageBody
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	// District addressees are resolved by the engine, from the units'
	// positions and the map.
	cmd := dispatch.SendMessage{FromUnit: body.FromUnit, To: body.To, Text: body.Text, Priority: body.Priority}
	res, err := s.engine.Execute(r.Context(), a, cmd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.Events[0].Subject["message"]
	m, err := s.engine.Message(a, body.FromUnit, id)
	s.createdAs(w, r, res, "/api/v1/messages?id="+id, m, err)
}

// handleListMessages answers a page of the messages the caller may see,
// newest first (engine.MessagePage; paged as the incident list is,
// http/pages.go): those they sent or that reach them, or their agency's
// dispatch desk if they are a dispatcher or supervisor, from memory and
// the archive. ?unit= lists a unit's instead (what was sent to it or as
// it): an officer is not tied to a unit in the API, so the unit view names
// the unit its officer picked; it must be a unit of the caller's agency
// (404 otherwise). ?id= keeps that one; ?from= and ?to= the messages sent
// in that range.
func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) {
	q, err := messageQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if err := s.engine.OwnUnit(a, q.Unit); err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.engine.MessagePage(r.Context(), a, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	linkNext(w, r, page.Next)
	writeJSON(w, http.StatusOK, map[string]any{"messages": page.Messages})
}

// receiptBody is the body of the receipt routes: the unit the caller
// acknowledges for, if any.
type receiptBody struct {
	Unit string `json:"unit"`
}

// handleMessageDelivered records that the caller's console has the message.
func (s *Server) handleMessageDelivered(w http.ResponseWriter, r *http.Request) {
	s.ackMessage(w, r, false)
}

// handleMessageRead records that the message was seen on the caller's
// console.
func (s *Server) handleMessageRead(w http.ResponseWriter, r *http.Request) {
	s.ackMessage(w, r, true)
}

func (s *Server) ackMessage(w http.ResponseWriter, r *http.Request, read bool) {
	var body receiptBody
	if r.ContentLength != 0 {
		if err := decode(w, r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	a := actorOf(r)
	id := r.PathValue("id")
	res, err := s.engine.Execute(r.Context(), a, dispatch.AckMessage{Message: id, Unit: body.Unit, Read: read})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.engine.Message(a, body.Unit, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(res.Events) == 0 {
		writeJSON(w, http.StatusOK, m) // already acknowledged
		return
	}
	changed(w, res, m)
}
