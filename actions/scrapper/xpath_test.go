package scrapper_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/scrapper"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

const page = `<html><head><title>Shop</title></head><body>
<ul><li>One <b>two</b></li><li>Three</li></ul><a href="/x">X</a><a href="/y">Y<p>broken</body>`

func TestXPath(t *testing.T) {
	cases := []struct {
		xpath string
		want  any
	}{
		{"//title/text()", []any{"Shop"}},
		{"//a/@href", []any{"/x", "/y"}},
		{"//li", []any{"One two", "Three"}},
		{"count(//a)", 2.0},
		{"string(//title)", "Shop"},
		{"boolean(//ul)", true},
	}
	for _, c := range cases {
		out := plugintest.Run(t, scrapper.RegisterXPath(), plugintest.Case{
			Config: plugin.Config{"xpath": c.xpath, "content": "payload@html"}, Payload: plugin.Payload{"html": page}})
		if got := out.MustPort(t, "result"); !reflect.DeepEqual(got["result"], c.want) {
			t.Errorf("%s: %#v, want %#v", c.xpath, got["result"], c.want)
		}
	}
	// A fragment is read into a document: // and /html/body reach it.
	for _, xp := range []string{"//p/text()", "/html/body/p/text()"} {
		out := plugintest.Run(t, scrapper.RegisterXPath(), plugintest.Case{
			Config: plugin.Config{"xpath": xp, "content": "<p>a</p><p>b</p>"}})
		if got := out.MustPort(t, "result"); !reflect.DeepEqual(got["result"], []any{"a", "b"}) {
			t.Errorf("fragment, %s: %v", xp, got)
		}
	}
	for _, none := range []string{"//table", "count(//table)", "string(//table)", "boolean(//table)"} {
		out := plugintest.Run(t, scrapper.RegisterXPath(), plugintest.Case{
			Config: plugin.Config{"xpath": none, "content": "payload@html"}, Payload: plugin.Payload{"html": page}})
		got := out.MustPort(t, "error")
		if !reflect.DeepEqual(got, plugin.Payload{"xpath": none, "content": "payload@html"}) {
			t.Errorf("%s: error port carried %v, want the config", none, got)
		}
		if !strings.Contains(out.LogText(), "warning: Could not find any data at path '"+none+"'") {
			t.Errorf("%s: console %q", none, out.LogText())
		}
	}
	fe := plugintest.SetUpFails(t, scrapper.RegisterXPath(), plugin.Config{"xpath": "//a[", "content": "x"}, "xpath")
	if !strings.Contains(fe.Error(), "not a valid XPath expression") {
		t.Errorf("invalid xpath: %v", fe)
	}
	// Tracardi's test config sets up; running it says what is missing.
	out := plugintest.Run(t, scrapper.RegisterXPath(), plugintest.Case{Config: plugin.Config{"content": "", "xpath": ""}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "xpath: the expression is empty") {
		t.Errorf("empty xpath: %v", out.Err)
	}
	out = plugintest.Run(t, scrapper.RegisterXPath(), plugintest.Case{Config: plugin.Config{"content": "", "xpath": "//a"}})
	out.MustPort(t, "error")
	out = plugintest.Run(t, scrapper.RegisterXPath(), plugintest.Case{Config: plugin.Config{"content": "payload@h", "xpath": "//a"}, Payload: plugin.Payload{"h": []any{}}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "content: payload@h is a list, not HTML text") {
		t.Errorf("list content: %v", out.Err)
	}
}
