package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/postgres"
	"github.com/tracflow/tracflow/internal/store/storetest"
)

// TestNewerSchemaRefused: a database whose schema is newer than the build
// is refused with a message saying so, and is left as it was.
func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	st := open(t, dsn)
	if err := st.PutConfig(ctx, "source", "s1", store.Doc{"id": "s1"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_us) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if st, err := postgres.Open(ctx, dsn); err == nil {
		st.Close()
		t.Fatal("a database with schema version 9999 opened")
	} else if !strings.Contains(err.Error(), "schema version 9999, newer than this build knows") {
		t.Fatalf("error %q does not say the schema is newer", err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM schema_migrations WHERE version = 9999`); err != nil {
		t.Fatal(err)
	}
	st = open(t, dsn)
	if _, err := st.GetConfig(ctx, "source", "s1"); err != nil {
		t.Fatal(err)
	}
}
