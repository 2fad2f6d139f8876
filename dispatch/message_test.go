package dispatch_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// mustSend decides a SendMessage as actor and applies it, returning the
// message.
func mustSend(t *testing.T, s *dispatch.State, actor dispatch.Actor, c dispatch.SendMessage) *dispatch.Message {
	t.Helper()
	evs, err := c.Decide(s, actor, now)
	if err != nil {
		t.Fatalf("%+v.Decide = %v, want a message", c, err)
	}
	if len(evs) != 1 || evs[0].Type != dispatch.TypeMessageSent || evs[0].Private[dispatch.PrivateMessage] != strings.TrimSpace(c.Text) {
		t.Fatalf("events = %+v, want one message.sent with the text private", evs)
	}
	if err := s.Apply(evs[0]); err != nil {
		t.Fatal(err)
	}
	return s.Messages[evs[0].Subject["message"]]
}

func TestSendMessage(t *testing.T) {
	s := MustLifecycleFixture(t,
		dispatch.CreateUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}},
		dispatch.DispatchUnits{Incident: inc1, Units: []string{"metro.2b7"}})
	off := dispatch.Actor{User: "olly", Agency: "metro", Role: dispatch.RoleOfficer}

	t.Run("Groups", func(t *testing.T) {
		for _, tc := range []struct {
			to        []string
			districts map[string][]string
			want      []string
		}{
			{[]string{"unit:metro.1a12"}, nil, []string{"unit:metro.1a12"}},
			{[]string{"incident:" + inc1}, nil, []string{"unit:metro.2b7"}},
			{[]string{"agency:metro", "unit:metro.2b7"}, nil, []string{"unit:metro.1a12", "unit:metro.2b7"}},
			// A district's units come from the caller; another agency's are dropped.
			{[]string{"district:9"}, map[string][]string{"9": {"metro.1a12", "sheriff.s1"}}, []string{"unit:metro.1a12"}},
			{[]string{"dispatch", "user:ann"}, nil, []string{"dispatch:metro", "user:ann"}},
		} {
			m := mustSend(t, s, off, dispatch.SendMessage{To: tc.to, Text: "hello", Districts: tc.districts})
			if !slices.Equal(m.Recipients, tc.want) || m.Agency != "metro" || m.From.User != "olly" || m.Text != "hello" {
				t.Errorf("SendMessage to %v: recipients %v (%+v), want %v", tc.to, m.Recipients, m, tc.want)
			}
		}
	})

	t.Run("SenderIsNotARecipient", func(t *testing.T) {
		m := mustSend(t, s, off, dispatch.SendMessage{FromUnit: "metro.2b7", To: []string{"incident:" + inc1, "unit:metro.1a12"}, Text: "on scene"})
		if !slices.Equal(m.Recipients, []string{"unit:metro.1a12"}) || m.FromUnit != "metro.2b7" {
			t.Errorf("recipients %v from %q, want unit:metro.1a12 from metro.2b7", m.Recipients, m.FromUnit)
		}
	})

	for _, tc := range []struct {
		name  string
		cmd   dispatch.SendMessage
		actor dispatch.Actor
		code  string
		msg   string
	}{
		{"ErrNoText", dispatch.SendMessage{To: []string{"unit:metro.1a12"}, Text: "  "}, off, dispatch.EINVALID, "message is required"},
		{"ErrNoAddressee", dispatch.SendMessage{Text: "x"}, off, dispatch.EINVALID, "at least one addressee"},
		{"ErrBadAddressee", dispatch.SendMessage{To: []string{"squad:1"}, Text: "x"}, off, dispatch.EINVALID, "squad:1"},
		{"ErrOtherAgencyUnit", dispatch.SendMessage{To: []string{"unit:sheriff.s1"}, Text: "x"}, off, dispatch.ENOTFOUND, "unit sheriff.s1 does not exist"},
		{"ErrOtherAgencyIncident", dispatch.SendMessage{To: []string{"incident:" + inc1}, Text: "x"}, sherDisp, dispatch.ENOTFOUND, "does not exist"},
		{"ErrOtherAgency", dispatch.SendMessage{Agency: "metro", To: []string{"unit:metro.1a12"}, Text: "x"}, sherDisp, dispatch.EFORBIDDEN, "may not act"},
		{"ErrOtherAgencyGroup", dispatch.SendMessage{To: []string{"agency:sheriff"}, Text: "x"}, off, dispatch.EINVALID, "own agency"},
		{"ErrNobody", dispatch.SendMessage{To: []string{"district:12"}, Text: "x"}, off, dispatch.ECONFLICT, "nobody"},
		{"ErrToSelfOnly", dispatch.SendMessage{FromUnit: "metro.1a12", To: []string{"unit:metro.1a12"}, Text: "x"}, off, dispatch.ECONFLICT, "nobody"},
		{"ErrTooLong", dispatch.SendMessage{To: []string{"unit:metro.1a12"}, Text: strings.Repeat("x", dispatch.MaxMessageLength+1)}, off, dispatch.EINVALID, "longer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cmd.Decide(s, tc.actor, now)
			if dispatch.ErrorCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Decide = %v, want %s containing %q", err, tc.code, tc.msg)
			}
		})
	}
}

