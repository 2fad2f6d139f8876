package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/sim"
)

// The patrol places every unit, drives the available ones and those en
// route, puts those on scene at their incident, and leaves alone a unit
// whose last position someone else reported.
func TestPatrol(t *testing.T) {
	p := sim.NewPatrol(mustDemoMap(t), 1)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	ids := []string{"avail", "enroute", "onscene", "busy", "device"}
	var units []sim.PatrolUnit
	for _, id := range ids {
		units = append(units, sim.PatrolUnit{ID: id, Status: dispatch.StatusAvailable})
	}
	placed := p.Step(units, 0, t0)
	if len(placed) != len(ids) {
		t.Fatalf("first Step placed %d units, want %d", len(placed), len(ids))
	}
	p.Wrote(placed)
	last := map[string]dispatch.Position{}
	for _, pos := range placed {
		if pos.Lat < 41.7 || pos.Lat > 41.9 || pos.Lon < -87.8 || pos.Lon > -87.6 {
			t.Errorf("unit %s placed at %v,%v, want inside the demo districts", pos.Unit, pos.Lat, pos.Lon)
		}
		last[pos.Unit] = pos
	}
	target := [2]float64{41.8236, -87.7052}
	device := dispatch.Position{Unit: "device", Lat: 41.81, Lon: -87.70, Time: t0.Add(time.Second)}
	ptr := func(p dispatch.Position) *dispatch.Position { return &p }
	units = []sim.PatrolUnit{
		{ID: "avail", Status: dispatch.StatusAvailable, Last: ptr(last["avail"])},
		{ID: "enroute", Status: dispatch.StatusEnRoute, Last: ptr(last["enroute"]), Target: &target},
		{ID: "onscene", Status: dispatch.StatusOnScene, Last: ptr(last["onscene"]), Target: &target},
		{ID: "busy", Status: dispatch.StatusBusy, Last: ptr(last["busy"])},
		{ID: "device", Status: dispatch.StatusAvailable, Last: &device},
	}
	t1 := t0.Add(2 * time.Second)
	moved := map[string]dispatch.Position{}
	for _, pos := range p.Step(units, 10*time.Second, t1) {
		moved[pos.Unit] = pos
		if !pos.Time.Equal(t1) {
			t.Errorf("unit %s position time %v, want %v", pos.Unit, pos.Time, t1)
		}
	}
	if _, ok := moved["avail"]; !ok {
		t.Error("an AVAILABLE unit did not patrol")
	}
	if _, ok := moved["busy"]; ok {
		t.Error("a BUSY unit moved")
	}
	if _, ok := moved["device"]; ok {
		t.Error("the patrol moved a unit whose position a device reported")
	}
	if pos := moved["onscene"]; pos.Lat != target[0] || pos.Lon != target[1] {
		t.Errorf("unit on scene at %v,%v, want its incident %v", pos.Lat, pos.Lon, target)
	}
	dist := func(a dispatch.Position) float64 {
		return (a.Lat-target[0])*(a.Lat-target[0]) + (a.Lon-target[1])*(a.Lon-target[1])
	}
	if pos, ok := moved["enroute"]; !ok || dist(pos) >= dist(last["enroute"]) {
		t.Errorf("unit en route went from %v to %v, want nearer its incident %v", last["enroute"], pos, target)
	}
	// A step too short to move a unit a metre reports nothing for it.
	units[0].Last = ptr(moved["avail"])
	p.Wrote([]dispatch.Position{moved["avail"]})
	for _, pos := range p.Step(units[:1], time.Millisecond, t1.Add(time.Second)) {
		t.Errorf("Step of 1 ms moved %s to %v,%v, want no report of a stand-still", pos.Unit, pos.Lat, pos.Lon)
	}
}

// A unit with a beat is placed on a street in it and patrols it along the
// streets, never leaving it; one that a call took out of it drives back.
func TestPatrolArea(t *testing.T) {
	m := mustDemoMap(t)
	p := sim.NewPatrol(m, 2)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	streets := m.Streets()
	// onStreet reports whether a position is within a metre of a street.
	onStreet := func(pos dispatch.Position) bool {
		pr := m.Projection()
		x, y := pr.XY(pos.Lat, pos.Lon)
		for _, s := range streets {
			for _, l := range s.Lines {
				for j := 1; j < len(l); j++ {
					ax, ay := pr.XY(l[j-1].Lat, l[j-1].Lon)
					bx, by := pr.XY(l[j].Lat, l[j].Lon)
					if distToSegment(x, y, ax, ay, bx, by) < 1 {
						return true
					}
				}
			}
		}
		return false
	}
	inBeat := func(pos dispatch.Position) bool {
		z, ok := m.ZoneAt(pos.Lat, pos.Lon)
		return ok && z.District == "13" && z.Beat == "132"
	}
	// metro.1a133 is the third car of district 13: its second beat, 132.
	u := sim.PatrolUnit{ID: "metro.1a133", Status: dispatch.StatusAvailable}
	placed := p.Step([]sim.PatrolUnit{u}, 0, t0)
	if len(placed) != 1 || !inBeat(placed[0]) || !onStreet(placed[0]) {
		t.Fatalf("placed at %v, want on a street in beat 132", placed)
	}
	p.Wrote(placed)
	last := placed[0]
	moves := 0
	for i := 1; i <= 200; i++ {
		u.Last = &last
		at := t0.Add(time.Duration(i) * 2 * time.Second)
		for _, pos := range p.Step([]sim.PatrolUnit{u}, 20*time.Second, at) {
			if !inBeat(pos) || !onStreet(pos) {
				t.Fatalf("step %d: patrolled to %v,%v, want a street of beat 132", i, pos.Lat, pos.Lon)
			}
			p.Wrote([]dispatch.Position{pos})
			last = pos
			moves++
		}
	}
	if moves < 150 {
		t.Errorf("the unit moved %d times in 200 steps, want it patrolling", moves)
	}
	// A call took it across the city: it heads back.
	away := dispatch.Position{Unit: u.ID, Lat: 41.79, Lon: -87.66, Time: t0.Add(time.Hour)}
	p.Wrote([]dispatch.Position{away})
	u.Last = &away
	d := func(pos dispatch.Position) float64 {
		return (pos.Lat-placed[0].Lat)*(pos.Lat-placed[0].Lat) + (pos.Lon-placed[0].Lon)*(pos.Lon-placed[0].Lon)
	}
	back := p.Step([]sim.PatrolUnit{u}, 60*time.Second, t0.Add(time.Hour+time.Second))
	if len(back) != 1 || d(back[0]) >= d(away) {
		t.Fatalf("a unit out of its beat went from %v to %v, want nearer beat 132", away, back)
	}
	// And once there, it patrols its beat again.
	last = back[0]
	p.Wrote(back)
	for i := 1; i <= 100; i++ {
		u.Last = &last
		for _, pos := range p.Step([]sim.PatrolUnit{u}, 60*time.Second, t0.Add(time.Hour+time.Duration(i+1)*time.Second)) {
			p.Wrote([]dispatch.Position{pos})
			last = pos
		}
	}
	if !inBeat(last) || !onStreet(last) {
		t.Errorf("after the way back the unit is at %v, want on a street of beat 132", last)
	}
}

// distToSegment is the distance from x, y to the segment a–b, in the
// projection's metres.
func distToSegment(x, y, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = max(0, min(1, ((x-ax)*dx+(y-ay)*dy)/l))
	}
	return math.Hypot(x-ax-t*dx, y-ay-t*dy)
}
