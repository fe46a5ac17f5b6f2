package io_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/io"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestInject(t *testing.T) {
	p := io.RegisterInject()
	if !p.Start || !p.Debug || len(p.Spec.Inputs) != 0 {
		t.Fatalf("Inject must be a debug-only start node without inputs: %+v", p)
	}
	cases := []struct {
		name   string
		config plugin.Config
		want   plugin.Payload
	}{
		{"default is {}", nil, plugin.Payload{}},
		{"JSON text", plugin.Config{"value": `{"data": 1, "list": [1, "a"]}`}, plugin.Payload{"data": 1.0, "list": []any{1.0, "a"}}},
		{"object", plugin.Config{"value": map[string]any{"x": map[string]any{"y": true}}}, plugin.Payload{"x": map[string]any{"y": true}}},
		{"references are resolved", plugin.Config{"value": `{"type": "event@type", "who": "profile@id"}`}, plugin.Payload{"type": "test", "who": "p1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, p, plugintest.Case{Config: c.config, Profile: plugin.Profile{"id": "p1"}, Debug: true})
			if got := out.MustPort(t, "payload"); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestInjectEmitsAFreshObjectEachRun(t *testing.T) {
	p := io.RegisterInject()
	a, err := plugintest.SetUp(t.Context(), p, plugin.Config{"value": `{"l": [1]}`})
	if err != nil {
		t.Fatal(err)
	}
	first := plugintest.RunAction(t.Context(), p, a, plugintest.Case{}).MustPort(t, "payload")
	first["l"] = append(first["l"].([]any), 2.0)
	second := plugintest.RunAction(t.Context(), p, a, plugintest.Case{}).MustPort(t, "payload")
	if len(second["l"].([]any)) != 1 {
		t.Fatalf("a later node's change leaked into the next run: %v", second)
	}
}

func TestInjectMissingReferenceFails(t *testing.T) {
	out := plugintest.Run(t, io.RegisterInject(), plugintest.Case{Config: plugin.Config{"value": `{"a": "profile@id"}`}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "profile@id") {
		t.Fatalf("err = %v, want one naming profile@id", out.Err)
	}
}

func TestInjectDestinations(t *testing.T) {
	cases := []struct {
		dest string
		get  func(c *plugintest.Outcome) any
	}{
		{"event-properties", func(o *plugintest.Outcome) any { return o.State.Event["properties"] }},
		{"profile-traits", func(o *plugintest.Outcome) any { return o.State.Profile["traits"] }},
		{"profile-pii", func(o *plugintest.Outcome) any { return dotpath.At(o.State.Profile, "data.pii") }},
		{"profile-interests", func(o *plugintest.Outcome) any { return o.State.Profile["interests"] }},
		{"profile-counters", func(o *plugintest.Outcome) any {
			return dotpath.At(o.State.Profile, "stats.counters")
		}},
		{"profile-consents", func(o *plugintest.Outcome) any { return o.State.Profile["consents"] }},
		{"session-context", func(o *plugintest.Outcome) any { return o.State.Session["context"] }},
	}
	for _, c := range cases {
		t.Run(c.dest, func(t *testing.T) {
			out := plugintest.Run(t, io.RegisterInject(), plugintest.Case{
				Config:  plugin.Config{"value": `{"k": "v"}`, "destination": c.dest},
				Event:   plugin.Event{"id": "e", "type": "t", "properties": map[string]any{"old": 1}},
				Profile: plugin.Profile{"id": "p", "traits": map[string]any{"old": 1}},
				Session: plugin.Session{"id": "s"},
			})
			if got := out.MustPort(t, "payload"); len(got) != 0 {
				t.Errorf("payload = %v, want {}", got)
			}
			if got := c.get(out); !reflect.DeepEqual(got, map[string]any{"k": "v"}) {
				t.Errorf("%s holds %v, want {k: v}", c.dest, got)
			}
		})
	}
	// Profile-less and session-less events: nothing to write to, a warning.
	for _, dest := range []string{"profile-traits", "session-context"} {
		out := plugintest.Run(t, io.RegisterInject(), plugintest.Case{Config: plugin.Config{"value": `{"k": "v"}`, "destination": dest}})
		out.MustPort(t, "payload")
		if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "warning" {
			t.Errorf("%s without profile/session: logs %v, want one warning", dest, logs)
		}
	}
}

func TestInjectConfigErrors(t *testing.T) {
	p := io.RegisterInject()
	plugintest.SetUpFails(t, p, plugin.Config{"value": "{"}, "value")
	plugintest.SetUpFails(t, p, plugin.Config{"value": "[1]"}, "value")
	plugintest.SetUpFails(t, p, plugin.Config{"value": ""}, "value")
	plugintest.SetUpFails(t, p, plugin.Config{"value": "{}", "destination": "profile-everything"}, "destination")
	plugintest.SetUpFails(t, p, plugin.Config{"value": `{"a": "event@a..b"}`}, "value")
}

func TestReshapePayload(t *testing.T) {
	p := io.RegisterReshapePayload()
	profile := plugin.Profile{"id": "p1", "traits": map[string]any{"tags": []any{"a"}}}
	cases := []struct {
		name    string
		config  plugin.Config
		profile plugin.Profile
		port    string
		want    plugin.Payload
	}{
		{"default {} gives {}", nil, profile, "payload", plugin.Payload{}},
		{"template", plugin.Config{"value": `{"id": "profile@id", "in": "payload@x", "src": "web", "n": 1}`, "default": true},
			profile, "payload", plugin.Payload{"id": "p1", "in": 5.0, "src": "web", "n": 1.0}},
		{"missing is null by default", plugin.Config{"value": `{"m": "payload@nope", "o?": "payload@nope"}`},
			profile, "payload", plugin.Payload{"m": nil}},
		{"missing with default off goes to error", plugin.Config{"value": `{"m": "payload@nope"}`, "default": false},
			profile, "error", nil},
		{"profile-less: profile values are null", plugin.Config{"value": `{"id": "profile@id"}`},
			nil, "payload", plugin.Payload{"id": nil}},
		{"profile-less with default off goes to error", plugin.Config{"value": `{"id": "profile@id"}`, "default": false},
			nil, "error", nil},
		{"result not an object goes to error", plugin.Config{"value": `"profile@traits.tags"`},
			profile, "error", nil},
		{"whole object", plugin.Config{"value": `"profile@traits"`},
			profile, "payload", plugin.Payload{"tags": []any{"a"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, p, plugintest.Case{Config: c.config, Profile: c.profile, Payload: plugin.Payload{"x": 5.0}})
			got := out.MustPort(t, c.port)
			if c.port == "error" {
				if got["message"] == "" || len(out.Logs()) == 0 {
					t.Errorf("error port %v, logs %v: want a message, logged", got, out.Logs())
				}
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestReshapePayloadCopies(t *testing.T) {
	profile := plugin.Profile{"traits": map[string]any{"tags": []any{"a"}}}
	out := plugintest.Run(t, io.RegisterReshapePayload(), plugintest.Case{
		Config: plugin.Config{"value": `{"tags": "profile@traits.tags"}`}, Profile: profile,
	})
	got := out.MustPort(t, "payload")
	got["tags"].([]any)[0] = "changed"
	if dotpath.At(profile, "traits.tags.0") != "a" {
		t.Fatal("the new payload shares a list with the profile")
	}
}

func TestReshapePayloadConfigErrors(t *testing.T) {
	p := io.RegisterReshapePayload()
	plugintest.SetUpFails(t, p, plugin.Config{"value": "{"}, "value")
	plugintest.SetUpFails(t, p, plugin.Config{"value": ""}, "value")
	plugintest.SetUpFails(t, p, plugin.Config{}, "value")
	plugintest.SetUpFails(t, p, plugin.Config{"value": "[]"}, "value")
	plugintest.SetUpFails(t, p, plugin.Config{"value": "{}", "default": 1}, "default")
}
