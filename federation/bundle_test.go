package federation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"github.com/tenfour-cad/tenfour/witness"
)

const (
	federal   = "federal.example/log"
	metro     = "metro.example/log"
	requestID = "federal-A-2026-000001"
)

// An installation is one tenfour's log, on a real store.
type installation struct {
	log *ledger.Log
	key *ledger.Key
}

func mustInstallation(t *testing.T, origin string) *installation {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tenfour.db"))
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	skey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatalf("GenerateKey(%s) = %v", origin, err)
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatalf("ParseKey = %v", err)
	}
	l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		t.Fatalf("ledger.Open(%s) = %v", origin, err)
	}
	t.Cleanup(func() { l.Close() })
	return &installation{log: l, key: k}
}

// event is a record of the scenario: about the request when req is set,
// with public data, and a private field when private is set.
func event(i int, typ string, req bool, data string, private bool) ledger.Record {
	r := ledger.Record{
		Time:    time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Type:    typ,
		Agency:  "federal",
		Actor:   ledger.Actor{System: "federation"},
		Subject: map[string]string{"unit": "F12"},
		Data:    json.RawMessage(data),
	}
	if req {
		r.Subject = map[string]string{"request": requestID}
	}
	if private {
		r.Private = map[string]string{"location": "W 39th Pl & S Kedzie Ave"}
	}
	return r
}

