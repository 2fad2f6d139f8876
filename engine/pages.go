package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// History lists: pages of records read from memory (open work and the
// closed records not yet archived) and from the archive (History), merged
// newest first, through the same visibility rule as every other read.
//
// The two sources are read in this order — memory, then the archive —
// because a record is written to the archive before it leaves memory
// (the archiving event's transaction, then the view): a record not in
// memory when memory is read is already archived when the archive is, so
// every record is found at least once, and merging by id finds it once.

// Bounds of a page of a history list.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
	// MaxSearchRadiusM bounds a search around a point: a district, not a
	// county.
	MaxSearchRadiusM = 50_000
)

// Incident statuses a list selects (IncidentQuery.Status).
const (
	ListOpen   = "open"   // pending or active: memory only
	ListClosed = "closed" // closed: memory and the archive
	ListAll    = "all"
)

// An IncidentQuery selects a page of incidents, newest received first.
// Every set field narrows the selection.
type IncidentQuery struct {
	Status   string    // ListOpen, ListClosed, ListAll ("" is ListAll)
	Agency   string    // the owning agency; "" for every agency the actor sees
	From, To time.Time // received in [From, To); a zero bound is open
	Type     string    // the incident type code
	Unit     string    // a unit dispatched to it
	Address  string    // its address, compared by dispatch.AddressKey
	// Lat, Lon and RadiusM select the incidents whose point is within
	// RadiusM metres (dispatch.DistanceM); both or neither.
	Lat, Lon *float64
	RadiusM  float64
	Before   *Cursor // the page after this cursor; nil for the first
	Limit    int     // 0 means DefaultPageLimit; at most MaxPageLimit
}

// check validates q and fills in its defaults.
func (q *IncidentQuery) check() error {
	switch q.Status {
	case "":
		q.Status = ListAll
	case ListOpen, ListClosed, ListAll:
	default:
		return dispatch.Errorf(dispatch.EINVALID, "status must be open, closed or all")
	}
	if q.Limit == 0 {
		q.Limit = DefaultPageLimit
	}
	if q.Limit < 1 || q.Limit > MaxPageLimit {
		return dispatch.Errorf(dispatch.EINVALID, "limit must be from 1 to %d", MaxPageLimit)
	}
	if (q.Lat == nil) != (q.Lon == nil) || (q.Lat == nil) != (q.RadiusM == 0) {
		return dispatch.Errorf(dispatch.EINVALID, "lat, lon and radius go together")
	}
	if q.Lat != nil && (*q.Lat < -90 || *q.Lat > 90 || *q.Lon < -180 || *q.Lon > 180) {
		return dispatch.Errorf(dispatch.EINVALID, "lat must be from -90 to 90 and lon from -180 to 180")
	}
	if q.Lat != nil && (q.RadiusM < 1 || q.RadiusM > MaxSearchRadiusM) {
		return dispatch.Errorf(dispatch.EINVALID, "radius must be from 1 to %d metres", MaxSearchRadiusM)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return dispatch.Errorf(dispatch.EINVALID, "from must be before to")
	}
	return nil
}

// keeps reports whether incident in is one q selects that the actor sees.
func (q *IncidentQuery) keeps(in *dispatch.Incident, a dispatch.Actor, address string) bool {
	switch {
	case !a.Sees(in.Agency), q.Agency != "" && in.Agency != q.Agency:
		return false
	case q.Status == ListOpen && in.Status == dispatch.IncidentClosed, q.Status == ListClosed && in.Status != dispatch.IncidentClosed:
		return false
	case !q.From.IsZero() && in.Received.Before(q.From), !q.To.IsZero() && !in.Received.Before(q.To):
		return false
	case q.Type != "" && in.Type != q.Type, q.Unit != "" && !slices.Contains(in.Units, q.Unit):
		return false
	case address != "" && dispatch.AddressKey(in.Location) != address:
		return false
	case q.Lat != nil && (in.Location.Lat == nil || in.Location.Lon == nil ||
		dispatch.DistanceM(*q.Lat, *q.Lon, *in.Location.Lat, *in.Location.Lon) > q.RadiusM):
		return false
	}
	return q.Before.after(in.Received, in.ID)
}

