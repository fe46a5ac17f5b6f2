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

func set(m map[string]any) plugin.Config {
	return plugin.Config{"traits": map[string]any{"set": m}}
}

func newProfile() plugin.Profile {
	return plugin.Profile{"id": "p1", "traits": map[string]any{"name": "Ann"}, "stats": map[string]any{"visits": 3.0}}
}

func newEvent() plugin.Event {
	return plugin.Event{"id": "e1", "type": "purchase", "properties": map[string]any{
		"city": "Oslo", "items": []any{map[string]any{"sku": "A"}}, "none": nil,
	}}
}

func TestCopy(t *testing.T) {
	cases := []struct {
		name    string
		config  plugin.Config
		check   map[string]any // profile@ paths (dot separated, under the profile) → value
		payload plugin.Payload
	}{
		{"reference", set(map[string]any{"profile@traits.city": "event@properties.city"}),
			map[string]any{"traits.city": "Oslo"}, nil},
		{"literal", set(map[string]any{"profile@traits.channel": "web"}),
			map[string]any{"traits.channel": "web"}, nil},
		{"cast literal", set(map[string]any{"profile@traits.vip": "`true`", "profile@traits.n": "`12`"}),
			map[string]any{"traits.vip": true, "traits.n": 12.0}, nil},
		{"non-string values are set as they are", set(map[string]any{"profile@traits.obj": map[string]any{"a": 1.0}, "profile@traits.num": 7.0}),
			map[string]any{"traits.obj": map[string]any{"a": 1.0}, "traits.num": 7.0}, nil},
		{"null is copied", set(map[string]any{"profile@traits.none": "event@properties.none"}),
			map[string]any{"traits.none": nil}, nil},
		{"creates missing objects", set(map[string]any{"profile@data.pii.city": "event@properties.city"}),
			map[string]any{"data.pii.city": "Oslo"}, nil},
		{"parent before child", set(map[string]any{"profile@traits.a.b": "x", "profile@traits.a": map[string]any{"c": "y"}}),
			map[string]any{"traits.a": map[string]any{"b": "x", "c": "y"}}, nil},
		{"into payload and memory", set(map[string]any{"payload@copied": "profile@traits.name", "memory@m": "`1`"}),
			nil, plugin.Payload{"in": 1.0, "copied": "Ann"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, data.RegisterCopy(), plugintest.Case{
				Config: c.config, Event: newEvent(), Profile: newProfile(), Payload: plugin.Payload{"in": 1.0},
			})
			got := out.MustPort(t, "payload")
			for path, want := range c.check {
				if v := dig(out.State.Profile, path); !reflect.DeepEqual(v, want) {
					t.Errorf("profile %s = %v, want %v", path, v, want)
				}
			}
			if c.payload != nil && !reflect.DeepEqual(got, c.payload) {
				t.Errorf("payload = %v, want %v", got, c.payload)
			}
			if len(out.Logs()) != 0 {
				t.Errorf("unexpected logs %v", out.Logs())
			}
		})
	}
}

func TestCopyDoesNotAlias(t *testing.T) {
	ev := newEvent()
	out := plugintest.Run(t, data.RegisterCopy(), plugintest.Case{
		Config: set(map[string]any{"profile@traits.items": "event@properties.items"}), Event: ev, Profile: newProfile(),
	})
	out.MustPort(t, "payload")
	item, ok := dotpath.At(out.State.Profile, "traits.items.0").(map[string]any)
	if !ok {
		t.Fatalf("profile traits = %v, want the copied items", out.State.Profile["traits"])
	}
	item["sku"] = "changed"
	if dotpath.At(ev, "properties.items.0.sku") != "A" {
		t.Fatal("the profile shares data with the event after a copy")
	}
}

func TestCopyMissingSourceFails(t *testing.T) {
	out := plugintest.Run(t, data.RegisterCopy(), plugintest.Case{
		Config: set(map[string]any{"profile@traits.x": "event@properties.nope"}), Event: newEvent(), Profile: newProfile(),
	})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "event@properties.nope") {
		t.Fatalf("err = %v, want one naming the missing source (the engine sends it to the error port)", out.Err)
	}
}

func TestCopySkipsWithWarning(t *testing.T) {
	cases := []struct {
		name    string
		target  string
		profile plugin.Profile
	}{
		{"event target", "event@properties.x", newProfile()},
		{"profile-less event", "profile@traits.x", nil},
		{"session-less event", "session@context.x", newProfile()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := newEvent()
			out := plugintest.Run(t, data.RegisterCopy(), plugintest.Case{
				Config: set(map[string]any{c.target: "v"}), Event: ev, Profile: c.profile,
			})
			out.MustPort(t, "payload")
			if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "warning" || !strings.Contains(logs[0].Message, c.target) {
				t.Fatalf("logs = %v, want one warning naming %s", logs, c.target)
			}
			props, _ := dotpath.At(ev, "properties").(map[string]any)
			if _, ok := props["x"]; ok {
				t.Fatal("the event was changed")
			}
		})
	}
}

func TestCopyConfigErrors(t *testing.T) {
	p := data.RegisterCopy()
	plugintest.SetUpFails(t, p, set(map[string]any{"flow@id": "x"}), "traits.set.flow@id")
	plugintest.SetUpFails(t, p, set(map[string]any{"traits.name": "x"}), "traits.set.traits.name")
	plugintest.SetUpFails(t, p, set(map[string]any{"profile@": "x"}), "traits.set.profile@")
	plugintest.SetUpFails(t, p, set(map[string]any{"profile@a": "event@a..b"}), "traits.set.profile@a")
	plugintest.SetUpFails(t, p, plugin.Config{"traits": map[string]any{"set": []any{}}}, "traits.set")
}

// dig reads a dot-separated path from nested objects.
func dig(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}
