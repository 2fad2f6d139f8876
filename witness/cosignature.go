package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
)

// AlgCosignatureV1 is the signature type byte of an Ed25519 cosignature/v1
// key (C2SP tlog-cosignature, "Format"): it prefixes the public key in the
// key ID's hash and in the verifier key.
const AlgCosignatureV1 = 0x04

// cosignatureSize is the length of a cosignature/v1 signature after its key
// ID: the timestamp (8 bytes, big-endian) and the Ed25519 signature.
const cosignatureSize = 8 + ed25519.SignatureSize

// KeyID returns the key ID of an Ed25519 cosignature/v1 key: the first four
// bytes of SHA-256(name || "\n" || 0x04 || public key), big-endian (C2SP
// tlog-cosignature, "Format").
func KeyID(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', AlgCosignatureV1})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// CosignedMessage returns the message an Ed25519 cosignature/v1 signs: the
// line "cosignature/v1", the line "time <t>" and the checkpoint's note body
// (C2SP tlog-cosignature, "Ed25519 signed message"). The body must be a
// checkpoint (C2SP tlog-checkpoint): a witness states something about a
// log's tree, never about arbitrary text.
func CosignedMessage(t uint64, body []byte) ([]byte, error) {
	if t > math.MaxInt64 {
		return nil, fmt.Errorf("cosignature: timestamp %d exceeds 2^63-1", t)
	}
	if _, err := ledger.ParseCheckpoint(body); err != nil {
		return nil, fmt.Errorf("cosignature: %w", err)
	}
	msg := make([]byte, 0, 40+len(body))
	msg = append(msg, "cosignature/v1\ntime "...)
	msg = strconv.AppendUint(msg, t, 10)
	msg = append(msg, '\n')
	return append(msg, body...), nil
}

// A Signer makes Ed25519 cosignature/v1 signatures. It is a note.Signer:
// note.Sign with it adds a cosignature line to a checkpoint.
type Signer struct {
	name  string
	id    uint32
	key   ed25519.PrivateKey
	clock func() time.Time
}

var _ note.Signer = (*Signer)(nil)

// NewSigner returns a cosigner named name with the Ed25519 private key. The
// clock gives the time each cosignature states; nil means time.Now.
func NewSigner(name string, key ed25519.PrivateKey, clock func() time.Time) (*Signer, error) {
	if !validName(name) {
		return nil, fmt.Errorf("cosigner name %q: want a non-empty name without spaces or '+'", name)
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("cosigner %s: private key of %d bytes, want %d", name, len(key), ed25519.PrivateKeySize)
	}
	if clock == nil {
		clock = time.Now
	}
	return &Signer{name: name, id: KeyID(name, key.Public().(ed25519.PublicKey)), key: key, clock: clock}, nil
}

// Name implements note.Signer: the cosigner's name.
func (s *Signer) Name() string { return s.name }

// KeyHash implements note.Signer: the key ID.
func (s *Signer) KeyHash() uint32 { return s.id }

// Sign implements note.Signer. msg is the checkpoint's note body; the
// signature is the timestamp (seconds since the Epoch, big-endian) followed
// by the Ed25519 signature of CosignedMessage.
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	now := s.clock().Unix()
	if now < 0 {
		return nil, fmt.Errorf("cosign: clock before the Epoch (%d)", now)
	}
	m, err := CosignedMessage(uint64(now), msg)
	if err != nil {
		return nil, err
	}
	sig := binary.BigEndian.AppendUint64(make([]byte, 0, cosignatureSize), uint64(now))
	return append(sig, ed25519.Sign(s.key, m)...), nil
}

// Verifier returns the verifier of the signer's cosignatures.
func (s *Signer) Verifier() *Verifier {
	return &Verifier{name: s.name, id: s.id, key: s.key.Public().(ed25519.PublicKey)}
}

// A Verifier checks Ed25519 cosignature/v1 signatures. It is a
// note.Verifier, so note.Open with it checks a cosignature line.
type Verifier struct {
	name string
	id   uint32
	key  ed25519.PublicKey
}

var _ note.Verifier = (*Verifier)(nil)

// Name implements note.Verifier.
func (v *Verifier) Name() string { return v.name }

// KeyHash implements note.Verifier.
func (v *Verifier) KeyHash() uint32 { return v.id }

// Verify implements note.Verifier: sig (after the key ID) is a timestamp and
// an Ed25519 signature of CosignedMessage over msg.
func (v *Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != cosignatureSize {
		return false
	}
	m, err := CosignedMessage(binary.BigEndian.Uint64(sig), msg)
	if err != nil {
		return false
	}
	return ed25519.Verify(v.key, m, sig[8:])
}

