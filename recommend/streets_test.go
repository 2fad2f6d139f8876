package recommend_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/recommend"
)

// riverProj is the projection the river town is drawn on.
var riverProj = geo.NewProjection(geo.Point{Lat: 41.85, Lon: -87.65})

func riverAt(x, y float64) geo.Point {
	lat, lon := riverProj.LatLon(x, y)
	return geo.Point{Lat: lat, Lon: lon}
}

// street is a street of class from (x0, y0) to (x1, y1), metres, with a
// vertex every 100 m so that the streets it meets join it.
func street(name, class string, x0, y0, x1, y1 float64) geo.Street {
	n := int(math.Round(math.Hypot(x1-x0, y1-y0) / 100))
	var l []geo.Point
	for i := 0; i <= n; i++ {
		f := float64(i) / float64(n)
		l = append(l, riverAt(x0+f*(x1-x0), y0+f*(y1-y0)))
	}
	return geo.Street{Name: name, Class: class, Lines: [][]geo.Point{l}}
}

// riverTown is a town cut north to south by a river, from x = -100 to
// x = 0, with one bridge, 1200 m north of the incident's cross street.
// An expressway crosses river and banks on a viaduct with no ramp (no
// shared vertex with the streets): it is no junction.
func riverTown() []geo.Street {
	return []geo.Street{
		street("W Bank Rd", "", -200, -2500, -200, 2500),
		street("E Bank Rd", "", 100, -2500, 100, 2500),
		street("E 1st St", "", 100, 0, 1300, 0),
		street("Bridge St", "primary", -200, 1200, 100, 1200),
		{Name: "Skyway", Class: "S1100", Lines: [][]geo.Point{{riverAt(-1000, 50), riverAt(2000, 50)}}},
	}
}

// TestStreetsAcrossTheRiver is the reason for drive time: unit "across",
// 300 m from the incident by straight line but across the river (2.7 km
// by road over the bridge), ranks below unit "direct", 1.2 km away down a
// street; by the grid it would rank first.
func TestStreetsAcrossTheRiver(t *testing.T) {
	s := dispatch.NewState()
	for id, kind := range map[string]string{"across": "patrol", "direct": "patrol", "engine": "engine", "lost": "patrol"} {
		s.Units[id] = &dispatch.Unit{ID: id, CallSign: strings.ToUpper(id), Agency: "metro", Kind: kind, Status: dispatch.StatusAvailable}
	}
	scene := riverAt(100, 0) // E Bank Rd & E 1st St
	in := &dispatch.Incident{ID: "metro-2026-000001", Agency: "metro", Location: dispatch.Location{Lat: &scene.Lat, Lon: &scene.Lon}}
	pos := func(id string, x, y float64) dispatch.Position {
		p := riverAt(x, y)
		return dispatch.Position{Unit: id, Lat: p.Lat, Lon: p.Lon, Time: time.Unix(0, 0)}
	}
	candidates := []dispatch.Position{
		pos("across", -200, 0),  // on W Bank Rd, facing the scene
		pos("direct", 1300, 0),  // at the east end of E 1st St
		pos("engine", 1300, 10), // beside it, slower
		pos("lost", -3500, 0),   // 3.3 km from any street: off the map
	}
	metric := recommend.Streets{Graph: geo.NewGraph(riverTown(), riverProj)}

	byGrid, err := recommend.Recommend(s, in, candidates, 4, nil, recommend.Filter{})
	if err != nil || len(byGrid) == 0 || byGrid[0].Unit != "across" {
		t.Fatalf("Recommend(Grid) = %v, %v; want across first, as the grid has it", byGrid, err)
	}

	got, err := recommend.Recommend(s, in, candidates, 4, metric, recommend.Filter{})
	if err != nil {
		t.Fatalf("Recommend(Streets) = %v", err)
	}
	var ids []string
	for _, u := range got {
		ids = append(ids, u.Unit)
	}
	if want := "direct engine across lost"; strings.Join(ids, " ") != want {
		t.Fatalf("Recommend(Streets) = %v, want %s", ids, want)
	}
	patrol := 25 * 0.44704 // a local street's speed, m/s
	checks := []struct {
		unit        string
		metres, eta float64
	}{
		{"direct", 1200, 1200 / patrol},
		{"engine", 1210, 1210 / patrol * 40 / 30},        // 10 m to the street, at an engine's 30 km/h to a patrol car's 40
		{"across", 2700, 2400/patrol + 300/(35*0.44704)}, // up the west bank, over the bridge (primary, 35 mph), down the east bank
	}
	for i, c := range checks {
		if math.Abs(float64(got[i].DistanceM)-c.metres) > 1 || math.Abs(float64(got[i].ETASeconds)-c.eta) > 1 {
			t.Errorf("Recommend(Streets)[%s] = %d m, %d s; want %.0f m, %.0f s", c.unit, got[i].DistanceM, got[i].ETASeconds, c.metres, c.eta)
		}
		if !strings.Contains(got[i].Reason, "by road") {
			t.Errorf("Recommend(Streets)[%s].Reason = %q, want it to say by road", c.unit, got[i].Reason)
		}
	}
	if r := got[3].Reason; !strings.Contains(r, "no way") {
		t.Errorf("Recommend(Streets)[lost].Reason = %q, want it to say there is no way", r)
	}
	if got[3].DistanceM < 3000 {
		t.Errorf("Recommend(Streets)[lost].DistanceM = %d, want the grid's figure, over 3 km", got[3].DistanceM)
	}

	// A run card ranks the same way.
	card := dispatch.RunCard{Name: "river", Slots: []dispatch.Slot{{Kind: "patrol", Count: 2}}}
	filled, short, err := recommend.FillRunCard(s, in, card, candidates, metric, recommend.Filter{})
	if err != nil || len(short) != 0 || len(filled) != 2 || filled[0].Unit != "direct" || filled[1].Unit != "across" {
		t.Errorf("FillRunCard(Streets) = %v, %v, %v; want direct then across", filled, short, err)
	}
}

