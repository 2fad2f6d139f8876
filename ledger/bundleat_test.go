package ledger_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/witness"
)

// mustCosigner returns a cosignature/v1 signer named name with a key from
// seed byte b, stating a fixed time.
func mustCosigner(t *testing.T, name string, b byte) *witness.Signer {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = b
	s, err := witness.NewSigner(name, ed25519.NewKeyFromSeed(seed), func() time.Time { return time.Unix(1_780_000_000, 0) })
	if err != nil {
		t.Fatalf("witness.NewSigner(%s) = %v", name, err)
	}
	return s
}

// cosign adds a signature line of each signer to a signed note, as a
// witness's answer is added to the checkpoint it cosigned.
func cosign(t *testing.T, msg []byte, signers ...note.Signer) []byte {
	t.Helper()
	text, _, ok := strings.Cut(string(msg), "\n\n")
	if !ok {
		t.Fatalf("cosign: %q is not a signed note", msg)
	}
	for _, s := range signers {
		signed, err := note.Sign(&note.Note{Text: text + "\n"}, s)
		if err != nil {
			t.Fatalf("note.Sign(checkpoint, %s) = %v", s.Name(), err)
		}
		msg = append(msg, signed[len(text)+2:]...)
	}
	return msg
}

// TestBundleAt builds bundles under an older checkpoint of the log that
// witnesses cosigned: the note is kept byte for byte, its cosignature lines
// with it, and the bundle verifies under it with keys that know nothing of
// the witnesses.
func TestBundleAt(t *testing.T) {
	ctx := context.Background()
	st := mustOpenStore(t, dbPath(t))
	k := mustKey(t, "example.test/bundle")
	l := mustOpenLog(t, st, k)
	if err := mustAppend(t, l, records(0, 30)...).Wait(); err != nil {
		t.Fatalf("Append(0…29) = %v", err)
	}
	cp30, msg30 := mustCheckpoint(t, l)
	if err := mustAppend(t, l, records(30, 50)...).Wait(); err != nil {
		t.Fatalf("Append(30…49) = %v", err)
	}
	mustCheckpoint(t, l)
	cosigned := cosign(t, msg30, mustCosigner(t, "w1.example/witness", 1), mustCosigner(t, "w2.example/witness", 2))

	seqs := []int64{21, 3, 10, 3}
	b, err := l.BundleAt(ctx, cosigned, "incident/2025-001001", seqs, true)
	if err != nil {
		t.Fatalf("BundleAt(cosigned checkpoint 30, %v) = %v", seqs, err)
	}
	if b.Checkpoint != string(cosigned) {
		t.Fatalf("BundleAt: checkpoint %q, want the cosigned note byte for byte %q", b.Checkpoint, cosigned)
	}
	data := mustMarshal(t, b)
	r, err := ledger.VerifyBundle(data, k.Text)
	if err != nil {
		t.Fatalf("VerifyBundle(bundle under a cosigned checkpoint) = %v", err)
	}
	if r.Checkpoint != cp30 || r.Events != 3 || r.Entries[0].Seq != 3 || r.Entries[2].Seq != 21 || r.Openings != 4 {
		t.Fatalf("VerifyBundle = checkpoint %+v, %d events, %d openings, want %+v, events 3, 10, 21, 4 openings", r.Checkpoint, r.Events, r.Openings, cp30)
	}
	t.Run("Uncosigned", func(t *testing.T) {
		b, err := l.BundleAt(ctx, msg30, "", []int64{0, 29}, false)
		if err != nil {
			t.Fatalf("BundleAt(checkpoint 30, [0 29]) = %v", err)
		}
		if _, err := ledger.VerifyBundle(mustMarshal(t, b), k.Text); err != nil {
			t.Fatalf("VerifyBundle = %v", err)
		}
	})

	other := mustKey(t, "example.test/bundle")
	elsewhere := mustKey(t, "elsewhere.test/log")
	fakeRoot := cp30
	fakeRoot.Root[0] ^= 1
	beyond := cp30
	beyond.Size = 51
	tests := []struct {
		name string
		msg  []byte
		seqs []int64
		want string
	}{
		{"SeqAtSize", cosigned, []int64{3, 30}, "event 30 is not in the log of 30 events"},
		{"SeqNegative", cosigned, []int64{-1}, "event -1"},
		{"OtherKey", mustSign(t, cp30, other), []int64{3}, "not a checkpoint of this log"},
		{"OtherOrigin", mustSign(t, ledger.Checkpoint{Origin: "elsewhere.test/log", Size: 30, Root: cp30.Root}, elsewhere), []int64{3}, "not a checkpoint of this log"},
		{"Beyond", mustSign(t, beyond, k), []int64{3}, "this log has 50"},
		{"Fork", mustSign(t, fakeRoot, k), []int64{3}, "this log's tree of that size"},
		{"Unsigned", []byte(string(cp30.Format()) + "\n"), []int64{3}, "not a checkpoint of this log"},
		{"BadCosignature", badPadding(t, cosigned), []int64{3}, "not canonical base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := l.BundleAt(ctx, tt.msg, "", tt.seqs, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("BundleAt(%s) = %v, %v, want an error containing %q", tt.name, b, err, tt.want)
			}
		})
	}
}

