package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
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

// fedLog is a real log of one installation for the verify tests.
type fedLog struct {
	log *ledger.Log
	key *ledger.Key
}

func mustFedLog(t *testing.T, origin string, records ...ledger.Record) *fedLog {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tenfour.db"))
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	skey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(ctx, ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		t.Fatalf("ledger.Open(%s) = %v", origin, err)
	}
	t.Cleanup(func() { l.Close() })
	p, err := l.Append(records)
	if err != nil {
		t.Fatalf("Append = %v", err)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := l.Checkpoint(ctx); err != nil {
		t.Fatalf("Checkpoint = %v", err)
	}
	return &fedLog{log: l, key: k}
}

// cosigned returns the log's checkpoint with the witnesses' cosignature
// lines added, and the bundle of seqs under it.
func (f *fedLog) cosigned(t *testing.T, seqs []int64, witnesses ...*witness.Signer) ledger.Bundle {
	t.Helper()
	_, msg := f.log.LatestCheckpoint()
	text, _, _ := strings.Cut(string(msg), "\n\n")
	for _, w := range witnesses {
		signed, err := note.Sign(&note.Note{Text: text + "\n"}, w)
		if err != nil {
			t.Fatalf("note.Sign(%s) = %v", w.Name(), err)
		}
		msg = append(msg, signed[len(text)+2:]...)
	}
	b, err := f.log.BundleAt(context.Background(), msg, "", seqs, true)
	if err != nil {
		t.Fatalf("BundleAt = %v", err)
	}
	return *b
}

func fedRecord(i int, typ string, data string) ledger.Record {
	return ledger.Record{
		Time: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC).Add(time.Duration(i) * time.Second), Type: typ, Agency: "federal",
		Actor: ledger.Actor{System: "federation"}, Subject: map[string]string{"request": "federal-A-2026-000001"},
		Data: json.RawMessage(data), Private: map[string]string{"location": "W 39th Pl & S Kedzie Ave"},
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVerifyFederated runs `tenfour verify` in this process on a bundle of
// two real logs, each cosigned by the other's witness and a public one,
// and on a single log's bundle held to a witness quorum.
func TestVerifyFederated(t *testing.T) {
	const fed, met = "federal.example/log", "metro.example/log"
	witnessOf := func(name string, b byte) *witness.Signer {
		seed := make([]byte, ed25519.SeedSize)
		seed[0] = b
		w, err := witness.NewSigner(name, ed25519.NewKeyFromSeed(seed), func() time.Time { return time.Unix(1_773_500_000, 0) })
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	fedW, metW, pubW := witnessOf(fed+"/witness", 1), witnessOf(met+"/witness", 2), witnessOf("public.example/w1", 3)
	fl := mustFedLog(t, fed,
		fedRecord(0, "assist.requested", `{"urgency":"emergency"}`),
		fedRecord(1, federation.EventDelivered, fmt.Sprintf(`{"peer_origin":%q,"receipt_seq":0}`, met)))
	ml := mustFedLog(t, met,
		fedRecord(0, federation.EventReceived, fmt.Sprintf(`{"peer_origin":%q,"message_seq":0}`, fed)))
	fb := &federation.Bundle{Format: federation.BundleFormat, Subject: "request/federal-A-2026-000001", Logs: []ledger.Bundle{
		fl.cosigned(t, []int64{0, 1}, metW, pubW),
		ml.cosigned(t, []int64{0}, fedW, pubW),
	}}
	data, err := fb.Encode()
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, "federated.json", data)
	pubFile := writeFile(t, "public.vkey", []byte(pubW.Verifier().String()+"\n"))
	trust := []string{"--key", fl.key.Text, "--key", ml.key.Text,
		"--witness-key", fedW.Verifier().String(), "--witness-key", metW.Verifier().String(), "--witness-key", pubFile}

	single, err := fb.Logs[0].Encode()
	if err != nil {
		t.Fatal(err)
	}
	singleFile := writeFile(t, "single.json", single)
	tampered := []byte(strings.Replace(string(data), `"receipt_seq\":0`, `"receipt_seq\":1`, 1))
	if string(tampered) == string(data) {
		t.Fatal("the tampering changed nothing")
	}
	tamperedFile := writeFile(t, "tampered.json", tampered)

	tests := []struct {
		name string
		args []string
		out  []string // lines of stdout, in order
		err  string   // in the error; "" for none
	}{
		{"Federated", append(append([]string{"verify"}, trust...), "--quorum", "2", file), []string{
			fed + " @ 2: 2 events (2 private fields opened, 0 redacted), cosigned by " + met + "/witness, public.example/w1",
			met + " @ 1: 1 events (1 private fields opened, 0 redacted), cosigned by " + fed + "/witness, public.example/w1",
			file + ": verified request/federal-A-2026-000001 across 2 installations (2 links between their logs checked)",
		}, ""},
		{"FederatedQuorumUnmet", append(append([]string{"verify"}, trust...), "--quorum", "3", file), nil,
			"NOT VERIFIED: federated bundle: log of " + fed + ": its checkpoint is cosigned by 2 of the trusted witnesses"},
		{"FederatedOneKey", []string{"verify", "--key", fl.key.Text, file}, nil, "log 1 is of " + met + ", for which no key is trusted"},
		{"FederatedNoPolicy", []string{"verify", file}, []string{
			fed + " @ 2: 2 events (2 private fields opened, 0 redacted), cosigned by no trusted witness (not checked: " + met + "/witness, public.example/w1)",
		}, ""},
		{"FederatedTampered", append(append([]string{"verify"}, trust...), tamperedFile), nil, "NOT VERIFIED"},
		{"QuorumWithoutWitnesses", []string{"verify", "--quorum", "1", file}, nil, "--quorum needs the witnesses' keys"},
		{"BadWitnessKey", []string{"verify", "--witness-key", fl.key.Text, file}, nil, "--witness-key"},
		{"Single", []string{"verify", "--key", fl.key.Text, singleFile}, []string{
			singleFile + ": verified 2 events against checkpoint " + fed + " @ 2 (2 private fields opened, 0 redacted)",
		}, ""},
		{"SingleQuorum", []string{"verify", "--key", ml.key.Text, "--key", fl.key.Text, "--witness-key", pubW.Verifier().String(), "--witness-key", metW.Verifier().String(), "--quorum", "2", singleFile}, []string{
			singleFile + ": verified 2 events against checkpoint " + fed + " @ 2 (2 private fields opened, 0 redacted), cosigned by " + met + "/witness, public.example/w1",
		}, ""},
		{"SingleQuorumUnmet", []string{"verify", "--key", fl.key.Text, "--witness-key", pubW.Verifier().String(), "--witness-key", fedW.Verifier().String(), "--quorum", "2", singleFile}, nil,
			"cosigned by 1 of the trusted witnesses (public.example/w1)"},
		{"SingleOtherKey", []string{"verify", "--key", ml.key.Text, singleFile}, nil, "not the trusted key"},
		{"SingleNoKeyOfIt", []string{"verify", "--key", ml.key.Text, "--key", ml.key.Text, singleFile}, nil, "no --key is of it"},
		{"URLTwoKeys", []string{"verify", "--key", ml.key.Text, "--key", fl.key.Text, "http://127.0.0.1:1/"}, nil, "a log URL takes one --key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runIn(t, tt.args...)
			if tt.err == "" && err != nil {
				t.Fatalf("tenfour %s = %v (stderr %q), want success", strings.Join(tt.args, " "), err, stderr)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("tenfour %s = %v (stdout %q), want an error containing %q", strings.Join(tt.args, " "), err, stdout, tt.err)
			}
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			for i, want := range tt.out {
				if i >= len(lines) || lines[i] != want {
					t.Fatalf("tenfour %s printed %q, want line %d %q", strings.Join(tt.args, " "), stdout, i, want)
				}
			}
		})
	}
}
