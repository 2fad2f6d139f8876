package dispatch

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

var (
	slugRE     = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)
	callSignRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,15}$`)
	usernameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,63}$`)
)

// mayAct reports whether actor may act for agency: an installation
// administrator or the system anywhere, anyone else only for their own agency.
// (The role matrix comes with identity and access.)
func mayAct(actor Actor, agency string) error {
	if actor.IsSystem() || (actor.Role == RoleAdmin && actor.Agency == "") || actor.Agency == agency {
		return nil
	}
	return Errorf(EFORBIDDEN, "%s of %s may not act for agency %s", actor.User, actor.Agency, agency)
}

// CreateAgency registers an agency.
type CreateAgency struct {
	ID   string
	Name string
	Kind string
}

// Decide implements Command.
func (c CreateAgency) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() && !(actor.Role == RoleAdmin && actor.Agency == "") {
		return nil, Errorf(EFORBIDDEN, "only an installation administrator may create agencies")
	}
	if !slugRE.MatchString(c.ID) {
		return nil, Errorf(EINVALID, "agency id %q must be 2 to 32 lower-case letters, digits or dashes, starting with a letter", c.ID)
	}
	if err := CheckText("agency name", &c.Name, 100, true); err != nil {
		return nil, err
	}
	if !slices.Contains(AgencyKinds, c.Kind) {
		return nil, Errorf(EINVALID, "agency kind %q is not one of %s", c.Kind, strings.Join(AgencyKinds, ", "))
	}
	if _, ok := s.Agencies[c.ID]; ok {
		return nil, Errorf(ECONFLICT, "agency %s already exists", c.ID)
	}
	return []Event{{
		Time: now, Type: TypeAgencyCreated, Agency: c.ID, Actor: actor,
		Subject: map[string]string{"agency": c.ID},
		Data:    &AgencyCreated{ID: c.ID, Name: strings.TrimSpace(c.Name), Kind: c.Kind},
	}}, nil
}

// CreateUnit registers a unit of an agency. Its id is derived from the agency
// and the call sign, which is unique within the agency.
type CreateUnit struct {
	CallSign     string
	Agency       string
	Kind         string
	Capabilities []string
}

// UnitID returns the id of the unit with call sign cs in agency. The dot
// can be in neither an agency id nor a call sign, so no two units share an id.
func UnitID(agency, cs string) string { return agency + "." + strings.ToLower(cs) }

// Decide implements Command.
func (c CreateUnit) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mayAct(actor, c.Agency); err != nil {
		return nil, err
	}
	if !callSignRE.MatchString(c.CallSign) {
		return nil, Errorf(EINVALID, "call sign %q must be 1 to 16 letters, digits or dashes", c.CallSign)
	}
	if !slices.Contains(UnitKinds, c.Kind) {
		return nil, Errorf(EINVALID, "unit kind %q is not one of %s", c.Kind, strings.Join(UnitKinds, ", "))
	}
	if len(c.Capabilities) > 16 {
		return nil, Errorf(EINVALID, "a unit has at most 16 capabilities")
	}
	for _, cap := range c.Capabilities {
		if !slugRE.MatchString(cap) {
			return nil, Errorf(EINVALID, "capability %q must be a lower-case word (letters, digits, dashes)", cap)
		}
	}
	id := UnitID(c.Agency, c.CallSign)
	if _, ok := s.Units[id]; ok {
		return nil, Errorf(ECONFLICT, "agency %s already has a unit %s", c.Agency, c.CallSign)
	}
	caps := c.Capabilities
	if len(caps) == 0 {
		caps = nil // one spelling of "none", as the log gives it back
	}
	return []Event{{
		Time: now, Type: TypeUnitCreated, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"unit": id},
		Data:    &UnitCreated{ID: id, CallSign: c.CallSign, Kind: c.Kind, Capabilities: caps},
	}}, nil
}

// CreateIncident opens an incident from a call.
type CreateIncident struct {
	Agency    string
	Type      string
	Priority  *int // nil: the type's default priority
	Location  Location
	Caller    Caller
	Narrative string
	// Received and Answered are when the call reached the centre and when
	// a call-taker answered it, as the phone system reports them; nil
	// means at entry. Neither may lie in the future or more than
	// MaxCallAge back, and a call is answered after it is received.
	Received *time.Time
	Answered *time.Time
}

// MaxCallAge bounds how long before its entry a call may have been received
// or answered. Older events belong to late entry, which says it is late.
const MaxCallAge = time.Hour

// Decide implements Command.
func (c CreateIncident) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mayAct(actor, c.Agency); err != nil {
		return nil, err
	}
	typ, ok := s.IncidentType(c.Agency, c.Type)
	if !ok {
		return nil, Errorf(EINVALID, "incident type %q is not in the catalogue (GET /api/v1/incident-types lists it)", c.Type)
	}
	prio := typ.DefaultPriority
	if c.Priority != nil {
		prio = *c.Priority
	}
	if prio < 0 || prio > 4 {
		return nil, Errorf(EINVALID, "priority %d is not between 0 (officer emergency) and 4", prio)
	}
	if err := checkLocation(&c.Location); err != nil {
		return nil, err
	}
	if err := checkCall(&c.Caller, &c.Narrative, c.Received, c.Answered, now); err != nil {
		return nil, err
	}
	// Years are counted in UTC, as replay counts them from the log's times.
	year := now.UTC().Year()
	n := s.incidentSerial[serialKey(c.Agency, year)] + 1
	id := IncidentID(c.Agency, year, n)
	private := map[string]string{}
	if c.Caller.Name != "" {
		private[PrivateCallerName] = c.Caller.Name
	}
	if c.Caller.Phone != "" {
		private[PrivateCallerPhone] = c.Caller.Phone
	}
	if c.Narrative != "" {
		private[PrivateNarrative] = c.Narrative
	}
	loc := c.Location
	loc.Text = strings.TrimSpace(loc.Text)
	return []Event{{
		Time: now, Type: TypeIncidentCreated, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"incident": id},
		Data: &IncidentCreated{ID: id, Type: c.Type, Priority: prio, Location: loc,
			Received: utc(c.Received), Answered: utc(c.Answered)},
		Private: private,
	}}, nil
}

