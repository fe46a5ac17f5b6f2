package reporting_test

import (
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/reporting"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestThrow(t *testing.T) {
	cases := []struct {
		config plugin.Config
		want   string
	}{
		{plugin.Config{"message": "No e-mail, cannot go on."}, "No e-mail, cannot go on."},
		{nil, "Flow stopped due to error."},
		{plugin.Config{}, "Flow stopped due to error."},
		{plugin.Config{"message": "  "}, "Flow stopped due to error."},
	}
	for _, c := range cases {
		out := plugintest.Run(t, reporting.RegisterThrow(), plugintest.Case{Config: c.config})
		if out.Err == nil || out.Err.Error() != c.want {
			t.Errorf("config %v: err = %v, want %q", c.config, out.Err, c.want)
		}
		if len(out.Results) != 0 {
			t.Errorf("config %v: results %v, want none", c.config, out.Results)
		}
	}
	plugintest.SetUpFails(t, reporting.RegisterThrow(), plugin.Config{"message": map[string]any{}}, "message")
}

func TestLog(t *testing.T) {
	cases := []struct {
		name    string
		config  plugin.Config
		profile plugin.Profile
		level   string
		message string
	}{
		{"warning by default", plugin.Config{"message": "hi"}, nil, "warning", "hi"},
		{"debug", plugin.Config{"type": "debug", "message": "d"}, nil, "debug", "d"},
		{"info", plugin.Config{"type": "info", "message": "i"}, nil, "info", "i"},
		{"error", plugin.Config{"type": "error", "message": "e"}, nil, "error", "e"},
		{"template", plugin.Config{"type": "info", "message": "{{profile@id}} bought {{ payload@n }} x {{payload@item}}"},
			plugin.Profile{"id": "p1"}, "info", "p1 bought 2 x {\"sku\":\"A\"}"},
		{"missing and profile-less render empty", plugin.Config{"type": "info", "message": "[{{ profile@id }}][{{payload@none}}]"},
			nil, "info", "[][]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payload := plugin.Payload{"n": 2.0, "item": map[string]any{"sku": "A"}}
			out := plugintest.Run(t, reporting.RegisterLog(), plugintest.Case{Config: c.config, Profile: c.profile, Payload: payload})
			got := out.MustPort(t, "payload")
			if got["n"] != 2.0 {
				t.Errorf("payload not passed on: %v", got)
			}
			logs := out.Logs()
			if len(logs) != 1 || logs[0].Level != c.level || logs[0].Message != c.message || logs[0].NodeID == "" {
				t.Fatalf("logs = %+v, want one %s %q", logs, c.level, c.message)
			}
		})
	}
}

func TestLogConfigErrors(t *testing.T) {
	ce := plugintest.SetUpFails(t, reporting.RegisterLog(), plugin.Config{"type": "fatal", "message": "x"}, "type")
	if !strings.Contains(ce.Error(), "fatal") {
		t.Errorf("error %v does not quote the bad type", ce)
	}
	plugintest.SetUpFails(t, reporting.RegisterLog(), plugin.Config{"type": "info", "message": "{{ profile@id"}, "message")
	plugintest.SetUpFails(t, reporting.RegisterLog(), plugin.Config{"type": "info", "message": "{{ nope }}"}, "message")
	plugintest.SetUpFails(t, reporting.RegisterLog(), plugin.Config{"type": 1}, "type")
}
