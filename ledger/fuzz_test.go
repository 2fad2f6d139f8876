package ledger_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/tlog"
)

// commitmentB64 is a well-formed commitment (32 bytes, base64).
var commitmentB64 = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xab}, 32))

const seedEntry = `{"seq":7,"time":"2025-03-14T15:09:26.535897932Z","type":"unit.status_changed","agency":"north","actor":{"user":"ann","role":"dispatcher"},"subject":{"unit":"M1"},"data":{"to":"on_scene","n":[1,2.5,null]}}`

func FuzzParseEntry(f *testing.F) {
	seeds := []string{
		seedEntry,
		`{"seq":0,"time":"2025-01-01T00:00:00Z","type":"t","agency":"","actor":{"system":"timer"}}`,
		`{"seq":1,"time":"2025-01-01T00:00:00Z","type":"t","agency":"a","actor":{"user":"u","role":"r"},"private":{"caller_phone":"` + commitmentB64 + `"}}`,
		` {"seq":1,"time":"2025-01-01T00:00:00Z","type":"t","agency":"a","actor":{"user":"u"},"data":null,"subject":{}} ` + "\n",
		seedEntry + "]",
		seedEntry + "}",
		seedEntry + "{}",
		seedEntry + " x",
		`{"seq":1,"time":"2025-01-01T00:00:00Z","type":"t","agency":"a","actor":{"user":"u","role":"r","token":"0123456789abcdef"}}`,
		`{"seq":-1,"time":"2025-01-01T00:00:00Z","type":"t","actor":{"system":"s"}}`,
		`{"seq":1,"time":"2025-01-01T00:00:00+01:00","type":"t","actor":{"system":"s"}}`,
		`{"seq":1,"time":"2025-01-01T00:00:00Z","type":"","actor":{"system":"s"}}`,
		`{"seq":1,"time":"2025-01-01T00:00:00Z","type":"t","actor":{}}`,
		`{"seq":1,"time":"2025-01-01T00:00:00Z","type":"t","actor":{"system":"s"},"private":{"f":"AAAA"}}`,
		`{"seq":1,"time":"2025-01-01T00:00:00Z","type":"t","actor":{"system":"s"},"extra":1}`,
		`{"seq":1,"SEQ":2,"time":"2025-01-01T00:00:00Z","type":"t","actor":{"system":"s"}}`,
		`[]`, `null`, ``, `{}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ledger.ParseEntry(b)
		if err != nil {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("ParseEntry(%q) = nil error for input that is not one JSON value", b)
		}
		if _, terr := e.ParsedTime(); e.Seq < 0 || e.Type == "" || e.Actor == (ledger.Actor{}) || terr != nil || !strings.HasSuffix(e.Time, "Z") {
			t.Fatalf("ParseEntry(%q) accepted %+v, which breaks its rules", b, e)
		}
		for f, c := range e.Private {
			if raw, err := base64.StdEncoding.DecodeString(c); err != nil || len(raw) != 32 {
				t.Fatalf("ParseEntry(%q) accepted commitment %q of %s", b, c, f)
			}
		}
		// What was accepted survives a round trip through its own encoding.
		again, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("json.Marshal(ParseEntry(%q)) = %v", b, err)
		}
		e2, err := ledger.ParseEntry(again)
		if err != nil {
			t.Fatalf("ParseEntry(%q) = %v, after ParseEntry(%q) accepted it", again, err, b)
		}
		if n1, n2 := normalEntry(t, e), normalEntry(t, e2); !reflect.DeepEqual(n1, n2) {
			t.Fatalf("ParseEntry(json.Marshal(ParseEntry(%q))) = %+v, want %+v", b, n2, n1)
		}
	})
}

// normalEntry forgets what JSON encoding does not keep: an empty map versus
// none, and the whitespace of raw data.
func normalEntry(t *testing.T, e ledger.Entry) ledger.Entry {
	if len(e.Subject) == 0 {
		e.Subject = nil
	}
	if len(e.Private) == 0 {
		e.Private = nil
	}
	if len(e.Data) > 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, e.Data); err != nil {
			t.Fatalf("json.Compact(%q) = %v", e.Data, err)
		}
		e.Data = b.Bytes()
	}
	return e
}

func FuzzParseCheckpoint(f *testing.F) {
	seeds := []string{
		"example.test/log\n0\n" + emptyRootB64 + "\n",
		"example.test/log\n1234\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		"example.test/log\n1234\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\next one\next two\n",
		"example.test/log\n01\n" + emptyRootB64 + "\n",
		"example.test/log\n1\n" + emptyRootB64,
		"\n1\n" + emptyRootB64 + "\n",
		"example.test/log\n1\n" + emptyRootB64 + "\n\n",
		"example.test/log\n9223372036854775807\n" + emptyRootB64 + "\n",
		"example.test/log\n9223372036854775808\n" + emptyRootB64 + "\n",
		"example.test/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n", // non-canonical base64
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := ledger.ParseCheckpoint(text)
		if err != nil {
			return
		}
		if c.Origin == "" || strings.Contains(c.Origin, "\n") || c.Size < 0 {
			t.Fatalf("ParseCheckpoint(%q) accepted %+v", text, c)
		}
		// The origin and size lines are exactly as Format writes them.
		if prefix := fmt.Sprintf("%s\n%d\n", c.Origin, c.Size); !bytes.HasPrefix(text, []byte(prefix)) {
			t.Fatalf("ParseCheckpoint(%q) = %+v, but the text does not start %q", text, c, prefix)
		}
		if c2, err := ledger.ParseCheckpoint(c.Format()); err != nil || c2 != c {
			t.Fatalf("ParseCheckpoint(Format(ParseCheckpoint(%q))) = %+v, %v, want %+v", text, c2, err, c)
		}
	})
}

func FuzzParseTilePath(f *testing.F) {
	seeds := []string{
		"tile/0/000", "tile/0/x001/x234/067", "tile/0/x001/x234/067.p/8", "tile/1/000.p/1",
		"tile/63/999", "tile/entries/000", "tile/entries/x001/x234/067.p/100",
		"tile/0/x036/x028/x797/x018/x963/968", "tile/0/x036/x028/x797/x018/x963/969",
		"tile/0/x018/x446/x744/x073/x709/x551/621",
		"tile/0/x000/001", "tile/0/x001", "tile/0/000.p/0", "tile/0/000.p/256", "tile/64/000", "tile/00/000",
		"tile/0/000.p/05", "tile/entries.p/5", "",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		p, err := ledger.ParseTilePath(path)
		if err != nil {
			return
		}
		if got := p.String(); got != path {
			t.Fatalf("ParseTilePath(%q) = %+v, whose String() is %q", path, p, got)
		}
		if p.L < 0 || p.L > 63 || p.W < 1 || p.W > ledger.TileWidth || p.N < 0 || p.N > 1<<55 || p.Entries && p.L != 0 {
			t.Fatalf("ParseTilePath(%q) = %+v, out of range", path, p)
		}
	})
}

func FuzzParseBundle(f *testing.F) {
	seeds := [][]byte{
		nil,
		[]byte("\x00\x00"),
		[]byte("\x00\x02ab\x00\x01c"),
		[]byte("\x00\x05ab"),
		[]byte("\x00"),
		append([]byte{0x00, byte(len(seedEntry))}, seedEntry...),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := ledger.ParseBundle(b)
		if err != nil {
			return
		}
		again, err := ledger.AppendBundle(nil, es...)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("AppendBundle(ParseBundle(%q)) = %q, %v, want the input", b, again, err)
		}
	})
}

// fixedBundle builds, without a Log and without randomness, an evidence
// bundle of events 0, 3, 7 and 19 of a 20-event log signed by the vector key:
// fuzzing workers, each running this anew, must agree on the seed corpus.
func fixedBundle(tb testing.TB) (data []byte, entries [][]byte, openings map[int64][]store.Opening, cp ledger.Checkpoint) {
	tb.Helper()
	const n = 20
	openings = make(map[int64][]store.Opening)
	for i := range n {
		r := record(i)
		e := ledger.Entry{Seq: int64(i), Time: r.Time.Format(ledger.TimeFormat), Type: r.Type, Agency: r.Agency, Actor: r.Actor, Subject: r.Subject, Data: r.Data}
		for f, v := range r.Private {
			salt := sha256Sum(fmt.Sprintf("salt %d %s", i, f))
			c := ledger.Commit(salt, v)
			if e.Private == nil {
				e.Private = make(map[string]string)
			}
			e.Private[f] = base64.StdEncoding.EncodeToString(c[:])
			openings[int64(i)] = append(openings[int64(i)], store.Opening{Seq: int64(i), Field: f, Salt: salt, Value: v})
		}
		b, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		entries = append(entries, b)
	}
	data, cp = signedBundle(tb, entries, openings, []int64{0, 3, 7, 19})
	if r, err := ledger.VerifyBundle(data, vectorVerifyKey); err != nil || r.Openings != 4 {
		tb.Fatalf("VerifyBundle(fixed bundle) = %+v, %v, want 4 events with 4 openings", r, err)
	}
	return data, entries, openings, cp
}

// signedBundle builds the tree of entries in memory, signs its checkpoint
// with the vector key and returns the evidence bundle of events seqs: what a
// log holding exactly these entries would hand out.
func signedBundle(tb testing.TB, entries [][]byte, openings map[int64][]store.Opening, seqs []int64) ([]byte, ledger.Checkpoint) {
	tb.Helper()
	k, err := ledger.ParseKey(vectorSigningKey)
	if err != nil {
		tb.Fatalf("ParseKey(vector) = %v", err)
	}
	n := int64(len(entries))
	var storage hashStorage
	for i, e := range entries {
		hs, err := tlog.StoredHashes(int64(i), e, storage)
		if err != nil {
			tb.Fatal(err)
		}
		storage = append(storage, hs...)
	}
	root, err := tlog.TreeHash(n, storage)
	if err != nil {
		tb.Fatal(err)
	}
	cp := ledger.Checkpoint{Origin: k.Signer.Name(), Size: n, Root: root}
	msg, err := ledger.SignCheckpoint(cp, k.Signer)
	if err != nil {
		tb.Fatal(err)
	}
	b := ledger.Bundle{Format: ledger.BundleFormat, Key: k.Text, Checkpoint: string(msg)}
	for _, seq := range seqs {
		proof, err := tlog.ProveRecord(n, seq, storage)
		if err != nil {
			tb.Fatal(err)
		}
		ev := ledger.BundleEvent{Seq: seq, Entry: string(entries[seq]), Proof: proof}
		for _, o := range openings[seq] {
			if ev.Open == nil {
				ev.Open = make(map[string]ledger.BundleOpening)
			}
			ev.Open[o.Field] = ledger.BundleOpening{Salt: o.Salt, Value: o.Value}
		}
		b.Events = append(b.Events, ev)
	}
	data, err := b.Encode()
	if err != nil {
		tb.Fatal(err)
	}
	return data, cp
}

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// FuzzVerifyBundle mutates a valid evidence bundle. Whatever VerifyBundle
// accepts must say nothing the log does not: the same checkpoint, every
// event the log's own bytes for its number, every opening the stored one.
func FuzzVerifyBundle(f *testing.F) {
	valid, entries, openings, cp := fixedBundle(f)
	var b ledger.Bundle
	if err := json.Unmarshal(valid, &b); err != nil {
		f.Fatal(err)
	}
	var indented bytes.Buffer
	json.Indent(&indented, valid, "", "  ")
	noOpen := b
	noOpen.Events = []ledger.BundleEvent{b.Events[1]}
	noOpen.Events[0].Open = nil
	redacted, _ := json.Marshal(noOpen)
	flipped := bytes.Clone(valid)
	flipped[bytes.Index(flipped, []byte(`"entry":"`))+20] ^= 1
	for _, s := range [][]byte{valid, indented.Bytes(), redacted, flipped, append(bytes.Clone(valid), ']'), []byte(`{"format":"tenfour-evidence-bundle/v1"}`)} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, trusted := range []string{vectorVerifyKey, ""} {
			r, err := ledger.VerifyBundle(data, trusted)
			if err != nil {
				continue
			}
			if r.Checkpoint != cp {
				t.Fatalf("VerifyBundle accepted checkpoint %+v, want %+v", r.Checkpoint, cp)
			}
			got, err := ledger.ParseEvidence(data)
			if err != nil {
				t.Fatalf("ParseEvidence = %v for a bundle VerifyBundle accepted", err)
			}
			if len(got.Events) != r.Events || len(r.Entries) != r.Events {
				t.Fatalf("VerifyBundle reports %d events of %d", r.Events, len(got.Events))
			}
			for _, ev := range got.Events {
				if ev.Seq < 0 || ev.Seq >= int64(len(entries)) || ev.Entry != string(entries[ev.Seq]) {
					t.Fatalf("VerifyBundle accepted event %d as %q", ev.Seq, ev.Entry)
				}
				for field, o := range ev.Open {
					if !hasOpening(openings[ev.Seq], field, o) {
						t.Fatalf("VerifyBundle accepted opening %s = %q of event %d", field, o.Value, ev.Seq)
					}
				}
			}
		}
	})
}

func hasOpening(os []store.Opening, field string, o ledger.BundleOpening) bool {
	for _, s := range os {
		if s.Field == field && s.Value == o.Value && bytes.Equal(s.Salt, o.Salt) {
			return true
		}
	}
	return false
}
