package dispatch

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Premise event types.
const (
	TypePremiseRecorded = "premise.recorded"
	TypePremiseRemoved  = "premise.removed"
)

// Hazard kinds: what a premise flag warns of. The list is fixed so that a
// unit's screen can show each with its own mark, and documented in
// docs/api.md.
const (
	HazardWeapons      = "weapons"       // firearms or other weapons on the premises
	HazardDog          = "dog"           // a dangerous dog
	HazardHostile      = "hostile"       // occupants hostile to police or responders
	HazardOxygen       = "oxygen"        // oxygen in use: no open flame, fire risk
	HazardMentalHealth = "mental-health" // a person in mental-health crisis has lived or been met here
	HazardHazmat       = "hazmat"        // hazardous materials stored
	HazardAccess       = "access"        // access: gate codes, locked doors, a key holder
	HazardOther        = "other"         // anything else a responder must know
)

// HazardKinds lists the hazard kinds.
var HazardKinds = []string{HazardWeapons, HazardDog, HazardHostile, HazardOxygen, HazardMentalHealth, HazardHazmat, HazardAccess, HazardOther}

// Premise statuses.
const (
	PremiseInForce = "IN_FORCE"
	PremiseRemoved = "REMOVED"
)

// Bounds of a premise record.
const (
	// DefaultPremiseRadiusM is the radius of a premise given without one:
	// an address, give or take the grid's accuracy.
	DefaultPremiseRadiusM = 50
	MaxPremiseRadiusM     = 2_000
	MaxPremiseFlags       = 10
	MaxFlagTextLength     = 1000
	// MaxFlagDuration bounds a flag's life: a caution is reviewed at
	// least every two years, so that none outlives the people it was about.
	MaxFlagDuration = 2 * 366 * 24 * time.Hour
)

// A Premise is a premise record: hazard and caution flags an agency keeps
// on an address, a place or an area (a circle of RadiusM around the
// location's point), for the safety of those it sends there. Each flag's
// text is private (a commitment in the log); its kind is not.
type Premise struct {
	ID       string        `json:"id"`
	Agency   string        `json:"agency"`
	Location Location      `json:"location"`
	RadiusM  float64       `json:"radius_m"`
	Flags    []PremiseFlag `json:"flags"`
	// EnteredBy and Entered say who entered the record and when.
	EnteredBy Who       `json:"entered_by"`
	Entered   time.Time `json:"entered"`
	Status    string    `json:"status"`
	// Removed, RemovedBy and RemoveReason say when, by whom and why the
	// record was removed before its flags expired.
	Removed      *time.Time `json:"removed,omitempty"`
	RemovedBy    *Who       `json:"removed_by,omitempty"`
	RemoveReason string     `json:"remove_reason,omitempty"`
}

// A PremiseFlag is one hazard or caution of a premise record.
type PremiseFlag struct {
	Kind string `json:"kind"`
	// Text is what to know, such as "two rifles in the front bedroom"; a
	// private field.
	Text string `json:"text,omitempty"`
	// Source says where it came from: a prior call, an officer, a
	// resident, a fire inspection.
	Source  string    `json:"source,omitempty"`
	Expires time.Time `json:"expires"`
}

// A Hazard is a flag in force over a place, as the incident, the
// recommendation and the unit's view show it.
type Hazard struct {
	Kind    string    `json:"kind"`
	Text    string    `json:"text,omitempty"`
	Source  string    `json:"source,omitempty"`
	Premise string    `json:"premise"`
	Place   string    `json:"place,omitempty"` // the premise's location text
	Expires time.Time `json:"expires"`
	// DistanceM is how far the place lies from the premise's point.
	DistanceM float64 `json:"distance_m"`
}

// PremiseRecorded is the payload of premise.recorded. Each flag's text is
// the private field PremiseFlagField(i); the one who entered it is the
// event's actor.
type PremiseRecorded struct {
	ID       string        `json:"id"`
	Location Location      `json:"location"`
	RadiusM  float64       `json:"radius_m"`
	Flags    []PremiseFlag `json:"flags"` // without their text
}

