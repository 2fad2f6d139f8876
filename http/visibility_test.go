package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
)

// A visReader is a user reading through every entrance, and the actor the
// server makes of it (the role matters to no rule these records meet).
type visReader struct {
	name  string
	token string
	actor dispatch.Actor
}

// A visRecord is a record of metro's and how each entrance shows it: the
// list it appears in (and the member of the answer that holds it), the
// route of the record alone, and the one visibility rule's verdict for an
// actor (the dispatch function the engine applies).
type visRecord struct {
	kind, id string
	list     string // GET path of the list that may hold it
	member   string // the list's member in the answer
	get      string // GET path of the record alone; "" if it has none
	rule     func(st *dispatch.State, a dispatch.Actor) (any, bool)
}

// TestOneVisibilityRule is the must-show test of issue 12: for each kind of
// record, the API (list and get), the stream and the timeline and bundle
// give a user of another agency — and of the record's own, and the
// installation administrator — exactly what the one visibility rule
// (dispatch/visibility.go) allows, and by hand: another agency never sees a
// private fact.
func TestOneVisibilityRule(t *testing.T) {
	ts := MustOpenServer(t)
	for _, a := range []dispatch.CreateAgency{
		{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
		{ID: "federal", Name: "Federal Patrol", Kind: "federal"},
	} {
		ts.MustExecute(t, a)
	}
	// Deadlines of an hour (the engine's clock ticks a second a reading):
	// no escalation appends an event while the test compares what it read
	// with what the rule says.
	hour := dispatch.AnswerDeadlines{AcknowledgeSeconds: 3600, DecideSeconds: 4 * 3600}
	ts.MustExecute(t, dispatch.SetMutualAidPlan{Agency: "federal", Plan: dispatch.MutualAidPlan{
		Levels: []dispatch.AlarmLevel{{Agencies: []string{"metro"}}}, Emergency: dispatch.AnswerDeadlines{AcknowledgeSeconds: 120, DecideSeconds: 600},
		Urgent: hour, Routine: hour}})
	roles := []string{dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleAuditor}
	readers := []visReader{
		{"metro", ts.MustCreateUser(t, "ann", "metro", roles...), dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}},
		{"sheriff", ts.MustCreateUser(t, "deputy", "sheriff", roles...), dispatch.Actor{User: "deputy", Agency: "sheriff", Role: dispatch.RoleDispatcher}},
		{"federal", ts.MustCreateUser(t, "fed", "federal", roles...), dispatch.Actor{User: "fed", Agency: "federal", Role: dispatch.RoleDispatcher}},
		{"installation-admin", ts.Admin, dispatch.Actor{User: "admin", Role: dispatch.RoleAdmin}},
	}
	boss := dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleSupervisor, Roles: roles}

	// Metro's records, each with private facts another agency must never
	// read.
	lat, lon := 41.8236, -87.7047
	where := dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: &lat, Lon: &lon}
	expires := ts.Engine.Now().Add(24 * time.Hour)
	unit := ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"}).Events[0].Subject["unit"]
	premise := ts.MustExecuteAs(t, boss, dispatch.RecordPremise{Agency: "metro", Location: where,
		Flags: []dispatch.PremiseFlag{{Kind: dispatch.HazardWeapons, Text: "two rifles in the front bedroom", Expires: expires}}}).Events[0].Subject["premise"]
	incident := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: where,
		Caller: dispatch.Caller{Name: "Metro Caller", Phone: "555-0100"}, Narrative: "metro narrative"}).Events[0].Subject["incident"]
	ts.MustExecuteAs(t, boss, dispatch.AddNote{Incident: incident, Text: "metro note"})
	directive := ts.MustExecuteAs(t, boss, dispatch.IssueDirective{Agency: "metro", Scope: dispatch.Scope{Kind: dispatch.ScopeIncident, Incident: incident},
		Effect: dispatch.EffectHold, Reason: "metro reason", Expires: expires}).Events[0].Subject["directive"]
	bolo := ts.MustExecute(t, dispatch.IssueBOLO{Agency: "metro", Kind: dispatch.BOLOVehicle, Description: "metro sedan", Plate: "MTX 1",
		Area: dispatch.Scope{Kind: dispatch.ScopeAgency}, Expires: expires}).Events[0].Subject["bolo"]
	message := ts.MustExecute(t, dispatch.SendMessage{Agency: "metro", To: []string{"user:ann"}, Text: "metro message"}).Events[0].Subject["message"]
	// An assistance request of federal's asking metro: both see it, the
	// sheriff does not.
	request := ts.MustExecute(t, dispatch.RequestAssist{From: "federal", To: "metro", Location: where, Nature: "boxed in", Urgency: dispatch.UrgencyRoutine}).Events[0].Subject["request"]
	private := []string{"Metro Caller", "555-0100", "metro narrative", "metro note", "two rifles", "metro sedan", "MTX 1", "metro message"}

	records := []visRecord{
		{kind: "agency", id: "metro", list: "/api/v1/agencies", member: "agencies",
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) {
				return dispatch.VisibleAgency(st.Agencies["metro"], a)
			}},
		{kind: "unit", id: unit, list: "/api/v1/units", member: "units",
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) {
				// The answer adds the statuses the unit may go to next, a
				// fact derived from what the actor sees.
				u, ok := dispatch.VisibleUnit(st.Units[unit], a)
				return struct {
					dispatch.Unit
					Next []string `json:"next_statuses"`
				}{u, u.SettableStatuses()}, ok
			}},
		{kind: "incident", id: incident, list: "/api/v1/incidents", member: "incidents", get: "/api/v1/incidents/" + incident,
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) {
				return dispatch.VisibleIncident(st, st.Incidents[incident], a, ts.Engine.Now())
			}},
		{kind: "premise", id: premise, list: "/api/v1/premises", member: "premises", get: "/api/v1/premises/" + premise,
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) {
				return dispatch.VisiblePremise(st.Premises[premise], a)
			}},
		{kind: "directive", id: directive, list: "/api/v1/directives", member: "directives", get: "/api/v1/directives/" + directive,
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) {
				return dispatch.VisibleDirective(st.Directives[directive], a)
			}},
		{kind: "bolo", id: bolo, list: "/api/v1/bolos", member: "bolos",
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) { return dispatch.VisibleBOLO(st.BOLOs[bolo], a) }},
		{kind: "message", id: message, list: "/api/v1/messages?id=" + message, member: "messages",
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) {
				return dispatch.VisibleMessage(st.Messages[message], a, "")
			}},
		{kind: "request", id: request, list: "/api/v1/requests", member: "requests", get: "/api/v1/requests/" + request,
			rule: func(st *dispatch.State, a dispatch.Actor) (any, bool) {
				return dispatch.VisibleRequest(st.Requests[request], a)
			}},
	}

	// By hand: who sees what, as the rule is meant to be.
	seen := map[string][]string{ // kind → the readers that see metro's record
		"agency":    {"metro", "sheriff", "federal", "installation-admin"},
		"unit":      {"metro", "installation-admin"},
		"incident":  {"metro", "installation-admin"},
		"premise":   {"metro", "installation-admin"},
		"directive": {"metro", "installation-admin"},
		"bolo":      {"metro", "installation-admin"},
		"message":   {"metro"},
		"request":   {"metro", "federal", "installation-admin"},
	}

	t.Run("API", func(t *testing.T) {
		for _, rec := range records {
			for _, rd := range readers {
				t.Run(rec.kind+"/"+rd.name, func(t *testing.T) {
					var want any
					var ok bool
					ts.Engine.Read(func(st *dispatch.State) { want, ok = rec.rule(st, rd.actor) })
					if byHand := slices.Contains(seen[rec.kind], rd.name); ok != byHand {
						t.Fatalf("the rule shows %s %s to %s: %v, want %v", rec.kind, rec.id, rd.name, ok, byHand)
					}
					r := ts.Do(t, "GET", rec.list, rd.token, nil)
					if r.Status == 403 && !ok {
						return // the route is not open to it at all: nothing shown
					}
					var list map[string][]json.RawMessage
					MustJSON(t, "GET "+rec.list+" as "+rd.name, r, 200, &list)
					got := findByID(t, list[rec.member], rec.id)
					switch {
					case ok && got == nil:
						t.Errorf("GET %s as %s: %s %s is missing, the rule shows it", rec.list, rd.name, rec.kind, rec.id)
					case !ok && got != nil:
						t.Errorf("GET %s as %s shows %s %s, the rule hides it: %s", rec.list, rd.name, rec.kind, rec.id, got)
					case ok:
						sameJSON(t, "GET "+rec.list+" as "+rd.name, got, want)
					}
					if rec.get != "" {
						r := ts.Do(t, "GET", rec.get, rd.token, nil)
						if ok {
							var one json.RawMessage
							MustJSON(t, "GET "+rec.get+" as "+rd.name, r, 200, &one)
							sameJSON(t, "GET "+rec.get+" as "+rd.name, one, want)
						} else {
							CheckProblem(t, "GET "+rec.get+" as "+rd.name, r, 404, dispatch.ENOTFOUND, rec.id+" does not exist")
						}
					}
					if rd.actor.Agency != "metro" && rd.actor.Agency != "" {
						noLeak(t, "GET "+rec.list+" as "+rd.name, r.Body, private)
					}
				})
			}
		}
		// What metro's own reader sees of its incident, by hand.
		var in dispatch.Incident
		MustJSON(t, "GET incident as metro", ts.Do(t, "GET", "/api/v1/incidents/"+incident, readers[0].token, nil), 200, &in)
		if in.Caller.Name != "Metro Caller" || in.Narrative != "metro narrative" || len(in.Hazards) != 1 || in.Hazards[0].Text != "two rifles in the front bedroom" {
			t.Errorf("GET incident as metro = caller %+v, narrative %q, hazards %+v; want them all", in.Caller, in.Narrative, in.Hazards)
		}
	})

	t.Run("TimelineAndBundle", func(t *testing.T) {
		for _, tc := range []struct{ kind, id, base string }{
			{dispatch.TimelineIncident, incident, "/api/v1/incidents/" + incident},
			{dispatch.TimelineRequest, request, "/api/v1/requests/" + request},
		} {
			for _, rd := range readers {
				t.Run(tc.kind+"/"+rd.name, func(t *testing.T) {
					var ok bool
					var want []int64
					var members []string
					ts.Engine.Read(func(st *dispatch.State) {
						ok = dispatch.TimelineVisible(st, tc.kind, tc.id, rd.actor)
						members, _, _ = dispatch.TimelineMembers(st, tc.kind, tc.id)
					})
					for _, m := range members {
						kind, id, _ := strings.Cut(m, "/")
						seqs, err := ts.Engine.Seqs(context.Background(), kind, id)
						if err != nil {
							t.Fatalf("Seqs(%s) = %v", m, err)
						}
						want = append(want, seqs...)
					}
					slices.Sort(want)
					want = slices.Compact(want)
					kinds := map[string][]string{dispatch.TimelineIncident: {"metro", "installation-admin"}, dispatch.TimelineRequest: {"metro", "federal", "installation-admin"}}
					if byHand := slices.Contains(kinds[tc.kind], rd.name); ok != byHand {
						t.Fatalf("the rule shows the timeline of %s %s to %s: %v, want %v", tc.kind, tc.id, rd.name, ok, byHand)
					}
					tr := ts.Do(t, "GET", tc.base+"/timeline", rd.token, nil)
					br := ts.Do(t, "GET", tc.base+"/bundle", rd.token, nil)
					if !ok {
						CheckProblem(t, "GET timeline as "+rd.name, tr, 404, dispatch.ENOTFOUND, tc.id+" does not exist")
						CheckProblem(t, "GET bundle as "+rd.name, br, 404, dispatch.ENOTFOUND, tc.id+" does not exist")
						noLeak(t, "GET timeline and bundle as "+rd.name, append(tr.Body, br.Body...), private)
						return
					}
					var tl struct {
						Entries []struct {
							Seq int64 `json:"seq"`
						} `json:"entries"`
					}
					MustJSON(t, "GET timeline as "+rd.name, tr, 200, &tl)
					var got []int64
					for _, e := range tl.Entries {
						got = append(got, e.Seq)
					}
					if !slices.Equal(got, want) {
						t.Errorf("GET %s/timeline as %s = events %v, the rule makes it %v", tc.base, rd.name, got, want)
					}
					if br.Status != 200 {
						t.Fatalf("GET %s/bundle as %s = %d %s, want 200", tc.base, rd.name, br.Status, br.Body)
					}
					rep, err := ledger.VerifyBundle(br.Body, strings.TrimSpace(string(ts.Do(t, "GET", "/log/key", "", nil).Body)))
					if err != nil {
						t.Fatalf("VerifyBundle(%s/bundle as %s) = %v", tc.base, rd.name, err)
					}
					got = got[:0]
					for _, e := range rep.Entries {
						got = append(got, e.Seq)
					}
					if !slices.Equal(got, want) {
						t.Errorf("GET %s/bundle as %s = events %v, the rule makes it %v", tc.base, rd.name, got, want)
					}
					noLeak(t, "GET bundle (no openings) as "+rd.name, br.Body, private)
				})
			}
		}
	})

	t.Run("Stream", func(t *testing.T) {
		streams := make([]<-chan sseEvent, len(readers))
		for i, rd := range readers {
			c, cancel := openStream(t, ts, rd.token, "-1")
			defer cancel()
			streams[i] = c
		}
		// A last event of each agency's: every reader sees one of them,
		// so each knows when it has read all it will be sent.
		var end int64
		for _, a := range []string{"metro", "sheriff", "federal"} {
			end = ts.MustExecute(t, dispatch.CreateUnit{CallSign: "END", Agency: a, Kind: "patrol"}).First
		}
		entries := ts.Events(t, 0)[:end+1]
		for i, rd := range readers {
			var want []int64
			ts.Engine.Read(func(st *dispatch.State) {
				for _, e := range entries {
					if dispatch.StreamVisible(st, envelopeOf(e), rd.actor, "") {
						want = append(want, e.Seq)
					}
				}
			})
			var got []int64
			kinds := map[string]bool{}
			for len(got) == 0 || got[len(got)-1] < want[len(want)-1] {
				ev := next(t, streams[i])
				got = append(got, ev.ID)
				noLeakText(t, "stream of "+rd.name, ev.Data, private)
				var en ledger.Entry
				if err := json.Unmarshal([]byte(ev.Data), &en); err != nil {
					t.Fatalf("stream of %s: event %d = %s: %v", rd.name, ev.ID, ev.Data, err)
				}
				for k, id := range en.Subject {
					if id == incident || id == unit || id == premise || id == directive || id == bolo || id == message || id == request {
						kinds[k] = true
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("stream of %s = events %v, the rule sends %v", rd.name, got, want)
			}
			// By hand: the records' events reach exactly their readers.
			for kind, who := range seen {
				if kind == "agency" {
					continue
				}
				if kinds[kind] != slices.Contains(who, rd.name) {
					t.Errorf("stream of %s carries events of metro's %s: %v, want %v", rd.name, kind, kinds[kind], slices.Contains(who, rd.name))
				}
			}
		}
	})
}

// envelopeOf is what the stream knows of a log entry.
func envelopeOf(e ledger.Entry) dispatch.Envelope {
	ev := dispatch.Envelope{Type: e.Type, Agency: e.Agency, Message: e.Subject["message"]}
	if also := e.Subject["agencies"]; also != "" {
		ev.Also = strings.Split(also, ",")
	}
	return ev
}

// findByID returns the member of list whose "id" is id, or nil.
func findByID(tb testing.TB, list []json.RawMessage, id string) json.RawMessage {
	tb.Helper()
	for _, raw := range list {
		var v struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			tb.Fatalf("list member %s: %v", raw, err)
		}
		if v.ID == id {
			return raw
		}
	}
	return nil
}

// sameJSON fails unless got is the JSON of want.
func sameJSON(tb testing.TB, call string, got json.RawMessage, want any) {
	tb.Helper()
	b, err := json.Marshal(want)
	if err != nil {
		tb.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Fatalf("%s: %s: %v", call, got, err)
	}
	if err := json.Unmarshal(b, &w); err != nil {
		tb.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("%s = %s, the rule gives %s", call, got, b)
	}
}

func noLeak(tb testing.TB, call string, body []byte, private []string) {
	tb.Helper()
	for _, p := range private {
		if bytes.Contains(body, []byte(p)) {
			tb.Errorf("%s shows %q: %s", call, p, body)
		}
	}
}

func noLeakText(tb testing.TB, call, data string, private []string) {
	tb.Helper()
	noLeak(tb, call+" (event data)", []byte(data), private)
}
