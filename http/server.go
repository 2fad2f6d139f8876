// Package http is tenfour's HTTP interface: the JSON API under /api/v1 with
// RFC 9457 problem+json errors, the log as C2SP tlog-tiles under /log/, and
// the pages of the console.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/webhook"
	"github.com/tenfour-cad/tenfour/witness"
)

// Server serves one tenfour node.
type Server struct {
	engine *engine.Engine
	photos Photos
	auth   *auth.Service
	logger *slog.Logger
	// clock times the transport alone: rate limits, idempotency keys, the
	// freshness of relayed audit events, request durations. Every domain
	// question (is a directive in force, a BOLO expired) asks the engine's
	// clock, engine.Now, so that every entrance answers it alike.
	clock   func() time.Time
	mux     *http.ServeMux
	srv     *http.Server
	cop     *http.CrossOriginProtection
	relays  relayer
	idem    *idemStore
	keys    Keys         // durable idempotency keys (SetKeys); nil: memory only
	answers answerGroups // their answers, on their way to the store

	pruneMu sync.Mutex
	pruned  time.Time // when expired stored keys were last deleted

	// LoginLimit bounds sign-in attempts per client address; FailureLimit
	// bounds refused tokens and sessions per client address; APILimit bounds
	// the other API requests per token or session (per address for requests
	// without one). Set them before serving; the zero Limit is no limit.
	LoginLimit   Limit
	FailureLimit Limit
	APILimit     Limit
	logins       *limiter
	failures     *limiter
	calls        *limiter

	// ForwardTimeout bounds the wait for the sequencer's answer to a
	// forwarded command (forward.go); zero is DefaultForwardTimeout. Set it
	// before serving.
	ForwardTimeout time.Duration

	// StreamsPerUser and StreamsPerNode cap the event streams (GET
	// /api/v1/stream) open at once on this node, per user and in all;
	// past either a new one answers 429. Set them before serving; zero is
	// no cap.
	StreamsPerUser int
	StreamsPerNode int
	streams        streamCounts

	// Scenarios are the scenarios the server plays on a supervisor's
	// request (POST /api/v1/scenarios/{name}, scenarios.go), by name:
	// tenfour demo gives the reference scenario; tenfour serve none. Set
	// them before serving.
	Scenarios map[string]func(context.Context) error
	scenarios scenarioRuns

	// drawing is the centre's map as the console draws it (SetMap).
	drawing *drawn

	// mapTiles is the console map's raster tile layer, if any
	// (SetMapTiles, mapdata.go).
	mapTiles MapTiles

	// witness and cosigned serve C2SP tlog-witness and the cosigned
	// checkpoints (SetWitness, witness.go).
	witness  *witness.Witness
	cosigned WitnessState
	// inbox and builder receive peers' messages and make cross-installation
	// bundles (SetFederation, federation_messages.go).
	inbox   *federation.Inbox
	builder *federation.Builder
	// metrics is told of rate-limit refusals and failed sign-ins
	// (SetMetrics, metrics.go).
	metrics Metrics

	// conveyance is the EIDO notifier, if any (SetConveyance), and
	// partnerCerts the client certificates pinned to partners' accounts
	// (SetPartnerCertificates; eidoconveyance.go).
	conveyance   Conveyance
	partnerCerts map[string]string

	// webhooks keeps the agencies' webhook subscriptions (webhooks.go), in
	// the store that keeps the photos: both stores keep them.
	webhooks *webhook.Service
}

// A Route is one entry of the route table: the pattern (net/http ServeMux
// syntax), the roles that may call it, and its handler. The same table
// registers the routes, is enforced by one middleware (authorize) and feeds
// the authorisation matrix test.
//
// Roles lists dispatch roles, AnyUser or InstallationAdmin. A route with no
// roles is public: it answers anyone, signed in or not.
type Route struct {
	Pattern string
	Roles   []string
	Handler func(w http.ResponseWriter, r *http.Request)
}

// Public reports whether the route answers anonymous callers.
func (rt Route) Public() bool { return len(rt.Roles) == 0 }

// Photos keeps BOLOs' photos by their content; the log names each by its
// SHA-256. store/sqlite and store/postgres implement it.
type Photos interface {
	// PutPhoto stores a photo under its hash. Storing the same hash again
	// is no error and changes nothing: the first bytes stay.
	PutPhoto(ctx context.Context, p store.Photo) error
	// Photo returns the photo with the hash, or store.ErrNotFound.
	Photo(ctx context.Context, hash []byte) (store.Photo, error)
}

