package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// BOLOIssuer is who issues the demo city's BOLOs: metro's demo dispatcher
// (Users), a named person as the domain requires.
var BOLOIssuer = dispatch.Actor{User: "metro-dispatcher", Agency: "metro", Role: dispatch.RoleDispatcher,
	Roles: []string{dispatch.RoleDispatcher}}

// BOLOs returns the demo city's BOLOs, issued at its start: a stolen
// vehicle around Midway and a missing person agency-wide, lasting Days.
func BOLOs() []dispatch.IssueBOLO {
	return []dispatch.IssueBOLO{
		{Agency: "metro", Kind: dispatch.BOLOVehicle, Priority: 2, Plate: "DM 58214",
			Description: "Stolen grey 2019 Honda Accord, cracked windshield, last seen westbound on 55th St",
			Area:        dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: 41.7868, Lon: -87.7522, RadiusM: 4000}}},
		{Agency: "metro", Kind: dispatch.BOLOPerson, Priority: 3,
			Description: "Missing adult, 78, with dementia: white hair, blue cardigan, may be confused; call dispatch, do not pursue",
			Area:        dispatch.Scope{Kind: dispatch.ScopeAgency}},
	}
}

// SetupBOLOs issues the demo city's BOLOs (BOLOs) as BOLOIssuer, expiring
// days after now. It is idempotent: an agency that has BOLOs gets none.
func SetupBOLOs(ctx context.Context, exec Executor, has func(agency string) bool, now time.Time, days int) (int, error) {
	if has(BOLOIssuer.Agency) {
		return 0, nil
	}
	n := 0
	for _, b := range BOLOs() {
		b.Expires = now.Add(time.Duration(days) * 24 * time.Hour)
		if err := exec(ctx, BOLOIssuer, b); err != nil {
			return n, fmt.Errorf("demo BOLO %s: %w", b.Description, err)
		}
		n++
	}
	return n, nil
}
