package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// TestIdemStore checks the bounds of the key store: the oldest key goes
// when it is full, and a key is forgotten after the TTL.
func TestIdemStore(t *testing.T) {
	st := newIdemStore(2, time.Hour)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	fp := sha256.Sum256([]byte("body"))
	for i, id := range []string{"a", "b", "c"} {
		e, started := st.begin(id, fp, t0.Add(time.Duration(i)*time.Minute))
		if !started {
			t.Fatalf("begin(%s) started = false, want true", id)
		}
		st.finish(e, 201, nil, []byte(id))
	}
	if _, started := st.begin("a", fp, t0.Add(3*time.Minute)); !started {
		t.Error("begin(a) after a and b and c in a store of 2: started = false, want true (a evicted)")
	}
	if e, started := st.begin("c", fp, t0.Add(4*time.Minute)); started || string(e.body) != "c" {
		t.Errorf("begin(c) = %q, %v, want the answer remembered", e.body, started)
	}
	if _, started := st.begin("c", fp, t0.Add(2*time.Minute+time.Hour)); !started {
		t.Error("begin(c) an hour later: started = false, want true (expired)")
	}
}

// savedKeys is a store of idempotency keys that holds none and notes the
// size of every answer it is asked to store.
type savedKeys struct{ sizes []int }

func (*savedKeys) Idempotency(_ context.Context, key []byte) (store.Idempotency, error) {
	return store.Idempotency{}, fmt.Errorf("key %x: %w", key, store.ErrNotFound)
}

func (k *savedKeys) SaveIdempotencyAnswers(_ context.Context, answers []store.Idempotency) error {
	for _, a := range answers {
		k.sizes = append(k.sizes, len(a.Body))
	}
	return nil
}

func (*savedKeys) DeleteIdempotency(context.Context, time.Time) (int64, error) { return 0, nil }

// TestStoredAnswerBound checks that an answer is stored with its key only
// up to MaxStoredAnswer bytes: the table's rows stay small, and a longer
// answer's retry elsewhere gets the short "already done" one.
func TestStoredAnswerBound(t *testing.T) {
	keys := &savedKeys{}
	s := &Server{idem: newIdemStore(10, time.Hour), clock: time.Now, logger: slog.New(slog.DiscardHandler), keys: keys}
	for _, tt := range []struct {
		size   int
		stored bool
	}{
		{MaxStoredAnswer, true},
		{MaxStoredAnswer + 1, false},
	} {
		h := s.idempotent(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.Write(bytes.Repeat([]byte("x"), tt.size))
		})
		r := httptest.NewRequest(http.MethodPost, "/api/v1/incidents", strings.NewReader("{}"))
		r.Header.Set("Authorization", "Bearer t")
		r.Header.Set(idempotencyHeader, fmt.Sprint("answer-", tt.size))
		w := httptest.NewRecorder()
		h(w, r)
		s.FlushAnswers()
		if w.Code != http.StatusCreated || w.Body.Len() != tt.size {
			t.Fatalf("answer of %d bytes = %d, %d bytes; want 201 with all of them", tt.size, w.Code, w.Body.Len())
		}
		if got := slices.Contains(keys.sizes, tt.size); got != tt.stored {
			t.Errorf("answer of %d bytes stored = %t, want %t", tt.size, got, tt.stored)
		}
	}
}
