package sqlite_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"github.com/tenfour-cad/tenfour/store/storetest"
)

// TestFileModes: the database and its -wal and -shm are created 0600
// whatever the umask lets through, and an existing database open to others
// is tightened, and said so (issue 13: the database was 0644).
func TestFileModes(t *testing.T) {
	// The loosest umask: whatever is not 0600 comes from tenfour.
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	mode := func(t *testing.T, path string) fs.FileMode {
		t.Helper()
		st, err := os.Stat(path)
		if err != nil {
			t.Fatalf("stat %s: %v", path, err)
		}
		return st.Mode().Perm()
	}

	t.Run("New", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tenfour.db")
		db := mustOpen(t, path)
		// A write, so that the -wal and -shm exist.
		if err := db.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 1)}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if m := mode(t, p); m != sqlite.FileMode {
				t.Errorf("mode of %s = %04o, want %04o", filepath.Base(p), m, sqlite.FileMode)
			}
		}
		if got := db.Tightened(); len(got) != 0 {
			t.Errorf("Tightened() = %v for a new database, want none", got)
		}
	})
	t.Run("Tightened", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tenfour.db")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Append(ctx, store.Batch{Leaves: storetest.Leaves(0, 1)}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		// As an older tenfour left them: 0644 (SQLite removes the -wal and
		// -shm on its last close; here they are made again, empty).
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o644); err != nil {
				t.Fatal(err)
			} else {
				f.Close()
			}
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		db = mustOpen(t, path)
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if m := mode(t, p); m != sqlite.FileMode {
				t.Errorf("mode of %s after Open = %04o, want %04o", filepath.Base(p), m, sqlite.FileMode)
			}
		}
		if got := db.Tightened(); !slices.Contains(got, path+" (was 0644)") {
			t.Errorf("Tightened() = %v, want it to name %s (was 0644)", got, path)
		}
		if n, err := db.LogSize(ctx); err != nil || n != 1 {
			t.Errorf("LogSize() after tightening = %d, %v; want the leaf written before", n, err)
		}
	})
}
