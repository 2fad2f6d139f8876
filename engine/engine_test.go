package engine_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

var (
	system = dispatch.Actor{System: "test"}
	root   = dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}
)

// A Clock is a fake clock: every reading is step after the one before.
type Clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

// NewClock returns a clock whose first reading is start+step.
func NewClock(start time.Time, step time.Duration) *Clock { return &Clock{t: start, step: step} }

// Now returns the next reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// MustKey returns a fresh signing key for a test log.
func MustKey(tb testing.TB) *ledger.Key {
	tb.Helper()
	skey, err := ledger.GenerateKey("tenfour.test/log")
	if err != nil {
		tb.Fatal(err)
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// MustOpenStore opens the SQLite store at path and closes it at cleanup.
func MustOpenStore(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("sqlite.Open(%s) = %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustOpenEngine opens an engine on db and closes it at cleanup (before the
// store, which was opened first).
func MustOpenEngine(tb testing.TB, db ledger.Store, key *ledger.Key, clock func() time.Time) *engine.Engine {
	tb.Helper()
	e, err := engine.Open(context.Background(), engine.Config{Store: db, Key: key, Clock: clock})
	if err != nil {
		tb.Fatalf("engine.Open = %v", err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// MustExecute executes cmd and fails the test if it is refused.
// MustSeqs returns the sequence numbers of the events about kind/id
// (Engine.Seqs), failing the test if the store cannot answer.
func MustSeqs(tb testing.TB, e *engine.Engine, kind, id string) []int64 {
	tb.Helper()
	seqs, err := e.Seqs(context.Background(), kind, id)
	if err != nil {
		tb.Fatalf("Seqs(%s, %s) = %v", kind, id, err)
	}
	return seqs
}

func MustExecute(tb testing.TB, e *engine.Engine, actor dispatch.Actor, cmd dispatch.Command) engine.Result {
	tb.Helper()
	res, err := e.Execute(context.Background(), actor, cmd)
	if err != nil {
		tb.Fatalf("Execute(%#v) = %v", cmd, err)
	}
	return res
}

// state returns the engine's state. Only call it once no command runs any
// more (after Close): the pointer is the live state.
func state(e *engine.Engine) *dispatch.State {
	var s *dispatch.State
	e.Read(func(st *dispatch.State) { s = st })
	return s
}

// normalise sets every time of s to UTC without a monotonic reading, so that
// reflect.DeepEqual compares instants.
func normalise(s *dispatch.State) {
	for _, a := range s.Agencies {
		a.Created = a.Created.Round(0).UTC()
	}
	for _, u := range s.Units {
		u.StatusSince, u.Created = u.StatusSince.Round(0).UTC(), u.Created.Round(0).UTC()
	}
	for _, in := range s.Incidents {
		in.Received = in.Received.Round(0).UTC()
		for _, t := range []**time.Time{&in.Dispatched, &in.EnRoute, &in.OnScene, &in.Cleared} {
			if *t != nil {
				u := (*t).Round(0).UTC()
				*t = &u
			}
		}
	}
}

// diffState says where two states differ, for a failure message.
func diffState(got, want *dispatch.State) string {
	var b strings.Builder
	for _, m := range []struct {
		name      string
		got, want any
	}{
		{"agencies", got.Agencies, want.Agencies},
		{"units", got.Units, want.Units},
		{"incidents", got.Incidents, want.Incidents},
		{"users", got.Users, want.Users},
		{"requests", got.Requests, want.Requests},
		{"directives", got.Directives, want.Directives},
		{"premises", got.Premises, want.Premises},
	} {
		g, w := reflect.ValueOf(m.got), reflect.ValueOf(m.want)
		for _, k := range w.MapKeys() {
			gv := g.MapIndex(k)
			if !gv.IsValid() {
				fmt.Fprintf(&b, "%s %v: missing\n", m.name, k)
			} else if !reflect.DeepEqual(gv.Interface(), w.MapIndex(k).Interface()) {
				fmt.Fprintf(&b, "%s %v: got %+v, want %+v\n", m.name, k, gv.Elem().Interface(), w.MapIndex(k).Elem().Interface())
			}
		}
		for _, k := range g.MapKeys() {
			if !w.MapIndex(k).IsValid() {
				fmt.Fprintf(&b, "%s %v: unexpected\n", m.name, k)
			}
		}
	}
	if b.Len() == 0 {
		b.WriteString("the entities are equal; the counters of ids differ\n")
	}
	return b.String()
}

// roundTrip does to ev what the engine and the ledger do: it encodes it as a
// record, builds the log entry (with commitments for its private fields) as
// JSON, parses the entry strictly and turns it back into an event, with the
// event's private fields as the openings.
func roundTrip(tb testing.TB, seq int64, ev dispatch.Event) dispatch.Event {
	tb.Helper()
	rec, err := engine.ToRecord(ev)
	if err != nil {
		tb.Fatalf("ToRecord(%s) = %v", ev.Type, err)
	}
	var commitments map[string]string
	for f, v := range rec.Private {
		if commitments == nil {
			commitments = make(map[string]string)
		}
		c := ledger.Commit(ledger.NewSalt(), v)
		commitments[f] = base64.StdEncoding.EncodeToString(c[:])
	}
	b, err := json.Marshal(ledger.Entry{
		Seq: seq, Time: rec.Time.UTC().Format(ledger.TimeFormat), Type: rec.Type, Agency: rec.Agency,
		Actor: rec.Actor, Subject: rec.Subject, Data: rec.Data, Private: commitments,
	})
	if err != nil {
		tb.Fatalf("encode entry %d: %v", seq, err)
	}
	en, err := ledger.ParseEntry(b)
	if err != nil {
		tb.Fatalf("ParseEntry(%s) = %v", b, err)
	}
	// The openings are the record's plaintexts: the event's own private
	// fields and those the disclosure table took out of the leaf.
	back, err := engine.FromEntry(en, rec.Private)
	if err != nil {
		tb.Fatalf("FromEntry(%s) = %v", b, err)
	}
	if back.Private == nil && ev.Private != nil && len(ev.Private) == 0 {
		back.Private = map[string]string{} // no private field either way
	}
	return back
}

// A gen makes random commands and actors from small pools, so that they often
// collide (duplicates, other agencies). Each field is valid most of the time
// and invalid now and then, so that commands are accepted and refused alike.
type gen struct{ r *rand.Rand }

func pick[T any](g gen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

// field returns one of valid, or now and then one of invalid.
func field[T any](g gen, valid, invalid []T) T {
	if len(invalid) > 0 && g.r.IntN(12) == 0 {
		return pick(g, invalid...)
	}
	return pick(g, valid...)
}

func (g gen) agency() string {
	return field(g, []string{"metro", "metro", "sheriff", "sheriff", "state", "fed", "metro-east"}, []string{"Metro", "x", "9th", "", "nowhere"})
}

// actor returns who gives a command: mostly tenfour itself or the
// installation administrator, who may do most things; now and then a
// supervisor of an agency, who alone issues directives, declines requests
// and overrides directives; and now and then someone of the wrong agency or
// role.
func (g gen) actor() dispatch.Actor {
	if g.r.IntN(10) == 0 {
		return pick(g, metroSup, sheriffSup)
	}
	return field(g, []dispatch.Actor{system, root, root, root}, []dispatch.Actor{
		{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher},
		{User: "sid", Agency: "sheriff", Role: dispatch.RoleCallTaker},
		{User: "max", Agency: "metro", Role: dispatch.RoleAdmin},
		{User: "eve", Agency: "fed", Role: dispatch.RoleOfficer},
		{Agency: "metro", Role: dispatch.RoleSupervisor}, // a supervisor with no name
	})
}

// Supervisors of the generated agencies.
var (
	metroSup   = dispatch.Actor{User: "sue", Agency: "metro", Role: dispatch.RoleSupervisor}
	sheriffSup = dispatch.Actor{User: "sam", Agency: "sheriff", Role: dispatch.RoleSupervisor}
)

// actorOf returns mostly a user of agency in one of roles, and now and then
// anyone g.actor gives.
func (g gen) actorOf(agency string, roles ...string) dispatch.Actor {
	if g.r.IntN(6) == 0 {
		return g.actor()
	}
	return dispatch.Actor{User: pick(g, "sue", "sam", "li"), Agency: agency, Role: pick(g, roles...)}
}

func (g gen) coordinate(limit float64) float64 {
	if g.r.IntN(12) == 0 {
		return limit + 1 + g.r.Float64()*100 // out of range
	}
	return (g.r.Float64()*2 - 1) * limit
}

func (g gen) location() dispatch.Location {
	var l dispatch.Location
	switch g.r.IntN(3) {
	case 0: // a point
		l.Lat, l.Lon = ptr(g.coordinate(90)), ptr(g.coordinate(180))
	case 1: // an address and a point
		l.Lat, l.Lon = ptr(g.coordinate(90)), ptr(g.coordinate(180))
		fallthrough
	default:
		l.Text = field(g, []string{"1 Main St", "  39th Pl & S Kedzie Ave ", "a<b>&c \u2028 \"quoted\"", "Ñandú 3\n"}, []string{"", " ", strings.Repeat("x", 301)})
	}
	if g.r.IntN(24) == 0 {
		l.Lon = nil // half a point
	}
	return l
}

// unit returns the id of a unit of s now and then of none.
func (g gen) unit(s *dispatch.State) string {
	units := s.UnitList("")
	if len(units) == 0 || g.r.IntN(12) == 0 {
		return pick(g, "metro.9z9", "", "nowhere.1")
	}
	return pick(g, units...).ID
}

// incident returns the id of an incident of s, mostly a recent one, now and
// then of none.
func (g gen) incident(s *dispatch.State) string {
	ins := s.IncidentList("")
	if len(ins) == 0 || g.r.IntN(12) == 0 {
		return pick(g, "metro-2026-999999", "")
	}
	return ins[g.r.IntN(min(len(ins), 8))].ID
}

// step returns a random command and who gives it: a fifth of them of
// mutual aid (plans, requests, directives, the timers that escalate), the
// others of agencies, units and incidents.
func (g gen) step(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	if g.r.IntN(5) == 0 {
		return g.mutualAidCommand(s, now)
	}
	switch g.r.IntN(13) {
	case 0:
		if g.r.IntN(2) == 0 { // messages and BOLOs share a share
			return g.messageCommand(s)
		}
		return g.boloCommand(s, now)
	case 2:
		return g.mergeCommand(s, now)
	case 3:
		return g.premiseCommand(s, now)
	}
	return g.command(s), g.actor()
}

// kedzie is where the generated requests and directives meet, often.
var kedzie = dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: ptr(41.8236), Lon: ptr(-87.7052)}

// mutualAidLocation returns mostly kedzie, or any location g.location gives.
func (g gen) mutualAidLocation() dispatch.Location {
	if g.r.IntN(3) > 0 {
		l := kedzie
		l.Lat, l.Lon = ptr(*kedzie.Lat), ptr(*kedzie.Lon)
		return l
	}
	return g.location()
}

// unitsOf returns units to send for agency: mostly AVAILABLE units of its
// own, now and then any.
func (g gen) unitsOf(s *dispatch.State, agency string) []string {
	var out []string
	for _, u := range s.UnitList(agency) {
		if u.Status == dispatch.StatusAvailable && g.r.IntN(2) == 0 {
			out = append(out, u.ID)
		}
	}
	if len(out) == 0 || g.r.IntN(8) == 0 {
		out = append(out, g.unit(s))
	}
	return out
}

// request returns the id of a request of s, mostly one still waiting, and
// an agency to answer it, mostly one asked; now and then of none.
func (g gen) request(s *dispatch.State) (string, string) {
	var waiting []*dispatch.AssistRequest
	for _, r := range s.RequestList("") {
		if r.Awaiting() || g.r.IntN(4) == 0 {
			waiting = append(waiting, r)
		}
	}
	if len(waiting) == 0 || g.r.IntN(12) == 0 {
		return pick(g, "metro-A-2026-999999", ""), g.agency()
	}
	r := pick(g, waiting...)
	if g.r.IntN(8) == 0 {
		return r.ID, g.agency()
	}
	return r.ID, pick(g, r.Asked...).Agency
}

// plan returns a mutual-aid plan for agency: the other agencies in levels,
// with deadlines valid and not.
func (g gen) plan(agency string) dispatch.MutualAidPlan {
	var p dispatch.MutualAidPlan
	for range 1 + g.r.IntN(3) {
		var l dispatch.AlarmLevel
		for range 1 + g.r.IntN(2) {
			if a := g.agency(); a != agency || g.r.IntN(8) == 0 {
				l.Agencies = append(l.Agencies, a)
			}
		}
		p.Levels = append(p.Levels, l)
	}
	if g.r.IntN(3) == 0 {
		p.Emergency = dispatch.AnswerDeadlines{
			AcknowledgeSeconds: field(g, []int{0, 10, 20, 45}, []int{5, 200}),
			DecideSeconds:      field(g, []int{0, 30, 120}, []int{-1, 700}),
		}
		p.Routine.AcknowledgeSeconds = field(g, []int{0, 60}, []int{4000})
	}
	return p
}

// scope returns a directive's scope, mostly one that takes in kedzie.
func (g gen) scope(s *dispatch.State) dispatch.Scope {
	switch g.r.IntN(6) {
	case 0:
		return dispatch.Scope{Kind: dispatch.ScopeAgency}
	case 1, 2, 3:
		return dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: *kedzie.Lat, Lon: *kedzie.Lon,
			RadiusM: field(g, []float64{100, 500, 50_000}, []float64{0, 60_000})}}
	case 4:
		return field(g, []dispatch.Scope{
			{Kind: dispatch.ScopePolygon, Polygon: []dispatch.Point{{Lat: 41.82, Lon: -87.71}, {Lat: 41.82, Lon: -87.70}, {Lat: 41.83, Lon: -87.70}}},
			{Kind: dispatch.ScopeDistrict, District: " 009 "},
		}, []dispatch.Scope{
			{Kind: dispatch.ScopePolygon, Polygon: []dispatch.Point{{Lat: 1, Lon: 1}, {Lat: 2, Lon: 2}}},
			{Kind: dispatch.ScopeCircle},
			{Kind: "city"},
		})
	}
	return dispatch.Scope{Kind: dispatch.ScopeIncident, Incident: g.incident(s)}
}

// mutualAidCommand returns a random command of mutual aid and who gives it:
// mostly someone of the agency concerned in a role that may, now and then
// anyone. A directive expires some time after now.
func (g gen) mutualAidCommand(s *dispatch.State, now time.Time) (dispatch.Command, dispatch.Actor) {
	sup, disp := dispatch.RoleSupervisor, dispatch.RoleDispatcher
	switch g.r.IntN(18) {
	case 0:
		ag := g.agency()
		return dispatch.SetMutualAidPlan{Agency: ag, Plan: g.plan(ag)}, g.actorOf(ag, sup, dispatch.RoleAdmin)
	case 1, 2, 3:
		from := g.agency()
		c := dispatch.RequestAssist{From: from, To: pick(g, g.agency(), g.agency(), ""), Location: g.mutualAidLocation(),
			Nature:  field(g, []string{"team boxed in by vehicles", " traffic for a convoy ", "officer needs assistance"}, []string{"", "x\x00", strings.Repeat("n", dispatch.MaxNature+1)}),
			Urgency: field(g, []string{dispatch.UrgencyEmergency, dispatch.UrgencyEmergency, dispatch.UrgencyUrgent, dispatch.UrgencyRoutine}, []string{"emergency", ""})}
		if g.r.IntN(2) == 0 {
			c.Unit = g.unit(s)
		}
		return c, g.actorOf(from, dispatch.RoleOfficer, disp, dispatch.RoleLiaison, dispatch.RoleAuditor)
	case 4, 5:
		r, ag := g.request(s)
		return dispatch.AcknowledgeAssist{Request: r, Agency: pick(g, ag, ag, "")}, g.actorOf(ag, disp, sup, dispatch.RoleLiaison, dispatch.RoleOfficer)
	case 6, 7:
		r, ag := g.request(s)
		c := dispatch.AcceptAssist{Request: r, Agency: ag, Units: g.unitsOf(s, ag),
			Override: field(g, []string{"", "", "officer down, lives at risk"}, []string{" ", "x\x00"})}
		return c, g.actorOf(ag, sup, sup, disp)
	case 8:
		r, ag := g.request(s)
		return dispatch.DeclineAssist{Request: r, Agency: pick(g, ag, ag, ""),
			Reason: field(g, []string{"no units free", " hold order in force "}, []string{"", "  ", "x\x00", strings.Repeat("r", 501)})}, g.actorOf(ag, sup, sup, disp)
	case 9:
		r, _ := g.request(s)
		from := g.agency()
		if req, ok := s.Requests[r]; ok {
			from = req.From
		}
		return dispatch.CloseAssist{Request: r, Disposition: field(g, []string{"team extracted", " no longer needed "}, []string{"\x1b", strings.Repeat("d", 201)})},
			g.actorOf(from, disp, dispatch.RoleOfficer, dispatch.RoleAuditor)
	case 10, 11, 12:
		ag := g.agency()
		c := dispatch.IssueDirective{Agency: ag, Scope: g.scope(s),
			Effect:  field(g, []string{dispatch.EffectHold, dispatch.EffectHold, dispatch.EffectClear, dispatch.EffectRestrict}, []string{"stop", ""}),
			Reason:  field(g, []string{"crowd control operation; no units into the area", " storm "}, []string{"", "x\x00"}),
			Expires: now.Add(time.Duration(field(g, []int{1, 10, 30, 120}, []int{0, -5, 8 * 24 * 60})) * time.Minute)}
		if c.Effect == dispatch.EffectRestrict || g.r.IntN(12) == 0 {
			c.Restrict = field(g, []string{"traffic-control", "traffic"}, []string{"", "Traffic Control"})
		}
		return c, g.actorOf(ag, sup, sup, sup, disp)
	case 13:
		// Mostly one in force.
		id := pick(g, "metro-D-2026-999999", "")
		var ds []*dispatch.Directive
		for _, d := range s.DirectiveList("") {
			if d.InForce(now) || g.r.IntN(8) == 0 {
				ds = append(ds, d)
			}
		}
		if len(ds) > 0 && g.r.IntN(8) > 0 {
			id = pick(g, ds...).ID
		}
		agency := g.agency()
		if d, ok := s.Directives[id]; ok {
			agency = d.Agency
		}
		return dispatch.RevokeDirective{Directive: id, Reason: field(g, []string{"operation over"}, []string{"", "\x00"})}, g.actorOf(agency, sup, sup, sup, disp)
	case 14:
		in := g.incident(s)
		agency := g.agency()
		if i, ok := s.Incidents[in]; ok {
			agency = i.Agency
		}
		return dispatch.DispatchUnits{Incident: in, Units: g.unitsOf(s, agency), Preempt: g.r.IntN(4) == 0,
			Override: field(g, []string{"", "shots fired, lives at risk"}, []string{" ", "x\x00"})}, g.actorOf(agency, sup, disp)
	case 17:
		// A timeline published by a supervisor or an auditor of an agency
		// the record concerns, now and then by someone else.
		c := dispatch.PublishTimeline{Kind: field(g, []string{dispatch.PublishRequest, dispatch.PublishIncident}, []string{"unit", ""}),
			Reason: field(g, []string{"", "press enquiry", " inquest "}, []string{"x\x00", strings.Repeat("r", dispatch.MaxPublishReason+1)})}
		agency := g.agency()
		if c.Kind == dispatch.PublishIncident {
			c.ID = g.incident(s)
			if in, ok := s.Incidents[c.ID]; ok {
				agency = in.Agency
			}
		} else {
			c.ID, agency = g.request(s)
		}
		return c, g.actorOf(agency, sup, dispatch.RoleAuditor, dispatch.RoleAuditor, disp)
	}
	// The timers: escalations at deadlines, expiries of directives.
	return dispatch.CheckTimers{}, field(g, []dispatch.Actor{{System: "timers"}}, []dispatch.Actor{metroSup})
}

// command returns a random command; those of the incident lifecycle name
// the units and incidents of s, so that most of them can be accepted.
func (g gen) command(s *dispatch.State) dispatch.Command {
	switch g.r.IntN(20) {
	case 19:
		// Calling back a unit on its way, mostly one that is.
		u := g.unit(s)
		for _, c := range s.UnitList("") {
			if (c.Status == dispatch.StatusDispatched || c.Status == dispatch.StatusEnRoute) && g.r.IntN(2) == 0 {
				u = c.ID
				break
			}
		}
		if g.r.IntN(2) == 0 {
			return dispatch.CancelUnit{Unit: u, Reason: field(g, []string{"needed elsewhere", "caller cancelled"}, []string{"", " "})}
		}
		fallthrough
	case 10, 11, 18:
		in := g.incident(s)
		agency := ""
		if i, ok := s.Incidents[in]; ok {
			agency = i.Agency
		}
		var units []string
		preempt := g.r.IntN(3) == 0
		for range 1 + g.r.IntN(3) {
			u := g.unit(s)
			if preempt && g.r.IntN(2) == 0 {
				// A unit on its way to other work, pre-emptible or not.
				for _, c := range s.UnitList(agency) {
					if (c.Status == dispatch.StatusDispatched || c.Status == dispatch.StatusEnRoute) && g.r.IntN(2) == 0 {
						u = c.ID
						break
					}
				}
			} else if g.r.IntN(3) > 0 {
				// Mostly an AVAILABLE unit of the incident's agency.
				for _, c := range s.UnitList(agency) {
					if c.Status == dispatch.StatusAvailable && g.r.IntN(2) == 0 {
						u = c.ID
						break
					}
				}
			}
			units = append(units, u)
		}
		return dispatch.DispatchUnits{Incident: in, Units: units, Preempt: preempt}
	case 12, 13, 14, 15:
		st := field(g, dispatch.UnitStatuses, []string{"on_scene", "PARKED", ""})
		u := g.unit(s)
		if unit, ok := s.Units[u]; ok && g.r.IntN(3) > 0 {
			// Mostly a legal next status.
			if next := unit.NextStatuses(); len(next) > 0 {
				st = pick(g, next...)
			}
		}
		c := dispatch.SetUnitStatus{Unit: u, Status: st}
		// Half carry the last known position, as the API adds it; taken
		// from the names, not the generator, whose sequence stays as it was.
		h := len(u)*31 + len(st)
		if h%2 == 0 {
			c.Lat, c.Lon = ptr(41.7+float64(h%97)/1000), ptr(-87.6-float64(h%89)/1000)
		}
		// Ending an EMERGENCY needs a reason, mostly given.
		if unit, ok := s.Units[u]; ok && unit.Status == dispatch.StatusEmergency && h%3 > 0 {
			c.Reason = "officer safe"
		}
		return c
	case 17:
		return dispatch.AddNote{Incident: g.incident(s),
			Text: field(g, []string{"suspect fled north", " second caller: smoke ", "línea\ndos"}, []string{"", "\x00", strings.Repeat("n", dispatch.MaxNoteLength+1)})}
	case 16:
		return dispatch.ClearIncident{Incident: g.incident(s),
			Disposition: field(g, []string{"report taken", " arrest ", "unfounded", "gone on arrival"}, []string{"", " ", strings.Repeat("d", 201)})}
	}
	switch g.r.IntN(10) {
	case 0:
		return dispatch.CreateAgency{
			ID:   g.agency(),
			Name: field(g, []string{"Metro PD", "  County Sheriff ", "State Police", "Ñandú FD"}, []string{"", " ", "Fed\x01", strings.Repeat("n", 101)}),
			Kind: field(g, dispatch.AgencyKinds, []string{"navy", ""}),
		}
	case 1, 2:
		return dispatch.CreateUnit{
			CallSign: field(g, []string{"1A12", "1a12", "2B7", "east-1", "1", "K9-3", fmt.Sprint(g.r.IntN(50))},
				[]string{"", "bad sign", "-x", "A2345678901234567"}),
			Agency: g.agency(),
			Kind:   field(g, dispatch.UnitKinds, []string{"boat", ""}),
			// nil and {} must both rebuild to the same state.
			Capabilities: field(g, [][]string{nil, {}, {"k9"}, {"k9", "first-aid"}}, [][]string{{"K9"}, {""}}),
		}
	case 3:
		return dispatch.CreateUser{
			Username: field(g, []string{"ann", "bob", "carl.d", "dora_e", "root", fmt.Sprintf("u%d", g.r.IntN(40))}, []string{"A", "x", "e ve"}),
			Agency:   pick(g, "", g.agency()),
			Roles: field(g, [][]string{{dispatch.RoleDispatcher}, {dispatch.RoleAdmin}, {dispatch.RoleOfficer, dispatch.RoleCallTaker}},
				[][]string{nil, {"janitor"}}),
		}
	default:
		var prio *int
		if g.r.IntN(3) == 0 {
			prio = ptr(field(g, []int{0, 1, 2, 3, 4}, []int{-1, 5, 100}))
		}
		return dispatch.CreateIncident{
			Agency:   g.agency(),
			Type:     field(g, []string{"THEFT", "BURGLARY", "OFFICER_EMERGENCY", "NOISE", "MEDICAL", "SHOOTING"}, []string{"UFO", "theft"}),
			Priority: prio,
			Location: g.location(),
			Caller: dispatch.Caller{
				Name:  field(g, []string{"", "", "Jo Smith", "José Ñúñez"}, []string{"bad\x00name", strings.Repeat("n", 201)}),
				Phone: field(g, []string{"", "", "+1 312 555 0100", "911"}, []string{"\x1b[2J"}),
			},
			Narrative: field(g, []string{"", "", "shots fired\nsuspect fled north", "tab\there"}, []string{"line\r\n", "\xff"}),
		}
	}
}

// TestRoundTripProperty checks invariant 1 at the level of single events:
// thousands of random commands decided on a live state, every accepted event
// sent through the log's encoding and back, folded into a second state; the
// two states must be equal.
func TestRoundTripProperty(t *testing.T) {
	const seeds, commands = 6, 2000
	byCommand := map[string]*[2]int{} // command type → accepted, refused
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			g := gen{rand.New(rand.NewPCG(seed, 1004))}
			live, replayed := dispatch.NewState(), dispatch.NewState()
			// Start near the end of a year, so that incident serials restart.
			at := time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)
			var seq int64
			refused := 0
			types := map[string]int{}
			for range commands {
				at = at.Add(time.Duration(g.r.Int64N(int64(2 * time.Minute))))
				cmd, actor := g.step(live, at)
				evs, err := cmd.Decide(live, actor, at)
				name := strings.TrimPrefix(fmt.Sprintf("%T", cmd), "dispatch.")
				if byCommand[name] == nil {
					byCommand[name] = new([2]int)
				}
				if err != nil {
					var de *dispatch.Error
					if !errors.As(err, &de) || de.Code == dispatch.EINTERNAL {
						t.Fatalf("%#v.Decide = %v (%T), want a domain error", cmd, err, err)
					}
					refused++
					byCommand[name][1]++
					continue
				}
				byCommand[name][0]++
				for _, ev := range evs {
					if err := live.Apply(ev); err != nil {
						t.Fatalf("Apply(decided %s %v) = %v", ev.Type, ev.Subject, err)
					}
					types[ev.Type]++
					back := roundTrip(t, seq, ev)
					want := ev
					want.Time = ev.Time.UTC()
					if !reflect.DeepEqual(back, want) {
						t.Fatalf("event %d through the log = %+v (data %#v), want %+v (data %#v)", seq, back, back.Data, want, want.Data)
					}
					if err := replayed.Apply(back); err != nil {
						t.Fatalf("Apply(replayed %s %v) = %v", back.Type, back.Subject, err)
					}
					seq++
				}
			}
			// Every event type of the lifecycle and of mutual aid must
			// occur, or the test proves little about it.
			for _, typ := range []string{dispatch.TypeIncidentDispatched, dispatch.TypeUnitStatusChanged, dispatch.TypeIncidentCleared,
				dispatch.TypeAssistRequested, dispatch.TypeAssistEscalated, dispatch.TypeDirectiveIssued} {
				if types[typ] < 10 {
					t.Fatalf("%d %s events, want at least 10", types[typ], typ)
				}
			}
			// The generator must exercise both paths, or the test proves little.
			if seq < commands/10 || refused < commands/10 {
				t.Fatalf("%d events accepted and %d commands refused of %d; want at least %d of each", seq, refused, commands, commands/10)
			}
			if len(live.Incidents) == 0 || len(live.Units) == 0 || len(live.Users) == 0 {
				t.Fatalf("state has %d incidents, %d units, %d users; want some of each", len(live.Incidents), len(live.Units), len(live.Users))
			}
			for _, id := range []string{"metro-2026-000001", "metro-2027-000001"} {
				if live.Incidents[id] == nil {
					t.Fatalf("no incident %s: want the sequence to span the new year", id)
				}
			}
			t.Logf("%d events accepted, %d commands refused; %d agencies, %d units, %d users, %d incidents; events by type %v",
				seq, refused, len(live.Agencies), len(live.Units), len(live.Users), len(live.Incidents), types)
			normalise(live)
			normalise(replayed)
			if !reflect.DeepEqual(replayed, live) {
				t.Fatalf("state replayed from %d events differs from the live state:\n%s", seq, diffState(replayed, live))
			}
		})
	}
	// Each command of mutual aid must be both accepted and refused, or the
	// generator reaches too little of it.
	for _, name := range []string{"SetMutualAidPlan", "RequestAssist", "AcknowledgeAssist", "AcceptAssist", "DeclineAssist", "CloseAssist",
		"IssueDirective", "RevokeDirective", "DispatchUnits", "CheckTimers", "PublishTimeline",
		"RecordPremise", "RemovePremise", "FixLocation", "SendMessage", "AckMessage", "IssueBOLO", "CancelBOLO",
		"AddCaller", "MergeIncident", "LinkIncidents", "UnlinkIncidents", "LateEntry", "CancelUnit"} {
		if n := byCommand[name]; n == nil || n[0] < 5 || n[1] < 5 {
			t.Errorf("%s: accepted and refused %v times over %d seeds, want at least 5 of each", name, n, seeds)
		}
	}
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(byCommand)) {
		fmt.Fprintf(&b, " %s %d/%d", name, byCommand[name][0], byCommand[name][1])
	}
	t.Logf("commands accepted/refused:%s", b.String())
}

