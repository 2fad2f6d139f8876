package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// PremiseClerk is who enters the demo city's premise records: metro's
// demo call-taker (Users), a named person as the domain requires.
var PremiseClerk = dispatch.Actor{User: "metro-call-taker", Agency: "metro", Role: dispatch.RoleCallTaker,
	Roles: []string{dispatch.RoleCallTaker}}

// A PremisePlan is one of the demo city's premise records: an address of
// the gazetteer and its flags, each lasting Days from the demo's start.
type PremisePlan struct {
	Address string
	Flags   []PremiseFlagPlan
}

// A PremiseFlagPlan is a flag of a PremisePlan.
type PremiseFlagPlan struct {
	Kind, Text, Source string
	Days               int
}

// Premises returns the demo city's premise records: a few of metro's
// addresses with hazards, away from the reference scenario's corner so
// that it stays as documented.
func Premises() []PremisePlan {
	return []PremisePlan{
		{"4500 S Ashland Ave", []PremiseFlagPlan{
			{dispatch.HazardWeapons, "Resident keeps a shotgun by the back door", "prior call", 180},
			{dispatch.HazardDog, "Two large dogs loose in the yard", "officer", 90},
		}},
		{"5100 S Pulaski Rd", []PremiseFlagPlan{
			{dispatch.HazardOxygen, "Home oxygen in use, second floor", "resident", 365},
		}},
		{"2800 W 31st St", []PremiseFlagPlan{
			{dispatch.HazardHostile, "Occupant threatened officers on last two visits", "prior call", 120},
			{dispatch.HazardMentalHealth, "Adult son in crisis care; ask for the mother", "family", 120},
		}},
		{"4700 S Western Ave", []PremiseFlagPlan{
			{dispatch.HazardHazmat, "Auto body shop: paint solvents and compressed gas", "fire inspection", 365},
		}},
	}
}

// SetupPremises enters the demo city's premise records (Premises) as
// PremiseClerk on map m, flags expiring the given days after now. A record
// whose address the map does not know (the engine refuses it: a map other
// than the demo city's) goes to one of the map's own addresses instead,
// spread over them, as a clerk would enter the premise where it is. It is
// idempotent: an agency that has premise records gets none.
func SetupPremises(ctx context.Context, m *geo.Map, exec Executor, has func(agency string) bool, now time.Time) (int, error) {
	if has(PremiseClerk.Agency) {
		return 0, nil
	}
	var spots *places
	plans := Premises()
	n := 0
	for i, p := range plans {
		// The engine places the address on the map (dispatch.Placed).
		c := dispatch.RecordPremise{Agency: PremiseClerk.Agency, Location: dispatch.Location{Text: p.Address}}
		for _, f := range p.Flags {
			c.Flags = append(c.Flags, dispatch.PremiseFlag{Kind: f.Kind, Text: f.Text, Source: f.Source,
				Expires: now.Add(time.Duration(f.Days) * 24 * time.Hour)})
		}
		err := exec(ctx, PremiseClerk, c)
		if err != nil && dispatch.ErrorCode(err) == dispatch.EINVALID {
			if spots == nil {
				if spots, err = newSpots(m); err != nil {
					return n, fmt.Errorf("demo premise %s: %w", p.Address, err)
				}
			}
			if at, ok := spots.address(i, len(plans)); ok {
				c.Location = dispatch.Location{Text: at.text}
				err = exec(ctx, PremiseClerk, c)
			}
		}
		if err != nil {
			return n, fmt.Errorf("demo premise %s: %w", c.Location.Text, err)
		}
		n++
	}
	return n, nil
}
