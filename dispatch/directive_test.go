package dispatch_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

const dir1 = "metro-D-2026-000001"

// holdKedzie is the Metro PD commander's order of the reference scenario:
// hold dispatch within 500 m of 39th Place and Kedzie, for four hours.
func holdKedzie(now time.Time) dispatch.IssueDirective {
	return dispatch.IssueDirective{Agency: "metro", Effect: dispatch.EffectHold,
		Scope:  dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: *kedzie.Lat, Lon: *kedzie.Lon, RadiusM: 500}},
		Reason: "crowd control operation; no units into the area", Expires: now.Add(4 * time.Hour)}
}

func TestIssueDirective(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	circle := dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: 41.8, Lon: -87.7, RadiusM: 300}}
	with := func(f func(*dispatch.IssueDirective)) dispatch.IssueDirective {
		c := holdKedzie(at)
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name  string
		cmd   dispatch.IssueDirective
		actor dispatch.Actor
		code  string
		msg   string
	}{
		{"ErrForbiddenDispatcher", holdKedzie(at), metroDispA, dispatch.EFORBIDDEN, "only a supervisor of metro may issue a directive"},
		{"ErrForbiddenOtherSupervisor", holdKedzie(at), sherSup, dispatch.EFORBIDDEN, "only a supervisor of metro"},
		{"ErrForbiddenSystem", holdKedzie(at), system, dispatch.EFORBIDDEN, "only a supervisor of metro"},
		{"ErrForbiddenAdmin", holdKedzie(at), root, dispatch.EFORBIDDEN, "only a supervisor of metro"},
		{"ErrNotFoundAgency", with(func(c *dispatch.IssueDirective) { c.Agency = "navy" }), metroCmdr, dispatch.ENOTFOUND, `agency "navy" does not exist`},
		{"ErrInvalidEffect", with(func(c *dispatch.IssueDirective) { c.Effect = "stop" }), metroCmdr, dispatch.EINVALID, `effect "stop" is not one of hold, clear, restrict`},
		{"ErrInvalidRestrictNothing", with(func(c *dispatch.IssueDirective) { c.Effect = dispatch.EffectRestrict }), metroCmdr, dispatch.EINVALID, "names the capability or unit kind"},
		{"ErrInvalidHoldRestricts", with(func(c *dispatch.IssueDirective) { c.Restrict = "traffic-control" }), metroCmdr, dispatch.EINVALID, "only a restrict directive"},
		{"ErrInvalidNoReason", with(func(c *dispatch.IssueDirective) { c.Reason = " " }), metroCmdr, dispatch.EINVALID, "reason is required"},
		{"ErrInvalidExpired", with(func(c *dispatch.IssueDirective) { c.Expires = at }), metroCmdr, dispatch.EINVALID, "must expire after it is issued"},
		{"ErrInvalidNoExpiry", with(func(c *dispatch.IssueDirective) { c.Expires = time.Time{} }), metroCmdr, dispatch.EINVALID, "must expire after it is issued"},
		{"ErrInvalidTooLong", with(func(c *dispatch.IssueDirective) { c.Expires = at.Add(7*24*time.Hour + time.Second) }), metroCmdr, dispatch.EINVALID, "expires within 7 days"},
		{"ErrInvalidScope", with(func(c *dispatch.IssueDirective) { c.Scope = dispatch.Scope{Kind: "city"} }), metroCmdr, dispatch.EINVALID, `scope "city" is not one of`},
		{"ErrInvalidCircleNone", with(func(c *dispatch.IssueDirective) { c.Scope = dispatch.Scope{Kind: "circle"} }), metroCmdr, dispatch.EINVALID, "a circle needs a centre"},
		{"ErrInvalidCircleRadius", with(func(c *dispatch.IssueDirective) {
			c.Scope = dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: 41, Lon: -87, RadiusM: 60_000}}
		}), metroCmdr, dispatch.EINVALID, "radius must be between 1 and 50000"},
		{"ErrInvalidCircleCentre", with(func(c *dispatch.IssueDirective) {
			c.Scope = dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: 91, Lon: -87, RadiusM: 60}}
		}), metroCmdr, dispatch.EINVALID, "a circle needs a centre"},
		{"ErrInvalidPolygonShort", with(func(c *dispatch.IssueDirective) {
			c.Scope = dispatch.Scope{Kind: "polygon", Polygon: []dispatch.Point{{Lat: 1, Lon: 1}, {Lat: 2, Lon: 2}}}
		}), metroCmdr, dispatch.EINVALID, "a polygon has 3 to 200 points"},
		{"ErrInvalidPolygonPoint", with(func(c *dispatch.IssueDirective) {
			c.Scope = dispatch.Scope{Kind: "polygon", Polygon: []dispatch.Point{{Lat: 1, Lon: 1}, {Lat: 2, Lon: 2}, {Lat: 3, Lon: 200}}}
		}), metroCmdr, dispatch.EINVALID, "is not a latitude and longitude"},
		{"ErrInvalidDistrict", with(func(c *dispatch.IssueDirective) { c.Scope = dispatch.Scope{Kind: "district"} }), metroCmdr, dispatch.EINVALID, "district is required"},
		{"ErrNotFoundIncident", with(func(c *dispatch.IssueDirective) {
			c.Scope = dispatch.Scope{Kind: "incident", Incident: "sheriff-2026-000001"}
		}), metroCmdr, dispatch.ENOTFOUND, "agency metro has no incident sheriff-2026-000001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t, dispatch.CreateIncident{Agency: "sheriff", Type: "THEFT", Location: kedzie})
			_, err := tc.cmd.Decide(s, tc.actor, at)
			checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
		})
	}
	t.Run("OK", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		c := dispatch.IssueDirective{Agency: "metro", Effect: dispatch.EffectRestrict, Restrict: "traffic-control", Scope: circle,
			Reason: " traffic only ", Expires: at.Add(7 * 24 * time.Hour)}
		evs := MustDecide(t, s, metroCmdr, at, c)
		want := []dispatch.Event{{Time: at, Type: dispatch.TypeDirectiveIssued, Agency: "metro", Actor: metroCmdr,
			Subject: map[string]string{"directive": dir1},
			Data: &dispatch.DirectiveIssued{ID: dir1, Scope: circle, Effect: "restrict", Restrict: "traffic-control",
				Reason: "traffic only", Expires: at.Add(7 * 24 * time.Hour)}}}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("IssueDirective.Decide =\n%s\nwant\n%s", dump(evs), dump(want))
		}
		d := s.Directives[dir1]
		wantD := &dispatch.Directive{ID: dir1, Agency: "metro", Issuer: dispatch.Who{User: "cmdr", Agency: "metro", Role: "supervisor"},
			Scope: circle, Effect: "restrict", Restrict: "traffic-control", Reason: "traffic only", Issued: at,
			Expires: at.Add(7 * 24 * time.Hour), Status: dispatch.DirectiveInForce}
		if !reflect.DeepEqual(d, wantD) {
			t.Errorf("directive = %+v, want %+v", d, wantD)
		}
		// The scope in the state is the directive's own.
		c.Scope.Circle.RadiusM = 1
		if d.Scope.Circle.RadiusM != 300 {
			t.Error("changing the command's circle changed the directive")
		}
	})
}

