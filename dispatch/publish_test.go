package dispatch_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestPublishTimeline(t *testing.T) {
	s := MustMutualAidWorld(t,
		askMetro,
		dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: kedzie, Caller: dispatch.Caller{Name: "Jo"}},
	)
	inc := dispatch.IncidentID("metro", 2026, 1)
	at := mutualAidT0.Add(time.Hour)
	sherAuditor := dispatch.Actor{User: "sa", Agency: "sheriff", Role: dispatch.RoleAuditor}
	for _, tc := range []struct {
		name  string
		cmd   dispatch.PublishTimeline
		actor dispatch.Actor
		code  string
		msg   string
	}{
		{"ErrForbiddenDispatcher", dispatch.PublishTimeline{Kind: "request", ID: req1}, metroDispA, dispatch.EFORBIDDEN, "only a supervisor or an auditor"},
		{"ErrForbiddenAdmin", dispatch.PublishTimeline{Kind: "request", ID: req1}, dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}, dispatch.EFORBIDDEN, "only a supervisor or an auditor"},
		{"ErrInvalidKind", dispatch.PublishTimeline{Kind: "unit", ID: "metro.1a12"}, metroSup, dispatch.EINVALID, `for a request or an incident, not "unit"`},
		{"ErrNotFoundRequest", dispatch.PublishTimeline{Kind: "request", ID: "federal-A-2026-000099"}, fedAuditor, dispatch.ENOTFOUND, "request federal-A-2026-000099 does not exist"},
		// Another agency's record is as good as missing: it is not theirs
		// to publish, nor to know of.
		{"ErrNotFoundForeignRequest", dispatch.PublishTimeline{Kind: "request", ID: req1}, sherAuditor, dispatch.ENOTFOUND, "request " + req1 + " does not exist"},
		{"ErrNotFoundForeignIncident", dispatch.PublishTimeline{Kind: "incident", ID: inc}, fedAuditor, dispatch.ENOTFOUND, "incident " + inc + " does not exist"},
		{"ErrInvalidReason", dispatch.PublishTimeline{Kind: "request", ID: req1, Reason: strings.Repeat("r", dispatch.MaxPublishReason+1)}, metroSup, dispatch.EINVALID, "reason is longer than 500"},
		{"ErrInvalidReasonControl", dispatch.PublishTimeline{Kind: "request", ID: req1, Reason: "a\x00b"}, metroSup, dispatch.EINVALID, "reason contains control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, tc.actor, at)
			checkDomainError(t, fmt.Sprintf("%#v.Decide", tc.cmd), err, tc.code, tc.msg)
		})
	}

	t.Run("OK", func(t *testing.T) {
		s := MustMutualAidWorld(t, askMetro,
			dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Location: kedzie, Caller: dispatch.Caller{Name: "Jo"}})
		// An agency asked may publish the request, as the requester may.
		evs := MustDecide(t, s, metroSup, at, dispatch.PublishTimeline{Kind: "request", ID: req1, Reason: " press enquiry 17 "})
		want := []dispatch.Event{{Time: at, Type: dispatch.TypeTimelinePublished, Agency: "federal", Actor: metroSup,
			Subject: map[string]string{"request": req1, "agencies": "federal,metro"},
			Data:    &dispatch.TimelinePublished{Subject: "request/" + req1, Reason: "press enquiry 17"}}}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("PublishTimeline.Decide = %+v, want %+v", evs, want)
		}
		MustDecide(t, s, metroSup, at.Add(time.Second), dispatch.PublishTimeline{Kind: "incident", ID: inc})
		// Published again: one publication, the latest time and author.
		MustDecide(t, s, fedAuditor, at.Add(2*time.Second), dispatch.PublishTimeline{Kind: "request", ID: req1})
		list := s.PublicationList()
		if len(list) != 2 {
			t.Fatalf("PublicationList() = %d publications, want 2", len(list))
		}
		got := *list[0]
		wantP := dispatch.Publication{Subject: "request/" + req1, Kind: "request", ID: req1, Agency: "federal",
			Published: at.Add(2 * time.Second), First: at, Times: 2,
			By: dispatch.Who{User: "fa", Agency: "federal", Role: dispatch.RoleAuditor}}
		if got != wantP {
			t.Errorf("PublicationList()[0] = %+v, want %+v", got, wantP)
		}
		if p := list[1]; p.Subject != "incident/"+inc || p.Agency != "metro" || p.Times != 1 || p.By.User != "sue" {
			t.Errorf("PublicationList()[1] = %+v, want incident/%s published once by sue for metro", *p, inc)
		}
	})
}

// TestApplyPublishedUnknown checks that a publication of a timeline of
// anything but a request or an incident is refused (the log and the code
// would disagree), and that one of a record the state no longer holds is
// taken: a closed record leaves the state after its retention window
// (archive.go), and its timeline can still be published.
func TestApplyPublishedUnknown(t *testing.T) {
	s := MustMutualAidWorld(t)
	for _, subject := range []string{"unit/metro.1a12", "incident/", "request"} {
		err := s.Apply(dispatch.Event{Time: mutualAidT0, Type: dispatch.TypeTimelinePublished, Agency: "metro", Actor: metroSup,
			Data: &dispatch.TimelinePublished{Subject: subject}})
		if err == nil {
			t.Errorf("Apply(timeline.published %s) = nil, want an error", subject)
		}
	}
	if len(s.Published) != 0 {
		t.Errorf("Published = %v after refused events, want none", s.Published)
	}
	for _, subject := range []string{"request/federal-A-2026-000009", "incident/metro-2026-000009"} {
		err := s.Apply(dispatch.Event{Time: mutualAidT0, Type: dispatch.TypeTimelinePublished, Agency: "metro", Actor: metroSup,
			Data: &dispatch.TimelinePublished{Subject: subject}})
		if err != nil {
			t.Errorf("Apply(timeline.published %s) = %v, want it taken (an archived record's timeline)", subject, err)
		}
		if p := s.Published[subject]; p == nil || p.Times != 1 {
			t.Errorf("Published[%s] = %+v, want one publication", subject, p)
		}
	}
}
