package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tenfour-cad/tenfour/store"
)

// insertSubjects indexes the batch's events by subject in its transaction,
// as insertLeaves inserts leaves. A subject given twice for one event is
// one row.
func insertSubjects(ctx context.Context, tx pgx.Tx, subjects []store.Subject, leaves []store.Leaf) error {
	subjects, err := store.CheckSubjects(subjects, leaves[0].Seq, len(leaves))
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	switch {
	case len(subjects) == 0:
		return nil
	case len(subjects) >= copyMin:
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"subjects"}, []string{"kind", "id", "seq"},
			pgx.CopyFromSlice(len(subjects), func(i int) ([]any, error) {
				return []any{subjects[i].Kind, subjects[i].ID, subjects[i].Seq}, nil
			}))
	default:
		kinds := make([]string, len(subjects))
		ids := make([]string, len(subjects))
		seqs := make([]int64, len(subjects))
		for i, s := range subjects {
			kinds[i], ids[i], seqs[i] = s.Kind, s.ID, s.Seq
		}
		_, err = tx.Exec(ctx, `INSERT INTO subjects (kind, id, seq)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`, kinds, ids, seqs)
	}
	if err != nil {
		return fmt.Errorf("append subjects: %w", conflict(err))
	}
	return nil
}

// insertArchive writes the batch's archived records in its transaction,
// one statement a table. A record already archived is replaced: its row is
// deleted, which deletes its agencies and units (ON DELETE CASCADE), and
// written anew.
func insertArchive(ctx context.Context, tx pgx.Tx, recs []store.Archived) error {
	recs, err := store.DistinctArchived(recs)
	if err != nil || len(recs) == 0 {
		return err
	}
	n := len(recs)
	var (
		kinds, ids, owners, types, addresses = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		opened, closed, seqs                 = make([]int64, n), make([]int64, n), make([]int64, n)
		lats, lons                           = make([]*float64, n), make([]*float64, n)
		docs                                 = make([][]byte, n)
		agencies, units                      joinRows
	)
	for i, r := range recs {
		kinds[i], ids[i], owners[i], types[i], addresses[i] = r.Kind, r.ID, r.Agency, r.Type, r.Address
		opened[i], closed[i], seqs[i] = store.Nanos(r.Opened), store.Nanos(r.Closed), r.Seq
		lats[i], lons[i], docs[i] = r.Lat, r.Lon, nonNil(r.Doc)
		for _, f := range r.Finders() {
			agencies.add(r.Kind, r.ID, f.Agency, f.Pos, opened[i])
		}
		for j, u := range store.Distinct(r.Units) {
			units.add(r.Kind, r.ID, u, j, opened[i])
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM archive USING unnest($1::text[], $2::text[]) AS d(kind, id)
		WHERE archive.kind = d.kind AND archive.id = d.id`, kinds, ids); err != nil {
		return fmt.Errorf("append archive: replace: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO archive (kind, id, agency, type, opened, closed, address, lat, lon, seq, doc)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
			$8::float8[], $9::float8[], $10::bigint[], $11::bytea[])`,
		kinds, ids, owners, types, opened, closed, addresses, lats, lons, seqs, docs); err != nil {
		return fmt.Errorf("append archive %s/%s…: %w", recs[0].Kind, recs[0].ID, err)
	}
	if err := agencies.insert(ctx, tx, "archive_agencies (kind, id, agency, pos, opened)"); err != nil {
		return fmt.Errorf("append archive agencies: %w", err)
	}
	if err := units.insert(ctx, tx, "archive_units (kind, id, unit, pos, opened)"); err != nil {
		return fmt.Errorf("append archive units: %w", err)
	}
	return nil
}

// joinRows are rows of archive_agencies or archive_units, by column.
type joinRows struct {
	kinds, ids, names []string
	pos               []int32
	opened            []int64
}

func (j *joinRows) add(kind, id, name string, pos int, opened int64) {
	j.kinds, j.ids, j.names = append(j.kinds, kind), append(j.ids, id), append(j.names, name)
	j.pos, j.opened = append(j.pos, int32(pos)), append(j.opened, opened)
}

func (j *joinRows) insert(ctx context.Context, tx pgx.Tx, into string) error {
	if len(j.kinds) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+into+`
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::bigint[])`, j.kinds, j.ids, j.names, j.pos, j.opened)
	return err
}

