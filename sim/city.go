// Package sim simulates a city on a centre's map for tenfour: its agencies
// and units, each about a district or a beat of the map's zones (PlanOn),
// patrolling them along the map's streets (Patrol), and calls arriving with
// the daily rhythm and the mix of a city's calls for service at the map's
// addresses and corners (Run), all as ordinary commands through the engine,
// which places them on the map as it does a call-taker's. The demo city is
// the generated map of geo/gridcity (Plan); the reference scenario
// (Kedzie) is set in it.
package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// An Executor runs one command, as engine.Engine.Execute does.
type Executor func(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) error

// Actor is who the simulator acts as in the log.
var Actor = dispatch.Actor{System: "demo"}

// Agencies of the demo city: Chicago's southwest side and the agencies around it.
var Agencies = []dispatch.CreateAgency{
	{ID: "metro", Name: "Metro Police Department", Kind: "municipal_police"},
	{ID: "sheriff", Name: "County Sheriff's Office", Kind: "sheriff"},
	{ID: "state", Name: "State Police", Kind: "state_police"},
	{ID: "federal", Name: "Federal Patrol", Kind: "federal"},
	{ID: FireAgency, Name: "City Fire Department", Kind: "fire_ems"}, // fire.go
}

// Setup creates the demo agencies and their units on map m (PlanOn). It is
// idempotent: on a data directory that has them it creates nothing.
func Setup(ctx context.Context, m *geo.Map, exec Executor, has func(agency string) bool) (units int, err error) {
	return SetupOf(ctx, m, exec, has, nil)
}

// SetupOf is Setup for the agencies holds keeps (nil keeps them all): an
// installation of the federated demo city (Installation.Holds) creates its
// own agencies and units alone.
func SetupOf(ctx context.Context, m *geo.Map, exec Executor, has, holds func(agency string) bool) (units int, err error) {
	plan := PlanOn(m)
	for _, a := range Agencies {
		if has(a.ID) || (holds != nil && !holds(a.ID)) {
			continue
		}
		if err := exec(ctx, Actor, a); err != nil {
			return units, fmt.Errorf("demo agency %s: %w", a.ID, err)
		}
		for _, p := range plan {
			if p.Agency != a.ID {
				continue
			}
			c := dispatch.CreateUnit{CallSign: p.CallSign, Agency: p.Agency, Kind: p.Kind, Capabilities: p.Capabilities}
			if err := exec(ctx, Actor, c); err != nil {
				return units, fmt.Errorf("demo unit %s: %w", c.CallSign, err)
			}
			units++
		}
		if a.ID == FireAgency { // crews, cross-staffing and run cards (fire.go)
			if err := setupFire(ctx, exec, time.Now()); err != nil {
				return units, err
			}
		}
	}
	return units, nil
}

// A Recorder runs one command and returns the events it recorded.
type Recorder func(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) ([]dispatch.Event, error)

// A FreeUnit is an AVAILABLE unit as the simulator sees it: its kind and,
// if known, its last position.
type FreeUnit struct {
	ID, Kind string
	Lat, Lon float64
	Located  bool
}

// A City is what the simulator needs of the dispatch state.
type City interface {
	// Free returns agency's units that may be sent now: AVAILABLE, on no
	// incident and no request.
	Free(agency string) []FreeUnit
	// Waiting reports whether an incident still waits for its first unit
	// (PENDING): one that someone else dispatched or cleared is not the
	// simulator's any more.
	Waiting(incident string) bool
}

// Run plays the city's calls on map m until ctx is done. Calls arrive at random, on
// average one every meanGap of the city's time over a day, more in the
// evening and fewest before dawn (Rate, by the city's clock: it starts at
// the local time and runs speed times faster); most go to the city police.
// Each call is entered as the call-taker would, with the phone system's
// received and answered times before entry (a ring and a talk, as long at
// any speed: they happened before the call reached CAD); its place is an
// address or a corner of the map (newCaller), sent as text alone for the
// engine to place. A dispatcher then sends the nearest free units — two to
// an emergency, a traffic unit to a traffic call where one is free — which
// go en route, drive there, stay on scene and clear; a call with no unit
// free waits in the queue, the most urgent first. Everything after entry
// takes plausible times divided by speed. A map with no address, street
// range or corner in its zones is an error.
func Run(ctx context.Context, m *geo.Map, exec Recorder, city City, meanGap time.Duration, speed float64, seed uint64) error {
	return RunOf(ctx, m, exec, city, meanGap, speed, seed, nil)
}

