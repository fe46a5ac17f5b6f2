package databases

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// maxRows bounds the rows a query node returns.
const maxRows = 10000

// outboundNet is the network name MySQL connections dial with: the
// outbound dialer, which refuses denied addresses.
const outboundNet = "tracflow-outbound"

var (
	mysqlFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("host").Name("Host").Default("localhost").Description("The database server's host name or address.")).
			Field(plugin.NewIntField("port").Name("Port").Default(3306).Min(1).Max(65535).Description("The server's port.")).
			Field(plugin.NewStringField("user").Name("User").Required().Description("The login; give it only the rights the flows need.")).
			Field(plugin.NewStringField("password").Name("Password").Default("").Description("The login's password.")).
			Field(plugin.NewStringField("database").Name("Database").Required().Description("The database (schema) to use."))
	// MySQLType is a MySQL or MariaDB login.
	MySQLType = plugin.ResourceType{Type: "mysql", Name: "MySQL", Tags: []string{"mysql", "database"},
		Description: "A MySQL or MariaDB database and the login flows query it with.", Fields: mysqlFields, Check: checkMySQL}
)

func init() {
	mysql.RegisterDialContext(outboundNet, func(ctx context.Context, addr string) (net.Conn, error) {
		return outbound.Dialer(10*time.Second).DialContext(ctx, "tcp", addr)
	})
	plugin.RegisterResourceType(MySQLType)
}

// mysqlConfig is the driver's config for a credential set. Parameters are
// interpolated by the driver (escaped), so every statement is one round
// trip and every value comes back as text the plugin types by column.
func mysqlConfig(c *plugin.ParsedConfig, timeout time.Duration) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr = outboundNet, net.JoinHostPort(c.String("host"), strconv.Itoa(c.Int("port")))
	cfg.User, cfg.Passwd, cfg.DBName = c.String("user"), c.String("password"), c.String("database")
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = timeout, timeout, timeout
	cfg.InterpolateParams = true
	cfg.ParseTime = false
	return cfg
}

func checkMySQL(ctx context.Context, creds map[string]any) error {
	c, err := mysqlFields.Parse(creds)
	if err != nil {
		return err
	}
	conn, err := mysql.NewConnector(mysqlConfig(c, 10*time.Second))
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("MySQL %s:%d: %s", c.String("host"), c.Int("port"), outbound.Redact(err.Error(), c.String("password")))
	}
	return nil
}

var mysqlSpec = plugin.NewConfigSpec().
	Group("MySQL resource", "").
	Field(plugin.NewResourceField("source", "mysql").Name("MySQL resource").Description("The mysql resource: server, database and login.")).
	Group("MySQL query", "").
	Field(plugin.NewEnumField("type",
		plugin.Option{Value: "select", Label: "SELECT"}, plugin.Option{Value: "insert", Label: "INSERT"},
		plugin.Option{Value: "update", Label: "UPDATE"}, plugin.Option{Value: "delete", Label: "DELETE"},
		plugin.Option{Value: "create", Label: "CREATE"}, plugin.Option{Value: "call", Label: "CALL"}).
		Name("SQL type").Default("select").
		Description("What the statement does, which decides what the result port carries: rows for select and call, the new row's id for insert, the input payload otherwise.")).
	Field(plugin.NewStringField("query").Name("SQL statement").Default("SELECT 1").Required().Component("sql", map[string]any{"label": "SQL"}).
		Check(func(v any) error {
			if s, _ := v.(string); len(strings.TrimSpace(s)) < 2 {
				return fmt.Errorf("type an SQL statement")
			}
			return nil
		}).
		Description("The statement to run; %s (or ?) placeholders take the values of Data in order, escaped by the driver.")).
	Field(plugin.NewJSONField("data").Name("Data").Default([]any{}).Component("json", map[string]any{"label": "Values"}).
		Check(func(v any) error {
			if _, ok := v.([]any); !ok {
				return fmt.Errorf("must be a JSON list of values, e.g. [\"profile@id\", 1]")
			}
			return nil
		}).
		Description("The placeholders' values, in order: literal values or references such as profile@data.contact.email.main (a reference that finds nothing gives NULL).")).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(10).Min(0.001).Max(600).
		Description("Seconds the statement may take, connecting included."))

// MySQLQuery runs an SQL statement on a MySQL or MariaDB database.
type MySQLQuery struct {
	plugin.ActionRunner
	resource, typ, query string
	data                 *dotpath.Object
	timeout              time.Duration

	mu  sync.Mutex
	dbs map[string]*sql.DB // by credential set: production and test differ
}

// SetUp reads the config and compiles the data references.
func (a *MySQLQuery) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mysqlSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.typ, a.timeout = plugin.ResourceID(c.Object("source")), c.String("type"), c.Duration("timeout")
	a.query = pyformatToMySQL(c.String("query"))
	a.data, err = dotpath.CompileObject(c.Any("data"), true)
	if err != nil {
		return plugin.FieldErr("data", "%v", err)
	}
	return nil
}

