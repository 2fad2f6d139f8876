package dispatch_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// t0 is the time of the fixture's events; now is when commands are decided.
var (
	t0  = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	now = time.Date(2026, 3, 1, 9, 30, 15, 123456789, time.UTC)
)

// Actors used by the tables.
var (
	system     = dispatch.Actor{System: "test"}
	root       = dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}
	metroDisp  = dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}
	metroAdmin = dispatch.Actor{User: "max", Agency: "metro", Role: dispatch.RoleAdmin}
	sherDisp   = dispatch.Actor{User: "sid", Agency: "sheriff", Role: dispatch.RoleDispatcher}
)

func ptr[T any](v T) *T { return &v }

// fixtureEvents are the events of MustFixture's state: agencies metro and
// sheriff, unit metro.2b7, one metro incident of 2026, the user root.
func fixtureEvents() []dispatch.Event {
	return []dispatch.Event{
		{Time: t0, Type: dispatch.TypeAgencyCreated, Agency: "metro", Actor: system,
			Subject: map[string]string{"agency": "metro"},
			Data:    &dispatch.AgencyCreated{ID: "metro", Name: "Metro PD", Kind: "municipal_police"}},
		{Time: t0, Type: dispatch.TypeAgencyCreated, Agency: "sheriff", Actor: system,
			Subject: map[string]string{"agency": "sheriff"},
			Data:    &dispatch.AgencyCreated{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"}},
		{Time: t0, Type: dispatch.TypeUnitCreated, Agency: "metro", Actor: system,
			Subject: map[string]string{"unit": "metro.2b7"},
			Data:    &dispatch.UnitCreated{ID: "metro.2b7", CallSign: "2B7", Kind: "patrol", Capabilities: []string{"k9"}}},
		{Time: t0, Type: dispatch.TypeIncidentCreated, Agency: "metro", Actor: system,
			Subject: map[string]string{"incident": "metro-2026-000001"},
			Data: &dispatch.IncidentCreated{ID: "metro-2026-000001", Type: "THEFT", Priority: 3,
				Location: dispatch.Location{Text: "1 Main St"}},
			Private: map[string]string{dispatch.PrivateCallerName: "Old Caller"}},
		{Time: t0, Type: dispatch.TypeUserCreated, Agency: "", Actor: system,
			Subject: map[string]string{"user": "root"},
			Data:    &dispatch.UserCreated{Username: "root", Roles: []string{dispatch.RoleAdmin}}},
	}
}

// MustFixture returns a fresh state holding fixtureEvents. Two calls return
// equal, unshared states, so one can be compared with the other.
func MustFixture(tb testing.TB) *dispatch.State {
	tb.Helper()
	s := dispatch.NewState()
	for _, e := range fixtureEvents() {
		if err := s.Apply(e); err != nil {
			tb.Fatalf("Apply(%s) = %v, want nil", e.Type, err)
		}
	}
	return s
}

// A decideCase is one rule of a command: decided by actor at now against the
// fixture, it yields exactly want, or an *Error with code wantCode whose
// message contains wantMsg.
type decideCase struct {
	name     string
	cmd      dispatch.Command
	actor    dispatch.Actor
	now      time.Time // zero: now
	want     []dispatch.Event
	wantCode string
	wantMsg  string
}

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.now
			if at.IsZero() {
				at = now
			}
			s, before := MustFixture(t), MustFixture(t)
			got, err := tc.cmd.Decide(s, tc.actor, at)
			// Decide never changes the state, whatever it answers.
			if !reflect.DeepEqual(s, before) {
				t.Errorf("%#v.Decide changed the state", tc.cmd)
			}
			if tc.wantCode != "" {
				checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.wantCode, tc.wantMsg)
				if got != nil {
					t.Errorf("%#v.Decide = %+v with an error, want no events", tc.cmd, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("%#v.Decide = %v, want events", tc.cmd, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%#v.Decide =\n%s\nwant\n%s", tc.cmd, dump(got), dump(tc.want))
			}
			// What was decided applies.
			for _, e := range got {
				if err := s.Apply(e); err != nil {
					t.Fatalf("Apply(decided %s) = %v, want nil", e.Type, err)
				}
			}
		})
	}
}

