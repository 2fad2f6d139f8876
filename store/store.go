// Package store declares how tenfour keeps its data: the event log with the
// Merkle tree's stored hashes beside each event, the openings of private fields,
// the signed checkpoints, and the credentials that must never enter the log.
//
// Implementations live in sub-packages named for their database
// (store/sqlite, the embedded default; store/postgres, shared by several
// nodes) and all pass the conformance suite in store/storetest.
package store

import (
	"context"
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

// Store is everything tenfour persists. Every method is safe for concurrent use.
type Store interface {
	// LogSize returns the number of leaves in the log.
	LogSize(ctx context.Context) (int64, error)
	// Append durably appends a batch in one transaction and returns only once
	// the transaction is on disk. The first leaf's Seq must equal LogSize and the
	// leaves must be consecutive; otherwise it returns ErrConflict and writes
	// nothing.
	Append(ctx context.Context, b Batch) error
	// ReadEntries returns the entry bytes of leaves [start, end) in order.
	// It returns ErrNotFound if any of them is missing.
	ReadEntries(ctx context.Context, start, end int64) ([][]byte, error)
	// ReadHashes returns the stored hashes of each of the given leaves, in the
	// order asked. It returns ErrNotFound if any of them is missing.
	ReadHashes(ctx context.Context, seqs []int64) ([][]byte, error)
	// ScanLeaves calls fn for every leaf from start on, in order.
	ScanLeaves(ctx context.Context, start int64, fn func(Leaf) error) error

	// ReadOpenings returns the openings of the given leaves' private fields.
	// Erased openings are simply absent.
	ReadOpenings(ctx context.Context, seqs []int64) ([]Opening, error)
	// ScanOpenings calls fn for every opening, ordered by sequence number.
	ScanOpenings(ctx context.Context, fn func(Opening) error) error
	// EraseOpening deletes one opening (retention, expungement). The leaf and
	// its commitment are untouched. It returns ErrNotFound if there is none.
	EraseOpening(ctx context.Context, seq int64, field string) error

	// SaveCheckpoint durably records a signed checkpoint. Sizes must grow:
	// saving a size not larger than the latest one returns ErrConflict.
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
	// LatestCheckpoint returns the checkpoint with the largest size, or
	// ErrNotFound when none was ever saved.
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)

	// AcquireLease grants node the sequencer lease for ttl if the lease is
	// free or expired (with a new, larger epoch), or renews it if node holds
	// it unexpired (same epoch). If another node holds it unexpired, it
	// returns that lease and ErrConflict.
	AcquireLease(ctx context.Context, node, url string, ttl time.Duration) (Lease, error)
	// CurrentLease returns the lease as it stands (perhaps expired), or
	// ErrNotFound if none was ever granted.
	CurrentLease(ctx context.Context) (Lease, error)
	// ReleaseLease ends node's lease at epoch at once, if it still holds it,
	// so that another node need not wait for it to expire.
	ReleaseLease(ctx context.Context, node string, epoch int64) error
	// Changes returns a channel that receives a value (coalesced) whenever
	// another connection may have appended to the log, until ctx is done. A
	// store with no such notification returns nil; callers then poll.
	Changes(ctx context.Context) <-chan struct{}

	// Meta returns a stored setting, or ErrNotFound.
	Meta(ctx context.Context, key string) (string, error)
	// SetMeta stores a setting, replacing any earlier value.
	SetMeta(ctx context.Context, key, value string) error

	// CreateUser stores a new user, or returns ErrConflict if the name is taken.
	CreateUser(ctx context.Context, u User) error
	// User returns the named user, or ErrNotFound.
	User(ctx context.Context, username string) (User, error)
	// UpdateUser changes the fields u sets and returns the user as it now
	// is, or ErrNotFound.
	UpdateUser(ctx context.Context, username string, u UserUpdate) (User, error)
	// ListUsers returns every user, ordered by name.
	ListUsers(ctx context.Context) ([]User, error)

	// AddLoginFailure records a failed sign-in of username at a time.
	AddLoginFailure(ctx context.Context, username string, at time.Time) error
	// CountLoginFailures counts username's failures at or after since.
	CountLoginFailures(ctx context.Context, username string, since time.Time) (int, error)
	// ClearLoginFailures forgets username's failures.
	ClearLoginFailures(ctx context.Context, username string) error

	// CreateToken stores a token (by its hash). Its ID must be unique.
	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns the token whose secret hashes to h, or ErrNotFound.
	TokenByHash(ctx context.Context, h []byte) (Token, error)
	// ListTokens returns username's tokens (everyone's for ""), newest first.
	ListTokens(ctx context.Context, username string) ([]Token, error)
	// RevokeToken revokes the token with the id, or returns ErrNotFound.
	RevokeToken(ctx context.Context, id string) error
	// TouchToken records that the token was used at a time.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash returns the session whose cookie hashes to h, or ErrNotFound.
	SessionByHash(ctx context.Context, h []byte) (Session, error)
	// TouchSession records activity of a session at a time.
	TouchSession(ctx context.Context, h []byte, at time.Time) error
	// DeleteSession ends a session; ending one that does not exist is no error.
	DeleteSession(ctx context.Context, h []byte) error
	// DeleteUserSessions ends every session of username.
	DeleteUserSessions(ctx context.Context, username string) error

	// PutPhoto stores a photo under its hash. Storing the same hash again
	// is no error and changes nothing: the first bytes stay.
	PutPhoto(ctx context.Context, p Photo) error
	// Photo returns the photo with the hash, or ErrNotFound.
	Photo(ctx context.Context, hash []byte) (Photo, error)

	// Close releases the store's resources.
	Close() error
}
