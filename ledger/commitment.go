package ledger

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// SaltSize is the size of a commitment's salt. 32 random bytes make a
// commitment hiding: nobody can test guesses of a short value (a phone number)
// against it without the salt.
const SaltSize = 32

// Commit returns the commitment to value under salt: SHA-256(salt ‖ value).
func Commit(salt []byte, value string) [sha256.Size]byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(value))
	var c [sha256.Size]byte
	h.Sum(c[:0])
	return c
}

// NewSalt returns a fresh random salt.
func NewSalt() []byte {
	s := make([]byte, SaltSize)
	rand.Read(s) // crypto/rand.Read never fails (Go 1.24+)
	return s
}

// formatCommitment encodes a commitment as it appears in an entry.
func formatCommitment(c [sha256.Size]byte) string {
	return base64.StdEncoding.EncodeToString(c[:])
}

func parseCommitment(s string) ([sha256.Size]byte, error) {
	var c [sha256.Size]byte
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return c, fmt.Errorf("commitment %q is not a base64 SHA-256 hash", s)
	}
	copy(c[:], b)
	return c, nil
}

// CheckOpening reports whether salt and value open the commitment c, as found
// in an entry's "private" object.
func CheckOpening(c string, salt []byte, value string) error {
	want, err := parseCommitment(c)
	if err != nil {
		return err
	}
	// SHA-256(salt ‖ value) binds the value only if the split is fixed: with a
	// salt of any length, salt ‖ "+46 70 " and "123 45 67" would open the
	// commitment to "+46 70 123 45 67" as well.
	if len(salt) != SaltSize {
		return fmt.Errorf("opening salt is %d bytes, want %d", len(salt), SaltSize)
	}
	got := Commit(salt, value)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return fmt.Errorf("opening does not match commitment %s", c)
	}
	return nil
}
