package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/sim"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "tenfour demo — run a node with a small generated city: four agencies, about\n100 units, calls arriving at random. With no flags it uses a fresh temporary\ndirectory and prints the URL.", stderr)
	m := &Main{CheckpointInterval: time.Second}
	fs.StringVar(&m.DataDir, "data", "", "data `directory` (default: a fresh temporary directory)")
	fs.StringVar(&m.Addr, "addr", "127.0.0.1:8410", "listen `address`; if the default is taken, a free port is used")
	speed := fs.Float64("speed", 1, "how many times faster than real time calls arrive")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random `seed` of the calls")
	level := fs.String("log-level", "warn", "log `level`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *speed <= 0 || *speed > 10000 {
		return fmt.Errorf("--speed %v: want a number above 0 and at most 10000", *speed)
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
	if !addrSet {
		if l, err := net.Listen("tcp", m.Addr); err == nil {
			l.Close()
		} else {
			m.Addr = "127.0.0.1:0"
		}
	}
	m.Origin = "tenfour.demo/log"
	logger, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	m.Logger = logger
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	has := func(id string) (ok bool) {
		m.Engine.Read(func(s *dispatch.State) { _, ok = s.Agencies[id] })
		return ok
	}
	units, err := sim.Setup(ctx, m.exec, has)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tenfour demo city is running at %s/\n", m.URL)
	fmt.Fprintf(stdout, "  data directory: %s\n", m.DataDir)
	if m.Bootstrap != nil {
		fmt.Fprintf(stdout, "  administrator:  %s (credentials in %s/bootstrap-admin.txt)\n", m.Bootstrap.Username, m.DataDir)
		fmt.Fprintf(stdout, "  API token:      %s\n", m.Bootstrap.Token)
	}
	fmt.Fprintf(stdout, "  created %d units; calls arrive at %gx speed\n", units, *speed)
	fmt.Fprintf(stdout, "  verify the log: go run ./cmd/tenfour verify %s/log/\n", m.URL)
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	simErr := make(chan error, 1)
	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := m.Engine.Execute(ctx, a, c)
		return res.Events, err
	}
	go func() { simErr <- sim.Run(ctx, record, demoCity{m.Engine}, 20*time.Second, *speed, *seed) }()
	err = m.Run(ctx)
	cancel()
	if serr := <-simErr; serr != nil && err == nil && !errors.Is(serr, context.Canceled) {
		err = serr
	}
	return err
}

// demoCity answers the simulator from the engine's state.
type demoCity struct{ e *engine.Engine }

// Available returns the ids of agency's units that are AVAILABLE.
func (c demoCity) Available(agency string) []string {
	var out []string
	c.e.Read(func(s *dispatch.State) {
		for _, u := range s.UnitList(agency) {
			if u.Status == dispatch.StatusAvailable {
				out = append(out, u.ID)
			}
		}
	})
	return out
}
