package dispatch_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// benchAgencies are the agencies of the timer benchmark's county.
var benchAgencies = []string{"metro", "sheriff", "fire", "state"}

// timerBenchState returns a county with closed incidents of history, the
// year before now, and a fixed open workload at now: 100 units, 200 open
// incidents (half of them urgent, some of those waiting long enough to be
// alerted at now; 60 with units, 30 of them on scene) and 50 assistance
// requests waiting for answers.
func timerBenchState(tb testing.TB, closed int, now time.Time) *dispatch.State {
	tb.Helper()
	s := dispatch.NewState()
	apply := func(evs []dispatch.Event) {
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				tb.Fatalf("Apply(%s) = %v", e.Type, err)
			}
		}
	}
	run := func(at time.Time, actor dispatch.Actor, c dispatch.Command) []dispatch.Event {
		evs, err := c.Decide(s, actor, at)
		if err != nil {
			tb.Fatalf("%T.Decide = %v", c, err)
		}
		apply(evs)
		return evs
	}
	sys := dispatch.Actor{System: "bench"}
	for _, ag := range benchAgencies {
		run(now, sys, dispatch.CreateAgency{ID: ag, Name: ag, Kind: "sheriff"})
	}
	var units []string
	for i := range 100 {
		evs := run(now, sys, dispatch.CreateUnit{CallSign: fmt.Sprintf("U%d", i), Agency: benchAgencies[i%4], Kind: "patrol"})
		units = append(units, evs[0].Subject["unit"])
	}
	// History, applied as the log replays it: each incident created and
	// cleared, a year back, every priority.
	start := now.AddDate(-1, 0, 0)
	step := time.Duration(int64(365*24*time.Hour) / int64(closed+1))
	for i := range closed {
		at, ag := start.Add(time.Duration(i)*step), benchAgencies[i%4]
		id := dispatch.IncidentID(ag, 2025, i+1)
		apply([]dispatch.Event{
			{Time: at, Type: dispatch.TypeIncidentCreated, Agency: ag, Actor: sys, Subject: map[string]string{"incident": id},
				Data: &dispatch.IncidentCreated{ID: id, Type: "THEFT", Priority: i % 4, Location: dispatch.Location{Text: "1 Main St"}}},
			{Time: at.Add(time.Hour), Type: dispatch.TypeIncidentCleared, Agency: ag, Actor: sys, Subject: map[string]string{"incident": id},
				Data: &dispatch.IncidentCleared{Incident: id, Disposition: "report taken"}},
		})
	}
	// The open workload: 200 incidents received over the last 10 minutes.
	var open []string
	for i := range 200 {
		p := i % 4
		evs := run(now.Add(-time.Duration(200-i)*3*time.Second), sys, dispatch.CreateIncident{
			Agency: benchAgencies[i%4], Type: "THEFT", Priority: &p, Location: dispatch.Location{Text: "2 Main St"}})
		open = append(open, evs[0].Subject["incident"])
	}
	// 60 units sent, one each, to the first 60 (each unit's agency's own,
	// as i and i%4 agree); 30 of them on scene.
	for i := range 60 {
		at := now.Add(-time.Duration(60-i) * 20 * time.Second)
		run(at, sys, dispatch.DispatchUnits{Incident: open[i], Units: []string{units[i]}})
		run(at, sys, dispatch.SetUnitStatus{Unit: units[i], Status: dispatch.StatusEnRoute})
		if i%2 == 0 {
			run(at, sys, dispatch.SetUnitStatus{Unit: units[i], Status: dispatch.StatusOnScene})
		}
	}
	// 50 requests, waiting for answers, none due yet.
	for i := range 50 {
		from := benchAgencies[i%4]
		run(now.Add(-time.Duration(50-i)*time.Second), sys, dispatch.RequestAssist{
			From: from, To: benchAgencies[(i+1)%4], Location: dispatch.Location{Text: "3 Main St"}, Nature: "traffic", Urgency: "ROUTINE"})
	}
	// The tick a second before now raised what was due then: at now comes
	// only what fell due in the last second, as on every tick.
	run(now.Add(-time.Second), dispatch.Actor{System: "timers"}, dispatch.CheckTimers{})
	return s
}

// BenchmarkCheckTimers measures the once-a-second timer check at growing
// history and a fixed open workload (timerBenchState): ns/op follows what
// is open and due, not the closed incidents behind it.
//
//	go test -run x -bench 'CheckTimers$' -benchtime 20000x ./dispatch
func BenchmarkCheckTimers(b *testing.B) {
	benchCheckTimers(b, []int{10_000, 100_000, 1_000_000}, func(s *dispatch.State, actor dispatch.Actor, now time.Time) []dispatch.Event {
		evs, err := dispatch.CheckTimers{}.Decide(s, actor, now)
		if err != nil {
			b.Fatalf("CheckTimers = %v", err)
		}
		return evs
	})
}

// BenchmarkCheckTimersScan measures the algorithm CheckTimers replaced
// (ReferenceCheckTimers), which scans every record, on the same states, for
// comparison. It is slow: give it a few iterations.
//
//	go test -run x -bench CheckTimersScan -benchtime 5x ./dispatch
func BenchmarkCheckTimersScan(b *testing.B) {
	benchCheckTimers(b, []int{10_000, 100_000}, dispatch.ReferenceCheckTimers)
}

func benchCheckTimers(b *testing.B, sizes []int, check func(*dispatch.State, dispatch.Actor, time.Time) []dispatch.Event) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	sys := dispatch.Actor{System: "timers"}
	for _, closed := range sizes {
		b.Run(fmt.Sprintf("closed=%d", closed), func(b *testing.B) {
			s := timerBenchState(b, closed, now)
			// The workload has something due at now, the same at every
			// size, and both checks agree on it.
			want := dispatch.ReferenceCheckTimers(s, sys, now)
			if len(want) == 0 {
				b.Fatal("nothing due at now: the benchmark would measure an idle tick")
			}
			runtime.GC() // not the building's garbage in the figures
			for b.Loop() {
				if evs := check(s, sys, now); len(evs) != len(want) {
					b.Fatalf("%d events due at now, want %d", len(evs), len(want))
				}
			}
			b.ReportMetric(float64(len(want)), "due/op")
		})
	}
}
