package databases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestMongoQuery runs finds against the wire-protocol stand-in
// (mongo_standin_test.go) with MongoDB's official driver.
func TestMongoQuery(t *testing.T) {
	allowLoopback(t)
	srv := startMongo(t)
	oid, _ := bson.ObjectIDFromHex("65e1a0c55d8e4a8e9d553b8f")
	since := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	srv.data["shop.customers"] = []bson.D{
		{{Key: "_id", Value: oid}, {Key: "name", Value: "Ann"}, {Key: "status", Value: "active"}, {Key: "spent", Value: 120.5},
			{Key: "orders", Value: int32(3)}, {Key: "since", Value: bson.NewDateTimeFromTime(since)}},
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "name", Value: "Bob"}, {Key: "status", Value: "gone"}},
	}
	resources := creds{
		"mongo": {"uri": "mongodb://" + srv.addr + "/", "timeout": 3000},
		"login": {"uri": "mongodb://shop:wrong-mongo-pass@" + srv.addr + "/?authSource=admin", "timeout": 3000},
	}
	p := RegisterMongoQuery()
	ctx := context.Background()
	a, err := plugintest.SetUp(ctx, p, plugin.Config{"source": res("mongo"), "database": map[string]any{"id": "shop", "name": "shop"},
		"collection": "customers", "query": `{"status": "active"}`})
	if err != nil {
		t.Fatal(err)
	}
	defer a.(*MongoQuery).Close(ctx)
	for i := 0; i < 2; i++ { // the second run reuses the client
		out := plugintest.RunAction(ctx, p, a, plugintest.Case{Resources: resources, Payload: plugin.Payload{"a": 1.0}})
		docs := out.MustPort(t, "payload")["result"].([]any)
		if len(docs) != 1 {
			t.Fatalf("documents %v", docs)
		}
		d := docs[0].(map[string]any)
		if fmt.Sprint(d["_id"]) != "map[$oid:65e1a0c55d8e4a8e9d553b8f]" || d["name"] != "Ann" || d["spent"] != 120.5 || d["orders"] != 3.0 ||
			fmt.Sprint(d["since"]) != "map[$date:2024-03-01T10:00:00Z]" {
			t.Fatalf("document %v", d)
		}
	}
	if n := len(a.(*MongoQuery).clients); n != 1 {
		t.Errorf("%d clients for one connection string", n)
	}
	finds := srv.commands("find")
	if len(finds) != 2 {
		t.Fatalf("finds %v", finds)
	}
	if m := dmap(finds[0]); m["$db"] != "shop" || m["find"] != "customers" || len(m["filter"].(bson.D)) != 1 || dmap(m["filter"].(bson.D))["status"] != "active" || m["limit"] != int64(10001) {
		t.Fatalf("the server got %v", finds[0])
	}

	// Extended JSON in the query; an empty query finds everything.
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("mongo"), "database": "shop", "collection": "customers",
		"query": `{"_id": {"$oid": "65e1a0c55d8e4a8e9d553b8f"}}`}, Resources: resources})
	if docs := out.MustPort(t, "payload")["result"].([]any); len(docs) != 1 {
		t.Fatalf("by ObjectId: %v", docs)
	}
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("mongo"), "database": "shop", "collection": "customers", "query": ""}, Resources: resources})
	if docs := out.MustPort(t, "payload")["result"].([]any); len(docs) != 2 {
		t.Fatalf("everything: %v", docs)
	}

	// Errors: a refused login (without its password), a server error, a
	// slow server, Tracardi's test config (no server there).
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("login"), "database": "shop", "collection": "customers"}, Resources: resources, Payload: plugin.Payload{"a": 1.0}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "Authentication failed") || strings.Contains(fmt.Sprint(v), "wrong-mongo-pass") ||
		strings.Contains(out.LogText(), "wrong-mongo-pass") || v["payload"].(plugin.Payload)["a"] != 1.0 {
		t.Fatalf("refused login: %v", v)
	}
	srv.mu.Lock()
	srv.slow = time.Second
	srv.mu.Unlock()
	start := time.Now()
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("fast"), "database": "shop", "collection": "customers"},
		Resources: creds{"fast": {"uri": "mongodb://" + srv.addr + "/", "timeout": 300}}})
	if out.MustPort(t, "error"); time.Since(start) > 900*time.Millisecond {
		t.Fatalf("the timeout did not stop the query: %s", time.Since(start))
	}
	srv.mu.Lock()
	srv.slow = 0
	srv.mu.Unlock()
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"collection": map[string]any{"id": "1", "name": "1"}, "database": map[string]any{"id": "1", "name": "1"}, "query": "{}",
		"source": map[string]any{"id": "1", "name": "1"}}, Resources: creds{"1": {"uri": "mongodb://127.0.0.1:1/", "timeout": 200}}})
	out.MustPort(t, "error")

	if err := MongoDBType.Check(ctx, resources["mongo"]); err != nil {
		t.Fatal(err)
	}
	if err := MongoDBType.Check(ctx, resources["login"]); err == nil || strings.Contains(err.Error(), "wrong-mongo-pass") {
		t.Fatalf("check with a wrong password: %v", err)
	}
	outbound.SetAllowLoopback(false)
	if err := MongoDBType.Check(ctx, resources["mongo"]); !errors.Is(err, outbound.ErrDenied) && !strings.Contains(fmt.Sprint(err), "not allowed") {
		t.Fatalf("a loopback server without the setting: %v", err)
	}
}

func TestMongoConfig(t *testing.T) {
	p := RegisterMongoQuery()
	plugintest.SetUpFails(t, p, plugin.Config{"database": "a", "collection": "b", "query": "{status"}, "query")
	plugintest.SetUpFails(t, p, plugin.Config{"database": "a", "collection": "b", "query": "[1]"}, "query")
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"database": "", "collection": "b"}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no database") {
		t.Fatalf("no database: %v", v)
	}
}
