package sim

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// Every type of the built-in catalogue but officer emergencies and the
// unknown type of imports (a call taken here has a type) is drawn for the
// city's calls, and only types of the catalogue.
func TestTypeWeights(t *testing.T) {
	known := map[string]bool{}
	for _, ty := range dispatch.IncidentTypes {
		known[ty.Code] = true
		if ty.Code != "OFFICER_EMERGENCY" && ty.Code != dispatch.UnknownType && typeWeights["city"][ty.Code] <= 0 {
			t.Errorf("incident type %s has no weight in the city's mix", ty.Code)
		}
	}
	for mix, ws := range typeWeights {
		for code := range ws {
			if !known[code] {
				t.Errorf("mix %s weighs %s, which is not in the catalogue", mix, code)
			}
		}
	}
}

// The rate follows the day: fewest calls from 4 to 6 in the morning, most
// in the late afternoon and evening, a mean of 1 over the day.
func TestRate(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	sum, n := 0.0, 0
	low, high := math.Inf(1), math.Inf(-1)
	var lowAt, highAt time.Time
	for m := 0; m < 24*60; m++ {
		at := day.Add(time.Duration(m) * time.Minute)
		r := Rate(at)
		sum += r
		n++
		if r < low {
			low, lowAt = r, at
		}
		if r > high {
			high, highAt = r, at
		}
	}
	if mean := sum / float64(n); math.Abs(mean-1) > 0.01 {
		t.Errorf("Rate over a day averages %v, want 1", mean)
	}
	if h := lowAt.Hour(); h < 4 || h > 6 || low > 0.5 {
		t.Errorf("quietest minute %s at rate %.2f, want between 4 and 6 am and under half the mean", lowAt.Format("15:04"), low)
	}
	if h := highAt.Hour(); h < 15 || h > 20 || high < 1.2 {
		t.Errorf("busiest minute %s at rate %.2f, want in the late afternoon or evening, well over the mean", highAt.Format("15:04"), high)
	}
}

// Calls come in the mix's proportions, mostly to the city police; each
// command carries its place as text alone, which the map's geocoder finds
// in the district the call was drawn in, in a beat; the phone's times come
// before entry, within what the domain accepts; the state police's calls
// are on major roads.
func TestCallMix(t *testing.T) {
	m := demoMap()
	c, err := newCaller(rand.New(rand.NewPCG(7, 8)), m)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
	const n = 6000
	byType, byAgency, byPriority := map[string]int{}, map[string]int{}, map[int]int{}
	districts := map[string]int{}
	corners := 0
	for range n {
		k := c.next(now)
		byType[k.cmd.Type]++
		byAgency[k.cmd.Agency]++
		byPriority[k.priority]++
		l := k.cmd.Location
		if l.Text == "" || l.Lat != nil || l.Lon != nil || l.Verified || l.District != "" {
			t.Fatalf("call command's location %+v, want the text alone", l)
		}
		checkPlaced(t, m, l.Text, k.district)
		if strings.Contains(l.Text, " & ") {
			corners++
		}
		districts[k.district]++
		rc, an := *k.cmd.Received, *k.cmd.Answered
		if !rc.Before(an) || an.After(now) || now.Sub(rc) > dispatch.MaxCallAge || now.Sub(an) != k.talk {
			t.Fatalf("call received %v, answered %v, entered %v (talk %v): want received before answered before entry, within %v", rc, an, now, k.talk, dispatch.MaxCallAge)
		}
		if k.cmd.Agency == "state" && !onMajorRoad(m, l.Text) {
			t.Errorf("state police call at %s, want a major road", l.Text)
		}
	}
	if byAgency["metro"] < n*70/100 || byAgency["metro"] > n*90/100 || byAgency["sheriff"] == 0 || byAgency["state"] == 0 || byAgency["federal"] == 0 {
		t.Errorf("calls by agency %v, want about 80%% metro and some for each other agency", byAgency)
	}
	if len(districts) != 25 {
		t.Errorf("calls fell in %d districts, want all 25", len(districts))
	}
	if corners < n/10 || corners > n/2 {
		t.Errorf("%d of %d calls at corners, want about a quarter", corners, n)
	}
	// The most common types are everyday ones; the violent ones are rare.
	if byType["DISTURBANCE"] < byType["SHOOTING"]*8 || byType["SHOOTING"] == 0 || byType["OFFICER_EMERGENCY"] != 0 {
		t.Errorf("calls by type %v, want disturbances far more than shootings, and no officer emergencies", byType)
	}
	if p := float64(byPriority[1]) / n; p < 0.08 || p > 0.25 {
		t.Errorf("P1 calls are %.1f%% of all, want between 8 and 25%%", 100*p)
	}
	if byPriority[3] < byPriority[1] || byPriority[3] < byPriority[4] {
		t.Errorf("calls by priority %v, want routine (P3) calls the most", byPriority)
	}
}

