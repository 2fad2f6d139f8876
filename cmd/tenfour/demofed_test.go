package main_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/sim"
	"github.com/tenfour-cad/tenfour/witness"
)

// startFederatedDemo runs `tenfour demo --federated --data dir` on free
// ports and waits until every installation answers and the demo has
// printed its URLs. It returns the installations by name, each a node of
// its data directory and URL (the process is the same for all: it is
// killed at the end of the test if it still runs), and the process's
// output.
func startFederatedDemo(t *testing.T, dir string, extra ...string) (map[string]*node, *syncBuffer) {
	t.Helper()
	args := append([]string{"demo", "--federated", "--data", dir, "--addr", "127.0.0.1:0"}, extra...)
	proc := &node{dir: dir, out: &syncBuffer{}, exited: make(chan struct{})}
	proc.cmd = exec.Command(tenfourBin, args...)
	proc.cmd.Stdout, proc.cmd.Stderr = proc.out, proc.out
	if err := proc.cmd.Start(); err != nil {
		t.Fatalf("start tenfour %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		proc.err = proc.cmd.Wait()
		close(proc.exited)
	}()
	t.Cleanup(proc.kill)
	running := regexp.MustCompile(`installation ([a-z]+) is running at (http://[0-9.:]+)/`)
	nodes := map[string]*node{}
	for deadline := time.Now().Add(startTimeout); len(nodes) < len(sim.Installations); time.Sleep(100 * time.Millisecond) {
		select {
		case <-proc.exited:
			t.Fatalf("tenfour %s exited before it was ready: %v\n%s", strings.Join(args, " "), proc.err, proc.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("tenfour %s not ready after %v\n%s", strings.Join(args, " "), startTimeout, proc.out)
		}
		if !strings.Contains(proc.out.String(), "Press Ctrl-C to stop.") {
			continue
		}
		for _, m := range running.FindAllStringSubmatch(proc.out.String(), -1) {
			nodes[m[1]] = &node{dir: filepath.Join(dir, m[1]), url: m[2], out: proc.out, exited: proc.exited}
		}
	}
	for name, n := range nodes {
		if getText(t, n.url+"/healthz") == nil {
			t.Fatalf("installation %s at %s does not answer /healthz", name, n.url)
		}
	}
	return nodes, proc.out
}

// fedRequest is the part of an assistance request the federated demo's
// test reads.
type fedRequest struct {
	ID     string `json:"id"`
	From   string `json:"from_agency"`
	Origin string `json:"origin"`
	Status string `json:"status"`
	Asked  []struct {
		Agency    string   `json:"agency"`
		Answer    string   `json:"answer"`
		Conflicts []string `json:"conflicts"`
		Units     []string `json:"units"`
		By        *struct {
			User   string `json:"user"`
			Agency string `json:"agency"`
		} `json:"by"`
	} `json:"asked"`
	History []struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
		Agency string `json:"agency"`
	} `json:"history"`
}

// TestDemoFederated runs `tenfour demo --federated`: the demo city's
// agencies as four installations in one process, each with its own data
// directory, log and users. Each has the three others as peers, by name,
// URL, origin and log key, and serves a checkpoint cosigned by the
// witnesses of all three. The reference scenario plays across them (its
// waits shortened tenfold; its deadlines are the domain's and run in real
// time): federal's request ends closed with the answers of the remote
// agencies recorded there — metro@metro's conflict with its hold and its
// traffic unit, the state police's and the sheriff's acceptances, each by
// the partner's user; each partner holds its mirror of the request,
// released; and each log records messages received from and delivered to
// its partners. Federal's supervisor console is photographed while the
// scenario plays (test-artifacts/console-federated-federal.png).
func TestDemoFederated(t *testing.T) {
	t.Parallel() // its own nodes: it runs beside the other long tests
	dir := t.TempDir()
	nodes, out := startFederatedDemo(t, dir, "--speed", "10", "--seed", "7")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("tenfour demo --federated:\n%s", out)
		}
	})
	keys, witnessKeys := map[string]string{}, map[string]string{}
	for name, n := range nodes {
		keys[name] = strings.TrimSpace(string(fetchLog(t, n, "key")))
		if !strings.HasPrefix(keys[name], name+".tenfour.demo/log+") {
			t.Errorf("installation %s's log key = %q, want one named %s.tenfour.demo/log", name, keys[name], name)
		}
		witnessKeys[name] = strings.TrimSpace(string(getText(t, n.url+"/witness/key")))
	}

	// Each installation knows the three others by name, at their URL,
	// with their log's origin and key and their witness's key.
	for name, n := range nodes {
		var list struct {
			Peers []struct {
				Name, URL, Origin, Key string
				WitnessKey             string `json:"witness_key"`
			}
		}
		if err := json.Unmarshal(adminAPI(t, n).mustGet(t, "/api/v1/peers"), &list); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range list.Peers {
			o := nodes[p.Name]
			if o == nil || p.Name == name || p.URL != o.url || p.Origin != p.Name+".tenfour.demo/log" || p.Key != keys[p.Name] || p.WitnessKey != witnessKeys[p.Name] {
				t.Errorf("installation %s has peer %+v, want another installation, at its URL with its log's origin and key and its witness's key", name, p)
			}
			got = append(got, p.Name)
		}
		if len(got) != len(nodes)-1 {
			t.Errorf("installation %s has peers %v, want the %d others", name, got, len(nodes)-1)
		}
	}

	// Federal's console, while the scenario plays: its supervisor sees the
	// request climb to the state police's installation, and the partners'
	// answers come back.
	fed := nodes["federal"]
	browserCtx := startBrowser(t)
	sup := openPage(t, browserCtx, fed, "federal-supervisor", 1440, 900, false)
	sup.login(demoCredentials(t, fed.dir)["federal-supervisor"], "supervise")
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		if eval[bool](sup, `(t => t.includes("partner state") && t.includes("Accepted"))(document.querySelector("#requests .rq.urg-EMERGENCY")?.innerText ?? "")`) {
			break
		}
		if time.Now().After(deadline) {
			sup.screenshot("federated-federal")
			t.Fatalf("federal's console does not show its request asking the state police, and an acceptance, after 3 minutes")
		}
	}
	sup.screenshot("federated-federal")

	// Metro's console shows the mirror of federal's request: a partner's
	// request, which metro's own people answer on their own installation.
	metroSup := openPage(t, browserCtx, nodes["metro"], "metro-supervisor", 1440, 900, false)
	metroSup.login(demoCredentials(t, nodes["metro"].dir)["metro-supervisor"], "supervise")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(500 * time.Millisecond) {
		if eval[bool](metroSup, `(t => t.includes("partner federal") && t.includes("@federal"))(document.querySelector("#requests .rq.urg-EMERGENCY")?.innerText ?? "")`) {
			break
		}
		if time.Now().After(deadline) {
			metroSup.screenshot("federated-metro")
			t.Fatalf("metro's console does not show the mirror of federal's request as a partner's")
		}
	}
	metroSup.screenshot("federated-metro")

	// The scenario ends: federal's request released, its timeline
	// published.
	played := regexp.MustCompile(`kedzie: played; timeline at ` + regexp.QuoteMeta(fed.url) + `/api/v1/requests/([^/]+)/timeline`)
	var id string
	waitLong(t, 4*time.Minute, "the scenario played", func() bool {
		if strings.Contains(out.String(), "scenario kedzie:") {
			t.Fatalf("the scenario failed")
		}
		if m := played.FindStringSubmatch(out.String()); m != nil {
			id = m[1]
		}
		return id != ""
	})

	// Federal's request holds the partners' answers, each by the partner's
	// user, and its escalations up the plan.
	var r fedRequest
	if err := json.Unmarshal(adminAPI(t, fed).mustGet(t, "/api/v1/requests/"+id), &r); err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{}
	for _, a := range r.Asked {
		answers[a.Agency] = a.Answer
		switch a.Agency {
		case "metro@metro", "state@state", "sheriff@county":
			agency, peer, _ := strings.Cut(a.Agency, "@")
			if a.By == nil || a.By.Agency != a.Agency || !strings.HasPrefix(a.By.User, agency+"-") {
				t.Errorf("%s's answer is by %+v, want a user of %s as the partner recorded it", a.Agency, a.By, a.Agency)
			}
			for _, u := range a.Units {
				if !strings.HasSuffix(u, "@"+peer) {
					t.Errorf("%s sent unit %q, want a unit of its installation (unit@peer)", a.Agency, u)
				}
			}
		}
		if a.Agency == "metro@metro" && len(a.Conflicts) == 0 {
			t.Errorf("metro@metro's answer shows no conflict, want its hold directive's (from metro's installation)")
		}
	}
	want := map[string]string{"metro@metro": "accepted", "sheriff@county": "accepted", "state@state": "accepted"}
	for ag, ans := range want {
		if answers[ag] != ans {
			t.Errorf("federal's request %s: %s answered %q, want %q (all: %v)", id, ag, answers[ag], ans, answers)
		}
	}
	if r.Status != "CLOSED" || r.Origin != "" || r.From != "federal" {
		t.Errorf("federal's request %s: status %s, origin %q, from %s; want CLOSED, raised there by federal", id, r.Status, r.Origin, r.From)
	}
	escalations := map[string]bool{}
	for _, h := range r.History {
		if h.Type == "assist.escalated" {
			escalations[h.Reason] = true
		}
	}
	if !escalations["no_arrival"] || len(escalations) < 2 {
		t.Errorf("federal's request escalated for %v, want its deadlines and no_arrival", escalations)
	}

	// Each partner holds its mirror of the request, raised from federal's
	// message and released by federal's.
	mirror := id + "@federal"
	for _, name := range []string{"metro", "county", "state"} {
		a := adminAPI(t, nodes[name])
		waitLong(t, time.Minute, name+"'s mirror released", func() bool {
			status, b, err := a.do("GET", "/api/v1/requests/"+mirror, nil)
			if err != nil || status != 200 {
				t.Fatalf("GET %s on %s = %d %s, %v; want its mirror", mirror, name, status, b, err)
			}
			var m fedRequest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m.Origin != "federal" || m.From != "federal@federal" {
				t.Fatalf("%s's mirror %s comes from %s on %q, want federal@federal on federal", name, mirror, m.From, m.Origin)
			}
			return m.Status == "CLOSED"
		})
	}

	// Each log records the messages it received from and delivered to its
	// partners: federal's with each of the three, theirs with federal.
	for name, n := range nodes {
		partners := []string{"federal"}
		if name == "federal" {
			partners = []string{"county", "metro", "state"}
		}
		_, raw, err := independentRead(t, n.url, keys[name])
		if err != nil {
			t.Fatalf("reading %s's log through its tiles: %v", name, err)
		}
		got := map[string][]string{}
		for _, e := range parseEntries(t, raw) {
			if e.Type == "federation.received" || e.Type == "federation.delivered" {
				if p := e.Subject["peer"]; !slices.Contains(got[e.Type], p) {
					got[e.Type] = append(got[e.Type], p)
				}
			}
		}
		for _, typ := range []string{"federation.received", "federation.delivered"} {
			slices.Sort(got[typ])
			if !slices.Equal(got[typ], partners) {
				t.Errorf("%s's log has %s with %v, want with %v", name, typ, got[typ], partners)
			}
		}
	}

	// Each installation's checkpoint is cosigned by the witnesses of the
	// three others.
	for name, n := range nodes {
		logKey, err := note.NewVerifier(keys[name])
		if err != nil {
			t.Fatal(err)
		}
		verifiers := []note.Verifier{logKey}
		for other := range nodes {
			if other == name {
				continue
			}
			wkey, err := witness.ParseVerifier(witnessKeys[other])
			if err != nil {
				t.Fatalf("%s's witness key: %v", other, err)
			}
			verifiers = append(verifiers, wkey)
		}
		waitLong(t, time.Minute, name+"'s checkpoint cosigned by the three others", func() bool {
			msg := getText(t, n.url+"/witness/cosigned-checkpoint")
			if msg == nil {
				return false
			}
			cp, err := note.Open(msg, note.VerifierList(verifiers...))
			if err != nil {
				t.Fatalf("%s's cosigned checkpoint %q does not verify: %v", name, msg, err)
			}
			return len(cp.Sigs) == len(verifiers)
		})
	}
}

// waitLong polls cond every half second until it holds, for limit at most.
func waitLong(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
	}
}
