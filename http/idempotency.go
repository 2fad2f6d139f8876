package http

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Idempotency keys, after the IETF draft "The Idempotency-Key HTTP Header
// Field" (draft-ietf-httpapi-idempotency-key-header): a client that sends
// Idempotency-Key with a POST may send the same request again — after a
// timeout, a dropped connection — and the command is done at most once.
//
// Keys are kept in memory on the node that decides commands. On several
// nodes every command is forwarded to the sequencer (forward.go) and this
// middleware runs there, after forwarding, so the sequencer sees every key;
// keys are lost when the sequencer restarts or changes.
const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"

	// IdempotencyTTL is how long an answer is remembered for its key.
	IdempotencyTTL = 24 * time.Hour
	// IdempotencyEntries bounds the keys remembered; the oldest go first.
	IdempotencyEntries = 100_000
	// maxKeyLen is the longest key taken.
	maxKeyLen = 255
)

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

		e, started := s.idem.begin(callerKey(r)+"\x00"+key, fp, s.clock())
		switch {
		case !started && e.fingerprint != fp:
			writeProblem(w, r, http.StatusUnprocessableEntity, "idempotency_key_reused",
				"this Idempotency-Key was used for another request; use a new key for a new request")
			return
		case !started && !e.done:
			w.Header().Set("Retry-After", "1")
			writeProblem(w, r, http.StatusConflict, "idempotency_in_flight",
				"a request with this Idempotency-Key is still being processed; try again in a moment")
			return
		case !started:
			for k, v := range e.header {
				w.Header()[k] = v
			}
			w.Header().Set(replayedHeader, "true")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(e.status)
			w.Write(e.body)
			return
		}

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
