package http

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
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
	var m dispatch.Message
	s.engine.Read(func(st *dispatch.State) { m = messageView(st.Messages[id]) })
	created(w, res, "/api/v1/messages?id="+id, m)
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
	if err := s.ownUnit(a, unit); err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []dispatch.Message{}
	s.engine.Read(func(st *dispatch.State) {
		for _, m := range st.MessageList(a, unit) {
			out = append(out, messageView(m))
		}
	})
	if id := r.URL.Query().Get("id"); id != "" {
		out = slices.DeleteFunc(out, func(m dispatch.Message) bool { return m.ID != id })
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// ownUnit returns a not-found error unless unit is "" or a unit of the
// caller's agency.
func (s *Server) ownUnit(a dispatch.Actor, unit string) error {
	if unit == "" {
		return nil
	}
	var ok bool
	s.engine.Read(func(st *dispatch.State) {
		u, found := st.Units[unit]
		ok = found && u.Agency == a.Agency && a.Agency != ""
	})
	if !ok {
		return dispatch.Errorf(dispatch.ENOTFOUND, "unit %s does not exist", unit)
	}
	return nil
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
	var m dispatch.Message
	s.engine.Read(func(st *dispatch.State) { m = messageView(st.Messages[id]) })
	if len(res.Events) == 0 {
		writeJSON(w, http.StatusOK, m) // already acknowledged
		return
	}
	changed(w, res, m)
}

// messageView returns a copy of m that the caller may keep.
func messageView(m *dispatch.Message) dispatch.Message {
	c := *m
	c.To, c.Recipients = slices.Clone(m.To), slices.Clone(m.Recipients)
	c.Delivered, c.Read = cloneTimes(m.Delivered), cloneTimes(m.Read)
	return c
}

func cloneTimes[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// messageStream says whether a message event reaches a stream subscriber
// (a, speaking as unit if not ""): only the message's sender and its
// recipients receive its events; the leaf carries only the commitment of
// its text, which the console fetches through GET /api/v1/messages.
func (s *Server) messageStream(p engine.Published, a dispatch.Actor, unit string) bool {
	id := messageOf(p.Entry)
	visible := false
	s.engine.Read(func(st *dispatch.State) {
		if m, ok := st.Messages[id]; ok {
			visible = m.VisibleTo(a, unit)
		}
	})
	return visible
}

// messageOf returns the message a leaf's subject names, "" if none.
func messageOf(entry []byte) string {
	var env struct {
		Subject map[string]string `json:"subject"`
	}
	if json.Unmarshal(entry, &env) != nil {
		return ""
	}
	return env.Subject["message"]
}
