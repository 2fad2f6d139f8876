package dispatch

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Directive event types.
const (
	TypeDirectiveIssued     = "directive.issued"
	TypeDirectiveRevoked    = "directive.revoked"
	TypeDirectiveExpired    = "directive.expired"
	TypeDirectiveOverridden = "directive.overridden"
)

// Directive effects: what a directive orders about its scope.
const (
	// EffectHold: no unit of the agency is dispatched into the scope.
	EffectHold = "hold"
	// EffectClear: units clear the scope; none is dispatched into it.
	EffectClear = "clear"
	// EffectRestrict: only units with the named capability or kind (such
	// as traffic-control) are dispatched into the scope.
	EffectRestrict = "restrict"
)

// Effects lists the directive effects.
var Effects = []string{EffectHold, EffectClear, EffectRestrict}

// Scope kinds: where a directive applies.
const (
	ScopeCircle   = "circle"
	ScopePolygon  = "polygon"
	ScopeDistrict = "district"
	ScopeIncident = "incident"
	ScopeAgency   = "agency"
)

// ScopeKinds lists the scope kinds.
var ScopeKinds = []string{ScopeCircle, ScopePolygon, ScopeDistrict, ScopeIncident, ScopeAgency}

// Directive statuses.
const (
	DirectiveInForce = "IN_FORCE"
	DirectiveRevoked = "REVOKED"
	DirectiveExpired = "EXPIRED"
)

// MaxDirectiveDuration bounds a directive's life: an order outlives no
// shift rota unrenewed, so none is forgotten in force.
const MaxDirectiveDuration = 7 * 24 * time.Hour

// Bounds of a scope.
const (
	MaxCircleRadiusM = 50_000
	MaxPolygonPoints = 200
)

// A Directive is an order by a supervisor about the agency's own units
// (DESIGN.md, "Domain"): in a scope, hold dispatch, clear units out, or let
// only some units in; with a reason, until it expires or is revoked. It
// binds only the issuing agency's units: one agency cannot order another's.
//
// A dispatch the directive blocks needs a supervisor's override with a
// reason (directive.overridden). An assistance request asked of the agency
// in a scope it holds or clears is never held back: the conflict is shown
// at once to the requester and to the issuer's superiors (assist.conflict),
// and the request escalates at its deadline (assist.escalated, reason
// conflict), which no acknowledgement moves, unless an agency accepts it
// before (for the agency itself, with a supervisor's override).
type Directive struct {
	ID     string `json:"id"`
	Agency string `json:"agency"`
	Issuer Who    `json:"issuer"`
	Scope  Scope  `json:"scope"`
	Effect string `json:"effect"`
	// Restrict is, for EffectRestrict, the capability or unit kind let
	// through.
	Restrict string    `json:"restrict,omitempty"`
	Reason   string    `json:"reason"`
	Issued   time.Time `json:"issued"`
	Expires  time.Time `json:"expires"`
	Status   string    `json:"status"`
	// Ended, EndedBy and EndReason say when and how it stopped being in
	// force: revoked by whom and why, or expired.
	Ended     *time.Time `json:"ended,omitempty"`
	EndedBy   *Who       `json:"ended_by,omitempty"`
	EndReason string     `json:"end_reason,omitempty"`
	// Overrides counts the dispatches made against it.
	Overrides int `json:"overrides"`
}

// A Scope is where a directive applies: a circle, a polygon, a police
// district, an incident, or everywhere the agency works.
type Scope struct {
	Kind     string  `json:"kind"`
	Circle   *Circle `json:"circle,omitempty"`
	Polygon  []Point `json:"polygon,omitempty"`
	District string  `json:"district,omitempty"`
	Incident string  `json:"incident,omitempty"`
}

// A Circle is a centre (WGS 84) and a radius in metres.
type Circle struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	RadiusM float64 `json:"radius_m"`
}

