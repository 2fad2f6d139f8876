package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tenfour-cad/tenfour/store"
)

// insertSubjects indexes the batch's events by subject in its transaction,
// with multi-row INSERTs as the leaves are. A subject given twice for one
// event is one row.
func insertSubjects(ctx context.Context, tx *sql.Tx, subjects []store.Subject, leaves []store.Leaf) error {
	subjects, err := store.CheckSubjects(subjects, leaves[0].Seq, len(leaves))
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	for lo := 0; lo < len(subjects); lo += insertChunk {
		hi := min(lo+insertChunk, len(subjects))
		q := "INSERT INTO subjects (kind, id, seq) VALUES " + values(hi-lo, 3)
		args := make([]any, 0, 3*(hi-lo))
		for _, s := range subjects[lo:hi] {
			args = append(args, s.Kind, s.ID, s.Seq)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("append subjects: %w", err)
		}
	}
	return nil
}

// archiveChunk bounds the records of one multi-row INSERT into archive
// (11 parameters each).
const archiveChunk = 64

// insertArchive writes the batch's archived records in its transaction. A
// record already archived is replaced: its row is deleted, which deletes
// its agencies and units (ON DELETE CASCADE), and written anew.
func insertArchive(ctx context.Context, tx *sql.Tx, recs []store.Archived) error {
	recs, err := store.DistinctArchived(recs)
	if err != nil {
		return err
	}
	for lo := 0; lo < len(recs); lo += archiveChunk {
		hi := min(lo+archiveChunk, len(recs))
		if err := insertArchiveChunk(ctx, tx, recs[lo:hi]); err != nil {
			return err
		}
	}
	return nil
}

func insertArchiveChunk(ctx context.Context, tx *sql.Tx, recs []store.Archived) error {
	keys := make([]any, 0, 2*len(recs))
	rows := make([]any, 0, 11*len(recs))
	var agencies, units []any
	for _, r := range recs {
		opened := store.Nanos(r.Opened)
		keys = append(keys, r.Kind, r.ID)
		rows = append(rows, r.Kind, r.ID, r.Agency, r.Type, opened, store.Nanos(r.Closed), r.Address, r.Lat, r.Lon, r.Seq, nonNil(r.Doc))
		for _, f := range r.Finders() {
			agencies = append(agencies, r.Kind, r.ID, f.Agency, f.Pos, opened)
		}
		for i, u := range store.Distinct(r.Units) {
			units = append(units, r.Kind, r.ID, u, i, opened)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM archive WHERE (kind, id) IN (VALUES "+values(len(recs), 2)+")", keys...); err != nil {
		return fmt.Errorf("append archive: replace: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO archive (kind, id, agency, type, opened, closed, address, lat, lon, seq, doc) VALUES `+
		values(len(recs), 11), rows...); err != nil {
		return fmt.Errorf("append archive %s/%s…: %w", recs[0].Kind, recs[0].ID, err)
	}
	if err := insertRows(ctx, tx, "archive_agencies (kind, id, agency, pos, opened)", 5, agencies); err != nil {
		return fmt.Errorf("append archive agencies: %w", err)
	}
	if err := insertRows(ctx, tx, "archive_units (kind, id, unit, pos, opened)", 5, units); err != nil {
		return fmt.Errorf("append archive units: %w", err)
	}
	return nil
}

// insertRows inserts the rows whose cols values follow each other in args,
// insertChunk rows a statement.
func insertRows(ctx context.Context, tx *sql.Tx, into string, cols int, args []any) error {
	for lo := 0; lo < len(args); lo += insertChunk * cols {
		hi := min(lo+insertChunk*cols, len(args))
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+into+" VALUES "+values((hi-lo)/cols, cols), args[lo:hi]...); err != nil {
			return err
		}
	}
	return nil
}

// SubjectSeqs returns the sequence numbers of the events about kind/id, in
// log order; none is an empty list.
func (db *DB) SubjectSeqs(ctx context.Context, kind, id string) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT seq FROM subjects WHERE kind = ? AND id = ? ORDER BY seq`, kind, id)
	if err != nil {
		return nil, fmt.Errorf("subject %s/%s: %w", kind, id, err)
	}
	defer rows.Close()
	seqs := []int64{}
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("subject %s/%s: %w", kind, id, err)
		}
		seqs = append(seqs, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("subject %s/%s: %w", kind, id, err)
	}
	return seqs, nil
}

// archiveColumns are what a query of the archive reads of each record, in
// scanArchived's order: the lists are JSON arrays, in their order.
const archiveColumns = `a.kind, a.id, a.agency, a.type, a.opened, a.closed, a.address, a.lat, a.lon, a.seq, a.doc,
	(SELECT json_group_array(agency) FROM (SELECT agency FROM archive_agencies g
		WHERE g.kind = a.kind AND g.id = a.id AND g.pos >= 0 ORDER BY g.pos)),
	(SELECT json_group_array(unit) FROM (SELECT unit FROM archive_units u
		WHERE u.kind = a.kind AND u.id = a.id ORDER BY u.pos))`

// ArchivedRecord returns archived record kind/id, or store.ErrNotFound.
func (db *DB) ArchivedRecord(ctx context.Context, kind, id string) (store.Archived, error) {
	row := db.r.QueryRowContext(ctx, `SELECT `+archiveColumns+` FROM archive a WHERE a.kind = ? AND a.id = ?`, kind, id)
	r, err := scanArchived(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("archived %s/%s: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("archived %s/%s: %w", kind, id, err)
	}
	return r, nil
}

// QueryArchive returns a page of archived records, newest Opened first,
// then by ID (store.ArchiveQuery).
func (db *DB) QueryArchive(ctx context.Context, q store.ArchiveQuery) ([]store.Archived, error) {
	where, args, limit, err := archiveWhere(q)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+archiveColumns+` FROM archive a WHERE `+where+
		` ORDER BY a.opened DESC, a.id DESC, a.kind DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("query archive: %w", err)
	}
	defer rows.Close()
	out := []store.Archived{}
	for rows.Next() {
		r, err := scanArchived(rows)
		if err != nil {
			return nil, fmt.Errorf("query archive: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query archive: %w", err)
	}
	return out, nil
}

