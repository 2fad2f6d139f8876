package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// PathOptions configure CommandPath.
type PathOptions struct {
	Dir         string        // "" is a temporary directory
	Rate        int           // commands a second; default 1,000
	Subscribers int           // event-stream subscribers; default 200
	Duration    time.Duration // default 5 s, per side and round
	Rounds      int           // rounds of both sides; default 3
	// Keyed sends every command with an Idempotency-Key, as the console
	// does: tenfour then records the key with the events and stores the
	// answer (http/idempotency.go). The floor ignores the header.
	Keyed bool
	Out   io.Writer
}

// PathResult is one side of CommandPath.
type PathResult struct {
	Name      string
	Round     int
	Commands  int
	P50, P99  time.Duration // from sending the command to its event reaching every subscriber
	AckP99    time.Duration // from sending the command to its answer (durable)
	InOrder   bool          // every subscriber received every event, in order
	Delivered int           // events each subscriber received
}

// CommandPath measures a command's whole path — HTTP request, decided,
// durable, delivered on the event stream — at a fixed rate with many
// subscribers, beside a floor measured in the same run: plain net/http, the
// same durability (bench.Floor into the same SQLite schema), a plain
// event-stream fan-out, and no domain, no log tree, no authentication.
func CommandPath(ctx context.Context, opt PathOptions) ([]PathResult, error) {
	if opt.Rate <= 0 {
		opt.Rate = 1000
	}
	if opt.Subscribers <= 0 {
		opt.Subscribers = 200
	}
	if opt.Duration <= 0 {
		opt.Duration = 5 * time.Second
	}
	if opt.Rounds <= 0 {
		opt.Rounds = 3
	}
	if opt.Dir == "" {
		d, err := os.MkdirTemp("", "tenfour-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		opt.Dir = d
	}
	// The sides take turns, each round in the other order, so that neither
	// always runs on a warmer or a more littered process.
	var out []PathResult
	for r := range opt.Rounds {
		sides := []struct {
			name  string
			start func(context.Context, string) (*pathServer, error)
		}{{"floor", startFloorServer}, {"tenfour", startTenfourServer}}
		if r%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		round := make(map[string]PathResult)
		ropt := opt
		ropt.Dir = filepath.Join(opt.Dir, fmt.Sprintf("round%d", r+1))
		if err := os.MkdirAll(ropt.Dir, 0o700); err != nil {
			return nil, err
		}
		for _, side := range sides {
			res, err := runPath(ctx, side.name, ropt, side.start)
			if err != nil {
				return nil, err
			}
			res.Round = r + 1
			round[side.name] = res
		}
		out = append(out, round["floor"], round["tenfour"])
	}
	return out, nil
}

// PathSummary is what the rounds of CommandPath come to: each side's median
// p50 and p99 over the rounds, and the median of the rounds' p99 ratios.
type PathSummary struct {
	FloorP50, FloorP99, TenfourP50, TenfourP99 time.Duration
	Ratio                                      float64 // median of tenfour p99 / floor p99, round by round
	InOrder                                    bool    // in every round, on both sides
}

// Summarise reduces CommandPath's results, floor and tenfour by round.
func Summarise(rs []PathResult) PathSummary {
	var fp50, fp99, tp50, tp99 []time.Duration
	var ratios []float64
	sum := PathSummary{InOrder: true}
	for i := 0; i+1 < len(rs); i += 2 {
		f, t := rs[i], rs[i+1]
		fp50, fp99 = append(fp50, f.P50), append(fp99, f.P99)
		tp50, tp99 = append(tp50, t.P50), append(tp99, t.P99)
		ratios = append(ratios, t.P99.Seconds()/f.P99.Seconds())
		sum.InOrder = sum.InOrder && f.InOrder && t.InOrder
	}
	sum.FloorP50, sum.FloorP99, sum.TenfourP50, sum.TenfourP99 = median(fp50), median(fp99), median(tp50), median(tp99)
	sum.Ratio = median(ratios)
	return sum
}

func median[T int | int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

// A pathServer is a server under test: where it listens, how to send the
// command for unit i, and how to stop it.
type pathServer struct {
	url   string
	token string
	// command returns the method, path and body of unit i's n-th command.
	command func(i, n int) (string, string, string)
	close   func()
}

const pathUnits = 200

func startTenfourServer(ctx context.Context, dir string) (*pathServer, error) {
	db, err := sqlite.Open(ctx, filepath.Join(dir, "path.db"))
	if err != nil {
		return nil, err
	}
	skey, _ := ledger.GenerateKey("bench.tenfour/path")
	key, _ := ledger.ParseKey(skey)
	city, err := gridcity.DemoMap()
	if err != nil {
		db.Close()
		return nil, err
	}
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: key, Map: city})
	if err != nil {
		db.Close()
		return nil, err
	}
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := e.Execute(ctx, a, c)
		return err
	}
	svc := &auth.Service{Accounts: db, Policy: auth.DefaultPolicy(), Record: exec}
	creds, err := svc.Bootstrap(ctx, db, exec)
	if err != nil {
		e.Close()
		db.Close()
		return nil, err
	}
	sys := dispatch.Actor{System: "bench"}
	if err := exec(ctx, sys, dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"}); err != nil {
		return nil, err
	}
	for i := range pathUnits {
		if err := exec(ctx, sys, dispatch.CreateUnit{CallSign: fmt.Sprintf("B%d", i), Agency: "metro", Kind: "patrol"}); err != nil {
			return nil, err
		}
	}
	h := tenfourhttp.NewServer(e, db, svc, nil)
	h.SetKeys(db)
	h.APILimit, h.LoginLimit, h.FailureLimit = tenfourhttp.Limit{}, tenfourhttp.Limit{}, tenfourhttp.Limit{}
	// Every subscriber of the measure streams with the one administrator
	// token; the node's cap still stands.
	h.StreamsPerUser = 0
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return &pathServer{
		url: "http://" + ln.Addr().String(), token: creds.Token,
		command: func(i, n int) (string, string, string) {
			status := dispatch.StatusBusy
			if n%2 == 1 {
				status = dispatch.StatusAvailable
			}
			return "POST", fmt.Sprintf("/api/v1/units/metro.b%d/status", i), `{"status":"` + status + `"}`
		},
		close: func() { srv.Close(); e.Close(); db.Close() },
	}, nil
}

