package http

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
)

// Idempotency keys, after the IETF draft "The Idempotency-Key HTTP Header
// Field" (draft-ietf-httpapi-idempotency-key-header): a client that sends
// Idempotency-Key with a POST may send the same request again — after a
// timeout, a dropped connection, a change of sequencer — and the command is
// done at most once.
//
// This middleware runs on the node that decides commands: on several nodes
// every command is forwarded to the sequencer (forward.go) and is checked
// there, after forwarding. Keys are kept twice. In memory, on the node,
// every answer (2xx or 4xx) for IdempotencyTTL: the fast path, and the
// guard against a repeat while the first request still runs. In the store
// (Keys), for the commands that recorded events: the engine hands the key
// to the ledger with the events (engine.WithIdempotency), which writes it
// in the transaction that makes them durable, so "the events are durable"
// and "the key is known" never disagree; the answer is added once made.
// A key this node does not hold is looked up there, so a retry that reaches
// a restarted node, or the node that took over the lease, is answered as
// the first one was — or, if the node that did it died before storing the
// answer, with a short "already done" answer naming the command's events.
// Stored keys older than IdempotencyTTL are deleted as commands come
// (saveAnswer), so the table holds about a day of commands, not history.
// A command refused by the domain recorded nothing and is decided again.
const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"

	// IdempotencyTTL is how long an answer is remembered for its key.
	IdempotencyTTL = 24 * time.Hour
	// IdempotencyEntries bounds the keys remembered; the oldest go first.
	IdempotencyEntries = 100_000
	// maxKeyLen is the longest key taken.
	maxKeyLen = 255
	// MaxStoredAnswer bounds the body of an answer kept in the store: a
	// longer one is not kept, and a retry that finds the key only there
	// gets the "already done" answer instead.
	MaxStoredAnswer = 64 << 10
	// IdempotencyPruneInterval is the least time between two deletions of
	// the stored keys older than IdempotencyTTL. They run after an answer
	// is stored, so the table holds the keys of about one TTL of commands.
	IdempotencyPruneInterval = 10 * time.Minute
)

// Keys keeps the idempotency keys of the commands whose events are durable
// (store.Idempotency): the ledger writes each in the transaction of its
// command's events, and the server adds the answer. store/sqlite and
// store/postgres implement it.
type Keys interface {
	// Idempotency returns the record of a key, with its answer if one was
	// stored, or store.ErrNotFound.
	Idempotency(ctx context.Context, key []byte) (store.Idempotency, error)
	// SaveIdempotencyAnswers stores the answers (Key, Status, Header, Body)
	// of their keys' commands in one transaction; a key with no record is
	// skipped.
	SaveIdempotencyAnswers(ctx context.Context, answers []store.Idempotency) error
	// DeleteIdempotency deletes the keys created before a time.
	DeleteIdempotency(ctx context.Context, before time.Time) (int64, error)
}

// SetKeys makes the server keep idempotency keys in k as well as in
// memory, so that a retry is answered after a restart or a change of
// sequencer. Without it keys live in memory only. Set it before serving.
func (s *Server) SetKeys(k Keys) { s.keys = k }

// replayedHeaders are the headers of an answer that are remembered and
// replayed with it.
var replayedHeaders = []string{"Location", "Tenfour-Seq", logSizeHeader, "Content-Type"}

// An idemEntry is one key's request and, once done, its answer.
type idemEntry struct {
	id          string // caller and key
	fingerprint [sha256.Size]byte
	created     time.Time
	done        bool
	status      int
	header      http.Header
	body        []byte
	elem        *list.Element
}

// An idemStore holds the keys of one node, oldest first.
type idemStore struct {
	mu      sync.Mutex
	entries map[string]*idemEntry
	order   *list.List // of *idemEntry, oldest at the front
	max     int
	ttl     time.Duration
}

func newIdemStore(max int, ttl time.Duration) *idemStore {
	return &idemStore{entries: make(map[string]*idemEntry), order: list.New(), max: max, ttl: ttl}
}

