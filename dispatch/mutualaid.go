package dispatch

import (
	"slices"
	"time"
)

// TypeMutualAidPlanSet records an agency's new mutual-aid plan.
const TypeMutualAidPlanSet = "mutual_aid.plan_set"

// Urgencies of an assistance request, most urgent first. EMERGENCY is an
// officer who needs assistance now (the emergency button).
const (
	UrgencyEmergency = "EMERGENCY"
	UrgencyUrgent    = "URGENT"
	UrgencyRoutine   = "ROUTINE"
)

// Urgencies lists the urgencies, most urgent first.
var Urgencies = []string{UrgencyEmergency, UrgencyUrgent, UrgencyRoutine}

// A MutualAidPlan is whom an agency asks for help, and how long each may
// take to answer (DESIGN.md, "Domain"). An assistance request climbs the
// requesting agency's plan: at each deadline without an answer (a directive
// conflict holds it to its deadline, which an acknowledgement then does not
// move), and at once on a decline, it goes to the next alarm level.
type MutualAidPlan struct {
	// Levels are the alarm levels in order; Levels[0] is level 1.
	Levels    []AlarmLevel    `json:"levels"`
	Emergency AnswerDeadlines `json:"emergency"`
	Urgent    AnswerDeadlines `json:"urgent"`
	Routine   AnswerDeadlines `json:"routine"`
}

// An AlarmLevel names the partner agencies asked together at one level.
type AlarmLevel struct {
	Agencies []string `json:"agencies"`
}

// AnswerDeadlines are how long an asked agency has to answer a request: to
// acknowledge it once asked, and then to accept or decline it; and, once
// it accepted, the margin its units have beyond their drive time to
// arrive (ArriveSeconds; see AcceptAssist).
type AnswerDeadlines struct {
	AcknowledgeSeconds int `json:"acknowledge_seconds"`
	DecideSeconds      int `json:"decide_seconds"`
	ArriveSeconds      int `json:"arrive_seconds,omitempty"`
}

// DefaultAnswerDeadlines are the deadlines of an agency without a plan, and
// of any urgency a plan leaves at zero. An officer who needs assistance
// waits at most 30 s for someone to say they heard (DESIGN.md), and a
// minute more for units: NFPA 1225 expects the most urgent calls dispatched
// within 60 s. An URGENT request is a call that cannot wait but is no
// officer in danger (2 min, then 5); a ROUTINE one is planned help, such as
// traffic for an event (10 min, then 30). Units sent have their drive time
// and a margin to arrive: two minutes for an officer in danger (a unit
// that is not there by then is lost, or was never coming), five for an
// urgent call, a quarter of an hour for planned help.
var DefaultAnswerDeadlines = map[string]AnswerDeadlines{
	UrgencyEmergency: {AcknowledgeSeconds: 30, DecideSeconds: 60, ArriveSeconds: 120},
	UrgencyUrgent:    {AcknowledgeSeconds: 120, DecideSeconds: 300, ArriveSeconds: 300},
	UrgencyRoutine:   {AcknowledgeSeconds: 600, DecideSeconds: 1800, ArriveSeconds: 900},
}

// UnknownETA is the drive time counted for a unit sent with no known
// position, or to a request with no point: tenfour cannot measure it, and
// ten minutes is a long urban response, not a free pass.
const UnknownETA = 10 * time.Minute

// Bounds of a plan: small enough to be read on one screen and climbed in
// minutes, not hours.
const (
	MaxAlarmLevels     = 8
	MaxLevelAgencies   = 8
	minAnswerSeconds   = 10
	maxAcknowledgeSecs = 3600
	maxDecideSecs      = 4 * 3600
	// An officer in danger cannot be left longer than this to one agency.
	maxEmergencyAcknowledgeSecs = 120
	maxEmergencyDecideSecs      = 600
	// Arrival margins: from half a minute to an hour (ten minutes for
	// an officer in danger).
	minArriveSecs          = 30
	maxArriveSecs          = 3600
	maxEmergencyArriveSecs = 600
)

// Deadlines returns the plan's deadlines for urgency.
func (p *MutualAidPlan) Deadlines(urgency string) AnswerDeadlines { return *p.deadlines(urgency) }

// deadlines returns where p keeps the deadlines of urgency.
func (p *MutualAidPlan) deadlines(urgency string) *AnswerDeadlines {
	switch urgency {
	case UrgencyEmergency:
		return &p.Emergency
	case UrgencyUrgent:
		return &p.Urgent
	}
	return &p.Routine
}

func (d AnswerDeadlines) acknowledge() time.Duration {
	return time.Duration(d.AcknowledgeSeconds) * time.Second
}
func (d AnswerDeadlines) decide() time.Duration { return time.Duration(d.DecideSeconds) * time.Second }
func (d AnswerDeadlines) arrive() time.Duration { return time.Duration(d.ArriveSeconds) * time.Second }

