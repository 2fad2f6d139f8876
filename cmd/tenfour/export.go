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
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", `tenfour export — write the evidence bundle of an incident or of an
assistance request, or an incident as a NENA EIDO.

The bundle holds the incident's (or the request's) events, an inclusion proof for each, the
signed checkpoint and the log's key; "tenfour verify BUNDLE.json" checks it
offline. Private fields appear as commitments unless --openings is given and
the token may see them.

With --federated, the request's cross-installation bundle: this installation's
events and those of the partner installations it touched, each under a
checkpoint its witnesses cosigned (docs/federation.md); "tenfour verify
--key … --witness-key … --quorum N BUNDLE.json" checks it offline.

With --eido, the incident is written instead as a NENA Emergency Incident
Data Object (EIDO JSON, NENA-STA-021.1), as the server's EIDO Retrieval
Service answers it (GET /eido/v1/EIDO/{id}): private fields are there when the
token may see them (docs/eido.md). --incident then takes tenfour's id or the
incident tracking identifier (urn:emergency:uid:incidentid:…).`, stderr)
	server := fs.String("url", "http://127.0.0.1:8410", "the tenfour server's `URL`")
	token := fs.String("token", "", "API `token` (default: $TENFOUR_TOKEN, or the token line of --token-file)")
	tokenFile := fs.String("token-file", "", "read the token from this `file` (such as DATA/bootstrap-admin.txt)")
	incident := fs.String("incident", "", "the incident `id`")
	request := fs.String("request", "", "the assistance request `id` (its events, its units' and the directives' that stood against it)")
	openings := fs.Bool("openings", false, "include the openings of private fields")
	asEIDO := fs.Bool("eido", false, "write the incident as a NENA EIDO (JSON) instead of a bundle")
	federated := fs.Bool("federated", false, "the request's cross-installation bundle, with the partners' events")
	out := fs.String("out", "", "write to this `file` (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*incident == "") == (*request == "") {
		fs.Usage()
		return errors.New("export needs --incident or --request (one of them)")
	}
	if *federated && (*request == "" || *openings || *asEIDO) {
		fs.Usage()
		return errors.New("export --federated takes --request, and neither --openings nor --eido: a partner's openings are not ours to give")
	}
	if *asEIDO && (*request != "" || *openings) {
		fs.Usage()
		return errors.New("export --eido takes --incident, and neither --request nor --openings")
	}
	tok, err := findToken(*token, *tokenFile)
	if err != nil {
		return err
	}
	u := strings.TrimSuffix(*server, "/") + "/api/v1/incidents/" + url.PathEscape(*incident) + "/bundle"
	if *request != "" {
		u = strings.TrimSuffix(*server, "/") + "/api/v1/requests/" + url.PathEscape(*request) + "/bundle"
	}
	switch {
	case *openings:
		u += "?openings=true"
	case *federated:
		u += "?federated=true"
	}
	if *asEIDO {
		u = strings.TrimSuffix(*server, "/") + "/eido/v1/EIDO/" + url.PathEscape(*incident)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("export: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	if *out == "" {
		_, err = stdout.Write(body)
		return err
	}
	if err := os.WriteFile(*out, body, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	return nil
}

// findToken picks the API token from the flag, the environment, or a
// bootstrap-admin.txt style file ("token: …" line).
func findToken(flagVal, file string) (string, error) {
	if flagVal != "" {
		return flagVal, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("token file: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if t, ok := strings.CutPrefix(line, "token: "); ok {
				return strings.TrimSpace(t), nil
			}
		}
		return "", fmt.Errorf("token file %s has no \"token: \" line", file)
	}
	if t := os.Getenv("TENFOUR_TOKEN"); t != "" {
		return t, nil
	}
	return "", errors.New("no API token: pass --token, --token-file or set TENFOUR_TOKEN")
}
