package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// emptyRootB64 is SHA-256 of nothing in base64: the root of the empty tree.
const emptyRootB64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

func mustParseHash(tb testing.TB, s string) tlog.Hash {
	tb.Helper()
	h, err := tlog.ParseHash(s)
	if err != nil {
		tb.Fatalf("tlog.ParseHash(%q) = %v", s, err)
	}
	return h
}

func TestCheckpointFormat(t *testing.T) {
	var seq tlog.Hash
	for i := range seq {
		seq[i] = byte(i)
	}
	tests := []struct {
		c    ledger.Checkpoint
		text string
	}{
		{ledger.Checkpoint{Origin: "example.test/log", Size: 0, Root: mustParseHash(t, emptyRootB64)},
			"example.test/log\n0\n" + emptyRootB64 + "\n"},
		{ledger.Checkpoint{Origin: "example.test/log", Size: 1234, Root: seq},
			"example.test/log\n1234\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"},
		{ledger.Checkpoint{Origin: "tenfour.example.org/north county", Size: 1<<63 - 1, Root: seq},
			"tenfour.example.org/north county\n9223372036854775807\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"},
	}
	for _, tt := range tests {
		if got := string(tt.c.Format()); got != tt.text {
			t.Errorf("%+v.Format() = %q, want %q", tt.c, got, tt.text)
		}
		got, err := ledger.ParseCheckpoint([]byte(tt.text))
		if err != nil || got != tt.c {
			t.Errorf("ParseCheckpoint(%q) = %+v, %v, want %+v", tt.text, got, err, tt.c)
		}
		// Extension lines are accepted and ignored (C2SP tlog-checkpoint).
		ext := tt.text + "— witness timestamp 1700000000\nanother extension\n"
		got, err = ledger.ParseCheckpoint([]byte(ext))
		if err != nil || got != tt.c {
			t.Errorf("ParseCheckpoint(%q) = %+v, %v, want %+v", ext, got, err, tt.c)
		}
	}
}

func TestParseCheckpointErrors(t *testing.T) {
	root := "\n" + emptyRootB64 + "\n"
	tests := []struct {
		name, text string
	}{
		{"Empty", ""},
		{"NoFinalNewline", "example.test/log\n1\n" + emptyRootB64},
		{"TwoLines", "example.test/log\n1\n"},
		{"EmptyOrigin", "\n1" + root},
		{"LeadingZeroSize", "example.test/log\n01" + root},
		{"ZeroZeroSize", "example.test/log\n00" + root},
		{"NegativeSize", "example.test/log\n-1" + root},
		{"SignedSize", "example.test/log\n+1" + root},
		{"SpaceInSize", "example.test/log\n1 " + root},
		{"HexSize", "example.test/log\n0x10" + root},
		{"EmptySize", "example.test/log\n" + root},
		{"HugeSize", "example.test/log\n9223372036854775808" + root},
		{"RootNotBase64", "example.test/log\n1\nnot a hash!\n"},
		{"RootShort", "example.test/log\n1\n" + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n"},
		{"RootLong", "example.test/log\n1\n" + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n"},
		{"RootHex", "example.test/log\n1\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"},
		{"RootURLBase64", "example.test/log\n1\n" + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)) + "\n"},
		{"EmptyExtension", "example.test/log\n1" + root + "\n"},
		{"EmptyExtensionAfterOne", "example.test/log\n1" + root + "ext\n\n"},
		{"CRLF", "example.test/log\r\n1\r\n" + emptyRootB64 + "\r\n"},
	}
	for _, tt := range tests {
		if c, err := ledger.ParseCheckpoint([]byte(tt.text)); err == nil {
			t.Errorf("%s: ParseCheckpoint(%q) = %+v, nil, want an error", tt.name, tt.text, c)
		}
	}
}

