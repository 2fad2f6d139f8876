package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/witness"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/term"
)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", `tenfour verify — verify a log or an evidence bundle.

  tenfour verify [--key KEY] [--since CHECKPOINT] URL
      checks the log served at URL (C2SP tlog-tiles; ".../log/" or the server's
      root): the checkpoint's signature, every entry against its leaf hash, every
      tile, the root; with --since, that the log extends an older checkpoint.
  tenfour verify [--key KEY]... [--witness-key VKEY]... [--quorum N] BUNDLE.json
      checks an evidence bundle offline: the checkpoint's signature, each
      event's inclusion proof, and each opening of a private field. A
      cross-installation bundle (tenfour-federated-bundle/v1) is checked log by
      log, each against the --key of its origin (one --key per installation),
      and the links between the logs. With --witness-key, the checkpoints'
      cosignatures (C2SP cosignature/v1) by those witnesses are checked and
      named; with --quorum N, each checkpoint needs N of them, distinct. An
      installation's own witness never counts for its own log.

Exits non-zero on any mismatch, naming the log and the event.`, stderr)
	var keyArgs, witnessArgs listFlag
	fs.Var(&keyArgs, "key", "a trusted log verifier `key` (text or file), repeatable: one per installation of a cross-installation bundle; default: the key the log or bundle presents")
	fs.Var(&witnessArgs, "witness-key", "a trusted witness's cosignature/v1 verifier `key` (text or file), repeatable")
	quorum := fs.Int("quorum", 0, "how many of the --witness-key witnesses must have cosigned each checkpoint of a bundle")
	since := fs.String("since", "", "an older signed checkpoint `file` the log must extend")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("verify takes one URL or bundle file")
	}
	target := fs.Arg(0)
	var keys, witnessKeys []string
	for _, a := range keyArgs {
		k, err := readKeyArg(a)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	for _, a := range witnessArgs {
		k, err := readWitnessKeyArg(a)
		if err != nil {
			return err
		}
		witnessKeys = append(witnessKeys, k)
	}
	if *quorum < 0 {
		return fmt.Errorf("--quorum %d: want 0 or more", *quorum)
	}
	if *quorum > 0 && len(witnessKeys) == 0 {
		return errors.New("--quorum needs the witnesses' keys: pass --witness-key")
	}
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		if len(keys) > 1 {
			return errors.New("a log URL takes one --key")
		}
		if len(witnessKeys) > 0 || *quorum > 0 {
			return errors.New("--witness-key and --quorum apply to a bundle, not to a log URL")
		}
		var old []byte
		if *since != "" {
			var err error
			if old, err = os.ReadFile(*since); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
		}
		return verifyURL(ctx, target, first(keys), old, stdout, stderr)
	}
	if *since != "" {
		return errors.New("--since applies to a log URL, not to a bundle")
	}
	data, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	// The format says which verifier reads the rest; each reads strictly.
	var head struct {
		Format     string `json:"format"`
		Key        string `json:"key"`
		Checkpoint string `json:"checkpoint"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("%s: NOT VERIFIED: not a bundle: %w", target, err)
	}
	policy := federation.Policy{Keys: keys, WitnessKeys: witnessKeys, Quorum: *quorum}
	if head.Format == federation.BundleFormat {
		return verifyFederated(target, data, policy, stdout, stderr)
	}
	key := first(keys)
	if len(keys) > 1 {
		// Several keys name several logs: the bundle's is the one of its
		// origin (the key's name).
		key = ""
		for _, k := range keys {
			if keyName(k) == keyName(head.Key) {
				key = k
			}
		}
		if key == "" {
			return fmt.Errorf("%s: NOT VERIFIED: its log is %s, and no --key is of it", target, keyName(head.Key))
		}
	}
	rep, err := ledger.VerifyBundle(data, key)
	if err != nil {
		return fmt.Errorf("%s: NOT VERIFIED: %w", target, err)
	}
	cosigned := ""
	if len(witnessKeys) > 0 {
		counted, unchecked, err := federation.Cosigners([]byte(head.Checkpoint), head.Key, policy)
		if err != nil {
			return fmt.Errorf("%s: NOT VERIFIED: %w", target, err)
		}
		cosigned = ", " + cosignedBy(counted, unchecked)
	}
	if key == "" {
		fmt.Fprintln(stderr, "note: checked against the key in the bundle itself; pass --key to check it is the log you trust")
	}
	fmt.Fprintf(stdout, "%s: verified %d events against checkpoint %s @ %d (%d private fields opened, %d redacted)%s\n",
		target, rep.Events, rep.Checkpoint.Origin, rep.Checkpoint.Size, rep.Openings, rep.Redacted, cosigned)
	return nil
}

// verifyFederated checks a cross-installation bundle and prints a line per
// installation, then the verdict.
func verifyFederated(target string, data []byte, p federation.Policy, stdout, stderr io.Writer) error {
	rep, err := federation.Verify(data, p)
	if err != nil {
		return fmt.Errorf("%s: NOT VERIFIED: %w", target, err)
	}
	for _, lr := range rep.Logs {
		if !lr.Trusted {
			fmt.Fprintf(stderr, "note: %s checked against the key in the bundle itself; pass --key to check it is the log you trust\n", lr.Origin)
		}
		fmt.Fprintf(stdout, "%s @ %d: %d events (%d private fields opened, %d redacted), %s\n",
			lr.Origin, lr.Checkpoint.Size, lr.Events, lr.Openings, lr.Redacted, cosignedBy(lr.Cosigners, lr.Unchecked))
	}
	fmt.Fprintf(stdout, "%s: verified %s across %d installations (%d links between their logs checked", target, rep.Subject, len(rep.Logs), rep.Links)
	if rep.Unlinked > 0 {
		fmt.Fprintf(stdout, ", %d to installations the bundle does not hold", rep.Unlinked)
	}
	fmt.Fprintln(stdout, ")")
	return nil
}

// cosignedBy says which witnesses' cosignatures were checked and counted,
// and which signature lines were not checked.
func cosignedBy(counted, unchecked []string) string {
	s := "cosigned by no trusted witness"
	if len(counted) > 0 {
		s = "cosigned by " + strings.Join(counted, ", ")
	}
	if len(unchecked) > 0 {
		s += " (not checked: " + strings.Join(unchecked, ", ") + ")"
	}
	return s
}

// first returns the first of keys, or "" if there is none.
func first(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// keyName returns the name of a note verifier key: the log's origin.
func keyName(k string) string {
	name, _, _ := strings.Cut(k, "+")
	return name
}

// readKeyArg reads a verifier key given as text or as a file holding it.
func readKeyArg(arg string) (string, error) {
	return readKey("--key", arg, func(k string) error {
		_, err := note.NewVerifier(k)
		return err
	})
}

// readWitnessKeyArg reads a witness's cosignature/v1 verifier key given as
// text or as a file holding it.
func readWitnessKeyArg(arg string) (string, error) {
	return readKey("--witness-key", arg, func(k string) error {
		_, err := witness.ParseVerifier(k)
		return err
	})
}

// readKey reads a key given to flag as text or as a file holding it; parse
// checks it.
func readKey(flag, arg string, parse func(string) error) (string, error) {
	if arg == "" {
		return "", nil
	}
	if parse(arg) == nil {
		return arg, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return "", fmt.Errorf("%s is neither a verifier key nor a readable file: %w", flag, err)
	}
	k := strings.TrimSpace(string(b))
	if err := parse(k); err != nil {
		return "", fmt.Errorf("%s %s: %w", flag, arg, err)
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
