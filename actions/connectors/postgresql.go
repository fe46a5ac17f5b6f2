package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// maxQueryRows bounds the rows a query node returns.
const maxQueryRows = 10000

var (
	postgresFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("host").Name("Host").Default("localhost").Description("The database server's host name or address.")).
			Field(plugin.NewIntField("port").Name("Port").Default(5432).Min(1).Max(65535).Description("The server's port.")).
			Field(plugin.NewStringField("database").Name("Database").Required().Description("The database to connect to.")).
			Field(plugin.NewStringField("user").Name("User").Required().Description("The login; give it only the rights the flows need.")).
			Field(plugin.NewStringField("password").Name("Password").Default("").Description("The login's password.")).
			Field(plugin.NewEnumField("sslmode",
			plugin.Option{Value: "prefer", Label: "Prefer TLS"}, plugin.Option{Value: "require", Label: "Require TLS"},
			plugin.Option{Value: "verify-full", Label: "Require TLS and verify the certificate"}, plugin.Option{Value: "disable", Label: "No TLS"}).
			Name("TLS").Default("prefer").Description("How the connection is encrypted."))
	// PostgreSQLType is a PostgreSQL database login.
	PostgreSQLType = plugin.ResourceType{Type: "postgresql", Name: "PostgreSQL", Tags: []string{"database", "postgresql"},
		Description: "A PostgreSQL database and the login flows query it with.", Fields: postgresFields, Check: checkPostgres}
)

func init() { plugin.RegisterResourceType(PostgreSQLType) }

// postgresConfig builds the pool's config from a credential set; the
// connections dial through the outbound deny-list.
func postgresConfig(c *plugin.ParsedConfig) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cc := pc.ConnConfig
	cc.Host, cc.Port = c.String("host"), uint16(c.Int("port"))
	cc.Database, cc.User, cc.Password = c.String("database"), c.String("user"), c.String("password")
	tlsCfg, err := pgx.ParseConfig("sslmode=" + c.String("sslmode") + " host=" + strconv.Quote(cc.Host))
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL resource: %w", err)
	}
	cc.TLSConfig, cc.Fallbacks = tlsCfg.TLSConfig, nil
	for _, fb := range tlsCfg.Fallbacks {
		f := *fb
		f.Host, f.Port = cc.Host, cc.Port
		cc.Fallbacks = append(cc.Fallbacks, &f)
	}
	cc.ConnectTimeout = 10 * time.Second
	cc.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return outbound.Dialer(10*time.Second).DialContext(ctx, network, addr)
	}
	pc.MaxConns, pc.MinConns = 2, 0
	pc.MaxConnIdleTime = time.Minute
	return pc, nil
}

func checkPostgres(ctx context.Context, creds map[string]any) error {
	c, err := postgresFields.Parse(creds)
	if err != nil {
		return err
	}
	pc, err := postgresConfig(c)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, pc.ConnConfig)
	if err != nil {
		return fmt.Errorf("PostgreSQL %s:%d: %w", c.String("host"), c.Int("port"), err)
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

// PostgreSQLQuery runs a query and returns its rows.
type PostgreSQLQuery struct {
	plugin.ActionRunner
	resource string
	query    string
	timeout  time.Duration

	mu    sync.Mutex
	pools map[string]*pgxpool.Pool // by connection string: production and test sets differ
}

var postgresSpec = plugin.NewConfigSpec().
	Group("PostgreSQL resource", "").
	Field(plugin.NewResourceField("source", "postgresql").Name("PostgreSQL resource").Description("The postgresql resource: server, database and login.")).
	Group("Query settings", "").
	Field(plugin.NewStringField("query").Name("Query").Required().Component("sql", map[string]any{"label": "SQL query"}).
		Description("The SQL query to run, e.g. select * from customers limit 10.")).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(20).Min(0.001).Max(600).
		Description("Seconds the query may take, connecting included."))

// SetUp reads the config; connections are opened on first use.
func (a *PostgreSQLQuery) SetUp(_ context.Context, config plugin.Config) error {
	c, err := postgresSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.query, a.timeout = plugin.ResourceID(c.Object("source")), c.String("query"), c.Duration("timeout")
	return nil
}

func (a *PostgreSQLQuery) pool(c *plugin.ParsedConfig) (*pgxpool.Pool, error) {
	pc, err := postgresConfig(c)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s|%d|%s|%s|%s|%s", c.String("host"), c.Int("port"), c.String("database"), c.String("user"),
		c.String("password"), c.String("sslmode"))
	a.mu.Lock()
	defer a.mu.Unlock()
	if p := a.pools[key]; p != nil {
		return p, nil
	}
	p, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, err
	}
	if a.pools == nil {
		a.pools = map[string]*pgxpool.Pool{}
	}
	a.pools[key] = p
	return p, nil
}

// jsonValue turns a column value into JSON's types.
func jsonValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string, float64, float32, int, int16, int32, int64:
		return x
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case pgtype.Numeric:
		if f, err := x.Float64Value(); err == nil && f.Valid {
			return f.Float64
		}
		return nil
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case []byte:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// Run runs the query.
func (a *PostgreSQLQuery) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, PostgreSQLType)
	if err != nil {
		return a.fail(payload, err)
	}
	pool, err := a.pool(creds)
	if err != nil {
		return a.fail(payload, err, creds.String("password"))
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	rows, err := pool.Query(ctx, a.query)
	if err != nil {
		return a.fail(payload, err, creds.String("password"))
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	result := []any{}
	for rows.Next() {
		if len(result) == maxQueryRows {
			return a.fail(payload, fmt.Errorf("the query returned more than %d rows; add a limit", maxQueryRows))
		}
		vals, err := rows.Values()
		if err != nil {
			return a.fail(payload, err)
		}
		row := make(map[string]any, len(vals))
		for i, v := range vals {
			row[fields[i].Name] = jsonValue(v)
		}
		result = append(result, row)
	}
	if err := rows.Err(); err != nil {
		return a.fail(payload, err, creds.String("password"))
	}
	return plugin.Port("result", plugin.Payload{"result": result}), nil
}

func (a *PostgreSQLQuery) fail(payload plugin.Payload, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	p["payload"], p["error"] = payload, p["message"]
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// Close closes the connections.
func (a *PostgreSQLQuery) Close(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, p := range a.pools {
		p.Close()
		delete(a.pools, k)
	}
	return nil
}

// RegisterPostgreSQLQuery describes the PostgreSQL query plugin.
func RegisterPostgreSQLQuery() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &PostgreSQLQuery{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.postgresql.query", Aliases: []string{tracardi + "connectors.postgresql.query.plugin"},
			ClassName: "PostgreSQLConnectorAction", Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: postgresSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "PostgreSQL connector", Desc: "Runs an SQL query on a PostgreSQL database and returns the rows.",
			Type: "flowNode", Icon: "postgres", Group: []string{"Databases"},
			Tags: []string{"database", "postgresql", "sql", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type postgresql. Connections (two at most per credential set) are opened on " +
					"first use and kept while the flow is deployed. Dates come back as RFC 3339 text, numerics as numbers, " +
					"uuids as text; at most 10000 rows. Differences from Tracardi: the connection is made at the first " +
					"run, not at set-up, so debug runs use the resource's test set.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; it is returned in errors."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"result\": [one object per row, by column name]}."},
					"error":  {Desc: "{\"message\", \"status\", \"body\", \"payload\": the input payload, \"error\": the message}."},
				},
			},
		},
	}
}
