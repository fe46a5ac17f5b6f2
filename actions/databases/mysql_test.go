package databases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestPyformatToMySQL(t *testing.T) {
	for in, want := range map[string]string{
		"select 1":                      "select 1",
		"insert into t values (%s, %s)": "insert into t values (?, ?)",
		"select * from t where a like '100%s' and b = %s": "select * from t where a like '100%s' and b = ?",
		"select 'it\\'s %s', %s":                          "select 'it\\'s %s', ?",
		"select 5 %% 2, %s":                               "select 5 % 2, ?",
	} {
		if got := pyformatToMySQL(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// TestMySQLQuery runs statements on the test MariaDB server
// (TRACFLOW_TEST_MYSQL, a go-sql-driver DSN), in a table of its own.
func TestMySQLQuery(t *testing.T) {
	dsn := serverURL(t, "TRACFLOW_TEST_MYSQL", "MySQL connector")
	allowLoopback(t)
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	table := fmt.Sprintf("customers_%d", time.Now().UnixNano())
	for _, q := range []string{
		"create table " + table + " (id int auto_increment primary key, name varchar(50), spent decimal(10,2), since datetime, vip tinyint, note text)",
		"insert into " + table + " (name, spent, since, vip, note) values ('Ann', 120.50, '2024-03-01 10:00:00', 1, null)",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer admin.Exec("drop table " + table)
	host, port, _ := net.SplitHostPort(cfg.Addr)
	good := map[string]any{"host": host, "port": port, "user": cfg.User, "password": cfg.Passwd, "database": cfg.DBName}
	bad := map[string]any{"host": host, "port": port, "user": cfg.User, "password": "wrong-mysql-pass", "database": cfg.DBName}
	resources := creds{"db": good, "bad": bad}
	p := RegisterMySQLQuery()
	run := func(config plugin.Config, payload plugin.Payload) *plugintest.Outcome {
		return plugintest.Run(t, p, plugintest.Case{Config: config, Resources: resources, Payload: payload,
			Profile: plugin.Profile{"id": "p1", "data": map[string]any{"pii": map[string]any{"firstname": "Bob"}}}})
	}

	// Insert with Tracardi's %s placeholders and a value from the profile.
	out := run(plugin.Config{"source": res("db"), "type": "insert",
		"query": "insert into " + table + " (name, spent, vip) values (%s, %s, %s)", "data": []any{"profile@data.pii.firstname", 9.5, "payload@vip"}},
		plugin.Payload{"vip": 0.0})
	if v := out.MustPort(t, "result"); v["last_insert_id"] != 2.0 {
		t.Fatalf("insert: %v", v)
	}
	// A value that looks like SQL stays a value.
	out = run(plugin.Config{"source": res("db"), "type": "select", "query": "select name from " + table + " where name = %s",
		"data": []any{"payload@name"}}, plugin.Payload{"name": "x' or '1'='1"})
	if v := out.MustPort(t, "result"); len(v["result"].([]any)) != 0 {
		t.Fatalf("injection: %v", v)
	}
	out = run(plugin.Config{"source": res("db"), "query": "select * from " + table + " order by id"}, nil)
	rows := out.MustPort(t, "result")["result"].([]any)
	if len(rows) != 2 {
		t.Fatalf("rows %v", rows)
	}
	r := rows[0].(map[string]any)
	if r["id"] != 1.0 || r["name"] != "Ann" || r["spent"] != 120.5 || r["vip"] != 1.0 || r["note"] != nil || r["since"] != "2024-03-01 10:00:00" {
		t.Fatalf("row %v", r)
	}
	if r := rows[1].(map[string]any); r["name"] != "Bob" || r["spent"] != 9.5 || r["vip"] != 0.0 {
		t.Fatalf("inserted row %v", r)
	}
	if !strings.Contains(out.LogText(), "Executing query") {
		t.Errorf("console: %s", out.LogText())
	}
	// Update passes the payload on.
	out = run(plugin.Config{"source": res("db"), "type": "update", "query": "update " + table + " set vip = 1 where name = ?", "data": []any{"Bob"}},
		plugin.Payload{"a": 1.0})
	if v := out.MustPort(t, "result"); v["a"] != 1.0 {
		t.Fatalf("update: %v", v)
	}
	var vip int
	if err := admin.QueryRow("select vip from " + table + " where name = 'Bob'").Scan(&vip); err != nil || vip != 1 {
		t.Fatalf("update did not happen: %d %v", vip, err)
	}

	// Errors: a bad statement, a wrong password, a timeout.
	out = run(plugin.Config{"source": res("db"), "query": "select * from nowhere"}, plugin.Payload{"a": 1.0})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "nowhere") || v["payload"].(plugin.Payload)["a"] != 1.0 {
		t.Fatalf("error %v", v)
	}
	out = run(plugin.Config{"source": res("bad"), "query": "select 1"}, nil)
	if v := out.MustPort(t, "error"); strings.Contains(fmt.Sprint(v), "wrong-mysql-pass") || strings.Contains(out.LogText(), "wrong-mysql-pass") ||
		!strings.Contains(v["message"].(string), "Access denied") {
		t.Fatalf("wrong password: %v", v)
	}
	start := time.Now()
	out = run(plugin.Config{"source": res("db"), "query": "select sleep(5)", "timeout": 0.5}, nil)
	if out.MustPort(t, "error"); time.Since(start) > 4*time.Second {
		t.Fatalf("the timeout did not stop the query: %s", time.Since(start))
	}

	// Connections are kept per credential set.
	a, err := plugintest.SetUp(ctx, p, plugin.Config{"source": res("db"), "query": "select 1 as one"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.(*MySQLQuery).Close(ctx)
	for i := 0; i < 2; i++ {
		if v := plugintest.RunAction(ctx, p, a, plugintest.Case{Resources: resources}).MustPort(t, "result"); v["result"].([]any)[0].(map[string]any)["one"] != 1.0 {
			t.Fatalf("select 1: %v", v)
		}
	}
	if n := len(a.(*MySQLQuery).dbs); n != 1 {
		t.Errorf("%d pools for one credential set", n)
	}

	if err := MySQLType.Check(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := MySQLType.Check(ctx, bad); err == nil || strings.Contains(err.Error(), "wrong-mysql-pass") {
		t.Fatalf("check with a wrong password: %v", err)
	}
	outbound.SetAllowLoopback(false)
	if err := MySQLType.Check(ctx, good); !errors.Is(err, outbound.ErrDenied) && !strings.Contains(fmt.Sprint(err), "not allowed") {
		t.Fatalf("a loopback database without the setting: %v", err)
	}
}

func TestMySQLConfigErrors(t *testing.T) {
	p := RegisterMySQLQuery()
	plugintest.SetUpFails(t, p, plugin.Config{"query": "x"}, "query")
	plugintest.SetUpFails(t, p, plugin.Config{"query": "select 1", "type": "drop"}, "type")
	plugintest.SetUpFails(t, p, plugin.Config{"query": "select 1", "data": `{"a": 1}`}, "data")
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"query": "select 1", "source": res("none")}, Resources: creds{}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no such resource") {
		t.Fatalf("missing resource: %v", v)
	}
}
