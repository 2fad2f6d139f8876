package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

const peerUsage = `tenfour peer — add, list and remove partner installations (peers).

  tenfour peer add --name NAME --peer-url URL --origin ORIGIN --key VKEY [--witness-key WKEY]
  tenfour peer list
  tenfour peer remove NAME

An installation administrator's token is needed (--token, $TENFOUR_TOKEN or
--token-file DATA/bootstrap-admin.txt). Each change is an event of the log
(peer.added, peer.removed). This installation's witness cosigns the
checkpoints of its peers' logs, and submits its own to each peer's witness
(docs/federation.md): with the key --witness-key names (what the peer's
GET /witness/key serves), else with the key the peer serves the first time
it is asked (trust on first use).`

func runPeer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, peerUsage)
		return errors.New("peer needs add, list or remove")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("peer "+sub, peerUsage, stderr)
	server := fs.String("url", "http://127.0.0.1:8410", "the tenfour server's `URL`")
	token := fs.String("token", "", "API `token` (default: $TENFOUR_TOKEN, or the token line of --token-file)")
	tokenFile := fs.String("token-file", "", "read the token from this `file` (such as DATA/bootstrap-admin.txt)")
	var name, peerURL, origin, key, witnessKey *string
	if sub == "add" {
		name = fs.String("name", "", "the peer's `name` (2 to 32 lower-case letters, digits or dashes)")
		peerURL = fs.String("peer-url", "", "the `URL` the peer serves at")
		origin = fs.String("origin", "", "the `origin` of the peer's log")
		key = fs.String("key", "", "the peer log's note verifier `key` (its GET /log/key)")
		witnessKey = fs.String("witness-key", "", "the peer's witness's cosignature/v1 verifier `key` (its GET /witness/key); optional")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	tok, err := findToken(*token, *tokenFile)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(*server, "/") + "/api/v1/peers"
	switch sub {
	case "add":
		if fs.NArg() > 0 {
			return fmt.Errorf("peer add takes no arguments, got %q", fs.Args())
		}
		body, _ := json.Marshal(map[string]string{"name": *name, "url": *peerURL, "origin": *origin, "key": *key, "witness_key": *witnessKey})
		var p struct {
			Name, URL, Origin string
			WitnessKey        string `json:"witness_key"`
		}
		if err := peerCall(ctx, http.MethodPost, base, tok, body, http.StatusCreated, &p); err != nil {
			return err
		}
		witnessed := "its witness's key trusted on first use"
		if p.WitnessKey != "" {
			witnessed = "witness key " + p.WitnessKey
		}
		fmt.Fprintf(stdout, "added peer %s (%s, log %s, %s)\n", p.Name, p.URL, p.Origin, witnessed)
		return nil
	case "list":
		var list struct {
			Peers []struct {
				Name, URL, Origin, Key string
				WitnessKey             string `json:"witness_key"`
			}
		}
		if err := peerCall(ctx, http.MethodGet, base, tok, nil, http.StatusOK, &list); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tURL\tORIGIN\tKEY\tWITNESS KEY")
		for _, p := range list.Peers {
			wkey := p.WitnessKey
			if wkey == "" {
				wkey = "(trusted on first use)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.URL, p.Origin, p.Key, wkey)
		}
		return tw.Flush()
	case "remove":
		if fs.NArg() != 1 {
			return errors.New("peer remove takes the peer's name")
		}
		if err := peerCall(ctx, http.MethodDelete, base+"/"+url.PathEscape(fs.Arg(0)), tok, nil, http.StatusNoContent, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed peer %s\n", fs.Arg(0))
		return nil
	default:
		fmt.Fprintln(stderr, peerUsage)
		return fmt.Errorf("unknown peer command %q", sub)
	}
}

// peerCall sends one request of the peers API and decodes the answer into
// out; any other status than want is an error with the problem's detail.
func peerCall(ctx context.Context, method, u, tok string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	if resp.StatusCode != want {
		var p struct{ Detail string }
		if json.Unmarshal(b, &p) == nil && p.Detail != "" {
			return fmt.Errorf("peer: %s: %s", resp.Status, p.Detail)
		}
		return fmt.Errorf("peer: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("peer: the answer: %w", err)
	}
	return nil
}
