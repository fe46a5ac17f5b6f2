package stats_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/stats"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestKeyCounter(t *testing.T) {
	event := plugin.Event{"type": "view", "properties": map[string]any{
		"category": "shoes", "tags": []any{"sale", "new", "sale"}, "weights": map[string]any{"shoes": 2.0, "hats": 0.5},
	}}
	cases := []struct {
		name  string
		key   any
		start any
		want  map[string]any
	}{
		{"one key", "event@properties.category", map[string]any{"shoes": 1.0}, map[string]any{"shoes": 2.0}},
		{"missing place", "event@properties.category", nil, map[string]any{"shoes": 1.0}},
		{"referenced list", "event@properties.tags", map[string]any{}, map[string]any{"sale": 2.0, "new": 1.0}},
		{"referenced object", "event@properties.weights", map[string]any{"hats": 1.0}, map[string]any{"shoes": 2.0, "hats": 1.5}},
		{"list of keys", []any{"event@properties.category", "literal"}, map[string]any{}, map[string]any{"shoes": 1.0, "literal": 1.0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			profile := plugin.Profile{"id": "p", "stats": map[string]any{"counters": map[string]any{}}}
			if c.start != nil {
				profile["stats"].(map[string]any)["counters"].(map[string]any)["cats"] = c.start
			}
			out := plugintest.Run(t, stats.RegisterKeyCounter(), plugintest.Case{
				Config: plugin.Config{"key": c.key, "save_in": "profile@stats.counters.cats"}, Event: event, Profile: profile,
				Payload: plugin.Payload{"a": 1.0},
			})
			if got := out.MustPort(t, "payload"); got["a"] != 1.0 {
				t.Errorf("payload = %v", got)
			}
			if got := profile["stats"].(map[string]any)["counters"].(map[string]any)["cats"]; !reflect.DeepEqual(got, c.want) {
				t.Errorf("counts = %v, want %v", got, c.want)
			}
		})
	}
	// Tracardi's test config: key "1" counted in profile@2.
	profile := plugin.Profile{"id": "p"}
	plugintest.Run(t, stats.RegisterKeyCounter(), plugintest.Case{Config: plugin.Config{"key": "1", "save_in": "2"}, Profile: profile}).MustPort(t, "payload")
	if !reflect.DeepEqual(profile["2"], map[string]any{"1": 1.0}) {
		t.Errorf("profile = %v", profile)
	}
	for name, c := range map[string]struct {
		key   any
		start any
		msg   string
	}{
		"place not an object": {"event@properties.category", "text", "must be an object"},
		"count not a number":  {"event@properties.category", map[string]any{"shoes": "x"}, "not a number"},
		"key missing":         {"event@properties.gone", map[string]any{}, "event@properties.gone"},
		"key a number":        {"event@type_count", map[string]any{}, "text, a list or an object"},
	} {
		before := map[string]any{"cats": c.start}
		profile := plugin.Profile{"id": "p", "stats": before}
		out := plugintest.Run(t, stats.RegisterKeyCounter(), plugintest.Case{
			Config: plugin.Config{"key": c.key, "save_in": "profile@stats.cats"},
			Event:  plugin.Event{"type": "x", "type_count": 3.0, "properties": map[string]any{"category": "shoes"}}, Profile: profile,
		})
		if out.Err == nil || !strings.Contains(out.Err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want %q", name, out.Err, c.msg)
		}
		if !reflect.DeepEqual(profile["stats"].(map[string]any)["cats"], c.start) {
			t.Errorf("%s: counts changed to %v", name, profile["stats"])
		}
	}
	plugintest.SetUpFails(t, stats.RegisterKeyCounter(), plugin.Config{"key": 5, "save_in": "profile@x"}, "key")
	plugintest.SetUpFails(t, stats.RegisterKeyCounter(), plugin.Config{"key": "a", "save_in": "flow@x"}, "save_in")
	// Without a profile a profile@ place is skipped with a warning.
	out := plugintest.Run(t, stats.RegisterKeyCounter(), plugintest.Case{Config: plugin.Config{"key": "a", "save_in": "profile@x"}})
	out.MustPort(t, "payload")
	if len(out.Logs()) != 1 || out.Logs()[0].Level != "warning" {
		t.Errorf("logs = %v", out.Logs())
	}
}

func TestIncreaseViewsAndVisits(t *testing.T) {
	profile := plugin.Profile{"id": "p", "stats": map[string]any{"views": 3.0, "visits": 1.0}}
	newSession := plugin.Session{"id": "s", "operation": map[string]any{"new": true}}
	oldSession := plugin.Session{"id": "s", "operation": map[string]any{"new": false}}

	out := plugintest.Run(t, stats.RegisterIncreaseViews(), plugintest.Case{Profile: profile, Session: oldSession, Payload: plugin.Payload{"a": 1.0}})
	if got := out.MustPort(t, "payload"); got["a"] != 1.0 || profile["stats"].(map[string]any)["views"] != 4.0 || out.State.ProfileFlag() != plugin.SaveForced {
		t.Errorf("views: payload %v profile %v", got, profile)
	}
	plugintest.Run(t, stats.RegisterIncreaseVisits(), plugintest.Case{Profile: profile, Session: oldSession}).MustPort(t, "payload")
	if profile["stats"].(map[string]any)["visits"] != 1.0 {
		t.Errorf("an old session counted a visit: %v", profile)
	}
	plugintest.Run(t, stats.RegisterIncreaseVisits(), plugintest.Case{Profile: profile, Session: newSession}).MustPort(t, "payload")
	if profile["stats"].(map[string]any)["visits"] != 2.0 {
		t.Errorf("a new session did not count: %v", profile)
	}
	// A profile without stats gets them.
	bare := plugin.Profile{"id": "q"}
	plugintest.Run(t, stats.RegisterIncreaseViews(), plugintest.Case{Profile: bare}).MustPort(t, "payload")
	if bare["stats"].(map[string]any)["views"] != 1.0 {
		t.Errorf("bare profile = %v", bare)
	}
	for _, reg := range []func() plugin.Plugin{stats.RegisterIncreaseViews, stats.RegisterIncreaseVisits} {
		out := plugintest.Run(t, reg(), plugintest.Case{Session: newSession})
		out.MustPort(t, "payload")
		if len(out.Logs()) != 1 || out.Logs()[0].Level != "warning" {
			t.Errorf("profile-less: logs = %v", out.Logs())
		}
	}
}