// TestStreetsSoonestK checks that asking for k units gives the first k of
// the whole ranking, with mixed kinds (whose speeds scale the drive) and
// units on both banks: Streets stops its search early, and must not stop
// too early.
func TestStreetsSoonestK(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	metric := recommend.Streets{Graph: geo.NewGraph(riverTown(), riverProj)}
	kinds := []string{"patrol", "engine", "truck", "traffic", "ambulance"}
	for round := range 200 {
		s := dispatch.NewState()
		var candidates []dispatch.Position
		for i := range 5 + r.IntN(40) {
			id := fmt.Sprintf("u%02d", i)
			s.Units[id] = &dispatch.Unit{ID: id, CallSign: id, Agency: "metro", Kind: kinds[r.IntN(len(kinds))], Status: dispatch.StatusAvailable}
			p := riverAt(r.Float64()*1800-400, r.Float64()*5000-2500)
			candidates = append(candidates, dispatch.Position{Unit: id, Lat: p.Lat, Lon: p.Lon})
		}
		scene := riverAt(r.Float64()*1800-400, r.Float64()*5000-2500)
		in := &dispatch.Incident{ID: "metro-2026-000001", Agency: "metro", Location: dispatch.Location{Lat: &scene.Lat, Lon: &scene.Lon}}
		all, err := recommend.Recommend(s, in, candidates, len(candidates), metric, recommend.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		k := 1 + r.IntN(len(candidates))
		got, _ := recommend.Recommend(s, in, candidates, k, metric, recommend.Filter{})
		for i := range k {
			if got[i].Unit != all[i].Unit || got[i].ETASeconds != all[i].ETASeconds || got[i].DistanceM != all[i].DistanceM {
				t.Fatalf("round %d: Recommend(k=%d)[%d] = %+v, want %+v", round, k, i, got[i], all[i])
			}
		}
	}
}
