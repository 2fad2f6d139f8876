package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tenfour-cad/tenfour/store"
)

func TestUnreachable(t *testing.T) {
	// A real refused connection: a port that was free a moment ago.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, refused := net.Dial("tcp", addr)
	if refused == nil {
		t.Skipf("something listens on %s again", addr)
	}
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{store.ErrNotFound, false},
		{store.ErrFenced, false},
		{errors.New("some bug"), false},
		{fmt.Errorf("token: %w", refused), true},
		{fmt.Errorf("token: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("token: %w", context.DeadlineExceeded), true},
		{context.Canceled, false},                                         // the caller went away: nobody to answer
		{fmt.Errorf("connect: %w", &pgconn.PgError{Code: "57P03"}), true}, // cannot_connect_now
		{&pgconn.PgError{Code: "57P01"}, true},                            // admin_shutdown
		{&pgconn.PgError{Code: "08006"}, true},                            // connection_failure
		{&pgconn.PgError{Code: "53300"}, true},                            // too_many_connections
		{&pgconn.PgError{Code: "23505"}, false},                           // unique_violation: an answer
		{&pgconn.PgError{Code: "53100"}, false},                           // disk_full: ErrFull's
	} {
		if got := store.Unreachable(tt.err); got != tt.want {
			t.Errorf("Unreachable(%v) = %t, want %t", tt.err, got, tt.want)
		}
	}
}
