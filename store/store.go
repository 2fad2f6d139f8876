// Package store holds the types of what tenfour keeps in its database: the
// event log with the Merkle tree's stored hashes beside each event, the
// openings of private fields, the signed checkpoints, the sequencer lease,
// the credentials that must never enter the log, BOLO photos, and the
// idempotency keys of recent commands with their answers.
//
// The interfaces are declared by the packages that use them, each only
// what it needs: ledger.Store (the log, and the keys written with its
// events), auth.Accounts (users, tokens, sessions), http.Photos, http.Keys
// (the keys' answers). Implementations live in sub-packages named for
// their database (store/sqlite, the embedded default; store/postgres, shared
// by several nodes); each is one type that satisfies them all, and all pass
// the conformance suite in store/storetest.
package store

import (
	"errors"
	"time"
)

// ErrNotFound is returned when a requested row does not exist.
// A store never answers a missing row with a zero value and a nil error.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule: a leaf
// whose sequence number is not the log's next one, or a user that exists.
// For the log it is what keeps two sequencers from forking it.
var ErrConflict = errors.New("conflict")

// A Leaf is one event of the log as stored: its sequence number (the leaf index
// in the Merkle tree), the exact bytes that were hashed, and the tree hashes
// that became computable when it was appended.
type Leaf struct {
	Seq int64
	// Entry is the event as the exact bytes of the leaf (RFC 6962 leaf input).
	Entry []byte
	// Hashes are the stored hashes of golang.org/x/mod/sumdb/tlog for this leaf,
	// concatenated: the leaf hash first, then one hash per subtree the leaf
	// completed (tlog.StoredHashes), 32 bytes each.
	Hashes []byte
}

// An Opening reveals one private field of an event: the value and the salt of
// its commitment SHA-256(salt ‖ value). Openings are kept apart from the log so
// that erasing one never changes a leaf.
type Opening struct {
	Seq   int64
	Field string
	Salt  []byte
	Value string
}

// ErrFenced is returned by a fenced Append when the appender no longer holds
// the sequencer lease at the epoch it gave: another node has taken over, or
// the lease expired. Nothing is written.
var ErrFenced = errors.New("fenced: not the sequencer at this epoch")

// A Batch is what one durable transaction appends: consecutive leaves starting
// at the log's current size, and the openings of their private fields.
type Batch struct {
	Leaves   []Leaf
	Openings []Opening
	// Keys are the idempotency keys of the commands whose events the batch
	// holds, without their answers, each key once. A key already stored (a
	// request that ran several commands) adds its Count to the stored one.
	Keys []Idempotency
	// Epoch, if not zero, fences the append: it commits only if, within the
	// same transaction, the sequencer lease is held at this epoch and has not
	// expired by the database's clock. Otherwise Append returns ErrFenced.
	Epoch int64
}

// A Lease names the node that sequences the log. The database grants it and
// measures its time with its own clock, so that no node's memory or clock can
// make two sequencers: a node that was paused past its lease finds its appends
// fenced.
type Lease struct {
	Node    string    // the holder's node id
	URL     string    // where the holder takes commands, for forwarding
	Epoch   int64     // grows at every grant that is not a renewal
	Expires time.Time // by the database's clock
}

// A Checkpoint is a signed note (C2SP tlog-checkpoint) for a tree size.
type Checkpoint struct {
	Size int64
	Note []byte
}

// A User is a person or integration that acts on tenfour. The password hash is
// an encoded argon2id hash; it lives here, never in the log.
type User struct {
	Username     string
	Agency       string // "" for an installation-wide administrator
	Roles        []string
	PasswordHash string
	Created      time.Time
	Disabled     bool
	TOTPSecret   string    // the RFC 6238 secret, base32; "" when none is enrolled
	LockedUntil  time.Time // zero when not locked out
}

// A UserUpdate changes the fields of a user that it sets.
type UserUpdate struct {
	PasswordHash *string
	Disabled     *bool
	TOTPSecret   *string
	LockedUntil  *time.Time // a zero time lifts a lock
}

// A Token is an API bearer token, stored as the SHA-256 of its secret.
type Token struct {
	ID       string // public, to list and revoke it by: hex of the hash's first 8 bytes
	Hash     []byte
	Username string
	Name     string   // what it is for, such as "unit 1A12 tablet"
	Roles    []string // the roles it carries, a subset of its user's; none: all of them
	Created  time.Time
	Expires  time.Time // zero: never
	Revoked  bool
	LastUsed time.Time // zero: never used
}

// A Session is a signed-in browser, stored as the SHA-256 of its cookie.
type Session struct {
	Hash     []byte
	Username string
	Created  time.Time
	LastSeen time.Time
	Expires  time.Time // the absolute end, whatever the activity
}

// A Photo is an image kept by its content (a BOLO's photo): Hash is the
// SHA-256 of Data, and names it in the log.
type Photo struct {
	Hash    []byte
	Type    string // its media type, such as "image/jpeg"
	Data    []byte
	Created time.Time
}

// An Idempotency is the durable record of a command done under an
// Idempotency-Key (IETF draft "The Idempotency-Key HTTP Header Field"). The
// ledger writes it in the transaction that makes the command's events
// durable (Batch.Keys), so that "the events are durable" and "the key is
// known" never disagree, whichever node takes over the log. The server adds
// its answer afterwards, when it has one; a record without an answer is a
// command whose answer was lost. Nothing of it enters the log.
type Idempotency struct {
	// Key is the SHA-256 of the caller's identity and the key it sent.
	Key []byte
	// Fingerprint is the SHA-256 of the request (method, path and body).
	Fingerprint []byte
	// First is the sequence number of the command's first event; Count is
	// the number of its events.
	First int64
	Count int64
	// Created is when its request came, by the clock of the server that
	// times keys.
	Created time.Time
	// Status, Header and Body are the answer, once stored; Status is 0
	// while none is.
	Status int
	Header map[string][]string
	Body   []byte
}
