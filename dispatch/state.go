package dispatch

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// State is everything dispatch knows, folded from events. It is not safe for
// concurrent use; its owner serialises access.
type State struct {
	Agencies  map[string]*Agency
	Units     map[string]*Unit
	Incidents map[string]*Incident
	Users     map[string]*User
	// Requests and Directives are mutual aid's (assist.go, directive.go).
	Requests   map[string]*AssistRequest
	Directives map[string]*Directive
	// Premises are the premise records (premise.go).
	Premises map[string]*Premise
	// Published are the published timelines by subject, "request/<id>"
	// or "incident/<id>" (publish.go).
	Published map[string]*Publication
	// Messages are the messages sent, by id (message.go).
	Messages map[string]*Message
	// BOLOs are the BOLOs issued, by id (bolo.go).
	BOLOs map[string]*BOLO
	// Peers are the partner installations, by name (peer.go).
	Peers map[string]*Peer

	// incidentSerial counts incidents per agency and year, for their ids.
	incidentSerial map[string]int
	// agencyTypes are the agencies' own incident types.
	agencyTypes map[string][]IncidentType
	// requestSerial and directiveSerial count requests and directives per
	// agency and year, for their ids.
	requestSerial   map[string]int
	directiveSerial map[string]int
	// messageSerial and boloSerial count the messages sent and the BOLOs
	// issued, premiseSerial the premise records per agency and year, for
	// their ids: the records themselves leave the state once archived.
	messageSerial int
	boloSerial    int
	premiseSerial map[string]int

	// closed holds, per kind of record, the closed records in close order,
	// for archiving (archive.go).
	closed map[string]*closedQueue

	// timerIdx is when each open record's time comes, for CheckTimers
	// (timerindex.go); Apply keeps it.
	timerIdx timerIndex
	// imports finds the open incident an import made by (agency, Ref)
	// (eidoimport.go); Apply keeps it, and a snapshot's decoding rebuilds
	// it from the incidents.
	imports map[string]string
	// open is the directives and requests still open (timerindex.go),
	// for decisions that need not see the closed ones; Apply keeps it.
	open openWork
}

// NewState returns an empty State.
func NewState() *State {
	return &State{
		Agencies:        make(map[string]*Agency),
		Units:           make(map[string]*Unit),
		Incidents:       make(map[string]*Incident),
		Users:           make(map[string]*User),
		incidentSerial:  make(map[string]int),
		agencyTypes:     make(map[string][]IncidentType),
		Requests:        make(map[string]*AssistRequest),
		Directives:      make(map[string]*Directive),
		Premises:        make(map[string]*Premise),
		Published:       make(map[string]*Publication),
		Messages:        make(map[string]*Message),
		BOLOs:           make(map[string]*BOLO),
		Peers:           make(map[string]*Peer),
		requestSerial:   make(map[string]int),
		directiveSerial: make(map[string]int),
		premiseSerial:   make(map[string]int),
	}
}

// Apply folds one event into the state. Events were decided against the
// state, so an error here means the log and the code disagree: the caller
// must stop, not skip the event.
func (s *State) Apply(e Event) error {
	defer func() { s.retime(e) }() // whatever the event changed, even refused
	if err := s.apply(e); err != nil {
		return err
	}
	s.noteClosed(e) // archive.go
	return nil
}