// PremiseRemoval is the payload of premise.removed.
type PremiseRemoval struct {
	Premise string `json:"premise"`
	Reason  string `json:"reason"`
}

// PrivateFlagText names the texts of premise flags where reads of them are
// accounted for (private.read): an incident's view shows the texts of the
// flags over its place, each stored as PremiseFlagField(i) of its record.
const PrivateFlagText = "flag_text"

// PremiseFlagField returns the name of the private field that holds the
// text of flag i (from 0) of a premise record: flag1_text, flag2_text, …
func PremiseFlagField(i int) string { return fmt.Sprintf("flag%d_text", i+1) }

// PremiseID returns the id of the n-th premise record of agency in year,
// such as metro-P-2026-000001.
func PremiseID(agency string, year, n int) string {
	return fmt.Sprintf("%s-P-%d-%06d", agency, year, n)
}

// InForce reports whether p has a flag in force at now.
func (p *Premise) InForce(now time.Time) bool {
	return p.Status == PremiseInForce && slices.ContainsFunc(p.Flags, func(f PremiseFlag) bool { return now.Before(f.Expires) })
}

// mayEnterPremises reports whether actor may enter and remove the premise
// records of agency: its call-takers, dispatchers and supervisors, who
// learn of hazards from calls and from units.
func mayEnterPremises(actor Actor, agency string) error {
	if actor.User == "" || actor.IsSystem() || actor.Agency != agency ||
		!slices.Contains([]string{RoleCallTaker, RoleDispatcher, RoleSupervisor}, actor.Role) {
		return Errorf(EFORBIDDEN, "only a call-taker, dispatcher or supervisor of %s may enter or remove its premise records", agency)
	}
	return nil
}

// RecordPremise enters a premise record for an agency. The location must
// have a point (the API places an address with the gazetteer); RadiusM 0
// means DefaultPremiseRadiusM.
type RecordPremise struct {
	Agency   string
	Location Location
	RadiusM  float64
	Flags    []PremiseFlag
}

// Decide implements Command.
func (c RecordPremise) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mayEnterPremises(actor, c.Agency); err != nil {
		return nil, err
	}
	loc := c.Location
	if loc.Lat == nil || loc.Lon == nil || !validPoint(*loc.Lat, *loc.Lon) {
		return nil, Errorf(EINVALID, "a premise record needs a place on the map: an address the gazetteer knows, or a latitude and longitude")
	}
	if err := CheckText("location text", &loc.Text, 300, false); err != nil {
		return nil, err
	}
	loc.Text = strings.TrimSpace(loc.Text)
	radius := c.RadiusM
	if radius == 0 {
		radius = DefaultPremiseRadiusM
	}
	if !(radius >= 1 && radius <= MaxPremiseRadiusM) {
		return nil, Errorf(EINVALID, "a premise's radius must be between 1 and %d metres", MaxPremiseRadiusM)
	}
	if len(c.Flags) == 0 || len(c.Flags) > MaxPremiseFlags {
		return nil, Errorf(EINVALID, "a premise record has 1 to %d flags", MaxPremiseFlags)
	}
	flags := make([]PremiseFlag, len(c.Flags))
	private := map[string]string{}
	for i, f := range c.Flags {
		if !slices.Contains(HazardKinds, f.Kind) {
			return nil, Errorf(EINVALID, "flag %d: kind %q is not one of %s", i+1, f.Kind, strings.Join(HazardKinds, ", "))
		}
		if err := CheckText(fmt.Sprintf("flag %d text", i+1), &f.Text, MaxFlagTextLength, true); err != nil {
			return nil, err
		}
		if err := CheckText(fmt.Sprintf("flag %d source", i+1), &f.Source, 200, false); err != nil {
			return nil, err
		}
		if !f.Expires.After(now) {
			return nil, Errorf(EINVALID, "flag %d must expire after it is entered", i+1)
		}
		if f.Expires.Sub(now) > MaxFlagDuration {
			return nil, Errorf(EINVALID, "flag %d expires within two years; enter it again to keep it longer", i+1)
		}
		flags[i] = PremiseFlag{Kind: f.Kind, Source: strings.TrimSpace(f.Source), Expires: f.Expires.UTC()}
		private[PremiseFlagField(i)] = strings.TrimSpace(f.Text)
	}
	year := now.UTC().Year()
	id := PremiseID(c.Agency, year, s.premiseSerial[serialKey(c.Agency, year)]+1)
	return []Event{{
		Time: now, Type: TypePremiseRecorded, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"premise": id},
		Data:    &PremiseRecorded{ID: id, Location: loc, RadiusM: radius, Flags: flags},
		Private: private,
	}}, nil
}

