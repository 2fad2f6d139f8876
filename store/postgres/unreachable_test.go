package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/postgres/pgtest"
)

// TestUnreachable checks that the errors of a store whose server is
// paused or gone are store.Unreachable, and its answers are not.
func TestUnreachable(t *testing.T) {
	ctx := context.Background()
	s, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatalf("pgtest.Start() = %v", err)
	}
	defer s.Stop()
	dsn, err := s.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t, dsn)
	hash := []byte("no such token")
	if _, err := db.TokenByHash(ctx, hash); !errors.Is(err, store.ErrNotFound) || store.Unreachable(err) {
		t.Fatalf("TokenByHash(unknown) = %v (unreachable %t), want ErrNotFound, an answer", err, store.Unreachable(err))
	}

	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	// The deadline is what the caller allows; how soon it passes does not
	// matter, only that the paused server cannot answer within it.
	short, cancel := context.WithTimeout(ctx, time.Second)
	_, err = db.TokenByHash(short, hash)
	cancel()
	s.Resume()
	if err == nil || !store.Unreachable(err) {
		t.Errorf("TokenByHash on a paused server = %v, want an Unreachable error", err)
	}

	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// The pool's connections were cut: the first use of one fails, or the
	// pool notices and connects again. Either way, nothing else.
	if _, err := db.TokenByHash(ctx, hash); !errors.Is(err, store.ErrNotFound) && !store.Unreachable(err) {
		t.Errorf("TokenByHash after a restart = %v, want ErrNotFound or an Unreachable error", err)
	}

	s.Stop()
	if _, err := db.TokenByHash(ctx, hash); err == nil || !store.Unreachable(err) {
		t.Errorf("TokenByHash on a stopped server = %v, want an Unreachable error", err)
	}
}
