package queues

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// mqttTimeout bounds connecting and publishing.
const mqttTimeout = 10 * time.Second

var (
	mqttFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("url").Name("Broker host").Required().
				Description("The broker's host name or address, e.g. broker.example.com; tls://host for TLS.")).
			Field(plugin.NewIntField("port").Name("Port").Default(1883).Min(1).Max(65535).
				Description("The broker's port: 1883 for plain MQTT, 8883 for TLS.")).
			Field(plugin.NewStringField("username").Name("User name").Default("").Description("Login; empty when the broker needs none.")).
			Field(plugin.NewStringField("password").Name("Password").Default("").Description("Password of the login."))
	// MQTTType is an MQTT broker and its login.
	MQTTType = plugin.ResourceType{Type: "mqtt", Name: "MQTT", Tags: []string{"mqtt", "queue"},
		Description: "An MQTT (3.1.1) broker and the login flows publish with.", Fields: mqttFields, Check: checkMQTT}
)

func init() { plugin.RegisterResourceType(MQTTType) }

// mqttBroker is the broker's address for the client: tcp://host:port, or
// ssl://host:port for tls://, ssl:// and mqtts:// hosts.
func mqttBroker(c *plugin.ParsedConfig) (string, error) {
	host, scheme := strings.TrimSpace(c.String("url")), "tcp"
	if i := strings.Index(host, "://"); i >= 0 {
		switch strings.ToLower(host[:i]) {
		case "tcp", "mqtt":
		case "ssl", "tls", "mqtts":
			scheme = "ssl"
		default:
			return "", plugin.FieldErr("url", "unknown scheme %q: use a host name, or tls://host", host[:i])
		}
		host = host[i+3:]
	}
	host = strings.TrimRight(host, "/")
	if host == "" || strings.ContainsAny(host, "/@ ") {
		return "", plugin.FieldErr("url", "expected the broker's host name, e.g. broker.example.com")
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(c.Int("port"))), nil
}

func mqttConnect(c *plugin.ParsedConfig) (mqtt.Client, error) {
	broker, err := mqttBroker(c)
	if err != nil {
		return nil, err
	}
	opts := mqtt.NewClientOptions().AddBroker(broker).
		SetClientID(fmt.Sprintf("tracflow-%d", time.Now().UnixNano())).
		SetUsername(c.String("username")).SetPassword(c.String("password")).
		SetDialer(outbound.Dialer(mqttTimeout)).SetConnectTimeout(mqttTimeout).SetWriteTimeout(mqttTimeout).
		SetAutoReconnect(false).SetConnectRetry(false).SetCleanSession(true)
	cl := mqtt.NewClient(opts)
	tok := cl.Connect()
	if !tok.WaitTimeout(mqttTimeout + time.Second) {
		cl.Disconnect(0)
		return nil, fmt.Errorf("MQTT broker %s did not answer in %s", broker, mqttTimeout)
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("MQTT broker %s: %w", broker, err)
	}
	return cl, nil
}

func checkMQTT(_ context.Context, creds map[string]any) error {
	c, err := mqttFields.Parse(creds)
	if err != nil {
		return err
	}
	cl, err := mqttConnect(c)
	if err != nil {
		return errors.New(outbound.Redact(err.Error(), c.String("password")))
	}
	cl.Disconnect(100)
	return nil
}

var mqttSpec = plugin.NewConfigSpec().
	Group("MQTT resource", "").
	Field(plugin.NewResourceField("source", "mqtt").Name("MQTT resource").Description("The mqtt resource: the broker and its login.")).
	Group("MQTT payload and topic", "").
	Field(plugin.NewStringField("topic").Name("Topic").Default("").Description("The topic to publish to, e.g. shop/signups.")).
	Field(plugin.NewTemplateField("payload").Name("Payload").Default("{}").Component("textarea", map[string]any{"label": "payload"}).
		Description("The message: text, usually JSON, where {{ references }} such as {{ profile@id }} are filled in.")).
	Field(plugin.NewEnumField("qos",
		plugin.Option{Value: "0", Label: "0 - Fire and forget"}, plugin.Option{Value: "1", Label: "1 - At least once"},
		plugin.Option{Value: "2", Label: "2 - Once and once only"}).Name("Quality of service").Default("0").
		Description("The MQTT delivery guarantee; with 1 and 2 the node waits for the broker's acknowledgement.")).
	Field(plugin.NewBoolField("retain").Name("Retain the message on the broker.").Default(false).
		Description("The broker keeps the last retained message of the topic and gives it to new subscribers."))

