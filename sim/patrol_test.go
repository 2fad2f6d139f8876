package sim_test

import (
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
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
