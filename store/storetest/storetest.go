// Package storetest is the conformance suite of tenfour's stores: every
// implementation runs Run unchanged against a real database, as x/mod's
// sumdb/storage.TestStorage does for its storage interface.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/witness"
)

// Store is everything a store implements, as the parts of tenfour that use
// it declare it: the log (ledger.Store), the accounts (auth.Accounts), BOLO
// photos (http.Photos), idempotency keys (http.Keys), the history of what
// is not in memory (engine.History), and what no part calls yet but a
// store must do.
type Store interface {
	ledger.Store
	ledger.Snapshots
	auth.Accounts
	History
	witness.Store
	store.FederationStore

	// PutPhoto stores a photo under its hash. Storing the same hash again
	// is no error and changes nothing: the first bytes stay.
	PutPhoto(ctx context.Context, p store.Photo) error
	// Photo returns the photo with the hash, or store.ErrNotFound.
	Photo(ctx context.Context, hash []byte) (store.Photo, error)

	// CreateWebhook, Webhook, Webhooks, DeleteWebhook,
	// SaveWebhookDeliveries, SetWebhookNext, WebhookDeliveries and
	// PruneWebhookDeliveries keep webhook subscriptions and their outbox
	// (webhook.Store; testWebhooks says what each must do).
	CreateWebhook(ctx context.Context, w store.Webhook) error
	Webhook(ctx context.Context, id string) (store.Webhook, error)
	Webhooks(ctx context.Context, agency string) ([]store.Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	SaveWebhookDeliveries(ctx context.Context, ds ...store.WebhookDelivery) error
	SetWebhookNext(ctx context.Context, id string, next int64) error
	WebhookDeliveries(ctx context.Context, id string, before int64, limit int) ([]store.WebhookDelivery, error)
	PruneWebhookDeliveries(ctx context.Context, id string, keep int) (int64, error)

	// Idempotency returns the record of an idempotency key, with its answer
	// if one was stored, or store.ErrNotFound.
	Idempotency(ctx context.Context, key []byte) (store.Idempotency, error)
	// SaveIdempotencyAnswers stores the answers (Key, Status, Header, Body)
	// of their keys' commands in one transaction; a key with no record is
	// skipped.
	SaveIdempotencyAnswers(ctx context.Context, answers []store.Idempotency) error
	// DeleteIdempotency deletes the keys created before a time and returns
	// how many it deleted.
	DeleteIdempotency(ctx context.Context, before time.Time) (int64, error)

	// EraseOpening deletes one opening (retention, expungement), and every
	// snapshot made after its event, which holds its plaintext. The leaf
	// and its commitment are untouched. It returns store.ErrNotFound if
	// there is none.
	EraseOpening(ctx context.Context, seq int64, field string) error
	// CurrentLease returns the sequencer lease as it stands (perhaps
	// expired), or store.ErrNotFound if none was ever granted.
	CurrentLease(ctx context.Context) (store.Lease, error)
	// Close releases the store's resources.
	Close() error
}

// Run runs the conformance suite. open must return a new, empty store for
// each call and arrange (with t.Cleanup) for it to be closed.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) Store)
	}{
		{"Append", testAppend},
		{"ReadEntries", testReadEntries},
		{"ReadHashes", testReadHashes},
		{"ScanLeaves", testScanLeaves},
		{"Openings", testOpenings},
		{"Checkpoints", testCheckpoints},
		{"Meta", testMeta},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"UpdateUser", testUpdateUser},
		{"ListUsers", testListUsers},
		{"LoginFailures", testLoginFailures},
		{"TokenIDs", testTokenIDs},
		{"TokenFields", testTokenFields},
		{"ListTokens", testListTokens},
		{"RevokeToken", testRevokeToken},
		{"TouchToken", testTouchToken},
		{"Sessions", testSessions},
		{"ConcurrentAppend", testConcurrentAppend},
		{"Lease", testLease},
		{"Fence", testFence},
		{"Photos", testPhotos},
		{"Webhooks", testWebhooks},
		{"WebhookDeliveries", testWebhookDeliveries},
		{"Idempotency", testIdempotency},
		{"Subjects", testSubjects},
		{"Archive", testArchive},
		{"ArchiveAtomic", testArchiveAtomic},
		{"QueryArchive", testQueryArchive},
		{"ArchivePaging", testArchivePaging},
		{"ArchiveLimit", testArchiveLimit},
		{"ArchiveEmpty", testArchiveEmpty},
		{"SubjectFill", testSubjectFill},
		{"Snapshots", testSnapshots},
		{"WitnessedLogs", testWitnessedLogs},
		{"WitnessSwapRace", testWitnessSwapRace},
		{"ForkEvidence", testForkEvidence},
		{"Cosigned", testCosigned},
		{"FederationReceipts", testFederationReceipts},
		{"FederationReceiptRace", testFederationReceiptRace},
		{"FederationOutbox", testFederationOutbox},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Entry returns the entry bytes the suite stores for leaf seq. They hold a
