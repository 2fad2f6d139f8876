package witness_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/witness/spectest"
)

// TestSpec runs the spec-only suite against tenfour's witness over HTTP.
func TestSpec(t *testing.T) {
	f := newFixture(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /witness/add-checkpoint", f.w.HandleAddCheckpoint)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	spectest.Run(t, spectest.Witness{
		URL: srv.URL + "/witness",
		Key: f.w.VerifierKey(),
		Trust: func(t *testing.T, origin, vkey string) {
			v, err := note.NewVerifier(vkey)
			if err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			f.logs[origin] = append(f.logs[origin], v)
		},
	})
}
