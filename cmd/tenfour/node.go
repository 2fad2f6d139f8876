package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/federation"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/metrics"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"github.com/tenfour-cad/tenfour/webhook"
	"github.com/tenfour-cad/tenfour/witness"
)

// Main is one tenfour node: a data directory, its store, key and engine, and
// the HTTP server in front of them. End-to-end tests run it as serve does.
type Main struct {
	DataDir         string
	Addr            string
	DB              string // a postgres:// URL; "" is the SQLite file in DataDir
	Node            string // this node's id; "": kept in DataDir/node-id
	Advertise       string // the URL other nodes forward commands to; "": http://Addr
	LeaseTTL        time.Duration
	TLSCert, TLSKey string // certificate and key files for HTTPS
	TLSSelfSigned   bool   // HTTPS with a certificate made at start, for trials
	// Offline opens the data directory for a command-line tool: the log and
	// the sign-in service, with no listener and no HTTP server.
	Offline            bool
	KeyFile            string // "": DataDir/log.key, made on first start
	Origin             string // the origin of a new key; "": tenfour.local/log-<random>
	CheckpointInterval time.Duration
	// SnapshotEvery is engine.Config.SnapshotEvery.
	SnapshotEvery int64
	// TokenLife is how long an API token lives at most and by default
	// (auth.Policy.TokenLife); zero is auth.DefaultTokenLife.
	TokenLife time.Duration
	// Retention is how long a closed record stays in memory before it is
	// archived to the store (engine.Config.Retention); zero is 24 hours.
	Retention time.Duration
	Logger    *slog.Logger
	// MapTiles is the console map's raster tile layer (--map-tiles), if any.
	MapTiles tenfourhttp.MapTiles
	// Map is the centre's map (--map DIR): the engine places every
	// command on it, and the console draws it. Nil is no map.
	Map CentreMap
	// EIDOSource is the EIDO export the node's notifier conveys to
	// partners (GET /eido/v1/ent); nil: the Retrieval Service's. EIDOSink
	// makes the import, into an agency, of what EIDOSubscribe's partners
	// send; nil: POST /api/v1/eido's (eido.go).
	EIDOSource    conveyance.Source
	EIDOSink      func(agency string) (conveyance.Sink, error)
	EIDOSubscribe []EIDOPartner
	// TLSClientCA is a PEM file of the CAs whose client certificates the
	// server verifies (mutual TLS), and PartnerCerts pins such
	// certificates, by SHA-256, to partners' accounts (eido.go).
	TLSClientCA  string
	PartnerCerts map[string]string
	// Witnesses are the witnesses this log's checkpoints are submitted to,
	// besides the peers' (--witness NAME=URL+VKEY).
	Witnesses []string
	// MetricsAddr is where /metrics is served, on a listener of its own
	// (--metrics-addr); "" serves no metrics.
	MetricsAddr string
	// CheckpointFrom, AcceptRollback and RollbackReason guard a restored
	// data directory (guard.go): the original's checkpoint to compare the
	// log to, and the operator's acceptance of a shorter log, and why.
	CheckpointFrom string
	AcceptRollback bool
	RollbackReason string

	Store          Store
	Engine         *engine.Engine
	Server         *tenfourhttp.Server
	Auth           *auth.Service
	URL            string            // where the server listens
	TLSFingerprint string            // SHA-256 of the certificate, when serving HTTPS
	Bootstrap      *auth.Credentials // set on the data directory's first start
	// Metrics are the node's metrics when MetricsAddr is set; MetricsURL
	// is where they are served.
	Metrics    *metrics.Metrics
	MetricsURL string
	// WitnessKey is the cosignature/v1 verifier key of this node's
	// witness (GET /witness/key), which partners may name in their peer
	// record of it.
	WitnessKey string
	// Webhooks sends the agencies' events to their subscribers while this
	// node sequences (Run runs it); nil on a store that keeps none.
	Webhooks *webhook.Deliverer

	Notifier *conveyance.Notifier // the EIDO notifier

	lock            *os.File
	listener        net.Listener
	metricsListener net.Listener
	subscribers     []*conveyance.Subscriber
	witnessClient   *witness.Client // cmd/tenfour/witness.go
	inbox           *federation.Inbox
	outbox          *federation.Outbox // cmd/tenfour/federation.go
}

