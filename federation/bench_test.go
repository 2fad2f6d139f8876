package federation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/federation"
)

// BenchmarkOpen measures checking a sealed message, beside the baseline of
// checking only its note's signature (BenchmarkOpenNoteOnly): the rest is
// the evidence (a checkpoint signature, an inclusion proof, the openings)
// and the JSON.
func BenchmarkOpen(b *testing.B) {
	f := newFixture(b)
	data := f.sealed(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := federation.Open(data, f.metroKey.Verifier); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenNoteOnly(b *testing.B) {
	f := newFixture(b)
	data := f.sealed(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := note.Open(data, note.VerifierList(f.metroKey.Verifier)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	f := newFixture(b)
	for b.Loop() {
		if _, err := federation.Seal(&f.msg, f.metroKey.Signer); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTrip measures, over HTTPS on loopback, a message's round
// trip between two installations (Federation: what the outbox does for
// one message, Outbox.send, with the inbox on the other side) beside the
// baseline of a plain signed round trip of the same sizes (SignedHTTPS:
// an Ed25519-signed body posted, checked, answered with an Ed25519-signed
// reply, checked). Each reports its p50 and p99 (docs/performance.md):
//
//	go test ./federation -run '^$' -bench RoundTrip -benchtime 300x
func BenchmarkRoundTrip(b *testing.B) {
	// The sizes of a message (with its EIDO) and its receipt, for the
	// baseline.
	fed, metro := newExchange(b, true)
	_, seq := fed.request(b)
	msg, _ := sealWith(b, fed, metro, metroPeer, seq, fed.outbox(metro).RequestEIDO(fed.event(b, seq)))
	status, receipt := post(b, metro, msg)
	if status != http.StatusOK {
		b.Fatalf("post a message: %d %s", status, receipt)
	}
	b.Run("Federation", benchFederation)
	b.Run("SignedHTTPS", func(b *testing.B) { benchSignedHTTPS(b, len(msg), len(receipt)) })
}

// benchFederation times Outbox.send of a new request each time: the
// sender proves the event (a new checkpoint, an inclusion proof) and
// seals the message; the receiver checks it, records it durably through
// its engine (a mirror raised), proves its receipt event (a checkpoint)
// and seals the receipt, kept for a message sent again; the sender checks
// the receipt. Raising each request is not timed.
func benchFederation(b *testing.B) {
	fed, metro := newExchange(b, true)
	ctx := context.Background()
	o := fed.outbox(metro)
	var p dispatch.Peer
	ps, err := fed.eng.Peers(federation.Actor)
	if i := slices.IndexFunc(ps, func(p dispatch.Peer) bool { return p.Name == metroPeer }); err != nil || i < 0 {
		b.Fatalf("fed's peers: %v, %v", ps, err)
	} else {
		p = ps[i]
	}
	send := func(seq int64) time.Duration {
		ev := fed.event(b, seq)
		start := time.Now()
		m, r, err := o.Send(ctx, p, seq, ev)
		took := time.Since(start)
		if err != nil {
			b.Fatalf("Send(%d) = %v", seq, err)
		}
		if r.Outcome != federation.OutcomeApplied || len(m.EIDO) == 0 {
			b.Fatalf("Send(%d): the receipt says %s: %s; EIDO of %d bytes", seq, r.Outcome, r.Reason, len(m.EIDO))
		}
		return took
	}
	_, seq := fed.request(b)
	send(seq) // the TLS handshake, as the baseline's
	metro.mu.Lock()
	metro.took = metro.took[:0]
	metro.mu.Unlock()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		_, seq := fed.request(b)
		b.StartTimer()
		times = append(times, send(seq))
	}
	b.StopTimer()
	reportPercentiles(b, times, "")
	metro.mu.Lock()
	reportPercentiles(b, metro.took, "inbox-")
	metro.mu.Unlock()
}

// benchSignedHTTPS times the baseline: a body of reqSize bytes signed with
// Ed25519 and posted over HTTPS to a handler that checks the signature and
// answers respSize bytes signed with its own key, which the client checks.
func benchSignedHTTPS(b *testing.B, reqSize, respSize int) {
	clientPub, clientKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	serverPub, serverKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	reply := bytes.Repeat([]byte("r"), max(respSize-ed25519.SignatureSize, 1))
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, federation.MaxMessageSize))
		if err != nil || len(data) < ed25519.SignatureSize {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		body, sig := data[:len(data)-ed25519.SignatureSize], data[len(data)-ed25519.SignatureSize:]
		if !ed25519.Verify(clientPub, body, sig) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		w.Write(append(slices.Clip(reply), ed25519.Sign(serverKey, reply)...))
	}))
	b.Cleanup(srv.Close)
	hc := srv.Client()
	body := bytes.Repeat([]byte("m"), max(reqSize-ed25519.SignatureSize, 1))
	roundTrip := func() time.Duration {
		start := time.Now()
		req := append(slices.Clip(body), ed25519.Sign(clientKey, body)...)
		resp, err := hc.Post(srv.URL, "application/octet-stream", bytes.NewReader(req))
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || len(data) < ed25519.SignatureSize {
			b.Fatalf("POST = %d, %v", resp.StatusCode, err)
		}
		answer, sig := data[:len(data)-ed25519.SignatureSize], data[len(data)-ed25519.SignatureSize:]
		if !ed25519.Verify(serverPub, answer, sig) {
			b.Fatal("the reply's signature does not verify")
		}
		return time.Since(start)
	}
	roundTrip() // the TLS handshake, as the federation's
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		times = append(times, roundTrip())
	}
	b.StopTimer()
	b.ReportMetric(float64(len(body)+ed25519.SignatureSize), "req-bytes")
	b.ReportMetric(float64(len(reply)+ed25519.SignatureSize), "resp-bytes")
	reportPercentiles(b, times, "")
}

