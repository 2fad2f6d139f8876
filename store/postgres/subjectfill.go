package postgres

import (
	"context"
	"fmt"

	"github.com/tenfour-cad/tenfour/store"
)

// SubjectIndexEnd returns one past the greatest sequence number the subject
// index holds, 0 when it holds none: where the engine starts filling the
// index of a store written before it existed (engine.SubjectIndexer).
func (db *DB) SubjectIndexEnd(ctx context.Context) (int64, error) {
	var end int64
	if err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM subjects`).Scan(&end); err != nil {
		return 0, fmt.Errorf("subject index end: %w", err)
	}
	return end, nil
}

// IndexSubjects adds subjects to the index, in one statement; a subject
// already indexed is kept once.
func (db *DB) IndexSubjects(ctx context.Context, subjects []store.Subject) error {
	if len(subjects) == 0 {
		return nil
	}
	kinds := make([]string, len(subjects))
	ids := make([]string, len(subjects))
	seqs := make([]int64, len(subjects))
	for i, s := range subjects {
		kinds[i], ids[i], seqs[i] = s.Kind, s.ID, s.Seq
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO subjects (kind, id, seq)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`, kinds, ids, seqs); err != nil {
		return fmt.Errorf("index subjects: %w", err)
	}
	return nil
}