// zero byte and bytes that are not UTF-8, so a store that is not byte-exact
// fails.
func Entry(seq int64) []byte {
	return fmt.Appendf(nil, "{\"seq\":%d,\"raw\":\"\x00\xff\xfe\"}", seq)
}

// Hashes returns the stored hashes the suite stores for leaf seq: as many
// 32-byte hashes as tlog.StoredHashes gives that leaf (one, plus one per
// subtree it completes), each different from every other leaf's.
func Hashes(seq int64) []byte {
	n := 1 + bits.TrailingZeros64(^uint64(seq))
	var b []byte
	for i := range n {
		h := sha256.Sum256(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, uint64(seq)), uint64(i)))
		b = append(b, h[:]...)
	}
	return b
}

// Leaves returns the suite's leaves [start, end).
func Leaves(start, end int64) []store.Leaf {
	var ls []store.Leaf
	for s := start; s < end; s++ {
		ls = append(ls, store.Leaf{Seq: s, Entry: Entry(s), Hashes: Hashes(s)})
	}
	return ls
}

func mustAppend(tb testing.TB, st Store, b store.Batch) {
	tb.Helper()
	if err := st.Append(context.Background(), b); err != nil {
		tb.Fatalf("Append(%d leaves, %d openings) = %v, want nil", len(b.Leaves), len(b.Openings), err)
	}
}

func mustLogSize(tb testing.TB, st Store) int64 {
	tb.Helper()
	n, err := st.LogSize(context.Background())
	if err != nil {
		tb.Fatalf("LogSize() = %v", err)
	}
	return n
}

// checkEntries fails unless the log holds exactly the suite's leaves [0, n).
func checkEntries(tb testing.TB, st Store, n int64) {
	tb.Helper()
	if got := mustLogSize(tb, st); got != n {
		tb.Fatalf("LogSize() = %d, want %d", got, n)
	}
	es, err := st.ReadEntries(context.Background(), 0, n)
	if err != nil {
		tb.Fatalf("ReadEntries(0, %d) = %v", n, err)
	}
	for i, e := range es {
		if !bytes.Equal(e, Entry(int64(i))) {
			tb.Fatalf("ReadEntries(0, %d)[%d] = %q, want %q", n, i, e, Entry(int64(i)))
		}
	}
}

func opening(seq int64, field string) store.Opening {
	salt := sha256.Sum256(fmt.Appendf(nil, "salt %d %s", seq, field))
	return store.Opening{Seq: seq, Field: field, Salt: salt[:], Value: fmt.Sprintf("%s of event %d", field, seq)}
}

func sortOpenings(os []store.Opening) {
	sort.Slice(os, func(i, j int) bool {
		if os[i].Seq != os[j].Seq {
			return os[i].Seq < os[j].Seq
		}
		return os[i].Field < os[j].Field
	})
}

func equalOpenings(a, b []store.Opening) bool {
	return slices.EqualFunc(a, b, func(x, y store.Opening) bool {
		return x.Seq == y.Seq && x.Field == y.Field && bytes.Equal(x.Salt, y.Salt) && x.Value == y.Value
	})
}

