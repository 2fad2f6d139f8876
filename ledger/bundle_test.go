package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// bundleLog returns a log of 50 events, every third with two private fields.
func bundleLog(t *testing.T) (*ledger.Log, *sqlite.DB, *ledger.Key, [][]byte) {
	t.Helper()
	st := mustOpenStore(t, dbPath(t))
	k := mustKey(t, "example.test/bundle")
	l := mustOpenLog(t, st, k)
	mustAppend(t, l, records(0, 50)...)
	return l, st, k, mustEntries(t, l, 50)
}

func mustBundle(t *testing.T, l *ledger.Log, seqs []int64, openings bool) *ledger.Bundle {
	t.Helper()
	b, err := l.Bundle(context.Background(), "incident/2025-001000", seqs, openings)
	if err != nil {
		t.Fatalf("Bundle(%v, %v) = %v", seqs, openings, err)
	}
	return b
}

func mustMarshal(t *testing.T, b *ledger.Bundle) []byte {
	t.Helper()
	data, err := b.Encode()
	if err != nil {
		t.Fatalf("Encode(bundle) = %v", err)
	}
	return data
}

// cloneBundle deep-copies a bundle through its JSON.
func cloneBundle(t *testing.T, b *ledger.Bundle) *ledger.Bundle {
	t.Helper()
	c, err := ledger.ParseEvidence(mustMarshal(t, b))
	if err != nil {
		t.Fatalf("ParseEvidence(bundle) = %v", err)
	}
	return c
}

// namesEvent reports whether err names event seq (and not, say, seq 30 for 3).
func namesEvent(err error, seq int64) bool {
	return err != nil && regexp.MustCompile(fmt.Sprintf(`\bevent %d\b`, seq)).MatchString(err.Error())
}

