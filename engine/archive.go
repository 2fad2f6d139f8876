package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// Open work in memory, history in the store (docs/architecture.md): the
// sequencer archives the records closed for the retention window
// (dispatch.ArchiveClosed), and the engine writes each one, as the live
// state holds it when it leaves, to the store in the transaction of the
// event that archives it; every event's subjects go to the store's index
// the same way. What is archived is read from there (History).

// SubjectIndexer is a History whose subject index can be filled from the
// log: a store written before the index existed holds leaves and no
// subjects. The engine fills it at Open, in the pass that replays the log.
type SubjectIndexer interface {
	// SubjectIndexEnd returns one past the greatest sequence number the
	// index holds, 0 when it holds none.
	SubjectIndexEnd(ctx context.Context) (int64, error)
	// IndexSubjects adds subjects to the index; one already there is
	// kept once.
	IndexSubjects(ctx context.Context, subjects []store.Subject) error
}

// fillBatch is how many subjects the filling of the index writes at once.
const fillBatch = 10_000

// subjectFill is the filling of the subject index during the replay at
// Open, from the first event the index does not cover.
type subjectFill struct {
	to   SubjectIndexer
	from int64
	buf  []store.Subject
}

// startFill prepares the filling of the subject index, if the store has one
// to fill.
func (e *Engine) startFill(ctx context.Context) error {
	ix, ok := e.history.(SubjectIndexer)
	if !ok {
		return nil
	}
	// Once filled, the index is kept whole by every append: asking where
	// it ends would read all of it, at every start.
	if done, err := e.meta.Meta(ctx, subjectsComplete); err == nil && done == "yes" {
		return nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("open engine: the subject index: %w", err)
	}
	end, err := ix.SubjectIndexEnd(ctx)
	if err != nil {
		return fmt.Errorf("open engine: the subject index: %w", err)
	}
	e.fill = &subjectFill{to: ix, from: end}
	return nil
}

// fillEvent indexes a replayed event if the index does not cover it yet;
// e.mu is held.
func (e *Engine) fillEvent(ctx context.Context, seq int64, ev dispatch.Event) error {
	f := e.fill
	if f == nil || seq < f.from {
		return nil
	}
	f.buf = append(f.buf, subjectsOf(seq, ev)...)
	if len(f.buf) < fillBatch {
		return nil
	}
	return e.flushFill(ctx)
}

// flushFill writes what the filling gathered; e.mu is held.
func (e *Engine) flushFill(ctx context.Context) error {
	f := e.fill
	if f == nil || len(f.buf) == 0 {
		return nil
	}
	if err := f.to.IndexSubjects(ctx, f.buf); err != nil {
		return fmt.Errorf("fill the subject index: %w", err)
	}
	f.buf = f.buf[:0]
	return nil
}

// endFill writes the rest of the filling and ends it: the events appended
// from now on are indexed with their leaves.
func (e *Engine) endFill(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fill == nil {
		return nil
	}
	err := e.flushFill(ctx)
	e.fill = nil
	if err == nil {
		err = e.meta.SetMeta(ctx, subjectsComplete, "yes")
	}
	return err
}

// subjectsComplete is the store's meta key that says the subject index
// holds every event of the log: it was filled, and appends keep it so.
const subjectsComplete = "subjects.complete"

// metaStore is the store's small key-value table (ledger.Store has it).
type metaStore interface {
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error
}

// subjectsOf returns the index entries of event ev at seq: each of its
// subjects but "agencies" (a list for the stream's filter, not an id), the
// private ones too (the store is private), in key order; and, for
// records.archived, which has none, each record it archives, so that a
// record's events end with its archiving.
func subjectsOf(seq int64, ev dispatch.Event) []store.Subject {
	var out []store.Subject
	for _, k := range slices.Sorted(maps.Keys(ev.Subject)) {
		if k == "agencies" || ev.Subject[k] == "" {
			continue
		}
		out = append(out, store.Subject{Kind: k, ID: ev.Subject[k], Seq: seq})
	}
	if d, ok := ev.Data.(*dispatch.RecordsArchived); ok {
		for _, k := range dispatch.ArchiveKinds {
			for _, id := range d.IDs(k) {
				out = append(out, store.Subject{Kind: k, ID: id, Seq: seq})
			}
		}
	}
	return out
}

