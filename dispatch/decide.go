package dispatch

import "time"

// A Command asks for a change. Decide checks it against the state at time now
// and returns the events that record the change, or an *Error. It never
// changes the state: only applying the events does.
type Command interface {
	Decide(s *State, actor Actor, now time.Time) ([]Event, error)
}

// Decide decides cmd for actor at now, as cmd.Decide does, and adds the
// status changes that cross-staffing makes of its events (CrossStaffing).
// The engine decides every command through it.
func Decide(s *State, cmd Command, actor Actor, now time.Time) ([]Event, error) {
	evs, err := cmd.Decide(s, actor, now)
	if err != nil {
		return nil, err
	}
	return CrossStaffing(s, evs), nil
}

// The commands, by the file that holds each with its rules and events:
//
//	command.go    CreateAgency, CreateUnit, CreateIncident, CreateUser
//	types.go      AddIncidentType
//	lifecycle.go  SetUnitStatus, DispatchUnits, ClearIncident
//	notes.go      AddNote
//	duplicate.go  AddCaller
//	placefix.go   FixLocation
//	merge.go      MergeIncident, LinkIncidents, UnlinkIncidents
//	late.go       LateEntry (any command, entered after the fact)
//	roster.go     SignOn, SignOff, CrossStaff
//	avl.go        SamplePositions
//	timers.go     SetAgencyTimers, CheckTimers (the alerts and deadlines whose time came)
//	alertack.go   AcknowledgeAlert
//	runcard.go    SetRunCards
//	premise.go    RecordPremise, RemovePremise
//	bolo.go       IssueBOLO, CancelBOLO
//	message.go    SendMessage, AckMessage
//	mutualaid.go  SetMutualAidPlan
//	assist.go     RequestAssist, AcknowledgeAssist, AcceptAssist, DeclineAssist, CloseAssist
//	escalate.go   (no command: the escalation of an assistance request, for assist.go and CheckTimers)
//	directive.go  IssueDirective, RevokeDirective
//	publish.go    PublishTimeline
//	webhook.go    SubscribeWebhook, UnsubscribeWebhook
//	audit.go      RecordAudit (access events: sign-ins, reads of private fields)
//	peer.go       AddPeer, RemovePeer, RecordFork (partner installations; a fork the witness found)
//	eidoimport.go ImportIncident (another system's incident, NENA EIDO)
//	conveyance.go RecordConveyance (EIDOs sent to and received from partners)
var _ = []Command{
	CreateAgency{}, CreateUnit{}, CreateIncident{}, CreateUser{},
	AddIncidentType{},
	SetUnitStatus{}, DispatchUnits{}, ClearIncident{},
	AddNote{}, AddCaller{}, FixLocation{},
	MergeIncident{}, LinkIncidents{}, UnlinkIncidents{},
	LateEntry{},
	SignOn{}, SignOff{}, CrossStaff{},
	SamplePositions{}, SetAgencyTimers{}, CheckTimers{}, AcknowledgeAlert{}, SetRunCards{},
	RecordPremise{}, RemovePremise{},
	IssueBOLO{}, CancelBOLO{},
	SendMessage{}, AckMessage{},
	SetMutualAidPlan{},
	AddPeer{}, RemovePeer{}, RecordFork{},
	RequestAssist{}, AcknowledgeAssist{}, AcceptAssist{}, DeclineAssist{}, CloseAssist{},
	IssueDirective{}, RevokeDirective{},
	SubscribeWebhook{}, UnsubscribeWebhook{},
	PublishTimeline{},
	RecordAudit{},
	ImportIncident{},
	RecordConveyance{},
}
