package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/sqlite"
	"github.com/tracflow/tracflow/internal/store/storetest"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestStore(t *testing.T) {
	storetest.Run(t,
		func(t *testing.T) store.Store {
			return open(t, filepath.Join(t.TempDir(), "tracflow.db"))
		},
		storetest.Reopen(func(t *testing.T, closed store.Store) store.Store {
			return open(t, closed.(*sqlite.Store).Path())
		}),
	)
}

// TestMigrationsIdempotent opens the same file twice in turn: the second Open
// finds the schema in place and applies nothing.
func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracflow.db")
	st := open(t, path)
	if err := st.PutConfig(context.Background(), "source", "s1", store.Doc{"id": "s1"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = open(t, path)
	if _, err := st.GetConfig(context.Background(), "source", "s1"); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if v, err := st.SchemaVersion(context.Background()); err != nil || v != len(files) {
		t.Fatalf("schema version %d, %v; want %d (one per migration)", v, err, len(files))
	}
}

// TestOneProcess: a second store on the same file is refused while the first
// is open, since profile locks only hold within one process.
func TestOneProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracflow.db")
	open(t, path)
	_, err := sqlite.Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "another Tracflow process") {
		t.Fatalf("second Open: %v", err)
	}
}

func benchOpen(b *testing.B) store.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "tracflow.db"))
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func BenchmarkApply(b *testing.B)        { storetest.BenchmarkApply(b, benchOpen) }
func BenchmarkLockedUpdate(b *testing.B) { storetest.BenchmarkLockedUpdate(b, benchOpen) }

// TestOddPath: a folder name with characters that mean something in a URI.
func TestOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my data #1 ?x=y&z %20")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tracflow.db")
	st := open(t, path)
	if err := st.Apply(context.Background(), &store.ChangeSet{Profiles: []store.Doc{{"id": "p"}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}
