package federation_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

func TestOpen(t *testing.T) {
	f := newFixture(t)
	data := f.sealed(t)

	t.Run("OK", func(t *testing.T) {
		m, err := federation.Open(data, f.metroKey.Verifier)
		if err != nil {
			t.Fatalf("Open(Seal(message)) = %v", err)
		}
		if m.ID != metroOrigin+"/"+fmt.Sprint(f.seq) || m.From != metroOrigin || m.To != countyOrigin || !m.Sent.Equal(f.msg.Sent) {
			t.Fatalf("Open = id %q from %q to %q sent %v, want %q %q %q %v", m.ID, m.From, m.To, m.Sent, f.msg.ID, metroOrigin, countyOrigin, f.msg.Sent)
		}
		if !bytes.Equal(m.EIDO, f.msg.EIDO) {
			t.Fatalf("Open().EIDO = %s, want %s", m.EIDO, f.msg.EIDO)
		}
		e := m.Entry()
		if e.Seq != f.seq || e.Type != "assist.requested" || e.Subject["request"] != "metro-r-1" {
			t.Fatalf("Open().Entry() = %+v, want event %d, the request", e, f.seq)
		}
		if got, want := m.Openings(), request(t0).Private; !maps.Equal(got, want) {
			t.Fatalf("Open().Openings() = %v, want %v", got, want)
		}
		// Ed25519 signs deterministically: the same message seals to the same bytes.
		again, err := federation.Seal(m, f.metroKey.Signer)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("Seal(Open(data)) = %q, %v; want the same bytes %q", again, err, data)
		}
	})

	t.Run("Text", func(t *testing.T) {
		// The note: the format line, the canonical JSON, one signature.
		text, sig, ok := strings.Cut(string(data), "\n\n")
		if !ok || !strings.HasPrefix(text, federation.MessageFormat+"\n{") || strings.Count(text, "\n") != 1 {
			t.Fatalf("Seal(message) text = %q, want the format line then one JSON line", text)
		}
		if !strings.HasPrefix(sig, "\u2014 "+metroOrigin+" ") || strings.Count(sig, "\n") != 1 {
			t.Fatalf("Seal(message) signatures = %q, want one line by %s", sig, metroOrigin)
		}
		// HTML characters are not escaped.
		if !strings.Contains(text, `"note":"<& >"`) || strings.Contains(text, `\u003c`) {
			t.Fatalf("Seal(message) text = %q, want HTML characters unescaped", text)
		}
	})

	t.Run("ErrSignature", func(t *testing.T) {
		// Another log's key, and a key of the same name that is not metro's.
		for _, k := range []*ledger.Key{f.countyKey, mustKey(t, metroOrigin)} {
			_, err := federation.Open(data, k.Verifier)
			wantErr(t, fmt.Sprintf("Open(message, %s)", k.Text), err, federation.ErrSignature)
		}
	})

	t.Run("ErrNoKey", func(t *testing.T) {
		_, err := federation.Open(data, nil)
		wantErr(t, "Open(message, nil)", err, federation.ErrSignature)
		_, err = federation.OpenReceipt(data, nil, f.msg.ID)
		wantErr(t, "OpenReceipt(message, nil)", err, federation.ErrSignature)
	})

	t.Run("ErrSignatureFromOtherLog", func(t *testing.T) {
		// Signed by county's key, but says it is from metro.
		data := signText(t, f.countyKey.Signer, federation.MessageFormat, canonicalJSON(t, &f.msg))
		_, err := federation.Open(data, f.countyKey.Verifier)
		wantErr(t, "Open(metro's message signed by county)", err, federation.ErrSignature)
	})

	t.Run("SignedBy", func(t *testing.T) {
		if got, err := federation.SignedBy(data); err != nil || got != metroOrigin {
			t.Fatalf("SignedBy(message) = %q, %v, want %q", got, err, metroOrigin)
		}
		if _, err := federation.SignedBy([]byte("no signature\n")); err == nil {
			t.Fatalf("SignedBy(unsigned) succeeded")
		}
	})
}

// sealRaw signs m by k as Seal would write it, without Seal's checks.
func sealRaw(t *testing.T, k *ledger.Key, m *federation.Message) []byte {
	t.Helper()
	return signText(t, k.Signer, federation.MessageFormat, canonicalJSON(t, m))
}