func (in *installation) append(t *testing.T, recs ...ledger.Record) {
	t.Helper()
	p, err := in.log.Append(recs)
	if err != nil {
		t.Fatalf("Append = %v", err)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

// checkpoint signs a checkpoint of the log and returns it cosigned by the
// witnesses, as the witness client collects their lines.
func (in *installation) checkpoint(t *testing.T, witnesses ...*witness.Signer) []byte {
	t.Helper()
	if err := in.log.Checkpoint(context.Background()); err != nil {
		t.Fatalf("Checkpoint = %v", err)
	}
	_, msg := in.log.LatestCheckpoint()
	return cosign(t, msg, witnesses...)
}

// cosign adds each witness's cosignature line to a signed checkpoint.
func cosign(t *testing.T, msg []byte, witnesses ...*witness.Signer) []byte {
	t.Helper()
	text, _, _ := strings.Cut(string(msg), "\n\n")
	msg = bytes.Clone(msg)
	for _, w := range witnesses {
		signed, err := note.Sign(&note.Note{Text: text + "\n"}, w)
		if err != nil {
			t.Fatalf("note.Sign(checkpoint, %s) = %v", w.Name(), err)
		}
		msg = append(msg, signed[len(text)+2:]...)
	}
	return msg
}

func (in *installation) bundle(t *testing.T, cosigned []byte, seqs ...int64) ledger.Bundle {
	t.Helper()
	b, err := in.log.BundleAt(context.Background(), cosigned, "", seqs, true)
	if err != nil {
		t.Fatalf("BundleAt(%v) = %v", seqs, err)
	}
	return *b
}

func mustWitness(t *testing.T, name string, seed byte) *witness.Signer {
	t.Helper()
	k := make([]byte, ed25519.SeedSize)
	k[0] = seed
	w, err := witness.NewSigner(name, ed25519.NewKeyFromSeed(k), func() time.Time { return time.Unix(1_773_500_000, 0) })
	if err != nil {
		t.Fatalf("witness.NewSigner(%s) = %v", name, err)
	}
	return w
}

func encode(t *testing.T, b *federation.Bundle) []byte {
	t.Helper()
	data, err := b.Encode()
	if err != nil {
		t.Fatalf("Encode = %v", err)
	}
	return data
}

// scenario is the reference request across two installations: federal
// asks metro for help (federal's event 0, received as metro's event 1,
// delivered with that receipt as federal's event 2); metro acknowledges
// (its event 2, received as federal's event 3, delivered as metro's 3).
// Each log's checkpoint is cosigned by the other's witness and a public
// one.
type scenario struct {
	fed, met           *installation
	fedW, metW, pubW   *witness.Signer
	fedCP, metCP       []byte
	bundle             *federation.Bundle
	strict             federation.Policy // every key, every cosignature counted
	fedSeqs, metroSeqs []int64
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	s := &scenario{
		fed: mustInstallation(t, federal), met: mustInstallation(t, metro),
		fedW: mustWitness(t, federal+"/witness", 1), metW: mustWitness(t, metro+"/witness", 2), pubW: mustWitness(t, "public.example/w1", 3),
		fedSeqs: []int64{0, 2, 3}, metroSeqs: []int64{1, 2, 3},
	}
	s.fed.append(t,
		event(0, "assist.requested", true, `{"urgency":"emergency","to":"metro@metro"}`, true),
		event(1, "unit.status_changed", false, `{"to":"on_scene"}`, false),
		event(2, federation.EventDelivered, true, fmt.Sprintf(`{"peer_origin":%q,"receipt_seq":1,"message":"m-1"}`, metro), false),
		event(3, federation.EventReceived, true, fmt.Sprintf(`{"peer_origin":%q,"message_seq":2}`, metro), false),
	)
	s.met.append(t,
		event(0, "unit.status_changed", false, `{"to":"available"}`, false),
		event(1, federation.EventReceived, true, fmt.Sprintf(`{"peer_origin":%q,"message_seq":0}`, federal), true),
		event(2, "assist.acknowledged", true, `{"role":"supervisor"}`, false),
		event(3, federation.EventDelivered, true, fmt.Sprintf(`{"peer_origin":%q,"receipt_seq":3}`, federal), false),
	)
	s.fedCP = s.fed.checkpoint(t, s.metW, s.pubW)
	s.metCP = s.met.checkpoint(t, s.fedW, s.pubW)
	s.bundle = &federation.Bundle{Format: federation.BundleFormat, Subject: "request/" + requestID, Logs: []ledger.Bundle{
		s.fed.bundle(t, s.fedCP, s.fedSeqs...),
		s.met.bundle(t, s.metCP, s.metroSeqs...),
	}}
	s.strict = federation.Policy{
		Keys:        []string{s.fed.key.Text, s.met.key.Text},
		WitnessKeys: []string{s.fedW.Verifier().String(), s.metW.Verifier().String(), s.pubW.Verifier().String()},
		Quorum:      2,
	}
	return s
}

func TestVerify(t *testing.T) {
	s := newScenario(t)
	data := encode(t, s.bundle)
	r, err := federation.Verify(data, s.strict)
	if err != nil {
		t.Fatalf("Verify(two installations' bundle) = %v", err)
	}
	want := []struct {
		origin    string
		seqs      []int64
		openings  int
		cosigners string
	}{
		{federal, s.fedSeqs, 1, metro + "/witness public.example/w1"},
		{metro, s.metroSeqs, 1, federal + "/witness public.example/w1"},
	}
	if len(r.Logs) != len(want) || r.Subject != "request/"+requestID || r.Links != 4 || r.Unlinked != 0 {
		t.Fatalf("Verify = %d logs about %s, %d links, %d unlinked; want 2 about request/%s, 4, 0", len(r.Logs), r.Subject, r.Links, r.Unlinked, requestID)
	}
	for i, w := range want {
		lr := r.Logs[i]
		var seqs []int64
		for _, e := range lr.Entries {
			seqs = append(seqs, e.Seq)
		}
		if lr.Origin != w.origin || !lr.Trusted || lr.Checkpoint.Size != 4 || lr.Events != len(w.seqs) || fmt.Sprint(seqs) != fmt.Sprint(w.seqs) ||
			lr.Openings != w.openings || strings.Join(lr.Cosigners, " ") != w.cosigners || len(lr.Unchecked) != 0 {
			t.Errorf("Verify: log %d = %s trusted %v @ %d, events %v, %d openings, cosigned by %v, unchecked %v; want %s trusted @ 4, events %v, %d openings, cosigned by %s",
				i, lr.Origin, lr.Trusted, lr.Checkpoint.Size, seqs, lr.Openings, lr.Cosigners, lr.Unchecked, w.origin, w.seqs, w.openings, w.cosigners)
		}
	}

	t.Run("NoPolicy", func(t *testing.T) {
		// With no keys, each log is checked against the key it carries and
		// said to be; no cosignature is checked, each is listed.
		r, err := federation.Verify(data, federation.Policy{})
		if err != nil {
			t.Fatalf("Verify(bundle, no policy) = %v", err)
		}
		for _, lr := range r.Logs {
			if lr.Trusted || len(lr.Cosigners) != 0 || len(lr.Unchecked) != 2 {
				t.Errorf("Verify(no policy): %s trusted %v, cosigners %v, unchecked %v; want untrusted, none counted, 2 unchecked", lr.Origin, lr.Trusted, lr.Cosigners, lr.Unchecked)
			}
		}
	})
	t.Run("Parse", func(t *testing.T) {
		b, err := federation.Parse(data)
		if err != nil || !bytes.Equal(encode(t, b), data) {
			t.Fatalf("Parse(Encode(b)) = %v, which encodes differently", err)
		}
		for _, bad := range [][]byte{append(bytes.Clone(data), '}'), append(bytes.Clone(data), "{}"...), bytes.Replace(data, []byte(`{"format"`), []byte(`{ "format"`), 1),
			bytes.Replace(data, []byte(`"logs":`), []byte(`"extra":1,"logs":`), 1)} {
			if _, err := federation.Verify(bad, s.strict); err == nil {
				t.Errorf("Verify(%.60q…) = nil, want an error", bad)
			}
		}
	})
}

// TestVerifyAnyByteChanged changes every byte of a real two-installation
// bundle in turn: none of the changes verifies under a policy that names
// every key the bundle holds.
func TestVerifyAnyByteChanged(t *testing.T) {
	s := newScenario(t)
	data := encode(t, s.bundle)
	if _, err := federation.Verify(data, s.strict); err != nil {
		t.Fatalf("Verify(bundle) = %v", err)
	}
	for j := range data {
		for _, flip := range []byte{0x01, 0x20} {
			bad := bytes.Clone(data)
			bad[j] ^= flip
			if _, err := federation.Verify(bad, s.strict); err == nil {
				t.Fatalf("Verify(bundle with byte %d (%q) changed to %q, in %q) = nil, want an error", j, data[j], bad[j], data[max(0, j-40):min(len(data), j+40)])
			}
		}
	}
}

func TestVerifyPolicy(t *testing.T) {
	s := newScenario(t)
	other, err := ledger.GenerateKey(federal)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := ledger.ParseKey(other)
	if err != nil {
		t.Fatal(err)
	}
	fedW, metW, pubW := s.fedW.Verifier().String(), s.metW.Verifier().String(), s.pubW.Verifier().String()
	keys := s.strict.Keys
	tests := []struct {
		name string
		p    federation.Policy
		want string // in the error; "" for none
	}{
		{"QuorumOne", federation.Policy{Keys: keys, WitnessKeys: []string{pubW}, Quorum: 1}, ""},
		{"QuorumTooHigh", federation.Policy{Keys: keys, WitnessKeys: []string{fedW, metW, pubW}, Quorum: 3}, "log of " + federal + ": its checkpoint is cosigned by 2 of the trusted witnesses"},
		{"QuorumOverKeys", federation.Policy{Keys: keys, WitnessKeys: []string{pubW}, Quorum: 2}, "quorum 2: only 1 witness keys"},
		{"QuorumNoKeys", federation.Policy{Keys: keys, Quorum: 1}, "quorum 1: only 0 witness keys"},
		{"QuorumNegative", federation.Policy{Keys: keys, Quorum: -1}, "quorum -1"},
		{"SameKeyTwice", federation.Policy{Keys: keys, WitnessKeys: []string{pubW, pubW}, Quorum: 2}, "quorum 2: only 1 witness keys"},
		// Federal's checkpoint is cosigned by metro's witness, not by
		// federal's own: with those two, federal's has one.
		{"OtherSidesWitness", federation.Policy{Keys: keys, WitnessKeys: []string{fedW, metW}, Quorum: 2}, "log of " + federal + ": its checkpoint is cosigned by 1 of the trusted witnesses (" + metro + "/witness)"},
		{"BadWitnessKey", federation.Policy{Keys: keys, WitnessKeys: []string{s.fed.key.Text}}, "witness key"},
		{"OneLogKey", federation.Policy{Keys: keys[:1]}, "log 1 is of " + metro + ", for which no key is trusted"},
		{"OtherLogKey", federation.Policy{Keys: []string{otherKey.Text, keys[1]}}, "not the trusted key"},
		{"BothLogKeys", federation.Policy{Keys: []string{otherKey.Text, keys[0], keys[1]}}, ""},
		{"BadLogKey", federation.Policy{Keys: []string{"metro.example/log+123+abc"}}, "trusted log key"},
	}
	data := encode(t, s.bundle)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := federation.Verify(data, tt.p)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Verify = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Verify = %+v, %v, want an error containing %q", r, err, tt.want)
			}
		})
	}
}

