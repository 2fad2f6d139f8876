package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"golang.org/x/mod/sumdb/note"
)

// VerifyOptions configure VerifyLog.
type VerifyOptions struct {
	Dir    string // "" is a temporary directory
	Events int64  // log size; default 1,000,000
	Out    io.Writer
}

// VerifyResult is the outcome of VerifyLog.
type VerifyResult struct {
	Events       int64
	Build        time.Duration // to append the events
	Reopen       time.Duration // to open the log again: the start-up check of every event
	Verify       time.Duration // full verification over loopback HTTP
	Fetch        time.Duration // the floor: fetching the same tiles and bundles, checking nothing
	Tiles        int
	BytesFetched int64
}

// PerMinute returns verified entries per minute.
func (r VerifyResult) PerMinute() float64 { return float64(r.Events) / r.Verify.Minutes() }

// VerifyLogOverHTTP builds a log of opt.Events events, serves it as C2SP
// tlog-tiles on loopback, and times a full verification (ledger.VerifyLog, as
// `tenfour verify URL` runs it) against the floor of fetching the same
// resources without checking them.
func VerifyLogOverHTTP(ctx context.Context, opt VerifyOptions) (VerifyResult, error) {
	var res VerifyResult
	if opt.Events <= 0 {
		opt.Events = 1_000_000
	}
	if opt.Dir == "" {
		d, err := os.MkdirTemp("", "tenfour-bench-")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(d)
		opt.Dir = d
	}
	db, err := sqlite.Open(ctx, filepath.Join(opt.Dir, "verify.db"))
	if err != nil {
		return res, err
	}
	defer db.Close()
	skey, err := ledger.GenerateKey("bench.tenfour/log")
	if err != nil {
		return res, err
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		return res, err
	}
	cfg := ledger.Config{Store: db, Key: key, CheckpointInterval: time.Hour}
	l, err := ledger.Open(ctx, cfg, nil)
	if err != nil {
		return res, err
	}

	start := time.Now()
	const batch = 4096
	var pending []*ledger.Pending
	for i := int64(0); i < opt.Events; i += batch {
		n := min(batch, opt.Events-i)
		recs := make([]ledger.Record, n)
		for j := range recs {
			recs[j] = sampleRecord(int(i) + j)
		}
		p, err := l.Enqueue(recs)
		if err != nil {
			return res, err
		}
		pending = append(pending, p)
		if len(pending) >= 8 {
			if err := pending[0].Wait(); err != nil {
				return res, err
			}
			pending = pending[1:]
		}
	}
	for _, p := range pending {
		if err := p.Wait(); err != nil {
			return res, err
		}
	}
	if err := l.Checkpoint(ctx); err != nil {
		return res, err
	}
	res.Build = time.Since(start)
	res.Events = opt.Events
	if opt.Out != nil {
		fmt.Fprintf(opt.Out, "built a log of %d events in %v\n", opt.Events, res.Build.Round(time.Millisecond))
	}
	// What a node does at every start: recompute every hash from the stored
	// events and check the tree against the last signed checkpoint.
	if err := l.Close(); err != nil {
		return res, err
	}
	start = time.Now()
	if l, err = ledger.Open(ctx, cfg, func(ledger.Replayed) error { return nil }); err != nil {
		return res, err
	}
	defer l.Close()
	res.Reopen = time.Since(start)
	if opt.Out != nil {
		fmt.Fprintf(opt.Out, "re-opened (every event re-verified) in %v\n", res.Reopen.Round(time.Millisecond))
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: tenfourhttp.LogHandler(l, nil)}
	go srv.Serve(ln)
	defer srv.Close()
	f := &ledger.HTTPFetcher{Prefix: "http://" + ln.Addr().String() + "/log/", Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}

	// The floor: the same fetches, nothing checked.
	start = time.Now()
	cp, _ := l.LatestCheckpoint()
	tiles := (cp.Size + ledger.TileWidth - 1) / ledger.TileWidth
	sem := make(chan struct{}, 8)
	errc := make(chan error, tiles)
	sizes := make(chan int64, tiles)
	for k := int64(0); k < tiles; k++ {
		sem <- struct{}{}
		go func(k int64) {
			defer func() { <-sem }()
			w := int(min(ledger.TileWidth, cp.Size-k*ledger.TileWidth))
			var total int64
			for _, p := range []ledger.TilePath{{Entries: true, N: k, W: w}, {N: k, W: w}} {
				b, err := f.Fetch(ctx, p.String())
				if err != nil {
					errc <- err
					return
				}
				total += int64(len(b))
			}
			sizes <- total
			errc <- nil
		}(k)
	}
	for k := int64(0); k < tiles; k++ {
		if err := <-errc; err != nil {
			return res, err
		}
	}
	close(sizes)
	for s := range sizes {
		res.BytesFetched += s
	}
	res.Fetch = time.Since(start)

	v, err := note.NewVerifier(key.Text)
	if err != nil {
		return res, err
	}
	start = time.Now()
	rep, err := ledger.VerifyLog(ctx, f, v, ledger.VerifyOptions{Parallel: 8})
	if err != nil {
		return res, err
	}
	res.Verify = time.Since(start)
	res.Tiles = rep.Tiles
	if opt.Out != nil {
		fmt.Fprintf(opt.Out, "floor (fetch only): %v for %d MB; verify: %v (%.1f million entries/minute)\n",
			res.Fetch.Round(time.Millisecond), res.BytesFetched>>20, res.Verify.Round(time.Millisecond), res.PerMinute()/1e6)
	}
	return res, nil
}
