package connectors

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
	"github.com/tracflow/tracflow/plugin/remote"
)

// echo is the plugin the stand-in service serves: it answers its payload
// with the configured suffix on "response", or on "other" when asked to.
type echo struct {
	plugin.ActionRunner
	suffix string
}

func (e *echo) SetUp(_ context.Context, c plugin.Config) error {
	e.suffix, _ = c["suffix"].(string)
	return nil
}

func (e *echo) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	e.Console.Log("echoing for %s", e.Event.Type())
	if payload["other"] == true {
		return plugin.Port("other", payload), nil
	}
	return plugin.Port("response", plugin.Payload{"text": payload["text"].(string) + e.suffix}), nil
}

func echoService(t *testing.T, token string) string {
	t.Helper()
	h, err := remote.NewHandler([]plugin.Installed{{Register: func() plugin.Plugin {
		return plugin.Plugin{Spec: plugin.Spec{Module: "test.echo", Inputs: []string{"payload"}, Outputs: []string{"response", "other"}, License: "MIT"},
			MetaData: plugin.MetaData{Name: "Echo"}, New: func() plugin.Action { return &echo{} }}
	}}}, remote.HandlerOptions{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestMicroservice(t *testing.T) {
	url := echoService(t, "tok-1")
	res := standin.Creds{
		"svc":      {"url": url, "token": "tok-1"},
		"wrongtok": {"url": url, "token": "nope"},
		"down":     {"url": "http://127.0.0.1:1", "timeout": 0.5},
	}
	cfg := func(resource, module string) plugin.Config {
		return plugin.Config{"resource": map[string]any{"id": resource, "name": resource}, "plugin": module, "init": map[string]any{"suffix": "!"}}
	}
	for _, tc := range []struct {
		name     string
		config   plugin.Config
		payload  plugin.Payload
		wantPort string
		want     string
	}{
		{"runs the plugin", cfg("svc", "test.echo"), plugin.Payload{"text": "hi"}, "response", `"text":"hi!"`},
		{"Tracardi's test config", plugin.Config{}, plugin.Payload{}, "error", "no plugin service or plugin selected"},
		{"an answer on another port", cfg("svc", "test.echo"), plugin.Payload{"other": true}, "error", `answered on port`},
		{"an unknown plugin", cfg("svc", "test.nope"), plugin.Payload{}, "error", "404"},
		{"a wrong token", cfg("wrongtok", "test.echo"), plugin.Payload{}, "error", "401"},
		{"a service that is down", cfg("down", "test.echo"), plugin.Payload{}, "error", "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := plugintest.Run(t, RegisterMicroservice(), plugintest.Case{Config: tc.config, Payload: tc.payload, Resources: res,
				Event: plugin.Event{"id": "e1", "type": "signup"}})
			if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != tc.wantPort {
				t.Fatalf("results %+v, err %v", out.Results, out.Err)
			}
			if got := string(mustJSON(t, out.Results[0].Value)); !strings.Contains(got, tc.want) {
				t.Errorf("value %s, want %s in it", got, tc.want)
			}
			if tc.wantPort == "response" && (len(out.State.Logs) != 1 || out.State.Logs[0].Message != "echoing for signup") {
				t.Errorf("console: %+v", out.State.Logs)
			}
			for _, l := range out.State.Logs {
				if strings.Contains(l.Message, "tok-1") {
					t.Errorf("the console shows the token: %s", l.Message)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
