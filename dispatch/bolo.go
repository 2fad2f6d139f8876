package dispatch

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// BOLO (be on the lookout) event types.
const (
	TypeBOLOIssued    = "bolo.issued"
	TypeBOLOCancelled = "bolo.cancelled"
)

// Private fields of bolo.issued: what is looked for can name a person.
const (
	PrivateBOLODescription = "bolo_description"
	PrivateBOLOPlate       = "bolo_plate"
)

// Kinds of BOLO.
const (
	BOLOPerson  = "person"
	BOLOVehicle = "vehicle"
)

// Bounds of a BOLO.
const (
	MaxBOLODescription = 2000
	MaxBOLOPlate       = 16
	MaxBOLOPhotos      = 8
	MaxBOLOReason      = 500
	MaxBOLOLifetime    = 90 * 24 * time.Hour
)

// A BOLO asks an agency's units to look out for a person or a vehicle in
// an area (a circle, a district, or everywhere the agency works) until it
// expires or is cancelled. Description and Plate are private; Photos are
// the hex SHA-256 hashes of the photos' bytes (POST /api/v1/photos).
// Priority is 1 (highest) to 3.
type BOLO struct {
	ID          string     `json:"id"`
	Agency      string     `json:"agency"`
	Kind        string     `json:"kind"`
	Description string     `json:"description,omitempty"`
	Plate       string     `json:"plate,omitempty"`
	Photos      []string   `json:"photos"`
	Priority    int        `json:"priority"`
	Area        Scope      `json:"area"`
	Issued      time.Time  `json:"issued"`
	IssuedBy    Who        `json:"issued_by"`
	Expires     time.Time  `json:"expires"`
	Cancelled   *time.Time `json:"cancelled,omitempty"`
	CancelledBy *Who       `json:"cancelled_by,omitempty"`
	Reason      string     `json:"reason,omitempty"`
}

// BOLOIssued is the payload of bolo.issued; the description and the plate
// are its private fields.
type BOLOIssued struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Priority int       `json:"priority"`
	Area     Scope     `json:"area"`
	Expires  time.Time `json:"expires"`
	Photos   []string  `json:"photos,omitempty"`
}

// BOLOCancelled is the payload of bolo.cancelled.
type BOLOCancelled struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// IssueBOLO issues a BOLO for an agency. A dispatcher or a supervisor of
// the agency issues it (or tenfour, as the demo does). The photos must be
// stored already; the caller checks that, the domain their form.
type IssueBOLO struct {
	Agency      string // "" for the actor's own
	Kind        string
	Description string
	Plate       string
	Photos      []string
	Priority    int // 0: 2
	Area        Scope
	Expires     time.Time
}

// Decide implements Command.
func (c IssueBOLO) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	agency := c.Agency
	if agency == "" {
		agency = actor.Agency
	}
	if _, ok := s.Agencies[agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", agency)
	}
	if err := mayAct(actor, agency); err != nil {
		return nil, err
	}
	if !actor.IsSystem() && actor.Role != RoleDispatcher && actor.Role != RoleSupervisor {
		return nil, Errorf(EFORBIDDEN, "only a dispatcher or a supervisor may issue a BOLO")
	}
	if c.Kind != BOLOPerson && c.Kind != BOLOVehicle {
		return nil, Errorf(EINVALID, "a BOLO is for a %s or a %s, not %q", BOLOPerson, BOLOVehicle, c.Kind)
	}
	if err := CheckText("description", &c.Description, MaxBOLODescription, true); err != nil {
		return nil, err
	}
	plate := NormalizePlate(c.Plate)
	if err := CheckText("plate", &c.Plate, MaxBOLOPlate, false); err != nil {
		return nil, err
	}
	if c.Plate != "" && plate == "" {
		return nil, Errorf(EINVALID, "plate %q has no letters or digits", c.Plate)
	}
	if len(c.Photos) > MaxBOLOPhotos {
		return nil, Errorf(EINVALID, "a BOLO has at most %d photos", MaxBOLOPhotos)
	}
	var photos []string
	for _, p := range c.Photos {
		if b, err := hex.DecodeString(p); err != nil || len(b) != 32 || strings.ToLower(p) != p {
			return nil, Errorf(EINVALID, "photo %q is not the lower-case hex SHA-256 of a stored photo", p)
		}
		if !slices.Contains(photos, p) {
			photos = append(photos, p)
		}
	}
	prio := c.Priority
	if prio == 0 {
		prio = 2
	}
	if prio < 1 || prio > 3 {
		return nil, Errorf(EINVALID, "a BOLO's priority is 1 (highest) to 3, not %d", c.Priority)
	}
	switch c.Area.Kind {
	case ScopeCircle, ScopeDistrict, ScopeAgency:
	default:
		return nil, Errorf(EINVALID, "a BOLO's area is a %s, a %s or the %s, not %q", ScopeCircle, ScopeDistrict, ScopeAgency, c.Area.Kind)
	}
	area, err := s.checkScope(agency, c.Area)
	if err != nil {
		return nil, err
	}
	if !c.Expires.After(now) {
		return nil, Errorf(EINVALID, "a BOLO must expire in the future")
	}
	if c.Expires.Sub(now) > MaxBOLOLifetime {
		return nil, Errorf(EINVALID, "a BOLO lasts at most %d days; issue it again when it runs out", int(MaxBOLOLifetime.Hours()/24))
	}
	id := fmt.Sprintf("B%d", s.boloSerial+1)
	private := map[string]string{PrivateBOLODescription: strings.TrimSpace(c.Description)}
	if plate != "" {
		private[PrivateBOLOPlate] = plate
	}
	return []Event{{
		Time: now, Type: TypeBOLOIssued, Agency: agency, Actor: actor,
		Subject: map[string]string{"bolo": id},
		Data:    &BOLOIssued{ID: id, Kind: c.Kind, Priority: prio, Area: area, Expires: c.Expires.UTC(), Photos: photos},
		Private: private,
	}}, nil
}