// A Point is a latitude and longitude (WGS 84).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// A Who names who did something: a user of an agency in a role, or a part
// of tenfour itself.
type Who struct {
	User   string `json:"user,omitempty"`
	Agency string `json:"agency,omitempty"`
	Role   string `json:"role,omitempty"`
	System string `json:"system,omitempty"`
}

func whoOf(a Actor) Who {
	return Who{User: a.User, Agency: a.Agency, Role: a.Role, System: a.System}
}

// String returns "user (role)" or "system:name".
func (w Who) String() string {
	if w.System != "" {
		return "system:" + w.System
	}
	return w.User + " (" + w.Role + ")"
}

// InForce reports whether d binds at now: issued, neither revoked nor
// expired. A directive stops binding at its expiry, before the timer that
// records directive.expired has run.
func (d *Directive) InForce(now time.Time) bool {
	return d.Status == DirectiveInForce && now.Before(d.Expires)
}

// Covers reports whether d's scope takes in loc or incident. A circle or a
// polygon takes in only a location with a point: an address that could not
// be placed is not known to be inside.
func (d *Directive) Covers(loc Location, incident string) bool {
	sc := d.Scope
	switch sc.Kind {
	case ScopeAgency:
		return true
	case ScopeIncident:
		return incident != "" && incident == sc.Incident
	case ScopeDistrict:
		return loc.District != "" && loc.District == sc.District
	case ScopeCircle:
		return loc.Lat != nil && loc.Lon != nil && sc.Circle != nil &&
			DistanceM(sc.Circle.Lat, sc.Circle.Lon, *loc.Lat, *loc.Lon) <= sc.Circle.RadiusM
	case ScopePolygon:
		return loc.Lat != nil && loc.Lon != nil && inPolygon(sc.Polygon, *loc.Lat, *loc.Lon)
	}
	return false
}

// Blocks reports whether d keeps unit u out of its scope: hold and clear
// keep every unit of the agency out; restrict lets through a unit with the
// named capability or of the named kind.
func (d *Directive) Blocks(u *Unit) bool {
	if u.Agency != d.Agency {
		return false
	}
	if d.Effect == EffectRestrict {
		return u.Kind != d.Restrict && !slices.Contains(u.Capabilities, d.Restrict)
	}
	return true
}

// holds reports whether d keeps every unit of its agency out of its scope:
// an agency asked for assistance there cannot send anyone without an
// override, so the request must not wait on it beyond its deadline.
func (d *Directive) holds() bool { return d.Effect == EffectHold || d.Effect == EffectClear }

// DirectivesAt returns the directives of agency in force at now whose scope
// takes in loc or incident, by id. The recommendation and the API call it to
// show a dispatcher the orders that touch a call.
func (s *State) DirectivesAt(agency string, loc Location, incident string, now time.Time) []*Directive {
	var out []*Directive
	// Only a directive still recorded in force can be in force at now:
	// the expired and revoked, which pile up over the years, are not
	// looked at.
	for id := range s.open.directives {
		if d := s.Directives[id]; d != nil && d.Agency == agency && d.InForce(now) && d.Covers(loc, incident) {
			out = append(out, d)
		}
	}
	sortDirectives(out)
	return out
}

// Blocking returns the directives in force at now that keep unit u from
// being sent to loc (or incident), by id: none means it may go.
func (s *State) Blocking(u *Unit, loc Location, incident string, now time.Time) []*Directive {
	var out []*Directive
	for _, d := range s.DirectivesAt(u.Agency, loc, incident, now) {
		if d.Blocks(u) {
			out = append(out, d)
		}
	}
	return out
}

// DirectiveList returns the directives of agency (all if agency is ""),
// newest first.
func (s *State) DirectiveList(agency string) []*Directive {
	var out []*Directive
	for _, d := range s.Directives {
		if agency == "" || d.Agency == agency {
			out = append(out, d)
		}
	}
	newestFirst(out, func(d *Directive) (time.Time, string) { return d.Issued, d.ID })
	return out
}

