package connectors

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

// TestPostgreSQLQuery runs queries on the test PostgreSQL server
// (TRACFLOW_TEST_PG), in a schema of its own.
func TestPostgreSQLQuery(t *testing.T) {
	dsn := os.Getenv("TRACFLOW_TEST_PG")
	if dsn == "" {
		t.Skip("TRACFLOW_TEST_PG is not set")
	}
	standin.AllowLoopback(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("connectors_%d", time.Now().UnixNano())
	for _, q := range []string{
		"create schema " + schema,
		"create table " + schema + ".customers (id uuid, name text, spent numeric(10,2), since timestamptz, vip boolean)",
		"insert into " + schema + ".customers values ('6f1a0c55-8d3e-4a8e-9d55-3b8f6e1c2a10', 'Ann', 120.50, '2024-03-01T10:00:00Z', true)",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	defer conn.Exec(ctx, "drop schema "+schema+" cascade")
	cc := conn.Config()
	good := map[string]any{"host": cc.Host, "port": int(cc.Port), "database": cc.Database, "user": cc.User, "password": cc.Password, "sslmode": "disable"}
	bad := map[string]any{"host": cc.Host, "port": int(cc.Port), "database": cc.Database, "user": cc.User, "password": "wrong-pg-pass", "sslmode": "disable"}
	resources := standin.Creds{"pg": good, "bad": bad}

	p := RegisterPostgreSQLQuery()
	a, err := plugintest.SetUp(ctx, p, plugin.Config{"source": standin.Resource("pg"), "query": "select * from " + schema + ".customers", "timeout": 5})
	if err != nil {
		t.Fatal(err)
	}
	defer a.(*PostgreSQLQuery).Close(ctx)
	for i := 0; i < 2; i++ { // the second run reuses the pool
		v := plugintest.RunAction(ctx, p, a, plugintest.Case{Resources: resources}).MustPort(t, "result")
		rows := v["result"].([]any)
		if len(rows) != 1 {
			t.Fatalf("rows %v", rows)
		}
		r := rows[0].(map[string]any)
		if r["id"] != "6f1a0c55-8d3e-4a8e-9d55-3b8f6e1c2a10" || r["name"] != "Ann" || r["spent"] != 120.5 || r["vip"] != true ||
			!strings.HasPrefix(r["since"].(string), "2024-03-01T") {
			t.Fatalf("row %v", r)
		}
	}
	if n := len(a.(*PostgreSQLQuery).pools); n != 1 {
		t.Errorf("%d pools for one credential set", n)
	}

	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": standin.Resource("pg"), "query": "select * from nowhere"}, Resources: resources, Payload: plugin.Payload{"a": 1.0}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "nowhere") || v["payload"].(plugin.Payload)["a"] != 1.0 {
		t.Fatalf("error %v", v)
	}
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": standin.Resource("bad"), "query": "select 1"}, Resources: resources})
	if v := out.MustPort(t, "error"); strings.Contains(v["message"].(string), "wrong-pg-pass") || strings.Contains(out.LogText(), "wrong-pg-pass") {
		t.Fatalf("the password leaked: %v", v)
	}
	start := time.Now()
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": standin.Resource("pg"), "query": "select pg_sleep(5)", "timeout": 0.3}, Resources: resources})
	if out.MustPort(t, "error"); time.Since(start) > 3*time.Second {
		t.Fatalf("the timeout did not stop the query: %s", time.Since(start))
	}
	if err := PostgreSQLType.Check(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := PostgreSQLType.Check(ctx, bad); err == nil {
		t.Fatal("check passed with a wrong password")
	}
	// Connections dial through the deny-list too.
	outbound.SetAllowLoopback(false)
	if err := PostgreSQLType.Check(ctx, good); !errors.Is(err, outbound.ErrDenied) {
		t.Fatalf("a loopback database without the setting: %v", err)
	}
}