// RemovePremise removes a premise record before its flags expire, with a
// reason: the hazard is gone, or it was entered in error. The record and
// its history stay in the log.
type RemovePremise struct {
	Premise string
	Reason  string
}

// Decide implements Command.
func (c RemovePremise) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	p, ok := s.Premises[c.Premise]
	if !ok || (actor.Agency != "" && actor.Agency != p.Agency) {
		return nil, Errorf(ENOTFOUND, "premise record %s does not exist", c.Premise)
	}
	if err := mayEnterPremises(actor, p.Agency); err != nil {
		return nil, err
	}
	if p.Status != PremiseInForce {
		return nil, Errorf(ECONFLICT, "premise record %s was already removed", p.ID)
	}
	if err := CheckText("reason", &c.Reason, 500, true); err != nil {
		return nil, err
	}
	return []Event{{
		Time: now, Type: TypePremiseRemoved, Agency: p.Agency, Actor: actor,
		Subject: map[string]string{"premise": p.ID},
		Data:    &PremiseRemoval{Premise: p.ID, Reason: strings.TrimSpace(c.Reason)},
	}}, nil
}

func (s *State) applyPremiseRecorded(e Event, d *PremiseRecorded) error {
	if _, ok := s.Premises[d.ID]; ok {
		return fmt.Errorf("premise record %q recorded twice", d.ID)
	}
	flags := slices.Clone(d.Flags)
	for i := range flags {
		flags[i].Text = e.Private[PremiseFlagField(i)]
	}
	s.Premises[d.ID] = &Premise{
		ID: d.ID, Agency: e.Agency, Location: d.Location, RadiusM: d.RadiusM, Flags: flags,
		EnteredBy: whoOf(e.Actor), Entered: e.Time, Status: PremiseInForce,
	}
	if s.premiseSerial == nil {
		s.premiseSerial = make(map[string]int)
	}
	s.premiseSerial[serialKey(e.Agency, e.Time.UTC().Year())]++
	return nil
}

func (s *State) applyPremiseRemoved(e Event, d *PremiseRemoval) error {
	p, ok := s.Premises[d.Premise]
	if !ok || p.Status != PremiseInForce {
		return fmt.Errorf("premise record %q removed but is not in force", d.Premise)
	}
	by := whoOf(e.Actor)
	p.Status, p.Removed, p.RemovedBy, p.RemoveReason = PremiseRemoved, at(e.Time), &by, d.Reason
	return nil
}

// PremiseList returns the premise records of agency (all if agency is
// ""), newest first.
func (s *State) PremiseList(agency string) []*Premise {
	var out []*Premise
	for _, p := range s.Premises {
		if agency == "" || p.Agency == agency {
			out = append(out, p)
		}
	}
	newestFirst(out, func(p *Premise) (time.Time, string) { return p.Entered, p.ID })
	return out
}

