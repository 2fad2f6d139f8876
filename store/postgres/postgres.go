// Package postgres keeps tenfour's data on PostgreSQL (github.com/jackc/pgx/v5),
// the store that several tenfour nodes share.
//
// Durability: PostgreSQL's default synchronous_commit=on makes COMMIT return
// only after the transaction's WAL is flushed to disk, so Append returns once
// the batch is durable. This package sets neither synchronous_commit nor
// fsync; a server whose operator turned either off breaks that promise.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/tenfour-cad/tenfour/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is tenfour's store on a PostgreSQL database, through a connection pool:
// the log (ledger.Store), the accounts (auth.Accounts) and BOLO photos.
// Several DBs, in one process or on several nodes, may share a database: the
// log's primary key and the sequencer lease keep it from forking.
type DB struct {
	pool *pgxpool.Pool
	// closing is cancelled by Close, to stop the Changes listeners, which
	// listeners counts; closed, under mu, keeps new ones from starting.
	closing   context.Context
	close     context.CancelFunc
	listeners sync.WaitGroup
	mu        sync.Mutex
	closed    bool
}

// Open connects to the PostgreSQL database named by dsn (a URL or key=value
// string, as pgxpool.ParseConfig reads it) and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The DSN may hold a password: it is not repeated here.
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	db := &DB{pool: pool}
	db.closing, db.close = context.WithCancel(context.Background())
	return db, nil
}

// migrate applies the embedded migrations. A PostgreSQL advisory lock (goose's
// session locker) makes nodes that start together take turns.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close() // leaves the pool open
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	// Retry the lock every second for up to five minutes (goose's default
	// probes only every five seconds).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	return nil
}

// Close stops the Changes listeners and closes the pool.
func (db *DB) Close() error {
	db.mu.Lock()
	db.closed = true
	db.mu.Unlock()
	db.close()
	db.listeners.Wait()
	db.pool.Close()
	return nil
}

// LogSize returns the number of leaves.
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	return logSize(ctx, db.pool)
}

