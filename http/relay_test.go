package http_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestRelay checks the sequencer's side of relayed audit events: only a body
// with the deployment's node MAC, a recent time and a new nonce is recorded.
func TestRelay(t *testing.T) {
	ts := MustOpenServer(t)
	post := func(body []byte, mac string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/internal/v1/audit", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Tenfour-Node-MAC", mac)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	relayed := func(at time.Time, nonce string) []byte {
		b, _ := json.Marshal(map[string]any{"time": at, "nonce": nonce, "from": "node-b",
			"audit": dispatch.RecordAudit{Type: dispatch.TypePrivateRead, Agency: "metro", Subject: map[string]string{"user": "ann"},
				Data: dispatch.Audited{"incidents": "metro-2026-000001"}, As: dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}}})
		return b
	}
	mac := func(b []byte) string { return hex.EncodeToString(ts.Key.NodeMAC(b)) }
	stale := relayed(ts.Clock.Now().Add(-10*time.Minute), "n4")

	before := ts.Engine.Log().Size()
	ok := relayed(ts.Clock.Now(), "n1")
	if got := post(ok, mac(ok)); got != http.StatusNoContent {
		t.Fatalf("relay with a valid MAC = %d, want 204", got)
	}
	evs := ts.Events(t, before)
	if len(evs) != 1 || evs[0].Type != dispatch.TypePrivateRead || evs[0].Actor.User != "ann" || !bytes.Contains(evs[0].Data, []byte(`"node":"node-b"`)) {
		t.Fatalf("recorded %+v, want one private.read by ann naming the relaying node", evs)
	}
	tests := []struct {
		name string
		body []byte
		mac  string
	}{
		{"ErrReplay", ok, mac(ok)},
		{"ErrNoMAC", relayed(ts.Clock.Now(), "n2"), ""},
		{"ErrForgedMAC", relayed(ts.Clock.Now(), "n3"), mac(relayed(ts.Clock.Now(), "other"))},
		{"ErrStale", stale, mac(stale)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := ts.Engine.Log().Size()
			if got := post(tt.body, tt.mac); got != http.StatusBadRequest {
				t.Errorf("relay = %d, want 400", got)
			}
			if ts.Engine.Log().Size() != size {
				t.Errorf("a refused relay appended to the log")
			}
		})
	}
}
