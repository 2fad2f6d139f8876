package federation_test

import (
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/federation"
)

// BenchmarkOpen measures checking a sealed message, beside the baseline of
// checking only its note's signature (BenchmarkOpenNoteOnly): the rest is
// the evidence (a checkpoint signature, an inclusion proof, the openings)
// and the JSON.
func BenchmarkOpen(b *testing.B) {
	f := newFixture(b)
	data := f.sealed(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := federation.Open(data, f.metroKey.Verifier); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenNoteOnly(b *testing.B) {
	f := newFixture(b)
	data := f.sealed(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := note.Open(data, note.VerifierList(f.metroKey.Verifier)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	f := newFixture(b)
	for b.Loop() {
		if _, err := federation.Seal(&f.msg, f.metroKey.Signer); err != nil {
			b.Fatal(err)
		}
	}
}