func dump(evs []dispatch.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %+v data=%+v\n", e, e.Data)
	}
	return b.String()
}

// checkDomainError checks that err is an *dispatch.Error with the code and a
// message that reads as a sentence naming what is wrong.
func checkDomainError(tb testing.TB, call string, err error, code, msgPart string) {
	tb.Helper()
	var de *dispatch.Error
	if !errors.As(err, &de) {
		tb.Fatalf("%s = %v (%T), want *dispatch.Error with code %s", call, err, err, code)
	}
	if de.Code != code {
		tb.Errorf("%s = code %s (%q), want code %s", call, de.Code, de.Message, code)
	}
	checkSentence(tb, call, de.Message)
	if !strings.Contains(de.Message, msgPart) {
		tb.Errorf("%s = message %q, want it to mention %q", call, de.Message, msgPart)
	}
	if de.Error() != de.Message {
		tb.Errorf("%s: Error() = %q, want the message %q", call, de.Error(), de.Message)
	}
}

// checkSentence checks that msg is a readable sentence: several words on one
// line, no formatting debris, no Go type names.
func checkSentence(tb testing.TB, call, msg string) {
	tb.Helper()
	switch {
	case len(strings.Fields(msg)) < 3:
		tb.Errorf("%s = message %q, want a sentence of several words", call, msg)
	case strings.ContainsAny(msg, "\n\r"):
		tb.Errorf("%s = message %q, want one line", call, msg)
	case strings.Contains(msg, "%!"), strings.Contains(msg, "dispatch."), strings.Contains(msg, "<nil>"):
		tb.Errorf("%s = message %q, want no formatting debris or Go names", call, msg)
	case msg != strings.TrimSpace(msg):
		tb.Errorf("%s = message %q, want no surrounding space", call, msg)
	}
}