func TestSignCheckpoint(t *testing.T) {
	k := mustKey(t, "example.test/log")
	same := mustKey(t, "example.test/log") // same name, another key
	other := mustKey(t, "example.test/other")
	c := ledger.Checkpoint{Origin: "example.test/log", Size: 42, Root: mustParseHash(t, emptyRootB64)}
	msg, err := ledger.SignCheckpoint(c, k.Signer)
	if err != nil {
		t.Fatalf("SignCheckpoint = %v", err)
	}
	if got, err := ledger.OpenCheckpoint(msg, k.Verifier); err != nil || got != c {
		t.Fatalf("OpenCheckpoint(SignCheckpoint(%+v)) = %+v, %v, want %+v", c, got, err, c)
	}
	for _, tt := range []struct {
		name string
		v    note.Verifier
	}{
		{"SameNameOtherKey", same.Verifier},
		{"OtherKey", other.Verifier},
	} {
		if got, err := ledger.OpenCheckpoint(msg, tt.v); err == nil {
			t.Errorf("%s: OpenCheckpoint with %s = %+v, nil, want an error", tt.name, tt.v.Name(), got)
		}
	}
	// Altered after signing.
	forged := bytes.Replace(msg, []byte("\n42\n"), []byte("\n43\n"), 1)
	if got, err := ledger.OpenCheckpoint(forged, k.Verifier); err == nil {
		t.Errorf("OpenCheckpoint(checkpoint with its size changed) = %+v, nil, want an error", got)
	}
	// The origin must be the key's name, both ways.
	if _, err := ledger.SignCheckpoint(c, other.Signer); err == nil {
		t.Errorf("SignCheckpoint(origin %q) with key %q = nil error, want an error", c.Origin, other.Signer.Name())
	}
	foreign, err := note.Sign(&note.Note{Text: string(ledger.Checkpoint{Origin: "example.test/elsewhere", Size: 1, Root: c.Root}.Format())}, k.Signer)
	if err != nil {
		t.Fatalf("note.Sign = %v", err)
	}
	if got, err := ledger.OpenCheckpoint(foreign, k.Verifier); err == nil {
		t.Errorf("OpenCheckpoint(checkpoint of origin example.test/elsewhere signed by %s) = %+v, nil, want an error", k.Signer.Name(), got)
	}
}

// A fixed key and the checkpoint it signs, byte for byte. Ed25519 signatures
// are deterministic, so the note never changes.
const (
	vectorSigningKey = "PRIVATE+KEY+example.test/vector+3ca285ce+AXoOSId0M/3Xf9fwZiYuHo7mKycngML3Ze7fHpv92qjX"
	vectorVerifyKey  = "example.test/vector+3ca285ce+AWrCel8XIUI9ZiJxfYdJzrXF9FZ7faogb9PnEPqoWMrx"
	vectorNote       = "example.test/vector\n1234\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n" +
		"— example.test/vector PKKFzoql+kh8vab0XNamXdT6qrj507egCrxd3L1fo5cDZoW5jE9Rb1fiZO1rOvWLeZ22QG7BfAl4yd2GmJgbKvI01QE=\n"
)

// TestCheckpointVector checks a checkpoint signed by the ledger against plain
// golang.org/x/mod/sumdb/note and against Ed25519 itself, reading the
// signature line as C2SP signed-note lays it out.
func TestCheckpointVector(t *testing.T) {
	k, err := ledger.ParseKey(vectorSigningKey)
	if err != nil {
		t.Fatalf("ParseKey(vector) = %v", err)
	}
	if k.Text != vectorVerifyKey {
		t.Fatalf("ParseKey(vector).Text = %q, want %q", k.Text, vectorVerifyKey)
	}
	var root tlog.Hash
	for i := range root {
		root[i] = byte(i)
	}
	c := ledger.Checkpoint{Origin: "example.test/vector", Size: 1234, Root: root}
	msg, err := ledger.SignCheckpoint(c, k.Signer)
	if err != nil || string(msg) != vectorNote {
		t.Fatalf("SignCheckpoint(%+v) = %q, %v, want %q", c, msg, err, vectorNote)
	}

	v, err := note.NewVerifier(vectorVerifyKey)
	if err != nil {
		t.Fatalf("note.NewVerifier(%q) = %v", vectorVerifyKey, err)
	}
	n, err := note.Open([]byte(vectorNote), note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open(vector) = %v", err)
	}
	if want := string(c.Format()); n.Text != want || len(n.Sigs) != 1 || n.Sigs[0].Name != "example.test/vector" {
		t.Fatalf("note.Open(vector) = %q signed by %v, want %q signed by example.test/vector", n.Text, n.Sigs, want)
	}

	// C2SP signed-note: "— <name> base64(keyhash[4] ‖ signature)", the key
	// "<name>+<hex keyhash>+base64(0x01 ‖ public key)", the signature over the
	// text.
	vk := strings.Split(vectorVerifyKey, "+")
	pub, err := base64.StdEncoding.DecodeString(vk[2])
	if err != nil || len(pub) != 1+ed25519.PublicKeySize || pub[0] != 0x01 {
		t.Fatalf("verifier key %q does not hold an Ed25519 key", vectorVerifyKey)
	}
	text, sigLine, _ := strings.Cut(vectorNote, "\n\n")
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(sigLine, "— example.test/vector "), "\n"))
	if err != nil || len(sig) != 4+ed25519.SignatureSize {
		t.Fatalf("signature line %q is not base64 of a key hash and an Ed25519 signature", sigLine)
	}
	if hash := binary.BigEndian.Uint32(sig); hash != 0x3ca285ce {
		t.Errorf("signature key hash = %08x, want 3ca285ce", hash)
	}
	if !ed25519.Verify(pub[1:], []byte(text+"\n"), sig[4:]) {
		t.Errorf("ed25519.Verify(vector text) = false, want true")
	}
}