// archiveQuery is the store's half of q for actor a: the store narrows by
// its columns (a box for the circle), the engine decides (keeps).
func (q *IncidentQuery) archiveQuery(a dispatch.Actor, address string) store.ArchiveQuery {
	aq := store.ArchiveQuery{Kind: dispatch.TimelineIncident, From: q.From, To: q.To, Type: q.Type, Unit: q.Unit,
		Address: address, Lat: q.Lat, Lon: q.Lon, RadiusM: q.RadiusM}
	switch {
	case q.Agency != "":
		aq.Agencies = []string{q.Agency}
	case !a.SeesAll():
		aq.Agencies = []string{a.Agency}
	}
	return aq
}

// An IncidentPage is one page of an incident list: the incidents, newest
// received first, redacted for the actor, and the cursor of the next page
// (nil on the last).
type IncidentPage struct {
	Incidents []dispatch.Incident
	Next      *Cursor
}

// IncidentPage returns the page of incidents q selects that the actor sees,
// from memory and the archive, each once, with the hazards over their places
// now (dispatch.VisibleIncident), as the incident list shows them.
func (e *Engine) IncidentPage(ctx context.Context, a dispatch.Actor, q IncidentQuery) (IncidentPage, error) {
	if err := q.check(); err != nil {
		return IncidentPage{}, err
	}
	if !a.SeesAll() && a.Agency == "" || q.Agency != "" && !a.Sees(q.Agency) {
		// Nothing to see, and another agency's records do not exist for
		// the actor: an empty page, as for an agency with no incident.
		return IncidentPage{Incidents: []dispatch.Incident{}}, nil
	}
	address := ""
	if q.Address != "" {
		if address = dispatch.AddressKey(dispatch.Location{Text: q.Address}); address == "" {
			return IncidentPage{}, dispatch.Errorf(dispatch.EINVALID, "address must have a letter or a digit")
		}
	}
	n := q.Limit + 1 // one more than a page: is there a next one?
	now := e.Now()
	var mem []dispatch.Incident
	e.read(func(s *dispatch.State) {
		for _, in := range newest(s.Incidents, n, func(in *dispatch.Incident) bool { return q.keeps(in, a, address) },
			func(in *dispatch.Incident) (time.Time, string) { return in.Received, in.ID }) {
			if c, ok := dispatch.VisibleIncident(s, in, a, now); ok {
				mem = append(mem, c)
			}
		}
	})
	var arch []*dispatch.Incident
	if q.Status != ListOpen {
		err := e.scanArchive(ctx, q.archiveQuery(a, address), q.Before, n, func(r store.Archived) (bool, error) {
			in, err := decodeArchived[dispatch.Incident](r)
			if err != nil || !q.keeps(in, a, address) {
				return false, err
			}
			arch = append(arch, in)
			return true, nil
		})
		if err != nil {
			return IncidentPage{}, err
		}
	}
	var old []dispatch.Incident
	e.read(func(s *dispatch.State) {
		for _, in := range arch {
			if c, ok := dispatch.VisibleIncident(s, in, a, now); ok {
				old = append(old, c)
			}
		}
	})
	page, next := mergePage(mem, old, func(in dispatch.Incident) (time.Time, string) { return in.Received, in.ID }, q.Limit)
	return IncidentPage{Incidents: page, Next: next}, nil
}

// mergePage merges two lists, each newest first and each the first records
// after a cursor of its source (more than limit of them if there are), into
// the page of at most limit records after that cursor, each id once (the
// first list's copy: memory is the newer word), and returns the cursor of
// the next page, nil if this one is the last.
func mergePage[T any](first, second []T, key func(T) (time.Time, string), limit int) ([]T, *Cursor) {
	seen := make(map[string]bool, len(first))
	all := slices.Clone(first)
	for _, x := range first {
		_, id := key(x)
		seen[id] = true
	}
	for _, x := range second {
		if _, id := key(x); !seen[id] {
			seen[id] = true
			all = append(all, x)
		}
	}
	slices.SortStableFunc(all, func(x, y T) int {
		xt, xid := key(x)
		yt, yid := key(y)
		return compareKeys(xt, xid, yt, yid)
	})
	if len(all) <= limit {
		if all == nil {
			all = []T{}
		}
		return all, nil
	}
	all = all[:limit]
	t, id := key(all[limit-1])
	return all, &Cursor{Time: t, ID: id}
}

