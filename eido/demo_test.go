package eido_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/eido/eidotest"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/sim"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// Every incident of the demo city, run until it has had many calls and
// cleared some, exports as an EIDO that NENA's schema accepts, as the
// incident's own dispatcher reads it.
func TestDemoCityExportsValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo city")
	}
	ctx := context.Background()
	m, err := gridcity.DemoMap()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: key, Map: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := e.Execute(ctx, a, c)
		return err
	}
	has := func(id string) (ok bool) {
		e.Read(func(s *dispatch.State) { _, ok = s.Agencies[id] })
		return ok
	}
	if _, err := sim.Setup(ctx, m, exec, has); err != nil {
		t.Fatal(err)
	}
	hasPremises := func(agency string) (ok bool) {
		e.Read(func(s *dispatch.State) { ok = len(s.PremiseList(agency)) > 0 })
		return ok
	}
	if _, err := sim.SetupPremises(ctx, m, exec, hasPremises, e.Now()); err != nil {
		t.Fatal(err)
	}
	// One call at a premise with hazards, so that cautions are among what
	// is checked whatever the city's calls hit.
	if err := exec(ctx, sim.PremiseClerk, dispatch.CreateIncident{Agency: "metro", Type: "WELFARE_CHECK",
		Location: dispatch.Location{Text: sim.Premises()[0].Address}, Caller: dispatch.Caller{Name: "A Neighbour", Phone: "773 555 0199"}}); err != nil {
		t.Fatal(err)
	}

	record := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		res, err := e.Execute(ctx, a, c)
		return res.Events, err
	}
	// At 20,000× a call comes every millisecond or so: run until there are
	// many incidents and some are cleared, waiting for that (not for a
	// time), for a minute at most.
	runCtx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- sim.Run(runCtx, m, record, sim.Live{Engine: e}, 20*time.Second, 20000, 1) }()
	deadline := time.Now().Add(time.Minute)
	for {
		n, closed := 0, 0
		e.Read(func(s *dispatch.State) {
			for _, in := range s.Incidents {
				n++
				if in.Status == dispatch.IncidentClosed {
					closed++
				}
			}
		})
		if n >= 60 && closed >= 10 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-errc
			t.Fatalf("the city made %d incidents, %d cleared, in a minute; want 60 and 10", n, closed)
		}
		select {
		case err := <-errc:
			t.Fatalf("sim.Run stopped early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("sim.Run = %v", err)
	}

	var ids []string
	e.Read(func(s *dispatch.State) {
		for _, in := range s.IncidentList("") {
			ids = append(ids, in.ID)
		}
	})
	var cautions, units, closed int
	for _, id := range ids {
		in, err := e.Incident(sim.Actor, id)
		if err != nil {
			t.Fatal(err)
		}
		// The incident's own agency's dispatcher reads it.
		reader := dispatch.Actor{User: in.Agency + "-dispatcher", Agency: in.Agency, Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher}}
		d, err := eido.Export(ctx, e, reader, id)
		if err != nil {
			t.Fatalf("Export(%s) = %v", id, err)
		}
		raw := eidotest.ValidateDocument(t, d)
		checkReferences(t, raw)
		if d.IncidentComponent.InternalIncidentID != id || len(d.LocationComponent) == 0 || d.IncidentComponent.BeatOrDispatchGroupText != in.Location.Beat {
			t.Errorf("Export(%s): incident %+v, %d locations; want it placed in beat %s", id, d.IncidentComponent, len(d.LocationComponent), in.Location.Beat)
		}
		if want := "verified:" + strconv.FormatBool(in.Location.Verified); !slices.Contains(d.LocationComponent[0].LocalIdentifier, want) ||
			!slices.Contains(d.LocationComponent[0].LocalIdentifier, "district:"+in.Location.District) {
			t.Errorf("Export(%s): location identifiers %v, want %s and district %s", id, d.LocationComponent[0].LocalIdentifier, want, in.Location.District)
		}
		cautions += len(d.CautionComponent)
		units += len(d.EmergencyResourceComponent)
		if in.Status == dispatch.IncidentClosed {
			closed++
		}
	}
	t.Logf("%d incidents (%d closed) exported and valid: %d emergency resources, %d cautions", len(ids), closed, units, cautions)
	if cautions == 0 || units == 0 || closed == 0 {
		t.Errorf("the exports hold %d cautions, %d units, %d closed incidents; want some of each", cautions, units, closed)
	}
}
