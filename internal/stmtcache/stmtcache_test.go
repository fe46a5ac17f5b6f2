package stmtcache

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// open opens a fresh database with table t through Open.
func open(t testing.TB) *sql.DB { return openWith(t, Open) }

// openWith opens a fresh database with table t through opener, on one
// connection.
func openWith(t testing.TB, opener func(dsn string) (*sql.DB, error)) *sql.DB {
	t.Helper()
	db, err := opener(dsn(t))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // every call on the one connection and its statements
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// dsn is a fresh database; without fsync, so that a benchmark measures the
// statements.
func dsn(t testing.TB) string {
	return "file:" + filepath.Join(t.TempDir(), "t.db") + "?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)"
}

// kept returns the texts the connection keeps statements for.
func kept(t *testing.T, db *sql.DB) map[string]*entry {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := map[string]*entry{}
	if err := c.Raw(func(dc any) error {
		for q, e := range dc.(*conn).stmts {
			out[q] = e
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// readNames runs query (selecting one text column) on c and reads all its
// rows.
func readNames(t *testing.T, c *sql.Conn, query string, args ...any) []string {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatementIsPreparedOnce(t *testing.T) {
	db := open(t)
	const ins = `INSERT INTO t (name) VALUES (?)`
	for i := range 5 {
		if _, err := db.Exec(ins, fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
	}
	first := kept(t, db)[ins]
	if first == nil {
		t.Fatalf("the insert is not kept: %v", kept(t, db))
	}
	if _, err := db.Exec(ins, "again"); err != nil {
		t.Fatal(err)
	}
	if again := kept(t, db)[ins]; again != first {
		t.Fatal("the insert was prepared again")
	}
	if n := count(t, db); n != 6 {
		t.Fatalf("%d rows, want 6", n)
	}
	// Each run binds its own arguments.
	var name string
	if err := db.QueryRow(`SELECT name FROM t WHERE id = ?`, 3).Scan(&name); err != nil || name != "n2" {
		t.Fatalf("row 3: %q, %v", name, err)
	}
	if err := db.QueryRow(`SELECT name FROM t WHERE id = ?`, 6).Scan(&name); err != nil || name != "again" {
		t.Fatalf("row 6: %q, %v", name, err)
	}
}

func TestSameQueryWhileItsRowsAreOpen(t *testing.T) {
	db := open(t)
	for _, n := range []string{"a", "b", "c"} {
		if _, err := db.Exec(`INSERT INTO t (name) VALUES (?)`, n); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const q = `SELECT name FROM t WHERE id >= ? ORDER BY id`
	outer, err := c.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var name string
		if err := outer.Scan(&name); err != nil {
			t.Fatal(err)
		}
		// The same text on the same connection, while the outer rows
		// still step the kept statement.
		inner := readNames(t, c, q, 3)
		got = append(got, name+inner[len(inner)-1])
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "ac,bc,cc" {
		t.Fatalf("got %v, want [ac bc cc]", got)
	}
	// Closed, the kept statement serves the next call.
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE id >= ?`, 2).Scan(&n); err != nil || n != 2 {
		t.Fatalf("count: %d, %v", n, err)
	}
	if names := readNames(t, c, q, 2); strings.Join(names, ",") != "b,c" {
		t.Fatalf("after: %v", names)
	}
}

func TestSchemaChangeAndErrors(t *testing.T) {
	db := open(t)
	const all = `SELECT * FROM t ORDER BY id`
	if _, err := db.Exec(`INSERT INTO t (name) VALUES ('x')`); err != nil {
		t.Fatal(err)
	}
	cols := func() []string {
		rows, err := db.Query(all)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, _ := rows.Columns()
		return c
	}
	if c := cols(); len(c) != 2 {
		t.Fatalf("columns %v", c)
	}
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN extra TEXT`); err != nil {
		t.Fatal(err)
	}
	if c := cols(); len(c) != 3 || c[2] != "extra" {
		t.Fatalf("after ALTER TABLE the kept statement gives columns %v", c)
	}

	const bad = `SELEC name FROM t`
	if _, err := db.Exec(bad); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("a syntax error: %v", err)
	}
	if _, ok := kept(t, db)[bad]; ok {
		t.Fatal("a statement that failed to prepare is kept")
	}
	// A failed run leaves the statement usable.
	const ins = `INSERT INTO t (id, name) VALUES (?, ?)`
	if _, err := db.Exec(ins, 1, "dup"); err == nil {
		t.Fatal("a duplicate key was accepted")
	}
	if _, err := db.Exec(ins, 2, "ok"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
}

func TestScriptsTransactionsAndEviction(t *testing.T) {
	db := open(t)
	const script = `INSERT INTO t (name) VALUES ('s1'); INSERT INTO t (name) VALUES ('s2');`
	for range 2 {
		if _, err := db.Exec(script); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db); n != 4 {
		t.Fatalf("a script run twice left %d rows, want 4", n)
	}

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO t (name) VALUES (?)`, "rolled back"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 4 {
		t.Fatalf("after a rollback: %d rows, want 4", n)
	}

	// More texts than a connection keeps: the oldest give way, every call
	// still answers.
	for i := range maxStatements + 20 {
		var v int
		if err := db.QueryRow(fmt.Sprintf(`SELECT %d + count(*) FROM t`, i)).Scan(&v); err != nil || v != i+4 {
			t.Fatalf("query %d: %d, %v", i, v, err)
		}
	}
	if k := len(kept(t, db)); k > maxStatements {
		t.Fatalf("%d statements kept, at most %d", k, maxStatements)
	}
}

// The statement River runs most often in the delivery process, kept against
// prepared at every call (modernc.org/sqlite on its own).
func BenchmarkExec(b *testing.B) {
	const upd = `UPDATE t SET name = ? WHERE id = ? AND name <> 'never' AND id IN (SELECT id FROM t WHERE id = ? LIMIT 1)`
	run := func(b *testing.B, db *sql.DB) {
		if _, err := db.Exec(`INSERT INTO t (id, name) VALUES (1, 'a')`); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := db.Exec(upd, fmt.Sprint(i), 1, 1); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("kept", func(b *testing.B) { run(b, open(b)) })
	b.Run("prepared-each-time", func(b *testing.B) {
		run(b, openWith(b, func(dsn string) (*sql.DB, error) { return sql.Open("sqlite", dsn) }))
	})
}