// seedCommands are the commands of the engine tests: two agencies, units,
// users, and incidents with and without private fields.
func seedCommands() []dispatch.Command {
	return []dispatch.Command{
		dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
		dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol", Capabilities: []string{"k9"}},
		dispatch.CreateUnit{CallSign: "2B7", Agency: "metro", Kind: "sergeant"},
		dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "air", Capabilities: []string{"flir", "hoist"}},
		dispatch.CreateUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUser{Username: "auditor", Agency: "sheriff", Roles: []string{dispatch.RoleAuditor}},
		dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"},
			Caller: dispatch.Caller{Name: "Jo Smith", Phone: "+1 312 555 0100"}, Narrative: "back door open"},
		dispatch.CreateIncident{Agency: "metro", Type: "OFFICER_EMERGENCY", Priority: new(int),
			Location: dispatch.Location{Lat: ptr(41.82), Lon: ptr(-87.70)}},
		dispatch.CreateIncident{Agency: "sheriff", Type: "DOMESTIC", Location: dispatch.Location{Text: "Rural Rte 9"},
			Caller: dispatch.Caller{Name: "Pat"}},
	}
}

func ptr[T any](v T) *T { return &v }

// TestRebuild checks invariant 1 through the real store: the state an engine
// rebuilds from its log on open equals the live state before it closed,
// private fields included.
func TestRebuild(t *testing.T) {
	path := t.TempDir() + "/t.db"
	key := MustKey(t)
	clock := NewClock(time.Date(2026, 5, 4, 3, 2, 1, 987654321, time.UTC), 1500*time.Millisecond)
	db := MustOpenStore(t, path)
	// Snapshots off: the state is rebuilt from the log alone (a start from
	// a snapshot: snapshot_test.go).
	e := mustOpenEngineWith(t, engine.Config{Store: db, Key: key, Clock: clock.Now, SnapshotEvery: -1})
	subjects := map[string][]int64{}
	for _, cmd := range seedCommands() {
		res := MustExecute(t, e, root, cmd)
		for k, id := range res.Events[0].Subject {
			subjects[k+"/"+id] = append(subjects[k+"/"+id], res.First)
		}
	}
	// Refused commands leave nothing behind.
	if _, err := e.Execute(context.Background(), root, dispatch.CreateAgency{ID: "metro", Name: "Again", Kind: "sheriff"}); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Fatalf("Execute(duplicate agency) = %v, want a conflict", err)
	}
	size := e.Log().Size()
	if err := e.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	live := state(e)
	if in := live.Incidents["metro-2026-000001"]; in == nil || in.Caller.Name != "Jo Smith" || in.Narrative != "back door open" {
		t.Fatalf("live incident metro-2026-000001 = %+v, want caller Jo Smith and its narrative", in)
	}

	db.Close()
	db2 := MustOpenStore(t, path)
	e2 := mustOpenEngineWith(t, engine.Config{Store: db2, Key: key, Clock: clock.Now, SnapshotEvery: -1})
	if got := e2.Log().Size(); got != size {
		t.Errorf("reopened log size = %d, want %d", got, size)
	}
	rebuilt := state(e2)
	normalise(live)
	normalise(rebuilt)
	if !reflect.DeepEqual(rebuilt, live) {
		t.Fatalf("state rebuilt from the log differs from the live state:\n%s", diffState(rebuilt, live))
	}
	for k, want := range subjects {
		kind, id, _ := strings.Cut(k, "/")
		if got := MustSeqs(t, e2, kind, id); !slices.Equal(got, want) {
			t.Errorf("after reopening, Seqs(%s, %s) = %v, want %v", kind, id, got, want)
		}
	}
	// The rebuilt state goes on where the live one stopped.
	res := MustExecute(t, e2, root, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "x"}})
	if got, want := res.Events[0].Subject["incident"], "metro-2026-000003"; got != want {
		t.Errorf("first incident after reopening = %s, want %s", got, want)
	}
	if res.First != size {
		t.Errorf("first event after reopening has seq %d, want %d", res.First, size)
	}
}

