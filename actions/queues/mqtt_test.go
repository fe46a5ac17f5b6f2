package queues

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestMQTTPublish publishes to the test Mosquitto broker
// (TRACFLOW_TEST_MQTT, mqtt://user:password@host:port) and reads the
// messages with a subscriber of its own.
func TestMQTTPublish(t *testing.T) {
	raw := serverURL(t, "TRACFLOW_TEST_MQTT", "MQTT publish")
	allowLoopback(t)
	ctx := context.Background()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	good := map[string]any{"url": u.Hostname(), "port": u.Port(), "username": u.User.Username(), "password": pass}
	bad := map[string]any{"url": "mqtt://" + u.Hostname(), "port": u.Port(), "username": u.User.Username(), "password": "wrong-mqtt-pass"}
	resources := creds{"mq": good, "bad": bad}

	topic := fmt.Sprintf("tracflow/test/%d", time.Now().UnixNano())
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + u.Host).SetUsername(u.User.Username()).SetPassword(pass).
		SetClientID("tracflow-test-sub"))
	if tok := sub.Connect(); tok.Wait() && tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer sub.Disconnect(100)
	got := make(chan mqtt.Message, 10)
	if tok := sub.Subscribe(topic+"/#", 1, func(_ mqtt.Client, m mqtt.Message) { got <- m }); tok.Wait() && tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	next := func() mqtt.Message {
		t.Helper()
		select {
		case m := <-got:
			return m
		case <-time.After(5 * time.Second):
			t.Fatal("no message reached the subscriber")
			return nil
		}
	}

	p := RegisterMQTTPublish()
	a, err := plugintest.SetUp(ctx, p, plugin.Config{"source": res("mq"), "topic": topic + "/signups",
		"payload": `{"profile": "{{ profile@id }}", "plan": "{{ payload@plan }}"}`, "qos": "1", "retain": false})
	if err != nil {
		t.Fatal(err)
	}
	defer a.(*MQTTPublish).Close(ctx)
	for _, plan := range []string{"gold", "silver"} { // the second run reuses the connection
		out := plugintest.RunAction(ctx, p, a, plugintest.Case{Resources: resources, Payload: plugin.Payload{"plan": plan}, Profile: plugin.Profile{"id": "p-1"}})
		if v := out.MustPort(t, "payload"); v["plan"] != plan {
			t.Fatalf("payload port %v", v)
		}
		m := next()
		if m.Topic() != topic+"/signups" || string(m.Payload()) != `{"profile": "p-1", "plan": "`+plan+`"}` || m.Qos() != 1 {
			t.Fatalf("message %s %q qos %d", m.Topic(), m.Payload(), m.Qos())
		}
	}
	if n := len(a.(*MQTTPublish).clients); n != 1 {
		t.Errorf("%d clients for one credential set", n)
	}

	// Retain: a subscriber that comes later still gets the message.
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("mq"), "topic": topic + "/retained", "payload": "{}", "qos": "0", "retain": true}, Resources: resources})
	out.MustPort(t, "payload")
	next()
	late := make(chan mqtt.Message, 1)
	if tok := sub.Subscribe(topic+"/retained", 0, func(_ mqtt.Client, m mqtt.Message) { late <- m }); tok.Wait() && tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	select {
	case m := <-late:
		if !m.Retained() || string(m.Payload()) != "{}" {
			t.Fatalf("retained message %q retained=%v", m.Payload(), m.Retained())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the message was not retained")
	}
	sub.Publish(topic+"/retained", 0, true, "") // clear it

	// Errors: Tracardi's empty topic, a wrong password, a missing reference.
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"payload": "{}", "qos": "0", "retain": false, "source": map[string]any{"id": "", "name": ""}, "topic": ""}, Resources: resources})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no topic") {
		t.Fatalf("empty topic: %v", v)
	}
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("bad"), "topic": topic}, Resources: resources, Payload: plugin.Payload{"a": 1.0}})
	if v := out.MustPort(t, "error"); strings.Contains(fmt.Sprint(v), "wrong-mqtt-pass") || strings.Contains(out.LogText(), "wrong-mqtt-pass") ||
		!strings.Contains(strings.ToLower(v["message"].(string)), "not authorized") || v["payload"].(plugin.Payload)["a"] != 1.0 {
		t.Fatalf("wrong password: %v", v)
	}
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("mq"), "topic": topic, "payload": "{{ payload@missing }}"}, Resources: resources})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "missing") {
		t.Fatalf("missing reference: %v", v)
	}

	if err := MQTTType.Check(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := MQTTType.Check(ctx, bad); err == nil || strings.Contains(err.Error(), "wrong-mqtt-pass") {
		t.Fatalf("check with a wrong password: %v", err)
	}
	outbound.SetAllowLoopback(false)
	if err := MQTTType.Check(ctx, good); !errors.Is(err, outbound.ErrDenied) && !strings.Contains(fmt.Sprint(err), "not allowed") {
		t.Fatalf("a loopback broker without the setting: %v", err)
	}
}

func TestMQTTConfig(t *testing.T) {
	p := RegisterMQTTPublish()
	plugintest.SetUpFails(t, p, plugin.Config{"topic": "a", "qos": "3"}, "qos")
	plugintest.SetUpFails(t, p, plugin.Config{"topic": "a", "payload": "{{ profile@"}, "payload")
	for in, want := range map[string]string{"broker": "tcp://broker:1883", "mqtt://broker/": "tcp://broker:1883", "tls://broker": "ssl://broker:1883"} {
		c, err := mqttFields.Parse(map[string]any{"url": in})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := mqttBroker(c); err != nil || got != want {
			t.Errorf("%s: %s %v", in, got, err)
		}
	}
	for _, in := range []string{"http://broker", "user@broker", "tcp://"} {
		c, _ := mqttFields.Parse(map[string]any{"url": in})
		if _, err := mqttBroker(c); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}
