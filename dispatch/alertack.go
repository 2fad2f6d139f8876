package dispatch

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Acknowledging an alert (issue 14, "Alerts that are heard and
// acknowledged on the record"): who saw an alert, and when, is a fact of
// the log like any other, not a flag in one browser. An alert is an event
// of the log; the acknowledgement names it by its sequence number.

// TypeAlertAcknowledged is the event of a person acknowledging an alert.
const TypeAlertAcknowledged = "alert.acknowledged"

// alertTypes are the event types that are alerts whatever their payload;
// unit.status_changed (to EMERGENCY) and assist.requested (EMERGENCY) are
// alerts by their payload (IsAlert).
var alertTypes = []string{
	TypeIncidentPending, TypeSafetyCheck,
	TypeAssistEscalated, TypeAssistConflict, TypeAssistUnitLeft,
	TypeWitnessFork, TypeWitnessForkReported,
}

// alertSubjects are the subject keys an acknowledgement copies from its
// alert, so that it is part of the timelines its alert is part of
// (TimelineMembers) and reaches the same stream subscribers.
var alertSubjects = []string{"incident", "unit", "request", "agencies"}

// IsAlert reports whether event ev is an alert: one the consoles raise to
// their users and that a person may acknowledge.
func IsAlert(ev Event) bool {
	switch d := ev.Data.(type) {
	case *UnitStatusChanged:
		return d.Status == StatusEmergency
	case *AssistRequested:
		return d.Urgency == UrgencyEmergency
	}
	return slices.Contains(alertTypes, ev.Type)
}

// AlertAcknowledged is the payload of alert.acknowledged: the alert's
// sequence number and type. Who saw it is the event's actor, when is the
// event's time; the subject copies the alert's.
type AlertAcknowledged struct {
	Alert     int64  `json:"alert"`
	AlertType string `json:"alert_type"`
}

// AcknowledgeAlert records that the actor saw the alert raised by the event
// at sequence number Seq. The domain holds no log: the engine looks the
// event up before deciding and hands it over as Alert (nil when the log
// has no event Seq), whatever the entrance.
//
// There is no dedupe: each acknowledgement is a person seeing an alert at a
// time, and a second one by the same person (on another screen, or later)
// is a fact too. The console sends one per user and alert, and a retried
// request carries the same Idempotency-Key, which the API answers with its
// first answer, so a retry makes no second event.
type AcknowledgeAlert struct {
	Seq   int64
	Alert *Event
}

// Decide implements Command. Only a signed-in person of an agency who is on
// duty may acknowledge: not the system, not an auditor (who reads the
// record afterwards), not an administrator. An alert the actor may not see
// (StreamVisible) is not found, as any record of others is.
func (c AcknowledgeAlert) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if actor.IsSystem() || actor.User == "" || actor.Agency == "" {
		return nil, Errorf(EFORBIDDEN, "an alert is acknowledged by a signed-in person of an agency")
	}
	if actor.Role == RoleAuditor || actor.Role == RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "an alert is acknowledged by those on duty, not in the role %s", actor.Role)
	}
	notFound := Errorf(ENOTFOUND, "there is no event %d", c.Seq)
	al := c.Alert
	if al == nil || c.Seq < 0 {
		return nil, notFound
	}
	env := Envelope{Type: al.Type, Agency: al.Agency, Message: al.Subject["message"]}
	if also := al.Subject["agencies"]; also != "" {
		env.Also = strings.Split(also, ",")
	}
	if !StreamVisible(s, env, actor, "") {
		return nil, notFound
	}
	if !IsAlert(*al) {
		return nil, Errorf(EINVALID, "event %d is not an alert", c.Seq)
	}
	subject := map[string]string{"alert": strconv.FormatInt(c.Seq, 10)}
	for _, k := range alertSubjects {
		if v, ok := al.Subject[k]; ok && v != "" {
			subject[k] = v
		}
	}
	// The acknowledgement is of the alert's agency, so that it reaches
	// whoever the alert reached, and no one else.
	return []Event{{
		Time: now, Type: TypeAlertAcknowledged, Agency: al.Agency, Actor: actor,
		Subject: subject,
		Data:    &AlertAcknowledged{Alert: c.Seq, AlertType: al.Type},
	}}, nil
}
