package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// An Actor is who caused an event: a user acting in a role, or a part of the
// system (a timer, the simulator).
type Actor struct {
	User   string `json:"user,omitempty"`
	Agency string `json:"agency,omitempty"` // the user's own agency
	Role   string `json:"role,omitempty"`
	System string `json:"system,omitempty"`
	// Token is the public id of the API token the user acted with (never
	// its secret). It is omitted when empty, so that leaves written before
	// it existed, and actions taken in a session, encode as they always did.
	Token string `json:"token,omitempty"`
}

// PrivateActorUser is the private field that holds the actor's username:
// the log shows who acted by role and agency, and the person only as a
// commitment (docs/log.md, "Who acted").
const PrivateActorUser = "/actor/user"

// String returns "user (role)", "(role, agency)" when the user is a
// commitment, or "system:name".
func (a Actor) String() string {
	if a.System != "" {
		return "system:" + a.System
	}
	if a.User == "" {
		return "(" + a.Role + ", " + a.Agency + ")"
	}
	return a.User + " (" + a.Role + ")"
}

// A Record is an event before it is sequenced: what a caller appends.
type Record struct {
	Time    time.Time
	Type    string
	Agency  string
	Actor   Actor
	Subject map[string]string // the ids the event is about: "unit", "incident"…
	Data    json.RawMessage   // the event's public payload, a JSON object or nil
	// Private holds the plaintext of the event's private fields. They enter the
	// leaf only as commitments; the plaintext is stored as openings.
	Private map[string]string
}

// An Entry is one event as it is in the log. Its JSON encoding, produced once
// when the event is sequenced, is the leaf: the bytes that are hashed, stored
// and served. Field order is fixed by this struct.
type Entry struct {
	Seq     int64             `json:"seq"`
	Time    string            `json:"time"` // RFC 3339, UTC
	Type    string            `json:"type"`
	Agency  string            `json:"agency"`
	Actor   Actor             `json:"actor"`
	Subject map[string]string `json:"subject,omitempty"`
	Data    json.RawMessage   `json:"data,omitempty"`
	// Private maps each private field's name to its commitment (base64).
	Private map[string]string `json:"private,omitempty"`
}

// TimeFormat is how an entry's time is written: RFC 3339 in UTC with
// nanoseconds, so that entries of one second stay ordered when read.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// MaxEntrySize bounds one entry: an entry bundle prefixes each entry with a
// 2-byte length (C2SP tlog-tiles), so no entry may exceed 65535 bytes.
const MaxEntrySize = 1<<16 - 1

// ParsedTime returns the entry's time.
func (e *Entry) ParsedTime() (time.Time, error) {
	return time.Parse(time.RFC3339Nano, e.Time)
}

// ParseEntry decodes and checks one leaf. It is strict: the leaf must be a
// single JSON object with a sequence number, an RFC 3339 time, a type, and an
// actor; anything else is an error that says what is wrong.
func ParseEntry(b []byte) (Entry, error) {
	var e Entry
	if len(b) > MaxEntrySize {
		return e, fmt.Errorf("entry of %d bytes exceeds %d", len(b), MaxEntrySize)
	}
	if err := DecodeStrict(b, &e); errors.Is(err, ErrTrailing) {
		return e, errors.New("entry has data after its object")
	} else if err != nil {
		return e, fmt.Errorf("entry is not a valid event object: %w", err)
	}
	if e.Seq < 0 {
		return e, fmt.Errorf("entry has negative seq %d", e.Seq)
	}
	if e.Type == "" {
		return e, fmt.Errorf("entry %d has no type", e.Seq)
	}
	if _, err := e.ParsedTime(); err != nil || !strings.HasSuffix(e.Time, "Z") {
		return e, fmt.Errorf("entry %d: time %q is not RFC 3339 UTC", e.Seq, e.Time)
	}
	if e.Actor == (Actor{}) && e.Private[PrivateActorUser] == "" {
		return e, fmt.Errorf("entry %d has no actor", e.Seq)
	}
	for f, c := range e.Private {
		if _, err := parseCommitment(c); err != nil {
			return e, fmt.Errorf("entry %d: private field %q: %w", e.Seq, f, err)
		}
	}
	return e, nil
}

// encodeBody builds the leaf bytes of rec, with commitments in place of its
// private fields, but for the sequence number: it returns the JSON object
// after its "seq" member, starting at the comma. The sequencer, which alone
// knows the number, only has to prepend it (withSeq), so that the costly
// encoding happens outside its lock.
func encodeBody(rec Record, commitments map[string]string) ([]byte, error) {
	if rec.Type == "" {
		return nil, errors.New("record has no type")
	}
	if rec.Actor == (Actor{}) && rec.Private[PrivateActorUser] == "" {
		return nil, fmt.Errorf("record %s has no actor", rec.Type)
	}
	e := Entry{
		Time:    rec.Time.UTC().Format(TimeFormat),
		Type:    rec.Type,
		Agency:  rec.Agency,
		Actor:   rec.Actor,
		Subject: rec.Subject,
		Data:    rec.Data,
		Private: commitments,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("encode %s event: %w", rec.Type, err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	// Entry's first member is "seq"; cut the object open right after it.
	const head = `{"seq":0`
	if !bytes.HasPrefix(b, []byte(head)) {
		panic("ledger: Entry does not encode seq first")
	}
	body := b[len(head):]
	if len(body)+len(`{"seq":`)+19 > MaxEntrySize {
		return nil, fmt.Errorf("%s event of %d bytes exceeds the %d-byte entry limit", rec.Type, len(body), MaxEntrySize)
	}
	return body, nil
}

// withSeq completes a body from encodeBody into the leaf bytes of event seq.
func withSeq(seq int64, body []byte) []byte {
	b := make([]byte, 0, len(body)+len(`{"seq":`)+20)
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	return append(b, body...)
}
