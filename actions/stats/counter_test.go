package stats_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/stats"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func counters(p plugin.Profile) map[string]any {
	c, _ := dotpath.At(p, "stats.counters").(map[string]any)
	return c
}

func TestCounters(t *testing.T) {
	cases := []struct {
		name   string
		reg    func() plugin.Plugin
		config plugin.Config
		start  map[string]any
		want   any
		logs   int
	}{
		{"increment by 1", stats.RegisterIncrement, plugin.Config{"field": "profile@stats.counters.x", "increment": 1}, map[string]any{"x": 2.0}, 3.0, 0},
		{"increment by 2 from missing", stats.RegisterIncrement, plugin.Config{"field": "profile@stats.counters.x", "increment": 2}, map[string]any{}, 2.0, 1},
		{"increment null", stats.RegisterIncrement, plugin.Config{"field": "profile@stats.counters.x", "increment": 1}, map[string]any{"x": nil}, 1.0, 0},
		{"increment by text number", stats.RegisterIncrement, plugin.Config{"field": "profile@stats.counters.x", "increment": "0.5"}, map[string]any{"x": 1.0}, 1.5, 0},
		{"increment an int", stats.RegisterIncrement, plugin.Config{"field": "profile@stats.counters.x", "increment": 1}, map[string]any{"x": 4}, 5.0, 0},
		{"decrement by 1", stats.RegisterDecrement, plugin.Config{"field": "profile@stats.counters.x", "decrement": 1}, map[string]any{"x": 2.0}, 1.0, 0},
		{"decrement from missing", stats.RegisterDecrement, plugin.Config{"field": "profile@stats.counters.x", "decrement": 3}, map[string]any{}, -3.0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			profile := plugin.Profile{"id": "1", "stats": map[string]any{"counters": c.start}}
			out := plugintest.Run(t, c.reg(), plugintest.Case{Config: c.config, Profile: profile, Payload: plugin.Payload{"a": 1.0}})
			if got := out.MustPort(t, "payload"); got["a"] != 1.0 {
				t.Errorf("payload = %v", got)
			}
			if got := counters(profile)["x"]; got != c.want {
				t.Errorf("counter = %#v, want %#v", got, c.want)
			}
			if len(out.Logs()) != c.logs {
				t.Errorf("logs = %v, want %d", out.Logs(), c.logs)
			}
		})
	}
}

func TestCounterInPayloadAndMemory(t *testing.T) {
	out := plugintest.Run(t, stats.RegisterIncrement(), plugintest.Case{
		Config: plugin.Config{"field": "payload@n", "increment": 1}, Payload: plugin.Payload{"n": 1.0},
	})
	if got := out.MustPort(t, "payload"); !reflect.DeepEqual(got, plugin.Payload{"n": 2.0}) {
		t.Errorf("payload = %v", got)
	}
	out = plugintest.Run(t, stats.RegisterDecrement(), plugintest.Case{
		Config: plugin.Config{"field": "memory@n", "decrement": 1},
	})
	out.MustPort(t, "payload")
	if out.State.Memory["n"] != -1.0 {
		t.Errorf("memory = %v", out.State.Memory)
	}
}

func TestCounterNotNumeric(t *testing.T) {
	for _, v := range []any{"5", true, map[string]any{}, []any{1.0}} {
		profile := plugin.Profile{"stats": map[string]any{"counters": map[string]any{"x": v}}}
		out := plugintest.Run(t, stats.RegisterIncrement(), plugintest.Case{
			Config: plugin.Config{"field": "profile@stats.counters.x", "increment": 1}, Profile: profile,
		})
		got := out.MustPort(t, "error")
		if msg, _ := got["message"].(string); !strings.Contains(msg, "not numeric") {
			t.Errorf("%#v: error = %v", v, got)
		}
		if !reflect.DeepEqual(counters(profile)["x"], v) {
			t.Errorf("%#v: value changed to %v", v, counters(profile)["x"])
		}
		if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "error" {
			t.Errorf("%#v: logs = %v", v, logs)
		}
	}
	// A path through a scalar cannot be written.
	profile := plugin.Profile{"traits": map[string]any{"name": "Ann"}}
	out := plugintest.Run(t, stats.RegisterIncrement(), plugintest.Case{
		Config: plugin.Config{"field": "profile@traits.name.count", "increment": 1}, Profile: profile,
	})
	out.MustPort(t, "error")
}

func TestCounterProfileLess(t *testing.T) {
	for _, field := range []string{"profile@stats.counters.x", "session@x"} {
		out := plugintest.Run(t, stats.RegisterIncrement(), plugintest.Case{Config: plugin.Config{"field": field, "increment": 1}})
		out.MustPort(t, "payload")
		if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "warning" {
			t.Errorf("%s: logs = %v, want one warning", field, logs)
		}
	}
}

func TestCounterConfigErrors(t *testing.T) {
	inc, dec := stats.RegisterIncrement(), stats.RegisterDecrement()
	plugintest.SetUpFails(t, inc, plugin.Config{"field": "profile@x"}, "increment")
	plugintest.SetUpFails(t, inc, plugin.Config{"field": "profile@x", "increment": "one"}, "increment")
	plugintest.SetUpFails(t, inc, plugin.Config{"field": "profile@x", "decrement": 1}, "increment")
	plugintest.SetUpFails(t, dec, plugin.Config{"field": "profile@x", "increment": 1}, "decrement")
	plugintest.SetUpFails(t, inc, plugin.Config{"field": "", "increment": 1}, "field")
	plugintest.SetUpFails(t, inc, plugin.Config{"field": "counter", "increment": 1}, "field")
	plugintest.SetUpFails(t, inc, plugin.Config{"field": "flow@x", "increment": 1}, "field")
	plugintest.SetUpFails(t, inc, plugin.Config{"field": 3, "increment": 1}, "field")
}

// TestMissingCounterWarns: a counter that does not exist yet starts at 0
// and a console warning says so (Tracardi's behaviour), for both plugins.
func TestMissingCounterWarns(t *testing.T) {
	for _, reg := range []func() plugin.Plugin{stats.RegisterIncrement, stats.RegisterDecrement} {
		p := reg()
		by := "increment"
		if strings.Contains(p.Spec.Module, "decrement") {
			by = "decrement"
		}
		out := plugintest.Run(t, p, plugintest.Case{
			Config:  plugin.Config{"field": "profile@stats.counters.new", by: 1},
			Profile: plugin.Profile{"id": "1", "stats": map[string]any{"counters": map[string]any{}}},
		})
		out.MustPort(t, "payload")
		logs := out.Logs()
		if len(logs) != 1 || logs[0].Level != "warning" || !strings.Contains(logs[0].Message, "profile@stats.counters.new") {
			t.Errorf("%s: logs = %v, want one warning naming the counter", p.Spec.Module, logs)
		}
	}
}
