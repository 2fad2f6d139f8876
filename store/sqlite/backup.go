package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// Backup writes a consistent copy of the database at path to out, while
// another process may be writing to it: SQLite's VACUUM INTO reads the
// database in one read transaction (WAL lets the writer go on meanwhile)
// and writes a compact copy of that instant. out must not exist; it is
// created with FileMode, since the copy holds what the database holds.
func Backup(ctx context.Context, path, out string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return fmt.Errorf("back up to %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("back up to %s: %w", out, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	// Read-only: the copy never writes to the database it copies.
	q.Add("mode", "ro")
	src, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	defer src.Close()
	// VACUUM INTO takes an empty file as a new one.
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	// The copy is whole once VACUUM INTO returns; make it durable.
	g, err := os.OpenFile(out, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("back up to %s: %w", out, err)
	}
	if err := errors.Join(g.Sync(), g.Close()); err != nil {
		return fmt.Errorf("back up to %s: %w", out, err)
	}
	return nil
}

// ForgetLease clears the sequencer lease of a database restored from a
// backup: the row came with the copy and names the node it was taken
// from, which would make the restored node that node's follower, and then
// its rival once the lease ran out. The epoch is kept, so that the next
// grant is at a larger one.
func (db *DB) ForgetLease(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE lease SET node = '', url = '', expires = 0 WHERE id = 1`); err != nil {
		return fmt.Errorf("forget the lease: %w", err)
	}
	return nil
}
