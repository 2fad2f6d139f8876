package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tenfour-cad/tenfour/store"
)

// PutPhoto stores a photo under its hash; the same hash again changes
// nothing.
func (db *DB) PutPhoto(ctx context.Context, p store.Photo) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO photos (hash, type, data, created) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING`,
		p.Hash, p.Type, p.Data, fmtTime(p.Created))
	if err != nil {
		return fmt.Errorf("put photo %x: %w", p.Hash, err)
	}
	return nil
}

// Photo returns the photo with the hash.
func (db *DB) Photo(ctx context.Context, hash []byte) (store.Photo, error) {
	var p store.Photo
	var created string
	err := db.pool.QueryRow(ctx, `SELECT hash, type, data, created FROM photos WHERE hash = $1`, hash).
		Scan(&p.Hash, &p.Type, &p.Data, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("photo %x: %w", hash, store.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("photo %x: %w", hash, err)
	}
	if p.Created, err = parseTime("created", &created); err != nil {
		return p, fmt.Errorf("photo %x: %w", hash, err)
	}
	return p, nil
}
