package dispatch

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	// Run cards' time-of-day rules read the agency's time zone; the
	// zone database goes in the binary so that every node, and every
	// replay, reads the same rules.
	_ "time/tzdata"
)

// TypeRunCardsSet records an agency's run cards, all of them at once.
const TypeRunCardsSet = "agency.run_cards_set"

// Bounds of a set of run cards.
const (
	MaxRunCards   = 200
	MaxSlots      = 12
	MaxSlotCount  = 10
	MaxNearRadius = 5000 // metres
)

// RunCards are an agency's response plans (run cards): for a response zone
// and an incident type, which unit kinds to send and how many. TimeZone
// (IANA, default UTC) is where the cards' hours are read.
type RunCards struct {
	TimeZone string    `json:"time_zone,omitempty"`
	Cards    []RunCard `json:"cards"`
}

// A RunCard is one response plan. It applies to incidents of Type in Zone
// (a district or a beat, or "*" for anywhere), and, if given, of Priority
// only, at Hours only (a time-of-day rule: a night card), or within Near
// only (an address exception: a high-rise, a hospital). Slots say what to
// send.
type RunCard struct {
	Name     string `json:"name"`
	Zone     string `json:"zone"`
	Type     string `json:"type"`
	Priority *int   `json:"priority,omitempty"`
	Hours    *Hours `json:"hours,omitempty"`
	Near     *Near  `json:"near,omitempty"`
	Slots    []Slot `json:"slots"`
}

