package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// retentionFlag adds --retention, which serve and demo share.
func retentionFlag(fs *flag.FlagSet, d *time.Duration) {
	fs.DurationVar(d, "retention", dispatch.DefaultRetention, "how long a closed record (incident, request, message, BOLO, directive, premise) stays in memory before it is archived to the store, where it stays readable")
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "tenfour serve — run a tenfour node on a data directory.\n\nThe first start creates the directory, a signing key (log.key), the database\nand a bootstrap administrator (bootstrap-admin.txt). Every start checks the log\nagainst its last signed checkpoint and refuses to run if they differ: it starts\nfrom the latest snapshot that matches the log, replays the events after it, and\nre-verifies the events before it in the background (stopping if they differ).", stderr)
	m := &Main{}
	fs.StringVar(&m.DataDir, "data", "tenfour-data", "data `directory`")
	fs.StringVar(&m.Addr, "addr", "127.0.0.1:8410", "listen `address` (host:port)")
	fs.StringVar(&m.DB, "db", "", "PostgreSQL `URL` (postgres://…) of a store shared by several nodes (default: SQLite in DATA)")
	fs.StringVar(&m.Node, "node", "", "this node's `id` (default: made once and kept in DATA/node-id)")
	fs.StringVar(&m.Advertise, "advertise", "", "the `URL` other nodes forward commands to (default: http://ADDR)")
	fs.DurationVar(&m.LeaseTTL, "lease", 5*time.Second, "how long the sequencer lease lasts unless renewed: the longest a dead sequencer holds up commands")
	fs.StringVar(&m.KeyFile, "key", "", "signing key `file` (default DATA/log.key, made on first start)")
	fs.StringVar(&m.Origin, "origin", "", "origin (key name) of a key made on first start")
	fs.DurationVar(&m.CheckpointInterval, "checkpoint-interval", time.Second, "least time between signed checkpoints")
	fs.Int64Var(&m.SnapshotEvery, "snapshot-every", engine.DefaultSnapshotEvery, "events between two snapshots of the state, which a start replays the log from; negative: no snapshots, every start replays the whole log")
	fs.StringVar(&m.TLSCert, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM; with --tls-key)")
	fs.StringVar(&m.TLSKey, "tls-key", "", "the certificate's private key `file` (PEM)")
	fs.BoolVar(&m.TLSSelfSigned, "tls-self-signed", false, "serve HTTPS with a certificate made at start (for trials only)")
	fs.DurationVar(&m.TokenLife, "token-life", auth.DefaultTokenLife, "how long an API token lives by default and at most")
	retentionFlag(fs, &m.Retention)
	fs.StringVar(&m.CheckpointFrom, "checkpoint-from", "", "the original node's `URL` (or a checkpoint file saved from it): a log shorter than its checkpoint starts read-only")
	fs.BoolVar(&m.AcceptRollback, "accept-rollback", false, "sequence a log shorter than a checkpoint already published (a restore from an older copy); recorded in the log with --reason")
	fs.StringVar(&m.RollbackReason, "reason", "", "why the rollback is accepted (with --accept-rollback)")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn, error")
	format := logFormatFlag(fs)
	fs.StringVar(&m.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this `address` (host:port), a listener of its own; none unless given")
	check := fs.Bool("check-config", false, "check the flags and environment, the store (opened read-only), the signing key, the map and the TLS files, print a summary and exit (0: all good, 1: not) without serving")
	tiles := mapTilesFlags(fs)
	loadMap := mapFlag(fs)
	eidoPartners := eidoFlags(fs, m)
	fromEnv := envFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := fromEnv(); err != nil {
		return err
	}
	if *check {
		return checkConfig(ctx, m, checkInputs{level: *level, format: *format, tiles: tiles, loadMap: loadMap, args: fs.Args()}, stdout)
	}
	var err error
	if m.EIDOSubscribe, err = eidoPartners(); err != nil {
		return err
	}
	if m.MapTiles, err = tiles(); err != nil {
		return err
	}
	centre, err := loadMap()
	if err != nil {
		return fmt.Errorf("refusing to start: %w", err)
	}
	if centre != nil {
		m.Map = centre
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if m.AcceptRollback && strings.TrimSpace(m.RollbackReason) == "" {
		return errors.New("--accept-rollback needs --reason: why the newer events may be lost, for the log")
	}
	logger, err := newLogger(stderr, *level, *format)
	if err != nil {
		return err
	}
	m.Logger = logger
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	if m.Bootstrap != nil {
		fmt.Fprintf(stdout, "Created the administrator %q; credentials in %s/bootstrap-admin.txt\n", m.Bootstrap.Username, m.DataDir)
	}
	role := "sequencer"
	if h := m.Engine.Log().Held(); h != nil {
		role = "read-only: " + h.Reason
	} else if !m.Engine.Log().IsSequencer() {
		role = "follower"
		if l := m.Engine.Log().Lease(); l != nil {
			role += " of " + l.Node
		}
	}
	if m.TLSFingerprint != "" {
		fmt.Fprintf(stdout, "TLS certificate SHA-256: %s\n", m.TLSFingerprint)
	}
	fmt.Fprintf(stdout, "tenfour is serving on %s (data: %s, log: %s, node %s, %s)\n", m.URL, m.DataDir, m.Engine.Log().Origin(), m.Node, role)
	if m.MetricsURL != "" {
		fmt.Fprintf(stdout, "metrics at %s\n", m.MetricsURL)
	}
	return m.Run(ctx)
}

// logFormatFlag adds --log-format, which serve and demo share.
func logFormatFlag(fs *flag.FlagSet) *string {
	return fs.String("log-format", "text", "log `format`: text (key=value, for people) or json (one object a line, for a log collector)")
}

// newLogger returns the logger of a node, writing to w at level in format
// (text or json), as log/slog's handlers write them.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}
