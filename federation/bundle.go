// Package federation is what passes between tenfour installations run by
// different organisations, and the evidence that spans them: the
// cross-installation bundle (bundle.go), in which each installation's log
// proves its part of a request under a checkpoint its partners cosigned.
package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/witness"
)

// BundleFormat names the cross-installation evidence bundle format and its
// version.
const BundleFormat = "tenfour-federated-bundle/v1"

// MaxBundleSize bounds a bundle that Verify reads: the bound of one log's
// bundle (ledger.MaxBundleSize), since a request's events on all the
// installations it touched are far fewer than a long incident's.
const MaxBundleSize = ledger.MaxBundleSize

// The event types that link two installations' logs, and the fields of
// their public data that name the other side's event. An installation logs
// federation.delivered when a peer's receipt for a message came back (the
// receipt is event receipt_seq of the peer's log) and federation.received
// when it took a peer's message (sent as event message_seq of the peer's
// log).
const (
	EventDelivered = "federation.delivered"
	EventReceived  = "federation.received"
)

// A Bundle is evidence of what several installations did about one
// subject (a request that crossed them): for each installation, an
// evidence bundle of its own log (ledger.Bundle) under a checkpoint it got
// cosigned by witnesses. It is checked offline by Verify (`tenfour verify
// BUNDLE.json`).
type Bundle struct {
	Format  string          `json:"format"`
	Subject string          `json:"subject"` // kind/id, such as request/federal-A-2026-000001
	Logs    []ledger.Bundle `json:"logs"`    // one per installation
}

// A Policy says whom a verifier trusts.
type Policy struct {
	// Keys are the trusted logs' note verifier keys; a key's name is its
	// log's origin. Empty: each log is checked against the key its bundle
	// carries, and the report says so (LogReport.Trusted).
	Keys []string
	// WitnessKeys are the trusted witnesses' cosignature/v1 verifier keys
	// (witness.ParseVerifier).
	WitnessKeys []string
	// Quorum is how many of WitnessKeys, distinct, must have validly
	// cosigned each log's checkpoint. 0: none; cosignatures are still
	// checked and reported.
	Quorum int
}

// A Report says what Verify checked.
type Report struct {
	Subject string
	Logs    []LogReport
	// Links is the number of federation.delivered and federation.received
	// events whose event on the other side the bundle holds; Unlinked
	// those whose other side is an installation the bundle does not hold.
	Links, Unlinked int
}

// A LogReport is what was checked of one installation's log.
type LogReport struct {
	Origin     string
	Key        string // the note verifier key its checkpoint was checked with
	Trusted    bool   // Key is one of Policy.Keys; false: the one the bundle carries
	Checkpoint ledger.Checkpoint
	Events     int
	Openings   int // private fields whose openings were checked
	Redacted   int // private fields shown only as commitments
	// Cosigners are the names of the witnesses of the policy whose
	// cosignatures on the checkpoint verified and count, sorted.
	Cosigners []string
	// Unchecked are the names on the checkpoint's other signature lines:
	// keys the policy does not name, which a verifier skips (C2SP
	// signed-note), and the installation's own witness, which counts for
	// nothing.
	Unchecked []string
	Entries   []ledger.Entry
}

// Encode writes the bundle in its canonical form: compact JSON with its
// members in order, HTML characters unescaped, and a final newline — the
// one form Verify accepts.
func (b *Bundle) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("encode federated bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// Parse reads a federated bundle strictly: its format, no unknown fields,
// no trailing data, and in its canonical form (Encode), so that no byte of
// it can change and still read the same.
func Parse(data []byte) (*Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, fmt.Errorf("federated bundle of %d bytes exceeds %d", len(data), MaxBundleSize)
	}
	var b Bundle
	if err := ledger.DecodeStrict(data, &b); errors.Is(err, ledger.ErrTrailing) {
		return nil, errors.New("federated bundle has data after its object")
	} else if err != nil {
		return nil, fmt.Errorf("federated bundle is not valid JSON of its format: %w", err)
	}
	if b.Format != BundleFormat {
		return nil, fmt.Errorf("federated bundle format %q, want %q", b.Format, BundleFormat)
	}
	canon, err := b.Encode()
	if err != nil {
		return nil, err
	}
	if !ledger.IsCanonical(data, canon) {
		return nil, errors.New("federated bundle is not in its canonical form (as tenfour writes it: compact JSON, members in order, standard base64); was it edited or reformatted?")
	}
	return &b, nil
}

