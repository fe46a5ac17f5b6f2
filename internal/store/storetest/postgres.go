package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresEnv names the variable that holds the test server's DSN.
const PostgresEnv = "TRACFLOW_TEST_PG"

// PostgresDSN returns a DSN for a fresh, empty schema on the test server
// named by TRACFLOW_TEST_PG, dropped when the test ends, so that tests never
// see each other's data. Without the variable the test is skipped.
func PostgresDSN(tb testing.TB) string {
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		tb.Skip(`PostgreSQL tests skipped: set TRACFLOW_TEST_PG to a DSN, e.g. export TRACFLOW_TEST_PG="$(scripts/pg-test-server.sh)"`)
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s must be a postgres:// URL, got %q", PostgresEnv, dsn)
	}
	// The schema is made on a plain connection: without the pool settings
	// the DSN may carry (pool_max_conns, lock_pool_max_conns).
	admin := *u
	aq := admin.Query()
	for k := range aq {
		if strings.HasPrefix(k, "pool_") || strings.HasPrefix(k, "lock_pool_") {
			aq.Del(k)
		}
	}
	admin.RawQuery = aq.Encode()
	adminDSN := admin.String()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		tb.Fatalf("connecting to %s: %v", PostgresEnv, err)
	}
	defer conn.Close(ctx)
	var r [6]byte
	rand.Read(r[:])
	schema := "test_" + hex.EncodeToString(r[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, adminDSN)
		if err != nil {
			tb.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Error(err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
