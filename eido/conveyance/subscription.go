package conveyance

import (
	"fmt"
	"strings"
	"time"
)

// Limits the notifier puts on what a subscriber asks (STA-024.1a lets the
// notifier grant other values, which its subscribeResponse reports).
const (
	// DefaultExpires is a subscription's life when none is asked.
	DefaultExpires = time.Hour
	// MinExpires and MaxExpires bound a subscription's life: a renewal
	// per few seconds costs a round trip for nothing, and a subscription
	// must end some day if its subscriber vanished without closing.
	MinExpires = 15 * time.Second
	MaxExpires = 24 * time.Hour
	// MinMinRate is the shortest minRate granted: a keepalive notification
	// more often than this is traffic for nothing.
	MinMinRate = 5 * time.Second
	// MaxSubscriptions bounds the subscriptions of one WebSocket.
	MaxSubscriptions = 1000
	// MaxSince bounds how far back a subscription's since reaches: a
	// subscriber away longer gets the incidents of the last day, and the
	// Retrieval Service for the others.
	MaxSince = 24 * time.Hour
)

// A subscription is one subscription of a connection and the rules of its
// rates and life, with no I/O: the connection asks it what is due at a
// time (due) and tells it what it sent (sent).
type subscription struct {
	id       string
	subType  string // SubTypeSingle or SubTypeNew
	incident string // tenfour's id, of a single subscription
	minRate  time.Duration
	maxRate  time.Duration
	expires  time.Time
	lastSent time.Time // zero: nothing sent yet
	// pending are the incidents changed (or, for new, created) since the
	// last notification: sent together, each in its latest state, so that
	// changes within maxRate coalesce.
	pending map[string]struct{}
	// greet is set until the first notification of a subscription to new
	// incidents: STA-024 has it sent at once, empty if none is active.
	greet bool
	// ready is set once the subscribeResponse is written.
	ready bool
}

// change marks incident as changed since the last notification.
func (s *subscription) change(incident string) {
	if s.pending == nil {
		s.pending = make(map[string]struct{})
	}
	s.pending[incident] = struct{}{}
}

// due returns the incidents to notify at now and whether a notification
// is due at all (one with no incidents is a minRate or greeting
// notification of a subscription to new incidents), and when to ask again
// (zero: only when something changes).
func (s *subscription) due(now time.Time) (send bool, incidents []string, next time.Time) {
	if len(s.pending) > 0 || s.greet {
		at := s.lastSent.Add(s.maxRate)
		if s.lastSent.IsZero() || !now.Before(at) {
			for id := range s.pending {
				incidents = append(incidents, id)
			}
			return true, incidents, time.Time{}
		}
		return false, nil, earliest(at, s.expires)
	}
	if s.minRate > 0 {
		at := s.lastSent.Add(s.minRate)
		if !now.Before(at) {
			// Nothing changed for minRate: the current state again (a
			// single incident), or an empty notification (new incidents).
			if s.subType == SubTypeSingle {
				incidents = []string{s.incident}
			}
			return true, incidents, time.Time{}
		}
		return false, nil, earliest(at, s.expires)
	}
	return false, nil, s.expires
}

// sent records a notification sent at now.
func (s *subscription) sent(now time.Time) {
	s.lastSent = now
	s.pending = nil
	s.greet = false
}

// expired reports whether the subscription's life is over at now.
func (s *subscription) expired(now time.Time) bool { return !now.Before(s.expires) }

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// A grant is what the notifier grants a new subscription, or why not.
type grant struct {
	subType  string
	incident string
	since    time.Time // zero: none
	minRate  time.Duration
	maxRate  time.Duration
	expires  time.Duration
}

// A refusal is a subscribe request refused with an STA-024 status.
type refusal struct {
	code int
	text string
}

func (r *refusal) Error() string { return fmt.Sprintf("%d %s", r.code, r.text) }

func refuse(code int, format string, args ...any) *refusal {
	return &refusal{code: code, text: fmt.Sprintf(format, args...)}
}

