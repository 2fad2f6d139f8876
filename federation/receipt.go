package federation

import (
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
)

// ReceiptFormat is the first line of a receipt's note and its format field.
const ReceiptFormat = "tenfour-federation-receipt/v1"

// The outcomes of a message, as its receipt states them.
const (
	// OutcomeApplied: the receiver's engine executed the message.
	OutcomeApplied = "applied"
	// OutcomeRefused: the receiver's engine refused it, for Reason.
	OutcomeRefused = "refused"
)

// MaxReasonSize bounds a refusal's reason: a domain error's sentence.
const MaxReasonSize = 500

// A Receipt is a receiver's answer to a message: its own log proves it
// received the message, when, and what it made of it.
type Receipt struct {
	Format   string    `json:"format"`   // ReceiptFormat
	Message  string    `json:"message"`  // the message's ID
	From     string    `json:"from"`     // the receiver's log origin, whose key signs the receipt
	To       string    `json:"to"`       // the sender's log origin
	Received time.Time `json:"received"` // when the receiver logged it
	Outcome  string    `json:"outcome"`  // OutcomeApplied or OutcomeRefused
	// Reason says why the message was refused (a domain error's message);
	// it is given with OutcomeRefused only.
	Reason string `json:"reason,omitempty"`
	// Evidence holds exactly one event: the receiver's receipt event, under
	// a checkpoint of the receiver's log. Its openings are not needed.
	Evidence ledger.Bundle `json:"evidence"`
}

// Seq returns the sequence number of the receipt event in the receiver's
// log, or -1 if the evidence does not hold exactly one event.
func (r *Receipt) Seq() int64 {
	if len(r.Evidence.Events) != 1 {
		return -1
	}
	return r.Evidence.Events[0].Seq
}

// SealReceipt checks r as OpenReceipt would (but for the signature) and
// signs it with the receiver's log key s, whose name must be r.From. An
// empty Format is taken as ReceiptFormat.
func SealReceipt(r *Receipt, s note.Signer) ([]byte, error) {
	c := *r
	if c.Format == "" {
		c.Format = ReceiptFormat
	}
	c.Received = c.Received.UTC()
	if s.Name() != c.From {
		return nil, fmt.Errorf("seal receipt of %s: key %q is not the log of the receiver %q", c.Message, s.Name(), c.From)
	}
	if err := checkReceipt(&c, nil, s.KeyHash(), c.Message); err != nil {
		return nil, fmt.Errorf("seal receipt of %s: %w", c.Message, err)
	}
	data, err := sealNote(ReceiptFormat, &c, s)
	if err != nil {
		return nil, fmt.Errorf("seal receipt of %s: %w", c.Message, err)
	}
	return data, nil
}

// OpenReceipt checks a sealed receipt of the message messageID from the
// receiver whose log key is from, and returns it. It checks what Open
// checks of a message — size, the one signature by from, the first line,
// strict and canonical JSON, from naming r.From — and that the receipt is
// of messageID and addressed to its sender, that the outcome is one of the
// two with a reason of at most MaxReasonSize bytes exactly when refused,
// and that the evidence proves one event of r.From's log under a
// checkpoint signed by from. Every error wraps ErrTooLarge, ErrMalformed,
// ErrSignature or ErrEvidence.
//
// That the event is the receipt of this message is the receiver's signed
// word; the engine reads the event itself to see that it says so.
func OpenReceipt(data []byte, from note.Verifier, messageID string) (*Receipt, error) {
	text, err := openNote(data, ReceiptFormat, from)
	if err != nil {
		return nil, fmt.Errorf("federation receipt of %s: %w", messageID, err)
	}
	var r Receipt
	if err := decodeCanonical(text, &r, func() any { c := r; c.Received = c.Received.UTC(); return &c }); err != nil {
		return nil, fmt.Errorf("federation receipt of %s: %w", messageID, err)
	}
	if err := checkReceipt(&r, from, from.KeyHash(), messageID); err != nil {
		return nil, fmt.Errorf("federation receipt of %s: %w", messageID, err)
	}
	return &r, nil
}

// checkReceipt checks a receipt's fields and evidence, as checkMessage does
// a message's.
func checkReceipt(r *Receipt, from note.Verifier, keyHash uint32, messageID string) error {
	if r.Format != ReceiptFormat {
		return fmt.Errorf("%w: format %q, want %q", ErrMalformed, r.Format, ReceiptFormat)
	}
	if r.Message == "" || r.From == "" || r.To == "" {
		return fmt.Errorf("%w: message, from and to must all be given", ErrMalformed)
	}
	if r.Message != messageID {
		return fmt.Errorf("%w: it is the receipt of %q", ErrMalformed, r.Message)
	}
	sender, _, err := ParseMessageID(r.Message)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if r.To != sender {
		return fmt.Errorf("%w: addressed to %q, but the message is from %q", ErrMalformed, r.To, sender)
	}
	if r.Received.IsZero() {
		return fmt.Errorf("%w: no time received", ErrMalformed)
	}
	switch r.Outcome {
	case OutcomeApplied:
		if r.Reason != "" {
			return fmt.Errorf("%w: an applied message with a reason", ErrMalformed)
		}
	case OutcomeRefused:
		if r.Reason == "" {
			return fmt.Errorf("%w: a refusal without a reason", ErrMalformed)
		}
		if len(r.Reason) > MaxReasonSize {
			return fmt.Errorf("%w: reason of %d bytes exceeds %d", ErrMalformed, len(r.Reason), MaxReasonSize)
		}
	default:
		return fmt.Errorf("%w: outcome %q, want %q or %q", ErrMalformed, r.Outcome, OutcomeApplied, OutcomeRefused)
	}
	if from != nil && from.Name() != r.From {
		return fmt.Errorf("%w: signed by the log %q, but says it is from %q", ErrSignature, from.Name(), r.From)
	}
	if _, err := checkEvidence(&r.Evidence, r.From, keyHash, from); err != nil {
		return err
	}
	return nil
}
