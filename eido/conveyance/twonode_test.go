package conveyance_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/eido/conveyance/conveyancetest"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// startSubscriber runs a subscriber of node b, into b's agency, to url
// with token, until cleanup.
func startSubscriber(t *testing.T, b *conveyancetest.Node, agency, url, token string) (*conveyance.Subscriber, *conveyancetest.Sink) {
	t.Helper()
	sink := conveyancetest.NewSink(b, agency)
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := b.Engine.Execute(ctx, a, c)
		return err
	}
	s := conveyance.NewSubscriber(url, token, sink, exec, nil)
	s.Name, s.Agency = "metro-cad", agency
	s.MinBackoff, s.MaxBackoff = 10*time.Millisecond, 100*time.Millisecond
	s.RecordEvery = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return s, sink
}

// notes returns a function that reports whether the latest EIDO of
// incident (a URN) has n notes.
func notes(urn string, n int) func(map[string]conveyancetest.Doc, map[string]string) bool {
	return func(latest map[string]conveyancetest.Doc, _ map[string]string) bool {
		d, ok := latest[urn]
		return ok && len(d.Notes) == n
	}
}

func urn(n *conveyancetest.Node, id string) string {
	return conveyance.IncidentURNPrefix + id + ":" + n.Domain
}

// Two tenfour nodes: metro's notifies, the county's subscribes through a
// network that fails. Every change of a subscribed incident reaches the
// county and becomes (or updates) an incident there; after the network
// drops, the subscriber comes back, subscribes again and misses nothing:
// neither the change of an incident it had, nor an incident created while
// it was away, nor one created and closed meanwhile (by its since). Both logs record what was conveyed.
func TestTwoNodes(t *testing.T) {
	a := conveyancetest.MustOpenNode(t, "metro.example", "metro")
	b := conveyancetest.MustOpenNode(t, "county.example", "county")
	token := a.MustCreatePartner(t, "county-cad", "metro", dispatch.RoleLiaison)
	x := a.MustCreateIncident(t, "metro", "ASSAULT")

	proxy := conveyancetest.MustProxy(t, a.Listener.Addr().String())
	sub, sink := startSubscriber(t, b, "county", "ws://"+proxy.Addr()+tenfourhttp.EIDOConveyancePath, token)

	// The active incident arrives at once (the subscription to new
	// incidents), and becomes one of the county's.
	sink.Await(t, "the active incident", notes(urn(a, x), 0))
	// A change arrives.
	a.MustExecute(t, dispatch.AddNote{Incident: x, Text: "suspect left northbound"})
	sink.Await(t, "the first change", notes(urn(a, x), 1))
	// A new incident arrives.
	y := a.MustCreateIncident(t, "metro", "BURGLARY")
	sink.Await(t, "the new incident", notes(urn(a, y), 0))

	// The network drops; meanwhile x changes, and z is created.
	proxy.Cut(true)
	a.MustExecute(t, dispatch.AddNote{Incident: x, Text: "second note"})
	z := a.MustCreateIncident(t, "metro", "THEFT")
	a.MustExecute(t, dispatch.AddNote{Incident: y, Text: "y's note"})
	// w is created and closed while the subscriber is away: no longer
	// active, it comes by the subscription's since.
	w := a.MustCreateIncident(t, "metro", "NOISE")
	a.MustExecute(t, dispatch.ClearIncident{Incident: w, Disposition: "gone on arrival"})
	proxy.Up()
	sink.Await(t, "x's change made while disconnected", notes(urn(a, x), 2))
	sink.Await(t, "y's change made while disconnected", notes(urn(a, y), 1))
	sink.Await(t, "z, created while disconnected", notes(urn(a, z), 0))
	sink.Await(t, "w, created and closed while disconnected", func(latest map[string]conveyancetest.Doc, _ map[string]string) bool {
		d, ok := latest[urn(a, w)]
		return ok && len(d.Incident.Status) == 1 && d.Incident.Status[0] != "PENDING"
	})
	if n := sub.Sessions(); n < 2 {
		t.Errorf("Sessions() = %d, want 2 or more: the subscriber reconnected", n)
	}

	// Each remote incident is one incident of the county.
	sink.Await(t, "four incidents", func(_ map[string]conveyancetest.Doc, local map[string]string) bool {
		return len(local) == 4
	})
	for _, in := range b.Engine.Incidents(conveyancetest.System) {
		if in.Agency != "county" {
			t.Errorf("incident %s of %s on the county's node, want the county's", in.ID, in.Agency)
		}
	}
	if got := len(b.Engine.Incidents(conveyancetest.System)); got != 4 {
		t.Errorf("the county has %d incidents, want 4", got)
	}

	// The logs: what metro sent, what the county received, with hashes
	// and sizes, to and from whom.
	a.Notifier.Flush(context.Background())
	sub.Flush(context.Background())
	sent := conveyed(t, a, dispatch.TypeEIDOSent)
	received := conveyed(t, b, dispatch.TypeEIDOReceived)
	for _, id := range []string{x, y, z} {
		if !slices.ContainsFunc(sent, func(c dispatch.ConveyedEIDO) bool {
			return c.Incident == id && len(c.SHA256) == 64 && c.Size > 0 && len(c.Recipients) > 0 &&
				c.Recipients[0].User == "county-cad" && c.Recipients[0].Agency == "metro"
		}) {
			t.Errorf("metro's log has no eido.sent of %s to county-cad with its hash and size", id)
		}
		if !slices.ContainsFunc(received, func(c dispatch.ConveyedEIDO) bool {
			return c.Remote == urn(a, id) && c.Outcome == dispatch.EIDOImported && c.Incident != "" && len(c.SHA256) == 64
		}) {
			t.Errorf("the county's log has no eido.received of %s, imported", urn(a, id))
		}
	}
	// What was sent is what was received: the same hashes.
	for _, r := range received {
		if !slices.ContainsFunc(sent, func(s dispatch.ConveyedEIDO) bool { return s.SHA256 == r.SHA256 && s.Size == r.Size }) {
			t.Errorf("the county received an EIDO of %s (%s) that metro's log does not show sent", r.Remote, r.SHA256)
		}
	}
}

// conveyed returns the EIDOs of the node's events of type typ.
func conveyed(t *testing.T, n *conveyancetest.Node, typ string) []dispatch.ConveyedEIDO {
	t.Helper()
	var out []dispatch.ConveyedEIDO
	for _, p := range n.Entries(t, typ) {
		var en struct {
			Data dispatch.EIDOConveyed `json:"data"`
		}
		if err := json.Unmarshal(p.Entry, &en); err != nil {
			t.Fatalf("entry %d: %v", p.Seq, err)
		}
		out = append(out, en.Data.EIDOs...)
	}
	if len(out) == 0 {
		t.Fatalf("no %s event in the log", typ)
	}
	return out
}