// scanArchive reads the archive's records that q selects after the cursor
// c, newest first, and hands each to keep until keep has taken n of them or
// the archive has no more; keep says whether it took the record.
func (e *Engine) scanArchive(ctx context.Context, q store.ArchiveQuery, c *Cursor, n int, keep func(store.Archived) (bool, error)) error {
	if c != nil {
		// Both stores keep the log's nanoseconds (store.Nanos), but a
		// store need not: ask from just after the cursor's microsecond
		// and let keep compare the exact keys of the decoded records, so
		// that a coarser store costs a few records read twice, never one
		// skipped.
		q.Before = &store.ArchiveCursor{Opened: c.Time.Truncate(time.Microsecond).Add(time.Microsecond)}
	}
	for taken := 0; taken < n; {
		q.Limit = min(max(n-taken, 50), store.MaxArchiveLimit)
		rows, err := e.history.QueryArchive(ctx, q)
		if err != nil {
			return fmt.Errorf("read the archive of %ss: %w", q.Kind, err)
		}
		for _, r := range rows {
			ok, err := keep(r)
			if err != nil {
				return err
			}
			if ok {
				taken++
			}
		}
		if len(rows) < q.Limit {
			return nil
		}
		last := rows[len(rows)-1]
		q.Before = &store.ArchiveCursor{Opened: last.Opened, ID: last.ID}
	}
	return nil
}

// decodeArchived decodes an archived record's document into the domain
// type it holds.
func decodeArchived[T any](r store.Archived) (*T, error) {
	var v T
	if err := json.Unmarshal(r.Doc, &v); err != nil {
		return nil, fmt.Errorf("decode archived %s %s: %w", r.Kind, r.ID, err)
	}
	return &v, nil
}

// archived returns archived record kind/id decoded, or found false if the
// archive has none.
func archived[T any](ctx context.Context, e *Engine, kind, id string) (*T, bool, error) {
	r, err := e.history.ArchivedRecord(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read archived %s %s: %w", kind, id, err)
	}
	v, err := decodeArchived[T](r)
	return v, err == nil, err
}

// LookupIncident returns incident id as the actor may see it now, from
// memory or, once it has left memory, from the archive; another agency's is
// not found (Incident).
func (e *Engine) LookupIncident(ctx context.Context, a dispatch.Actor, id string) (dispatch.Incident, error) {
	in, err := e.Incident(a, id)
	if err == nil || dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		return in, err
	}
	old, found, err := archived[dispatch.Incident](ctx, e, dispatch.TimelineIncident, id)
	if err != nil || !found {
		return dispatch.Incident{}, cmpErr(err, notFound("incident", id))
	}
	now := e.Now()
	return visible(e, func(s *dispatch.State) (dispatch.Incident, bool) {
		return dispatch.VisibleIncident(s, old, a, now)
	}, "incident", id)
}

// LookupRequest returns assistance request id, from memory or the archive,
// if the actor sees it (Request).
func (e *Engine) LookupRequest(ctx context.Context, a dispatch.Actor, id string) (dispatch.AssistRequest, error) {
	rq, err := e.Request(a, id)
	if err == nil || dispatch.ErrorCode(err) != dispatch.ENOTFOUND {
		return rq, err
	}
	old, found, err := archived[dispatch.AssistRequest](ctx, e, dispatch.TimelineRequest, id)
	if err != nil || !found {
		return dispatch.AssistRequest{}, cmpErr(err, notFound("request", id))
	}
	if c, ok := dispatch.VisibleRequest(old, a); ok {
		return c, nil
	}
	return dispatch.AssistRequest{}, notFound("request", id)
}

