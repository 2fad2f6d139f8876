package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenfour-cad/tenfour/store"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrClosed is returned by appends to a log that is closing or closed.
var ErrClosed = errors.New("ledger closed")

// Config says how to open a Log.
type Config struct {
	Store Store
	Key   *Key // signs checkpoints; its name is the log's origin
	// CheckpointInterval is the least time between two checkpoints while
	// events arrive. Zero means one second.
	CheckpointInterval time.Duration
	// MaxBatch bounds the leaves of one commit. Zero means 4096.
	MaxBatch int
	Logger   *slog.Logger
	// Node identifies this process for the sequencer lease; URL is where it
	// takes commands, for other nodes to forward to. Node "" means "local".
	Node string
	URL  string
	// LeaseTTL is how long the sequencer lease lasts unless renewed; the
	// sequencer renews it every third of that. Zero means five seconds.
	LeaseTTL time.Duration
	// PollInterval is how often a follower looks for new events when the
	// store does not notify it. Zero means 100 ms.
	PollInterval time.Duration
	// OnCommit, if set, is called with every committed group of Enqueue
	// calls, in log order, from one goroutine, once they are durable and
	// before any of their Wait calls returns: what it makes visible is seen by
	// whoever the appender answers. It must not block long.
	OnCommit func([]*Pending)
	// Snapshots, SnapshotFormat and Restore let Open start from a snapshot
	// of the replay function's state instead of replaying every event
	// (snapshot.go). Restore is handed the latest snapshot of
	// SnapshotFormat that binds to the log, before any event is replayed;
	// it must replace the caller's state whole, or leave it as it was and
	// return an error, which refuses the snapshot. Nil Snapshots or Restore
	// replays the whole log.
	Snapshots      Snapshots
	SnapshotFormat string
	Restore        func(store.Snapshot) error
	// OnReset, if set, is called when this node gives up events it
	// sequenced but could not commit, because another node took the lease
	// or appended: every event handed to Enqueue beyond the first durable
	// ones is void, and their Wait returns an error wrapping
	// store.ErrFenced. It is called from one goroutine, after the last
	// OnCommit, before any of those Wait calls returns, and before the
	// node reads another node's events.
	OnReset func(durable int64)
	// SlowCommit is how long a commit may go unanswered before the log
	// refuses new events as unavailable (Degraded). Zero means
	// DefaultSlowCommit.
	SlowCommit time.Duration
	// Guard keeps a restored store from forking the log (hold.go).
	Guard Guard
}

// A Replayed event is handed to Open's replay function for each stored event.
type Replayed struct {
	Entry    Entry
	Raw      []byte
	Openings map[string]string // private field → plaintext, for openings not erased
}

// Log is a durable, verifiable, append-only event log. Appends from many
// goroutines are sequenced in the order Enqueue is called and committed in
// groups: one transaction, one fsync, for all the events that arrived while the
// previous commit was on its way to disk.
type Log struct {
	st       Store
	signer   note.Signer
	verifier note.Verifier
	vkey     string
	key      *Key
	origin   string
	every    time.Duration
	maxBatch int
	logger   *slog.Logger
	onCommit func([]*Pending)
	onReset  func(durable int64)
	slow     time.Duration
	onCP     func(note []byte)

	held     *HoldError // set at Open: this node never takes the lease
	rollback *Rollback  // a published checkpoint beyond the stored log

	node   string
	url    string
	ttl    time.Duration
	poll   time.Duration
	replay func(Replayed) error // folds a stored event into the caller's state

	snaps      Snapshots                  // nil: no snapshots
	snapFormat string                     // the format Restore reads and SaveSnapshot writes
	restore    func(store.Snapshot) error // nil: start by replaying every event
	check      verification               // the background check of the events before the snapshot

	lease atomic.Pointer[store.Lease] // the lease as last seen

	mu         sync.Mutex        // guards the sequencing state below
	sequencing bool              // this node holds the lease and may append
	epoch      int64             // the lease epoch that fences this node's appends
	next       int64             // the next sequence number to assign
	front      frontier          // tree hashes at the right edge, including queued leaves
	queue      []*Pending        // sequenced, not yet committed
	committing []*Pending        // taken off the queue, their commit not yet settled
	failed     error             // set once; then every append fails
	degraded   *UnavailableError // set while the store refuses commits
	renewFault *UnavailableError // set while the store refuses or misses renewals of the lease
	degradedAt time.Time
	watch      int64 // counts appendWatched's appends, for its timer

	// grantedAt is when the lease this node holds was last asked for and
	// granted (Decides).
	grantedAt time.Time

	// applyMu serialises what changes the caller's state from the log: a
	// commit round (OnCommit), a follower's reading (replay) and a reset
	// (OnReset). dfront is the frontier at the durable size, for a reset.
	applyMu sync.Mutex
	dfront  frontier

	kick    chan struct{} // wakes the committer
	durable atomic.Int64  // the number of leaves known to be on disk

	cpMu sync.Mutex // serialises checkpointing
	cp   atomic.Pointer[signedCheckpoint]

	fatal     chan struct{} // closed when the log fails
	stop      chan struct{}
	closeOnce sync.Once
	closeErr  error
	committer sync.WaitGroup
	checker   sync.WaitGroup
	ticker    sync.WaitGroup
	role      sync.WaitGroup
}

