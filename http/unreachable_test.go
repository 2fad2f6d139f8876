package http_test

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/store"
)

// cutAccounts is a real store whose token lookups fail as they do while
// PostgreSQL restarts: the connection is refused.
type cutAccounts struct {
	auth.Accounts
	err error
}

func (a cutAccounts) TokenByHash(context.Context, []byte) (store.Token, error) {
	return store.Token{}, fmt.Errorf("token: %w", a.err)
}

// TestStoreUnreachable checks that a request whose store read cannot reach
// the database is answered 503 store_unavailable with Retry-After, to be
// sent again, not 500: nothing is wrong with the server or the request.
func TestStoreUnreachable(t *testing.T) {
	ts := MustOpenServer(t)
	token := ts.MustCreateToken(t, ts.Creds.Username)
	// A real refused connection: a port that was free a moment ago.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, refused := net.Dial("tcp", addr)
	if refused == nil {
		t.Fatalf("something listens on %s again", addr)
	}
	db := ts.Auth.Accounts
	ts.Auth.Accounts = cutAccounts{Accounts: db, err: refused}
	agency := map[string]string{"id": "metro", "name": "Metro Police Department", "kind": "municipal_police"}
	r := ts.Do(t, "POST", "/api/v1/agencies", token, agency)
	CheckProblem(t, "POST /api/v1/agencies with the store cut", r, 503, "store_unavailable", "try again")
	if got := r.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1", got)
	}
	if got := ts.Do(t, "GET", "/api/v1/agencies", token, nil); got.Status != 503 {
		t.Errorf("GET /api/v1/agencies with the store cut = %d %s, want 503", got.Status, got.Body)
	}

	ts.Auth.Accounts = db // the database is back
	if r := ts.Do(t, "POST", "/api/v1/agencies", token, agency); r.Status != 201 {
		t.Errorf("POST /api/v1/agencies once the store is back = %d %s, want 201", r.Status, r.Body)
	}
}