// TestEraseOpening checks invariant 5: erasing the opening of a private field
// leaves a log that still opens and verifies, and a state without that field.
func TestEraseOpening(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/t.db"
	key := MustKey(t)
	clock := NewClock(time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC), time.Second)
	db := MustOpenStore(t, path)
	e := MustOpenEngine(t, db, key, clock.Now)
	for _, cmd := range seedCommands() {
		MustExecute(t, e, system, cmd)
	}
	const id = "metro-2026-000001"
	seqs := MustSeqs(t, e, "incident", id)
	if len(seqs) != 1 {
		t.Fatalf("Seqs(incident, %s) = %v, want one event", id, seqs)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	live := state(e)
	if err := db.EraseOpening(ctx, seqs[0], dispatch.PrivateCallerName); err != nil {
		t.Fatalf("EraseOpening(%d, caller_name) = %v", seqs[0], err)
	}
	if err := db.EraseOpening(ctx, seqs[0], dispatch.PrivateCallerName); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EraseOpening(%d, caller_name) again = %v, want ErrNotFound", seqs[0], err)
	}

	e2 := MustOpenEngine(t, db, key, clock.Now)
	rebuilt := state(e2)
	in := rebuilt.Incidents[id]
	if in == nil {
		t.Fatalf("incident %s missing after erasure", id)
	}
	if in.Caller.Name != "" {
		t.Errorf("caller name after erasure = %q, want empty", in.Caller.Name)
	}
	if in.Caller.Phone != "+1 312 555 0100" || in.Narrative != "back door open" {
		t.Errorf("after erasing the name, caller = %+v and narrative %q, want phone and narrative kept", in.Caller, in.Narrative)
	}
	// Everything else is as it was.
	live.Incidents[id].Caller.Name = ""
	normalise(live)
	normalise(rebuilt)
	if !reflect.DeepEqual(rebuilt, live) {
		t.Fatalf("state rebuilt after erasure differs beyond the erased field:\n%s", diffState(rebuilt, live))
	}
	// The incident's evidence still verifies; the erased field is redacted.
	b, err := e2.Log().Bundle(ctx, "incident/"+id, MustSeqs(t, e2, "incident", id), true)
	if err != nil {
		t.Fatalf("Bundle = %v", err)
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.VerifyBundle(raw, key.Text)
	if err != nil {
		t.Fatalf("VerifyBundle after erasure = %v", err)
	}
	// Every private field of the bundle's events (the caller's phone, the
	// narrative, the address, the point, the actor…) is opened but the one
	// erased.
	fields := 0
	for _, en := range rep.Entries {
		fields += len(en.Private)
	}
	if rep.Redacted != 1 || rep.Openings != fields-1 {
		t.Errorf("VerifyBundle after erasure = %d openings, %d redacted, want %d and 1", rep.Openings, rep.Redacted, fields-1)
	}
}