func TestRevokeDirective(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		actor  dispatch.Actor
		id     string
		reason string
		after  time.Duration
		code   string
		msg    string
	}{
		{"ErrNotFound", metroSup, "metro-D-2026-000009", "over", 0, dispatch.ENOTFOUND, "directive metro-D-2026-000009 does not exist"},
		{"ErrForbiddenDispatcher", metroDispA, dir1, "over", 0, dispatch.EFORBIDDEN, "only a supervisor of metro may revoke"},
		{"ErrForbiddenOtherAgency", sherSup, dir1, "over", 0, dispatch.EFORBIDDEN, "only a supervisor of metro"},
		{"ErrInvalidNoReason", metroSup, dir1, "", 0, dispatch.EINVALID, "reason is required"},
		{"ErrConflictExpired", metroSup, dir1, "over", 4 * time.Hour, dispatch.ECONFLICT, "is no longer in force"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t)
			MustDecide(t, s, metroCmdr, at, holdKedzie(at))
			_, err := dispatch.RevokeDirective{Directive: tc.id, Reason: tc.reason}.Decide(s, tc.actor, at.Add(tc.after))
			checkDomainError(t, "RevokeDirective.Decide", err, tc.code, tc.msg)
		})
	}
	t.Run("OK", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		MustDecide(t, s, metroCmdr, at, holdKedzie(at))
		// Another supervisor may revoke it.
		MustDecide(t, s, metroSup, at.Add(time.Minute), dispatch.RevokeDirective{Directive: dir1, Reason: "operation over"})
		d := s.Directives[dir1]
		if d.Status != dispatch.DirectiveRevoked || d.EndedBy.User != "sue" || d.EndReason != "operation over" || !d.Ended.Equal(at.Add(time.Minute)) || d.InForce(at.Add(time.Minute)) {
			t.Errorf("revoked directive = %+v, want REVOKED by sue at +1 min, not in force", d)
		}
		_, err := dispatch.RevokeDirective{Directive: dir1, Reason: "again"}.Decide(s, metroSup, at.Add(2*time.Minute))
		checkDomainError(t, "RevokeDirective twice", err, dispatch.ECONFLICT, "is no longer in force")
		// It expires no more.
		if evs := MustDecide(t, s, system, at.Add(5*time.Hour), dispatch.CheckTimers{}); len(evs) != 0 {
			t.Errorf("CheckTimers after revocation = %q, want nothing", kinds(evs))
		}
	})
}

