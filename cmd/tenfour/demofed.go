package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/sim"
)

// federatedDemo is what `tenfour demo --federated` runs with.
type federatedDemo struct {
	dir       string // each installation's data directory is dir/<name>
	addr      string // the first installation's; the others take the next ports
	centre    *geo.Map
	kedzie    geo.Point // where the map places sim.KedziePlace
	speed     float64
	seed      uint64
	retention time.Duration
	tiles     tenfourhttp.MapTiles
	logger    *slog.Logger
}

// A fedNode is one installation of the federated demo, running in the
// demo's process as `tenfour serve` would run it alone.
type fedNode struct {
	sim.Installation
	*Main
	units int
	creds []sim.Credential
}

// record runs a command on the installation's engine, for sim.
func (n *fedNode) record(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
	res, err := n.Engine.Execute(ctx, a, c)
	return res.Events, err
}

// runFederatedDemo runs the demo city's agencies as separate installations
// (sim.Installations), each with its own data directory, log key and
// origin, port, users and units, on the same map; peers them all with each
// other, so that each witnesses the others' logs and mutual aid goes
// between them as signed messages; and plays the reference scenario across
// them (sim.KedzieFederated), each step on the acting agency's own
// installation. It serves until ctx is done or an installation fails.
func runFederatedDemo(ctx context.Context, d federatedDemo, stdout, stderr io.Writer) error {
	var nodes []*fedNode
	defer func() {
		for _, n := range slices.Backward(nodes) {
			n.Close()
		}
	}()
	for i, in := range sim.Installations {
		m := &Main{
			DataDir: filepath.Join(d.dir, in.Name), Addr: fedAddr(d.addr, i), CheckpointInterval: time.Second,
			Origin: in.Name + ".tenfour.demo/log", Map: d.centre, MapTiles: d.tiles, Retention: d.retention,
			Logger: d.logger.With("installation", in.Name),
		}
		n := &fedNode{Installation: in, Main: m}
		nodes = append(nodes, n) // closed, opened or not, by the defer
		if err := m.Open(ctx); err != nil {
			return fmt.Errorf("installation %s: %w", in.Name, err)
		}
		if err := n.setup(ctx, d.centre); err != nil {
			return fmt.Errorf("installation %s: %w", in.Name, err)
		}
	}
	if err := peerAll(ctx, nodes); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "tenfour federated demo: the demo city's agencies on %d installations, each with its own log, peered and witnessing each other\n", len(nodes))
	fmt.Fprintf(stdout, "  data directory: %s\n", d.dir)
	for _, n := range nodes {
		fmt.Fprintf(stdout, "  installation %s is running at %s/ (agencies %v; log %s)\n", n.Name, n.URL, n.Agencies, n.Engine.Log().Origin())
		fmt.Fprintf(stdout, "    console:        %s/console/\n", n.URL)
		if n.Bootstrap != nil {
			fmt.Fprintf(stdout, "    administrator:  %s (credentials in %s/bootstrap-admin.txt)\n", n.Bootstrap.Username, n.DataDir)
			fmt.Fprintf(stdout, "    API token:      %s\n", n.Bootstrap.Token)
		}
		fmt.Fprintf(stdout, "    created %d units; peers %v\n", n.units, peerNames(n, nodes))
		printDemoUsers(stdout, "    ", n.DataDir, n.creds)
	}
	fmt.Fprintf(stdout, "  calls arrive at %gx speed, each installation taking its agencies' share\n", d.speed)
	fmt.Fprintf(stdout, "  the reference scenario plays across them now; a federal supervisor can play it again from federal's console\n")
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	runErrs := make([]error, len(nodes))
	simErrs := make([]error, len(nodes))
	sites := map[string]sim.Site{}
	for i, n := range nodes {
		sites[n.Name] = sim.Site{Exec: n.record, World: sim.Live{Engine: n.Engine}}
		wg.Go(func() {
			// One installation failing stops the demo: its partners'
			// requests would go unanswered without anyone being told.
			if err := n.Run(ctx); err != nil {
				runErrs[i] = fmt.Errorf("installation %s: %w", n.Name, err)
			}
			cancel()
		})
		wg.Go(func() {
			err := sim.RunOf(ctx, d.centre, n.record, sim.Live{Engine: n.Engine}, 20*time.Second, d.speed, d.seed+uint64(i), n.Holds)
			if err != nil && !errors.Is(err, context.Canceled) {
				simErrs[i] = fmt.Errorf("installation %s: %w", n.Name, err)
			}
		})
		wg.Go(func() { demoPatrol(ctx, n.Engine, sim.NewPatrol(d.centre, d.seed+uint64(i)), d.speed) })
	}
	fed := nodes[slices.IndexFunc(nodes, func(n *fedNode) bool { return n.Name == "federal" })]
	fed.Server.Scenarios = map[string]func(context.Context) error{"kedzie": func(ctx context.Context) error {
		id, err := sim.KedzieFederated(ctx, sites, d.kedzie, d.speed, func(s sim.Step) {
			fmt.Fprintf(stdout, "  kedzie +%4.1fs  %-7s  %s\n", s.At.Seconds(), s.On, s.What)
		})
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "  kedzie: played; timeline at %s/api/v1/requests/%s/timeline\n", fed.URL, id)
		case !errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "tenfour demo: scenario kedzie: %v\n", err)
		}
		return err
	}}
	if _, err := fed.Server.PlayScenario("kedzie", "--federated"); err != nil {
		cancel()
		wg.Wait()
		return err
	}
	wg.Wait()
	return errors.Join(append(runErrs, simErrs...)...)
}

