package data_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestAppendRemoveSequence follows Tracardi's own sequence for this plugin:
// append to a missing path sets the value, a second append makes a list,
// removes take items out.
func TestAppendRemoveSequence(t *testing.T) {
	profile := plugin.Profile{"id": "1"}
	steps := []struct {
		config plugin.Config
		path   string
		want   any
	}{
		{plugin.Config{"append": map[string]any{"profile@traits.public.value": 1.0}}, "traits.public.value", 1.0},
		{plugin.Config{"append": map[string]any{"profile@traits.public.value": 2.0}}, "traits.public.value", []any{1.0, 2.0}},
		{plugin.Config{"append": map[string]any{"profile@traits.public.value": 2.0}}, "traits.public.value", []any{1.0, 2.0}},
		{plugin.Config{"remove": map[string]any{"profile@traits.public.value": 2.0}}, "traits.public.value", []any{1.0}},
		{plugin.Config{"append": map[string]any{"profile@traits.public.value": 3.0}}, "traits.public.value", []any{1.0, 3.0}},
		{plugin.Config{"remove": map[string]any{"profile@traits.public.value": []any{1.0, 3.0}}}, "traits.public.value", []any{}},
		{plugin.Config{"append": map[string]any{"profile@traits.public.objects": []any{map[string]any{"A": 1.0}}}}, "traits.public.objects", []any{map[string]any{"A": 1.0}}},
		{plugin.Config{"append": map[string]any{"profile@traits.public.objects": map[string]any{"A": 1.0}}}, "traits.public.objects", []any{map[string]any{"A": 1.0}}},
		{plugin.Config{"remove": map[string]any{"profile@traits.public.objects": []any{map[string]any{"A": 1.0}}}}, "traits.public.objects", []any{}},
	}
	for i, s := range steps {
		out := plugintest.Run(t, data.RegisterAppendRemove(), plugintest.Case{Config: s.config, Profile: profile})
		out.MustPort(t, "payload")
		if got := dig(out.State.Profile, s.path); !reflect.DeepEqual(got, s.want) {
			t.Fatalf("step %d: %s = %#v, want %#v", i, s.path, got, s.want)
		}
	}
}

func TestAppendReferences(t *testing.T) {
	out := plugintest.Run(t, data.RegisterAppendRemove(), plugintest.Case{
		Config: plugin.Config{"append": map[string]any{
			"profile@traits.cities": "event@properties.city",
			"profile@traits.skus":   "event@properties.items",
			"payload@seen":          "`true`",
		}},
		Event:   newEvent(),
		Profile: plugin.Profile{"traits": map[string]any{"cities": "Bergen", "skus": []any{}}},
	})
	got := out.MustPort(t, "payload")
	if got["seen"] != true {
		t.Errorf("payload = %v", got)
	}
	if v := dig(out.State.Profile, "traits.cities"); !reflect.DeepEqual(v, []any{"Bergen", "Oslo"}) {
		t.Errorf("cities = %v", v)
	}
	if v := dig(out.State.Profile, "traits.skus"); !reflect.DeepEqual(v, []any{map[string]any{"sku": "A"}}) {
		t.Errorf("skus = %v", v)
	}
}

func TestAppendRemoveErrors(t *testing.T) {
	out := plugintest.Run(t, data.RegisterAppendRemove(), plugintest.Case{
		Config: plugin.Config{"remove": map[string]any{"profile@id": 1.0}}, Profile: plugin.Profile{"id": "1"},
	})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "not a list") {
		t.Fatalf("remove from a string: err = %v", out.Err)
	}
	out = plugintest.Run(t, data.RegisterAppendRemove(), plugintest.Case{
		Config: plugin.Config{"append": map[string]any{"profile@traits.x": "event@properties.nope"}}, Profile: plugin.Profile{"id": "1"},
	})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "event@properties.nope") {
		t.Fatalf("append of a missing reference: err = %v", out.Err)
	}
	// Removing from a missing list is not an error.
	out = plugintest.Run(t, data.RegisterAppendRemove(), plugintest.Case{
		Config: plugin.Config{"remove": map[string]any{"profile@traits.none": "a"}}, Profile: plugin.Profile{"id": "1"},
	})
	out.MustPort(t, "payload")
}