// clone returns a copy of p that shares no slice with it.
func (p MutualAidPlan) clone() MutualAidPlan {
	p.Levels = slices.Clone(p.Levels)
	for i := range p.Levels {
		p.Levels[i].Agencies = slices.Clone(p.Levels[i].Agencies)
	}
	return p
}

// answerDeadlines returns the deadlines of agency's requests of urgency: its
// plan's, or the defaults. A plan set before plans had arrival margins
// has the default one.
func (s *State) answerDeadlines(agency, urgency string) AnswerDeadlines {
	if a, ok := s.Agencies[agency]; ok && a.Plan != nil {
		d := a.Plan.Deadlines(urgency)
		if d.ArriveSeconds == 0 {
			d.ArriveSeconds = DefaultAnswerDeadlines[urgency].ArriveSeconds
		}
		return d
	}
	return DefaultAnswerDeadlines[urgency]
}

// MutualAidPlanSet is the payload of mutual_aid.plan_set: the whole plan,
// every deadline filled in, so that the log says what was in force.
type MutualAidPlanSet struct {
	MutualAidPlan
}

// SetMutualAidPlan replaces an agency's mutual-aid plan. A supervisor or an
// administrator of the agency may, or an installation administrator.
// Deadlines left at zero take DefaultAnswerDeadlines.
type SetMutualAidPlan struct {
	Agency string
	Plan   MutualAidPlan
}

// Decide implements Command.
func (c SetMutualAidPlan) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mayAct(actor, c.Agency); err != nil {
		return nil, err
	}
	if !actor.IsSystem() && actor.Role != RoleSupervisor && actor.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "only a supervisor or an administrator sets an agency's mutual-aid plan")
	}
	p := c.Plan.clone()
	if len(p.Levels) == 0 {
		return nil, Errorf(EINVALID, "a mutual-aid plan needs at least one alarm level")
	}
	if len(p.Levels) > MaxAlarmLevels {
		return nil, Errorf(EINVALID, "a mutual-aid plan has at most %d alarm levels", MaxAlarmLevels)
	}
	var seen []string
	for i, l := range p.Levels {
		if len(l.Agencies) == 0 || len(l.Agencies) > MaxLevelAgencies {
			return nil, Errorf(EINVALID, "alarm level %d must name 1 to %d agencies", i+1, MaxLevelAgencies)
		}
		for _, a := range l.Agencies {
			switch {
			case a == c.Agency:
				return nil, Errorf(EINVALID, "alarm level %d names %s itself; a mutual-aid plan names partner agencies", i+1, a)
			case !IsRemote(a) && s.Agencies[a] == nil:
				return nil, Errorf(ENOTFOUND, "alarm level %d names agency %q, which does not exist", i+1, a)
			case s.askable(a) != nil:
				return nil, Errorf(ENOTFOUND, "alarm level %d names agency %q: %v", i+1, a, s.askable(a))
			case slices.Contains(seen, a):
				return nil, Errorf(EINVALID, "agency %s is named twice in the plan; each partner is asked once", a)
			}
			seen = append(seen, a)
		}
	}
	for _, u := range Urgencies {
		d := p.deadlines(u)
		def := DefaultAnswerDeadlines[u]
		if d.AcknowledgeSeconds == 0 {
			d.AcknowledgeSeconds = def.AcknowledgeSeconds
		}
		if d.DecideSeconds == 0 {
			d.DecideSeconds = def.DecideSeconds
		}
		if d.ArriveSeconds == 0 {
			d.ArriveSeconds = def.ArriveSeconds
		}
		maxAck, maxDecide, maxArrive := maxAcknowledgeSecs, maxDecideSecs, maxArriveSecs
		if u == UrgencyEmergency {
			maxAck, maxDecide, maxArrive = maxEmergencyAcknowledgeSecs, maxEmergencyDecideSecs, maxEmergencyArriveSecs
		}
		if d.ArriveSeconds < minArriveSecs || d.ArriveSeconds > maxArrive {
			return nil, Errorf(EINVALID, "the %s arrival margin must be between %d and %d seconds, not %d", u, minArriveSecs, maxArrive, d.ArriveSeconds)
		}
		if d.AcknowledgeSeconds < minAnswerSeconds || d.AcknowledgeSeconds > maxAck {
			return nil, Errorf(EINVALID, "the %s acknowledgement deadline must be between %d and %d seconds, not %d", u, minAnswerSeconds, maxAck, d.AcknowledgeSeconds)
		}
		if d.DecideSeconds < minAnswerSeconds || d.DecideSeconds > maxDecide {
			return nil, Errorf(EINVALID, "the %s decision deadline must be between %d and %d seconds, not %d", u, minAnswerSeconds, maxDecide, d.DecideSeconds)
		}
	}
	return []Event{{
		Time: now, Type: TypeMutualAidPlanSet, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"agency": c.Agency},
		Data:    &MutualAidPlanSet{MutualAidPlan: p},
	}}, nil
}