func testAppend(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		if got := mustLogSize(t, st); got != 0 {
			t.Fatalf("LogSize() of a new store = %d, want 0", got)
		}
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 3)})
		checkEntries(t, st, 3)
		mustAppend(t, st, store.Batch{Leaves: Leaves(3, 4)})
		mustAppend(t, st, store.Batch{Leaves: Leaves(4, 9)})
		checkEntries(t, st, 9)
		hs, err := st.ReadHashes(ctx, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8})
		if err != nil {
			t.Fatalf("ReadHashes(0…8) = %v", err)
		}
		for i, h := range hs {
			if !bytes.Equal(h, Hashes(int64(i))) {
				t.Errorf("ReadHashes(0…8)[%d] = %x, want %x", i, h, Hashes(int64(i)))
			}
		}
	})
	t.Run("Large", func(t *testing.T) {
		// More rows than one statement may bind, with openings: one batch.
		st := open(t)
		var os []store.Opening
		for s := int64(0); s < 1500; s += 2 {
			os = append(os, opening(s, "name"), opening(s, "phone"))
		}
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 1500), Openings: os})
		checkEntries(t, st, 1500)
		var got []store.Opening
		if err := st.ScanOpenings(ctx, func(o store.Opening) error { got = append(got, o); return nil }); err != nil {
			t.Fatalf("ScanOpenings = %v", err)
		}
		sortOpenings(got)
		if !equalOpenings(got, os) {
			t.Fatalf("ScanOpenings after Append of %d openings = %d openings, not the same", len(os), len(got))
		}
	})
	t.Run("Empty", func(t *testing.T) {
		st := open(t)
		if err := st.Append(ctx, store.Batch{}); err != nil {
			t.Fatalf("Append(empty batch) on an empty log = %v, want nil", err)
		}
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, 2)})
		if err := st.Append(ctx, store.Batch{Leaves: []store.Leaf{}}); err != nil {
			t.Fatalf("Append(empty batch) = %v, want nil", err)
		}
		checkEntries(t, st, 2)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		leaf := func(seq int64) store.Leaf { return store.Leaf{Seq: seq, Entry: []byte("forged"), Hashes: Hashes(seq)} }
		tests := []struct {
			name   string
			leaves []store.Leaf
		}{
			{"Gap", []store.Leaf{leaf(4)}},
			{"FarAhead", []store.Leaf{leaf(1 << 40)}},
			{"Rewrite", []store.Leaf{leaf(2), leaf(3)}},
			{"RewriteFirst", []store.Leaf{leaf(0)}},
			{"Negative", []store.Leaf{leaf(-1)}},
			{"NotConsecutive", []store.Leaf{leaf(3), leaf(5)}},
			{"Repeated", []store.Leaf{leaf(3), leaf(3)}},
			{"Descending", []store.Leaf{leaf(3), leaf(2)}},
			{"GapLater", []store.Leaf{leaf(3), leaf(4), leaf(6)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st := open(t)
				mustAppend(t, st, store.Batch{Leaves: Leaves(0, 3)})
				var seqs []int64
				for _, l := range tt.leaves {
					seqs = append(seqs, l.Seq)
				}
				err := st.Append(ctx, store.Batch{Leaves: tt.leaves, Openings: []store.Opening{opening(3, "name"), opening(0, "name")}})
				if !errors.Is(err, store.ErrConflict) {
					t.Fatalf("Append(leaves %v) on a log of 3 = %v, want ErrConflict", seqs, err)
				}
				// Nothing was written: no leaf, no opening.
				checkEntries(t, st, 3)
				os, err := st.ReadOpenings(ctx, []int64{0, 1, 2, 3, 4, 5, 6})
				if err != nil {
					t.Fatalf("ReadOpenings = %v", err)
				}
				if len(os) != 0 {
					t.Fatalf("ReadOpenings after a refused Append = %v, want none", os)
				}
				// And the log goes on from where it was.
				mustAppend(t, st, store.Batch{Leaves: Leaves(3, 5)})
				checkEntries(t, st, 5)
			})
		}
	})
}

// fixture returns a store holding the suite's leaves [0, n).
func fixture(t *testing.T, open func(t *testing.T) Store, n int64) Store {
	t.Helper()
	st := open(t)
	for lo := int64(0); lo < n; lo += 2000 {
		mustAppend(t, st, store.Batch{Leaves: Leaves(lo, min(lo+2000, n))})
	}
	return st
}

