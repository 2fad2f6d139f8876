package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/sim"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "tenfour demo — run a node with a generated city: four agencies, 25 police\ndistricts, about 300 units patrolling them, calls arriving with a city's mix\nand daily rhythm. With no flags it uses a fresh temporary directory and\nprints the URL.", stderr)
	m := &Main{CheckpointInterval: time.Second}
	fs.StringVar(&m.DataDir, "data", "", "data `directory` (default: a fresh temporary directory)")
	fs.StringVar(&m.Addr, "addr", "127.0.0.1:8410", "listen `address`; if the default is taken, a free port is used")
	retentionFlag(fs, &m.Retention)
	speed := fs.Float64("speed", 1, "how many times faster than real time calls arrive")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random `seed` of the calls")
	level := fs.String("log-level", "warn", "log `level`")
	format := logFormatFlag(fs)
	fs.StringVar(&m.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this `address` (host:port); none unless given")
	scenario := fs.String("scenario", "", "also play a scenario in the city: kedzie (the reference scenario of DESIGN.md)")
	federated := fs.Bool("federated", false, "run the city's agencies as separate installations, peered and witnessing each other, in one process (data in DATA/<installation>, ports from --addr's on), and play the reference scenario across them")
	tiles := mapTilesFlags(fs)
	loadMap := mapFlag(fs)
	fromEnv := envFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := fromEnv(); err != nil {
		return err
	}
	var err error
	if m.MapTiles, err = tiles(); err != nil {
		return err
	}
	if *speed <= 0 || *speed > 10000 {
		return fmt.Errorf("--speed %v: want a number above 0 and at most 10000", *speed)
	}
	if *scenario != "" && *scenario != "kedzie" {
		return fmt.Errorf("--scenario %q: the only scenario is kedzie", *scenario)
	}
	if *federated && m.MetricsAddr != "" {
		return errors.New("--metrics-addr serves one node's metrics: it does not go with --federated")
	}
	addrSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" {
			addrSet = true
		}
	})
	if m.DataDir == "" {
		dir, err := os.MkdirTemp("", "tenfour-demo-")
		if err != nil {
			return err
		}
		m.DataDir = dir
	}
	if !addrSet && !*federated {
		if l, err := net.Listen("tcp", m.Addr); err == nil {
			l.Close()
		} else {
			m.Addr = "127.0.0.1:0"
		}
	}
	// The city runs on the map given, or on the generated one, written
	// into DATA/map and read by the same loader as a centre's map.
	centre, err := loadMap()
	if err == nil && centre == nil {
		// The data directory is made here, before the map goes in it, as
		// the node would make it: only tenfour may read it.
		if err = os.MkdirAll(m.DataDir, 0o700); err == nil {
			centre, err = demoMap(m.DataDir)
		}
	}
	if err != nil {
		return err
	}
	m.Map = centre
	// The reference scenario is set at a corner of the demo city: a map
	// without that corner cannot play it.
	kedzie, kedzieErr := centre.Geocode(sim.KedziePlace)
	if kedzieErr != nil && (*scenario == "kedzie" || *federated) {
		return fmt.Errorf("--scenario kedzie: the reference scenario is set at %s in the demo city, which this map does not have (%w); run the demo without --map to play it", sim.KedziePlace, kedzieErr)
	}
	m.Origin = "tenfour.demo/log"
	logger, err := newLogger(stderr, *level, *format)
	if err != nil {
		return err
	}
	m.Logger = logger
	if *federated {
		return runFederatedDemo(ctx, federatedDemo{
			dir: m.DataDir, addr: m.Addr, centre: centre, kedzie: geo.Point{Lat: kedzie.Lat, Lon: kedzie.Lon},
			speed: *speed, seed: *seed, retention: m.Retention, tiles: m.MapTiles, logger: logger,
		}, stdout, stderr)
	}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	has := func(id string) bool {
		_, err := m.Engine.Agency(sim.Actor, id)
		return err == nil
	}
	units, err := sim.Setup(ctx, centre, m.exec, has)
	if err != nil {
		return err
	}
	creds, err := demoUsers(ctx, m, sim.Users())
	if err != nil {
		return err
	}
	hasPremises := func(agency string) bool {
		return slices.ContainsFunc(m.Engine.Premises(sim.Actor, ""), func(p dispatch.Premise) bool { return p.Agency == agency })
	}
	if _, err := sim.SetupPremises(ctx, centre, m.exec, hasPremises, m.Engine.Now()); err != nil {
		return err
	}
	hasBOLOs := func(agency string) bool {
		return slices.ContainsFunc(m.Engine.BOLOs(sim.Actor, engine.BOLOFilter{All: true}), func(b dispatch.BOLO) bool { return b.Agency == agency })
	}
	if _, err := sim.SetupBOLOs(ctx, m.exec, hasBOLOs, m.Engine.Now(), 7); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tenfour demo city is running at %s/\n", m.URL)
	fmt.Fprintf(stdout, "  console:        %s/console/\n", m.URL)
	fmt.Fprintf(stdout, "  data directory: %s\n", m.DataDir)
	if m.MetricsURL != "" {
		fmt.Fprintf(stdout, "  metrics:        %s\n", m.MetricsURL)
	}
	if m.Bootstrap != nil {
		fmt.Fprintf(stdout, "  administrator:  %s (credentials in %s/bootstrap-admin.txt)\n", m.Bootstrap.Username, m.DataDir)
		fmt.Fprintf(stdout, "  API token:      %s\n", m.Bootstrap.Token)
	}
	fmt.Fprintf(stdout, "  created %d units; calls arrive at %gx speed\n", units, *speed)
	fmt.Fprintf(stdout, "  verify the log: go run ./cmd/tenfour verify %s/log/\n", m.URL)
	printDemoUsers(stdout, "  ", m.DataDir, creds)
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	simErr := make(chan error, 1)
	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := m.Engine.Execute(ctx, a, c)
		return res.Events, err
	}
	go func() {
		simErr <- sim.Run(ctx, centre, record, sim.Live{Engine: m.Engine}, 20*time.Second, *speed, *seed)
	}()
	go demoPatrol(ctx, m.Engine, sim.NewPatrol(centre, *seed), *speed)
	// The reference scenario, on a supervisor's button (POST
	// /api/v1/scenarios/kedzie) and with --scenario kedzie: one play at a
	// time, each in the city as it then is; not on a map without its
	// corner.
	if kedzieErr == nil {
		m.Server.Scenarios = map[string]func(context.Context) error{"kedzie": func(ctx context.Context) error {
			id, err := sim.Kedzie(ctx, record, sim.Live{Engine: m.Engine}, geo.Point{Lat: kedzie.Lat, Lon: kedzie.Lon}, *speed, func(s sim.Step) {
				fmt.Fprintf(stdout, "  kedzie +%4.1fs  %s\n", s.At.Seconds(), s.What)
			})
			switch {
			case err == nil:
				fmt.Fprintf(stdout, "  kedzie: played; timeline at %s/api/v1/requests/%s/timeline\n", m.URL, id)
			case !errors.Is(err, context.Canceled):
				fmt.Fprintf(stderr, "tenfour demo: scenario kedzie: %v\n", err)
			}
			return err
		}}
	}
	if *scenario == "kedzie" {
		if _, err := m.Server.PlayScenario("kedzie", "--scenario"); err != nil {
			return err
		}
	}
	err = m.Run(ctx)
	cancel()
	if serr := <-simErr; serr != nil && err == nil && !errors.Is(serr, context.Canceled) {
		err = serr
	}
	return err
}

