package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/sqlite"
)

// backup copies the database while it is open and being written (as by a
// running server), with the queue's file and the secret key; the copy opens
// and holds the data.
func TestBackupWhileOpen(t *testing.T) {
	t.Setenv(secrets.EnvVar, "")
	dir := t.TempDir()
	path := filepath.Join(dir, "tracflow.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q, err := jobs.OpenSQLite(context.Background(), jobs.QueueFile(path), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close(context.Background())
	if _, _, _, err := secrets.LoadKey("", dir); err != nil { // creates secret.key
		t.Fatal(err)
	}
	if err := st.Apply(context.Background(), &store.ChangeSet{Profiles: []store.Doc{domain.NewProfile("p1", time.Now())}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"backup", "--data", dir, out}, Options{Stdout: &stdout, Stderr: &stderr}); code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	if code := Main([]string{"backup", "--data", dir, out}, Options{Stdout: &stdout, Stderr: &stderr}); code != exitUsage {
		t.Fatalf("backup over an existing file: exit %d", code)
	}
	cp, err := sqlite.Open(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if p, err := cp.Profile(context.Background(), "p1"); err != nil || p["id"] != "p1" {
		t.Fatalf("profile in the copy: %v %v", p, err)
	}
	if _, err := os.Stat(jobs.QueueFile(out)); err != nil {
		t.Fatalf("queue copy: %v", err)
	}
	k1, _ := os.ReadFile(filepath.Join(dir, secrets.KeyFile))
	k2, err := os.ReadFile(out + ".key")
	if err != nil || !bytes.Equal(k1, k2) || len(k1) == 0 {
		t.Fatalf("key copy: %v", err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Fatalf("copy mode %v", fi.Mode())
	}
	stderr.Reset()
	if code := Main([]string{"backup", "--db", "postgres://x@localhost/db", out + "2"}, Options{Stdout: &stdout, Stderr: &stderr}); code != exitUsage || !strings.Contains(stderr.String(), "pg_dump") {
		t.Fatalf("PostgreSQL: exit %d, %s", code, stderr.String())
	}
}