// Open prepares the node: it locks the data directory, opens the store,
// verifies the log and rebuilds the state, creates the bootstrap administrator
// on first start, and binds the listener.
func (m *Main) Open(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if err := m.tightenDataDir(); err != nil {
		return err
	}
	lock, err := lockDir(m.DataDir)
	if err != nil {
		return err
	}
	m.lock = lock
	key, err := m.loadKey()
	if err != nil {
		return err
	}
	if m.Node == "" {
		if m.Node, err = nodeID(m.DataDir); err != nil {
			return err
		}
	}
	// Listen before opening the log: the advertised URL goes into the lease.
	if !m.Offline {
		if err := m.listen(); err != nil {
			return err
		}
		if err := m.listenMetrics(); err != nil {
			return err
		}
	}
	db, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	if t, ok := db.(interface{ Tightened() []string }); ok {
		for _, f := range t.Tightened() {
			m.Logger.Warn("tightened the permissions of the database to its owner's alone", "file", f)
		}
	}
	m.Store = db
	guard, err := m.guard(ctx, key)
	if err != nil {
		return fmt.Errorf("refusing to start: %w", err)
	}
	m.Logger.Info("verifying the log", "node", m.Node)
	start := time.Now()
	m.Engine, err = engine.Open(ctx, engine.Config{
		Store: db, Key: key, Guard: guard, CheckpointInterval: m.CheckpointInterval, Logger: m.Logger,
		Node: m.Node, URL: m.Advertise, LeaseTTL: m.LeaseTTL, Map: m.engineMap(),
		Retention: m.Retention, SnapshotEvery: m.SnapshotEvery, Observer: m.observer(),
	})
	if err != nil {
		return fmt.Errorf("refusing to start: %w", err)
	}
	m.Logger.Info("log verified", "events", m.Engine.Log().Size(), "took", time.Since(start).Round(time.Millisecond),
		"sequencer", m.Engine.Log().IsSequencer(), "snapshot", m.Engine.Log().Verification().Snapshot)
	if err := m.settleRestore(ctx); err != nil {
		return err
	}
	policy := auth.DefaultPolicy()
	if m.TokenLife > 0 {
		policy.TokenLife = m.TokenLife
	}
	m.Auth = &auth.Service{Accounts: db, Policy: policy, Clock: m.Engine.Now, Record: m.exec, Logger: m.Logger}
	// The first node of a new store creates the administrator; the others
	// find it there.
	if m.Engine.Log().IsSequencer() {
		if m.Bootstrap, err = m.Auth.Bootstrap(ctx, db, m.exec); err != nil {
			return err
		}
		if m.Bootstrap != nil {
			if err := writeBootstrap(filepath.Join(m.DataDir, "bootstrap-admin.txt"), m.Bootstrap); err != nil {
				return err
			}
		}
	}
	if !m.Offline {
		m.Server = tenfourhttp.NewServer(m.Engine, db, m.Auth, m.Logger)
		m.Server.SetKeys(db)
		m.Server.SetMapTiles(m.MapTiles)
		if ws, ok := db.(webhook.Store); ok {
			m.Webhooks = webhook.NewDeliverer(m.Engine, ws)
			m.Webhooks.Logger = m.Logger
		}
		if m.Map != nil {
			m.Server.SetMap(m.Map)
		}
		if m.Metrics != nil {
			m.Server.SetMetrics(m.Metrics)
			m.Metrics.Watch(m.Engine, m.Server.Streams)
		}
		if err := m.openEIDO(); err != nil {
			return err
		}
		if err := m.openWitness(key); err != nil {
			return err
		}
		m.openFederation(key)
	}
	return nil
}

