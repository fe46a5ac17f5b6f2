package operations_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func openStore(t *testing.T, dsn string) store.Store {
	t.Helper()
	st, err := open.Open(context.Background(), dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestMemoryInDatabase writes and reads through a real SQLite store.
func TestMemoryInDatabase(t *testing.T) {
	st := openStore(t, "")
	data := rundata.New(st)
	w, r := operations.RegisterWriteToMemory(), operations.RegisterReadFromMemory()
	profile := plugin.Profile{"id": "p-1"}

	out := plugintest.Run(t, w, plugintest.Case{Data: data, Profile: profile, Payload: plugin.Payload{"cart": map[string]any{"total": 120.5, "items": []any{"a"}}},
		Config: plugin.Config{"key": "profile@id", "prefix": "cart", "value": "payload@cart", "ttl": 15}})
	if v := out.MustPort(t, "success"); v["cart"] == nil {
		t.Fatalf("success port %v", v)
	}
	// Read back under the same key and prefix.
	out = plugintest.Run(t, r, plugintest.Case{Data: data, Profile: profile, Config: plugin.Config{"key": "profile@id", "prefix": "cart"}})
	if v := out.MustPort(t, "success"); fmt.Sprint(v["value"]) != "map[items:[a] total:120.5]" {
		t.Fatalf("read %v", v)
	}
	// The ttl is the entry's expiry: gone 15 s later.
	m := st.(store.Memory)
	if _, err := m.GetMemory(context.Background(), "cart:p-1", time.Now().Add(13*time.Second)); err != nil {
		t.Fatalf("before the ttl: %v", err)
	}
	if _, err := m.GetMemory(context.Background(), "cart:p-1", time.Now().Add(16*time.Second)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after the ttl: %v", err)
	}
	// Another prefix, or another key, finds nothing.
	out = plugintest.Run(t, r, plugintest.Case{Data: data, Profile: profile, Payload: plugin.Payload{"a": 1.0}, Config: plugin.Config{"key": "profile@id"}})
	if v := out.MustPort(t, "not-exists"); v["a"] != 1.0 {
		t.Fatalf("not-exists port %v", v)
	}
	// Tracardi's test config: literal key and value, no resource.
	out = plugintest.Run(t, w, plugintest.Case{Data: data, Config: plugin.Config{"key": "test-key", "ttl": 15, "value": "test-value"}})
	out.MustPort(t, "success")
	out = plugintest.Run(t, r, plugintest.Case{Data: data, Config: plugin.Config{"key": "test-key"}})
	if v := out.MustPort(t, "success"); v["value"] != "test-value" {
		t.Fatalf("read %v", v)
	}
	// Errors: a key that finds nothing, a value that finds nothing, no storage.
	out = plugintest.Run(t, w, plugintest.Case{Data: data, Config: plugin.Config{"key": "payload@id", "value": "x"}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "payload@id") {
		t.Fatalf("missing key %v", v)
	}
	out = plugintest.Run(t, w, plugintest.Case{Data: data, Config: plugin.Config{"key": "k", "value": "payload@nothing"}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "payload@nothing") {
		t.Fatalf("missing value %v", v)
	}
	out = plugintest.Run(t, r, plugintest.Case{Config: plugin.Config{"key": "k"}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no shared memory") {
		t.Fatalf("no storage %v", v)
	}
	plugintest.SetUpFails(t, w, plugin.Config{"key": "", "value": "v"}, "key")
	plugintest.SetUpFails(t, w, plugin.Config{"key": "k", "value": "v", "ttl": -1}, "ttl")
	plugintest.SetUpFails(t, r, plugin.Config{"key": nil}, "key")
}

// TestMemorySharedAcrossInstances: two stores over one PostgreSQL schema,
// as two tracflow serve processes: what one writes, the other reads.
func TestMemorySharedAcrossInstances(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	one, two := rundata.New(openStore(t, dsn)), rundata.New(openStore(t, dsn))
	w, r := operations.RegisterWriteToMemory(), operations.RegisterReadFromMemory()
	out := plugintest.Run(t, w, plugintest.Case{Data: one, Payload: plugin.Payload{"n": 7.0}, Config: plugin.Config{"key": "shared", "value": "payload@n", "ttl": 60}})
	out.MustPort(t, "success")
	out = plugintest.Run(t, r, plugintest.Case{Data: two, Config: plugin.Config{"key": "shared"}})
	if v := out.MustPort(t, "success"); v["value"] != 7.0 {
		t.Fatalf("the second instance read %v", v)
	}
}

// TestMemoryInRedis keeps the values in the test Redis server
// (TRACFLOW_TEST_REDIS, redis://:password@host:port/db).
func TestMemoryInRedis(t *testing.T) {
	raw := os.Getenv("TRACFLOW_TEST_REDIS")
	if raw == "" {
		msg := "!!! SKIPPED: TRACFLOW_TEST_REDIS is not set, so the Redis memory tests did not run (scripts/test.sh starts one) !!!"
		if os.Getenv("TRACFLOW_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	prev := outbound.SetAllowLoopback(true)
	t.Cleanup(func() { outbound.SetAllowLoopback(prev) })
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opts)
	defer rc.Close()
	resources := resourceSet{
		"redis": {"url": u.Host, "user": "", "password": pass, "protocol": "redis", "database": "0"},
		"bad":   {"url": u.Host, "password": "wrong-redis-pass"},
	}
	w, r := operations.RegisterWriteToMemory(), operations.RegisterReadFromMemory()
	key := fmt.Sprintf("k-%d", time.Now().UnixNano())
	out := plugintest.Run(t, w, plugintest.Case{Resources: resources, Payload: plugin.Payload{"v": map[string]any{"a": "b"}},
		Config: plugin.Config{"resource": map[string]any{"id": "redis", "name": "Redis"}, "key": key, "prefix": "p", "value": "payload@v", "ttl": 30}})
	out.MustPort(t, "success")
	ctx := context.Background()
	if got, err := rc.Get(ctx, "tracflow:memory:p:"+key).Result(); err != nil || got != `{"a":"b"}` {
		t.Fatalf("Redis holds %q, %v", got, err)
	}
	if ttl, err := rc.TTL(ctx, "tracflow:memory:p:"+key).Result(); err != nil || ttl <= 25*time.Second || ttl > 30*time.Second {
		t.Fatalf("Redis ttl %s, %v", ttl, err)
	}
	out = plugintest.Run(t, r, plugintest.Case{Resources: resources, Config: plugin.Config{"resource": map[string]any{"id": "redis"}, "key": key, "prefix": "p"}})
	if v := out.MustPort(t, "success"); fmt.Sprint(v["value"]) != "map[a:b]" {
		t.Fatalf("read %v", v)
	}
	out = plugintest.Run(t, r, plugintest.Case{Resources: resources, Payload: plugin.Payload{"x": 1.0}, Config: plugin.Config{"resource": map[string]any{"id": "redis"}, "key": key}})
	if v := out.MustPort(t, "not-exists"); v["x"] != 1.0 {
		t.Fatalf("not-exists %v", v)
	}
	out = plugintest.Run(t, w, plugintest.Case{Resources: resources, Config: plugin.Config{"resource": map[string]any{"id": "bad"}, "key": key, "value": "v"}})
	if v := out.MustPort(t, "error"); strings.Contains(fmt.Sprint(v), "wrong-redis-pass") || strings.Contains(out.LogText(), "wrong-redis-pass") {
		t.Fatalf("wrong password: %v", v)
	}
	if err := operations.RedisType.Check(ctx, resources["redis"]); err != nil {
		t.Fatal(err)
	}
	if err := operations.RedisType.Check(ctx, resources["bad"]); err == nil || strings.Contains(err.Error(), "wrong-redis-pass") {
		t.Fatalf("check with a wrong password: %v", err)
	}
	outbound.SetAllowLoopback(false)
	if err := operations.RedisType.Check(ctx, resources["redis"]); !errors.Is(err, outbound.ErrDenied) && !strings.Contains(fmt.Sprint(err), "not allowed") {
		t.Fatalf("a loopback Redis without the setting: %v", err)
	}
}

// resourceSet answers credentials by resource id.
type resourceSet map[string]map[string]any

func (r resourceSet) Credentials(_ context.Context, id string) (map[string]any, error) {
	if c, ok := r[id]; ok {
		return c, nil
	}
	return nil, errors.New("no such resource")
}
