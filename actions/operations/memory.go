package operations

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// redisTimeout bounds each Redis call, connecting included.
const redisTimeout = 5 * time.Second

// redisKeyPrefix is put before every key the memory plugins write to a
// Redis server, so that they keep out of other applications' keys.
const redisKeyPrefix = "tracflow:memory:"

var (
	redisFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("url").Name("Host and port").Required().
				Description("The Redis server's host and port, e.g. redis.example.com:6379.")).
			Field(plugin.NewStringField("user").Name("User").Default("").Description("The ACL user; empty for the default user.")).
			Field(plugin.NewStringField("password").Name("Password").Default("").Description("The password; empty when the server needs none.")).
			Field(plugin.NewEnumField("protocol", plugin.Option{Value: "redis", Label: "redis (plain)"}, plugin.Option{Value: "rediss", Label: "rediss (TLS)"}).
				Name("Protocol").Default("redis").Description("rediss for a TLS connection.")).
			Field(plugin.NewIntField("database").Name("Database").Default(0).Min(0).Max(1000).Description("The database number."))
	// RedisType is a Redis server and its login.
	RedisType = plugin.ResourceType{Type: "redis", Name: "Redis", Tags: []string{"redis"},
		Description: "A Redis server the memory plugins keep their values in, instead of Tracflow's database.", Fields: redisFields, Check: checkRedis}
)

func init() { plugin.RegisterResourceType(RedisType) }

func redisOptions(c *plugin.ParsedConfig) (*redis.Options, error) {
	addr := strings.TrimSpace(c.String("url"))
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "redis://"), "rediss://")
	addr = strings.TrimRight(addr, "/")
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "6379")
	}
	if strings.ContainsAny(addr, "/@ ") {
		return nil, plugin.FieldErr("url", "expected host:port, e.g. redis.example.com:6379")
	}
	o := &redis.Options{Addr: addr, Username: c.String("user"), Password: c.String("password"), DB: c.Int("database"),
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return outbound.Dialer(redisTimeout).DialContext(ctx, network, addr)
		},
		DialTimeout: redisTimeout, ReadTimeout: redisTimeout, WriteTimeout: redisTimeout,
		PoolSize: 2, MaxRetries: -1, DisableIdentity: true}
	if c.String("protocol") == "rediss" {
		host, _, _ := net.SplitHostPort(addr)
		o.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	return o, nil
}

func checkRedis(ctx context.Context, creds map[string]any) error {
	c, err := redisFields.Parse(creds)
	if err != nil {
		return err
	}
	o, err := redisOptions(c)
	if err != nil {
		return err
	}
	cl := redis.NewClient(o)
	defer cl.Close()
	if err := cl.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("Redis %s: %s", o.Addr, outbound.Redact(err.Error(), c.String("password")))
	}
	return nil
}

// memory is the store the memory plugins use: Tracflow's database, or a
// Redis server when the node names a redis resource.
type memory struct {
	plugin.ActionRunner
	resource, prefix string
	key              dotpath.Value

	mu      sync.Mutex
	clients map[string]*redis.Client // by credential set
}

func (m *memory) setUp(c *plugin.ParsedConfig) {
	m.resource, m.prefix, m.key = plugin.ResourceID(c.Object("resource")), strings.TrimSpace(c.String("prefix")), c.Value("key")
}

// fullKey reads the key and puts the prefix before it.
func (m *memory) fullKey(s *dotpath.Scope) (string, error) {
	v, err := m.key.Resolve(s)
	if err != nil {
		return "", fmt.Errorf("key: %w", err)
	}
	k := dotpath.Stringify(v)
	if k == "" {
		return "", fmt.Errorf("key %s is empty", m.key)
	}
	if m.prefix != "" {
		k = m.prefix + ":" + k
	}
	return k, nil
}

