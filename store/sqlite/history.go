package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// foldEvery is how many events' subjects wait in subjects_recent before
// Append folds them into subjects: more makes each fold's pages take more
// rows (fewer bytes written an event) and SubjectSeqs scan more.
const foldEvery = 4096

// insertSubjects indexes the batch's events by subject in its transaction:
// appended to subjects_recent with multi-row INSERTs, as the leaves are,
// and folded into subjects, sorted, when the batch crosses a multiple of
// foldEvery events. A subject given twice for one event is one row.
func insertSubjects(ctx context.Context, tx *sql.Tx, subjects []store.Subject, leaves []store.Leaf) error {
	first, n := leaves[0].Seq, int64(len(leaves))
	subjects, err := store.CheckSubjects(subjects, first, int(n))
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	for lo := 0; lo < len(subjects); lo += insertChunk {
		hi := min(lo+insertChunk, len(subjects))
		q := "INSERT INTO subjects_recent (seq, kind, id) VALUES " + values(hi-lo, 3)
		args := make([]any, 0, 3*(hi-lo))
		for _, s := range subjects[lo:hi] {
			args = append(args, s.Seq, s.Kind, s.ID)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("append subjects: %w", err)
		}
	}
	if (first+n)/foldEvery == first/foldEvery {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO subjects (kind, id, seq)
		SELECT kind, id, seq FROM subjects_recent ORDER BY kind, id, seq`); err != nil {
		return fmt.Errorf("append: fold subjects: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM subjects_recent`); err != nil {
		return fmt.Errorf("append: fold subjects: %w", err)
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
	rows, err := db.r.QueryContext(ctx, `SELECT seq FROM subjects WHERE kind = ?1 AND id = ?2
		UNION ALL SELECT seq FROM subjects_recent WHERE kind = ?1 AND id = ?2 ORDER BY seq`, kind, id)
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
	// The page is chosen on the index and the narrow columns first, and only
	// its records are read whole: sorting every match with its document
	// costs what the matches weigh, which at a busy address grows with the
	// years (docs/performance.md, "History: a year of a county").
	rows, err := db.r.QueryContext(ctx, `SELECT `+archiveColumns+` FROM archive a JOIN (SELECT a.kind, a.id, a.opened FROM archive a WHERE `+where+
		` ORDER BY a.opened DESC, a.id DESC LIMIT ?) p ON a.kind = p.kind AND a.id = p.id ORDER BY p.opened DESC, p.id DESC`, append(args, limit)...)
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
// arguments and the page's size.
//
// SQLite plans without statistics here (nothing runs ANALYZE), and guesses
// wrong: it would rather walk the index that gives the newest first than
// the one that holds a dozen rows. So the query is led by the filter whose
// index range holds the fewest rows by what dispatch data is like (leadOf),
// and every other condition is written so that it cannot lead: a unary +
// before a column keeps SQLite from using an index on it, and the join
// tables are probed per row (EXISTS) rather than read whole (IN).
func archiveWhere(q store.ArchiveQuery) (string, []any, int, error) {
	p, err := store.PlanArchive(q)
	if err != nil {
		return "", nil, 0, err
	}
	l := leadOf(q)
	// col returns column c of a, usable by an index if the lead is one of
	// leads.
	col := func(c string, leads ...lead) string {
		if slices.Contains(leads, l) {
			return "a." + c
		}
		return "+a." + c
	}
	w := &where{}
	if q.Kind != "" {
		w.and(col("kind", byTime, byType) + " = " + w.arg(q.Kind))
	}
	w.times(col("opened", byTime, byType, byAddress), col("id", byTime, byType, byAddress), p)
	if len(q.Agencies) > 0 {
		in := make([]string, len(q.Agencies))
		for i, a := range q.Agencies {
			in[i] = w.arg(a)
		}
		w.join(l == byAgency, "archive_agencies g", lookup("g.agency", l == byAgency)+" IN ("+strings.Join(in, ", ")+")", q.Kind, p)
	}
	if q.Unit != "" {
		w.join(l == byUnit, "archive_units u", lookup("u.unit", l == byUnit)+" = "+w.arg(q.Unit), q.Kind, p)
	}
	if q.Type != "" {
		w.and(col("type", byType) + " = " + w.arg(q.Type))
	}
	if q.Address != "" {
		w.and(col("address", byAddress) + " = " + w.arg(q.Address))
	}
	if b := p.Box; b != nil {
		w.and(col("lat", byPoint) + " BETWEEN " + w.arg(b.MinLat) + " AND " + w.arg(b.MaxLat))
		w.and(col("lon", byPoint) + " BETWEEN " + w.arg(b.MinLon) + " AND " + w.arg(b.MaxLon))
	}
	return w.String(), w.args, p.Limit, nil
}

// lookup returns column c of a joined table as a condition names it: as
// it is when the join leads the query, else with SQLite's unary + so that
// the condition, checked record by record, finds the record's rows by
// their primary key (kind, id) rather than walk the index by c: walking
// an agency's index for each record costs what the agency's history weighs.
func lookup(c string, leads bool) string {
	if leads {
		return c
	}
	return "+" + c
}

// A lead is the filter a query of the archive is led by.
type lead int

const (
	byTime    lead = iota // the newest (of a kind)
	byType                // of a type: many a day
	byAgency              // of an agency in a month or less: a few thousand at most
	byPoint               // in a box: a few a block
	byUnit                // of a unit: a few a day
	byAddress             // at an address: a handful
)

// leadOf returns the filter of q whose index range is likely the smallest.
func leadOf(q store.ArchiveQuery) lead {
	switch {
	case q.Address != "":
		return byAddress
	case q.Unit != "":
		return byUnit
	case q.Lat != nil:
		return byPoint
	case len(q.Agencies) > 0 && !q.From.IsZero() && !q.To.IsZero() && q.To.Sub(q.From) <= 31*24*time.Hour:
		// Over a longer time, an agency's records are a good part of
		// all: the newest first are found sooner probing them in order.
		return byAgency
	case q.Type != "":
		return byType
	}
	return byTime
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

// times adds the plan's bounds on the columns opened and id.
func (w *where) times(opened, id string, p store.ArchivePlan) {
	if p.From != nil {
		w.and(opened + " >= " + w.arg(*p.From))
	}
	if p.To != nil {
		w.and(opened + " < " + w.arg(*p.To))
	}
	if p.Before != nil {
		w.and("(" + opened + ", " + id + ") < (" + w.arg(p.Before.Opened) + ", " + w.arg(p.Before.ID) + ")")
	}
}

// join adds the condition that a has a row of table ("archive_units u")
// that meets cond. Leading, the rows are read from the table's index by
// cond and the plan's times (it holds opened); otherwise each record of a
// is probed for one.
func (w *where) join(leads bool, table, cond, kind string, p store.ArchivePlan) {
	t := table[strings.LastIndexByte(table, ' ')+1:]
	if !leads {
		w.and("EXISTS (SELECT 1 FROM " + table + " WHERE " + t + ".kind = a.kind AND " + t + ".id = a.id AND " + cond + ")")
		return
	}
	sub := &where{args: w.args}
	sub.and(cond)
	if kind != "" {
		// Checked in the index by cond, not a lead of its own.
		sub.and("+" + t + ".kind = " + sub.arg(kind))
	}
	sub.times(t+".opened", t+".id", p)
	w.args = sub.args
	w.and("(a.kind, a.id) IN (SELECT " + t + ".kind, " + t + ".id FROM " + table + " WHERE " + sub.String() + ")")
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