func TestAckMessage(t *testing.T) {
	s := MustLifecycleFixture(t, dispatch.CreateUser{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}})
	off := dispatch.Actor{User: "olly", Agency: "metro", Role: dispatch.RoleOfficer}
	m := mustSend(t, s, metroDisp, dispatch.SendMessage{To: []string{"unit:metro.1a12", "dispatch"}, Text: "status?"})

	ack := func(c dispatch.AckMessage, actor dispatch.Actor, at time.Time) []dispatch.Event {
		t.Helper()
		evs, err := c.Decide(s, actor, at)
		if err != nil {
			t.Fatalf("%+v.Decide = %v", c, err)
		}
		for _, e := range evs {
			if err := s.Apply(e); err != nil {
				t.Fatal(err)
			}
		}
		return evs
	}
	// A read before any delivery gives both receipts; again, neither.
	evs := ack(dispatch.AckMessage{Message: m.ID, Unit: "metro.1a12", Read: true}, off, now)
	if len(evs) != 2 || evs[0].Type != dispatch.TypeMessageDelivered || evs[1].Type != dispatch.TypeMessageRead {
		t.Fatalf("read = %+v, want message.delivered and message.read", evs)
	}
	if evs := ack(dispatch.AckMessage{Message: m.ID, Unit: "metro.1a12", Read: true}, off, now.Add(time.Minute)); len(evs) != 0 {
		t.Errorf("read again = %+v, want no events", evs)
	}
	if !m.Read["unit:metro.1a12"].Equal(now) || !m.Delivered["unit:metro.1a12"].Equal(now) {
		t.Errorf("receipts delivered %v read %v, want both at %v", m.Delivered, m.Read, now)
	}
	// The dispatch desk: another dispatcher of metro acknowledges for it.
	other := dispatch.Actor{User: "dee", Agency: "metro", Role: dispatch.RoleDispatcher}
	if evs := ack(dispatch.AckMessage{Message: m.ID}, other, now); len(evs) != 1 || evs[0].Data.(*dispatch.MessageReceipt).Recipient != "dispatch:metro" {
		t.Errorf("delivered by another dispatcher = %+v, want dispatch:metro's receipt", evs)
	}

	for _, tc := range []struct {
		name  string
		cmd   dispatch.AckMessage
		actor dispatch.Actor
		code  string
	}{
		{"ErrNotFound", dispatch.AckMessage{Message: "M99"}, off, dispatch.ENOTFOUND},
		{"ErrOtherAgency", dispatch.AckMessage{Message: m.ID, Unit: "metro.1a12"}, sherDisp, dispatch.ENOTFOUND},
		{"ErrOtherUnit", dispatch.AckMessage{Message: m.ID, Unit: "metro.2b7"}, off, dispatch.ENOTFOUND},
		// The sender sees the message but is not its recipient.
		{"ErrSender", dispatch.AckMessage{Message: m.ID}, dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleOfficer}, dispatch.EFORBIDDEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.cmd.Decide(s, tc.actor, now); dispatch.ErrorCode(err) != tc.code {
				t.Errorf("Decide = %v, want %s", err, tc.code)
			}
		})
	}

	// Who sees it: the sender, the unit, the desk; not another unit or agency.
	for _, tc := range []struct {
		actor dispatch.Actor
		unit  string
		want  bool
	}{
		{metroDisp, "", true},
		{off, "metro.1a12", true},
		{off, "metro.2b7", false},
		{off, "", false},
		{other, "", true},
		{sherDisp, "metro.1a12", false},
	} {
		if got := m.VisibleTo(tc.actor, tc.unit); got != tc.want {
			t.Errorf("VisibleTo(%s/%s, %q) = %v, want %v", tc.actor.User, tc.actor.Role, tc.unit, got, tc.want)
		}
	}
}
