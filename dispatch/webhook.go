package dispatch

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook event types. Subscribing a partner system to an agency's events,
// and ending that, are accountable acts: the log records who did it, for
// which agency and which events. The address the events go to is routing,
// private as a message's; the signing secret never enters the log (the
// store keeps it, as it keeps tokens).
const (
	TypeWebhookSubscribed   = "webhook.subscribed"
	TypeWebhookUnsubscribed = "webhook.unsubscribed"
)

// Limits of a subscription.
const (
	MaxWebhookURL    = 2000
	MaxWebhookEvents = 50
)

// WebhookSubscribed is the payload of webhook.subscribed: the
// subscription's id, the event patterns it receives, and (private) the URL
// they are sent to.
type WebhookSubscribed struct {
	Webhook string   `json:"webhook"`
	Events  []string `json:"events"`
	URL     string   `json:"url"`
}

// WebhookUnsubscribed is the payload of webhook.unsubscribed.
type WebhookUnsubscribed struct {
	Webhook string `json:"webhook"`
}

// SubscribeWebhook subscribes a URL to the events of an agency that match
// Events (see WebhookMatches). ID is made by the caller (the webhook
// service), which keeps the subscription and its secret in the store once
// the event is recorded.
type SubscribeWebhook struct {
	ID     string
	Agency string
	URL    string
	Events []string
}

// UnsubscribeWebhook ends a subscription. Agency is the subscription's, as
// the store holds it: the caller reads it there first, as the engine reads
// an archived record for a command (no subscription lives in the state).
type UnsubscribeWebhook struct {
	ID     string
	Agency string
}

// MayKeepWebhooks reports whether the actor may subscribe to, list, end
// and watch the deliveries of agency's webhooks: the agency's own
// administrators and the installation's. A subscription delivers what its
// agency may see, so it is an agency-wide grant, an administrator's.
func MayKeepWebhooks(a Actor, agency string) bool {
	return a.Role == RoleAdmin && a.System == "" && (a.Agency == "" || a.Agency == agency)
}

// Decide implements Command.
func (c SubscribeWebhook) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !MayKeepWebhooks(actor, c.Agency) {
		return nil, Errorf(EFORBIDDEN, "only an administrator of agency %s (or of the installation) may subscribe to its events", c.Agency)
	}
	if c.ID == "" {
		return nil, Errorf(EINVALID, "a subscription needs an id")
	}
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := CheckWebhookURL(c.URL); err != nil {
		return nil, err
	}
	if err := CheckWebhookEvents(c.Events); err != nil {
		return nil, err
	}
	return []Event{{
		Time: now, Type: TypeWebhookSubscribed, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"webhook": c.ID},
		Data:    &WebhookSubscribed{Webhook: c.ID, Events: slices.Clone(c.Events), URL: c.URL},
	}}, nil
}

// Decide implements Command.
func (c UnsubscribeWebhook) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !MayKeepWebhooks(actor, c.Agency) {
		// Another agency's subscription is as missing as one that never was.
		return nil, Errorf(ENOTFOUND, "webhook %s does not exist", c.ID)
	}
	return []Event{{
		Time: now, Type: TypeWebhookUnsubscribed, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"webhook": c.ID},
		Data:    &WebhookUnsubscribed{Webhook: c.ID},
	}}, nil
}

// CheckWebhookURL checks where events may be sent: an absolute http or
// https URL with a host, no user name or password (a credential would sit
// in the store and in lists; the signature is what authenticates), no
// fragment, at most MaxWebhookURL bytes.
func CheckWebhookURL(raw string) error {
	if raw == "" {
		return Errorf(EINVALID, "a subscription needs a url to send events to")
	}
	if len(raw) > MaxWebhookURL {
		return Errorf(EINVALID, "a webhook url is at most %d bytes", MaxWebhookURL)
	}
	if err := CheckText("url", &raw, MaxWebhookURL, false); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return Errorf(EINVALID, "a webhook url must be an absolute http:// or https:// URL with a host, like https://records.example.org/tenfour")
	}
	if u.User != nil {
		return Errorf(EINVALID, "a webhook url may not carry a user name or password: receivers check the signature instead")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return Errorf(EINVALID, "a webhook url may not have a fragment (#…)")
	}
	return nil
}

// CheckWebhookEvents checks a subscription's event patterns: one to
// MaxWebhookEvents of them, each an event type (EventTypes), a prefix
// followed by ".*" that some event type has ("incident.*"), or "*" for
// every event, without repeats.
func CheckWebhookEvents(patterns []string) error {
	if len(patterns) == 0 {
		return Errorf(EINVALID, `a subscription needs events: event types such as "incident.created", prefixes such as "incident.*", or "*"`)
	}
	if len(patterns) > MaxWebhookEvents {
		return Errorf(EINVALID, "a subscription names at most %d event patterns", MaxWebhookEvents)
	}
	types := EventTypes()
	for i, p := range patterns {
		if slices.Contains(patterns[:i], p) {
			return Errorf(EINVALID, "event pattern %q is given twice", p)
		}
		if !slices.ContainsFunc(types, func(t string) bool { return WebhookMatches([]string{p}, t) }) {
			return Errorf(EINVALID, `event pattern %q matches no event type (see docs/events.md): give a type such as "incident.created", a prefix such as "incident.*", or "*"`, p)
		}
	}
	return nil
}

// WebhookMatches reports whether an event of type typ matches any of the
// patterns: "*" matches every type, "noun.*" every type that starts with
// "noun.", anything else only itself.
func WebhookMatches(patterns []string, typ string) bool {
	for _, p := range patterns {
		switch {
		case p == "*":
			return true
		case strings.HasSuffix(p, ".*"):
			if prefix := p[:len(p)-1]; len(prefix) > 1 && strings.HasPrefix(typ, prefix) {
				return true
			}
		case p == typ:
			return true
		}
	}
	return false
}

// WebhookActor is the actor whose view a subscription of agency receives:
// a member of the agency acting as nobody in particular. What it sees is
// what StreamVisible lets an agency's stream see, and no more: the events
// of that agency and those that name it, no other agency's, and no
// message: messages go to people, units and dispatch desks, never to a
// partner system.
func WebhookActor(agency string) Actor {
	return Actor{Agency: agency, Role: "webhook"}
}
