package flowcontrol_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/flowcontrol"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestIf(t *testing.T) {
	profile := plugin.Profile{"id": "p1", "stats": map[string]any{"visits": 3.0}}
	cases := []struct {
		name    string
		config  plugin.Config
		profile plugin.Profile
		port    string
		value   plugin.Payload
	}{
		{"true", plugin.Config{"condition": `event@type == "purchase"`}, profile, "true", plugin.Payload{"a": 1.0}},
		{"false", plugin.Config{"condition": `event@type == "page-view"`}, profile, "false", plugin.Payload{"a": 1.0}},
		{"reads payload and profile", plugin.Config{"condition": `payload@a == 1 AND profile@stats.visits > 2`}, profile, "true", plugin.Payload{"a": 1.0}},
		{"missing field is false", plugin.Config{"condition": `profile@traits.nope == 1`}, profile, "false", plugin.Payload{"a": 1.0}},
		{"profile-less event", plugin.Config{"condition": `profile@stats.visits > 2`}, nil, "false", plugin.Payload{"a": 1.0}},
		{"profile-less event, NOT EXISTS", plugin.Config{"condition": `profile@id NOT EXISTS`}, nil, "true", plugin.Payload{"a": 1.0}},
		{"result instead of payload (true)", plugin.Config{"condition": `payload@a == 1`, "pass_payload": false}, profile, "true", plugin.Payload{"result": true}},
		{"result instead of payload (false)", plugin.Config{"condition": `payload@a == 2`, "pass_payload": false}, profile, "false", plugin.Payload{"result": false}},
		{"Tracardi's full init", plugin.Config{"condition": `payload@a == 1`, "trigger_once": false, "pass_payload": true, "ttl": 0}, profile, "true", plugin.Payload{"a": 1.0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, flowcontrol.RegisterIf(), plugintest.Case{
				Config: c.config, Profile: c.profile,
				Event:   plugin.Event{"id": "e1", "type": "purchase"},
				Payload: plugin.Payload{"a": 1.0},
			})
			if got := out.MustPort(t, c.port); !reflect.DeepEqual(got, c.value) {
				t.Errorf("%s port carried %v, want %v", c.port, got, c.value)
			}
			if len(out.Results) != 1 {
				t.Errorf("results = %v, want one", out.Results)
			}
			if len(out.Logs()) != 0 {
				t.Errorf("logs = %v", out.Logs())
			}
		})
	}
}

func TestIfTriggerOnce(t *testing.T) {
	ctx := context.Background()
	p := flowcontrol.RegisterIf()
	act, err := plugintest.SetUp(ctx, p, plugin.Config{"condition": `payload@a == 1`, "trigger_once": true, "ttl": "0"})
	if err != nil {
		t.Fatal(err)
	}
	profile := plugin.Profile{"id": "p1"}
	// The result fires when it changes, per profile: 1 → true, 1 → nothing,
	// 2 → false, 2 → nothing, 1 → true.
	want := []string{"true", "", "false", "", "true"}
	for i, a := range []float64{1, 1, 2, 2, 1} {
		out := plugintest.RunAction(ctx, p, act, plugintest.Case{Profile: profile, Payload: plugin.Payload{"a": a}})
		if out.Err != nil {
			t.Fatal(out.Err)
		}
		got := strings.Join(out.Ports(), ",")
		if got != want[i] {
			t.Errorf("event %d (a=%v): fired %q, want %q", i, a, got, want[i])
		}
	}
	// Another profile has its own memory; events without a profile always fire.
	out := plugintest.RunAction(ctx, p, act, plugintest.Case{Profile: plugin.Profile{"id": "p2"}, Payload: plugin.Payload{"a": 1.0}})
	if strings.Join(out.Ports(), ",") != "true" {
		t.Errorf("second profile: %v", out.Ports())
	}
	for i := 0; i < 2; i++ {
		if out := plugintest.RunAction(ctx, p, act, plugintest.Case{Payload: plugin.Payload{"a": 1.0}}); len(out.Ports()) != 1 {
			t.Errorf("profile-less event %d: %v", i, out.Ports())
		}
	}
}

func TestIfEvalError(t *testing.T) {
	out := plugintest.Run(t, flowcontrol.RegisterIf(), plugintest.Case{
		Config:  plugin.Config{"condition": `datetime(payload@d) > now()`},
		Payload: plugin.Payload{"d": "not a date"},
	})
	if out.Err == nil {
		t.Fatalf("a condition that cannot be evaluated must fail the node; results %v", out.Results)
	}
}

func TestIfConfigErrors(t *testing.T) {
	p := flowcontrol.RegisterIf()
	plugintest.SetUpFails(t, p, nil, "condition") // Tracardi's default init has an empty condition
	plugintest.SetUpFails(t, p, plugin.Config{"condition": "  "}, "condition")
	plugintest.SetUpFails(t, p, plugin.Config{"condition": `event@type ==`}, "condition")
	plugintest.SetUpFails(t, p, plugin.Config{"condition": 1}, "condition")
	plugintest.SetUpFails(t, p, plugin.Config{"condition": `payload@a == 1`, "ttl": -1}, "ttl")
	plugintest.SetUpFails(t, p, plugin.Config{"condition": `payload@a == 1`, "ttl": "soon"}, "ttl")
	plugintest.SetUpFails(t, p, plugin.Config{"condition": `payload@a == 1`, "pass_payload": "no"}, "pass_payload")
}

func TestDataExists(t *testing.T) {
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{
		"main": "a@b.c", "business": "", "private": nil,
	}}}, "traits": map[string]any{"zero": 0.0, "no": false, "list": []any{}, "obj": map[string]any{}}}
	cases := []struct {
		property string
		profile  plugin.Profile
		port     string
	}{
		{"profile@data.contact.email.main", profile, "true"},
		{"profile@data.contact.email.business", profile, "false"},
		{"profile@data.contact.email.private", profile, "false"},
		{"profile@data.contact.email.nope", profile, "false"},
		{"profile@data.contact.email.main.deeper", profile, "false"},
		{"profile@traits.zero", profile, "true"},
		{"profile@traits.no", profile, "true"},
		{"profile@traits.list", profile, "true"},
		{"profile@traits.obj", profile, "true"},
		{"profile@data.contact.email.main", nil, "false"},
		{"payload@x", nil, "true"},
		{"event@type", nil, "true"},
	}
	for _, c := range cases {
		out := plugintest.Run(t, flowcontrol.RegisterDataExists(), plugintest.Case{
			Config: plugin.Config{"property": c.property}, Profile: c.profile, Payload: plugin.Payload{"x": 1.0},
		})
		if got := out.MustPort(t, c.port); got["x"] != 1.0 {
			t.Errorf("%s: payload = %v", c.property, got)
		}
		if len(out.Results) != 1 {
			t.Errorf("%s: results = %v", c.property, out.Results)
		}
	}
}

func TestDataExistsConfigErrors(t *testing.T) {
	p := flowcontrol.RegisterDataExists()
	plugintest.SetUpFails(t, p, plugin.Config{}, "property")
	plugintest.SetUpFails(t, p, plugin.Config{"property": "email"}, "property")
	plugintest.SetUpFails(t, p, plugin.Config{"property": "profile@a..b"}, "property")
	plugintest.SetUpFails(t, p, plugin.Config{"property": []any{}}, "property")
}