func TestSeqs(t *testing.T) {
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e := MustOpenEngine(t, db, MustKey(t), NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Second).Now)
	ag := MustExecute(t, e, root, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	un := MustExecute(t, e, root, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	in1 := MustExecute(t, e, root, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "x"}})
	in2 := MustExecute(t, e, root, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "y"}})
	for i, r := range []engine.Result{ag, un, in1, in2} {
		if r.First != int64(i) || len(r.Events) != 1 {
			t.Errorf("command %d: Result = first %d, %d events, want first %d, 1 event", i, r.First, len(r.Events), i)
		}
	}
	for _, tc := range []struct {
		kind, id string
		want     []int64
	}{
		{"agency", "metro", []int64{ag.First}},
		{"unit", "metro.1a12", []int64{un.First}},
		{"incident", "metro-2026-000001", []int64{in1.First}},
		{"incident", "metro-2026-000002", []int64{in2.First}},
		{"incident", "metro-2026-000003", nil},
		{"unit", "metro", nil},
	} {
		if got := MustSeqs(t, e, tc.kind, tc.id); !slices.Equal(got, tc.want) {
			t.Errorf("Seqs(%s, %s) = %v, want %v", tc.kind, tc.id, got, tc.want)
		}
	}
	// The answer is a copy.
	if s := MustSeqs(t, e, "agency", "metro"); len(s) == 1 {
		s[0] = 99
		if got := MustSeqs(t, e, "agency", "metro"); got[0] != ag.First {
			t.Errorf("Seqs(agency, metro) = %v after changing an earlier answer, want [%d]", got, ag.First)
		}
	}
}

