package engine

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// Typed reads: every entrance reads the durable view through these, as an
// actor, and gets copies of what the one visibility rule
// (dispatch/visibility.go) lets that actor see. A record the actor may not
// see is not found, exactly as a missing one: its very existence can be
// sensitive. Nothing here hands out a pointer into the state.

// read calls fn with the durable view under the read lock.
func (e *Engine) read(fn func(s *dispatch.State)) {
	e.viewMu.RLock()
	defer e.viewMu.RUnlock()
	fn(e.view)
}

func notFound(what, id string) error {
	return dispatch.Errorf(dispatch.ENOTFOUND, "%s %s does not exist", what, id)
}

// Agencies returns every agency, in the state's order: every actor may see
// them (dispatch.VisibleAgency).
func (e *Engine) Agencies(a dispatch.Actor) []dispatch.Agency {
	out := []dispatch.Agency{}
	e.read(func(s *dispatch.State) {
		for _, ag := range s.AgencyList() {
			if c, ok := dispatch.VisibleAgency(ag, a); ok {
				out = append(out, c)
			}
		}
	})
	return out
}

// Agency returns agency id.
func (e *Engine) Agency(a dispatch.Actor, id string) (dispatch.Agency, error) {
	return visible(e, func(s *dispatch.State) (dispatch.Agency, bool) {
		if ag, ok := s.Agencies[id]; ok {
			return dispatch.VisibleAgency(ag, a)
		}
		return dispatch.Agency{}, false
	}, "agency", id)
}

// MutualAidPlan returns agency id's mutual-aid plan, if the actor may read
// it (dispatch.VisiblePlan); an agency without one is not found.
func (e *Engine) MutualAidPlan(a dispatch.Actor, id string) (dispatch.MutualAidPlan, error) {
	if !a.Sees(id) {
		return dispatch.MutualAidPlan{}, dispatch.Errorf(dispatch.ENOTFOUND, "agency %s has no mutual-aid plan you may read", id)
	}
	var out dispatch.MutualAidPlan
	found := false
	e.read(func(s *dispatch.State) {
		if ag, ok := s.Agencies[id]; ok {
			out, found = dispatch.VisiblePlan(ag, a)
		}
	})
	if !found {
		return out, dispatch.Errorf(dispatch.ENOTFOUND, "agency %s has no mutual-aid plan", id)
	}
	return out, nil
}

// RunCards returns agency id's run cards, if the actor may read them
// (dispatch.VisibleRunCards); another agency's is not found.
func (e *Engine) RunCards(a dispatch.Actor, id string) (dispatch.RunCards, error) {
	return visible(e, func(s *dispatch.State) (dispatch.RunCards, bool) {
		if ag, ok := s.Agencies[id]; ok {
			return dispatch.VisibleRunCards(ag, a)
		}
		return dispatch.RunCards{}, false
	}, "agency", id)
}

// IncidentTypes returns the incident types as agency sees them: the
// built-in catalogue, then its own.
func (e *Engine) IncidentTypes(agency string) []dispatch.IncidentType {
	var out []dispatch.IncidentType
	e.read(func(s *dispatch.State) { out = s.IncidentTypeList(agency) })
	return out
}

// User returns the user of that name as the domain knows it, if the actor
// sees its agency (dispatch.VisibleUser).
func (e *Engine) User(a dispatch.Actor, username string) (dispatch.User, error) {
	return visible(e, func(s *dispatch.State) (dispatch.User, bool) {
		if u, ok := s.Users[username]; ok {
			return dispatch.VisibleUser(u, a)
		}
		return dispatch.User{}, false
	}, "user", username)
}

// Units returns the units of agency ("" for every agency) that the actor
// sees, in the state's order.
func (e *Engine) Units(a dispatch.Actor, agency string) []dispatch.Unit {
	out := []dispatch.Unit{}
	e.read(func(s *dispatch.State) {
		for _, u := range s.UnitList(agency) {
			if c, ok := dispatch.VisibleUnit(u, a); ok {
				out = append(out, c)
			}
		}
	})
	return out
}

// Unit returns unit id, if the actor sees it.
func (e *Engine) Unit(a dispatch.Actor, id string) (dispatch.Unit, error) {
	return visible(e, func(s *dispatch.State) (dispatch.Unit, bool) {
		if u, ok := s.Units[id]; ok {
			return dispatch.VisibleUnit(u, a)
		}
		return dispatch.Unit{}, false
	}, "unit", id)
}

