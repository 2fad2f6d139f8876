package federation

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
)

// MessageFormat is the first line of a message's note and its format field.
const MessageFormat = "tenfour-federation/v1"

// MaxMessageSize bounds a sealed message or receipt: an event is at most
// ledger.MaxEntrySize, its proof and checkpoint a few kilobytes, and an
// EIDO document of one incident well under the rest.
const MaxMessageSize = 1 << 20

// The kinds of failure of Open and OpenReceipt. Every error they return
// wraps exactly one, so that a transport can answer with the right status
// (413, 400, 403, 422) with errors.Is.
var (
	// ErrTooLarge: the note exceeds MaxMessageSize.
	ErrTooLarge = errors.New("too large")
	// ErrMalformed: the note or its JSON is not in the one form Seal
	// writes, or a field is missing or invalid.
	ErrMalformed = errors.New("malformed")
	// ErrSignature: the note is not signed by the key given, or that key
	// is not the log of the sender it names.
	ErrSignature = errors.New("not signed by the sender's log key")
	// ErrEvidence: the evidence does not prove the event is in the
	// sender's log, or is not the event the message says.
	ErrEvidence = errors.New("evidence does not hold")
)

// A Message is one event of the sender's log sent to a partner: the
// sender's log proves it was sent.
type Message struct {
	Format string `json:"format"` // MessageFormat
	// ID is MessageID(From, seq), seq the event's sequence number in the
	// sender's log: a message is sent once, and delivered as often as it
	// takes, so the receiver applies it once by its ID.
	ID   string `json:"id"`
	From string `json:"from"` // the sender's log origin
	To   string `json:"to"`   // the receiver's log origin
	// As is the name the sender knows the receiver by (its peer name
	// there): the sender's events name the receiver's agencies
	// agency@As, and the receiver finds its own among them by it.
	As   string    `json:"as"`
	Sent time.Time `json:"sent"` // when this attempt was made (informative)
	// Evidence holds exactly one event, the sender's, with the openings of
	// its private fields, under a checkpoint of the sender's log.
	Evidence ledger.Bundle `json:"evidence"`
	// EIDO is an EIDO document (NENA-STA-021), when the event is about an
	// incident. It is opaque here: package eido reads it.
	EIDO json.RawMessage `json:"eido,omitempty"`

	entry ledger.Entry // the evidence's event, parsed by Open
}

// MessageID returns the ID of the message that event seq of the log origin
// sends: "<origin>/<seq>".
func MessageID(origin string, seq int64) string {
	return origin + "/" + strconv.FormatInt(seq, 10)
}

// ParseMessageID splits a message ID into the sender's origin and the
// event's sequence number. Origins may hold slashes; the number is after
// the last one, in decimal without a sign or leading zeros.
func ParseMessageID(id string) (origin string, seq int64, err error) {
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return "", 0, fmt.Errorf("message id %q is not <origin>/<seq>", id)
	}
	origin, num := id[:i], id[i+1:]
	seq, err = strconv.ParseInt(num, 10, 64)
	if err != nil || seq < 0 || strconv.FormatInt(seq, 10) != num {
		return "", 0, fmt.Errorf("message id %q does not end in an event's sequence number", id)
	}
	return origin, seq, nil
}

// Entry returns the event the message carries. For a message from Open it
// is the entry Open checked; otherwise it is parsed from the evidence, and
// is the zero Entry if that fails.
func (m *Message) Entry() ledger.Entry {
	if m.entry.Type != "" {
		return m.entry
	}
	if len(m.Evidence.Events) != 1 {
		return ledger.Entry{}
	}
	e, _ := ledger.ParseEntry([]byte(m.Evidence.Events[0].Entry))
	return e
}

// Openings returns the plaintext of the event's private fields that the
// message opens, by field. For a message from Open every one was checked
// against its commitment in the entry. A field whose opening the sender no
// longer holds (erased) is absent.
func (m *Message) Openings() map[string]string {
	if len(m.Evidence.Events) != 1 {
		return nil
	}
	out := make(map[string]string, len(m.Evidence.Events[0].Open))
	for f, o := range m.Evidence.Events[0].Open {
		out[f] = o.Value
	}
	return out
}

// Seal checks m as Open would (but for the signature) and signs it with
// the sender's log key s, whose name must be m.From. An empty Format is
// taken as MessageFormat. It returns the signed note, the bytes to send.
func Seal(m *Message, s note.Signer) ([]byte, error) {
	c := *m
	if c.Format == "" {
		c.Format = MessageFormat
	}
	c.Sent = c.Sent.UTC()
	if s.Name() != c.From {
		return nil, fmt.Errorf("seal message %s: key %q is not the log of its sender %q", c.ID, s.Name(), c.From)
	}
	if err := checkMessage(&c, nil, s.KeyHash()); err != nil {
		return nil, fmt.Errorf("seal message %s: %w", c.ID, err)
	}
	data, err := sealNote(MessageFormat, &c, s)
	if err != nil {
		return nil, fmt.Errorf("seal message %s: %w", c.ID, err)
	}
	return data, nil
}