// MQTTPublish publishes a message to an MQTT topic.
type MQTTPublish struct {
	plugin.ActionRunner
	resource, topic string
	payload         *dotpath.Template
	qos             byte
	retain          bool

	mu      sync.Mutex
	clients map[string]mqtt.Client // by credential set
}

// SetUp reads the config and compiles the payload template.
func (a *MQTTPublish) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mqttSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.topic, a.payload = plugin.ResourceID(c.Object("source")), c.String("topic"), c.Template("payload")
	q, _ := strconv.Atoi(c.String("qos"))
	a.qos, a.retain = byte(q), c.Bool("retain")
	return nil
}

func (a *MQTTPublish) client(c *plugin.ParsedConfig) (mqtt.Client, error) {
	key := c.String("url") + "|" + strconv.Itoa(c.Int("port")) + "|" + c.String("username") + "|" + c.String("password")
	if cl := a.clients[key]; cl != nil && cl.IsConnectionOpen() {
		return cl, nil
	} else if cl != nil {
		cl.Disconnect(0)
		delete(a.clients, key)
	}
	cl, err := mqttConnect(c)
	if err != nil {
		return nil, err
	}
	if a.clients == nil {
		a.clients = map[string]mqtt.Client{}
	}
	a.clients[key] = cl
	return cl, nil
}

// Run publishes the message.
func (a *MQTTPublish) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if strings.TrimSpace(a.topic) == "" {
		return a.fail(payload, errors.New("no topic: type the topic to publish to in the node's configuration"))
	}
	creds, err := a.Credentials(ctx, a.resource, MQTTType)
	if err != nil {
		return a.fail(payload, err)
	}
	msg, err := a.payload.RenderStrict(a.Scope(payload))
	if err != nil {
		return a.fail(payload, fmt.Errorf("payload: %w", err))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cl, err := a.client(creds)
	if err != nil {
		return a.fail(payload, err, creds.String("password"))
	}
	tok := cl.Publish(a.topic, a.qos, a.retain, msg)
	select {
	case <-tok.Done():
	case <-time.After(mqttTimeout):
		return a.fail(payload, fmt.Errorf("the MQTT broker did not acknowledge the message in %s", mqttTimeout))
	case <-ctx.Done():
		return a.fail(payload, ctx.Err())
	}
	if err := tok.Error(); err != nil {
		return a.fail(payload, err, creds.String("password"))
	}
	return plugin.Port("payload", payload), nil
}

func (a *MQTTPublish) fail(payload plugin.Payload, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	p["payload"] = payload
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// Close disconnects.
func (a *MQTTPublish) Close(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, cl := range a.clients {
		cl.Disconnect(250)
		delete(a.clients, k)
	}
	return nil
}

// RegisterMQTTPublish describes the MQTT publish plugin.
func RegisterMQTTPublish() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &MQTTPublish{} },
		Spec: plugin.Spec{
			Module: "tracflow.queues.mqtt.publish", Aliases: []string{tracardi + "connectors.mqtt.publish.plugin"},
			ClassName: "MqttPublishAction", Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: mqttSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "MQTT publish", Desc: "Publishes a message to an MQTT topic.",
			Type: "flowNode", Icon: "mqtt", Group: []string{"MQTT"},
			Tags: []string{"mqtt", "queue", "iot", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type mqtt (MQTT 3.1.1; a tls:// host for TLS). The connection is opened on " +
					"first use and kept while the flow is deployed; a lost one is opened again at the next run. With QoS 1 " +
					"or 2 the node waits (10 s at most) for the broker's acknowledgement. Differences from Tracardi: the " +
					"payload is a template, so {{ profile@id }} and the like are filled in (text without braces is sent " +
					"as it is, as Tracardi did), and the error port also carries the input payload.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the payload template may read it."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The input payload, once the message is published."},
					"error":   {Desc: "{\"message\", \"payload\": the input payload}: no topic, no broker, a refused login, a timeout."},
				},
			},
		},
	}
}