// TestVerifyOwnWitness checks that an installation's own witness counts for
// nothing on its own log: the operator who could fork the log holds the
// witness's key too.
func TestVerifyOwnWitness(t *testing.T) {
	s := newScenario(t)
	s.bundle.Logs[0] = s.fed.bundle(t, cosign(t, s.fedCP, s.fedW), s.fedSeqs...)
	p := federation.Policy{Keys: s.strict.Keys, WitnessKeys: []string{s.fedW.Verifier().String(), s.pubW.Verifier().String()}, Quorum: 2}
	_, err := federation.Verify(encode(t, s.bundle), p)
	if want := "log of " + federal + ": its checkpoint is cosigned by 1 of the trusted witnesses (public.example/w1)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Verify(federal's checkpoint cosigned by federal's own witness) = %v, want an error containing %q", err, want)
	}
	p.Quorum = 1
	r, err := federation.Verify(encode(t, s.bundle), p)
	if err != nil {
		t.Fatalf("Verify(quorum 1) = %v", err)
	}
	if lr := r.Logs[0]; fmt.Sprint(lr.Cosigners) != "[public.example/w1]" || fmt.Sprint(lr.Unchecked) != "["+federal+"/witness "+metro+"/witness]" {
		t.Fatalf("Verify: federal cosigned by %v, unchecked %v; want [public.example/w1], [%s/witness %s/witness]", lr.Cosigners, lr.Unchecked, federal, metro)
	}
	// A line of a trusted witness that does not verify is tampering, not a
	// missing cosignature.
	bad := strings.TrimSuffix(string(s.fedCP), "\n")
	i := strings.LastIndexByte(bad, ' ')
	sig, _ := base64.StdEncoding.DecodeString(bad[i+1:])
	sig[len(sig)-1] ^= 1
	bad = bad[:i+1] + base64.StdEncoding.EncodeToString(sig) + "\n"
	s.bundle.Logs[0] = s.fed.bundle(t, []byte(bad), s.fedSeqs...)
	if _, err := federation.Verify(encode(t, s.bundle), federation.Policy{WitnessKeys: []string{s.pubW.Verifier().String()}}); err == nil || !strings.Contains(err.Error(), "public.example/w1") {
		t.Fatalf("Verify(a bad cosignature of a trusted witness) = %v, want an error naming it", err)
	}
}

