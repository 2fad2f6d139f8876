package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tenfour-cad/tenfour/store/sqlite"
)

func TestProbe(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tenfour.db")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		n, err := sqlite.Probe(ctx, path)
		if err != nil || n != 0 {
			t.Fatalf("Probe(new database) = %d, %v, want 0, nil", n, err)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tenfour.db")
		if _, err := sqlite.Probe(ctx, path); err == nil {
			t.Fatal("Probe(missing file) = nil error")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("Probe created %s (stat: %v); it must not", path, err)
		}
	})
	t.Run("ErrNotTenfour", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		if err := os.WriteFile(path, []byte("not a database at all, just text that is long enough"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := sqlite.Probe(ctx, path); err == nil {
			t.Fatal("Probe(a text file) = nil error")
		}
	})
}