func testReadEntries(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	const n = 20
	st := fixture(t, open, n)
	tests := []struct {
		name       string
		start, end int64
		err        error // nil, store.ErrNotFound, or errAny
	}{
		{"All", 0, n, nil},
		{"Empty", 5, 5, nil},
		{"EmptyAtEnd", n, n, nil},
		{"First", 0, 1, nil},
		{"Last", n - 1, n, nil},
		{"Middle", 7, 13, nil},
		{"PastEnd", n - 1, n + 1, store.ErrNotFound},
		{"AtEnd", n, n + 1, store.ErrNotFound},
		{"FarPastEnd", n + 100, n + 101, store.ErrNotFound},
		{"Huge", 0, math.MaxInt64, store.ErrNotFound},
		{"Reversed", 5, 4, errAny},
		{"Negative", -1, 3, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := st.ReadEntries(ctx, tt.start, tt.end)
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("ReadEntries(%d, %d) = %v, want nil", tt.start, tt.end, err)
			case tt.err == errAny && err == nil:
				t.Fatalf("ReadEntries(%d, %d) = %d entries, nil, want an error", tt.start, tt.end, len(es))
			case tt.err == store.ErrNotFound && !errors.Is(err, store.ErrNotFound):
				t.Fatalf("ReadEntries(%d, %d) = %v, want ErrNotFound", tt.start, tt.end, err)
			}
			if tt.err != nil {
				return
			}
			if int64(len(es)) != tt.end-tt.start {
				t.Fatalf("ReadEntries(%d, %d) = %d entries, want %d", tt.start, tt.end, len(es), tt.end-tt.start)
			}
			for i, e := range es {
				if want := Entry(tt.start + int64(i)); !bytes.Equal(e, want) {
					t.Errorf("ReadEntries(%d, %d)[%d] = %q, want %q", tt.start, tt.end, i, e, want)
				}
			}
		})
	}
}

// errAny stands for any non-nil error in a table.
var errAny = errors.New("any error")

func testReadHashes(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	const n = 1200
	st := fixture(t, open, n)
	tests := []struct {
		name string
		seqs []int64
		err  error
	}{
		{"None", []int64{}, nil},
		{"One", []int64{0}, nil},
		{"Last", []int64{n - 1}, nil},
		{"Dense", []int64{0, 1, 2, 3, 4, 5, 6, 7}, nil},
		{"DenseReversed", []int64{263, 262, 261, 260, 259, 258, 257, 256}, nil},
		{"DenseShuffled", []int64{511, 255, 383, 127, 447, 319, 191}, nil},
		{"Duplicates", []int64{3, 3, 1, 3, 2, 1}, nil},
		{"Sparse", []int64{1000, 0, 511, 7}, nil},
		{"SparseDuplicates", []int64{1023, 5, 1023, 800, 5}, nil},
		{"MissingDense", []int64{n - 2, n - 1, n}, store.ErrNotFound},
		{"MissingSparse", []int64{0, 600, n + 5000}, store.ErrNotFound},
		{"MissingOnly", []int64{n}, store.ErrNotFound},
		{"MissingDuplicate", []int64{n + 1, 3, n + 1}, store.ErrNotFound},
		{"Negative", []int64{-1, 0}, store.ErrNotFound},
	}
	// One request for a whole tile of an upper level: 256 leaves 256 apart
	// would be sparse; leaves 255, 511… of a smaller tree.
	var tile []int64
	for s := int64(255); s < n; s += 256 {
		tile = append(tile, s)
	}
	tests = append(tests, struct {
		name string
		seqs []int64
		err  error
	}{"Strided", tile, nil})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := st.ReadHashes(ctx, tt.seqs)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("ReadHashes(%v) = %v, want %v", tt.seqs, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadHashes(%v) = %v, want nil", tt.seqs, err)
			}
			if len(hs) != len(tt.seqs) {
				t.Fatalf("ReadHashes(%v) = %d blobs, want %d", tt.seqs, len(hs), len(tt.seqs))
			}
			for i, s := range tt.seqs {
				if !bytes.Equal(hs[i], Hashes(s)) {
					t.Errorf("ReadHashes(%v)[%d] = %x, want the hashes of leaf %d, %x", tt.seqs, i, hs[i], s, Hashes(s))
				}
			}
		})
	}
}