func TestOpenEvidence(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		edit func(m *federation.Message)
	}{
		{"OtherLog", func(m *federation.Message) {
			// county's event, in a message that says it is metro's.
			m.Evidence = mustBundle(t, f.county, true, f.receiptSeq)
			m.ID = federation.MessageID(metroOrigin, f.receiptSeq)
		}},
		{"ImpostorLog", func(m *federation.Message) {
			// A log of metro's origin under another key: not metro's log.
			l := mustLog(t, mustKey(t, metroOrigin))
			seq := mustAppend(t, l, request(t0))
			m.Evidence = mustBundle(t, l, true, seq)
			m.ID = federation.MessageID(metroOrigin, seq)
		}},
		{"IDNotSeq", func(m *federation.Message) { m.ID = federation.MessageID(metroOrigin, f.seq+1) }},
		{"IDOtherOrigin", func(m *federation.Message) { m.ID = federation.MessageID(countyOrigin, f.seq) }},
		{"OpeningMismatch", func(m *federation.Message) {
			o := m.Evidence.Events[0].Open["/location/address"]
			o.Value = "3901 S Kedzie Ave"
			m.Evidence.Events[0].Open = maps.Clone(m.Evidence.Events[0].Open)
			m.Evidence.Events[0].Open["/location/address"] = o
		}},
		{"OpeningOfPublicField", func(m *federation.Message) {
			m.Evidence.Events[0].Open = maps.Clone(m.Evidence.Events[0].Open)
			m.Evidence.Events[0].Open["/urgency"] = ledger.BundleOpening{Salt: ledger.NewSalt(), Value: "LOW"}
		}},
		{"TwoEvents", func(m *federation.Message) { m.Evidence = mustBundle(t, f.metro, true, f.seq, f.seq+1) }},
		{"NoEvent", func(m *federation.Message) { m.Evidence = mustBundle(t, f.metro, true) }},
		{"KeyOfOtherLog", func(m *federation.Message) { m.Evidence.Key = f.countyKey.Text }},
		{"KeyOfImpostor", func(m *federation.Message) { m.Evidence.Key = mustKey(t, metroOrigin).Text }},
		{"Proof", func(m *federation.Message) {
			m.Evidence.Events[0].Proof = append([]tlog.Hash(nil), m.Evidence.Events[0].Proof...)
			m.Evidence.Events[0].Proof[0][3] ^= 1
		}},
		{"Entry", func(m *federation.Message) {
			m.Evidence.Events[0].Entry = strings.Replace(m.Evidence.Events[0].Entry, "EMERGENCY", "ROUTINE", 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := f.msg
			m.Evidence.Events = append([]ledger.BundleEvent(nil), f.msg.Evidence.Events...)
			tc.edit(&m)
			if _, err := federation.Seal(&m, f.metroKey.Signer); err == nil {
				t.Fatalf("Seal(message with %s) succeeded", tc.name)
			}
			_, err := federation.Open(sealRaw(t, f.metroKey, &m), f.metroKey.Verifier)
			wantErr(t, "Open(message with "+tc.name+")", err, federation.ErrEvidence)
		})
	}
}