// begin returns the entry of id if there is one still fresh, or else starts
// a new one (in flight) and returns it with started true.
func (st *idemStore) begin(id string, fp [sha256.Size]byte, now time.Time) (e *idemEntry, started bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	// Entries are in the order they were made, so the expired are in front.
	for f := st.order.Front(); f != nil && now.Sub(f.Value.(*idemEntry).created) >= st.ttl; f = st.order.Front() {
		st.remove(f.Value.(*idemEntry))
	}
	if e, ok := st.entries[id]; ok {
		return e.snapshot(), false
	}
	// Past the bound, the oldest go, even one still in flight.
	for st.order.Len() >= st.max {
		st.remove(st.order.Front().Value.(*idemEntry))
	}
	e = &idemEntry{id: id, fingerprint: fp, created: now}
	e.elem = st.order.PushBack(e)
	st.entries[id] = e
	return e, true
}

// snapshot copies what a repeat needs of an entry, under the lock.
func (e *idemEntry) snapshot() *idemEntry {
	return &idemEntry{id: e.id, fingerprint: e.fingerprint, created: e.created, done: e.done,
		status: e.status, header: e.header, body: e.body}
}

// finish remembers the answer of e's request.
func (st *idemStore) finish(e *idemEntry, status int, header http.Header, body []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e.done, e.status, e.header, e.body = true, status, header, body
}

// forget drops e, so that its key may be used again: its request failed
// in a way worth retrying.
func (st *idemStore) forget(e *idemEntry) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.entries[e.id] == e {
		st.remove(e)
	}
}

func (st *idemStore) remove(e *idemEntry) {
	st.order.Remove(e.elem)
	delete(st.entries, e.id)
}

// idempotencyKey returns the request's key, if it has one. The draft makes
// the field an sf-string (RFC 8941 section 3.3.3), "…"; a bare key is taken
// too. A key is 1 to 255 printable ASCII characters.
func idempotencyKey(r *http.Request) (key string, ok bool, err error) {
	vs := r.Header.Values(idempotencyHeader)
	if len(vs) == 0 {
		return "", false, nil
	}
	if len(vs) > 1 {
		return "", false, badRequest("send one Idempotency-Key header, not several")
	}
	key = vs[0]
	if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		key = key[1 : len(key)-1]
		if strings.ContainsAny(key, `"\`) {
			return "", false, badRequest(`an Idempotency-Key may not contain " or \`)
		}
	}
	if key == "" || len(key) > maxKeyLen {
		return "", false, badRequest("an Idempotency-Key is 1 to 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", false, badRequest("an Idempotency-Key is printable ASCII characters only")
		}
	}
	return key, true, nil
}

// callerKey names the caller a key belongs to: its token, or the user of
// its session (whose keys survive signing in again).
func callerKey(r *http.Request) string {
	if _, ok := bearer(r); ok {
		return credentialKey(r)
	}
	return "u:" + actorOf(r).User
}

// idempotent makes a signed-in caller's POST idempotent under its key.
// It runs after authorize, on the sequencer. The first request with a key is
// done and its 2xx or 4xx answer remembered; a repeat of the same request
// gets that answer again with Idempotent-Replayed: true; the same key with
// another request is refused (422), as is a repeat while the first still
// runs (409). A 5xx answer is not remembered: the request may be retried.
// A key this node does not hold is looked up in the store (replayStored);
// a command that recorded events has its key there whatever its answer
// was, so even after a 5xx that came once its events were durable, the
// retry finds it done.
func (s *Server) idempotent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok, err := idempotencyKey(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !ok {
			next(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodySize+1))
		if err != nil {
			s.writeError(w, r, badRequest("the body could not be read"))
			return
		}
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		if len(body) > MaxBodySize {
			next(w, r) // refused as too large: nothing to remember
			return
		}
		h := sha256.New()
		io.WriteString(h, r.Method+" "+r.URL.Path+"\n")
		h.Write(body)
		var fp [sha256.Size]byte
		h.Sum(fp[:0])

		id, now := callerKey(r)+"\x00"+key, s.clock()
		e, started := s.idem.begin(id, fp, now)
		switch {
		case !started && e.fingerprint != fp:
			writeReused(w, r)
			return
		case !started && !e.done:
			w.Header().Set("Retry-After", "1")
			writeProblem(w, r, http.StatusConflict, "idempotency_in_flight",
				"a request with this Idempotency-Key is still being processed; try again in a moment")
			return
		case !started:
			replay(w, e.status, e.header, e.body)
			return
		}

		hash := sha256.Sum256([]byte(id))
		if s.engine != nil && s.engine.Log().Unsettled(hash[:]) {
			// The first request was answered 503 while its events waited for
			// the store; they may land yet, and the key with them. Looked up
			// now, the key could be missed and the command done twice.
			s.idem.forget(e)
			w.Header().Set("Retry-After", "1")
			writeProblem(w, r, http.StatusConflict, "idempotency_in_flight",
				"a request with this Idempotency-Key is still being recorded; try again in a moment")
			return
		}
		if s.keys != nil && s.replayStored(w, r, e, hash[:], fp) {
			return
		}
		r = r.WithContext(engine.WithIdempotency(r.Context(), hash[:], fp[:], now))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		finished := false
		defer func() {
			if !finished {
				s.idem.forget(e) // a panic: the request may be retried
			}
		}()
		next(rec, r)
		finished = true
		if rec.status >= 500 || rec.status < 200 {
			s.idem.forget(e)
			return
		}
		header := http.Header{}
		for _, k := range replayedHeaders {
			if v := rec.header.Values(k); len(v) > 0 {
				header[k] = v
			}
		}
		s.idem.finish(e, rec.status, header, rec.body.Bytes())
		if s.keys != nil && rec.body.Len() <= MaxStoredAnswer {
			s.saveAnswer(r, hash[:], rec.status, header, rec.body.Bytes())
		}
	}
}

