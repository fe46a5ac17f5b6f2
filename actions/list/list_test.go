package list_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/list"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestFindMaxValue(t *testing.T) {
	counts := map[string]any{"shoes": 5.0, "hats": 2.0, "bags": 5.0, "socks": -1.0}
	cases := []struct {
		op   string
		want plugin.Payload
	}{
		{"max", plugin.Payload{"key": "bags", "value": 5.0}}, // tie with shoes: the first key wins
		{"min", plugin.Payload{"key": "socks", "value": -1.0}},
	}
	for _, c := range cases {
		out := plugintest.Run(t, list.RegisterFindMaxValue(), plugintest.Case{
			Config: plugin.Config{"source": "payload@counts", "operation": c.op}, Payload: plugin.Payload{"counts": counts},
		})
		if got := out.MustPort(t, "result"); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %v, want %v", c.op, got, c.want)
		}
	}
	for name, c := range map[string]struct {
		config  plugin.Config
		payload plugin.Payload
		msg     string
	}{
		"tracardi test config": {plugin.Config{"source": "abc"}, nil, "not an object"},
		"empty source":         {plugin.Config{"source": ""}, nil, "not set"},
		"missing":              {plugin.Config{"source": "payload@x"}, nil, "payload@x"},
		"empty object":         {plugin.Config{"source": "payload@x"}, plugin.Payload{"x": map[string]any{}}, "empty"},
		"not numbers":          {plugin.Config{"source": "payload@x"}, plugin.Payload{"x": map[string]any{"a": 1.0, "b": "2"}}, "\"b\" is"},
		"booleans":             {plugin.Config{"source": "payload@x"}, plugin.Payload{"x": map[string]any{"a": true}}, "are numbers: \"a\" is a boolean"},
	} {
		out := plugintest.Run(t, list.RegisterFindMaxValue(), plugintest.Case{Config: c.config, Payload: c.payload})
		if msg, _ := out.MustPort(t, "error")["message"].(string); !strings.Contains(msg, c.msg) {
			t.Errorf("%s: message = %q, want %q", name, msg, c.msg)
		}
	}
	plugintest.SetUpFails(t, list.RegisterFindMaxValue(), plugin.Config{"source": "payload@x", "operation": "avg"}, "operation")
}

func TestSetOperations(t *testing.T) {
	p := plugin.Payload{"a": []any{"x", "y", "y", 1.0, map[string]any{"k": 1.0}}, "b": []any{"y", "z", 1.0, map[string]any{"k": 1.0}}, "c": []any{"y"}}
	cases := []struct {
		op, s1, s2 string
		want       any
	}{
		{"intersection", "payload@a", "payload@b", []any{"y", 1.0, map[string]any{"k": 1.0}}},
		{"union", "payload@a", "payload@b", []any{"x", "y", 1.0, map[string]any{"k": 1.0}, "z"}},
		{"difference", "payload@a", "payload@b", []any{"x"}},
		{"symmetric_difference", "payload@a", "payload@b", []any{"x", "z"}},
		{"Is_Subset", "payload@c", "payload@a", true},
		{"is_subset", "payload@a", "payload@c", false},
		{"is_superset", "payload@a", "payload@c", true},
		{"intersection", "", "", []any{}}, // Tracardi's test config
	}
	for _, c := range cases {
		out := plugintest.Run(t, list.RegisterSetOperation(), plugintest.Case{
			Config: plugin.Config{"set1": c.s1, "set2": c.s2, "operation": c.op}, Payload: p,
		})
		if got := out.MustPort(t, "result"); !reflect.DeepEqual(got["result"], c.want) {
			t.Errorf("%s(%s, %s) = %#v, want %#v", c.op, c.s1, c.s2, got["result"], c.want)
		}
	}
	for _, s2 := range []string{"payload@missing", "payload@text"} {
		out := plugintest.Run(t, list.RegisterSetOperation(), plugintest.Case{
			Config: plugin.Config{"set1": "payload@a", "set2": s2, "operation": "union"}, Payload: plugin.Payload{"a": []any{}, "text": "abc"},
		})
		if msg, _ := out.MustPort(t, "error")["message"].(string); !strings.Contains(msg, "Set 2: "+s2) {
			t.Errorf("%s: %q", s2, msg)
		}
	}
	plugintest.SetUpFails(t, list.RegisterSetOperation(), plugin.Config{"set1": "", "set2": "", "operation": "merge"}, "operation")
}