// sortDirectives sorts ds by id, so that every replay meets them in the
// same order.
func sortDirectives(ds []*Directive) {
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
}

// DirectiveID returns the id of the n-th directive of agency in year, such
// as metro-D-2026-000001. The capital D keeps it apart from every incident
// id, whose agency part is lower case.
func DirectiveID(agency string, year, n int) string {
	return fmt.Sprintf("%s-D-%d-%06d", agency, year, n)
}

// earthRadiusM is the mean radius of the Earth (IUGG), in metres.
const earthRadiusM = 6_371_008.8

// DistanceM is the great-circle distance in metres between two points
// (haversine): the one measure of "within r metres" for every reader, the
// archive's included.
func DistanceM(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusM * math.Asin(math.Sqrt(min(1, h)))
}

// inPolygon reports whether the point lies inside the polygon, by the
// even-odd rule on latitude and longitude as plane coordinates: exact enough
// for the few kilometres a directive spans away from the poles and the
// antimeridian.
func inPolygon(poly []Point, lat, lon float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Lat > lat) != (b.Lat > lat) && lon < (b.Lon-a.Lon)*(lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
	}
	return in
}

// DirectiveIssued is the payload of directive.issued. The issuer is the
// event's actor.
type DirectiveIssued struct {
	ID       string    `json:"id"`
	Scope    Scope     `json:"scope"`
	Effect   string    `json:"effect"`
	Restrict string    `json:"restrict,omitempty"`
	Reason   string    `json:"reason"`
	Expires  time.Time `json:"expires"`
}

// DirectiveRevocation is the payload of directive.revoked.
type DirectiveRevocation struct {
	Directive string `json:"directive"`
	Reason    string `json:"reason"`
}

// DirectiveExpiry is the payload of directive.expired.
type DirectiveExpiry struct {
	Directive string    `json:"directive"`
	Expires   time.Time `json:"expires"`
}

// DirectiveOverride is the payload of directive.overridden: a supervisor
// sent units the directive blocks, for a reason. Incident or Request names
// where they were sent.
type DirectiveOverride struct {
	Directive string   `json:"directive"`
	Incident  string   `json:"incident,omitempty"`
	Request   string   `json:"request,omitempty"`
	Units     []string `json:"units"`
	Reason    string   `json:"reason"`
}

// IssueDirective records a supervisor's order for the supervisor's own
// agency. Expires is required and at most MaxDirectiveDuration away. An
// open assistance request already asked of the agency in a scope it now
// holds or clears gets the conflict shown at once, and is held to the
// deadline it has: no acknowledgement moves it.
type IssueDirective struct {
	Agency   string
	Scope    Scope
	Effect   string
	Restrict string
	Reason   string
	Expires  time.Time
}

// Decide implements Command.
func (c IssueDirective) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mustBeSupervisor(actor, c.Agency, "issue a directive"); err != nil {
		return nil, err
	}
	if !slices.Contains(Effects, c.Effect) {
		return nil, Errorf(EINVALID, "effect %q is not one of %s", c.Effect, strings.Join(Effects, ", "))
	}
	switch {
	case c.Effect == EffectRestrict && !slugRE.MatchString(c.Restrict):
		return nil, Errorf(EINVALID, "a restrict directive names the capability or unit kind it lets through, such as traffic-control")
	case c.Effect != EffectRestrict && c.Restrict != "":
		return nil, Errorf(EINVALID, "only a restrict directive names a capability to let through")
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	if !c.Expires.After(now) {
		return nil, Errorf(EINVALID, "a directive must expire after it is issued")
	}
	if c.Expires.Sub(now) > MaxDirectiveDuration {
		return nil, Errorf(EINVALID, "a directive expires within %d days; renew it if it must last longer", int(MaxDirectiveDuration.Hours()/24))
	}
	sc, err := s.checkScope(c.Agency, c.Scope)
	if err != nil {
		return nil, err
	}
	year := now.UTC().Year()
	id := DirectiveID(c.Agency, year, s.directiveSerial[serialKey(c.Agency, year)]+1)
	subject := map[string]string{"directive": id}
	if sc.Kind == ScopeIncident {
		subject["incident"] = sc.Incident
	}
	d := &DirectiveIssued{ID: id, Scope: sc, Effect: c.Effect, Restrict: c.Restrict,
		Reason: strings.TrimSpace(c.Reason), Expires: c.Expires.UTC()}
	ev := Event{Time: now, Type: TypeDirectiveIssued, Agency: c.Agency, Actor: actor, Subject: subject, Data: d}
	// The requests it stands in the way of learn it in the same decision.
	a := newAssistDecision(s, actor, now)
	a.issuing = newDirective(ev, d)
	a.conflictsOf(a.issuing)
	return append([]Event{ev}, a.evs...), nil
}

