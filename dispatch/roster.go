package dispatch

import (
	"fmt"
	"slices"
	"time"
)

// Event types of the roster: who crews a unit, for which shift, and which
// units share one crew.
const (
	TypeUnitSignedOn     = "unit.signed_on"
	TypeUnitSignedOff    = "unit.signed_off"
	TypeUnitCrossStaffed = "unit.cross_staffed"
)

// Staffing of a unit, as the roster says.
const (
	// StaffingNotRostered is a unit that has never signed on: agencies
	// that keep no roster, and every unit created before rosters. It
	// counts as staffed, so that such agencies work as they always did.
	StaffingNotRostered = "NOT_ROSTERED"
	// StaffingStaffed is a unit with a crew signed on.
	StaffingStaffed = "STAFFED"
	// StaffingUnstaffed is a unit that has signed on once and is now
	// signed off: it is on the roster and has no crew.
	StaffingUnstaffed = "UNSTAFFED"
)

// MaxCrew bounds a unit's crew, and MaxShift a shift.
const (
	MaxCrew  = 8
	MaxShift = 24 * time.Hour
)

// A Shift is the time a crew signs on for and the capabilities the unit has
// with that crew (a paramedic on board makes an ambulance ALS).
type Shift struct {
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Capabilities []string  `json:"capabilities,omitempty"`
}

// Roster is what the roster says of a unit; it is part of Unit.
//
// A unit that has never signed on is not on the roster (NOT_ROSTERED) and
// counts as staffed; once it signs on it is STAFFED, and after it signs off
// UNSTAFFED until it signs on again. Only staffed units are dispatched or
// recommended. Two cross-staffed units share one crew: signing either on
// or off signs both, and when one goes out (DISPATCHED, BUSY,
// OUT_OF_SERVICE …) the other goes OUT_OF_SERVICE with it, held by it, and
// comes back AVAILABLE when it does (CrossStaffing).
type Roster struct {
	// Staffing is StaffingStaffed, StaffingUnstaffed, or "" for a unit
	// not on the roster (StaffingOf); the API always names it.
	Staffing string   `json:"staffing,omitempty"`
	Crew     []string `json:"crew,omitempty"`
	Shift    *Shift   `json:"shift,omitempty"`
	// CrossStaffed is the unit that shares this unit's crew, if any.
	CrossStaffed string `json:"cross_staffed,omitempty"`
	// HeldBy is, while the unit is OUT_OF_SERVICE because its
	// cross-staffed partner went out, that partner.
	HeldBy string `json:"held_by,omitempty"`
}

// Staffed reports whether u has a crew to send, or keeps no roster.
func (u *Unit) Staffed() bool { return u.Staffing != StaffingUnstaffed }

// StaffingOf returns u's staffing, StaffingNotRostered for a unit that
// has never signed on (whose Staffing is "", the zero value).
func (u *Unit) StaffingOf() string {
	if u.Staffing == "" {
		return StaffingNotRostered
	}
	return u.Staffing
}

// HasCapability reports whether u has capability c, of its own or for the
// shift its crew signed on for.
func (u *Unit) HasCapability(c string) bool {
	return slices.Contains(u.Capabilities, c) || (u.Shift != nil && slices.Contains(u.Shift.Capabilities, c))
}

// UnitSignedOn is the payload of unit.signed_on. Units lists the unit and,
// if it is cross-staffed, its partner: both take the crew.
type UnitSignedOn struct {
	Unit  string   `json:"unit"`
	Units []string `json:"units"`
	Crew  []string `json:"crew"`
	Shift Shift    `json:"shift"`
}

// UnitSignedOff is the payload of unit.signed_off.
type UnitSignedOff struct {
	Unit  string   `json:"unit"`
	Units []string `json:"units"`
}

// UnitCrossStaffed is the payload of unit.cross_staffed: Unit and Partner
// now share one crew, or, with Partner "", Unit no longer shares its crew
// with Previous.
type UnitCrossStaffed struct {
	Unit     string `json:"unit"`
	Partner  string `json:"partner,omitempty"`
	Previous string `json:"previous,omitempty"`
}

