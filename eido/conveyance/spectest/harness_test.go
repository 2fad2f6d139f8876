package spectest

import (
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido/conveyance/conveyancetest"
)

// notifier starts a tenfour node with a notifier and a partner account;
// it returns the conveyance's URL, the partner's bearer token, and
// functions that create an incident and change one. This is the only
// file of the package that knows tenfour: the subscriber does not.
func notifier(t *testing.T) (url, token string, create func() string, change func(id, note string)) {
	n := conveyancetest.MustOpenNode(t, "notifier.example", "metro")
	token = n.MustCreatePartner(t, "partner", "metro", dispatch.RoleLiaison)
	create = func() string { return n.MustCreateIncident(t, "metro", "ASSAULT") }
	change = func(id, note string) { n.MustExecute(t, dispatch.AddNote{Incident: id, Text: note}) }
	return n.WebSocketURL(), token, create, change
}
