package converters_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/converters"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestToJSON(t *testing.T) {
	ev := plugin.Event{"id": "e1", "type": "t", "properties": map[string]any{"b": "é", "a": 1.0}}
	out := plugintest.Run(t, converters.RegisterToJSON(), plugintest.Case{Config: plugin.Config{"to_json": "event@properties"}, Event: ev})
	if got := out.MustPort(t, "payload"); got["json"] != `{"a": 1, "b": "\u00e9"}` {
		t.Errorf("json = %v", got["json"])
	}
	// Tracardi's test config: the text "{}" itself.
	out = plugintest.Run(t, converters.RegisterToJSON(), plugintest.Case{Config: plugin.Config{"to_json": "{}"}})
	if got := out.MustPort(t, "payload"); got["json"] != `"{}"` {
		t.Errorf("literal: %v", got)
	}
	out = plugintest.Run(t, converters.RegisterToJSON(), plugintest.Case{Config: plugin.Config{"to_json": "profile@traits"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "to_json: profile@traits") {
		t.Errorf("missing: %v", out.Err)
	}
}

func TestFromJSON(t *testing.T) {
	run := func(v any) *plugintest.Outcome {
		return plugintest.Run(t, converters.RegisterFromJSON(), plugintest.Case{Config: plugin.Config{"to_data": "payload@j"}, Payload: plugin.Payload{"j": v}})
	}
	if got := run(`{"a": [1, 2], "b": null}`).MustPort(t, "payload"); !reflect.DeepEqual(got, plugin.Payload{"value": map[string]any{"a": []any{1.0, 2.0}, "b": nil}}) {
		t.Errorf("object: %v", got)
	}
	if got := run(`"x"`).MustPort(t, "payload"); got["value"] != "x" {
		t.Errorf("text: %v", got)
	}
	for _, bad := range []any{`{"a": `, 12.0} {
		out := run(bad)
		got := out.MustPort(t, "error")
		if !reflect.DeepEqual(got, plugin.Payload{"value": plugin.Payload{"j": bad}}) {
			t.Errorf("%v: error port carried %v, want the input payload", bad, got)
		}
		if !strings.Contains(out.LogText(), "error: to_data:") {
			t.Errorf("%v: console %q", bad, out.LogText())
		}
	}
	// Tracardi's test config: the text "{}" itself.
	out := plugintest.Run(t, converters.RegisterFromJSON(), plugintest.Case{Config: plugin.Config{"to_data": "{}"}})
	if got := out.MustPort(t, "payload"); !reflect.DeepEqual(got, plugin.Payload{"value": map[string]any{}}) {
		t.Errorf("test config: %v", got)
	}
}

func TestBase64(t *testing.T) {
	cases := []struct {
		encoding, text, b64 string
	}{
		{"utf_8", "hello", "aGVsbG8="},
		{"utf_8", "zażółć", "emHFvMOzxYLEhw=="},
		{"latin_1", "é", "6Q=="},
		{"utf_16_le", "hé", "aADpAA=="},
		{"utf_16_be", "hé", "AGgA6Q=="},
		{"windows-1250", "ż", "vw=="},
		{"", "", ""}, // Tracardi's test config
	}
	for _, c := range cases {
		enc := plugintest.Run(t, converters.RegisterEncode(), plugintest.Case{
			Config: plugin.Config{"source": "payload@t", "source_encoding": c.encoding}, Payload: plugin.Payload{"t": c.text}})
		if got := enc.MustPort(t, "payload"); got["base64"] != c.b64 {
			t.Errorf("encode %q in %q: %v, want %s", c.text, c.encoding, got, c.b64)
		}
		dec := plugintest.Run(t, converters.RegisterDecode(), plugintest.Case{
			Config: plugin.Config{"source": "payload@b", "target_encoding": c.encoding}, Payload: plugin.Payload{"b": c.b64}})
		if got := dec.MustPort(t, "payload"); got["text"] != c.text {
			t.Errorf("decode %q in %q: %v, want %q", c.b64, c.encoding, got, c.text)
		}
	}
	out := plugintest.Run(t, converters.RegisterEncode(), plugintest.Case{Config: plugin.Config{"source": "zażółć", "source_encoding": "ascii"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "outside ASCII") {
		t.Errorf("ascii: %v", out.Err)
	}
	out = plugintest.Run(t, converters.RegisterDecode(), plugintest.Case{Config: plugin.Config{"source": "/w==", "target_encoding": "utf_8"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "not valid UTF-8") {
		t.Errorf("bad UTF-8: %v", out.Err)
	}
	out = plugintest.Run(t, converters.RegisterDecode(), plugintest.Case{Config: plugin.Config{"source": "payload@n"}, Payload: plugin.Payload{"n": 1.0}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "source: payload@n is a number, not text") {
		t.Errorf("number: %v", out.Err)
	}
	plugintest.SetUpFails(t, converters.RegisterEncode(), plugin.Config{"source": "x", "source_encoding": "klingon"}, "source_encoding")
	plugintest.SetUpFails(t, converters.RegisterDecode(), plugin.Config{"source": "x", "target_encoding": "klingon"}, "target_encoding")
}
