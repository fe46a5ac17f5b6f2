package databases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	mongoFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("uri").Name("URI").Required().
				Description("The connection string with its login, mongodb://user:password@host:27017/?authSource=admin (or mongodb+srv://...).")).
			Field(plugin.NewIntField("timeout").Name("Timeout").Default(5000).Min(1).Max(600000).
				Description("Milliseconds to wait for a server and for each query."))
	// MongoDBType is a MongoDB server and its login.
	MongoDBType = plugin.ResourceType{Type: "mongodb", Name: "MongoDB", Tags: []string{"mongo", "database", "nosql"},
		Description: "A MongoDB server (or cluster) and the login flows query it with.", Fields: mongoFields, Check: checkMongo}
)

func init() { plugin.RegisterResourceType(MongoDBType) }

// mongoSecrets lists the password of a connection string, for redaction.
func mongoSecrets(uri string) []string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return nil
	}
	p, ok := u.User.Password()
	if !ok || p == "" {
		return nil
	}
	return []string{p, url.QueryEscape(p), url.PathEscape(p)}
}

func mongoConnect(c *plugin.ParsedConfig) (*mongo.Client, error) {
	timeout := time.Duration(c.Int("timeout")) * time.Millisecond
	opts := options.Client().ApplyURI(strings.TrimSpace(c.String("uri"))).
		SetDialer(outbound.Dialer(timeout)).
		SetServerSelectionTimeout(timeout).SetConnectTimeout(timeout).
		SetMaxPoolSize(2).SetAppName("tracflow")
	if err := opts.Validate(); err != nil {
		return nil, plugin.FieldErr("uri", "%v", err)
	}
	return mongo.Connect(opts)
}

func checkMongo(ctx context.Context, creds map[string]any) error {
	c, err := mongoFields.Parse(creds)
	if err != nil {
		return err
	}
	secrets := mongoSecrets(c.String("uri"))
	cl, err := mongoConnect(c)
	if err != nil {
		return errors.New(outbound.Redact(err.Error(), secrets...))
	}
	defer func() { _ = cl.Disconnect(context.Background()) }()
	if err := cl.Ping(ctx, nil); err != nil {
		return errors.New(outbound.Redact(err.Error(), secrets...))
	}
	return nil
}

var mongoSpec = plugin.NewConfigSpec().
	Group("MongoDB connection settings", "").
	Field(plugin.NewResourceField("source", "mongo").Name("MongoDB resource").Description("The mongodb resource: server and login.")).
	Group("Query settings", "").
	Field(plugin.NewAnyField("database").Name("Database").Default("").Component("text", map[string]any{"label": "Database"}).
		Description("The database's name (Tracardi's {\"id\", \"name\"} object also works).")).
	Field(plugin.NewAnyField("collection").Name("Collection").Default("").Component("text", map[string]any{"label": "Collection"}).
		Description("The collection's name (Tracardi's {\"id\", \"name\"} object also works).")).
	Field(plugin.NewStringField("query").Name("Query").Default("{}").Component("json", map[string]any{"label": "Query"}).
		Description("The filter documents must match, as JSON (MongoDB extended JSON works: {\"_id\": {\"$oid\": \"...\"}}), e.g. {\"status\": \"active\", \"age\": {\"$gt\": 18}}."))

// MongoQuery finds documents in a MongoDB collection.
type MongoQuery struct {
	plugin.ActionRunner
	resource, database, collection string
	filter                         bson.D

	mu      sync.Mutex
	clients map[string]*mongo.Client // by connection string
}

// SetUp reads the config and parses the query.
func (a *MongoQuery) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mongoSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.database, a.collection = plugin.ResourceID(c.Any("database")), plugin.ResourceID(c.Any("collection"))
	q := strings.TrimSpace(c.String("query"))
	if q == "" {
		q = "{}"
	}
	if err := bson.UnmarshalExtJSON([]byte(q), false, &a.filter); err != nil {
		return plugin.FieldErr("query", "cannot parse this as a JSON object: %v", err)
	}
	return nil
}