// mustSign signs a checkpoint with k.
func mustSign(t *testing.T, c ledger.Checkpoint, k *ledger.Key) []byte {
	t.Helper()
	msg, err := note.Sign(&note.Note{Text: string(c.Format())}, k.Signer)
	if err != nil {
		t.Fatalf("note.Sign(%+v) = %v", c, err)
	}
	return msg
}

// badPadding respells the last signature of a note with a stray low bit
// before its padding: it decodes to the same bytes, but is not the one
// spelling a bundle may have.
func badPadding(t *testing.T, msg []byte) []byte {
	t.Helper()
	s := strings.TrimSuffix(string(msg), "\n")
	i := strings.LastIndexByte(s, ' ')
	sig := s[i+1:]
	p := strings.IndexByte(sig, '=')
	if p < 1 {
		t.Fatalf("badPadding: signature %q has no padding", sig)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	c := strings.IndexByte(alphabet, sig[p-1])
	bad := sig[:p-1] + string(alphabet[c^1]) + sig[p:]
	if a, _ := base64.StdEncoding.DecodeString(sig); string(a) != string(must(base64.StdEncoding.DecodeString(bad))) {
		t.Fatalf("badPadding: %q and %q decode differently", sig, bad)
	}
	return []byte(s[:i+1] + bad + "\n")
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestVerifyBundleUnknownCosignatures checks that lines of keys a verifier
// does not know — cosignatures of witnesses it was not told of — neither
// break a bundle nor count for it: a verifier skips them (C2SP signed-note).
func TestVerifyBundleUnknownCosignatures(t *testing.T) {
	l, _, k, _ := bundleLog(t)
	mustCheckpoint(t, l)
	_, msg := l.LatestCheckpoint()
	cosigned := cosign(t, msg, mustCosigner(t, "w1.example/witness", 1), mustCosigner(t, "w2.example/witness", 2))
	b, err := l.BundleAt(context.Background(), cosigned, "", []int64{3, 49}, false)
	if err != nil {
		t.Fatalf("BundleAt(cosigned) = %v", err)
	}
	for _, trusted := range []string{k.Text, ""} {
		if r, err := ledger.VerifyBundle(mustMarshal(t, b), trusted); err != nil || r.Events != 2 || r.Checkpoint.Size != 50 {
			t.Fatalf("VerifyBundle(cosigned, %q) = %+v, %v, want 2 events under checkpoint 50", trusted, r, err)
		}
	}
	// The log's own line still counts: without it nothing verifies.
	text, _, _ := strings.Cut(string(cosigned), "\n\n")
	_, cosigs, _ := strings.Cut(string(cosigned), "\n— example.test/bundle ")
	_, cosigs, _ = strings.Cut(cosigs, "\n")
	b.Checkpoint = text + "\n\n" + cosigs
	if _, err := ledger.VerifyBundle(mustMarshal(t, b), k.Text); err == nil {
		t.Fatalf("VerifyBundle(checkpoint with cosignatures only: %q) = nil, want an error", b.Checkpoint)
	}
}
