package queues

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	rabbitFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("uri").Name("URI").Default("amqp://127.0.0.1:5672/").
				Description("The broker's address with its login, amqp://user:password@host:5672/vhost (amqps:// for TLS).")).
			Field(plugin.NewIntField("port").Name("Port").Default(0).Min(0).Max(65535).
				Description("The port, when the URI has none; 0 for the URI's (5672 by default).")).
			Field(plugin.NewIntField("timeout").Name("Timeout").Default(5).Min(1).Max(300).
				Description("Seconds to wait for the broker when connecting and when publishing.")).
			Field(plugin.NewStringField("virtual_host").Name("Virtual host").Default("").
				Description("The virtual host; empty for the one in the URI."))
	// RabbitMQType is a RabbitMQ broker and its login.
	RabbitMQType = plugin.ResourceType{Type: "rabbitmq", Name: "RabbitMQ", Tags: []string{"rabbitmq", "queue"},
		Description: "A RabbitMQ (AMQP 0-9-1) broker and the login flows publish with.", Fields: rabbitFields, Check: checkRabbit}
)

func init() { plugin.RegisterResourceType(RabbitMQType) }

// rabbitURL is the broker's URL and the secrets in it (for redaction).
func rabbitURL(c *plugin.ParsedConfig) (string, []string, error) {
	u, err := url.Parse(strings.TrimSpace(c.String("uri")))
	if err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "" {
		return "", nil, plugin.FieldErr("uri", "expected amqp://user:password@host:5672/vhost")
	}
	var secrets []string
	if p, ok := u.User.Password(); ok && p != "" {
		secrets = append(secrets, p, url.QueryEscape(p))
	}
	if port := c.Int("port"); port > 0 && u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	}
	if vh := c.String("virtual_host"); vh != "" {
		u.Path, u.RawPath = "/"+vh, "/"+url.PathEscape(vh)
	}
	return u.String(), secrets, nil
}

func rabbitDial(c *plugin.ParsedConfig) (*amqp.Connection, []string, error) {
	u, secrets, err := rabbitURL(c)
	if err != nil {
		return nil, nil, err
	}
	timeout := time.Duration(c.Int("timeout")) * time.Second
	conn, err := amqp.DialConfig(u, amqp.Config{
		Properties: amqp.Table{"product": "Tracflow"},
		Dial: func(network, addr string) (net.Conn, error) {
			nc, err := outbound.Dialer(timeout).Dial(network, addr)
			if err != nil {
				return nil, err
			}
			// The handshake must end in time; the library clears the
			// deadline once the connection is open.
			_ = nc.SetDeadline(time.Now().Add(timeout))
			return nc, nil
		},
	})
	if err != nil {
		return nil, secrets, fmt.Errorf("RabbitMQ: %w", err)
	}
	return conn, secrets, nil
}

func checkRabbit(_ context.Context, creds map[string]any) error {
	c, err := rabbitFields.Parse(creds)
	if err != nil {
		return err
	}
	conn, secrets, err := rabbitDial(c)
	if err != nil {
		return errors.New(outbound.Redact(err.Error(), secrets...))
	}
	return conn.Close()
}

var rabbitSpec = plugin.NewConfigSpec().
	Group("RabbitMQ connection settings", "").
	Field(plugin.NewResourceField("source", "rabbitmq").Name("RabbitMQ resource").Description("The rabbitmq resource: the broker and its login.")).
	Group("RabbitMQ queue settings", "").
	Field(plugin.NewStringField("queue.name").Name("Queue name").Required().
		Description("The queue; the exchange the message is published to has the same name.")).
	Field(plugin.NewStringField("queue.routing_key").Name("Routing key").Default("").
		Description("The routing key the queue is bound with and the message is published with.")).
	Field(plugin.NewBoolField("queue.auto_declare").Name("Auto create queue").Default(true).
		Description("Declare the exchange and the queue (durable) and bind them before publishing; off: they must exist.")).
	Field(plugin.NewEnumField("queue.queue_type",
		plugin.Option{Value: "direct", Label: "Direct"}, plugin.Option{Value: "fanout", Label: "Fanout"},
		plugin.Option{Value: "topic", Label: "Topic"}, plugin.Option{Value: "headers", Label: "Headers"}).
		Name("Queue type").Default("direct").Description("The exchange's type.")).
	Group("RabbitMQ advanced queue settings", "").
	Field(plugin.NewEnumField("queue.serializer", plugin.Option{Value: "json", Label: "JSON"}).
		Name("Serialization type").Default("json").Description("How the payload is written: JSON (application/json).")).
	Field(plugin.NewEnumField("queue.compression",
		plugin.Option{Value: "none", Label: "No compression"}, plugin.Option{Value: "gzip", Label: "Compress with gzip"}).
		Name("Data compression").Default("none").
		Description("gzip compresses the body and says so in the message's compression header, as Kombu consumers expect."))

// RabbitMQPublish publishes the payload to a RabbitMQ exchange.
type RabbitMQPublish struct {
	plugin.ActionRunner
	resource, name, key, kind string
	declare, gzip             bool

	mu    sync.Mutex
	conns map[string]*rabbitConn // by broker URL: production and test sets differ
}

type rabbitConn struct {
	conn     *amqp.Connection
	ch       *amqp.Channel
	closed   chan *amqp.Error // the channel's close reason
	declared bool
}