// checkCall checks what a call brings: the caller, the call-taker's
// narrative and the phone system's times; it normalises the text
// (CheckText).
func checkCall(caller *Caller, narrative *string, received, answered *time.Time, now time.Time) error {
	if err := CheckText("caller name", &caller.Name, 200, false); err != nil {
		return err
	}
	if err := CheckText("caller phone", &caller.Phone, 40, false); err != nil {
		return err
	}
	if err := CheckText("narrative", narrative, 8000, false); err != nil {
		return err
	}
	return checkCallTimes(received, answered, now)
}

// checkCallTimes checks a call's received and answered times against its
// entry at now.
func checkCallTimes(received, answered *time.Time, now time.Time) error {
	for _, t := range []struct {
		name string
		at   *time.Time
	}{{"received", received}, {"answered", answered}} {
		switch {
		case t.at == nil:
		case t.at.After(now):
			return Errorf(EINVALID, "the call cannot have been %s at %s, after it was entered (%s)", t.name, t.at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		case now.Sub(*t.at) > MaxCallAge:
			return Errorf(EINVALID, "the call was %s at %s, more than %s before it was entered; record it as a late entry", t.name, t.at.UTC().Format(time.RFC3339), MaxCallAge)
		}
	}
	if received != nil && answered != nil && answered.Before(*received) {
		return Errorf(EINVALID, "the call cannot have been answered (%s) before it was received (%s)", answered.UTC().Format(time.RFC3339), received.UTC().Format(time.RFC3339))
	}
	return nil
}

// utc returns t in UTC, or nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return at(t.UTC())
}

// IncidentID returns the id of the n-th incident of agency in year, in the
// usual CAD form agency-year-serial.
func IncidentID(agency string, year, n int) string {
	return fmt.Sprintf("%s-%d-%06d", agency, year, n)
}

// checkLocation checks a location and normalises its text (CheckText).
func checkLocation(l *Location) error {
	if err := CheckText("location text", &l.Text, 300, false); err != nil {
		return err
	}
	if (l.Lat == nil) != (l.Lon == nil) {
		return Errorf(EINVALID, "location needs both lat and lon, or neither")
	}
	if l.Lat == nil && strings.TrimSpace(l.Text) == "" {
		return Errorf(EINVALID, "location needs an address or lat and lon")
	}
	if l.Lat != nil {
		if math.IsNaN(*l.Lat) || *l.Lat < -90 || *l.Lat > 90 {
			return Errorf(EINVALID, "latitude %v is not between -90 and 90", *l.Lat)
		}
		if math.IsNaN(*l.Lon) || *l.Lon < -180 || *l.Lon > 180 {
			return Errorf(EINVALID, "longitude %v is not between -180 and 180", *l.Lon)
		}
	}
	return nil
}

// CreateUser records a new user of an agency (or of the installation, with
// no agency). Credentials are set apart from the log by the caller.
type CreateUser struct {
	Username string
	Agency   string
	Roles    []string
}

// Decide implements Command.
func (c CreateUser) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() && !(actor.Role == RoleAdmin && (actor.Agency == "" || actor.Agency == c.Agency)) {
		return nil, Errorf(EFORBIDDEN, "only an administrator may create users")
	}
	if !usernameRE.MatchString(c.Username) {
		return nil, Errorf(EINVALID, "username %q must be 2 to 64 lower-case letters, digits, dots, dashes or underscores", c.Username)
	}
	if c.Agency != "" {
		if _, ok := s.Agencies[c.Agency]; !ok {
			return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
		}
	}
	if len(c.Roles) == 0 {
		return nil, Errorf(EINVALID, "a user needs at least one role")
	}
	for _, r := range c.Roles {
		if !slices.Contains(Roles, r) {
			return nil, Errorf(EINVALID, "role %q is not one of %s", r, strings.Join(Roles, ", "))
		}
	}
	if c.Agency == "" && slices.ContainsFunc(c.Roles, func(r string) bool { return r != RoleAdmin }) {
		// Only an installation administrator stands outside every agency;
		// anyone else would see no record at all.
		return nil, Errorf(EINVALID, "a user with roles other than admin belongs to an agency; give one")
	}
	if _, ok := s.Users[c.Username]; ok {
		return nil, Errorf(ECONFLICT, "user %s already exists", c.Username)
	}
	return []Event{{
		Time: now, Type: TypeUserCreated, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"user": c.Username},
		Data:    &UserCreated{Username: c.Username, Roles: c.Roles},
	}}, nil
}