// Open checks a sealed message from the sender whose log key is from and
// returns it. It checks, in order: the size; the note's signature by from,
// and that it is the note's only signature; the first line; that the JSON
// is strict (no unknown members, nothing after it) and canonical (what Seal
// writes); the format and the fields; that from is the log of m.From; and
// the evidence, with ledger.VerifyBundle and from: one event, under a
// checkpoint of m.From's log signed by from, its openings matching its
// commitments, and m.ID naming it. Every error wraps ErrTooLarge,
// ErrMalformed, ErrSignature or ErrEvidence.
//
// Open does not check m.To: the receiver compares it with its own origin.
func Open(data []byte, from note.Verifier) (*Message, error) {
	text, err := openNote(data, MessageFormat, from)
	if err != nil {
		return nil, fmt.Errorf("federation message: %w", err)
	}
	var m Message
	if err := decodeCanonical(text, &m, func() any { c := m; c.Sent = c.Sent.UTC(); return &c }); err != nil {
		return nil, fmt.Errorf("federation message: %w", err)
	}
	if err := checkMessage(&m, from, from.KeyHash()); err != nil {
		return nil, fmt.Errorf("federation message %s: %w", m.ID, err)
	}
	return &m, nil
}

// checkMessage checks a message's fields and evidence, and keeps the
// evidence's entry in m. The evidence's key must have the key hash of the
// sender's key; with from nil (Seal), the checkpoint's signature is checked
// with the key the evidence carries.
func checkMessage(m *Message, from note.Verifier, keyHash uint32) error {
	if m.Format != MessageFormat {
		return fmt.Errorf("%w: format %q, want %q", ErrMalformed, m.Format, MessageFormat)
	}
	if m.ID == "" || m.From == "" || m.To == "" || m.As == "" {
		return fmt.Errorf("%w: id, from, to and as must all be given", ErrMalformed)
	}
	if m.Sent.IsZero() {
		return fmt.Errorf("%w: no time sent", ErrMalformed)
	}
	if len(m.EIDO) > 0 && m.EIDO[0] != '{' {
		return fmt.Errorf("%w: eido is not a JSON object", ErrMalformed)
	}
	if from != nil && from.Name() != m.From {
		return fmt.Errorf("%w: signed by the log %q, but says it is from %q", ErrSignature, from.Name(), m.From)
	}
	e, err := checkEvidence(&m.Evidence, m.From, keyHash, from)
	if err != nil {
		return err
	}
	if want := MessageID(m.From, e.Seq); m.ID != want {
		return fmt.Errorf("%w: message id %q, but its event is %q", ErrEvidence, m.ID, want)
	}
	m.entry = e
	return nil
}

// checkEvidence checks that b proves exactly one event of the log origin,
// under a checkpoint signed by the key of that name and key hash: by from,
// or, with from nil (a seal, whose signer shows no public key), by the key
// b carries. It returns the event's entry.
func checkEvidence(b *ledger.Bundle, origin string, keyHash uint32, from note.Verifier) (ledger.Entry, error) {
	if len(b.Events) != 1 {
		return ledger.Entry{}, fmt.Errorf("%w: evidence has %d events, want exactly 1", ErrEvidence, len(b.Events))
	}
	v, err := note.NewVerifier(b.Key)
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("%w: evidence key: %w", ErrEvidence, err)
	}
	if v.Name() != origin {
		return ledger.Entry{}, fmt.Errorf("%w: evidence is of the log %q, not %q", ErrEvidence, v.Name(), origin)
	}
	// A verifier does not show its key, only its name and key hash; the
	// key the bundle carries must be the sender's, so that the bundle
	// checks alone as well, and the checkpoint's signature by from itself
	// is what binds the evidence to the sender's log.
	if v.KeyHash() != keyHash {
		return ledger.Entry{}, fmt.Errorf("%w: evidence carries the key %q, not the sender's log key", ErrEvidence, b.Key)
	}
	if from != nil {
		if _, err := ledger.OpenCheckpoint([]byte(b.Checkpoint), from); err != nil {
			return ledger.Entry{}, fmt.Errorf("%w: evidence: %w", ErrEvidence, err)
		}
	}
	enc, err := b.Encode()
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("%w: evidence: %w", ErrEvidence, err)
	}
	r, err := ledger.VerifyBundle(enc, "")
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("%w: evidence: %w", ErrEvidence, err)
	}
	if r.Checkpoint.Origin != origin {
		return ledger.Entry{}, fmt.Errorf("%w: evidence checkpoint is of the log %q, not %q", ErrEvidence, r.Checkpoint.Origin, origin)
	}
	return r.Entries[0], nil
}