func TestVerifyBundleShape(t *testing.T) {
	s := newScenario(t)
	tests := []struct {
		name   string
		change func(b *federation.Bundle)
		want   string // in the error; "" for none
	}{
		{"Format", func(b *federation.Bundle) { b.Format = "tenfour-federated-bundle/v2" }, "format"},
		{"NoLogs", func(b *federation.Bundle) { b.Logs = []ledger.Bundle{} }, "holds no log"},
		{"SameLogTwice", func(b *federation.Bundle) { b.Logs = append(b.Logs, b.Logs[0]) }, "two logs of origin " + federal},
		{"OtherSubject", func(b *federation.Bundle) { b.Subject = "request/federal-A-2026-000002" }, "none of its events is"},
		{"NoSubject", func(b *federation.Bundle) { b.Subject = "" }, "is not kind/id"},
		{"PartTampered", func(b *federation.Bundle) { b.Logs[1].Events[0].Seq = 0 }, "log of " + metro},
		{"LinkMissing", func(b *federation.Bundle) { b.Logs[1] = s.met.bundle(t, s.metCP, 2, 3) },
			"event 2 of " + federal + " names event 1 of " + metro + ", which the bundle does not hold"},
		{"LinkBackMissing", func(b *federation.Bundle) { b.Logs[0] = s.fed.bundle(t, s.fedCP, 0, 2) },
			"event 3 of " + metro + " names event 3 of " + federal + ", which the bundle does not hold"},
		{"OneInstallation", func(b *federation.Bundle) { b.Logs = b.Logs[:1] }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := federation.Parse(encode(t, s.bundle))
			if err != nil {
				t.Fatal(err)
			}
			tt.change(b)
			r, err := federation.Verify(encode(t, b), s.strict)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Verify = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Verify = %+v, %v, want an error containing %q", r, err, tt.want)
			}
		})
	}
	// A bundle of one installation checks the links it can: those to its
	// peer's log are counted as unlinked.
	b, _ := federation.Parse(encode(t, s.bundle))
	b.Logs = b.Logs[:1]
	if r, err := federation.Verify(encode(t, b), s.strict); err != nil || r.Links != 0 || r.Unlinked != 2 {
		t.Fatalf("Verify(federal's log alone) = %+v, %v, want 0 links, 2 unlinked", r, err)
	}
}

// TestVerifyMalformedLink checks that a linking event that does not name
// the other side's event fails: a claim of delivery no one could check.
func TestVerifyMalformedLink(t *testing.T) {
	for _, data := range []string{
		`{"peer_origin":"metro.example/log"}`,
		`{"receipt_seq":1}`,
		`{"peer_origin":"metro.example/log","receipt_seq":-1}`,
		`{"peer_origin":"metro.example/log","receipt_seq":"1"}`,
		`{"peer_origin":"","receipt_seq":1}`,
	} {
		in := mustInstallation(t, federal)
		in.append(t, event(0, federation.EventDelivered, true, data, false))
		b := &federation.Bundle{Format: federation.BundleFormat, Subject: "request/" + requestID, Logs: []ledger.Bundle{in.bundle(t, in.checkpoint(t), 0)}}
		if _, err := federation.Verify(encode(t, b), federation.Policy{}); err == nil || !strings.Contains(err.Error(), "event 0 of "+federal) {
			t.Errorf("Verify(federation.delivered with data %s) = %v, want an error naming event 0 of %s", data, err, federal)
		}
	}
}