// Verify checks a federated bundle offline: its form (Parse); each
// installation's part as ledger.VerifyBundle does, against the trusted key
// of its origin (a part of an origin p.Keys does not name fails, unless
// p.Keys is empty); one part per origin; each part's checkpoint cosigned
// by at least p.Quorum of p.WitnessKeys (Cosigners); the subject is what
// some event is about; and every link between the logs (an event
// federation.delivered naming the peer's receipt_seq, federation.received
// naming its message_seq) leads to an event the bundle holds, when the
// bundle holds that peer's log. The first failure is returned, naming the
// log and the event.
func Verify(data []byte, p Policy) (*Report, error) {
	b, err := Parse(data)
	if err != nil {
		return nil, err
	}
	trusted, err := trustedKeys(p.Keys)
	if err != nil {
		return nil, err
	}
	wit, err := witnesses(p)
	if err != nil {
		return nil, err
	}
	if len(b.Logs) == 0 {
		return nil, errors.New("federated bundle holds no log")
	}
	r := &Report{Subject: b.Subject}
	held := make(map[string]map[int64]bool) // origin → seqs it holds
	for i := range b.Logs {
		lr, err := verifyPart(&b.Logs[i], i, trusted, wit, p.Quorum)
		if err != nil {
			return nil, err
		}
		if held[lr.Origin] != nil {
			return nil, fmt.Errorf("federated bundle: two logs of origin %s", lr.Origin)
		}
		held[lr.Origin] = make(map[int64]bool, len(lr.Entries))
		for _, e := range lr.Entries {
			held[lr.Origin][e.Seq] = true
		}
		r.Logs = append(r.Logs, *lr)
	}
	if err := checkSubject(b.Subject, r.Logs); err != nil {
		return nil, err
	}
	for _, lr := range r.Logs {
		for _, e := range lr.Entries {
			peer, seq, ok, err := link(e)
			if err != nil {
				return nil, fmt.Errorf("federated bundle: event %d of %s: %w", e.Seq, lr.Origin, err)
			}
			if !ok {
				continue
			}
			seqs, in := held[peer]
			switch {
			case !in:
				r.Unlinked++
			case !seqs[seq]:
				return nil, fmt.Errorf("federated bundle: event %d of %s names event %d of %s, which the bundle does not hold", e.Seq, lr.Origin, seq, peer)
			default:
				r.Links++
			}
		}
	}
	return r, nil
}

// verifyPart checks the part i of a bundle: its log bundle and its
// checkpoint's cosignatures.
func verifyPart(part *ledger.Bundle, i int, trusted map[string][]string, wit []note.Verifier, quorum int) (*LogReport, error) {
	v, err := note.NewVerifier(part.Key)
	if err != nil {
		return nil, fmt.Errorf("federated bundle: log %d: its key: %w", i, err)
	}
	origin := v.Name()
	lr := &LogReport{Origin: origin, Key: part.Key}
	if len(trusted) > 0 {
		keys := trusted[origin]
		if len(keys) == 0 {
			return nil, fmt.Errorf("federated bundle: log %d is of %s, for which no key is trusted", i, origin)
		}
		// Of several keys trusted for one origin, the one it carries;
		// if it carries none of them, VerifyBundle says which it is.
		lr.Key, lr.Trusted = keys[0], true
		if slices.Contains(keys, part.Key) {
			lr.Key = part.Key
		}
	}
	// The parts of a canonical bundle encode as they were read, byte for
	// byte: VerifyBundle sees exactly the evidence that was given.
	data, err := part.Encode()
	if err != nil {
		return nil, err
	}
	br, err := ledger.VerifyBundle(data, trustedKey(lr))
	if err != nil {
		return nil, fmt.Errorf("federated bundle: log of %s: %w", origin, err)
	}
	lr.Checkpoint, lr.Events, lr.Openings, lr.Redacted, lr.Entries = br.Checkpoint, br.Events, br.Openings, br.Redacted, br.Entries
	if lr.Cosigners, lr.Unchecked, err = cosigners([]byte(part.Checkpoint), origin, v, wit, quorum); err != nil {
		return nil, fmt.Errorf("federated bundle: log of %s: %w", origin, err)
	}
	return lr, nil
}

// trustedKey is the key VerifyBundle is to hold a part to: "" (the one it
// carries) when the policy names none.
func trustedKey(lr *LogReport) string {
	if lr.Trusted {
		return lr.Key
	}
	return ""
}

// Cosigners checks the cosignatures on a signed checkpoint of the log of
// origin (whose verifier key is logKey) under the policy: it returns the
// names of the policy's witnesses whose cosignature/v1 lines verify and
// count, and of the lines it did not check; it fails if a line of a
// witness of the policy does not verify, or if fewer than p.Quorum count.
// It checks neither the log's signature nor the tree (ledger.VerifyBundle
// does). `tenfour verify --quorum` holds a single log's bundle to it.
func Cosigners(checkpoint []byte, logKey string, p Policy) (counted, unchecked []string, err error) {
	v, err := note.NewVerifier(logKey)
	if err != nil {
		return nil, nil, fmt.Errorf("log key: %w", err)
	}
	wit, err := witnesses(p)
	if err != nil {
		return nil, nil, err
	}
	return cosigners(checkpoint, v.Name(), v, wit, p.Quorum)
}

