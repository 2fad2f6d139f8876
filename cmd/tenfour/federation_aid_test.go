package main_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// installation is one agency's own tenfour, as a process.
type installation struct {
	*node
	origin, key, witnessKey string
	admin                   *api
}

func startInstallation(t *testing.T, name string, extra ...string) *installation {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	origin := name + ".example/log"
	n := startNode(t, "serve", dir, append([]string{"--origin", origin, "--checkpoint-interval", "200ms"}, extra...)...)
	in := &installation{node: n, origin: origin, key: strings.TrimSpace(string(fetchLog(t, n, "key")))}
	in.witnessKey = strings.TrimSpace(string(getText(t, n.url+"/witness/key")))
	in.admin = adminAPI(t, n)
	return in
}

// peer makes a know b as name.
func (a *installation) peer(t *testing.T, name string, b *installation) {
	t.Helper()
	a.admin.mustCreate(t, "/api/v1/peers", map[string]string{"name": name, "url": b.url, "origin": b.origin, "key": b.key})
}

// entries reads the installation's whole log as an outsider would.
func (a *installation) entries(t *testing.T) []logEntry {
	t.Helper()
	_, raw, err := independentRead(t, a.url, a.key)
	if err != nil {
		t.Fatalf("read %s's log: %v", a.origin, err)
	}
	return parseEntries(t, raw)
}

// find returns the entries of type typ whose subject has kind=id.
func find(es []logEntry, typ, kind, id string) []logEntry {
	var out []logEntry
	for _, e := range es {
		if e.Type == typ && (kind == "" || e.Subject[kind] == id) {
			out = append(out, e)
		}
	}
	return out
}