func TestVerifyBundle(t *testing.T) {
	l, _, k, entries := bundleLog(t)
	seqs := []int64{3, 10, 21, 49}
	b := mustBundle(t, l, seqs, true)
	data := mustMarshal(t, b)

	r, err := ledger.VerifyBundle(data, k.Text)
	if err != nil {
		t.Fatalf("VerifyBundle(bundle of %v) = %v", seqs, err)
	}
	// 3 and 21 have two private fields each; 10 and 49 none.
	if r.Events != 4 || r.Openings != 4 || r.Redacted != 0 || r.Checkpoint.Size != 50 {
		t.Fatalf("VerifyBundle = %d events, %d openings, %d redacted, checkpoint %d; want 4, 4, 0, 50", r.Events, r.Openings, r.Redacted, r.Checkpoint.Size)
	}
	for i, e := range r.Entries {
		if e.Seq != seqs[i] || b.Events[i].Entry != string(entries[seqs[i]]) {
			t.Fatalf("VerifyBundle entry %d = event %d, want %d with its stored bytes", i, e.Seq, seqs[i])
		}
	}
	if b.Events[0].Open["caller_phone"].Value != record(3).Private["caller_phone"] {
		t.Fatalf("bundle opening of event 3 = %+v, want %q", b.Events[0].Open, record(3).Private["caller_phone"])
	}
	// With no trusted key, the bundle's own key is used.
	if _, err := ledger.VerifyBundle(data, ""); err != nil {
		t.Fatalf("VerifyBundle(bundle, no trusted key) = %v", err)
	}

	t.Run("WithoutOpenings", func(t *testing.T) {
		r, err := ledger.VerifyBundle(mustMarshal(t, mustBundle(t, l, seqs, false)), k.Text)
		if err != nil || r.Openings != 0 || r.Redacted != 4 {
			t.Fatalf("VerifyBundle(bundle without openings) = %+v, %v, want 0 openings, 4 redacted", r, err)
		}
	})

	t.Run("ErasedOpening", func(t *testing.T) {
		l, st, k, _ := bundleLog(t)
		if err := st.EraseOpening(context.Background(), 21, "caller_name"); err != nil {
			t.Fatalf("EraseOpening(21, caller_name) = %v", err)
		}
		b := mustBundle(t, l, seqs, true)
		if _, ok := b.Events[2].Open["caller_name"]; ok || len(b.Events[2].Open) != 1 {
			t.Fatalf("bundle event 21 openings = %v, want caller_phone only", b.Events[2].Open)
		}
		r, err := ledger.VerifyBundle(mustMarshal(t, b), k.Text)
		if err != nil {
			t.Fatalf("VerifyBundle(bundle with an erased opening) = %v", err)
		}
		if r.Openings != 3 || r.Redacted != 1 {
			t.Fatalf("VerifyBundle(bundle with an erased opening) = %d openings, %d redacted, want 3, 1", r.Openings, r.Redacted)
		}
		// The leaf is untouched: it still carries the commitment.
		if _, ok := r.Entries[2].Private["caller_name"]; !ok {
			t.Fatalf("event 21 after erasure has private fields %v, want caller_name's commitment still there", r.Entries[2].Private)
		}
	})

	t.Run("EntryByteChanged", func(t *testing.T) {
		for i, ev := range b.Events {
			for j := range len(ev.Entry) {
				bad := cloneBundle(t, b)
				e := []byte(bad.Events[i].Entry)
				e[j] ^= 0x01
				bad.Events[i].Entry = string(e)
				if _, err := ledger.VerifyBundle(mustMarshal(t, bad), k.Text); !namesEvent(err, ev.Seq) {
					t.Fatalf("VerifyBundle(event %d with byte %d of its entry changed) = %v, want an error naming event %d", ev.Seq, j, err, ev.Seq)
				}
			}
		}
	})
	t.Run("AnyByteChanged", func(t *testing.T) {
		// Not one byte of a bundle can change and still verify: evidence
		// has one spelling (Bundle.Encode), so base64 padding bits,
		// escapes and spacing are caught as surely as a changed entry.
		// Its events are all of the incident it says it is about.
		data := mustMarshal(t, mustBundle(t, l, []int64{1, 3, 6, 9}, true))
		if _, err := ledger.VerifyBundle(data, k.Text); err != nil {
			t.Fatalf("VerifyBundle(bundle) = %v", err)
		}
		for j := range data {
			for _, flip := range []byte{0x01, 0x02, 0x04, 0x20} {
				bad := bytes.Clone(data)
				bad[j] ^= flip
				if _, err := ledger.VerifyBundle(bad, k.Text); err == nil {
					t.Fatalf("VerifyBundle(bundle with byte %d (%q) changed to %q, in %q) = nil, want an error", j, data[j], bad[j], data[max(0, j-40):min(len(data), j+40)])
				}
			}
		}
	})
	t.Run("ProofHashChanged", func(t *testing.T) {
		for i, ev := range b.Events {
			for j := range ev.Proof {
				bad := cloneBundle(t, b)
				bad.Events[i].Proof[j] = flip(bad.Events[i].Proof[j], j)
				if _, err := ledger.VerifyBundle(mustMarshal(t, bad), k.Text); !namesEvent(err, ev.Seq) {
					t.Fatalf("VerifyBundle(event %d with proof hash %d changed) = %v, want an error naming event %d", ev.Seq, j, err, ev.Seq)
				}
			}
		}
	})
	t.Run("OpeningChanged", func(t *testing.T) {
		for i, ev := range b.Events {
			for f, o := range ev.Open {
				tests := []struct {
					name string
					o    ledger.BundleOpening
				}{
					{"Value", ledger.BundleOpening{Salt: o.Salt, Value: o.Value + "0"}},
					{"ValueByte", ledger.BundleOpening{Salt: o.Salt, Value: "X" + o.Value[1:]}},
					{"Salt", ledger.BundleOpening{Salt: append(slices.Clone(o.Salt[:len(o.Salt)-1]), o.Salt[len(o.Salt)-1]^1), Value: o.Value}},
					// The same bytes split elsewhere: a shorter value.
					{"Shifted", ledger.BundleOpening{Salt: append(slices.Clone(o.Salt), o.Value[:4]...), Value: o.Value[4:]}},
				}
				for _, tt := range tests {
					bad := cloneBundle(t, b)
					bad.Events[i].Open[f] = tt.o
					if _, err := ledger.VerifyBundle(mustMarshal(t, bad), k.Text); !namesEvent(err, ev.Seq) {
						t.Fatalf("VerifyBundle(event %d with opening %s changed: %s) = %v, want an error naming event %d", ev.Seq, f, tt.name, err, ev.Seq)
					}
				}
			}
		}
		bad := cloneBundle(t, b)
		bad.Events[1].Open = map[string]ledger.BundleOpening{"caller_phone": b.Events[0].Open["caller_phone"]}
		if _, err := ledger.VerifyBundle(mustMarshal(t, bad), k.Text); !namesEvent(err, 10) {
			t.Fatalf("VerifyBundle(event 10 with an opening of event 3) = %v, want an error naming event 10", err)
		}
	})
	t.Run("Mismatch", func(t *testing.T) {
		other := mustKey(t, "example.test/bundle")
		tests := []struct {
			name    string
			change  func(b *ledger.Bundle)
			trusted string
		}{
			{"WrongTrustedKey", func(*ledger.Bundle) {}, other.Text},
			{"KeyReplaced", func(b *ledger.Bundle) { b.Key = other.Text }, ""},
			{"KeyReplacedTrusted", func(b *ledger.Bundle) { b.Key = other.Text }, other.Text},
			{"CheckpointChanged", func(b *ledger.Bundle) { b.Checkpoint = string(flipLine(b.Checkpoint)) }, k.Text},
			{"SeqChanged", func(b *ledger.Bundle) { b.Events[1].Seq = 11 }, k.Text},
			{"SeqBeyond", func(b *ledger.Bundle) { b.Events[1].Seq = 50 }, k.Text},
			{"EventTwice", func(b *ledger.Bundle) { b.Events = append(b.Events, b.Events[0]) }, k.Text},
			{"EntriesSwapped", func(b *ledger.Bundle) {
				b.Events[0].Entry, b.Events[1].Entry = b.Events[1].Entry, b.Events[0].Entry
			}, k.Text},
			{"Format", func(b *ledger.Bundle) { b.Format = "tenfour-evidence-bundle/v2" }, k.Text},
		}
		for _, tt := range tests {
			bad := cloneBundle(t, b)
			tt.change(bad)
			if r, err := ledger.VerifyBundle(mustMarshal(t, bad), tt.trusted); err == nil {
				t.Errorf("%s: VerifyBundle = %+v, nil, want an error", tt.name, r)
			}
		}
		for _, tail := range []string{"]", "}", "{}", "x"} {
			if _, err := ledger.VerifyBundle(append(mustMarshal(t, b), tail...), k.Text); err == nil {
				t.Errorf("VerifyBundle(bundle followed by %q) = nil, want an error", tail)
			}
		}
	})
}

