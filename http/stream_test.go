package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// sseEvent is one event of a text/event-stream.
type sseEvent struct {
	ID    int64
	Event string
	Data  string
}

// openStream connects to /api/v1/stream and returns a channel of its events.
func openStream(t *testing.T, ts *TestServer, token, lastID string) (<-chan sseEvent, context.CancelFunc) {
	t.Helper()
	return openStreamAt(t, ts, "/api/v1/stream", token, lastID)
}

// openStreamAt is openStream at path, which may carry a query.
func openStreamAt(t *testing.T, ts *TestServer, path, token, lastID string) (<-chan sseEvent, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET /api/v1/stream = %v", err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("GET /api/v1/stream = %s %q, want 200 text/event-stream", resp.Status, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 1024)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID, _ = strconv.ParseInt(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			}
		}
	}()
	return out, cancel
}

func next(t *testing.T, c <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-c:
		if !ok {
			t.Fatal("stream ended early")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return sseEvent{}
}

func TestStream(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "Sheriff", Kind: "sheriff"})
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)

	t.Run("FromStartInOrder", func(t *testing.T) {
		c, cancel := openStream(t, ts, ts.Admin, "-1")
		defer cancel()
		for seq := int64(0); seq < ts.Engine.Log().Size(); seq++ {
			ev := next(t, c)
			if ev.ID != seq {
				t.Fatalf("event id = %d, want %d", ev.ID, seq)
			}
			var entry struct {
				Seq  int64  `json:"seq"`
				Type string `json:"type"`
			}
			if err := json.Unmarshal([]byte(ev.Data), &entry); err != nil || entry.Seq != seq || entry.Type != ev.Event {
				t.Fatalf("event %d data = %s (%v), want the entry of event %d of type %s", seq, ev.Data, err, seq, ev.Event)
			}
		}
	})

	t.Run("LiveAndResume", func(t *testing.T) {
		c, cancel := openStream(t, ts, ts.Admin, "")
		start := ts.Engine.Log().Size()
		for i := range 5 {
			ts.MustExecute(t, dispatch.CreateUnit{CallSign: fmt.Sprintf("L%d", i), Agency: "metro", Kind: "patrol"})
		}
		var last int64
		for i := range 3 {
			ev := next(t, c)
			if ev.ID != start+int64(i) || ev.Event != dispatch.TypeUnitCreated {
				t.Fatalf("live event %d = %d %s, want %d unit.created", i, ev.ID, ev.Event, start+int64(i))
			}
			last = ev.ID
		}
		cancel() // drop the connection; events go on meanwhile
		for i := 5; i < 8; i++ {
			ts.MustExecute(t, dispatch.CreateUnit{CallSign: fmt.Sprintf("L%d", i), Agency: "metro", Kind: "patrol"})
		}
		c, cancel = openStream(t, ts, ts.Admin, strconv.FormatInt(last, 10))
		defer cancel()
		for want := last + 1; want < ts.Engine.Log().Size(); want++ {
			if ev := next(t, c); ev.ID != want {
				t.Fatalf("after resuming from %d: event id = %d, want %d (no gap, no duplicate)", last, ev.ID, want)
			}
		}
	})

	t.Run("AgencyScope", func(t *testing.T) {
		c, cancel := openStream(t, ts, deputy, "")
		defer cancel()
		ts.MustExecute(t, dispatch.CreateUnit{CallSign: "M1", Agency: "metro", Kind: "patrol"})
		res := ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"})
		if ev := next(t, c); ev.ID != res.First || !strings.Contains(ev.Data, `"agency":"sheriff"`) {
			t.Fatalf("deputy's first event = %d %s, want only sheriff's event %d", ev.ID, ev.Data, res.First)
		}
	})

	t.Run("ErrBadLastEventID", func(t *testing.T) {
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/stream", nil)
		req.Header.Set("Authorization", "Bearer "+ts.Admin)
		req.Header.Set("Last-Event-ID", "yesterday")
		r := ts.send(t, req)
		CheckProblem(t, "GET /api/v1/stream with a bad Last-Event-ID", r, 400, "bad_request", "Last-Event-ID")
	})
}
