package sim_test

import (
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
	"github.com/tenfour-cad/tenfour/sim"
)

// The patrol places every unit, drives the available ones and those en
// route, puts those on scene at their incident, and leaves alone a unit
// whose last position someone else reported.
func TestPatrol(t *testing.T) {
	p := sim.NewPatrol(1)
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

// A unit with a beat is placed in it and patrols it; one that a call took
// out of it drives back.
func TestPatrolArea(t *testing.T) {
	p := sim.NewPatrol(2)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var beat gridcity.Area
	for _, b := range gridcity.ChicagoDistricts().Beats {
		if b.ID == "132" {
			beat = b
		}
	}
	var box [4]float64 // south, north, west, east
	box[0], box[2] = 90, 180
	box[1], box[3] = -90, -180
	for _, pt := range beat.Boundary {
		box[0], box[1] = min(box[0], pt[0]), max(box[1], pt[0])
		box[2], box[3] = min(box[2], pt[1]), max(box[3], pt[1])
	}
	inBox := func(pos dispatch.Position) bool {
		return pos.Lat >= box[0] && pos.Lat <= box[1] && pos.Lon >= box[2] && pos.Lon <= box[3]
	}
	u := sim.PatrolUnit{ID: "metro.1a133", Status: dispatch.StatusAvailable, Area: "132"}
	placed := p.Step([]sim.PatrolUnit{u}, 0, t0)
	if len(placed) != 1 || !inBox(placed[0]) {
		t.Fatalf("placed at %v, want in beat 132 %v", placed, box)
	}
	p.Wrote(placed)
	last := placed[0]
	for i := 1; i <= 200; i++ {
		u.Last = &last
		at := t0.Add(time.Duration(i) * 2 * time.Second)
		for _, pos := range p.Step([]sim.PatrolUnit{u}, 20*time.Second, at) {
			if !inBox(pos) {
				t.Fatalf("step %d: patrolled to %v,%v, out of beat 132", i, pos.Lat, pos.Lon)
			}
			p.Wrote([]dispatch.Position{pos})
			last = pos
		}
	}
	// A call took it across the city: it heads back.
	away := dispatch.Position{Unit: u.ID, Lat: 41.79, Lon: -87.66, Time: t0.Add(time.Hour)}
	p.Wrote([]dispatch.Position{away})
	u.Last = &away
	back := p.Step([]sim.PatrolUnit{u}, 60*time.Second, t0.Add(time.Hour+time.Second))
	centre := [2]float64{(box[0] + box[1]) / 2, (box[2] + box[3]) / 2}
	d := func(pos dispatch.Position) float64 {
		return (pos.Lat-centre[0])*(pos.Lat-centre[0]) + (pos.Lon-centre[1])*(pos.Lon-centre[1])
	}
	if len(back) != 1 || d(back[0]) >= d(away) {
		t.Errorf("a unit out of its beat went from %v to %v, want nearer beat 132", away, back)
	}
}
