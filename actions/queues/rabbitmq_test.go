package queues

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestRabbitMQPublish publishes to the test RabbitMQ server
// (TRACFLOW_TEST_RABBITMQ, amqp://user:password@host:port/) and reads the
// messages back with a consumer of its own.
func TestRabbitMQPublish(t *testing.T) {
	uri := serverURL(t, "TRACFLOW_TEST_RABBITMQ", "RabbitMQ publish")
	allowLoopback(t)
	ctx := context.Background()
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	queue := fmt.Sprintf("tracflow-test-%d", time.Now().UnixNano())
	defer func() {
		_, _ = ch.QueueDelete(queue, false, false, false)
		_ = ch.ExchangeDelete(queue, false, false)
	}()
	u, _ := url.Parse(uri)
	bad := *u
	bad.User = url.UserPassword(u.User.Username(), "wrong-rabbit-pass")
	resources := creds{"mq": {"uri": uri, "timeout": 5}, "bad": {"uri": bad.String(), "timeout": "5", "port": "5672", "virtual_host": ""}}
	p := RegisterRabbitMQPublish()
	config := func(changes map[string]any) plugin.Config {
		q := map[string]any{"name": queue, "routing_key": "signup", "queue_type": "direct", "compression": nil, "auto_declare": true, "serializer": "json"}
		for k, v := range changes {
			q[k] = v
		}
		return plugin.Config{"source": res("mq"), "queue": q}
	}
	get := func() amqp.Delivery {
		t.Helper()
		for i := 0; i < 50; i++ {
			d, ok, err := ch.Get(queue, true)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				return d
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("no message in the queue")
		return amqp.Delivery{}
	}

	a, err := plugintest.SetUp(ctx, p, config(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer a.(*RabbitMQPublish).Close(ctx)
	for i := 1; i <= 2; i++ { // the second run reuses the connection
		payload := plugin.Payload{"email": "ann@example.com", "n": float64(i)}
		if v := plugintest.RunAction(ctx, p, a, plugintest.Case{Resources: resources, Payload: payload}).MustPort(t, "payload"); v["n"] != float64(i) {
			t.Fatalf("payload port: %v", v)
		}
		d := get()
		var got map[string]any
		if err := json.Unmarshal(d.Body, &got); err != nil || got["email"] != "ann@example.com" || got["n"] != float64(i) {
			t.Fatalf("message %s: %v", d.Body, err)
		}
		if d.ContentType != "application/json" || d.Exchange != queue || d.RoutingKey != "signup" || d.DeliveryMode != amqp.Persistent {
			t.Fatalf("delivery %+v", d)
		}
	}
	if n := len(a.(*RabbitMQPublish).conns); n != 1 {
		t.Errorf("%d connections for one broker", n)
	}

	// gzip: compressed body, Kombu's header.
	out := plugintest.Run(t, p, plugintest.Case{Config: config(map[string]any{"compression": "gzip"}), Resources: resources, Payload: plugin.Payload{"a": "b"}})
	out.MustPort(t, "payload")
	d := get()
	zr, err := gzip.NewReader(bytes.NewReader(d.Body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	if string(raw) != `{"a":"b"}` || d.Headers["compression"] != "application/x-gzip" {
		t.Fatalf("gzip message %q, headers %v", raw, d.Headers)
	}

	// An exchange that does not exist, without auto create.
	out = plugintest.Run(t, p, plugintest.Case{Config: config(map[string]any{"name": queue + "-missing", "auto_declare": false}), Resources: resources, Payload: plugin.Payload{"a": 1.0}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "NOT_FOUND") || v["payload"].(plugin.Payload)["a"] != 1.0 {
		t.Fatalf("missing exchange: %v", v)
	}
	// A wrong password: an error without the password.
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("bad"), "queue": config(nil)["queue"]}, Resources: resources})
	if v := out.MustPort(t, "error"); strings.Contains(fmt.Sprint(v), "wrong-rabbit-pass") || strings.Contains(out.LogText(), "wrong-rabbit-pass") {
		t.Fatalf("the password leaked: %v", v)
	}
	if err := RabbitMQType.Check(ctx, resources["mq"]); err != nil {
		t.Fatal(err)
	}
	if err := RabbitMQType.Check(ctx, resources["bad"]); err == nil || strings.Contains(err.Error(), "wrong-rabbit-pass") {
		t.Fatalf("check with a wrong password: %v", err)
	}
	outbound.SetAllowLoopback(false)
	if err := RabbitMQType.Check(ctx, resources["mq"]); !errors.Is(err, outbound.ErrDenied) && !strings.Contains(fmt.Sprint(err), "not allowed") {
		t.Fatalf("a loopback broker without the setting: %v", err)
	}
}

func TestRabbitMQConfig(t *testing.T) {
	p := RegisterRabbitMQPublish()
	plugintest.SetUpFails(t, p, plugin.Config{"queue": map[string]any{"name": ""}}, "queue.name")
	plugintest.SetUpFails(t, p, plugin.Config{"queue": map[string]any{"name": "q", "queue_type": "round"}}, "queue.queue_type")
	plugintest.SetUpFails(t, p, plugin.Config{"queue": map[string]any{"name": "q", "compression": "bzip2"}}, "queue.compression")
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("x"), "queue": map[string]any{"name": "q"}},
		Resources: creds{"x": {"uri": "http://example.com"}}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "amqp://") {
		t.Fatalf("a bad URI: %v", v)
	}
}
