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

// ErrFull is returned, wrapped around the database's own error, by a write
// that failed because the storage is full (SQLite's SQLITE_FULL,
// PostgreSQL's 53100 disk_full). Nothing of the failed
// transaction is written; the same write succeeds once space is freed.
var ErrFull = errors.New("storage full")

// A Batch is what one durable transaction appends: consecutive leaves starting
// at the log's current size, and the openings of their private fields.
type Batch struct {
	Leaves   []Leaf
	Openings []Opening
	// Keys are the idempotency keys of the commands whose events the batch
	// holds, without their answers, each key once. A key already stored (a
	// request that ran several commands) adds its Count to the stored one.
	Keys []Idempotency
	// Subjects index the leaves' events by subject (Subject); Archive are
	// the records archived by the batch's events (Archived). Both are
	// written in the batch's transaction.
	Subjects []Subject
	Archive  []Archived
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

// A Subject names one event's subject ("incident", "metro-2026-000001") for
// the index that finds a record's events without holding every record in
// memory. The ledger writes the subjects of a batch's events in the batch's
// transaction (Batch.Subjects), so the index never disagrees with the log.
type Subject struct {
	Kind string
	ID   string
	Seq  int64
}

// An Archived record is a closed record (an incident, an assistance
// request, a message, a BOLO) that has left the live state after its
// retention window: what history queries read. It is a projection of the
// log, written in the transaction of the event that archived it
// (Batch.Archive), and could be rebuilt from the log. Writing a record
// that is already archived replaces it.
type Archived struct {
	Kind     string   // "incident", "request", "message", "bolo"
	ID       string   // the record's id
	Agency   string   // the agency that owns it
	Agencies []string // every agency it involves (the owner first): who may be shown it is decided on its Doc
	Type     string   // its type (an incident's type code, a request's priority, …)
	Opened   time.Time
	Closed   time.Time
	Address  string   // the normalised address of its place, "" when it has none
	Lat, Lon *float64 // its point, nil when it has none
	Units    []string // the units that took part
	Seq      int64    // the sequence number of the event that archived it
	Doc      []byte   // the record as the domain encodes it (JSON)
}

// An ArchiveQuery selects archived records, newest Opened first (then by
// ID, descending). Every set field narrows the selection.
type ArchiveQuery struct {
	Kind     string
	Agencies []string  // the owner or an involved agency is one of these; empty: any
	From, To time.Time // Opened in [From, To); a zero bound is open
	Type     string
	Unit     string
	Address  string // the normalised address, exactly
	// Lat, Lon and RadiusM select a box that holds the circle; the caller
	// checks the distance itself.
	Lat, Lon *float64
	RadiusM  float64
	// Before, if set, is the cursor of a page: only records that sort after
	// it (older Opened, or the same Opened and a smaller ID).
	Before *ArchiveCursor
	Limit  int // at most this many; zero or less means 100
}

// An ArchiveCursor is where a page of an ArchiveQuery ended.
type ArchiveCursor struct {
	Opened time.Time
	ID     string
}

// A Snapshot is the encoded dispatch state after the first Size events of
// the log, bound to the root of the tree of that size: a node starts from
// the latest snapshot that matches its log and replays only the events
// after it. Format names the encoding, so that a node never decodes a
// snapshot written in a form it does not know.
type Snapshot struct {
	Size    int64
	Root    []byte // the tree hash of the first Size events (tlog.Hash)
	Format  string
	Data    []byte
	Created time.Time
}

// A Webhook is a subscription of a partner system's URL to the events of an
// agency (package webhook). The secret signs its deliveries, so it is kept
// here and never in the log, as a token's hash is.
type Webhook struct {
	ID      string
	Agency  string
	URL     string
	Events  []string // event types, "noun.*" prefixes or "*"
	Secret  []byte   // the HMAC-SHA256 key of its signatures
	Created time.Time
	// Next is the subscription's place in its outbox: the sequence number
	// of the first event of the log it has neither delivered nor skipped.
	Next int64
	// FailingSince is when the event it is stuck on first failed to be
	// delivered; zero while deliveries succeed.
	FailingSince time.Time
}

// A WebhookDelivery is the outcome of sending one event to one
// subscription: how often it was tried, the last answer, and when it is
// tried next.
type WebhookDelivery struct {
	Webhook   string
	Seq       int64
	Type      string
	Attempts  int
	Status    int    // the HTTP status of the last attempt; 0 if none came
	Error     string // why the last attempt failed; "" once delivered
	First     time.Time
	Last      time.Time
	Next      time.Time // the next attempt; zero once delivered
	Delivered bool
}
