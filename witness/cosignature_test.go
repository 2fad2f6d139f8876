package witness_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/witness"
)

const body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

// TestCosignedMessage checks the signed message against the example of C2SP
// tlog-cosignature, "Ed25519 signed message".
func TestCosignedMessage(t *testing.T) {
	got, err := witness.CosignedMessage(1679315147, []byte(body))
	want := "cosignature/v1\ntime 1679315147\n" + body
	if err != nil || string(got) != want {
		t.Fatalf("CosignedMessage = %q, %v, want %q", got, err, want)
	}
	if _, err := witness.CosignedMessage(1, []byte("not a checkpoint")); err == nil {
		t.Errorf("CosignedMessage(not a checkpoint) = nil error")
	}
}

// TestSignVerify signs a checkpoint as a note and checks the cosignature
// by hand from the spec: key ID, timestamp, Ed25519 over the message.
func TestSignVerify(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	at := time.Unix(1679315147, 0)
	s, err := witness.NewSigner("witness.example.com/w1", priv, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(append([]byte("witness.example.com/w1\n\x04"), priv.Public().(ed25519.PublicKey)...))
	if s.KeyHash() != binary.BigEndian.Uint32(h[:4]) {
		t.Fatalf("KeyHash = %08x, want %x", s.KeyHash(), h[:4])
	}
	msg, err := note.Sign(&note.Note{Text: body}, s)
	if err != nil {
		t.Fatal(err)
	}
	line := string(msg[len(body)+1:])
	b64, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "— witness.example.com/w1 ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(raw) != 4+8+64 {
		t.Fatalf("signature line %q: want key ID, timestamp and signature", line)
	}
	if !bytes.Equal(raw[:4], h[:4]) || binary.BigEndian.Uint64(raw[4:]) != 1679315147 {
		t.Errorf("signature = key ID %x time %d, want %x 1679315147", raw[:4], binary.BigEndian.Uint64(raw[4:]), h[:4])
	}
	if !ed25519.Verify(priv.Public().(ed25519.PublicKey), []byte("cosignature/v1\ntime 1679315147\n"+body), raw[12:]) {
		t.Errorf("the Ed25519 signature does not verify over the spec's message")
	}
	if _, err := note.Open(msg, note.VerifierList(s.Verifier())); err != nil {
		t.Errorf("note.Open = %v", err)
	}
	// Any byte of the body or the signature changed fails.
	for i := range len(msg) - 1 {
		if msg[i] == '\n' || (i >= len(body) && i < len(body)+len("\n— witness.example.com/w1 ")) {
			continue
		}
		bad := bytes.Clone(msg)
		bad[i] ^= 1
		if _, err := note.Open(bad, note.VerifierList(s.Verifier())); err == nil {
			t.Errorf("note.Open with byte %d flipped = nil error", i)
		}
	}
}

func TestKeys(t *testing.T) {
	skey, vkey, err := witness.GenerateKey(nil, "tenfour.example/witness")
	if err != nil {
		t.Fatal(err)
	}
	s, err := witness.ParseSigner(skey, nil)
	if err != nil {
		t.Fatalf("ParseSigner(GenerateKey) = %v", err)
	}
	v, err := witness.ParseVerifier(vkey)
	if err != nil || v.String() != vkey || s.Verifier().String() != vkey || v.KeyHash() != s.KeyHash() || v.Name() != "tenfour.example/witness" {
		t.Fatalf("ParseVerifier(%q) = %v, %v; signer's %v", vkey, v, err, s.Verifier())
	}
	msg, err := note.Sign(&note.Note{Text: body}, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Errorf("note.Open with the parsed verifier = %v", err)
	}
	// A note key (type 0x01) is not a cosignature key, nor is a wrong hash.
	_, nvkey, _ := note.GenerateKey(nil, "tenfour.example/witness")
	name, rest, _ := strings.Cut(vkey, "+")
	_, b64, _ := strings.Cut(rest, "+")
	for _, bad := range []string{nvkey, name + "+00000000+" + b64, "x+y", "", "a b+00000000+" + b64} {
		if _, err := witness.ParseVerifier(bad); err == nil {
			t.Errorf("ParseVerifier(%q) = nil error", bad)
		}
	}
	if _, err := witness.ParseSigner(strings.Replace(skey, "PRIVATE+KEY+", "", 1), nil); err == nil {
		t.Errorf("ParseSigner(no prefix) = nil error")
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte("old 3\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\nx\n3\nroot\n\n— x abc\n"))
	f.Add([]byte("old 0\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := witness.ParseRequest(b)
		if err != nil {
			return
		}
		if len(r.Proof) > witness.MaxProofLines || r.Old < 0 || len(r.Note) == 0 {
			t.Fatalf("ParseRequest(%q) = %+v", b, r)
		}
		if again, err := witness.ParseRequest(r.Format()); err != nil || !bytes.Equal(again.Format(), b) {
			t.Fatalf("ParseRequest(Format) = %q, %v, want %q", again.Format(), err, b)
		}
	})
}