// NewServer returns a server for the engine, keeping BOLO photos in photos
// and signing users in and out with a.
func NewServer(e *engine.Engine, photos Photos, a *auth.Service, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		engine: e, photos: photos, auth: a, logger: logger, clock: time.Now, mux: http.NewServeMux(),
		cop:        http.NewCrossOriginProtection(),
		LoginLimit: DefaultLoginLimit, FailureLimit: DefaultFailureLimit, APILimit: DefaultAPILimit,
		StreamsPerUser: DefaultStreamsPerUser, StreamsPerNode: DefaultStreamsPerNode,
		logins: newLimiter(), failures: newLimiter(), calls: newLimiter(),
		idem:    newIdemStore(IdempotencyEntries, IdempotencyTTL),
		drawing: newDrawn(nil),
		metrics: noMetrics{},
	}
	if ws, ok := photos.(webhook.Store); ok {
		s.webhooks = webhook.NewService(e, ws)
	}
	if a != nil && a.Record != nil {
		// Audit events this node cannot append go to the sequencer.
		a.Record = s.relaying(a.Record)
	}
	for _, rt := range s.Routes() {
		h := http.HandlerFunc(rt.Handler)
		if !rt.Public() {
			// Keys belong to a caller, so they are looked up once it is
			// known; like authorize, this runs on the sequencer.
			if method, _, _ := strings.Cut(rt.Pattern, " "); method == http.MethodPost {
				h = s.idempotent(h)
			}
			h = s.authorize(rt, h)
		}
		// A command is authorised where it is decided, on the sequencer,
		// so that a refusal is recorded in the log. Reads of the soft AVL
		// positions go there too: only the sequencer holds them.
		if method, _, _ := strings.Cut(rt.Pattern, " "); method != http.MethodGet || softRoutes[rt.Pattern] {
			h = s.sequenced(h)
		}
		h = s.limited(rt, h)
		s.mux.Handle(rt.Pattern, h)
	}
	return s
}

// SetClock sets the clock of the transport (rate limits, idempotency keys,
// the freshness of relayed and forwarded requests), time.Now by default. A
// test hands it the same fake clock as the engine and auth.Service, so that
// a limit refills only when the test says so, whatever the machine's speed.
// Set it before serving.
func (s *Server) SetClock(now func() time.Time) {
	if now != nil {
		s.clock = now
	}
}

// softRoutes are the reads answered from the AVL positions, which units
// report to the sequencer (POST /api/v1/units/positions is a command) and
// which live in its memory only: another node passes them on to it. After
// a takeover the new sequencer knows a unit's position again from its next
// report.
var softRoutes = map[string]bool{
	"GET /api/v1/incidents/{id}/recommendations": true,
	"GET /api/v1/units/positions":                true,
	"GET /api/v1/bolos":                          true, // ?unit= reads its position
}

// Roles of the route table. A request acts in the first role it holds that
// its route allows, so the order here does not matter.
var (
	anyUser  = []string{AnyUser}
	takers   = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, InstallationAdmin}
	readers  = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer, dispatch.RoleAuditor, InstallationAdmin}
	auditors = []string{dispatch.RoleAuditor, InstallationAdmin}
	fleet    = []string{dispatch.RoleSupervisor, dispatch.RoleAdmin}
	senders  = []string{dispatch.RoleDispatcher, dispatch.RoleSupervisor, InstallationAdmin}
	noters   = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer, InstallationAdmin}
	crews    = []string{dispatch.RoleOfficer, dispatch.RoleDispatcher, dispatch.RoleSupervisor, InstallationAdmin}
	admins   = []string{dispatch.RoleAdmin}
	// The roster (runcards.go): supervisors and administrators keep it;
	// an officer signs their own crew on and off.
	rosterers = []string{dispatch.RoleOfficer, dispatch.RoleSupervisor, dispatch.RoleAdmin}
	// Assistance requests and directives (issue 6). Declines and
	// directives are a named supervisor's alone: no administrator, no token
	// without that role.
	mutualAid   = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer, dispatch.RoleLiaison, dispatch.RoleAuditor, InstallationAdmin}
	requesters  = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer, dispatch.RoleLiaison, InstallationAdmin}
	answerers   = []string{dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleLiaison, InstallationAdmin}
	commanders  = []string{dispatch.RoleSupervisor}
	supervisors = []string{dispatch.RoleSupervisor, dispatch.RoleAdmin}
	root        = []string{InstallationAdmin}
	// The federation's status (federation.go): those who answer for what
	// partners were told; dispatch.MayReadFederation decides.
	federators = []string{dispatch.RoleSupervisor, dispatch.RoleAuditor, InstallationAdmin}
	// Reports (reports.go): those who answer for the centre's times.
	reporters = []string{dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleAuditor, InstallationAdmin}
	// Messages (messages.go): the people who work incidents, each of an
	// agency; what they see is the messages that reach them.
	messengers = []string{dispatch.RoleCallTaker, dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleOfficer}
	// BOLOs (bolos.go): dispatchers and supervisors issue them, everyone
	// who reads incidents reads them.
	bolos = []string{dispatch.RoleDispatcher, dispatch.RoleSupervisor}
)