type signedCheckpoint struct {
	Checkpoint
	note []byte
	at   time.Time // when this node signed it, or verified and took it up
}

// A Pending is a group of events sequenced by one Enqueue call.
type Pending struct {
	// First is the sequence number of the first event.
	First int64
	// Entries are the leaf bytes of the events.
	Entries [][]byte
	// Tag is what the appender attached (EnqueueTagged), handed back to
	// OnCommit.
	Tag      any
	key      *store.Idempotency // the idempotency key the group answers, or nil
	subjects []store.Subject    // the group's subject index (Beside.Subjects)
	archive  []store.Archived   // the records its events archive (Beside.Archive)
	hashes   [][]byte           // each entry's stored tree hashes
	openings []store.Opening
	err      error
	done     chan struct{}
	log      *Log
}

// Wait blocks until the events are on disk, or the commit failed: with
// store.ErrFenced when another node took over the log before they were
// committed (they never will be), or with an *UnavailableError when the log
// closed while the store did not answer.
func (p *Pending) Wait() error {
	<-p.done
	return p.err
}

// Done is closed once the events are on disk, or the commit failed (Wait
// then says which).
func (p *Pending) Done() <-chan struct{} { return p.done }

// Open checks the stored log and opens it for appending. It recomputes every
// stored hash from the events' bytes, checks that the tree matches the last
// signed checkpoint, and refuses, with an *IntegrityError naming the first bad
// event, when anything differs. replay, if not nil, is called with every event
// in order, so the caller can rebuild its state in the same pass. With
// snapshots (Config.Restore), Open starts from the latest snapshot that
// binds to the log and replays the events after it; the events before it
// are checked in the background (Verification).
func Open(ctx context.Context, cfg Config, replay func(Replayed) error) (*Log, error) {
	if cfg.Store == nil || cfg.Key == nil {
		return nil, errors.New("open ledger: a store and a key are required")
	}
	l := &Log{
		st:       cfg.Store,
		signer:   cfg.Key.Signer,
		verifier: cfg.Key.Verifier,
		vkey:     cfg.Key.Text,
		key:      cfg.Key,
		origin:   cfg.Key.Signer.Name(),
		every:    cfg.CheckpointInterval,
		maxBatch: cfg.MaxBatch,
		logger:   cfg.Logger,
		onCommit: cfg.OnCommit,
		onReset:  cfg.OnReset,
		slow:     cfg.SlowCommit,
		onCP:     cfg.Guard.OnCheckpoint,
		node:     cfg.Node,
		url:      cfg.URL,
		ttl:      cfg.LeaseTTL,
		poll:     cfg.PollInterval,
		replay:   replay,
		kick:     make(chan struct{}, 1),
		fatal:    make(chan struct{}),
		stop:     make(chan struct{}),
	}
	l.snaps, l.snapFormat, l.restore = cfg.Snapshots, cfg.SnapshotFormat, cfg.Restore
	if l.every <= 0 {
		l.every = time.Second
	}
	if l.maxBatch <= 0 {
		l.maxBatch = 4096
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	if l.node == "" {
		l.node = "local"
	}
	if l.ttl <= 0 {
		l.ttl = 5 * time.Second
	}
	if l.poll <= 0 {
		l.poll = 100 * time.Millisecond
	}
	if l.slow <= 0 {
		l.slow = DefaultSlowCommit
	}
	if err := l.checkKey(ctx); err != nil {
		return nil, err
	}
	if err := l.load(ctx, replay); err != nil {
		return nil, err
	}
	if err := l.checkPublished(ctx, l.durable.Load(), cfg.Guard); err != nil {
		return nil, err
	}
	// Lead at once if the lease is free, so that a single node takes commands
	// as soon as Open returns; otherwise follow the sequencer. A held node
	// never leads.
	if l.held == nil {
		if err := l.tryLead(ctx); err != nil {
			return nil, err
		}
	}
	if l.IsSequencer() && (l.cp.Load() == nil || l.durable.Load() > l.cp.Load().Size) {
		if err := l.Checkpoint(ctx); err != nil {
			return nil, err
		}
	}
	l.committer.Add(1)
	go l.commitLoop()
	l.ticker.Add(1)
	go l.checkpointLoop()
	l.role.Add(1)
	go l.roleLoop()
	l.startCheck()
	return l, nil
}

// checkKey binds the store to one signing key: a log signed by one key is
// never silently continued under another.
func (l *Log) checkKey(ctx context.Context) error {
	vkey := l.vkey
	got, err := l.st.Meta(ctx, "log.key")
	if errors.Is(err, store.ErrNotFound) {
		size, err := l.st.LogSize(ctx)
		if err != nil {
			return fmt.Errorf("open ledger: %w", err)
		}
		if size > 0 {
			return &IntegrityError{Seq: -1, Reason: "the store holds events but no record of the key that signs them"}
		}
		return l.st.SetMeta(ctx, "log.key", vkey)
	}
	if err != nil {
		return fmt.Errorf("open ledger: %w", err)
	}
	if got != vkey {
		return fmt.Errorf("open ledger: this store's log is signed by key %q, not by the key given (%q)", got, vkey)
	}
	return nil
}

func (l *Log) load(ctx context.Context, replay func(Replayed) error) error {
	began := time.Now()
	cp, err := l.storedCheckpoint(ctx)
	if err != nil {
		return err
	}
	// Start from the latest snapshot that binds to this log (snapshot.go),
	// if the caller can restore one; the events before it are re-verified
	// in the background once the log is open.
	var start int64
	if replay != nil && l.restore != nil && l.snaps != nil {
		if start, err = l.restoreSnapshot(ctx, cp); err != nil {
			return err
		}
	}
	n, err := l.replayFrom(ctx, start, cp, replay)
	if err != nil {
		return err
	}
	// Reaching the checkpoint's size in replayFrom checked its root; a
	// snapshot at or beyond it was proven consistent with it.
	if cp != nil && n < cp.Size {
		return &IntegrityError{Seq: n, Reason: fmt.Sprintf("the log ends at %d events but the last signed checkpoint covers %d: events were lost", n, cp.Size)}
	}
	l.next = n
	l.durable.Store(n)
	l.dfront = l.front
	if cp != nil {
		cp.at = time.Now()
		l.cp.Store(cp)
	}
	if err := l.loaded(ctx, start, n, cp); err != nil {
		return err
	}
	l.logger.Info("log loaded", "size", n, "snapshot", start, "replayed", n-start, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// storedCheckpoint returns the latest stored checkpoint, its signature
// verified, or nil when none was ever signed.
func (l *Log) storedCheckpoint(ctx context.Context) (*signedCheckpoint, error) {
	c, err := l.st.LatestCheckpoint(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	parsed, err := OpenCheckpoint(c.Note, l.verifier)
	if err != nil {
		return nil, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("last stored checkpoint: %v", err)}
	}
	if parsed.Size != c.Size {
		return nil, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("checkpoint stored as size %d says %d", c.Size, parsed.Size)}
	}
	return &signedCheckpoint{Checkpoint: parsed, note: c.Note}, nil
}

// loadPage is how many leaves, with their openings, load reads at a time:
// memory at start grows with a page, not with the log.
const loadPage = 4096

// replayFrom verifies the stored leaves from start to the end of the log
// against the tree on the frontier (which must hold the tree of size
// start), checks the tree's root against the signed checkpoint cp when it
// reaches cp's size, and hands each event with its openings to replay. It
// returns the log's size.
func (l *Log) replayFrom(ctx context.Context, start int64, cp *signedCheckpoint, replay func(Replayed) error) (int64, error) {
	n := start
	for {
		leaves, err := readLeaves(ctx, l.st, n, loadPage)
		if err != nil {
			return n, fmt.Errorf("open ledger: %w", err)
		}
		var openings map[int64]map[string]string
		if replay != nil {
			if openings, err = readOpenings(ctx, l.st, leaves); err != nil {
				return n, fmt.Errorf("open ledger: %w", err)
			}
		}
		for _, leaf := range leaves {
			e, hashes, err := l.verifyLeaf(n, leaf)
			if err != nil {
				return n, err
			}
			l.front.add(n, hashes)
			n++
			if cp != nil && n == cp.Size {
				root, err := tlog.TreeHash(n, &l.front)
				if err != nil {
					return n, fmt.Errorf("open ledger: %w", err)
				}
				if root != cp.Root {
					return n, &IntegrityError{Seq: -1, Reason: fmt.Sprintf("the first %d events do not hash to the root of the last signed checkpoint", n)}
				}
			}
			if replay != nil {
				if err := replay(Replayed{Entry: e, Raw: leaf.Entry, Openings: openings[e.Seq]}); err != nil {
					return n, fmt.Errorf("replay event %d (%s): %w", e.Seq, e.Type, err)
				}
			}
		}
		if len(leaves) < loadPage {
			return n, nil
		}
	}
}

// readLeaves returns up to max stored leaves from seq from on.
func readLeaves(ctx context.Context, st Store, from int64, max int) ([]store.Leaf, error) {
	var leaves []store.Leaf
	err := st.ScanLeaves(ctx, from, func(leaf store.Leaf) error {
		leaves = append(leaves, leaf)
		if len(leaves) == max {
			return errPage
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPage) {
		return nil, fmt.Errorf("read leaves from %d: %w", from, err)
	}
	return leaves, nil
}

// readOpenings returns the openings of the leaves' private fields, by
// sequence number and field.
func readOpenings(ctx context.Context, st Store, leaves []store.Leaf) (map[int64]map[string]string, error) {
	if len(leaves) == 0 {
		return nil, nil
	}
	seqs := make([]int64, len(leaves))
	for i, leaf := range leaves {
		seqs[i] = leaf.Seq
	}
	os, err := st.ReadOpenings(ctx, seqs)
	if err != nil {
		return nil, fmt.Errorf("read openings of %d-%d: %w", seqs[0], seqs[len(seqs)-1], err)
	}
	m := make(map[int64]map[string]string)
	for _, o := range os {
		if m[o.Seq] == nil {
			m[o.Seq] = make(map[string]string)
		}
		m[o.Seq][o.Field] = o.Value
	}
	return m, nil
}

// verifyLeaf checks stored leaf n against the tree so far (the frontier):
// its position, its hashes recomputed from its bytes, its form and its own
// sequence number. It returns the parsed entry and the leaf's stored hashes,
// which the caller adds to the frontier.
func (l *Log) verifyLeaf(n int64, leaf store.Leaf) (Entry, []tlog.Hash, error) {
	return verifyLeafOn(&l.front, n, leaf)
}

// verifyLeafOn is verifyLeaf against the tree on frontier f.
func verifyLeafOn(f *frontier, n int64, leaf store.Leaf) (Entry, []tlog.Hash, error) {
	if leaf.Seq != n {
		return Entry{}, nil, &IntegrityError{Seq: n, Reason: "missing from the store"}
	}
	hashes, err := tlog.StoredHashes(n, leaf.Entry, f)
	if err != nil {
		return Entry{}, nil, fmt.Errorf("event %d: %w", n, err)
	}
	if want := joinHashes(hashes); !bytes.Equal(want, leaf.Hashes) {
		if !bytes.Equal(want[:tlog.HashSize], leaf.Hashes[:min(len(leaf.Hashes), tlog.HashSize)]) {
			return Entry{}, nil, &IntegrityError{Seq: n, Reason: "its stored bytes do not match its leaf hash (the event was altered)"}
		}
		return Entry{}, nil, &IntegrityError{Seq: n, Reason: "its stored tree hashes do not match the tree recomputed from the events"}
	}
	e, err := ParseEntry(leaf.Entry)
	if err != nil {
		return Entry{}, nil, &IntegrityError{Seq: n, Reason: err.Error()}
	}
	if e.Seq != n {
		return Entry{}, nil, &IntegrityError{Seq: n, Reason: fmt.Sprintf("the entry says it is event %d", e.Seq)}
	}
	return e, hashes, nil
}

// Origin returns the log's origin, the name in its checkpoints.
func (l *Log) Origin() string { return l.origin }

// Verifier returns the key that verifies the log's checkpoints.
func (l *Log) Verifier() note.Verifier { return l.verifier }

// VerifierKey returns the verifier key in note format ("name+hash+key").
func (l *Log) VerifierKey() string { return l.vkey }

// Size returns the number of events on disk.
func (l *Log) Size() int64 { return l.durable.Load() }

// Head returns the number of events in the store, which on a follower may be
// more than it has read and verified (Size): the difference is its lag.
func (l *Log) Head(ctx context.Context) (int64, error) {
	n, err := l.st.LogSize(ctx)
	if err != nil {
		return 0, fmt.Errorf("log head: %w", err)
	}
	return n, nil
}

// Failed is closed when the log has failed and accepts no more appends.
func (l *Log) Failed() <-chan struct{} { return l.fatal }

// Err returns why the log failed, or nil.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed
}

// Enqueue sequences records: it assigns their sequence numbers, builds their
// leaves and tree hashes, and queues them for the next commit. The order of
// Enqueue calls is the order of the log. Wait on the result before
// acknowledging anything: the records are not yet durable.
func (l *Log) Enqueue(recs []Record) (*Pending, error) {
	return l.EnqueueTagged(recs, nil)
}

// EnqueueTagged is Enqueue with a tag that OnCommit receives with the
// committed group.
func (l *Log) EnqueueTagged(recs []Record, tag any) (*Pending, error) {
	return l.EnqueueKeyed(recs, tag, nil)
}

// EnqueueKeyed is EnqueueTagged for the records of a request made under an
// idempotency key: key (its Key, Fingerprint and Created) is written with
// the records, in the transaction that makes them durable, its First and
// Count set to theirs. A group with no records writes no key.
func (l *Log) EnqueueKeyed(recs []Record, tag any, key *store.Idempotency) (*Pending, error) {
	return l.EnqueueWith(recs, tag, Beside{Key: key})
}

// Beside is what a group of records writes beside its leaves, in the
// transaction that makes them durable (store.Batch).
type Beside struct {
	// Key is the idempotency key the group answers (EnqueueKeyed).
	Key *store.Idempotency
	// Subjects index the group's records by subject; each one's Seq is
	// the index of its record in the group, made the record's sequence
	// number when the group is sequenced.
	Subjects []store.Subject
	// Archive are the records the group's events archive; each one's Seq
	// is likewise the index of the record that archives it.
	Archive []store.Archived
}

// EnqueueWith is EnqueueTagged with what is written beside the records.
func (l *Log) EnqueueWith(recs []Record, tag any, with Beside) (*Pending, error) {
	key := with.Key
	for _, s := range with.Subjects {
		if s.Seq < 0 || s.Seq >= int64(len(recs)) {
			return nil, fmt.Errorf("subject %s/%s indexes record %d of %d", s.Kind, s.ID, s.Seq, len(recs))
		}
	}
	for _, a := range with.Archive {
		if a.Seq < 0 || a.Seq >= int64(len(recs)) {
			return nil, fmt.Errorf("archived %s %s by record %d of %d", a.Kind, a.ID, a.Seq, len(recs))
		}
	}
	type prepared struct {
		body  []byte
		opens []store.Opening
	}
	// Commitments and encoding need randomness, hashing and reflection; do
	// them before taking the lock, which only numbers and hashes the leaves.
	prep := make([]prepared, len(recs))
	for i, r := range recs {
		var private map[string]string
		if len(r.Private) > 0 {
			private = make(map[string]string, len(r.Private))
			for f, v := range r.Private {
				salt := NewSalt()
				private[f] = formatCommitment(Commit(salt, v))
				prep[i].opens = append(prep[i].opens, store.Opening{Field: f, Salt: salt, Value: v})
			}
		}
		body, err := encodeBody(r, private)
		if err != nil {
			return nil, err
		}
		prep[i].body = body
	}
	p := &Pending{Tag: tag, done: make(chan struct{}), log: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed != nil {
		return nil, l.failed
	}
	if !l.sequencing {
		return nil, &NotSequencerError{Lease: l.lease.Load()}
	}
	if l.degraded != nil {
		// Refused before it is sequenced: the caller's state is unchanged.
		return nil, l.degraded
	}
	p.First = l.next
	if len(recs) == 0 {
		// Nothing to commit: the committer must never see an empty batch.
		close(p.done)
		return p, nil
	}
	front := l.front // roll back on error
	for i := range recs {
		seq := l.next + int64(i)
		b := withSeq(seq, prep[i].body)
		hashes, err := tlog.StoredHashes(seq, b, &l.front)
		if err != nil {
			l.front = front
			return nil, fmt.Errorf("sequence event %d: %w", seq, err)
		}
		l.front.add(seq, hashes)
		p.Entries = append(p.Entries, b)
		p.hashes = append(p.hashes, joinHashes(hashes))
		for _, o := range prep[i].opens {
			o.Seq = seq
			p.openings = append(p.openings, o)
		}
	}
	if key != nil {
		k := *key
		k.First, k.Count = p.First, int64(len(recs))
		p.key = &k
	}
	p.subjects = make([]store.Subject, len(with.Subjects))
	for i, s := range with.Subjects {
		s.Seq += p.First
		p.subjects[i] = s
	}
	p.archive = make([]store.Archived, len(with.Archive))
	for i, a := range with.Archive {
		a.Seq += p.First
		p.archive[i] = a
	}
	l.next += int64(len(recs))
	l.queue = append(l.queue, p)
	select {
	case l.kick <- struct{}{}:
	default:
	}
	return p, nil
}

// Append sequences records and waits until they are durable.
func (l *Log) Append(recs []Record) (*Pending, error) {
	p, err := l.Enqueue(recs)
	if err != nil {
		return nil, err
	}
	return p, p.Wait()
}

func (l *Log) commitLoop() {
	defer l.committer.Done()
	for {
		select {
		case <-l.kick:
		case <-l.stop:
			l.commitQueued() // drain: everything enqueued before Close commits
			return
		}
		if !l.commitQueued() {
			return
		}
	}
}

// commitQueued commits everything queued, in batches of at most maxBatch
// leaves. It reports false once the log has failed.
func (l *Log) commitQueued() bool {
	for {
		l.applyMu.Lock()
		ok, more := l.commitNext()
		l.applyMu.Unlock()
		if !ok || !more {
			return ok
		}
	}
}

// commitNext takes the next batch off the queue and commits it
// (commitBatch). more is false when the queue was empty.
func (l *Log) commitNext() (ok, more bool) {
	l.mu.Lock()
	var take []*Pending
	leaves := 0
	for len(l.queue) > 0 && (leaves == 0 || leaves+len(l.queue[0].Entries) <= l.maxBatch) {
		take = append(take, l.queue[0])
		leaves += len(l.queue[0].Entries)
		l.queue = l.queue[1:]
	}
	l.committing = take
	l.mu.Unlock()
	if len(take) == 0 {
		return true, false
	}
	defer l.settled() // landed, lost or abandoned: not committing any more
	b := store.Batch{Leaves: make([]store.Leaf, 0, leaves)}
	keyed := make(map[string]int) // key → its index in b.Keys
	for _, p := range take {
		b.Openings = append(b.Openings, p.openings...)
		b.Subjects = append(b.Subjects, p.subjects...)
		b.Archive = append(b.Archive, p.archive...)
		if p.key == nil {
			continue
		}
		// A store writes each key once per batch: a request's second
		// command in the same batch adds its events to the first's.
		if i, ok := keyed[string(p.key.Key)]; ok {
			b.Keys[i].Count += p.key.Count
			continue
		}
		keyed[string(p.key.Key)] = len(b.Keys)
		b.Keys = append(b.Keys, *p.key)
	}
	for _, p := range take {
		for i, e := range p.Entries {
			b.Leaves = append(b.Leaves, store.Leaf{Seq: p.First + int64(i), Entry: e, Hashes: p.hashes[i]})
		}
	}
	// A commit is not abandoned half-way by a caller's cancellation: whether
	// it landed is only known once the database answers (commitBatch).
	return l.commitBatch(take, b), true
}

// fail stops the log for good. It is the answer to corruption only (an
// *IntegrityError: the store contradicts the verified log), never to a fault
// that passes (fault.go): the process must restart and reload the log from
// the store.
func (l *Log) fail(err error, taken []*Pending) {
	l.mu.Lock()
	if l.failed == nil {
		l.failed = err
		close(l.fatal)
	}
	l.sequencing = false
	rest := l.queue
	l.queue = nil
	l.mu.Unlock()
	l.logger.Error("ledger failed; restart to reload from the store", "err", err)
	for _, p := range append(taken, rest...) {
		p.err = err
		close(p.done)
	}
}

func (l *Log) checkpointLoop() {
	defer l.ticker.Done()
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if l.Degraded() != nil {
				continue // the store refuses writes; the next tick tries again
			}
			if err := l.Checkpoint(context.Background()); err != nil {
				l.logger.Error("checkpoint", "err", err)
			}
		case <-l.stop:
			return
		case <-l.fatal:
			return
		}
	}
}

// Checkpoint signs a checkpoint for the events on disk if there are more of
// them than the last checkpoint covers. The new tree is first proven
// consistent with the last checkpoint (RFC 6962 section 2.1.2); if it is not,
// nothing is signed and the log fails.
func (l *Log) Checkpoint(ctx context.Context) error {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	if !l.IsSequencer() {
		return nil // the sequencer signs; followers take its checkpoints
	}
	size := l.durable.Load()
	old := l.cp.Load()
	if old != nil && old.Size >= size {
		return nil
	}
	r := storeHashReader{ctx: ctx, st: l.st}
	root, err := tlog.TreeHash(size, r)
	if err != nil {
		return fmt.Errorf("checkpoint %d: root: %w", size, err)
	}
	if old != nil && old.Size > 0 {
		proof, err := tlog.ProveTree(size, old.Size, r)
		if err != nil {
			return fmt.Errorf("checkpoint %d: consistency proof from %d: %w", size, old.Size, err)
		}
		if err := tlog.CheckTree(proof, size, root, old.Size, old.Root); err != nil {
			err = &IntegrityError{Seq: -1, Reason: fmt.Sprintf("tree of size %d is not consistent with signed checkpoint %d: %v", size, old.Size, err)}
			l.fail(err, nil)
			return err
		}
	}
	c := Checkpoint{Origin: l.origin, Size: size, Root: root}
	msg, err := SignCheckpoint(c, l.signer)
	if err != nil {
		return err
	}
	if err := l.st.SaveCheckpoint(ctx, store.Checkpoint{Size: size, Note: msg}); err != nil {
		return fmt.Errorf("checkpoint %d: %w", size, err)
	}
	// Kept outside the store before it is served: a checkpoint anyone
	// may have seen is one a restore must not fall short of (hold.go).
	if l.onCP != nil {
		l.onCP(msg)
	}
	l.cp.Store(&signedCheckpoint{Checkpoint: c, note: msg, at: time.Now()})
	return nil
}

// LatestCheckpoint returns the newest signed checkpoint and its note.
// Before the first checkpoint (a follower on a log whose sequencer has not
// yet signed one) it returns a zero Checkpoint and a nil note.
func (l *Log) LatestCheckpoint() (Checkpoint, []byte) {
	cp := l.cp.Load()
	if cp == nil {
		return Checkpoint{Origin: l.origin}, nil
	}
	return cp.Checkpoint, cp.note
}

// CheckpointTime returns when this node signed its newest checkpoint, or
// verified and took it up (at start, or from the sequencer as a follower);
// zero before the first. Metrics show its age: on a log that grows, an age
// well past the checkpoint interval is a sequencer that cannot sign.
func (l *Log) CheckpointTime() time.Time {
	if cp := l.cp.Load(); cp != nil {
		return cp.at
	}
	return time.Time{}
}

// Close stops taking appends, commits what was queued, signs a last
// checkpoint and stops. It does not close the store.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		failed := l.failed != nil
		if !failed {
			l.failed = ErrClosed
		}
		l.mu.Unlock()
		close(l.stop)
		l.committer.Wait()
		l.ticker.Wait()
		l.role.Wait()
		l.checker.Wait()
		select {
		case <-l.fatal:
			return // nothing trustworthy to sign
		default:
		}
		if !failed {
			l.closeErr = l.Checkpoint(context.Background())
			l.mu.Lock()
			seq, epoch := l.sequencing, l.epoch
			l.sequencing = false
			l.mu.Unlock()
			if seq {
				// Hand over at once rather than after the lease runs out.
				l.closeErr = errors.Join(l.closeErr, l.st.ReleaseLease(context.Background(), l.node, epoch))
			}
		}
	})
	return l.closeErr
}