// String returns the verifier key in C2SP signed-note form:
// "<name>+<key ID in hex>+<base64(0x04 || public key)>".
func (v *Verifier) String() string {
	return fmt.Sprintf("%s+%08x+%s", v.name, v.id, base64.StdEncoding.EncodeToString(append([]byte{AlgCosignatureV1}, v.key...)))
}

// ParseVerifier reads a cosignature/v1 verifier key
// ("<name>+<hash>+<base64(0x04 || key)>"), checking that the hash is the
// key ID the name and key give.
func ParseVerifier(vkey string) (*Verifier, error) {
	name, hash, key, err := splitKey(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("cosignature verifier key: %w", err)
	}
	if len(key) != 1+ed25519.PublicKeySize || key[0] != AlgCosignatureV1 {
		return nil, errors.New("cosignature verifier key: not an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)")
	}
	v := &Verifier{name: name, key: ed25519.PublicKey(key[1:]), id: KeyID(name, key[1:])}
	if v.id != hash {
		return nil, fmt.Errorf("cosignature verifier key: key ID %08x, the name and key give %08x", hash, v.id)
	}
	return v, nil
}

// Timestamp returns the time a cosignature/v1 signature states, from a
// signature line's base64 (key ID, timestamp, signature).
func Timestamp(sig note.Signature) (time.Time, error) {
	b, err := base64.StdEncoding.DecodeString(sig.Base64)
	if err != nil || len(b) != 4+cosignatureSize {
		return time.Time{}, errors.New("cosignature: malformed signature")
	}
	t := binary.BigEndian.Uint64(b[4:])
	if t > math.MaxInt64 {
		return time.Time{}, errors.New("cosignature: timestamp exceeds 2^63-1")
	}
	return time.Unix(int64(t), 0).UTC(), nil
}

// GenerateKey makes a cosigner key named name and returns it in the form
// ParseSigner reads: "PRIVATE+KEY+<name>+<key ID>+<base64(0x04 || seed)>",
// the shape of a note signing key with the cosignature/v1 type byte.
func GenerateKey(rnd io.Reader, name string) (skey, vkey string, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	_, priv, err := ed25519.GenerateKey(rnd)
	if err != nil {
		return "", "", fmt.Errorf("generate cosigner key: %w", err)
	}
	return KeyFromSeed(name, priv.Seed())
}

// KeyFromSeed returns the cosigner key (and its verifier key) of an Ed25519
// seed.
func KeyFromSeed(name string, seed []byte) (skey, vkey string, err error) {
	if len(seed) != ed25519.SeedSize {
		return "", "", fmt.Errorf("cosigner key: seed of %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	s, err := NewSigner(name, ed25519.NewKeyFromSeed(seed), nil)
	if err != nil {
		return "", "", err
	}
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, s.id, base64.StdEncoding.EncodeToString(append([]byte{AlgCosignatureV1}, seed...)))
	return skey, s.Verifier().String(), nil
}

// ParseSigner reads a cosigner key made by GenerateKey or KeyFromSeed.
func ParseSigner(skey string, clock func() time.Time) (*Signer, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(skey), "PRIVATE+KEY+")
	if !ok {
		return nil, errors.New("cosigner key: does not start with PRIVATE+KEY+")
	}
	name, hash, key, err := splitKey(rest)
	if err != nil {
		return nil, fmt.Errorf("cosigner key: %w", err)
	}
	if len(key) != 1+ed25519.SeedSize || key[0] != AlgCosignatureV1 {
		return nil, errors.New("cosigner key: not an Ed25519 cosignature/v1 key")
	}
	s, err := NewSigner(name, ed25519.NewKeyFromSeed(key[1:]), clock)
	if err != nil {
		return nil, err
	}
	if s.id != hash {
		return nil, fmt.Errorf("cosigner key: key ID %08x, the name and key give %08x", hash, s.id)
	}
	return s, nil
}

// splitKey splits "<name>+<hash>+<base64>" (the base64 may itself hold '+').
func splitKey(k string) (name string, hash uint32, key []byte, err error) {
	name, rest, ok1 := strings.Cut(k, "+")
	h, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || !validName(name) {
		return "", 0, nil, errors.New("want <name>+<hash>+<key>")
	}
	if len(h) != 8 || strings.Trim(h, "0123456789abcdef") != "" {
		return "", 0, nil, fmt.Errorf("key hash %q is not 8 lower-case hex digits", h)
	}
	n, _ := strconv.ParseUint(h, 16, 32)
	if key, err = base64.StdEncoding.DecodeString(b64); err != nil {
		return "", 0, nil, fmt.Errorf("key is not base64: %w", err)
	}
	return name, uint32(n), key, nil
}

// validName reports whether name may name a key (C2SP signed-note): not
// empty, valid UTF-8, with no Unicode space and no '+'.
func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && !strings.ContainsFunc(name, unicode.IsSpace) && !strings.Contains(name, "+")
}