// printDemoUsers prints the demo users' credentials, each line after
// indent, as the demo prints them.
func printDemoUsers(w io.Writer, indent, dir string, creds []sim.Credential) {
	fmt.Fprintf(w, "%sdemo users (also in %s), agency role username password [TOTP secret]:\n", indent, filepath.Join(dir, demoCredentials))
	for _, c := range creds {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%s  %-8s %-11s %-19s %s %s", indent, c.Agency, c.Role, c.Username, c.Password, c.TOTP), " "))
	}
	fmt.Fprintf(w, "%ssupervisors and administrators sign in with a one-time code too: oathtool --totp -b SECRET\n", indent)
}

// demoCredentials is the file, in the data directory, of the demo users'
// passwords (sim.FormatCredentials).
const demoCredentials = "demo-credentials.txt"

// demoUsers makes the demo city's users (sim.Users, or an installation's
// of the federated city), each with a new password and, where the role
// needs one, a second factor, and writes them to the data directory. On a
// data directory that has the file, it reads it instead. A user that
// exists without its line in the file (a demo stopped halfway) gets a new
// password and second factor.
func demoUsers(ctx context.Context, m *Main, users []sim.DemoUser) ([]sim.Credential, error) {
	path := filepath.Join(m.DataDir, demoCredentials)
	if b, err := os.ReadFile(path); err == nil {
		return sim.ParseCredentials(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	creds := make([]sim.Credential, len(users))
	errs := make([]error, len(users))
	// Hashing a password (argon2id) takes a good part of a second: one
	// user per core at a time.
	sem := make(chan struct{}, max(1, min(runtime.NumCPU(), 4)))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			creds[i], errs[i] = demoUser(ctx, m, u)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := writeSecret(path, string(sim.FormatCredentials(creds))); err != nil {
		return nil, err
	}
	return creds, nil
}

func demoUser(ctx context.Context, m *Main, u sim.DemoUser) (sim.Credential, error) {
	c := sim.Credential{DemoUser: u, Password: auth.NewPassword()}
	roles := []string{u.Role}
	_, unknown := m.Engine.User(sim.Actor, u.Username)
	known := unknown == nil
	var uri string
	var err error
	_, unstored := m.Auth.User(ctx, u.Username)
	switch {
	case !known:
		_, uri, err = m.Auth.CreateUser(ctx, m.exec, sim.Actor, auth.NewUser{Username: u.Username, Agency: u.Agency, Roles: roles, Password: c.Password})
	case unstored == nil:
		// A demo run before on this data: new secrets for the same users.
		if err = m.Auth.ResetPassword(ctx, sim.Actor, u.Username, c.Password); err == nil && m.Auth.NeedsSecondFactor(roles) {
			uri, err = m.Auth.EnrollTOTP(ctx, sim.Actor, u.Username)
		}
	default:
		// In the log, but its credentials were never stored.
		uri, err = m.Auth.SetCredentials(ctx, sim.Actor, u.Username, u.Agency, roles, c.Password)
	}
	if err != nil {
		return c, fmt.Errorf("demo user %s: %w", u.Username, err)
	}
	if uri != "" {
		k, err := url.Parse(uri)
		if err != nil {
			return c, fmt.Errorf("demo user %s: second factor: %w", u.Username, err)
		}
		c.TOTP = k.Query().Get("secret")
	}
	return c, nil
}

// demoPatrol moves the demo units (sim.Patrol) every two seconds: each step
// covers two seconds times speed of the city's time.
func demoPatrol(ctx context.Context, e *engine.Engine, p *sim.Patrol, speed float64) {
	const every = 2 * time.Second
	t := time.NewTicker(every)
	defer t.Stop()
	dt := time.Duration(float64(every) * min(speed, 30))
	for first := true; ; first = false {
		var units []sim.PatrolUnit
		for _, u := range e.Units(sim.Actor, "") {
			pu := sim.PatrolUnit{ID: u.ID, Status: u.Status, Incident: u.Incident}
			if u.Incident != "" {
				if in, err := e.Incident(sim.Actor, u.Incident); err == nil && in.Location.Lat != nil && in.Location.Lon != nil {
					pu.Target = &[2]float64{*in.Location.Lat, *in.Location.Lon}
				}
			}
			units = append(units, pu)
		}
		for i := range units {
			if pos, ok := e.Position(units[i].ID); ok {
				units[i].Last = &pos
			}
		}
		step := dt
		if first {
			step = 0
		}
		if ps := p.Step(units, step, e.Now()); len(ps) > 0 {
			// A batch refused (a unit's newer position came in meanwhile)
			// is simply the next step's to make.
			if err := e.UpdatePositions(sim.Actor, ps); err == nil {
				p.Wrote(ps)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