// checkScope checks a directive's scope and returns it in its one spelling.
func (s *State) checkScope(agency string, sc Scope) (Scope, error) {
	out := Scope{Kind: sc.Kind}
	switch sc.Kind {
	case ScopeCircle:
		c := sc.Circle
		if c == nil || !validPoint(c.Lat, c.Lon) {
			return out, Errorf(EINVALID, "a circle needs a centre with a latitude and a longitude")
		}
		if !(c.RadiusM >= 1 && c.RadiusM <= MaxCircleRadiusM) {
			return out, Errorf(EINVALID, "a circle's radius must be between 1 and %d metres", MaxCircleRadiusM)
		}
		cc := *c
		out.Circle = &cc
	case ScopePolygon:
		if len(sc.Polygon) < 3 || len(sc.Polygon) > MaxPolygonPoints {
			return out, Errorf(EINVALID, "a polygon has 3 to %d points", MaxPolygonPoints)
		}
		for _, p := range sc.Polygon {
			if !validPoint(p.Lat, p.Lon) {
				return out, Errorf(EINVALID, "polygon point %v,%v is not a latitude and longitude", p.Lat, p.Lon)
			}
		}
		out.Polygon = slices.Clone(sc.Polygon)
	case ScopeDistrict:
		if err := CheckText("district", &sc.District, 64, true); err != nil {
			return out, err
		}
		out.District = strings.TrimSpace(sc.District)
	case ScopeIncident:
		in, ok := s.Incidents[sc.Incident]
		if !ok || in.Agency != agency {
			return out, Errorf(ENOTFOUND, "agency %s has no incident %s", agency, sc.Incident)
		}
		out.Incident = in.ID
	case ScopeAgency:
	default:
		return out, Errorf(EINVALID, "scope %q is not one of %s", sc.Kind, strings.Join(ScopeKinds, ", "))
	}
	return out, nil
}

func validPoint(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 // false for NaN
}

// mustBeSupervisor returns an error unless actor is a person who is a
// supervisor of agency. Directives, overrides and declines are orders a
// named person answers for; neither tenfour nor an administrator gives them.
func mustBeSupervisor(actor Actor, agency, what string) error {
	if actor.IsSystem() || actor.User == "" || actor.Role != RoleSupervisor || actor.Agency != agency {
		return Errorf(EFORBIDDEN, "only a supervisor of %s may %s", agency, what)
	}
	return nil
}

// MayOverride reports whether actor, acting in its role, may override a
// directive of agency when sending units (checkDirectives): a named
// supervisor of that agency only.
func MayOverride(actor Actor, agency string) bool {
	return mustBeSupervisor(actor, agency, "override a directive") == nil
}

// RevokeDirective ends a directive in force before its expiry. A supervisor
// of its agency may, with a reason.
type RevokeDirective struct {
	Directive string
	Reason    string
}