// floorHub is the floor's event-stream fan-out.
type floorHub struct {
	mu      sync.Mutex
	subs    map[chan floorEvent]struct{}
	pending map[int64]floorEvent // durable, waiting for an earlier event
	next    int64                // the next event to publish
}

// publish sends durable events to the subscribers in sequence order, as the
// log's stream does.
func (h *floorHub) publish(ev floorEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending[ev.seq] = ev
	for {
		e, ok := h.pending[h.next]
		if !ok {
			return
		}
		delete(h.pending, h.next)
		h.next++
		for c := range h.subs {
			select {
			case c <- e:
			default:
			}
		}
	}
}

type floorEvent struct {
	seq  int64
	data []byte
}

func startFloorServer(ctx context.Context, dir string) (*pathServer, error) {
	db, err := sqlite.Open(ctx, filepath.Join(dir, "floor.db"))
	if err != nil {
		return nil, err
	}
	f := NewFloor(db)
	hub := &floorHub{subs: make(map[chan floorEvent]struct{}), pending: make(map[int64]floorEvent)}
	var seq atomic.Int64
	var order sync.Mutex // publish in log order, as the log does
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cmd", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		order.Lock()
		n := seq.Add(1) - 1
		entry := fmt.Appendf(nil, `{"seq":%d,"data":%s}`, n, body)
		errc := make(chan error, 1)
		go func() { errc <- f.Append(entry) }()
		order.Unlock()
		if err := <-errc; err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		hub.publish(floorEvent{n, entry})
		w.Header().Set("Tenfour-Seq", strconv.FormatInt(n, 10))
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		c := make(chan floorEvent, 4096)
		hub.mu.Lock()
		hub.subs[c] = struct{}{}
		hub.mu.Unlock()
		defer func() { hub.mu.Lock(); delete(hub.subs, c); hub.mu.Unlock() }()
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		rc := http.NewResponseController(w)
		rc.Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case ev := <-c:
				fmt.Fprintf(w, "id: %d\nevent: x\ndata: %s\n\n", ev.seq, ev.data)
				// Send what has queued up in one flush, as tenfour's stream does.
				for n := len(c); n > 0; n-- {
					ev = <-c
					fmt.Fprintf(w, "id: %d\nevent: x\ndata: %s\n\n", ev.seq, ev.data)
				}
				rc.Flush()
			}
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return &pathServer{
		url: "http://" + ln.Addr().String(),
		command: func(i, n int) (string, string, string) {
			return "POST", "/cmd", fmt.Sprintf(`{"unit":"metro.b%d","status":%q}`, i, []string{"BUSY", "AVAILABLE"}[n%2])
		},
		close: func() { srv.Close(); f.Close(); db.Close() },
	}, nil
}