func logSize(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int64, error) {
	var n int64
	// MAX on the primary key is one index probe; COUNT(*) would scan.
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM leaves`).Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return n, nil
}

// Append writes the batch in one transaction, the subject index and the
// archived records with the leaves; the commit flushes the WAL.
//
// Two appenders racing for the same sequence numbers both read the same log
// size; the second to insert waits on the first's primary key entry and,
// when that commits, fails with a unique violation: ErrConflict.
func (db *DB) Append(ctx context.Context, b store.Batch) (err error) {
	defer func() { err = full(err) }()
	if len(b.Leaves) == 0 {
		return nil
	}
	for i, l := range b.Leaves {
		if l.Seq != b.Leaves[0].Seq+int64(i) {
			return fmt.Errorf("append: leaf %d follows %d: %w", l.Seq, b.Leaves[0].Seq+int64(i)-1, store.ErrConflict)
		}
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("append: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if b.Epoch != 0 {
		if err := checkFence(ctx, tx, b.Epoch); err != nil {
			return err
		}
	}
	size, err := logSize(ctx, tx)
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if first := b.Leaves[0].Seq; first != size {
		return fmt.Errorf("append: leaf %d is not the next one (log size %d): %w", first, size, store.ErrConflict)
	}
	if err := insertLeaves(ctx, tx, b.Leaves); err != nil {
		return err
	}
	if err := insertOpenings(ctx, tx, b.Openings); err != nil {
		return err
	}
	if err := insertKeys(ctx, tx, b.Keys); err != nil {
		return err
	}
	if err := insertSubjects(ctx, tx, b.Subjects, b.Leaves); err != nil {
		return err
	}
	if err := insertArchive(ctx, tx, b.Archive); err != nil {
		return err
	}
	// Delivered to the LISTENers (Changes) when, and only if, this commits.
	newSize := size + int64(len(b.Leaves))
	if _, err := tx.Exec(ctx, `SELECT pg_notify('`+notifyChannel+`', $1::bigint::text)`, newSize); err != nil {
		return fmt.Errorf("append: notify: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("append: commit: %w", conflict(err))
	}
	return nil
}

// copyMin is the number of rows from which COPY inserts them faster than one
// INSERT … SELECT FROM unnest(arrays). COPY costs a round trip more (pgx
// first describes the table) but streams rows without building arrays.
// Measured on PostgreSQL 15 over loopback, one transaction per batch of
// ~300-byte leaves, per leaf: unnest about 255, 21 and 8 µs at 1, 16 and 64
// rows, COPY 300, 25 and 10; even near 100 rows; at 256 and 4096 rows COPY
// 6.2 and 2.8 µs, unnest 7.4 and 5.4. Multi-row VALUES (chunked to bind at
// most 3000 parameters) never beat the better of the two.
const copyMin = 100

// insertLeaves inserts leaves with one statement, or one COPY.
func insertLeaves(ctx context.Context, tx pgx.Tx, ls []store.Leaf) error {
	var err error
	if len(ls) >= copyMin {
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"leaves"}, []string{"seq", "entry", "hashes"},
			pgx.CopyFromSlice(len(ls), func(i int) ([]any, error) {
				return []any{ls[i].Seq, ls[i].Entry, ls[i].Hashes}, nil
			}))
	} else {
		seqs := make([]int64, len(ls))
		entries := make([][]byte, len(ls))
		hashes := make([][]byte, len(ls))
		for i, l := range ls {
			seqs[i], entries[i], hashes[i] = l.Seq, l.Entry, l.Hashes
		}
		_, err = tx.Exec(ctx, `INSERT INTO leaves (seq, entry, hashes)
			SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])`, seqs, entries, hashes)
	}
	if err != nil {
		return fmt.Errorf("append leaves %d-%d: %w", ls[0].Seq, ls[len(ls)-1].Seq, conflict(err))
	}
	return nil
}

// insertOpenings inserts openings as insertLeaves does leaves.
func insertOpenings(ctx context.Context, tx pgx.Tx, ops []store.Opening) error {
	var err error
	switch {
	case len(ops) == 0:
		return nil
	case len(ops) >= copyMin:
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"openings"}, []string{"seq", "field", "salt", "value"},
			pgx.CopyFromSlice(len(ops), func(i int) ([]any, error) {
				return []any{ops[i].Seq, ops[i].Field, ops[i].Salt, ops[i].Value}, nil
			}))
	default:
		seqs := make([]int64, len(ops))
		fields := make([]string, len(ops))
		salts := make([][]byte, len(ops))
		values := make([]string, len(ops))
		for i, o := range ops {
			seqs[i], fields[i], salts[i], values[i] = o.Seq, o.Field, o.Salt, o.Value
		}
		_, err = tx.Exec(ctx, `INSERT INTO openings (seq, field, salt, value)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::text[])`, seqs, fields, salts, values)
	}
	if err != nil {
		return fmt.Errorf("append openings: %w", conflict(err))
	}
	return nil
}

// ReadEntries returns the entries of leaves [start, end).
func (db *DB) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end < start {
		return nil, fmt.Errorf("read entries [%d, %d): bad range", start, end)
	}
	rows, err := db.pool.Query(ctx, `SELECT seq, entry FROM leaves WHERE seq >= $1 AND seq < $2 ORDER BY seq`, start, end)
	if err != nil {
		return nil, fmt.Errorf("read entries [%d, %d): %w", start, end, err)
	}
	defer rows.Close()
	// The range is the caller's; the capacity must not be (end may be huge).
	out := make([][]byte, 0, min(end-start, 4096))
	for rows.Next() {
		var seq int64
		var e []byte
		if err := rows.Scan(&seq, &e); err != nil {
			return nil, fmt.Errorf("read entries: %w", err)
		}
		if seq != start+int64(len(out)) {
			return nil, fmt.Errorf("read entries: leaf %d missing: %w", start+int64(len(out)), store.ErrNotFound)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	if int64(len(out)) != end-start {
		return nil, fmt.Errorf("read entries: leaf %d missing: %w", start+int64(len(out)), store.ErrNotFound)
	}
	return out, nil
}

// ReadHashes returns the stored hashes of the given leaves, in the order
// asked, repeated where a leaf is asked for more than once.
func (db *DB) ReadHashes(ctx context.Context, seqs []int64) ([][]byte, error) {
	out := make([][]byte, len(seqs))
	if len(seqs) == 0 {
		return out, nil
	}
	lo, hi := seqs[0], seqs[0]
	for _, s := range seqs {
		lo, hi = min(lo, s), max(hi, s)
	}
	want := make(map[int64][]int, len(seqs))
	for i, s := range seqs {
		want[s] = append(want[s], i)
	}
	var rows pgx.Rows
	var err error
	if hi-lo < int64(4*len(seqs)) {
		// Dense, as for a level-0 tile: one range scan.
		rows, err = db.pool.Query(ctx, `SELECT seq, hashes FROM leaves WHERE seq >= $1 AND seq <= $2`, lo, hi)
	} else {
		distinct := make([]int64, 0, len(want))
		for s := range want {
			distinct = append(distinct, s)
		}
		rows, err = db.pool.Query(ctx, `SELECT seq, hashes FROM leaves WHERE seq = ANY($1)`, distinct)
	}
	if err != nil {
		return nil, fmt.Errorf("read hashes: %w", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var seq int64
		var h []byte
		if err := rows.Scan(&seq, &h); err != nil {
			return nil, fmt.Errorf("read hashes: %w", err)
		}
		for _, i := range want[seq] {
			out[i] = h
			found++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read hashes: %w", err)
	}
	if found != len(seqs) {
		for i, h := range out {
			if h == nil {
				return nil, fmt.Errorf("read hashes: leaf %d: %w", seqs[i], store.ErrNotFound)
			}
		}
	}
	return out, nil
}

// ScanLeaves calls fn for every leaf from start on. It reads in pages so that
// no query stays open across the whole log.
func (db *DB) ScanLeaves(ctx context.Context, start int64, fn func(store.Leaf) error) error {
	const page = 4096
	for {
		n, last, err := db.scanPage(ctx, start, page, fn)
		if err != nil {
			return err
		}
		if n < page {
			return nil
		}
		// From the last row read, not start+n: a gap in the table would
		// otherwise hand some leaves to fn twice.
		start = last + 1
	}
}

// scanPage calls fn for up to limit leaves from start on and returns how many
// it read and the sequence number of the last.
func (db *DB) scanPage(ctx context.Context, start int64, limit int, fn func(store.Leaf) error) (n int, last int64, err error) {
	rows, err := db.pool.Query(ctx, `SELECT seq, entry, hashes FROM leaves WHERE seq >= $1 ORDER BY seq LIMIT $2`, start, limit)
	if err != nil {
		return 0, 0, fmt.Errorf("scan leaves from %d: %w", start, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l store.Leaf
		if err := rows.Scan(&l.Seq, &l.Entry, &l.Hashes); err != nil {
			return n, last, fmt.Errorf("scan leaves: %w", err)
		}
		if err := fn(l); err != nil {
			return n, last, err
		}
		n, last = n+1, l.Seq
	}
	if err := rows.Err(); err != nil {
		return n, last, fmt.Errorf("scan leaves: %w", err)
	}
	return n, last, nil
}

// ReadOpenings returns the openings of the given leaves, ordered by sequence
// number and field.
func (db *DB) ReadOpenings(ctx context.Context, seqs []int64) ([]store.Opening, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT seq, field, salt, value FROM openings WHERE seq = ANY($1) ORDER BY seq, field`, seqs)
	if err != nil {
		return nil, fmt.Errorf("read openings: %w", err)
	}
	defer rows.Close()
	var out []store.Opening
	for rows.Next() {
		var o store.Opening
		if err := rows.Scan(&o.Seq, &o.Field, &o.Salt, &o.Value); err != nil {
			return nil, fmt.Errorf("read openings: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read openings: %w", err)
	}
	return out, nil
}

