package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	skey, _ := ledger.GenerateKey("example.test/log")
	k, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(ctx, ledger.Config{Store: db, Key: k}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		_, err := l.Append([]ledger.Record{{Time: time.Now(), Type: "x.y", Agency: "a", Actor: ledger.Actor{System: "t"}, Private: map[string]string{"name": "bob"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	cp, _ := l.LatestCheckpoint()
	t.Log(cp.Size, cp.Root)
	b, err := l.Bundle(ctx, "", []int64{0, 500, 999}, true)
	if err != nil {
		t.Fatal(err)
	}
	_ = b
	l.Close()
	l, err = ledger.Open(ctx, ledger.Config{Store: db, Key: k}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tile, err := l.ReadTile(ctx, ledger.TilePath{L: 1, N: 0, W: 3})
	if err != nil || len(tile) != 96 {
		t.Fatal(err, len(tile))
	}
}
