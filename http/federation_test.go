package http_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/witness"
)

// mustCosigner returns a cosignature/v1 signer named name, with a key of
// its own.
func mustCosigner(t *testing.T, name string) *witness.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := witness.NewSigner(name, priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPeerWitnessKey adds a peer that names its witness's key: the key is
// in the peer, in the event and in the list; a key that is not a
// cosignature/v1 key is refused and nothing is recorded.
func TestPeerWitnessKey(t *testing.T) {
	ts := MustOpenServer(t)
	_, vkey, err := note.GenerateKey(rand.Reader, "county.example/log")
	if err != nil {
		t.Fatal(err)
	}
	wkey := mustCosigner(t, "county.example/log/witness").Verifier().String()
	body := map[string]string{"name": "county", "url": "https://county.example", "origin": "county.example/log", "key": vkey, "witness_key": wkey}

	for name, bad := range map[string]string{
		"ErrNoteKey": vkey, // the log's key: type 0x01, not a cosigner's
		"ErrKeyID":   strings.Replace(wkey, "+"+strings.Split(wkey, "+")[1]+"+", "+00000000+", 1),
		"ErrGarbage": "county.example/log/witness",
	} {
		t.Run(name, func(t *testing.T) {
			before := ts.Engine.Log().Size()
			b := map[string]string{"name": "county", "url": "https://county.example", "origin": "county.example/log", "key": vkey, "witness_key": bad}
			r := ts.Do(t, "POST", "/api/v1/peers", ts.Admin, b)
			CheckProblem(t, "POST /api/v1/peers "+name, r, 422, dispatch.EINVALID, "witness key")
			if evs := peerEvents(ts.Events(t, before)); len(evs) != 0 {
				t.Errorf("a peer with a bad witness key was recorded: %+v", evs)
			}
		})
	}

	before := ts.Engine.Log().Size()
	r := ts.Do(t, "POST", "/api/v1/peers", ts.Admin, body)
	var p struct {
		Name       string `json:"name"`
		WitnessKey string `json:"witness_key"`
	}
	MustJSON(t, "POST /api/v1/peers", r, 201, &p)
	if p.Name != "county" || p.WitnessKey != wkey {
		t.Errorf("POST /api/v1/peers = %+v, want county with the witness key %s", p, wkey)
	}
	evs := peerEvents(ts.Events(t, before))
	if len(evs) != 1 {
		t.Fatalf("events = %+v, want one peer.added", evs)
	}
	var data map[string]string
	if err := json.Unmarshal(evs[0].Data, &data); err != nil || data["witness_key"] != wkey {
		t.Errorf("peer.added data = %s (%v), want the witness key in the clear", evs[0].Data, err)
	}
	var list struct {
		Peers []struct {
			Name       string `json:"name"`
			WitnessKey string `json:"witness_key"`
		}
	}
	MustJSON(t, "GET /api/v1/peers", ts.Do(t, "GET", "/api/v1/peers", ts.Admin, nil), 200, &list)
	if len(list.Peers) != 1 || list.Peers[0].WitnessKey != wkey {
		t.Errorf("GET /api/v1/peers = %+v, want county with its witness key", list.Peers)
	}
}

type federationJSON struct {
	Origin     string `json:"origin"`
	WitnessKey string `json:"witness_key"`
	Cosigned   *struct {
		Size      int64     `json:"size"`
		Time      time.Time `json:"time"`
		Cosigners []string  `json:"cosigners"`
	} `json:"cosigned"`
	Peers []struct {
		Name      string `json:"name"`
		URL       string `json:"url"`
		Origin    string `json:"origin"`
		Witnessed *struct {
			Size int64     `json:"size"`
			Time time.Time `json:"time"`
		} `json:"witnessed"`
		Forks int `json:"forks"`
	} `json:"peers"`
}

// TestFederation reads GET /api/v1/federation: the log's origin and its
// witness's key, nothing cosigned yet and then the checkpoint with the
// names of its cosigners, and each peer with what the witness holds of its
// log and the forks kept; for the installation's administrator and the
// supervisors and auditors of any agency, no one else.
func TestFederation(t *testing.T) {
	ts := MustOpenServer(t)
	// The witness keeps its state in the server's store, made with the
	// server: it is set before the test's first request.
	wsigner := mustCosigner(t, origin+"/witness")
	wit, err := witness.New(witness.Config{Store: ts.Store, Signer: wsigner, Logs: func(string) ([]note.Verifier, bool) { return nil, false }})
	if err != nil {
		t.Fatal(err)
	}
	ts.Handler.SetWitness(wit, ts.Store)

	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	supervisor := ts.MustCreateUser(t, "sam", "metro", dispatch.RoleSupervisor)
	auditor := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleAuditor)
	dispatcher := ts.MustCreateUser(t, "dee", "metro", dispatch.RoleDispatcher)
	agencyAdmin := ts.MustCreateUser(t, "mia", "metro", dispatch.RoleAdmin)
	for _, p := range []struct{ name, origin string }{{"county", "county.example/log"}, {"state", "state.example/log"}} {
		_, vkey, err := note.GenerateKey(rand.Reader, p.origin)
		if err != nil {
			t.Fatal(err)
		}
		ts.MustExecute(t, dispatch.AddPeer{Name: p.name, URL: "https://" + p.name + ".example", Origin: p.origin, Key: vkey})
	}

	var f federationJSON
	MustJSON(t, "GET /api/v1/federation", ts.Do(t, "GET", "/api/v1/federation", ts.Admin, nil), 200, &f)
	if f.Origin != origin || f.WitnessKey != wsigner.Verifier().String() || f.Cosigned != nil || len(f.Peers) != 2 ||
		f.Peers[0].Name != "county" || f.Peers[0].Witnessed != nil || f.Peers[0].Forks != 0 || f.Peers[1].Name != "state" {
		t.Fatalf("GET /api/v1/federation before any witnessing = %+v", f)
	}

	// The witness holds county's log at 42 and kept two forks of it; this
	// log's checkpoint is cosigned by two witnesses.
	ctx := context.Background()
	held := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	if err := ts.Store.SwapWitnessedLog(ctx, 0, store.WitnessedLog{Origin: "county.example/log", Size: 42, Root: make([]byte, 32), Checkpoint: []byte("cp"), Updated: held}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := ts.Store.AddForkEvidence(ctx, store.ForkEvidence{Origin: "county.example/log", Held: []byte("a"), Submitted: []byte("b"), Reason: "test", Seen: held}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.Engine.Log().Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	cp, msg := ts.Engine.Log().LatestCheckpoint()
	text, _, _ := strings.Cut(string(msg), "\n\n")
	cosigned := msg
	for _, s := range []*witness.Signer{mustCosigner(t, "county.example/log/witness"), mustCosigner(t, "w1.example/witness")} {
		signed, err := note.Sign(&note.Note{Text: text + "\n"}, s)
		if err != nil {
			t.Fatal(err)
		}
		_, line, _ := strings.Cut(string(signed), "\n\n")
		cosigned = append(cosigned, line...)
	}
	at := time.Date(2026, 3, 1, 9, 31, 0, 0, time.UTC)
	if err := ts.Store.SaveCosigned(ctx, store.Cosigned{Size: cp.Size, Note: cosigned, Updated: at}); err != nil {
		t.Fatal(err)
	}

	for _, who := range []struct{ name, token string }{{"admin", ts.Admin}, {"supervisor", supervisor}, {"auditor", auditor}} {
		var f federationJSON
		MustJSON(t, "GET /api/v1/federation as "+who.name, ts.Do(t, "GET", "/api/v1/federation", who.token, nil), 200, &f)
		if f.Cosigned == nil || f.Cosigned.Size != cp.Size || !f.Cosigned.Time.Equal(at) ||
			strings.Join(f.Cosigned.Cosigners, ",") != "county.example/log/witness,w1.example/witness" {
			t.Errorf("GET /api/v1/federation as %s: cosigned = %+v, want size %d at %s by county's witness and w1", who.name, f.Cosigned, cp.Size, at)
		}
		if len(f.Peers) != 2 {
			t.Fatalf("GET /api/v1/federation as %s: peers = %+v, want county and state", who.name, f.Peers)
		}
		county, state := f.Peers[0], f.Peers[1]
		if county.Origin != "county.example/log" || county.URL != "https://county.example" || county.Witnessed == nil ||
			county.Witnessed.Size != 42 || !county.Witnessed.Time.Equal(held) || county.Forks != 2 {
			t.Errorf("GET /api/v1/federation as %s: county = %+v, want witnessed at 42 at %s, 2 forks", who.name, county, held)
		}
		if state.Witnessed != nil || state.Forks != 0 {
			t.Errorf("GET /api/v1/federation as %s: state = %+v, want nothing witnessed, no fork", who.name, state)
		}
	}
	for _, who := range []struct{ name, token string }{{"dispatcher", dispatcher}, {"agency admin", agencyAdmin}} {
		r := ts.Do(t, "GET", "/api/v1/federation", who.token, nil)
		CheckProblem(t, "GET /api/v1/federation as "+who.name, r, 403, dispatch.EFORBIDDEN, "")
	}
}