// ScanOpenings calls fn for every opening in sequence order.
func (db *DB) ScanOpenings(ctx context.Context, fn func(store.Opening) error) error {
	rows, err := db.pool.Query(ctx, `SELECT seq, field, salt, value FROM openings ORDER BY seq, field`)
	if err != nil {
		return fmt.Errorf("scan openings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o store.Opening
		if err := rows.Scan(&o.Seq, &o.Field, &o.Salt, &o.Value); err != nil {
			return fmt.Errorf("scan openings: %w", err)
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan openings: %w", err)
	}
	return nil
}

// EraseOpening deletes one opening, and every snapshot made after its
// event: a snapshot holds the plaintexts of its events' openings, and
// would bring the erased one back at the next start.
func (db *DB) EraseOpening(ctx context.Context, seq int64, field string) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `DELETE FROM openings WHERE seq = $1 AND field = $2`, seq, field)
	if err != nil {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, store.ErrNotFound)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM snapshots WHERE size > $1`, seq); err != nil {
		return fmt.Errorf("erase opening %d/%s: snapshots: %w", seq, field, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, err)
	}
	return nil
}

// SaveCheckpoint records a checkpoint whose size exceeds every earlier one.
func (db *DB) SaveCheckpoint(ctx context.Context, c store.Checkpoint) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	defer tx.Rollback(ctx)
	// Savers take turns (readers do not wait): two saving sizes 5 and 6 at
	// once would otherwise both read the same latest size, and 5 could land
	// after 6.
	if _, err := tx.Exec(ctx, `LOCK TABLE checkpoints IN EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	var latest int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(size), -1) FROM checkpoints`).Scan(&latest); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if c.Size <= latest {
		return fmt.Errorf("save checkpoint of size %d after %d: %w", c.Size, latest, store.ErrConflict)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO checkpoints (size, note) VALUES ($1, $2)`, c.Size, c.Note); err != nil {
		return fmt.Errorf("save checkpoint %d: %w", c.Size, conflict(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("save checkpoint %d: %w", c.Size, err)
	}
	return nil
}

// LatestCheckpoint returns the largest checkpoint.
func (db *DB) LatestCheckpoint(ctx context.Context) (store.Checkpoint, error) {
	var c store.Checkpoint
	err := db.pool.QueryRow(ctx, `SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1`).Scan(&c.Size, &c.Note)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("latest checkpoint: %w", store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("latest checkpoint: %w", err)
	}
	return c, nil
}

// Meta returns a setting.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("meta %q: %w", key, err)
	}
	return v, nil
}

// SetMeta stores a setting.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	return nil
}

// conflict returns store.ErrConflict, joined with err, if err is an
// integrity constraint violation (SQLSTATE class 23: a unique or primary key
// refusing a row, a foreign key, a check), as the SQLite store treats
// SQLITE_CONSTRAINT; otherwise err itself.
func conflict(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "23") {
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}

// full marks an error of a server out of disk (SQLSTATE 53100 disk_full,
// which "could not extend file" carries) as store.ErrFull.
func full(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "53100" {
		return fmt.Errorf("%w: %w", store.ErrFull, err)
	}
	return err
}
