package dispatch_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"golang.org/x/mod/sumdb/note"
)

// testVerifierKey returns a fresh note verifier key named name.
func testVerifierKey(t *testing.T, name string) string {
	t.Helper()
	_, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// An installation of the federated world: its state, the name each peer
// knows it by, and the messages it has sent (by seq, as its log would).
type installation struct {
	name  string // what its peers call it
	s     *dispatch.State
	seq   int64
	peers map[string]*installation // by the name this one calls them
}

// decide decides cmd here and returns the events with the peers each goes to.
func (in *installation) decide(t *testing.T, actor dispatch.Actor, at time.Time, cmd dispatch.Command) []dispatch.Event {
	t.Helper()
	return MustDecide(t, in.s, actor, at, cmd)
}

// deliver sends every event of evs that Outgoing names a peer for to that
// peer (if it is in reach), through JSON as a log would carry it, and
// returns what each receiver recorded, by receiver.
func deliver(t *testing.T, from *installation, at time.Time, evs []dispatch.Event, down ...string) map[string][]dispatch.Event {
	t.Helper()
	out := map[string][]dispatch.Event{}
	for _, e := range evs {
		from.seq++
		for _, p := range dispatch.Outgoing(e) {
			to := from.peers[p]
			if to == nil {
				t.Fatalf("%s sends %s to unknown peer %s", from.name, e.Type, p)
			}
			if slices.Contains(down, p) {
				continue
			}
			out[p] = append(out[p], receive(t, from, to, at, from.seq, e)...)
		}
	}
	return out
}

// receive has to receive event e, the seq-th of from's log.
func receive(t *testing.T, from, to *installation, at time.Time, seq int64, e dispatch.Event) []dispatch.Event {
	t.Helper()
	raw, err := json.Marshal(e.Data)
	if err != nil {
		t.Fatal(err)
	}
	data, err := dispatch.DecodeData(e.Type, raw)
	if err != nil {
		t.Fatal(err)
	}
	e.Data = data
	var back string // what to calls from
	for n, p := range to.peers {
		if p == from {
			back = n
		}
	}
	rc := dispatch.Inbound(to.s, back, to.name, fmt.Sprintf("%s/%d", from.name, seq), seq, e)
	evs := to.decide(t, system, at, rc)
	if evs[0].Type != dispatch.TypeFederationReceived {
		t.Fatalf("receipt first, got %s", evs[0].Type)
	}
	return evs
}

// federatedWorld is the reference scenario across three installations:
// federal's (plan: metro@metro, then sheriff@county), metro's and the
// county's. Each knows the others as peers by its own names.
func federatedWorld(t *testing.T) (fed, metro, county *installation) {
	mk := func(name, agency, kind string, units ...string) *installation {
		s := dispatch.NewState()
		in := &installation{name: name, s: s, peers: map[string]*installation{}}
		cmds := []dispatch.Command{dispatch.CreateAgency{ID: agency, Name: agency, Kind: kind}}
		for _, u := range units {
			cmds = append(cmds, dispatch.CreateUnit{CallSign: u, Agency: agency, Kind: "patrol"})
		}
		for i, c := range cmds {
			in.decide(t, system, mutualAidT0.Add(time.Duration(i)*time.Second), c)
		}
		return in
	}
	fed = mk("federal", "federal", "federal", "F1")
	metro = mk("metro", "metro", "municipal_police", "1A12")
	county = mk("county", "sheriff", "sheriff", "S1", "S2")
	peer := func(a, b *installation) {
		a.peers[b.name] = b
		a.decide(t, system, mutualAidT0.Add(time.Minute), dispatch.AddPeer{Name: b.name, URL: "https://" + b.name + ".example",
			Origin: b.name + ".example/log", Key: testVerifierKey(t, b.name+".example/log")})
	}
	for _, a := range []*installation{fed, metro, county} {
		for _, b := range []*installation{fed, metro, county} {
			if a != b {
				peer(a, b)
			}
		}
	}
	fed.decide(t, system, mutualAidT0.Add(2*time.Minute), dispatch.SetMutualAidPlan{Agency: "federal", Plan: dispatch.MutualAidPlan{
		Levels: []dispatch.AlarmLevel{{Agencies: []string{"metro@metro"}}, {Agencies: []string{"sheriff@county"}}}}})
	return fed, metro, county
}

func TestFederatedMutualAid(t *testing.T) {
	fed, metro, county := federatedWorld(t)
	at := mutualAidT0.Add(time.Hour)
	fedOff := dispatch.Actor{User: "fo", Agency: "federal", Role: dispatch.RoleDispatcher}

	// Federal asks; the request goes to metro's installation, which is down.
	evs := fed.decide(t, fedOff, at, dispatch.RequestAssist{From: "federal", Location: kedzie, Nature: "agents boxed in", Urgency: dispatch.UrgencyEmergency})
	if got := dispatch.Outgoing(evs[0]); !slices.Equal(got, []string{"metro"}) {
		t.Fatalf("Outgoing(assist.requested) = %v, want [metro]", got)
	}
	held := evs
	if got := deliver(t, fed, at, evs, "metro"); len(got) != 0 {
		t.Fatalf("delivered to a down peer: %v", got)
	}
	r := fed.s.Requests["federal-A-2026-000001"]
	if r == nil || r.Answer("metro@metro") == nil || r.Deadline == nil {
		t.Fatalf("request %+v, want metro@metro asked with a deadline", r)
	}

	// Its deadline passes here: the request escalates to the sheriff's,
	// on the county's installation.
	evs = fed.decide(t, system, r.Deadline.Add(time.Second), dispatch.CheckTimers{})
	if len(evs) != 1 || evs[0].Type != dispatch.TypeAssistEscalated || !slices.Equal(dispatch.Outgoing(evs[0]), []string{"county"}) {
		t.Fatalf("at the deadline: %v, want assist.escalated to county", kinds(evs))
	}
	got := deliver(t, fed, at.Add(time.Minute), evs)
	mirror := county.s.Requests["federal-A-2026-000001@federal"]
	if len(got["county"]) < 2 || mirror == nil || mirror.Origin != "federal" || mirror.From != "federal@federal" || mirror.Answer("sheriff") == nil {
		t.Fatalf("county received %v; mirror %+v", kinds(got["county"]), mirror)
	}
	if mirror.Location.Text != "place not received: request federal-A-2026-000001" {
		t.Errorf("mirror of an escalation has place %q", mirror.Location.Text)
	}
	// The mirror never escalates on the county's installation.
	if evs := county.decide(t, system, at.Add(24*time.Hour), dispatch.CheckTimers{}); len(evs) != 0 {
		t.Fatalf("mirror escalated on the partner: %v", kinds(evs))
	}

	// The sheriff's supervisor accepts with S1; the answer comes back.
	sher := dispatch.Actor{User: "ss", Agency: "sheriff", Role: dispatch.RoleSupervisor}
	evs = county.decide(t, sher, at.Add(2*time.Minute), dispatch.AcceptAssist{Request: mirror.ID, Units: []string{"sheriff.s1"},
		ETAs: map[string]time.Duration{"sheriff.s1": 4 * time.Minute}})
	got = deliver(t, county, at.Add(2*time.Minute), evs)
	if rcv := got["federal"]; len(rcv) != 2 || rcv[1].Type != dispatch.TypeAssistAccepted {
		t.Fatalf("federal recorded %v, want the receipt and assist.accepted", kinds(rcv))
	}
	r = fed.s.Requests["federal-A-2026-000001"]
	ans := r.Answer("sheriff@county")
	if r.Status != dispatch.RequestAccepted || ans == nil || ans.Answer != dispatch.AnswerAccepted || ans.By == nil || ans.By.User != "ss" ||
		!slices.Equal(r.Units, []string{"sheriff.s1@county"}) || r.WaitingFor != dispatch.WaitArrival {
		t.Fatalf("federal's request after the county accepted: %+v (answer %+v)", r, ans)
	}
	if want := at.Add(2*time.Minute + 4*time.Minute + 120*time.Second); !r.Deadline.Equal(want) {
		t.Errorf("arrival deadline %v, want the partner's ETA and the margin: %v", r.Deadline, want)
	}
	// S1 arrives; federal's request is on scene.
	for _, st := range []string{dispatch.StatusEnRoute, dispatch.StatusOnScene} {
		evs = county.decide(t, dispatch.Actor{System: "avl"}, at.Add(5*time.Minute), dispatch.SetUnitStatus{Unit: "sheriff.s1", Status: st})
		deliver(t, county, at.Add(5*time.Minute), evs)
	}
	if r = fed.s.Requests["federal-A-2026-000001"]; r.Status != dispatch.RequestOnScene || r.Deadline != nil {
		t.Fatalf("federal's request with S1 on scene: %s, deadline %v", r.Status, r.Deadline)
	}

	// Metro's installation comes back, and receives the request late: its
	// record says so.
	got = map[string][]dispatch.Event{"metro": receive(t, fed, metro, at.Add(10*time.Minute), 1, held[0])}
	rec := got["metro"][0].Data.(*dispatch.FederationReceived)
	if !rec.Late || rec.LateSeconds < 500 || rec.Outcome != dispatch.OutcomeApplied || rec.Request != "federal-A-2026-000001@federal" {
		t.Fatalf("metro's receipt of the late request: %+v", rec)
	}
	if m := metro.s.Requests["federal-A-2026-000001@federal"]; m == nil || m.Location.Text != kedzie.Text || m.Nature != "agents boxed in" {
		t.Fatalf("metro's mirror: %+v", m)
	}
	// A metro dispatcher acknowledges it; federal records metro's answer.
	evs = metro.decide(t, dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher}, at.Add(11*time.Minute),
		dispatch.AcknowledgeAssist{Request: "federal-A-2026-000001@federal"})
	deliver(t, metro, at.Add(11*time.Minute), evs)
	if a := fed.s.Requests["federal-A-2026-000001"].Answer("metro@metro"); a.Answer != dispatch.AnswerAcknowledged || a.By.User != "ann" {
		t.Fatalf("metro's answer at federal: %+v", a)
	}
	// A mirror shows the requester's deadline until it is answered, and
	// then none: the requester's next deadline is not known here.
	if m := metro.s.Requests["federal-A-2026-000001@federal"]; m.Deadline != nil || m.Status != dispatch.RequestAcknowledged {
		t.Errorf("metro's mirror once acknowledged: %s, deadline %v", m.Status, m.Deadline)
	}
	if m := county.s.Requests["federal-A-2026-000001@federal"]; m.Deadline != nil || m.WaitingFor != "" {
		t.Errorf("the county's mirror once accepted: waiting for %q until %v", m.WaitingFor, m.Deadline)
	}

	// Federal releases it: both partners' mirrors close, the sheriff's
	// unit goes AVAILABLE there.
	fedSup := dispatch.Actor{User: "fs", Agency: "federal", Role: dispatch.RoleSupervisor}
	evs = fed.decide(t, fedSup, at.Add(20*time.Minute), dispatch.CloseAssist{Request: "federal-A-2026-000001", Disposition: "team extracted"})
	if got := dispatch.Outgoing(evs[0]); !slices.Equal(got, []string{"county", "metro"}) {
		t.Fatalf("Outgoing(assist.closed) = %v", got)
	}
	deliver(t, fed, at.Add(20*time.Minute), evs)
	for _, in := range []*installation{metro, county} {
		if m := in.s.Requests["federal-A-2026-000001@federal"]; m.Status != dispatch.RequestClosed || m.Disposition != "team extracted" {
			t.Errorf("%s's mirror after the release: %s %q", in.name, m.Status, m.Disposition)
		}
	}
	if u := county.s.Units["sheriff.s1"]; u.Status != dispatch.StatusAvailable || u.Request != "" {
		t.Errorf("S1 after the release: %s on %q", u.Status, u.Request)
	}
}

