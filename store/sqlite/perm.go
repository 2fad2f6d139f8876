package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The database holds what no one but tenfour may read: TOTP secrets,
// password hashes, token hashes and the openings of private fields (issue
// 13). So its file is created 0600 before SQLite opens it — SQLite gives
// the -wal and -shm files it makes the database file's mode — and a file
// with wider permissions, of an older tenfour or copied in, is tightened.

// FileMode is the mode of the database file and its -wal and -shm.
const FileMode fs.FileMode = 0o600

// secure creates path empty with FileMode if it does not exist (SQLite
// takes an empty file for a new database), and tightens path, path-wal and
// path-shm to their owner's permissions if others or the group may read
// or write them. It returns the files it tightened, with their old modes.
func secure(path string) ([]string, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	var tightened []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		old, changed, err := Tighten(p)
		if err != nil {
			return tightened, err
		}
		if changed {
			tightened = append(tightened, fmt.Sprintf("%s (was %04o)", p, old))
		}
	}
	return tightened, nil
}

// Tighten removes the group's and others' permissions from path, if it
// exists and has any, leaving the owner's: a file 0644 becomes 0600, a
// directory 0755 becomes 0700. It reports the old mode and whether it
// changed it; a path that does not exist is no error.
func Tighten(path string) (old fs.FileMode, changed bool, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("permissions of %s: %w", path, err)
	}
	old = st.Mode().Perm()
	if old&0o077 == 0 {
		return old, false, nil
	}
	if err := os.Chmod(path, old&0o700); err != nil {
		return old, false, fmt.Errorf("tighten the permissions of %s: %w", path, err)
	}
	return old, true, nil
}