func testScanLeaves(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	// More leaves than a store is likely to read in one page.
	const n = 2*4096 + 100
	st := fixture(t, open, n)
	for _, start := range []int64{0, 1, 4095, 4096, 4097, n - 1, n, n + 10} {
		t.Run(fmt.Sprintf("From%d", start), func(t *testing.T) {
			next := start
			err := st.ScanLeaves(ctx, start, func(l store.Leaf) error {
				if l.Seq != next {
					return fmt.Errorf("leaf %d after %d", l.Seq, next-1)
				}
				if !bytes.Equal(l.Entry, Entry(l.Seq)) || !bytes.Equal(l.Hashes, Hashes(l.Seq)) {
					return fmt.Errorf("leaf %d holds another leaf's entry or hashes", l.Seq)
				}
				next++
				return nil
			})
			if err != nil {
				t.Fatalf("ScanLeaves(%d) = %v", start, err)
			}
			if want := max(start, n); next != want {
				t.Fatalf("ScanLeaves(%d) ended before leaf %d, want %d", start, next, want)
			}
		})
	}
	t.Run("Error", func(t *testing.T) {
		stop := errors.New("stop")
		for _, at := range []int64{0, 4095, 4096, 5000, n - 1} {
			calls := int64(0)
			err := st.ScanLeaves(ctx, 0, func(l store.Leaf) error {
				calls++
				if l.Seq == at {
					return fmt.Errorf("at %d: %w", l.Seq, stop)
				}
				return nil
			})
			if !errors.Is(err, stop) {
				t.Errorf("ScanLeaves(0) with fn failing at %d = %v, want fn's error", at, err)
			}
			if calls != at+1 {
				t.Errorf("ScanLeaves(0) with fn failing at %d called fn %d times, want %d", at, calls, at+1)
			}
		}
	})
	t.Run("EmptyLog", func(t *testing.T) {
		st := open(t)
		calls := 0
		if err := st.ScanLeaves(ctx, 0, func(store.Leaf) error { calls++; return nil }); err != nil {
			t.Fatalf("ScanLeaves(0) of an empty log = %v", err)
		}
		if calls != 0 {
			t.Fatalf("ScanLeaves(0) of an empty log called fn %d times", calls)
		}
	})
}

