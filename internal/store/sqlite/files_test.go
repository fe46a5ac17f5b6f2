//go:build unix

package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/sqlite"
)

// wantMode fails unless path exists with exactly the mode want.
func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(path), err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %o, want %o", filepath.Base(path), got, want)
	}
}

// TestFilesArePrivate opens a database in a folder that already exists and
// is readable by everyone, under the usual umask 022: every file SQLite and
// the store create (database, -wal, -shm, lock) must be 0600, since they hold
// password hashes and personal data.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tracflow.db")
	st := open(t, path)
	// A write, so that the -wal and -shm files exist and hold data.
	if err := st.PutConfig(context.Background(), "user", "u1", store.Doc{"id": "u1", "password": "hash"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
		wantMode(t, f, sqlite.FileMode)
	}
}

// TestFilesNarrowedOnOpen: files left 0644 by an earlier version are made
// private when the database is opened again.
func TestFilesNarrowedOnOpen(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "tracflow.db")
	st := open(t, path)
	if err := st.PutConfig(context.Background(), "user", "u1", store.Doc{"id": "u1"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, f := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
		if _, err := os.Stat(f); err == nil {
			if err := os.Chmod(f, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	st = open(t, path)
	if err := st.PutConfig(context.Background(), "user", "u2", store.Doc{"id": "u2"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
		wantMode(t, f, sqlite.FileMode)
	}
}

// TestFolderCreatedPrivate: a missing folder of the database is created 0700.
func TestFolderCreatedPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "new", "db")
	open(t, filepath.Join(dir, "tracflow.db"))
	wantMode(t, dir, sqlite.DirMode)
}
