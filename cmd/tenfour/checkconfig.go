package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/geo"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/postgres"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

// checkInputs are the flags of serve that Main does not hold.
type checkInputs struct {
	level, format string
	tiles         func() (tenfourhttp.MapTiles, error)
	loadMap       func() (*geo.Map, error)
	args          []string
}

// probeTimeout bounds the wait for a PostgreSQL store to answer the check.
const probeTimeout = 10 * time.Second

// checkConfig is `tenfour serve --check-config`: it checks every setting
// that serve would act on — flags and environment alike, already parsed
// into m — without serving, without locking the data directory, and
// without writing anything: the store is opened read-only (SQLite) or
// asked one question (PostgreSQL), so that it can run beside the node it
// checks, before a restart. It prints one line per check and returns an
// error when any failed.
func checkConfig(ctx context.Context, m *Main, in checkInputs, stdout io.Writer) error {
	failed := 0
	report := func(what, detail string, err error) {
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL  %-16s %v\n", what, err)
			return
		}
		fmt.Fprintf(stdout, "ok    %-16s %s\n", what, detail)
	}

	if len(in.args) > 0 {
		report("arguments", "", fmt.Errorf("serve takes no arguments, got %q", in.args))
	}
	_, err := newLogger(io.Discard, in.level, in.format)
	report("logging", "level "+in.level+", format "+in.format, err)
	report("address", m.Addr, checkHostPort("--addr", m.Addr))
	if m.MetricsAddr != "" {
		report("metrics", m.MetricsAddr+"/metrics", checkHostPort("--metrics-addr", m.MetricsAddr))
	} else {
		report("metrics", "off (no --metrics-addr)", nil)
	}
	if m.Advertise != "" {
		u, err := url.Parse(m.Advertise)
		if err == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
			err = fmt.Errorf("--advertise %q: want an http:// or https:// URL", m.Advertise)
		}
		report("advertise", m.Advertise, err)
	}
	report("durations", fmt.Sprintf("lease %s, checkpoints every %s, retention %s, tokens live %s", m.LeaseTTL, m.CheckpointInterval, m.Retention, m.TokenLife), checkDurations(m))

	switch {
	case m.TLSCert == "" && m.TLSKey == "" && !m.TLSSelfSigned:
		report("tls", "off: plain HTTP (put a TLS proxy in front, or give --tls-cert and --tls-key)", nil)
	case m.TLSSelfSigned && m.TLSCert == "" && m.TLSKey == "":
		report("tls", "a self-signed certificate made at start (for trials only)", nil)
	default:
		_, fp, err := tlsConfig(m.TLSCert, m.TLSKey, m.TLSSelfSigned)
		detail := ""
		if err == nil {
			detail, err = certSummary(m.TLSCert)
			detail += ", SHA-256 " + fp
		}
		report("tls", detail, err)
	}

	if centre, err := in.loadMap(); err != nil {
		report("map", "", err)
	} else if centre == nil {
		report("map", "none (no --map): places are not verified", nil)
	} else {
		report("map", fmt.Sprintf("%d addresses, %d streets", centre.Addresses(), len(centre.Streets())), nil)
	}
	if _, err := in.tiles(); err != nil {
		report("map tiles", "", err)
	}

	report("data directory", m.DataDir, checkDataDir(m.DataDir))
	keyDetail, err := checkKey(m)
	report("signing key", keyDetail, err)
	storeDetail, err := checkStore(ctx, m)
	report("store", storeDetail, err)
	restoreDetail, err := checkRestore(m)
	report("restore", restoreDetail, err)

	if failed > 0 {
		return fmt.Errorf("the configuration has %d problem(s)", failed)
	}
	fmt.Fprintln(stdout, "the configuration is good")
	return nil
}

// checkHostPort checks a listen address: host:port, the port a number.
func checkHostPort(flagName, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: want host:port: %w", flagName, addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s %q: the port must be a number from 0 to 65535", flagName, addr)
	}
	return nil
}

// checkDurations refuses the durations serve cannot run with.
func checkDurations(m *Main) error {
	var errs []error
	if m.LeaseTTL <= 0 {
		errs = append(errs, fmt.Errorf("--lease %s: want a duration above zero", m.LeaseTTL))
	}
	if m.CheckpointInterval < 0 {
		errs = append(errs, fmt.Errorf("--checkpoint-interval %s: want zero or more", m.CheckpointInterval))
	}
	if m.Retention < 0 {
		errs = append(errs, fmt.Errorf("--retention %s: want zero or more", m.Retention))
	}
	if m.TokenLife < 0 {
		errs = append(errs, fmt.Errorf("--token-life %s: want zero or more", m.TokenLife))
	}
	return errors.Join(errs...)
}

// certSummary names a certificate file's subject and expiry.
func certSummary(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("TLS certificate: %w", err)
	}
	cert, err := firstCert(b)
	if err != nil {
		return "", fmt.Errorf("TLS certificate %s: %w", path, err)
	}
	if time.Now().After(cert.NotAfter) {
		return "", fmt.Errorf("TLS certificate %s expired on %s", path, cert.NotAfter.UTC().Format(time.DateOnly))
	}
	return fmt.Sprintf("%s, valid until %s", cert.Subject.CommonName, cert.NotAfter.UTC().Format(time.DateOnly)), nil
}

// checkDataDir checks that the data directory is a directory, or can be
// made on first start.
func checkDataDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		parent := filepath.Dir(filepath.Clean(dir))
		if pi, perr := os.Stat(parent); perr != nil || !pi.IsDir() {
			return fmt.Errorf("data directory %s does not exist, nor does its parent %s", dir, parent)
		}
		return nil // made on first start
	case err != nil:
		return fmt.Errorf("data directory: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("data directory %s is not a directory", dir)
	}
	return nil
}

// checkKey reads the signing key serve would use, if it exists.
func checkKey(m *Main) (string, error) {
	path := m.KeyFile
	if path == "" {
		path = filepath.Join(m.DataDir, "log.key")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && m.KeyFile == "" {
		return path + " does not exist yet: the first start makes it", nil
	}
	if err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	k, err := ledger.ParseKey(string(b))
	if err != nil {
		return "", fmt.Errorf("signing key %s: %w", path, err)
	}
	return fmt.Sprintf("%s (origin %s)", path, k.Signer.Name()), nil
}

// checkStore opens the store read-only and reads its log's size.
func checkStore(ctx context.Context, m *Main) (string, error) {
	if m.DB == "" {
		path := filepath.Join(m.DataDir, "tenfour.db")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return "SQLite " + path + " does not exist yet: the first start makes it", nil
		}
		n, err := sqlite.Probe(ctx, path)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("SQLite %s, %d events", path, n), nil
	}
	if !strings.HasPrefix(m.DB, "postgres://") && !strings.HasPrefix(m.DB, "postgresql://") {
		return "", fmt.Errorf("--db %q: want a postgres:// URL (or nothing, for SQLite in the data directory)", redactURL(m.DB))
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	n, err := postgres.Probe(ctx, m.DB)
	if err != nil {
		return "", fmt.Errorf("PostgreSQL %s: %w", redactURL(m.DB), err)
	}
	return fmt.Sprintf("PostgreSQL %s, %d events", redactURL(m.DB), n), nil
}

// firstCert parses the first certificate of a PEM file.
func firstCert(pemBytes []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, pemBytes = pem.Decode(pemBytes)
		if block == nil {
			return nil, errors.New("no CERTIFICATE block")
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
}