// sealNote signs the note whose text is the format line, then v's canonical
// JSON.
func sealNote(format string, v any, s note.Signer) ([]byte, error) {
	body, err := encodeCanonical(v)
	if err != nil {
		return nil, err
	}
	text := make([]byte, 0, len(format)+1+len(body))
	text = append(append(append(text, format...), '\n'), body...)
	data, err := note.Sign(&note.Note{Text: string(text)}, s)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if len(data) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes exceed %d", ErrTooLarge, len(data), MaxMessageSize)
	}
	return data, nil
}

// encodeCanonical writes v as compact JSON with HTML characters unescaped
// and a final newline: the one form a message's text takes.
func encodeCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}

// openNote checks data's size, its signature by from and that it is in the
// form sealNote writes, with format as its first line, and returns the rest
// of the text: the JSON line with its newline.
func openNote(data []byte, format string, from note.Verifier) ([]byte, error) {
	if from == nil {
		// A caller's mistake, but never a panic on a partner's input.
		return nil, fmt.Errorf("%w: no key to check the signature with", ErrSignature)
	}
	if len(data) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes exceed %d", ErrTooLarge, len(data), MaxMessageSize)
	}
	n, err := note.Open(data, note.VerifierList(from))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, fmt.Errorf("%w: %w", ErrSignature, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	// note.Open ignores signatures of unknown keys and repeated lines, and
	// decodes base64 leniently; here the one signature line is all there is,
	// in standard base64 with no stray bits, so the bytes are exactly those
	// sealNote writes.
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return nil, fmt.Errorf("%w: the note has %d signatures, want only the sender's", ErrMalformed, len(n.Sigs)+len(n.UnverifiedSigs))
	}
	sig := n.Sigs[0]
	if _, err := base64.StdEncoding.Strict().DecodeString(sig.Base64); err != nil {
		return nil, fmt.Errorf("%w: the signature is not in canonical base64", ErrMalformed)
	}
	if want := n.Text + "\n\u2014 " + sig.Name + " " + sig.Base64 + "\n"; string(data) != want {
		return nil, fmt.Errorf("%w: the note holds more than its text and one signature line", ErrMalformed)
	}
	first, rest, ok := strings.Cut(n.Text, "\n")
	if first != format {
		return nil, fmt.Errorf("%w: the first line is %.40q, want %q", ErrMalformed, first, format)
	}
	if !ok || strings.Count(rest, "\n") != 1 {
		return nil, fmt.Errorf("%w: the text is not two lines, the format and the JSON", ErrMalformed)
	}
	return []byte(rest), nil
}

// decodeCanonical decodes text into v strictly — no unknown members,
// nothing after the object — and requires it to be the canonical encoding
// of canon(), the decoded value in the form Seal writes it.
func decodeCanonical(text []byte, v any, canon func() any) error {
	if err := ledger.DecodeStrict(text, v); errors.Is(err, ledger.ErrTrailing) {
		return fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	} else if err != nil {
		return fmt.Errorf("%w: not valid JSON of its format: %w", ErrMalformed, err)
	}
	// Accepting one form only means no byte of a signed message can change
	// its meaning unseen, and what the receiver logs is what was signed.
	c, err := encodeCanonical(canon())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if !bytes.Equal(c, text) {
		return fmt.Errorf("%w: the JSON is not in its canonical form (compact, members in order, times in UTC, as Seal writes it)", ErrMalformed)
	}
	return nil
}

// SignedBy returns the name of the key that signed a sealed message or
// receipt, without checking the signature: the origin of the log it claims
// to come from, by which the inbox looks up the peer's key before Open.
func SignedBy(data []byte) (string, error) {
	if len(data) > MaxMessageSize {
		return "", fmt.Errorf("federation: %w: %d bytes exceed %d", ErrTooLarge, len(data), MaxMessageSize)
	}
	i := bytes.LastIndex(data, []byte("\n\n"))
	if i < 0 {
		return "", fmt.Errorf("federation: %w: not a signed note", ErrMalformed)
	}
	line, ok := strings.CutSuffix(string(data[i+2:]), "\n")
	line, ok2 := strings.CutPrefix(line, "\u2014 ")
	name, _, ok3 := strings.Cut(line, " ")
	if !ok || !ok2 || !ok3 || name == "" || strings.Contains(line, "\n") {
		return "", fmt.Errorf("federation: %w: the note does not end in one signature line", ErrMalformed)
	}
	return name, nil
}