// cmpErr returns err if it is not nil, otherwise alt.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// A RequestQuery selects a page of assistance requests, newest created
// first. Every set field narrows the selection.
type RequestQuery struct {
	Status   string    // ListOpen (not closed), ListClosed, ListAll ("" is ListAll)
	Agency   string    // an agency the request concerns (the requester or one asked)
	From, To time.Time // created in [From, To); a zero bound is open
	Before   *Cursor   // the page after this cursor; nil for the first
	Limit    int       // 0 means DefaultPageLimit; at most MaxPageLimit
}

// check validates q and fills in its defaults.
func (q *RequestQuery) check() error {
	iq := IncidentQuery{Status: q.Status, Limit: q.Limit, From: q.From, To: q.To}
	if err := iq.check(); err != nil {
		return err
	}
	q.Status, q.Limit = iq.Status, iq.Limit
	return nil
}

// keeps reports whether request rq is one q selects, as the actor may see
// it (dispatch.VisibleRequest).
func (q *RequestQuery) keeps(rq *dispatch.AssistRequest, a dispatch.Actor) (dispatch.AssistRequest, bool) {
	closed := rq.Status == dispatch.RequestClosed
	switch {
	case q.Agency != "" && !rq.Concerns(q.Agency):
		return dispatch.AssistRequest{}, false
	case q.Status == ListOpen && closed, q.Status == ListClosed && !closed:
		return dispatch.AssistRequest{}, false
	case !q.From.IsZero() && rq.Created.Before(q.From), !q.To.IsZero() && !rq.Created.Before(q.To):
		return dispatch.AssistRequest{}, false
	case !q.Before.after(rq.Created, rq.ID):
		return dispatch.AssistRequest{}, false
	}
	return dispatch.VisibleRequest(rq, a)
}

// A RequestPage is one page of a request list (IncidentPage).
type RequestPage struct {
	Requests []dispatch.AssistRequest
	Next     *Cursor
}

// RequestPage returns the page of assistance requests q selects that the
// actor sees (dispatch.VisibleRequest), from memory and the archive, each
// once, newest created first.
func (e *Engine) RequestPage(ctx context.Context, a dispatch.Actor, q RequestQuery) (RequestPage, error) {
	if err := q.check(); err != nil {
		return RequestPage{}, err
	}
	if !a.SeesAll() && a.Agency == "" {
		return RequestPage{Requests: []dispatch.AssistRequest{}}, nil // sees none
	}
	n := q.Limit + 1
	var mem []dispatch.AssistRequest
	e.read(func(s *dispatch.State) {
		for _, rq := range newest(s.Requests, n, func(rq *dispatch.AssistRequest) bool { _, ok := q.keeps(rq, a); return ok },
			func(rq *dispatch.AssistRequest) (time.Time, string) { return rq.Created, rq.ID }) {
			c, _ := q.keeps(rq, a)
			mem = append(mem, c)
		}
	})
	var old []dispatch.AssistRequest
	if q.Status != ListOpen {
		// The store finds a request by every agency it concerns; the
		// actor's own is the narrower question unless another is named.
		aq := store.ArchiveQuery{Kind: dispatch.TimelineRequest, From: q.From, To: q.To}
		switch {
		case q.Agency != "":
			aq.Agencies = []string{q.Agency}
		case !a.SeesAll():
			aq.Agencies = []string{a.Agency}
		}
		err := e.scanArchive(ctx, aq, q.Before, n, func(r store.Archived) (bool, error) {
			rq, err := decodeArchived[dispatch.AssistRequest](r)
			if err != nil {
				return false, err
			}
			c, ok := q.keeps(rq, a)
			if ok {
				old = append(old, c)
			}
			return ok, nil
		})
		if err != nil {
			return RequestPage{}, err
		}
	}
	page, next := mergePage(mem, old, func(rq dispatch.AssistRequest) (time.Time, string) { return rq.Created, rq.ID }, q.Limit)
	return RequestPage{Requests: page, Next: next}, nil
}

// A MessageQuery selects a page of the messages an actor sees
// (dispatch.VisibleMessage), newest sent first. Every set field narrows the
// selection.
type MessageQuery struct {
	// Unit, if set, lists that unit's messages — those sent as it or to it
	// — as the actor speaking as it sees them (the unit view). The caller
	// checks the unit is one the actor may speak as (Engine.OwnUnit).
	Unit     string
	ID       string    // that message only
	From, To time.Time // sent in [From, To); a zero bound is open
	Before   *Cursor   // the page after this cursor; nil for the first
	Limit    int       // 0 means DefaultPageLimit; at most MaxPageLimit
}

