package data_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestCutOut(t *testing.T) {
	cases := []struct {
		name   string
		config plugin.Config
		want   plugin.Payload
		void   bool
		fails  string
	}{
		{"object", plugin.Config{"trait": "event@properties.items.0"}, plugin.Payload{"sku": "A"}, false, ""},
		{"scalar with key", plugin.Config{"trait": "event@properties.city", "key": " city "}, plugin.Payload{"city": "Oslo"}, false, ""},
		{"list with key", plugin.Config{"trait": "event@properties.items", "key": "items"},
			plugin.Payload{"items": []any{map[string]any{"sku": "A"}}}, false, ""},
		{"null ends the branch", plugin.Config{"trait": "event@properties.none"}, nil, true, ""},
		{"null with key", plugin.Config{"trait": "event@properties.none", "key": "v"}, plugin.Payload{"v": nil}, false, ""},
		{"scalar without key fails", plugin.Config{"trait": "event@properties.city"}, nil, false, "not an object"},
		{"blank key is no key", plugin.Config{"trait": "event@properties.city", "key": " "}, nil, false, "not an object"},
		{"missing fails", plugin.Config{"trait": "event@properties.nope"}, nil, false, "event@properties.nope"},
		{"profile-less fails", plugin.Config{"trait": "profile@traits"}, nil, false, "profile"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, data.RegisterCutOut(), plugintest.Case{Config: c.config, Event: newEvent()})
			if c.fails != "" {
				if out.Err == nil || !strings.Contains(out.Err.Error(), c.fails) {
					t.Fatalf("err = %v, want one containing %q", out.Err, c.fails)
				}
				return
			}
			got := out.MustPort(t, "trait")
			if c.void {
				if got != nil {
					t.Fatalf("got %v, want a null value (void)", got)
				}
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestCutOutCopies(t *testing.T) {
	profile := plugin.Profile{"traits": map[string]any{"address": map[string]any{"town": "Oslo"}}}
	out := plugintest.Run(t, data.RegisterCutOut(), plugintest.Case{Config: plugin.Config{"trait": "profile@traits.address"}, Profile: profile})
	out.MustPort(t, "trait")["town"] = "changed"
	if dig(profile, "traits.address.town") != "Oslo" {
		t.Fatal("the cut-out payload shares data with the profile")
	}
}

func TestCutOutConfigErrors(t *testing.T) {
	p := data.RegisterCutOut()
	plugintest.SetUpFails(t, p, plugin.Config{"trait": ""}, "trait")
	plugintest.SetUpFails(t, p, plugin.Config{"trait": "traits.x"}, "trait")
	plugintest.SetUpFails(t, p, plugin.Config{"trait": "profile@x", "key": []any{1}}, "key")
}

func TestTemplate(t *testing.T) {
	cases := []struct {
		tpl     string
		profile plugin.Profile
		want    string
	}{
		{"", nil, ""},
		{"plain", nil, "plain"},
		{"Hi {{ profile@traits.name }}, {{payload@n}} items in {{ event@properties.city }}", newProfile(), "Hi Ann, 2 items in Oslo"},
		{"{{ event@properties.items }}", nil, `[{"sku":"A"}]`},
		{"[{{ payload@null }}]", nil, "[]"},
	}
	for _, c := range cases {
		out := plugintest.Run(t, data.RegisterTemplate(), plugintest.Case{
			Config: plugin.Config{"template": c.tpl}, Event: newEvent(), Profile: c.profile, Payload: plugin.Payload{"n": 2.0, "null": nil},
		})
		if got := out.MustPort(t, "template"); !reflect.DeepEqual(got, plugin.Payload{"template": c.want}) {
			t.Errorf("%q: got %v, want %q", c.tpl, got, c.want)
		}
	}
	plugintest.SetUpFails(t, data.RegisterTemplate(), plugin.Config{"template": "{{ profile@x"}, "template")
	plugintest.SetUpFails(t, data.RegisterTemplate(), plugin.Config{"template": []any{}}, "template")
}

func TestResponse(t *testing.T) {
	cases := []struct {
		name    string
		config  plugin.Config
		profile plugin.Profile
		key     string
		want    any
		port    plugin.Payload
	}{
		{"template", plugin.Config{"key": "Offer Code", "body": `{"name": "profile@traits.name", "fixed": 1}`}, newProfile(),
			"offer_code", map[string]any{"name": "Ann", "fixed": 1.0}, plugin.Payload{"name": "Ann", "fixed": 1.0}},
		{"object body", plugin.Config{"key": "k", "body": map[string]any{"city": "event@properties.city"}}, nil,
			"k", map[string]any{"city": "Oslo"}, plugin.Payload{"city": "Oslo"}},
		{"missing is null", plugin.Config{"key": "k", "body": `{"n": "profile@traits.name"}`}, nil,
			"k", map[string]any{"n": nil}, plugin.Payload{"n": nil}},
		{"list body: the input payload goes on", plugin.Config{"key": "k", "body": `["a", "event@type"]`}, nil,
			"k", []any{"a", "purchase"}, plugin.Payload{"in": 1.0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, data.RegisterResponse(), plugintest.Case{
				Config: c.config, Event: newEvent(), Profile: c.profile, Payload: plugin.Payload{"in": 1.0},
			})
			got := out.MustPort(t, "payload")
			if !reflect.DeepEqual(got, c.port) {
				t.Errorf("port = %v, want %v", got, c.port)
			}
			if r := out.State.Flow.Response[c.key]; !reflect.DeepEqual(r, c.want) {
				t.Errorf("response[%s] = %v, want %v", c.key, r, c.want)
			}
			if m, ok := out.State.Flow.Response[c.key].(map[string]any); ok {
				got["added"] = true
				if _, leaked := m["added"]; leaked {
					t.Error("the emitted payload shares its map with the response")
				}
			}
		})
	}
}

func TestResponseStrict(t *testing.T) {
	out := plugintest.Run(t, data.RegisterResponse(), plugintest.Case{
		Config: plugin.Config{"key": "k", "body": `{"n": "profile@traits.name"}`, "default": false},
	})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "profile@traits.name") {
		t.Fatalf("err = %v", out.Err)
	}
}

func TestResponseConfigErrors(t *testing.T) {
	p := data.RegisterResponse()
	plugintest.SetUpFails(t, p, plugin.Config{"key": "", "body": "{}"}, "key")
	plugintest.SetUpFails(t, p, plugin.Config{"key": "  ", "body": "{}"}, "key")
	plugintest.SetUpFails(t, p, plugin.Config{"key": "k", "body": "{"}, "body")
	plugintest.SetUpFails(t, p, plugin.Config{"key": "k", "body": ""}, "body")
	plugintest.SetUpFails(t, p, plugin.Config{"key": "k", "body": `{"a": "profile@a..b"}`}, "body")
}

// TestTemplateMissingFails: a placeholder whose path does not exist fails
// the node, as Tracardi's dot accessor raises on a missing key, and the
// error names the path.
func TestTemplateMissingFails(t *testing.T) {
	for _, c := range []struct {
		tpl     string
		profile plugin.Profile
		want    string
	}{
		{"[{{ payload@nope }}]", nil, "payload@nope"},
		{"Hi {{ profile@traits.name }}", nil, "profile@traits.name"},
		{"Hi {{ profile@traits.age }}", newProfile(), "profile@traits.age"},
	} {
		out := plugintest.Run(t, data.RegisterTemplate(), plugintest.Case{
			Config: plugin.Config{"template": c.tpl}, Event: newEvent(), Profile: c.profile, Payload: plugin.Payload{},
		})
		if out.Err == nil || !errors.Is(out.Err, dotpath.ErrMissing) || !strings.Contains(out.Err.Error(), c.want) {
			t.Errorf("%q: err = %v, want a missing-value error naming %s", c.tpl, out.Err, c.want)
		}
		if len(out.Results) != 0 {
			t.Errorf("%q: results %v, want none", c.tpl, out.Results)
		}
	}
}