func testOpenings(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	const n = 700
	setup := func(t *testing.T) (Store, []store.Opening) {
		t.Helper()
		st := open(t)
		var os []store.Opening
		for s := int64(0); s < n; s++ {
			switch s % 3 {
			case 0:
				os = append(os, opening(s, "phone"), opening(s, "address"), opening(s, "name"))
			case 1:
				os = append(os, opening(s, "name"))
			}
		}
		mustAppend(t, st, store.Batch{Leaves: Leaves(0, n/2), Openings: os[:len(os)/2]})
		mustAppend(t, st, store.Batch{Leaves: Leaves(n/2, n), Openings: os[len(os)/2:]})
		sortOpenings(os)
		return st, os
	}
	of := func(all []store.Opening, seqs ...int64) []store.Opening {
		var out []store.Opening
		for _, o := range all {
			if slices.Contains(seqs, o.Seq) {
				out = append(out, o)
			}
		}
		return out
	}
	scan := func(t *testing.T, st Store) []store.Opening {
		t.Helper()
		var got []store.Opening
		err := st.ScanOpenings(ctx, func(o store.Opening) error {
			if len(got) > 0 && o.Seq < got[len(got)-1].Seq {
				t.Fatalf("ScanOpenings: opening of %d after one of %d, want sequence order", o.Seq, got[len(got)-1].Seq)
			}
			got = append(got, o)
			return nil
		})
		if err != nil {
			t.Fatalf("ScanOpenings = %v", err)
		}
		sortOpenings(got)
		return got
	}

	t.Run("ReadOpenings", func(t *testing.T) {
		st, all := setup(t)
		var many []int64
		for s := int64(0); s < n; s++ {
			many = append(many, s)
		}
		tests := []struct {
			name string
			seqs []int64
		}{
			{"None", nil},
			{"Three", []int64{0}},
			{"One", []int64{1}},
			{"Zero", []int64{2}},
			{"Several", []int64{2, 0, 1, 301}},
			{"Missing", []int64{n, n + 1, -1}},
			{"Mixed", []int64{n + 3, 3, 4}},
			{"Many", many},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.ReadOpenings(ctx, tt.seqs)
				if err != nil {
					t.Fatalf("ReadOpenings(%d seqs) = %v", len(tt.seqs), err)
				}
				sortOpenings(got)
				if want := of(all, tt.seqs...); !equalOpenings(got, want) {
					t.Fatalf("ReadOpenings(%v) = %v, want %v", tt.seqs, got, want)
				}
			})
		}
	})
	t.Run("ScanOpenings", func(t *testing.T) {
		st, all := setup(t)
		if got := scan(t, st); !equalOpenings(got, all) {
			t.Fatalf("ScanOpenings = %d openings, want the %d appended", len(got), len(all))
		}
		stop := errors.New("stop")
		calls := 0
		err := st.ScanOpenings(ctx, func(store.Opening) error {
			calls++
			if calls == 10 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 10 {
			t.Fatalf("ScanOpenings with fn failing at the 10th = %v after %d calls, want fn's error after 10", err, calls)
		}
	})
	t.Run("EraseOpening", func(t *testing.T) {
		st, all := setup(t)
		if err := st.EraseOpening(ctx, 3, "phone"); err != nil {
			t.Fatalf("EraseOpening(3, phone) = %v", err)
		}
		want := slices.DeleteFunc(slices.Clone(all), func(o store.Opening) bool { return o.Seq == 3 && o.Field == "phone" })
		got, err := st.ReadOpenings(ctx, []int64{3})
		if err != nil {
			t.Fatalf("ReadOpenings(3) = %v", err)
		}
		sortOpenings(got)
		if w := of(want, 3); !equalOpenings(got, w) {
			t.Fatalf("ReadOpenings(3) after EraseOpening(3, phone) = %v, want %v", got, w)
		}
		if got := scan(t, st); !equalOpenings(got, want) {
			t.Fatalf("ScanOpenings after EraseOpening(3, phone) = %d openings, want %d", len(got), len(want))
		}
		// The leaf is untouched.
		checkEntries(t, st, n)
		for _, tt := range []struct {
			seq   int64
			field string
		}{
			{3, "phone"},    // erased already
			{3, "email"},    // never existed
			{2, "name"},     // the event has no openings
			{n + 1, "name"}, // no such event
		} {
			if err := st.EraseOpening(ctx, tt.seq, tt.field); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("EraseOpening(%d, %s) = %v, want ErrNotFound", tt.seq, tt.field, err)
			}
		}
		if got := scan(t, st); !equalOpenings(got, want) {
			t.Fatalf("ScanOpenings after refused erasures = %d openings, want %d", len(got), len(want))
		}
	})
}

func testCheckpoints(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	if _, err := st.LatestCheckpoint(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LatestCheckpoint() of a new store = %v, want ErrNotFound", err)
	}
	note := func(size int64, v string) []byte { return fmt.Appendf(nil, "origin\n%d\n%s\n\n— sig\n", size, v) }
	latest := store.Checkpoint{}
	steps := []struct {
		c   store.Checkpoint
		err error
	}{
		{store.Checkpoint{Size: 0, Note: note(0, "a")}, nil},
		{store.Checkpoint{Size: 0, Note: note(0, "b")}, store.ErrConflict},
		{store.Checkpoint{Size: 5, Note: note(5, "a")}, nil},
		{store.Checkpoint{Size: 5, Note: note(5, "b")}, store.ErrConflict},
		{store.Checkpoint{Size: 3, Note: note(3, "a")}, store.ErrConflict},
		{store.Checkpoint{Size: 6, Note: note(6, "a")}, nil},
		{store.Checkpoint{Size: 1 << 40, Note: note(1<<40, "a")}, nil},
		{store.Checkpoint{Size: 7, Note: note(7, "a")}, store.ErrConflict},
	}
	for _, s := range steps {
		err := st.SaveCheckpoint(ctx, s.c)
		if s.err == nil && err != nil || s.err != nil && !errors.Is(err, s.err) {
			t.Fatalf("SaveCheckpoint(size %d) after size %d = %v, want %v", s.c.Size, latest.Size, err, s.err)
		}
		if err == nil {
			latest = s.c
		}
		got, err := st.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatalf("LatestCheckpoint() = %v", err)
		}
		if got.Size != latest.Size || !bytes.Equal(got.Note, latest.Note) {
			t.Fatalf("LatestCheckpoint() = %d %q, want %d %q", got.Size, got.Note, latest.Size, latest.Note)
		}
	}
}

