// Package sqlite keeps tenfour's data in an embedded SQLite file
// (modernc.org/sqlite, no cgo) in WAL mode with synchronous=FULL, so that a
// committed transaction is on disk before Append returns.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/tenfour-cad/tenfour/store"
	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is tenfour's store on one SQLite file: the log (ledger.Store), the
// accounts (auth.Accounts) and BOLO photos. Writes go through a single
// connection (SQLite has one writer anyway); reads use a small pool that WAL
// lets run beside the writer.
type DB struct {
	w *sql.DB
	r *sql.DB
	// tightened lists the files whose permissions Open narrowed.
	tightened []string
}

// Open opens (creating if needed) the SQLite database at path and brings its
// schema up to date. The file and its -wal and -shm are its owner's alone
// (FileMode); Open tightens them if they are not (Tightened says which).
func Open(ctx context.Context, path string) (*DB, error) {
	tightened, err := secure(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	dsn := func(readonly bool) string {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		// FULL: the WAL is fsynced at every commit, so an acknowledged event
		// survives power loss, not only a process crash.
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "foreign_keys(1)")
		if readonly {
			q.Add("_pragma", "query_only(1)")
		} else {
			q.Set("_txlock", "immediate")
		}
		return "file:" + path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn(false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	return &DB{w: w, r: r, tightened: tightened}, nil
}

// Tightened returns the files whose permissions Open narrowed to their
// owner's, each with its old mode, for the caller to log.
func (db *DB) Tightened() []string { return db.tightened }

func migrate(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	return nil
}

// Close closes both connection pools.
func (db *DB) Close() error {
	return errors.Join(db.r.Close(), db.w.Close())
}

// LogSize returns the number of leaves.
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	return logSize(ctx, db.r)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func logSize(ctx context.Context, q queryer) (int64, error) {
	var n int64
	// MAX on the rowid is a single b-tree probe; COUNT(*) would scan.
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM leaves`).Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return n, nil
}

// insertChunk bounds the rows of one multi-row INSERT: fewer statements cost
// less than many, and SQLite limits the parameters of one statement.
const insertChunk = 256

// Append writes the batch in one transaction, the subject index and the
// archived records with the leaves; the commit fsyncs the WAL.
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
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("append: begin: %w", err)
	}
	defer tx.Rollback()
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
	for lo := 0; lo < len(b.Leaves); lo += insertChunk {
		hi := min(lo+insertChunk, len(b.Leaves))
		q := "INSERT INTO leaves (seq, entry, hashes) VALUES " + values(hi-lo, 3)
		args := make([]any, 0, 3*(hi-lo))
		for _, l := range b.Leaves[lo:hi] {
			args = append(args, l.Seq, l.Entry, l.Hashes)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("append leaves %d-%d: %w", b.Leaves[lo].Seq, b.Leaves[hi-1].Seq, err)
		}
	}
	for lo := 0; lo < len(b.Openings); lo += insertChunk {
		hi := min(lo+insertChunk, len(b.Openings))
		q := "INSERT INTO openings (seq, field, salt, value) VALUES " + values(hi-lo, 4)
		args := make([]any, 0, 4*(hi-lo))
		for _, o := range b.Openings[lo:hi] {
			args = append(args, o.Seq, o.Field, o.Salt, o.Value)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("append openings: %w", err)
		}
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
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append: commit: %w", err)
	}
	return nil
}

// values returns "(?,?,?),(?,?,?)…" for rows rows of cols columns.
func values(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

// ReadEntries returns the entries of leaves [start, end).
func (db *DB) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end < start {
		return nil, fmt.Errorf("read entries [%d, %d): bad range", start, end)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT seq, entry FROM leaves WHERE seq >= ? AND seq < ? ORDER BY seq`, start, end)
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

// ReadHashes returns the stored hashes of the given leaves.
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
	var rows *sql.Rows
	var err error
	if hi-lo < int64(4*len(seqs)) {
		// Dense, as for a level-0 tile: one range scan.
		rows, err = db.r.QueryContext(ctx, `SELECT seq, hashes FROM leaves WHERE seq >= ? AND seq <= ?`, lo, hi)
	} else {
		args := make([]any, 0, len(want))
		for s := range want {
			args = append(args, s)
		}
		rows, err = db.r.QueryContext(ctx, `SELECT seq, hashes FROM leaves WHERE seq IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...)
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
// no transaction stays open across the whole log.
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
	rows, err := db.r.QueryContext(ctx, `SELECT seq, entry, hashes FROM leaves WHERE seq >= ? ORDER BY seq LIMIT ?`, start, limit)
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

// ReadOpenings returns the openings of the given leaves.
func (db *DB) ReadOpenings(ctx context.Context, seqs []int64) ([]store.Opening, error) {
	var out []store.Opening
	for lo := 0; lo < len(seqs); lo += 500 {
		hi := min(lo+500, len(seqs))
		args := make([]any, hi-lo)
		for i, s := range seqs[lo:hi] {
			args[i] = s
		}
		rows, err := db.r.QueryContext(ctx, `SELECT seq, field, salt, value FROM openings WHERE seq IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`) ORDER BY seq, field`, args...)
		if err != nil {
			return nil, fmt.Errorf("read openings: %w", err)
		}
		for rows.Next() {
			var o store.Opening
			if err := rows.Scan(&o.Seq, &o.Field, &o.Salt, &o.Value); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read openings: %w", err)
			}
			out = append(out, o)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read openings: %w", err)
		}
	}
	return out, nil
}

