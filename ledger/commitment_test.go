package ledger_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
)

func TestCommit(t *testing.T) {
	salt := make([]byte, ledger.SaltSize)
	for i := range salt {
		salt[i] = byte(i)
	}
	// SHA-256(00 01 … 1f ‖ "+46 70 123 45 67"), computed with Python's hashlib.
	const want = "25e90f883fcbb09c8d1db3ee13e4e48b3d173b73754e278c89a4dc9feaea4e95"
	if got := ledger.Commit(salt, "+46 70 123 45 67"); hex.EncodeToString(got[:]) != want {
		t.Fatalf("Commit(00…1f, +46 70 123 45 67) = %x, want %s", got, want)
	}
	if a, b := ledger.NewSalt(), ledger.NewSalt(); len(a) != ledger.SaltSize || bytes.Equal(a, b) {
		t.Fatalf("NewSalt() = %x, then %x, want two different %d-byte salts", a, b, ledger.SaltSize)
	}
}

func TestCheckOpening(t *testing.T) {
	salt := ledger.NewSalt()
	const value = "+46 70 123 45 67"
	c := ledger.Commit(salt, value)
	commitment := base64.StdEncoding.EncodeToString(c[:])
	if err := ledger.CheckOpening(commitment, salt, value); err != nil {
		t.Fatalf("CheckOpening(Commit(salt, %q), salt, %q) = %v, want nil", value, value, err)
	}

	otherSalt := bytes.Clone(salt)
	otherSalt[ledger.SaltSize-1] ^= 1
	// salt ‖ "+46 70 " ‖ "123 45 67" is the same byte string: a value that
	// only a longer salt would open.
	longSalt := append(bytes.Clone(salt), "+46 70 "...)
	tests := []struct {
		name       string
		commitment string
		salt       []byte
		value      string
	}{
		{"WrongSalt", commitment, otherSalt, value},
		{"NoSalt", commitment, nil, value},
		{"WrongValue", commitment, salt, "+46 70 123 45 68"},
		{"EmptyValue", commitment, salt, ""},
		{"LongerValue", commitment, salt, value + " "},
		{"SaltAndValueShifted", commitment, longSalt, "123 45 67"},
		{"ValueAndSaltShifted", commitment, salt[:ledger.SaltSize-1], string(salt[ledger.SaltSize-1:]) + value},
		{"CommitmentNotBase64", "not base64!", salt, value},
		{"CommitmentShort", base64.StdEncoding.EncodeToString(c[:31]), salt, value},
		{"CommitmentHex", hex.EncodeToString(c[:]), salt, value},
	}
	for _, tt := range tests {
		if err := ledger.CheckOpening(tt.commitment, tt.salt, tt.value); err == nil {
			t.Errorf("%s: CheckOpening(%q, %x, %q) = nil, want an error", tt.name, tt.commitment, tt.salt, tt.value)
		}
	}
}
