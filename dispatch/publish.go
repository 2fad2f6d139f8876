package dispatch

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TypeTimelinePublished is the event of a supervisor or an auditor making
// the timeline of a request or an incident public (DESIGN.md: "one
// verifiable timeline that can be published with private fields hidden and
// still checked"). Publishing is an accountable act, so it is an event like
// any other, and it is part of the timeline it publishes.
const TypeTimelinePublished = "timeline.published"

// Kinds of record whose timeline can be published.
const (
	PublishRequest  = "request"
	PublishIncident = "incident"
)

// MaxPublishReason bounds the reason given for publishing.
const MaxPublishReason = 500

// TimelinePublished is the payload of timeline.published. Subject is the
// record whose timeline is published, "request/<id>" or "incident/<id>":
// its timeline up to and including this event is public from now on.
type TimelinePublished struct {
	Subject string `json:"subject"`
	Reason  string `json:"reason,omitempty"`
	// Facts are the summaries' lines about a record first published after
	// it left the state: the state has nothing else to say them from. The
	// detail's place (the address as given) is private.
	Title       string `json:"title,omitempty"`
	Where       string `json:"where,omitempty"`
	DetailTitle string `json:"detail_title,omitempty"`
	DetailWhere string `json:"detail_where,omitempty"`
}

// A Publication is a published timeline: the record, whose it is, and when
// and by whom it was last published. A timeline published again (to take
// in what happened since) stays one publication.
type Publication struct {
	Subject string `json:"subject"` // "request/<id>" or "incident/<id>"
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Agency  string `json:"agency"` // the agency whose record it is
	// Published is when it was last published, by By for Reason; First
	// when it was first; Times how often.
	Published time.Time `json:"published"`
	First     time.Time `json:"first_published"`
	By        Who       `json:"by"`
	Reason    string    `json:"reason,omitempty"`
	Times     int       `json:"times"`
	// Facts are what the summaries say of the record, kept when the
	// record leaves the state (archive.go); nil while it is there. The
	// API does not show them: Detail and PublicSummary do.
	Facts *PublishedFacts `json:"-"`
}

// PublishedFacts are the lines of a publication's summaries (PublicSummary
// and Detail) about its record.
type PublishedFacts struct {
	Title, Where             string // public
	DetailTitle, DetailWhere string // for those who see the record
	// Agencies are those the record concerned: who may read its detail
	// (VisiblePublication).
	Agencies []string
}

// keepFacts keeps what the summaries say of p's record, before it leaves
// the state.
func (p *Publication) keepFacts(s *State) {
	sum, d := s.PublicSummary(p), s.Detail(p)
	p.Facts = &PublishedFacts{Title: sum.Title, Where: sum.Where, DetailTitle: d.Title, DetailWhere: d.Where, Agencies: []string{p.Agency}}
	if rq, ok := s.Requests[p.ID]; ok && p.Kind == PublishRequest {
		p.Facts.Agencies = rq.Agencies()
	}
}

// incidentFacts are the summaries' lines about an incident.
func (s *State) incidentFacts(in *Incident) PublishedFacts {
	f := PublishedFacts{Title: fmt.Sprintf("P%d %s", in.Priority, in.Type), Where: in.Location.District}
	f.DetailTitle, f.DetailWhere = f.Title, in.Location.Text
	if t, ok := s.IncidentType(in.Agency, in.Type); ok && t.Name != "" {
		f.Title += " " + t.Name
	}
	return f
}

// requestFacts are the summaries' lines about an assistance request.
func requestFacts(rq *AssistRequest) PublishedFacts {
	return PublishedFacts{Title: rq.Urgency + ": " + rq.From + " asked " + strings.Join(askedOf(rq), ", "),
		Where: rq.Location.District, DetailTitle: rq.Urgency + ": " + rq.Nature, DetailWhere: rq.Location.Text}
}

// archivedFacts are the summaries' lines about an archived record, read
// from its archived document.
func (s *State) archivedFacts(a *ArchivedRef) (PublishedFacts, error) {
	switch a.Kind {
	case PublishIncident:
		var in Incident
		if err := json.Unmarshal(a.Doc, &in); err != nil {
			return PublishedFacts{}, fmt.Errorf("archived incident %s: %w", a.ID, err)
		}
		return s.incidentFacts(&in), nil
	case PublishRequest:
		var rq AssistRequest
		if err := json.Unmarshal(a.Doc, &rq); err != nil {
			return PublishedFacts{}, fmt.Errorf("archived request %s: %w", a.ID, err)
		}
		return requestFacts(&rq), nil
	}
	return PublishedFacts{}, fmt.Errorf("archived %s %s: no timeline", a.Kind, a.ID)
}