// SubjectSeqs returns the sequence numbers of the events about kind/id, in
// log order; none is an empty list.
func (db *DB) SubjectSeqs(ctx context.Context, kind, id string) ([]int64, error) {
	rows, err := db.pool.Query(ctx, `SELECT seq FROM subjects WHERE kind = $1 AND id = $2 ORDER BY seq`, kind, id)
	if err != nil {
		return nil, fmt.Errorf("subject %s/%s: %w", kind, id, err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("subject %s/%s: %w", kind, id, err)
	}
	if seqs == nil {
		seqs = []int64{}
	}
	return seqs, nil
}

// archiveColumns are what a query of the archive reads of each record, in
// scanArchived's order: the lists are arrays, in their order.
const archiveColumns = `a.kind, a.id, a.agency, a.type, a.opened, a.closed, a.address, a.lat, a.lon, a.seq, a.doc,
	ARRAY(SELECT g.agency FROM archive_agencies g WHERE g.kind = a.kind AND g.id = a.id AND g.pos >= 0 ORDER BY g.pos),
	ARRAY(SELECT u.unit FROM archive_units u WHERE u.kind = a.kind AND u.id = a.id ORDER BY u.pos)`

// ArchivedRecord returns archived record kind/id, or store.ErrNotFound.
func (db *DB) ArchivedRecord(ctx context.Context, kind, id string) (store.Archived, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+archiveColumns+` FROM archive a WHERE a.kind = $1 AND a.id = $2`, kind, id)
	r, err := scanArchived(row)
	if errors.Is(err, pgx.ErrNoRows) {
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
	// its records are read whole (see store/sqlite's QueryArchive).
	rows, err := db.pool.Query(ctx, `SELECT `+archiveColumns+` FROM archive a JOIN (SELECT a.kind, a.id, a.opened FROM archive a WHERE `+where+
		` ORDER BY a.opened DESC, a.id DESC LIMIT `+strconv.Itoa(limit)+`) p ON a.kind = p.kind AND a.id = p.id ORDER BY p.opened DESC, p.id DESC`, args...)
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
// arguments and the page's size. PostgreSQL plans by the statistics that
// autovacuum gathers, so the conditions are written plainly (the SQLite
// store must lead its planner); those on the agency and the unit are
// semi-joins bounded by the record's times, which their tables hold, so
// that the planner may start from either.
func archiveWhere(q store.ArchiveQuery) (string, []any, int, error) {
	p, err := store.PlanArchive(q)
	if err != nil {
		return "", nil, 0, err
	}
	w := &where{}
	if q.Kind != "" {
		w.and("a.kind = " + w.arg(q.Kind))
	}
	w.times("a.opened", "a.id", p)
	if len(q.Agencies) > 0 {
		w.join("archive_agencies g", "g.agency = ANY("+w.arg(q.Agencies)+")", q.Kind, p)
	}
	if q.Unit != "" {
		w.join("archive_units u", "u.unit = "+w.arg(q.Unit), q.Kind, p)
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
	return "$" + strconv.Itoa(len(w.args))
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
// that meets cond, of kind if not "" and within the plan's times.
func (w *where) join(table, cond, kind string, p store.ArchivePlan) {
	t := table[strings.LastIndexByte(table, ' ')+1:]
	sub := &where{args: w.args}
	sub.and(cond)
	if kind != "" {
		sub.and(t + ".kind = " + sub.arg(kind))
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

func scanArchived(row pgx.Row) (store.Archived, error) {
	var r store.Archived
	var opened, closed int64
	err := row.Scan(&r.Kind, &r.ID, &r.Agency, &r.Type, &opened, &closed, &r.Address, &r.Lat, &r.Lon, &r.Seq, &r.Doc, &r.Agencies, &r.Units)
	r.Opened, r.Closed = store.FromNanos(opened), store.FromNanos(closed)
	r.Agencies, r.Units = nilIfEmpty(r.Agencies), nilIfEmpty(r.Units)
	return r, err
}

// nilIfEmpty returns nil for an empty list, as a record without units was
// written.
func nilIfEmpty(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return ss
}