// UnseenUnit returns the index of the first of ids that is no unit the
// actor sees, or -1 if the actor sees them all.
func (e *Engine) UnseenUnit(a dispatch.Actor, ids []string) int {
	i := -1
	e.read(func(s *dispatch.State) {
		i = slices.IndexFunc(ids, func(id string) bool {
			u, ok := s.Units[id]
			return !ok || !a.Sees(u.Agency)
		})
	})
	return i
}

// OwnUnit returns nil if unit is "" or a unit the actor may speak as
// (dispatch.Actor.SpeaksAs), and a not-found error otherwise.
func (e *Engine) OwnUnit(a dispatch.Actor, unit string) error {
	if unit == "" {
		return nil
	}
	ok := false
	e.read(func(s *dispatch.State) { ok = a.SpeaksAs(s.Units[unit]) })
	if !ok {
		return notFound("unit", unit)
	}
	return nil
}

// Positions returns the last known AVL position of each unit the actor
// sees; a unit that has reported none is absent.
func (e *Engine) Positions(a dispatch.Actor) []dispatch.Position {
	out := []dispatch.Position{}
	for _, u := range e.Units(a, "") {
		if p, ok := e.Position(u.ID); ok {
			out = append(out, p)
		}
	}
	return out
}

// Incidents returns the incidents in memory (open work, and those closed
// within the retention window) that the actor sees, redacted for it, with
// the hazards over their places now (dispatch.VisibleIncident). Lists go
// through IncidentPage, which reads the archive too.
func (e *Engine) Incidents(a dispatch.Actor) []dispatch.Incident {
	now := e.Now()
	out := []dispatch.Incident{}
	e.read(func(s *dispatch.State) {
		for _, in := range s.IncidentList(a.ListAgency()) {
			if c, ok := dispatch.VisibleIncident(s, in, a, now); ok {
				out = append(out, c)
			}
		}
	})
	return out
}

// Incident returns incident id as the actor may see it now; another
// agency's is not found.
func (e *Engine) Incident(a dispatch.Actor, id string) (dispatch.Incident, error) {
	now := e.Now()
	return visible(e, func(s *dispatch.State) (dispatch.Incident, bool) {
		if in, ok := s.Incidents[id]; ok {
			return dispatch.VisibleIncident(s, in, a, now)
		}
		return dispatch.Incident{}, false
	}, "incident", id)
}

// Unverified returns the queue of incidents the actor sees whose location
// was kept as typed, oldest first, redacted for it (without hazards: the
// queue is for placing them).
func (e *Engine) Unverified(a dispatch.Actor) []dispatch.Incident {
	out := []dispatch.Incident{}
	e.read(func(s *dispatch.State) {
		for _, in := range s.Unverified(a.ListAgency()) {
			if a.Sees(in.Agency) {
				out = append(out, dispatch.RedactIncident(in, a))
			}
		}
	})
	return out
}