// PublishTimeline makes the timeline of a request or an incident public,
// as it stands now, with its private fields as commitments only. A
// supervisor or an auditor of an agency the record concerns may publish it
// (or tenfour itself, as the demo does); publishing again takes in what
// happened since.
type PublishTimeline struct {
	Kind   string // PublishRequest or PublishIncident
	ID     string
	Reason string
	// Archived is the record when it has left the live state: the engine
	// reads it from the archive and hands it over, whatever the command
	// came with. An auditor publishes a timeline weeks after it closed.
	Archived *ArchivedRef
}

// archived returns c.Archived if it is the record c names.
func (c PublishTimeline) archived() (*ArchivedRef, bool) {
	a := c.Archived
	return a, a != nil && a.Kind == c.Kind && a.ID == c.ID
}

// Decide implements Command.
func (c PublishTimeline) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() && actor.Role != RoleSupervisor && actor.Role != RoleAuditor {
		return nil, Errorf(EFORBIDDEN, "only a supervisor or an auditor may publish a timeline")
	}
	if err := CheckText("reason", &c.Reason, MaxPublishReason, false); err != nil {
		return nil, err
	}
	subject := map[string]string{}
	var agency string
	switch c.Kind {
	case PublishRequest:
		var concerns []string
		if r, ok := s.Requests[c.ID]; ok {
			agency, concerns = r.From, r.Agencies()
			if !actor.IsSystem() && !r.Concerns(actor.Agency) {
				concerns = nil
			}
		} else if a, ok := c.archived(); ok {
			agency, concerns = a.Agency, slices.Sorted(slices.Values(a.Agencies))
		}
		if concerns == nil || !(actor.IsSystem() || slices.Contains(concerns, actor.Agency)) {
			return nil, Errorf(ENOTFOUND, "request %s does not exist", c.ID)
		}
		subject["request"] = c.ID
		// As every event about the request: each agency it concerns
		// sees it on its stream.
		subject["agencies"] = strings.Join(concerns, ",")
	case PublishIncident:
		if in, ok := s.Incidents[c.ID]; ok {
			agency = in.Agency
		} else if a, ok := c.archived(); ok {
			agency = a.Agency
		}
		if agency == "" || !(actor.IsSystem() || actor.Agency == agency) {
			return nil, Errorf(ENOTFOUND, "incident %s does not exist", c.ID)
		}
		subject["incident"] = c.ID
	default:
		return nil, Errorf(EINVALID, "a timeline is published for a request or an incident, not %q", c.Kind)
	}
	d := &TimelinePublished{Subject: c.Kind + "/" + c.ID, Reason: strings.TrimSpace(c.Reason)}
	if _, live := s.liveRecord(c.Kind, c.ID); !live {
		if a, ok := c.archived(); ok && len(a.Doc) > 0 {
			f, err := s.archivedFacts(a)
			if err != nil {
				return nil, err
			}
			d.Title, d.Where, d.DetailTitle, d.DetailWhere = f.Title, f.Where, f.DetailTitle, f.DetailWhere
		}
	}
	return []Event{{
		Time: now, Type: TypeTimelinePublished, Agency: agency, Actor: actor, Subject: subject, Data: d,
	}}, nil
}

// applyPublished folds a timeline.published event. Its record need not be
// in the state: a closed one may have been archived (archive.go).
func (s *State) applyPublished(e Event, d *TimelinePublished) error {
	kind, id, _ := strings.Cut(d.Subject, "/")
	switch kind {
	case PublishRequest, PublishIncident:
		if id == "" {
			return fmt.Errorf("timeline of %q published: no id", d.Subject)
		}
	default:
		return fmt.Errorf("timeline of %q published: not a request or an incident", d.Subject)
	}
	p, ok := s.Published[d.Subject]
	if !ok {
		p = &Publication{Subject: d.Subject, Kind: kind, ID: id, Agency: e.Agency, First: e.Time}
		s.Published[d.Subject] = p
	}
	p.Published, p.By, p.Reason = e.Time, whoOf(e.Actor), d.Reason
	p.Times++
	if d.Title != "" {
		if _, live := s.liveRecord(kind, id); !live {
			p.Facts = &PublishedFacts{Title: d.Title, Where: d.Where, DetailTitle: d.DetailTitle, DetailWhere: d.DetailWhere,
				Agencies: []string{e.Agency}}
			if as := e.Subject["agencies"]; as != "" {
				p.Facts.Agencies = strings.Split(as, ",")
			}
		}
	}
	return nil
}