func TestDirectiveExpiry(t *testing.T) {
	s := MustMutualAidWorld(t)
	at := mutualAidT0.Add(time.Hour)
	MustDecide(t, s, metroCmdr, at, holdKedzie(at))
	expires := at.Add(4 * time.Hour)
	if evs := MustDecide(t, s, system, expires.Add(-time.Nanosecond), dispatch.CheckTimers{}); len(evs) != 0 {
		t.Fatalf("CheckTimers just before expiry = %q, want nothing", kinds(evs))
	}
	if !s.Directives[dir1].InForce(expires.Add(-time.Nanosecond)) || s.Directives[dir1].InForce(expires) {
		t.Error("InForce: want in force until its expiry, and not at it")
	}
	evs := MustDecide(t, s, system, expires, dispatch.CheckTimers{})
	want := []dispatch.Event{{Time: expires, Type: dispatch.TypeDirectiveExpired, Agency: "metro", Actor: system,
		Subject: map[string]string{"directive": dir1}, Data: &dispatch.DirectiveExpiry{Directive: dir1, Expires: expires}}}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("CheckTimers at expiry =\n%s\nwant\n%s", dump(evs), dump(want))
	}
	if d := s.Directives[dir1]; d.Status != dispatch.DirectiveExpired || !d.Ended.Equal(expires) {
		t.Errorf("directive = %s ended %v, want EXPIRED at its expiry", d.Status, d.Ended)
	}
	if evs := MustDecide(t, s, system, expires.Add(time.Hour), dispatch.CheckTimers{}); len(evs) != 0 {
		t.Errorf("CheckTimers after expiry = %q, want nothing more", kinds(evs))
	}
}

func TestDirectiveCovers(t *testing.T) {
	square := []dispatch.Point{{Lat: 41.82, Lon: -87.71}, {Lat: 41.82, Lon: -87.70}, {Lat: 41.83, Lon: -87.70}, {Lat: 41.83, Lon: -87.71}}
	at := func(lat, lon float64) dispatch.Location { return dispatch.Location{Lat: &lat, Lon: &lon} }
	for _, tc := range []struct {
		name     string
		scope    dispatch.Scope
		loc      dispatch.Location
		incident string
		want     bool
	}{
		{"CircleCentre", dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: 41.8236, Lon: -87.7052, RadiusM: 500}}, kedzie, "", true},
		// 0.004° of latitude is about 445 m.
		{"CircleInside", dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: 41.8236, Lon: -87.7052, RadiusM: 500}}, at(41.8276, -87.7052), "", true},
		{"CircleOutside", dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: 41.8236, Lon: -87.7052, RadiusM: 400}}, at(41.8276, -87.7052), "", false},
		{"CircleNoPoint", dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: 41.8236, Lon: -87.7052, RadiusM: 500}}, dispatch.Location{Text: "39th & Kedzie"}, "", false},
		{"PolygonInside", dispatch.Scope{Kind: "polygon", Polygon: square}, kedzie, "", true},
		{"PolygonOutside", dispatch.Scope{Kind: "polygon", Polygon: square}, elsewhere, "", false},
		{"PolygonNoPoint", dispatch.Scope{Kind: "polygon", Polygon: square}, dispatch.Location{Text: "x"}, "", false},
		{"District", dispatch.Scope{Kind: "district", District: "009"}, dispatch.Location{Text: "x", District: "009"}, "", true},
		{"OtherDistrict", dispatch.Scope{Kind: "district", District: "009"}, dispatch.Location{Text: "x", District: "010"}, "", false},
		{"NoDistrict", dispatch.Scope{Kind: "district", District: "009"}, kedzie, "", false},
		{"Incident", dispatch.Scope{Kind: "incident", Incident: inc1}, elsewhere, inc1, true},
		{"OtherIncident", dispatch.Scope{Kind: "incident", Incident: inc1}, kedzie, inc2, false},
		{"IncidentNone", dispatch.Scope{Kind: "incident", Incident: inc1}, kedzie, "", false},
		{"Agency", dispatch.Scope{Kind: "agency"}, dispatch.Location{Text: "anywhere"}, "", true},
	} {
		d := &dispatch.Directive{Scope: tc.scope}
		if got := d.Covers(tc.loc, tc.incident); got != tc.want {
			t.Errorf("%s: Covers(%+v, %q) = %v, want %v", tc.name, tc.loc, tc.incident, got, tc.want)
		}
	}
}

func TestDirectiveBlocks(t *testing.T) {
	patrol := &dispatch.Unit{ID: "metro.1a12", Agency: "metro", Kind: "patrol"}
	traffic := &dispatch.Unit{ID: "metro.t7", Agency: "metro", Kind: "patrol", Capabilities: []string{"traffic-control"}}
	kind := &dispatch.Unit{ID: "metro.t8", Agency: "metro", Kind: "traffic"}
	sheriff := &dispatch.Unit{ID: "sheriff.s1", Agency: "sheriff", Kind: "patrol"}
	for _, tc := range []struct {
		effect, restrict string
		unit             *dispatch.Unit
		want             bool
	}{
		{"hold", "", patrol, true},
		{"hold", "", traffic, true},
		{"clear", "", patrol, true},
		{"hold", "", sheriff, false}, // a directive binds its own agency only
		{"restrict", "traffic-control", patrol, true},
		{"restrict", "traffic-control", traffic, false},
		{"restrict", "traffic", kind, false},
		{"restrict", "traffic", patrol, true},
	} {
		d := &dispatch.Directive{Agency: "metro", Effect: tc.effect, Restrict: tc.restrict}
		if got := d.Blocks(tc.unit); got != tc.want {
			t.Errorf("%s %s: Blocks(%s) = %v, want %v", tc.effect, tc.restrict, tc.unit.ID, got, tc.want)
		}
	}
}