func TestFederatedRefusals(t *testing.T) {
	fed, metro, _ := federatedWorld(t)
	at := mutualAidT0.Add(time.Hour)
	fedDisp := dispatch.Actor{User: "fd", Agency: "federal", Role: dispatch.RoleDispatcher}
	evs := fed.decide(t, fedDisp, at, dispatch.RequestAssist{From: "federal", To: "metro@metro", Location: kedzie, Nature: "backup", Urgency: dispatch.UrgencyUrgent})
	deliver(t, fed, at, evs)
	id := "federal-A-2026-000001"

	// Nobody here answers for a partner: not a local dispatcher, not an
	// installation administrator.
	for _, a := range []dispatch.Actor{fedDisp, {User: "root", Role: dispatch.RoleAdmin}} {
		if _, err := (dispatch.AcknowledgeAssist{Request: id, Agency: "metro@metro"}).Decide(fed.s, a, at); err == nil {
			t.Errorf("%s answered for metro@metro", a.User)
		}
	}
	// A partner does not speak for another partner's agency.
	impostor := dispatch.Actor{User: "x", Agency: "sheriff@county", Role: dispatch.RoleSupervisor}
	if _, err := (dispatch.DeclineAssist{Request: id, Agency: "metro@metro", Reason: "no"}).Decide(fed.s, impostor, at); err == nil {
		t.Error("sheriff@county declined for metro@metro")
	}
	// Metro closing federal's request on its own installation is refused:
	// only the requester releases it.
	metroSup := dispatch.Actor{User: "sue", Agency: "metro", Role: dispatch.RoleSupervisor}
	if _, err := (dispatch.CloseAssist{Request: id + "@federal", Disposition: "x"}).Decide(metro.s, metroSup, at); err == nil {
		t.Error("metro closed federal's request")
	}
	// A decline needs a named supervisor there too: a dispatcher's decline
	// is refused here, and the receipt says why.
	ev := dispatch.Event{Time: at, Type: dispatch.TypeAssistDeclined, Agency: "federal@federal",
		Actor: dispatch.Actor{User: "ann", Agency: "metro", Role: dispatch.RoleDispatcher},
		Data:  &dispatch.AssistDeclined{AssistRef: dispatch.AssistRef{Request: id + "@federal", FromAgency: "federal@federal", ToAgency: "metro", Urgency: dispatch.UrgencyUrgent}, Reason: "busy"}}
	evs = receive(t, metro, fed, at, 7, ev)
	rec := evs[0].Data.(*dispatch.FederationReceived)
	if len(evs) != 1 || rec.Outcome != dispatch.OutcomeRefused || !strings.Contains(rec.Reason, "supervisor") {
		t.Fatalf("a dispatcher's decline from a partner: %v %+v", kinds(evs), rec)
	}
	// A message about a request raised elsewhere is refused, not applied.
	ev.Data = &dispatch.AssistAcknowledged{AssistRef: dispatch.AssistRef{Request: "federal-A-2026-000009@federal", FromAgency: "federal@federal", ToAgency: "metro", Urgency: dispatch.UrgencyUrgent}}
	ev.Type = dispatch.TypeAssistAcknowledged
	if evs = receive(t, metro, fed, at, 8, ev); evs[0].Data.(*dispatch.FederationReceived).Outcome != dispatch.OutcomeRefused {
		t.Fatalf("an answer to an unknown request: %+v", evs[0].Data)
	}
	// A plan may not name the agency of an unknown peer.
	if _, err := (dispatch.SetMutualAidPlan{Agency: "federal", Plan: dispatch.MutualAidPlan{Levels: []dispatch.AlarmLevel{{Agencies: []string{"x@nowhere"}}}}}).Decide(fed.s, system, at); err == nil {
		t.Error("a plan named an agency of an unknown peer")
	}
}

