package engine_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestUpdatePositions(t *testing.T) {
	start := time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC)
	e := MustOpenEngine(t, MustOpenStore(t, filepath.Join(t.TempDir(), "t.db")), MustKey(t), NewClock(start, time.Second).Now)
	system := dispatch.Actor{System: "test"}
	for _, c := range seedCommands()[:5] {
		MustExecute(t, e, system, c)
	}
	at := start.Add(time.Minute)
	ok := []dispatch.Position{
		{Unit: "metro.1a12", Lat: 41.82, Lon: -87.70, Time: at},
		{Unit: "metro.2b7", Lat: 41.83, Lon: -87.71, Time: at},
		{Unit: "metro.1a12", Lat: 41.821, Lon: -87.701, Time: at.Add(time.Second)},
	}
	if err := e.UpdatePositions(system, ok); err != nil {
		t.Fatalf("UpdatePositions = %v", err)
	}
	if p, found := e.Position("metro.1a12"); !found || p.Lat != 41.821 || !p.Time.Equal(at.Add(time.Second)) {
		t.Errorf("Position(metro.1a12) = %v, %v, want the batch's last", p, found)
	}
	if got := e.NearestUnits(41.82, -87.70, 1, nil); len(got) != 1 || got[0].Unit != "metro.1a12" {
		t.Errorf("NearestUnits(41.82, -87.70, 1) = %v, want metro.1a12", got)
	}
	for _, tc := range []struct {
		name string
		p    dispatch.Position
		code string
		msg  string
	}{
		{"ErrNotFound", dispatch.Position{Unit: "metro.9z9", Lat: 41.8, Lon: -87.7, Time: at}, dispatch.ENOTFOUND, "position 1: unit metro.9z9 does not exist"},
		{"ErrLatitude", dispatch.Position{Unit: "metro.2b7", Lat: 91, Lon: -87.7, Time: at}, dispatch.EINVALID, "position 1: 91,-87.7 is not a latitude and longitude"},
		{"ErrLongitude", dispatch.Position{Unit: "metro.2b7", Lat: 41, Lon: -180.5, Time: at}, dispatch.EINVALID, "is not a latitude and longitude"},
		{"ErrNoTime", dispatch.Position{Unit: "metro.2b7", Lat: 41, Lon: -87}, dispatch.EINVALID, "give the time"},
		{"ErrFuture", dispatch.Position{Unit: "metro.2b7", Lat: 41, Lon: -87, Time: start.Add(time.Hour)}, dispatch.EINVALID, "more than 1m0s ahead"},
		{"ErrOlder", dispatch.Position{Unit: "metro.1a12", Lat: 41, Lon: -87, Time: at}, dispatch.EINVALID, "unit metro.1a12 has a newer position already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := dispatch.Position{Unit: "metro.2b7", Lat: 41.9, Lon: -87.6, Time: at.Add(2 * time.Second)}
			err := e.UpdatePositions(system, []dispatch.Position{good, tc.p})
			if dispatch.ErrorCode(err) != tc.code || !strings.Contains(dispatch.ErrorMessage(err), tc.msg) {
				t.Fatalf("UpdatePositions(%v) = %v, want %s %q", tc.p, err, tc.code, tc.msg)
			}
			if p, _ := e.Position("metro.2b7"); p.Lat == 41.9 {
				t.Errorf("UpdatePositions kept a position of a refused batch")
			}
		})
	}

	// An officer reports only the units they crew (dispatch.MayOperate).
	t.Run("ErrForbiddenNotCrew", func(t *testing.T) {
		MustExecute(t, e, system, dispatch.CreateUser{Username: "oz", Agency: "metro", Roles: []string{dispatch.RoleOfficer}})
		oz := dispatch.Actor{User: "oz", Agency: "metro", Role: dispatch.RoleOfficer, Roles: []string{dispatch.RoleOfficer}}
		p := dispatch.Position{Unit: "metro.2b7", Lat: 41.7, Lon: -87.7, Time: at.Add(3 * time.Second)}
		err := e.UpdatePositions(oz, []dispatch.Position{p})
		if dispatch.ErrorCode(err) != dispatch.EFORBIDDEN || !strings.Contains(dispatch.ErrorMessage(err), "position 0: oz is not on the crew of unit 2B7") {
			t.Fatalf("UpdatePositions(officer, not crewing) = %v, want EFORBIDDEN naming the crew", err)
		}
		if p, _ := e.Position("metro.2b7"); p.Lat == 41.7 {
			t.Errorf("UpdatePositions kept a position an officer may not report")
		}
		MustExecute(t, e, oz, dispatch.SignOn{Unit: "metro.2b7", Crew: []string{"oz"}, Start: start, End: start.Add(8 * time.Hour)})
		if err := e.UpdatePositions(oz, []dispatch.Position{p}); err != nil {
			t.Fatalf("UpdatePositions(officer, crewing) = %v, want it kept", err)
		}
	})
}
