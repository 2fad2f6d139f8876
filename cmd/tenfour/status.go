package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", "tenfour status — say whether a node is ready, whether it sequences the log, and\nhow far behind the log's head it is (from its /readyz). Exits non-zero when\nthe node is not ready.", stderr)
	server := fs.String("url", "http://127.0.0.1:8410", "the node's `URL`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(*server, "/")+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	defer resp.Body.Close()
	var h tenfourhttp.Health
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&h); err != nil {
		return fmt.Errorf("status: %s answered %s, not a health report", *server, resp.Status)
	}
	fmt.Fprintf(stdout, "node:        %s\nrole:        %s\nstatus:      %s\n", h.Node, h.Role, h.Status)
	if h.Sequencer != "" {
		fmt.Fprintf(stdout, "sequencer:   %s (%s), epoch %d\n", h.Sequencer, h.SequencerURL, h.Epoch)
	}
	fmt.Fprintf(stdout, "log:         %d events verified, head %d, %d behind\ncheckpoint:  %d events\n", h.LogSize, h.Head, h.Lag, h.CheckpointSize)
	if h.Snapshot > 0 {
		fmt.Fprintf(stdout, "snapshot:    started from %d events; %d of them re-verified in the background\n", h.Snapshot, h.Rechecked)
	}
	if h.Error != "" {
		fmt.Fprintf(stdout, "error:       %s\n", h.Error)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("node %s is not ready (%s)", h.Node, h.Status)
	}
	return nil
}