// writeReused refuses a key used before for another request.
func writeReused(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, http.StatusUnprocessableEntity, "idempotency_key_reused",
		"this Idempotency-Key was used for another request; use a new key for a new request")
}

// replay answers a repeat with the first request's answer.
func replay(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set(replayedHeader, "true")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// replayStored answers a key this node does not hold from the store, and
// reports whether it did. A key found there belongs to a command whose
// events are durable: its stored answer is replayed, or, if the node that
// did it never stored one, the answer says it was done (doneAnswer). A key
// that cannot be looked up is not risked: the request is refused, to be
// retried.
func (s *Server) replayStored(w http.ResponseWriter, r *http.Request, e *idemEntry, hash []byte, fp [sha256.Size]byte) bool {
	k, err := s.keys.Idempotency(r.Context(), hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false
	case err != nil:
		s.idem.forget(e)
		s.logger.Error("look up an idempotency key", "err", err)
		w.Header().Set("Retry-After", "1")
		writeProblem(w, r, http.StatusServiceUnavailable, "idempotency_unavailable",
			"this Idempotency-Key could not be checked, so the command was not done; try again in a moment")
		return true
	case s.clock().Sub(k.Created) >= s.idem.ttl:
		// Expired, as it would be in memory: deleted now, with the others,
		// so that the command done again records its key afresh.
		s.prune(r.Context(), true)
		return false
	case !bytes.Equal(k.Fingerprint, fp[:]):
		s.idem.forget(e)
		writeReused(w, r)
		return true
	}
	status, header, body := k.Status, http.Header(k.Header), k.Body
	if status == 0 {
		status, header, body = doneAnswer(k)
		s.saveAnswer(r, hash, status, header, body)
	}
	s.idem.finish(e, status, header, body)
	replay(w, status, header, body)
	return true
}

// A doneBody answers a retried command that was done but whose answer was
// lost: the node that did it stopped between making its events durable and
// storing its answer.
type doneBody struct {
	Done   bool   `json:"done"`
	Seq    int64  `json:"seq"`    // the log index of its first event
	Events int64  `json:"events"` // how many events it recorded
	Detail string `json:"detail"`
}

// doneAnswer is the answer of a command done under a key whose answer was
// never stored: 200, with the log headers a command's answer carries.
func doneAnswer(k store.Idempotency) (int, http.Header, []byte) {
	body, _ := json.Marshal(doneBody{Done: true, Seq: k.First, Events: k.Count,
		Detail: fmt.Sprintf("this command was already done: its %d event(s) are in the log from index %d; its first answer was lost", k.Count, k.First)})
	header := http.Header{}
	header.Set("Content-Type", "application/json")
	header.Set("Tenfour-Seq", strconv.FormatInt(k.First, 10))
	header.Set(logSizeHeader, strconv.FormatInt(k.First+k.Count, 10))
	return http.StatusOK, header, append(body, '\n')
}

// saveAnswer adds an answer to its key's stored record, for a retry that
// reaches another node; a key with no record recorded no event, and needs
// none. It is best effort: without the answer, a retry gets doneAnswer.
// Then the expired keys are deleted, at most every
// IdempotencyPruneInterval: the table holds about a TTL of commands.
//
// The answer is written after it is sent, not before: the command is
// durable, and its key with it, whatever becomes of the answer, so the
// caller does not wait for a second write to disk (on SQLite, a second
// fsync) to hear that it was done.
func (s *Server) saveAnswer(r *http.Request, hash []byte, status int, header http.Header, body []byte) {
	ctx := context.WithoutCancel(r.Context())
	route := r.Pattern
	a := store.Idempotency{Key: hash, Status: status, Header: header, Body: body}
	s.answers.save(s.keys, a, func(err error) {
		if err != nil {
			s.logger.Warn("store the answer of an idempotency key", "route", route, "err", err)
			return
		}
		s.prune(ctx, false)
	})
}

// maxAnswerGroup bounds the answers written in one transaction, and
// maxAnswersQueued those waiting: beyond it (the store is down or slow) an
// answer is not kept, and a retry elsewhere gets doneAnswer.
const (
	maxAnswerGroup   = 1024
	maxAnswersQueued = 16 * maxAnswerGroup
)

// answerGroups stores the answers of keyed commands in groups, as the
// ledger commits events: one transaction for all the answers that came
// while the previous one was on its way to disk. On SQLite every
// transaction is an fsync; one per answer would cut the commands a node
// takes by half or more.
type answerGroups struct {
	mu      sync.Mutex
	queue   []queuedAnswer
	writing bool       // a goroutine is writing the queue
	idle    *sync.Cond // broadcast when the writer stops; made on first use
}

// flush waits until every answer queued so far is written (or refused).
func (g *answerGroups) flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.idle == nil {
		g.idle = sync.NewCond(&g.mu)
	}
	for g.writing || len(g.queue) > 0 {
		g.idle.Wait()
	}
}

