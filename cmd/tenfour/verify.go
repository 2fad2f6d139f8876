package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/term"
)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", `tenfour verify — verify a log or an evidence bundle.

  tenfour verify [--key KEY] [--since CHECKPOINT] URL
      checks the log served at URL (C2SP tlog-tiles; ".../log/" or the server's
      root): the checkpoint's signature, every entry against its leaf hash, every
      tile, the root; with --since, that the log extends an older checkpoint.
  tenfour verify [--key KEY] BUNDLE.json
      checks an evidence bundle offline: the checkpoint's signature, each
      event's inclusion proof, and each opening of a private field.

Exits non-zero on any mismatch, naming the event.`, stderr)
	keyArg := fs.String("key", "", "the trusted verifier `key` (text or file); default: the key the log or bundle presents")
	since := fs.String("since", "", "an older signed checkpoint `file` the log must extend")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("verify takes one URL or bundle file")
	}
	target := fs.Arg(0)
	key, err := readKeyArg(*keyArg)
	if err != nil {
		return err
	}
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		var old []byte
		if *since != "" {
			if old, err = os.ReadFile(*since); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
		}
		return verifyURL(ctx, target, key, old, stdout, stderr)
	}
	if *since != "" {
		return errors.New("--since applies to a log URL, not to a bundle")
	}
	data, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	rep, err := ledger.VerifyBundle(data, key)
	if err != nil {
		return fmt.Errorf("%s: NOT VERIFIED: %w", target, err)
	}
	if key == "" {
		fmt.Fprintln(stderr, "note: checked against the key in the bundle itself; pass --key to check it is the log you trust")
	}
	fmt.Fprintf(stdout, "%s: verified %d events against checkpoint %s @ %d (%d private fields opened, %d redacted)\n",
		target, rep.Events, rep.Checkpoint.Origin, rep.Checkpoint.Size, rep.Openings, rep.Redacted)
	return nil
}

// readKeyArg reads a verifier key given as text or as a file holding it.
func readKeyArg(arg string) (string, error) {
	if arg == "" {
		return "", nil
	}
	if _, err := note.NewVerifier(arg); err == nil {
		return arg, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return "", fmt.Errorf("--key is neither a verifier key nor a readable file: %w", err)
	}
	k := strings.TrimSpace(string(b))
	if _, err := note.NewVerifier(k); err != nil {
		return "", fmt.Errorf("--key %s: %w", arg, err)
	}
	return k, nil
}

// logPrefix turns a server URL into its log's prefix: a URL with no path
// gets "/log/".
func logPrefix(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", fmt.Errorf("log URL: %w", err)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/log/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

func verifyURL(ctx context.Context, target, key string, since []byte, stdout, stderr io.Writer) error {
	prefix, err := logPrefix(target)
	if err != nil {
		return err
	}
	f := &ledger.HTTPFetcher{Prefix: prefix, Client: &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 16},
	}}
	if key == "" {
		b, err := f.Fetch(ctx, "key")
		if err != nil {
			return err
		}
		key = strings.TrimSpace(string(b))
		fmt.Fprintf(stderr, "note: trusting the key the log itself serves (%s); pass --key to pin it\n", key)
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return fmt.Errorf("verifier key: %w", err)
	}
	opt := ledger.VerifyOptions{Since: since, Parallel: 8}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opt.Progress = progressBar(stderr)
	}
	start := time.Now()
	rep, err := ledger.VerifyLog(ctx, f, v, opt)
	if opt.Progress != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return fmt.Errorf("%s: NOT VERIFIED: %w", prefix, err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "%s: verified %d entries and %d tiles against checkpoint %s @ %d in %s (%.0f entries/minute)\n",
		prefix, rep.Entries, rep.Tiles, rep.Checkpoint.Origin, rep.Checkpoint.Size, took.Round(time.Millisecond),
		float64(rep.Entries)/took.Minutes())
	if rep.Since != nil {
		fmt.Fprintf(stdout, "the log extends the older checkpoint @ %d\n", rep.Since.Size)
	}
	return nil
}

// progressBar draws a bar on a terminal, at most ten times a second.
func progressBar(w io.Writer) func(done, total int64) {
	var last time.Time
	return func(done, total int64) {
		if time.Since(last) < 100*time.Millisecond && done != total {
			return
		}
		last = time.Now()
		const width = 40
		n := int(width * done / max(total, 1))
		fmt.Fprintf(w, "\r[%s%s] %3d%% %d/%d entries", strings.Repeat("#", n), strings.Repeat(" ", width-n), 100*done/max(total, 1), done, total)
	}
}
