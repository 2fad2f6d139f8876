package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
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
// PremiseClerk, flags expiring the given days after now. It is
// idempotent: an agency that has premise records gets none.
func SetupPremises(ctx context.Context, exec Executor, has func(agency string) bool, now time.Time) (int, error) {
	if has(PremiseClerk.Agency) {
		return 0, nil
	}
	n := 0
	for _, p := range Premises() {
		// The engine places the address on the map (dispatch.Placed).
		c := dispatch.RecordPremise{Agency: PremiseClerk.Agency, Location: dispatch.Location{Text: p.Address}}
		for _, f := range p.Flags {
			c.Flags = append(c.Flags, dispatch.PremiseFlag{Kind: f.Kind, Text: f.Text, Source: f.Source,
				Expires: now.Add(time.Duration(f.Days) * 24 * time.Hour)})
		}
		if err := exec(ctx, PremiseClerk, c); err != nil {
			return n, fmt.Errorf("demo premise %s: %w", p.Address, err)
		}
		n++
	}
	return n, nil
}