// listen binds the listener, with TLS when configured.
func (m *Main) listen() error {
	tlsCfg, fingerprint, err := tlsConfig(m.TLSCert, m.TLSKey, m.TLSSelfSigned)
	if err != nil {
		return err
	}
	if m.listener, err = net.Listen("tcp", m.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", m.Addr, err)
	}
	m.URL = "http://" + m.listener.Addr().String()
	if err := m.clientAuth(tlsCfg); err != nil {
		m.listener.Close()
		return err
	}
	if tlsCfg != nil {
		m.listener = tls.NewListener(m.listener, tlsCfg)
		m.URL = "https://" + m.listener.Addr().String()
		m.TLSFingerprint = fingerprint
	}
	if m.Advertise == "" {
		m.Advertise = m.URL
	}
	return nil
}

// exec runs a command as the engine does, for callers that need only its error.
func (m *Main) exec(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
	_, err := m.Engine.Execute(ctx, a, c)
	return err
}

// Store is everything a node keeps in its database, as each of its parts
// asks for it: the log (ledger.Store), the history of what is not in
// memory (engine.History), the accounts (auth.Accounts) and BOLO photos
// (tenfourhttp.Photos). store/sqlite and store/postgres are each all of it.
type Store interface {
	ledger.Store
	engine.History
	auth.Accounts
	tenfourhttp.Photos
	tenfourhttp.Keys
	witness.Store
	store.FederationStore
	Close() error
}

// openStore opens the store the flags name: PostgreSQL for a URL, else the
// SQLite file of the data directory.
func (m *Main) openStore(ctx context.Context) (Store, error) {
	if m.DB == "" {
		return sqlite.Open(ctx, filepath.Join(m.DataDir, "tenfour.db"))
	}
	if !strings.HasPrefix(m.DB, "postgres://") && !strings.HasPrefix(m.DB, "postgresql://") {
		return nil, fmt.Errorf("--db %q: want a postgres:// URL (or nothing, for SQLite in the data directory)", redactURL(m.DB))
	}
	db, err := postgres.Open(ctx, m.DB)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL %s: %w", redactURL(m.DB), err)
	}
	return db, nil
}

// redactURL hides a password in a database URL, for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// nodeID returns this data directory's node id, making one on first use.
// It is stable across restarts, so that a node that comes back renews its own
// lease instead of waiting for it to expire.
func nodeID(dir string) (string, error) {
	path := filepath.Join(dir, "node-id")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("node id: %w", err)
	}
	host, _ := os.Hostname()
	r := make([]byte, 4)
	rand.Read(r)
	id := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			return c
		}
		return '-'
	}, strings.ToLower(host)) + "-" + hex.EncodeToString(r)
	if err := writeSecret(path, id+"\n"); err != nil {
		return "", err
	}
	return id, nil
}

// Run serves until ctx is done or the log fails. The log fails only when the
// store contradicts the verified log (corruption): never over a lapsed lease,
// a full disk or a store that does not answer, which it waits out
// (ledger/fault.go). A failed log is an error, so that a supervisor restarts
// the process and the log is reloaded from disk.
func (m *Main) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	wait := m.runEIDO(ctx)
	defer wait() // the conveyance ends once ctx is cancelled, below
	defer cancel()
	m.logStart()
	if m.metricsListener != nil {
		stop := serveMetrics(m.metricsListener, m.Metrics.Handler(), m.Logger)
		defer stop()
	}
	errc := make(chan error, 1)
	go func() { errc <- m.Server.Serve(ctx, m.listener) }()
	if m.witnessClient != nil {
		// The sequencer signs the checkpoints; it alone submits them. The
		// client stops before Run returns, and so before Close.
		var wg sync.WaitGroup
		wg.Go(func() { m.witnessClient.Run(ctx, m.witnessInterval(), m.Engine.Log().IsSequencer) })
		defer func() { cancel(); wg.Wait() }()
	}
	stopFederation := m.runFederation(ctx)
	defer func() { cancel(); stopFederation() }() // before Close closes the store
	if m.Webhooks != nil {
		// Stopped with the server, before Close closes the store.
		done := make(chan struct{})
		go func() { defer close(done); m.Webhooks.Run(ctx) }()
		defer func() { cancel(); <-done }()
	}
	select {
	case err := <-errc:
		// The error itself is the caller's to report, once.
		m.Logger.Error("stopping: the server failed", "node", m.Node)
		return err
	case <-m.Engine.Log().Failed():
		m.Logger.Error("stopping: the log failed", "node", m.Node)
		cancel()
		<-errc
		return fmt.Errorf("the log failed, stopping: %w", m.Engine.Log().Err())
	case <-ctx.Done():
		m.Logger.Info("stopping: asked to (signal or cancel); answering the requests under way", "node", m.Node)
		return <-errc
	}
}