// runPath starts a server, connects the subscribers, sends commands at the
// rate for the duration, and measures.
func runPath(ctx context.Context, name string, opt PathOptions, start func(context.Context, string) (*pathServer, error)) (PathResult, error) {
	res := PathResult{Name: name}
	srv, err := start(ctx, opt.Dir)
	if err != nil {
		return res, err
	}
	defer srv.close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	streamPath := "/stream"
	if srv.token != "" {
		streamPath = "/api/v1/stream"
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Subscribers record when each event reaches them.
	type sub struct {
		recv  map[int64]time.Time
		order bool
		first int64
	}
	subs := make([]*sub, opt.Subscribers)
	var ready, done sync.WaitGroup
	for k := range subs {
		s := &sub{recv: make(map[int64]time.Time), order: true, first: -1}
		subs[k] = s
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			req, _ := http.NewRequestWithContext(sctx, "GET", srv.url+streamPath, nil)
			if srv.token != "" {
				req.Header.Set("Authorization", "Bearer "+srv.token)
			}
			resp, err := client.Do(req)
			if err != nil {
				s.order = false
				ready.Done()
				return
			}
			defer resp.Body.Close()
			ready.Done()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 1<<16), 1<<20)
			last := int64(-1)
			for sc.Scan() {
				id, ok := strings.CutPrefix(sc.Text(), "id: ")
				if !ok {
					continue
				}
				n, _ := strconv.ParseInt(id, 10, 64)
				s.recv[n] = time.Now()
				if last >= 0 && n != last+1 {
					s.order = false
				}
				if s.first < 0 {
					s.first = n
				}
				last = n
			}
		}()
	}
	ready.Wait()
	time.Sleep(100 * time.Millisecond) // the streams are open on the server

	// Each unit gets its commands in turn, so that each is legal after the
	// one before; together they make the rate.
	var mu sync.Mutex
	sent := make(map[int64]time.Time)
	var acks []time.Duration
	var failed atomic.Int64
	var wg sync.WaitGroup
	per := time.Duration(float64(time.Second) * pathUnits / float64(opt.Rate))
	deadline := time.Now().Add(opt.Duration)
	for i := range pathUnits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(per * time.Duration(i) / pathUnits)
			t := time.NewTicker(per)
			defer t.Stop()
			for n := 0; time.Now().Before(deadline); n++ {
				method, path, body := srv.command(i, n)
				req, _ := http.NewRequestWithContext(ctx, method, srv.url+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if srv.token != "" {
					req.Header.Set("Authorization", "Bearer "+srv.token)
				}
				if opt.Keyed {
					req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d-%d-%d", name, i, n, deadline.UnixNano()))
				}
				at := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
				} else {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					seq, perr := strconv.ParseInt(resp.Header.Get("Tenfour-Seq"), 10, 64)
					if resp.StatusCode >= 300 || perr != nil {
						failed.Add(1)
					} else {
						mu.Lock()
						sent[seq] = at
						acks = append(acks, time.Since(at))
						mu.Unlock()
					}
				}
				<-t.C
			}
		}()
	}
	wg.Wait()
	time.Sleep(500 * time.Millisecond) // the last events reach everyone
	cancel()
	done.Wait()
	if f := failed.Load(); f > 0 {
		return res, fmt.Errorf("%s: %d commands failed", name, f)
	}
	res.Commands = len(sent)
	res.InOrder = true
	var lat []time.Duration
	for seq, at := range sent {
		var last time.Time
		for _, s := range subs {
			t, ok := s.recv[seq]
			if !ok {
				res.InOrder = false
				continue
			}
			if t.After(last) {
				last = t
			}
		}
		if !last.IsZero() {
			lat = append(lat, last.Sub(at))
		}
	}
	for _, s := range subs {
		res.InOrder = res.InOrder && s.order
	}
	res.Delivered = len(subs[0].recv)
	slices.Sort(lat)
	if len(lat) > 0 {
		res.P50, res.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	slices.Sort(acks)
	if len(acks) > 0 {
		res.AckP99 = acks[len(acks)*99/100]
	}
	if opt.Out != nil {
		b, _ := json.Marshal(map[string]any{"name": name, "commands": res.Commands, "p50": res.P50.String(), "p99": res.P99.String(), "ack_p99": res.AckP99.String(), "in_order": res.InOrder})
		fmt.Fprintf(opt.Out, "%s\n", b)
	}
	return res, nil
}
