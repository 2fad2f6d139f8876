package sim

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// Every type of the built-in catalogue but officer emergencies is drawn for
// the city's calls, and only types of the catalogue.
func TestTypeWeights(t *testing.T) {
	known := map[string]bool{}
	for _, ty := range dispatch.IncidentTypes {
		known[ty.Code] = true
		if ty.Code != "OFFICER_EMERGENCY" && typeWeights["city"][ty.Code] <= 0 {
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

// Calls come in the mix's proportions, mostly to the city police; every one
// is at a verified place with its district and beat, which the gazetteer
// finds again; the phone's times come before entry, within what the domain
// accepts; the state police's calls are on arterials.
func TestCallMix(t *testing.T) {
	c := newCaller(rand.New(rand.NewPCG(7, 8)))
	d := gridcity.ChicagoDistricts()
	now := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
	const n = 6000
	byType, byAgency, byPriority := map[string]int{}, map[string]int{}, map[int]int{}
	districts := map[string]int{}
	for range n {
		k := c.next(now)
		byType[k.cmd.Type]++
		byAgency[k.cmd.Agency]++
		byPriority[k.priority]++
		l := k.placed
		if k.cmd.Location != (dispatch.Location{Text: l.Text}) {
			t.Fatalf("call command's location %+v, want the text %q alone", k.cmd.Location, l.Text)
		}
		if !l.Verified || l.Lat == nil || l.Lon == nil || l.District == "" || l.Beat == "" {
			t.Fatalf("call at %+v: want a verified place with a district and a beat", l)
		}
		if dist, beat := d.Locate(*l.Lat, *l.Lon); dist != l.District || beat != l.Beat {
			t.Fatalf("call at %s is in %s/%s, the map says %s/%s", l.Text, l.District, l.Beat, dist, beat)
		}
		if r, err := c.g.Geocode(l.Text); err != nil || r.Text != l.Text {
			t.Fatalf("the gazetteer reads %q as %v, %v; want it again", l.Text, r, err)
		}
		districts[l.District]++
		rc, an := *k.cmd.Received, *k.cmd.Answered
		if !rc.Before(an) || an.After(now) || now.Sub(rc) > dispatch.MaxCallAge || now.Sub(an) != k.talk {
			t.Fatalf("call received %v, answered %v, entered %v (talk %v): want received before answered before entry, within %v", rc, an, now, k.talk, dispatch.MaxCallAge)
		}
		if k.cmd.Agency == "state" && !onArterial(c, l.Text) {
			t.Errorf("state police call at %s, want a mile-line arterial", l.Text)
		}
	}
	if byAgency["metro"] < n*70/100 || byAgency["metro"] > n*90/100 || byAgency["sheriff"] == 0 || byAgency["state"] == 0 || byAgency["federal"] == 0 {
		t.Errorf("calls by agency %v, want about 80%% metro and some for each other agency", byAgency)
	}
	if len(districts) != 25 {
		t.Errorf("calls fell in %d districts, want all 25", len(districts))
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

func onArterial(c *caller, text string) bool {
	for _, s := range c.segs {
		if s.Mile() && strings.Contains(text, s.Street()) {
			return true
		}
	}
	return false
}