// RunOf is Run for the calls of the agencies holds keeps (nil keeps them
// all): an installation of the federated demo city gets its own agencies'
// share of the city's calls, the others' being drawn and let go, so that
// the installations together take the calls of one city.
func RunOf(ctx context.Context, m *geo.Map, exec Recorder, city City, meanGap time.Duration, speed float64, seed uint64, holds func(agency string) bool) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c, err := newCaller(r, m)
	if err != nil {
		return err
	}
	c.holds = holds
	scaled := func(d time.Duration) time.Duration { return time.Duration(float64(d) / speed) }
	start := time.Now()
	cityNow := func() time.Time { return start.Add(time.Duration(float64(time.Since(start)) * speed)).Local() }
	gap := func() time.Duration {
		return scaled(time.Duration(r.ExpFloat64() * float64(meanGap) / Rate(cityNow())))
	}
	d := &dispatcher{r: r, city: city, exec: exec, scaled: scaled}
	tick := time.NewTicker(max(scaled(5*time.Second), 5*time.Millisecond))
	defer tick.Stop()
	next := time.Now().Add(gap())
	for {
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-tick.C:
			timer.Stop()
			if err := d.dispatch(ctx); err != nil {
				return err
			}
			continue
		case <-timer.C:
		}
		now := time.Now()
		// Far behind (a stalled process): start afresh rather than
		// pour out the missed calls at once.
		if next = next.Add(gap()); next.Before(now.Add(-time.Second)) {
			next = now.Add(gap())
		}
		k := c.next(now.UTC())
		if k.cmd.Location.Text == "" {
			continue // no place drawn (a map of few places, all near edges), or another installation's call
		}
		evs, err := exec(ctx, Actor, k.cmd)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("demo call: %w", err)
		}
		in := evs[0].Subject["incident"]
		placed, ok := evs[0].Data.(*dispatch.IncidentCreated)
		if !ok {
			return fmt.Errorf("demo call: the first event is %s, not the incident", evs[0].Type)
		}
		// The dispatcher reads the call and picks: seconds for the most
		// urgent, up to a minute for the least.
		think := time.Duration((3 + r.Float64()*float64([]int{8, 12, 25, 45, 60}[min(max(k.priority, 0), 4)]))) * time.Second
		d.queue = append(d.queue, &waiting{incident: in, agency: k.cmd.Agency, typ: k.cmd.Type, priority: k.priority,
			loc: placed.Location, due: now.Add(scaled(think)), entered: now})
	}
}

// A waiting call is one the simulator's dispatcher has yet to send units to.
type waiting struct {
	incident, agency, typ string
	priority              int
	loc                   dispatch.Location
	due, entered          time.Time
	tries                 int
}

// metresTo returns how far a unit drives to the call: the taxicab distance
// (east–west plus north–south), which is the driven distance on a grid of
// streets and a fair guess of it on others; +Inf if either place is not
// known.
func (w *waiting) metresTo(u FreeUnit) float64 {
	if w.loc.Lat == nil || w.loc.Lon == nil || !u.Located {
		return math.Inf(1)
	}
	return taxicab(*w.loc.Lat, *w.loc.Lon, u.Lat, u.Lon)
}

// dispatcher sends units to the waiting calls.
type dispatcher struct {
	r      *rand.Rand
	city   City
	exec   Recorder
	scaled func(time.Duration) time.Duration
	queue  []*waiting
}

// maxTries bounds the refused dispatches of one call (a directive holds its
// place): it is then left to the people at the console.
const maxTries = 20