func TestOpenMalformed(t *testing.T) {
	f := newFixture(t)
	body := canonicalJSON(t, &f.msg)
	jsonText := string(body)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"ExtraSpace", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText, `,"from":`, `, "from":`, 1)))},
		{"Reordered", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText,
			fmt.Sprintf(`"id":%q,"from":%q`, f.msg.ID, metroOrigin), fmt.Sprintf(`"from":%q,"id":%q`, metroOrigin, f.msg.ID), 1)))},
		{"Escaped", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText, `"to":"county`, `"to":"\u0063ounty`, 1)))},
		{"EscapedInEvidence", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText, `{\"seq\"`, `{\u0022seq\"`, 1)))},
		{"EscapedSlash", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText, `"from":"metro.example/log"`, `"from":"metro.example\/log"`, 1)))},
		{"TimeZone", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText,
			`"sent":"2026-12-07T14:02:12.123456789Z"`, `"sent":"2026-12-07T15:02:12.123456789+01:00"`, 1)))},
		{"EIDOSpaced", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText, `"eido":{`, `"eido":{ `, 1)))},
		{"UnknownField", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText, `{"format"`, `{"x":1,"format"`, 1)))},
		{"Duplicate", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.Replace(jsonText, `{"format"`, `{"to":"x","format"`, 1)))},
		{"Trailing", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(strings.TrimSuffix(jsonText, "\n")+"{}\n"))},
		{"ThirdLine", signText(t, f.metroKey.Signer, federation.MessageFormat, []byte(jsonText+"x\n"))},
		{"FirstLine", signText(t, f.metroKey.Signer, federation.ReceiptFormat, body)},
		{"NoFirstLine", signNote(t, f.metroKey.Signer, jsonText)},
		{"Format", sealRaw(t, f.metroKey, &federation.Message{Format: "tenfour-federation/v2", ID: f.msg.ID, From: f.msg.From, To: f.msg.To, As: f.msg.As, Sent: f.msg.Sent, Evidence: f.msg.Evidence})},
		{"NoTo", sealRaw(t, f.metroKey, &federation.Message{Format: federation.MessageFormat, ID: f.msg.ID, From: f.msg.From, Sent: f.msg.Sent, Evidence: f.msg.Evidence})},
		{"NoSent", sealRaw(t, f.metroKey, &federation.Message{Format: federation.MessageFormat, ID: f.msg.ID, From: f.msg.From, To: f.msg.To, As: f.msg.As, Evidence: f.msg.Evidence})},
		{"EIDONotObject", sealRaw(t, f.metroKey, &federation.Message{Format: federation.MessageFormat, ID: f.msg.ID, From: f.msg.From, To: f.msg.To, As: f.msg.As, Sent: f.msg.Sent, Evidence: f.msg.Evidence, EIDO: json.RawMessage(`[1]`)})},
		{"TwoSignatures", func() []byte {
			// A second signature line, of a key the receiver does not know.
			d := f.sealed(t)
			other := signText(t, mustKey(t, "other.example/log").Signer, federation.MessageFormat, body)
			_, line, _ := strings.Cut(string(other), "\n\n")
			return append(d, line...)
		}()},
		{"SignatureBase64", func() []byte {
			// The signature's last base64 digit before '=' carries two
			// stray bits, which lenient decoding ignores.
			d := bytes.Clone(f.sealed(t))
			i := bytes.LastIndexByte(d, '=') - 1
			d[i] = flipStrayBits(d[i])
			return d
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := federation.Open(tc.data, f.metroKey.Verifier)
			wantErr(t, "Open(message "+tc.name+")", err, federation.ErrMalformed)
		})
	}
}

// flipStrayBits returns the base64 digit with the same upper four bits and
// other lower two: the same decoded byte when the two bits are padding.
func flipStrayBits(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, c)
	return alphabet[i^1]
}

func TestOpenTooLarge(t *testing.T) {
	f := newFixture(t)
	m := f.msg
	m.EIDO = json.RawMessage(`{"pad":"` + strings.Repeat("x", federation.MaxMessageSize) + `"}`)
	if _, err := federation.Seal(&m, f.metroKey.Signer); err == nil {
		t.Fatalf("Seal(message of %d bytes) succeeded", federation.MaxMessageSize)
	}
	_, err := federation.Open(sealRaw(t, f.metroKey, &m), f.metroKey.Verifier)
	wantErr(t, "Open(oversize message)", err, federation.ErrTooLarge)
	_, err = federation.OpenReceipt(make([]byte, federation.MaxMessageSize+1), f.countyKey.Verifier, f.msg.ID)
	wantErr(t, "OpenReceipt(oversize)", err, federation.ErrTooLarge)
}

