package regex_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/regex"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		name, pattern, text string
		want                plugin.Payload
	}{
		{"no group: the matches", `\d+`, "a1 b22", plugin.Payload{"M-0": "1", "M-1": "22"}},
		{"one group: its text", `(\w)=\d`, "a=1 b=2", plugin.Payload{"M-0": "a", "M-1": "b"}},
		{"groups: lists", `(\w)=(\d)?`, "a=1 b=", plugin.Payload{"M-0": []any{"a", "1"}, "M-1": []any{"b", ""}}},
	}
	for _, c := range cases {
		out := plugintest.Run(t, regex.RegisterMatch(), plugintest.Case{
			Config: plugin.Config{"pattern": c.pattern, "text": "payload@t", "group_prefix": "M"}, Payload: plugin.Payload{"t": c.text}})
		if got := out.MustPort(t, "payload"); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %#v, want %#v", c.name, got, c.want)
		}
		if out.LogText() != "" {
			t.Errorf("%s: console %q", c.name, out.LogText())
		}
	}
	// Tracardi's test config: a literal pattern on a literal text, no match.
	out := plugintest.Run(t, regex.RegisterMatch(), plugintest.Case{Config: plugin.Config{"group_prefix": "Group", "pattern": "<pattern>", "text": "<text or path to text>"}})
	if got := out.MustPort(t, "payload"); len(got) != 0 {
		t.Errorf("no match gave %v", got)
	}
	if !strings.Contains(out.LogText(), "warning: Regex couldn't find anything") {
		t.Errorf("console %q", out.LogText())
	}
	out = plugintest.Run(t, regex.RegisterMatch(), plugintest.Case{Config: plugin.Config{"pattern": "x", "text": "payload@n"}, Payload: plugin.Payload{"n": 1.0}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "text: payload@n is a number, not text") {
		t.Errorf("number: %v", out.Err)
	}
	fe := plugintest.SetUpFails(t, regex.RegisterMatch(), plugin.Config{"pattern": `(\w+)\s\1`, "text": "x"}, "pattern")
	if !strings.Contains(fe.Error(), "backreference") || !strings.Contains(fe.Error(), "RE2") {
		t.Errorf("error %q should say why RE2 refuses the pattern", fe.Error())
	}
}

func TestValidator(t *testing.T) {
	cases := []struct {
		pattern, data, port string
	}{
		{`[A-Z]{2}\d{4}$`, "AB1234", "valid"},
		{`[A-Z]{2}\d{4}$`, "xAB1234", "invalid"}, // re.match: from the start
		{`[A-Z]{2}\d{4}`, "AB1234x", "valid"},
		{`[A-Z]{2}\d{4}$`, "AB1234x", "invalid"},
		{`(?m)^b`, "a\nb", "invalid"}, // the start of the text, not of a line
		{"/a/", "a", "invalid"},       // Tracardi's test config
	}
	for _, c := range cases {
		out := plugintest.Run(t, regex.RegisterValidator(), plugintest.Case{
			Config: plugin.Config{"validation_regex": c.pattern, "data": "payload@d"}, Payload: plugin.Payload{"d": c.data}})
		if got := out.MustPort(t, c.port); got["d"] != c.data {
			t.Errorf("%q on %q: payload %v", c.pattern, c.data, got)
		}
	}
	plugintest.SetUpFails(t, regex.RegisterValidator(), plugin.Config{"validation_regex": `\d+(?=px)`, "data": "x"}, "validation_regex")
	plugintest.SetUpFails(t, regex.RegisterValidator(), plugin.Config{"validation_regex": "", "data": "x"}, "validation_regex")
}

func TestReplace(t *testing.T) {
	run := func(config plugin.Config, payload plugin.Payload) *plugintest.Outcome {
		return plugintest.Run(t, regex.RegisterReplace(), plugintest.Case{Config: config, Payload: payload})
	}
	got := run(plugin.Config{"string": "payload@s", "find_regex": `[^0-9+]`, "replace_with": ""}, plugin.Payload{"s": "+48 (12) 345"}).MustPort(t, "replaced")
	if got["value"] != "+4812345" {
		t.Errorf("replaced %v", got)
	}
	got = run(plugin.Config{"string": "payload@s", "find_regex": `(\w+)@`, "replace_with": "payload@with"},
		plugin.Payload{"s": "anna@x", "with": `<\1>@`}).MustPort(t, "replaced")
	if got["value"] != "<anna>@x" {
		t.Errorf("replacement from a reference: %v", got)
	}
	got = run(plugin.Config{"string": "abc", "find_regex": "x", "replace_with": "y"}, nil).MustPort(t, "not_found")
	if got["value"] != "abc" {
		t.Errorf("not found %v", got)
	}
	// Tracardi's test config.
	if got := run(plugin.Config{"find_regex": "abc", "replace_with": "123", "string": "abc"}, nil).MustPort(t, "replaced"); got["value"] != "123" {
		t.Errorf("test config: %v", got)
	}
	out := run(plugin.Config{"string": "ab", "find_regex": "(a)", "replace_with": `\2`}, nil)
	if out.Err == nil || !strings.Contains(out.Err.Error(), "replace_with: invalid group reference 2") {
		t.Errorf("bad group: %v", out.Err)
	}
	plugintest.SetUpFails(t, regex.RegisterReplace(), plugin.Config{"string": "x", "find_regex": "(?<!a)b", "replace_with": ""}, "find_regex")
	plugintest.SetUpFails(t, regex.RegisterReplace(), plugin.Config{"string": "", "find_regex": "a", "replace_with": ""}, "string")
}