// On a map without address points, calls are at numbers drawn from the
// streets' ranges, and at corners, each where the geocoder interpolates it:
// in the district it was drawn in.
func TestCallsInterpolated(t *testing.T) {
	rb, err := geo.LoadDir("../geo/testdata/riverbend")
	if err != nil {
		t.Fatal(err)
	}
	m, err := geo.NewMap(geo.MapData{Streets: rb.Streets(), Places: rb.Places(), Zones: rb.Zones()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCaller(rand.New(rand.NewPCG(3, 4)), m)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
	kinds := map[geo.Kind]int{}
	for range 500 {
		k := c.next(now)
		kinds[checkPlaced(t, m, k.cmd.Location.Text, k.district)]++
	}
	if kinds[geo.KindInterpolated] < 250 || kinds[geo.KindIntersection] == 0 || kinds[geo.KindAddress] != 0 {
		t.Errorf("calls by kind of place %v, want most interpolated, some at corners", kinds)
	}
}

// A map with no street, range or corner in its districts has no place to
// call from: Run says so rather than make calls nobody can place.
func TestCallsNowhere(t *testing.T) {
	// One street with no ranges, ending nowhere near another, and a zone
	// far away.
	m, err := geo.NewMap(geo.MapData{
		Streets: []geo.Street{{Name: "Lone Rd", Lines: [][]geo.Point{{{Lat: 45, Lon: -122}, {Lat: 45.01, Lon: -122}}}}},
		Zones: []geo.Zone{{District: "1", Beat: "1A", Area: [][][]geo.Point{{{
			{Lat: 46, Lon: -121}, {Lat: 46, Lon: -120.9}, {Lat: 46.1, Lon: -120.9}, {Lat: 46.1, Lon: -121}}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newCaller(rand.New(rand.NewPCG(1, 2)), m); err == nil || !strings.Contains(err.Error(), "no address") {
		t.Errorf("newCaller(a map with no place in its districts) = %v, want an error saying so", err)
	}
}

// checkPlaced checks that text geocodes on m into district (and a beat,
// where the map has districts) and returns the kind of place it is.
func checkPlaced(tb testing.TB, m *geo.Map, text, district string) geo.Kind {
	tb.Helper()
	r, err := m.Geocode(text)
	if err != nil {
		tb.Fatalf("Geocode(%q) = %v; want the call's place", text, err)
	}
	z, ok := m.ZoneAt(r.Lat, r.Lon)
	if !ok || z.District != district || z.Beat == "" {
		tb.Fatalf("call at %q is placed at %v,%v in district %q beat %q (%v); want district %q and a beat", text, r.Lat, r.Lon, z.District, z.Beat, ok, district)
	}
	return r.Kind
}

// onMajorRoad reports whether the call's text names a street of m with a
// speed of 30 mph or more.
func onMajorRoad(m *geo.Map, text string) bool {
	for _, s := range m.Streets() {
		if s.Speed() >= 30 && strings.Contains(strings.ToUpper(text), strings.ToUpper(s.Name)) {
			return true
		}
	}
	return false
}
