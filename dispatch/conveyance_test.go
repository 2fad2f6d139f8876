package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestRecordConveyance(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	hash := strings.Repeat("ab", 32)
	sent := dispatch.EIDOConveyed{EIDOs: []dispatch.ConveyedEIDO{{Incident: "metro-2026-000001", SHA256: hash, Size: 900,
		Recipients: []dispatch.EIDORecipient{{Subscription: "s1", Agency: "metro", User: "county-cad"}}}}}
	system := dispatch.Actor{System: "eido"}
	for _, tc := range []struct {
		name  string
		cmd   dispatch.RecordConveyance
		actor dispatch.Actor
		code  string
	}{
		{"OK", dispatch.RecordConveyance{Type: dispatch.TypeEIDOSent, Agency: "metro", Data: sent}, system, ""},
		{"ErrForbidden", dispatch.RecordConveyance{Type: dispatch.TypeEIDOSent, Agency: "metro", Data: sent},
			dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleSupervisor}, dispatch.EFORBIDDEN},
		{"ErrType", dispatch.RecordConveyance{Type: "eido.lost", Agency: "metro", Data: sent}, system, dispatch.EINVALID},
		{"ErrEmpty", dispatch.RecordConveyance{Type: dispatch.TypeEIDOSent, Agency: "metro"}, system, dispatch.EINVALID},
		{"ErrHash", dispatch.RecordConveyance{Type: dispatch.TypeEIDOSent, Agency: "metro",
			Data: dispatch.EIDOConveyed{EIDOs: []dispatch.ConveyedEIDO{{Incident: "x", SHA256: "abc", Size: 1}}}}, system, dispatch.EINVALID},
		{"ErrOutcome", dispatch.RecordConveyance{Type: dispatch.TypeEIDOReceived, Agency: "county",
			Data: dispatch.EIDOConveyed{Partner: "metro", EIDOs: []dispatch.ConveyedEIDO{{Remote: "urn:x", SHA256: hash, Size: 1}}}}, system, dispatch.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := tc.cmd.Decide(dispatch.NewState(), tc.actor, now)
			if got := dispatch.ErrorCode(err); (err == nil) != (tc.code == "") || err != nil && got != tc.code {
				t.Fatalf("Decide = %v, want code %q", err, tc.code)
			}
			if tc.code != "" {
				return
			}
			if len(evs) != 1 || evs[0].Type != dispatch.TypeEIDOSent || evs[0].Subject["incident"] != "metro-2026-000001" {
				t.Fatalf("Decide = %+v, want one eido.sent in the incident's timeline", evs)
			}
			s := dispatch.NewState()
			if err := s.Apply(evs[0]); err != nil {
				t.Errorf("Apply = %v: a conveyance changes no state, and is accepted", err)
			}
		})
	}
}
