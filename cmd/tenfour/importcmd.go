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
	"os"
	"strings"
	"time"
)

// maxImportFile is the largest EIDO file import sends: the server's limit
// (eido.MaxDocument), checked here so that the operator hears it first.
const maxImportFile = 8 << 20

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import", `tenfour import — import another system's incident from a NENA EIDO file.

  tenfour import [flags] FILE

The EIDO (NENA-STA-021.1, JSON) is sent to the server (POST /api/v1/eido), which
creates the incident it describes, or updates the one an earlier import of the
same EIDO incident id made; importing the same file twice changes nothing. A call
transfer (a call with no incident component) becomes a new call in the queue.
It prints the incident, its URL and the JSON pointers of what tenfour keeps only
in the original.`, stderr)
	server := fs.String("url", "http://127.0.0.1:8410", "the tenfour server's `URL`")
	token := fs.String("token", "", "API `token` (default: $TENFOUR_TOKEN, or the token line of --token-file)")
	tokenFile := fs.String("token-file", "", "read the token from this `file` (such as DATA/bootstrap-admin.txt)")
	agency := fs.String("agency", "", "the receiving agency `id` (an installation administrator must name one; anyone else imports into their own)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("import needs one EIDO file")
	}
	file := fs.Arg(0)
	st, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if st.Size() > maxImportFile {
		return fmt.Errorf("import: %s is %d bytes; an EIDO is at most %d", file, st.Size(), maxImportFile)
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	tok, err := findToken(*token, *tokenFile)
	if err != nil {
		return err
	}
	u := strings.TrimSuffix(*server, "/") + "/api/v1/eido"
	if *agency != "" {
		u += "?agency=" + url.QueryEscape(*agency)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		var p struct {
			Detail  string  `json:"detail"`
			Pointer *string `json:"pointer"`
		}
		if json.Unmarshal(body, &p) == nil && p.Detail != "" {
			if p.Pointer != nil {
				return fmt.Errorf("import %s: %s: %s (at %q)", file, resp.Status, p.Detail, *p.Pointer)
			}
			return fmt.Errorf("import %s: %s: %s", file, resp.Status, p.Detail)
		}
		return fmt.Errorf("import %s: %s: %s", file, resp.Status, strings.TrimSpace(string(body)))
	}
	var a struct {
		Incident      string   `json:"incident"`
		URL           string   `json:"url"`
		Outcome       string   `json:"outcome"`
		Unrepresented []string `json:"unrepresented"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("import %s: the server's answer: %w", file, err)
	}
	fmt.Fprintf(stdout, "%s %s %s\n", a.Outcome, a.Incident, strings.TrimSuffix(*server, "/")+a.URL)
	for _, p := range a.Unrepresented {
		fmt.Fprintf(stdout, "kept only in the original: %s\n", p)
	}
	return nil
}