func TestCreateAgency(t *testing.T) {
	ok := func(id, name, kind string, actor dispatch.Actor) []dispatch.Event {
		return []dispatch.Event{{
			Time: now, Type: dispatch.TypeAgencyCreated, Agency: id, Actor: actor,
			Subject: map[string]string{"agency": id},
			Data:    &dispatch.AgencyCreated{ID: id, Name: name, Kind: kind},
		}}
	}
	id32 := "a" + strings.Repeat("b", 31)
	runDecide(t, []decideCase{
		{name: "OK", cmd: dispatch.CreateAgency{ID: "state", Name: "State Police", Kind: "state_police"},
			actor: root, want: ok("state", "State Police", "state_police", root)},
		{name: "OKSystem", cmd: dispatch.CreateAgency{ID: "fed", Name: "Federal Patrol", Kind: "federal"},
			actor: system, want: ok("fed", "Federal Patrol", "federal", system)},
		{name: "OKNameTrimmed", cmd: dispatch.CreateAgency{ID: "fire-1", Name: "  Fire\tDept  ", Kind: "fire_ems"},
			actor: root, want: ok("fire-1", "Fire\tDept", "fire_ems", root)},
		{name: "OKLongestID", cmd: dispatch.CreateAgency{ID: id32, Name: "X", Kind: "sheriff"},
			actor: root, want: ok(id32, "X", "sheriff", root)},
		{name: "OKLongestName", cmd: dispatch.CreateAgency{ID: "ab", Name: strings.Repeat("é", 100), Kind: "sheriff"},
			actor: root, want: ok("ab", strings.Repeat("é", 100), "sheriff", root)},

		{name: "ErrForbiddenAgencyAdmin", cmd: dispatch.CreateAgency{ID: "state", Name: "S", Kind: "state_police"},
			actor: metroAdmin, wantCode: dispatch.EFORBIDDEN, wantMsg: "administrator"},
		{name: "ErrForbiddenDispatcher", cmd: dispatch.CreateAgency{ID: "state", Name: "S", Kind: "state_police"},
			actor: metroDisp, wantCode: dispatch.EFORBIDDEN, wantMsg: "administrator"},
		{name: "ErrForbiddenNobody", cmd: dispatch.CreateAgency{ID: "state", Name: "S", Kind: "state_police"},
			actor: dispatch.Actor{}, wantCode: dispatch.EFORBIDDEN, wantMsg: "administrator"},
		{name: "ErrInvalidIDUpper", cmd: dispatch.CreateAgency{ID: "State", Name: "S", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `"State"`},
		{name: "ErrInvalidIDShort", cmd: dispatch.CreateAgency{ID: "s", Name: "S", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `"s"`},
		{name: "ErrInvalidIDDigitFirst", cmd: dispatch.CreateAgency{ID: "9th", Name: "S", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `"9th"`},
		{name: "ErrInvalidIDLong", cmd: dispatch.CreateAgency{ID: id32 + "c", Name: "S", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "2 to 32"},
		{name: "ErrInvalidIDEmpty", cmd: dispatch.CreateAgency{Name: "S", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "agency id"},
		{name: "ErrInvalidNameEmpty", cmd: dispatch.CreateAgency{ID: "state", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "agency name is required"},
		{name: "ErrInvalidNameBlank", cmd: dispatch.CreateAgency{ID: "state", Name: " \t\n", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "agency name is required"},
		{name: "ErrInvalidNameLong", cmd: dispatch.CreateAgency{ID: "state", Name: strings.Repeat("n", 101), Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "longer than 100"},
		{name: "ErrInvalidNameControl", cmd: dispatch.CreateAgency{ID: "state", Name: "S\x07P", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "control characters"},
		{name: "ErrInvalidNameUTF8", cmd: dispatch.CreateAgency{ID: "state", Name: "S\xffP", Kind: "state_police"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "UTF-8"},
		{name: "ErrInvalidKind", cmd: dispatch.CreateAgency{ID: "state", Name: "S", Kind: "navy"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `"navy"`},
		{name: "ErrConflict", cmd: dispatch.CreateAgency{ID: "metro", Name: "Metro again", Kind: "municipal_police"},
			actor: root, wantCode: dispatch.ECONFLICT, wantMsg: "metro already exists"},
	})
}

func TestCreateUnit(t *testing.T) {
	ok := func(agency, id, cs, kind string, caps []string, actor dispatch.Actor) []dispatch.Event {
		return []dispatch.Event{{
			Time: now, Type: dispatch.TypeUnitCreated, Agency: agency, Actor: actor,
			Subject: map[string]string{"unit": id},
			Data:    &dispatch.UnitCreated{ID: id, CallSign: cs, Kind: kind, Capabilities: caps},
		}}
	}
	caps16 := make([]string, 16)
	for i := range caps16 {
		caps16[i] = fmt.Sprintf("cap%d", i)
	}
	runDecide(t, []decideCase{
		{name: "OK", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol", Capabilities: []string{"k9", "first-aid"}},
			actor: metroDisp, want: ok("metro", "metro.1a12", "1A12", "patrol", []string{"k9", "first-aid"}, metroDisp)},
		{name: "OKNoCapabilities", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "sergeant"},
			actor: metroDisp, want: ok("metro", "metro.1a12", "1A12", "sergeant", nil, metroDisp)},
		{name: "OKAdminOtherAgency", cmd: dispatch.CreateUnit{CallSign: "S-1", Agency: "sheriff", Kind: "k9"},
			actor: root, want: ok("sheriff", "sheriff.s-1", "S-1", "k9", nil, root)},
		{name: "OKSystem", cmd: dispatch.CreateUnit{CallSign: "7", Agency: "sheriff", Kind: "air"},
			actor: system, want: ok("sheriff", "sheriff.7", "7", "air", nil, system)},
		{name: "OKLongestCallSign", cmd: dispatch.CreateUnit{CallSign: "A234567890123456", Agency: "metro", Kind: "traffic"},
			actor: metroDisp, want: ok("metro", "metro.a234567890123456", "A234567890123456", "traffic", nil, metroDisp)},
		{name: "OKSixteenCapabilities", cmd: dispatch.CreateUnit{CallSign: "C1", Agency: "metro", Kind: "tactical", Capabilities: caps16},
			actor: metroDisp, want: ok("metro", "metro.c1", "C1", "tactical", caps16, metroDisp)},

		{name: "ErrNotFound", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "nowhere", Kind: "patrol"},
			actor: root, wantCode: dispatch.ENOTFOUND, wantMsg: `"nowhere"`},
		{name: "ErrForbiddenOtherAgency", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "sheriff", Kind: "patrol"},
			actor: metroDisp, wantCode: dispatch.EFORBIDDEN, wantMsg: "ann of metro may not act for agency sheriff"},
		{name: "ErrForbiddenAgencyAdminOtherAgency", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "sheriff", Kind: "patrol"},
			actor: metroAdmin, wantCode: dispatch.EFORBIDDEN, wantMsg: "sheriff"},
		{name: "ErrInvalidCallSignEmpty", cmd: dispatch.CreateUnit{Agency: "metro", Kind: "patrol"},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: "call sign"},
		{name: "ErrInvalidCallSignLong", cmd: dispatch.CreateUnit{CallSign: "A2345678901234567", Agency: "metro", Kind: "patrol"},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: "1 to 16"},
		{name: "ErrInvalidCallSignSpace", cmd: dispatch.CreateUnit{CallSign: "1 A", Agency: "metro", Kind: "patrol"},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: `"1 A"`},
		{name: "ErrInvalidCallSignDashFirst", cmd: dispatch.CreateUnit{CallSign: "-1A", Agency: "metro", Kind: "patrol"},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: `"-1A"`},
		{name: "ErrInvalidKind", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "boat"},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: `"boat"`},
		{name: "ErrInvalidKindEmpty", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "metro"},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: "unit kind"},
		{name: "ErrInvalidTooManyCapabilities", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol", Capabilities: append(caps16, "more")},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: "at most 16"},
		{name: "ErrInvalidCapability", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol", Capabilities: []string{"k9", "K9"}},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: `"K9"`},
		{name: "ErrInvalidCapabilityEmpty", cmd: dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol", Capabilities: []string{""}},
			actor: metroDisp, wantCode: dispatch.EINVALID, wantMsg: "capability"},
		{name: "ErrConflict", cmd: dispatch.CreateUnit{CallSign: "2B7", Agency: "metro", Kind: "patrol"},
			actor: metroDisp, wantCode: dispatch.ECONFLICT, wantMsg: "metro already has a unit 2B7"},
		{name: "ErrConflictCase", cmd: dispatch.CreateUnit{CallSign: "2b7", Agency: "metro", Kind: "patrol"},
			actor: metroDisp, wantCode: dispatch.ECONFLICT, wantMsg: "2b7"},
	})
}

func TestCreateIncident(t *testing.T) {
	type inc struct {
		agency, id, typ string
		prio            int
		loc             dispatch.Location
		private         map[string]string
		actor           dispatch.Actor
		at              time.Time
	}
	ok := func(c inc) []dispatch.Event {
		at := c.at
		if at.IsZero() {
			at = now
		}
		return []dispatch.Event{{
			Time: at, Type: dispatch.TypeIncidentCreated, Agency: c.agency, Actor: c.actor,
			Subject: map[string]string{"incident": c.id},
			Data:    &dispatch.IncidentCreated{ID: c.id, Type: c.typ, Priority: c.prio, Location: c.loc},
			Private: c.private,
		}}
	}
	main := dispatch.Location{Text: "39th Pl & S Kedzie Ave"}
	point := dispatch.Location{Lat: ptr(41.8), Lon: ptr(-87.7)}
	nextYear := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	runDecide(t, []decideCase{
		{name: "OK", actor: metroDisp,
			cmd: dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: main,
				Caller: dispatch.Caller{Name: "Jo Smith", Phone: "+1 312 555 0100"}, Narrative: "back door open\n\tno lights"},
			want: ok(inc{agency: "metro", id: "metro-2026-000002", typ: "BURGLARY", prio: 2, loc: main, actor: metroDisp,
				private: map[string]string{
					dispatch.PrivateCallerName: "Jo Smith", dispatch.PrivateCallerPhone: "+1 312 555 0100",
					dispatch.PrivateNarrative: "back door open\n\tno lights",
				}})},
		{name: "OKFirstOfAgency", actor: sherDisp,
			cmd:  dispatch.CreateIncident{Agency: "sheriff", Type: "NOISE", Location: main},
			want: ok(inc{agency: "sheriff", id: "sheriff-2026-000001", typ: "NOISE", prio: 4, loc: main, actor: sherDisp, private: map[string]string{}})},
		{name: "OKFirstOfYear", actor: metroDisp, now: nextYear,
			cmd:  dispatch.CreateIncident{Agency: "metro", Type: "ALARM", Location: main},
			want: ok(inc{agency: "metro", id: "metro-2027-000001", typ: "ALARM", prio: 3, loc: main, actor: metroDisp, at: nextYear, private: map[string]string{}})},
		{name: "OKDefaultPriorityZero", actor: metroDisp,
			cmd:  dispatch.CreateIncident{Agency: "metro", Type: "OFFICER_EMERGENCY", Location: point},
			want: ok(inc{agency: "metro", id: "metro-2026-000002", typ: "OFFICER_EMERGENCY", prio: 0, loc: point, actor: metroDisp, private: map[string]string{}})},
		{name: "OKExplicitPriority", actor: metroDisp,
			cmd:  dispatch.CreateIncident{Agency: "metro", Type: "NOISE", Priority: ptr(0), Location: main},
			want: ok(inc{agency: "metro", id: "metro-2026-000002", typ: "NOISE", prio: 0, loc: main, actor: metroDisp, private: map[string]string{}})},
		{name: "OKExplicitPriorityFour", actor: metroDisp,
			cmd:  dispatch.CreateIncident{Agency: "metro", Type: "SHOOTING", Priority: ptr(4), Location: main},
			want: ok(inc{agency: "metro", id: "metro-2026-000002", typ: "SHOOTING", prio: 4, loc: main, actor: metroDisp, private: map[string]string{}})},
		{name: "OKLocationTrimmed", actor: root,
			cmd: dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "  1 Main St\n", Lat: ptr(-90.0), Lon: ptr(180.0)}},
			want: ok(inc{agency: "metro", id: "metro-2026-000002", typ: "THEFT", prio: 3, actor: root, private: map[string]string{},
				loc: dispatch.Location{Text: "1 Main St", Lat: ptr(-90.0), Lon: ptr(180.0)}})},
		{name: "OKCallerNameOnly", actor: system,
			cmd: dispatch.CreateIncident{Agency: "metro", Type: "MEDICAL", Location: main, Caller: dispatch.Caller{Name: "Zoë"}},
			want: ok(inc{agency: "metro", id: "metro-2026-000002", typ: "MEDICAL", prio: 1, loc: main, actor: system,
				private: map[string]string{dispatch.PrivateCallerName: "Zoë"}})},
		{name: "OKLongestFields", actor: metroDisp,
			cmd: dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: strings.Repeat("x", 300)},
				Caller: dispatch.Caller{Name: strings.Repeat("ñ", 200), Phone: strings.Repeat("5", 40)}, Narrative: strings.Repeat("n", 8000)},
			want: ok(inc{agency: "metro", id: "metro-2026-000002", typ: "THEFT", prio: 3, actor: metroDisp,
				loc: dispatch.Location{Text: strings.Repeat("x", 300)},
				private: map[string]string{
					dispatch.PrivateCallerName: strings.Repeat("ñ", 200), dispatch.PrivateCallerPhone: strings.Repeat("5", 40),
					dispatch.PrivateNarrative: strings.Repeat("n", 8000),
				}})},

		{name: "ErrNotFound", actor: root,
			cmd:      dispatch.CreateIncident{Agency: "nowhere", Type: "THEFT", Location: main},
			wantCode: dispatch.ENOTFOUND, wantMsg: `agency "nowhere" does not exist`},
		{name: "ErrNotFoundNoAgency", actor: root,
			cmd:      dispatch.CreateIncident{Type: "THEFT", Location: main},
			wantCode: dispatch.ENOTFOUND, wantMsg: `agency "" does not exist`},
		{name: "ErrForbidden", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "sheriff", Type: "THEFT", Location: main},
			wantCode: dispatch.EFORBIDDEN, wantMsg: "may not act for agency sheriff"},
		{name: "ErrInvalidType", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "UFO", Location: main},
			wantCode: dispatch.EINVALID, wantMsg: `"UFO"`},
		{name: "ErrInvalidTypeLowerCase", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "theft", Location: main},
			wantCode: dispatch.EINVALID, wantMsg: "catalogue"},
		{name: "ErrInvalidPriorityHigh", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Priority: ptr(5), Location: main},
			wantCode: dispatch.EINVALID, wantMsg: "priority 5"},
		{name: "ErrInvalidPriorityNegative", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Priority: ptr(-1), Location: main},
			wantCode: dispatch.EINVALID, wantMsg: "priority -1"},
		{name: "ErrInvalidNoLocation", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT"},
			wantCode: dispatch.EINVALID, wantMsg: "address or lat and lon"},
		{name: "ErrInvalidBlankLocation", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: " \n\t "}},
			wantCode: dispatch.EINVALID, wantMsg: "address or lat and lon"},
		{name: "ErrInvalidLatOnly", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: "x", Lat: ptr(1.0)}},
			wantCode: dispatch.EINVALID, wantMsg: "both lat and lon"},
		{name: "ErrInvalidLonOnly", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Lon: ptr(1.0)}},
			wantCode: dispatch.EINVALID, wantMsg: "both lat and lon"},
		{name: "ErrInvalidLat", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Lat: ptr(90.5), Lon: ptr(0.0)}},
			wantCode: dispatch.EINVALID, wantMsg: "latitude 90.5"},
		{name: "ErrInvalidLatNaN", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Lat: ptr(math.NaN()), Lon: ptr(0.0)}},
			wantCode: dispatch.EINVALID, wantMsg: "latitude"},
		{name: "ErrInvalidLonInf", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Lat: ptr(0.0), Lon: ptr(math.Inf(-1))}},
			wantCode: dispatch.EINVALID, wantMsg: "longitude"},
		{name: "ErrInvalidLon", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Lat: ptr(0.0), Lon: ptr(-180.01)}},
			wantCode: dispatch.EINVALID, wantMsg: "longitude -180.01"},
		{name: "ErrInvalidLocationLong", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: strings.Repeat("x", 301)}},
			wantCode: dispatch.EINVALID, wantMsg: "location text is longer than 300"},
		{name: "ErrInvalidCallerNameLong", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: main, Caller: dispatch.Caller{Name: strings.Repeat("n", 201)}},
			wantCode: dispatch.EINVALID, wantMsg: "caller name is longer than 200"},
		{name: "ErrInvalidCallerNameControl", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: main, Caller: dispatch.Caller{Name: "Jo\x00"}},
			wantCode: dispatch.EINVALID, wantMsg: "caller name contains control characters"},
		{name: "ErrInvalidCallerPhoneLong", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: main, Caller: dispatch.Caller{Phone: strings.Repeat("5", 41)}},
			wantCode: dispatch.EINVALID, wantMsg: "caller phone is longer than 40"},
		{name: "ErrInvalidNarrativeLong", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: main, Narrative: strings.Repeat("n", 8001)},
			wantCode: dispatch.EINVALID, wantMsg: "narrative is longer than 8000"},
		{name: "ErrInvalidNarrativeUTF8", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: main, Narrative: "ok \xc3\x28"},
			wantCode: dispatch.EINVALID, wantMsg: "narrative is not valid UTF-8"},
		{name: "ErrInvalidNarrativeCarriageReturn", actor: metroDisp,
			cmd:      dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: main, Narrative: "line\r\nline"},
			wantCode: dispatch.EINVALID, wantMsg: "narrative contains control characters"},
	})
}