func (s *State) apply(e Event) error {
	// A late entry's change took place at its claimed time (late.go); an
	// incident's entry into CAD stays the event's time.
	if _, created := e.Data.(*IncidentCreated); !created {
		e.Time = lateTime(e)
	}
	if LateOf(e.Data) != nil {
		defer s.countLate(e)
	}
	switch d := e.Data.(type) {
	case *AgencyCreated:
		if _, ok := s.Agencies[d.ID]; ok {
			return fmt.Errorf("agency %q created twice", d.ID)
		}
		s.Agencies[d.ID] = &Agency{ID: d.ID, Name: d.Name, Kind: d.Kind, Created: e.Time}
	case *UnitCreated:
		if _, ok := s.Units[d.ID]; ok {
			return fmt.Errorf("unit %q created twice", d.ID)
		}
		s.Units[d.ID] = &Unit{
			ID: d.ID, CallSign: d.CallSign, Agency: e.Agency, Kind: d.Kind,
			Capabilities: append([]string{}, d.Capabilities...), Status: StatusAvailable,
			StatusSince: e.Time, Created: e.Time,
		}
	case *IncidentCreated:
		if _, ok := s.Incidents[d.ID]; ok {
			return fmt.Errorf("incident %q created twice", d.ID)
		}
		s.Incidents[d.ID] = &Incident{
			ID: d.ID, Agency: e.Agency, Type: d.Type, Priority: d.Priority,
			Location:  d.Location,
			Caller:    Caller{Name: e.Private[PrivateCallerName], Phone: e.Private[PrivateCallerPhone]},
			Narrative: e.Private[PrivateNarrative],
			Status:    IncidentPending, Units: []string{}, Notes: []Note{},
			Received: e.Time, Answered: d.Answered, Entered: e.Time,
		}
		if d.Received != nil {
			s.Incidents[d.ID].Received = *d.Received
		}
		s.incidentSerial[serialKey(e.Agency, e.Time.UTC().Year())]++
	case *UserCreated:
		if _, ok := s.Users[d.Username]; ok {
			return fmt.Errorf("user %q created twice", d.Username)
		}
		s.Users[d.Username] = &User{Username: d.Username, Agency: e.Agency, Roles: slices.Clone(d.Roles)}
	case *UnitStatusChanged:
		return s.applyStatus(e, d)
	case *IncidentDispatched:
		in, ok := s.Incidents[d.Incident]
		if !ok {
			return fmt.Errorf("incident %q dispatched but does not exist", d.Incident)
		}
		if in.Status == IncidentClosed {
			return fmt.Errorf("incident %q dispatched after it closed", d.Incident)
		}
		for _, u := range d.Units {
			if !slices.Contains(in.Units, u) {
				in.Units = append(in.Units, u)
			}
		}
		if in.Dispatched == nil {
			in.Dispatched = at(e.Time)
		}
		in.Status = IncidentActive
	case *IncidentCleared:
		in, ok := s.Incidents[d.Incident]
		if !ok {
			return fmt.Errorf("incident %q cleared but does not exist", d.Incident)
		}
		if in.Status == IncidentClosed {
			return fmt.Errorf("incident %q cleared twice", d.Incident)
		}
		in.Status, in.Disposition, in.Cleared = IncidentClosed, d.Disposition, at(e.Time)
	case *AgencyTimersSet, *IncidentPendingAlert, *SafetyCheckAlert:
		return s.applyTimers(e)
	case *IncidentTypeAdded:
		if _, ok := s.IncidentType(d.Agency, d.Code); ok || d.Agency != e.Agency {
			return fmt.Errorf("incident type %s added twice or for another agency", d.Code)
		}
		s.agencyTypes[d.Agency] = append(s.agencyTypes[d.Agency], d.IncidentType)
	case *IncidentNoteAdded:
		return s.applyNote(e, d)
	case *IncidentImported:
		return s.applyImported(e, d)
	case *IncidentImportUpdated:
		return s.applyImportUpdated(e, d)
	case *PremiseRecorded:
		return s.applyPremiseRecorded(e, d)
	case *PremiseRemoval:
		return s.applyPremiseRemoved(e, d)
	case *IncidentLocationFixed:
		return s.applyLocationFixed(d)
	case *IncidentCallerAdded:
		return s.applyCallerAdded(e, d)
	case *IncidentMerged, *IncidentUnitMoved, *IncidentLinked, *IncidentUnlinked:
		return s.applyMerge(e)
	case *UnitPreempted:
		return s.applyPreempted(d)
	case *UnitCancelled:
		return s.applyCancelled(d)
	case *TimelinePublished:
		return s.applyPublished(e, d)
	case *UnitSignedOn, *UnitSignedOff, *UnitCrossStaffed:
		return s.applyRoster(e)
	case *RunCardsSet:
		return s.applyRunCards(e, d)
	case *MessageSent, *MessageReceipt:
		return s.applyMessage(e)
	case *BOLOIssued, *BOLOCancelled:
		return s.applyBOLO(e)
	case *PositionsSampled:
		// A track for the record; positions themselves are soft state.
	case *Audited:
		// Access is accounted for in the log; it changes no dispatch state.
	case *EIDOConveyed:
		// What was conveyed is a fact of the record; no state follows from it.
	case *AlertAcknowledged:
		// Who saw an alert is a fact of the record; no state follows from it.
	case *PeerAdded, *PeerRemoved:
		return s.applyPeer(e)
	case *WitnessFork:
		// An alert for the record; the evidence is in the store.
	case *FederationReceived, *FederationDelivered, *FederationUndelivered:
		// Messages between installations are facts of the record; what
		// they asked follows as events of its own (federation.go).
	case *RecordsArchived:
		return s.applyArchived(e, d)
	case *WebhookSubscribed, *WebhookUnsubscribed:
		// Subscriptions live in the store, not in the state (webhook.go).
	default:
		return s.applyMutualAid(e) // mutual aid: plans, requests, directives
	}
	return nil
}

