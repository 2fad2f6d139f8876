package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Probe connects to the database named by dsn, without changing its
// schema, and returns the size of its log: what `tenfour serve
// --check-config` reports of a store it must not touch. A database that
// tenfour has not yet set up is an error (its leaves table is missing).
func Probe(ctx context.Context, dsn string) (int64, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		// The DSN may hold a password: it is not repeated here.
		return 0, fmt.Errorf("probe postgres: %w", err)
	}
	defer conn.Close(ctx)
	n, err := logSize(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("probe postgres: %w", err)
	}
	return n, nil
}
