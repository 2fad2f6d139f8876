package dispatch_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
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

	// The federation's status: the installation's administrators and
	// any agency's supervisors and auditors read the peers; no one else.
	for _, a := range []struct {
		actor dispatch.Actor
		reads bool
	}{
		{root, true},
		{dispatch.Actor{User: "s", Agency: "metro", Role: dispatch.RoleSupervisor}, true},
		{dispatch.Actor{User: "u", Agency: "metro", Role: dispatch.RoleAuditor}, true},
		{dispatch.Actor{User: "a", Agency: "metro", Role: dispatch.RoleAdmin}, false},
		{dispatch.Actor{User: "d", Agency: "metro", Role: dispatch.RoleDispatcher}, false},
		{dispatch.Actor{User: "o", Agency: "metro", Role: dispatch.RoleOfficer}, false},
		{dispatch.Actor{User: "x", Role: dispatch.RoleSupervisor}, false},
	} {
		ps, err := dispatch.FederationPeers(s, a.actor)
		switch {
		case a.reads && (err != nil || len(ps) != 1 || ps[0] != want):
			t.Errorf("FederationPeers(%s of %q) = %+v, %v, want county", a.actor.Role, a.actor.Agency, ps, err)
		case !a.reads && dispatch.ErrorCode(err) != dispatch.EFORBIDDEN:
			t.Errorf("FederationPeers(%s of %q) = %+v, %v, want forbidden", a.actor.Role, a.actor.Agency, ps, err)
		}
	}

	// A peer may name its witness's cosignature/v1 key; one that is not
	// such a key is refused, and nothing is recorded.
	wkey := cosignerKey(t, "state.example/log/witness")
	evs = mustDecide(t, s, root, at, dispatch.AddPeer{Name: "state", URL: "https://s.example", Origin: "other.example/log", Key: otherKey, WitnessKey: " " + wkey + "\n"})
	if d, ok := evs[0].Data.(*dispatch.PeerAdded); !ok || d.WitnessKey != wkey || s.Peers["state"].WitnessKey != wkey {
		t.Errorf("AddPeer with a witness key = %+v, peer %+v, want the key %s", evs[0].Data, s.Peers["state"], wkey)
	}
	mustDecide(t, s, root, at, dispatch.RemovePeer{Name: "state"})
	for name, bad := range map[string]string{
		"ErrLogKey":   otherKey, // a note key (type 0x01), not a cosigner's
		"ErrKeyID":    wkey[:strings.Index(wkey, "+")+1] + "00000000" + wkey[strings.LastIndex(wkey, "+"):],
		"ErrName":     "other" + wkey[strings.Index(wkey, "+"):],
		"ErrLength":   wkey + "AAAA",
		"ErrNotKey":   "nonsense",
		"ErrBase64":   wkey[:strings.LastIndex(wkey, "+")+1] + "!!!!",
		"ErrUpperHex": wkey[:strings.Index(wkey, "+")+1] + strings.ToUpper(strings.Split(wkey, "+")[1]) + wkey[strings.LastIndex(wkey, "+"):],
	} {
		t.Run("WitnessKey"+name, func(t *testing.T) {
			evs, err := dispatch.Decide(s, dispatch.AddPeer{Name: "state", URL: "https://s.example", Origin: "other.example/log", Key: otherKey, WitnessKey: bad}, root, at)
			if dispatch.ErrorCode(err) != dispatch.EINVALID || !strings.Contains(err.Error(), "witness key") {
				t.Errorf("AddPeer with the witness key %q = %v, %v, want invalid", bad, evs, err)
			}
		})
	}
	if _, ok := s.Peers["state"]; ok {
		t.Errorf("a peer with a bad witness key was added")
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

	// A peer's events reach the installation's administrators and the
	// supervisors and auditors of any agency, who read the federation's
	// status; no one else.
	added := dispatch.Envelope{Type: dispatch.TypePeerAdded}
	for _, a := range []struct {
		actor dispatch.Actor
		sees  bool
	}{
		{root, true},
		{dispatch.Actor{User: "s", Agency: "metro", Role: dispatch.RoleSupervisor}, true},
		{dispatch.Actor{User: "d", Agency: "metro", Role: dispatch.RoleDispatcher, Roles: []string{dispatch.RoleDispatcher, dispatch.RoleAuditor}}, true},
		{dispatch.Actor{User: "d", Agency: "metro", Role: dispatch.RoleDispatcher}, false},
		{dispatch.Actor{User: "a", Agency: "metro", Role: dispatch.RoleAdmin}, false},
		{dispatch.Actor{User: "x", Role: dispatch.RoleSupervisor}, false},
		{dispatch.WebhookActor("metro"), false},
	} {
		if got := dispatch.StreamVisible(s, added, a.actor, ""); got != a.sees {
			t.Errorf("StreamVisible(peer.added, %s %v of %q) = %v, want %v", a.actor.Role, a.actor.Roles, a.actor.Agency, got, a.sees)
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

// cosignerKey makes a cosignature/v1 verifier key named name, as C2SP
// tlog-cosignature says, by hand (the domain's tests import no witness
// code).
func cosignerKey(t *testing.T, name string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := append([]byte{0x04}, pub...)
	sum := sha256.Sum256(append([]byte(name+"\n"), key...))
	return fmt.Sprintf("%s+%08x+%s", name, binary.BigEndian.Uint32(sum[:4]), base64.StdEncoding.EncodeToString(key))
}
