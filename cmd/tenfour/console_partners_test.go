package main_test

// The Partners view (docs/federation.md, "The federation's status") in
// Chromium against two real installations that peer and witness each other.

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/sim"
)

// federationStatus is what the tests read of GET /api/v1/federation.
type federationStatus struct {
	Cosigned *struct {
		Size      int64    `json:"size"`
		Cosigners []string `json:"cosigners"`
	} `json:"cosigned"`
	Peers []struct {
		Name      string `json:"name"`
		Witnessed *struct {
			Size int64 `json:"size"`
		} `json:"witnessed"`
		Forks int `json:"forks"`
	} `json:"peers"`
}

func readFederation(t *testing.T, a *api) federationStatus {
	t.Helper()
	var f federationStatus
	if err := json.Unmarshal(a.must(t, "GET", "/api/v1/federation", nil, http.StatusOK), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestConsolePartners: the county's auditor opens the Partners view, which
// has no partner yet. The county's administrator adds metro through the
// API, naming metro's witness key, and metro adds the county: the view
// shows metro at once (its peer.added reaches the auditor's stream), then,
// read again, the size of metro's log the county's witness cosigned and the
// county's checkpoint cosigned by metro's witness. A checkpoint of metro's
// log signed with metro's key that contradicts the one the county holds (a
// fork) is refused and kept; the view marks metro in red with the count.
// An agency of a partner (sheriff@county) reads "sheriff · partner county"
// with a badge. No page's console shows an error.
func TestConsolePartners(t *testing.T) {
	t.Parallel() // its own nodes: it runs beside the other long tests
	county := startNode(t, "serve", filepath.Join(t.TempDir(), "county"), "--origin", "county.example/log", "--checkpoint-interval", "200ms")
	metroDir := filepath.Join(t.TempDir(), "metro")
	metro := startNode(t, "serve", metroDir, "--origin", "metro.example/log", "--checkpoint-interval", "200ms")
	ca, ma := adminAPI(t, county), adminAPI(t, metro)
	mustCreateAgency(t, ca, "sheriff")
	auditor := sim.Credential{DemoUser: sim.DemoUser{Username: "ann"}, Password: "correct horse battery"}
	ca.mustCreate(t, "/api/v1/users", map[string]any{"username": auditor.Username, "agency": "sheriff", "roles": []string{"auditor"}, "password": auditor.Password})

	browserCtx := startBrowser(t)
	p := openPage(t, browserCtx, county, "auditor", 1280, 800, false)
	defer p.checkConsole()
	p.login(auditor, "audit")
	p.click(`#nav a[href="/console/partners"]`)
	p.waitFor("the view with no partner", `document.getElementById("partners-none") && document.getElementById("partners-origin")?.innerText === "county.example/log"`)
	if got := p.text("#partners-cosigned"); !strings.HasPrefix(got, "None yet") {
		t.Errorf("the cosigned checkpoint before any witness = %q, want none yet", got)
	}

	// The two installations peer: the county names metro's witness key,
	// metro trusts the county's on first use.
	metroWitness := strings.TrimSpace(string(getText(t, metro.url+"/witness/key")))
	ca.mustCreate(t, "/api/v1/peers", map[string]string{"name": "metro", "url": metro.url, "origin": "metro.example/log",
		"key": strings.TrimSpace(string(fetchLog(t, metro, "key"))), "witness_key": metroWitness})
	ma.mustCreate(t, "/api/v1/peers", map[string]string{"name": "county", "url": county.url, "origin": "county.example/log",
		"key": strings.TrimSpace(string(fetchLog(t, county, "key")))})
	mustCreateAgency(t, ma, "metro")
	p.waitFor("metro in the view", `document.querySelector('#partners-table tr[data-peer="metro"] .pt-keyed')?.innerText === "witness key named"`)
	if got := p.text(`#partners-table tr[data-peer="metro"]`); !strings.Contains(got, "metro.example/log") || !strings.Contains(got, metro.url) {
		t.Errorf("metro's row = %q, want its log's origin and its URL", got)
	}

	// Each witnesses the other: read again, the view shows what the API
	// says.
	var f federationStatus
	waitFor(t, "metro's log witnessed and the county's checkpoint cosigned by metro", func() bool {
		f = readFederation(t, ca)
		return len(f.Peers) == 1 && f.Peers[0].Witnessed != nil && f.Cosigned != nil && len(f.Cosigned.Cosigners) == 1
	})
	if f.Cosigned.Cosigners[0] != "metro.example/log/witness" {
		t.Errorf("the county's checkpoint is cosigned by %v, want metro's witness", f.Cosigned.Cosigners)
	}
	held := f.Peers[0].Witnessed.Size
	p.click("#partners-reload")
	p.waitFor("the witnessed size", fmt.Sprintf(`document.querySelector('#partners-table tr[data-peer="metro"] .pt-witnessed')?.innerText.startsWith("%d events")`, held))
	p.waitFor("the cosigner, named by its peer", `document.querySelector("#partners-cosigned .pt-cosigners")?.innerText.startsWith("metro metro.example/log/witness")`)
	if got := p.text(`#partners-table tr[data-peer="metro"] .pt-forks`); got != "none" {
		t.Errorf("metro's forks before any = %q, want none", got)
	}

	// A fork: a checkpoint of metro's log, signed with metro's key, of the
	// size the county holds but another root.
	submitFork(t, county, metroDir, "metro.example/log")
	waitFor(t, "the fork kept", func() bool { return readFederation(t, ca).Peers[0].Forks == 1 })
	p.click("#partners-reload")
	p.waitFor("the red mark", `document.querySelector('#partners-table tr[data-peer="metro"].forked .fork-mark')?.innerText === "⚠ 1 fork"`)

	// An agency of a partner installation, as the request views show it.
	p.waitFor("the partner agency's label", `(window.partnerCheck ??= import("/console/partner.js").then((m) => {
		const el = m.agencyLabel("sheriff@county");
		window.partnerLabel = [el.innerText || el.textContent, el.querySelector(".partner-badge")?.textContent,
			m.agencyText("sheriff@county"), m.agencyText("metro", () => "Metro PD"), m.agencyText("odd@")].join("|");
	})) && window.partnerLabel === "sheriff · partner county|partner county|sheriff · partner county|Metro PD|odd@"`)
	p.screenshot("partners")
}

// submitFork submits to n's witness a checkpoint of the log origin, signed
// with the key in dir (the log's own node), of the size the witness holds
// but with another root: two trees of one log. The witness refuses it (409)
// and keeps both as evidence.
func submitFork(t *testing.T, n *node, dir, origin string) {
	t.Helper()
	skey, err := os.ReadFile(filepath.Join(dir, "log.key"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.ParseKey(strings.TrimSpace(string(skey)))
	if err != nil {
		t.Fatal(err)
	}
	post := func(old int64, msg []byte) (int, string) {
		resp, err := logClient.Post(n.url+"/witness/add-checkpoint", "text/plain", bytes.NewReader(append(fmt.Appendf(nil, "old %d\n\n", old), msg...)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	var size int64
	for try := 0; ; try++ {
		root := make([]byte, 32)
		rand.Read(root)
		msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, max(size, 1), base64.StdEncoding.EncodeToString(root))}, key.Signer)
		if err != nil {
			t.Fatal(err)
		}
		status, body := post(size, msg)
		switch {
		case status == http.StatusConflict && strings.Contains(body, "another root hash"):
			return // refused as a fork
		case status == http.StatusConflict && try < 5:
			// The size the witness holds: sign a tree of that size.
			if _, err := fmt.Sscanf(body, "%d", &size); err != nil {
				t.Fatalf("add-checkpoint answered 409 %q", body)
			}
		default:
			t.Fatalf("add-checkpoint of a forked checkpoint from %d = %d %q, want 409 for another root", size, status, body)
		}
	}
}
