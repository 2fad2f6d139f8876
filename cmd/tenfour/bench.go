package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/bench"
	"github.com/tenfour-cad/tenfour/bench/synthcity"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, "tenfour bench — measure tenfour beside a floor measured in the same run.\n\n  tenfour bench log     durable append throughput and acknowledgement latency\n  tenfour bench verify  full verification of a large log over loopback HTTP\n  tenfour bench path    a command's whole path: HTTP, durable, on the event stream\n  tenfour bench recommend  a recommendation by the grid and by drive time, under AVL load\n  tenfour bench geocode    geocoding by today's grid gazetteer and by the map, and on 500,000 address points\n  tenfour bench restart    a node's start: replaying every event, and from a snapshot\n  tenfour bench history    a year of a large county: restart, memory, timer tick and history queries\n\nRun \"tenfour bench <what> --help\" for flags.\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return nil
		}
		return errors.New("bench needs log, verify, path, recommend, geocode, restart or history")
	}
	switch args[0] {
	case "log":
		return benchLog(ctx, args[1:], stdout, stderr)
	case "verify":
		return benchVerify(ctx, args[1:], stdout, stderr)
	case "path":
		return benchPath(ctx, args[1:], stdout, stderr)
	case "recommend":
		return benchRecommend(ctx, args[1:], stdout, stderr)
	case "geocode":
		return benchGeocode(ctx, args[1:], stdout, stderr)
	case "restart":
		return benchRestart(ctx, args[1:], stdout, stderr)
	case "history":
		return benchHistory(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("bench: unknown benchmark %q (want log, verify, path, recommend, geocode, restart or history)", args[0])
}

func benchRestart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench restart", "tenfour bench restart — build a log of incidents through the engine, then time a\nnode's start (engine.Open) replaying every event, the floor, beside starts from a\nsnapshot of the whole log and from one a tail of events behind.", stderr)
	n := fs.Int64("events", 100_000, "events in the log")
	tail := fs.Int64("tail", 0, "events after the older snapshot (default: a tenth of --events)")
	dir := fs.String("dir", "", "directory for the database (default: temporary)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 100 {
		return errors.New("--events must be at least 100")
	}
	r, err := bench.Restart(ctx, bench.RestartOptions{Dir: *dir, Events: *n, Tail: *tail, Out: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n| events | start replaying every event (floor) | from a snapshot of all | from a snapshot %d behind | snapshot bytes | background verification done |\n|---|---|---|---|---|---|\n| %d | %v (processor %v) | %v (processor %v), %.0f× | %v (processor %v) | %d | %v |\n",
		r.TailEvents, r.Events, r.Full.Round(time.Millisecond), r.FullCPU.Round(time.Millisecond), r.Snapshot.Round(time.Millisecond), r.SnapshotCPU.Round(time.Millisecond),
		r.Full.Seconds()/r.Snapshot.Seconds(), r.Tail.Round(time.Millisecond), r.TailCPU.Round(time.Millisecond), r.SnapshotBytes, r.Check.Round(time.Millisecond))
	return nil
}

func benchLog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench log", "tenfour bench log — durable append throughput and acknowledgement latency of the\nledger (SQLite, synchronous=FULL, group commit), beside the floor: the same\nbytes group-committed into the same SQLite with no tree.", stderr)
	writers := fs.String("writers", "1,16,64", "comma-separated numbers of concurrent writers")
	d := fs.Duration("duration", 3*time.Second, "time per configuration")
	dir := fs.String("dir", "", "directory for the databases (default: temporary)")
	pg := fs.Bool("postgres", false, "also measure on PostgreSQL: a throw-away server is started (needs its binaries)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opt := bench.LogOptions{Dir: *dir, Duration: *d, Out: stderr}
	if *pg {
		srv, err := pgtest.Start(ctx)
		if err != nil {
			return err
		}
		defer srv.Stop()
		opt.Postgres = srv.NewDatabase
	}
	var ws []int
	for _, s := range strings.Split(*writers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 4096 {
			return fmt.Errorf("--writers: %q is not a number from 1 to 4096", s)
		}
		ws = append(ws, n)
	}
	opt.Writers = ws
	rs, err := bench.AppendLog(ctx, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n| store | writers | floor events/s | floor p50 | floor p99 | ledger events/s | ledger p50 | ledger p99 | cost vs floor |\n|---|---|---|---|---|---|---|---|---|\n")
	for i := 0; i+1 < len(rs); i += 2 {
		f, l := rs[i], rs[i+1]
		fmt.Fprintf(stdout, "| %s | %d | %.0f | %v | %v | %.0f | %v | %v | %.2f× |\n", l.Store, l.Writers, f.PerSecond(), f.P50.Round(time.Microsecond), f.P99.Round(time.Microsecond),
			l.PerSecond(), l.P50.Round(time.Microsecond), l.P99.Round(time.Microsecond), f.PerSecond()/l.PerSecond())
	}
	return nil
}

func benchVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench verify", "tenfour bench verify — build a log, serve it as C2SP tlog-tiles on loopback, and\ntime a full verification against the floor of fetching the same resources.", stderr)
	n := fs.Int64("events", 1_000_000, "events in the log")
	dir := fs.String("dir", "", "directory for the database (default: temporary)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return errors.New("--events must be at least 1")
	}
	r, err := bench.VerifyLogOverHTTP(ctx, bench.VerifyOptions{Dir: *dir, Events: *n, Out: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n| events | fetch only (floor) | full verify | entries/minute | cost vs floor | start-up check |\n|---|---|---|---|---|---|\n| %d | %v | %v | %.1f million | %.2f× | %v |\n",
		r.Events, r.Fetch.Round(time.Millisecond), r.Verify.Round(time.Millisecond), r.PerMinute()/1e6, r.Verify.Seconds()/r.Fetch.Seconds(), r.Reopen.Round(time.Millisecond))
	return nil
}

func benchPath(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench path", "tenfour bench path — a command's whole path (HTTP request → decided → durable → on the\nevent stream of every subscriber) at a fixed rate, beside the floor: plain\nnet/http, the same durability, a plain fan-out, no domain.", stderr)
	rate := fs.Int("rate", 1000, "commands a second")
	subs := fs.Int("subscribers", 200, "event-stream subscribers")
	d := fs.Duration("duration", 5*time.Second, "how long to send commands, per side and round")
	rounds := fs.Int("rounds", 3, "rounds of both sides, taking turns to go first")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (both sides and the load) to `FILE`")
	keys := fs.Bool("keys", false, "send every command with an Idempotency-Key, as the console does (the key and the answer are stored)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate < 1 || *rate > 20000 || *subs < 1 || *subs > 2000 || *rounds < 1 || *rounds > 20 {
		return errors.New("--rate must be 1 to 20000, --subscribers 1 to 2000 and --rounds 1 to 20")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rs, err := bench.CommandPath(ctx, bench.PathOptions{Rate: *rate, Subscribers: *subs, Duration: *d, Rounds: *rounds, Keyed: *keys, Out: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n| round | path | commands | p50 to every subscriber | p99 | every event to every subscriber, in order |\n|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(stdout, "| %d | %s | %d | %v | %v | %v |\n", r.Round, r.Name, r.Commands, r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.InOrder)
	}
	sum := bench.Summarise(rs)
	fmt.Fprintf(stdout, "\nmedians over %d rounds: floor p50 %v p99 %v; tenfour p50 %v p99 %v; every event in order: %v\np99 cost vs floor (median of the rounds' ratios): %.2f×\n",
		len(rs)/2, sum.FloorP50.Round(10*time.Microsecond), sum.FloorP99.Round(10*time.Microsecond),
		sum.TenfourP50.Round(10*time.Microsecond), sum.TenfourP99.Round(10*time.Microsecond), sum.InOrder, sum.Ratio)
	return nil
}

func benchRecommend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench recommend", "tenfour bench recommend — a recommendation (the k nearest eligible units by\nstraight line from the AVL index, ranked) in a made-up city of 100 m blocks\nwith a river and three bridges, while positions stream in: today's ranking\nby the grid beside drive time over the streets, taking turns in one run.", stderr)
	blocks := fs.Int("blocks", 150, "the city's side in 100 m blocks")
	units := fs.Int("units", 50000, "units with positions")
	rate := fs.Int("rate", 20000, "position updates a second")
	k := fs.Int("k", 5, "units recommended")
	d := fs.Duration("duration", 5*time.Second, "how long to query")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *blocks < 10 || *blocks > 1000 || *units < 100 || *units > 1_000_000 || *rate < 1 || *rate > 1_000_000 || *k < 1 || *k > 50 {
		return errors.New("--blocks must be 10 to 1000, --units 100 to 1000000, --rate 1 to 1000000 and --k 1 to 50")
	}
	rep, err := bench.Recommendation(ctx, bench.RecommendOptions{Blocks: *blocks, Units: *units, Rate: *rate, K: *k, Duration: *d, Out: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ncity: %d nodes, %d edges; %d units; %.0f position updates/s achieved\n\n| ranking | candidates | queries | p50 | p99 |\n|---|---|---|---|---|\n", rep.Nodes, rep.Edges, *units, rep.UpdatesPerSecond)
	for _, r := range rep.Results {
		fmt.Fprintf(stdout, "| %s | %d | %d | %v | %v |\n", r.Name, r.Pool, r.Queries, r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond))
	}
	fmt.Fprintf(stdout, "\ndrive metres / grid metres over random pairs: mean %.3f, p90 %.3f; on one bank of the river: mean %.3f, p90 %.3f\n", rep.Mean, rep.P90, rep.SameBankMean, rep.SameBankP90)
	return nil
}

func benchGeocode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench geocode", "tenfour bench geocode — geocoding and reverse geocoding, taking turns query by\nquery in one run: today's grid gazetteer (gridcity.Chicago) and the map's\ngeocoder on the demo city's map, on one mix of addresses, intersections and\nplaces drawn from the gazetteer; and the map's geocoder on a synthetic map of\n500,000 address points. Each map is also written to files and loaded back.", stderr)
	points := fs.Int("points", synthcity.Points, "address points of the synthetic map")
	queries := fs.Int("queries", 4000, "distinct queries in each mix")
	seed := fs.Uint64("seed", 1, "seed of the query mixes and reverse positions")
	d := fs.Duration("duration", 5*time.Second, "how long to query")
	dir := fs.String("dir", "", "directory to write the maps into (default: temporary)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *points < 1000 || *points > synthcity.MaxPoints || *queries < 100 || *queries > 1_000_000 || *seed == 0 {
		return fmt.Errorf("--points must be 1000 to %d, --queries 100 to 1000000 and --seed not 0", synthcity.MaxPoints)
	}
	rep, err := bench.Geocoding(ctx, bench.GeocodeOptions{Points: *points, Queries: *queries, Seed: *seed, Duration: *d, Dir: *dir, Out: stderr})
	if err != nil {
		return err
	}
	us := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Nanoseconds())/1e3) }
	short := func(d time.Duration) time.Duration { // µs for what takes less than a millisecond
		if d < time.Millisecond {
			return d.Round(time.Microsecond)
		}
		return d.Round(time.Millisecond)
	}
	fmt.Fprintf(stdout, "\n| side | geocoder | address points | streets | build | load from files | geocodes | p50 µs | p99 µs | p99.9 µs | mean µs | reverses | reverse p50 µs | reverse p99 µs |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range rep.Sides {
		load := "—"
		if s.Load > 0 {
			load = short(s.Load).String()
		}
		points := "— (interpolates)"
		if s.Addresses > 0 {
			points = strconv.Itoa(s.Addresses)
		}
		fmt.Fprintf(stdout, "| %s | %s | %s | %d | %v | %s | %d | %s | %s | %s | %s | %d | %s | %s |\n", s.Name, s.Geocoder, points, s.Streets, short(s.Build), load,
			s.Geocode.Count, us(s.Geocode.P50), us(s.Geocode.P99), us(s.Geocode.P999), us(s.Geocode.Mean), s.Reverse.Count, us(s.Reverse.P50), us(s.Reverse.P99))
	}
	fmt.Fprintf(stdout, "\nthe demo map's answers within %d m of today's: %d of %d\n", bench.AgreeMetres, rep.Agree, rep.Compared)
	synth := rep.Sides[len(rep.Sides)-1]
	verdict := "met"
	if synth.Geocode.P99 >= 200*time.Microsecond {
		verdict = "NOT met"
	}
	fmt.Fprintf(stdout, "goal: geocoding p99 under 200 µs on a map of 500,000 address points: %s (p99 %s µs on %d points)\n", verdict, us(synth.Geocode.P99), rep.Points)
	return nil
}
