// Package pgtest runs a throw-away PostgreSQL server for tests, so that the
// PostgreSQL store is tested against a real database, never a mock of one.
//
// A package's TestMain calls Main; its tests then take a fresh database each
// with MustNewDatabase. The server's binaries must be installed (Debian's
// postgresql package); without them Start fails, and so do the tests: they
// are not skipped.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// dbName is the database that holds the schemas NewDatabase makes: the one
// initdb creates.
const dbName = "postgres"

// EnvDSN is the environment variable Main sets to the DSN of a fresh database
// on its server, for tests that start subprocesses.
const EnvDSN = "TENFOUR_TEST_POSTGRES"

// Server is a PostgreSQL server in a temporary directory, listening on a free
// loopback port, with a superuser tenfour that needs no password.
type Server struct {
	dir      string // holds data/, sock/ and the server log
	bin      string // directory of initdb, pg_ctl and postgres
	port     int
	runAs    string // "postgres" when we are root: PostgreSQL refuses to run as root
	opts     string // the server's options, for Restart
	admin    *pgxpool.Pool
	nextDB   atomic.Int64
	stopOnce sync.Once

	pauseMu sync.Mutex
	paused  []int // the processes Pause stopped, for Resume
}

// Start creates and starts a server. It fails if PostgreSQL is not installed.
func Start(ctx context.Context) (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &Server{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		s.runAs = "postgres"
	}
	if err := s.start(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	sock := filepath.Join(s.dir, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if s.runAs != "" {
		u, err := user.Lookup(s.runAs)
		if err != nil {
			return fmt.Errorf("pgtest: running as root, PostgreSQL needs the user %s: %w", s.runAs, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, d := range []string{s.dir, sock} {
			if err := os.Chown(d, uid, gid); err != nil {
				return fmt.Errorf("pgtest: %w", err)
			}
		}
	}
	data := filepath.Join(s.dir, "data")
	// --no-sync only skips flushing the fresh cluster's files at the end of
	// initdb; the server itself runs with fsync=on.
	if out, err := s.run(ctx, "initdb", "-D", data, "-U", "tenfour", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	logFile := filepath.Join(s.dir, "server.log")
	// A free port can be taken between our probe and the server's bind:
	// try a few.
	var err error
	for range 3 {
		if s.port, err = freePort(); err != nil {
			return err
		}
		s.opts = fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on", s.port, sock)
		var out []byte
		out, err = s.run(ctx, "pg_ctl", "-D", data, "-l", logFile, "-o", s.opts, "-w", "-t", "60", "start")
		if err == nil {
			break
		}
		log, _ := os.ReadFile(logFile)
		err = fmt.Errorf("pgtest: pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	if err != nil {
		return err
	}
	s.admin, err = pgxpool.New(ctx, s.DSN(dbName))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	return nil
}

// run runs one of the server's programs, as the postgres user when we are
// root, and returns its combined output.
func (s *Server) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	name := filepath.Join(s.bin, prog)
	if s.runAs != "" {
		args = append([]string{"-u", s.runAs, "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	// The programs look up their own directory and fail in a working
	// directory the postgres user cannot enter.
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// findBin returns the directory holding initdb, pg_ctl and postgres: from
// PATH, else the newest of Debian's /usr/lib/postgresql/VERSION/bin.
func findBin() (string, error) {
	progs := []string{"initdb", "pg_ctl", "postgres"}
	has := func(dir string) bool {
		for _, p := range progs {
			if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int {
		switch va, vb := version(a), version(b); {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return 0
	})
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", errors.New("pgtest: PostgreSQL not found (no initdb, pg_ctl and postgres in PATH or /usr/lib/postgresql/*/bin): install postgresql (apt-get install postgresql) to run these tests")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// DSN returns the connection string of database dbname on the server.
func (s *Server) DSN(dbname string) string {
	return fmt.Sprintf("postgres://tenfour@127.0.0.1:%d/%s?sslmode=disable", s.port, dbname)
}

// NewDatabase makes a new, empty database, as a store sees it, and returns
// its DSN: a schema of its own in the server's database, named by the DSN's
// search_path. A schema takes a millisecond to create where a database takes
// a few hundred (CREATE DATABASE copies and flushes a template), and the
// conformance suite opens some seventy stores. What PostgreSQL keeps per
// database, LISTEN/NOTIFY channels and advisory locks, is shared between the
// DSNs NewDatabase returns.
func (s *Server) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("test%d", s.nextDB.Add(1))
	if _, err := s.admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", fmt.Errorf("pgtest: create schema %s: %w", name, err)
	}
	return s.DSN(dbName) + "&search_path=" + name, nil
}

// Restart stops the server at once, as a crash would (every connection is
// cut, every transaction not committed is lost), and starts it again on
// the same port and data. It returns once the server takes connections.
func (s *Server) Restart(ctx context.Context) error {
	data := filepath.Join(s.dir, "data")
	if out, err := s.run(ctx, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pgtest: pg_ctl stop: %w\n%s", err, out)
	}
	if out, err := s.run(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(s.dir, "server.log"), "-o", s.opts, "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pgtest: pg_ctl start: %w\n%s", err, out)
	}
	return nil
}

// Stop stops the server at once (it is thrown away, so there is nothing to
// flush) and removes its directory. Calls after the first do nothing.
func (s *Server) Stop() {
	s.stopOnce.Do(s.stop)
}

func (s *Server) stop() {
	// A paused server would not hear the stop until it runs again.
	s.Resume()
	if s.admin != nil {
		s.admin.Close()
	}
	if _, err := os.Stat(filepath.Join(s.dir, "data", "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if out, err := s.run(ctx, "pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop"); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: pg_ctl stop: %v\n%s", err, out)
		}
	}
	os.RemoveAll(s.dir)
}

var (
	mainMu  sync.Mutex
	mainSrv *Server
)

// Main runs a package's tests against a server of their own: call it from
// TestMain as os.Exit(pgtest.Main(m)). It starts the server, sets EnvDSN to
// a fresh database (NewDatabase) for subprocesses, runs the tests and stops
// the server. Tests take further databases with MustNewDatabase.
func Main(m *testing.M) int {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Stop()
	// pg_ctl starts the server in a session of its own, so an interrupt
	// does not reach it: stop it here, or it outlives the tests.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		<-sig
		s.Stop()
		os.Exit(1)
	}()
	dsn, err := s.NewDatabase(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.Setenv(EnvDSN, dsn); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	mainMu.Lock()
	mainSrv = s
	mainMu.Unlock()
	return m.Run()
}

// MustNewDatabase returns the DSN of a new, empty database on the server
// Main started, failing tb if there is none.
func MustNewDatabase(tb testing.TB) string {
	tb.Helper()
	mainMu.Lock()
	s := mainSrv
	mainMu.Unlock()
	if s == nil {
		tb.Fatal("pgtest.MustNewDatabase: no server: call pgtest.Main from TestMain")
	}
	dsn, err := s.NewDatabase(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return dsn
}