// redis returns the Redis client of the node's resource, or nil when the
// node uses Tracflow's database.
func (m *memory) redis(ctx context.Context) (*redis.Client, string, error) {
	if m.resource == "" {
		return nil, "", nil
	}
	c, err := m.Credentials(ctx, m.resource, RedisType)
	if err != nil {
		return nil, "", err
	}
	o, err := redisOptions(c)
	if err != nil {
		return nil, "", err
	}
	key := fmt.Sprintf("%s|%s|%s|%d|%s", o.Addr, o.Username, o.Password, o.DB, c.String("protocol"))
	m.mu.Lock()
	defer m.mu.Unlock()
	if cl := m.clients[key]; cl != nil {
		return cl, o.Password, nil
	}
	cl := redis.NewClient(o)
	if m.clients == nil {
		m.clients = map[string]*redis.Client{}
	}
	m.clients[key] = cl
	return cl, o.Password, nil
}

func (m *memory) fail(err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	m.Console.Error("%s", p["message"])
	return plugin.Port("error", plugin.Payload{"message": p["message"]}), nil
}

// Close closes the Redis connections.
func (m *memory) Close(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, cl := range m.clients {
		_ = cl.Close()
		delete(m.clients, k)
	}
	return nil
}

func resourceField() *plugin.FieldSpec {
	return plugin.NewResourceField("resource", "redis").Name("Resource").
		Description("A redis resource to keep the values in; none for Tracflow's database, which every instance shares.")
}

func keyField(what string) *plugin.FieldSpec {
	return plugin.NewValueField("key").Name("Key").Required().Component("dotPath", map[string]any{"label": "Key"}).
		Description("The key " + what + ": text, or a reference such as profile@id.")
}

func prefixField() *plugin.FieldSpec {
	return plugin.NewStringField("prefix").Name("Key prefix").Default("").
		Description("Text put before the key (prefix:key), to keep apart values with the same key; empty for none.")
}

var writeMemorySpec = plugin.NewConfigSpec().
	Group("Write to memory", "").
	Field(resourceField()).
	Field(keyField("the value is written under")).
	Field(plugin.NewValueField("value").Name("Value").Default("").Component("dotPath", map[string]any{"label": "Value"}).
		Description("The value: a reference such as payload@cart or event@properties, or a literal.")).
	Field(plugin.NewIntField("ttl").Name("Time to live").Default(0).Min(0).Max(10 * 365 * 24 * 3600).
		Description("Seconds the value is kept; 0 keeps it until it is replaced.")).
	Field(prefixField())

// WriteToMemory writes a value to the memory shared by all instances.
type WriteToMemory struct {
	memory
	value dotpath.Value
	ttl   time.Duration
}

// SetUp reads the config.
func (a *WriteToMemory) SetUp(_ context.Context, config plugin.Config) error {
	c, err := writeMemorySpec.Parse(config)
	if err != nil {
		return err
	}
	a.setUp(c)
	a.value, a.ttl = c.Value("value"), time.Duration(c.Int("ttl"))*time.Second
	return nil
}

// Run writes the value.
func (a *WriteToMemory) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	key, err := a.fullKey(s)
	if err != nil {
		return a.fail(err)
	}
	v, err := a.value.Resolve(s)
	if err != nil {
		return a.fail(fmt.Errorf("value: %w", err))
	}
	cl, secret, err := a.redis(ctx)
	if err != nil {
		return a.fail(err)
	}
	if cl == nil {
		m, err := a.State.SharedMemory()
		if err == nil {
			err = m.Remember(ctx, key, v, a.ttl)
		}
		if err != nil {
			return a.fail(err)
		}
		return plugin.Port("success", payload), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return a.fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	if err := cl.Set(ctx, redisKeyPrefix+key, b, a.ttl).Err(); err != nil {
		return a.fail(err, secret)
	}
	return plugin.Port("success", payload), nil
}