func testMeta(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	get := func(key string) (string, error) {
		t.Helper()
		return st.Meta(ctx, key)
	}
	if v, err := get("log.key"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Meta(log.key) of a new store = %q, %v, want ErrNotFound", v, err)
	}
	steps := []struct{ key, value string }{
		{"log.key", "first"},
		{"other", ""},
		{"log.key", "second"},
		{"unicode ✓", "värde\nmed radbrytning"},
	}
	want := map[string]string{}
	for _, s := range steps {
		if err := st.SetMeta(ctx, s.key, s.value); err != nil {
			t.Fatalf("SetMeta(%q, %q) = %v", s.key, s.value, err)
		}
		want[s.key] = s.value
		for k, w := range want {
			if v, err := get(k); err != nil || v != w {
				t.Fatalf("Meta(%q) = %q, %v, want %q", k, v, err, w)
			}
		}
	}
	if v, err := get("missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Meta(missing) = %q, %v, want ErrNotFound", v, err)
	}
}

// equalUser reports whether a and b are the same user: times the same
// instants, in whatever zone, and no roles whether nil or empty.
func equalUser(a, b store.User) bool {
	return a.Username == b.Username && a.Agency == b.Agency && slices.Equal(a.Roles, b.Roles) &&
		a.PasswordHash == b.PasswordHash && a.Created.Equal(b.Created) && a.Disabled == b.Disabled &&
		a.TOTPSecret == b.TOTPSecret && a.LockedUntil.Equal(b.LockedUntil)
}

func testUsers(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	zone := time.FixedZone("UTC+2", 2*60*60)
	users := []store.User{
		{Username: "ann", Agency: "north", Roles: []string{"dispatcher", "supervisor"}, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", Created: time.Date(2025, 3, 4, 5, 6, 7, 123456789, zone)},
		{Username: "root", Agency: "", Roles: []string{"admin"}, PasswordHash: "$argon2id$x", Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Disabled: true},
		{Username: "feed", Agency: "south", Roles: nil, PasswordHash: "", Created: time.Date(2030, 12, 31, 23, 59, 59, 1, time.UTC)},
		{Username: "bo", Agency: "north", Roles: []string{"dispatcher"}, PasswordHash: "$argon2id$y", Created: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
			TOTPSecret: "JBSWY3DPEHPK3PXP", LockedUntil: time.Date(2025, 3, 4, 5, 21, 7, 987654321, zone)},
	}
	for _, u := range users {
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser(%q) = %v", u.Username, err)
		}
	}
	dup := users[0]
	dup.Agency, dup.Roles = "south", []string{"admin"}
	if err := st.CreateUser(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("CreateUser(%q) again = %v, want ErrConflict", dup.Username, err)
	}
	for _, want := range users {
		got, err := st.User(ctx, want.Username)
		if err != nil {
			t.Fatalf("User(%q) = %v", want.Username, err)
		}
		if len(want.Roles) == 0 && len(got.Roles) == 0 {
			got.Roles = want.Roles // nil and empty are the same roles
		}
		if !equalUser(got, want) {
			t.Errorf("User(%q) = %+v, want %+v", want.Username, got, want)
		}
	}
	if u, err := st.User(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("User(nobody) = %+v, %v, want ErrNotFound", u, err)
	}
	if u, err := st.User(ctx, "ANN"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("User(ANN) = %+v, %v, want ErrNotFound (names are exact)", u, err)
	}
}

