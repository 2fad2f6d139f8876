package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
)

// Probe opens the database at path read-only, without creating it or
// changing its schema, and returns the size of its log: what `tenfour serve
// --check-config` reports of a store it must not touch, perhaps while a
// node runs on it.
func Probe(ctx context.Context, path string) (int64, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("probe sqlite %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return 0, fmt.Errorf("probe sqlite %s: %w", path, err)
	}
	defer db.Close()
	n, err := logSize(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("probe sqlite %s: %w", path, err)
	}
	return n, nil
}