// mayRoster returns an error unless actor may keep the roster of agency: a
// supervisor or administrator of it, the installation administrator, the
// system, or — for their own crew only (self) — an officer of it.
func mayRoster(actor Actor, agency string, self bool) error {
	if err := mayAct(actor, agency); err != nil {
		return err
	}
	switch {
	case actor.IsSystem(), actor.Role == RoleSupervisor, actor.Role == RoleAdmin:
		return nil
	case actor.Role == RoleOfficer && self:
		return nil
	case actor.Role == RoleOfficer:
		return Errorf(EFORBIDDEN, "an officer may sign on or off only a crew they are on")
	}
	return Errorf(EFORBIDDEN, "only a supervisor or an administrator keeps the roster")
}

// pair returns u and its cross-staffed partner, if any.
func (s *State) pair(u *Unit) []string {
	if u.CrossStaffed != "" {
		return []string{u.ID, u.CrossStaffed}
	}
	return []string{u.ID}
}

// SignOn signs a crew on a unit for a shift. Signing on a unit already
// signed on replaces its crew and shift (a change of crew). Each member is
// a user of the unit's agency and on no other unit's crew, except the one
// the unit is cross-staffed with.
type SignOn struct {
	Unit         string
	Crew         []string
	Start, End   time.Time
	Capabilities []string
}

// Decide implements Command.
func (c SignOn) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	u, ok := s.Units[c.Unit]
	if !ok {
		return nil, Errorf(ENOTFOUND, "unit %s does not exist", c.Unit)
	}
	if err := mayRoster(actor, u.Agency, actor.User != "" && slices.Contains(c.Crew, actor.User)); err != nil {
		return nil, err
	}
	// An officer binds themselves to a unit no one crews, or changes the
	// crew they are on; taking a unit from its crew is a supervisor's
	// (MayOperate: an officer operates only the units they crew).
	if actor.Role == RoleOfficer && u.Staffing == StaffingStaffed && !actor.Crews(u) {
		return nil, Errorf(EFORBIDDEN, "unit %s has a crew signed on and %s is not on it: its crew signs off first, or a supervisor changes the crew", u.CallSign, actor.User)
	}
	if len(c.Crew) == 0 || len(c.Crew) > MaxCrew {
		return nil, Errorf(EINVALID, "a crew has 1 to %d members", MaxCrew)
	}
	pair := s.pair(u)
	for i, name := range c.Crew {
		if slices.Contains(c.Crew[:i], name) {
			return nil, Errorf(EINVALID, "%s is named twice in the crew", name)
		}
		usr, ok := s.Users[name]
		if !ok || usr.Agency != u.Agency {
			return nil, Errorf(EINVALID, "agency %s has no user %q to sign on", u.Agency, name)
		}
		for _, o := range s.Units {
			if !slices.Contains(pair, o.ID) && slices.Contains(o.Crew, name) {
				return nil, Errorf(ECONFLICT, "%s is signed on unit %s; sign them off it first", name, o.CallSign)
			}
		}
	}
	if c.Start.IsZero() || c.End.IsZero() {
		return nil, Errorf(EINVALID, "a shift needs a start and an end")
	}
	if !c.End.After(c.Start) || c.End.Sub(c.Start) > MaxShift {
		return nil, Errorf(EINVALID, "a shift ends after it starts and lasts at most %s", MaxShift)
	}
	if !c.End.After(now) {
		return nil, Errorf(EINVALID, "the shift ended at %s; sign on for a shift that has not ended", c.End.UTC().Format(time.RFC3339))
	}
	if c.Start.After(now.Add(MaxShift)) {
		return nil, Errorf(EINVALID, "a shift starts at most %s ahead", MaxShift)
	}
	if len(c.Capabilities) > 16 {
		return nil, Errorf(EINVALID, "a shift has at most 16 capabilities")
	}
	for _, cp := range c.Capabilities {
		if !slugRE.MatchString(cp) {
			return nil, Errorf(EINVALID, "capability %q must be a lower-case word (letters, digits, dashes)", cp)
		}
	}
	subject := map[string]string{"unit": u.ID}
	if u.CrossStaffed != "" {
		subject["partner"] = u.CrossStaffed
	}
	return []Event{{
		Time: now, Type: TypeUnitSignedOn, Agency: u.Agency, Actor: actor, Subject: subject,
		Data: &UnitSignedOn{Unit: u.ID, Units: pair, Crew: slices.Clone(c.Crew),
			Shift: Shift{Start: c.Start.UTC(), End: c.End.UTC(), Capabilities: nilIfEmpty(c.Capabilities)}},
	}}, nil
}