func testTokens(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	if err := st.CreateUser(ctx, store.User{Username: "ann", Roles: []string{"dispatcher"}, Created: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("CreateUser(ann) = %v", err)
	}
	tokens := []store.Token{
		{ID: tokenID("forever"), Hash: hash("forever"), Username: "ann", Created: time.Date(2025, 2, 3, 4, 5, 6, 7, time.UTC)},
		{ID: tokenID("expiring"), Hash: hash("expiring"), Username: "ann", Created: time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC), Expires: time.Date(2025, 5, 3, 4, 5, 6, 999, time.FixedZone("X", -5*60*60))},
		{ID: tokenID("revoked"), Hash: hash("revoked"), Username: "ann", Created: time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC), Revoked: true},
	}
	for _, tk := range tokens {
		if err := st.CreateToken(ctx, tk); err != nil {
			t.Fatalf("CreateToken(%x) = %v", tk.Hash[:4], err)
		}
	}
	for _, want := range tokens {
		got, err := st.TokenByHash(ctx, want.Hash)
		if err != nil {
			t.Fatalf("TokenByHash(%x) = %v", want.Hash[:4], err)
		}
		if !equalToken(got, want) {
			t.Errorf("TokenByHash(%x) = %+v, want %+v", want.Hash[:4], got, want)
		}
	}
	if tk, err := st.TokenByHash(ctx, hash("unknown")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TokenByHash(unknown) = %+v, %v, want ErrNotFound", tk, err)
	}
	if tk, err := st.TokenByHash(ctx, hash("forever")[:16]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TokenByHash(prefix of a hash) = %+v, %v, want ErrNotFound", tk, err)
	}
}

// testConcurrentAppend has several writers race to append every sequence
// number, as two sequencers on one database would. Exactly one Append per
// number must win and the rest get ErrConflict, so the log never forks.
func testConcurrentAppend(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	const writers, n = 8, 40
	var (
		mu        sync.Mutex
		wins      = make(map[int64][]int)
		conflicts int
		wg        sync.WaitGroup
		failed    = make(chan error, writers)
	)
	entry := func(w int, seq int64) []byte { return fmt.Appendf(nil, "writer %d, event %d", w, seq) }
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := int64(0); seq < n; seq++ {
				err := st.Append(ctx, store.Batch{
					Leaves:   []store.Leaf{{Seq: seq, Entry: entry(w, seq), Hashes: Hashes(seq)}},
					Openings: []store.Opening{opening(seq, fmt.Sprintf("writer%d", w))},
				})
				mu.Lock()
				switch {
				case err == nil:
					wins[seq] = append(wins[seq], w)
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					failed <- fmt.Errorf("writer %d: Append(%d) = %v, want nil or ErrConflict", w, seq, err)
					mu.Unlock()
					return
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if got := mustLogSize(t, st); got != n {
		t.Fatalf("LogSize() = %d, want %d", got, n)
	}
	es, err := st.ReadEntries(ctx, 0, n)
	if err != nil {
		t.Fatalf("ReadEntries(0, %d) = %v", n, err)
	}
	seqs := make([]int64, n)
	for i := range seqs {
		seqs[i] = int64(i)
	}
	os, err := st.ReadOpenings(ctx, seqs)
	if err != nil {
		t.Fatalf("ReadOpenings = %v", err)
	}
	if len(os) != n {
		t.Errorf("ReadOpenings = %d openings, want one per event, %d", len(os), n)
	}
	for seq := int64(0); seq < n; seq++ {
		w := wins[seq]
		if len(w) != 1 {
			t.Errorf("Append(%d) succeeded for writers %v, want exactly one", seq, w)
			continue
		}
		if want := entry(w[0], seq); !bytes.Equal(es[seq], want) {
			t.Errorf("entry %d = %q, want the winner's %q", seq, es[seq], want)
		}
	}
	for _, o := range os {
		if w := wins[o.Seq]; len(w) == 1 && o.Field != fmt.Sprintf("writer%d", w[0]) {
			t.Errorf("event %d has opening %q, want only the winner's (writer%d)", o.Seq, o.Field, w[0])
		}
	}
	if want := writers*n - n; conflicts != want {
		t.Errorf("%d Appends returned ErrConflict, want %d", conflicts, want)
	}
}