// The officer who raised an EMERGENCY request releases it: the partners'
// mirrors close too, the one the request reached by an escalation (which
// knows nobody who raised it) as well as the one it reached first.
func TestFederatedReleaseByRaiser(t *testing.T) {
	fed, metro, county := federatedWorld(t)
	at := mutualAidT0.Add(time.Hour)
	raiser := dispatch.Actor{User: "fo", Agency: "federal", Role: dispatch.RoleOfficer}
	evs := fed.decide(t, raiser, at, dispatch.RequestAssist{From: "federal", Location: kedzie, Nature: "agents boxed in", Urgency: dispatch.UrgencyEmergency})
	deliver(t, fed, at, evs)
	r := fed.s.Requests["federal-A-2026-000001"]
	evs = fed.decide(t, system, r.Deadline.Add(time.Second), dispatch.CheckTimers{})
	deliver(t, fed, r.Deadline.Add(time.Second), evs)
	const mirror = "federal-A-2026-000001@federal"
	if county.s.Requests[mirror] == nil || metro.s.Requests[mirror] == nil {
		t.Fatalf("mirrors: county %v, metro %v; want both", county.s.Requests[mirror], metro.s.Requests[mirror])
	}
	evs = fed.decide(t, raiser, at.Add(5*time.Minute), dispatch.CloseAssist{Request: "federal-A-2026-000001", Disposition: "team extracted"})
	got := deliver(t, fed, at.Add(5*time.Minute), evs)
	for _, in := range []*installation{metro, county} {
		rec := got[in.name][0].Data.(*dispatch.FederationReceived)
		if m := in.s.Requests[mirror]; m.Status != dispatch.RequestClosed || rec.Outcome != dispatch.OutcomeApplied {
			t.Errorf("%s's mirror after the raiser released the request: %s, receipt %s %q; want CLOSED, applied", in.name, m.Status, rec.Outcome, rec.Reason)
		}
	}
}

