package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// alerters may acknowledge an alert: those on duty, of an agency. An
// auditor reads the record afterwards, an administrator keeps accounts;
// neither is the one an alert calls (dispatch.AcknowledgeAlert).
var alerters = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer, dispatch.RoleLiaison}

// alertAcknowledgement is the answer to an acknowledgement: its own
// sequence number, the alert's, and who saw it when.
type alertAcknowledgement struct {
	Seq       int64     `json:"seq"`
	Alert     int64     `json:"alert"`
	AlertType string    `json:"alert_type"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// handleAcknowledgeAlert records that the caller saw the alert raised by
// the event at sequence number {seq} (alert.acknowledged).
func (s *Server) handleAcknowledgeAlert(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq < 0 {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "%q is not the sequence number of an event", r.PathValue("seq")))
		return
	}
	a := actorOf(r)
	res, err := s.engine.Execute(r.Context(), a, dispatch.AcknowledgeAlert{Seq: seq})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ev := res.Events[0]
	d, _ := ev.Data.(*dispatch.AlertAcknowledged)
	setSeq(w, res)
	writeJSON(w, http.StatusCreated, alertAcknowledgement{Seq: res.First, Alert: d.Alert, AlertType: d.AlertType, By: ev.Actor.User, At: ev.Time})
}