// ReadTile returns a C2SP tlog-tiles resource for the events on disk: a hash
// tile or an entry bundle. It returns store.ErrNotFound for a tile the tree
// does not yet hold at the width asked.
func (l *Log) ReadTile(ctx context.Context, p TilePath) ([]byte, error) {
	size := l.durable.Load()
	level := p.L * TileHeight
	first := p.N * TileWidth
	// Compare in units of the level's hashes: shifting the index left can
	// overflow and wrap onto a hash that exists.
	if p.N > (size>>level)/TileWidth || first+int64(p.W) > size>>level {
		return nil, fmt.Errorf("%s: beyond the tree of size %d: %w", p, size, store.ErrNotFound)
	}
	if p.Entries {
		es, err := l.st.ReadEntries(ctx, first, first+int64(p.W))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return AppendBundle(make([]byte, 0, len(es)*300), es...)
	}
	seqs := make([]int64, p.W)
	pos := make([]int, p.W)
	for i := range seqs {
		seqs[i], pos[i] = hashHome(level, first+int64(i))
	}
	hs, err := readStoredHashes(ctx, l.st, seqs, pos)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return joinHashes(hs), nil
}

// ProveInclusion returns the RFC 6962 inclusion proof of event seq in the tree
// of the given size.
func (l *Log) ProveInclusion(ctx context.Context, size, seq int64) (tlog.RecordProof, error) {
	p, err := tlog.ProveRecord(size, seq, storeHashReader{ctx: ctx, st: l.st})
	if err != nil {
		return nil, fmt.Errorf("prove event %d in tree %d: %w", seq, size, err)
	}
	return p, nil
}

// ProveConsistency returns the RFC 6962 consistency proof between two sizes.
func (l *Log) ProveConsistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	p, err := tlog.ProveTree(newSize, oldSize, storeHashReader{ctx: ctx, st: l.st})
	if err != nil {
		return nil, fmt.Errorf("prove tree %d consistent with %d: %w", newSize, oldSize, err)
	}
	return p, nil
}

// Entries returns the stored bytes of events [start, end).
func (l *Log) Entries(ctx context.Context, start, end int64) ([][]byte, error) {
	return l.st.ReadEntries(ctx, start, end)
}

// Openings returns the openings of the events' private fields, by event.
func (l *Log) Openings(ctx context.Context, seqs []int64) (map[int64][]store.Opening, error) {
	os, err := l.st.ReadOpenings(ctx, seqs)
	if err != nil {
		return nil, err
	}
	m := make(map[int64][]store.Opening)
	for _, o := range os {
		m[o.Seq] = append(m[o.Seq], o)
	}
	for _, v := range m {
		sort.Slice(v, func(i, j int) bool { return v[i].Field < v[j].Field })
	}
	return m, nil
}