// dispatch sends units to the calls that are due, the most urgent and then
// the oldest first.
func (d *dispatcher) dispatch(ctx context.Context) error {
	now := time.Now()
	sort.SliceStable(d.queue, func(i, j int) bool {
		a, b := d.queue[i], d.queue[j]
		if a.priority != b.priority {
			return a.priority < b.priority
		}
		return a.entered.Before(b.entered)
	})
	free := map[string][]FreeUnit{}
	kept := d.queue[:0]
	for _, w := range d.queue {
		if w.due.After(now) {
			kept = append(kept, w)
			continue
		}
		if !d.city.Waiting(w.incident) || w.tries >= maxTries {
			continue
		}
		if _, ok := free[w.agency]; !ok {
			free[w.agency] = d.city.Free(w.agency)
		}
		units := choose(free[w.agency], w)
		if len(units) == 0 {
			kept = append(kept, w) // none free: it waits
			continue
		}
		ids := make([]string, len(units))
		for i, u := range units {
			ids[i] = u.ID
		}
		free[w.agency] = slices.DeleteFunc(free[w.agency], func(u FreeUnit) bool { return slices.Contains(ids, u.ID) })
		if _, err := d.exec(ctx, Actor, dispatch.DispatchUnits{Incident: w.incident, Units: ids}); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			w.tries++
			w.due = now.Add(d.scaled(30 * time.Second))
			kept = append(kept, w)
			continue
		}
		go story(ctx, d.exec, d.plan(w, units))
	}
	d.queue = kept
	return nil
}

// choose picks the units for a call from the free ones: the nearest by
// the streets (metresTo), of the kind the call wants (a traffic unit for a traffic call, if
// any is free; patrol cars otherwise), two for an emergency.
func choose(free []FreeUnit, w *waiting) []FreeUnit {
	if w.agency == FireAgency {
		return chooseFire(free, w) // by the run cards (fire.go)
	}
	n := 1
	if w.priority <= 1 {
		n = 2
	}
	kinds := []string{"patrol"}
	if strings.HasPrefix(w.typ, "TRAFFIC_") {
		kinds = []string{"traffic", "patrol"}
	}
	dist := func(u FreeUnit) float64 { return w.metresTo(u) }
	var out []FreeUnit
	for _, k := range kinds {
		var of []FreeUnit
		for _, u := range free {
			if u.Kind == k {
				of = append(of, u)
			}
		}
		sort.SliceStable(of, func(i, j int) bool { return dist(of[i]) < dist(of[j]) })
		for _, u := range of {
			if len(out) < n {
				out = append(out, u)
			}
		}
	}
	return out
}

// A step is one command of a call's story, after a time from dispatch.
type step struct {
	after time.Duration
	cmd   dispatch.Command
}

// plan makes the story of a dispatched call: each unit goes en route and
// drives there (metresTo); once the first is on scene the call takes its
// time and is cleared. Times are divided by speed.
func (d *dispatcher) plan(w *waiting, units []FreeUnit) []step {
	r := d.r
	drive := 10.0 // metres a second through city traffic
	if w.priority <= 1 {
		drive = 15 // lights and siren
	}
	var steps []step
	first := time.Duration(math.MaxInt64)
	for _, u := range units {
		rolling := time.Duration(10+r.IntN(30)) * time.Second
		metres := w.metresTo(u)
		if math.IsInf(metres, 1) {
			metres = 1500 // where it is not known: a typical response
		}
		arrive := rolling + time.Duration((20+metres/drive)*float64(time.Second))
		first = min(first, arrive)
		steps = append(steps,
			step{d.scaled(rolling), dispatch.SetUnitStatus{Unit: u.ID, Status: dispatch.StatusEnRoute}},
			step{d.scaled(arrive), dispatch.SetUnitStatus{Unit: u.ID, Status: dispatch.StatusOnScene}})
	}
	// On scene: log-normal about a median by priority, at most three hours.
	median := []float64{30, 35, 25, 18, 10}[min(max(w.priority, 0), 4)]
	scene := time.Duration(math.Min(median*math.Exp(0.5*r.NormFloat64()), 180) * float64(time.Minute))
	steps = append(steps, step{d.scaled(first + scene), dispatch.ClearIncident{Incident: w.incident, Disposition: dispositions[r.IntN(len(dispositions))]}})
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].after < steps[j].after })
	return steps
}

// story plays a call's steps at their times. A step the state no longer
// allows (someone at the console cleared the call, or sent the unit
// elsewhere) ends it.
func story(ctx context.Context, exec Recorder, steps []step) {
	began := time.Now()
	for _, st := range steps {
		t := time.NewTimer(time.Until(began.Add(st.after)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if _, err := exec(ctx, Actor, st.cmd); err != nil {
			return
		}
	}
}

var dispositions = []string{"report taken", "no offense found", "arrest made", "referred", "gone on arrival", "advised", "peace restored", "citation issued"}
