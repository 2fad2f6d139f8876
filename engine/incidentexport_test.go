package engine_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

func TestIncidentExport(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	h := &memHistory{subjects: map[string][]int64{}}
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: MustKey(t), Clock: NewClock(t0, time.Second).Now, History: h, TimerInterval: -1, SampleInterval: -1})
	if err != nil {
		t.Fatalf("engine.Open = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	for _, c := range []dispatch.Command{
		dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
		dispatch.CreateUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUser{Username: "ofc1", Agency: "metro", Roles: []string{dispatch.RoleOfficer}},
		dispatch.CreateUser{Username: "sid", Agency: "sheriff", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.CreateUnit{CallSign: "1A10", Agency: "metro", Kind: "patrol"},
		dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"},
	} {
		MustExecute(t, e, root, c)
	}
	res := MustExecute(t, e, root, dispatch.CreateIncident{Agency: "metro", Type: "THEFT",
		Location: dispatch.Location{Text: "100 Main St", Lat: ptr(41.8), Lon: ptr(-87.7)},
		Caller:   dispatch.Caller{Name: "Pat Caller", Phone: "312-555-0100"}, Narrative: "bike taken"})
	id := res.Events[0].Subject["incident"]
	MustExecute(t, e, metroDispatcher, dispatch.AddNote{Incident: id, Text: "suspect went north"})
	MustExecute(t, e, root, dispatch.SignOn{Unit: "metro.1a10", Crew: []string{"ofc1"}, Start: t0, End: t0.Add(12 * time.Hour)})
	MustExecute(t, e, root, dispatch.DispatchUnits{Incident: id, Units: []string{"metro.1a10"}})

	x, err := e.IncidentExport(ctx, metroDispatcher, id)
	if err != nil {
		t.Fatalf("IncidentExport(%s) as metro = %v", id, err)
	}
	if x.Incident.ID != id || x.Incident.Caller.Name != "Pat Caller" || x.Incident.Narrative != "bike taken" {
		t.Errorf("IncidentExport(%s).Incident = %+v, want it whole for its own agency", id, x.Incident)
	}
	if x.Type.Name != "Theft" {
		t.Errorf("IncidentExport(%s).Type = %+v, want the catalogue's Theft", id, x.Type)
	}
	if len(x.Units) != 1 || x.Units[0].ID != "metro.1a10" || x.Units[0].Status != dispatch.StatusDispatched {
		t.Errorf("IncidentExport(%s).Units = %+v, want metro.1a10 DISPATCHED", id, x.Units)
	}
	if len(x.Agencies) != 1 || x.Agencies[0].ID != "metro" {
		t.Errorf("IncidentExport(%s).Agencies = %+v, want metro only", id, x.Agencies)
	}
	var users []string
	for _, u := range x.Users {
		users = append(users, u.Username)
	}
	// ann wrote the note; ofc1 crews the unit.
	if !slices.Equal(users, []string{"ofc1", "ann"}) {
		t.Errorf("IncidentExport(%s).Users = %v, want [ofc1 ann]", id, users)
	}
	if x.Origin != "tenfour.test/log" || x.Archived {
		t.Errorf("IncidentExport(%s) origin %q archived %v, want tenfour.test/log, false", id, x.Origin, x.Archived)
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := e.IncidentExport(ctx, sheriffDispatcher, id); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Errorf("IncidentExport(%s) as sheriff = %v, want not found", id, err)
		}
		if _, err := e.IncidentExport(ctx, metroDispatcher, "metro-2026-999999"); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Errorf("IncidentExport(missing) = %v, want not found", err)
		}
	})

	t.Run("Archived", func(t *testing.T) {
		old := oldIncident("metro", 7, t0.Add(-48*time.Hour), "NOISE", 41.81, "metro.1a10", "sheriff.s1")
		h.add(archivedIncident(t, old))
		x, err := e.IncidentExport(ctx, metroDispatcher, old.ID)
		if err != nil {
			t.Fatalf("IncidentExport(%s) = %v", old.ID, err)
		}
		if !x.Archived || x.Incident.Narrative != "archived narrative" || x.Type.Name != "Noise complaint" {
			t.Errorf("IncidentExport(%s) = archived %v, %+v, type %+v; want the archive's incident", old.ID, x.Archived, x.Incident, x.Type)
		}
		// The sheriff's unit is not metro's to see: left out.
		if len(x.Units) != 1 || x.Units[0].ID != "metro.1a10" {
			t.Errorf("IncidentExport(%s).Units = %+v, want metro.1a10 only", old.ID, x.Units)
		}
		if len(x.Positions) != 0 {
			t.Errorf("IncidentExport(%s).Positions = %v, want none: no unit is on it now", old.ID, x.Positions)
		}
		if _, err := e.IncidentExport(ctx, sheriffDispatcher, old.ID); dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
			t.Errorf("IncidentExport(%s) as sheriff = %v, want not found", old.ID, err)
		}
	})
}
