package sqlite

import "io/fs"

// mustSub returns the sub-tree dir of an embedded file system; dir is a
// constant of this package, so failing is a broken build, not bad input.
func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