func TestCreateUser(t *testing.T) {
	ok := func(agency, name string, roles []string, actor dispatch.Actor) []dispatch.Event {
		return []dispatch.Event{{
			Time: now, Type: dispatch.TypeUserCreated, Agency: agency, Actor: actor,
			Subject: map[string]string{"user": name},
			Data:    &dispatch.UserCreated{Username: name, Roles: roles},
		}}
	}
	long := "u" + strings.Repeat("x", 63)
	runDecide(t, []decideCase{
		{name: "OK", cmd: dispatch.CreateUser{Username: "ann.b", Agency: "metro", Roles: []string{dispatch.RoleDispatcher, dispatch.RoleCallTaker}},
			actor: root, want: ok("metro", "ann.b", []string{dispatch.RoleDispatcher, dispatch.RoleCallTaker}, root)},
		{name: "OKAgencyAdmin", cmd: dispatch.CreateUser{Username: "o_1-x", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
			actor: metroAdmin, want: ok("metro", "o_1-x", []string{dispatch.RoleOfficer}, metroAdmin)},
		{name: "OKInstallationAdmin", cmd: dispatch.CreateUser{Username: "admin", Roles: []string{dispatch.RoleAdmin}},
			actor: dispatch.Actor{System: "bootstrap"}, want: ok("", "admin", []string{dispatch.RoleAdmin}, dispatch.Actor{System: "bootstrap"})},
		{name: "OKLongestName", cmd: dispatch.CreateUser{Username: long, Agency: "sheriff", Roles: dispatch.Roles},
			actor: root, want: ok("sheriff", long, dispatch.Roles, root)},

		{name: "ErrForbiddenDispatcher", cmd: dispatch.CreateUser{Username: "eve", Agency: "metro", Roles: []string{dispatch.RoleAdmin}},
			actor: metroDisp, wantCode: dispatch.EFORBIDDEN, wantMsg: "administrator"},
		{name: "ErrForbiddenOtherAgency", cmd: dispatch.CreateUser{Username: "eve", Agency: "sheriff", Roles: []string{dispatch.RoleOfficer}},
			actor: metroAdmin, wantCode: dispatch.EFORBIDDEN, wantMsg: "administrator"},
		{name: "ErrForbiddenInstallationUser", cmd: dispatch.CreateUser{Username: "eve", Roles: []string{dispatch.RoleAdmin}},
			actor: metroAdmin, wantCode: dispatch.EFORBIDDEN, wantMsg: "administrator"},
		{name: "ErrInvalidNameShort", cmd: dispatch.CreateUser{Username: "e", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `username "e"`},
		{name: "ErrInvalidNameUpper", cmd: dispatch.CreateUser{Username: "Eve", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `"Eve"`},
		{name: "ErrInvalidNameLong", cmd: dispatch.CreateUser{Username: long + "x", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "2 to 64"},
		{name: "ErrInvalidNameSpace", cmd: dispatch.CreateUser{Username: "e ve", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `"e ve"`},
		{name: "ErrNotFound", cmd: dispatch.CreateUser{Username: "eve", Agency: "nowhere", Roles: []string{dispatch.RoleOfficer}},
			actor: root, wantCode: dispatch.ENOTFOUND, wantMsg: `agency "nowhere" does not exist`},
		{name: "ErrInvalidNoRoles", cmd: dispatch.CreateUser{Username: "eve", Agency: "metro"},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "at least one role"},
		{name: "ErrInvalidRole", cmd: dispatch.CreateUser{Username: "eve", Agency: "metro", Roles: []string{dispatch.RoleOfficer, "janitor"}},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: `role "janitor"`},
		{name: "ErrInvalidNoAgency", cmd: dispatch.CreateUser{Username: "eve", Roles: []string{dispatch.RoleAdmin, dispatch.RoleAuditor}},
			actor: root, wantCode: dispatch.EINVALID, wantMsg: "belongs to an agency"},
		{name: "ErrConflict", cmd: dispatch.CreateUser{Username: "root", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
			actor: root, wantCode: dispatch.ECONFLICT, wantMsg: "user root already exists"},
	})
}

// TestCreateIncidentSerial checks that incident ids count up per agency and
// year, with no gap, as incidents are decided and applied one after another.
func TestCreateIncidentSerial(t *testing.T) {
	s := MustFixture(t)
	steps := []struct {
		agency string
		at     time.Time
		want   string
	}{
		{"metro", now, "metro-2026-000002"},
		{"sheriff", now, "sheriff-2026-000001"},
		{"metro", now, "metro-2026-000003"},
		{"metro", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "metro-2027-000001"},
		{"sheriff", time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), "sheriff-2027-000001"},
		{"metro", time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), "metro-2027-000002"},
	}
	for _, st := range steps {
		cmd := dispatch.CreateIncident{Agency: st.agency, Type: "THEFT", Location: dispatch.Location{Text: "x"}}
		evs, err := cmd.Decide(s, system, st.at)
		if err != nil {
			t.Fatalf("CreateIncident{%s}.Decide(%v) = %v", st.agency, st.at, err)
		}
		if got := evs[0].Subject["incident"]; got != st.want {
			t.Fatalf("CreateIncident{%s}.Decide(%v) = incident %s, want %s", st.agency, st.at, got, st.want)
		}
		if err := s.Apply(evs[0]); err != nil {
			t.Fatalf("Apply(%s) = %v", st.want, err)
		}
	}
}

func TestIDs(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{dispatch.UnitID("metro", "1A12"), "metro.1a12"},
		{dispatch.UnitID("sheriff", "K9-3"), "sheriff.k9-3"},
		{dispatch.IncidentID("metro", 2026, 1), "metro-2026-000001"},
		{dispatch.IncidentID("metro", 2026, 999999), "metro-2026-999999"},
		{dispatch.IncidentID("metro", 2026, 1000000), "metro-2026-1000000"},
	} {
		if tc.got != tc.want {
			t.Errorf("id = %q, want %q", tc.got, tc.want)
		}
	}
}

func TestIncidentTypeByCode(t *testing.T) {
	seen := map[string]bool{}
	for _, it := range dispatch.IncidentTypes {
		if seen[it.Code] {
			t.Errorf("IncidentTypes lists %s twice", it.Code)
		}
		seen[it.Code] = true
		if it.DefaultPriority < 0 || it.DefaultPriority > 4 {
			t.Errorf("IncidentTypes: %s has default priority %d, want 0 to 4", it.Code, it.DefaultPriority)
		}
		got, ok := dispatch.IncidentTypeByCode(it.Code)
		if !ok || got != it {
			t.Errorf("IncidentTypeByCode(%q) = %+v, %v, want %+v, true", it.Code, got, ok, it)
		}
	}
	if got, ok := dispatch.IncidentTypeByCode("officer_emergency"); ok {
		t.Errorf("IncidentTypeByCode(%q) = %+v, true, want false", "officer_emergency", got)
	}
	if it, _ := dispatch.IncidentTypeByCode("OFFICER_EMERGENCY"); it.DefaultPriority != 0 {
		t.Errorf("OFFICER_EMERGENCY default priority = %d, want 0", it.DefaultPriority)
	}
}

func TestErrorHelpers(t *testing.T) {
	de := dispatch.Errorf(dispatch.ECONFLICT, "unit %s is busy", "metro.1a12")
	wrapped := fmt.Errorf("dispatch: %w", de)
	plain := errors.New("disk on fire: /var/lib/tenfour")
	for _, tc := range []struct {
		err      error
		code     string
		message  string
		wantText string
	}{
		{de, dispatch.ECONFLICT, "unit metro.1a12 is busy", "unit metro.1a12 is busy"},
		{wrapped, dispatch.ECONFLICT, "unit metro.1a12 is busy", "dispatch: unit metro.1a12 is busy"},
		{plain, dispatch.EINTERNAL, "internal error", "disk on fire: /var/lib/tenfour"},
	} {
		if got := dispatch.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if got := dispatch.ErrorMessage(tc.err); got != tc.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tc.err, got, tc.message)
		}
		if got := tc.err.Error(); got != tc.wantText {
			t.Errorf("Error() = %q, want %q", got, tc.wantText)
		}
	}
}