func nilIfEmpty(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	return slices.Clone(xs)
}

// SignOff signs a unit's crew off (and its cross-staffed partner's, the
// same crew). A unit on an incident or a request keeps its crew until it
// is AVAILABLE again.
type SignOff struct {
	Unit string
}

// Decide implements Command.
func (c SignOff) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	u, ok := s.Units[c.Unit]
	if !ok {
		return nil, Errorf(ENOTFOUND, "unit %s does not exist", c.Unit)
	}
	if err := mayAct(actor, u.Agency); err != nil {
		return nil, err
	}
	if u.Staffing != StaffingStaffed {
		return nil, Errorf(ECONFLICT, "unit %s has no crew signed on", u.CallSign)
	}
	if err := mayRoster(actor, u.Agency, actor.User != "" && slices.Contains(u.Crew, actor.User)); err != nil {
		return nil, err
	}
	pair := s.pair(u)
	for _, id := range pair {
		if o := s.Units[id]; o.Incident != "" || o.Request != "" {
			return nil, Errorf(ECONFLICT, "unit %s is on %s; its crew signs off once it is AVAILABLE", o.CallSign, o.Incident+o.Request)
		}
	}
	return []Event{{
		Time: now, Type: TypeUnitSignedOff, Agency: u.Agency, Actor: actor,
		Subject: map[string]string{"unit": u.ID},
		Data:    &UnitSignedOff{Unit: u.ID, Units: pair},
	}}, nil
}

// CrossStaff links a unit with a partner of the same agency (Partner ""
// unlinks it): one crew for two apparatus, an engine and an ambulance of
// one station. Neither may be cross-staffed with a third, and both must be
// AVAILABLE or OUT_OF_SERVICE, on nothing. If one of them has a crew
// signed on and the other none, both share that crew; two different crews
// must sign one off first.
type CrossStaff struct {
	Unit    string
	Partner string
}

// Decide implements Command.
func (c CrossStaff) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	u, ok := s.Units[c.Unit]
	if !ok {
		return nil, Errorf(ENOTFOUND, "unit %s does not exist", c.Unit)
	}
	if err := mayRoster(actor, u.Agency, false); err != nil {
		return nil, err
	}
	ev := Event{Time: now, Type: TypeUnitCrossStaffed, Agency: u.Agency, Actor: actor,
		Subject: map[string]string{"unit": u.ID}}
	if c.Partner == "" {
		if u.CrossStaffed == "" {
			return nil, Errorf(ECONFLICT, "unit %s is not cross-staffed", u.CallSign)
		}
		ev.Subject["partner"] = u.CrossStaffed
		ev.Data = &UnitCrossStaffed{Unit: u.ID, Previous: u.CrossStaffed}
		return []Event{ev}, nil
	}
	p, ok := s.Units[c.Partner]
	if !ok || p.Agency != u.Agency {
		return nil, Errorf(ENOTFOUND, "agency %s has no unit %s", u.Agency, c.Partner)
	}
	if p.ID == u.ID {
		return nil, Errorf(EINVALID, "a unit cannot be cross-staffed with itself")
	}
	for _, x := range []*Unit{u, p} {
		if x.CrossStaffed != "" {
			return nil, Errorf(ECONFLICT, "unit %s is already cross-staffed with %s; unlink it first", x.CallSign, x.CrossStaffed)
		}
		if x.Incident != "" || x.Request != "" || (x.Status != StatusAvailable && x.Status != StatusOutOfService) {
			return nil, Errorf(ECONFLICT, "unit %s is %s; link units while they are AVAILABLE or OUT_OF_SERVICE", x.CallSign, x.Status)
		}
	}
	if len(u.Crew) > 0 && len(p.Crew) > 0 && !slices.Equal(u.Crew, p.Crew) {
		return nil, Errorf(ECONFLICT, "units %s and %s have different crews signed on; sign one off first", u.CallSign, p.CallSign)
	}
	ev.Subject["partner"] = p.ID
	ev.Data = &UnitCrossStaffed{Unit: u.ID, Partner: p.ID}
	return []Event{ev}, nil
}

