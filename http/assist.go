package http

import (
	"net/http"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// Assistance requests, mutual-aid plans and directives (issue 6): the API
// over the domain's commands. A request is visible to every agency it
// concerns — the requester and each agency asked — and to nobody else; a
// directive to its own agency.

// handleSetMutualAid replaces an agency's mutual-aid plan.
func (s *Server) handleSetMutualAid(w http.ResponseWriter, r *http.Request) {
	var plan dispatch.MutualAidPlan
	if err := decode(w, r, &plan); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, err := s.engine.Agency(actorOf(r), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.SetMutualAidPlan{Agency: id, Plan: plan})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.engine.MutualAidPlan(actorOf(r), id)
	s.changedAs(w, r, res, out, err)
}

// handleGetMutualAid answers an agency's plan: its own users and
// installation administrators may read it. An agency without a plan
// answers 404.
func (s *Server) handleGetMutualAid(w http.ResponseWriter, r *http.Request) {
	out, err := s.engine.MutualAidPlan(actorOf(r), r.PathValue("id"))
	s.answerOne(w, r, out, err)
}

// request answers the request of the path, open or archived, if the actor
// may see it (dispatch.VisibleRequest). Another agency's request answers
// 404, as an incident does.
func (s *Server) request(r *http.Request) (dispatch.AssistRequest, error) {
	return s.engine.LookupRequest(r.Context(), actorOf(r), r.PathValue("id"))
}

// answerOne answers one record found by a lookup, or the lookup's error
// (a record the caller may not see answers 404, as a missing one does).
func (s *Server) answerOne(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// handleListRequests answers a page of the assistance requests the caller
// sees, open and archived, newest created first (pages.go): ?status,
// agency, from, to narrow it; ?before and limit page it, and a Link header
// names the next page.
func (s *Server) handleListRequests(w http.ResponseWriter, r *http.Request) {
	q, err := requestQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.engine.RequestPage(r.Context(), actorOf(r), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	linkNext(w, r, page.Next)
	writeJSON(w, http.StatusOK, map[string]any{"requests": page.Requests})
}

func (s *Server) handleGetRequest(w http.ResponseWriter, r *http.Request) {
	out, err := s.request(r)
	s.answerOne(w, r, out, err)
}

// handleCreateRequest asks for assistance. The location is resolved as an
// incident's is (text through the gazetteer, or a point).
func (s *Server) handleCreateRequest(w http.ResponseWriter, r *http.Request) {
	var req struct {
		From     string            `json:"from_agency"`
		To       string            `json:"to_agency"`
		Unit     string            `json:"unit"`
		Location dispatch.Location `json:"location"`
		Nature   string            `json:"nature"`
		Urgency  string            `json:"urgency"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if req.From == "" {
		req.From = a.Agency
	}
	res, err := s.engine.Execute(r.Context(), a, dispatch.RequestAssist{
		From: req.From, To: req.To, Unit: req.Unit, Location: req.Location,
		Nature: req.Nature, Urgency: req.Urgency,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.Events[0].Subject["request"]
	out, err := s.engine.Request(a, id)
	s.createdAs(w, r, res, "/api/v1/requests/"+id, out, err)
}

// executeOnRequest executes the command made for the request of the path,
// which the actor must be able to see, and answers the changed request.
func (s *Server) executeOnRequest(w http.ResponseWriter, r *http.Request, cmd func(id string) dispatch.Command) {
	if _, err := s.request(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	res, err := s.engine.Execute(r.Context(), actorOf(r), cmd(id))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.engine.Request(actorOf(r), id)
	s.changedAs(w, r, res, out, err)
}

func (s *Server) handleAcknowledgeRequest(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnRequest, func(id string, b struct {
		Agency string `json:"agency"`
	}) dispatch.Command {
		return dispatch.AcknowledgeAssist{Request: id, Agency: b.Agency}
	})
}

func (s *Server) handleAcceptRequest(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnRequest, func(id string, b struct {
		Agency   string   `json:"agency"`
		Units    []string `json:"units"`
		Override string   `json:"override"`
	}) dispatch.Command {
		return dispatch.AcceptAssist{Request: id, Agency: b.Agency, Units: b.Units, Override: b.Override}
	})
}

func (s *Server) handleDeclineRequest(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnRequest, func(id string, b struct {
		Agency string `json:"agency"`
		Reason string `json:"reason"`
	}) dispatch.Command {
		return dispatch.DeclineAssist{Request: id, Agency: b.Agency, Reason: b.Reason}
	})
}

func (s *Server) handleCloseRequest(w http.ResponseWriter, r *http.Request) {
	withBody(s, w, r, s.executeOnRequest, func(id string, b struct {
		Disposition string `json:"disposition"`
	}) dispatch.Command {
		return dispatch.CloseAssist{Request: id, Disposition: b.Disposition}
	})
}

// withBody decodes the request's body as a T and has exec — which finds the
// record of the path and answers it changed — execute the command that
// build makes of the record's id and the body.
func withBody[T any](s *Server, w http.ResponseWriter, r *http.Request,
	exec func(http.ResponseWriter, *http.Request, func(id string) dispatch.Command),
	build func(id string, body T) dispatch.Command) {
	var body T
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	exec(w, r, func(id string) dispatch.Command { return build(id, body) })
}

// handleRequestBundle answers the evidence bundle of a request: every event
// of its timeline (the request's own, its units', and those of the
// directives that stood against it), each with its inclusion proof.
func (s *Server) handleRequestBundle(w http.ResponseWriter, r *http.Request) {
	if _, err := s.request(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	tl, err := s.engine.Timeline(r.Context(), actorOf(r), dispatch.TimelineRequest, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.URL.Query().Get("federated") == "true" {
		s.federatedBundle(w, r, "request/"+id, tl.Seqs)
		return
	}
	b, err := s.engine.Log().Bundle(r.Context(), "request/"+id, tl.Seqs, r.URL.Query().Get("openings") == "true")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.bundle.json"`)
	writeJSON(w, http.StatusOK, b)
}

// federatedBundle answers the cross-installation bundle of subject: this
// log's events seqs and the partners' events they name, each under a
// checkpoint its witnesses cosigned, as tenfour verify checks it. Private
// fields are commitments only: a partner's openings are not ours to give.
func (s *Server) federatedBundle(w http.ResponseWriter, r *http.Request, subject string, seqs []int64) {
	if s.builder == nil {
		writeProblem(w, r, http.StatusNotFound, "not_found", "this installation has no partners")
		return
	}
	b, err := s.builder.Build(r.Context(), subject, seqs)
	if err != nil {
		s.logger.Warn("federation: build a bundle", "subject", subject, "err", err)
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", "the cross-installation bundle cannot be made now: "+err.Error())
		return
	}
	data, err := b.Encode()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, id, _ := strings.Cut(subject, "/")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.federated.bundle.json"`)
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

// handleListDirectives answers the directives of the caller's agency (every
// agency's for an installation administrator), newest first; ?status=
// IN_FORCE keeps those in force now.
func (s *Server) handleListDirectives(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	before, limit, err := listParams(v, "status")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := v.Get("status")
	if status != "" && status != dispatch.DirectiveInForce && status != dispatch.DirectiveRevoked && status != dispatch.DirectiveExpired {
		s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "status must be IN_FORCE, REVOKED or EXPIRED"))
		return
	}
	// Revoked and expired directives stay: the list grows with history.
	page, next := engine.PageOf(s.engine.Directives(actorOf(r), status, s.engine.Now()),
		func(d dispatch.Directive) (time.Time, string) { return d.Issued, d.ID }, before, limit)
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, map[string]any{"directives": page})
}

func (s *Server) handleIssueDirective(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Agency   string         `json:"agency"`
		Scope    dispatch.Scope `json:"scope"`
		Effect   string         `json:"effect"`
		Restrict string         `json:"restrict"`
		Reason   string         `json:"reason"`
		Expires  time.Time      `json:"expires"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if req.Agency == "" {
		req.Agency = a.Agency
	}
	res, err := s.engine.Execute(r.Context(), a, dispatch.IssueDirective{
		Agency: req.Agency, Scope: req.Scope, Effect: req.Effect, Restrict: req.Restrict, Reason: req.Reason, Expires: req.Expires,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.Events[0].Subject["directive"]
	out, err := s.engine.Directive(a, id)
	s.createdAs(w, r, res, "/api/v1/directives/"+id, out, err)
}

// directive answers the directive of the path, if the actor may see it.
func (s *Server) directive(r *http.Request) (dispatch.Directive, error) {
	return s.engine.Directive(actorOf(r), r.PathValue("id"))
}

func (s *Server) handleGetDirective(w http.ResponseWriter, r *http.Request) {
	out, err := s.directive(r)
	s.answerOne(w, r, out, err)
}

func (s *Server) handleRevokeDirective(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.directive(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.RevokeDirective{Directive: id, Reason: req.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.engine.Directive(actorOf(r), id)
	s.changedAs(w, r, res, out, err)
}
