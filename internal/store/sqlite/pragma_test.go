package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
)

// TestPragmas checks the settings durability and integrity rest on, on the
// writer, a reader and the checkpointer connection. It is the guard of
// synchronous=FULL: TestKill9 cannot see a commit that never reached the
// disk (killing the process leaves the operating system's page cache,
// which a power loss would not), so it passes with synchronous OFF too.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "tracflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	check := func(db *sql.DB, who, pragma, want string) {
		t.Helper()
		var got string
		if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", who, pragma, got, want)
		}
	}
	for _, c := range []struct {
		db  *sql.DB
		who string
	}{{st.w, "writer"}, {st.r, "reader"}, {st.ck, "checkpointer"}} {
		check(c.db, c.who, "journal_mode", "wal")
		// FULL: a commit syncs the WAL, a checkpoint the database file.
		check(c.db, c.who, "synchronous", "2")
		check(c.db, c.who, "foreign_keys", "1")
		check(c.db, c.who, "busy_timeout", "10000")
	}
	check(st.w, "writer", "query_only", "0")
	check(st.r, "reader", "query_only", "1")
	// The page caches are bounded: the server's memory must not grow with
	// the database.
	check(st.w, "writer", "cache_size", strconv.Itoa(-writerCacheKiB))
	check(st.r, "reader", "cache_size", strconv.Itoa(-readerCacheKiB()))
	if total := readers() * readerCacheKiB(); total > 16<<10 {
		t.Errorf("the readers' page caches add up to %d KiB", total)
	}
}