// check validates q and fills in its defaults.
func (q *MessageQuery) check() error {
	iq := IncidentQuery{Limit: q.Limit, From: q.From, To: q.To}
	if err := iq.check(); err != nil {
		return err
	}
	q.Limit = iq.Limit
	return nil
}

// keeps returns message m as the actor sees it, if q selects it.
func (q *MessageQuery) keeps(m *dispatch.Message, a dispatch.Actor) (dispatch.Message, bool) {
	switch {
	case q.ID != "" && m.ID != q.ID:
		return dispatch.Message{}, false
	case q.Unit != "" && m.FromUnit != q.Unit && !slices.Contains(m.Recipients, dispatch.AddrUnit+":"+q.Unit):
		return dispatch.Message{}, false
	case !q.From.IsZero() && m.Time.Before(q.From), !q.To.IsZero() && !m.Time.Before(q.To):
		return dispatch.Message{}, false
	case !q.Before.after(m.Time, m.ID):
		return dispatch.Message{}, false
	}
	return dispatch.VisibleMessage(m, a, q.Unit)
}

// A MessagePage is one page of a message list (IncidentPage).
type MessagePage struct {
	Messages []dispatch.Message
	Next     *Cursor
}

// MessagePage returns the page of messages q selects that the actor sees,
// from memory and the archive, each once, newest sent first. A message's
// receipts are those it had when it was archived: once archived it takes
// no more.
func (e *Engine) MessagePage(ctx context.Context, a dispatch.Actor, q MessageQuery) (MessagePage, error) {
	if err := q.check(); err != nil {
		return MessagePage{}, err
	}
	if a.Agency == "" {
		// Messages are between the people of one agency: an actor of
		// none (an installation administrator) sees none.
		return MessagePage{Messages: []dispatch.Message{}}, nil
	}
	n := q.Limit + 1
	var mem []dispatch.Message
	e.read(func(s *dispatch.State) {
		for _, m := range newest(s.Messages, n, func(m *dispatch.Message) bool { _, ok := q.keeps(m, a); return ok },
			func(m *dispatch.Message) (time.Time, string) { return m.Time, m.ID }) {
			c, _ := q.keeps(m, a)
			mem = append(mem, c)
		}
	})
	var old []dispatch.Message
	keep := func(r store.Archived) (bool, error) {
		m, err := decodeArchived[dispatch.Message](r)
		if err != nil {
			return false, err
		}
		c, ok := q.keeps(m, a)
		if ok {
			old = append(old, c)
		}
		return ok, nil
	}
	if err := e.readArchive(ctx, dispatch.ArchiveMessage, q.ID, store.ArchiveQuery{Kind: dispatch.ArchiveMessage,
		Agencies: []string{a.Agency}, From: q.From, To: q.To, Unit: q.Unit}, q.Before, n, keep); err != nil {
		return MessagePage{}, err
	}
	page, next := mergePage(mem, old, func(m dispatch.Message) (time.Time, string) { return m.Time, m.ID }, q.Limit)
	return MessagePage{Messages: page, Next: next}, nil
}

// readArchive hands keep the archived records of aq after the cursor c,
// newest first, until keep has taken n (scanArchive); or, if id is set,
// the archived record kind/id alone, if there is one.
func (e *Engine) readArchive(ctx context.Context, kind, id string, aq store.ArchiveQuery, c *Cursor, n int, keep func(store.Archived) (bool, error)) error {
	if id == "" {
		return e.scanArchive(ctx, aq, c, n, keep)
	}
	r, err := e.history.ArchivedRecord(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read archived %s %s: %w", kind, id, err)
	}
	_, err = keep(r)
	return err
}

// A BOLOQuery selects a page of the BOLOs an actor sees
// (dispatch.VisibleBOLO), newest issued first: those in force now, or with
// All those that expired or were cancelled too, which the archive keeps
// once their retention has passed.
type BOLOQuery struct {
	BOLOFilter
	Before *Cursor // the page after this cursor; nil for the first
	Limit  int     // 0 means DefaultPageLimit; at most MaxPageLimit
}

