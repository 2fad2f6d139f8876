package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store/sqlite"
)

func TestBackupForgetLease(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tenfour.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AcquireLease(ctx, "original", "http://original", time.Hour); err != nil {
		t.Fatalf("AcquireLease(original) = %v", err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := sqlite.Backup(ctx, path, out); err != nil {
		t.Fatalf("Backup = %v", err)
	}
	if err := sqlite.Backup(ctx, path, out); err == nil {
		t.Fatal("Backup over an existing file = nil, want refused")
	}
	cp, err := sqlite.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	// The copy's lease is the original's, unexpired: a restored node would
	// follow it.
	if _, err := cp.AcquireLease(ctx, "restored", "http://restored", time.Hour); err == nil {
		t.Fatal("AcquireLease on the copy = nil, want held by the original")
	}
	if err := cp.ForgetLease(ctx); err != nil {
		t.Fatalf("ForgetLease = %v", err)
	}
	l, err := cp.AcquireLease(ctx, "restored", "http://restored", time.Hour)
	if err != nil || l.Node != "restored" || l.Epoch != 2 {
		t.Fatalf("AcquireLease after ForgetLease = %+v, %v; want restored's at epoch 2", l, err)
	}
}