// TestOpenAnyByte is the "any byte changed" property: a sealed message
// with any one byte changed, cut short, or with a byte inserted, does not
// open.
func TestOpenAnyByte(t *testing.T) {
	f := newFixture(t)
	data := f.sealed(t)
	if _, err := federation.Open(data, f.metroKey.Verifier); err != nil {
		t.Fatalf("Open(sealed) = %v", err)
	}
	for i := range data {
		for _, mask := range []byte{0x01, 0x02, 0x20, 0x80} {
			d := bytes.Clone(data)
			d[i] ^= mask
			if _, err := federation.Open(d, f.metroKey.Verifier); err == nil {
				t.Fatalf("Open(sealed with byte %d (%q) ^ %#x) succeeded", i, data[i], mask)
			}
		}
		if _, err := federation.Open(data[:i], f.metroKey.Verifier); err == nil {
			t.Fatalf("Open(sealed cut to %d bytes) succeeded", i)
		}
		d := append(append(bytes.Clone(data[:i]), ' '), data[i:]...)
		if _, err := federation.Open(d, f.metroKey.Verifier); err == nil {
			t.Fatalf("Open(sealed with a space at %d) succeeded", i)
		}
	}
}

// TestNoCheckpointConfusion: the log key signs both checkpoints and
// messages, and neither is taken for the other (doc.go).
func TestNoCheckpointConfusion(t *testing.T) {
	f := newFixture(t)
	data := f.sealed(t)
	if _, err := ledger.OpenCheckpoint(data, f.metroKey.Verifier); err == nil {
		t.Fatalf("OpenCheckpoint(sealed message) succeeded")
	}
	_, cp := f.metro.LatestCheckpoint()
	if _, err := federation.Open(cp, f.metroKey.Verifier); err == nil {
		t.Fatalf("Open(checkpoint) succeeded")
	}
	if _, err := federation.OpenReceipt(cp, f.metroKey.Verifier, f.msg.ID); err == nil {
		t.Fatalf("OpenReceipt(checkpoint) succeeded")
	}
	// Even a log whose origin is the format's name: its checkpoints'
	// second line is a number, never the JSON a message needs.
	k := mustKey(t, federation.MessageFormat)
	l := mustLog(t, k)
	mustAppend(t, l, request(t0))
	if err := l.Checkpoint(t.Context()); err != nil {
		t.Fatalf("Checkpoint() = %v", err)
	}
	_, cp = l.LatestCheckpoint()
	if _, err := federation.Open(cp, k.Verifier); err == nil {
		t.Fatalf("Open(checkpoint of log %q) succeeded", federation.MessageFormat)
	}
	// And a message is not a receipt.
	if _, err := federation.OpenReceipt(data, f.metroKey.Verifier, f.msg.ID); err == nil {
		t.Fatalf("OpenReceipt(message) succeeded")
	}
}

func TestMessageID(t *testing.T) {
	for _, tc := range []struct {
		origin string
		seq    int64
	}{{metroOrigin, 0}, {metroOrigin, 42}, {"a/b/c", 1 << 40}, {"x", 7}} {
		id := federation.MessageID(tc.origin, tc.seq)
		o, s, err := federation.ParseMessageID(id)
		if err != nil || o != tc.origin || s != tc.seq {
			t.Fatalf("ParseMessageID(%q) = %q, %d, %v, want %q, %d", id, o, s, err, tc.origin, tc.seq)
		}
	}
	for _, id := range []string{"", "42", "/42", "metro/", "metro/-1", "metro/+1", "metro/01", "metro/1x", "metro/99999999999999999999"} {
		if o, s, err := federation.ParseMessageID(id); err == nil {
			t.Fatalf("ParseMessageID(%q) = %q, %d, want an error", id, o, s)
		}
	}
}

func TestSeal(t *testing.T) {
	f := newFixture(t)
	t.Run("ErrKey", func(t *testing.T) {
		if _, err := federation.Seal(&f.msg, f.countyKey.Signer); err == nil {
			t.Fatalf("Seal(metro's message, county's key) succeeded")
		}
	})
	t.Run("DefaultsAndUTC", func(t *testing.T) {
		m := f.msg
		m.Format = ""
		m.Sent = m.Sent.In(time.FixedZone("CST", -6*3600))
		data, err := federation.Seal(&m, f.metroKey.Signer)
		if err != nil {
			t.Fatalf("Seal(no format, time in CST) = %v", err)
		}
		if !bytes.Equal(data, f.sealed(t)) {
			t.Fatalf("Seal(no format, time in CST) = %q, want %q", data, f.sealed(t))
		}
		if m.Format != "" {
			t.Fatalf("Seal changed its argument's format to %q", m.Format)
		}
	})
}