// CancelBOLO cancels a BOLO before it expires: the person was found, the
// vehicle recovered. A reason is required.
type CancelBOLO struct {
	ID     string
	Reason string
}

// Decide implements Command.
func (c CancelBOLO) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	b, ok := s.BOLOs[c.ID]
	if !ok || mayAct(actor, b.Agency) != nil {
		return nil, Errorf(ENOTFOUND, "BOLO %s does not exist", c.ID)
	}
	if !actor.IsSystem() && actor.Role != RoleDispatcher && actor.Role != RoleSupervisor {
		return nil, Errorf(EFORBIDDEN, "only a dispatcher or a supervisor may cancel a BOLO")
	}
	if err := CheckText("reason", &c.Reason, MaxBOLOReason, true); err != nil {
		return nil, err
	}
	if b.Cancelled != nil {
		return nil, Errorf(ECONFLICT, "BOLO %s was cancelled already", b.ID)
	}
	if !now.Before(b.Expires) {
		return nil, Errorf(ECONFLICT, "BOLO %s has expired", b.ID)
	}
	return []Event{{
		Time: now, Type: TypeBOLOCancelled, Agency: b.Agency, Actor: actor,
		Subject: map[string]string{"bolo": b.ID},
		Data:    &BOLOCancelled{ID: b.ID, Reason: strings.TrimSpace(c.Reason)},
	}}, nil
}

// NormalizePlate returns a plate as compared: upper case, letters and
// digits only ("abc-123 " and "ABC 123" are one plate).
func NormalizePlate(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// Active reports whether b is in force at now: not cancelled, not expired.
func (b *BOLO) Active(now time.Time) bool {
	return b.Cancelled == nil && now.Before(b.Expires)
}

// Covers reports whether b's area takes in loc. A circle takes in only a
// location with a point.
func (b *BOLO) Covers(loc Location) bool {
	switch b.Area.Kind {
	case ScopeAgency:
		return true
	case ScopeDistrict:
		return loc.District != "" && loc.District == b.Area.District
	case ScopeCircle:
		c := b.Area.Circle
		return c != nil && loc.Lat != nil && loc.Lon != nil && DistanceM(c.Lat, c.Lon, *loc.Lat, *loc.Lon) <= c.RadiusM
	}
	return false
}

// Matches reports whether b answers a search: q as a plate (letters and
// digits, any case or spacing) equal to or contained in b's plate, or
// every word of q in b's description, plate, kind or id.
func (b *BOLO) Matches(q string) bool {
	if strings.TrimSpace(q) == "" {
		return true
	}
	if p := NormalizePlate(q); p != "" && b.Plate != "" && strings.Contains(b.Plate, p) {
		return true
	}
	hay := strings.ToLower(strings.Join([]string{b.ID, b.Kind, b.Plate, b.Description}, " "))
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// BOLOList returns the BOLOs of agency (all for ""), highest priority
// first, then newest.
func (s *State) BOLOList(agency string) []*BOLO {
	var out []*BOLO
	for _, b := range s.BOLOs {
		if agency == "" || b.Agency == agency {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b *BOLO) int {
		if a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		if c := b.Issued.Compare(a.Issued); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// applyBOLO folds bolo.issued and bolo.cancelled.
func (s *State) applyBOLO(e Event) error {
	if s.BOLOs == nil {
		s.BOLOs = make(map[string]*BOLO)
	}
	switch d := e.Data.(type) {
	case *BOLOIssued:
		if _, ok := s.BOLOs[d.ID]; ok {
			return fmt.Errorf("BOLO %q issued twice", d.ID)
		}
		area := d.Area
		if area.Circle != nil {
			c := *area.Circle
			area.Circle = &c
		}
		s.BOLOs[d.ID] = &BOLO{
			ID: d.ID, Agency: e.Agency, Kind: d.Kind, Priority: d.Priority, Area: area,
			Description: e.Private[PrivateBOLODescription], Plate: e.Private[PrivateBOLOPlate],
			Photos: append([]string{}, d.Photos...), Issued: e.Time, IssuedBy: whoOf(e.Actor), Expires: d.Expires,
		}
		s.boloSerial++
	case *BOLOCancelled:
		b, ok := s.BOLOs[d.ID]
		if !ok {
			return fmt.Errorf("BOLO %q cancelled but does not exist", d.ID)
		}
		if b.Cancelled != nil {
			return fmt.Errorf("BOLO %q cancelled twice", d.ID)
		}
		by := whoOf(e.Actor)
		b.Cancelled, b.CancelledBy, b.Reason = at(e.Time), &by, d.Reason
	}
	return nil
}