// keeps returns BOLO b as the actor sees it, if q selects it at now.
func (q *BOLOQuery) keeps(b *dispatch.BOLO, a dispatch.Actor, now time.Time) (dispatch.BOLO, bool) {
	f := q.BOLOFilter
	if (!f.All && !b.Active(now)) || !b.Matches(f.Query) || (f.Where != nil && !b.Covers(*f.Where)) || (f.ID != "" && b.ID != f.ID) ||
		!q.Before.after(b.Issued, b.ID) {
		return dispatch.BOLO{}, false
	}
	return dispatch.VisibleBOLO(b, a)
}

// A BOLOPage is one page of a BOLO list (IncidentPage).
type BOLOPage struct {
	BOLOs []dispatch.BOLO
	Next  *Cursor
}

// BOLOPage returns the page of BOLOs q selects that the actor sees, newest
// issued first, from memory and, with All, the archive, each once. A BOLO
// in force is never archived (it leaves memory a retention window after
// it ended), so without All memory alone answers.
func (e *Engine) BOLOPage(ctx context.Context, a dispatch.Actor, q BOLOQuery) (BOLOPage, error) {
	if q.Limit == 0 {
		q.Limit = DefaultPageLimit
	}
	if q.Limit < 1 || q.Limit > MaxPageLimit {
		return BOLOPage{}, dispatch.Errorf(dispatch.EINVALID, "limit must be from 1 to %d", MaxPageLimit)
	}
	if !a.SeesAll() && a.Agency == "" {
		return BOLOPage{BOLOs: []dispatch.BOLO{}}, nil // sees none
	}
	n, now := q.Limit+1, e.Now()
	var mem []dispatch.BOLO
	e.read(func(s *dispatch.State) {
		for _, b := range newest(s.BOLOs, n, func(b *dispatch.BOLO) bool { _, ok := q.keeps(b, a, now); return ok },
			func(b *dispatch.BOLO) (time.Time, string) { return b.Issued, b.ID }) {
			c, _ := q.keeps(b, a, now)
			mem = append(mem, c)
		}
	})
	var old []dispatch.BOLO
	if q.All {
		aq := store.ArchiveQuery{Kind: dispatch.ArchiveBOLO}
		if !a.SeesAll() {
			aq.Agencies = []string{a.Agency}
		}
		err := e.readArchive(ctx, dispatch.ArchiveBOLO, q.ID, aq, q.Before, n, func(r store.Archived) (bool, error) {
			b, err := decodeArchived[dispatch.BOLO](r)
			if err != nil {
				return false, err
			}
			c, ok := q.keeps(b, a, now)
			if ok {
				old = append(old, c)
			}
			return ok, nil
		})
		if err != nil {
			return BOLOPage{}, err
		}
	}
	page, next := mergePage(mem, old, func(b dispatch.BOLO) (time.Time, string) { return b.Issued, b.ID }, q.Limit)
	return BOLOPage{BOLOs: page, Next: next}, nil
}

// newest returns at most n of the records in memory that keep selects,
// in list order (newest first, by key: compareKeys).
func newest[T any](m map[string]*T, n int, keep func(*T) bool, key func(*T) (time.Time, string)) []*T {
	var out []*T
	for _, x := range m {
		if keep(x) {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(x, y *T) int {
		xt, xid := key(x)
		yt, yid := key(y)
		return compareKeys(xt, xid, yt, yid)
	})
	return out[:min(n, len(out))]
}

// PageOf cuts the page after before, of at most limit records, from a
// whole list the state holds in memory (directives, premise records,
// publications: few enough to keep, but growing with history), in the
// history lists' order, newest first by key; with the cursor of the next
// page, nil on the last, as the archived lists answer.
func PageOf[T any](all []T, key func(T) (time.Time, string), before *Cursor, limit int) ([]T, *Cursor) {
	var after []T
	for _, x := range all {
		if t, id := key(x); before.after(t, id) {
			after = append(after, x)
		}
	}
	return mergePage(after, nil, key, limit)
}