// TestDispatchDirective: a dispatch into a place a directive holds is
// refused unless a supervisor overrides it with a reason, and the override
// is recorded in the same decision.
func TestDispatchDirective(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	const inc = "metro-2026-000001"
	world := func(t *testing.T, directive dispatch.IssueDirective) *dispatch.State {
		s := MustMutualAidWorld(t, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: kedzie})
		MustDecide(t, s, metroCmdr, at, directive)
		return s
	}
	send := func(units ...string) dispatch.DispatchUnits {
		return dispatch.DispatchUnits{Incident: inc, Units: units}
	}
	override := func(reason string, units ...string) dispatch.DispatchUnits {
		c := send(units...)
		c.Override = reason
		return c
	}
	restrict := holdKedzie(at)
	restrict.Effect, restrict.Restrict = dispatch.EffectRestrict, "traffic-control"
	byIncident := holdKedzie(at)
	byIncident.Scope = dispatch.Scope{Kind: dispatch.ScopeIncident, Incident: inc}
	for _, tc := range []struct {
		name      string
		directive dispatch.IssueDirective
		later     time.Duration
		cmd       dispatch.DispatchUnits
		actor     dispatch.Actor
		code      string
		msg       string
		want      []string
	}{
		{"ErrConflictHold", holdKedzie(at), time.Minute, send("metro.1a12"), metroDispA, dispatch.ECONFLICT,
			"directive " + dir1 + " by cmdr (hold: crowd control operation; no units into the area) stands against sending metro.1a12 to incident " + inc + "; a supervisor may override it with a reason", nil},
		{"ErrForbiddenDispatcherOverride", holdKedzie(at), time.Minute, override("officer down", "metro.1a12"), metroDispA, dispatch.EFORBIDDEN, "only a supervisor of metro may override directive " + dir1, nil},
		{"ErrForbiddenSystemOverride", holdKedzie(at), time.Minute, override("sim", "metro.1a12"), system, dispatch.EFORBIDDEN, "only a supervisor of metro may override", nil},
		{"ErrInvalidOverrideReason", holdKedzie(at), time.Minute, override("bad\x00", "metro.1a12"), metroSup, dispatch.EINVALID, "override reason contains control characters", nil},
		{"OKOverride", holdKedzie(at), time.Minute, override("  shots fired, lives at risk ", "metro.1a12", "metro.t7"), metroSup, "", "",
			[]string{"directive.overridden " + dir1, "incident.dispatched", "unit.status_changed metro.1a12 DISPATCHED", "unit.status_changed metro.t7 DISPATCHED"}},
		{"ErrConflictRestrict", restrict, time.Minute, send("metro.t7", "metro.1a12"), metroDispA, dispatch.ECONFLICT, "stands against sending metro.1a12 to", nil},
		{"OKRestrictLetsThrough", restrict, time.Minute, send("metro.t7"), metroDispA, "", "",
			[]string{"incident.dispatched", "unit.status_changed metro.t7 DISPATCHED"}},
		{"ErrConflictIncidentScope", byIncident, time.Minute, send("metro.1a12"), metroDispA, dispatch.ECONFLICT, "stands against sending", nil},
		{"OKExpired", holdKedzie(at), 4 * time.Hour, send("metro.1a12"), metroDispA, "", "",
			[]string{"incident.dispatched", "unit.status_changed metro.1a12 DISPATCHED"}},
		{"OKOverrideNotNeeded", restrict, time.Minute, override("just in case", "metro.t7"), metroSup, "", "",
			[]string{"incident.dispatched", "unit.status_changed metro.t7 DISPATCHED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := world(t, tc.directive)
			evs, err := tc.cmd.Decide(s, tc.actor, at.Add(tc.later))
			if tc.code != "" {
				checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatalf("%#v.Decide = %v", tc.cmd, err)
			}
			if got := kinds(evs); !slices.Equal(got, tc.want) {
				t.Fatalf("%#v.Decide = %q, want %q", tc.cmd, got, tc.want)
			}
			for _, e := range evs {
				if err := s.Apply(e); err != nil {
					t.Fatal(err)
				}
			}
			if tc.name == "OKOverride" {
				d := evs[0].Data.(*dispatch.DirectiveOverride)
				want := &dispatch.DirectiveOverride{Directive: dir1, Incident: inc, Units: []string{"metro.1a12", "metro.t7"}, Reason: "shots fired, lives at risk"}
				if !reflect.DeepEqual(d, want) || evs[0].Agency != "metro" || !reflect.DeepEqual(evs[0].Actor, metroSup) ||
					!reflect.DeepEqual(evs[0].Subject, map[string]string{"directive": dir1, "incident": inc}) {
					t.Errorf("directive.overridden = %+v in %s by %+v about %v, want %+v by sue about the directive and the incident", d, evs[0].Agency, evs[0].Actor, evs[0].Subject, want)
				}
				if n := s.Directives[dir1].Overrides; n != 1 {
					t.Errorf("directive overrides = %d, want 1", n)
				}
			}
		})
	}
	t.Run("AcceptRequest", func(t *testing.T) {
		// Accepting a request sends units too: the same rule holds.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, metroCmdr, at, holdKedzie(at))
		ask := dispatch.RequestAssist{From: "federal", To: "metro", Location: kedzie, Nature: "traffic", Urgency: dispatch.UrgencyRoutine}
		MustDecide(t, s, fedDisp, at.Add(time.Second), ask)
		_, err := dispatch.AcceptAssist{Request: req1, Units: []string{"metro.t7"}}.Decide(s, metroDispA, at.Add(2*time.Second))
		checkDomainError(t, "AcceptAssist into a held area", err, dispatch.ECONFLICT, "stands against sending metro.t7 to request "+req1)
		evs := MustDecide(t, s, metroSup, at.Add(3*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.t7"}, Override: "traffic control only"})
		if got, want := kinds(evs), []string{"directive.overridden " + dir1, "assist.accepted metro", "unit.status_changed metro.t7 DISPATCHED"}; !slices.Equal(got, want) {
			t.Fatalf("override on accept = %q, want %q", got, want)
		}
		if evs[0].Subject["request"] != req1 || evs[0].Data.(*dispatch.DirectiveOverride).Request != req1 {
			t.Errorf("directive.overridden = %+v about %v, want the request named", evs[0].Data, evs[0].Subject)
		}
	})
}

// TestDirectiveConflict: an EMERGENCY request asked of an agency whose
// directive holds the place is never held back. The conflict is shown at
// once to the requester and the issuer's superiors, and the request is held
// to the deadline it has: it escalates at it (reason conflict), as many
// levels as it takes, whatever acknowledgements come, unless an agency
// accepts it before.
func TestDirectiveConflict(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	sheriffHold := dispatch.IssueDirective{Agency: "sheriff", Effect: dispatch.EffectClear, Scope: dispatch.Scope{Kind: dispatch.ScopeAgency},
		Reason: "all units to the county fair", Expires: at.Add(time.Hour)}
	stateHold := dispatch.IssueDirective{Agency: "state", Effect: dispatch.EffectHold, Scope: dispatch.Scope{Kind: dispatch.ScopeAgency},
		Reason: "storm", Expires: at.Add(time.Hour)}
	stateSup := dispatch.Actor{User: "sts", Agency: "state", Role: dispatch.RoleSupervisor}
	issuer := map[string]dispatch.Actor{"metro": metroCmdr, "sheriff": sherSup, "state": stateSup}
	// tick runs the timers at +d and checks what they decide, and the
	// reason of each escalation.
	tick := func(t *testing.T, s *dispatch.State, d time.Duration, reason string, want ...string) []dispatch.Event {
		t.Helper()
		evs := MustDecide(t, s, system, at.Add(d), dispatch.CheckTimers{})
		if got := kinds(evs); !slices.Equal(got, want) {
			t.Fatalf("CheckTimers at +%v = %q, want %q", d, got, want)
		}
		for _, e := range evs {
			if esc, ok := e.Data.(*dispatch.AssistEscalated); ok && esc.Reason != reason {
				t.Errorf("CheckTimers at +%v: %s for %s, want %s", d, e.Type, esc.Reason, reason)
			}
		}
		return evs
	}
	held := func(t *testing.T, s *dispatch.State, want bool, deadline time.Duration) {
		t.Helper()
		r := s.Requests[req1]
		if r.Held != want || r.Deadline == nil || !r.Deadline.Equal(at.Add(deadline)) {
			t.Fatalf("request held %v until %v, want held %v until +%v", r.Held, r.Deadline, want, deadline)
		}
	}
	for _, tc := range []struct {
		name  string
		setup []dispatch.Command
		loc   dispatch.Location
		want  []string
	}{
		{"None", nil, kedzie, []string{"unit.status_changed federal.f1 EMERGENCY", "assist.requested metro"}},
		{"Elsewhere", []dispatch.Command{holdKedzie(at)}, elsewhere, []string{"unit.status_changed federal.f1 EMERGENCY", "assist.requested metro"}},
		{"Hold", []dispatch.Command{holdKedzie(at)}, kedzie, []string{"unit.status_changed federal.f1 EMERGENCY", "assist.requested metro",
			"assist.conflict metro " + dir1}},
		{"Restrict", []dispatch.Command{dispatch.IssueDirective{Agency: "metro", Effect: "restrict", Restrict: "traffic-control",
			Scope: dispatch.Scope{Kind: "agency"}, Reason: "x", Expires: at.Add(time.Hour)}}, kedzie,
			[]string{"unit.status_changed federal.f1 EMERGENCY", "assist.requested metro"}},
		{"Chain", []dispatch.Command{holdKedzie(at), sheriffHold, stateHold}, kedzie, []string{"unit.status_changed federal.f1 EMERGENCY", "assist.requested metro",
			"assist.conflict metro " + dir1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t)
			for _, c := range tc.setup {
				MustDecide(t, s, issuer[c.(dispatch.IssueDirective).Agency], at, c)
			}
			evs := MustDecide(t, s, fedOfficer, at, dispatch.SetUnitStatus{Unit: "federal.f1", Status: "EMERGENCY", Lat: tc.loc.Lat, Lon: tc.loc.Lon})
			if got := kinds(evs); !slices.Equal(got, tc.want) {
				t.Fatalf("EMERGENCY = %q, want %q", got, tc.want)
			}
			conflict := len(evs) == 3
			// The deadline is the one for acknowledging, conflict or not.
			held(t, s, conflict, 30*time.Second)
			switch tc.name {
			case "Hold":
				e := evs[2]
				want := &dispatch.AssistConflict{
					AssistRef: dispatch.AssistRef{Request: req1, FromAgency: "federal", ToAgency: "metro", Urgency: "EMERGENCY"},
					Directive: dir1, Issuer: dispatch.Who{User: "cmdr", Agency: "metro", Role: "supervisor"}, Effect: "hold",
					Reason: "crowd control operation; no units into the area",
					Told:   []dispatch.Audience{{Agency: "federal"}, {Agency: "metro", Role: "supervisor", Except: "cmdr"}, {Agency: "metro", Role: "admin"}},
				}
				if c := e.Data.(*dispatch.AssistConflict); !reflect.DeepEqual(c, want) {
					t.Errorf("assist.conflict = %+v, want %+v", c, want)
				}
				if e.Agency != "federal" || e.Subject["directive"] != dir1 || e.Subject["request"] != req1 {
					t.Errorf("assist.conflict in %s about %v, want federal's record naming the request and the directive", e.Agency, e.Subject)
				}
				// The requester's agency (fd, fo), and the issuer's
				// superiors: the other supervisor and the admin.
				if got := s.Recipients(want.Told); !slices.Equal(got, []string{"fd", "fo", "max", "sue"}) {
					t.Errorf("Recipients(conflict) = %v, want fd and fo (the requester's agency), max and sue (the issuer's superiors)", got)
				}
				if got := s.Requests[req1].Answer("metro").Conflicts; !slices.Equal(got, []string{dir1}) {
					t.Errorf("metro's conflicts = %v, want %s", got, dir1)
				}
				tick(t, s, 30*time.Second-time.Nanosecond, "")
				tick(t, s, 30*time.Second, dispatch.EscalateConflict, "assist.escalated sheriff")
				held(t, s, false, 60*time.Second)
			case "Chain":
				// Each level's deadline meets the next directive.
				tick(t, s, 30*time.Second, dispatch.EscalateConflict, "assist.escalated sheriff", "assist.conflict sheriff sheriff-D-2026-000001")
				held(t, s, true, 60*time.Second)
				tick(t, s, 60*time.Second, dispatch.EscalateConflict, "assist.escalated state", "assist.conflict state state-D-2026-000001")
				tick(t, s, 90*time.Second, dispatch.EscalateConflict, "assist.escalated exhausted")
				// The exhausted alert released it: it alerts on as any.
				tick(t, s, 120*time.Second, dispatch.EscalateNoAcknowledgement, "assist.escalated exhausted")
			default:
				tick(t, s, 30*time.Second, dispatch.EscalateNoAcknowledgement, "assist.escalated sheriff")
			}
		})
	}
	t.Run("AcknowledgedStillEscalates", func(t *testing.T) {
		// The reference scenario: metro acknowledges, under its hold; the
		// clock runs on, and the request goes to the sheriff at metro's
		// deadline, then to the state at the sheriff's.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, metroCmdr, at, holdKedzie(at))
		MustDecide(t, s, fedOfficer, at, askMetro)
		evs := MustDecide(t, s, metroDispA, at.Add(10*time.Second), dispatch.AcknowledgeAssist{Request: req1})
		want := &dispatch.AssistAcknowledged{AssistRef: dispatch.AssistRef{Request: req1, FromAgency: "federal", ToAgency: "metro", Urgency: "EMERGENCY"},
			Deadline: ptr(at.Add(30 * time.Second)), Held: true}
		if got := evs[0].Data; !reflect.DeepEqual(got, want) {
			t.Errorf("assist.acknowledged under a conflict = %+v, want %+v: the deadline kept", got, want)
		}
		if r := s.Requests[req1]; r.Status != dispatch.RequestAcknowledged || !r.History[len(r.History)-1].Held {
			t.Errorf("request = %s, last step %+v; want ACKNOWLEDGED, the step marked held", r.Status, r.History[len(r.History)-1])
		}
		held(t, s, true, 30*time.Second)
		tick(t, s, 30*time.Second-time.Nanosecond, "")
		tick(t, s, 30*time.Second, dispatch.EscalateConflict, "assist.escalated sheriff")
		held(t, s, false, 60*time.Second)
		// Metro acknowledged and has not decided: the next escalation says
		// so.
		tick(t, s, 60*time.Second, dispatch.EscalateNoDecision, "assist.escalated state")
		// The sheriff, asked without a conflict, gets its minute to decide.
		evs = MustDecide(t, s, sherDispA, at.Add(70*time.Second), dispatch.AcknowledgeAssist{Request: req1})
		if d := evs[0].Data.(*dispatch.AssistAcknowledged); d.Held || !d.Deadline.Equal(at.Add(130*time.Second)) {
			t.Errorf("sheriff's acknowledgement = %+v, want a decision deadline at +130 s, not held", d)
		}
		tick(t, s, 90*time.Second, "")
	})
	t.Run("AcceptedInTime", func(t *testing.T) {
		// Metro's supervisor overrides the hold to send a traffic unit
		// before the deadline: nothing escalates.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, metroCmdr, at, holdKedzie(at))
		MustDecide(t, s, fedOfficer, at, askMetro)
		MustDecide(t, s, metroDispA, at.Add(5*time.Second), dispatch.AcknowledgeAssist{Request: req1})
		_, err := dispatch.AcceptAssist{Request: req1, Units: []string{"metro.t7"}}.Decide(s, metroDispA, at.Add(20*time.Second))
		checkDomainError(t, "AcceptAssist under the hold, with no override", err, dispatch.ECONFLICT, "a supervisor may override it with a reason")
		evs := MustDecide(t, s, metroSup, at.Add(20*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.t7"}, Override: "traffic control for the federal team"})
		if got, want := kinds(evs), []string{"directive.overridden " + dir1, "assist.accepted metro", "unit.status_changed metro.t7 DISPATCHED"}; !slices.Equal(got, want) {
			t.Fatalf("AcceptAssist with an override = %q, want %q", got, want)
		}
		// Released from the hold, it waits for the unit to arrive: its
		// drive time (unknown here: ten minutes) and two minutes more.
		if r := s.Requests[req1]; r.Held || r.Deadline == nil || !r.Deadline.Equal(at.Add(20*time.Second+dispatch.UnknownETA+2*time.Minute)) || r.WaitingFor != dispatch.WaitArrival || r.Status != dispatch.RequestAccepted {
			t.Errorf("accepted request = %s, held %v, deadline %v waiting for %q; want ACCEPTED, released, an arrival deadline", r.Status, r.Held, r.Deadline, r.WaitingFor)
		}
		MustDecide(t, s, system, at.Add(5*time.Minute), status("metro.t7", "EN_ROUTE"))
		MustDecide(t, s, system, at.Add(9*time.Minute), status("metro.t7", "ON_SCENE"))
		tick(t, s, 25*time.Minute, "")
	})
	t.Run("HeldForEveryone", func(t *testing.T) {
		// Level 1 asks metro and the sheriff; metro's hold holds the
		// request: the sheriff's acknowledgement does not move the
		// deadline either, and the request goes to the state at it. The
		// sheriff may still accept after.
		s := MustMutualAidWorld(t, dispatch.SetMutualAidPlan{Agency: "federal", Plan: dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{
			{Agencies: []string{"metro", "sheriff"}}, {Agencies: []string{"state"}},
		}}})
		MustDecide(t, s, metroCmdr, at, holdKedzie(at))
		ask := askMetro
		ask.To = ""
		if got, want := kinds(MustDecide(t, s, fedOfficer, at, ask)), []string{"assist.requested metro", "assist.conflict metro " + dir1}; !slices.Equal(got, want) {
			t.Fatalf("request to level 1 = %q, want %q", got, want)
		}
		evs := MustDecide(t, s, sherDispA, at.Add(5*time.Second), dispatch.AcknowledgeAssist{Request: req1})
		if d := evs[0].Data.(*dispatch.AssistAcknowledged); !d.Held || !d.Deadline.Equal(at.Add(30*time.Second)) {
			t.Errorf("sheriff's acknowledgement = %+v, want held to +30 s", d)
		}
		tick(t, s, 30*time.Second, dispatch.EscalateConflict, "assist.escalated state")
		MustDecide(t, s, sherDispA, at.Add(40*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"sheriff.s1"}, ETAs: map[string]time.Duration{"sheriff.s1": 3 * time.Minute}})
		MustDecide(t, s, system, at.Add(4*time.Minute), status("sheriff.s1", "EN_ROUTE"))
		MustDecide(t, s, system, at.Add(5*time.Minute), status("sheriff.s1", "ON_SCENE"))
		tick(t, s, 20*time.Minute, "")
	})
	t.Run("DeclinedAtOnce", func(t *testing.T) {
		// A supervisor who declines, under the order, escalates at once.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, metroCmdr, at, holdKedzie(at))
		MustDecide(t, s, fedOfficer, at, askMetro)
		evs := MustDecide(t, s, metroSup, at.Add(3*time.Second), dispatch.DeclineAssist{Request: req1, Reason: "hold order in force"})
		if got, want := kinds(evs), []string{"assist.declined metro", "assist.escalated sheriff"}; !slices.Equal(got, want) {
			t.Fatalf("DeclineAssist = %q, want %q", got, want)
		}
		if d := evs[1].Data.(*dispatch.AssistEscalated); d.Reason != dispatch.EscalateDeclined {
			t.Errorf("escalation on a decline = %s, want %s", d.Reason, dispatch.EscalateDeclined)
		}
		held(t, s, false, 33*time.Second)
	})
	t.Run("AtEscalation", func(t *testing.T) {
		// The sheriff's directive is met when the deadline takes the
		// request there: it goes on to the state at the sheriff's deadline.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, sherSup, at, sheriffHold)
		MustDecide(t, s, fedOfficer, at.Add(time.Second), askMetro)
		tick(t, s, 31*time.Second, dispatch.EscalateNoAcknowledgement, "assist.escalated sheriff", "assist.conflict sheriff sheriff-D-2026-000001")
		MustDecide(t, s, sherDispA, at.Add(40*time.Second), dispatch.AcknowledgeAssist{Request: req1})
		held(t, s, true, 61*time.Second)
		tick(t, s, 61*time.Second, dispatch.EscalateConflict, "assist.escalated state")
	})
	t.Run("IssuedLater", func(t *testing.T) {
		// A directive issued while metro decides on the request holds it to
		// the deadline it has.
		s := MustMutualAidWorld(t)
		MustDecide(t, s, fedOfficer, at, askMetro)
		MustDecide(t, s, metroDispA, at.Add(5*time.Second), dispatch.AcknowledgeAssist{Request: req1})
		evs := MustDecide(t, s, metroCmdr, at.Add(10*time.Second), holdKedzie(at))
		if got, want := kinds(evs), []string{"directive.issued", "assist.conflict metro " + dir1}; !slices.Equal(got, want) {
			t.Fatalf("IssueDirective with a request waiting = %q, want %q", got, want)
		}
		if !reflect.DeepEqual(evs[1].Actor, metroCmdr) || evs[1].Agency != "federal" {
			t.Errorf("assist.conflict by %+v in %s, want by the issuer, in federal's record", evs[1].Actor, evs[1].Agency)
		}
		held(t, s, true, 65*time.Second)
		// Revoking the order does not release the request: it was held,
		// and escalates at its deadline as the conflict said it would.
		MustDecide(t, s, metroCmdr, at.Add(20*time.Second), dispatch.RevokeDirective{Directive: dir1, Reason: "operation over"})
		tick(t, s, 65*time.Second-time.Nanosecond, "")
		tick(t, s, 65*time.Second, dispatch.EscalateConflict, "assist.escalated sheriff")
		// Once accepted, a new directive holds nothing.
		s = MustMutualAidWorld(t)
		MustDecide(t, s, fedOfficer, at, askMetro)
		MustDecide(t, s, metroDispA, at.Add(5*time.Second), dispatch.AcceptAssist{Request: req1, Units: []string{"metro.1a12"}})
		if evs := MustDecide(t, s, metroCmdr, at.Add(10*time.Second), holdKedzie(at)); len(evs) != 1 {
			t.Errorf("IssueDirective with the request accepted = %q, want the directive alone", kinds(evs))
		}
		if s.Requests[req1].Held {
			t.Error("accepted request held by a later directive")
		}
	})
}

