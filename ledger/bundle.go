package ledger

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// BundleFormat names the evidence bundle format and its version.
const BundleFormat = "tenfour-evidence-bundle/v1"

// MaxBundleSize bounds a bundle that VerifyBundle reads: large enough for the
// whole history of a long incident, small enough not to be a memory bomb.
const MaxBundleSize = 64 << 20

// A Bundle is evidence that some events are in a log: the events' exact
// bytes, an RFC 6962 inclusion proof for each in the tree of a signed
// checkpoint, the checkpoint, and the key that signed it. It can be checked
// offline by anyone (VerifyBundle, `tenfour verify BUNDLE.json`).
type Bundle struct {
	Format     string        `json:"format"`
	Key        string        `json:"key"`        // note verifier key of the log
	Checkpoint string        `json:"checkpoint"` // the signed checkpoint note
	Subject    string        `json:"subject,omitempty"`
	Events     []BundleEvent `json:"events"`
}

// A BundleEvent is one event of a bundle.
type BundleEvent struct {
	Seq   int64                    `json:"seq"`
	Entry string                   `json:"entry"` // the leaf bytes, exactly
	Proof []tlog.Hash              `json:"proof"` // inclusion proof in the checkpoint's tree
	Open  map[string]BundleOpening `json:"openings,omitempty"`
}

// A BundleOpening reveals a private field: the salt (base64) and the plaintext.
type BundleOpening struct {
	Salt  []byte `json:"salt"`
	Value string `json:"value"`
}

// Bundle builds an evidence bundle for the given events against the newest
// checkpoint, signing a fresh one first if an event is not yet covered. With
// openings, the private fields' openings are included; without, the events
// show only commitments and still verify.
func (l *Log) Bundle(ctx context.Context, subject string, seqs []int64, openings bool) (*Bundle, error) {
	seqs = slices.Compact(slices.Sorted(slices.Values(seqs)))
	cp, msg := l.LatestCheckpoint()
	for _, s := range seqs {
		if s >= cp.Size {
			if err := l.Checkpoint(ctx); err != nil {
				return nil, err
			}
			cp, msg = l.LatestCheckpoint()
			break
		}
	}
	return l.bundle(ctx, cp, msg, subject, seqs, openings)
}

// BundleAt builds an evidence bundle for the given events against a signed
// checkpoint of this log that the caller holds, rather than the newest one:
// one its witnesses cosigned, say, so that the bundle shows the
// cosignatures too. The note is kept byte for byte, with every signature
// line it carries (C2SP signed-note: a verifier skips the lines of keys it
// does not know). It must be this log's: signed by its key, of a size the
// log has reached, and with the root of the log's own tree at that size;
// every event must be in that tree.
func (l *Log) BundleAt(ctx context.Context, checkpoint []byte, subject string, seqs []int64, openings bool) (*Bundle, error) {
	cp, err := OpenCheckpoint(checkpoint, l.verifier)
	if err != nil {
		return nil, fmt.Errorf("bundle: not a checkpoint of this log: %w", err)
	}
	// VerifyBundle would refuse it; say so now, to the one who built it.
	if err := canonicalSignatures(string(checkpoint)); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if size := l.durable.Load(); cp.Size > size {
		return nil, fmt.Errorf("bundle: the checkpoint is of a tree of %d events, and this log has %d", cp.Size, size)
	}
	// A note signed by this log's key but of another tree at that size is
	// a fork (a restored database, another node's history): evidence made
	// under it would prove nothing of this log.
	root, err := tlog.TreeHash(cp.Size, storeHashReader{ctx: ctx, st: l.st})
	if err != nil {
		return nil, fmt.Errorf("bundle: root of the tree of %d events: %w", cp.Size, err)
	}
	if root != cp.Root {
		return nil, fmt.Errorf("bundle: the checkpoint's root for %d events is %s, this log's tree of that size is %s", cp.Size, cp.Root, root)
	}
	seqs = slices.Compact(slices.Sorted(slices.Values(seqs)))
	return l.bundle(ctx, cp, checkpoint, subject, seqs, openings)
}

// bundle builds the bundle of the sorted, distinct seqs under the signed
// checkpoint cp, whose note is msg.
func (l *Log) bundle(ctx context.Context, cp Checkpoint, msg []byte, subject string, seqs []int64, openings bool) (*Bundle, error) {
	b := &Bundle{Format: BundleFormat, Key: l.vkey, Checkpoint: string(msg), Subject: subject, Events: []BundleEvent{}}
	var opens map[int64][]Opening
	if openings {
		var err error
		if opens, err = l.openingsOf(ctx, seqs); err != nil {
			return nil, err
		}
	}
	for _, s := range seqs {
		if s < 0 || s >= cp.Size {
			return nil, fmt.Errorf("bundle: event %d is not in the log of %d events", s, cp.Size)
		}
		es, err := l.st.ReadEntries(ctx, s, s+1)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		p, err := l.ProveInclusion(ctx, cp.Size, s)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		ev := BundleEvent{Seq: s, Entry: string(es[0]), Proof: p}
		for _, o := range opens[s] {
			if ev.Open == nil {
				ev.Open = make(map[string]BundleOpening)
			}
			ev.Open[o.Field] = BundleOpening{Salt: o.Salt, Value: o.Value}
		}
		b.Events = append(b.Events, ev)
	}
	return b, nil
}

// An Opening is a stored opening as the ledger hands it out.
type Opening struct {
	Field string
	Salt  []byte
	Value string
}

