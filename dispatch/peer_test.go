package dispatch_test

import (
	"crypto/rand"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestPeers(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	root := dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}
	_, vkey, err := note.GenerateKey(rand.Reader, "county.example/log")
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := note.GenerateKey(rand.Reader, "other.example/log")
	s := dispatch.NewState()
	ok := dispatch.AddPeer{Name: "county", URL: "https://county.example/", Origin: "county.example/log", Key: vkey}
	evs := mustDecide(t, s, root, at, ok)
	if len(evs) != 1 || evs[0].Type != dispatch.TypePeerAdded || evs[0].Agency != "" || evs[0].Subject["peer"] != "county" {
		t.Fatalf("AddPeer = %+v, want one peer.added of no agency", evs)
	}
	want := dispatch.Peer{Name: "county", URL: "https://county.example", Origin: "county.example/log", Key: vkey, Added: at}
	if got := *s.Peers["county"]; got != want {
		t.Errorf("peer = %+v, want %+v", got, want)
	}

	for _, tt := range []struct {
		name  string
		actor dispatch.Actor
		cmd   dispatch.Command
		code  string
	}{
		{"ErrAgencyAdmin", dispatch.Actor{User: "a", Agency: "metro", Role: dispatch.RoleAdmin}, dispatch.AddPeer{Name: "state", URL: "https://s.example", Origin: "other.example/log", Key: otherKey}, dispatch.EFORBIDDEN},
		{"ErrSupervisor", dispatch.Actor{User: "s", Agency: "metro", Role: dispatch.RoleSupervisor}, dispatch.RemovePeer{Name: "county"}, dispatch.EFORBIDDEN},
		{"ErrName", root, dispatch.AddPeer{Name: "State!", URL: "https://s.example", Origin: "other.example/log", Key: otherKey}, dispatch.EINVALID},
		{"ErrURL", root, dispatch.AddPeer{Name: "state", URL: "ftp://s.example", Origin: "other.example/log", Key: otherKey}, dispatch.EINVALID},
		{"ErrURLQuery", root, dispatch.AddPeer{Name: "state", URL: "https://s.example/?a=1", Origin: "other.example/log", Key: otherKey}, dispatch.EINVALID},
		{"ErrOrigin", root, dispatch.AddPeer{Name: "state", URL: "https://s.example", Origin: "a b", Key: otherKey}, dispatch.EINVALID},
		{"ErrKey", root, dispatch.AddPeer{Name: "state", URL: "https://s.example", Origin: "other.example/log", Key: "not a key"}, dispatch.EINVALID},
		{"ErrKeyName", root, dispatch.AddPeer{Name: "state", URL: "https://s.example", Origin: "state.example/log", Key: otherKey}, dispatch.EINVALID},
		{"ErrNameTaken", root, dispatch.AddPeer{Name: "county", URL: "https://s.example", Origin: "other.example/log", Key: otherKey}, dispatch.ECONFLICT},
		{"ErrOriginTaken", root, dispatch.AddPeer{Name: "state", URL: "https://s.example", Origin: "county.example/log", Key: vkey}, dispatch.ECONFLICT},
		{"ErrRemoveMissing", root, dispatch.RemovePeer{Name: "state"}, dispatch.ENOTFOUND},
		{"ErrForkByUser", root, dispatch.RecordFork{Fork: dispatch.WitnessFork{Origin: "county.example/log"}}, dispatch.EFORBIDDEN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := dispatch.Decide(s, tt.cmd, tt.actor, at)
			if dispatch.ErrorCode(err) != tt.code {
				t.Errorf("Decide(%#v) = %v, %v, want %s", tt.cmd, evs, err, tt.code)
			}
		})
	}
	if _, err := dispatch.PeerList(s, dispatch.Actor{User: "s", Agency: "metro", Role: dispatch.RoleSupervisor}); dispatch.ErrorCode(err) != dispatch.EFORBIDDEN {
		t.Errorf("PeerList(supervisor) = %v, want forbidden", err)
	}

	// A fork of the peer's log names the peer and is an alert.
	evs = mustDecide(t, s, dispatch.Actor{System: "witness"}, at, dispatch.RecordFork{Fork: dispatch.WitnessFork{Evidence: 3, Origin: "county.example/log", HeldSize: 16, SubmittedSize: 19}})
	if d, ok := evs[0].Data.(*dispatch.WitnessFork); len(evs) != 1 || !ok || d.Peer != "county" || evs[0].Subject["peer"] != "county" || !dispatch.IsAlert(evs[0]) {
		t.Errorf("RecordFork = %+v, want an alert naming the peer county", evs)
	}

	// The alert reaches the installation's administrators alone.
	env := dispatch.Envelope{Type: evs[0].Type, Agency: evs[0].Agency}
	for _, a := range []struct {
		actor dispatch.Actor
		sees  bool
	}{
		{root, true},
		{dispatch.Actor{User: "a", Agency: "metro", Role: dispatch.RoleAdmin}, false},
		{dispatch.Actor{User: "s", Agency: "metro", Role: dispatch.RoleSupervisor}, false},
	} {
		if got := dispatch.StreamVisible(s, env, a.actor, ""); got != a.sees {
			t.Errorf("StreamVisible(fork, %s of %q) = %v, want %v", a.actor.Role, a.actor.Agency, got, a.sees)
		}
	}

	// The state after a snapshot holds the peer; removing it forgets it.
	c := s.Clone()
	if got := *c.Peers["county"]; got != want {
		t.Errorf("peer after Clone = %+v, want %+v", got, want)
	}
	mustDecide(t, s, root, at, dispatch.RemovePeer{Name: "county"})
	if ps, err := dispatch.PeerList(s, root); err != nil || len(ps) != 0 {
		t.Errorf("PeerList after remove = %v, %v, want none", ps, err)
	}
}
