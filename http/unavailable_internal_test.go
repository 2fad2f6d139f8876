package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// A store that cannot record answers 503 with the reason as its code and
// Retry-After in whole seconds, never its driver's text.
func TestUnavailableProblem(t *testing.T) {
	s := &Server{logger: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		name  string
		err   error
		code  string
		retry string
		says  string
	}{
		{"StorageFull", &ledger.UnavailableError{Reason: ledger.ReasonStorageFull, RetryAfter: 1500 * time.Millisecond, Err: fmt.Errorf("append: %w: database or disk is full (13)", store.ErrFull)},
			"storage_full", "2", "the store is full; the command was not recorded"},
		{"Unavailable", fmt.Errorf("record dispatch.CreateUnit: %w", &ledger.UnavailableError{Reason: ledger.ReasonStoreUnavailable, RetryAfter: 200 * time.Millisecond, Err: errors.New("dial tcp 10.0.0.7:5432: connection refused")}),
			"store_unavailable", "1", "the store does not answer; the command was not recorded"},
		{"MayStillBeRecorded", &ledger.UnavailableError{Reason: ledger.ReasonStorageFull, RetryAfter: time.Second, Unknown: true},
			"storage_full", "1", "send it again with the same Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.writeError(w, httptest.NewRequest(http.MethodPost, "/api/v1/units", nil), tc.err)
			var p Problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if w.Code != http.StatusServiceUnavailable || p.Code != tc.code || w.Header().Get("Retry-After") != tc.retry {
				t.Errorf("writeError(%v) = %d %s, Retry-After %q; want 503 %s, Retry-After %s", tc.err, w.Code, w.Body, w.Header().Get("Retry-After"), tc.code, tc.retry)
			}
			if !strings.Contains(p.Detail, tc.says) || strings.Contains(p.Detail, "13") || strings.Contains(p.Detail, "10.0.0.7") {
				t.Errorf("detail = %q, want it to say %q and not the driver's text", p.Detail, tc.says)
			}
		})
	}
}
