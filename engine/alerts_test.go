package engine_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestAcknowledgeAlert: the engine hands the domain the event the log
// holds at the seq an acknowledgement names, whatever the command came
// with; the acknowledgement is indexed under the alert's subject, and the
// state rebuilt from the log is the live one.
func TestAcknowledgeAlert(t *testing.T) {
	dir := t.TempDir()
	key := MustKey(t)
	clock := NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), time.Second)
	db := MustOpenStore(t, filepath.Join(dir, "log.db"))
	e := MustOpenEngine(t, db, key, clock.Now)
	created := MustExecute(t, e, system, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"}).First
	MustExecute(t, e, system, dispatch.CreateUnit{CallSign: "1A1", Agency: "metro", Kind: "patrol"})
	alert := MustExecute(t, e, system, dispatch.SetUnitStatus{Unit: "metro.1a1", Status: dispatch.StatusEmergency}).First
	dana := dispatch.Actor{User: "dana", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher}}
	// A command that claims an event is an alert: the log says otherwise.
	forged := dispatch.Event{Type: dispatch.TypeSafetyCheck, Agency: "metro", Data: &dispatch.SafetyCheckAlert{Unit: "metro.1a1"}}
	tests := []struct {
		name string
		cmd  dispatch.AcknowledgeAlert
		code string
	}{
		{"ErrInvalid/ForgedAlert", dispatch.AcknowledgeAlert{Seq: created, Alert: &forged}, dispatch.EINVALID},
		{"ErrNotFound/BeyondTheLog", dispatch.AcknowledgeAlert{Seq: e.Log().Size() + 5, Alert: &forged}, dispatch.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.Execute(context.Background(), dana, tt.cmd); dispatch.ErrorCode(err) != tt.code {
				t.Errorf("Execute(AcknowledgeAlert{Seq: %d}) = %v, want %s", tt.cmd.Seq, err, tt.code)
			}
		})
	}
	res := MustExecute(t, e, dana, dispatch.AcknowledgeAlert{Seq: alert})
	ev := res.Events[0]
	if d, ok := ev.Data.(*dispatch.AlertAcknowledged); !ok || d.Alert != alert || d.AlertType != dispatch.TypeUnitStatusChanged || ev.Actor.User != "dana" {
		t.Fatalf("AcknowledgeAlert(%d) = %s %+v by %s, want dana's alert.acknowledged of %d", alert, ev.Type, ev.Data, ev.Actor.User, alert)
	}
	for _, subject := range []string{"unit/metro.1a1", "request/" + ev.Subject["request"]} {
		kind, id, _ := strings.Cut(subject, "/")
		if !slices.Contains(MustSeqs(t, e, kind, id), res.First) {
			t.Errorf("Seqs(%s) = %v, want the acknowledgement %d among them", subject, MustSeqs(t, e, kind, id), res.First)
		}
	}
	if ev.Subject["request"] == "" {
		t.Errorf("acknowledgement's subject = %v, want the request the EMERGENCY raised", ev.Subject)
	}

	// Rebuilt from the log, the state is the live one.
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	live := state(e)
	rebuilt := state(MustOpenEngine(t, db, key, clock.Now))
	normalise(live)
	normalise(rebuilt)
	if !reflect.DeepEqual(rebuilt, live) {
		t.Errorf("state rebuilt from the log differs from the live state:\n%s", diffState(rebuilt, live))
	}
}