// SetUp reads the config.
func (a *RabbitMQPublish) SetUp(_ context.Context, config plugin.Config) error {
	c, err := rabbitSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.name, a.key, a.kind = c.String("queue.name"), c.String("queue.routing_key"), c.String("queue.queue_type")
	a.declare, a.gzip = c.Bool("queue.auto_declare"), c.String("queue.compression") == "gzip"
	return nil
}

// channel returns an open channel in confirm mode to the broker, opening
// one when there is none or the last one closed.
func (a *RabbitMQPublish) channel(c *plugin.ParsedConfig) (*rabbitConn, []string, error) {
	u, secrets, err := rabbitURL(c)
	if err != nil {
		return nil, nil, err
	}
	if rc := a.conns[u]; rc != nil && !rc.conn.IsClosed() && !rc.ch.IsClosed() {
		return rc, secrets, nil
	} else if rc != nil {
		_ = rc.conn.Close()
		delete(a.conns, u)
	}
	conn, _, err := rabbitDial(c)
	if err != nil {
		return nil, secrets, err
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.Confirm(false)
	}
	if err != nil {
		_ = conn.Close()
		return nil, secrets, err
	}
	if a.conns == nil {
		a.conns = map[string]*rabbitConn{}
	}
	rc := &rabbitConn{conn: conn, ch: ch, closed: ch.NotifyClose(make(chan *amqp.Error, 1))}
	a.conns[u] = rc
	return rc, secrets, nil
}

// Run publishes the payload and waits for the broker's confirmation.
func (a *RabbitMQPublish) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, RabbitMQType)
	if err != nil {
		return a.fail(payload, err)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return a.fail(payload, err)
	}
	msg := amqp.Publishing{ContentType: "application/json", ContentEncoding: "utf-8", DeliveryMode: amqp.Persistent,
		Timestamp: time.Now().UTC()}
	if a.gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body, msg.Headers = b.Bytes(), amqp.Table{"compression": "application/x-gzip"}
	}
	msg.Body = body
	ctx, cancel := context.WithTimeout(ctx, time.Duration(creds.Int("timeout"))*time.Second)
	defer cancel()
	a.mu.Lock()
	defer a.mu.Unlock()
	rc, secrets, err := a.channel(creds)
	if err != nil {
		return a.fail(payload, err, secrets...)
	}
	if a.declare && !rc.declared {
		if err := a.declareQueue(rc.ch); err != nil {
			return a.fail(payload, err, secrets...)
		}
		rc.declared = true
	}
	conf, err := rc.ch.PublishWithDeferredConfirmWithContext(ctx, a.name, a.key, false, false, msg)
	if err != nil {
		return a.fail(payload, err, secrets...)
	}
	ok, err := conf.WaitContext(ctx)
	if err != nil {
		return a.fail(payload, fmt.Errorf("RabbitMQ did not confirm the message in time: %w", err), secrets...)
	}
	if !ok {
		// A publish the broker refuses closes the channel (e.g. 404 for a
		// missing exchange) and nacks the message: report the reason.
		select {
		case cerr := <-rc.closed:
			if cerr != nil {
				return a.fail(payload, fmt.Errorf("RabbitMQ refused the message: %w", cerr), secrets...)
			}
		case <-time.After(200 * time.Millisecond):
		}
		return a.fail(payload, errors.New("RabbitMQ refused the message (nack)"), secrets...)
	}
	return plugin.Port("payload", payload), nil
}

func (a *RabbitMQPublish) declareQueue(ch *amqp.Channel) error {
	if err := ch.ExchangeDeclare(a.name, a.kind, true, false, false, false, nil); err != nil {
		return err
	}
	if _, err := ch.QueueDeclare(a.name, true, false, false, false, nil); err != nil {
		return err
	}
	return ch.QueueBind(a.name, a.key, a.name, false, nil)
}

func (a *RabbitMQPublish) fail(payload plugin.Payload, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	p["payload"], p["error"] = payload, p["message"]
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// Close closes the connections.
func (a *RabbitMQPublish) Close(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, rc := range a.conns {
		_ = rc.conn.Close()
		delete(a.conns, k)
	}
	return nil
}

// RegisterRabbitMQPublish describes the RabbitMQ publish plugin.
func RegisterRabbitMQPublish() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &RabbitMQPublish{} },
		Spec: plugin.Spec{
			Module: "tracflow.queues.rabbitmq.publish", Aliases: []string{tracardi + "connectors.rabbitmq.publish.plugin"},
			ClassName: "RabbitPublisherAction", Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: rabbitSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Rabbitmq publish", Desc: "Publishes the payload, as JSON, to a RabbitMQ exchange.",
			Type: "flowNode", Icon: "rabbitmq", Group: []string{"Connectors"},
			Tags: []string{"queue", "rabbitmq", "amqp", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type rabbitmq. The message goes to the exchange named like the queue, " +
					"with the routing key; with auto create on, the exchange (of the chosen type) and the queue are " +
					"declared durable and bound with the routing key first. Messages are persistent, JSON " +
					"(application/json), optionally gzip-compressed; the node waits for the broker's confirmation, " +
					"within the resource's timeout. The connection is opened on first use and kept while the flow is " +
					"deployed. Differences from Tracardi: the XML serializer and bzip2 compression, which Tracardi " +
					"offered but could not run, are not offered; a confirmed publish, not just a sent one, is success.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "The object to publish."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The input payload, once the broker confirmed the message."},
					"error":   {Desc: "{\"message\", \"payload\": the input payload, \"error\": the message}: no broker, a refused login, a missing exchange, a timeout."},
				},
			},
		},
	}
}
