package dispatch_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// timersWorld returns a state with agency metro, an incident of each
// priority received at t0, and a unit on scene since t0.
func timersWorld(t *testing.T, t0 time.Time) *dispatch.State {
	t.Helper()
	s := dispatch.NewState()
	sys := dispatch.Actor{System: "test"}
	run := func(at time.Time, c dispatch.Command) {
		t.Helper()
		evs, err := c.Decide(s, sys, at)
		if err != nil {
			t.Fatalf("%T.Decide = %v", c, err)
		}
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				t.Fatalf("Apply(%s) = %v", e.Type, err)
			}
		}
	}
	run(t0, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	run(t0, dispatch.CreateUnit{CallSign: "1A1", Agency: "metro", Kind: "patrol"})
	for _, p := range []int{0, 1, 2} {
		run(t0, dispatch.CreateIncident{Agency: "metro", Type: "THEFT", Priority: &p, Location: dispatch.Location{Text: "1 Main St"}})
	}
	run(t0, dispatch.DispatchUnits{Incident: "metro-2026-000003", Units: []string{"metro.1a1"}})
	run(t0, dispatch.SetUnitStatus{Unit: "metro.1a1", Status: dispatch.StatusEnRoute})
	run(t0, dispatch.SetUnitStatus{Unit: "metro.1a1", Status: dispatch.StatusOnScene})
	return s
}

func types(evs []dispatch.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type+" "+e.Subject["incident"]+e.Subject["unit"]+e.Subject["request"])
	}
	return out
}

func TestCheckTimers(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	sys := dispatch.Actor{System: "timers"}
	tests := []struct {
		name  string
		after time.Duration
		want  []string
	}{
		{"NothingYet", 59 * time.Second, nil},
		{"UrgentPending", 60 * time.Second, []string{"alert.incident_pending metro-2026-000001", "alert.incident_pending metro-2026-000002"}},
		{"AndSafetyCheck", 20 * time.Minute, []string{"alert.incident_pending metro-2026-000001", "alert.incident_pending metro-2026-000002", "alert.safety_check metro.1a1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := timersWorld(t, t0)
			evs, err := dispatch.CheckTimers{}.Decide(s, sys, t0.Add(tt.after))
			if err != nil {
				t.Fatal(err)
			}
			if got := types(evs); !slices.Equal(got, tt.want) {
				t.Fatalf("CheckTimers after %v = %q, want %q", tt.after, got, tt.want)
			}
			for _, e := range evs {
				if err := s.Apply(e); err != nil {
					t.Fatal(err)
				}
			}
			// Each alert is raised once.
			again, _ := dispatch.CheckTimers{}.Decide(s, sys, t0.Add(tt.after+time.Hour))
			for _, e := range again {
				for _, w := range tt.want {
					if e.Type+" "+e.Subject["incident"]+e.Subject["unit"] == w {
						t.Errorf("alert %s raised twice", w)
					}
				}
			}
		})
	}
	t.Run("NewStayNewCheck", func(t *testing.T) {
		s := timersWorld(t, t0)
		evs, _ := dispatch.CheckTimers{}.Decide(s, sys, t0.Add(21*time.Minute))
		for _, e := range evs {
			s.Apply(e)
		}
		// The unit goes transporting and back on scene elsewhere: a new stay.
		for _, c := range []dispatch.Command{
			dispatch.SetUnitStatus{Unit: "metro.1a1", Status: dispatch.StatusEmergency},
			dispatch.SetUnitStatus{Unit: "metro.1a1", Status: dispatch.StatusOnScene, Reason: "officer safe"},
		} {
			es, err := c.Decide(s, sys, t0.Add(22*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				s.Apply(e)
			}
		}
		evs, _ = dispatch.CheckTimers{}.Decide(s, sys, t0.Add(43*time.Minute))
		// The EMERGENCY on the way raised a request, which alerts too.
		if got, want := types(evs), []string{"alert.safety_check metro.1a1", "assist.escalated metro-A-2026-000001"}; !slices.Equal(got, want) {
			t.Errorf("CheckTimers on a second stay = %q, want %q", got, want)
		}
	})
	t.Run("AgencyTimers", func(t *testing.T) {
		s := timersWorld(t, t0)
		evs, err := dispatch.SetAgencyTimers{Agency: "metro", Timers: dispatch.Timers{PendingAlertSeconds: 30, SafetyCheckSeconds: 600}}.Decide(s, dispatch.Actor{User: "sue", Agency: "metro", Role: dispatch.RoleSupervisor}, t0)
		if err != nil {
			t.Fatal(err)
		}
		s.Apply(evs[0])
		got, _ := dispatch.CheckTimers{}.Decide(s, sys, t0.Add(10*time.Minute))
		if len(got) != 3 {
			t.Errorf("CheckTimers with 30 s and 10 min timers after 10 min = %q, want 3 alerts", types(got))
		}
	})
	t.Run("ErrSetTimers", func(t *testing.T) {
		s := timersWorld(t, t0)
		for _, tc := range []struct {
			actor dispatch.Actor
			tm    dispatch.Timers
			code  string
		}{
			{dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}, dispatch.DefaultTimers, dispatch.EFORBIDDEN},
			{dispatch.Actor{User: "sue", Agency: "sheriff", Role: dispatch.RoleSupervisor}, dispatch.DefaultTimers, dispatch.EFORBIDDEN},
			{sys, dispatch.Timers{PendingAlertSeconds: 5, SafetyCheckSeconds: 600}, dispatch.EINVALID},
			{sys, dispatch.Timers{PendingAlertSeconds: 60, SafetyCheckSeconds: 10}, dispatch.EINVALID},
		} {
			_, err := dispatch.SetAgencyTimers{Agency: "metro", Timers: tc.tm}.Decide(s, tc.actor, t0)
			if dispatch.ErrorCode(err) != tc.code {
				t.Errorf("SetAgencyTimers(%+v) by %+v = %v, want %s", tc.tm, tc.actor, err, tc.code)
			}
		}
		if _, err := (dispatch.CheckTimers{}).Decide(s, dispatch.Actor{User: "ann", Role: dispatch.RoleDispatcher}, t0); dispatch.ErrorCode(err) != dispatch.EFORBIDDEN {
			t.Errorf("CheckTimers by a user = %v, want forbidden", err)
		}
	})
}