// PublicationList returns the published timelines, the most recently
// published first.
func (s *State) PublicationList() []*Publication {
	out := make([]*Publication, 0, len(s.Published))
	for _, p := range s.Published {
		out = append(out, p)
	}
	newestFirst(out, func(p *Publication) (time.Time, string) { return p.Published, p.Subject })
	return out
}

// A PublishedSummary is a published timeline as the public list (and
// every /public/v1 answer) shows it: only what the disclosure table makes
// public (disclosure.go). The publisher is a role and an agency, never a
// person; the reason for publishing is free text and stays out; the line
// that says what the record is is built from public facts only, and its
// place is the district alone, never an address or a point.
type PublishedSummary struct {
	Subject   string    `json:"subject"`
	Kind      string    `json:"kind"`
	ID        string    `json:"id"`
	Agency    string    `json:"agency"`
	Published time.Time `json:"published"`
	First     time.Time `json:"first_published"`
	By        Who       `json:"by"` // role and agency (or system) only
	Times     int       `json:"times"`
	// Title is a request's urgency and agencies, or an incident's
	// priority and type; Where the district of its place, if known.
	Title string `json:"title"`
	Where string `json:"where,omitempty"`
}

// PublicSummary returns publication p as anyone may read it.
func (s *State) PublicSummary(p *Publication) PublishedSummary {
	sum := PublishedSummary{Subject: p.Subject, Kind: p.Kind, ID: p.ID, Agency: p.Agency,
		Published: p.Published, First: p.First, By: p.By.Public(), Times: p.Times}
	switch p.Kind {
	case PublishRequest:
		if rq, ok := s.Requests[p.ID]; ok {
			f := requestFacts(rq)
			sum.Title, sum.Where = f.Title, f.Where
		}
	case PublishIncident:
		if in, ok := s.Incidents[p.ID]; ok {
			f := s.incidentFacts(in)
			sum.Title, sum.Where = f.Title, f.Where
		}
	}
	if sum.Title == "" && p.Facts != nil {
		sum.Title, sum.Where = p.Facts.Title, p.Facts.Where
	}
	return sum
}

// askedOf returns the agencies a request asked, in the order asked.
func askedOf(rq *AssistRequest) []string {
	out := []string{}
	for _, a := range rq.Asked {
		if !slices.Contains(out, a.Agency) {
			out = append(out, a.Agency)
		}
	}
	if len(out) == 0 {
		out = append(out, rq.To)
	}
	return out
}

// A PublicationDetail is a published timeline as those who may see its
// record read it (GET /api/v1/publications): the publication whole, with
// its publisher's name and reason, and a line with the request's nature or
// the incident's type and the place as given.
type PublicationDetail struct {
	Publication
	Title string `json:"title"`
	Where string `json:"where,omitempty"`
}

// Detail returns publication p whole, for those who see its record.
func (s *State) Detail(p *Publication) PublicationDetail {
	d := PublicationDetail{Publication: *p}
	switch p.Kind {
	case PublishRequest:
		if rq, ok := s.Requests[p.ID]; ok {
			f := requestFacts(rq)
			d.Title, d.Where = f.DetailTitle, f.DetailWhere
		}
	case PublishIncident:
		if in, ok := s.Incidents[p.ID]; ok {
			f := s.incidentFacts(in)
			d.Title, d.Where = f.DetailTitle, f.DetailWhere
		}
	}
	if d.Title == "" && p.Facts != nil {
		d.Title, d.Where = p.Facts.DetailTitle, p.Facts.DetailWhere
	}
	return d
}

// liveRecord reports whether record kind/id is in the live state.
func (s *State) liveRecord(kind, id string) (any, bool) {
	switch kind {
	case PublishRequest:
		rq, ok := s.Requests[id]
		return rq, ok
	case PublishIncident:
		in, ok := s.Incidents[id]
		return in, ok
	}
	return nil, false
}
