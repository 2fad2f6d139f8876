package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/tenfour-cad/tenfour/bench"
)

// benchHistory builds a county's year through the engine (or finds it built
// in --dir) and measures its restarts, each in a fresh process of this
// binary (benchHistoryMeasure), so that the resident memory is the
// restarted node's alone.
func benchHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "--measure" {
		return benchHistoryMeasure(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("bench history", "tenfour bench history — a year of a large county: builds its log through the\nreal engine (twenty agencies, about 1,500 units, calls from 50,000 addresses,\neach incident's life as its call-taker, dispatcher and units record it),\nthen restarts the node on it in fresh processes and measures the restart,\nthe resident memory, the timer tick and two history queries: priors at a\nbusy address and one day's incidents of an agency. A --dir that holds a\nbuilt county is measured again without building.", stderr)
	n := fs.Int("incidents", 0, "incidents of the year (default: what --dir holds, else 100000)")
	dir := fs.String("dir", "", "the county's directory (default: a temporary one, removed at the end unless --keep)")
	keep := fs.Bool("keep", false, "keep the temporary directory")
	days := fs.Int("days", 365, "simulated days the incidents spread over")
	tick := fs.Duration("tick", time.Minute, "simulated time between timer ticks during the build")
	workers := fs.Int("workers", 32, "concurrent API clients during the build")
	runs := fs.Int("restarts", 3, "restarts to measure, each in a fresh process")
	ticks := fs.Int("ticks", 200, "timer ticks to time after the restart")
	queries := fs.Int("queries", 500, "queries of each kind to time")
	asJSON := fs.Bool("json", false, "print the summary as JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 0 || *n > 100_000_000 || *days < 1 || *days > 3660 || *tick < time.Second || *workers < 1 || *workers > 1024 ||
		*runs < 1 || *runs > 20 || *ticks < 1 || *queries < 1 {
		return errors.New("--incidents must be 0 to 100000000, --days 1 to 3660, --tick at least 1s, --workers 1 to 1024, --restarts 1 to 20, --ticks and --queries at least 1")
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "tenfour-history-")
		if err != nil {
			return err
		}
		if *keep {
			fmt.Fprintf(stderr, "history: the county is kept in %s\n", d)
		} else {
			defer os.RemoveAll(d)
		}
		*dir = d
	}
	if *n == 0 {
		*n = 100_000
		if b, err := bench.LoadHistory(*dir); err == nil {
			*n = b.Incidents - len(b.Probes)
		}
	}
	b, err := bench.BuildHistory(ctx, bench.HistoryOptions{Dir: *dir, Incidents: *n, Days: *days, Tick: *tick, Workers: *workers, Out: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "history: %d incidents, %d events (%.1f an incident) built in %v: %.0f events/s; %d timer ticks took %v\n",
		b.Incidents, b.HistoryEvents(), b.EventsPerIncident(), b.Elapsed.Round(time.Second), b.Rate(), b.Ticks, b.TickTime.Round(time.Millisecond))
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var ms []bench.HistoryMeasurement
	for i := range *runs {
		a := []string{"bench", "history", "--measure", "--dir", *dir, "--ticks", strconv.Itoa(*ticks), "--queries", strconv.Itoa(*queries)}
		if i == 0 {
			a = append(a, "--full")
		}
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, self, a...)
		cmd.Stdout, cmd.Stderr = &out, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("measure restart %d: %w", i+1, err)
		}
		var m bench.HistoryMeasurement
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			return fmt.Errorf("measure restart %d: %w", i+1, err)
		}
		fmt.Fprintf(stderr, "history: restart %d: %v (CPU %v), resident %d MiB (peak %d MiB), Go heap %d MiB\n", i+1, m.Restart.Round(time.Millisecond), m.RestartCPU.Round(time.Millisecond), m.RSS>>20, m.Peak>>20, m.Heap>>20)
		if m.Rechecked > 0 {
			fmt.Fprintf(stderr, "history: the events before the snapshot re-verified %v after the restart began; the tick and the queries timed after that\n", m.Rechecked.Round(time.Millisecond))
		}
		ms = append(ms, m)
	}
	s := bench.SummariseHistory(b, ms)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printHistory(stdout, s)
	return nil
}