// Close commits what is queued, signs a last checkpoint, and releases
// everything.
func (m *Main) Close() error {
	var errs []error
	if m.listener != nil {
		m.listener.Close()
	}
	if m.metricsListener != nil {
		m.metricsListener.Close()
	}
	if m.Engine != nil {
		err := m.Engine.Close()
		errs = append(errs, err)
		if m.Server != nil && err == nil {
			cp, _ := m.Engine.Log().LatestCheckpoint()
			m.Logger.Info("stopped", "node", m.Node, "log_size", m.Engine.Log().Size(), "checkpoint", cp.Size)
		}
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	if m.lock != nil {
		errs = append(errs, m.lock.Close())
	}
	return errors.Join(errs...)
}

// loadKey reads the signing key, making one in the data directory on the
// first start.
func (m *Main) loadKey() (*ledger.Key, error) {
	path := m.KeyFile
	if path == "" {
		path = filepath.Join(m.DataDir, "log.key")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			origin := m.Origin
			if origin == "" {
				b := make([]byte, 4)
				rand.Read(b)
				origin = "tenfour.local/log-" + hex.EncodeToString(b)
			}
			skey, err := ledger.GenerateKey(origin)
			if err != nil {
				return nil, err
			}
			if err := writeSecret(path, skey+"\n"); err != nil {
				return nil, err
			}
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	k, err := ledger.ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return k, nil
}

// secretFiles are the files of the data directory that only tenfour may
// read: the log's signing key, the node's id and lock, the bootstrap
// administrator's and the demo users' credentials. writeSecret makes them
// 0600; the database is store/sqlite's (sqlite.FileMode).
var secretFiles = []string{"log.key", "node-id", "lock", "bootstrap-admin.txt", demoCredentials}

// tightenDataDir narrows the data directory to 0700 and its secret files,
// and the signing key named by --key, to 0600 where they are wider (a data
// directory of an older tenfour, or copied in), and logs each it changed.
func (m *Main) tightenDataDir() error {
	paths := []string{m.DataDir}
	for _, f := range secretFiles {
		paths = append(paths, filepath.Join(m.DataDir, f))
	}
	if m.KeyFile != "" {
		paths = append(paths, m.KeyFile)
	}
	for _, p := range paths {
		old, changed, err := sqlite.Tighten(p)
		if err != nil {
			return err
		}
		if changed {
			m.Logger.Warn("tightened the permissions of a file only tenfour may read", "file", p, "was", fmt.Sprintf("%04o", old))
		}
	}
	return nil
}

// writeSecret writes a file only its owner can read, durably.
func writeSecret(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func writeBootstrap(path string, c *auth.Credentials) error {
	var b strings.Builder
	fmt.Fprintf(&b, "username: %s\npassword: %s\ntoken: %s\ntotp: %s\n", c.Username, c.Password, c.Token, c.TOTP)
	return writeSecret(path, b.String())
}

// lockDir takes an exclusive lock on the data directory, so that two
// processes never append to one log.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory %s is in use by another tenfour process", dir)
	}
	return f, nil
}

// A CentreMap is the centre's map as the engine and the console use it
// (geo.Map).
type CentreMap interface {
	engine.Map
	tenfourhttp.Drawing
}

// engineMap is m.Map for the engine: a nil interface when there is none.
func (m *Main) engineMap() engine.Map {
	if m.Map == nil {
		return nil
	}
	return m.Map
}
