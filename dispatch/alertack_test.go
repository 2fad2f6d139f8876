package dispatch_test

import (
	"maps"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// alertEvents are one event of each kind an acknowledgement meets, as the
// engine hands them over: alerts of metro's, one of a request federal made
// of metro (its agencies both), and events that are no alerts.
func alertEvents(at time.Time) map[string]dispatch.Event {
	ev := func(typ, agency string, subject map[string]string, data any) dispatch.Event {
		return dispatch.Event{Time: at, Type: typ, Agency: agency, Actor: dispatch.Actor{System: "timers"}, Subject: subject, Data: data}
	}
	rq := map[string]string{"request": "federal-2026-r000001", "agencies": "federal,metro"}
	return map[string]dispatch.Event{
		"pending": ev(dispatch.TypeIncidentPending, "metro", map[string]string{"incident": "metro-2026-000001"},
			&dispatch.IncidentPendingAlert{Incident: "metro-2026-000001", Priority: 1, PendingSeconds: 60}),
		"safety": ev(dispatch.TypeSafetyCheck, "metro", map[string]string{"unit": "metro.1a1", "incident": "metro-2026-000001"},
			&dispatch.SafetyCheckAlert{Unit: "metro.1a1", Incident: "metro-2026-000001", OnSceneSeconds: 1200}),
		"emergency": ev(dispatch.TypeUnitStatusChanged, "metro", map[string]string{"unit": "metro.1a1", "request": "metro-2026-r000001"},
			&dispatch.UnitStatusChanged{Unit: "metro.1a1", Status: dispatch.StatusEmergency, Previous: dispatch.StatusAvailable}),
		"busy": ev(dispatch.TypeUnitStatusChanged, "metro", map[string]string{"unit": "metro.1a1"},
			&dispatch.UnitStatusChanged{Unit: "metro.1a1", Status: dispatch.StatusBusy, Previous: dispatch.StatusAvailable}),
		"requested-emergency": ev(dispatch.TypeAssistRequested, "federal", rq,
			&dispatch.AssistRequested{AssistRef: dispatch.AssistRef{Request: "federal-2026-r000001", FromAgency: "federal", ToAgency: "metro", Urgency: dispatch.UrgencyEmergency}}),
		"requested-routine": ev(dispatch.TypeAssistRequested, "federal", rq,
			&dispatch.AssistRequested{AssistRef: dispatch.AssistRef{Request: "federal-2026-r000001", FromAgency: "federal", ToAgency: "metro", Urgency: dispatch.UrgencyRoutine}}),
		"escalated": ev(dispatch.TypeAssistEscalated, "federal", rq, &dispatch.AssistEscalated{}),
		"conflict":  ev(dispatch.TypeAssistConflict, "federal", rq, &dispatch.AssistConflict{}),
		"unit-left": ev("assist.unit_left", "federal", rq, nil),
		"accepted":  ev(dispatch.TypeAssistAccepted, "federal", rq, &dispatch.AssistAccepted{}),
		"created":   ev(dispatch.TypeIncidentCreated, "metro", map[string]string{"incident": "metro-2026-000001"}, &dispatch.IncidentCreated{ID: "metro-2026-000001"}),
		"sheriffs":  ev(dispatch.TypeIncidentPending, "sheriff", map[string]string{"incident": "sheriff-2026-000001"}, &dispatch.IncidentPendingAlert{Incident: "sheriff-2026-000001"}),
		"message":   ev(dispatch.TypeMessageSent, "metro", map[string]string{"message": "metro-m1"}, &dispatch.MessageSent{}),
	}
}

func TestAcknowledgeAlert(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	now := at.Add(time.Minute)
	person := func(agency, role string) dispatch.Actor {
		return dispatch.Actor{User: role + "-" + agency, Agency: agency, Role: role, Roles: []string{role}}
	}
	evs := alertEvents(at)
	tests := []struct {
		name  string
		event string // "" for a seq beyond the log
		actor dispatch.Actor
		code  string // "" for success
	}{
		// Every kind of alert, by a dispatcher of its agency.
		{"OK/IncidentPending", "pending", person("metro", dispatch.RoleDispatcher), ""},
		{"OK/SafetyCheck", "safety", person("metro", dispatch.RoleDispatcher), ""},
		{"OK/Emergency", "emergency", person("metro", dispatch.RoleDispatcher), ""},
		{"OK/EmergencyRequest", "requested-emergency", person("metro", dispatch.RoleDispatcher), ""},
		{"OK/Escalated", "escalated", person("metro", dispatch.RoleDispatcher), ""},
		{"OK/Conflict", "conflict", person("metro", dispatch.RoleDispatcher), ""},
		{"OK/UnitLeft", "unit-left", person("federal", dispatch.RoleDispatcher), ""},
		// Any role on duty of an agency that sees it.
		{"OK/CallTaker", "pending", person("metro", dispatch.RoleCallTaker), ""},
		{"OK/Supervisor", "escalated", person("federal", dispatch.RoleSupervisor), ""},
		{"OK/Officer", "emergency", person("metro", dispatch.RoleOfficer), ""},
		{"OK/Liaison", "conflict", person("metro", dispatch.RoleLiaison), ""},
		// Events that are no alerts.
		{"ErrInvalid/StatusNotEmergency", "busy", person("metro", dispatch.RoleDispatcher), dispatch.EINVALID},
		{"ErrInvalid/RoutineRequest", "requested-routine", person("metro", dispatch.RoleDispatcher), dispatch.EINVALID},
		{"ErrInvalid/Accepted", "accepted", person("metro", dispatch.RoleDispatcher), dispatch.EINVALID},
		{"ErrInvalid/IncidentCreated", "created", person("metro", dispatch.RoleDispatcher), dispatch.EINVALID},
		// What the actor does not see is not found, alert or not.
		{"ErrNotFound/OtherAgency", "sheriffs", person("metro", dispatch.RoleDispatcher), dispatch.ENOTFOUND},
		{"ErrNotFound/NotConcerned", "escalated", person("sheriff", dispatch.RoleDispatcher), dispatch.ENOTFOUND},
		{"ErrNotFound/OthersEmergency", "emergency", person("federal", dispatch.RoleSupervisor), dispatch.ENOTFOUND},
		{"ErrNotFound/Message", "message", person("metro", dispatch.RoleDispatcher), dispatch.ENOTFOUND},
		{"ErrNotFound/BeyondTheLog", "", person("metro", dispatch.RoleDispatcher), dispatch.ENOTFOUND},
		// Not on duty: nobody's eyes, or eyes for the record afterwards.
		{"ErrForbidden/Auditor", "pending", person("metro", dispatch.RoleAuditor), dispatch.EFORBIDDEN},
		{"ErrForbidden/AgencyAdmin", "pending", person("metro", dispatch.RoleAdmin), dispatch.EFORBIDDEN},
		{"ErrForbidden/InstallationAdmin", "pending", person("", dispatch.RoleAdmin), dispatch.EFORBIDDEN},
		{"ErrForbidden/System", "pending", dispatch.Actor{System: "sim"}, dispatch.EFORBIDDEN},
		{"ErrForbidden/NoUser", "pending", dispatch.Actor{Agency: "metro", Role: dispatch.RoleDispatcher}, dispatch.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dispatch.NewState()
			cmd := dispatch.AcknowledgeAlert{Seq: 42}
			var al dispatch.Event
			if tt.event != "" {
				al = evs[tt.event]
				cmd.Alert = &al
			}
			got, err := cmd.Decide(s, tt.actor, now)
			if tt.code != "" {
				if dispatch.ErrorCode(err) != tt.code {
					t.Fatalf("AcknowledgeAlert(%s) by %s/%s = %v, want %s", tt.event, tt.actor.Agency, tt.actor.Role, err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("AcknowledgeAlert(%s) by %s/%s = %v, want an acknowledgement", tt.event, tt.actor.Agency, tt.actor.Role, err)
			}
			if len(got) != 1 {
				t.Fatalf("AcknowledgeAlert(%s) = %d events, want 1", tt.event, len(got))
			}
			e := got[0]
			d, ok := e.Data.(*dispatch.AlertAcknowledged)
			if e.Type != dispatch.TypeAlertAcknowledged || !ok || d.Alert != 42 || d.AlertType != al.Type {
				t.Fatalf("AcknowledgeAlert(%s) = %s %+v, want alert.acknowledged of 42 (%s)", tt.event, e.Type, e.Data, al.Type)
			}
			if e.Actor.User != tt.actor.User || !e.Time.Equal(now) || e.Agency != al.Agency {
				t.Errorf("AcknowledgeAlert(%s) by %s at %v, agency %s; want by %s at %v, agency %s", tt.event, e.Actor.User, e.Time, e.Agency, tt.actor.User, now, al.Agency)
			}
			want := maps.Clone(al.Subject)
			want["alert"] = "42"
			if !maps.Equal(e.Subject, want) {
				t.Errorf("AcknowledgeAlert(%s).Subject = %v, want %v", tt.event, e.Subject, want)
			}
			// It changes no state, and the state takes it.
			if err := s.Apply(e); err != nil {
				t.Errorf("Apply(alert.acknowledged) = %v", err)
			}
		})
	}
}

// An acknowledgement is part of the timeline of the record its alert is
// about: TimelineMembers names the subject it copies.
func TestAcknowledgeAlertTimeline(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s := timersWorld(t, at)
	evs, err := dispatch.CheckTimers{}.Decide(s, dispatch.Actor{System: "timers"}, at.Add(time.Minute))
	if err != nil || len(evs) == 0 {
		t.Fatalf("CheckTimers = %d events, %v; want an alert", len(evs), err)
	}
	al := evs[0]
	ack, err := dispatch.AcknowledgeAlert{Seq: 7, Alert: &al}.Decide(s, dispatch.Actor{User: "dana", Agency: "metro", Role: dispatch.RoleDispatcher}, at.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	members, _, ok := dispatch.TimelineMembers(s, dispatch.TimelineIncident, al.Subject["incident"])
	if !ok {
		t.Fatalf("TimelineMembers(incident %s) = not found", al.Subject["incident"])
	}
	found := false
	for _, m := range members {
		for k, v := range ack[0].Subject {
			found = found || m == k+"/"+v
		}
	}
	if !found {
		t.Errorf("the acknowledgement's subject %v names none of the timeline's members %v", ack[0].Subject, members)
	}
}
