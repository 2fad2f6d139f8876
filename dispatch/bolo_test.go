package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestBOLO(t *testing.T) {
	s := MustLifecycleFixture(t)
	photo := strings.Repeat("0a", 32)
	ok := dispatch.IssueBOLO{Kind: dispatch.BOLOVehicle, Description: " grey pickup, ladder rack ", Plate: "il 4-PX 22",
		Photos: []string{photo, photo}, Area: dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: 41.82, Lon: -87.70, RadiusM: 500}},
		Expires: now.Add(6 * time.Hour)}
	evs, err := ok.Decide(s, metroDisp, now)
	if err != nil || len(evs) != 1 || evs[0].Type != dispatch.TypeBOLOIssued {
		t.Fatalf("IssueBOLO = %+v, %v, want bolo.issued", evs, err)
	}
	if evs[0].Private[dispatch.PrivateBOLOPlate] != "IL4PX22" || evs[0].Private[dispatch.PrivateBOLODescription] != "grey pickup, ladder rack" {
		t.Errorf("private fields = %v, want the plate normalised and the description trimmed", evs[0].Private)
	}
	if err := s.Apply(evs[0]); err != nil {
		t.Fatal(err)
	}
	b := s.BOLOs["B1"]
	if b == nil || b.Agency != "metro" || b.Priority != 2 || len(b.Photos) != 1 || !b.Active(now) || b.Active(now.Add(6*time.Hour)) {
		t.Fatalf("BOLO = %+v, want metro's, priority 2, one photo, in force until it expires", b)
	}
	for q, want := range map[string]bool{"IL4PX22": true, "4px": true, "il 4 px 22": true, "grey ladder": true, "red ladder": false, "": true} {
		if got := b.Matches(q); got != want {
			t.Errorf("Matches(%q) = %v, want %v", q, got, want)
		}
	}
	in, out := 41.8201, 41.9
	lon := -87.70
	if !b.Covers(dispatch.Location{Lat: &in, Lon: &lon}) || b.Covers(dispatch.Location{Lat: &out, Lon: &lon}) || b.Covers(dispatch.Location{District: "9"}) {
		t.Errorf("Covers: want only the point inside the circle")
	}

	for _, tc := range []struct {
		name  string
		cmd   dispatch.Command
		actor dispatch.Actor
		code  string
	}{
		{"ErrKind", func() dispatch.IssueBOLO { c := ok; c.Kind = "boat"; return c }(), metroDisp, dispatch.EINVALID},
		{"ErrNoDescription", func() dispatch.IssueBOLO { c := ok; c.Description = " "; return c }(), metroDisp, dispatch.EINVALID},
		{"ErrPhoto", func() dispatch.IssueBOLO { c := ok; c.Photos = []string{"abc"}; return c }(), metroDisp, dispatch.EINVALID},
		{"ErrPriority", func() dispatch.IssueBOLO { c := ok; c.Priority = 4; return c }(), metroDisp, dispatch.EINVALID},
		{"ErrArea", func() dispatch.IssueBOLO {
			c := ok
			c.Area = dispatch.Scope{Kind: dispatch.ScopeIncident, Incident: inc1}
			return c
		}(), metroDisp, dispatch.EINVALID},
		{"ErrExpired", func() dispatch.IssueBOLO { c := ok; c.Expires = now; return c }(), metroDisp, dispatch.EINVALID},
		{"ErrTooLong", func() dispatch.IssueBOLO {
			c := ok
			c.Expires = now.Add(dispatch.MaxBOLOLifetime + time.Hour)
			return c
		}(), metroDisp, dispatch.EINVALID},
		{"ErrOfficer", ok, dispatch.Actor{User: "o", Agency: "metro", Role: dispatch.RoleOfficer}, dispatch.EFORBIDDEN},
		{"ErrOtherAgency", func() dispatch.IssueBOLO { c := ok; c.Agency = "metro"; return c }(), sherDisp, dispatch.EFORBIDDEN},
		{"ErrCancelOtherAgency", dispatch.CancelBOLO{ID: "B1", Reason: "x"}, sherDisp, dispatch.ENOTFOUND},
		{"ErrCancelNoReason", dispatch.CancelBOLO{ID: "B1"}, metroDisp, dispatch.EINVALID},
		{"ErrCancelMissing", dispatch.CancelBOLO{ID: "B9", Reason: "x"}, metroDisp, dispatch.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.cmd.Decide(s, tc.actor, now); dispatch.ErrorCode(err) != tc.code {
				t.Errorf("Decide = %v, want %s", err, tc.code)
			}
		})
	}

	evs, err = dispatch.CancelBOLO{ID: "B1", Reason: "found"}.Decide(s, metroDisp, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(evs[0]); err != nil {
		t.Fatal(err)
	}
	if b.Active(now.Add(time.Minute)) || b.Reason != "found" {
		t.Errorf("cancelled BOLO = %+v, want not in force", b)
	}
	if _, err := (dispatch.CancelBOLO{ID: "B1", Reason: "again"}).Decide(s, metroDisp, now.Add(2*time.Minute)); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Errorf("cancel twice = %v, want %s", err, dispatch.ECONFLICT)
	}
}
