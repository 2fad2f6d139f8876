package sqlite

import (
	"context"
	"fmt"

	"github.com/tenfour-cad/tenfour/store"
)

// SubjectIndexEnd returns one past the greatest sequence number the subject
// index holds (folded or still recent), 0 when it holds none: where the
// engine starts filling the index of a store written before it existed
// (engine.SubjectIndexer).
func (db *DB) SubjectIndexEnd(ctx context.Context) (int64, error) {
	var end int64
	if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM (SELECT MAX(seq) AS seq FROM subjects UNION ALL SELECT MAX(seq) FROM subjects_recent)`).Scan(&end); err != nil {
		return 0, fmt.Errorf("subject index end: %w", err)
	}
	return end, nil
}

// IndexSubjects adds subjects to the index, in one transaction; a subject
// already indexed is kept once. They go straight into subjects: they are
// of events past every one subjects_recent holds, and in sorted runs.
func (db *DB) IndexSubjects(ctx context.Context, subjects []store.Subject) error {
	if len(subjects) == 0 {
		return nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index subjects: %w", err)
	}
	defer tx.Rollback()
	for lo := 0; lo < len(subjects); lo += insertChunk {
		hi := min(lo+insertChunk, len(subjects))
		args := make([]any, 0, 3*(hi-lo))
		for _, s := range subjects[lo:hi] {
			args = append(args, s.Kind, s.ID, s.Seq)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO subjects (kind, id, seq) VALUES "+values(hi-lo, 3)+" ON CONFLICT DO NOTHING", args...); err != nil {
			return fmt.Errorf("index subjects: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("index subjects: %w", err)
	}
	return nil
}
