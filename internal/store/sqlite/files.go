package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileMode is the permission of every file of the database: the database,
// its -wal and -shm files and the lock file. They hold password hashes and
// personal data, so only the owner may read them.
const FileMode fs.FileMode = 0o600

// DirMode is the permission of a folder created for the database.
const DirMode fs.FileMode = 0o700

// sideFiles are the files SQLite keeps beside the database in WAL mode.
var sideFiles = []string{"-wal", "-shm", "-journal"}

// prepareFiles makes sure the database's files are private before SQLite
// writes anything into them: a missing folder is created 0700, a missing
// database file is created empty with mode 0600 (SQLite gives the -wal and
// -shm files it creates later the database file's mode), and files left by
// an earlier version with a wider mode are narrowed to 0600.
func prepareFiles(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, DirMode); err != nil {
			return fmt.Errorf("store: database folder: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("store: create %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, p := range append([]string{path, path + ".lock"}, suffixed(path)...) {
		if err := narrow(p); err != nil {
			return err
		}
	}
	return nil
}

func suffixed(path string) []string {
	out := make([]string, len(sideFiles))
	for i, s := range sideFiles {
		out[i] = path + s
	}
	return out
}

// narrow sets path's mode to FileMode when it is wider; a missing file is
// left alone.
func narrow(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("store: %s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if fi.Mode().Perm()&^FileMode == 0 {
		return nil
	}
	if err := os.Chmod(path, FileMode); err != nil {
		return fmt.Errorf("store: make %s private (mode %o): %w", path, FileMode, err)
	}
	return nil
}
