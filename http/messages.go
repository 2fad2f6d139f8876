package http

import (
	"net/http"
	"slices"

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

// handleListMessages answers the messages the caller may see, oldest
// first: those they sent or that reach them, or their agency's dispatch
// desk if they are a dispatcher or supervisor. ?unit= lists a unit's
// instead (what was sent to it or as it): an officer is not tied to a unit
// in the API, so the unit view names the unit its officer picked; it must
// be a unit of the caller's agency (404 otherwise). ?since= (RFC 3339)
// keeps the messages sent after that time.
func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	unit := r.URL.Query().Get("unit")
	if err := s.engine.OwnUnit(a, unit); err != nil {
		s.writeError(w, r, err)
		return
	}
	out := s.engine.Messages(a, unit)
	if id := r.URL.Query().Get("id"); id != "" {
		out = slices.DeleteFunc(out, func(m dispatch.Message) bool { return m.ID != id })
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
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
