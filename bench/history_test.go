package bench

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestHistory builds a small county through the engine, checks that its log
// holds the events the build claims, and measures it.
func TestHistory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opt := HistoryOptions{Dir: dir, Incidents: 200, Days: 2, Workers: 8, Probes: 4}
	b, err := BuildHistory(ctx, opt)
	if err != nil {
		t.Fatalf("BuildHistory: %v", err)
	}
	if b.Incidents != 204 || len(b.Probes) != 4 {
		t.Fatalf("BuildHistory built %d incidents and %d probes, want 204 and 4", b.Incidents, len(b.Probes))
	}
	var total int64
	for _, n := range b.ByType {
		total += n
	}
	if total != b.HistoryEvents() || b.ByType[dispatch.TypeIncidentCreated] != 204 {
		t.Errorf("the log holds %d events, %d of them incident.created; the build claims %d and 204", total, b.ByType[dispatch.TypeIncidentCreated], b.HistoryEvents())
	}
	t.Logf("build: %d events, %.1f an incident, %d ticks, by type %v", b.HistoryEvents(), b.EventsPerIncident(), b.Ticks, b.ByType)
	// Every incident dispatched was worked: its units went en route and
	// on scene, and most were cleared.
	if b.ByType[dispatch.TypeIncidentCleared] < 150 || b.ByType[dispatch.TypeUnitStatusChanged] < 3*b.ByType[dispatch.TypeIncidentDispatched] ||
		b.ByType[dispatch.TypeIncidentNoteAdded] < 3*150 {
		t.Errorf("the year's events are not a life of incidents: %v", b.ByType)
	}
	if epi := b.EventsPerIncident(); epi < 12 || epi > 30 {
		t.Errorf("EventsPerIncident() = %.1f, want about 20", epi)
	}
	if b.Ticks < 60 || !b.End.After(b.Start.Add(24*time.Hour)) {
		t.Errorf("the build ticked %d times from %v to %v, want a tick a simulated minute over about two days", b.Ticks, b.Start, b.End)
	}

	// The same directory measures again without building; another size is
	// refused.
	again, err := BuildHistory(ctx, opt)
	if err != nil || again.Events != b.Events {
		t.Errorf("BuildHistory again = %d events, %v; want the same %d, nothing built", again.Events, err, b.Events)
	}
	opt.Incidents = 300
	if _, err := BuildHistory(ctx, opt); !errors.Is(err, ErrHistoryBuilt) {
		t.Errorf("BuildHistory with more incidents = %v, want ErrHistoryBuilt", err)
	}

	m, err := MeasureHistory(ctx, MeasureOptions{Dir: dir, Full: true, Ticks: 20, Queries: 30})
	if err != nil {
		t.Fatalf("MeasureHistory: %v", err)
	}
	units := 0
	for _, a := range newCounty(1).agencies {
		units += len(a.units)
	}
	// In memory: every incident, or — with the archive — the open ones
	// and those closed within the retention window.
	if m.Events != b.Events || m.Incidents > b.Incidents || m.Incidents < m.Open || m.Units != units || units < countyUnits-10 || units > countyUnits+10 {
		t.Errorf("the restarted node holds %d events, %d incidents (%d open), %d units; want %d, at most %d, %d (about %d)", m.Events, m.Incidents, m.Open, m.Units, b.Events, b.Incidents, units, countyUnits)
	}
	if m.Open < len(b.Probes) || m.Open > b.Incidents/2 {
		t.Errorf("the restarted node has %d incidents open, want the probes and those in progress at the end", m.Open)
	}
	if m.Restart <= 0 || m.RSS < 1<<20 || m.Heap < 1<<20 || m.Heap > m.RSS || m.Peak < m.RSS || m.DiskBytes < b.Events*100 {
		t.Errorf("restart %v, RSS %d, peak %d, heap %d, disk %d: not a restart of this county", m.Restart, m.RSS, m.Peak, m.Heap, m.DiskBytes)
	}
	for name, l := range map[string]Latency{"tick": m.Tick, "priors": m.Priors, "day": m.Day, "page": m.Page} {
		if want := map[string]int{"tick": 20, "priors": 30, "day": 30, "page": 30}[name]; l.Count != want || l.P99 <= 0 || l.P50 > l.P99 {
			t.Errorf("%s: %+v, want %d timings", name, l, want)
		}
	}
	// The tick's first part, deciding and queueing, is within the whole
	// tick, tick by tick, so at every percentile; its wait for the commit
	// is counted over the ticks that emitted events.
	if m.TickDecided.Count != 20 || m.TickDecided.P50 > m.Tick.P50 || m.TickDecided.P99 > m.Tick.P99 ||
		m.TickWaited.Count != m.TickCommits || m.TickCommits > 20 {
		t.Errorf("tick %+v, decided %+v, commit wait %+v over %d ticks: not parts of the 20 ticks", m.Tick, m.TickDecided, m.TickWaited, m.TickCommits)
	}
	t.Logf("measure: %+v", m)
	// About 200 incidents a day over twenty agencies: a day of one agency
	// holds a few.
	if m.DayN < 1 || m.DayN > 100 || m.PageN < 1 || m.PageN > 100 {
		t.Errorf("one day's incidents of an agency: median %d, on its first page %d; want a few", m.DayN, m.PageN)
	}
}
