package http_test

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
)

// peerEvents returns the peer.* events of evs (the others are access
// events: a token used).
func peerEvents(evs []ledger.Entry) []ledger.Entry {
	var out []ledger.Entry
	for _, e := range evs {
		if strings.HasPrefix(e.Type, "peer.") {
			out = append(out, e)
		}
	}
	return out
}

type peerJSON struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Origin string `json:"origin"`
	Key    string `json:"key"`
}

// TestPeers adds, lists and removes a peer as the installation
// administrator: each change an event of the log, bad input a problem, and
// an administrator of an agency refused.
func TestPeers(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	metroAdmin := ts.MustCreateUser(t, "mia", "metro", dispatch.RoleAdmin)
	_, vkey, err := note.GenerateKey(nil, "county.example/log")
	if err != nil {
		t.Fatal(err)
	}
	county := map[string]string{"name": "county", "url": "https://county.example", "origin": "county.example/log", "key": vkey}

	r := ts.Do(t, "POST", "/api/v1/peers", metroAdmin, county)
	CheckProblem(t, "POST /api/v1/peers as an agency's admin", r, 403, dispatch.EFORBIDDEN, "not open to your roles")

	before := ts.Engine.Log().Size()
	r = ts.Do(t, "POST", "/api/v1/peers", ts.Admin, county)
	checkCreated(t, ts, "POST /api/v1/peers", r, "/api/v1/peers/county")
	var p peerJSON
	MustJSON(t, "POST /api/v1/peers", r, 201, &p)
	if p != (peerJSON{"county", "https://county.example", "county.example/log", vkey}) {
		t.Errorf("POST /api/v1/peers = %+v", p)
	}
	evs := peerEvents(ts.Events(t, before))
	if len(evs) != 1 || evs[0].Type != dispatch.TypePeerAdded || evs[0].Agency != "" || evs[0].Actor.System != "" {
		t.Fatalf("events of POST /api/v1/peers = %+v, want one peer.added by the administrator", evs)
	}
	var data peerJSON
	if err := json.Unmarshal(evs[0].Data, &data); err != nil || data != p {
		t.Errorf("peer.added data = %s (%v), want the peer in the clear", evs[0].Data, err)
	}

	for _, tt := range []struct {
		name   string
		body   map[string]string
		status int
		code   string
		detail string
	}{
		{"ErrKey", map[string]string{"name": "state", "url": "https://state.example", "origin": "state.example/log", "key": "nonsense"}, 422, dispatch.EINVALID, "note verifier key"},
		{"ErrKeyName", map[string]string{"name": "state", "url": "https://state.example", "origin": "state.example/log", "key": vkey}, 422, dispatch.EINVALID, "not the origin"},
		{"ErrURL", map[string]string{"name": "state", "url": "state.example", "origin": "county.example/log", "key": vkey}, 422, dispatch.EINVALID, "http or https"},
		{"ErrName", map[string]string{"name": "S", "url": "https://state.example", "origin": "county.example/log", "key": vkey}, 422, dispatch.EINVALID, "peer name"},
		{"ErrTaken", county, 409, dispatch.ECONFLICT, "already exists"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.Engine.Log().Size()
			r := ts.Do(t, "POST", "/api/v1/peers", ts.Admin, tt.body)
			CheckProblem(t, "POST /api/v1/peers "+tt.name, r, tt.status, tt.code, tt.detail)
			for _, e := range ts.Events(t, before) {
				if e.Type == dispatch.TypePeerAdded {
					t.Errorf("a refused peer was recorded: %+v", e)
				}
			}
		})
	}
	r = ts.Do(t, "POST", "/api/v1/peers", ts.Admin, `{"name":"x","extra":1}`)
	CheckProblem(t, "POST /api/v1/peers with an unknown field", r, 400, "bad_request", "unknown field")

	var list struct{ Peers []peerJSON }
	MustJSON(t, "GET /api/v1/peers", ts.Do(t, "GET", "/api/v1/peers", ts.Admin, nil), 200, &list)
	if len(list.Peers) != 1 || list.Peers[0] != p {
		t.Errorf("GET /api/v1/peers = %+v, want county", list.Peers)
	}
	before = ts.Engine.Log().Size()
	if r := ts.Do(t, "DELETE", "/api/v1/peers/county", ts.Admin, nil); r.Status != 204 {
		t.Fatalf("DELETE /api/v1/peers/county = %d %s, want 204", r.Status, r.Body)
	}
	if evs := peerEvents(ts.Events(t, before)); len(evs) != 1 || evs[0].Type != dispatch.TypePeerRemoved {
		t.Errorf("events of DELETE = %+v, want one peer.removed", evs)
	}
	r = ts.Do(t, "DELETE", "/api/v1/peers/county", ts.Admin, nil)
	CheckProblem(t, "DELETE /api/v1/peers/county again", r, 404, dispatch.ENOTFOUND, "no peer")
	MustJSON(t, "GET /api/v1/peers", ts.Do(t, "GET", "/api/v1/peers", ts.Admin, nil), 200, &list)
	if len(list.Peers) != 0 {
		t.Errorf("GET /api/v1/peers after DELETE = %+v, want none", list.Peers)
	}
}