// Routes is the route table: every route the server answers, and who may
// call it (docs/security.md).
func (s *Server) Routes() []Route {
	logs := &logServer{log: s.engine.Log(), logger: s.logger}
	return append(logs.routes(), []Route{
		{"GET /{$}", nil, s.handleIndex},
		{"GET /static/", nil, s.handleStatic},
		{"GET /console/", nil, s.handleConsole},
		{"GET /healthz", nil, s.handleHealthz},
		{"GET /readyz", nil, s.handleReadyz},
		{"GET /api/v1/openapi.json", nil, s.handleOpenAPI},

		{"POST /api/v1/auth/login", nil, s.handleLogin},
		{"POST /api/v1/auth/logout", nil, s.handleLogout},
		{"GET /api/v1/auth/me", anyUser, s.handleMe},
		{"POST /api/v1/auth/tokens", anyUser, s.handleCreateOwnToken},

		{"GET /api/v1/agencies", anyUser, s.handleListAgencies},
		{"POST /api/v1/agencies", root, s.handleCreateAgency},
		{"PUT /api/v1/agencies/{id}/timers", supervisors, s.handleSetTimers},
		{"GET /api/v1/agencies/{id}/run-cards", anyUser, s.handleGetRunCards},
		{"PUT /api/v1/agencies/{id}/run-cards", supervisors, s.handleSetRunCards},
		{"GET /api/v1/units", anyUser, s.handleListUnits},
		{"POST /api/v1/units", fleet, s.handleCreateUnit},
		{"GET /api/v1/units/positions", readers, s.handleListPositions},
		{"POST /api/v1/units/positions", crews, s.handleUpdatePositions},
		{"POST /api/v1/units/{id}/status", crews, s.handleSetUnitStatus},
		{"POST /api/v1/units/{id}/cancel", senders, s.handleCancelUnit},
		{"POST /api/v1/units/{id}/sign-on", rosterers, s.handleSignOn},
		{"POST /api/v1/units/{id}/sign-off", rosterers, s.handleSignOff},
		{"PUT /api/v1/units/{id}/cross-staff", supervisors, s.handleCrossStaff},
		{"GET /api/v1/incident-types", anyUser, s.handleIncidentTypes},
		{"POST /api/v1/incident-types", supervisors, s.handleAddIncidentType},
		{"GET /api/v1/geocode", anyUser, s.handleGeocode},
		{"GET /api/v1/districts", anyUser, s.handleDistricts},
		{"GET /api/v1/streets", anyUser, s.handleStreets},
		{"GET /api/v1/map-tiles", anyUser, s.handleMapTiles},
		{"GET /api/v1/reports/intervals", reporters, s.handleReportIntervals},
		{"GET /api/v1/incidents", readers, s.handleListIncidents},
		{"POST /api/v1/incidents", takers, s.handleCreateIncident},
		{"POST /api/v1/eido", takers, s.handleImportEIDO},
		{"GET /api/v1/incidents/{id}", readers, s.handleGetIncident},
		{"GET /api/v1/incidents/possible-duplicates", takers, s.handlePossibleDuplicates},
		{"GET /api/v1/incidents/{id}/bundle", auditors, s.handleIncidentBundle},
		{"GET /api/v1/incidents/{id}/recommendations", takers, s.handleRecommendations},
		{"POST /api/v1/incidents/{id}/dispatch", senders, s.handleDispatch},
		{"POST /api/v1/incidents/{id}/clear", senders, s.handleClearIncident},
		{"POST /api/v1/incidents/{id}/notes", noters, s.handleAddNote},
		{"POST /api/v1/incidents/{id}/callers", takers, s.handleAddCaller},
		{"POST /api/v1/incidents/{id}/merge", senders, s.handleMergeIncident},
		{"POST /api/v1/incidents/{id}/links", takers, s.handleLinkIncident},
		{"DELETE /api/v1/incidents/{id}/links/{linked}", takers, s.handleUnlinkIncident},
		{"GET /api/v1/incidents/{id}/timeline", readers, s.handleIncidentTimeline},
		{"GET /api/v1/incidents/{id}/priors", readers, s.handleIncidentPriors},
		{"POST /api/v1/incidents/{id}/publish", publishers, s.handlePublishIncident},
		// The EIDO Retrieval Service (eido.go).
		{"GET /eido/v1/EIDO/{IncidentId...}", readers, s.handleGetEIDO},
		{"GET /api/v1/stream", anyUser, s.handleStream},
		// The EIDO conveyance (NENA-STA-024.1a), a WebSocket for partners.
		{"GET " + EIDOConveyancePath, mutualAid, s.handleEIDOConveyance},
		{"POST /api/v1/alerts/{seq}/acknowledge", alerters, s.handleAcknowledgeAlert},

		// Premise records and place names (premises.go).
		{"GET /api/v1/premises", readers, s.handleListPremises},
		{"POST /api/v1/premises", premisers, s.handleRecordPremise},
		{"GET /api/v1/premises/{id}", readers, s.handleGetPremise},
		{"POST /api/v1/premises/{id}/remove", premisers, s.handleRemovePremise},
		{"GET /api/v1/locations/unverified", placeFixers, s.handleListUnverified},
		{"POST /api/v1/locations/unverified/{incident}/fix", placeFixers, s.handleFixLocation},
		{"GET /api/v1/messages", messengers, s.handleListMessages},
		{"POST /api/v1/messages", messengers, s.handleSendMessage},
		{"POST /api/v1/messages/{id}/delivered", messengers, s.handleMessageDelivered},
		{"POST /api/v1/messages/{id}/read", messengers, s.handleMessageRead},
		{"GET /api/v1/bolos", readers, s.handleListBOLOs},
		{"POST /api/v1/bolos", bolos, s.handleIssueBOLO},
		{"POST /api/v1/bolos/{id}/cancel", bolos, s.handleCancelBOLO},
		{"POST /api/v1/photos", bolos, s.handleUploadPhoto},
		{"GET /api/v1/photos/{hash}", readers, s.handleGetPhoto},

		{"GET /api/v1/agencies/{id}/mutual-aid", anyUser, s.handleGetMutualAid},
		{"PUT /api/v1/agencies/{id}/mutual-aid", supervisors, s.handleSetMutualAid},
		{"GET /api/v1/requests", mutualAid, s.handleListRequests},
		{"POST /api/v1/requests", requesters, s.handleCreateRequest},
		{"GET /api/v1/requests/{id}", mutualAid, s.handleGetRequest},
		{"GET /api/v1/requests/{id}/timeline", mutualAid, s.handleRequestTimeline},
		{"GET /api/v1/requests/{id}/blocked", answerers, s.handleRequestBlocked},
		{"GET /api/v1/requests/{id}/bundle", auditors, s.handleRequestBundle},
		{"POST /api/v1/requests/{id}/publish", publishers, s.handlePublishRequest},
		{"POST /api/v1/requests/{id}/acknowledge", answerers, s.handleAcknowledgeRequest},
		{"POST /api/v1/requests/{id}/accept", answerers, s.handleAcceptRequest},
		{"POST /api/v1/requests/{id}/decline", commanders, s.handleDeclineRequest},
		{"POST /api/v1/requests/{id}/close", requesters, s.handleCloseRequest},
		{"GET /api/v1/directives", mutualAid, s.handleListDirectives},
		{"POST /api/v1/directives", commanders, s.handleIssueDirective},
		{"GET /api/v1/directives/{id}", mutualAid, s.handleGetDirective},
		{"POST /api/v1/directives/{id}/revoke", commanders, s.handleRevokeDirective},
		{"GET /api/v1/scenarios", commanders, s.handleListScenarios},
		{"POST /api/v1/scenarios/{name}", commanders, s.handlePlayScenario},

		// Webhooks (webhooks.go): an agency's administrators, or the
		// installation's; the service keeps each to its agency.
		{"GET /api/v1/webhooks", admins, s.handleListWebhooks},
		{"POST /api/v1/webhooks", admins, s.handleCreateWebhook},
		{"GET /api/v1/webhooks/{id}", admins, s.handleGetWebhook},
		{"DELETE /api/v1/webhooks/{id}", admins, s.handleDeleteWebhook},
		{"GET /api/v1/webhooks/{id}/deliveries", admins, s.handleWebhookDeliveries},

		{"GET /api/v1/users", admins, s.handleListUsers},
		{"POST /api/v1/users", admins, s.handleCreateUser},
		{"GET /api/v1/users/{username}", admins, s.handleGetUser},
		{"POST /api/v1/users/{username}/disable", admins, s.handleDisableUser},
		{"POST /api/v1/users/{username}/unlock", admins, s.handleUnlockUser},
		{"POST /api/v1/users/{username}/password", admins, s.handleResetPassword},
		{"POST /api/v1/users/{username}/totp", admins, s.handleEnrollTOTP},
		{"GET /api/v1/users/{username}/tokens", admins, s.handleListTokens},
		{"POST /api/v1/users/{username}/tokens", admins, s.handleCreateToken},
		{"DELETE /api/v1/tokens/{id}", admins, s.handleRevokeToken},

		// Published timelines, for anyone (publish.go).
		{"GET /public/v1/timelines", nil, s.handlePublicTimelines},
		// The same, whole, for those who see the records (publish.go).
		{"GET /api/v1/publications", publicationReaders, s.handlePublications},
		{"GET /public/v1/timelines/{kind}/{id}", nil, s.handlePublicTimeline},
		{"GET /public/v1/timelines/{kind}/{id}/bundle", nil, s.handlePublicBundle},

		// Peers and the witness (peers.go, witness.go; docs/federation.md).
		{"GET /api/v1/peers", root, s.handleListPeers},
		{"POST /api/v1/peers", root, s.handleAddPeer},
		{"DELETE /api/v1/peers/{name}", root, s.handleRemovePeer},
		{"GET /api/v1/federation", federators, s.handleFederation},
		{"POST /witness/add-checkpoint", nil, s.handleAddCheckpoint},
		{"GET /witness/key", nil, s.handleWitnessKey},
		{"GET /witness/cosigned-checkpoint", nil, s.handleCosignedCheckpoint},
		{"GET /witness" + witness.HeldPath, nil, s.handleWitnessHeld},
		// Messages between installations; the signature is the
		// authentication (federation.go).
		{"POST " + federation.MessagesPath, nil, s.handleFederationMessage},
		{"GET " + federation.EvidencePath, nil, s.handleFederationEvidence},

		// Authenticated by a node MAC, not by a user (relay.go).
		{"POST " + relayPath, nil, s.handleRelayedAudit},
	}...)
}