func TestExecuteRefused(t *testing.T) {
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e := MustOpenEngine(t, db, MustKey(t), nil)
	MustExecute(t, e, root, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	size := e.Log().Size()

	t.Run("ErrDomain", func(t *testing.T) {
		_, err := e.Execute(context.Background(), dispatch.Actor{User: "ann", Agency: "sheriff", Role: dispatch.RoleDispatcher},
			dispatch.CreateUnit{CallSign: "1", Agency: "metro", Kind: "patrol"})
		if got := dispatch.ErrorCode(err); got != dispatch.EFORBIDDEN {
			t.Errorf("Execute(unit of another agency) = %v, want code %s", err, dispatch.EFORBIDDEN)
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := e.Execute(ctx, root, dispatch.CreateUnit{CallSign: "1", Agency: "metro", Kind: "patrol"})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Execute(canceled context) = %v, want context.Canceled", err)
		}
	})
	if got := e.Log().Size(); got != size {
		t.Errorf("log size after refused commands = %d, want %d", got, size)
	}
	var units int
	e.Read(func(s *dispatch.State) { units = len(s.Units) })
	if units != 0 {
		t.Errorf("state has %d units after refused commands, want 0", units)
	}

	t.Run("ErrClosed", func(t *testing.T) {
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		_, err := e.Execute(context.Background(), root, dispatch.CreateUnit{CallSign: "1", Agency: "metro", Kind: "patrol"})
		if !errors.Is(err, ledger.ErrClosed) {
			t.Errorf("Execute after Close = %v, want ledger.ErrClosed", err)
		}
		var n int
		e.Read(func(s *dispatch.State) { n = len(s.Units) })
		if n != 0 {
			t.Errorf("state has %d units after a command refused by a closed log, want 0", n)
		}
	})
}

// TestClockBackwards checks that log time never runs backwards: a command
// decided when the clock reads earlier than the newest event takes that
// event's time.
func TestClockBackwards(t *testing.T) {
	readings := []time.Time{
		time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 11, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 13, 0, 0, 0, time.UTC),
	}
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := readings[0]
		if len(readings) > 1 {
			readings = readings[1:]
		}
		return t
	}
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e := MustOpenEngine(t, db, MustKey(t), clock)
	var got []time.Time
	for _, cmd := range []dispatch.Command{
		dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		dispatch.CreateAgency{ID: "sheriff", Name: "Sheriff", Kind: "sheriff"},
		dispatch.CreateAgency{ID: "state", Name: "State", Kind: "state_police"},
	} {
		got = append(got, MustExecute(t, e, root, cmd).Events[0].Time)
	}
	want := []time.Time{
		time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 13, 0, 0, 0, time.UTC),
	}
	if !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("event times = %v, want %v", got, want)
	}
}