// archiveRows appends to rows the records that event ev (the i-th of its
// command) archives, read from the live state before it applies them;
// e.mu is held.
func (e *Engine) archiveRows(rows []store.Archived, i int64, ev dispatch.Event) ([]store.Archived, error) {
	d, ok := ev.Data.(*dispatch.RecordsArchived)
	if !ok {
		return rows, nil
	}
	for _, k := range dispatch.ArchiveKinds {
		for _, id := range d.IDs(k) {
			row, err := archivedOf(e.live, k, id)
			if err != nil {
				return nil, err
			}
			row.Seq = i
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// archivedOf returns record kind/id of s as the store keeps it archived:
// the record whole (its private fields too: the store is private), and the
// fields history is searched by.
func archivedOf(s *dispatch.State, kind, id string) (store.Archived, error) {
	closed, ok := s.ClosedAt(kind, id)
	if !ok {
		return store.Archived{}, fmt.Errorf("archive %s %s: not closed in the state", kind, id)
	}
	a := store.Archived{Kind: kind, ID: id, Closed: closed}
	var doc any
	point := func(lat, lon *float64) {
		if lat != nil && lon != nil {
			la, lo := *lat, *lon
			a.Lat, a.Lon = &la, &lo
		}
	}
	switch kind {
	case dispatch.ArchiveIncident:
		in := s.Incidents[id]
		doc = in
		a.Agency, a.Type, a.Opened = in.Agency, in.Type, in.Received
		a.Address = dispatch.AddressKey(in.Location)
		point(in.Location.Lat, in.Location.Lon)
		a.Units = slices.Clone(in.Units)
		a.Agencies = involved(in.Agency, func(yield func(string) bool) {
			for _, u := range in.Units {
				if un := s.Units[u]; un != nil && !yield(un.Agency) {
					return
				}
			}
			for _, l := range in.Links {
				if !yield(l.Agency) {
					return
				}
			}
		})
	case dispatch.ArchiveRequest:
		r := s.Requests[id]
		doc = r
		a.Agency, a.Type, a.Opened = r.From, r.Urgency, r.Created
		a.Address = dispatch.AddressKey(r.Location)
		point(r.Location.Lat, r.Location.Lon)
		a.Units = slices.Clone(r.Units)
		a.Agencies = involved(r.From, slices.Values(r.Agencies()))
	case dispatch.ArchiveMessage:
		m := s.Messages[id]
		doc = m
		a.Agency, a.Opened, a.Type = m.Agency, m.Time, "routine"
		if m.Priority {
			a.Type = "priority"
		}
		if m.FromUnit != "" {
			a.Units = append(a.Units, m.FromUnit)
		}
		for _, r := range m.Recipients {
			if u, ok := strings.CutPrefix(r, dispatch.AddrUnit+":"); ok && !slices.Contains(a.Units, u) {
				a.Units = append(a.Units, u)
			}
		}
		a.Agencies = []string{m.Agency}
	case dispatch.ArchiveBOLO:
		b := s.BOLOs[id]
		doc = b
		a.Agency, a.Type, a.Opened = b.Agency, b.Kind, b.Issued
		if c := b.Area.Circle; c != nil {
			point(&c.Lat, &c.Lon)
		}
		a.Agencies = []string{b.Agency}
	case dispatch.ArchiveDirective:
		d := s.Directives[id]
		doc = d
		a.Agency, a.Type, a.Opened = d.Agency, d.Effect, d.Issued
		if c := d.Scope.Circle; c != nil {
			point(&c.Lat, &c.Lon)
		}
		a.Agencies = []string{d.Agency}
	case dispatch.ArchivePremise:
		p := s.Premises[id]
		doc = p
		a.Agency, a.Type, a.Opened = p.Agency, "premise", p.Entered
		a.Address = dispatch.AddressKey(p.Location)
		point(p.Location.Lat, p.Location.Lon)
		a.Agencies = []string{p.Agency}
	default:
		return a, fmt.Errorf("archive %s %s: not a kind of record that is archived", kind, id)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return a, fmt.Errorf("archive %s %s: %w", kind, id, err)
	}
	a.Doc = b
	return a, nil
}

// involved returns owner, then the other agencies of others, sorted, each
// once.
func involved(owner string, others func(func(string) bool)) []string {
	var rest []string
	for ag := range others {
		if ag != "" && ag != owner && !slices.Contains(rest, ag) {
			rest = append(rest, ag)
		}
	}
	slices.Sort(rest)
	return append([]string{owner}, rest...)
}

// refusal is the error a refused command answers. A command refused as
// not found for a record that has been archived is told so, if the actor
// may see the record: it can be read, not changed.
func (e *Engine) refusal(ctx context.Context, actor dispatch.Actor, cmd dispatch.Command, err error) error {
	if dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		return err
	}
	for _, r := range dispatch.RecordsNamed(cmd) {
		if r.ID == "" {
			continue
		}
		a, aerr := e.history.ArchivedRecord(ctx, r.Kind, r.ID)
		if errors.Is(aerr, store.ErrNotFound) {
			continue
		}
		if aerr != nil {
			return fmt.Errorf("%w (and the archive could not be read: %v)", err, aerr)
		}
		if !slices.ContainsFunc(a.Agencies, actor.Sees) && !actor.Sees(a.Agency) {
			continue // to this actor, it does not exist
		}
		return dispatch.ArchivedError(r.Kind, r.ID, a.Closed)
	}
	return err
}

// archivedFor hands a command that may name an archived record what
// deciding needs of it, read from the archive (dispatch.PublishTimeline.
// Archived): an auditor publishes a timeline weeks after it closed.
// Whatever the command came with is replaced: only the store says what was
// archived.
func (e *Engine) archivedFor(ctx context.Context, cmd dispatch.Command) (dispatch.Command, error) {
	if c, ok := cmd.(dispatch.ImportIncident); ok {
		return e.importArchived(ctx, c) // eidoimport.go
	}
	c, ok := cmd.(dispatch.PublishTimeline)
	if !ok {
		return cmd, nil
	}
	c.Archived = nil
	if c.ID == "" || (c.Kind != dispatch.PublishIncident && c.Kind != dispatch.PublishRequest) {
		return c, nil
	}
	a, err := e.history.ArchivedRecord(ctx, c.Kind, c.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("read archived %s %s: %w", c.Kind, c.ID, err)
	}
	c.Archived = &dispatch.ArchivedRef{Kind: a.Kind, ID: a.ID, Agency: a.Agency, Agencies: slices.Clone(a.Agencies), Closed: a.Closed, Doc: a.Doc}
	return c, nil
}
