package dispatch_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestSetMutualAidPlan(t *testing.T) {
	at := mutualAidT0.Add(time.Hour)
	levels := func(ls ...[]string) []dispatch.AlarmLevel {
		var out []dispatch.AlarmLevel
		for _, l := range ls {
			out = append(out, dispatch.AlarmLevel{Agencies: l})
		}
		return out
	}
	nine := make([][]string, 9)
	for i := range nine {
		nine[i] = []string{"metro"}
	}
	metroAdminA := dispatch.Actor{User: "max", Agency: "metro", Role: dispatch.RoleAdmin}
	for _, tc := range []struct {
		name  string
		plan  dispatch.MutualAidPlan
		actor dispatch.Actor
		code  string
		msg   string
	}{
		{"ErrForbiddenDispatcher", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"})}, metroDispA, dispatch.EFORBIDDEN, "only a supervisor or an administrator"},
		{"ErrForbiddenOtherAgency", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"})}, sherSup, dispatch.EFORBIDDEN, "may not act for agency metro"},
		{"ErrInvalidNoLevels", dispatch.MutualAidPlan{}, metroCmdr, dispatch.EINVALID, "at least one alarm level"},
		{"ErrInvalidTooManyLevels", dispatch.MutualAidPlan{Levels: levels(nine...)}, metroCmdr, dispatch.EINVALID, "at most 8 alarm levels"},
		{"ErrInvalidEmptyLevel", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"}, nil)}, metroCmdr, dispatch.EINVALID, "alarm level 2 must name 1 to 8 agencies"},
		{"ErrInvalidSelf", dispatch.MutualAidPlan{Levels: levels([]string{"metro"})}, metroCmdr, dispatch.EINVALID, "alarm level 1 names metro itself"},
		{"ErrNotFoundAgency", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff", "navy"})}, metroCmdr, dispatch.ENOTFOUND, `alarm level 1 names agency "navy", which does not exist`},
		{"ErrInvalidTwice", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"}, []string{"state", "sheriff"})}, metroCmdr, dispatch.EINVALID, "agency sheriff is named twice"},
		{"ErrInvalidEmergencyAck", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"}), Emergency: dispatch.AnswerDeadlines{AcknowledgeSeconds: 300}}, metroCmdr, dispatch.EINVALID, "the EMERGENCY acknowledgement deadline must be between 10 and 120 seconds, not 300"},
		{"ErrInvalidRoutineDecide", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"}), Routine: dispatch.AnswerDeadlines{DecideSeconds: 5}}, metroCmdr, dispatch.EINVALID, "the ROUTINE decision deadline must be between 10 and 14400 seconds, not 5"},
		{"ErrInvalidNegative", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"}), Urgent: dispatch.AnswerDeadlines{AcknowledgeSeconds: -1}}, metroAdminA, dispatch.EINVALID, "the URGENT acknowledgement deadline"},
		{"ErrInvalidEmergencyArrive", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"}), Emergency: dispatch.AnswerDeadlines{ArriveSeconds: 900}}, metroCmdr, dispatch.EINVALID, "the EMERGENCY arrival margin must be between 30 and 600 seconds, not 900"},
		{"ErrInvalidRoutineArrive", dispatch.MutualAidPlan{Levels: levels([]string{"sheriff"}), Routine: dispatch.AnswerDeadlines{ArriveSeconds: 5}}, metroCmdr, dispatch.EINVALID, "the ROUTINE arrival margin must be between 30 and 3600 seconds, not 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustMutualAidWorld(t)
			_, err := dispatch.SetMutualAidPlan{Agency: "metro", Plan: tc.plan}.Decide(s, tc.actor, at)
			checkDomainError(t, fmt.Sprintf("SetMutualAidPlan(%+v)", tc.plan), err, tc.code, tc.msg)
		})
	}
	t.Run("OK", func(t *testing.T) {
		s := MustMutualAidWorld(t)
		plan := dispatch.MutualAidPlan{Levels: levels([]string{"sheriff", "federal"}, []string{"state"}),
			Urgent: dispatch.AnswerDeadlines{AcknowledgeSeconds: 90}}
		evs := MustDecide(t, s, metroCmdr, at, dispatch.SetMutualAidPlan{Agency: "metro", Plan: plan})
		// The event carries every deadline, the defaults filled in.
		want := dispatch.MutualAidPlan{Levels: levels([]string{"sheriff", "federal"}, []string{"state"}),
			Emergency: dispatch.AnswerDeadlines{AcknowledgeSeconds: 30, DecideSeconds: 60, ArriveSeconds: 120},
			Urgent:    dispatch.AnswerDeadlines{AcknowledgeSeconds: 90, DecideSeconds: 300, ArriveSeconds: 300},
			Routine:   dispatch.AnswerDeadlines{AcknowledgeSeconds: 600, DecideSeconds: 1800, ArriveSeconds: 900}}
		if got := evs[0].Data.(*dispatch.MutualAidPlanSet).MutualAidPlan; !reflect.DeepEqual(got, want) {
			t.Errorf("plan in the event = %+v, want %+v", got, want)
		}
		if evs[0].Agency != "metro" || evs[0].Subject["agency"] != "metro" {
			t.Errorf("event agency %q subject %v, want metro", evs[0].Agency, evs[0].Subject)
		}
		if got := s.Agencies["metro"].Plan; !reflect.DeepEqual(*got, want) {
			t.Errorf("plan in the state = %+v, want %+v", got, want)
		}
		// The state's plan is its own.
		plan.Levels[0].Agencies[0] = "navy"
		if s.Agencies["metro"].Plan.Levels[0].Agencies[0] != "sheriff" {
			t.Error("changing the command's plan changed the state's")
		}
		// An installation administrator and the system may set it too.
		MustDecide(t, s, root, at, dispatch.SetMutualAidPlan{Agency: "metro", Plan: want})
		MustDecide(t, s, system, at, dispatch.SetMutualAidPlan{Agency: "metro", Plan: want})
	})
}

// TestDecodeMutualAid: every payload of mutual aid decodes from its JSON, and
// encodes back to the same value, as the log stores it.
func TestDecodeMutualAid(t *testing.T) {
	deadline := time.Date(2026, 4, 1, 15, 0, 30, 5, time.UTC)
	ref := dispatch.AssistRef{Request: req1, FromAgency: "federal", ToAgency: "metro", Urgency: "EMERGENCY"}
	for _, tc := range []struct {
		typ  string
		data string
		want any
	}{
		{dispatch.TypeMutualAidPlanSet, `{"levels":[{"agencies":["metro"]},{"agencies":["sheriff","state"]}],"emergency":{"acknowledge_seconds":30,"decide_seconds":60},"urgent":{"acknowledge_seconds":120,"decide_seconds":300},"routine":{"acknowledge_seconds":600,"decide_seconds":1800}}`,
			&dispatch.MutualAidPlanSet{MutualAidPlan: dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{{Agencies: []string{"metro"}}, {Agencies: []string{"sheriff", "state"}}},
				Emergency: dispatch.AnswerDeadlines{AcknowledgeSeconds: 30, DecideSeconds: 60}, Urgent: dispatch.AnswerDeadlines{AcknowledgeSeconds: 120, DecideSeconds: 300},
				Routine: dispatch.AnswerDeadlines{AcknowledgeSeconds: 600, DecideSeconds: 1800}}}},
		{dispatch.TypeAssistRequested, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","unit":"federal.f1","location":{"text":"39th Pl & S Kedzie Ave","lat":41.8236,"lon":-87.7052},"nature":"boxed in","level":1,"asked":["metro"],"deadline":"2026-04-01T15:00:30.000000005Z","told":[{"agency":"federal"},{"agency":"metro"}]}`,
			&dispatch.AssistRequested{AssistRef: ref, Unit: "federal.f1", Location: kedzie, Nature: "boxed in", Level: 1, Asked: []string{"metro"}, Deadline: deadline,
				Told: []dispatch.Audience{{Agency: "federal"}, {Agency: "metro"}}}},
		{dispatch.TypeAssistAcknowledged, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","deadline":"2026-04-01T15:00:30.000000005Z"}`,
			&dispatch.AssistAcknowledged{AssistRef: ref, Deadline: &deadline}},
		{dispatch.TypeAssistAcknowledged, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","deadline":"2026-04-01T15:00:30.000000005Z","held":true}`,
			&dispatch.AssistAcknowledged{AssistRef: ref, Deadline: &deadline, Held: true}},
		{dispatch.TypeAssistAcknowledged, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY"}`,
			&dispatch.AssistAcknowledged{AssistRef: ref}},
		{dispatch.TypeAssistAccepted, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","units":["metro.t7"]}`,
			&dispatch.AssistAccepted{AssistRef: ref, Units: []string{"metro.t7"}}},
		{dispatch.TypeAssistDeclined, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","reason":"hold order"}`,
			&dispatch.AssistDeclined{AssistRef: ref, Reason: "hold order"}},
		{dispatch.TypeAssistEscalated, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"sheriff","urgency":"EMERGENCY","reason":"no_acknowledgement","level":2,"asked":["sheriff"],"deadline":"2026-04-01T15:00:30.000000005Z","told":[{"agency":"federal"},{"agency":"sheriff","role":"supervisor"}]}`,
			&dispatch.AssistEscalated{AssistRef: dispatch.AssistRef{Request: req1, FromAgency: "federal", ToAgency: "sheriff", Urgency: "EMERGENCY"},
				Reason: "no_acknowledgement", Level: 2, Asked: []string{"sheriff"}, Deadline: deadline,
				Told: []dispatch.Audience{{Agency: "federal"}, {Agency: "sheriff", Role: "supervisor"}}}},
		{dispatch.TypeAssistEscalated, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","reason":"no_decision","level":3,"exhausted":true,"deadline":"2026-04-01T15:00:30.000000005Z","told":[{"agency":"federal"}]}`,
			&dispatch.AssistEscalated{AssistRef: ref, Reason: "no_decision", Level: 3, Exhausted: true, Deadline: deadline, Told: []dispatch.Audience{{Agency: "federal"}}}},
		{dispatch.TypeAssistConflict, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","directive":"metro-D-2026-000001","issuer":{"user":"cmdr","agency":"metro","role":"supervisor"},"effect":"hold","reason":"crowd","told":[{"agency":"federal"},{"agency":"metro","role":"supervisor","except":"cmdr"},{"agency":"metro","role":"admin"}]}`,
			&dispatch.AssistConflict{AssistRef: ref, Directive: dir1, Issuer: dispatch.Who{User: "cmdr", Agency: "metro", Role: "supervisor"}, Effect: "hold", Reason: "crowd",
				Told: []dispatch.Audience{{Agency: "federal"}, {Agency: "metro", Role: "supervisor", Except: "cmdr"}, {Agency: "metro", Role: "admin"}}}},
		{dispatch.TypeAssistOnScene, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","unit":"metro.t7"}`,
			&dispatch.AssistOnScene{AssistRef: ref, Unit: "metro.t7"}},
		{dispatch.TypeAssistClosed, `{"request":"federal-A-2026-000001","from_agency":"federal","to_agency":"metro","urgency":"EMERGENCY","disposition":"team out"}`,
			&dispatch.AssistClosed{AssistRef: ref, Disposition: "team out"}},
		{dispatch.TypeDirectiveIssued, `{"id":"metro-D-2026-000001","scope":{"kind":"polygon","polygon":[{"lat":1,"lon":2},{"lat":3,"lon":4},{"lat":5,"lon":6.5}]},"effect":"restrict","restrict":"traffic-control","reason":"crowd","expires":"2026-04-01T15:00:30.000000005Z"}`,
			&dispatch.DirectiveIssued{ID: dir1, Scope: dispatch.Scope{Kind: "polygon", Polygon: []dispatch.Point{{Lat: 1, Lon: 2}, {Lat: 3, Lon: 4}, {Lat: 5, Lon: 6.5}}},
				Effect: "restrict", Restrict: "traffic-control", Reason: "crowd", Expires: deadline}},
		{dispatch.TypeDirectiveIssued, `{"id":"metro-D-2026-000001","scope":{"kind":"circle","circle":{"lat":41.8,"lon":-87.7,"radius_m":500}},"effect":"hold","reason":"crowd","expires":"2026-04-01T15:00:30.000000005Z"}`,
			&dispatch.DirectiveIssued{ID: dir1, Scope: dispatch.Scope{Kind: "circle", Circle: &dispatch.Circle{Lat: 41.8, Lon: -87.7, RadiusM: 500}},
				Effect: "hold", Reason: "crowd", Expires: deadline}},
		{dispatch.TypeDirectiveRevoked, `{"directive":"metro-D-2026-000001","reason":"over"}`, &dispatch.DirectiveRevocation{Directive: dir1, Reason: "over"}},
		{dispatch.TypeDirectiveExpired, `{"directive":"metro-D-2026-000001","expires":"2026-04-01T15:00:30.000000005Z"}`, &dispatch.DirectiveExpiry{Directive: dir1, Expires: deadline}},
		{dispatch.TypeDirectiveOverridden, `{"directive":"metro-D-2026-000001","incident":"metro-2026-000001","units":["metro.1a12"],"reason":"shots fired"}`,
			&dispatch.DirectiveOverride{Directive: dir1, Incident: "metro-2026-000001", Units: []string{"metro.1a12"}, Reason: "shots fired"}},
	} {
		got, err := dispatch.DecodeData(tc.typ, json.RawMessage(tc.data))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DecodeData(%s, %s) = %+v, %v, want %+v", tc.typ, tc.data, got, err, tc.want)
			continue
		}
		// Encoding gives the same members back, and they decode the same.
		b, err := json.Marshal(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		var m1, m2 map[string]any
		if json.Unmarshal(b, &m1) != nil || json.Unmarshal([]byte(tc.data), &m2) != nil || !reflect.DeepEqual(m1, m2) {
			t.Errorf("json.Marshal(%+v) =\n%s\nwant\n%s", tc.want, b, tc.data)
		}
	}
}
