package dispatch

import (
	"fmt"
	"time"
)

// Timers are an agency's watch over time (DESIGN.md, "Timers"): how long an
// urgent incident may wait for a unit, and how long a unit may stay on scene
// without a word before dispatch checks on the officer.
type Timers struct {
	// PendingAlertSeconds: a priority 0 or 1 incident PENDING this long
	// raises alert.incident_pending.
	PendingAlertSeconds int `json:"pending_alert_seconds"`
	// SafetyCheckSeconds: a unit ON_SCENE this long with no status change
	// raises alert.safety_check.
	SafetyCheckSeconds int `json:"safety_check_seconds"`
	// DuplicateRadiusM and DuplicateWindowSeconds: an open incident of a
	// compatible type this near a new one, received this long before it,
	// is named a possible duplicate (duplicate.go); 0 means the default.
	DuplicateRadiusM       int `json:"duplicate_radius_m,omitempty"`
	DuplicateWindowSeconds int `json:"duplicate_window_seconds,omitempty"`
}

// DefaultTimers are an agency's timers until it sets its own: an urgent call
// waits at most a minute (NFPA 1225 expects 90 % dispatched within 60 s of
// answer), and an officer is checked on after twenty minutes on scene.
var DefaultTimers = Timers{PendingAlertSeconds: 60, SafetyCheckSeconds: 20 * 60}

// Alert event types.
const (
	TypeAgencyTimersSet = "agency.timers_set"
	TypeIncidentPending = "alert.incident_pending"
	TypeSafetyCheck     = "alert.safety_check"
)

// AgencyTimersSet is the payload of agency.timers_set.
type AgencyTimersSet struct {
	Timers
}

// IncidentPendingAlert is the payload of alert.incident_pending.
type IncidentPendingAlert struct {
	Incident       string `json:"incident"`
	Priority       int    `json:"priority"`
	PendingSeconds int    `json:"pending_seconds"`
}

// SafetyCheckAlert is the payload of alert.safety_check.
type SafetyCheckAlert struct {
	Unit           string `json:"unit"`
	Incident       string `json:"incident,omitempty"`
	OnSceneSeconds int    `json:"on_scene_seconds"`
}

// SetAgencyTimers changes an agency's timers. A supervisor or an
// administrator of the agency may.
type SetAgencyTimers struct {
	Agency string
	Timers Timers
}

// Decide implements Command.
func (c SetAgencyTimers) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mayAct(actor, c.Agency); err != nil {
		return nil, err
	}
	if !actor.IsSystem() && actor.Role != RoleSupervisor && actor.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "only a supervisor or an administrator sets an agency's timers")
	}
	t := c.Timers
	if t.PendingAlertSeconds < 10 || t.PendingAlertSeconds > 3600 {
		return nil, Errorf(EINVALID, "the pending alert must be between 10 seconds and an hour, not %d seconds", t.PendingAlertSeconds)
	}
	if t.SafetyCheckSeconds < 60 || t.SafetyCheckSeconds > 4*3600 {
		return nil, Errorf(EINVALID, "the safety check must be between a minute and four hours, not %d seconds", t.SafetyCheckSeconds)
	}
	if t.DuplicateRadiusM != 0 && (t.DuplicateRadiusM < 10 || t.DuplicateRadiusM > 5000) {
		return nil, Errorf(EINVALID, "the duplicate radius must be between 10 and 5000 metres, not %d", t.DuplicateRadiusM)
	}
	if t.DuplicateWindowSeconds != 0 && (t.DuplicateWindowSeconds < 60 || t.DuplicateWindowSeconds > 24*3600) {
		return nil, Errorf(EINVALID, "the duplicate window must be between a minute and a day, not %d seconds", t.DuplicateWindowSeconds)
	}
	return []Event{{
		Time: now, Type: TypeAgencyTimersSet, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"agency": c.Agency},
		Data:    &AgencyTimersSet{Timers: t},
	}}, nil
}

// CheckTimers raises the alerts whose time has come, once each: an urgent
// incident still pending, a unit on scene too long without a word. It also
// expires directives and escalates assistance requests past their deadline
// (escalate.go), at every deadline for as long as one waits. tenfour
// issues it every second with the domain's clock, so alerts are as
// deterministic as every other event.
type CheckTimers struct{}

// Decide implements Command.
func (CheckTimers) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "timers are checked by tenfour itself")
	}
	// Only what the timer index says is due at now is looked at
	// (timerindex.go), each kind in id order, as alerts have always come.
	due := s.timerIdx.dueAt(now)
	var evs []Event
	for _, id := range due[timerPending] {
		in := s.Incidents[id]
		if in == nil || in.Status != IncidentPending || in.Priority > 1 || in.PendingAlerted {
			continue
		}
		waited := now.Sub(in.Received)
		if waited < s.timers(in.Agency).pendingAlert() {
			continue
		}
		evs = append(evs, Event{
			Time: now, Type: TypeIncidentPending, Agency: in.Agency, Actor: actor,
			Subject: map[string]string{"incident": in.ID},
			Data:    &IncidentPendingAlert{Incident: in.ID, Priority: in.Priority, PendingSeconds: int(waited.Seconds())},
		})
	}
	for _, id := range due[timerSafety] {
		u := s.Units[id]
		if u == nil || u.Status != StatusOnScene || u.SafetyChecked.Equal(u.StatusSince) {
			continue
		}
		onScene := now.Sub(u.StatusSince)
		if onScene < s.timers(u.Agency).safetyCheck() {
			continue
		}
		evs = append(evs, Event{
			Time: now, Type: TypeSafetyCheck, Agency: u.Agency, Actor: actor,
			Subject: map[string]string{"unit": u.ID},
			Data:    &SafetyCheckAlert{Unit: u.ID, Incident: u.Incident, OnSceneSeconds: int(onScene.Seconds())},
		})
	}
	// Directives expire and assistance requests escalate on the same clock.
	return append(evs, s.checkMutualAid(actor, now, due[timerDirective], due[timerRequest])...), nil
}

func (t Timers) pendingAlert() time.Duration {
	return time.Duration(t.PendingAlertSeconds) * time.Second
}
func (t Timers) safetyCheck() time.Duration { return time.Duration(t.SafetyCheckSeconds) * time.Second }

// timers returns an agency's timers, or the defaults.
func (s *State) timers(agency string) Timers {
	if a, ok := s.Agencies[agency]; ok && a.Timers != nil {
		return *a.Timers
	}
	return DefaultTimers
}

// applyTimers folds the timer events into the state.
func (s *State) applyTimers(e Event) error {
	switch d := e.Data.(type) {
	case *AgencyTimersSet:
		a, ok := s.Agencies[e.Agency]
		if !ok {
			return fmt.Errorf("timers of unknown agency %q", e.Agency)
		}
		t := d.Timers
		a.Timers = &t
	case *IncidentPendingAlert:
		in, ok := s.Incidents[d.Incident]
		if !ok {
			return fmt.Errorf("alert on unknown incident %q", d.Incident)
		}
		in.PendingAlerted = true
	case *SafetyCheckAlert:
		u, ok := s.Units[d.Unit]
		if !ok {
			return fmt.Errorf("alert on unknown unit %q", d.Unit)
		}
		u.SafetyChecked = u.StatusSince
	}
	return nil
}
