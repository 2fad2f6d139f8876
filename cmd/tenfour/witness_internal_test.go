package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/witness"
)

// witnessKeyServer serves a witness key at /witness/key, the one *key holds
// when asked.
func witnessKeyServer(t *testing.T, key *string) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/witness/key" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(*key + "\n"))
	}))
	t.Cleanup(ts.Close)
	return ts
}

func cosignerKey(t *testing.T, name string) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := witness.NewSigner(name, priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.Verifier().String()
}

// TestPeerKeys checks the witness keys the client checks cosignatures with:
// a named key the peer's witness serves is used; a named key it does not
// serve is refused and logged as an error, once; a peer that names none is
// trusted on first use, which is logged; a named key is used while the
// peer's witness cannot be asked.
func TestPeerKeys(t *testing.T) {
	served := cosignerKey(t, "county.example/log/witness")
	other := cosignerKey(t, "county.example/log/witness")
	srv := witnessKeyServer(t, &served)
	logs := &lockedBuffer{}
	k := &peerKeys{hc: srv.Client(), logger: slog.New(slog.NewTextHandler(logs, nil)), keys: map[string]note.Verifier{}, said: map[string]string{}}
	ctx := context.Background()
	keyOf := func(p dispatch.Peer) string {
		v, ok := k.of(ctx, p)
		if !ok {
			return ""
		}
		return v.(*witness.Verifier).String()
	}

	t.Run("Named", func(t *testing.T) {
		if got := keyOf(dispatch.Peer{Name: "county", URL: srv.URL, WitnessKey: served}); got != served {
			t.Errorf("the key of a peer naming the served key = %q, want %s", got, served)
		}
	})
	t.Run("ErrMismatch", func(t *testing.T) {
		p := dispatch.Peer{Name: "county2", URL: srv.URL, WitnessKey: other}
		for range 3 {
			if got := keyOf(p); got != "" {
				t.Errorf("the key of a peer whose witness serves another = %q, want none: its cosignatures refused", got)
			}
		}
		if n := strings.Count(logs.String(), "level=ERROR msg=\"witness: the peer's witness serves another key than the one named"); n != 1 {
			t.Errorf("the mismatch is logged %d times as an error, want once:\n%s", n, logs)
		}
		if !strings.Contains(logs.String(), "peer=county2") {
			t.Errorf("the error does not name the peer:\n%s", logs)
		}
	})
	t.Run("TrustOnFirstUse", func(t *testing.T) {
		if got := keyOf(dispatch.Peer{Name: "state", URL: srv.URL}); got != served {
			t.Errorf("the key of a peer naming none = %q, want the served %s", got, served)
		}
		if !strings.Contains(logs.String(), "msg=\"witness: the peer names no witness key: trusting the key its witness serves, on first use\" peer=state") {
			t.Errorf("trust on first use is not logged:\n%s", logs)
		}
		// Kept while the node runs: a key served later is not taken.
		served = other
		if got := keyOf(dispatch.Peer{Name: "state", URL: srv.URL}); got == other {
			t.Errorf("the key of a peer naming none changed to the newly served %s", other)
		}
	})
	t.Run("NamedUnreachable", func(t *testing.T) {
		down := httptest.NewServer(http.NotFoundHandler())
		down.Close()
		if got := keyOf(dispatch.Peer{Name: "far", URL: down.URL, WitnessKey: other}); got != other {
			t.Errorf("the key of a peer whose witness is down = %q, want the named %s", got, other)
		}
		if got := keyOf(dispatch.Peer{Name: "far2", URL: down.URL}); got != "" {
			t.Errorf("the key of a peer naming none whose witness is down = %q, want none", got)
		}
	})
}