// ScanOpenings calls fn for every opening in sequence order.
func (db *DB) ScanOpenings(ctx context.Context, fn func(store.Opening) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT seq, field, salt, value FROM openings ORDER BY seq, field`)
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
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM openings WHERE seq = ? AND field = ?`, seq, field)
	if err != nil {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, store.ErrNotFound)
	}
	for _, q := range []string{`DELETE FROM snapshots WHERE size > ?`, `DELETE FROM snapshot_chunks WHERE size > ?`} {
		if _, err := tx.ExecContext(ctx, q, seq); err != nil {
			return fmt.Errorf("erase opening %d/%s: snapshots: %w", seq, field, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("erase opening %d/%s: %w", seq, field, err)
	}
	return nil
}

// SaveCheckpoint records a checkpoint whose size exceeds every earlier one.
func (db *DB) SaveCheckpoint(ctx context.Context, c store.Checkpoint) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	defer tx.Rollback()
	var latest int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(size), -1) FROM checkpoints`).Scan(&latest); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if c.Size <= latest {
		return fmt.Errorf("save checkpoint of size %d after %d: %w", c.Size, latest, store.ErrConflict)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (size, note) VALUES (?, ?)`, c.Size, c.Note); err != nil {
		return fmt.Errorf("save checkpoint %d: %w", c.Size, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save checkpoint %d: %w", c.Size, err)
	}
	return nil
}

// LatestCheckpoint returns the largest checkpoint.
func (db *DB) LatestCheckpoint(ctx context.Context) (store.Checkpoint, error) {
	var c store.Checkpoint
	err := db.r.QueryRowContext(ctx, `SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1`).Scan(&c.Size, &c.Note)
	if errors.Is(err, sql.ErrNoRows) {
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
	err := db.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("meta %q: %w", key, err)
	}
	return v, nil
}

// SetMeta stores a setting.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set meta %q: %w", key, err)
	}
	return nil
}

// isConstraint reports whether err is SQLite's constraint violation
// (a primary key or unique index refusing a row).
func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// full marks an error of a disk that is full (SQLITE_FULL, or an I/O error
// the kernel gave as ENOSPC) as store.ErrFull.
func full(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	if se.Code()&0xff == sqlite3.SQLITE_FULL || strings.Contains(se.Error(), "no space left") {
		return fmt.Errorf("%w: %w", store.ErrFull, err)
	}
	return err
}
