package data

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestValueMapping(t *testing.T) {
	countries := map[string]any{"PL": "Poland", "DE": "Germany", "2": "two", "obj": map[string]any{"a": 1.0}}
	cases := []struct {
		name    string
		config  plugin.Config
		payload plugin.Payload
		want    any
	}{
		{"ignores case", plugin.Config{"value": "payload@code", "case_sensitive": false, "mapping": countries}, plugin.Payload{"code": "pl"}, "poland"},
		{"case sensitive miss", plugin.Config{"value": "payload@code", "case_sensitive": true, "mapping": countries}, plugin.Payload{"code": "pl"}, nil},
		{"case sensitive hit", plugin.Config{"value": "payload@code", "case_sensitive": true, "mapping": countries}, plugin.Payload{"code": "DE"}, "Germany"},
		{"no match", plugin.Config{"value": "payload@code", "mapping": countries}, plugin.Payload{"code": "FR"}, nil},
		{"number matches its text", plugin.Config{"value": "payload@code", "mapping": countries}, plugin.Payload{"code": 2.0}, "two"},
		{"object value", plugin.Config{"value": "payload@code", "mapping": countries}, plugin.Payload{"code": "OBJ"}, map[string]any{"a": 1.0}},
		{"object input matches nothing", plugin.Config{"value": "payload@code", "mapping": countries}, plugin.Payload{"code": map[string]any{}}, nil},
		{"reference value", plugin.Config{"value": "payload@code", "mapping": map[string]any{"a": "payload@name"}}, plugin.Payload{"code": "A", "name": "Ann"}, "ann"},
		{"reference key", plugin.Config{"value": "payload@code", "case_sensitive": true, "mapping": map[string]any{"payload@k": "yes", "b": "no"}}, plugin.Payload{"code": "x", "k": "x"}, "yes"},
		// Tracardi's test config: the literal "x" matches no key.
		{"tracardi test config", plugin.Config{"case_sensitive": false, "mapping": map[string]any{"a": "profile@id"}, "value": "x"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, RegisterValueMapping(), plugintest.Case{Config: c.config, Payload: c.payload})
			if got := out.MustPort(t, "result"); !reflect.DeepEqual(got["value"], c.want) {
				t.Errorf("value = %#v, want %#v", got["value"], c.want)
			}
		})
	}
	out := plugintest.Run(t, RegisterValueMapping(), plugintest.Case{Config: plugin.Config{"value": "payload@missing", "mapping": countries}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "payload@missing") {
		t.Errorf("missing value: err = %v", out.Err)
	}
	plugintest.SetUpFails(t, RegisterValueMapping(), plugin.Config{"value": "payload@a", "mapping": map[string]any{}}, "mapping")
	plugintest.SetUpFails(t, RegisterValueMapping(), plugin.Config{"value": "payload@a", "mapping": map[string]any{"a": 1, "A": 2}}, "mapping")
	// With case sensitivity, keys differing in case are fine.
	plugintest.Run(t, RegisterValueMapping(), plugintest.Case{Config: plugin.Config{"value": "payload@a", "case_sensitive": true, "mapping": map[string]any{"a": 1, "A": 2}}, Payload: plugin.Payload{"a": "A"}}).MustPort(t, "result")
}