// pyformatToMySQL turns Tracardi's %s placeholders into the driver's ?,
// and %% into %, outside quoted text.
func pyformatToMySQL(q string) string {
	if !strings.Contains(q, "%") {
		return q
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case quote != 0:
			if ch == '\\' && i+1 < len(q) {
				b.WriteByte(ch)
				i++
				ch = q[i]
			} else if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"' || ch == '`':
			quote = ch
		case ch == '%' && i+1 < len(q) && q[i+1] == 's':
			b.WriteByte('?')
			i++
			continue
		case ch == '%' && i+1 < len(q) && q[i+1] == '%':
			i++
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func (a *MySQLQuery) db(c *plugin.ParsedConfig) (*sql.DB, error) {
	key := fmt.Sprintf("%s|%d|%s|%s|%s", c.String("host"), c.Int("port"), c.String("user"), c.String("password"), c.String("database"))
	a.mu.Lock()
	defer a.mu.Unlock()
	if db := a.dbs[key]; db != nil {
		return db, nil
	}
	conn, err := mysql.NewConnector(mysqlConfig(c, a.timeout))
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(2)
	db.SetConnMaxIdleTime(time.Minute)
	if a.dbs == nil {
		a.dbs = map[string]*sql.DB{}
	}
	a.dbs[key] = db
	return db, nil
}

// Run runs the statement.
func (a *MySQLQuery) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, MySQLType)
	if err != nil {
		return a.fail(payload, err)
	}
	secret := creds.String("password")
	v, err := a.data.Apply(a.Scope(payload))
	if err != nil {
		return a.fail(payload, err)
	}
	args, _ := v.([]any)
	a.Console.Log("Executing query: %s with %d values", a.query, len(args))
	db, err := a.db(creds)
	if err != nil {
		return a.fail(payload, err, secret)
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	switch a.typ {
	case "select", "call":
		rows, err := db.QueryContext(ctx, a.query, args...)
		if err != nil {
			return a.fail(payload, err, secret)
		}
		defer rows.Close()
		result, err := readRows(rows)
		if err != nil {
			return a.fail(payload, err, secret)
		}
		return plugin.Port("result", plugin.Payload{"result": result}), nil
	}
	res, err := db.ExecContext(ctx, a.query, args...)
	if err != nil {
		return a.fail(payload, err, secret)
	}
	if a.typ == "insert" {
		id, err := res.LastInsertId()
		if err != nil {
			return a.fail(payload, err, secret)
		}
		return plugin.Port("result", plugin.Payload{"last_insert_id": float64(id)}), nil
	}
	return plugin.Port("result", payload), nil
}

// readRows reads at most maxRows rows into objects by column name, typed
// by the column's SQL type: numbers for integer, decimal and floating
// columns, text otherwise (dates as MySQL writes them), null for NULL.
func readRows(rows *sql.Rows) ([]any, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	result := []any{}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if len(result) == maxRows {
			return nil, fmt.Errorf("the query returned more than %d rows; add a limit", maxRows)
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, col := range cols {
			row[col.Name()] = columnValue(col.DatabaseTypeName(), vals[i])
		}
		result = append(result, row)
	}
	return result, rows.Err()
}

func columnValue(typ string, b sql.RawBytes) any {
	if b == nil {
		return nil
	}
	s := string(b)
	switch strings.TrimPrefix(typ, "UNSIGNED ") {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "YEAR", "DECIMAL", "FLOAT", "DOUBLE":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return s
}

func (a *MySQLQuery) fail(payload plugin.Payload, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	p["payload"], p["error"] = payload, p["message"]
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// Close closes the connections.
func (a *MySQLQuery) Close(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, db := range a.dbs {
		_ = db.Close()
		delete(a.dbs, k)
	}
	return nil
}

// RegisterMySQLQuery describes the MySQL connector.
func RegisterMySQLQuery() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &MySQLQuery{} },
		Spec: plugin.Spec{
			Module: "tracflow.databases.mysql.query", Aliases: []string{tracardi + "connectors.mysql.query.plugin"},
			ClassName: "MysqlConnectorAction", Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: mysqlSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "MySQL connector", Desc: "Runs an SQL statement on a MySQL or MariaDB database.",
			Type: "flowNode", Icon: "mysql", Group: []string{"Databases"},
			Tags: []string{"database", "mysql", "mariadb", "sql", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type mysql. The statement's %s placeholders (Tracardi's style; ? works " +
					"too) take the values of Data, escaped by the driver, so event data never becomes SQL. Select " +
					"and call answer {\"result\": [one object per row]} (numeric columns as numbers, dates as text, at " +
					"most 10000 rows); insert answers {\"last_insert_id\": n}; update, delete and create pass the " +
					"payload on. Connections (two at most per credential set) open on first use and stay while the " +
					"flow is deployed. Differences from Tracardi: update is accepted (Tracardi's form offered it " +
					"but its check refused it), and call runs the procedure and answers its rows instead of doing nothing.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; Data may read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"result\": rows} for select and call, {\"last_insert_id\": n} for insert, the input payload otherwise."},
					"error":  {Desc: "{\"message\", \"payload\": the input payload, \"error\": the message}: a refused login, a bad statement, a timeout."},
				},
			},
		},
	}
}