// A partner's directive in the way of a request comes back as a conflict
// of the partner's agency, named for nobody there: at the partner it was
// raised as the request arrived, by the requester's actor.
func TestFederatedConflictAttribution(t *testing.T) {
	fed, metro, _ := federatedWorld(t)
	at := mutualAidT0.Add(time.Hour)
	metro.decide(t, dispatch.Actor{User: "cmdr", Agency: "metro", Role: dispatch.RoleSupervisor}, at, holdKedzie(at))
	fo := dispatch.Actor{User: "fo", Agency: "federal", Role: dispatch.RoleOfficer}
	evs := fed.decide(t, fo, at.Add(time.Minute), dispatch.RequestAssist{From: "federal", Location: kedzie, Nature: "agents boxed in", Urgency: dispatch.UrgencyEmergency})
	got := deliver(t, fed, at.Add(time.Minute), evs)
	evs = nil
	for _, e := range got["metro"] {
		if e.Type == dispatch.TypeAssistConflict {
			evs = append(evs, e)
		}
	}
	if len(evs) != 1 {
		t.Fatalf("metro recorded %v, want one assist.conflict", kinds(got["metro"]))
	}
	deliver(t, metro, at.Add(time.Minute), evs)
	r := fed.s.Requests["federal-A-2026-000001"]
	var conflict *dispatch.AssistStep
	for i, h := range r.History {
		if h.Type == dispatch.TypeAssistConflict {
			conflict = &r.History[i]
		}
	}
	if conflict == nil || conflict.Who.Agency != "metro@metro" || conflict.Who.User != "" {
		t.Fatalf("federal's request history: conflict %+v; want one of metro@metro, by nobody named", conflict)
	}
	if a := r.Answer("metro@metro"); a == nil || len(a.Conflicts) != 1 || a.Conflicts[0] != dir1+"@metro" {
		t.Errorf("metro@metro's answer %+v, want the conflict with %s@metro", a, dir1)
	}
}