func TestOpenWrongKey(t *testing.T) {
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e := MustOpenEngine(t, db, MustKey(t), nil)
	MustExecute(t, e, root, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e2, err := engine.Open(context.Background(), engine.Config{Store: db, Key: MustKey(t)}); err == nil {
		e2.Close()
		t.Fatal("engine.Open(store of another key) = nil error, want an error")
	}
}

// TestConcurrentExecute runs commands from many goroutines at once: every
// one succeeds, and each agency's incident ids are unique and gapless.
func TestConcurrentExecute(t *testing.T) {
	const workers, each = 32, 4
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e := MustOpenEngine(t, db, MustKey(t), NewClock(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Millisecond).Now)
	agencies := []string{"metro", "sheriff", "state"}
	for _, a := range agencies {
		MustExecute(t, e, root, dispatch.CreateAgency{ID: a, Name: a, Kind: "sheriff"})
	}
	start := e.Log().Size()

	type result struct {
		agency, id string
		seq        int64
		err        error
	}
	results := make(chan result, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				agency := agencies[(w+i)%len(agencies)]
				actor := dispatch.Actor{User: fmt.Sprintf("u%d", w), Agency: agency, Role: dispatch.RoleCallTaker}
				res, err := e.Execute(context.Background(), actor, dispatch.CreateIncident{
					Agency: agency, Type: "THEFT", Location: dispatch.Location{Text: fmt.Sprintf("%d/%d", w, i)},
					Caller: dispatch.Caller{Name: fmt.Sprintf("caller %d/%d", w, i)},
				})
				r := result{agency: agency, err: err}
				if err == nil {
					r.id, r.seq = res.Events[0].Subject["incident"], res.First
				}
				results <- r
			}
		})
	}
	wg.Wait()
	close(results)

	ids := map[string][]string{}
	seqs := map[int64]bool{}
	for r := range results {
		if r.err != nil {
			t.Errorf("concurrent Execute for %s = %v", r.agency, r.err)
			continue
		}
		if seqs[r.seq] {
			t.Errorf("seq %d given to two commands", r.seq)
		}
		seqs[r.seq] = true
		ids[r.agency] = append(ids[r.agency], r.id)
	}
	total := 0
	for _, a := range agencies {
		got := ids[a]
		slices.Sort(got)
		want := make([]string, len(got))
		for i := range want {
			want[i] = dispatch.IncidentID(a, 2026, i+1)
		}
		if !slices.Equal(got, want) {
			t.Errorf("incident ids of %s = %v, want %v (unique, gapless)", a, got, want)
		}
		total += len(got)
	}
	if total != workers*each {
		t.Errorf("%d incidents created, want %d", total, workers*each)
	}
	if got, want := e.Log().Size(), start+int64(workers*each); got != want {
		t.Errorf("log size = %d, want %d", got, want)
	}
	var n int
	e.Read(func(s *dispatch.State) { n = len(s.Incidents) })
	if n != workers*each {
		t.Errorf("state has %d incidents, want %d", n, workers*each)
	}
}