func TestAppendProfileLess(t *testing.T) {
	out := plugintest.Run(t, data.RegisterAppendRemove(), plugintest.Case{
		Config: plugin.Config{"append": map[string]any{"profile@traits.x": "a"}, "remove": map[string]any{"profile@traits.y": "b"}},
	})
	out.MustPort(t, "payload")
	if logs := out.Logs(); len(logs) != 2 || logs[0].Level != "warning" {
		t.Fatalf("logs = %v, want two warnings", logs)
	}
}

func TestAppendConfigErrors(t *testing.T) {
	p := data.RegisterAppendRemove()
	plugintest.SetUpFails(t, p, plugin.Config{"append": map[string]any{"flow@x": "source1"}}, "append.flow@x")
	plugintest.SetUpFails(t, p, plugin.Config{"append": map[string]any{"profile@a..b": "x", "event@ok": "payload@c..d"}}, "append.profile@a..b")
	if fe := plugintest.SetUpFails(t, p, plugin.Config{"append": map[string]any{"profile@a..b": "x", "event@ok": "payload@c..d"}}, "append.event@ok"); len(fe) != 2 {
		t.Errorf("want both fields' errors at once, got %v", fe)
	}
	plugintest.SetUpFails(t, p, plugin.Config{"remove": map[string]any{"flow@x": "a"}}, "remove.flow@x")
	plugintest.SetUpFails(t, p, plugin.Config{"append": "x"}, "append")
}

func TestDelete(t *testing.T) {
	profile := plugin.Profile{"id": "1", "traits": map[string]any{"a": 1.0, "b": 2.0, "list": []any{"x", "y"}}}
	out := plugintest.Run(t, data.RegisterDelete(), plugintest.Case{
		Config:  plugin.Config{"delete": []any{"profile@traits.a", "profile@traits.list.0", "payload@p", "memory@m"}},
		Profile: profile, Payload: plugin.Payload{"p": 1.0, "q": 2.0}, Memory: map[string]any{"m": 1.0},
	})
	got := out.MustPort(t, "payload")
	if !reflect.DeepEqual(got, plugin.Payload{"q": 2.0}) {
		t.Errorf("payload = %v", got)
	}
	if !reflect.DeepEqual(profile["traits"], map[string]any{"b": 2.0, "list": []any{"y"}}) {
		t.Errorf("traits = %v", profile["traits"])
	}
	if len(out.State.Memory) != 0 {
		t.Errorf("memory = %v", out.State.Memory)
	}
	if len(out.Logs()) != 0 {
		t.Errorf("logs = %v", out.Logs())
	}
}

func TestDeleteWarnings(t *testing.T) {
	ev := newEvent()
	out := plugintest.Run(t, data.RegisterDelete(), plugintest.Case{
		Config: plugin.Config{"delete": []any{"profile@traits.a", "event@properties.city", "session@x"}},
		Event:  ev,
	})
	out.MustPort(t, "payload")
	if logs := out.Logs(); len(logs) != 3 {
		t.Fatalf("logs = %v, want three warnings", logs)
	}
	if dotpath.At(ev, "properties.city") != "Oslo" {
		t.Fatal("the event was changed")
	}
	out = plugintest.Run(t, data.RegisterDelete(), plugintest.Case{
		Config: plugin.Config{"delete": []any{"profile@traits.nope"}}, Profile: plugin.Profile{"id": "1"},
	})
	out.MustPort(t, "payload")
	if logs := out.Logs(); len(logs) != 1 || !strings.Contains(logs[0].Message, "missing") {
		t.Fatalf("logs = %v, want a missing warning", logs)
	}
}

func TestDeleteConfigErrors(t *testing.T) {
	p := data.RegisterDelete()
	plugintest.SetUpFails(t, p, plugin.Config{"delete": []any{}}, "delete")
	plugintest.SetUpFails(t, p, plugin.Config{}, "delete")
	plugintest.SetUpFails(t, p, plugin.Config{"delete": []any{"profile@a", "nope"}}, "delete.1")
	plugintest.SetUpFails(t, p, plugin.Config{"delete": []any{"profile@"}}, "delete.0")
	plugintest.SetUpFails(t, p, plugin.Config{"delete": []any{"flow@id"}}, "delete.0")
	plugintest.SetUpFails(t, p, plugin.Config{"delete": 3}, "delete")
}