// applyRoster folds the roster's events.
func (s *State) applyRoster(e Event) error {
	units := func(ids []string) ([]*Unit, error) {
		var out []*Unit
		for _, id := range ids {
			u, ok := s.Units[id]
			if !ok {
				return nil, fmt.Errorf("%s for unit %q, which does not exist", e.Type, id)
			}
			out = append(out, u)
		}
		return out, nil
	}
	switch d := e.Data.(type) {
	case *UnitSignedOn:
		us, err := units(d.Units)
		if err != nil {
			return err
		}
		for _, u := range us {
			sh := d.Shift
			sh.Capabilities = slices.Clone(d.Shift.Capabilities)
			u.Staffing, u.Crew, u.Shift = StaffingStaffed, slices.Clone(d.Crew), &sh
		}
	case *UnitSignedOff:
		us, err := units(d.Units)
		if err != nil {
			return err
		}
		for _, u := range us {
			u.Staffing, u.Crew, u.Shift = StaffingUnstaffed, nil, nil
		}
	case *UnitCrossStaffed:
		u, ok := s.Units[d.Unit]
		if !ok {
			return fmt.Errorf("unit %q cross-staffed but does not exist", d.Unit)
		}
		if d.Partner == "" {
			if p := s.Units[d.Previous]; p != nil && p.CrossStaffed == u.ID {
				p.CrossStaffed, p.HeldBy = "", ""
			}
			u.CrossStaffed, u.HeldBy = "", ""
			return nil
		}
		p, ok := s.Units[d.Partner]
		if !ok {
			return fmt.Errorf("unit %q cross-staffed with %q, which does not exist", d.Unit, d.Partner)
		}
		u.CrossStaffed, p.CrossStaffed = p.ID, u.ID
		// One crew for both: the one signed on crews the other.
		from, to := u, p
		if len(u.Crew) == 0 {
			from, to = p, u
		}
		if len(from.Crew) > 0 {
			sh := *from.Shift
			sh.Capabilities = slices.Clone(from.Shift.Capabilities)
			to.Staffing, to.Crew, to.Shift = StaffingStaffed, slices.Clone(from.Crew), &sh
		}
	default:
		return fmt.Errorf("not a roster event: %T", e.Data)
	}
	return nil
}

// CrossStaffing returns evs followed by the status changes that
// cross-staffing makes of them: when a unit goes out (from AVAILABLE to
// anything else), its AVAILABLE partner goes OUT_OF_SERVICE, held by it;
// when a unit comes back AVAILABLE, a partner it holds comes back with it.
// A partner whose own status changes in evs is left as evs leave it. Each
// such change is a unit.status_changed event with a reason.
func CrossStaffing(s *State, evs []Event) []Event {
	changed := map[string]bool{}
	for _, ev := range evs {
		if d, ok := ev.Data.(*UnitStatusChanged); ok {
			changed[d.Unit] = true
		}
	}
	out := evs
	for _, ev := range evs {
		d, ok := ev.Data.(*UnitStatusChanged)
		if !ok {
			continue
		}
		u := s.Units[d.Unit]
		if u == nil || u.CrossStaffed == "" || changed[u.CrossStaffed] {
			continue
		}
		p := s.Units[u.CrossStaffed]
		if p == nil {
			continue
		}
		var f Event
		switch {
		case d.Previous == StatusAvailable && d.Status != StatusAvailable && p.Status == StatusAvailable && p.Incident == "" && p.Request == "":
			f = statusChanged(p, StatusOutOfService, "", ev.Actor, ev.Time)
			fd := f.Data.(*UnitStatusChanged)
			fd.HeldBy = u.ID
			fd.Reason = fmt.Sprintf("cross-staffed with %s, which went %s", u.CallSign, d.Status)
		case d.Status == StatusAvailable && p.Status == StatusOutOfService && p.HeldBy == u.ID:
			f = statusChanged(p, StatusAvailable, "", ev.Actor, ev.Time)
			f.Data.(*UnitStatusChanged).Reason = fmt.Sprintf("cross-staffed with %s, which is AVAILABLE again", u.CallSign)
		default:
			continue
		}
		f.Subject["partner"] = u.ID
		changed[p.ID] = true
		out = append(out, f)
	}
	return out
}