// checkSubscribe checks a request for a new subscription against the
// schema and the notifier's limits, and returns what it grants.
func checkSubscribe(m *Subscribe) (grant, *refusal) {
	var g grant
	if m.RequestID == "" {
		return g, refuse(StatusBadRequest, "requestId is required")
	}
	if m.RequestType == "" {
		return g, refuse(StatusBadRequest, "requestType is required for a new subscription")
	}
	if !strings.EqualFold(m.RequestType, RequestTypeEIDO) {
		return g, refuse(StatusBadRequest, "requestType %q is not %q", m.RequestType, RequestTypeEIDO)
	}
	if a := m.RequestAccepts; a != "" && !acceptsEIDO(a) {
		return g, refuse(StatusNotAcceptable, "requestAccepts %q: this notifier sends %s (EIDO JSON, major version 1)", a, MediaTypeEIDO)
	}
	switch m.RequestSubType {
	case SubTypeSingle:
		if m.IncidentID == "" {
			return g, refuse(StatusBadRequest, "a single subscription needs an incidentId")
		}
		if m.QualFilter != "" {
			return g, refuse(StatusBadRequest, "a qualFilter must not be given with an incidentId")
		}
	case SubTypeNew:
		if m.IncidentID != "" {
			return g, refuse(StatusBadRequest, "a subscription to new incidents takes no incidentId")
		}
		if m.QualFilter != "" {
			return g, refuse(StatusBadRequest, "qualFilter is not supported by this notifier")
		}
	case SubTypeResource:
		return g, refuse(StatusBadRequest, "resource subscriptions are not supported by this notifier")
	case "":
		return g, refuse(StatusBadRequest, "requestSubType is required: %q or %q", SubTypeSingle, SubTypeNew)
	default:
		return g, refuse(StatusBadRequest, "requestSubType %q is not %q, %q or %q", m.RequestSubType, SubTypeSingle, SubTypeNew, SubTypeResource)
	}
	g.subType, g.incident = m.RequestSubType, m.IncidentID
	if m.Since != "" {
		if g.subType != SubTypeNew {
			return g, refuse(StatusBadRequest, "since is for a subscription to new incidents")
		}
		t, err := time.Parse(time.RFC3339Nano, m.Since)
		if err != nil {
			return g, refuse(StatusBadRequest, "since %q is not an RFC 3339 time", m.Since)
		}
		g.since = t
	}
	for _, f := range []struct {
		name string
		v    *int
		d    *time.Duration
	}{{"minRate", m.MinRate, &g.minRate}, {"maxRate", m.MaxRate, &g.maxRate}} {
		if f.v == nil {
			continue
		}
		if *f.v < 0 || *f.v > int(MaxExpires/time.Second) {
			return g, refuse(StatusBadRequest, "%s must be between 0 and %d seconds", f.name, int(MaxExpires/time.Second))
		}
		*f.d = time.Duration(*f.v) * time.Second
	}
	if g.minRate > 0 && g.minRate < MinMinRate {
		g.minRate = MinMinRate
	}
	if g.minRate > 0 && g.maxRate > g.minRate {
		return g, refuse(StatusBadRequest, "maxRate (%d s between notifications at least) exceeds minRate (%d s at most)", *m.MaxRate, *m.MinRate)
	}
	exp, r := checkExpires(m.Expires)
	if r != nil {
		return g, r
	}
	g.expires = exp
	return g, nil
}

// checkExpires returns the life granted for a requested one.
func checkExpires(v *int) (time.Duration, *refusal) {
	if v == nil || *v == 0 {
		return DefaultExpires, nil
	}
	if *v < 0 {
		return 0, refuse(StatusBadRequest, "expires must not be negative")
	}
	// Beyond the most granted it is the most: seconds that would overflow
	// a Duration are never multiplied.
	d := MaxExpires
	if *v < int(MaxExpires/time.Second) {
		d = time.Duration(*v) * time.Second
	}
	return min(max(d, MinExpires), MaxExpires), nil
}

// acceptsEIDO reports whether a requestAccepts value takes EIDO JSON of
// major version 1: the EIDO media type or plain JSON, with any parameters.
func acceptsEIDO(accepts string) bool {
	for _, part := range strings.Split(accepts, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		if mt != MediaTypeEIDO && mt != MediaTypeJSON && mt != "*/*" {
			continue
		}
		if v, ok := param(params, "version"); ok && v != "1" && !strings.HasPrefix(v, "1.") {
			continue
		}
		return true
	}
	return false
}

func param(params, name string) (string, bool) {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(v), `"`), true
		}
	}
	return "", false
}

// IncidentURNPrefix begins an incident tracking identifier
// (NENA-STA-021: urn:emergency:uid:incidentid:<id>:<domain>).
const IncidentURNPrefix = "urn:emergency:uid:incidentid:"

// LocalIncidentID returns the incident id an incidentId names: the <id> of
// an incident tracking identifier (tenfour's ids hold no colon; the domain,
// a log origin, may), or the id itself.
func LocalIncidentID(id string) string {
	rest, ok := strings.CutPrefix(id, IncidentURNPrefix)
	if !ok {
		return id
	}
	if i := strings.IndexByte(rest, ':'); i > 0 {
		return rest[:i]
	}
	return rest
}