// Priors returns the other incidents of incident id's agency received
// within radiusM of its place over the days before now, from memory and
// the archive, newest first, at most dispatch.MaxPriors, if the actor sees
// it (dispatch.PriorsAmong). Incident id may itself be archived.
func (e *Engine) Priors(ctx context.Context, a dispatch.Actor, id string, radiusM float64, days int) ([]dispatch.Prior, error) {
	now := e.Now()
	var in *dispatch.Incident
	var mem []dispatch.Prior
	e.read(func(s *dispatch.State) {
		if x, ok := s.Incidents[id]; ok && a.Sees(x.Agency) {
			c := *x
			in, mem = &c, s.PriorsOf(x, radiusM, days, now)
		}
	})
	if in == nil {
		old, found, err := archived[dispatch.Incident](ctx, e, dispatch.TimelineIncident, id)
		if err != nil {
			return nil, err
		}
		if !found || !a.Sees(old.Agency) {
			return nil, notFound("incident", id)
		}
		in = old
		e.read(func(s *dispatch.State) { mem = s.PriorsOf(in, radiusM, days, now) })
	}
	// The archive's, by the same rule (PriorsAmong): those near its point,
	// and those at its address; then the newest of both, each incident once.
	sys := dispatch.Actor{System: "priors"}
	from, to := now.Add(-time.Duration(days)*24*time.Hour), now.Add(time.Nanosecond)
	var qs []IncidentQuery
	var addresses []string
	if in.Location.Lat != nil && in.Location.Lon != nil {
		qs = append(qs, IncidentQuery{Agency: in.Agency, From: from, To: to, Lat: in.Location.Lat, Lon: in.Location.Lon, RadiusM: radiusM})
		addresses = append(addresses, "")
	}
	if key := dispatch.AddressKey(in.Location); key != "" {
		qs = append(qs, IncidentQuery{Agency: in.Agency, From: from, To: to})
		addresses = append(addresses, key)
	}
	var old []*dispatch.Incident
	seen := map[string]bool{id: true}
	for i, q := range qs {
		err := e.scanArchive(ctx, q.archiveQuery(sys, addresses[i]), nil, dispatch.MaxPriors+1, func(r store.Archived) (bool, error) {
			o, err := decodeArchived[dispatch.Incident](r)
			if err != nil || seen[o.ID] || !q.keeps(o, sys, addresses[i]) {
				return false, err
			}
			seen[o.ID] = true
			old = append(old, o)
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	out, _ := mergePage(mem, dispatch.PriorsAmong(in, old, radiusM, days, now),
		func(p dispatch.Prior) (time.Time, string) { return p.Received, p.Incident }, dispatch.MaxPriors)
	return out, nil
}

// PossibleDuplicates returns the open incidents that incident id may
// duplicate, as they were when its call was received (a late entry is
// compared with what was open when it happened), if the actor sees it.
func (e *Engine) PossibleDuplicates(a dispatch.Actor, id string) ([]dispatch.PossibleDuplicate, error) {
	var out []dispatch.PossibleDuplicate
	found := false
	e.read(func(s *dispatch.State) {
		if in, ok := s.Incidents[id]; ok && a.Sees(in.Agency) {
			found, out = true, s.PossibleDuplicates(in, in.Received)
		}
	})
	if !found {
		return nil, notFound("incident", id)
	}
	return out, nil
}

// CallDuplicates returns the open incidents of agency that a call of type
// typ at lat, lon may duplicate, now: the rule PossibleDuplicates applies,
// asked before the call becomes an incident. The actor must see agency.
func (e *Engine) CallDuplicates(a dispatch.Actor, agency, typ string, lat, lon float64) ([]dispatch.PossibleDuplicate, error) {
	if !a.Sees(agency) {
		return nil, dispatch.Errorf(dispatch.EFORBIDDEN, "you may not look at the incidents of agency %s", agency)
	}
	now := e.Now()
	var out []dispatch.PossibleDuplicate
	var err error
	e.read(func(s *dispatch.State) {
		if _, ok := s.IncidentType(agency, typ); !ok {
			err = dispatch.Errorf(dispatch.EINVALID, "incident type %q is not in the catalogue (GET /api/v1/incident-types lists it)", typ)
			return
		}
		call := &dispatch.Incident{Agency: agency, Type: typ, Location: dispatch.Location{Lat: &lat, Lon: &lon}}
		out = s.PossibleDuplicates(call, now)
	})
	return out, err
}

// IncidentsReceived returns the incidents of agency ("" for every agency
// the actor sees) received in [from, to), from memory and the archive, each
// once, in no order, redacted for the actor: what a report counts. An
// unknown agency is not found.
func (e *Engine) IncidentsReceived(ctx context.Context, a dispatch.Actor, agency string, from, to time.Time) ([]dispatch.Incident, error) {
	var out []dispatch.Incident
	known := true
	inMemory := map[string]bool{}
	e.read(func(s *dispatch.State) {
		if _, ok := s.Agencies[agency]; agency != "" && !ok {
			known = false
			return
		}
		// Not IncidentList: a report needs no order, and the read lock is
		// held for as short a time as can be.
		for _, in := range s.Incidents {
			inMemory[in.ID] = true
			if (agency == "" || in.Agency == agency) && a.Sees(in.Agency) && !in.Received.Before(from) && in.Received.Before(to) {
				out = append(out, dispatch.RedactIncident(in, a))
			}
		}
	})
	if !known {
		return nil, dispatch.Errorf(dispatch.ENOTFOUND, "agency %q does not exist", agency)
	}
	if !a.SeesAll() && (a.Agency == "" || agency != "" && agency != a.Agency) {
		return out, nil
	}
	// The archive, page by page through the store, every record of the
	// range: a report counts them all.
	q := IncidentQuery{Agency: agency, From: from, To: to}
	err := e.scanArchive(ctx, q.archiveQuery(a, ""), nil, math.MaxInt, func(r store.Archived) (bool, error) {
		in, err := decodeArchived[dispatch.Incident](r)
		if err != nil || inMemory[in.ID] || !q.keeps(in, a, "") {
			return false, err
		}
		out = append(out, dispatch.RedactIncident(in, a))
		return true, nil
	})
	return out, err
}

// Premises returns the premise records the actor sees, of status if not "".
func (e *Engine) Premises(a dispatch.Actor, status string) []dispatch.Premise {
	out := []dispatch.Premise{}
	e.read(func(s *dispatch.State) {
		for _, p := range s.PremiseList(a.ListAgency()) {
			if c, ok := dispatch.VisiblePremise(p, a); ok && (status == "" || p.Status == status) {
				out = append(out, c)
			}
		}
	})
	return out
}

// Premise returns premise record id, if the actor sees it.
func (e *Engine) Premise(a dispatch.Actor, id string) (dispatch.Premise, error) {
	return visible(e, func(s *dispatch.State) (dispatch.Premise, bool) {
		if p, ok := s.Premises[id]; ok {
			return dispatch.VisiblePremise(p, a)
		}
		return dispatch.Premise{}, false
	}, "premise record", id)
}

// Requests returns the assistance requests in memory that the actor sees,
// newest first. Lists go through RequestPage, which reads the archive too.
func (e *Engine) Requests(a dispatch.Actor) []dispatch.AssistRequest {
	out := []dispatch.AssistRequest{}
	e.read(func(s *dispatch.State) {
		if a.ListAgency() == "" && !a.SeesAll() {
			return // "" would list every request
		}
		for _, rq := range s.RequestList(a.ListAgency()) {
			if c, ok := dispatch.VisibleRequest(rq, a); ok {
				out = append(out, c)
			}
		}
	})
	return out
}

// Request returns assistance request id, if the actor sees it.
func (e *Engine) Request(a dispatch.Actor, id string) (dispatch.AssistRequest, error) {
	return visible(e, func(s *dispatch.State) (dispatch.AssistRequest, bool) {
		if rq, ok := s.Requests[id]; ok {
			return dispatch.VisibleRequest(rq, a)
		}
		return dispatch.AssistRequest{}, false
	}, "request", id)
}

// Directives returns the directives the actor sees, newest first; of
// status at now (dispatch.Directive.StatusAt) if status is not "".
func (e *Engine) Directives(a dispatch.Actor, status string, now time.Time) []dispatch.Directive {
	out := []dispatch.Directive{}
	e.read(func(s *dispatch.State) {
		if a.ListAgency() == "" && !a.SeesAll() {
			return // "" would list every directive
		}
		for _, d := range s.DirectiveList(a.ListAgency()) {
			if status != "" && d.StatusAt(now) != status {
				continue
			}
			if c, ok := dispatch.VisibleDirective(d, a); ok {
				out = append(out, c)
			}
		}
	})
	return out
}

// Directive returns directive id, if the actor sees it.
func (e *Engine) Directive(a dispatch.Actor, id string) (dispatch.Directive, error) {
	return visible(e, func(s *dispatch.State) (dispatch.Directive, bool) {
		if d, ok := s.Directives[id]; ok {
			return dispatch.VisibleDirective(d, a)
		}
		return dispatch.Directive{}, false
	}, "directive", id)
}

// Message returns message id, if the actor (speaking as unit, if not "")
// sees it.
func (e *Engine) Message(a dispatch.Actor, unit, id string) (dispatch.Message, error) {
	return visible(e, func(s *dispatch.State) (dispatch.Message, bool) {
		if m, ok := s.Messages[id]; ok {
			return dispatch.VisibleMessage(m, a, unit)
		}
		return dispatch.Message{}, false
	}, "message", id)
}

// A BOLOFilter narrows a list of BOLOs.
type BOLOFilter struct {
	// All keeps the expired and cancelled too; otherwise only those in
	// force now.
	All bool
	// Query searches them (dispatch.BOLO.Matches); "" keeps all.
	Query string
	// Where, if set, keeps those whose area takes it in.
	Where *dispatch.Location
	// ID, if set, keeps that one only.
	ID string
}

// BOLOs returns the BOLOs the actor sees that f keeps, highest priority
// first, then newest.
func (e *Engine) BOLOs(a dispatch.Actor, f BOLOFilter) []dispatch.BOLO {
	now := e.Now()
	out := []dispatch.BOLO{}
	e.read(func(s *dispatch.State) {
		for _, b := range s.BOLOList("") {
			if (!f.All && !b.Active(now)) || !b.Matches(f.Query) || (f.Where != nil && !b.Covers(*f.Where)) || (f.ID != "" && b.ID != f.ID) {
				continue
			}
			if c, ok := dispatch.VisibleBOLO(b, a); ok {
				out = append(out, c)
			}
		}
	})
	return out
}

// BOLO returns BOLO id, if the actor sees it.
func (e *Engine) BOLO(a dispatch.Actor, id string) (dispatch.BOLO, error) {
	return visible(e, func(s *dispatch.State) (dispatch.BOLO, bool) {
		if b, ok := s.BOLOs[id]; ok {
			return dispatch.VisibleBOLO(b, a)
		}
		return dispatch.BOLO{}, false
	}, "BOLO", id)
}

// PhotoVisible reports whether the actor may see the photo of the hex
// SHA-256 hash (dispatch.VisiblePhoto).
func (e *Engine) PhotoVisible(a dispatch.Actor, hash string) bool {
	ok := false
	e.read(func(s *dispatch.State) { ok = dispatch.VisiblePhoto(s, hash, a) })
	return ok
}

// StreamVisible reports whether the durable event p reaches a stream
// subscriber, the actor speaking as unit if not "" (dispatch.StreamVisible).
func (e *Engine) StreamVisible(p Published, a dispatch.Actor, unit string) bool {
	ev := dispatch.Envelope{Type: p.Type, Agency: p.Agency, Also: p.Also}
	if !strings.HasPrefix(p.Type, "message.") {
		// Decided by the envelope alone: no lock for every event and
		// subscriber.
		return dispatch.StreamVisible(nil, ev, a, unit)
	}
	ev.Message = messageOf(p.Entry)
	ok := false
	e.read(func(s *dispatch.State) { ok = dispatch.StreamVisible(s, ev, a, unit) })
	return ok
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

// TimelineEvents are what a timeline (and its evidence bundle) is made of:
// the sequence numbers of its events, in log order, and the directives that
// may bear on it (dispatch.TimelineMembers).
type TimelineEvents struct {
	Seqs       []int64
	Directives []dispatch.Directive
}

// Timeline returns the events of the timeline of kind/id ("request",
// "incident"), if the actor may see it (dispatch.TimelineVisible); another
// agency's is not found. The record may be archived: its visibility is
// then decided on the archived record, by the same rule.
func (e *Engine) Timeline(ctx context.Context, a dispatch.Actor, kind, id string) (TimelineEvents, error) {
	out, found, err := e.timeline(ctx, kind, id, a)
	if err != nil {
		return out, err
	}
	if !found {
		return out, notFound(kind, id)
	}
	return out, nil
}

// PublishedTimeline returns the publication of the timeline of kind/id and
// its events, for anyone: a published timeline is public (its leaves carry
// private fields only as commitments). One never published is not found.
func (e *Engine) PublishedTimeline(ctx context.Context, kind, id string) (dispatch.PublishedSummary, TimelineEvents, error) {
	var p dispatch.PublishedSummary
	published := false
	e.read(func(s *dispatch.State) {
		if pp, ok := s.Published[kind+"/"+id]; ok {
			p, published = s.PublicSummary(pp), true
		}
	})
	if !published {
		return p, TimelineEvents{}, dispatch.Errorf(dispatch.ENOTFOUND, "no timeline of %s %s is published", kind, id)
	}
	out, found, err := e.timeline(ctx, kind, id, dispatch.Actor{System: "publication"})
	if err == nil && !found {
		err = dispatch.Errorf(dispatch.ENOTFOUND, "no timeline of %s %s is published", kind, id)
	}
	return p, out, err
}

// timeline gathers the events of kind/id's timeline, if a may see it: the
// record from memory or else the archive, its members
// (dispatch.TimelineMembers), and their events from the store's subject
// index (History.SubjectSeqs), outside the view's lock.
func (e *Engine) timeline(ctx context.Context, kind, id string, a dispatch.Actor) (TimelineEvents, bool, error) {
	var members []string
	var out TimelineEvents
	found := false
	e.read(func(s *dispatch.State) {
		if !dispatch.TimelineVisible(s, kind, id, a) {
			return
		}
		members, out.Directives, found = dispatch.TimelineMembers(s, kind, id)
	})
	if !found {
		var err error
		if members, out.Directives, found, err = e.archivedMembers(ctx, kind, id, a); err != nil || !found {
			return TimelineEvents{}, false, err
		}
	}
	for _, m := range members {
		k, mid, _ := strings.Cut(m, "/")
		seqs, err := e.Seqs(ctx, k, mid)
		if err != nil {
			return TimelineEvents{}, false, err
		}
		out.Seqs = append(out.Seqs, seqs...)
	}
	slices.Sort(out.Seqs)
	out.Seqs = slices.Compact(out.Seqs)
	return out, true, nil
}

// archivedMembers is TimelineMembers of the archived record kind/id, if the
// actor sees it; found is false if there is none it sees.
func (e *Engine) archivedMembers(ctx context.Context, kind, id string, a dispatch.Actor) (members []string, ds []dispatch.Directive, found bool, err error) {
	switch kind {
	case dispatch.TimelineIncident:
		in, ok, err := archived[dispatch.Incident](ctx, e, kind, id)
		if err != nil || !ok || !a.Sees(in.Agency) {
			return nil, nil, false, err
		}
		e.read(func(s *dispatch.State) { members, ds = dispatch.IncidentTimelineMembers(s, in) })
	case dispatch.TimelineRequest:
		rq, ok, err := archived[dispatch.AssistRequest](ctx, e, kind, id)
		if err != nil || !ok {
			return nil, nil, false, err
		}
		if _, ok := dispatch.VisibleRequest(rq, a); !ok {
			return nil, nil, false, nil
		}
		e.read(func(s *dispatch.State) { members, ds = dispatch.RequestTimelineMembers(s, rq) })
	default:
		return nil, nil, false, nil
	}
	return members, ds, true, nil
}

// Publication returns the publication of the timeline of kind/id: public,
// as the timeline it names.
func (e *Engine) Publication(kind, id string) (dispatch.Publication, error) {
	var out dispatch.Publication
	found := false
	e.read(func(s *dispatch.State) {
		if p, ok := s.Published[kind+"/"+id]; ok {
			out, found = *p, true
		}
	})
	if !found {
		return out, dispatch.Errorf(dispatch.ENOTFOUND, "no timeline of %s %s is published", kind, id)
	}
	return out, nil
}

// Publications returns the published timelines, the most recently
// published first, as anyone may read them: only what the disclosure
// table makes public, with the line that says what its record is.
func (e *Engine) Publications() []dispatch.PublishedSummary {
	out := []dispatch.PublishedSummary{}
	e.read(func(s *dispatch.State) {
		for _, p := range s.PublicationList() {
			out = append(out, s.PublicSummary(p))
		}
	})
	return out
}

// VisiblePublications returns the published timelines whose records the
// actor sees, the most recently published first, whole: who published
// each, why, and what and where its record is.
func (e *Engine) VisiblePublications(a dispatch.Actor) []dispatch.PublicationDetail {
	out := []dispatch.PublicationDetail{}
	e.read(func(s *dispatch.State) {
		for _, p := range s.PublicationList() {
			if d, ok := dispatch.VisiblePublication(s, p, a); ok {
				out = append(out, d)
			}
		}
	})
	return out
}

// Counts are the public figures of the status page: how many agencies,
// units (and of them available) and incidents the state holds.
type Counts struct {
	Agencies, Units, Available, Incidents int
}

// Counts returns the public figures of the state: numbers only, no record.
func (e *Engine) Counts() Counts {
	var c Counts
	e.read(func(s *dispatch.State) {
		for _, u := range s.Units {
			if u.Status == dispatch.StatusAvailable {
				c.Available++
			}
		}
		c.Agencies, c.Units, c.Incidents = len(s.Agencies), len(s.Units), len(s.Incidents)
	})
	return c
}

// visible reads one record through the visibility rule: fn finds it in
// the state and returns the copy the actor may see, or false; a record
// that is missing or that the actor may not see is not found (what, id).
func visible[T any](e *Engine, fn func(*dispatch.State) (T, bool), what, id string) (T, error) {
	var out T
	found := false
	e.read(func(s *dispatch.State) { out, found = fn(s) })
	if !found {
		return out, notFound(what, id)
	}
	return out, nil
}