// TestRoundTripManySequences is the property over thousands of short random
// command sequences: for each, the state replayed from its events through
// the log's encoding equals the live state.
func TestRoundTripManySequences(t *testing.T) {
	const sequences, commands = 2000, 100
	total := map[string]int{}
	for seed := range uint64(sequences) {
		g := gen{rand.New(rand.NewPCG(seed, 7))}
		live, replayed := dispatch.NewState(), dispatch.NewState()
		at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		var seq int64
		for range commands {
			at = at.Add(time.Duration(g.r.Int64N(int64(time.Minute))))
			cmd, actor := g.step(live, at)
			evs, err := cmd.Decide(live, actor, at)
			if err != nil {
				continue
			}
			for _, ev := range evs {
				if err := live.Apply(ev); err != nil {
					t.Fatalf("sequence %d: Apply(decided %s) = %v", seed, ev.Type, err)
				}
				if err := replayed.Apply(roundTrip(t, seq, ev)); err != nil {
					t.Fatalf("sequence %d: Apply(replayed %s) = %v", seed, ev.Type, err)
				}
				total[ev.Type]++
				seq++
			}
		}
		normalise(live)
		normalise(replayed)
		if !reflect.DeepEqual(replayed, live) {
			t.Fatalf("sequence %d: state replayed from %d events differs from the live state:\n%s", seed, seq, diffState(replayed, live))
		}
	}
	for _, typ := range []string{dispatch.TypeAgencyCreated, dispatch.TypeUnitCreated, dispatch.TypeIncidentCreated, dispatch.TypeIncidentDispatched, dispatch.TypeUnitStatusChanged,
		dispatch.TypeAssistRequested, dispatch.TypeAssistAcknowledged, dispatch.TypeAssistEscalated, dispatch.TypeDirectiveIssued} {
		if total[typ] < 100 {
			t.Errorf("%d %s events over %d sequences, want at least 100: the generator is too weak", total[typ], typ, sequences)
		}
	}
	t.Logf("events by type over %d sequences: %v", sequences, total)
}

