package conveyance_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/eido/conveyance/conveyancetest"
	"github.com/tenfour-cad/tenfour/engine"
)

// BenchmarkConvey100 conveys EIDOs to 100 subscribers, each on a
// WebSocket of its own subscribed to new incidents: every round creates
// an incident and waits until all 100 have its EIDO (and acknowledged
// it). It reports EIDOs conveyed per second, the time from a change's
// commit to the last subscriber's receipt, and the log's cost: events
// recorded per change; and, as the baseline, the time to commit the change
// itself.
//
// source=small conveys the tests' small EIDO, source=export the
// Retrieval Service's (as tenfour serve does).
//
//	go test ./eido/conveyance/ -run XXX -bench Convey100 -benchtime 200x
func BenchmarkConvey100(b *testing.B) {
	b.Run("source=small", func(b *testing.B) { benchConvey(b, conveyancetest.Options{}) })
	// The Retrieval Service's EIDO, as tenfour serve conveys it.
	b.Run("source=export", func(b *testing.B) {
		benchConvey(b, conveyancetest.Options{Source: func(e *engine.Engine) conveyance.Source { return exportSource{e} }})
	})
}

// exportSource is cmd/tenfour's: the EIDO export of an incident.
type exportSource struct{ e *engine.Engine }

func (s exportSource) EIDO(ctx context.Context, a dispatch.Actor, id string) ([]byte, error) {
	x, err := s.e.IncidentExport(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(eido.Build(x))
}

func benchConvey(b *testing.B, opts conveyancetest.Options) {
	const subscribers = 100
	n := conveyancetest.MustOpenNodeWith(b, "metro.example", opts, "metro")
	token := n.MustCreatePartner(b, "partner", "metro", dispatch.RoleLiaison)
	got := make(chan time.Time, subscribers*16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range subscribers {
		ws, _, err := websocket.Dial(ctx, n.WebSocketURL(), &websocket.DialOptions{
			HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}, Subprotocols: []string{conveyance.Subprotocol}})
		if err != nil {
			b.Fatalf("Dial = %v", err)
		}
		defer ws.CloseNow()
		ws.SetReadLimit(conveyance.MaxNotificationSize)
		sub, _ := json.Marshal(conveyance.Message{Subscribe: &conveyance.Subscribe{RequestID: "r", RequestType: "EIDO", RequestSubType: "new"}})
		if err := ws.Write(ctx, websocket.MessageText, sub); err != nil {
			b.Fatal(err)
		}
		go func() {
			for {
				_, msg, err := ws.Read(ctx)
				if err != nil {
					return
				}
				m, _, _, err := conveyance.ParseMessage(msg)
				if err != nil || m.Event == nil {
					continue
				}
				at := time.Now()
				ack, _ := json.Marshal(conveyance.Message{EventResponse: &conveyance.EventResponse{TransactionID: m.Event.TransactionID, StatusCode: 200, StatusText: "OK"}})
				if ws.Write(ctx, websocket.MessageText, ack) != nil {
					return
				}
				for range m.Event.Notification {
					got <- at
				}
			}
		}()
	}
	// The greeting (no active incident yet) is an empty notification:
	// wait until every subscriber is subscribed by creating one incident.
	n.MustCreateIncident(b, "metro", "THEFT")
	for range subscribers {
		<-got
	}
	recorded := n.Notifier.Recorded()
	latencies := make([]time.Duration, 0, b.N)
	var commits time.Duration // the baseline: the change itself, durable
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		before := time.Now()
		n.MustExecute(b, dispatch.CreateIncident{Agency: "metro", Type: "ASSAULT", Location: dispatch.Location{Text: "1 Main St"}})
		committed := time.Now()
		commits += committed.Sub(before)
		var last time.Time
		for range subscribers {
			if at := <-got; at.After(last) {
				last = at
			}
		}
		latencies = append(latencies, last.Sub(committed))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	n.Notifier.Flush(context.Background())
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(subscribers*b.N)/elapsed.Seconds(), "EIDOs/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms-to-all")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms-to-all")
	b.ReportMetric(float64(n.Notifier.Recorded()-recorded)/float64(b.N), "log-events/change")
	b.ReportMetric(float64(commits.Microseconds())/1000/float64(b.N), "baseline-commit-ms")
}