func cosigners(msg []byte, origin string, log note.Verifier, wit []note.Verifier, quorum int) (counted, unchecked []string, err error) {
	var sigs, unknown []note.Signature
	n, err := note.Open(msg, note.VerifierList(wit...))
	var none *note.UnverifiedNoteError
	switch {
	case errors.As(err, &none):
		unknown = none.Note.UnverifiedSigs
	case err != nil:
		// A line of a trusted witness that does not verify is not a
		// cosignature missing: the checkpoint was tampered with.
		return nil, nil, fmt.Errorf("checkpoint cosignatures: %w", err)
	default:
		sigs, unknown = n.Sigs, n.UnverifiedSigs
	}
	for _, s := range sigs {
		// An installation's own witness (named, as tenfour names it, for
		// the log's origin) cosigning its own log proves nothing: the one
		// operator who could fork the log holds the witness's key too.
		if s.Name == origin+"/witness" {
			unchecked = append(unchecked, s.Name)
			continue
		}
		counted = append(counted, s.Name)
	}
	for _, s := range unknown {
		if s.Name == log.Name() && s.Hash == log.KeyHash() {
			continue // the log's own signature, which VerifyBundle checks
		}
		unchecked = append(unchecked, s.Name)
	}
	slices.Sort(counted)
	slices.Sort(unchecked)
	if len(counted) < quorum {
		return nil, nil, fmt.Errorf("its checkpoint is cosigned by %d of the trusted witnesses (%s), and the quorum is %d", len(counted), names(counted), quorum)
	}
	return counted, unchecked, nil
}

// names lists names for a message.
func names(ns []string) string {
	if len(ns) == 0 {
		return "none"
	}
	return strings.Join(ns, ", ")
}

// trustedKeys maps each origin to the trusted log keys named for it.
func trustedKeys(keys []string) (map[string][]string, error) {
	m := make(map[string][]string)
	for _, k := range keys {
		k = strings.TrimSpace(k)
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("trusted log key %q: %w", k, err)
		}
		m[v.Name()] = append(m[v.Name()], k)
	}
	return m, nil
}

// witnesses parses the policy's witness keys, each key once, and checks
// that its quorum can be met.
func witnesses(p Policy) ([]note.Verifier, error) {
	var out []note.Verifier
	seen := make(map[string]string) // name+hash → key
	for _, k := range p.WitnessKeys {
		v, err := witness.ParseVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("witness key %q: %w", k, err)
		}
		id := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
		if prev, ok := seen[id]; ok {
			if prev != v.String() {
				// note.Open could not tell them apart.
				return nil, fmt.Errorf("witness keys %q and %q have one name and key ID", prev, v.String())
			}
			continue
		}
		seen[id] = v.String()
		out = append(out, v)
	}
	switch {
	case p.Quorum < 0:
		return nil, fmt.Errorf("quorum %d: want 0 or more", p.Quorum)
	case p.Quorum > len(out):
		return nil, fmt.Errorf("quorum %d: only %d witness keys are trusted", p.Quorum, len(out))
	}
	return out, nil
}

// checkSubject checks that the bundle's subject, kind/id, is what at least
// one of its events is about: a bundle cannot be relabelled.
func checkSubject(subject string, logs []LogReport) error {
	kind, id, ok := strings.Cut(subject, "/")
	if !ok || kind == "" || id == "" {
		return fmt.Errorf("federated bundle: its subject %q is not kind/id", subject)
	}
	for _, lr := range logs {
		if slices.ContainsFunc(lr.Entries, func(e ledger.Entry) bool { return e.Subject[kind] == id }) {
			return nil
		}
	}
	return fmt.Errorf("federated bundle: it says it is about %s, but none of its events is", subject)
}

// link returns the peer's origin and the event of its log that a
// federation.delivered or federation.received event names; ok is false for
// an event of another type.
func link(e ledger.Entry) (peer string, seq int64, ok bool, err error) {
	field := ""
	switch e.Type {
	case EventDelivered:
		field = "receipt_seq"
	case EventReceived:
		field = "message_seq"
	default:
		return "", 0, false, nil
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return "", 0, false, fmt.Errorf("%s: its data is not a JSON object: %w", e.Type, err)
	}
	if err := json.Unmarshal(d["peer_origin"], &peer); err != nil || peer == "" {
		return "", 0, false, fmt.Errorf("%s: it names no peer_origin", e.Type)
	}
	var n *int64
	if err := json.Unmarshal(d[field], &n); err != nil || n == nil || *n < 0 {
		return "", 0, false, fmt.Errorf("%s: it names no %s of %s", e.Type, field, peer)
	}
	return peer, *n, true, nil
}
