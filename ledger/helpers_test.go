package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"golang.org/x/mod/sumdb/tlog"
)

// rfc6962Root is the independent Merkle Tree Hash of RFC 6962 section 2.1
// (rfc6962_internal_test.go), the oracle for every tree in these tests.
var rfc6962Root = ledger.RFC6962Root

// mustKey returns a new signing key for a log whose origin is name.
func mustKey(tb testing.TB, name string) *ledger.Key {
	tb.Helper()
	skey, err := ledger.GenerateKey(name)
	if err != nil {
		tb.Fatalf("GenerateKey(%q) = %v", name, err)
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		tb.Fatalf("ParseKey(GenerateKey(%q)) = %v", name, err)
	}
	return k
}

// dbPath returns the path of a new SQLite file in a test's temporary directory.
func dbPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "tenfour.db")
}

// mustOpenStore opens the SQLite store at path and closes it when the test ends.
func mustOpenStore(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("sqlite.Open(%s) = %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustOpenLog opens a log on st and closes it when the test ends (before the
// store, whose cleanup was registered first). Checkpoints are made only when
// a test asks for them or closes the log.
func mustOpenLog(tb testing.TB, st ledger.Store, k *ledger.Key) *ledger.Log {
	tb.Helper()
	l, err := ledger.Open(context.Background(), ledger.Config{Store: st, Key: k, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		tb.Fatalf("ledger.Open = %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// record returns the i-th record of the tests: a realistic status event of a
// few hundred bytes; every third one has private fields.
func record(i int) ledger.Record {
	r := ledger.Record{
		Time:   time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC).Add(time.Duration(i) * time.Second),
		Type:   "unit.status_changed",
		Agency: "north-county-fire",
		Actor:  ledger.Actor{User: "a.lindqvist", Role: "dispatcher"},
		Subject: map[string]string{
			"incident": fmt.Sprintf("2025-%06d", 1000+i/10),
			"unit":     fmt.Sprintf("M%d", 10+i%17),
		},
		Data: json.RawMessage(fmt.Sprintf(`{"from":"enroute","to":"on_scene","location":{"lat":59.3293%02d,"lon":18.0686%02d},"note":"event %d"}`, i%100, i%97, i)),
	}
	if i%3 == 0 {
		r.Private = map[string]string{
			"caller_phone": fmt.Sprintf("+46 70 %03d %02d %02d", i%1000, i%100, i%89),
			"caller_name":  fmt.Sprintf("Caller %d", i),
		}
	}
	return r
}

// records returns records [lo, hi).
func records(lo, hi int) []ledger.Record {
	var rs []ledger.Record
	for i := lo; i < hi; i++ {
		rs = append(rs, record(i))
	}
	return rs
}

// mustAppend appends records and waits until they are durable.
func mustAppend(tb testing.TB, l *ledger.Log, recs ...ledger.Record) *ledger.Pending {
	tb.Helper()
	p, err := l.Append(recs)
	if err != nil {
		tb.Fatalf("Append(%d records) = %v", len(recs), err)
	}
	return p
}

// mustEntries returns the stored bytes of events [0, n).
func mustEntries(tb testing.TB, l *ledger.Log, n int64) [][]byte {
	tb.Helper()
	es, err := l.Entries(context.Background(), 0, n)
	if err != nil {
		tb.Fatalf("Entries(0, %d) = %v", n, err)
	}
	return es
}

// mustCheckpoint signs a checkpoint for the events on disk and returns it
// after opening its note with the log's verifier.
func mustCheckpoint(tb testing.TB, l *ledger.Log) (ledger.Checkpoint, []byte) {
	tb.Helper()
	if err := l.Checkpoint(context.Background()); err != nil {
		tb.Fatalf("Checkpoint() = %v", err)
	}
	c, msg := l.LatestCheckpoint()
	opened, err := ledger.OpenCheckpoint(msg, l.Verifier())
	if err != nil {
		tb.Fatalf("OpenCheckpoint(LatestCheckpoint()) = %v", err)
	}
	if opened != c {
		tb.Fatalf("LatestCheckpoint() = %+v, but its note says %+v", c, opened)
	}
	return c, msg
}

// leafHashes returns the RFC 6962 leaf hashes of entries, as tlog computes them.
func leafHashes(entries [][]byte) []tlog.Hash {
	hs := make([]tlog.Hash, len(entries))
	for i, e := range entries {
		hs[i] = tlog.RecordHash(e)
	}
	return hs
}

// flip returns a copy of h with one bit of byte i changed.
func flip(h tlog.Hash, i int) tlog.Hash {
	h[i%tlog.HashSize] ^= 0x01
	return h
}
