package federation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

const (
	metroOrigin  = "metro.example/log"
	countyOrigin = "county.example/log"
)

// t0 is when the test's messages are sent.
var t0 = time.Date(2026, 12, 7, 14, 2, 11, 123456789, time.UTC)

// mustKey returns a new signing key for the log origin.
func mustKey(tb testing.TB, origin string) *ledger.Key {
	tb.Helper()
	skey, err := ledger.GenerateKey(origin)
	if err != nil {
		tb.Fatalf("GenerateKey(%q) = %v", origin, err)
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		tb.Fatalf("ParseKey(GenerateKey(%q)) = %v", origin, err)
	}
	return k
}

// mustLog opens a new log signed by k over a SQLite store in a temporary
// directory, and closes both when the test ends.
func mustLog(tb testing.TB, k *ledger.Key) *ledger.Log {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "tenfour.db"))
	if err != nil {
		tb.Fatalf("sqlite.Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	l, err := ledger.Open(ctx, ledger.Config{Store: db, Key: k, CheckpointInterval: time.Hour}, nil)
	if err != nil {
		tb.Fatalf("ledger.Open = %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// mustAppend appends a record and returns its sequence number.
func mustAppend(tb testing.TB, l *ledger.Log, r ledger.Record) int64 {
	tb.Helper()
	p, err := l.Append([]ledger.Record{r})
	if err != nil {
		tb.Fatalf("Append(%s) = %v", r.Type, err)
	}
	return p.First
}

// mustBundle returns the evidence of events seqs of l.
func mustBundle(tb testing.TB, l *ledger.Log, openings bool, seqs ...int64) ledger.Bundle {
	tb.Helper()
	b, err := l.Bundle(context.Background(), "", seqs, openings)
	if err != nil {
		tb.Fatalf("Bundle(%v) = %v", seqs, err)
	}
	return *b
}

// request is the private-field-bearing event metro sends: an assistance
// request, its location and nature private.
func request(at time.Time) ledger.Record {
	return ledger.Record{
		Time:    at,
		Type:    "assist.requested",
		Agency:  "metro-pd",
		Actor:   ledger.Actor{Agency: "metro-pd", Role: "dispatcher"},
		Subject: map[string]string{"request": "metro-r-1"},
		Data:    json.RawMessage(`{"urgency":"EMERGENCY","to":"county-sheriff"}`),
		Private: map[string]string{
			"/location/address":     "3900 S Kedzie Ave",
			"/nature":               "officers boxed in <by vehicles> & need help",
			ledger.PrivateActorUser: "d.okafor",
		},
	}
}

// A fixture is two installations' logs: metro sends county one event,
// county logs its receipt.
type fixture struct {
	metroKey, countyKey *ledger.Key
	metro, county       *ledger.Log
	seq                 int64 // the request's seq in metro's log
	receiptSeq          int64 // the receipt's seq in county's log
	msg                 federation.Message
	rcpt                federation.Receipt
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{metroKey: mustKey(tb, metroOrigin), countyKey: mustKey(tb, countyOrigin)}
	f.metro = mustLog(tb, f.metroKey)
	f.county = mustLog(tb, f.countyKey)
	other := ledger.Record{Time: t0, Type: "unit.status_changed", Agency: "metro-pd", Actor: ledger.Actor{System: "timers"}}
	mustAppend(tb, f.metro, other)
	mustAppend(tb, f.metro, other)
	f.seq = mustAppend(tb, f.metro, request(t0))
	mustAppend(tb, f.metro, other) // after it: the checkpoint covers more than the event
	mustAppend(tb, f.county, ledger.Record{Time: t0, Type: "peer.added", Actor: ledger.Actor{System: "admin"}})
	f.msg = federation.Message{
		Format:   federation.MessageFormat,
		ID:       federation.MessageID(metroOrigin, f.seq),
		From:     metroOrigin,
		To:       countyOrigin,
		As:       "county",
		Sent:     t0.Add(time.Second),
		Evidence: mustBundle(tb, f.metro, true, f.seq),
		EIDO:     json.RawMessage(`{"$schema":"https://example.test/eido","incidentComponent":{"incidentTrackingIdentifier":"urn:emergency:uid:incidentid:1:metro.example","note":"<& >"}}`),
	}
	f.receiptSeq = mustAppend(tb, f.county, ledger.Record{
		Time:    t0.Add(2 * time.Second),
		Type:    "federation.received",
		Actor:   ledger.Actor{System: "federation"},
		Subject: map[string]string{"message": f.msg.ID},
	})
	f.rcpt = federation.Receipt{
		Format:   federation.ReceiptFormat,
		Message:  f.msg.ID,
		From:     countyOrigin,
		To:       metroOrigin,
		Received: t0.Add(2 * time.Second),
		Outcome:  federation.OutcomeApplied,
		Evidence: mustBundle(tb, f.county, false, f.receiptSeq),
	}
	return f
}

// sealed returns f's message sealed by metro's key.
func (f *fixture) sealed(tb testing.TB) []byte {
	tb.Helper()
	data, err := federation.Seal(&f.msg, f.metroKey.Signer)
	if err != nil {
		tb.Fatalf("Seal(message) = %v", err)
	}
	return data
}

// sealedReceipt returns f's receipt sealed by county's key.
func (f *fixture) sealedReceipt(tb testing.TB) []byte {
	tb.Helper()
	data, err := federation.SealReceipt(&f.rcpt, f.countyKey.Signer)
	if err != nil {
		tb.Fatalf("SealReceipt = %v", err)
	}
	return data
}

// canonicalJSON encodes v as the format says: compact encoding/json with
// HTML characters unescaped and a final newline.
func canonicalJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		tb.Fatalf("encode %T = %v", v, err)
	}
	return buf.Bytes()
}

// signText signs the note text "<format>\n<body>" with s, bypassing every
// check of Seal: how a dishonest or broken sender would.
func signText(tb testing.TB, s note.Signer, format string, body []byte) []byte {
	tb.Helper()
	return signNote(tb, s, format+"\n"+string(body))
}

// signNote signs a note of the text with s.
func signNote(tb testing.TB, s note.Signer, text string) []byte {
	tb.Helper()
	data, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		tb.Fatalf("note.Sign = %v", err)
	}
	return data
}

// wantErr fails unless err wraps kind.
func wantErr(tb testing.TB, what string, err, kind error) {
	tb.Helper()
	if !errors.Is(err, kind) {
		tb.Fatalf("%s = %v, want an error wrapping %q", what, err, kind)
	}
}