func printHistory(w io.Writer, s bench.HistorySummary) {
	b, f := s.Build, s.Full
	ms := func(d time.Duration) string {
		if d < time.Millisecond {
			return fmt.Sprintf("%.3f ms", float64(d.Nanoseconds())/1e6)
		}
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	rows := [][2]string{
		{"incidents (with their events)", fmt.Sprintf("%d", b.Incidents)},
		{"events", fmt.Sprintf("%d (%.1f an incident)", b.HistoryEvents(), b.EventsPerIncident())},
		{"build", fmt.Sprintf("%v, %.0f events/s, %d ticks of %s on average (tick every %s simulated)", b.Elapsed.Round(time.Second), b.Rate(), b.Ticks, ms(b.TickTime/time.Duration(max(1, b.Ticks))), b.Tick)},
		{"disk", fmt.Sprintf("%d MiB (%.0f bytes an event, %.1f KiB an incident)", f.DiskBytes>>20, float64(f.DiskBytes)/float64(max(1, f.Events)), float64(f.DiskBytes)/1024/float64(max(1, b.Incidents)))},
		{"open at the end (incidents, units on them)", fmt.Sprintf("%d, %d", f.Open, f.Busy)},
		{"restart (median of " + fmt.Sprint(len(s.Measurements)) + ")", fmt.Sprintf("%v wall, %v CPU — goal under %v: %s", s.Restart.Round(time.Millisecond), s.RestartCPU.Round(time.Millisecond), bench.GoalRestart, verdict(s.Restart < bench.GoalRestart))},
		{"resident memory after restart", fmt.Sprintf("%d MiB (Go heap %d MiB; peak during the restart %d MiB) — goal under 1 GiB: %s", s.RSS>>20, s.Heap>>20, s.Peak>>20, verdict(s.RSS < bench.GoalRSS))},
		{"timer tick: deciding and queueing, what the timer loop spends (it does not wait for the disk)", fmt.Sprintf("p50 %s, p99 %s, %s CPU — goal under %v: %s", ms(f.TickDecided.P50), ms(f.TickDecided.P99), ms(f.TickCPU), bench.GoalTick, verdict(f.TickDecided.P99 < bench.GoalTick))},
		{"… until its events are durable (their commit, off the loop and the lock)", fmt.Sprintf("p50 %s, p99 %s", ms(f.Tick.P50), ms(f.Tick.P99))},
		{"… the wait for the commit, in the ticks that emitted events", fmt.Sprintf("%d of %d ticks: p50 %s, p99 %s", f.TickCommits, f.Tick.Count, ms(f.TickWaited.P50), ms(f.TickWaited.P99))},
		{"priors at a busy address, 90 days", fmt.Sprintf("p50 %s, p99 %s, %s CPU; median %d found — goal under %v: %s", ms(f.Priors.P50), ms(f.Priors.P99), ms(f.PriorsCPU), f.PriorsN, bench.GoalQuery, verdict(f.Priors.P99 < bench.GoalQuery))},
		{"one day's incidents of an agency", fmt.Sprintf("p50 %s, p99 %s, %s CPU; median %d found — goal under %v: %s", ms(f.Day.P50), ms(f.Day.P99), ms(f.DayCPU), f.DayN, bench.GoalQuery, verdict(f.Day.P99 < bench.GoalQuery))},
		{"the first page of one day's incidents of an agency", fmt.Sprintf("p50 %s, p99 %s, %s CPU; median %d found — goal under %v: %s", ms(f.Page.P50), ms(f.Page.P99), ms(f.PageCPU), f.PageN, bench.GoalQuery, verdict(f.Page.P99 < bench.GoalQuery))},
		{"machine load average at the measure", fmt.Sprintf("%.1f", f.Load)},
	}
	fmt.Fprintf(w, "\n| figure | value |\n|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s |\n", r[0], r[1])
	}
}

// benchHistoryMeasure is the hidden child of bench history: one restart of
// the county in --dir, measured, printed as JSON.
func benchHistoryMeasure(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench history --measure", "one measured restart (run by tenfour bench history)", stderr)
	dir := fs.String("dir", "", "the county's directory")
	full := fs.Bool("full", false, "also time the timer tick and the history queries")
	ticks := fs.Int("ticks", 200, "timer ticks to time")
	queries := fs.Int("queries", 500, "queries of each kind to time")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measure to `FILE`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--measure needs --dir")
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
	m, err := bench.MeasureHistory(ctx, bench.MeasureOptions{Dir: *dir, Full: *full, Ticks: *ticks, Queries: *queries})
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(m)
}