// applyStatus folds a unit.status_changed event. It checks everything before
// it changes anything, so a refused event leaves the state as it was.
func (s *State) applyStatus(e Event, d *UnitStatusChanged) error {
	u, ok := s.Units[d.Unit]
	if !ok {
		return fmt.Errorf("unit %q changed status but does not exist", d.Unit)
	}
	if u.Status != d.Previous {
		return fmt.Errorf("unit %q went from %s to %s but is %s", d.Unit, d.Previous, d.Status, u.Status)
	}
	var in *Incident
	if d.Incident != "" {
		if in, ok = s.Incidents[d.Incident]; !ok {
			return fmt.Errorf("unit %q changed status on incident %q, which does not exist", d.Unit, d.Incident)
		}
	}
	u.Status, u.StatusSince, u.Incident, u.Resume, u.EmergencyBy = d.Status, e.Time, d.Incident, "", ""
	u.HeldBy = d.HeldBy // roster.go: set only going OUT_OF_SERVICE with a partner
	switch d.Status {
	case StatusAvailable:
		u.Incident, u.Request = "", "" // it leaves the incident or request
	case StatusEmergency:
		u.Resume, u.EmergencyBy = d.Previous, e.Actor.User
	case StatusEnRoute:
		if in != nil && in.EnRoute == nil {
			in.EnRoute = at(e.Time)
		}
	case StatusOnScene:
		if in != nil && in.OnScene == nil {
			in.OnScene = at(e.Time)
		}
	}
	return nil
}

// at returns a pointer to its own copy of t.
func at(t time.Time) *time.Time { return &t }

func serialKey(agency string, year int) string { return fmt.Sprintf("%s-%d", agency, year) }

// AgencyList returns the agencies sorted by id.
func (s *State) AgencyList() []*Agency {
	out := make([]*Agency, 0, len(s.Agencies))
	for _, a := range s.Agencies {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// UnitList returns the units of agency (all if agency is "") sorted by id.
func (s *State) UnitList(agency string) []*Unit {
	out := make([]*Unit, 0, len(s.Units))
	for _, u := range s.Units {
		if agency == "" || u.Agency == agency {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// IncidentList returns the incidents of agency (all if agency is ""), newest
// first.
func (s *State) IncidentList(agency string) []*Incident {
	out := make([]*Incident, 0, len(s.Incidents))
	for _, in := range s.Incidents {
		if agency == "" || in.Agency == agency {
			out = append(out, in)
		}
	}
	newestFirst(out, func(in *Incident) (time.Time, string) { return in.Received, in.ID })
	return out
}

// newestFirst sorts xs by time, newest first, ties by id, greatest first:
// the order of every list the consoles show.
func newestFirst[T any](xs []T, key func(T) (time.Time, string)) {
	slices.SortFunc(xs, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		return cmp.Or(tb.Compare(ta), strings.Compare(ib, ia))
	})
}