func (a *MongoQuery) client(c *plugin.ParsedConfig) (*mongo.Client, error) {
	key := fmt.Sprintf("%s|%d", c.String("uri"), c.Int("timeout"))
	a.mu.Lock()
	defer a.mu.Unlock()
	if cl := a.clients[key]; cl != nil {
		return cl, nil
	}
	cl, err := mongoConnect(c)
	if err != nil {
		return nil, err
	}
	if a.clients == nil {
		a.clients = map[string]*mongo.Client{}
	}
	a.clients[key] = cl
	return cl, nil
}

// Run runs the query.
func (a *MongoQuery) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.database == "" || a.collection == "" {
		return a.fail(payload, errors.New("no database or collection: type both in the node's configuration"))
	}
	creds, err := a.Credentials(ctx, a.resource, MongoDBType)
	if err != nil {
		return a.fail(payload, err)
	}
	secrets := mongoSecrets(creds.String("uri"))
	cl, err := a.client(creds)
	if err != nil {
		return a.fail(payload, err, secrets...)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(creds.Int("timeout"))*time.Millisecond)
	defer cancel()
	cur, err := cl.Database(a.database).Collection(a.collection).Find(ctx, a.filter, options.Find().SetLimit(maxRows+1))
	if err != nil {
		return a.fail(payload, err, secrets...)
	}
	defer cur.Close(context.Background())
	result := []any{}
	for cur.Next(ctx) {
		if len(result) == maxRows {
			return a.fail(payload, fmt.Errorf("the query found more than %d documents; narrow it", maxRows))
		}
		doc, err := documentJSON(cur.Current)
		if err != nil {
			return a.fail(payload, err)
		}
		result = append(result, doc)
	}
	if err := cur.Err(); err != nil {
		return a.fail(payload, err, secrets...)
	}
	return plugin.Port("payload", plugin.Payload{"result": result}), nil
}

// documentJSON turns a document into JSON's types through relaxed
// extended JSON: ObjectIds become {"$oid": ...}, dates {"$date": ...}.
func documentJSON(raw bson.Raw) (any, error) {
	b, err := bson.MarshalExtJSON(raw, false, false)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (a *MongoQuery) fail(payload plugin.Payload, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	p["payload"], p["error"] = payload, p["message"]
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// Close disconnects.
func (a *MongoQuery) Close(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, cl := range a.clients {
		_ = cl.Disconnect(ctx)
		delete(a.clients, k)
	}
	return nil
}

// RegisterMongoQuery describes the Mongo connector.
func RegisterMongoQuery() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &MongoQuery{} },
		Spec: plugin.Spec{
			Module: "tracflow.databases.mongo.query", Aliases: []string{tracardi + "connectors.mongo.query.plugin"},
			ClassName: "MongoConnectorAction", Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: mongoSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Mongo connector", Desc: "Finds the documents of a MongoDB collection that match a query.",
			Type: "flowNode", Icon: "mongo", Group: []string{"Databases"},
			Tags: []string{"database", "nosql", "mongodb", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type mongodb. Runs find(query) on the collection with MongoDB's official " +
					"Go driver and answers {\"result\": [documents]}, in relaxed extended JSON (ObjectIds as " +
					"{\"$oid\": ...}, dates as {\"$date\": ...}), at most 10000 documents. The query is checked when the " +
					"flow loads. The connection (two at most per connection string) opens on first use and stays while " +
					"the flow is deployed; the resource's timeout bounds finding a server and each query. Differences " +
					"from Tracardi: an error port (Tracardi stopped the flow), and database and collection are typed " +
					"names instead of lists fetched from the server.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; it is returned in errors."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"result\": [one object per document]}."},
					"error":   {Desc: "{\"message\", \"payload\": the input payload, \"error\": the message}: no server, a refused login, a bad query, a timeout."},
				},
			},
		},
	}
}
