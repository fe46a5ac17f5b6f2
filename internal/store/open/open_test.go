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