// TestDirectivesAt: the checks the recommendation and the API call list
// only directives in force, of the agency asked about, over the place, in
// id order; Blocking narrows them to the ones a unit may not pass.
func TestDirectivesAt(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	s := MustMutualAidWorld(t)
	traffic := holdKedzie(at)
	traffic.Effect, traffic.Restrict = dispatch.EffectRestrict, "traffic-control"
	traffic.Scope = dispatch.Scope{Kind: dispatch.ScopeAgency}
	short := holdKedzie(at)
	short.Expires = at.Add(time.Minute)
	sheriff := dispatch.IssueDirective{Agency: "sheriff", Effect: "hold", Scope: dispatch.Scope{Kind: "agency"}, Reason: "fair", Expires: at.Add(time.Hour)}
	MustDecide(t, s, metroCmdr, at, holdKedzie(at)) // metro-D-2026-000001
	MustDecide(t, s, metroCmdr, at, traffic)        // metro-D-2026-000002
	MustDecide(t, s, metroSup, at, short)           // metro-D-2026-000003
	MustDecide(t, s, sherSup, at, sheriff)          // sheriff-D-2026-000001
	MustDecide(t, s, metroSup, at, dispatch.RevokeDirective{Directive: "metro-D-2026-000002", Reason: "done"})
	ids := func(ds []*dispatch.Directive) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		agency string
		loc    dispatch.Location
		when   time.Duration
		want   []string
	}{
		{"Kedzie", "metro", kedzie, time.Second, []string{"metro-D-2026-000001", "metro-D-2026-000003"}},
		{"KedzieLater", "metro", kedzie, 2 * time.Minute, []string{"metro-D-2026-000001"}},
		{"Elsewhere", "metro", elsewhere, time.Second, nil},
		{"Sheriff", "sheriff", elsewhere, time.Second, []string{"sheriff-D-2026-000001"}},
		{"State", "state", kedzie, time.Second, nil},
	} {
		if got := ids(s.DirectivesAt(tc.agency, tc.loc, "", at.Add(tc.when))); !slices.Equal(got, tc.want) {
			t.Errorf("%s: DirectivesAt(%s, %s, +%v) = %v, want %v", tc.name, tc.agency, tc.loc.Text, tc.when, got, tc.want)
		}
	}
	if got := ids(s.Blocking(s.Units["metro.t7"], kedzie, "", at.Add(2*time.Minute))); !slices.Equal(got, []string{"metro-D-2026-000001"}) {
		t.Errorf("Blocking(metro.t7 at Kedzie) = %v, want the hold", got)
	}
	if got := s.Blocking(s.Units["sheriff.s1"], kedzie, "", at.Add(2*time.Minute)); len(got) != 1 {
		t.Errorf("Blocking(sheriff.s1 at Kedzie) = %v, want the sheriff's own directive only", ids(got))
	}
	if got := ids(s.DirectiveList("metro")); !slices.Equal(got, []string{"metro-D-2026-000003", "metro-D-2026-000002", "metro-D-2026-000001"}) {
		t.Errorf("DirectiveList(metro) = %v, want all three, newest first", got)
	}
}
