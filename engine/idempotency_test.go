package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/store"
)

// TestExecuteIdempotency checks that a command done under an idempotency
// key (engine.WithIdempotency) has the key stored with its events, and
// that a command without one, refused, or taken out of the key
// (engine.WithoutIdempotency) stores none.
func TestExecuteIdempotency(t *testing.T) {
	db := MustOpenStore(t, t.TempDir()+"/t.db")
	e := MustOpenEngine(t, db, MustKey(t), nil)
	MustExecute(t, e, root, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	keyed := func(name string) context.Context {
		return engine.WithIdempotency(context.Background(), []byte("key "+name), []byte("request "+name), at)
	}
	unit := func(cs string) dispatch.Command {
		return dispatch.CreateUnit{CallSign: cs, Agency: "metro", Kind: "patrol"}
	}

	res, err := e.Execute(keyed("a"), root, unit("1A"))
	if err != nil {
		t.Fatalf("Execute(keyed) = %v", err)
	}
	got, err := db.Idempotency(t.Context(), []byte("key a"))
	if err != nil || got.First != res.First || got.Count != int64(len(res.Events)) || string(got.Fingerprint) != "request a" || !got.Created.Equal(at) {
		t.Errorf("stored key a = first %d, count %d, fingerprint %q, created %v, %v; want %d, %d, request a, %v",
			got.First, got.Count, got.Fingerprint, got.Created, err, res.First, len(res.Events), at)
	}

	for _, tt := range []struct {
		name    string
		ctx     context.Context
		cmd     dispatch.Command
		refused bool
	}{
		{"refused", keyed("refused"), unit("1A"), true}, // the call sign is taken
		{"without", engine.WithoutIdempotency(keyed("without")), unit("1B"), false},
	} {
		if _, err := e.Execute(tt.ctx, root, tt.cmd); (err != nil) != tt.refused {
			t.Errorf("Execute(%s) = %v, want refused %t", tt.name, err, tt.refused)
		}
		if _, err := db.Idempotency(t.Context(), []byte("key "+tt.name)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("stored key %s = %v, want ErrNotFound", tt.name, err)
		}
	}
}