// ServeHTTP serves a request: common headers, panic recovery, then the mux;
// anything unmatched under /api/ gets a problem+json 404 or 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.clock()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	rl := &requestLog{}
	r = r.WithContext(context.WithValue(r.Context(), requestLogKey{}, rl))
	h := sw.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", hsts)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			if !sw.wrote {
				writeProblem(sw, r, http.StatusInternalServerError, dispatch.EINTERNAL, "internal error")
			}
		}
		s.logRequest(r, rl, sw, s.clock().Sub(start))
	}()
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/public/") || strings.HasPrefix(r.URL.Path, "/eido/") {
		if _, pattern := s.mux.Handler(r); pattern == "" {
			if allow := s.allowed(r); len(allow) > 0 {
				sw.Header().Set("Allow", strings.Join(allow, ", "))
				writeProblem(sw, r, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path+"; use "+strings.Join(allow, " or "))
				return
			}
			writeProblem(sw, r, http.StatusNotFound, dispatch.ENOTFOUND, "no such API resource: "+r.Method+" "+r.URL.Path)
			return
		}
	}
	r = s.checkForwarded(r)
	if err := s.crossOrigin(r); err != nil {
		writeProblem(sw, r, http.StatusForbidden, "cross_origin", "a request from another site may not change anything with this site's sign-in cookie")
		return
	}
	s.mux.ServeHTTP(sw, r)
}

// hsts tells browsers to use only HTTPS for two years (RFC 6797).
const hsts = "max-age=63072000; includeSubDomains"

// crossOrigin refuses a browser's unsafe request sent from another origin
// (CSRF), using net/http's CrossOriginProtection (Sec-Fetch-Site, else
// Origin against Host). Two kinds of request need no such check, since a
// browser cannot be made to send them from another site: one with an
// Authorization: Bearer header — a browser never adds that header by
// itself, so the other site would need the token, and setting the header
// across origins needs a CORS preflight that tenfour never grants — and one
// forwarded by another node, whose node checked it already: its Host is the
// sequencer's, not the one the browser saw. Only a forwarding whose node MAC
// checked counts (forwardedFrom); the header alone proves nothing.
func (s *Server) crossOrigin(r *http.Request) error {
	if _, ok := bearer(r); ok {
		return nil
	}
	if _, ok := forwardedFrom(r); ok {
		return nil
	}
	return s.cop.Check(r)
}

// allowed returns the methods the path answers to.
func (s *Server) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := *r
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	return allow
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	bytes  int64 // the body's bytes written, for the request log
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Serve serves on l until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	defer s.scenarios.stop()
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	s.FlushAnswers() // the answers of the last commands, stored with their keys
	return nil
}
