//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeFilesArePrivate starts the binary as an operator would on a
// machine where the data folder already exists, readable by all: every file
// the server writes (database, -wal, -shm, lock, secret key) must be 0600.
// With --db sqlite:PATH the server must not ask for the shared secret key
// PostgreSQL needs, and must log the SQLite file, not PostgreSQL.
func TestServeFilesArePrivate(t *testing.T) {
	t.Setenv("TRACFLOW_SECRET_KEY", "")
	data := t.TempDir()
	if err := os.Chmod(data, 0o755); err != nil {
		t.Fatal(err)
	}
	dbDir := filepath.Join(t.TempDir(), "db")
	db := filepath.Join(dbDir, "custom.db")
	for _, c := range []struct {
		name string
		args []string
		db   string
	}{
		{"data folder", []string{"--data", data}, filepath.Join(data, "tracflow.db")},
		{"sqlite:PATH", []string{"--db", "sqlite:" + db, "--data", filepath.Join(t.TempDir(), "keys")}, db},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, c.args...)
			out := s.output()
			if strings.Contains(out, "PostgreSQL") || !strings.Contains(out, "SQLite "+c.db) {
				t.Errorf("the log does not name the SQLite file %s:\n%s", c.db, out)
			}
			body := map[string]any{"source": map[string]any{"id": "demo-source"}, "events": []any{map[string]any{"type": "page-view"}}}
			if code, r := call(t, "POST", s.url+"/track", "", body); code != 200 {
				t.Fatalf("track: %d %v", code, r)
			}
			files := []string{c.db, c.db + "-wal", c.db + "-shm", c.db + ".lock"}
			keyDir := data
			if c.name != "data folder" {
				keyDir = c.args[3]
				wantMode(t, dbDir, 0o700)
				wantMode(t, keyDir, 0o700)
			}
			files = append(files, filepath.Join(keyDir, "secret.key"))
			for _, f := range files {
				wantMode(t, f, 0o600)
			}
			s.kill()
		})
	}
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %o, want %o", path, got, want)
	}
}