// TestFederationMutualAid is mutual aid between three installations run
// by different organisations, as processes (issue 17). Federal's plan asks
// metro@metro, then sheriff@county. Metro's installation is down when
// federal's officer needs help: federal's log records the failed delivery,
// and at the deadline the request escalates to the sheriff's installation,
// where a supervisor accepts. Metro's, restarted, receives the request late
// and its log says so. The cross-installation bundle of the request
// verifies offline with the three logs' keys and a witness quorum, and
// fails after any byte is changed.
func TestFederationMutualAid(t *testing.T) {
	t.Parallel()
	fed := startInstallation(t, "federal")
	metro := startInstallation(t, "metro")
	county := startInstallation(t, "county")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("federal:\n%s\nmetro:\n%s\ncounty:\n%s", fed.out, metro.out, county.out)
		}
	})
	fed.peer(t, "metro", metro)
	fed.peer(t, "county", county)
	metro.peer(t, "fed", fed)
	county.peer(t, "fed", fed)
	mustCreateAgency(t, metro.admin, "metro")
	fed.admin.mustCreate(t, "/api/v1/agencies", map[string]string{"id": "federal", "name": "Federal Patrol", "kind": "federal"})
	county.admin.mustCreate(t, "/api/v1/agencies", map[string]string{"id": "sheriff", "name": "County Sheriff", "kind": "sheriff"})
	county.admin.mustCreate(t, "/api/v1/units", map[string]string{"call_sign": "S1", "agency": "sheriff", "kind": "patrol"})
	fed.admin.must(t, "PUT", "/api/v1/agencies/federal/mutual-aid", map[string]any{
		"levels":    []map[string]any{{"agencies": []string{"metro@metro"}}, {"agencies": []string{"sheriff@county"}}},
		"emergency": map[string]int{"acknowledge_seconds": 10, "decide_seconds": 10},
	}, http.StatusOK)
	fedDisp := asUser(t, fed.admin, "fd", "federal", "dispatcher")
	sergeant := asUser(t, county.admin, "sgt", "sheriff", "supervisor")

	// Metro's installation goes down; then federal's officer needs help.
	metroAddr := strings.TrimPrefix(metro.url, "http://")
	if err := metro.stop(t); err != nil {
		t.Fatalf("stop metro: %v", err)
	}
	var rq struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(fedDisp.mustCreate(t, "/api/v1/requests", map[string]any{
		"from_agency": "federal", "urgency": "EMERGENCY", "nature": "agents boxed in",
		"location": map[string]any{"text": "39th Pl & S Kedzie Ave"},
	}), &rq); err != nil || rq.ID == "" {
		t.Fatalf("the request: %v", err)
	}
	mirror := rq.ID + "@fed"

	// Federal records that metro could not be reached.
	waitFor(t, "federal's record of the failed delivery to metro", func() bool {
		for _, e := range find(fed.entries(t), "federation.undelivered", "request", rq.ID) {
			var d struct{ Peer, Error string }
			json.Unmarshal(e.Data, &d)
			if d.Peer == "metro" && d.Error == "unreachable" {
				return true
			}
		}
		return false
	})
	// Federal's status shows its operator the messages to metro failing.
	type outbox struct {
		Next         int64      `json:"next"`
		Attempts     int        `json:"attempts"`
		FailingSince *time.Time `json:"failing_since"`
		LastError    string     `json:"last_error"`
	}
	outboxTo := func(name string) *outbox {
		var st struct {
			Peers []struct {
				Name   string  `json:"name"`
				Outbox *outbox `json:"outbox"`
			} `json:"peers"`
		}
		if err := json.Unmarshal(fed.admin.mustGet(t, "/api/v1/federation"), &st); err != nil {
			t.Fatal(err)
		}
		for _, p := range st.Peers {
			if p.Name == name {
				return p.Outbox
			}
		}
		t.Fatalf("federal's status has no peer %s", name)
		return nil
	}
	if ob := outboxTo("metro"); ob == nil || ob.FailingSince == nil || ob.Attempts < 1 || !strings.Contains(ob.LastError, "unreachable") {
		t.Errorf("federal's outbox to metro while metro is down: %+v", ob)
	}

	// At its deadline the request escalates to the sheriff's
	// installation, which receives it as a mirror.
	waitFor(t, "the sheriff's installation asked", func() bool {
		status, _, err := sergeant.do("GET", "/api/v1/requests/"+mirror, nil)
		return err == nil && status == http.StatusOK
	})
	var got struct {
		Status   string `json:"status"`
		From     string `json:"from_agency"`
		Origin   string `json:"origin"`
		Nature   string `json:"nature"`
		Location struct {
			Text string   `json:"text"`
			Lat  *float64 `json:"lat"`
		} `json:"location"`
	}
	json.Unmarshal(sergeant.mustGet(t, "/api/v1/requests/"+mirror), &got)
	if got.From != "federal@fed" || got.Origin != "fed" {
		t.Fatalf("the county's mirror of %s: %+v", rq.ID, got)
	}
	// The escalation's event names no place: the request's EIDO, sent
	// with it, does, and the county's map places it.
	if !strings.Contains(got.Location.Text, "Kedzie") || got.Location.Lat == nil || got.Nature != "agents boxed in" {
		t.Errorf("the county's mirror has place %+v and nature %q, want the request's from its EIDO", got.Location, got.Nature)
	}
	sergeant.must(t, "POST", "/api/v1/requests/"+mirror+"/accept", map[string]any{"units": []string{"sheriff.s1"}}, http.StatusOK)

	// Federal sees the sheriff's acceptance, by the sergeant.
	type answer struct {
		Agency string `json:"agency"`
		Answer string `json:"answer"`
		By     *struct {
			User string `json:"user"`
		} `json:"by"`
	}
	var fr struct {
		Status string   `json:"status"`
		Units  []string `json:"units"`
		Asked  []answer `json:"asked"`
	}
	waitFor(t, "federal's request accepted by the sheriff", func() bool {
		json.Unmarshal(fedDisp.mustGet(t, "/api/v1/requests/"+rq.ID), &fr)
		return fr.Status == "ACCEPTED"
	})
	if len(fr.Asked) != 2 || fr.Asked[1].Agency != "sheriff@county" || fr.Asked[1].Answer != "accepted" || fr.Asked[1].By == nil || fr.Asked[1].By.User != "sgt" ||
		fr.Asked[0].Agency != "metro@metro" || fr.Asked[0].Answer != "asked" || len(fr.Units) != 1 || fr.Units[0] != "sheriff.s1@county" {
		t.Fatalf("federal's request: %+v", fr)
	}

	// Metro comes back where federal knows it to be, and receives the
	// request late; its log says so.
	metro.node = startNode(t, "serve", metro.dir, "--addr", metroAddr, "--checkpoint-interval", "200ms")
	waitFor(t, "metro's late receipt of the request", func() bool {
		for _, e := range find(metro.entries(t), "federation.received", "request", mirror) {
			var d struct {
				Late        bool   `json:"late"`
				LateSeconds int    `json:"late_seconds"`
				Outcome     string `json:"outcome"`
				MessageType string `json:"message_type"`
				EIDO        string `json:"eido"`
			}
			json.Unmarshal(e.Data, &d)
			if d.MessageType == "assist.requested" {
				if !d.Late || d.LateSeconds <= 0 || d.Outcome != "applied" || d.EIDO != "valid" {
					t.Fatalf("metro's receipt: %s", e.Data)
				}
				return true
			}
		}
		return false
	})
	waitFor(t, "federal's record of metro's receipt", func() bool {
		for _, e := range find(fed.entries(t), "federation.delivered", "request", rq.ID) {
			var d struct{ Peer, Type string }
			json.Unmarshal(e.Data, &d)
			if d.Peer == "metro" && d.Type == "assist.requested" {
				return true
			}
		}
		return false
	})

	// No log gives away the request's place or nature: the partners got
	// them in messages, with openings; their public logs hold commitments.
	for _, in := range []*installation{fed, metro, county} {
		_, raw, err := independentRead(t, in.url, in.key)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range raw {
			if strings.Contains(string(b), "agents boxed in") || strings.Contains(string(b), "Kedzie") {
				t.Errorf("%s's public log gives away a private fact: %s", in.origin, b)
			}
		}
	}

	if ob := outboxTo("metro"); ob == nil || ob.FailingSince != nil || ob.Attempts != 0 {
		t.Errorf("federal's outbox to metro once metro is back: %+v", ob)
	}

	// The cross-installation bundle, checked offline.
	file := filepath.Join(t.TempDir(), "bundle.json")
	args := []string{"verify", "--key", fed.key, "--key", metro.key, "--key", county.key,
		"--witness-key", fed.witnessKey, "--witness-key", metro.witnessKey, "--witness-key", county.witnessKey, "--quorum", "1", file}
	var bundle []byte
	var out, errOut string
	waitFor(t, "a cross-installation bundle that verifies with a witness quorum", func() bool {
		if _, _, code := runTenfour(t, "export", "--url", fed.url, "--token-file", filepath.Join(fed.dir, "bootstrap-admin.txt"),
			"--request", rq.ID, "--federated", "--out", file); code != 0 {
			return false
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var code int
		out, errOut, code = runTenfour(t, args...)
		bundle = b
		return code == 0
	})
	for _, o := range []string{fed.origin, metro.origin, county.origin} {
		if !strings.Contains(out, o) {
			t.Errorf("tenfour verify names no part of %s:\n%s", o, out)
		}
	}
	t.Logf("tenfour verify:\n%s%s", out, errOut)
	if !strings.Contains(out, "verified") {
		t.Errorf("tenfour verify = %s%s", out, errOut)
	}
	// Any byte changed, and it fails: a sample across the file, each part.
	for i := 0; i < len(bundle); i += 1 + len(bundle)/40 {
		bad := []byte(string(bundle))
		bad[i] ^= 0x01
		if err := os.WriteFile(file, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, code := runTenfour(t, args...); code == 0 {
			t.Errorf("the bundle with byte %d changed (%q) verifies", i, bundle[i])
		}
	}
}
