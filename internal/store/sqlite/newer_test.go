package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/sqlite"
)

// TestNewerSchemaRefused: a database whose schema is newer than the build
// is refused with a message saying so, and is left as it was.
func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tracflow.db")
	st := open(t, path)
	if err := st.PutConfig(ctx, "source", "s1", store.Doc{"id": "s1"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_us) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if st, err := sqlite.Open(ctx, path); err == nil {
		st.Close()
		t.Fatal("a database with schema version 9999 opened")
	} else if !strings.Contains(err.Error(), "schema version 9999, newer than this build knows") {
		t.Fatalf("error %q does not say the schema is newer", err)
	}
	// Nothing was changed: without the future version it opens, data intact.
	if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = 9999`); err != nil {
		t.Fatal(err)
	}
	st = open(t, path)
	if _, err := st.GetConfig(ctx, "source", "s1"); err != nil {
		t.Fatal(err)
	}
}
