package http

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
)

// Published timelines (DESIGN.md, "The ledger": "A public timeline shows
// commitments in place of private fields and still verifies"). A supervisor
// or an auditor publishes the timeline of a request or an incident their
// agency is concerned in — an event in the log, timeline.published — and
// from then on anyone may read it under /public/v1/, with its evidence
// bundle: no opening ever, the private fields only as their commitments.
// What is public is the timeline up to and including its latest
// timeline.published event; publishing again takes in what happened since.

// publishers may publish a timeline: named supervisors and auditors, never
// an administrator.
var publishers = []string{dispatch.RoleSupervisor, dispatch.RoleAuditor}

// publicationReaders read publications whole (GET /api/v1/publications):
// those who may open the console's audit view (router.js).
var publicationReaders = []string{dispatch.RoleSupervisor, dispatch.RoleAuditor, InstallationAdmin}

func (s *Server) handlePublishRequest(w http.ResponseWriter, r *http.Request) {
	s.publish(w, r, dispatch.PublishRequest, func() error { _, err := s.request(r); return err })
}

func (s *Server) handlePublishIncident(w http.ResponseWriter, r *http.Request) {
	s.publish(w, r, dispatch.PublishIncident, func() error { _, err := s.incident(r); return err })
}

// publish publishes the timeline of the record of kind at the path, which
// visible must find the caller may see (another agency's answers 404). It
// answers the publication, with the public timeline as its Location.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, kind string, visible func() error) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := visible(); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.PublishTimeline{Kind: kind, ID: id, Reason: req.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.engine.Publication(kind, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/public/v1/timelines/"+kind+"/"+id)
	changed(w, res, out)
}

// A PublishedSummary is a published timeline as the public list shows it:
// the publication's public facts, and a line saying what the record is.
type PublishedSummary = dispatch.PublishedSummary

// A PublicTimeline is a published timeline as anyone may read it: the
// publication's public facts, the timeline up to its latest publication
// and the evidence bundle of its events, redacted (no openings), against a
// signed checkpoint. Nothing in it comes from the state but what the
// disclosure table makes public (dispatch/disclosure.go): the entries are
// the leaves as the log holds them, private fields as commitments.
type PublicTimeline struct {
	Publication PublishedSummary `json:"publication"`
	Timeline    *PublicEvents    `json:"timeline"`
	Bundle      json.RawMessage  `json:"bundle"`
}

// PublicEvents is the timeline of a published record: its entries, the
// leaves unopened, and the directives they name by their public fields
// only (no reason, no issuer's name, no circle or polygon).
type PublicEvents struct {
	Subject    string                     `json:"subject"`
	Entries    []TimelineEntry            `json:"entries"`
	Directives []dispatch.PublicDirective `json:"directives"`
}

// handlePublications lists the published timelines whose records the
// caller sees, whole: who published each and why, and what and where the
// record is — what the public list leaves out.
func (s *Server) handlePublications(w http.ResponseWriter, r *http.Request) {
	before, limit, err := listParams(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, next := engine.PageOf(s.engine.VisiblePublications(actorOf(r)),
		func(p dispatch.PublicationDetail) (time.Time, string) { return p.Published, p.Subject }, before, limit)
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"publications": page})
}

// handlePublicTimelines lists the published timelines, the most recently
// published first.
func (s *Server) handlePublicTimelines(w http.ResponseWriter, r *http.Request) {
	before, limit, err := listParams(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, next := engine.PageOf(s.engine.Publications(),
		func(p dispatch.PublishedSummary) (time.Time, string) { return p.Published, p.Subject }, before, limit)
	logHeaders(w)
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"timelines": page})
}

// handlePublicTimeline answers a published timeline and its redacted
// bundle; one not published (or no such record) answers 404.
func (s *Server) handlePublicTimeline(w http.ResponseWriter, r *http.Request) {
	pt, b, err := s.publicTimeline(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pt.Bundle, err = b.Encode()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	logHeaders(w)
	writeJSON(w, http.StatusOK, pt)
}

// handlePublicBundle answers the redacted evidence bundle of a published
// timeline alone, as a file in its canonical form, for `tenfour verify`.
func (s *Server) handlePublicBundle(w http.ResponseWriter, r *http.Request) {
	pt, b, err := s.publicTimeline(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	logHeaders(w)
	w.Header().Set("Content-Disposition", `attachment; filename="`+pt.Publication.ID+`.public.bundle.json"`)
	writeJSON(w, http.StatusOK, b)
}

// publicTimeline builds the published timeline of the path: the record's
// timeline cut after its latest timeline.published event, and the bundle
// of exactly those events, without openings.
func (s *Server) publicTimeline(r *http.Request) (*PublicTimeline, *ledger.Bundle, error) {
	kind, id := r.PathValue("kind"), r.PathValue("id")
	subject := kind + "/" + id
	p, tl, err := s.engine.PublishedTimeline(r.Context(), kind, id)
	if err != nil {
		return nil, nil, err
	}
	seqs := tl.Seqs
	t, err := s.timeline(r, subject, seqs, tl.Directives, false)
	if err != nil {
		return nil, nil, err
	}
	if !cutAtPublication(t, subject) {
		// The state says published, the log does not: they disagree.
		return nil, nil, dispatch.Errorf(dispatch.EINTERNAL, "timeline of %s is published but has no timeline.published event", subject)
	}
	seqs = seqs[:0]
	for _, e := range t.Entries {
		seqs = append(seqs, e.Seq)
	}
	b, err := s.engine.Log().Bundle(r.Context(), subject, seqs, false)
	if err != nil {
		return nil, nil, err
	}
	pe := &PublicEvents{Subject: t.Subject, Entries: t.Entries, Directives: []dispatch.PublicDirective{}}
	for _, d := range t.Directives {
		pe.Directives = append(pe.Directives, d.Public())
	}
	return &PublicTimeline{Publication: p, Timeline: pe}, b, nil
}

// cutAtPublication cuts t after its last timeline.published event of
// subject, and keeps of its directives those its remaining entries name,
// each as it stood then: what the publisher published, nothing after. It
// reports whether t has such an event.
func cutAtPublication(t *Timeline, subject string) bool {
	cut := -1
	for i, e := range t.Entries {
		if e.Type != dispatch.TypeTimelinePublished {
			continue
		}
		var d dispatch.TimelinePublished
		if json.Unmarshal(e.Data, &d) == nil && d.Subject == subject {
			cut = i
		}
	}
	if cut < 0 {
		return false
	}
	t.Entries = t.Entries[:cut+1]
	at, err := time.Parse(time.RFC3339Nano, t.Entries[cut].Time)
	if err != nil {
		return false
	}
	named := map[string]bool{}
	overrides := map[string]int{}
	for _, e := range t.Entries {
		for _, d := range e.Directives {
			named[d] = true
		}
		if e.Type == dispatch.TypeDirectiveOverridden {
			var d dispatch.DirectiveOverride
			if json.Unmarshal(e.Data, &d) == nil {
				overrides[d.Directive]++
			}
		}
	}
	ds := []dispatch.Directive{}
	for _, d := range t.Directives {
		if !named[d.ID] {
			continue
		}
		if d.Ended != nil && d.Ended.After(at) {
			d.Ended, d.EndedBy, d.EndReason, d.Status = nil, nil, "", dispatch.DirectiveInForce
		}
		if d.Status == dispatch.DirectiveInForce && !at.Before(d.Expires) {
			d.Status = dispatch.DirectiveExpired
		}
		d.Overrides = overrides[d.ID]
		ds = append(ds, d)
	}
	t.Directives = ds
	return true
}