// setup makes the installation's agencies, units, users and, for the city's
// installation, its premise records and BOLOs, as the demo does for the
// whole city: each of them only once on a data directory.
func (n *fedNode) setup(ctx context.Context, centre *geo.Map) error {
	has := func(id string) bool {
		_, err := n.Engine.Agency(sim.Actor, id)
		return err == nil
	}
	var err error
	if n.units, err = sim.SetupOf(ctx, centre, n.exec, has, n.Holds); err != nil {
		return err
	}
	if n.creds, err = demoUsers(ctx, n.Main, sim.UsersOf(n.Holds)); err != nil {
		return err
	}
	if n.Holds(sim.PremiseClerk.Agency) {
		hasPremises := func(agency string) bool {
			return slices.ContainsFunc(n.Engine.Premises(sim.Actor, ""), func(p dispatch.Premise) bool { return p.Agency == agency })
		}
		if _, err := sim.SetupPremises(ctx, centre, n.exec, hasPremises, n.Engine.Now()); err != nil {
			return err
		}
	}
	if n.Holds(sim.BOLOIssuer.Agency) {
		hasBOLOs := func(agency string) bool {
			return slices.ContainsFunc(n.Engine.BOLOs(sim.Actor, engine.BOLOFilter{All: true}), func(b dispatch.BOLO) bool { return b.Agency == agency })
		}
		if _, err := sim.SetupBOLOs(ctx, n.exec, hasBOLOs, n.Engine.Now(), 7); err != nil {
			return err
		}
	}
	return nil
}

// peerAll makes every installation a peer of every other, by the other's
// name, URL, log origin, log key and witness key, as its administrator
// would with
// `tenfour peer add`: through the engine, recorded in its log. A peer
// already known as it is now is left; one known otherwise (a data
// directory of an earlier run, whose partners listened elsewhere) is
// removed and added anew.
func peerAll(ctx context.Context, nodes []*fedNode) error {
	for _, n := range nodes {
		known, err := n.Engine.Peers(sim.Actor)
		if err != nil {
			return fmt.Errorf("installation %s: peers: %w", n.Name, err)
		}
		for _, o := range nodes {
			if o == n {
				continue
			}
			add := dispatch.AddPeer{Name: o.Name, URL: o.URL, Origin: o.Engine.Log().Origin(), Key: o.Engine.Log().VerifierKey(), WitnessKey: o.WitnessKey}
			if i := slices.IndexFunc(known, func(p dispatch.Peer) bool { return p.Name == o.Name }); i >= 0 {
				if p := known[i]; p.URL == add.URL && p.Origin == add.Origin && p.Key == add.Key && p.WitnessKey == add.WitnessKey {
					continue
				}
				if err := n.exec(ctx, sim.Actor, dispatch.RemovePeer{Name: o.Name}); err != nil {
					return fmt.Errorf("installation %s: remove the peer %s of an earlier run: %w", n.Name, o.Name, err)
				}
			}
			if err := n.exec(ctx, sim.Actor, add); err != nil {
				return fmt.Errorf("installation %s: add peer %s: %w", n.Name, o.Name, err)
			}
		}
	}
	return nil
}

// peerNames returns the names n knows its partners by.
func peerNames(n *fedNode, nodes []*fedNode) []string {
	var out []string
	for _, o := range nodes {
		if o != n {
			out = append(out, o.Name)
		}
	}
	return out
}

// fedAddr is the listen address of the i-th installation: the port after
// addr's by i, if it is free a moment before; any free port otherwise, and
// always when addr's port is 0.
func fedAddr(addr string, i int) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr // Open says what is wrong with it
	}
	p, err := strconv.Atoi(port)
	if err != nil || p == 0 || p+i > 65535 {
		return net.JoinHostPort(host, "0")
	}
	a := net.JoinHostPort(host, strconv.Itoa(p+i))
	l, err := net.Listen("tcp", a)
	if err != nil {
		return net.JoinHostPort(host, "0")
	}
	l.Close()
	return a
}
