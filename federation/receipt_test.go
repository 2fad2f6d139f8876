package federation_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/ledger"
)

func TestOpenReceipt(t *testing.T) {
	f := newFixture(t)
	data := f.sealedReceipt(t)

	t.Run("OK", func(t *testing.T) {
		r, err := federation.OpenReceipt(data, f.countyKey.Verifier, f.msg.ID)
		if err != nil {
			t.Fatalf("OpenReceipt(SealReceipt(receipt)) = %v", err)
		}
		if r.Message != f.msg.ID || r.From != countyOrigin || r.To != metroOrigin || r.Outcome != federation.OutcomeApplied || !r.Received.Equal(f.rcpt.Received) {
			t.Fatalf("OpenReceipt = %+v, want the receipt of %s from %s, applied", r, f.msg.ID, countyOrigin)
		}
		if r.Seq() != f.receiptSeq {
			t.Fatalf("OpenReceipt().Seq() = %d, want %d", r.Seq(), f.receiptSeq)
		}
		if !strings.HasPrefix(string(data), federation.ReceiptFormat+"\n{") {
			t.Fatalf("SealReceipt text = %q, want the format line first", data)
		}
		again, err := federation.SealReceipt(r, f.countyKey.Signer)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("SealReceipt(OpenReceipt(data)) = %q, %v; want the same bytes %q", again, err, data)
		}
		if got, err := federation.SignedBy(data); err != nil || got != countyOrigin {
			t.Fatalf("SignedBy(receipt) = %q, %v, want %q", got, err, countyOrigin)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		rc := f.rcpt
		rc.Outcome, rc.Reason = federation.OutcomeRefused, "only a supervisor may decline an EMERGENCY request"
		r, err := federation.OpenReceipt(f.sealReceiptOf(t, &rc), f.countyKey.Verifier, f.msg.ID)
		if err != nil || r.Outcome != federation.OutcomeRefused || r.Reason != rc.Reason {
			t.Fatalf("OpenReceipt(refused) = %+v, %v, want refused for %q", r, err, rc.Reason)
		}
	})

	t.Run("ErrSignature", func(t *testing.T) {
		for _, k := range []*ledger.Key{f.metroKey, mustKey(t, countyOrigin)} {
			_, err := federation.OpenReceipt(data, k.Verifier, f.msg.ID)
			wantErr(t, "OpenReceipt(receipt, "+k.Text+")", err, federation.ErrSignature)
		}
		// Signed by metro's key but says it is county's receipt.
		_, err := federation.OpenReceipt(sealRawReceipt(t, f.metroKey, &f.rcpt), f.metroKey.Verifier, f.msg.ID)
		wantErr(t, "OpenReceipt(county's receipt signed by metro)", err, federation.ErrSignature)
	})

	t.Run("ErrOtherMessage", func(t *testing.T) {
		_, err := federation.OpenReceipt(data, f.countyKey.Verifier, federation.MessageID(metroOrigin, f.seq+1))
		wantErr(t, "OpenReceipt(receipt, another message)", err, federation.ErrMalformed)
	})

	t.Run("AnyByte", func(t *testing.T) {
		for i := range data {
			d := bytes.Clone(data)
			d[i] ^= 0x01
			if _, err := federation.OpenReceipt(d, f.countyKey.Verifier, f.msg.ID); err == nil {
				t.Fatalf("OpenReceipt(sealed with byte %d (%q) changed) succeeded", i, data[i])
			}
		}
	})

	t.Run("NotAMessage", func(t *testing.T) {
		if _, err := federation.Open(data, f.countyKey.Verifier); err == nil {
			t.Fatalf("Open(receipt) succeeded")
		}
	})
}

// sealReceiptOf seals r by county's key, failing the test on error.
func (f *fixture) sealReceiptOf(t *testing.T, r *federation.Receipt) []byte {
	t.Helper()
	data, err := federation.SealReceipt(r, f.countyKey.Signer)
	if err != nil {
		t.Fatalf("SealReceipt(%+v) = %v", r, err)
	}
	return data
}

// sealRawReceipt signs r by k as SealReceipt writes it, without its checks.
func sealRawReceipt(t *testing.T, k *ledger.Key, r *federation.Receipt) []byte {
	t.Helper()
	return signText(t, k.Signer, federation.ReceiptFormat, canonicalJSON(t, r))
}

func TestOpenReceiptInvalid(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		edit func(r *federation.Receipt)
		kind error
	}{
		{"Format", func(r *federation.Receipt) { r.Format = federation.MessageFormat }, federation.ErrMalformed},
		{"NoFrom", func(r *federation.Receipt) { r.From = "" }, federation.ErrMalformed},
		{"ToNotSender", func(r *federation.Receipt) { r.To = "state.example/log" }, federation.ErrMalformed},
		{"NoReceived", func(r *federation.Receipt) { r.Received = time.Time{} }, federation.ErrMalformed},
		{"Outcome", func(r *federation.Receipt) { r.Outcome = "accepted" }, federation.ErrMalformed},
		{"RefusedNoReason", func(r *federation.Receipt) { r.Outcome = federation.OutcomeRefused }, federation.ErrMalformed},
		{"AppliedWithReason", func(r *federation.Receipt) { r.Reason = "because" }, federation.ErrMalformed},
		{"ReasonTooLong", func(r *federation.Receipt) {
			r.Outcome, r.Reason = federation.OutcomeRefused, strings.Repeat("x", federation.MaxReasonSize+1)
		}, federation.ErrMalformed},
		{"EvidenceOfSender", func(r *federation.Receipt) { r.Evidence = mustBundle(t, f.metro, false, f.seq) }, federation.ErrEvidence},
		{"TwoEvents", func(r *federation.Receipt) { r.Evidence = mustBundle(t, f.county, false, 0, f.receiptSeq) }, federation.ErrEvidence},
		{"ImpostorLog", func(r *federation.Receipt) {
			l := mustLog(t, mustKey(t, countyOrigin))
			r.Evidence = mustBundle(t, l, false, mustAppend(t, l, request(t0)))
		}, federation.ErrEvidence},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.rcpt
			tc.edit(&r)
			if _, err := federation.SealReceipt(&r, f.countyKey.Signer); err == nil {
				t.Fatalf("SealReceipt(receipt with %s) succeeded", tc.name)
			}
			_, err := federation.OpenReceipt(sealRawReceipt(t, f.countyKey, &r), f.countyKey.Verifier, f.msg.ID)
			wantErr(t, "OpenReceipt(receipt with "+tc.name+")", err, tc.kind)
		})
	}
	t.Run("ReasonAtLimit", func(t *testing.T) {
		r := f.rcpt
		r.Outcome, r.Reason = federation.OutcomeRefused, strings.Repeat("é", federation.MaxReasonSize/2)
		if _, err := federation.OpenReceipt(f.sealReceiptOf(t, &r), f.countyKey.Verifier, f.msg.ID); err != nil {
			t.Fatalf("OpenReceipt(reason of %d bytes) = %v", len(r.Reason), err)
		}
	})
	t.Run("NotCanonical", func(t *testing.T) {
		body := string(canonicalJSON(t, &f.rcpt))
		spaced := strings.Replace(body, `,"outcome"`, `, "outcome"`, 1)
		_, err := federation.OpenReceipt(signText(t, f.countyKey.Signer, federation.ReceiptFormat, []byte(spaced)), f.countyKey.Verifier, f.msg.ID)
		wantErr(t, "OpenReceipt(spaced JSON)", err, federation.ErrMalformed)
	})
}
