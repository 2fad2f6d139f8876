package dispatch_test

import (
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestSubscribeWebhook(t *testing.T) {
	sub := func(agency, url string, events ...string) dispatch.SubscribeWebhook {
		return dispatch.SubscribeWebhook{ID: "wh_1", Agency: agency, URL: url, Events: events}
	}
	good := sub("metro", "https://records.example.org/hook", "incident.*", "unit.status_changed")
	event := func(a dispatch.Actor) []dispatch.Event {
		return []dispatch.Event{{Time: now, Type: dispatch.TypeWebhookSubscribed, Agency: "metro", Actor: a,
			Subject: map[string]string{"webhook": "wh_1"},
			Data:    &dispatch.WebhookSubscribed{Webhook: "wh_1", Events: []string{"incident.*", "unit.status_changed"}, URL: "https://records.example.org/hook"}}}
	}
	sherAdmin := dispatch.Actor{User: "sam", Agency: "sheriff", Role: dispatch.RoleAdmin}
	runDecide(t, []decideCase{
		{name: "OK/AgencyAdmin", cmd: good, actor: metroAdmin, want: event(metroAdmin)},
		{name: "OK/InstallationAdmin", cmd: good, actor: root, want: event(root)},
		{name: "ErrForbidden/OtherAgencyAdmin", cmd: good, actor: sherAdmin, wantCode: dispatch.EFORBIDDEN, wantMsg: "administrator of agency metro"},
		{name: "ErrForbidden/Dispatcher", cmd: good, actor: metroDisp, wantCode: dispatch.EFORBIDDEN},
		{name: "ErrForbidden/System", cmd: good, actor: system, wantCode: dispatch.EFORBIDDEN},
		{name: "ErrNotFound/Agency", cmd: sub("nowhere", "https://x.example/", "*"), actor: root, wantCode: dispatch.ENOTFOUND, wantMsg: "nowhere"},
		{name: "ErrInvalid/NoID", cmd: dispatch.SubscribeWebhook{Agency: "metro", URL: "https://x.example/", Events: []string{"*"}}, actor: root, wantCode: dispatch.EINVALID},
		{name: "ErrInvalid/URL", cmd: sub("metro", "ftp://x.example/", "*"), actor: root, wantCode: dispatch.EINVALID, wantMsg: "http"},
		{name: "ErrInvalid/Events", cmd: sub("metro", "https://x.example/"), actor: root, wantCode: dispatch.EINVALID, wantMsg: "needs events"},
	})
}

func TestUnsubscribeWebhook(t *testing.T) {
	cmd := dispatch.UnsubscribeWebhook{ID: "wh_1", Agency: "metro"}
	runDecide(t, []decideCase{
		{name: "OK", cmd: cmd, actor: metroAdmin, want: []dispatch.Event{{Time: now, Type: dispatch.TypeWebhookUnsubscribed, Agency: "metro", Actor: metroAdmin,
			Subject: map[string]string{"webhook": "wh_1"}, Data: &dispatch.WebhookUnsubscribed{Webhook: "wh_1"}}}},
		// Another agency's subscription is not found, not forbidden: its
		// existence is not the caller's to know.
		{name: "ErrNotFound/OtherAgency", cmd: dispatch.UnsubscribeWebhook{ID: "wh_1", Agency: "sheriff"}, actor: metroAdmin, wantCode: dispatch.ENOTFOUND},
		{name: "ErrNotFound/Dispatcher", cmd: cmd, actor: metroDisp, wantCode: dispatch.ENOTFOUND},
	})
}

func TestCheckWebhookURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string // "" for no error
	}{
		{"https://records.example.org/tenfour?x=1", ""},
		{"http://127.0.0.1:8080/hook", ""},
		{"http://[::1]:9/", ""},
		{"", "needs a url"},
		{"records.example.org/hook", "absolute"},
		{"/hook", "absolute"},
		{"ftp://example.org/", "absolute"},
		{"javascript:alert(1)", "absolute"},
		{"https://", "absolute"},
		{"https://:80/", "absolute"},
		{"https://user:pw@example.org/", "user name"},
		{"https://example.org/#frag", "fragment"},
		{"https://example.org/\u200bhook", "url"},
		{"https://example.org/" + strings.Repeat("a", dispatch.MaxWebhookURL), "at most"},
	}
	for _, tt := range tests {
		err := dispatch.CheckWebhookURL(tt.url)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckWebhookURL(%q) = %v, want nil", tt.url, err)
		case tt.wantErr != "":
			checkDomainError(t, "CheckWebhookURL("+tt.url+")", err, dispatch.EINVALID, tt.wantErr)
		}
	}
}

func TestCheckWebhookEvents(t *testing.T) {
	tests := []struct {
		events  []string
		wantErr string
	}{
		{[]string{"*"}, ""},
		{[]string{"incident.*", "assist.requested"}, ""},
		{nil, "needs events"},
		{[]string{"incident.*", "incident.*"}, "twice"},
		{[]string{"incident"}, "matches no event type"},
		{[]string{"nothing.*"}, "matches no event type"},
		{[]string{".*"}, "matches no event type"},
		{[]string{"incident.created*"}, "matches no event type"},
		{make([]string, dispatch.MaxWebhookEvents+1), "at most"},
	}
	for _, tt := range tests {
		err := dispatch.CheckWebhookEvents(tt.events)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckWebhookEvents(%q) = %v, want nil", tt.events, err)
		case tt.wantErr != "":
			checkDomainError(t, "CheckWebhookEvents", err, dispatch.EINVALID, tt.wantErr)
		}
	}
}

func TestWebhookMatches(t *testing.T) {
	tests := []struct {
		patterns []string
		typ      string
		want     bool
	}{
		{[]string{"*"}, "incident.created", true},
		{[]string{"incident.*"}, "incident.created", true},
		{[]string{"incident.*"}, "incident_type.added", false},
		{[]string{"incident.*"}, "unit.status_changed", false},
		{[]string{"incident.created"}, "incident.created", true},
		{[]string{"incident.created"}, "incident.cleared", false},
		{[]string{".*"}, "incident.created", false},
		{[]string{"unit.*", "assist.requested"}, "assist.requested", true},
		{nil, "incident.created", false},
	}
	for _, tt := range tests {
		if got := dispatch.WebhookMatches(tt.patterns, tt.typ); got != tt.want {
			t.Errorf("WebhookMatches(%q, %q) = %v, want %v", tt.patterns, tt.typ, got, tt.want)
		}
	}
}

func TestWebhookActorSees(t *testing.T) {
	a := dispatch.WebhookActor("metro")
	tests := []struct {
		ev   dispatch.Envelope
		want bool
	}{
		{dispatch.Envelope{Type: dispatch.TypeIncidentCreated, Agency: "metro"}, true},
		{dispatch.Envelope{Type: dispatch.TypeIncidentCreated, Agency: "sheriff"}, false},
		{dispatch.Envelope{Type: dispatch.TypeAssistRequested, Agency: "sheriff", Also: []string{"sheriff", "metro"}}, true},
		{dispatch.Envelope{Type: dispatch.TypeAgencyCreated, Agency: ""}, false},
	}
	for _, tt := range tests {
		if got := dispatch.StreamVisible(nil, tt.ev, a, ""); got != tt.want {
			t.Errorf("StreamVisible(%+v, WebhookActor(metro)) = %v, want %v", tt.ev, got, tt.want)
		}
	}
}