func (l *Log) openingsOf(ctx context.Context, seqs []int64) (map[int64][]Opening, error) {
	m, err := l.Openings(ctx, seqs)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	out := make(map[int64][]Opening, len(m))
	for s, os := range m {
		for _, o := range os {
			out[s] = append(out[s], Opening{Field: o.Field, Salt: o.Salt, Value: o.Value})
		}
	}
	return out, nil
}

// A BundleReport says what VerifyBundle checked.
type BundleReport struct {
	Checkpoint Checkpoint
	Events     int
	Openings   int // private fields whose openings were checked
	Redacted   int // private fields shown only as commitments
	Entries    []Entry
}

// ParseEvidence reads a bundle's JSON strictly: no unknown fields, no trailing data.
func ParseEvidence(data []byte) (*Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, fmt.Errorf("bundle of %d bytes exceeds %d", len(data), MaxBundleSize)
	}
	var b Bundle
	if err := DecodeStrict(data, &b); errors.Is(err, ErrTrailing) {
		return nil, errors.New("bundle has data after its object")
	} else if err != nil {
		return nil, fmt.Errorf("bundle is not valid JSON of its format: %w", err)
	}
	if b.Format != BundleFormat {
		return nil, fmt.Errorf("bundle format %q, want %q", b.Format, BundleFormat)
	}
	canon, err := b.Encode()
	if err != nil {
		return nil, err
	}
	if !IsCanonical(data, canon) {
		return nil, errors.New("bundle is not in its canonical form (as tenfour writes it: compact JSON, members in order, standard base64); was it edited or reformatted?")
	}
	return &b, nil
}

// Encode writes the bundle in its canonical form: compact JSON with its
// members in order, HTML characters unescaped, and a final newline — the
// form the API answers and ParseEvidence requires.
func (b *Bundle) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("encode bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// VerifyBundle checks an evidence bundle offline: the checkpoint's signature
// by the trusted key (or, if trusted is empty, by the key the bundle carries),
// every event's inclusion proof against the checkpoint's root, every event's
// form and sequence number, and every opening against its commitment. The
// first failure is returned and names the event.
func VerifyBundle(data []byte, trusted string) (*BundleReport, error) {
	b, err := ParseEvidence(data)
	if err != nil {
		return nil, err
	}
	key := b.Key
	if trusted != "" {
		if strings.TrimSpace(trusted) != b.Key {
			return nil, fmt.Errorf("bundle is signed with key %q, not the trusted key %q", b.Key, strings.TrimSpace(trusted))
		}
		key = strings.TrimSpace(trusted)
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return nil, fmt.Errorf("bundle key: %w", err)
	}
	cp, err := OpenCheckpoint([]byte(b.Checkpoint), v)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if err := canonicalSignatures(b.Checkpoint); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	r := &BundleReport{Checkpoint: cp}
	seen := make(map[int64]bool)
	for i, ev := range b.Events {
		name := fmt.Sprintf("event %d", ev.Seq)
		if seen[ev.Seq] {
			return nil, fmt.Errorf("bundle: %s appears twice", name)
		}
		seen[ev.Seq] = true
		if ev.Seq < 0 || ev.Seq >= cp.Size {
			return nil, fmt.Errorf("bundle: %s is outside the checkpoint's tree of %d events", name, cp.Size)
		}
		leaf := []byte(ev.Entry)
		if err := tlog.CheckRecord(ev.Proof, cp.Size, cp.Root, ev.Seq, tlog.RecordHash(leaf)); err != nil {
			return nil, fmt.Errorf("bundle: %s (item %d): its bytes and inclusion proof do not lead to the checkpoint's root", name, i)
		}
		e, err := ParseEntry(leaf)
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", name, err)
		}
		if e.Seq != ev.Seq {
			return nil, fmt.Errorf("bundle: %s: the entry says it is event %d", name, e.Seq)
		}
		for f, o := range ev.Open {
			c, ok := e.Private[f]
			if !ok {
				return nil, fmt.Errorf("bundle: %s: opening for %q, which is not a private field of the event", name, f)
			}
			if err := CheckOpening(c, o.Salt, o.Value); err != nil {
				return nil, fmt.Errorf("bundle: %s: private field %q: %w", name, f, err)
			}
			r.Openings++
		}
		r.Redacted += len(e.Private) - len(ev.Open)
		r.Entries = append(r.Entries, e)
		r.Events++
	}
	// The subject, kind/id, is what the bundle says it is about: at least
	// one of its events must be about it.
	if b.Subject != "" {
		kind, id, ok := strings.Cut(b.Subject, "/")
		if !ok || kind == "" || id == "" {
			return nil, fmt.Errorf("bundle: its subject %q is not kind/id", b.Subject)
		}
		if !slices.ContainsFunc(r.Entries, func(e Entry) bool { return e.Subject[kind] == id }) {
			return nil, fmt.Errorf("bundle: it says it is about %s, but none of its events is", b.Subject)
		}
	}
	return r, nil
}

// canonicalSignatures checks that every signature line of a signed note is
// in standard base64 with no stray padding bits: a signature that decodes
// the same from two spellings would let a byte change pass unseen.
func canonicalSignatures(text string) error {
	_, sigs, ok := strings.Cut(text, "\n\n")
	if !ok {
		return errors.New("checkpoint has no signatures")
	}
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return fmt.Errorf("checkpoint signature line %q is malformed", line)
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(line[i+1:]); err != nil {
			return fmt.Errorf("checkpoint signature %q is not canonical base64", line[i+1:])
		}
	}
	return nil
}
