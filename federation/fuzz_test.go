package federation_test

import (
	"bytes"
	"testing"

	"github.com/tenfour-cad/tenfour/federation"
)

// FuzzOpen feeds Open arbitrary notes, seeded with a valid sealed message
// and a few near misses. Open must never panic, and whatever it accepts
// must seal again to the very bytes it was given: nothing it lets through
// has a second spelling.
func FuzzOpen(f *testing.F) {
	fx := newFixture(f)
	data := fx.sealed(f)
	f.Add(data)
	f.Add(fx.sealedReceipt(f))
	f.Add(data[:len(data)/2])
	f.Add(bytes.Replace(data, []byte(`,"to"`), []byte(`, "to"`), 1))
	_, cp := fx.metro.LatestCheckpoint()
	f.Add(cp)
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := federation.Open(in, fx.metroKey.Verifier)
		if err != nil {
			return
		}
		again, err := federation.Seal(m, fx.metroKey.Signer)
		if err != nil {
			t.Fatalf("Seal(Open(%q)) = %v", in, err)
		}
		if !bytes.Equal(again, in) {
			t.Fatalf("Seal(Open(%q)) = %q, want the same bytes", in, again)
		}
		if _, err := federation.Open(again, fx.metroKey.Verifier); err != nil {
			t.Fatalf("Open(Seal(Open(%q))) = %v", in, err)
		}
	})
}

// FuzzOpenReceipt is FuzzOpen for receipts.
func FuzzOpenReceipt(f *testing.F) {
	fx := newFixture(f)
	data := fx.sealedReceipt(f)
	f.Add(data)
	f.Add(fx.sealed(f))
	f.Add(data[:len(data)/2])
	f.Add(bytes.Replace(data, []byte(`"applied"`), []byte(`"refused"`), 1))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := federation.OpenReceipt(in, fx.countyKey.Verifier, fx.msg.ID)
		if err != nil {
			return
		}
		again, err := federation.SealReceipt(r, fx.countyKey.Signer)
		if err != nil {
			t.Fatalf("SealReceipt(OpenReceipt(%q)) = %v", in, err)
		}
		if !bytes.Equal(again, in) {
			t.Fatalf("SealReceipt(OpenReceipt(%q)) = %q, want the same bytes", in, again)
		}
		if _, err := federation.OpenReceipt(again, fx.countyKey.Verifier, fx.msg.ID); err != nil {
			t.Fatalf("OpenReceipt(SealReceipt(OpenReceipt(%q))) = %v", in, err)
		}
	})
}