// A leaf of the form before the disclosure table (the actor's user and the
// whole payload in the clear) and one of the new form (both split off as
// commitments) read back as the same event: existing logs replay unchanged.
func TestFromEntryBothForms(t *testing.T) {
	lat, lon := 41.8157, -87.6955
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	ev := dispatch.Event{
		Time: at, Type: dispatch.TypeIncidentCreated, Agency: "metro",
		Actor:   dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleCallTaker},
		Subject: map[string]string{"incident": "metro-1"},
		Data: &dispatch.IncidentCreated{ID: "metro-1", Type: "DOMESTIC", Priority: 1,
			Location: dispatch.Location{Text: "12 Hidden Way", Lat: &lat, Lon: &lon, District: "9", Beat: "912"}},
		Private: map[string]string{dispatch.PrivateNarrative: "back door open"},
	}
	full, err := json.Marshal(ev.Data)
	if err != nil {
		t.Fatal(err)
	}
	old := ledger.Entry{Seq: 1, Time: at.Format(ledger.TimeFormat), Type: ev.Type, Agency: ev.Agency,
		Actor: ledger.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleCallTaker}, Subject: ev.Subject, Data: full}
	rec, err := engine.ToRecord(ev)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Actor.User != "" || strings.Contains(string(rec.Data), "Hidden") || strings.Contains(string(rec.Data), "41.8") ||
		rec.Private[ledger.PrivateActorUser] != "ann" || rec.Private["/data/location/text"] != `"12 Hidden Way"` {
		t.Fatalf("ToRecord = %+v (data %s), want the user and the address as private fields", rec, rec.Data)
	}
	fresh := ledger.Entry{Seq: 1, Time: old.Time, Type: rec.Type, Agency: rec.Agency, Actor: rec.Actor, Subject: rec.Subject, Data: rec.Data}
	for name, tc := range map[string]struct {
		en   ledger.Entry
		open map[string]string
	}{
		"Old": {old, ev.Private},
		"New": {fresh, rec.Private},
	} {
		got, err := engine.FromEntry(tc.en, tc.open)
		if err != nil {
			t.Fatalf("%s: FromEntry = %v", name, err)
		}
		if !reflect.DeepEqual(got, ev) {
			t.Errorf("%s: FromEntry = %+v (data %+v), want %+v", name, got, got.Data, ev)
		}
	}
}