// RegisterWriteToMemory describes the Write to memory plugin.
func RegisterWriteToMemory() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &WriteToMemory{} },
		Spec: plugin.Spec{
			Module: "tracflow.operations.write_to_memory", Aliases: []string{tracardi + "operations.write_to_memory.plugin"},
			ClassName: "WriteToMemoryAction", Inputs: []string{"payload"}, Outputs: []string{"success", "error"},
			Config: writeMemorySpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Write to memory", Desc: "Keeps a value under a key, for a time, in the memory every instance shares.",
			Type: "flowNode", Icon: "redis", Group: []string{"Redis"},
			Tags: []string{"memory", "redis", "cache", "key-value"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Without a resource the value goes to Tracflow's database (the plugin_memory table), which " +
					"every instance over it shares: a value written while one server handles an event is read by " +
					"another. Expired values are never read, and writes delete them. With a redis resource the value " +
					"goes to that Redis server instead (key tracflow:memory:<prefix>:<key>, JSON, with Redis's own " +
					"expiry). Keys are at most 1024 bytes and values 1 MiB in the database. Read it back with Read " +
					"from memory, with the same key and prefix. Differences from Tracardi: Tracardi kept these values " +
					"in its own Redis; the value is stored as JSON, not base64-encoded pickles.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; key and value may read it."}},
				Outputs: map[string]plugin.PortDoc{
					"success": {Desc: "The input payload, once the value is stored."},
					"error":   {Desc: "{\"message\"}: a missing key or value, no storage, an unreachable Redis."},
				},
			},
		},
	}
}

var readMemorySpec = plugin.NewConfigSpec().
	Group("Read from memory", "").
	Field(resourceField()).
	Field(keyField("to read")).
	Field(prefixField())

// ReadFromMemory reads a value from the memory shared by all instances.
type ReadFromMemory struct{ memory }

// SetUp reads the config.
func (a *ReadFromMemory) SetUp(_ context.Context, config plugin.Config) error {
	c, err := readMemorySpec.Parse(config)
	if err != nil {
		return err
	}
	a.setUp(c)
	return nil
}

// Run reads the value.
func (a *ReadFromMemory) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	key, err := a.fullKey(a.Scope(payload))
	if err != nil {
		return a.fail(err)
	}
	cl, secret, err := a.redis(ctx)
	if err != nil {
		return a.fail(err)
	}
	var v any
	var found bool
	if cl == nil {
		m, err := a.State.SharedMemory()
		if err == nil {
			v, found, err = m.Recall(ctx, key)
		}
		if err != nil {
			return a.fail(err)
		}
	} else {
		ctx, cancel := context.WithTimeout(ctx, redisTimeout)
		defer cancel()
		b, err := cl.Get(ctx, redisKeyPrefix+key).Bytes()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return a.fail(err, secret)
		default:
			if err := json.Unmarshal(b, &v); err != nil {
				return a.fail(fmt.Errorf("the value under %s is not JSON: %w", strconv.Quote(key), err))
			}
			found = true
		}
	}
	if !found {
		return plugin.Port("not-exists", payload), nil
	}
	return plugin.Port("success", plugin.Payload{"value": v}), nil
}

// RegisterReadFromMemory describes the Read from memory plugin.
func RegisterReadFromMemory() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &ReadFromMemory{} },
		Spec: plugin.Spec{
			Module: "tracflow.operations.read_from_memory", Aliases: []string{tracardi + "operations.read_from_memory.plugin"},
			ClassName: "ReadFromMemoryAction", Inputs: []string{"payload"}, Outputs: []string{"success", "not-exists", "error"},
			Config: readMemorySpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Read from memory", Desc: "Reads the value kept under a key in the memory every instance shares.",
			Type: "flowNode", Icon: "redis", Group: []string{"Redis"},
			Tags: []string{"memory", "redis", "cache", "key-value"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Reads what Write to memory kept under the same key and prefix, from Tracflow's database or, " +
					"with a redis resource, from that Redis server. A value whose time to live has passed is not found.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the key may read it."}},
				Outputs: map[string]plugin.PortDoc{
					"success":    {Desc: "{\"value\": the value kept under the key}."},
					"not-exists": {Desc: "The input payload: nothing (or nothing alive) under the key."},
					"error":      {Desc: "{\"message\"}: a missing key, no storage, an unreachable Redis."},
				},
			},
		},
	}
}
