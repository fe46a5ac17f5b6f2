package open

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/postgres"
	"github.com/tracflow/tracflow/internal/store/sqlite"
	"github.com/tracflow/tracflow/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	for _, dsn := range []string{"", "sqlite"} {
		st, err := Open(ctx, dsn, dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := st.(*sqlite.Store); !ok {
			t.Fatalf("%q opened %T", dsn, st)
		}
		if err := st.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{{"id": "p" + dsn}}}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "other.db")
	st, err := Open(ctx, "sqlite:"+path, "ignored")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	for dsn, want := range map[string]string{
		"mysql://root:secret@db/x": `unknown database "mysql://…@db/x"`,
		"sqlite:":                  `names no file`,
	} {
		_, err := Open(ctx, dsn, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q): %v, want %q", dsn, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	if _, err := Open(ctx, "", ""); err == nil {
		t.Error("no error without a data folder")
	}
}

func TestPostgres(t *testing.T) {
	st, err := Open(context.Background(), storetest.PostgresDSN(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.(*postgres.Store); !ok {
		t.Fatalf("opened %T", st)
	}
}

// TestClassify: "sqlite:PATH" is SQLite like "" and "sqlite" (serve once took
// it for PostgreSQL, asked for a shared secret key and logged
// database=PostgreSQL).
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		dsn      string
		backend  Backend
		path     string
		embedded bool
	}{
		{"", SQLite, filepath.Join("data", FileName), true},
		{"sqlite", SQLite, filepath.Join("data", FileName), true},
		{"sqlite:/var/lib/tracflow/my.db", SQLite, "/var/lib/tracflow/my.db", true},
		{"postgres://u:p@h/db", PostgreSQL, "", false},
		{"postgresql://u:p@h/db", PostgreSQL, "", false},
		{"mysql://h/db", Unknown, "", false},
	} {
		b, path := Classify(c.dsn, "data")
		if b != c.backend || path != c.path || Embedded(c.dsn) != c.embedded {
			t.Errorf("%q: %v %q embedded=%v; want %v %q %v", c.dsn, b, path, Embedded(c.dsn), c.backend, c.path, c.embedded)
		}
	}
	if SQLite.String() != "SQLite" || PostgreSQL.String() != "PostgreSQL" {
		t.Errorf("names: %v %v", SQLite, PostgreSQL)
	}
}

// TestDataFolderPrivate: the data folder Open creates is 0700, whatever the
// umask lets through.
func TestDataFolderPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %o, want 700", fi.Mode().Perm())
	}
	fi, err = os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode %o, want 600", fi.Mode().Perm())
	}
}
