package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresEnv names the variable that holds the test server's DSN.
const PostgresEnv = "TRACFLOW_TEST_PG"

// RequirePostgresEnv, when set (scripts/test.sh sets it), makes a test that
// needs PostgreSQL fail instead of skipping when TRACFLOW_TEST_PG is unset.
const RequirePostgresEnv = "TRACFLOW_TEST_REQUIRE_PG"

// skippedPG lists the tests of this binary skipped for want of PostgreSQL.
var skippedPG struct {
	sync.Mutex
	names []string
}

// PostgresServer returns TRACFLOW_TEST_PG. Without it the test is skipped
// (and named by ReportSkipped), or fails when RequirePostgresEnv is set.
func PostgresServer(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn != "" {
		return dsn
	}
	if os.Getenv(RequirePostgresEnv) != "" {
		tb.Fatalf("%s is set but %s is not: this PostgreSQL test must run", RequirePostgresEnv, PostgresEnv)
	}
	skippedPG.Lock()
	skippedPG.names = append(skippedPG.names, tb.Name())
	skippedPG.Unlock()
	tb.Skip(`PostgreSQL tests skipped: set TRACFLOW_TEST_PG to a DSN, e.g. export TRACFLOW_TEST_PG="$(scripts/pg-test-server.sh)"`)
	return ""
}

// ReportSkipped writes one loud line naming the tests skipped for want of
// PostgreSQL, if any. Call it from TestMain after m.Run:
//
//	func TestMain(m *testing.M) { code := m.Run(); storetest.ReportSkipped(); os.Exit(code) }
//
// go test shows what a passing package prints only with -v, so without -v
// the line goes straight to the go command's own output where the system
// allows it (see loudOutput). scripts/test.sh sets RequirePostgresEnv, so
// that nothing is skipped there.
func ReportSkipped() {
	skippedPG.Lock()
	defer skippedPG.Unlock()
	if len(skippedPG.names) == 0 {
		return
	}
	pkg := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	w, done := loudOutput()
	defer done()
	fmt.Fprintf(w, "!!! %s: %d PostgreSQL test(s) SKIPPED, %s is not set: %s\n",
		pkg, len(skippedPG.names), PostgresEnv, strings.Join(skippedPG.names, ", "))
}

// loudOutput is where ReportSkipped writes: stderr with -v (go test shows
// it), else, on Linux, the go command's standard output (/proc/PPID/fd/1)
// when it is a terminal or a pipe, so that a plain `go test ./...` shows the
// line beside the package's "ok". A regular file is left alone (writing at
// its end could be overwritten by the go command), and so is any other case:
// the line then goes to stderr.
func loudOutput() (io.Writer, func()) {
	if testing.Verbose() {
		return os.Stderr, func() {}
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/1", os.Getppid()), os.O_WRONLY, 0)
	if err != nil {
		return os.Stderr, func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode().IsRegular() {
		f.Close()
		return os.Stderr, func() {}
	}
	return f, func() { f.Close() }
}

// PostgresDSN returns a DSN for a fresh, empty schema on the test server
// named by TRACFLOW_TEST_PG, dropped when the test ends, so that tests never
// see each other's data. Without the variable the test is skipped (see
// PostgresServer).
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := PostgresServer(tb)
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
