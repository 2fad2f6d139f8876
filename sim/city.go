// Package sim generates a demo city for tenfour: its agencies and units, and
// calls arriving at random, all as ordinary commands through the engine.
package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
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
}

// unitPlan says how many units of each kind each agency fields.
var unitPlan = []struct {
	agency, prefix, kind string
	n                    int
	caps                 []string
}{
	{"metro", "1A", "patrol", 40, nil},
	{"metro", "2S", "sergeant", 6, []string{"supervisor"}},
	{"metro", "3T", "traffic", 8, []string{"traffic-control"}},
	{"metro", "4K", "k9", 3, []string{"k9"}},
	{"metro", "5X", "tactical", 3, []string{"tactical"}},
	{"sheriff", "S", "patrol", 16, nil},
	{"sheriff", "SK", "k9", 2, []string{"k9"}},
	{"sheriff", "SG", "sergeant", 2, []string{"supervisor"}},
	{"state", "SP", "patrol", 10, nil},
	{"state", "ST", "traffic", 4, []string{"traffic-control"}},
	{"federal", "FP", "patrol", 6, nil},
	{"federal", "FT", "tactical", 2, []string{"tactical"}},
}

// Setup creates the demo agencies and their units. It is idempotent: on a
// data directory that has them it creates nothing.
func Setup(ctx context.Context, exec Executor, has func(agency string) bool) (units int, err error) {
	for _, a := range Agencies {
		if has(a.ID) {
			continue
		}
		if err := exec(ctx, Actor, a); err != nil {
			return units, fmt.Errorf("demo agency %s: %w", a.ID, err)
		}
		for _, p := range unitPlan {
			if p.agency != a.ID {
				continue
			}
			for i := 1; i <= p.n; i++ {
				c := dispatch.CreateUnit{CallSign: fmt.Sprintf("%s%d", p.prefix, 10+i), Agency: p.agency, Kind: p.kind, Capabilities: p.caps}
				if err := exec(ctx, Actor, c); err != nil {
					return units, fmt.Errorf("demo unit %s: %w", c.CallSign, err)
				}
				units++
			}
		}
	}
	return units, nil
}

// streets of the demo area, with the address ranges they cover and where they
// lie, after Chicago's grid: 800 address numbers to the mile from State and
// Madison.
var streets = []struct {
	name     string
	lat, lon float64 // a point on the street near the area's centre
	ns       bool    // runs north–south
}{
	{"S Kedzie Ave", 41.8236, -87.7052, true},
	{"S California Ave", 41.8236, -87.6955, true},
	{"S Western Ave", 41.8236, -87.6845, true},
	{"S Pulaski Rd", 41.8236, -87.7245, true},
	{"S Archer Ave", 41.8120, -87.7000, false},
	{"W 39th Pl", 41.8224, -87.7000, false},
	{"W 47th St", 41.8087, -87.7000, false},
	{"W 31st St", 41.8380, -87.7000, false},
	{"W Pershing Rd", 41.8236, -87.7000, false},
}

var callerNames = []string{"A. Rivera", "J. Kowalski", "M. Johnson", "T. Nguyen", "L. Okafor", "P. Garcia", "D. Murphy", "S. Patel"}

// RandomCall returns a plausible incident for agency, drawn from r.
func RandomCall(r *rand.Rand, agency string) dispatch.CreateIncident {
	t := dispatch.IncidentTypes[1+r.IntN(len(dispatch.IncidentTypes)-1)] // not officer emergencies
	st := streets[r.IntN(len(streets))]
	off := (r.Float64() - 0.5) * 0.03
	lat, lon := st.lat, st.lon
	var text string
	if st.ns {
		lat += off
		text = fmt.Sprintf("%d %s", 3000+r.IntN(20)*100+r.IntN(50)*2, st.name)
	} else {
		lon += off
		text = fmt.Sprintf("%d %s", 2800+r.IntN(16)*100+r.IntN(50)*2, st.name)
	}
	return dispatch.CreateIncident{
		Agency:    agency,
		Type:      t.Code,
		Location:  dispatch.Location{Text: text, Lat: &lat, Lon: &lon},
		Caller:    dispatch.Caller{Name: callerNames[r.IntN(len(callerNames))], Phone: fmt.Sprintf("312-555-%04d", r.IntN(10000))},
		Narrative: "Caller reports " + t.Name + " at " + text + ".",
	}
}

// A Recorder runs one command and returns the events it recorded.
type Recorder func(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command) ([]dispatch.Event, error)

// A City is what the simulator needs of the dispatch state: the available
// units of an agency, so that it can send one to each call.
type City interface {
	Available(agency string) []string
}

// Run generates calls until ctx is done: on average one every meanGap of
// simulated time, divided by speed, spread over the agencies in proportion to
// their size (most calls go to the city police). Each call gets an available
// unit of its agency, which goes en route, arrives and clears after
// plausible times, also divided by speed; a call with no unit free waits in
// the queue.
func Run(ctx context.Context, exec Recorder, city City, meanGap time.Duration, speed float64, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	weights := []struct {
		agency string
		w      int
	}{{"metro", 70}, {"sheriff", 15}, {"state", 10}, {"federal", 5}}
	scaled := func(d time.Duration) time.Duration { return time.Duration(float64(d) / speed) }
	for {
		gap := scaled(time.Duration(r.ExpFloat64() * float64(meanGap)))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(gap):
		}
		n, agency := r.IntN(100), ""
		for _, w := range weights {
			if n < w.w {
				agency = w.agency
				break
			}
			n -= w.w
		}
		evs, err := exec(ctx, Actor, RandomCall(r, agency))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("demo call: %w", err)
		}
		units := city.Available(agency)
		if len(units) == 0 {
			continue
		}
		id := evs[0].Subject["incident"]
		unit := units[r.IntN(len(units))]
		steps := []struct {
			after time.Duration
			cmd   dispatch.Command
		}{
			{0, dispatch.DispatchUnits{Incident: id, Units: []string{unit}}},
			{scaled(time.Duration(20+r.IntN(40)) * time.Second), dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusEnRoute}},
			{scaled(time.Duration(3+r.IntN(6)) * time.Minute), dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusOnScene}},
			{scaled(time.Duration(8+r.IntN(20)) * time.Minute), dispatch.ClearIncident{Incident: id, Disposition: dispositions[r.IntN(len(dispositions))]}},
		}
		go func() {
			for _, st := range steps {
				select {
				case <-ctx.Done():
					return
				case <-time.After(st.after):
				}
				// A step the state no longer allows (the unit was taken
				// by another call meanwhile) ends this call's story.
				if _, err := exec(ctx, Actor, st.cmd); err != nil {
					return
				}
			}
		}()
	}
}

var dispositions = []string{"report taken", "no offense found", "arrest made", "referred", "gone on arrival", "advised"}