// Decide implements Command.
func (c RevokeDirective) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	d, ok := s.Directives[c.Directive]
	if !ok {
		return nil, Errorf(ENOTFOUND, "directive %s does not exist", c.Directive)
	}
	if err := mustBeSupervisor(actor, d.Agency, "revoke its directives"); err != nil {
		return nil, err
	}
	if !d.InForce(now) {
		return nil, Errorf(ECONFLICT, "directive %s is no longer in force", d.ID)
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	return []Event{{
		Time: now, Type: TypeDirectiveRevoked, Agency: d.Agency, Actor: actor,
		Subject: map[string]string{"directive": d.ID},
		Data:    &DirectiveRevocation{Directive: d.ID, Reason: strings.TrimSpace(c.Reason)},
	}}, nil
}

// checkDirectives returns the directive.overridden events that sending units
// to loc (incident or request) needs, or an error if a directive blocks one
// of them and override gives no reason from a supervisor. An override that
// no directive needs records nothing.
func (s *State) checkDirectives(agency string, loc Location, incident, request string, units []*Unit, override string, actor Actor, now time.Time) ([]Event, error) {
	var evs []Event
	for _, d := range s.DirectivesAt(agency, loc, incident, now) {
		var blocked []string
		for _, u := range units {
			if d.Blocks(u) {
				blocked = append(blocked, u.ID)
			}
		}
		if len(blocked) == 0 {
			continue
		}
		where := "incident " + incident
		if request != "" {
			where = "request " + request
		}
		if strings.TrimSpace(override) == "" {
			return nil, Errorf(ECONFLICT, "directive %s by %s (%s: %s) stands against sending %s to %s; a supervisor may override it with a reason",
				d.ID, d.Issuer.User, d.Effect, d.Reason, strings.Join(blocked, ", "), where)
		}
		if err := mustBeSupervisor(actor, agency, "override directive "+d.ID); err != nil {
			return nil, err
		}
		if err := CheckText("override reason", &override, 500, true); err != nil {
			return nil, err
		}
		subject := map[string]string{"directive": d.ID}
		if incident != "" {
			subject["incident"] = incident
		}
		if request != "" {
			subject["request"] = request
		}
		evs = append(evs, Event{
			Time: now, Type: TypeDirectiveOverridden, Agency: d.Agency, Actor: actor, Subject: subject,
			Data: &DirectiveOverride{Directive: d.ID, Incident: incident, Request: request, Units: blocked, Reason: strings.TrimSpace(override)},
		})
	}
	return evs, nil
}

// expireDirectives returns directive.expired for each directive whose
// expiry has come, by id: of ids, those the timer index has due at now.
func (s *State) expireDirectives(actor Actor, now time.Time, ids []string) []Event {
	var due []*Directive
	for _, id := range ids {
		if d := s.Directives[id]; d != nil && d.Status == DirectiveInForce && !now.Before(d.Expires) {
			due = append(due, d)
		}
	}
	var evs []Event
	for _, d := range due {
		evs = append(evs, Event{
			Time: now, Type: TypeDirectiveExpired, Agency: d.Agency, Actor: actor,
			Subject: map[string]string{"directive": d.ID},
			Data:    &DirectiveExpiry{Directive: d.ID, Expires: d.Expires},
		})
	}
	return evs
}

// newDirective returns the directive that a directive.issued event makes.
func newDirective(e Event, d *DirectiveIssued) *Directive {
	sc := d.Scope
	if sc.Circle != nil {
		c := *sc.Circle
		sc.Circle = &c
	}
	sc.Polygon = slices.Clone(sc.Polygon)
	return &Directive{
		ID: d.ID, Agency: e.Agency, Issuer: whoOf(e.Actor), Scope: sc, Effect: d.Effect, Restrict: d.Restrict,
		Reason: d.Reason, Issued: e.Time, Expires: d.Expires, Status: DirectiveInForce,
	}
}

