package ledger

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// A Key signs a log's checkpoints. Its name is the log's origin.
type Key struct {
	Signer   note.Signer
	Verifier note.Verifier
	// Text is the verifier key in note format, "<name>+<hash>+<base64 key>",
	// the public half that auditors and witnesses are given.
	Text string

	nodeSecret []byte
	seed       []byte
}

// DeriveSeed returns a 32-byte secret derived from the signing key for the
// purpose label (SHA-256 of the label, a zero byte and the key's seed):
// every node of a deployment holds the key, so each derives the same
// secret, and the log key itself signs nothing but checkpoints and the
// messages between installations, whose first line no checkpoint can have
// (package federation). The witness's cosigning key is made from one
// (package witness).
func (k *Key) DeriveSeed(label string) []byte {
	h := sha256.Sum256(append(append([]byte(label), 0), k.seed...))
	return h[:]
}

// NodeMAC returns an HMAC-SHA256 of msg under a secret derived from the
// signing key. Every node of a deployment holds the key, so nodes can
// authenticate what they send each other with it, while the key itself
// signs only checkpoints and partners' messages (package federation).
func (k *Key) NodeMAC(msg []byte) []byte {
	m := hmac.New(sha256.New, k.nodeSecret)
	m.Write(msg)
	return m.Sum(nil)
}

// GenerateKey makes a new Ed25519 signing key for a log whose origin is name
// and returns it in note format ("PRIVATE+KEY+<name>+<hash>+<key>").
func GenerateKey(name string) (skey string, err error) {
	skey, _, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("generate key %q: %w", name, err)
	}
	return skey, nil
}

// ParseKey reads a signing key in note format and derives its public half.
func ParseKey(skey string) (*Key, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	// The key is "PRIVATE+KEY+name+hash+base64(alg ‖ seed)" (note package);
	// the signer hides the seed, so read it again to derive the public key.
	// Base64 may itself hold "+", so cut the four fields off the front.
	rest := skey
	for range 4 {
		_, rest, _ = strings.Cut(rest, "+")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("signing key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	secret := sha256.Sum256(append([]byte("tenfour node authentication v1\x00"), raw[1:]...))
	return &Key{Signer: s, Verifier: v, Text: vkey, nodeSecret: secret[:], seed: raw[1:]}, nil
}
