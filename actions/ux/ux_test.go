package ux_test

import (
	"reflect"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/actions/ux"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

var consentConfig = plugin.Config{"agree_all_event_type": "agree-all-event-type", "enabled": true, "endpoint": "http://localhost:8686",
	"event_type": "user-consent-pref", "expand_height": 400, "position": "bottom", "uix_source": "http://localhost:8686"}

func withConfig(changes plugin.Config) plugin.Config {
	c := plugin.Config{}
	for k, v := range consentConfig {
		c[k] = v
	}
	for k, v := range changes {
		c[k] = v
	}
	return c
}

func TestConsent(t *testing.T) {
	ev := plugin.Event{"id": "e", "source": map[string]any{"id": "web"}}
	out := plugintest.Run(t, ux.RegisterConsent(), plugintest.Case{Config: consentConfig, Event: ev,
		Profile: plugin.Profile{"id": "p"}, Session: plugin.Session{"id": "s"}, Payload: plugin.Payload{"a": 1.0}})
	if got := out.MustPort(t, "payload"); got["a"] != 1.0 {
		t.Errorf("payload = %v", got)
	}
	want := []plugin.UX{
		{"tag": "div", "props": map[string]any{"class": "tracardi-uix-consent", "data-endpoint": "http://localhost:8686",
			"data-position": "bottom", "data-expand-height": 400.0, "data-profile": "p", "data-session": "s", "data-source": "web"}},
		{"tag": "script", "props": map[string]any{"src": "http://localhost:8686/uix/consent/index.js"}},
	}
	if !reflect.DeepEqual(out.State.UX, want) {
		t.Errorf("ux = %v\nwant %v", out.State.UX, want)
	}
	cases := []struct {
		name    string
		config  plugin.Config
		profile plugin.Profile
		n       int
	}{
		{"disabled", withConfig(plugin.Config{"enabled": false}), plugin.Profile{"id": "p"}, 0},
		{"consents set, display once", withConfig(plugin.Config{"always_display": false}), plugin.Profile{"id": "p", "consents": map[string]any{"marketing": map[string]any{}}}, 0},
		{"no consents yet, display once", withConfig(plugin.Config{"always_display": false}), plugin.Profile{"id": "p", "consents": map[string]any{}}, 2},
		{"consents set, display always", consentConfig, plugin.Profile{"id": "p", "consents": map[string]any{"marketing": map[string]any{}}}, 2},
		{"profile-less", consentConfig, nil, 2},
		{"height as text", withConfig(plugin.Config{"expand_height": "300"}), nil, 2},
	}
	for _, c := range cases {
		out := plugintest.Run(t, ux.RegisterConsent(), plugintest.Case{Config: c.config, Event: ev, Profile: c.profile})
		out.MustPort(t, "payload")
		if len(out.State.UX) != c.n {
			t.Errorf("%s: ux = %v, want %d elements", c.name, out.State.UX, c.n)
		}
	}
	p := ux.RegisterConsent()
	plugintest.SetUpFails(t, p, withConfig(plugin.Config{"endpoint": ""}), "endpoint")
	plugintest.SetUpFails(t, p, withConfig(plugin.Config{"uix_source": ""}), "uix_source")
	plugintest.SetUpFails(t, p, withConfig(plugin.Config{"expand_height": "tall"}), "expand_height")
	plugintest.SetUpFails(t, p, withConfig(plugin.Config{"position": "left"}), "position")
}

func TestCustomJS(t *testing.T) {
	out := plugintest.Run(t, ux.RegisterCustomJS(), plugintest.Case{
		Config:  plugin.Config{"attributes": `{"src": "https://example.com/a.js", "async": "true"}`, "content": ""},
		Payload: plugin.Payload{"a": 1.0},
	})
	if got := out.MustPort(t, "response"); got["a"] != 1.0 {
		t.Errorf("payload = %v", got)
	}
	want := []plugin.UX{{"tag": "script", "props": map[string]any{"src": "https://example.com/a.js", "async": "true"}, "content": ""}}
	if !reflect.DeepEqual(out.State.UX, want) {
		t.Errorf("ux = %v", out.State.UX)
	}
	out = plugintest.Run(t, ux.RegisterCustomJS(), plugintest.Case{Config: plugin.Config{"attributes": "{}", "content": "console.log(1)"}})
	if want := []plugin.UX{{"tag": "script", "props": map[string]any{}, "content": "console.log(1)"}}; !reflect.DeepEqual(out.State.UX, want) {
		t.Errorf("ux = %v", out.State.UX)
	}
	plugintest.SetUpFails(t, ux.RegisterCustomJS(), plugin.Config{"attributes": "{src", "content": ""}, "attributes")
	plugintest.SetUpFails(t, ux.RegisterCustomJS(), plugin.Config{"attributes": "[1]", "content": ""}, "attributes")
}

// TestGolden runs the flows of testdata/<plugin>/ through the engine and
// compares with want.json (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}
