package main_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// procMem returns a process's resident memory now (VmRSS) and at its peak
// (VmHWM), in bytes, from /proc/PID/status.
func procMem(pid int) (rss, hwm int64, err error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%d/status %s: %w", pid, k, err)
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	if rss == 0 || hwm == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no VmRSS or VmHWM", pid)
	}
	return rss, hwm, sc.Err()
}

const mib = 1 << 20

// TestSignInFlood is issue 13's attack on password hashing: 200 clients,
// each from its own loopback address (127.0.x.y, as a botnet would come; no
// header forged), send bad sign-ins to a real "tenfour serve" process as
// fast as it answers, for a bounded time. Each sign-in costs an argon2id
// hash of 64 MiB. The node must keep its resident memory under 1 GiB at its
// peak, keep running, answer the administrator's reads all the while, and
// take a command after. Sign-ins over the cap on concurrent hashing are
// refused at once with 503 and Retry-After. The figures are logged.
func TestSignInFlood(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc and all of 127.0.0.0/8 routed to the loopback interface (Linux)")
	}
	const (
		clients  = 200
		memLimit = 1 << 30
		flood    = 10 * time.Second
	)
	n := startNode(t, "serve", t.TempDir())
	a := adminAPI(t, n)
	mustCreateAgency(t, a, "metro")
	pid := n.cmd.Process.Pid
	rss0, _, err := procMem(pid)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), flood)
	defer cancel()
	var (
		mu        sync.Mutex
		answers   = make(map[int]int) // sign-in answers by status
		failures  = make(map[string]int)
		badBusy   []string // 503s without Retry-After or problem+json
		slowest   time.Duration
		peakRSS   = rss0
		probes    int
		probeErrs []string
		probeMax  time.Duration
	)
	var wg sync.WaitGroup

	// The node's memory, sampled while the flood runs. Over the limit the
	// node is killed at once, so that a regression cannot take the machine
	// down with it.
	wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			rss, _, err := procMem(pid)
			if err != nil {
				return // the process is gone; checked below
			}
			mu.Lock()
			peakRSS = max(peakRSS, rss)
			mu.Unlock()
			if rss > memLimit {
				n.kill()
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})

	// The administrator's reads, while the flood runs.
	wg.Go(func() {
		client := &http.Client{Timeout: 30 * time.Second}
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			req, _ := http.NewRequest(http.MethodGet, n.url+"/api/v1/agencies", nil)
			req.Header.Set("Authorization", "Bearer "+a.token)
			start := time.Now()
			resp, err := client.Do(req)
			took := time.Since(start)
			mu.Lock()
			probes++
			probeMax = max(probeMax, took)
			switch {
			case err != nil:
				probeErrs = append(probeErrs, err.Error())
			case resp.StatusCode != http.StatusOK:
				probeErrs = append(probeErrs, resp.Status)
			}
			mu.Unlock()
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})

	for i := range clients {
		ip := net.IPv4(127, 0, byte(1+i/250), byte(1+i%250))
		client := &http.Client{
			Timeout: 2 * flood,
			Transport: &http.Transport{
				DialContext:         (&net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}).DialContext,
				MaxIdleConnsPerHost: 1,
			},
		}
		body := []byte(fmt.Sprintf(`{"username":"nobody-%d","password":"a wrong password guess"}`, i))
		wg.Go(func() {
			defer client.CloseIdleConnections()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, n.url+"/api/v1/auth/login", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						failures[err.Error()]++
						mu.Unlock()
						// A refused connection is not retried in a tight loop.
						select {
						case <-ctx.Done():
						case <-time.After(100 * time.Millisecond):
						}
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				mu.Lock()
				answers[resp.StatusCode]++
				slowest = max(slowest, took)
				if resp.StatusCode == http.StatusServiceUnavailable && (resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json") {
					badBusy = append(badBusy, fmt.Sprintf("Retry-After %q, Content-Type %q", resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type")))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	select {
	case <-n.exited:
		t.Fatalf("the node exited during the sign-in flood (peak VmRSS %d MiB; killed by the test over %d MiB): %v\n%s", peakRSS/mib, memLimit/mib, n.err, n.out)
	default:
	}
	rss1, hwm, err := procMem(pid)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range answers {
		total += c
	}
	t.Logf("%d clients from 127.0.x.y, %s of bad sign-ins: %d answered %v, slowest %v; client errors %v", clients, flood, total, answers, slowest.Round(time.Millisecond), failures)
	t.Logf("node memory: VmRSS %d MiB before, peak sampled %d MiB, VmHWM %d MiB, VmRSS %d MiB after", rss0/mib, peakRSS/mib, hwm/mib, rss1/mib)
	t.Logf("administrator's GET /api/v1/agencies during the flood: %d sent, %d failed, slowest %v", probes, len(probeErrs), probeMax.Round(time.Millisecond))

	if hwm >= memLimit {
		t.Errorf("node VmHWM = %d MiB, want under %d MiB", hwm/mib, memLimit/mib)
	}
	if probes == 0 || len(probeErrs) > 0 {
		t.Errorf("administrator's reads during the flood: %d sent, failures %v; want every one answered 200", probes, probeErrs)
	}
	if answers[http.StatusServiceUnavailable] == 0 {
		t.Errorf("sign-in answers %v, want some 503: %d concurrent sign-ins are over any cap on hashing", answers, clients)
	}
	if len(badBusy) > 0 {
		t.Errorf("503 answers %v, want each with Retry-After as problem+json", badBusy[:min(len(badBusy), 3)])
	}
	for status := range answers {
		if status != http.StatusUnauthorized && status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
			t.Errorf("sign-in answers %v, want only 401, 429 and 503", answers)
			break
		}
	}
	// The node still decides commands: it kept its sequencer lease.
	a.mustCreate(t, "/api/v1/agencies", map[string]string{"id": "county", "name": "County Sheriff", "kind": "sheriff"})
}