// applyDirective folds the directive events into the state.
func (s *State) applyDirective(e Event) error {
	switch d := e.Data.(type) {
	case *DirectiveIssued:
		if _, ok := s.Directives[d.ID]; ok {
			return fmt.Errorf("directive %q issued twice", d.ID)
		}
		if _, ok := s.Agencies[e.Agency]; !ok {
			return fmt.Errorf("directive %q of unknown agency %q", d.ID, e.Agency)
		}
		s.Directives[d.ID] = newDirective(e, d)
		s.directiveSerial[serialKey(e.Agency, e.Time.UTC().Year())]++
	case *DirectiveRevocation:
		dir, ok := s.Directives[d.Directive]
		if !ok || dir.Status != DirectiveInForce {
			return fmt.Errorf("directive %q revoked but not in force", d.Directive)
		}
		who := whoOf(e.Actor)
		dir.Status, dir.Ended, dir.EndedBy, dir.EndReason = DirectiveRevoked, at(e.Time), &who, d.Reason
	case *DirectiveExpiry:
		dir, ok := s.Directives[d.Directive]
		if !ok || dir.Status != DirectiveInForce {
			return fmt.Errorf("directive %q expired but not in force", d.Directive)
		}
		dir.Status, dir.Ended = DirectiveExpired, at(e.Time)
	case *DirectiveOverride:
		dir, ok := s.Directives[d.Directive]
		if !ok {
			return fmt.Errorf("directive %q overridden but does not exist", d.Directive)
		}
		dir.Overrides++
	}
	return nil
}

// StatusAt is d's status at now: one past its expiry is expired even
// before directive.expired is recorded.
func (d *Directive) StatusAt(now time.Time) string {
	if d.Status == DirectiveInForce && !d.InForce(now) {
		return DirectiveExpired
	}
	return d.Status
}

// Public returns w as the public log shows who acted: the role and the
// agency (or tenfour itself), never the person (docs/events.md).
func (w Who) Public() Who {
	return Who{Agency: w.Agency, Role: w.Role, System: w.System}
}

// A PublicDirective is a directive as a published timeline shows it: only
// its fields the disclosure table makes public (disclosure.go,
// directive.issued): no reason, no issuer's name, no circle or polygon —
// a scope is its kind, and its district or incident.
type PublicDirective struct {
	ID       string      `json:"id"`
	Agency   string      `json:"agency"`
	Issuer   Who         `json:"issuer"`
	Scope    PublicScope `json:"scope"`
	Effect   string      `json:"effect"`
	Restrict string      `json:"restrict,omitempty"`
	Issued   time.Time   `json:"issued"`
	Expires  time.Time   `json:"expires"`
	Status   string      `json:"status"`
	Ended    *time.Time  `json:"ended,omitempty"`
	EndedBy  *Who        `json:"ended_by,omitempty"`
	// Overrides counts the dispatches made against it.
	Overrides int `json:"overrides"`
}

// A PublicScope is the public part of a directive's scope: its kind, and
// the district or the incident it names; a circle or a polygon is points,
// and private.
type PublicScope struct {
	Kind     string `json:"kind"`
	District string `json:"district,omitempty"`
	Incident string `json:"incident,omitempty"`
}

// Public returns d as a published timeline shows it.
func (d Directive) Public() PublicDirective {
	out := PublicDirective{ID: d.ID, Agency: d.Agency, Issuer: d.Issuer.Public(),
		Scope:  PublicScope{Kind: d.Scope.Kind, District: d.Scope.District, Incident: d.Scope.Incident},
		Effect: d.Effect, Restrict: d.Restrict, Issued: d.Issued, Expires: d.Expires, Status: d.Status,
		Ended: d.Ended, Overrides: d.Overrides}
	if d.EndedBy != nil {
		by := d.EndedBy.Public()
		out.EndedBy = &by
	}
	return out
}