func TestRandomItem(t *testing.T) {
	seen := map[any]int{}
	a, err := plugintest.SetUp(t.Context(), RegisterRandomItem(), plugin.Config{"list_of_items": []any{1, "payload@x", "text"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		out := plugintest.RunAction(t.Context(), RegisterRandomItem(), a, plugintest.Case{Payload: plugin.Payload{"x": "from payload"}})
		got := out.MustPort(t, "random_element")
		seen[got["value"]]++
	}
	// The list stays whole: every item keeps coming.
	for _, want := range []any{1.0, "from payload", "text"} {
		if seen[want] < 50 {
			t.Errorf("%v chosen %d times in 300; seen %v", want, seen[want], seen)
		}
	}
	r := &RandomItem{pick: func(int) int { return 0 }}
	if err := r.SetUp(t.Context(), plugin.Config{"list_of_items": []any{"payload@gone"}}); err != nil {
		t.Fatal(err)
	}
	p := RegisterRandomItem()
	if out := plugintest.RunAction(t.Context(), p, r, plugintest.Case{}); out.Err == nil || !strings.Contains(out.Err.Error(), "payload@gone") {
		t.Errorf("missing item: err = %v", out.Err)
	}
	plugintest.SetUpFails(t, RegisterRandomItem(), plugin.Config{"list_of_items": []any{}}, "list_of_items")
	plugintest.SetUpFails(t, RegisterRandomItem(), plugin.Config{"list_of_items": "a"}, "list_of_items")
}

func TestDetectDevice(t *testing.T) {
	cases := []struct {
		ua   string
		want map[string]any
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", map[string]any{
			"model":  map[string]any{"name": "", "brand": map[string]any{"name": ""}, "type": "desktop"},
			"os":     map[string]any{"name": "Windows", "version": "10"},
			"client": map[string]any{"type": "browser", "name": "Chrome", "version": "120.0.0.0", "engine": "Blink"},
			"type":   map[string]any{"mobile": false, "desktop": true, "bot": false, "tv": false},
		}},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", map[string]any{
			"model":  map[string]any{"name": "iPhone", "brand": map[string]any{"name": "Apple"}, "type": "smartphone"},
			"os":     map[string]any{"name": "iOS", "version": "17.1.2"},
			"client": map[string]any{"type": "browser", "name": "Safari", "version": "17.1", "engine": "WebKit"},
			"type":   map[string]any{"mobile": true, "desktop": false, "bot": false, "tv": false},
		}},
		{"Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36", map[string]any{
			"model":  map[string]any{"name": "", "brand": map[string]any{"name": ""}, "type": "smartphone"},
			"os":     map[string]any{"name": "Android", "version": "13"},
			"client": map[string]any{"type": "browser", "name": "Chrome", "version": "119.0.6045.163", "engine": "Blink"},
			"type":   map[string]any{"mobile": true, "desktop": false, "bot": false, "tv": false},
		}},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", map[string]any{
			"model":  map[string]any{"name": "", "brand": map[string]any{"name": ""}, "type": ""},
			"os":     map[string]any{"name": "", "version": ""},
			"client": map[string]any{"type": "", "name": "", "version": "", "engine": ""},
			"type":   map[string]any{"mobile": false, "desktop": false, "bot": true, "tv": false},
		}},
	}
	for _, c := range cases {
		out := plugintest.Run(t, RegisterDetectDevice(), plugintest.Case{
			Config:  plugin.Config{"agent": "session@context.browser.browser.userAgent"},
			Session: plugin.Session{"id": "s", "context": map[string]any{"browser": map[string]any{"browser": map[string]any{"userAgent": c.ua}}}},
		})
		got := out.MustPort(t, "payload")
		if !reflect.DeepEqual(got["device"], c.want) || got["status"].(map[string]any)["code"] != 200 {
			t.Errorf("%s:\n got %v\nwant %v", c.ua, got, c.want)
		}
	}
	// Tracardi's answer without a user agent: status 500, Unknown everywhere.
	out := plugintest.Run(t, RegisterDetectDevice(), plugintest.Case{Config: plugin.Config{"agent": "session@context.browser.browser.userAgent"}})
	got := out.MustPort(t, "payload")
	if got["status"].(map[string]any)["code"] != 500 || got["device"].(map[string]any)["type"].(map[string]any)["bot"] != "Unknown" {
		t.Errorf("no user agent: %v", got)
	}
	if len(out.Logs()) != 1 || out.Logs()[0].Level != "warning" {
		t.Errorf("logs = %v", out.Logs())
	}
}

func TestMergeProperties(t *testing.T) {
	event := plugin.Event{"type": "x", "properties": map[string]any{"size": "M", "color": map[string]any{"main": "red"}}}
	cases := []struct {
		sub    string
		traits map[string]any
		want   map[string]any
		logs   int
	}{
		{"", map[string]any{"size": "S", "name": "Ann"}, map[string]any{"size": "M", "name": "Ann", "color": map[string]any{"main": "red"}}, 0},
		{"prefs.shop", map[string]any{"prefs": map[string]any{"shop": map[string]any{"size": "L", "brand": "x"}}},
			map[string]any{"prefs": map[string]any{"shop": map[string]any{"size": "M", "brand": "x", "color": map[string]any{"main": "red"}}}}, 0},
		{"prefs", map[string]any{"prefs": "none"}, map[string]any{"prefs": map[string]any{"size": "M", "color": map[string]any{"main": "red"}}}, 1},
		{" new ", map[string]any{}, map[string]any{"new": map[string]any{"size": "M", "color": map[string]any{"main": "red"}}}, 0},
	}
	for _, c := range cases {
		profile := plugin.Profile{"id": "p", "traits": c.traits}
		out := plugintest.Run(t, RegisterMergeProperties(), plugintest.Case{Config: plugin.Config{"sub_traits": c.sub, "traits_type": "public"}, Event: event, Profile: profile})
		got := out.MustPort(t, "traits")
		if !reflect.DeepEqual(map[string]any(got), c.want) || !reflect.DeepEqual(profile["traits"], c.want) {
			t.Errorf("%q: traits = %v, profile %v, want %v", c.sub, got, profile["traits"], c.want)
		}
		if len(out.Logs()) != c.logs || out.State.ProfileFlag() != plugin.SaveForced {
			t.Errorf("%q: logs %v, profile flag %v", c.sub, out.Logs(), out.State.ProfileFlag())
		}
	}
	// The merged values are copies: changing the event later leaves the profile alone.
	profile := plugin.Profile{"id": "p"}
	plugintest.Run(t, RegisterMergeProperties(), plugintest.Case{Event: event, Profile: profile}).MustPort(t, "traits")
	event["properties"].(map[string]any)["color"].(map[string]any)["main"] = "blue"
	if profile["traits"].(map[string]any)["color"].(map[string]any)["main"] != "red" {
		t.Error("traits share the event's objects")
	}
	out := plugintest.Run(t, RegisterMergeProperties(), plugintest.Case{Event: event})
	if got := out.MustPort(t, "error"); len(got) != 0 {
		t.Errorf("no profile: %v", got)
	}
	plugintest.SetUpFails(t, RegisterMergeProperties(), plugin.Config{"sub_traits": "a..b"}, "sub_traits")
}
