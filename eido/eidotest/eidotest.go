// Package eidotest helps other packages' tests check the EIDOs they produce
// against NENA's schema.
package eidotest

import (
	"encoding/json"
	"testing"

	"github.com/tenfour-cad/tenfour/eido"
)

// Validate fails the test unless doc is a valid EIDO by NENA's schema
// (eido.Validate), naming the JSON pointer of the first fault.
func Validate(tb testing.TB, doc []byte) {
	tb.Helper()
	if err := eido.Validate(doc); err != nil {
		tb.Fatalf("EIDO does not validate against NENA's schema: %v\n%s", err, doc)
	}
}

// ValidateDocument marshals d and validates it as Validate does; it returns the
// bytes it validated.
func ValidateDocument(tb testing.TB, d eido.Document) []byte {
	tb.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		tb.Fatalf("marshal EIDO: %v", err)
	}
	Validate(tb, b)
	return b
}
