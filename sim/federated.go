package sim

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// The federated demo city (issue 17, `tenfour demo --federated`): the same
// city and agencies, each run by its own organisation on its own
// installation of tenfour, peered with the others. Mutual aid between them
// goes as signed messages: a plan names agency@installation, and a partner
// answers on its mirror of the request (dispatch/remote.go).

// An Installation is one installation of the federated demo city: the name
// its peers know it by and the agencies of Agencies it runs.
type Installation struct {
	Name     string
	Agencies []string
}

// Installations are the federated demo city's installations: the federal
// patrol's; the city's, which runs Metro PD and its fire department; the
// county's, the sheriff's; and the state police's.
var Installations = []Installation{
	{Name: "federal", Agencies: []string{"federal"}},
	{Name: "metro", Agencies: []string{"metro", FireAgency}},
	{Name: "county", Agencies: []string{"sheriff"}},
	{Name: "state", Agencies: []string{"state"}},
}

// Holds reports whether the installation runs agency.
func (in Installation) Holds(agency string) bool { return slices.Contains(in.Agencies, agency) }

// InstallationOf returns the name of the federated demo city's
// installation that runs agency, or "".
func InstallationOf(agency string) string {
	for _, in := range Installations {
		if in.Holds(agency) {
			return in.Name
		}
	}
	return ""
}

// KedzieMessageSlack is what the federated scenario waits for a step of
// another installation beyond the domain's deadlines: the messages that
// bring it take a signed checkpoint, and a retry or two.
const KedzieMessageSlack = 30 * time.Second

// A Site is an installation of the federated city as the scenario acts on
// it: its commands, recorded there, and its city, read there.
type Site struct {
	Exec  Recorder
	World KedzieWorld
}

// KedzieFederated plays the reference scenario (Kedzie) across the
// federated demo city, sites by installation name (Installations), each
// step a command of the acting agency's user on that agency's own
// installation: federal's plan asks metro@metro, then sheriff@county, then
// state@state; Metro PD's commander holds the area on metro's; federal's
// crew presses EMERGENCY on federal's, and the request reaches the
// partners as messages, each of which answers on its mirror of it
// (dispatch.MirrorID(request, "federal")), waited for until it has come.
// Each Step names its installation (Step.On). It returns the request's id
// on federal's installation.
func KedzieFederated(ctx context.Context, sites map[string]Site, at geo.Point, speed float64, step func(Step)) (string, error) {
	for _, in := range Installations {
		if _, ok := sites[in.Name]; !ok {
			return "", fmt.Errorf("kedzie: no site for installation %s", in.Name)
		}
	}
	city := kedzieCity{
		on: InstallationOf,
		site: func(agency string) Site {
			return sites[InstallationOf(agency)]
		},
		asked: func(agency string) string {
			if agency == "federal" {
				return agency
			}
			return dispatch.Remote(agency, InstallationOf(agency))
		},
		request: func(agency, id string) string {
			if agency == "federal" {
				return id
			}
			return dispatch.MirrorID(id, "federal")
		},
		slack: KedzieMessageSlack,
	}
	return kedzie(ctx, city, at, speed, step)
}