// FlushAnswers waits until the answers of the commands answered so far are
// stored with their keys: at shutdown (Serve does), so that a graceful
// stop loses none, and for tests.
func (s *Server) FlushAnswers() { s.answers.flush() }

type queuedAnswer struct {
	a    store.Idempotency
	done func(error)
}

// save queues a to be written with the next group, and returns; done is
// called once it is written, or with why it was not.
func (g *answerGroups) save(keys Keys, a store.Idempotency, done func(error)) {
	g.mu.Lock()
	if len(g.queue) >= maxAnswersQueued {
		g.mu.Unlock()
		done(fmt.Errorf("%d answers wait to be stored already", maxAnswersQueued))
		return
	}
	g.queue = append(g.queue, queuedAnswer{a, done})
	if !g.writing {
		g.writing = true
		go g.write(keys)
	}
	g.mu.Unlock()
}

// write writes the queued answers, a group at a time, until none is left.
func (g *answerGroups) write(keys Keys) {
	for {
		g.mu.Lock()
		group := g.queue[:min(len(g.queue), maxAnswerGroup)]
		g.queue = g.queue[len(group):]
		if len(group) == 0 {
			g.writing = false
			if g.idle != nil {
				g.idle.Broadcast()
			}
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		as := make([]store.Idempotency, len(group))
		for i, q := range group {
			as[i] = q.a
		}
		err := keys.SaveIdempotencyAnswers(context.Background(), as)
		for _, q := range group {
			q.done(err)
		}
	}
}

// prune deletes the stored keys older than IdempotencyTTL, if it has not
// done so for IdempotencyPruneInterval or if now is set.
func (s *Server) prune(ctx context.Context, now bool) {
	t := s.clock()
	s.pruneMu.Lock()
	due := now || t.Sub(s.pruned) >= IdempotencyPruneInterval
	if due {
		s.pruned = t
	}
	s.pruneMu.Unlock()
	if !due {
		return
	}
	if _, err := s.keys.DeleteIdempotency(ctx, t.Add(-s.idem.ttl)); err != nil {
		s.logger.Warn("delete expired idempotency keys", "err", err)
	}
}

// A recorder passes an answer on and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	header http.Header // as sent
	body   bytes.Buffer
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote, w.header = code, true, w.ResponseWriter.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