// flipLine changes the tree size line of a checkpoint note.
func flipLine(note string) []byte {
	b := []byte(note)
	for i := range b {
		if b[i] == '\n' {
			b[i+1] ^= 0x01 // first digit of the size
			break
		}
	}
	return b
}

// TestVerifyBundleLyingLog checks what only a log that signed bad entries
// could present: events whose bytes are in the signed tree at their place but
// which are not what an event there must be.
func TestVerifyBundleLyingLog(t *testing.T) {
	entries := make([][]byte, 10)
	for i := range entries {
		entries[i] = []byte(strings.Replace(seedEntry, `"seq":7`, fmt.Sprintf(`"seq":%d`, i), 1))
	}
	tests := []struct {
		name  string
		seq   int64
		entry string
	}{
		{"WrongSeq", 5, strings.Replace(seedEntry, `"seq":7`, `"seq":6`, 1)},
		{"NotAnEvent", 5, `{"seq":5}`},
		{"NotJSON", 5, "event 5"},
		{"OpeningOfNoField", 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := slices.Clone(entries)
			var opens map[int64][]store.Opening
			if tt.entry != "" {
				es[tt.seq] = []byte(tt.entry)
			} else {
				opens = map[int64][]store.Opening{tt.seq: {{Seq: tt.seq, Field: "caller_phone", Salt: make([]byte, ledger.SaltSize), Value: "x"}}}
			}
			data, _ := signedBundle(t, es, opens, []int64{2, tt.seq})
			if _, err := ledger.VerifyBundle(data, vectorVerifyKey); !namesEvent(err, tt.seq) {
				t.Fatalf("VerifyBundle(bundle with event %d %s) = %v, want an error naming event %d", tt.seq, tt.name, err, tt.seq)
			}
		})
	}
	// The same log without the lie verifies.
	data, _ := signedBundle(t, entries, nil, []int64{2, 5})
	if _, err := ledger.VerifyBundle(data, vectorVerifyKey); err != nil {
		t.Fatalf("VerifyBundle(bundle of an honest log) = %v", err)
	}
}
