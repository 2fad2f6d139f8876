package sim_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/sim"
)

// The installations of the federated city run every agency once, and each
// installation's users are its agencies' alone.
func TestInstallations(t *testing.T) {
	var all []string
	for _, in := range sim.Installations {
		for _, ag := range in.Agencies {
			if got := sim.InstallationOf(ag); got != in.Name {
				t.Errorf("InstallationOf(%s) = %q, want %s", ag, got, in.Name)
			}
		}
		all = append(all, in.Agencies...)
		users := sim.UsersOf(in.Holds)
		if len(users) != len(in.Agencies)*len(dispatch.Roles) {
			t.Errorf("UsersOf(%s) = %d users, want %d", in.Name, len(users), len(in.Agencies)*len(dispatch.Roles))
		}
		for _, u := range users {
			if !in.Holds(u.Agency) {
				t.Errorf("UsersOf(%s) has %s of agency %s", in.Name, u.Username, u.Agency)
			}
		}
	}
	slices.Sort(all)
	var want []string
	for _, a := range sim.Agencies {
		want = append(want, a.ID)
	}
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("the installations run %v, want every agency once: %v", all, want)
	}
	if got := sim.InstallationOf("nobody"); got != "" {
		t.Errorf("InstallationOf(nobody) = %q, want \"\"", got)
	}
}

// An installation of the federated city sets up its own agencies and
// units alone, and its calls are its agencies' alone.
func TestSetupOfAndRunOf(t *testing.T) {
	ctx := context.Background()
	m := mustDemoMap(t)
	county := sim.Installations[2]
	if county.Name != "county" {
		t.Fatalf("Installations[2] = %s, want county", county.Name)
	}
	e, exec, has := mustOpenEngine(t, engine.Config{Map: m})
	n, err := sim.SetupOf(ctx, m, exec, has, county.Holds)
	want := 0
	for _, p := range sim.PlanOn(m) {
		if county.Holds(p.Agency) {
			want++
		}
	}
	if err != nil || n != want || want == 0 {
		t.Fatalf("SetupOf(county) = %d units, %v; want the sheriff's %d", n, err, want)
	}
	for _, a := range e.Agencies(sim.Actor) {
		if !county.Holds(a.ID) {
			t.Errorf("SetupOf(county) made agency %s", a.ID)
		}
	}
	for _, u := range e.Units(sim.Actor, "") {
		if u.Agency != "sheriff" {
			t.Errorf("SetupOf(county) made unit %s of %s", u.ID, u.Agency)
		}
	}
	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := e.Execute(ctx, a, c)
		return res.Events, err
	}
	// The sheriff takes a tenth of the city's calls: at 20,000× a dozen
	// come within a second or two; another agency's would be refused here
	// (it does not exist), which would stop Run with an error.
	runUntil(t, func(ctx context.Context) error {
		return sim.RunOf(ctx, m, record, sim.Live{Engine: e}, 20*time.Second, 20000, 5, county.Holds)
	}, func() bool { return len(e.Incidents(sim.Actor)) >= 12 })
	for _, in := range e.Incidents(sim.Actor) {
		if in.Agency != "sheriff" {
			t.Errorf("RunOf(county) made incident %s of %s", in.ID, in.Agency)
		}
	}
}