// archiveWhere returns the condition of the query on archive a, its
// arguments and the page's size. The conditions on the agency and the unit
// are IN subqueries bounded by the same times as the record (the join
// tables hold opened), so that the planner may drive the query from either.
func archiveWhere(q store.ArchiveQuery) (string, []any, int, error) {
	p, err := store.PlanArchive(q)
	if err != nil {
		return "", nil, 0, err
	}
	w := &where{}
	if q.Kind != "" {
		w.and("a.kind = " + w.arg(q.Kind))
	}
	w.times("a", p)
	if len(q.Agencies) > 0 {
		in := make([]string, len(q.Agencies))
		for i, a := range q.Agencies {
			in[i] = w.arg(a)
		}
		sub := &where{args: w.args}
		sub.and("g.agency IN (" + strings.Join(in, ", ") + ")")
		sub.times("g", p)
		w.args = sub.args
		w.and("(a.kind, a.id) IN (SELECT g.kind, g.id FROM archive_agencies g WHERE " + sub.String() + ")")
	}
	if q.Unit != "" {
		sub := &where{args: w.args}
		sub.and("u.unit = " + sub.arg(q.Unit))
		sub.times("u", p)
		w.args = sub.args
		w.and("(a.kind, a.id) IN (SELECT u.kind, u.id FROM archive_units u WHERE " + sub.String() + ")")
	}
	if q.Type != "" {
		w.and("a.type = " + w.arg(q.Type))
	}
	if q.Address != "" {
		w.and("a.address = " + w.arg(q.Address))
	}
	if b := p.Box; b != nil {
		w.and("a.lat BETWEEN " + w.arg(b.MinLat) + " AND " + w.arg(b.MaxLat))
		w.and("a.lon BETWEEN " + w.arg(b.MinLon) + " AND " + w.arg(b.MaxLon))
	}
	return w.String(), w.args, p.Limit, nil
}

// A where builds a condition of parts joined by AND, and its arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) and(cond string) { w.conds = append(w.conds, cond) }

// arg adds an argument and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "?"
}

// times adds the plan's bounds on the opened of table t.
func (w *where) times(t string, p store.ArchivePlan) {
	if p.From != nil {
		w.and(t + ".opened >= " + w.arg(*p.From))
	}
	if p.To != nil {
		w.and(t + ".opened < " + w.arg(*p.To))
	}
	if p.Before != nil {
		w.and("(" + t + ".opened, " + t + ".id) < (" + w.arg(p.Before.Opened) + ", " + w.arg(p.Before.ID) + ")")
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// nonNil returns b, or no bytes for nil: a record's Doc is NOT NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func scanArchived(s scanner) (store.Archived, error) {
	var r store.Archived
	var opened, closed int64
	var lat, lon sql.NullFloat64
	var agencies, units string
	if err := s.Scan(&r.Kind, &r.ID, &r.Agency, &r.Type, &opened, &closed, &r.Address, &lat, &lon, &r.Seq, &r.Doc, &agencies, &units); err != nil {
		return r, err
	}
	r.Opened, r.Closed = store.FromNanos(opened), store.FromNanos(closed)
	if lat.Valid && lon.Valid {
		r.Lat, r.Lon = &lat.Float64, &lon.Float64
	}
	if err := json.Unmarshal([]byte(agencies), &r.Agencies); err != nil {
		return r, fmt.Errorf("agencies of %s/%s: %w", r.Kind, r.ID, err)
	}
	if err := json.Unmarshal([]byte(units), &r.Units); err != nil {
		return r, fmt.Errorf("units of %s/%s: %w", r.Kind, r.ID, err)
	}
	r.Agencies, r.Units = nilIfEmpty(r.Agencies), nilIfEmpty(r.Units)
	return r, nil
}

// nilIfEmpty returns nil for an empty list, as a record without units was
// written.
func nilIfEmpty(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return ss
}