// reportPercentiles reports the median and the 99th percentile of times,
// in milliseconds, as metrics named prefix+"p50-ms" and prefix+"p99-ms".
func reportPercentiles(b *testing.B, times []time.Duration, prefix string) {
	if len(times) == 0 {
		return
	}
	s := slices.Sorted(slices.Values(times))
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(s)))) - 1
		return float64(s[max(i, 0)]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), prefix+"p50-ms")
	b.ReportMetric(at(0.99), prefix+"p99-ms")
}

// BenchmarkRoundTripSteps times, one by one, the steps of a federation
// round trip that BenchmarkRoundTrip/Federation times together, done as
// Outbox.send and Inbox.Receive do them but in one process, without HTTP.
// Each step's p50 is a metric: what the difference with a plain signed
// round trip is made of (docs/performance.md).
func BenchmarkRoundTripSteps(b *testing.B) {
	fed, metro := newExchange(b, false)
	ctx := context.Background()
	o := fed.outbox(metro)
	steps := []string{"prove", "eido", "seal", "open", "check-eido", "record", "prove-receipt", "seal-receipt", "keep-receipt", "open-receipt"}
	times := make(map[string][]time.Duration, len(steps))
	for range b.N {
		b.StopTimer()
		_, seq := fed.request(b)
		event := fed.event(b, seq)
		b.StartTimer()
		var last time.Time
		step := func(name string, err error) {
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			now := time.Now()
			times[name] = append(times[name], now.Sub(last))
			last = time.Now()
		}
		last = time.Now()
		// The sender proves its event, makes the request's EIDO and seals
		// the message.
		ev, err := fed.eng.Log().Bundle(ctx, "", []int64{seq}, true)
		step("prove", err)
		doc := o.RequestEIDO(event)
		if len(doc) == 0 {
			err = errors.New("no EIDO")
		}
		step("eido", err)
		m := &federation.Message{ID: federation.MessageID(fed.origin, seq), From: fed.origin, To: metro.origin, As: metroPeer,
			Sent: fed.eng.Now(), Evidence: *ev, EIDO: doc}
		data, err := federation.Seal(m, fed.key.Signer)
		step("seal", err)
		// The receiver checks it, records it, proves and seals its receipt,
		// and keeps it.
		got, err := federation.Open(data, fed.key.Verifier)
		step("open", err)
		var rc dispatch.Receive
		metro.eng.Read(func(s *dispatch.State) {
			rc = dispatch.Inbound(s, fedPeer, got.As, got.ID, got.Entry().Seq, mustEvent(b, got))
		})
		rc.Received.EIDO = dispatch.EIDOValid
		if err := eido.Validate(got.EIDO); err != nil {
			rc.Received.EIDO = dispatch.EIDOInvalid
		}
		step("check-eido", nil)
		res, err := metro.eng.Execute(ctx, federation.Actor, rc)
		step("record", err)
		rb, err := metro.eng.Log().Bundle(ctx, "", []int64{res.First}, false)
		step("prove-receipt", err)
		rec := res.Events[0].Data.(*dispatch.FederationReceived)
		receipt, err := federation.SealReceipt(&federation.Receipt{Message: got.ID, From: metro.origin, To: fed.origin,
			Received: metro.eng.Now(), Outcome: rec.Outcome, Reason: rec.Reason, Evidence: *rb}, metro.key.Signer)
		step("seal-receipt", err)
		step("keep-receipt", metro.db.SaveFederationReceipt(ctx, got.From, got.ID, receipt, metro.eng.Now()))
		// The sender checks the receipt.
		r, err := federation.OpenReceipt(receipt, metro.key.Verifier, got.ID)
		step("open-receipt", err)
		if r.Outcome != federation.OutcomeApplied {
			b.Fatalf("the receipt says %s: %s", r.Outcome, r.Reason)
		}
	}
	b.StopTimer()
	for _, name := range steps {
		s := slices.Sorted(slices.Values(times[name]))
		b.ReportMetric(float64(s[len(s)/2])/float64(time.Millisecond), name+"-ms")
	}
}

// mustEvent returns the event a message carries, with its openings.
func mustEvent(tb testing.TB, m *federation.Message) dispatch.Event {
	tb.Helper()
	ev, err := engine.FromEntry(m.Entry(), m.Openings())
	if err != nil {
		tb.Fatalf("FromEntry = %v", err)
	}
	return ev
}