// HazardsAt returns the flags of agency's premise records in force at now
// whose circle takes in loc's point, nearest first and then by premise and
// kind. A location with no point has none: tenfour cannot know it is near.
func (s *State) HazardsAt(agency string, loc Location, now time.Time) []Hazard {
	out := []Hazard{}
	if loc.Lat == nil || loc.Lon == nil {
		return out
	}
	for _, p := range s.Premises {
		if p.Agency != agency || p.Status != PremiseInForce || p.Location.Lat == nil || p.Location.Lon == nil {
			continue
		}
		d := DistanceM(*p.Location.Lat, *p.Location.Lon, *loc.Lat, *loc.Lon)
		if d > p.RadiusM {
			continue
		}
		for _, f := range p.Flags {
			if now.Before(f.Expires) {
				out = append(out, Hazard{Kind: f.Kind, Text: f.Text, Source: f.Source, Premise: p.ID,
					Place: p.Location.Text, Expires: f.Expires, DistanceM: d})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.DistanceM != b.DistanceM {
			return a.DistanceM < b.DistanceM
		}
		if a.Premise != b.Premise {
			return a.Premise < b.Premise
		}
		return a.Kind < b.Kind
	})
	return out
}

// Bounds of a search for prior incidents.
const (
	DefaultPriorRadiusM = 100
	MaxPriorRadiusM     = 2_000
	DefaultPriorDays    = 365
	MaxPriorDays        = 5 * 365
	MaxPriors           = 50
)

// A Prior is an earlier incident at or near a place.
type Prior struct {
	Incident    string     `json:"incident"`
	Type        string     `json:"type"`
	Priority    int        `json:"priority"`
	Status      string     `json:"status"`
	Location    string     `json:"location,omitempty"`
	Received    time.Time  `json:"received"`
	Cleared     *time.Time `json:"cleared,omitempty"`
	Disposition string     `json:"disposition,omitempty"`
	// DistanceM is between the two points; 0 when one has none.
	DistanceM float64 `json:"distance_m"`
	// SameAddress says it was at the same address, as typed or verified
	// (AddressKey), whatever the distance between the points.
	SameAddress bool `json:"same_address,omitempty"`
}

// PriorsOf returns the other incidents of in's agency received at its
// place over the days before now, newest first, at most MaxPriors: within
// radiusM metres of its point, or at the same address (AddressKey) — a
// place off the map, kept as typed, has no point but has its history.
func (s *State) PriorsOf(in *Incident, radiusM float64, days int, now time.Time) []Prior {
	others := make([]*Incident, 0, len(s.Incidents))
	for _, o := range s.Incidents {
		others = append(others, o)
	}
	return PriorsAmong(in, others, radiusM, days, now)
}

// PriorsAmong is PriorsOf over the incidents others: those the state holds,
// and the archived ones (the engine reads both). Each incident must appear
// in others once.
func PriorsAmong(in *Incident, others []*Incident, radiusM float64, days int, now time.Time) []Prior {
	out := []Prior{}
	key := AddressKey(in.Location)
	point := in.Location.Lat != nil && in.Location.Lon != nil
	if !point && key == "" {
		return out
	}
	since := now.Add(-time.Duration(days) * 24 * time.Hour)
	for _, o := range others {
		if o.ID == in.ID || o.Agency != in.Agency || o.Received.Before(since) || o.Received.After(now) {
			continue
		}
		p := Prior{Incident: o.ID, Type: o.Type, Priority: o.Priority, Status: o.Status,
			Location: o.Location.Text, Received: o.Received, Cleared: o.Cleared, Disposition: o.Disposition}
		near := false
		if point && o.Location.Lat != nil && o.Location.Lon != nil {
			p.DistanceM = DistanceM(*in.Location.Lat, *in.Location.Lon, *o.Location.Lat, *o.Location.Lon)
			near = p.DistanceM <= radiusM
		}
		if key != "" && AddressKey(o.Location) == key {
			p.SameAddress, near = true, true
		}
		if near {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Received.Equal(out[j].Received) {
			return out[i].Received.After(out[j].Received)
		}
		return out[i].Incident > out[j].Incident
	})
	if len(out) > MaxPriors {
		out = out[:MaxPriors]
	}
	return out
}