// Hours are a time-of-day window, "HH:MM" to "HH:MM" in the cards' time
// zone, From included and To not; a window whose To is before its From
// runs over midnight (22:00 to 06:00).
type Hours struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Near is the place of an address exception: a point and a radius, and the
// text a dispatcher knows it by.
type Near struct {
	Text    string  `json:"text"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	RadiusM int     `json:"radius_m"`
}

// A Slot is Count units of Kind.
type Slot struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// RunCardsSet is the payload of agency.run_cards_set.
type RunCardsSet struct {
	Agency string `json:"agency"`
	RunCards
}

var hhmmRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// minuteOfDay reads "HH:MM", which hhmmRE has checked.
func minuteOfDay(v string) int {
	var h, m int
	fmt.Sscanf(v, "%d:%d", &h, &m)
	return h*60 + m
}

// SetRunCards replaces an agency's run cards. An empty list removes them:
// the agency's recommendations are then by distance alone.
type SetRunCards struct {
	Agency   string
	RunCards RunCards
}

// Decide implements Command.
func (c SetRunCards) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if _, ok := s.Agencies[c.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", c.Agency)
	}
	if err := mayAct(actor, c.Agency); err != nil {
		return nil, err
	}
	if !actor.IsSystem() && actor.Role != RoleSupervisor && actor.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "only a supervisor or an administrator sets run cards")
	}
	rc := c.RunCards
	if rc.TimeZone != "" {
		if err := CheckText("time zone", &rc.TimeZone, 64, false); err != nil {
			return nil, err
		}
		if _, err := time.LoadLocation(rc.TimeZone); err != nil || rc.TimeZone == "Local" {
			return nil, Errorf(EINVALID, "time zone %q is not an IANA time zone such as America/Chicago", rc.TimeZone)
		}
	}
	if len(rc.Cards) > MaxRunCards {
		return nil, Errorf(EINVALID, "an agency has at most %d run cards", MaxRunCards)
	}
	out := RunCards{TimeZone: rc.TimeZone, Cards: make([]RunCard, 0, len(rc.Cards))}
	for i, card := range rc.Cards {
		card, err := s.checkRunCard(c.Agency, card)
		if err != nil {
			return nil, Errorf(EINVALID, "run card %d: %s", i+1, err.(*Error).Message)
		}
		out.Cards = append(out.Cards, card)
	}
	return []Event{{
		Time: now, Type: TypeRunCardsSet, Agency: c.Agency, Actor: actor,
		Subject: map[string]string{"agency": c.Agency},
		Data:    &RunCardsSet{Agency: c.Agency, RunCards: out},
	}}, nil
}

// checkRunCard validates one card and returns it tidied.
func (s *State) checkRunCard(agency string, c RunCard) (RunCard, error) {
	c.Name, c.Zone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Zone)
	if err := CheckText("name", &c.Name, 100, true); err != nil {
		return c, err
	}
	if err := CheckText("zone", &c.Zone, 32, true); err != nil {
		return c, err
	}
	if _, ok := s.IncidentType(agency, c.Type); !ok {
		return c, Errorf(EINVALID, "incident type %q is not in the catalogue", c.Type)
	}
	if c.Priority != nil && (*c.Priority < 0 || *c.Priority > 4) {
		return c, Errorf(EINVALID, "priority %d is not between 0 and 4", *c.Priority)
	}
	if h := c.Hours; h != nil && (!hhmmRE.MatchString(h.From) || !hhmmRE.MatchString(h.To) || h.From == h.To) {
		return c, Errorf(EINVALID, "hours run from one HH:MM to another, such as 22:00 to 06:00")
	}
	if n := c.Near; n != nil {
		n.Text = strings.TrimSpace(n.Text)
		if err := CheckText("near text", &n.Text, 300, true); err != nil {
			return c, err
		}
		if n.Lat < -90 || n.Lat > 90 || n.Lon < -180 || n.Lon > 180 || n.Lat != n.Lat || n.Lon != n.Lon {
			return c, Errorf(EINVALID, "near needs a latitude and longitude")
		}
		if n.RadiusM < 1 || n.RadiusM > MaxNearRadius {
			return c, Errorf(EINVALID, "near radius_m is 1 to %d metres", MaxNearRadius)
		}
		cp := *n
		c.Near = &cp
	}
	if len(c.Slots) == 0 || len(c.Slots) > MaxSlots {
		return c, Errorf(EINVALID, "a run card has 1 to %d slots", MaxSlots)
	}
	for i, sl := range c.Slots {
		if !slices.Contains(UnitKinds, sl.Kind) {
			return c, Errorf(EINVALID, "unit kind %q is not one of %s", sl.Kind, strings.Join(UnitKinds, ", "))
		}
		if slices.ContainsFunc(c.Slots[:i], func(o Slot) bool { return o.Kind == sl.Kind }) {
			return c, Errorf(EINVALID, "unit kind %s has two slots; give it one with a count", sl.Kind)
		}
		if sl.Count < 1 || sl.Count > MaxSlotCount {
			return c, Errorf(EINVALID, "a slot sends 1 to %d units", MaxSlotCount)
		}
	}
	c.Slots = slices.Clone(c.Slots)
	if c.Priority != nil {
		c.Priority = at0(*c.Priority)
	}
	if c.Hours != nil {
		h := *c.Hours
		c.Hours = &h
	}
	return c, nil
}

func at0(v int) *int { return &v }

func (s *State) applyRunCards(e Event, d *RunCardsSet) error {
	a, ok := s.Agencies[d.Agency]
	if !ok || d.Agency != e.Agency {
		return fmt.Errorf("run cards for agency %q, which does not exist or is another", d.Agency)
	}
	if len(d.Cards) == 0 {
		a.RunCards = nil
		return nil
	}
	rc := d.RunCards
	rc.Cards = slices.Clone(d.Cards) // the state's own; cards are never changed in place
	a.RunCards = &rc
	return nil
}

// RunCardFor returns the run card for incident in at now, if its agency
// has one that applies: of its type, in its zone (a response zone of the map, a beat, a district or "*"),
// of its priority, at this hour and within its place, where the card names
// them. The most specific wins: an address exception over a time-of-day
// card over a beat's over a district's over "*", and a card of the
// priority over one of any; among equals, the first in the list.
func (s *State) RunCardFor(in *Incident, now time.Time) (RunCard, bool) {
	a := s.Agencies[in.Agency]
	if a == nil || a.RunCards == nil {
		return RunCard{}, false
	}
	loc := time.UTC
	if a.RunCards.TimeZone != "" {
		if l, err := time.LoadLocation(a.RunCards.TimeZone); err == nil {
			loc = l
		}
	}
	t := now.In(loc)
	minute := t.Hour()*60 + t.Minute()
	best, bestScore := -1, -1
	for i, c := range a.RunCards.Cards {
		if c.Type != in.Type || (c.Priority != nil && *c.Priority != in.Priority) {
			continue
		}
		score := 0
		switch {
		case c.Zone == "*":
		case in.Location.Zone != "" && c.Zone == in.Location.Zone:
			score += 6 // a response zone of the map: the most specific
		case in.Location.Beat != "" && c.Zone == in.Location.Beat:
			score += 4
		case in.Location.District != "" && c.Zone == in.Location.District:
			score += 2
		default:
			continue
		}
		if c.Priority != nil {
			score++
		}
		if h := c.Hours; h != nil {
			from, to := minuteOfDay(h.From), minuteOfDay(h.To)
			inside := minute >= from && minute < to
			if to < from {
				inside = minute >= from || minute < to
			}
			if !inside {
				continue
			}
			score += 8
		}
		if n := c.Near; n != nil {
			if in.Location.Lat == nil || in.Location.Lon == nil ||
				DistanceM(*in.Location.Lat, *in.Location.Lon, n.Lat, n.Lon) > float64(n.RadiusM) {
				continue
			}
			score += 16
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return RunCard{}, false
	}
	return a.RunCards.Cards[best], true
}
